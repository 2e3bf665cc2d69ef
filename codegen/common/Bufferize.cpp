//===- Bufferize.cpp - BufferizableOpInterface for every sluice op --------===//
//
// Sluice ops read their operands, allocate fresh results and never alias:
// one-shot bufferization calls `bufferize`, which emits the op's loops over
// the operand buffers (Lower*.cpp).
//
//===----------------------------------------------------------------------===//

#include "codegen/common/Lowering.h"

#include "mlir/Dialect/Bufferization/IR/BufferizableOpInterface.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/IR/DialectRegistry.h"

using namespace mlir;
using namespace mlir::bufferization;
using namespace mlir::sluice;

namespace {
template <typename OpTy>
struct SluiceOpBufferization
    : public BufferizableOpInterface::ExternalModel<SluiceOpBufferization<OpTy>,
                                                    OpTy> {
  bool bufferizesToMemoryRead(Operation *, OpOperand &,
                              const AnalysisState &) const {
    return true;
  }
  bool bufferizesToMemoryWrite(Operation *, OpOperand &,
                               const AnalysisState &) const {
    return false;
  }
  AliasingValueList getAliasingValues(Operation *, OpOperand &,
                                      const AnalysisState &) const {
    return {};
  }
  bool bufferizesToAllocation(Operation *, Value) const { return true; }

  FailureOr<BufferLikeType>
  getBufferType(Operation *, Value value, const BufferizationOptions &,
                const BufferizationState &, SmallVector<Value> &) const {
    auto t = cast<RankedTensorType>(value.getType());
    return cast<BufferLikeType>(
        MemRefType::get(t.getShape(), t.getElementType()));
  }

  LogicalResult bufferize(Operation *op, RewriterBase &rewriter,
                          const BufferizationOptions &options,
                          BufferizationState &state) const {
    OpBuilder::InsertionGuard guard(rewriter);
    rewriter.setInsertionPoint(op);
    SmallVector<Value> operands;
    for (Value v : op->getOperands()) {
      if (!isa<TensorType>(v.getType())) {
        operands.push_back(v);
        continue;
      }
      FailureOr<Value> buffer = getBuffer(rewriter, v, options, state);
      if (failed(buffer))
        return failure();
      operands.push_back(*buffer);
    }
    FailureOr<SmallVector<Value>> results =
        codegen::lowerToBuffers(op, rewriter, operands);
    if (failed(results))
      return failure();
    replaceOpWithBufferizedValues(rewriter, op, *results);
    return success();
  }
};

template <typename... Ops> void attach(MLIRContext *ctx) {
  (Ops::template attachInterface<SluiceOpBufferization<Ops>>(*ctx), ...);
}
} // namespace

void codegen::registerBufferizationModels(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, SluiceDialect *) {
    attach<TopkGateOp, ExpertChoiceGateOp, GluOp, SigmoidGateOp, RouteOp,
           DispatchOp, GroupedMatmulOp, CombineOp, MoeOp, LoadBalanceLossOp,
           RouterZLossOp, PoolOp, SegmentPoolOp, AdaptivePoolOp,
           SpatialPyramidPoolOp, AttentionPoolOp, LoraMatmulOp,
           MultiLoraMatmulOp, LowrankMatmulOp, SparsifyOp, SparseMatmulOp,
           TopkOp>(ctx);
  });
}
