//===- LowerRouting.cpp - route, dispatch, grouped_matmul, combine, losses ===//

#include "codegen/common/Lowering.h"

using namespace mlir;
using namespace mlir::sluice;
using namespace mlir::sluice::codegen;
using IP = arith::CmpIPredicate;

static SmallVector<Value> lowerRoute(Emit &e, RouteOp op, RouteOp::Adaptor a) {
  Value indices = a.getIndices(), weights = a.getWeights();
  int64_t ne = op.getNumExperts(), block = op.getBlock();
  Value t = e.dim(indices, 0), k = e.dim(indices, 1), E = e.c(ne);
  Value slotsN = e.muli(t, k);
  // Out-of-range expert ids are run-time errors (and never kept).
  e.forLoop(t, [&](Value tt) {
    e.forLoop(k, [&](Value jj) {
      Value id = e.toIndex(e.load(indices, {tt, jj}));
      Value bad = e.ori(e.cmpi(IP::slt, id, e.c(0)), e.cmpi(IP::sge, id, E));
      emitRuntimeCheck(e, op, bad,
                       ("expert index {0} out of range [0, " +
                        std::to_string(ne) + ") at slot {1}"),
                       id, e.addi(e.muli(tt, k), jj));
    });
  });
  Value keepFlat = e.allocSized({slotsN}, e.i32());
  emitCapacityKeep(e, indices, weights, ne, op.getCapacity(), op.getDrop(),
                   keepFlat);
  Value counts = allocResult(e, op.getCounts().getType(), {E});
  Value offsets = allocResult(e, op.getOffsets().getType(), {e.c(ne + 1)});
  Value keep = allocResult(e, op.getKeep().getType(), {t, k});
  e.fill(counts, e.ci32(0));
  e.forLoop(t, [&](Value tt) {
    e.forLoop(k, [&](Value jj) {
      Value s = e.addi(e.muli(tt, k), jj);
      Value kp = e.load(keepFlat, {s});
      e.store(kp, keep, {tt, jj});
      e.ifThen(e.nonzero(kp), [&] {
        Value id = e.toIndex(e.load(indices, {tt, jj}));
        e.store(e.addi(e.load(counts, {id}), e.ci32(1)), counts, {id});
      });
    });
  });
  // Segments padded to a multiple of `block`.
  Value blk = e.c(block);
  e.store(e.ci32(0), offsets, {e.c(0)});
  Value total = e.forLoopAcc1(e.c(0), E, e.c(0), [&](Value ex, Value acc) {
    Value n = e.toIndex(e.load(counts, {ex}));
    Value padded = e.muli(e.divsi(e.addi(n, e.subi(blk, e.c(1))), blk), blk);
    Value next = e.addi(acc, padded);
    e.store(e.toI32(next), offsets, {e.addi(ex, e.c(1))});
    return next;
  });
  Value slots = allocResult(e, op.getSlots().getType(), {total});
  e.fill(slots, e.ci32(-1));
  // Kept slots in ascending slot order within each expert's segment.
  Value fillPos = e.allocSized({E}, e.idx());
  e.forLoop(E, [&](Value ex) {
    e.store(e.toIndex(e.load(offsets, {ex})), fillPos, {ex});
  });
  e.forLoop(slotsN, [&](Value s) {
    e.ifThen(e.nonzero(e.load(keepFlat, {s})), [&] {
      Value id = e.toIndex(e.load(indices, {e.divsi(s, k), e.remsi(s, k)}));
      Value p = e.load(fillPos, {id});
      e.store(e.toI32(s), slots, {p});
      e.store(e.addi(p, e.c(1)), fillPos, {id});
    });
  });
  return {counts, offsets, slots, keep};
}

