//===- LowerLowRank.cpp - lora_matmul, multi_lora_matmul, lowrank_matmul --===//

#include "codegen/common/Lowering.h"

using namespace mlir;
using namespace mlir::sluice;
using namespace mlir::sluice::codegen;
using IP = arith::CmpIPredicate;

namespace {

/// out[t,:] = bias (or 0) + x[t,:] w.
void emitBaseGemmRow(Emit &e, Value x, Value w, Value bias, Value t, Value out) {
  Value k = e.dim(w, 0), n = e.dim(w, 1);
  e.forLoop(n, [&](Value nn) {
    e.store(bias ? e.load(bias, {nn}) : e.cf(0), out, {t, nn});
  });
  e.forLoop(k, [&](Value kk) {
    Value xv = e.load(x, {t, kk});
    e.forLoop(n, [&](Value nn) {
      e.store(e.addf(e.load(out, {t, nn}), e.mulf(xv, e.load(w, {kk, nn}))),
              out, {t, nn});
    });
  });
}

/// xa[0..r) = x[t,:] a[(lead,) :, 0..r).
void emitDown(Emit &e, Value x, Value a, ArrayRef<Value> lead, Value t,
              Value r, Value xa) {
  Value k = e.dim(x, 1);
  e.forLoop(r, [&](Value rr) {
    Value dot = e.forLoopAcc1(e.c(0), k, e.cf(0), [&](Value kk, Value acc) {
      SmallVector<Value> ia(lead);
      ia.append({kk, rr});
      return e.addf(acc, e.mulf(e.load(x, {t, kk}), e.load(a, ia)));
    });
    e.store(dot, xa, {rr});
  });
}

/// out[t,:] += sum_r coef(r) b[(lead,) r, :].
void emitUp(Emit &e, Value b, ArrayRef<Value> lead, Value t, Value r,
            function_ref<Value(Value)> coef, Value out) {
  Value n = e.dim(out, 1);
  e.forLoop(r, [&](Value rr) {
    Value cv = coef(rr);
    e.forLoop(n, [&](Value nn) {
      SmallVector<Value> ib(lead);
      ib.append({rr, nn});
      e.store(e.addf(e.load(out, {t, nn}), e.mulf(cv, e.load(b, ib))), out,
              {t, nn});
    });
  });
}

SmallVector<Value> lowerLora(Emit &e, LoraMatmulOp op, LoraMatmulOp::Adaptor a) {
  Value x = a.getX(), w = a.getW(), g = a.getRankGates();
  Value t = e.dim(x, 0), n = e.dim(w, 1);
  Value r = e.dim(a.getA(), 1);
  if (auto ar = op.getActiveRankAttr()) {
    // active_rank <= r: checked at run time where r is dynamic.
    Value want = e.c(ar.getInt());
    if (cast<MemRefType>(a.getA().getType()).isDynamicDim(1))
      emitRuntimeCheck(e, op, e.cmpi(IP::sgt, want, r),
                       "active_rank {0} exceeds the rank of a, {1}", want, r);
    r = e.minsi(want, r);
  }
  Value out = allocResult(e, op.getType(), {t, n});
  Value xa = e.allocSized({e.dim(a.getA(), 1)}, e.f32());
  Value scale = e.cf(op.getScale().convertToDouble());
  bool perToken = g && cast<MemRefType>(g.getType()).getRank() == 2;
  e.forLoop(t, [&](Value tt) {
    emitBaseGemmRow(e, x, w, a.getBias(), tt, out);
    emitDown(e, x, a.getA(), {}, tt, r, xa);
    emitUp(e, a.getB(), {}, tt, r,
           [&](Value rr) {
             Value c = e.mulf(scale, e.load(xa, {rr}));
             if (g)
               c = e.mulf(c, perToken ? e.load(g, {tt, rr}) : e.load(g, {rr}));
             return c;
           },
           out);
  });
  return {out};
}

SmallVector<Value> lowerMultiLora(Emit &e, MultiLoraMatmulOp op,
                                  MultiLoraMatmulOp::Adaptor a) {
  Value x = a.getX(), w = a.getW(), ids = a.getIds(), gates = a.getGates(),
        scales = a.getScales();
  Value t = e.dim(x, 0), n = e.dim(w, 1), m = e.dim(ids, 1);
  Value l = e.dim(a.getA(), 0), r = e.dim(a.getA(), 2);
  Value out = allocResult(e, op.getType(), {t, n});
  Value xa = e.allocSized({r}, e.f32());
  double attrScale = op.getScaleAttr()
                         ? op.getScaleAttr().getValue().convertToDouble()
                         : 1.0;
  e.forLoop(t, [&](Value tt) {
    emitBaseGemmRow(e, x, w, a.getBias(), tt, out);
    e.forLoop(m, [&](Value jj) {
      Value id = e.toIndex(e.load(ids, {tt, jj}));
      Value none = e.cmpi(IP::eq, id, e.c(-1));
      Value bad = e.andi(e.noti(none), e.ori(e.cmpi(IP::slt, id, e.c(0)),
                                             e.cmpi(IP::sge, id, l)));
      emitRuntimeCheck(e, op, bad,
                       "adapter id {0} out of range [-1, L) at token {1}", id,
                       tt);
      e.ifThen(e.andi(e.noti(none), e.noti(bad)), [&] {
        Value coef = scales ? e.load(scales, {id}) : e.cf(attrScale);
        if (gates)
          coef = e.mulf(coef, e.load(gates, {tt, jj}));
        emitDown(e, x, a.getA(), {id}, tt, r, xa);
        emitUp(e, a.getB(), {id}, tt, r,
               [&](Value rr) { return e.mulf(coef, e.load(xa, {rr})); }, out);
      });
    });
  });
  return {out};
}

SmallVector<Value> lowerLowrank(Emit &e, LowrankMatmulOp op,
                                LowrankMatmulOp::Adaptor a) {
  Value x = a.getX(), u = a.getU(), v = a.getV(), bias = a.getBias();
  Value t = e.dim(x, 0), n = e.dim(v, 1), r = e.dim(u, 1);
  Value out = allocResult(e, op.getType(), {t, n});
  Value xu = e.allocSized({r}, e.f32());
  e.forLoop(t, [&](Value tt) {
    e.forLoop(n, [&](Value nn) {
      e.store(bias ? e.load(bias, {nn}) : e.cf(0), out, {tt, nn});
    });
    emitDown(e, x, u, {}, tt, r, xu);
    emitUp(e, v, {}, tt, r, [&](Value rr) { return e.load(xu, {rr}); }, out);
  });
  return {out};
}

} // namespace

FailureOr<SmallVector<Value>>
codegen::lowerLowRank(Emit &e, Operation *op, ArrayRef<Value> operands) {
  ValueRange ops(operands);
  if (auto o = dyn_cast<LoraMatmulOp>(op))
    return lowerLora(e, o, LoraMatmulOp::Adaptor(ops, o));
  if (auto o = dyn_cast<MultiLoraMatmulOp>(op))
    return lowerMultiLora(e, o, MultiLoraMatmulOp::Adaptor(ops, o));
  if (auto o = dyn_cast<LowrankMatmulOp>(op))
    return lowerLowrank(e, o, LowrankMatmulOp::Adaptor(ops, o));
  return failure();
}
