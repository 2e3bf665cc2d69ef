//===- UkernelCall.h - helpers for calls of the runtime micro-kernels -----===//
//
// The bufferizations that turn kernel ops into calls of the micro-kernels of
// runtime/include/sluice/ukernels.h (UkernelGemm.cpp, UkernelRouterGate.cpp)
// pass buffers as addresses and strides in int64 argument blocks.
//
//===----------------------------------------------------------------------===//

#ifndef SLUICE_CODEGEN_CPU_UKERNELCALL_H
#define SLUICE_CODEGEN_CPU_UKERNELCALL_H

#include "codegen/common/Emit.h"

namespace mlir::sluice::codegen {

/// A buffer whose last dim is contiguous (copied into a fresh one if not).
Value ukContiguous(Emit &e, Value buf);
/// Address of element 0 of `buf` as an i64.
Value ukAddressOf(Emit &e, Value buf);
/// Dim `i`'s stride of `buf` as an i64.
Value ukStrideOf(Emit &e, Value buf, unsigned i);
/// Declares the micro-kernel `void fn(i64 args)` in `op`'s module (once).
void ukDeclare(Emit &e, Operation *op, StringRef fn);
/// An int64 argument block of `fields` entries, allocated in the entry block
/// of `op`'s function (one per op, not per call).
Value ukArgBlock(Emit &e, Operation *op, int64_t fields);

} // namespace mlir::sluice::codegen

namespace mlir {
class DialectRegistry;
namespace sluice {
/// sluice.sparse_matmul's tiles as sluice_uk_sparse_matmul calls
/// (UkernelSparseMatmul.cpp); with registerBufferizationModelsButSparseMatmul.
void registerCpuSparseMatmulBufferization(DialectRegistry &registry);
} // namespace sluice
} // namespace mlir

#endif // SLUICE_CODEGEN_CPU_UKERNELCALL_H
