//===- LowerMoe.cpp - sluice.moe as per-token loops -----------------------===//
//
// The reference-shaped lowering of the whole MoE block: for every token, the
// kept FFN experts, the MoE++ zero / copy / constant experts and the shared
// experts, accumulated into y[t]. The fusion passes replace this with the
// grouped form; this lowering is what every other form is checked against
// and handles every attribute (capacity, drop policy, renormalize_kept).
//
//===----------------------------------------------------------------------===//

#include "codegen/common/Lowering.h"

using namespace mlir;
using namespace mlir::sluice;
using namespace mlir::sluice::codegen;
using IP = arith::CmpIPredicate;

namespace {
/// Emits y[t,:] += scale * FFN(x[t,:]) for one expert `ex` of the weight
/// stacks gate[E,d,F], up[E,d,F]? and down[E,F,d]. `hg`, `hu` are [F]
/// scratch buffers.
void emitFfn(Emit &e, Activation act, Value x, Value t, Value gate, Value up,
             Value down, Value ex, Value scale, Value y, Value hg, Value hu) {
  Value d = e.dim(gate, 1), f = e.dim(gate, 2);
  e.fill(hg, e.cf(0));
  if (up)
    e.fill(hu, e.cf(0));
  e.forLoop(d, [&](Value dd) {
    Value xv = e.load(x, {t, dd});
    e.forLoop(f, [&](Value ff) {
      e.store(e.addf(e.load(hg, {ff}), e.mulf(xv, e.load(gate, {ex, dd, ff}))),
              hg, {ff});
      if (up)
        e.store(e.addf(e.load(hu, {ff}), e.mulf(xv, e.load(up, {ex, dd, ff}))),
                hu, {ff});
    });
  });
  e.forLoop(f, [&](Value ff) {
    Value h = emitActivation(e, act, e.load(hg, {ff}));
    if (up)
      h = e.mulf(h, e.load(hu, {ff}));
    Value hs = e.mulf(h, scale);
    e.forLoop(d, [&](Value dd) {
      e.store(e.addf(e.load(y, {t, dd}), e.mulf(hs, e.load(down, {ex, ff, dd}))),
              y, {t, dd});
    });
  });
}
} // namespace

