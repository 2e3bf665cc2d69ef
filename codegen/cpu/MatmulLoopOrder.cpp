//===- MatmulLoopOrder.cpp - i, k, j loop order for matmuls on the CPU ----===//
//
// convert-linalg-to-loops emits a matmul's loops in its iteration order
// (i, j, k): the innermost loop then walks B down a column, which LLVM cannot
// vectorize. Interchanged to (i, k, j), the innermost loop reads a row of B
// and updates a row of C contiguously, and vectorizes. (The fast GEMM
// kernels of the CPU backend replace this; it is the correct-and-reasonable
// fallback.)
//
//===----------------------------------------------------------------------===//

#include "codegen/cpu/CpuPipeline.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Pass/Pass.h"

using namespace mlir;

namespace {
struct SluiceCpuMatmulLoopOrderPass
    : PassWrapper<SluiceCpuMatmulLoopOrderPass, OperationPass<>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(SluiceCpuMatmulLoopOrderPass)
  StringRef getArgument() const override {
    return "sluice-cpu-matmul-loop-order";
  }
  StringRef getDescription() const override {
    return "Rewrite linalg.matmul as a linalg.generic iterating (i, k, j), so "
           "that its loops vectorize along rows of B and C";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<linalg::LinalgDialect>();
  }
  void runOnOperation() override {
    SmallVector<linalg::MatmulOp> matmuls;
    getOperation()->walk([&](linalg::MatmulOp op) {
      // Only the plain (non-transposed) form.
      if (!op.hasUserDefinedMaps())
        matmuls.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::MatmulOp op : matmuls) {
      rewriter.setInsertionPoint(op);
      FailureOr<linalg::GenericOp> generic =
          linalg::generalizeNamedOp(rewriter, op);
      if (failed(generic))
        continue;
      // New loop l takes old loop perm[l]: (i, j, k) -> (i, k, j).
      (void)linalg::interchangeGenericOp(rewriter, *generic, {0, 2, 1});
    }
  }
};

/// linalg.softmax (and any aggregate op) as the generic ops it is made of,
/// which the loop lowering handles.
struct SluiceCpuDecomposeAggregatesPass
    : PassWrapper<SluiceCpuDecomposeAggregatesPass, OperationPass<>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(SluiceCpuDecomposeAggregatesPass)
  StringRef getArgument() const override {
    return "sluice-cpu-decompose-aggregates";
  }
  StringRef getDescription() const override {
    return "Decompose linalg aggregate ops (linalg.softmax) into linalg "
           "generic / fill / reduce ops";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<linalg::LinalgDialect, arith::ArithDialect,
                    math::MathDialect, tensor::TensorDialect>();
  }
  void runOnOperation() override {
    SmallVector<linalg::AggregatedOpInterface> ops;
    getOperation()->walk(
        [&](linalg::AggregatedOpInterface op) { ops.push_back(op); });
    IRRewriter rewriter(&getContext());
    for (linalg::AggregatedOpInterface op : ops) {
      rewriter.setInsertionPoint(op);
      FailureOr<SmallVector<Value>> parts = op.decomposeOperation(rewriter);
      if (failed(parts)) {
        op->emitError("cannot decompose this aggregate op for the CPU");
        return signalPassFailure();
      }
      rewriter.replaceOp(op, *parts);
    }
  }
};
} // namespace

std::unique_ptr<Pass> sluice::createCpuDecomposeAggregatesPass() {
  return std::make_unique<SluiceCpuDecomposeAggregatesPass>();
}

std::unique_ptr<Pass> sluice::createCpuMatmulLoopOrderPass() {
  return std::make_unique<SluiceCpuMatmulLoopOrderPass>();
}
