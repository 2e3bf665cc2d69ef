//===- FuseRouterTopk.cpp - router GEMMs onto the micro-kernel ------------===//
//
// A sluice.topk_gate whose logits are `linalg.matmul(x, w_router)` into a
// zero fill (or the sluice.gemm %x, %w_router this pass makes of one), used
// by nothing else, becomes one `sluice.router_gate %x, %w_router`: router
// GEMM and top-k in one pass over the logits, which are never written as a
// [T, E] tensor (the sluice_uk_router_gate micro-kernel on the CPU).
// Other router logits that feed sluice.topk_gate or sluice.expert_choice_gate
// (used elsewhere too, expert-choice gates, a dynamic hidden size) become a
// `sluice.gemm %x, %w_router` and the gate reads them back.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::sluice {
#define GEN_PASS_DEF_SLUICEFUSEROUTERTOPK
#include "passes/Passes.h.inc"
} // namespace mlir::sluice

using namespace mlir;
using namespace mlir::sluice;

namespace {

/// True if `v` is a linalg.fill of +0.0.
bool isZeroFill(Value v) {
  auto fill = v.getDefiningOp<linalg::FillOp>();
  if (!fill)
    return false;
  FloatAttr attr;
  return matchPattern(fill.getInputs()[0], m_Constant(&attr)) &&
         attr.getValue().isPosZero();
}

struct RouterMatmulToGemm : OpRewritePattern<linalg::MatmulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::MatmulOp mm,
                                PatternRewriter &b) const override {
    if (!mm.hasPureTensorSemantics() || mm.hasUserDefinedMaps() ||
        mm.getNumDpsInputs() != 2 || mm->getNumResults() != 1)
      return b.notifyMatchFailure(mm, "not a plain matmul on tensors");
    if (llvm::none_of(mm->getUsers(), [](Operation *user) {
          return isa<TopkGateOp, ExpertChoiceGateOp>(user);
        }))
      return b.notifyMatchFailure(mm, "does not feed a gate");
    if (!isZeroFill(mm.getDpsInits()[0]))
      return b.notifyMatchFailure(mm, "accumulates into a nonzero init");
    Value x = mm.getDpsInputs()[0], w = mm.getDpsInputs()[1];
    auto f32_2d = [](Value v) {
      auto t = dyn_cast<RankedTensorType>(v.getType());
      return t && t.getRank() == 2 && t.getElementType().isF32();
    };
    if (!f32_2d(x) || !f32_2d(w) || !f32_2d(mm->getResult(0)))
      return b.notifyMatchFailure(mm, "not an f32 2-D matmul");
    auto gemm = GemmOp::create(
        b, mm.getLoc(), mm->getResult(0).getType(), x, w, Value(), Value(),
        Value(), Value(), Value(), Value(), Value(), Value(), Value(), Value(),
        ActivationAttr(), /*accumulate=*/false, /*a_div=*/1, /*c_div=*/1);
    b.replaceOp(mm, gemm.getResult());
    return success();
  }
};

/// The (x, w) of router logits `v` that the fused op can take: a plain
/// zero-initialised f32 matmul or a sluice.gemm with nothing but a and a
/// 2-D b, with a static [d, E] weight and x's hidden size static too.
std::optional<std::pair<Value, Value>> routerOperands(Value v) {
  Value x, w;
  if (auto mm = v.getDefiningOp<linalg::MatmulOp>()) {
    if (!mm.hasPureTensorSemantics() || mm.hasUserDefinedMaps() ||
        mm.getNumDpsInputs() != 2 || mm->getNumResults() != 1 ||
        !isZeroFill(mm.getDpsInits()[0]))
      return std::nullopt;
    x = mm.getDpsInputs()[0];
    w = mm.getDpsInputs()[1];
  } else if (auto g = v.getDefiningOp<GemmOp>()) {
    if (g.getGroupRows() || g.getARows() || g.getB2() || g.getBias() ||
        g.getA2() || g.getB3() || g.getCRows() || g.getCScale() ||
        g.getInit() || g.getNumRows() || g.getAct() || g.getAccumulate() ||
        g.getADiv() != 1 || g.getCDiv() != 1)
      return std::nullopt;
    x = g.getA();
    w = g.getB();
  } else {
    return std::nullopt;
  }
  auto xt = dyn_cast<RankedTensorType>(x.getType());
  auto wt = dyn_cast<RankedTensorType>(w.getType());
  if (!xt || !wt || xt.getRank() != 2 || wt.getRank() != 2 ||
      !xt.getElementType().isF32() || !wt.getElementType().isF32() ||
      !wt.hasStaticShape() || xt.isDynamicDim(1) ||
      xt.getDimSize(1) != wt.getDimSize(0))
    return std::nullopt;
  return std::make_pair(x, w);
}

struct FuseGemmIntoTopkGate : OpRewritePattern<TopkGateOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(TopkGateOp gate,
                                PatternRewriter &b) const override {
    Value logits = gate.getLogits();
    if (!logits.hasOneUse())
      return b.notifyMatchFailure(gate, "the logits have other users");
    auto xw = routerOperands(logits);
    if (!xw)
      return b.notifyMatchFailure(gate, "logits are not a plain router GEMM");
    auto [x, w] = *xw;
    // The results keep the gate's types: [x dim 0, k].
    int64_t t = cast<RankedTensorType>(x.getType()).getDimSize(0);
    for (Value r : gate->getResults())
      if (cast<RankedTensorType>(r.getType()).getDimSize(0) != t)
        return b.notifyMatchFailure(gate, "result rows differ from x's");
    SmallVector<Value> operands{x, w};
    if (Value bias = gate.getBias())
      operands.push_back(bias);
    Location loc =
        b.getFusedLoc({logits.getDefiningOp()->getLoc(), gate.getLoc()});
    auto fused = RouterGateOp::create(b, loc, gate->getResultTypes(), operands,
                                      gate->getAttrs());
    b.replaceOp(gate, fused->getResults());
    return success();
  }
};

struct SluiceFuseRouterTopk
    : mlir::sluice::impl::SluiceFuseRouterTopkBase<SluiceFuseRouterTopk> {
  using SluiceFuseRouterTopkBase::SluiceFuseRouterTopkBase;

  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<RouterMatmulToGemm>(&getContext());
    patterns.add<FuseGemmIntoTopkGate>(&getContext(), /*benefit=*/2);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
