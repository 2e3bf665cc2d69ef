//===- LowerSparse.h - sparse_matmul's lowering with a backend tile -*- C++ -*-===//
//
// sparse_matmul's selection is common code (LowerSparse.cpp); the
// accumulation of each tile of tokens is the backend's: plain loops by
// default, a micro-kernel call on the CPU (codegen/cpu/UkernelSparseMatmul.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef SLUICE_CODEGEN_COMMON_LOWERSPARSE_H
#define SLUICE_CODEGEN_COMMON_LOWERSPARSE_H

#include "codegen/common/Emit.h"
#include "dialect/SluiceOps.h"

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace mlir::sluice::codegen {

/// Tokens per tile of sparse_matmul.
constexpr int64_t kSparseTile = 8;

/// Emits the accumulation of one tile of sparse_matmul: for r < tn,
/// out[t0 + r, j] = sum over i ascending with xs[r, i] != 0 of
/// xs[r, i] * w[i, j] (xs: [kSparseTile, N], the kept inputs, 0 elsewhere;
/// NaN counts as nonzero). Rows of w no token of the tile keeps must not be
/// read, nor a row added to a token that does not keep it.
using SparseTileEmitter = function_ref<void(Emit &e, Value xs, Value tn,
                                            Value t0, Value w, Value out)>;

/// sparse_matmul over buffers (operands already guarded by guardEqualDims):
/// per tile of kSparseTile tokens the selection into xs, then `tile`.
FailureOr<SmallVector<Value>> lowerSparseMatmulTiles(Emit &e, SparseMatmulOp op,
                                                     ArrayRef<Value> operands,
                                                     SparseTileEmitter tile);

/// registerBufferizationModels (Lowering.h) without sparse_matmul's model,
/// for a backend that attaches its own.
void registerBufferizationModelsButSparseMatmul(DialectRegistry &registry);

} // namespace mlir::sluice::codegen

#endif // SLUICE_CODEGEN_COMMON_LOWERSPARSE_H
