//===- LowerGating.cpp - topk_gate, expert_choice_gate, glu, ... ----------===//
//
// Buffer-level lowering of the gating ops and sluice.topk.
//
//===----------------------------------------------------------------------===//

#include "codegen/common/GatingShared.h"

using namespace mlir;
using namespace mlir::sluice;
using namespace mlir::sluice::codegen;
using P = arith::CmpFPredicate;
using IP = arith::CmpIPredicate;

/// Softmax of row `t` of `src` (columns [0, n)) into `dst[0..n)`, with the
/// values read through `at(i)`. Max-subtracted.
static void emitSoftmaxRow(Emit &e, Value n, function_ref<Value(Value)> at,
                           Value dst) {
  Value m = e.forLoopAcc1(e.c(0), n, e.negInf(),
                          [&](Value i, Value acc) { return e.maxf(acc, at(i)); });
  Value sum = e.forLoopAcc1(e.c(0), n, e.cf(0), [&](Value i, Value acc) {
    Value x = e.exp(e.subf(at(i), m));
    e.store(x, dst, {i});
    return e.addf(acc, x);
  });
  e.forLoop(n, [&](Value i) {
    e.store(e.divf(e.load(dst, {i}), sum), dst, {i});
  });
}

static SmallVector<Value> lowerTopkGate(Emit &e, TopkGateOp op,
                                        TopkGateOp::Adaptor a) {
  Value logits = a.getLogits(), bias = a.getBias();
  int64_t ne = cast<RankedTensorType>(op.getLogits().getType()).getDimSize(1);
  int64_t k = op.getK(), groups = op.getGroups(),
          topkGroups = op.getTopkGroups();
  int64_t perGroup = ne / groups;
  ScoreFunc score = op.getScore();
  Value t = e.dim(logits, 0), E = e.c(ne), K = e.c(k);
  Value weights = allocResult(e, op.getWeights().getType(), {t, K});
  Value indices = allocResult(e, op.getIndices().getType(), {t, K});
  // Per-token scratch, on the stack of each parallel iteration.
  Value s, key, kept, gval, zs;
  Value invTemp = e.cf(1.0 / op.getTemperature().convertToDouble());
  bool divide = !op.getTemperature().isExactlyValue(1.0);
  Value temp = e.cf(op.getTemperature().convertToDouble());

  // Tokens are independent: they run in parallel on the runtime's pool.
  e.parallelFor(t, [&](Value tt) {
    s = e.allocaSized({E}, e.f32());   // scores
    key = e.allocaSized({E}, e.f32()); // selection keys
    kept = groups > 1 ? e.allocaSized({e.c(groups)}, e.b.getI1Type()) : Value();
    gval = groups > 1 ? e.allocaSized({e.c(groups)}, e.f32()) : Value();
    zs = e.allocaSized({K}, e.f32());
    (void)invTemp;
    auto z = [&](Value i) {
      Value l = e.load(logits, {tt, i});
      return divide ? e.divf(l, temp) : l;
    };
    if (score == ScoreFunc::softmax) {
      emitSoftmaxRow(e, E, z, s);
    } else {
      e.forLoop(E, [&](Value i) {
        Value v = z(i);
        e.store(score == ScoreFunc::sigmoid ? e.sigmoid(v) : v, s, {i});
      });
    }
    e.forLoop(E, [&](Value i) {
      Value v = e.load(s, {i});
      e.store(bias ? e.addf(v, e.load(bias, {i})) : v, key, {i});
    });
    if (groups > 1) {
      // Group values: max key or sum of the top-2 keys, in the common order.
      int64_t take = op.getGroupScore() == GroupScore::max ? 1 : 2;
      e.forLoop(e.c(groups), [&](Value g) {
        Value base = e.muli(g, e.c(perGroup));
        e.store(e.cf(0), gval, {g});
        emitSelect(
            e, e.c(take), e.c(perGroup), /*largest=*/true,
            [&](Value i) { return Key{Value(), e.load(key, {e.addi(base, i)}), i}; },
            [&](Value, const Key &pick) {
              e.store(e.addf(e.load(gval, {g}), pick.value), gval, {g});
            });
        e.store(e.ci1(false), kept, {g});
      });
      emitSelect(
          e, e.c(topkGroups), e.c(groups), /*largest=*/true,
          [&](Value g) { return Key{Value(), e.load(gval, {g}), g}; },
          [&](Value, const Key &pick) { e.store(e.ci1(true), kept, {pick.index}); });
    }
    emitSelect(
        e, K, E, /*largest=*/true,
        [&](Value i) {
          Value demoted;
          if (groups > 1)
            demoted = e.noti(e.load(kept, {e.divsi(i, e.c(perGroup))}));
          return Key{demoted, e.load(key, {i}), i};
        },
        [&](Value j, const Key &pick) {
          e.store(e.toI32(pick.index), indices, {tt, j});
        });
    // Weights: unbiased scores at the picks (softmax of the picked z for
    // softmax_topk), renormalized and scaled.
    auto pickedIdx = [&](Value j) { return e.toIndex(e.load(indices, {tt, j})); };
    if (score == ScoreFunc::softmax_topk) {
      emitSoftmaxRow(e, K, [&](Value j) { return z(pickedIdx(j)); }, zs);
      e.forLoop(K, [&](Value j) { e.store(e.load(zs, {j}), weights, {tt, j}); });
    } else {
      e.forLoop(K, [&](Value j) {
        e.store(e.load(s, {pickedIdx(j)}), weights, {tt, j});
      });
    }
    if (op.getRenormalize()) {
      Value sum = e.forLoopAcc1(e.c(0), K, e.cf(0), [&](Value j, Value acc) {
        return e.addf(acc, e.load(weights, {tt, j}));
      });
      Value denom = e.addf(sum, e.cf(1e-20));
      e.forLoop(K, [&](Value j) {
        e.store(e.divf(e.load(weights, {tt, j}), denom), weights, {tt, j});
      });
    }
    if (!op.getScale().isExactlyValue(1.0)) {
      Value sc = e.cf(op.getScale().convertToDouble());
      e.forLoop(K, [&](Value j) {
        e.store(e.mulf(e.load(weights, {tt, j}), sc), weights, {tt, j});
      });
    }
  });
  return {weights, indices};
}

