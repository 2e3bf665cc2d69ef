//===- LowerCommon.cpp - helpers shared by the op lowerings ---------------===//

#include "codegen/common/Lowering.h"

#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::sluice;
using namespace mlir::sluice::codegen;
using P = arith::CmpFPredicate;
using IP = arith::CmpIPredicate;

Value codegen::allocResult(Emit &e, Type tensorType, ArrayRef<Value> sizes) {
  auto t = cast<RankedTensorType>(tensorType);
  SmallVector<Value> dyn;
  for (auto [i, s] : llvm::enumerate(t.getShape()))
    if (ShapedType::isDynamic(s))
      dyn.push_back(sizes[i]);
  return e.alloc(MemRefType::get(t.getShape(), t.getElementType()), dyn);
}

Value codegen::keyBefore(Emit &e, bool largest, const Key &a, const Key &b) {
  Value nanA = e.isNan(a.value), nanB = e.isNan(b.value);
  Value idxLess = e.cmpi(IP::slt, a.index, b.index);
  Value strictly = e.cmpf(largest ? P::OGT : P::OLT, a.value, b.value);
  Value equal = e.cmpf(P::OEQ, a.value, b.value);
  Value plain = e.ori(strictly, e.andi(equal, idxLess));
  // Both NaN: index order; one NaN: the other one first.
  Value r = e.select(e.andi(nanA, nanB), idxLess,
                     e.select(nanA, e.ci1(false),
                              e.select(nanB, e.ci1(true), plain)));
  if (!a.demoted)
    return r;
  Value differ = e.cmpi(IP::ne, a.demoted, b.demoted);
  return e.select(differ, e.noti(a.demoted), r);
}

void codegen::emitSelect(Emit &e, Value k, Value n, bool largest,
                         function_ref<Key(Value)> key,
                         function_ref<void(Value, const Key &)> out) {
  Value f = e.ci1(false);
  Value none = e.c(-1);
  // Carried: the previous pick (demoted, value, index).
  e.forLoopAcc(
      e.c(0), k, ValueRange{f, e.cf(0), none},
      [&](Value j, ValueRange prevArgs) -> SmallVector<Value> {
        Key prev{prevArgs[0], prevArgs[1], prevArgs[2]};
        Value first = e.cmpi(IP::eq, j, e.c(0));
        SmallVector<Value> best = e.forLoopAcc(
            e.c(0), n, ValueRange{f, e.cf(0), none},
            [&](Value i, ValueRange bestArgs) -> SmallVector<Value> {
              Key cand = key(i);
              cand.index = i;
              if (!cand.demoted)
                cand.demoted = f;
              Key cur{bestArgs[0], bestArgs[1], bestArgs[2]};
              Value eligible = e.ori(first, keyBefore(e, largest, prev, cand));
              Value noBest = e.cmpi(IP::eq, cur.index, none);
              Value improves = e.ori(noBest, keyBefore(e, largest, cand, cur));
              Value take = e.andi(eligible, improves);
              return {e.select(take, cand.demoted, cur.demoted),
                      e.select(take, cand.value, cur.value),
                      e.select(take, cand.index, cur.index)};
            });
        Key pick{best[0], best[1], best[2]};
        out(j, pick);
        return best;
      });
}

Value codegen::emitActivation(Emit &e, Activation act, Value x) {
  switch (act) {
  case Activation::silu:
    return e.mulf(x, e.sigmoid(x));
  case Activation::gelu:
    // 0.5 x (1 + erf(x / sqrt(2)))
    return e.mulf(e.mulf(e.cf(0.5), x),
                  e.addf(e.cf(1.0), e.erf(e.mulf(x, e.cf(M_SQRT1_2)))));
  case Activation::gelu_tanh: {
    // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
    Value x3 = e.mulf(e.mulf(x, x), x);
    Value inner = e.mulf(e.cf(0.7978845608028654),
                         e.addf(x, e.mulf(e.cf(0.044715), x3)));
    return e.mulf(e.mulf(e.cf(0.5), x), e.addf(e.cf(1.0), e.tanh(inner)));
  }
  case Activation::relu:
    return e.maxf(x, e.cf(0.0));
  case Activation::sigmoid:
    return e.sigmoid(x);
  }
  llvm_unreachable("unknown activation");
}

