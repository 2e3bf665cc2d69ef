//===- FuseRouterTopk.cpp - router GEMMs onto the micro-kernel ------------===//
//
// The router logits of a gate, `linalg.matmul(x, w_router)` into a zero
// fill, feeding sluice.topk_gate or sluice.expert_choice_gate, become a
// `sluice.gemm %x, %w_router`, so the router runs on the sluice_uk_gemm
// micro-kernel like the experts. The [T, E] logits are still written (the
// gate ops read them; fusing the top-k selection into the GEMM epilogue is
// not done yet).
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

struct SluiceFuseRouterTopk
    : mlir::sluice::impl::SluiceFuseRouterTopkBase<SluiceFuseRouterTopk> {
  using SluiceFuseRouterTopkBase::SluiceFuseRouterTopkBase;

  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<RouterMatmulToGemm>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
