//===- DecomposeMoe.cpp - sluice.moe into routing primitives --------------===//
//
// routed(x) = combine(grouped_matmul(glu(grouped_matmul(dispatch(x)), ...)))
// over the segments of sluice.route. Shared experts are the same computation
// with every token routed to every shared expert: indices [T,S] = 0..S-1 and
// weights 1 (or sigmoid(x . s_gate_w[s]) for Qwen-style gated shared
// experts), so they reuse the grouped path instead of a second lowering.
//
//===----------------------------------------------------------------------===//

#include "passes/MoeDecompose.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::sluice {
#define GEN_PASS_DEF_SLUICEDECOMPOSEMOE
#include "passes/Passes.h.inc"
} // namespace mlir::sluice

using namespace mlir;
using namespace mlir::sluice;

namespace {

constexpr int64_t kDyn = ShapedType::kDynamic;

/// A [T, n] f32 tensor.empty whose T is read from dim 0 of `rows`.
Value emptyRows(PatternRewriter &b, Location loc, Value rows, int64_t n,
                Type elt) {
  auto rt = cast<RankedTensorType>(rows.getType());
  auto type = RankedTensorType::get({rt.getDimSize(0), n}, elt);
  SmallVector<Value> dyn;
  if (rt.getDimSize(0) == kDyn)
    dyn.push_back(tensor::DimOp::create(b, loc, rows, 0));
  return tensor::EmptyOp::create(b, loc, type, dyn);
}

Value fill(PatternRewriter &b, Location loc, Value init, float v) {
  Value c = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(v));
  return linalg::FillOp::create(b, loc, c, init).getResult(0);
}

} // namespace

Value mlir::sluice::buildExpertGemms(PatternRewriter &b, Location loc, Value xs,
                                     Value gate, Value up, Value down,
                                     Activation act, Value offsets) {
  Value g = GroupedMatmulOp::create(b, loc, xs, gate, offsets);
  Value u;
  if (up) {
    u = GroupedMatmulOp::create(b, loc, xs, up, offsets);
  } else {
    // act(g) == act(g) * 1 exactly.
    auto gt = cast<RankedTensorType>(g.getType());
    Value init = emptyRows(b, loc, g, gt.getDimSize(1), gt.getElementType());
    u = fill(b, loc, init, 1.0f);
  }
  Value h = GluOp::create(b, loc, g, u, act);
  return GroupedMatmulOp::create(b, loc, h, down, offsets);
}

Value mlir::sluice::buildExpertPath(PatternRewriter &b, Location loc, Value x, Value weights,
                 Value indices, Value gate, Value up, Value down,
                 Activation act, int64_t block, int64_t capacity,
                 DropPolicy drop) {
  int64_t e = cast<RankedTensorType>(gate.getType()).getDimSize(0);
  int64_t k = cast<RankedTensorType>(indices.getType()).getDimSize(1);
  auto route = RouteOp::create(b, loc, indices, weights, e, block, capacity,
                               drop);
  Value xs = DispatchOp::create(b, loc, x, route.getSlots(), k);
  Value ys = buildExpertGemms(b, loc, xs, gate, up, down, act,
                              route.getOffsets());
  auto xt = cast<RankedTensorType>(x.getType());
  return CombineOp::create(b, loc, xt, ys, route.getSlots(), weights,
                           route.getKeep(), /*num_tokens=*/Value(),
                           /*k=*/IntegerAttr());
}

