//===- KernelsGating.cpp - CUDA schedule of sluice.topk_gate --------------===//
//
// One warp per token, four tokens per 128-thread block, grid ceil(T / 4);
// lane l owns experts l, l + 32, ... (any E). Softmax max and sum are warp
// butterflies; each of the k picks is a warp arg-max over a 64-bit key that
// orders candidates exactly as the common selection order:
//
//   key = kept-group bit << 63 | ord(score + bias) << 31 | (2^31 - 1 - e)
//
// with ord a monotone map of f32 to u32 (NaN lowest, -0 == +0), so ties go
// to the lower expert and demoted groups rank below every kept expert. Pick
// j takes the largest key below pick j-1's. Group values (DeepSeek groups)
// are computed by lane 0 with the common selection helper.
//
//===----------------------------------------------------------------------===//

#include "codegen/common/Lowering.h"
#include "codegen/cuda/BlockProgram.h"

using namespace mlir;
using namespace mlir::sluice;
using namespace mlir::sluice::codegen;
using namespace mlir::sluice::cuda;
using IP = arith::CmpIPredicate;

static constexpr int64_t kWarps = 4;
static constexpr int64_t kThreads = kWarps * kWarpSize;

namespace {
/// 64-bit key arithmetic.
struct Bits {
  Emit &e;
  Value i64c(int64_t v) { return e.ci64(v); }
  Value i32c(int32_t v) { return e.ci32(v); }
  Value shl(Value a, int64_t s) {
    return arith::ShLIOp::create(e.b, e.loc, a, i64c(s));
  }
  Value bor(Value a, Value b) { return arith::OrIOp::create(e.b, e.loc, a, b); }
  Value band(Value a, Value b) {
    return arith::AndIOp::create(e.b, e.loc, a, b);
  }
  Value bxor(Value a, Value b) {
    return arith::XOrIOp::create(e.b, e.loc, a, b);
  }
  Value zext64(Value a) {
    return arith::ExtUIOp::create(e.b, e.loc, e.i64(), a);
  }
  /// Monotone f32 -> u32 (as i32): larger value, larger key; NaN -> 0.
  Value ord(Value v) {
    Value canon = e.select(e.arithEqZero(v), e.cf(0), v); // -0 -> +0
    Value bits = arith::BitcastOp::create(e.b, e.loc, e.i32(), canon);
    Value neg = e.cmpi(IP::slt, bits, i32c(0));
    Value flipped = e.select(neg, bxor(bits, i32c(-1)),
                             bor(bits, i32c(INT32_MIN)));
    return e.select(e.isNan(v), i32c(0), flipped);
  }
  Value key(Value kept, Value v, Value expert) {
    Value idx = e.toI64(expert);
    Value low = arith::SubIOp::create(e.b, e.loc, i64c(0x7fffffff), idx);
    Value k = bor(shl(zext64(ord(v)), 31), low);
    return kept ? bor(shl(zext64(kept), 63), k) : bor(i64c(INT64_MIN), k);
  }
  Value expertOf(Value key) {
    Value low = band(key, i64c(0x7fffffff));
    return e.toIndex(arith::SubIOp::create(e.b, e.loc, i64c(0x7fffffff), low));
  }
};
} // namespace

