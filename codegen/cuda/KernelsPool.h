//===- KernelsPool.h - the per-feature pooled value, shared --------*- C++ -*-===//
//
// One thread's reduction of one feature over a set (pool, segment_pool):
// the op specification's formulas, as in the CPU lowering.
//
//===----------------------------------------------------------------------===//

#ifndef SLUICE_CODEGEN_CUDA_KERNELSPOOL_H
#define SLUICE_CODEGEN_CUDA_KERNELSPOOL_H

#include "codegen/cuda/BlockProgram.h"
#include "dialect/SluiceOps.h"

namespace mlir::sluice::cuda {

/// The attributes of a pooling kind.
struct PoolSpec {
  PoolKind kind;
  double p, eps, r;
};

/// The pooled value of feature `dd` over `n` rows (valid(row), at(row)).
/// Group GeM reads p from groupP[dd / groupWidth] when groupP is set.
Value poolOne(codegen::Emit &e, const PoolSpec &op, Value groupP,
              Value groupWidth, Value dd, Value n,
              function_ref<Value(Value)> valid, function_ref<Value(Value)> at);

} // namespace mlir::sluice::cuda

#endif // SLUICE_CODEGEN_CUDA_KERNELSPOOL_H