static SmallVector<Value> lowerDispatch(Emit &e, DispatchOp op,
                                       DispatchOp::Adaptor a) {
  Value x = a.getX(), slots = a.getSlots();
  Value p = e.dim(slots, 0), d = e.dim(x, 1), t = e.dim(x, 0);
  Value k = e.c(op.getK());
  Value limit = e.muli(t, k);
  Value out = allocResult(e, op.getType(), {p, d});
  e.forLoop(p, [&](Value pp) {
    Value s = e.toIndex(e.load(slots, {pp}));
    Value pad = e.cmpi(IP::eq, s, e.c(-1));
    Value bad = e.andi(e.noti(pad), e.ori(e.cmpi(IP::slt, s, e.c(0)),
                                          e.cmpi(IP::sge, s, limit)));
    emitRuntimeCheck(e, op, bad,
                     "slot {0} at position {1} out of range [-1, T*k)", s, pp);
    Value valid = e.andi(e.noti(pad), e.noti(bad));
    Value row = e.select(valid, e.divsi(s, k), e.c(0));
    e.forLoop(d, [&](Value dd) {
      Value v = e.ifElse1(
          valid, e.f32(), [&] { return e.load(x, {row, dd}); },
          [&] { return e.cf(0); });
      e.store(v, out, {pp, dd});
    });
  });
  return {out};
}

static SmallVector<Value> lowerGroupedMatmul(Emit &e, GroupedMatmulOp op,
                                             GroupedMatmulOp::Adaptor a) {
  Value xs = a.getXs(), w = a.getW(), offsets = a.getOffsets();
  Value p = e.dim(xs, 0), kdim = e.dim(xs, 1), n = e.dim(w, 2),
        E = e.dim(w, 0);
  Value out = allocResult(e, op.getType(), {p, n});
  e.fill(out, e.cf(0));
  emitCheckOffsets(e, op, offsets, p, "offsets");
  e.forLoop(E, [&](Value ex) {
    // Clamp so that bad offsets never index out of bounds.
    Value lo = e.minsi(e.maxsi(e.toIndex(e.load(offsets, {ex})), e.c(0)), p);
    Value hi = e.minsi(
        e.maxsi(e.toIndex(e.load(offsets, {e.addi(ex, e.c(1))})), lo), p);
    // k outside the segment's rows: every row of w[e] is read once per
    // segment (and stays in cache across the rows), not once per row.
    e.forLoop(kdim, [&](Value kk) {
      e.forLoop(lo, hi, [&](Value r) {
        Value xv = e.load(xs, {r, kk});
        e.forLoop(n, [&](Value nn) {
          Value acc = e.load(out, {r, nn});
          e.store(e.addf(acc, e.mulf(xv, e.load(w, {ex, kk, nn}))), out,
                  {r, nn});
        });
      });
    });
  });
  return {out};
}

