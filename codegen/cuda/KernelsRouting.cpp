//===- KernelsRouting.cpp - CUDA schedules of the routing ops -------------===//
//
// route, combine, expert_choice_gate, topk, load_balance_loss, router_z_loss
// as block programs (docs/cuda.md, "Schedules"). Most are sequences of small
// kernels with one thread per item (slot, position, expert, token, row) and
// no shared state, so that every result is the CPU lowering's, bit for bit:
// each thread runs the same scalar arithmetic in the same order as the CPU
// lowering does for its item. Data-dependent errors are reported with
// sluice_gpu.report_error (same messages as the CPU lowering); every access
// stays in bounds when one is reported.
//
//===----------------------------------------------------------------------===//

#include "codegen/common/GatingShared.h"
#include "codegen/cuda/BlockProgram.h"
#include "dialect/SluiceOps.h"

using namespace mlir;
using namespace mlir::sluice;
using namespace mlir::sluice::codegen;
using namespace mlir::sluice::cuda;
using IP = arith::CmpIPredicate;

static constexpr int64_t kThreads = 256;
static constexpr int64_t kRowThreads = 128;

/// A block program of ceil(n / 256) blocks, one phase; `body(i)` for i < n.
static void perItem(Emit &e, Value n, function_ref<void(Value)> body) {
  Value grid = e.divsi(e.addi(n, e.c(kThreads - 1)), e.c(kThreads));
  buildBlockProgram(e.b, e.loc, {grid}, [&](ValueRange ids) {
    buildThreadPhase(e.b, e.loc, kThreads, [&](Value t) {
      Value i = e.addi(e.muli(ids[0], e.c(kThreads)), t);
      e.ifThen(e.cmpi(IP::slt, i, n), [&] { body(i); });
    });
  });
}

/// A block program over rows x ceil(cols / 128); `body(row, col)`.
static void perRowCol(Emit &e, Value rows, Value cols,
                      function_ref<void(Value, Value)> body) {
  Value colBlocks =
      e.divsi(e.addi(cols, e.c(kRowThreads - 1)), e.c(kRowThreads));
  buildBlockProgram(e.b, e.loc, {rows, colBlocks}, [&](ValueRange ids) {
    buildThreadPhase(e.b, e.loc, kRowThreads, [&](Value t) {
      Value col = e.addi(e.muli(ids[1], e.c(kRowThreads)), t);
      e.ifThen(e.cmpi(IP::slt, col, cols), [&] { body(ids[0], col); });
    });
  });
}

/// A single block of 256 threads; `body` emits its phases.
static void singleBlock(Emit &e, function_ref<void()> body) {
  buildBlockProgram(e.b, e.loc, {e.c(1)}, [&](ValueRange) { body(); });
}

/// Inside singleBlock: `body(i)` for every i < n, 256 at a time (a
/// block-uniform loop over chunks, one phase per chunk).
static void blockChunks(Emit &e, Value n, function_ref<void(Value)> body) {
  Value chunks = e.divsi(e.addi(n, e.c(kThreads - 1)), e.c(kThreads));
  e.forLoop(chunks, [&](Value c) {
    buildThreadPhase(e.b, e.loc, kThreads, [&](Value t) {
      Value i = e.addi(e.muli(c, e.c(kThreads)), t);
      e.ifThen(e.cmpi(IP::slt, i, n), [&] { body(i); });
    });
  });
}

/// Inside singleBlock: a phase in which thread 0 runs `body` (a scalar
/// epilogue).
static void threadZero(Emit &e, function_ref<void()> body) {
  buildThreadPhase(e.b, e.loc, kWarpSize, [&](Value t) {
    e.ifThen(e.cmpi(IP::eq, t, e.c(0)), body);
  });
}

//===----------------------------------------------------------------------===//
// route
//===----------------------------------------------------------------------===//

