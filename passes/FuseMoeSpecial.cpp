//===- FuseMoeSpecial.cpp - MoE++ experts and renormalize_kept, fused ----===//
//
// sluice-decompose-moe leaves a sluice.moe with MoE++ zero / copy /
// constant experts or renormalize_kept; this pattern of
// sluice-fuse-moe-experts puts it on the fused path anyway:
//
//   ids checked in [0, E + Z + C + K)      (the per-token lowering's message)
//   seg[t,j]  = id in [0, E) ? id : E      (special ids: an idle segment E)
//   %c, %off, %slots, %keep = sluice.route %seg, %w {num_experts = E + 1,
//                                                     capacity, drop}
//   live = slots[0 : off[E]], groups = off[0 : E + 1]
//   w'  = w * sum_j w / sum_kept w         (renormalize_kept only)
//   s   = sum over copy / constant slots of w' * x, w' * (a1 x + a2 v[c])
//         ([a1, a2] = softmax(x wc[c]); three small linalg.generic)
//   %h  = sluice.gemm %x, %w_gate groups(groups) gather(live) up(%w_up)
//   %y  = sluice.gemm %h, %w_down groups(groups) scatter(live) scale(w')
//           init(s) {accumulate}
//
// The special experts never reach a GEMM: their slots sit in segment E,
// which no GEMM reads, and their contribution is the down GEMM's initial
// value, so the scatter adds the FFN experts on top without another pass
// over y. Capacity still applies to the FFN experts only (segment E's keep
// is ignored: special slots are always kept). Shared experts join the two
// calls as more groups (FuseMoeShared.cpp) where they fit, else take the
// decomposed shared path, which the other patterns fuse into init(y).
//
//===----------------------------------------------------------------------===//

#include "codegen/common/Emit.h"
#include "passes/MoeDecompose.h"
#include "passes/TensorUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::sluice;
using IP = arith::CmpIPredicate;

