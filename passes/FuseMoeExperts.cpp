//===- FuseMoeExperts.cpp - the decomposed expert path into sluice.gemm ---===//
//
// After sluice-decompose-moe an expert path reads
//
//   %c, %off, %slots, %keep = sluice.route %idx, %w
//   %xs = sluice.dispatch %x, %slots {k}
//   %g  = sluice.grouped_matmul %xs, %w_gate, %off
//   %u  = sluice.grouped_matmul %xs, %w_up, %off     (or a fill of 1.0)
//   %h  = sluice.glu %g, %u {act}
//   %ys = sluice.grouped_matmul %h, %w_down, %off
//   %y  = sluice.combine %ys, %slots, %w keep(%keep)
//
// and becomes two micro-kernel calls:
//
//   %h = sluice.gemm %x, %w_gate groups(%off) gather(%slots) up(%w_up)
//          {act, a_div = k}
//   %y = sluice.gemm %h, %w_down groups(%off) scatter(%slots) scale(%wflat)
//          rows(%T) {c_div = k, accumulate}
//
// with %wflat = tensor.collapse_shape %w [[0, 1]] (the scale is indexed by
// the slot t*k+j). The route lists only kept slots, so combine's keep is
// honoured by construction: the down pattern fires only when combine's
// slots and keep come from the route whose offsets group the GEMM. A
// linalg.add of a scattered, accumulating gemm (the shared experts) and
// another value becomes that gemm with init(value).
//
//===----------------------------------------------------------------------===//

#include "passes/MoeDecompose.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::sluice {
#define GEN_PASS_DEF_SLUICEFUSEMOEEXPERTS
#include "passes/Passes.h.inc"
} // namespace mlir::sluice

using namespace mlir;
using namespace mlir::sluice;

namespace {

/// The sluice.route that defines `v` as result `index`, or null.
RouteOp routeOf(Value v, unsigned index) {
  auto route = v.getDefiningOp<RouteOp>();
  if (!route || cast<OpResult>(v).getResultNumber() != index)
    return RouteOp();
  return route;
}

/// True if `v` is a linalg.fill of the f32 constant `value`.
bool isFillOf(Value v, double value) {
  auto fill = v.getDefiningOp<linalg::FillOp>();
  if (!fill)
    return false;
  FloatAttr attr;
  if (!matchPattern(fill.getInputs()[0], m_Constant(&attr)))
    return false;
  return attr.getValueAsDouble() == value;
}

/// glu(grouped_matmul(dispatch(x, slots), w_gate, offsets),
///     grouped_matmul(dispatch(x, slots), w_up, offsets) | fill(1.0))
///   -> sluice.gemm x, w_gate groups(offsets) gather(slots) [up(w_up)]
struct FuseGateUp : OpRewritePattern<GluOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(GluOp glu,
                                PatternRewriter &b) const override {
    auto gate = glu.getGate().getDefiningOp<GroupedMatmulOp>();
    if (!gate)
      return b.notifyMatchFailure(glu, "gate is not a grouped_matmul");
    // Besides the glu, the gate GEMM may only have its row count read (the
    // ungated path sizes its ones from it): that is the slot count.
    SmallVector<tensor::DimOp> rowCounts;
    for (Operation *user : gate->getUsers()) {
      if (user == glu)
        continue;
      auto dim = dyn_cast<tensor::DimOp>(user);
      std::optional<int64_t> index = dim ? dim.getConstantIndex() : std::nullopt;
      if (!index || *index != 0)
        return b.notifyMatchFailure(glu, "the gate GEMM has another user");
      rowCounts.push_back(dim);
    }
    auto dispatch = gate.getXs().getDefiningOp<DispatchOp>();
    if (!dispatch)
      return b.notifyMatchFailure(glu, "gate GEMM does not read a dispatch");
    RouteOp route = routeOf(gate.getOffsets(), 1);
    if (!route || routeOf(dispatch.getSlots(), 2) != route)
      return b.notifyMatchFailure(
          glu, "offsets and dispatched slots are not from one sluice.route");
    Value upWeights;
    GroupedMatmulOp up = glu.getUp().getDefiningOp<GroupedMatmulOp>();
    if (up) {
      if (up == gate || !up->hasOneUse() || up.getXs() != gate.getXs() ||
          up.getOffsets() != gate.getOffsets())
        return b.notifyMatchFailure(
            glu, "up is not a single-use grouped_matmul of the same rows");
      upWeights = up.getW();
    } else if (!isFillOf(glu.getUp(), 1.0)) {
      return b.notifyMatchFailure(glu, "up is neither a GEMM nor ones");
    }
    // The gathered rows are needed only by the GEMMs fused here.
    for (Operation *user : dispatch->getUsers())
      if (user != gate && user != up)
        return b.notifyMatchFailure(glu, "the dispatch has another user");

    for (tensor::DimOp dim : rowCounts)
      b.modifyOpInPlace(dim, [&] {
        dim.getSourceMutable().assign(dispatch.getSlots());
      });
    auto fused = GemmOp::create(
        b, glu.getLoc(), glu.getType(), dispatch.getX(), gate.getW(),
        gate.getOffsets(), dispatch.getSlots(), upWeights, /*bias=*/Value(),
        /*a2=*/Value(), /*b3=*/Value(), /*c_rows=*/Value(),
        /*c_scale=*/Value(), /*init=*/Value(), /*num_rows=*/Value(),
        ActivationAttr::get(b.getContext(), glu.getAct()),
        /*accumulate=*/false, dispatch.getK(), /*c_div=*/1);
    b.replaceOp(glu, fused.getResult());
    return success();
  }
};