// Three kernels and one host read:
//  1. one thread per slot s = t*k + j: range check of the expert id, keep
//     (dropless: id in range; with a capacity: the number of candidates of
//     the same expert before s in the drop order is below the capacity, the
//     count the CPU lowering's running counter / rank computes);
//  2. one block: per-expert counts (one thread per expert, loop over the
//     slots in order), then the padded prefix sum by thread 0;
//  3. host: P = offsets[E] (the result size, copied back from a
//     one-element device buffer thread 0 writes), slots allocated;
//  4. one thread per expert: its kept slots in ascending slot order from
//     offsets[e], then -1 up to offsets[e+1].
FailureOr<SmallVector<Value>>
cuda::buildRouteKernel(Emit &e, Operation *o, ArrayRef<Value> operands) {
  auto op = cast<RouteOp>(o);
  SmallVector<Value> guarded = guardEqualDimsOnDevice(e, op, operands);
  RouteOp::Adaptor a(guarded, op);
  Value indices = a.getIndices(), weights = a.getWeights();
  int64_t ne = op.getNumExperts(), block = op.getBlock(),
          capacity = op.getCapacity();
  DropPolicy drop = op.getDrop();
  Value t = e.dim(indices, 0), k = e.dim(indices, 1), E = e.c(ne);
  Value nslots = e.muli(t, k);
  Value counts = allocResult(e, op.getCounts().getType(), {E});
  Value offsets = allocResult(e, op.getOffsets().getType(), {e.c(ne + 1)});
  Value keep = allocResult(e, op.getKeep().getType(), {t, k});
  auto idAt = [&](Value s) {
    return e.toIndex(e.load(indices, {e.divsi(s, k), e.remsi(s, k)}));
  };
  auto inRange = [&](Value id) {
    return e.andi(e.cmpi(IP::sge, id, e.c(0)), e.cmpi(IP::slt, id, E));
  };
  perItem(e, nslots, [&](Value s) {
    Value tt = e.divsi(s, k), jj = e.remsi(s, k);
    Value id = e.toIndex(e.load(indices, {tt, jj}));
    Value ok = inRange(id);
    reportError(e, op, e.noti(ok),
                "expert index {0} out of range [0, " + std::to_string(ne) +
                    ") at slot {1}",
                id, s);
    Value kept = ok;
    if (capacity > 0) {
      Value w = drop == DropPolicy::by_weight ? e.load(weights, {tt, jj})
                                              : Value();
      Value rank = e.forLoopAcc1(e.c(0), nslots, e.c(0), [&](Value s2,
                                                             Value r) {
        Value t2 = e.divsi(s2, k), j2 = e.remsi(s2, k);
        Value same =
            e.cmpi(IP::eq, e.toIndex(e.load(indices, {t2, j2})), id);
        Value before;
        switch (drop) {
        case DropPolicy::by_order:
          before = e.cmpi(IP::slt, s2, s);
          break;
        case DropPolicy::by_choice:
          before = e.ori(e.cmpi(IP::slt, j2, jj),
                         e.andi(e.cmpi(IP::eq, j2, jj),
                                e.cmpi(IP::slt, t2, tt)));
          break;
        case DropPolicy::by_weight:
          before = keyBefore(e, /*largest=*/true,
                             Key{Value(), e.load(weights, {t2, j2}), s2},
                             Key{Value(), w, s});
          break;
        }
        return e.select(e.andi(same, before), e.addi(r, e.c(1)), r);
      });
      kept = e.andi(ok, e.cmpi(IP::slt, rank, e.c(capacity)));
    }
    e.store(e.select(kept, e.ci32(1), e.ci32(0)), keep, {tt, jj});
  });
  Value blk = e.c(block);
  // P = offsets[E], also written to a one-element device buffer that the
  // host copies back (host code never loads from a device buffer).
  auto i32 = e.b.getI32Type();
  Value totalDev =
      memref::AllocOp::create(e.b, e.loc, MemRefType::get({1}, i32));
  singleBlock(e, [&] {
    blockChunks(e, E, [&](Value ex) {
      Value n = e.forLoopAcc1(e.c(0), nslots, e.ci32(0), [&](Value s,
                                                             Value acc) {
        Value kp = e.nonzero(e.load(keep, {e.divsi(s, k), e.remsi(s, k)}));
        Value mine = e.andi(kp, e.cmpi(IP::eq, idAt(s), ex));
        return e.select(mine, e.addi(acc, e.ci32(1)), acc);
      });
      e.store(n, counts, {ex});
    });
    threadZero(e, [&] {
      e.store(e.ci32(0), offsets, {e.c(0)});
      Value last = e.forLoopAcc1(e.c(0), E, e.c(0), [&](Value ex, Value acc) {
        Value n = e.toIndex(e.load(counts, {ex}));
        Value padded =
            e.muli(e.divsi(e.addi(n, e.subi(blk, e.c(1))), blk), blk);
        Value next = e.addi(acc, padded);
        e.store(e.toI32(next), offsets, {e.addi(ex, e.c(1))});
        return next;
      });
      e.store(e.toI32(last), totalDev, {e.c(0)});
    });
  });
  // The result size: copied back to the host (a synchronization point).
  Value totalHost =
      memref::AllocaOp::create(e.b, e.loc, MemRefType::get({1}, i32));
  memref::CopyOp::create(e.b, e.loc, totalDev, totalHost);
  Value total = e.toIndex(e.load(totalHost, {e.c(0)}));
  Value slots = allocResult(e, op.getSlots().getType(), {total});
  perItem(e, E, [&](Value ex) {
    Value lo = e.toIndex(e.load(offsets, {ex}));
    Value hi = e.toIndex(e.load(offsets, {e.addi(ex, e.c(1))}));
    Value end = e.forLoopAcc1(e.c(0), nslots, lo, [&](Value s, Value p) {
      Value kp = e.nonzero(e.load(keep, {e.divsi(s, k), e.remsi(s, k)}));
      Value mine = e.andi(kp, e.cmpi(IP::eq, idAt(s), ex));
      e.ifThen(mine, [&] { e.store(e.toI32(s), slots, {p}); });
      return e.select(mine, e.addi(p, e.c(1)), p);
    });
    e.forLoop(end, hi, [&](Value p) { e.store(e.ci32(-1), slots, {p}); });
  });
  return SmallVector<Value>{counts, offsets, slots, keep};
}