FailureOr<SmallVector<Value>> codegen::lowerMoe(Emit &e, Operation *o,
                                                ArrayRef<Value> operands) {
  auto op = cast<MoeOp>(o);
  MoeOp::Adaptor a(ValueRange(operands), op);
  Value x = a.getX(), w = a.getWeights(), idx = a.getIndices();
  int64_t ffn = cast<RankedTensorType>(op.getWGate().getType()).getDimSize(0);
  if (ShapedType::isDynamic(ffn))
    return op.emitOpError("expects a static number of FFN experts (dim 0 of "
                          "w_gate) to lower, got ")
           << op.getWGate().getType();
  int64_t nz = op.getNumZero(), nc = op.getNumCopy(), nk = op.getNumConst();
  int64_t total = ffn + nz + nc + nk;
  Value t = e.dim(x, 0), d = e.dim(x, 1), k = e.dim(idx, 1);
  Value y = allocResult(e, op.getType(), {t, d});
  e.fill(y, e.cf(0));

  // Expert ids must be in [0, E_ffn + num_zero + num_copy + num_const).
  e.forLoop(t, [&](Value tt) {
    e.forLoop(k, [&](Value jj) {
      Value id = e.toIndex(e.load(idx, {tt, jj}));
      Value bad =
          e.ori(e.cmpi(IP::slt, id, e.c(0)), e.cmpi(IP::sge, id, e.c(total)));
      emitRuntimeCheck(e, op, bad,
                       ("expert index {0} out of range [0, " +
                        std::to_string(total) + ") at slot {1}"),
                       id, e.addi(e.muli(tt, k), jj));
    });
  });
  // Capacity applies to the FFN experts only: other ids are always kept.
  Value keep = e.allocSized({e.muli(t, k)}, e.i32());
  emitCapacityKeep(e, idx, w, ffn, op.getCapacity(), op.getDrop(), keep);
  auto kept = [&](Value tt, Value jj) {
    Value id = e.toIndex(e.load(idx, {tt, jj}));
    Value isFfn = e.cmpi(IP::slt, id, e.c(ffn));
    Value s = e.addi(e.muli(tt, k), jj);
    Value inRange =
        e.andi(e.cmpi(IP::sge, id, e.c(0)), e.cmpi(IP::slt, id, e.c(total)));
    return e.andi(inRange,
                  e.select(isFfn, e.nonzero(e.load(keep, {s})), e.ci1(true)));
  };

  Value f = e.dim(a.getWGate(), 2);
  Value hg = e.allocSized({f}, e.f32());
  Value hu = a.getWUp() ? e.allocSized({f}, e.f32()) : Value();
  Value sg = a.getSGate();
  Value shg, shu;
  if (sg) {
    Value fs = e.dim(sg, 2);
    shg = e.allocSized({fs}, e.f32());
    shu = a.getSUp() ? e.allocSized({fs}, e.f32()) : Value();
  }

  e.forLoop(t, [&](Value tt) {
    // renormalize_kept: w' = w * sum_j w / sum_kept w (unchanged when the
    // kept sum is 0).
    Value factor = e.cf(1.0);
    if (op.getRenormalizeKept()) {
      SmallVector<Value> sums = e.forLoopAcc(
          e.c(0), k, ValueRange{e.cf(0), e.cf(0)},
          [&](Value jj, ValueRange acc) -> SmallVector<Value> {
            Value wv = e.load(w, {tt, jj});
            return {e.addf(acc[0], wv),
                    e.select(kept(tt, jj), e.addf(acc[1], wv), acc[1])};
          });
      factor = e.select(e.arithEqZero(sums[1]), e.cf(1.0),
                        e.divf(sums[0], sums[1]));
    }
    e.forLoop(k, [&](Value jj) {
      Value id = e.toIndex(e.load(idx, {tt, jj}));
      Value wv = e.mulf(e.load(w, {tt, jj}), factor);
      e.ifThen(kept(tt, jj), [&] {
        e.ifThen(e.cmpi(IP::slt, id, e.c(ffn)), [&] {
          emitFfn(e, op.getAct(), x, tt, a.getWGate(), a.getWUp(),
                  a.getWDown(), id, wv, y, hg, hu);
        });
        if (nc > 0) {
          Value isCopy = e.andi(e.cmpi(IP::sge, id, e.c(ffn + nz)),
                                e.cmpi(IP::slt, id, e.c(ffn + nz + nc)));
          e.ifThen(isCopy, [&] {
            e.forLoop(d, [&](Value dd) {
              e.store(e.addf(e.load(y, {tt, dd}),
                             e.mulf(wv, e.load(x, {tt, dd}))),
                      y, {tt, dd});
            });
          });
        }
        if (nk > 0) {
          Value isConst = e.cmpi(IP::sge, id, e.c(ffn + nz + nc));
          e.ifThen(isConst, [&] {
            Value c = e.subi(id, e.c(ffn + nz + nc));
            Value wc = a.getWc(), v = a.getV();
            // [a1, a2] = softmax(x wc[c]).
            SmallVector<Value> l = e.forLoopAcc(
                e.c(0), d, ValueRange{e.cf(0), e.cf(0)},
                [&](Value dd, ValueRange acc) -> SmallVector<Value> {
                  Value xv = e.load(x, {tt, dd});
                  return {e.addf(acc[0], e.mulf(xv, e.load(wc, {c, dd, e.c(0)}))),
                          e.addf(acc[1], e.mulf(xv, e.load(wc, {c, dd, e.c(1)})))};
                });
            Value m = e.maxf(l[0], l[1]);
            Value e0 = e.exp(e.subf(l[0], m)), e1 = e.exp(e.subf(l[1], m));
            Value sum = e.addf(e0, e1);
            Value a1 = e.divf(e0, sum), a2 = e.divf(e1, sum);
            e.forLoop(d, [&](Value dd) {
              Value out = e.addf(e.mulf(a1, e.load(x, {tt, dd})),
                                 e.mulf(a2, e.load(v, {c, dd})));
              e.store(e.addf(e.load(y, {tt, dd}), e.mulf(wv, out)), y, {tt, dd});
            });
          });
        }
      });
    });
    if (sg) {
      Value s = e.dim(sg, 0);
      e.forLoop(s, [&](Value ss) {
        Value scale = e.cf(1.0);
        if (Value sgw = a.getSGateW()) {
          Value dot = e.forLoopAcc1(e.c(0), d, e.cf(0), [&](Value dd, Value acc) {
            return e.addf(acc, e.mulf(e.load(x, {tt, dd}), e.load(sgw, {ss, dd})));
          });
          scale = e.sigmoid(dot);
        }
        emitFfn(e, op.getAct(), x, tt, sg, a.getSUp(), a.getSDown(), ss, scale,
                y, shg, shu);
      });
    }
  });
  return SmallVector<Value>{y};
}