/// Every token routed to every shared expert.
Value mlir::sluice::buildSharedExperts(PatternRewriter &b, MoeOp op,
                                       int64_t block) {
  Location loc = NameLoc::get(b.getStringAttr("sluice.moe"), op.getLoc());
  Value x = op.getX();
  int64_t s = cast<RankedTensorType>(op.getSGate().getType()).getDimSize(0);
  // indices[t, j] = j.
  SmallVector<int32_t> ids;
  for (int64_t i = 0; i < s; ++i)
    ids.push_back(i);
  auto idsType = RankedTensorType::get({s}, b.getI32Type());
  Value idRow = arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(idsType, ArrayRef<int32_t>(ids)));
  Value indices = linalg::BroadcastOp::create(
                      b, loc, idRow, emptyRows(b, loc, x, s, b.getI32Type()),
                      ArrayRef<int64_t>{0})
                      .getResult()[0];
  // weights[t, j] = 1, or sigmoid(x[t] . s_gate_w[j]).
  Value ones = fill(b, loc, emptyRows(b, loc, x, s, b.getF32Type()), 1.0f);
  Value weights = ones;
  if (Value sgw = op.getSGateW()) {
    int64_t d = cast<RankedTensorType>(sgw.getType()).getDimSize(1);
    auto tType = RankedTensorType::get({d, s}, b.getF32Type());
    Value tInit = tensor::EmptyOp::create(b, loc, tType, ValueRange{});
    Value sgwT = linalg::TransposeOp::create(b, loc, sgw, tInit,
                                             ArrayRef<int64_t>{1, 0})
                     .getResult()[0];
    Value logits =
        linalg::MatmulOp::create(
            b, loc, TypeRange{ones.getType()}, ValueRange{x, sgwT},
            ValueRange{fill(b, loc, emptyRows(b, loc, x, s, b.getF32Type()),
                            0.0f)})
            .getResult(0);
    // sigmoid(g) == 1 * sigmoid(g) exactly.
    weights = SigmoidGateOp::create(b, loc, ones, logits);
  }
  return buildExpertPath(b, loc, x, weights, indices, op.getSGate(),
                         op.getSUp(), op.getSDown(), op.getAct(), block,
                         /*capacity=*/0, DropPolicy::by_order);
}

namespace {

/// MoE++ zero / copy / constant experts and renormalize_kept through the
/// same primitives (`special` only; sluice-fuse-moe-experts fuses them on
/// the CPU path):
///   %c, %off, %slots, %keep = sluice.route %idx, %w {num_experts = E+Z+C+K,
///                                                     capacity, drop}
/// (one segment per expert; the route checks ids in [0, E+Z+C+K) with the
/// per-token lowering's message; capacity limits the FFN experts exactly as
/// on the CPU, special experts' keep is ignored), dispatch of every slot,
/// the FFN GEMMs over offsets [off[0..E-1], P] (the special segments ride at
/// the end of expert E-1's: computed and dropped), combine with
/// keep' = keep of FFN slots only and the renormalized weights, plus the
/// copy / constant experts' contribution (linalg).
Value decomposeSpecial(PatternRewriter &b, MoeOp op, Location loc,
                       int64_t block) {
  int64_t nz = op.getNumZero(), nc = op.getNumCopy(), nk = op.getNumConst();
  Value x = op.getX();
  Value w = guardMoeTokens(b, op, loc, op.getWeights(), "weights", x,
                           b.getF32FloatAttr(0));
  Value idx = guardMoeTokens(b, op, loc, op.getIndices(), "indices", x,
                             b.getI32IntegerAttr(0));
  int64_t e = cast<RankedTensorType>(op.getWGate().getType()).getDimSize(0);
  int64_t k = cast<RankedTensorType>(idx.getType()).getDimSize(1);
  int64_t total = e + nz + nc + nk;
  auto route = RouteOp::create(b, loc, idx, w, total, block, op.getCapacity(),
                               op.getDrop());
  Value weights = w;
  if (op.getRenormalizeKept())
    weights = moeRenormalizeKept(b, loc, w, idx, route.getKeep(), e, total);
  Value special = moeSpecialContribution(b, loc, op, x, idx, weights);
  Value offsets = route.getOffsets(), keep = route.getKeep();
  if (total > e) {
    offsets = moeGemmOffsets(b, loc, offsets, e, total);
    keep = moeFfnKeep(b, loc, idx, keep, e);
  }
  Value xs = DispatchOp::create(b, loc, x, route.getSlots(), k);
  Value ys = buildExpertGemms(b, loc, xs, op.getWGate(), op.getWUp(),
                              op.getWDown(), op.getAct(), offsets);
  auto xt = cast<RankedTensorType>(x.getType());
  Value y = CombineOp::create(b, loc, xt, ys, route.getSlots(), weights, keep,
                              /*num_tokens=*/Value(), /*k=*/IntegerAttr());
  if (special) {
    auto yt = cast<RankedTensorType>(y.getType());
    Value init = emptyRows(b, loc, x, yt.getDimSize(1), yt.getElementType());
    y = linalg::AddOp::create(b, loc, TypeRange{yt}, ValueRange{y, special},
                              ValueRange{init})
            .getResult(0);
  }
  return y;
}

struct DecomposeMoePattern : OpRewritePattern<MoeOp> {
  DecomposeMoePattern(MLIRContext *ctx, int64_t block, bool special,
                      bool fuseShared)
      : OpRewritePattern(ctx), block(block), special(special),
        fuseShared(fuseShared) {}