static SmallVector<Value> lowerCombine(Emit &e, CombineOp op,
                                       CombineOp::Adaptor a) {
  Value ys = a.getYs(), slots = a.getSlots(), w = a.getWeights();
  Value p = e.dim(ys, 0), d = e.dim(ys, 1);
  if (Value keep = a.getKeep()) {
    Value t = e.dim(w, 0), k = e.dim(w, 1);
    Value nslots = e.muli(t, k);
    Value out = allocResult(e, op.getType(), {t, d});
    e.fill(out, e.cf(0));
    Value pos = e.allocSized({nslots}, e.idx());
    e.fill(pos, e.c(-1));
    e.forLoop(p, [&](Value pp) {
      Value s = e.toIndex(e.load(slots, {pp}));
      Value pad = e.cmpi(IP::eq, s, e.c(-1));
      Value bad = e.andi(e.noti(pad), e.ori(e.cmpi(IP::slt, s, e.c(0)),
                                            e.cmpi(IP::sge, s, nslots)));
      emitRuntimeCheck(e, op, bad,
                       "slot {0} at position {1} out of range [-1, T*k)", s,
                       pp);
      e.ifThen(e.andi(e.noti(pad), e.noti(bad)), [&] {
        Value kept = e.nonzero(e.load(keep, {e.divsi(s, k), e.remsi(s, k)}));
        e.ifThen(kept, [&] {
          Value prev = e.load(pos, {s});
          emitRuntimeCheck(e, op, e.cmpi(IP::ne, prev, e.c(-1)),
                           "kept slot {0} appears twice (positions {1} and "
                           "later)",
                           s, prev);
          e.store(pp, pos, {s});
        });
      });
    });
    e.forLoop(t, [&](Value tt) {
      e.forLoop(k, [&](Value jj) {
        Value s = e.addi(e.muli(tt, k), jj);
        Value kept = e.nonzero(e.load(keep, {tt, jj}));
        Value at = e.load(pos, {s});
        Value missing = e.andi(kept, e.cmpi(IP::eq, at, e.c(-1)));
        emitRuntimeCheck(e, op, missing, "kept slot {0} is missing from slots",
                         s);
        e.ifThen(e.andi(kept, e.noti(missing)), [&] {
          Value wv = e.load(w, {tt, jj});
          e.forLoop(d, [&](Value dd) {
            Value acc = e.load(out, {tt, dd});
            e.store(e.addf(acc, e.mulf(wv, e.load(ys, {at, dd}))), out,
                    {tt, dd});
          });
        });
      });
    });
    return {out};
  }
  // Per-slot form.
  Value t = a.getNumTokens();
  Value k = e.c(*op.getK());
  Value nslots = e.muli(t, k);
  Value out = allocResult(e, op.getType(), {t, d});
  e.fill(out, e.cf(0));
  e.forLoop(p, [&](Value pp) {
    Value s = e.toIndex(e.load(slots, {pp}));
    Value pad = e.cmpi(IP::slt, s, e.c(0));
    Value bad = e.ori(e.andi(pad, e.cmpi(IP::ne, s, e.c(-1))),
                      e.cmpi(IP::sge, s, nslots));
    emitRuntimeCheck(e, op, bad,
                     "slot {0} at position {1} out of range [-1, T*k)", s, pp);
    e.ifThen(e.andi(e.noti(pad), e.noti(bad)), [&] {
      Value tt = e.divsi(s, k);
      Value wv = e.load(w, {pp});
      e.forLoop(d, [&](Value dd) {
        Value acc = e.load(out, {tt, dd});
        e.store(e.addf(acc, e.mulf(wv, e.load(ys, {pp, dd}))), out, {tt, dd});
      });
    });
  });
  return {out};
}

/// Valid-row predicate of an optional [T] mask.
static Value rowValid(Emit &e, Value mask, Value t) {
  return mask ? e.nonzero(e.load(mask, {t})) : e.ci1(true);
}

static SmallVector<Value> lowerLoadBalance(Emit &e, LoadBalanceLossOp op,
                                          LoadBalanceLossOp::Adaptor a) {
  Value probs = a.getProbs(), idx = a.getIndices(), mask = a.getMask();
  Value t = e.dim(probs, 0), E = e.dim(probs, 1), k = e.dim(idx, 1);
  Value out = allocResult(e, op.getType(), {});
  Value cnt = e.allocSized({E}, e.f32());
  Value psum = e.allocSized({E}, e.f32());
  e.fill(cnt, e.cf(0));
  e.fill(psum, e.cf(0));
  Value valid = e.forLoopAcc1(e.c(0), t, e.cf(0), [&](Value tt, Value acc) {
    Value ok = rowValid(e, mask, tt);
    e.ifThen(ok, [&] {
      e.forLoop(E, [&](Value ex) {
        e.store(e.addf(e.load(psum, {ex}), e.load(probs, {tt, ex})), psum, {ex});
      });
      e.forLoop(k, [&](Value jj) {
        Value id = e.toIndex(e.load(idx, {tt, jj}));
        Value bad = e.ori(e.cmpi(IP::slt, id, e.c(0)), e.cmpi(IP::sge, id, E));
        emitRuntimeCheck(e, op, bad,
                         "expert index {0} out of range at token {1}", id, tt);
        e.ifThen(e.noti(bad), [&] {
          e.store(e.addf(e.load(cnt, {id}), e.cf(1)), cnt, {id});
        });
      });
    });
    return e.select(ok, e.addf(acc, e.cf(1)), acc);
  });
  // E * sum_e (c_e / T') (P_e / T').
  Value sum = e.forLoopAcc1(e.c(0), E, e.cf(0), [&](Value ex, Value acc) {
    return e.addf(acc, e.mulf(e.load(cnt, {ex}), e.load(psum, {ex})));
  });
  Value ef = e.indexToF32(E);
  Value loss = e.divf(e.mulf(ef, sum), e.mulf(valid, valid));
  Value none = e.arithEqZero(valid);
  e.store(e.select(none, e.cf(0), loss), out, {});
  return {out};
}