//===----------------------------------------------------------------------===//
// combine
//===----------------------------------------------------------------------===//

// Gather form, no atomics: y[t, c] is computed by one thread, summing its
// token's contributions in the CPU lowering's order.
//  token-choice form: pos[s] = -1 (per slot); per position p: range check,
//  pos[slots[p]] = p for kept slots; per position: a kept slot whose pos is
//  another position appears twice (error); per slot: a kept slot without a
//  position is missing (error); then per (t, column):
//  y = sum_j kept ? w[t,j] * ys[pos[t*k+j]] : 0.
//  per-slot form: per position: range check; per (t, column): a scan of
//  every position p with slots[p] / k == t in ascending p (O(P) per token).
FailureOr<SmallVector<Value>>
cuda::buildCombineKernel(Emit &e, Operation *o, ArrayRef<Value> operands) {
  auto op = cast<CombineOp>(o);
  SmallVector<Value> guarded = guardEqualDimsOnDevice(e, op, operands);
  CombineOp::Adaptor a(guarded, op);
  Value ys = a.getYs(), slots = a.getSlots(), w = a.getWeights();
  Value p = e.dim(slots, 0), d = e.dim(ys, 1);
  const char *rangeMsg = "slot {0} at position {1} out of range [-1, T*k)";
  if (Value keep = a.getKeep()) {
    Value t = e.dim(w, 0), k = e.dim(w, 1);
    Value nslots = e.muli(t, k);
    Value out = allocResult(e, op.getType(), {t, d});
    Value pos = e.allocSized({nslots}, e.idx());
    auto keptAt = [&](Value s) {
      return e.nonzero(e.load(keep, {e.divsi(s, k), e.remsi(s, k)}));
    };
    perItem(e, nslots, [&](Value s) { e.store(e.c(-1), pos, {s}); });
    // The slot at position pp if it is a valid kept slot, else -1.
    auto keptSlot = [&](Value pp, bool report) {
      Value s = e.toIndex(e.load(slots, {pp}));
      Value pad = e.cmpi(IP::eq, s, e.c(-1));
      Value bad = e.andi(e.noti(pad), e.ori(e.cmpi(IP::slt, s, e.c(0)),
                                            e.cmpi(IP::sge, s, nslots)));
      if (report)
        reportError(e, op, bad, rangeMsg, s, pp);
      Value valid = e.andi(e.noti(pad), e.noti(bad));
      Value safe = e.select(valid, s, e.c(0));
      Value kept = e.ifElse1(
          valid, e.b.getI1Type(), [&] { return keptAt(safe); },
          [&] { return e.ci1(false); });
      return std::make_pair(safe, kept);
    };
    perItem(e, p, [&](Value pp) {
      std::pair<Value, Value> sk = keptSlot(pp, /*report=*/true);
      Value s = sk.first;
      e.ifThen(sk.second, [&] { e.store(pp, pos, {s}); });
    });
    perItem(e, p, [&](Value pp) {
      std::pair<Value, Value> sk = keptSlot(pp, /*report=*/false);
      Value s = sk.first;
      e.ifThen(sk.second, [&] {
        Value at = e.load(pos, {s});
        reportError(e, op, e.cmpi(IP::ne, at, pp),
                    "kept slot {0} appears twice (positions {1} and later)",
                    s, e.minsi(at, pp));
      });
    });
    perItem(e, nslots, [&](Value s) {
      Value missing =
          e.andi(keptAt(s), e.cmpi(IP::eq, e.load(pos, {s}), e.c(-1)));
      reportError(e, op, missing, "kept slot {0} is missing from slots", s);
    });
    perRowCol(e, t, d, [&](Value tt, Value col) {
      Value acc = e.forLoopAcc1(e.c(0), k, e.cf(0), [&](Value jj, Value acc) {
        Value s = e.addi(e.muli(tt, k), jj);
        Value kept = e.nonzero(e.load(keep, {tt, jj}));
        Value at = e.load(pos, {s});
        Value use = e.andi(kept, e.cmpi(IP::sge, at, e.c(0)));
        return e.ifElse1(
            use, e.f32(),
            [&] {
              Value wv = e.load(w, {tt, jj});
              return e.addf(acc, e.mulf(wv, e.load(ys, {at, col})));
            },
            [&] { return acc; });
      });
      e.store(acc, out, {tt, col});
    });
    return SmallVector<Value>{out};
  }
  // Per-slot form.
  Value t = a.getNumTokens();
  Value k = e.c(*op.getK());
  Value nslots = e.muli(t, k);
  Value out = allocResult(e, op.getType(), {t, d});
  perItem(e, p, [&](Value pp) {
    Value s = e.toIndex(e.load(slots, {pp}));
    Value pad = e.cmpi(IP::slt, s, e.c(0));
    Value bad = e.ori(e.andi(pad, e.cmpi(IP::ne, s, e.c(-1))),
                      e.cmpi(IP::sge, s, nslots));
    reportError(e, op, bad, rangeMsg, s, pp);
  });
  perRowCol(e, t, d, [&](Value tt, Value col) {
    Value acc = e.forLoopAcc1(e.c(0), p, e.cf(0), [&](Value pp, Value acc) {
      Value s = e.toIndex(e.load(slots, {pp}));
      Value valid =
          e.andi(e.cmpi(IP::sge, s, e.c(0)), e.cmpi(IP::slt, s, nslots));
      Value mine = e.andi(valid, e.cmpi(IP::eq, e.divsi(s, k), tt));
      return e.ifElse1(
          mine, e.f32(),
          [&] {
            return e.addf(acc,
                          e.mulf(e.load(w, {pp}), e.load(ys, {pp, col})));
          },
          [&] { return acc; });
    });
    e.store(acc, out, {tt, col});
  });
  return SmallVector<Value>{out};
}

