//===- TensorUtils.h - small tensor helpers shared by the fusion passes ----===//
//
// Shared by FuseLora, FuseMoeShared, FuseMoeSpecial and MoeSpecial.
//
//===----------------------------------------------------------------------===//
#ifndef SLUICE_PASSES_TENSORUTILS_H
#define SLUICE_PASSES_TENSORUTILS_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"

namespace mlir::sluice {

/// The ranked tensor type of `v`.
inline RankedTensorType ttype(Value v) {
  return cast<RankedTensorType>(v.getType());
}

/// Size `i` of tensor `t`: a constant when static, tensor.dim otherwise.
inline Value dimOf(OpBuilder &b, Location loc, Value t, int64_t i) {
  if (!ttype(t).isDynamicDim(i))
    return arith::ConstantIndexOp::create(b, loc, ttype(t).getDimSize(i));
  return tensor::DimOp::create(b, loc, t, i);
}

} // namespace mlir::sluice

#endif // SLUICE_PASSES_TENSORUTILS_H
