//===- UkernelSparseMatmul.cpp - sparse_matmul tiles as kernel calls ------===//
//
// Bufferization of sluice.sparse_matmul on the CPU: the common lowering
// (codegen/common/LowerSparse.cpp) selects the kept inputs of each tile of
// 8 tokens into a scratch buffer, and each tile's accumulation is one call
// of sluice_uk_sparse_matmul (runtime/include/sluice/ukernels.h: AVX2
// column loops on the runtime's pool, each needed weight row read once per
// tile, never a row no token of the tile keeps) through its 10 int64
// argument fields.
//
//===----------------------------------------------------------------------===//

#include "codegen/common/BufferizeModel.h"
#include "codegen/common/EqualDims.h"
#include "codegen/common/LowerSparse.h"
#include "codegen/common/Lowering.h"
#include "codegen/cpu/CpuPipeline.h"
#include "codegen/cpu/UkernelCall.h"
#include "dialect/SluiceOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/DialectRegistry.h"

using namespace mlir;
using namespace mlir::sluice;
using namespace mlir::sluice::codegen;

namespace {

constexpr StringLiteral kSparseMatmulFn = "sluice_uk_sparse_matmul";
constexpr int64_t kFields = 10; // SLUICE_UK_SPARSE_MATMUL_FIELDS

/// The fields of sluice_uk_sparse_matmul_args in declaration order.
enum Field : int64_t { fT, fN, fM, fX, fLdx, fW, fLdw, fY, fLdy, fReserved };
static_assert(fReserved + 1 == kFields, "one entry per field");

FailureOr<SmallVector<Value>> lowerSparseMatmul(Operation *o,
                                                RewriterBase &rewriter,
                                                ArrayRef<Value> operands) {
  auto op = cast<SparseMatmulOp>(o);
  Emit e(rewriter, op.getLoc());
  SmallVector<Value> guarded = guardEqualDims(e, op, operands);
  ukDeclare(e, op, kSparseMatmulFn);
  Value fields = ukArgBlock(e, op, kFields);
  // The kernel reads w's rows as contiguous runs.
  guarded[1] = ukContiguous(e, guarded[1]); // x, w, wnorm
  return lowerSparseMatmulTiles(
      e, op, guarded,
      [&](Emit &te, Value xs, Value tn, Value t0, Value w, Value out) {
        Emit &e = te;
        Value ldy = ukStrideOf(e, out, 0);
        Value y = e.addi(ukAddressOf(e, out),
                         e.muli(e.muli(e.toI64(t0), ldy), e.ci64(4)));
        SmallVector<Value> v(kFields, e.ci64(0));
        v[fT] = e.toI64(tn);
        v[fN] = e.toI64(e.dim(xs, 1));
        v[fM] = e.toI64(e.dim(w, 1));
        v[fX] = ukAddressOf(e, xs);
        v[fLdx] = ukStrideOf(e, xs, 0);
        v[fW] = ukAddressOf(e, w);
        v[fLdw] = ukStrideOf(e, w, 0);
        v[fY] = y;
        v[fLdy] = ldy;
        for (int64_t i = 0; i < kFields; ++i)
          e.store(v[i], fields, {e.c(i)});
        func::CallOp::create(e.b, e.loc, kSparseMatmulFn, TypeRange{},
                             ValueRange{ukAddressOf(e, fields)});
      });
}

} // namespace

void mlir::sluice::registerCpuSparseMatmulBufferization(
    DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, SluiceDialect *) {
    codegen::loadLoweringDialects(ctx);
    SparseMatmulOp::attachInterface<
        FreshResultBufferization<SparseMatmulOp, lowerSparseMatmul>>(*ctx);
  });
}