//===----------------------------------------------------------------------===//
// Losses
//===----------------------------------------------------------------------===//

static Value rowValid(Emit &e, Value mask, Value t) {
  return mask ? e.nonzero(e.load(mask, {t})) : e.ci1(true);
}

// One block: per expert (one thread each, 256 at a time) the probability
// sum and the selection count over the valid tokens in token order; thread 0
// then reports the first out-of-range id (token, choice order) and combines
// E * sum_e c_e P_e / T'^2 in expert order: the CPU lowering's arithmetic.
FailureOr<SmallVector<Value>>
cuda::buildLoadBalanceLossKernel(Emit &e, Operation *o,
                                 ArrayRef<Value> operands) {
  auto op = cast<LoadBalanceLossOp>(o);
  SmallVector<Value> guarded = guardEqualDimsOnDevice(e, op, operands);
  LoadBalanceLossOp::Adaptor a(guarded, op);
  Value probs = a.getProbs(), idx = a.getIndices(), mask = a.getMask();
  Value t = e.dim(probs, 0), E = e.dim(probs, 1), k = e.dim(idx, 1);
  Value out = allocResult(e, op.getType(), {});
  Value cnt = e.allocSized({E}, e.f32());
  Value psum = e.allocSized({E}, e.f32());
  singleBlock(e, [&] {
    blockChunks(e, E, [&](Value ex) {
      SmallVector<Value> acc = e.forLoopAcc(
          e.c(0), t, ValueRange{e.cf(0), e.cf(0)},
          [&](Value tt, ValueRange args) -> SmallVector<Value> {
            return e.ifElse(
                rowValid(e, mask, tt), TypeRange{e.f32(), e.f32()},
                [&]() -> SmallVector<Value> {
                  Value ps = e.addf(args[0], e.load(probs, {tt, ex}));
                  Value c = e.forLoopAcc1(e.c(0), k, args[1], [&](Value jj,
                                                                  Value c) {
                    Value id = e.toIndex(e.load(idx, {tt, jj}));
                    return e.select(e.cmpi(IP::eq, id, ex),
                                    e.addf(c, e.cf(1)), c);
                  });
                  return {ps, c};
                },
                [&]() -> SmallVector<Value> { return {args[0], args[1]}; });
          });
      e.store(acc[0], psum, {ex});
      e.store(acc[1], cnt, {ex});
    });
    threadZero(e, [&] {
      Value valid = e.forLoopAcc1(e.c(0), t, e.cf(0), [&](Value tt,
                                                          Value acc) {
        Value ok = rowValid(e, mask, tt);
        e.ifThen(ok, [&] {
          e.forLoop(k, [&](Value jj) {
            Value id = e.toIndex(e.load(idx, {tt, jj}));
            Value bad =
                e.ori(e.cmpi(IP::slt, id, e.c(0)), e.cmpi(IP::sge, id, E));
            reportError(e, op, bad,
                        "expert index {0} out of range at token {1}", id, tt);
          });
        });
        return e.select(ok, e.addf(acc, e.cf(1)), acc);
      });
      Value sum = e.forLoopAcc1(e.c(0), E, e.cf(0), [&](Value ex, Value acc) {
        return e.addf(acc, e.mulf(e.load(cnt, {ex}), e.load(psum, {ex})));
      });
      Value loss = e.divf(e.mulf(e.indexToF32(E), sum), e.mulf(valid, valid));
      e.store(e.select(e.arithEqZero(valid), e.cf(0), loss), out, {});
    });
  });
  return SmallVector<Value>{out};
}