namespace {

constexpr int64_t kDyn = ShapedType::kDynamic;

/// An empty [rows of `rowsOf`, n] tensor of `elt`.
Value rowsTensor(OpBuilder &b, Location loc, Value rowsOf, int64_t n,
                 Type elt) {
  auto type = RankedTensorType::get({ttype(rowsOf).getDimSize(0), n}, elt);
  SmallVector<Value> dyn;
  if (type.isDynamicDim(0))
    dyn.push_back(tensor::DimOp::create(b, loc, rowsOf, 0));
  return tensor::EmptyOp::create(b, loc, type, dyn);
}

struct FuseMoeSpecial : OpRewritePattern<MoeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(MoeOp op,
                                PatternRewriter &rw) const override {
    int64_t nz = op.getNumZero(), nc = op.getNumCopy(), nk = op.getNumConst();
    bool fuseShared = canFuseSharedExperts(op);
    if (!nz && !nc && !nk && !op.getRenormalizeKept() && !fuseShared)
      return rw.notifyMatchFailure(
          op, "no special experts nor renormalize_kept: decomposed by "
              "sluice-decompose-moe");
    if (failed(matchMoeSpecialShapes(op, rw)))
      return failure();
    Value x = op.getX(), w = op.getWeights(), idx = op.getIndices();
    int64_t e = ttype(op.getWGate()).getDimSize(0);
    int64_t d = ttype(x).getDimSize(1), k = ttype(idx).getDimSize(1);
    int64_t total = e + nz + nc + nk;
    Location loc = NameLoc::get(rw.getStringAttr("sluice.moe"), op.getLoc());
    Type f32 = rw.getF32Type(), i32 = rw.getI32Type();
    w = guardMoeTokens(rw, op, loc, w, "weights", x, rw.getF32FloatAttr(0));
    idx = guardMoeTokens(rw, op, loc, idx, "indices", x,
                         rw.getI32IntegerAttr(0));

    // Expert ids must be in [0, total): checked as the per-token lowering
    // checks them (the route below never sees an invalid id).
    {
      codegen::Emit ce(rw, loc);
      Value t = dimOf(rw, loc, idx, 0);
      ce.forLoop(t, [&](Value tt) {
        ce.forLoop(ce.c(k), [&](Value jj) {
          Value id = ce.toIndex(
              tensor::ExtractOp::create(rw, loc, idx, ValueRange{tt, jj}));
          Value bad = ce.ori(ce.cmpi(IP::slt, id, ce.c(0)),
                             ce.cmpi(IP::sge, id, ce.c(total)));
          codegen::emitRuntimeCheck(
              ce, op, bad,
              "expert index {0} out of range [0, " + std::to_string(total) +
                  ") at slot {1}",
              id, ce.addi(ce.muli(tt, ce.c(k)), jj));
        });
      });
    }

    // seg[t,j]: the FFN expert, or the idle segment E.
    Value seg = moeSegmentIds(rw, loc, idx, e);
    auto route = RouteOp::create(rw, loc, seg, w, e + 1, /*block=*/1,
                                 op.getCapacity(), op.getDrop());

    // w' = w * sum_j w / sum_kept w (unchanged when the kept sum is 0);
    // special slots are always kept.
    Value weights = w;
    if (op.getRenormalizeKept())
      weights = moeRenormalizeKept(rw, loc, w, idx, route.getKeep(), e, total);

    // The copy and constant experts' contribution s[T, d].
    Value special = moeSpecialContribution(rw, loc, op, x, idx, weights);

    // Shared experts as more groups of the same two calls (FuseMoeShared.cpp).
    if (fuseShared) {
      rw.replaceOp(op, buildRoutedAndShared(rw, op, loc, route, weights,
                                            special));
      return success();
    }

    // The FFN experts: segments [0, E) of the route.
    Value offsets = route.getOffsets();
    Value live = arith::IndexCastOp::create(
        rw, loc, rw.getIndexType(),
        tensor::ExtractOp::create(
            rw, loc, offsets,
            ValueRange{arith::ConstantIndexOp::create(rw, loc, e)}));
    Value slots = tensor::ExtractSliceOp::create(
        rw, loc, RankedTensorType::get({kDyn}, i32), route.getSlots(),
        ArrayRef<OpFoldResult>{rw.getIndexAttr(0)},
        ArrayRef<OpFoldResult>{live}, ArrayRef<OpFoldResult>{rw.getIndexAttr(1)});
    Value groups = tensor::ExtractSliceOp::create(
        rw, loc, RankedTensorType::get({e + 1}, i32), offsets,
        ArrayRef<OpFoldResult>{rw.getIndexAttr(0)},
        ArrayRef<OpFoldResult>{rw.getIndexAttr(e + 1)},
        ArrayRef<OpFoldResult>{rw.getIndexAttr(1)});
    int64_t f = ttype(op.getWGate()).getDimSize(2);
    auto hType = RankedTensorType::get({kDyn, f}, f32);
    Value h = GemmOp::create(
        rw, loc, hType, x, op.getWGate(), groups, slots, op.getWUp(),
        /*bias=*/Value(), /*a2=*/Value(), /*b3=*/Value(), /*c_rows=*/Value(),
        /*c_scale=*/Value(), /*init=*/Value(), /*num_rows=*/Value(),
        ActivationAttr::get(rw.getContext(), op.getAct()),
        /*accumulate=*/false, static_cast<uint64_t>(k), /*c_div=*/1);
    int64_t tw = ttype(weights).getDimSize(0);
    Value scale = tensor::CollapseShapeOp::create(
        rw, loc,
        RankedTensorType::get({ShapedType::isDynamic(tw) ? kDyn : tw * k}, f32),
        weights, ArrayRef<ReassociationIndices>{ReassociationIndices{0, 1}});
    auto yType = op.getType();
    Value rows;
    if (!special && yType.isDynamicDim(0))
      rows = tensor::DimOp::create(rw, loc, x, 0);
    Value y = GemmOp::create(
        rw, loc, yType, h, op.getWDown(), groups, /*a_rows=*/Value(),
        /*b2=*/Value(), /*bias=*/Value(), /*a2=*/Value(), /*b3=*/Value(),
        slots, scale, special, rows, ActivationAttr(),
        /*accumulate=*/true, /*a_div=*/1, static_cast<uint64_t>(k));

    if (op.getSGate()) {
      Value shared = buildSharedExperts(rw, op, /*block=*/1);
      y = linalg::AddOp::create(rw, loc, TypeRange{yType},
                                ValueRange{y, shared},
                                ValueRange{rowsTensor(rw, loc, x, d, f32)})
              .getResult(0);
    }
    rw.replaceOp(op, y);
    return success();
  }
};

} // namespace

void mlir::sluice::populateFuseMoeSpecialPatterns(RewritePatternSet &patterns) {
  patterns.add<FuseMoeSpecial>(patterns.getContext());
}