  LogicalResult matchAndRewrite(MoeOp op,
                                PatternRewriter &b) const override {
    if (fuseShared && canFuseSharedExperts(op))
      return b.notifyMatchFailure(op, "shared experts fused (FuseMoeShared)");
    bool moepp = op.getNumZero() || op.getNumCopy() || op.getNumConst();
    if (!special && moepp)
      return b.notifyMatchFailure(op, "zero-computation experts");
    if (!special && op.getRenormalizeKept())
      return b.notifyMatchFailure(op, "renormalize_kept");
    if (ShapedType::isDynamic(
            cast<RankedTensorType>(op.getWGate().getType()).getDimSize(0)))
      return b.notifyMatchFailure(op, "dynamic number of experts");
    // Run-time errors of the pieces name the op the user wrote.
    Location loc = NameLoc::get(b.getStringAttr("sluice.moe"), op.getLoc());
    Value x = op.getX();
    Value y;
    if (moepp || op.getRenormalizeKept()) {
      if (failed(matchMoeSpecialShapes(op, b)))
        return failure();
      y = decomposeSpecial(b, op, loc, block);
    } else {
      y = buildExpertPath(b, loc, x, op.getWeights(), op.getIndices(),
                          op.getWGate(), op.getWUp(), op.getWDown(),
                          op.getAct(), block, op.getCapacity(), op.getDrop());
    }
    if (Value sg = op.getSGate()) {
      Value shared = buildSharedExperts(b, op, block);
      auto yt = cast<RankedTensorType>(y.getType());
      Value init = emptyRows(b, loc, x, yt.getDimSize(1), yt.getElementType());
      y = linalg::AddOp::create(b, loc, TypeRange{yt}, ValueRange{y, shared},
                                ValueRange{init})
              .getResult(0);
    }
    b.replaceOp(op, y);
    return success();
  }

  int64_t block;
  bool special;
  bool fuseShared;
};

} // namespace

namespace {

struct SluiceDecomposeMoe
    : mlir::sluice::impl::SluiceDecomposeMoeBase<SluiceDecomposeMoe> {
  using SluiceDecomposeMoeBase::SluiceDecomposeMoeBase;

  void runOnOperation() override {
    if (block < 1) {
      getOperation()->emitError("sluice-decompose-moe: block must be >= 1, got ")
          << static_cast<int64_t>(block);
      return signalPassFailure();
    }
    RewritePatternSet patterns(&getContext());
    patterns.add<DecomposeMoePattern>(&getContext(), block, special,
                                     fuseShared);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
    bool failedOp = false;
    getOperation()->walk([&](MoeOp op) {
      bool dynamicE = ShapedType::isDynamic(
          cast<RankedTensorType>(op.getWGate().getType()).getDimSize(0));
      // The route needs the expert count at compile time (num_experts is an
      // attribute): with `special` nothing is left for a fused path, so a
      // dynamic count is the CPU lowering's error here.
      if (special && dynamicE) {
        op.emitOpError("expects a static number of FFN experts (dim 0 of "
                       "w_gate) to lower");
        failedOp = true;
        return;
      }
      if (!reportSkipped)
        return;
      if (fuseShared && canFuseSharedExperts(op))
        return; // not skipped: sluice-fuse-moe-experts takes it
      if (special) {
        op.emitRemark("sluice.moe left for the fusion passes: a dynamic "
                      "hidden size or k, no FFN experts or k = 0, or token "
                      "counts checkable only per token");
        return;
      }
      op.emitRemark("sluice.moe left for the fusion passes: ")
          << (op.getRenormalizeKept() ? "renormalize_kept"
              : dynamicE              ? "a dynamic number of experts"
                                      : "zero-computation experts")
          << " has no decomposition into routing primitives yet";
    });
    if (failedOp)
      signalPassFailure();
  }
};

} // namespace