// One block: thread i sums lse^2 and the valid count of tokens i, i + 256,
// ... into shared partials; thread 0 adds the 256 partials in order. The
// summation order differs from the CPU lowering's (sequential over tokens):
// results agree to rounding, deterministically.
FailureOr<SmallVector<Value>>
cuda::buildRouterZLossKernel(Emit &e, Operation *o, ArrayRef<Value> operands) {
  auto op = cast<RouterZLossOp>(o);
  SmallVector<Value> guarded = guardEqualDimsOnDevice(e, op, operands);
  RouterZLossOp::Adaptor a(guarded, op);
  Value logits = a.getLogits(), mask = a.getMask();
  Value t = e.dim(logits, 0), E = e.dim(logits, 1);
  Value out = allocResult(e, op.getType(), {});
  singleBlock(e, [&] {
    Value part = allocWorkgroup(e.b, e.loc, {kThreads}, e.f32());
    Value num = allocWorkgroup(e.b, e.loc, {kThreads}, e.f32());
    buildThreadPhase(e.b, e.loc, kThreads, [&](Value th) {
      Value n = e.divsi(e.addi(e.subi(t, th), e.c(kThreads - 1)),
                        e.c(kThreads));
      SmallVector<Value> acc = e.forLoopAcc(
          e.c(0), e.maxsi(n, e.c(0)), ValueRange{e.cf(0), e.cf(0)},
          [&](Value i, ValueRange args) -> SmallVector<Value> {
            Value tt = e.addi(th, e.muli(i, e.c(kThreads)));
            return e.ifElse(
                rowValid(e, mask, tt), TypeRange{e.f32(), e.f32()},
                [&]() -> SmallVector<Value> {
                  Value m = e.forLoopAcc1(
                      e.c(0), E, e.negInf(), [&](Value j, Value v) {
                        return e.maxf(v, e.load(logits, {tt, j}));
                      });
                  Value s = e.forLoopAcc1(e.c(0), E, e.cf(0), [&](Value j,
                                                                  Value v) {
                    return e.addf(v,
                                  e.exp(e.subf(e.load(logits, {tt, j}), m)));
                  });
                  Value mInf = e.cmpf(arith::CmpFPredicate::OEQ, e.absf(m),
                                      e.posInf());
                  Value lse = e.select(mInf, m, e.addf(m, e.log(s)));
                  return {e.addf(args[0], e.mulf(lse, lse)),
                          e.addf(args[1], e.cf(1))};
                },
                [&]() -> SmallVector<Value> { return {args[0], args[1]}; });
          });
      e.store(acc[0], part, {th});
      e.store(acc[1], num, {th});
    });
    threadZero(e, [&] {
      SmallVector<Value> acc = e.forLoopAcc(
          e.c(0), e.c(kThreads), ValueRange{e.cf(0), e.cf(0)},
          [&](Value i, ValueRange args) -> SmallVector<Value> {
            return {e.addf(args[0], e.load(part, {i})),
                    e.addf(args[1], e.load(num, {i}))};
          });
      Value none = e.arithEqZero(acc[1]);
      e.store(e.select(none, e.cf(0), e.divf(acc[0], acc[1])), out, {});
    });
  });
  return SmallVector<Value>{out};
}