static SmallVector<Value> lowerExpertChoice(Emit &e, ExpertChoiceGateOp op,
                                            ExpertChoiceGateOp::Adaptor a) {
  Value logits = a.getLogits();
  int64_t ne = cast<RankedTensorType>(op.getLogits().getType()).getDimSize(1);
  Value t = e.dim(logits, 0), E = e.c(ne);
  Value c = emitExpertChoiceCapacity(e, op, t);
  Value weights = allocResult(e, op.getWeights().getType(), {E, c});
  Value tokens = allocResult(e, op.getTokens().getType(), {E, c});
  Value s = e.allocSized({t, E}, e.f32());
  Value row = e.allocSized({E}, e.f32());
  e.forLoop(t, [&](Value tt) {
    emitSoftmaxRow(e, E, [&](Value i) { return e.load(logits, {tt, i}); }, row);
    e.forLoop(E, [&](Value i) { e.store(e.load(row, {i}), s, {tt, i}); });
  });
  e.forLoop(E, [&](Value ex) {
    emitExpertChoiceSelect(e, s, ex, c, t, weights, tokens);
  });
  return {weights, tokens};
}

static SmallVector<Value> lowerGlu(Emit &e, GluOp op, GluOp::Adaptor a) {
  Value gate = a.getGate(), up = a.getUp();
  auto type = cast<RankedTensorType>(op.getType());
  SmallVector<Value> sizes;
  for (unsigned i = 0; i < type.getRank(); ++i)
    sizes.push_back(e.dim(gate, i));
  Value out = allocResult(e, type, sizes);
  forEachIndex(e, gate, type.getRank(), [&](ValueRange ivs) {
    Value g = e.load(gate, ivs);
    e.store(e.mulf(emitActivation(e, op.getAct(), g), e.load(up, ivs)), out,
            ivs);
  });
  return {out};
}

static SmallVector<Value> lowerSigmoidGate(Emit &e, SigmoidGateOp op,
                                           SigmoidGateOp::Adaptor a) {
  Value x = a.getX(), g = a.getG();
  Value t = e.dim(x, 0), cols = e.dim(x, 1), heads = e.dim(g, 1);
  Value out = allocResult(e, op.getType(), {t, cols});
  Value width = e.divsi(cols, e.maxsi(heads, e.c(1)));
  // The columns of x split into the heads of g (H*Dh, or H = H*Dh).
  Value rem = e.remsi(cols, e.maxsi(heads, e.c(1)));
  Value fits = e.ori(e.cmpi(IP::eq, cols, heads),
                     e.andi(e.cmpi(IP::sgt, heads, e.c(0)),
                            e.cmpi(IP::eq, rem, e.c(0))));
  auto xt = cast<MemRefType>(x.getType()), gt = cast<MemRefType>(g.getType());
  if (xt.isDynamicDim(1) || gt.isDynamicDim(1))
    emitRuntimeCheck(e, op, e.noti(fits),
                     "expects the columns of x ({0}) to be a multiple of the "
                     "heads of g ({1})",
                     cols, heads);
  e.ifThen(fits, [&] {
    e.forLoop(t, [&](Value tt) {
      e.forLoop(cols, [&](Value cc) {
        Value gv = e.load(g, {tt, e.divsi(cc, e.maxsi(width, e.c(1)))});
        e.store(e.mulf(e.load(x, {tt, cc}), e.sigmoid(gv)), out, {tt, cc});
      });
    });
  });
  return {out};
}