/// combine(grouped_matmul(h, w_down, offsets), slots, weights, keep), all
/// of offsets, slots and keep from one sluice.route
///   -> sluice.gemm h, w_down groups(offsets) scatter(slots) scale(wflat)
///        rows(T) {c_div = k, accumulate}
struct FuseDownCombine : OpRewritePattern<CombineOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(CombineOp combine,
                                PatternRewriter &b) const override {
    if (combine.getNumTokens())
      return b.notifyMatchFailure(
          combine, "per-slot (expert-choice) combine: the micro-kernel's "
                   "scale is indexed by slot, not by position");
    auto down = combine.getYs().getDefiningOp<GroupedMatmulOp>();
    if (!down || !down->hasOneUse())
      return b.notifyMatchFailure(combine,
                                  "ys is not a single-use grouped_matmul");
    RouteOp route = routeOf(down.getOffsets(), 1);
    if (!route || routeOf(combine.getSlots(), 2) != route)
      return b.notifyMatchFailure(
          combine, "offsets and combined slots are not from one sluice.route");
    // Dropped slots are absent from the route's slots: its keep (or, when
    // nothing can be dropped, no keep) is what the scatter does.
    if (Value keep = combine.getKeep()) {
      if (routeOf(keep, 3) != route)
        return b.notifyMatchFailure(combine, "keep is from another route");
    } else if (route.getCapacity() != 0) {
      return b.notifyMatchFailure(combine,
                                  "no keep although the route may drop");
    }
    Value weights = combine.getWeights();
    auto wType = cast<RankedTensorType>(weights.getType());
    auto keepType = cast<RankedTensorType>(route.getKeep().getType());
    int64_t k = wType.getRank() == 2 ? wType.getDimSize(1) : ShapedType::kDynamic;
    if (ShapedType::isDynamic(k) || keepType.getDimSize(1) != k)
      return b.notifyMatchFailure(combine,
                                  "k is dynamic or differs from the route's");

    Location loc = combine.getLoc();
    // scale[t*k + j] = weights[t, j]; omitted for weights of 1.
    Value scale;
    if (!isFillOf(weights, 1.0)) {
      int64_t t = wType.getDimSize(0);
      auto flatType = RankedTensorType::get(
          {ShapedType::isDynamic(t) ? ShapedType::kDynamic : t * k},
          wType.getElementType());
      scale = tensor::CollapseShapeOp::create(
          b, loc, flatType, weights,
          ArrayRef<ReassociationIndices>{ReassociationIndices{0, 1}});
    }
    auto resultType = combine.getType();
    Value rows;
    if (resultType.isDynamicDim(0))
      rows = tensor::DimOp::create(b, loc, weights, 0);
    auto fused = GemmOp::create(
        b, loc, resultType, down.getXs(), down.getW(), down.getOffsets(),
        /*a_rows=*/Value(), /*b2=*/Value(), /*bias=*/Value(), /*a2=*/Value(),
        /*b3=*/Value(), combine.getSlots(), scale, /*init=*/Value(), rows,
        /*act=*/ActivationAttr(), /*accumulate=*/true, /*a_div=*/1, k);
    b.replaceOp(combine, fused.getResult());
    return success();
  }
};

/// linalg.add(y, gemm(... scatter accumulate, no init)) -> gemm(... init(y)):
/// the shared experts' down GEMM accumulates into the routed result.
struct FuseAddIntoScatter : OpRewritePattern<linalg::AddOp> {
  using OpRewritePattern::OpRewritePattern;

  static GemmOp accumulatingScatter(Value v) {
    auto gemm = v.getDefiningOp<GemmOp>();
    if (!gemm || !gemm->hasOneUse() || !gemm.getCRows() ||
        !gemm.getAccumulate() || gemm.getInit())
      return GemmOp();
    return gemm;
  }

  LogicalResult matchAndRewrite(linalg::AddOp add,
                                PatternRewriter &b) const override {
    if (!add.hasPureTensorSemantics() || add.getNumDpsInputs() != 2 ||
        add->getNumResults() != 1)
      return failure();
    Value lhs = add.getDpsInputs()[0], rhs = add.getDpsInputs()[1];
    Type type = add->getResult(0).getType();
    if (lhs.getType() != type || rhs.getType() != type)
      return b.notifyMatchFailure(add, "broadcasting or mixed types");
    GemmOp gemm = accumulatingScatter(rhs);
    Value other = lhs;
    if (!gemm) {
      gemm = accumulatingScatter(lhs);
      other = rhs;
    }
    if (!gemm || gemm.getType() != type)
      return b.notifyMatchFailure(add, "no scattered, accumulating gemm");
    auto fused = GemmOp::create(
        b, gemm.getLoc(), gemm.getType(), gemm.getA(), gemm.getB(),
        gemm.getGroupRows(), gemm.getARows(), gemm.getB2(), gemm.getBias(),
        gemm.getA2(), gemm.getB3(), gemm.getCRows(), gemm.getCScale(),
        /*init=*/other, /*num_rows=*/Value(), gemm.getBShared(),
        gemm.getB2Shared(), gemm.getActAttr(),
        /*accumulate=*/true, gemm.getADiv(), gemm.getCDiv());
    b.replaceOp(add, fused.getResult());
    b.eraseOp(gemm);
    return success();
  }
};

struct SluiceFuseMoeExperts
    : mlir::sluice::impl::SluiceFuseMoeExpertsBase<SluiceFuseMoeExperts> {
  using SluiceFuseMoeExpertsBase::SluiceFuseMoeExpertsBase;

  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FuseGateUp, FuseDownCombine, FuseAddIntoScatter>(
        &getContext());
    populateFuseMoeSpecialPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
