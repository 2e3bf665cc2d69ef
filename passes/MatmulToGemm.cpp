//===- MatmulToGemm.cpp - f32 linalg.matmul as sluice.gemm ----------------===//
//
// sluice-cpu-matmul-to-gemm: every plain f32 linalg.matmul on tensors (the
// router GEMM, the frontend's dense layers, shared experts) becomes a
// sluice.gemm, so that every dense GEMM runs in the sluice_uk_gemm
// micro-kernel. C = A B into a zero fill is `sluice.gemm %A, %B`, into a
// row broadcast of a bias `sluice.gemm %A, %B bias(%bias)`, into any other
// init `sluice.gemm %A, %B init(%C) {accumulate}` (C + A B).
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::sluice {
#define GEN_PASS_DEF_SLUICECPUMATMULTOGEMM
#include "passes/Passes.h.inc"
} // namespace mlir::sluice

using namespace mlir;
using namespace mlir::sluice;

namespace {

bool isF32Matrix(Value v) {
  auto t = dyn_cast<RankedTensorType>(v.getType());
  return t && t.getRank() == 2 && t.getElementType().isF32();
}

/// The [N] bias that `init` broadcasts along its rows, or null.
Value broadcastBias(Value init) {
  auto bc = init.getDefiningOp<linalg::BroadcastOp>();
  if (!bc || bc.getDimensions() != ArrayRef<int64_t>{0})
    return Value();
  Value bias = bc.getInput();
  auto t = dyn_cast<RankedTensorType>(bias.getType());
  return t && t.getRank() == 1 && t.getElementType().isF32() ? bias : Value();
}

/// True iff `init` is a linalg.fill of +0.0.
bool isZeroFill(Value init) {
  auto fill = init.getDefiningOp<linalg::FillOp>();
  if (!fill)
    return false;
  APFloat v(0.0f);
  return matchPattern(fill.getInputs()[0], m_ConstantFloat(&v)) &&
         v.isPosZero();
}

struct MatmulToGemm : OpRewritePattern<linalg::MatmulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::MatmulOp op,
                                PatternRewriter &rw) const override {
    if (op.hasUserDefinedMaps() || !op.hasPureTensorSemantics() ||
        op.getInputs().size() != 2 || op.getOutputs().size() != 1)
      return rw.notifyMatchFailure(op, "not a plain matmul on tensors");
    Value a = op.getInputs()[0], b = op.getInputs()[1],
          c = op.getOutputs()[0];
    if (!isF32Matrix(a) || !isF32Matrix(b) || !isF32Matrix(c))
      return rw.notifyMatchFailure(op, "not f32 matrices");
    Value bias = broadcastBias(c);
    bool zero = bias || isZeroFill(c);
    Value gemm = GemmOp::create(
        rw, op.getLoc(), c.getType(), a, b, /*group_rows=*/Value(),
        /*a_rows=*/Value(), /*b2=*/Value(), bias, /*a2=*/Value(),
        /*b3=*/Value(), /*c_rows=*/Value(), /*c_scale=*/Value(),
        zero ? Value() : c, /*num_rows=*/Value(), ActivationAttr(),
        /*accumulate=*/!zero, /*a_div=*/1, /*c_div=*/1);
    rw.replaceOp(op, gemm);
    return success();
  }
};

struct SluiceCpuMatmulToGemm
    : sluice::impl::SluiceCpuMatmulToGemmBase<SluiceCpuMatmulToGemm> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<MatmulToGemm>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