static SmallVector<Value> lowerRouterZ(Emit &e, RouterZLossOp op,
                                       RouterZLossOp::Adaptor a) {
  Value logits = a.getLogits(), mask = a.getMask();
  Value t = e.dim(logits, 0), E = e.dim(logits, 1);
  Value out = allocResult(e, op.getType(), {});
  SmallVector<Value> acc = e.forLoopAcc(
      e.c(0), t, ValueRange{e.cf(0), e.cf(0)},
      [&](Value tt, ValueRange args) -> SmallVector<Value> {
        Value ok = rowValid(e, mask, tt);
        return e.ifElse(
            ok, TypeRange{e.f32(), e.f32()},
            [&]() -> SmallVector<Value> {
              Value m = e.forLoopAcc1(e.c(0), E, e.negInf(), [&](Value i, Value v) {
                return e.maxf(v, e.load(logits, {tt, i}));
              });
              Value s = e.forLoopAcc1(e.c(0), E, e.cf(0), [&](Value i, Value v) {
                return e.addf(v, e.exp(e.subf(e.load(logits, {tt, i}), m)));
              });
              // An infinite max (a +inf logit, or every logit -inf) is the
              // logsumexp itself; exp(m - m) would make it NaN.
              Value mInf = e.cmpf(arith::CmpFPredicate::OEQ, e.absf(m),
                                  e.posInf());
              Value lse = e.select(mInf, m, e.addf(m, e.log(s)));
              return {e.addf(args[0], e.mulf(lse, lse)),
                      e.addf(args[1], e.cf(1))};
            },
            [&]() -> SmallVector<Value> { return {args[0], args[1]}; });
      });
  Value none = e.arithEqZero(acc[1]);
  e.store(e.select(none, e.cf(0), e.divf(acc[0], acc[1])), out, {});
  return {out};
}

FailureOr<SmallVector<Value>>
codegen::lowerRouting(Emit &e, Operation *op, ArrayRef<Value> operands) {
  ValueRange ops(operands);
  if (auto o = dyn_cast<RouteOp>(op))
    return lowerRoute(e, o, RouteOp::Adaptor(ops, o));
  if (auto o = dyn_cast<DispatchOp>(op))
    return lowerDispatch(e, o, DispatchOp::Adaptor(ops, o));
  if (auto o = dyn_cast<GroupedMatmulOp>(op))
    return lowerGroupedMatmul(e, o, GroupedMatmulOp::Adaptor(ops, o));
  if (auto o = dyn_cast<CombineOp>(op))
    return lowerCombine(e, o, CombineOp::Adaptor(ops, o));
  if (auto o = dyn_cast<LoadBalanceLossOp>(op))
    return lowerLoadBalance(e, o, LoadBalanceLossOp::Adaptor(ops, o));
  if (auto o = dyn_cast<RouterZLossOp>(op))
    return lowerRouterZ(e, o, RouterZLossOp::Adaptor(ops, o));
  return failure();
}