void codegen::emitCapacityKeep(Emit &e, Value indices, Value weights,
                               int64_t numExperts, int64_t capacity,
                               DropPolicy drop, Value keepFlat) {
  Value t = e.dim(indices, 0), k = e.dim(indices, 1);
  Value ne = e.c(numExperts);
  auto idAt = [&](Value tt, Value jj) {
    return e.toIndex(e.load(indices, {tt, jj}));
  };
  auto inRange = [&](Value id) {
    return e.andi(e.cmpi(IP::sge, id, e.c(0)), e.cmpi(IP::slt, id, ne));
  };
  auto slotOf = [&](Value tt, Value jj) { return e.addi(e.muli(tt, k), jj); };
  e.fill(keepFlat, e.ci32(0));
  if (capacity <= 0) {
    e.forLoop(t, [&](Value tt) {
      e.forLoop(k, [&](Value jj) {
        Value ok = inRange(idAt(tt, jj));
        e.store(e.select(ok, e.ci32(1), e.ci32(0)), keepFlat,
                {slotOf(tt, jj)});
      });
    });
    return;
  }
  Value cap = e.c(capacity);
  if (drop == DropPolicy::by_weight) {
    // Rank of each candidate among its expert's candidates by descending
    // weight (common order, ties by ascending slot); keep if rank < cap.
    e.forLoop(t, [&](Value tt) {
      e.forLoop(k, [&](Value jj) {
        Value id = idAt(tt, jj);
        Value s = slotOf(tt, jj);
        e.ifThen(inRange(id), [&] {
          Key me{Value(), e.load(weights, {tt, jj}), s};
          Value rank = e.forLoopAcc1(e.c(0), t, e.c(0), [&](Value t2, Value r) {
            return e.forLoopAcc1(e.c(0), k, r, [&](Value j2, Value r2) {
              Value same = e.cmpi(IP::eq, idAt(t2, j2), id);
              Key other{Value(), e.load(weights, {t2, j2}), slotOf(t2, j2)};
              Value before = e.andi(same, keyBefore(e, true, other, me));
              return e.select(before, e.addi(r2, e.c(1)), r2);
            });
          });
          Value keep = e.cmpi(IP::slt, rank, cap);
          e.store(e.select(keep, e.ci32(1), e.ci32(0)), keepFlat, {s});
        });
      });
    });
    return;
  }
  // by_order (t, then j) or by_choice (j, then t): running count per expert.
  Value counts = e.allocSized({ne}, e.idx());
  e.fill(counts, e.c(0));
  auto visit = [&](Value tt, Value jj) {
    Value id = idAt(tt, jj);
    e.ifThen(inRange(id), [&] {
      Value n = e.load(counts, {id});
      Value keep = e.cmpi(IP::slt, n, cap);
      e.store(e.select(keep, e.ci32(1), e.ci32(0)), keepFlat,
              {slotOf(tt, jj)});
      e.store(e.addi(n, e.c(1)), counts, {id});
    });
  };
  if (drop == DropPolicy::by_order)
    e.forLoop(t, [&](Value tt) { e.forLoop(k, [&](Value jj) { visit(tt, jj); }); });
  else
    e.forLoop(k, [&](Value jj) { e.forLoop(t, [&](Value tt) { visit(tt, jj); }); });
}

void codegen::emitCheckOffsets(Emit &e, Operation *op, Value offsets,
                               Value rows, StringRef what) {
  Value n = e.dim(offsets, 0);
  Value first = e.toIndex(e.load(offsets, {e.c(0)}));
  emitRuntimeCheck(e, op, e.cmpi(IP::ne, first, e.c(0)),
                   (what + " must start at 0, got {0}").str(), first);
  e.forLoop(e.c(1), n, [&](Value i) {
    Value prev = e.toIndex(e.load(offsets, {e.subi(i, e.c(1))}));
    Value cur = e.toIndex(e.load(offsets, {i}));
    emitRuntimeCheck(e, op, e.cmpi(IP::slt, cur, prev),
                     (what + " must be nondecreasing: entry {0} is {1}").str(),
                     i, cur);
  });
  Value last = e.toIndex(e.load(offsets, {e.subi(n, e.c(1))}));
  emitRuntimeCheck(e, op, e.cmpi(IP::ne, last, rows),
                   (what + " must end at the row count {1}, got {0}").str(),
                   last, rows);
}

void codegen::forEachIndex(Emit &e, Value memref, unsigned rank,
                           function_ref<void(ValueRange)> body) {
  SmallVector<Value> ivs;
  std::function<void(unsigned)> rec = [&](unsigned d) {
    if (d == rank) {
      body(ivs);
      return;
    }
    e.forLoop(e.dim(memref, d), [&](Value iv) {
      ivs.push_back(iv);
      rec(d + 1);
      ivs.pop_back();
    });
  };
  rec(0);
}

FailureOr<SmallVector<Value>>
codegen::lowerToBuffers(Operation *op, OpBuilder &b, ArrayRef<Value> operands) {
  Emit e(b, op->getLoc());
  return llvm::TypeSwitch<Operation *, FailureOr<SmallVector<Value>>>(op)
      .Case<TopkGateOp, ExpertChoiceGateOp, GluOp, SigmoidGateOp, TopkOp>(
          [&](Operation *) { return lowerGating(e, op, operands); })
      .Case<RouteOp, DispatchOp, GroupedMatmulOp, CombineOp, LoadBalanceLossOp,
            RouterZLossOp>(
          [&](Operation *) { return lowerRouting(e, op, operands); })
      .Case<MoeOp>([&](Operation *) { return lowerMoe(e, op, operands); })
      .Case<PoolOp, SegmentPoolOp, AdaptivePoolOp, SpatialPyramidPoolOp,
            AttentionPoolOp>(
          [&](Operation *) { return lowerPooling(e, op, operands); })
      .Case<LoraMatmulOp, MultiLoraMatmulOp, LowrankMatmulOp>(
          [&](Operation *) { return lowerLowRank(e, op, operands); })
      .Case<SparsifyOp, SparseMatmulOp>(
          [&](Operation *) { return lowerSparse(e, op, operands); })
      .Default([&](Operation *) -> FailureOr<SmallVector<Value>> {
        return op->emitOpError("has no buffer lowering");
      });
}
