//===- BufferizeModel.h - bufferization of ops with fresh results -*- C++ -*-===//
//
// The BufferizableOpInterface model every sluice op uses (Bufferize.cpp,
// and sluice.gemm on the CPU, codegen/cpu/UkernelGemm.cpp): the op reads
// its operands, allocates fresh results and never aliases; `bufferize`
// hands the operands' buffers to a lowering function that emits the op's
// code and returns its result buffers.
//
//===----------------------------------------------------------------------===//

#ifndef SLUICE_CODEGEN_COMMON_BUFFERIZEMODEL_H
#define SLUICE_CODEGEN_COMMON_BUFFERIZEMODEL_H

#include "mlir/Dialect/Bufferization/IR/BufferizableOpInterface.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"

namespace mlir::sluice::codegen {

/// Emits `op`'s code over its operands' buffers (non-tensor operands as
/// they are), before `op`; returns one buffer per result.
using BufferLowering = FailureOr<SmallVector<Value>> (*)(
    Operation *op, RewriterBase &rewriter, ArrayRef<Value> operands);

/// Replaces `op` by what `lower` emits over its operands' buffers (the
/// `bufferize` step every sluice op's model shares).
inline LogicalResult
bufferizeByLowering(Operation *op, RewriterBase &rewriter,
                    const bufferization::BufferizationOptions &options,
                    bufferization::BufferizationState &state,
                    BufferLowering lower) {
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPoint(op);
  SmallVector<Value> operands;
  for (Value v : op->getOperands()) {
    if (!isa<TensorType>(v.getType())) {
      operands.push_back(v);
      continue;
    }
    FailureOr<Value> buffer =
        bufferization::getBuffer(rewriter, v, options, state);
    if (failed(buffer))
      return failure();
    operands.push_back(*buffer);
  }
  FailureOr<SmallVector<Value>> results = lower(op, rewriter, operands);
  if (failed(results))
    return failure();
  bufferization::replaceOpWithBufferizedValues(rewriter, op, *results);
  return success();
}

template <typename OpTy, BufferLowering Lower>
struct FreshResultBufferization
    : public bufferization::BufferizableOpInterface::ExternalModel<
          FreshResultBufferization<OpTy, Lower>, OpTy> {
  bool bufferizesToMemoryRead(Operation *, OpOperand &,
                              const bufferization::AnalysisState &) const {
    return true;
  }
  bool bufferizesToMemoryWrite(Operation *, OpOperand &,
                               const bufferization::AnalysisState &) const {
    return false;
  }
  bufferization::AliasingValueList
  getAliasingValues(Operation *, OpOperand &,
                    const bufferization::AnalysisState &) const {
    return {};
  }
  bool bufferizesToAllocation(Operation *, Value) const { return true; }

  FailureOr<bufferization::BufferLikeType>
  getBufferType(Operation *, Value value,
                const bufferization::BufferizationOptions &,
                const bufferization::BufferizationState &,
                SmallVector<Value> &) const {
    auto t = cast<RankedTensorType>(value.getType());
    return cast<bufferization::BufferLikeType>(
        MemRefType::get(t.getShape(), t.getElementType()));
  }

  LogicalResult bufferize(Operation *op, RewriterBase &rewriter,
                          const bufferization::BufferizationOptions &options,
                          bufferization::BufferizationState &state) const {
    return bufferizeByLowering(op, rewriter, options, state, Lower);
  }
};

} // namespace mlir::sluice::codegen

#endif // SLUICE_CODEGEN_COMMON_BUFFERIZEMODEL_H
