//===- PoolMath.h - pooling formulas shared by the CPU and CUDA lowerings -===//
//
// The parts of the op specification's pooling formulas that the CPU
// lowering (LowerPooling.cpp) and the CUDA schedules (KernelsPool.cpp)
// compute the same way, written once.
//
//===----------------------------------------------------------------------===//

#ifndef SLUICE_CODEGEN_COMMON_POOLMATH_H
#define SLUICE_CODEGEN_COMMON_POOLMATH_H

#include "codegen/common/Emit.h"

namespace mlir::sluice::codegen {

/// A fold over the valid rows of one set for one feature: fold(init, step)
/// returns {the accumulated value, the number of valid rows} (f32).
using SetFold = function_ref<SmallVector<Value>(
    Value init, function_ref<Value(Value acc, Value v)> step)>;

/// Log-sum-exp pooling of one feature of a set, (1 / r) log(mean exp(r x)):
/// a fold for the max of r x, then one for the sum of exp(r x - max).
/// Empty sets give 0; an infinite max gives max / r (exp(m - m) would be
/// NaN).
Value emitSetLse(Emit &e, double r, SetFold fold);

/// The row `first` / `last` pooling takes: the first (or last) of the `n`
/// rows with valid(row), -1 when there is none.
Value emitPickRow(Emit &e, bool first, Value n,
                  function_ref<Value(Value)> valid);

} // namespace mlir::sluice::codegen

#endif // SLUICE_CODEGEN_COMMON_POOLMATH_H
