//===- EqualDims.h - run-time checks of dims that must agree ------*- C++ -*-===//
//
// The host-side shape checks every lowering of a sluice op shares (the CPU
// lowering and the CUDA schedules).
//
//===----------------------------------------------------------------------===//

#ifndef SLUICE_CODEGEN_COMMON_EQUALDIMS_H
#define SLUICE_CODEGEN_COMMON_EQUALDIMS_H

#include "codegen/common/Emit.h"

namespace mlir::sluice::codegen {

/// Checks at run time the dims of `op`'s operand buffers that the spec says
/// must agree and are dynamic somewhere, reporting a mismatch through
/// emitRuntimeCheck (`expects x dim 1 (30) to equal u dim 0 (24)`). An
/// operand whose size differs is replaced by a zero-filled buffer of the
/// expected sizes, so loops bounded by any member's size stay in bounds.
/// Returns the operands to use. `zeroFill`, when given, fills the substitute
/// buffer instead of host loops (the CUDA schedules fill it with a kernel:
/// their host code never touches device memory).
SmallVector<Value>
guardEqualDims(Emit &e, Operation *op, ArrayRef<Value> operands,
               llvm::function_ref<void(Emit &, Value)> zeroFill = {});

} // namespace mlir::sluice::codegen

#endif // SLUICE_CODEGEN_COMMON_EQUALDIMS_H
