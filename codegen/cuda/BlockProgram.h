//===- BlockProgram.h - the block-program level of the CUDA backend -*- C++ -*-===//
//
// A block program is the device-code form both CUDA targets share
// (docs/cuda.md):
//
//   scf.forall (%bx, ...) in (grid...) {           // #gpu.block<x|y|z>
//     %smem = memref.alloca() : memref<..., #gpu.address_space<workgroup>>
//     scf.forall (%t) in (N) { ... }              // #gpu.thread<x>: a phase
//     scf.for / scf.if (block-uniform) { thread phases, warp collectives }
//     sluice_gpu.warp_reduce addf %smem : ...
//   } {mapping = [#gpu.block<x>, ...]}
//
// Thread phases hold no barrier and no thread id: the boundary between two
// phases is the barrier. Per-thread state that outlives a phase lives in
// workgroup buffers indexed by the thread's position.
//
//===----------------------------------------------------------------------===//

#ifndef SLUICE_CODEGEN_CUDA_BLOCKPROGRAM_H
#define SLUICE_CODEGEN_CUDA_BLOCKPROGRAM_H

#include "codegen/common/Emit.h"
#include "codegen/common/EqualDims.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "codegen/cuda/SluiceGpuDialect.h.inc"
#include "codegen/cuda/SluiceGpuEnums.h.inc"
#define GET_OP_CLASSES
#include "codegen/cuda/SluiceGpuOps.h.inc"

namespace mlir::sluice::cuda {

constexpr int64_t kWarpSize = 32;

/// True for an scf.forall mapped to GPU blocks / threads.
bool isBlockForall(Operation *op);
bool isThreadForall(Operation *op);

/// Emits a block program over `grid` (1 to 3 index values, block x, y, z).
/// `body` is called with the builder inside the block body and the block ids.
void buildBlockProgram(OpBuilder &b, Location loc, ArrayRef<Value> grid,
                       function_ref<void(ValueRange)> body);

/// Emits one thread phase of `threads` threads (a static count, the block
/// size); `body` gets the thread's position in [0, threads).
void buildThreadPhase(OpBuilder &b, Location loc, int64_t threads,
                      function_ref<void(Value)> body);

/// A workgroup (shared-memory) buffer of the enclosing block body.
Value allocWorkgroup(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                     Type elementType);

/// A device-side run-time check of `op` (sluice_gpu.report_error): when
/// `cond` holds, the error the CPU lowering's emitRuntimeCheck(op, message,
/// v0, v1) reports. Inside a thread phase or at block level; the caller must
/// still keep every access in bounds.
void reportError(codegen::Emit &e, Operation *op, Value cond,
                 StringRef message, Value v0 = {}, Value v1 = {});

/// codegen::guardEqualDims for device buffers: the substitute buffer is not
/// filled (host code never writes device memory; after a failed check the
/// runtime launches nothing, so it is never read).
SmallVector<Value> guardEqualDimsOnDevice(codegen::Emit &e, Operation *op,
                                          ArrayRef<Value> operands);

/// Checks the block-program rules under `root`; emits an error per violation.
LogicalResult verifyBlockPrograms(Operation *root);

/// Every sluice op with a CUDA schedule -> a block program over buffers
/// (`bufferization.to_buffer` / `to_tensor` at its boundary). With `strict`,
/// a sluice or linalg op without one is an error; otherwise it is left to
/// the CPU lowering (device logic emulated on the CPU only).
std::unique_ptr<Pass> createLowerToBlockProgramsPass(bool strict = true);
/// `sluice-verify-block-program`.
std::unique_ptr<Pass> createVerifyBlockProgramPass();
/// `sluice-cuda-to-gpu`: warp collectives -> gpu.shuffle, block foralls ->
/// gpu.launch (dynamic grid, workgroup attributions), thread foralls ->
/// thread ids and barriers (upstream map_nested_forall_to_threads).
std::unique_ptr<Pass> createBlockProgramsToGpuPass();
/// `sluice-cuda-to-cpu`: warp collectives -> butterfly loops, foralls ->
/// scf.for (thread phases in reverse order with `reverse`), workgroup memory
/// space erased.
std::unique_ptr<Pass> createBlockProgramsToCpuPass(bool reverse = false);

/// Names of the sluice ops with a CUDA schedule.
ArrayRef<StringRef> cudaLoweredOps();

// Per-op schedules (Kernels*.cpp; the list is BlockProgramOps.def).
// Operands are the op's buffers in operand order (absent optional operands
// are null); the results are fresh buffers.
#define SLUICE_CUDA_SCHEDULE(OpClass, builder)                                 \
  FailureOr<SmallVector<Value>> builder(codegen::Emit &e, Operation *op,       \
                                        ArrayRef<Value> operands);
#include "codegen/cuda/BlockProgramOps.def"

// KernelsLinalg.cpp: the generic mapping of linalg ops on tensors.
/// Why the generic mapping does not apply to `op`, or nothing.
std::optional<std::string> unsupportedLinalg(Operation *op);
FailureOr<SmallVector<Value>> buildLinalgKernel(codegen::Emit &e,
                                                Operation *op,
                                                ArrayRef<Value> operands);

} // namespace mlir::sluice::cuda

#endif // SLUICE_CODEGEN_CUDA_BLOCKPROGRAM_H
