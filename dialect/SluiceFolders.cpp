//===- SluiceFolders.cpp - folds and canonicalizations --------------------===//
//
// Simplifications the op specification allows, each exact in the spec's
// semantics:
//   - sparsify keeping every input (topk / wina with k == N) is the identity;
//   - adaptive_pool to the input's own size is the identity;
//   - pool over a static unit set dimension without mask or lengths is a
//     reshape (sum, mean, max, min, first, last);
//   - lora_matmul with scale 0 or active_rank 0 is the base GEMM (+ bias);
//   - topk_gate selecting every expert with score none / softmax and nothing
//     else to apply (no bias, groups, renormalization, scale or temperature)
//     is a plain sort of the scores: sluice.topk over logits or their softmax.
//
//===----------------------------------------------------------------------===//

#include "dialect/SluiceOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace mlir::sluice;

static constexpr int64_t kDyn = ShapedType::kDynamic;

/// Casts `v` to `type` when the two differ only in static information.
static Value castTo(PatternRewriter &rewriter, Location loc, Value v,
                    Type type) {
  if (v.getType() == type)
    return v;
  return tensor::CastOp::create(rewriter, loc, type, v);
}

/// A tensor.empty of `type` whose dynamic sizes are read from `like`'s
/// matching dims (dims listed in `fromDims`, one per result dim).
static Value emptyLike(PatternRewriter &rewriter, Location loc,
                       RankedTensorType type, Value like,
                       ArrayRef<int64_t> fromDims) {
  SmallVector<Value> dyn;
  for (auto [i, size] : llvm::enumerate(type.getShape()))
    if (size == kDyn)
      dyn.push_back(tensor::DimOp::create(rewriter, loc, like, fromDims[i]));
  return tensor::EmptyOp::create(rewriter, loc, type, dyn);
}

//===----------------------------------------------------------------------===//
// Folds
//===----------------------------------------------------------------------===//

OpFoldResult SparsifyOp::fold(FoldAdaptor) {
  if (getMode() == SparsifyMode::threshold || !getKAttr())
    return {};
  int64_t n = cast<RankedTensorType>(getX().getType()).getDimSize(1);
  if (n != kDyn && getKAttr().getInt() == n && getX().getType() == getType())
    return getX();
  return {};
}

OpFoldResult AdaptivePoolOp::fold(FoldAdaptor) {
  auto xt = cast<RankedTensorType>(getX().getType());
  ArrayRef<int64_t> os = getOutputSize();
  if (os.size() == 2 && xt.getDimSize(2) == os[0] &&
      xt.getDimSize(3) == os[1] && xt == getType())
    return getX();
  return {};
}

//===----------------------------------------------------------------------===//
// pool over a unit set dimension
//===----------------------------------------------------------------------===//

namespace {
struct PoolOverUnitDimIsReshape : OpRewritePattern<PoolOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(PoolOp op,
                                PatternRewriter &rewriter) const override {
    auto xt = cast<RankedTensorType>(op.getX().getType());
    if (xt.getDimSize(1) != 1 || op.getMask() || op.getLengths())
      return rewriter.notifyMatchFailure(op, "not an unmasked unit set dim");
    switch (op.getKind()) {
    case PoolKind::gem: // max(x, eps) is not x
    case PoolKind::lse: // log(exp(r x)) / r rounds and overflows
      return rewriter.notifyMatchFailure(op, "kind is not a plain selection");
    default:
      break;
    }
    SmallVector<ReassociationIndices> reassoc = {{0}, {1, 2}};
    Value collapsed = tensor::CollapseShapeOp::create(rewriter, op.getLoc(),
                                                      op.getX(), reassoc);
    rewriter.replaceOp(op, castTo(rewriter, op.getLoc(), collapsed,
                                  op.getType()));
    return success();
  }
};
} // namespace

void PoolOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                         MLIRContext *ctx) {
  results.add<PoolOverUnitDimIsReshape>(ctx);
}

//===----------------------------------------------------------------------===//
// lora_matmul without its adapter
//===----------------------------------------------------------------------===//

namespace {
struct LoraWithoutUpdateIsMatmul : OpRewritePattern<LoraMatmulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(LoraMatmulOp op,
                                PatternRewriter &rewriter) const override {
    bool noScale = op.getScale().isZero();
    bool noRank = op.getActiveRankAttr() && op.getActiveRankAttr().getInt() == 0;
    if (!noScale && !noRank)
      return rewriter.notifyMatchFailure(op, "the low-rank update is live");
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getType());
    Value init = emptyLike(rewriter, loc, type, op.getX(), {0, 1});
    Value acc;
    if (Value bias = op.getBias()) {
      acc = linalg::BroadcastOp::create(rewriter, loc, bias, init,
                                        ArrayRef<int64_t>{0})
                .getResult()[0];
    } else {
      Value zero = arith::ConstantOp::create(rewriter, loc,
                                             rewriter.getF32FloatAttr(0.0f));
      acc = linalg::FillOp::create(rewriter, loc, zero, init).getResult(0);
    }
    auto mm = linalg::MatmulOp::create(rewriter, loc, TypeRange{type},
                                       ValueRange{op.getX(), op.getW()},
                                       ValueRange{acc});
    rewriter.replaceOp(op, mm.getResult(0));
    return success();
  }
};
} // namespace

void LoraMatmulOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                               MLIRContext *ctx) {
  results.add<LoraWithoutUpdateIsMatmul>(ctx);
}

//===----------------------------------------------------------------------===//
// topk_gate selecting every expert
//===----------------------------------------------------------------------===//

namespace {
struct FullGateIsSort : OpRewritePattern<TopkGateOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TopkGateOp op,
                                PatternRewriter &rewriter) const override {
    auto lt = cast<RankedTensorType>(op.getLogits().getType());
    int64_t e = lt.getDimSize(1);
    if (e == kDyn || op.getKAttr().getInt() != e)
      return rewriter.notifyMatchFailure(op, "k is not the expert count");
    if (op.getBias() || op.getGroups() != 1 || op.getRenormalize() ||
        !op.getScale().isExactlyValue(1.0) ||
        !op.getTemperature().isExactlyValue(1.0))
      return rewriter.notifyMatchFailure(op, "gate has more to apply");
    ScoreFunc score = op.getScore();
    if (score != ScoreFunc::none && score != ScoreFunc::softmax)
      return rewriter.notifyMatchFailure(op, "score is not none or softmax");
    Location loc = op.getLoc();
    Value scores = op.getLogits();
    if (score == ScoreFunc::softmax) {
      Value init = emptyLike(rewriter, loc, lt, scores, {0, 1});
      scores = linalg::SoftmaxOp::create(rewriter, loc, TypeRange{lt}, scores,
                                         init, /*dimension=*/uint64_t(1))
                   .getResult()[0];
    }
    auto sorted = TopkOp::create(rewriter, loc, scores, e, /*largest=*/true);
    rewriter.replaceOp(
        op, {castTo(rewriter, loc, sorted.getValues(), op.getWeights().getType()),
             castTo(rewriter, loc, sorted.getIndices(),
                    op.getIndices().getType())});
    return success();
  }
};
} // namespace

void TopkGateOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                             MLIRContext *ctx) {
  results.add<FullGateIsSort>(ctx);
}
