//===- UkernelRouterGate.cpp - sluice.router_gate into one kernel call ----===//
//
// Bufferization of sluice.router_gate on the CPU: the results are
// allocated, the operands' addresses and strides and the gate's attributes
// are written into the 21 int64 fields of sluice_uk_router_gate_args
// (runtime/include/sluice/ukernels.h), and the runtime's fused router GEMM +
// top-k micro-kernel is called. The verifier has checked every attribute
// and static shape; the only run-time size is the token count.
//
//===----------------------------------------------------------------------===//

#include "codegen/common/BufferizeModel.h"
#include "codegen/common/Emit.h"
#include "codegen/common/Lowering.h"
#include "codegen/cpu/CpuPipeline.h"
#include "codegen/cpu/UkernelCall.h"
#include "dialect/SluiceOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/DialectRegistry.h"

using namespace mlir;
using namespace mlir::sluice;
using namespace mlir::sluice::codegen;

namespace {

constexpr StringLiteral kRouterGateFn = "sluice_uk_router_gate";
constexpr int64_t kFields = 21; // SLUICE_UK_ROUTER_GATE_FIELDS

/// The fields of sluice_uk_router_gate_args in declaration order.
enum Field : int64_t {
  fT, fE, fK, fX, fLdx, fW, fLdw, fBias, fTopK, fScore, fRenormalize,
  fScaleBits, fTemperatureBits, fGroups, fTopkGroups, fGroupScore, fWeights,
  fLdWeights, fIndices, fLdIndices, fReserved
};
static_assert(fReserved + 1 == kFields, "one entry per field");

int64_t f32Bits(APFloat v) {
  bool lost = false;
  v.convert(APFloat::IEEEsingle(), APFloat::rmNearestTiesToEven, &lost);
  return static_cast<int64_t>(v.bitcastToAPInt().getZExtValue());
}

FailureOr<SmallVector<Value>> lowerRouterGate(Operation *o,
                                              RewriterBase &rewriter,
                                              ArrayRef<Value> operands) {
  auto op = cast<RouterGateOp>(o);
  RouterGateOp::Adaptor a(operands, op);
  Emit e(rewriter, op.getLoc());
  Value x = ukContiguous(e, a.getX()), w = ukContiguous(e, a.getW());
  Value bias = a.getBias();
  auto wType = cast<MemRefType>(w.getType());
  int64_t d = wType.getDimSize(0), ne = wType.getDimSize(1), k = op.getK();
  Value t = e.dim(x, 0);
  Value weights = allocResult(e, op.getWeights().getType(), {t, e.c(k)});
  Value indices = allocResult(e, op.getIndices().getType(), {t, e.c(k)});

  ukDeclare(e, op, kRouterGateFn);
  Value fields = ukArgBlock(e, op, kFields);
  SmallVector<Value> v(kFields, e.ci64(0));
  v[fT] = e.toI64(t);
  v[fE] = e.ci64(ne);
  v[fK] = e.ci64(d);
  v[fX] = ukAddressOf(e, x);
  v[fLdx] = ukStrideOf(e, x, 0);
  v[fW] = ukAddressOf(e, w);
  v[fLdw] = ukStrideOf(e, w, 0);
  if (bias)
    v[fBias] = ukAddressOf(e, bias);
  v[fTopK] = e.ci64(k);
  v[fScore] = e.ci64(static_cast<int64_t>(op.getScore()));
  v[fRenormalize] = e.ci64(op.getRenormalize() ? 1 : 0);
  v[fScaleBits] = e.ci64(f32Bits(op.getScale()));
  v[fTemperatureBits] = e.ci64(f32Bits(op.getTemperature()));
  v[fGroups] = e.ci64(op.getGroups());
  v[fTopkGroups] = e.ci64(op.getTopkGroups());
  v[fGroupScore] = e.ci64(static_cast<int64_t>(op.getGroupScore()));
  v[fWeights] = ukAddressOf(e, weights);
  v[fLdWeights] = ukStrideOf(e, weights, 0);
  v[fIndices] = ukAddressOf(e, indices);
  v[fLdIndices] = ukStrideOf(e, indices, 0);
  for (int64_t i = 0; i < kFields; ++i)
    e.store(v[i], fields, {e.c(i)});
  func::CallOp::create(e.b, e.loc, kRouterGateFn, TypeRange{},
                       ValueRange{ukAddressOf(e, fields)});
  return SmallVector<Value>{weights, indices};
}

} // namespace

void mlir::sluice::registerCpuRouterGateBufferization(
    DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, SluiceDialect *) {
    codegen::loadLoweringDialects(ctx);
    RouterGateOp::attachInterface<
        FreshResultBufferization<RouterGateOp, lowerRouterGate>>(*ctx);
  });
}