static FailureOr<SmallVector<Value>> lowerTopk(Emit &e, TopkOp op,
                                               TopkOp::Adaptor a) {
  Value x = a.getX();
  TopkShape s = emitTopkShape(e, op, x);
  e.fill(s.values, e.cf(0));
  e.fill(s.indices, e.ci32(0));
  forEachIndex(e, x, s.sizes.size() - 1,
               [&](ValueRange lv) {
                 emitTopkRow(e, op, x, SmallVector<Value>(lv), s);
               });
  return SmallVector<Value>{s.values, s.indices};
}

//===----------------------------------------------------------------------===//
// Shared with the CUDA schedules (GatingShared.h)
//===----------------------------------------------------------------------===//

Value codegen::emitExpertChoiceCapacity(Emit &e, ExpertChoiceGateOp op,
                                        Value t) {
  if (auto cap = op.getCapacityAttr())
    return e.minsi(e.c(cap.getInt()), t);
  // ceil(T * cf / E) in f64 from the f32 value, clamped to T.
  int64_t ne = cast<RankedTensorType>(op.getLogits().getType()).getDimSize(1);
  double cf = op.getCapacityFactorAttr().getValue().convertToFloat();
  Value tf = arith::SIToFPOp::create(e.b, e.loc, e.b.getF64Type(), e.toI64(t));
  Value prod = arith::MulFOp::create(
      e.b, e.loc, tf,
      arith::ConstantOp::create(e.b, e.loc, e.b.getF64FloatAttr(cf)));
  Value q = arith::DivFOp::create(
      e.b, e.loc, prod,
      arith::ConstantOp::create(e.b, e.loc, e.b.getF64FloatAttr((double)ne)));
  Value ceil = math::CeilOp::create(e.b, e.loc, q);
  Value ci = arith::FPToSIOp::create(e.b, e.loc, e.i64(), ceil);
  return e.minsi(e.toIndex(ci), t);
}

void codegen::emitExpertChoiceSelect(Emit &e, Value s, Value ex, Value c,
                                     Value t, Value weights, Value tokens) {
  emitSelect(
      e, c, t, /*largest=*/true,
      [&](Value tt) { return Key{Value(), e.load(s, {tt, ex}), tt}; },
      [&](Value j, const Key &pick) {
        e.store(pick.value, weights, {ex, j});
        e.store(e.toI32(pick.index), tokens, {ex, j});
      });
}

TopkShape codegen::emitTopkShape(Emit &e, TopkOp op, Value x) {
  auto type = cast<RankedTensorType>(op.getX().getType());
  unsigned lead = type.getRank() - 1;
  TopkShape s;
  for (unsigned i = 0; i < lead; ++i)
    s.sizes.push_back(e.dim(x, i));
  s.n = e.dim(x, lead);
  s.k = e.c(op.getK());
  if (type.isDynamicDim(lead))
    emitRuntimeCheck(e, op, e.cmpi(IP::sgt, s.k, s.n),
                     "k = {0} exceeds the size of the last dim, {1}", s.k, s.n);
  s.kk = e.minsi(s.k, s.n);
  s.sizes.push_back(s.k);
  s.values = allocResult(e, op.getValues().getType(), s.sizes);
  s.indices = allocResult(e, op.getIndices().getType(), s.sizes);
  return s;
}

void codegen::emitTopkRow(Emit &e, TopkOp op, Value x, ArrayRef<Value> rowIvs,
                          const TopkShape &s) {
  SmallVector<Value> ivs(rowIvs);
  emitSelect(
      e, s.kk, s.n, op.getLargest(),
      [&](Value i) {
        ivs.push_back(i);
        Key key{Value(), e.load(x, ivs), i};
        ivs.pop_back();
        return key;
      },
      [&](Value j, const Key &pick) {
        ivs.push_back(j);
        e.store(pick.value, s.values, ivs);
        e.store(e.toI32(pick.index), s.indices, ivs);
        ivs.pop_back();
      });
}

FailureOr<SmallVector<Value>>
codegen::lowerGating(Emit &e, Operation *op, ArrayRef<Value> operands) {
  ValueRange ops(operands);
  if (auto o = dyn_cast<TopkGateOp>(op))
    return lowerTopkGate(e, o, TopkGateOp::Adaptor(ops, o));
  if (auto o = dyn_cast<ExpertChoiceGateOp>(op))
    return lowerExpertChoice(e, o, ExpertChoiceGateOp::Adaptor(ops, o));
  if (auto o = dyn_cast<GluOp>(op))
    return lowerGlu(e, o, GluOp::Adaptor(ops, o));
  if (auto o = dyn_cast<SigmoidGateOp>(op))
    return lowerSigmoidGate(e, o, SigmoidGateOp::Adaptor(ops, o));
  if (auto o = dyn_cast<TopkOp>(op))
    return lowerTopk(e, o, TopkOp::Adaptor(ops, o));
  return failure();
}
