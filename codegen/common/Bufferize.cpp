//===- Bufferize.cpp - BufferizableOpInterface for every sluice op --------===//
//
// Sluice ops read their operands, allocate fresh results and never alias:
// one-shot bufferization calls `bufferize`, which emits the op's loops over
// the operand buffers (Lower*.cpp).
//
//===----------------------------------------------------------------------===//

#include "codegen/common/BufferizeModel.h"
#include "codegen/common/LowerSparse.h"
#include "codegen/common/Lowering.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/DialectRegistry.h"

using namespace mlir;
using namespace mlir::sluice;

namespace {
FailureOr<SmallVector<Value>> lowerSluiceOp(Operation *op,
                                            RewriterBase &rewriter,
                                            ArrayRef<Value> operands) {
  return codegen::lowerToBuffers(op, rewriter, operands);
}

template <typename... Ops> void attach(MLIRContext *ctx) {
  (Ops::template attachInterface<
       codegen::FreshResultBufferization<Ops, lowerSluiceOp>>(*ctx),
   ...);
}
} // namespace

namespace {
void registerModels(DialectRegistry &registry, bool sparseMatmul) {
  registry.addExtension(+[](MLIRContext *ctx, SluiceDialect *) {
    codegen::loadLoweringDialects(ctx);
    attach<TopkGateOp, ExpertChoiceGateOp, GluOp, SigmoidGateOp, RouteOp,
           DispatchOp, GroupedMatmulOp, CombineOp, MoeOp, LoadBalanceLossOp,
           RouterZLossOp, PoolOp, SegmentPoolOp, PoolMapOp, AdaptivePoolOp,
           SpatialPyramidPoolOp, AttentionPoolOp, LoraMatmulOp,
           MultiLoraMatmulOp, LowrankMatmulOp, SparsifyOp, TopkOp>(ctx);
  });
  if (sparseMatmul)
    registry.addExtension(+[](MLIRContext *ctx, SluiceDialect *) {
      attach<SparseMatmulOp>(ctx);
    });
}
} // namespace

void codegen::loadLoweringDialects(MLIRContext *ctx) {
  ctx->loadDialect<arith::ArithDialect, func::FuncDialect, LLVM::LLVMDialect,
                   math::MathDialect, memref::MemRefDialect,
                   scf::SCFDialect>();
}

void codegen::registerBufferizationModels(DialectRegistry &registry) {
  registerModels(registry, /*sparseMatmul=*/true);
}

void codegen::registerBufferizationModelsButSparseMatmul(
    DialectRegistry &registry) {
  registerModels(registry, /*sparseMatmul=*/false);
}