FailureOr<SmallVector<Value>>
cuda::buildTopkGateKernel(Emit &e, Operation *o, ArrayRef<Value> operands) {
  auto op = cast<TopkGateOp>(o);
  TopkGateOp::Adaptor a(operands, op);
  Value logits = a.getLogits(), bias = a.getBias();
  int64_t ne = cast<RankedTensorType>(op.getLogits().getType()).getDimSize(1);
  if (ShapedType::isDynamic(ne))
    return op.emitOpError("the CUDA schedule needs a static expert count");
  int64_t k = op.getK(), groups = op.getGroups(),
          topkGroups = op.getTopkGroups();
  int64_t perGroup = ne / groups;
  int64_t perLane = (ne + kWarpSize - 1) / kWarpSize;
  ScoreFunc score = op.getScore();
  bool divide = !op.getTemperature().isExactlyValue(1.0);
  double temperature = op.getTemperature().convertToDouble();
  Value t = e.dim(logits, 0), K = e.c(k);
  // A dynamic bias length was checked on the host (guardEqualDimsOnDevice):
  // a mismatching bias is a buffer of E entries here.
  Value weights = allocResult(e, op.getWeights().getType(), {t, K});
  Value indices = allocResult(e, op.getIndices().getType(), {t, K});
  Value grid = e.divsi(e.addi(t, e.c(kWarps - 1)), e.c(kWarps));
  Bits bits{e};

  buildBlockProgram(e.b, e.loc, {grid}, [&](ValueRange ids) {
    Value bx = ids[0];
    Value s = allocWorkgroup(e.b, e.loc, {kWarps, ne}, e.f32());
    Value red = allocWorkgroup(e.b, e.loc, {kThreads}, e.f32());
    Value red2 = allocWorkgroup(e.b, e.loc, {kThreads}, e.f32());
    Value keys = allocWorkgroup(e.b, e.loc, {kThreads}, e.i64());
    Value picks = allocWorkgroup(e.b, e.loc, {kWarps, k}, e.i32());
    Value kept = groups > 1 ? allocWorkgroup(e.b, e.loc, {kWarps, groups},
                                             e.b.getI1Type())
                            : Value();
    // Per thread: warp w, lane l, token tok (valid iff tok < T).
    struct Lane {
      Value w, lane, tok, valid;
    };
    auto laneOf = [&](Value tid) {
      Value w = e.divsi(tid, e.c(kWarpSize));
      Value lane = e.remsi(tid, e.c(kWarpSize));
      Value tok = e.addi(e.muli(bx, e.c(kWarps)), w);
      return Lane{w, lane, tok, e.cmpi(IP::slt, tok, t)};
    };
    auto z = [&](Value tok, Value ex) {
      Value l = e.load(logits, {tok, ex});
      return divide ? e.divf(l, e.cf(temperature)) : l;
    };
    // Folds over the lane's experts (none for an invalid token).
    auto foldExperts = [&](const Lane &ln, Value init,
                           function_ref<Value(Value, Value)> step) {
      Value trips = e.select(ln.valid, e.c(perLane), e.c(0));
      return e.forLoopAcc1(e.c(0), trips, init, [&](Value i, Value acc) {
        Value ex = e.addi(ln.lane, e.muli(i, e.c(kWarpSize)));
        return e.ifElse1(
            e.cmpi(IP::slt, ex, e.c(ne)), acc.getType(),
            [&] { return step(ex, acc); }, [&] { return acc; });
      });
    };
    auto forExperts = [&](const Lane &ln, function_ref<void(Value)> body) {
      e.ifThen(ln.valid, [&] {
        e.forLoop(e.c(perLane), [&](Value i) {
          Value ex = e.addi(ln.lane, e.muli(i, e.c(kWarpSize)));
          e.ifThen(e.cmpi(IP::slt, ex, e.c(ne)), [&] { body(ex); });
        });
      });
    };

    // Scores s[w, e].
    if (score == ScoreFunc::softmax) {
      buildThreadPhase(e.b, e.loc, kThreads, [&](Value tid) {
        Lane ln = laneOf(tid);
        e.store(foldExperts(ln, e.negInf(),
                            [&](Value ex, Value acc) {
                              return e.maxf(acc, z(ln.tok, ex));
                            }),
                red, {tid});
      });
      sluice_gpu::WarpReduceOp::create(e.b, e.loc, red,
                                       sluice_gpu::WarpReduceKind::maximumf);
      buildThreadPhase(e.b, e.loc, kThreads, [&](Value tid) {
        Lane ln = laneOf(tid);
        Value m = e.load(red, {tid});
        e.store(foldExperts(ln, e.cf(0),
                            [&](Value ex, Value acc) {
                              return e.addf(acc,
                                            e.exp(e.subf(z(ln.tok, ex), m)));
                            }),
                red2, {tid});
      });
      sluice_gpu::WarpReduceOp::create(e.b, e.loc, red2,
                                       sluice_gpu::WarpReduceKind::addf);
    }
    buildThreadPhase(e.b, e.loc, kThreads, [&](Value tid) {
      Lane ln = laneOf(tid);
      Value m, sum;
      if (score == ScoreFunc::softmax) {
        m = e.load(red, {tid});
        sum = e.load(red2, {tid});
      }
      forExperts(ln, [&](Value ex) {
        Value v = z(ln.tok, ex);
        if (score == ScoreFunc::softmax)
          v = e.divf(e.exp(e.subf(v, m)), sum);
        else if (score == ScoreFunc::sigmoid)
          v = e.sigmoid(v);
        e.store(v, s, {ln.w, ex});
      });
    });
    auto keyValue = [&](Value w, Value ex) {
      Value v = e.load(s, {w, ex});
      return bias ? e.addf(v, e.load(bias, {ex})) : v;
    };

    // DeepSeek groups: lane 0 keeps the topk_groups best groups (group value
    // = max key or sum of the top-2 keys, both in the common order).
    if (groups > 1) {
      Value gval = allocWorkgroup(e.b, e.loc, {kWarps, groups}, e.f32());
      buildThreadPhase(e.b, e.loc, kThreads, [&](Value tid) {
        Lane ln = laneOf(tid);
        Value lane0 = e.cmpi(IP::eq, ln.lane, e.c(0));
        e.ifThen(e.andi(ln.valid, lane0), [&] {
          int64_t take = op.getGroupScore() == GroupScore::max ? 1 : 2;
          e.forLoop(e.c(groups), [&](Value g) {
            Value base = e.muli(g, e.c(perGroup));
            e.store(e.cf(0), gval, {ln.w, g});
            emitSelect(
                e, e.c(take), e.c(perGroup), /*largest=*/true,
                [&](Value i) {
                  return Key{Value(), keyValue(ln.w, e.addi(base, i)), i};
                },
                [&](Value, const Key &pick) {
                  e.store(e.addf(e.load(gval, {ln.w, g}), pick.value), gval,
                          {ln.w, g});
                });
            e.store(e.ci1(false), kept, {ln.w, g});
          });
          emitSelect(
              e, e.c(topkGroups), e.c(groups), /*largest=*/true,
              [&](Value g) { return Key{Value(), e.load(gval, {ln.w, g}), g}; },
              [&](Value, const Key &pick) {
                e.store(e.ci1(true), kept, {ln.w, pick.index});
              });
        });
      });
    }

    // k rounds of warp arg-max.
    e.forLoop(K, [&](Value j) {
      buildThreadPhase(e.b, e.loc, kThreads, [&](Value tid) {
        Lane ln = laneOf(tid);
        Value first = e.cmpi(IP::eq, j, e.c(0));
        Value prev = e.select(first, bits.i64c(-1), e.load(keys, {tid}));
        Value best = foldExperts(ln, bits.i64c(0), [&](Value ex, Value acc) {
          Value keptBit;
          if (groups > 1)
            keptBit = e.load(kept, {ln.w, e.divsi(ex, e.c(perGroup))});
          Value key = bits.key(keptBit, keyValue(ln.w, ex), ex);
          Value below = e.cmpi(IP::ult, key, prev);
          Value better = e.cmpi(IP::ugt, key, acc);
          return e.select(e.andi(below, better), key, acc);
        });
        e.store(best, keys, {tid});
      });
      sluice_gpu::WarpReduceOp::create(e.b, e.loc, keys,
                                       sluice_gpu::WarpReduceKind::maxui);
      buildThreadPhase(e.b, e.loc, kThreads, [&](Value tid) {
        Lane ln = laneOf(tid);
        e.ifThen(e.andi(ln.valid, e.cmpi(IP::eq, ln.lane, e.c(0))), [&] {
          e.store(e.toI32(bits.expertOf(e.load(keys, {tid}))), picks,
                  {ln.w, j});
        });
      });
    });

    // Weights: lane 0 of each token's warp.
    buildThreadPhase(e.b, e.loc, kThreads, [&](Value tid) {
      Lane ln = laneOf(tid);
      e.ifThen(e.andi(ln.valid, e.cmpi(IP::eq, ln.lane, e.c(0))), [&] {
        Value tok = ln.tok;
        auto picked = [&](Value jj) {
          return e.toIndex(e.load(picks, {ln.w, jj}));
        };
        e.forLoop(K, [&](Value jj) {
          e.store(e.load(picks, {ln.w, jj}), indices, {tok, jj});
        });
        if (score == ScoreFunc::softmax_topk) {
          Value m = e.forLoopAcc1(e.c(0), K, e.negInf(), [&](Value jj, Value acc) {
            return e.maxf(acc, z(tok, picked(jj)));
          });
          Value sum = e.forLoopAcc1(e.c(0), K, e.cf(0), [&](Value jj, Value acc) {
            Value x = e.exp(e.subf(z(tok, picked(jj)), m));
            e.store(x, weights, {tok, jj});
            return e.addf(acc, x);
          });
          e.forLoop(K, [&](Value jj) {
            e.store(e.divf(e.load(weights, {tok, jj}), sum), weights, {tok, jj});
          });
        } else {
          e.forLoop(K, [&](Value jj) {
            e.store(e.load(s, {ln.w, picked(jj)}), weights, {tok, jj});
          });
        }
        if (op.getRenormalize()) {
          Value sum = e.forLoopAcc1(e.c(0), K, e.cf(0), [&](Value jj, Value acc) {
            return e.addf(acc, e.load(weights, {tok, jj}));
          });
          Value denom = e.addf(sum, e.cf(1e-20));
          e.forLoop(K, [&](Value jj) {
            e.store(e.divf(e.load(weights, {tok, jj}), denom), weights,
                    {tok, jj});
          });
        }
        if (!op.getScale().isExactlyValue(1.0)) {
          Value sc = e.cf(op.getScale().convertToDouble());
          e.forLoop(K, [&](Value jj) {
            e.store(e.mulf(e.load(weights, {tok, jj}), sc), weights, {tok, jj});
          });
        }
      });
    });
  });
  return SmallVector<Value>{weights, indices};
}