//===----------------------------------------------------------------------===//
// expert_choice_gate, topk
//===----------------------------------------------------------------------===//

// Two kernels: one thread per token writes its softmax row (the CPU
// lowering's max / exp-sum / divide) to a [T, E] scratch buffer; one thread
// per expert selects its C tokens with the common selection helper.
FailureOr<SmallVector<Value>>
cuda::buildExpertChoiceGateKernel(Emit &e, Operation *o,
                                  ArrayRef<Value> operands) {
  auto op = cast<ExpertChoiceGateOp>(o);
  SmallVector<Value> guarded = guardEqualDimsOnDevice(e, op, operands);
  ExpertChoiceGateOp::Adaptor a(guarded, op);
  Value logits = a.getLogits();
  int64_t ne = cast<RankedTensorType>(op.getLogits().getType()).getDimSize(1);
  Value t = e.dim(logits, 0), E = e.c(ne);
  Value c = emitExpertChoiceCapacity(e, op, t);
  Value weights = allocResult(e, op.getWeights().getType(), {E, c});
  Value tokens = allocResult(e, op.getTokens().getType(), {E, c});
  Value s = e.allocSized({t, E}, e.f32());
  perItem(e, t, [&](Value tt) {
    Value m = e.forLoopAcc1(e.c(0), E, e.negInf(), [&](Value i, Value acc) {
      return e.maxf(acc, e.load(logits, {tt, i}));
    });
    Value sum = e.forLoopAcc1(e.c(0), E, e.cf(0), [&](Value i, Value acc) {
      Value x = e.exp(e.subf(e.load(logits, {tt, i}), m));
      e.store(x, s, {tt, i});
      return e.addf(acc, x);
    });
    e.forLoop(E, [&](Value i) {
      e.store(e.divf(e.load(s, {tt, i}), sum), s, {tt, i});
    });
  });
  perItem(e, E, [&](Value ex) {
    emitExpertChoiceSelect(e, s, ex, c, t, weights, tokens);
  });
  return SmallVector<Value>{weights, tokens};
}

// One thread per row (every index of the leading dims): the common
// selection helper, O(N k) per row, the CPU lowering's loop.
FailureOr<SmallVector<Value>>
cuda::buildTopkKernel(Emit &e, Operation *o, ArrayRef<Value> operands) {
  auto op = cast<TopkOp>(o);
  SmallVector<Value> guarded = guardEqualDimsOnDevice(e, op, operands);
  TopkOp::Adaptor a(guarded, op);
  Value x = a.getX();
  TopkShape s = emitTopkShape(e, op, x);
  unsigned lead = s.sizes.size() - 1;
  Value rows = e.c(1);
  for (unsigned i = 0; i < lead; ++i)
    rows = e.muli(rows, s.sizes[i]);
  perItem(e, rows, [&](Value r) {
    SmallVector<Value> ivs(lead);
    Value rest = r;
    for (int i = (int)lead - 1; i >= 0; --i) {
      ivs[i] = e.remsi(rest, s.sizes[i]);
      rest = e.divsi(rest, s.sizes[i]);
    }
    emitTopkRow(e, op, x, ivs, s);
    e.forLoop(s.kk, s.k, [&](Value j) {
      ivs.push_back(j);
      e.store(e.cf(0), s.values, ivs);
      e.store(e.ci32(0), s.indices, ivs);
      ivs.pop_back();
    });
  });
  return SmallVector<Value>{s.values, s.indices};
}
