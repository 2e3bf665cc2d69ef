//===- LowerPooling.cpp - pool, segment_pool, adaptive / pyramid, attention ===//

#include "codegen/common/Lowering.h"
#include "codegen/common/PoolMath.h"
#include "codegen/common/PoolShared.h"

#include "mlir/IR/IRMapping.h"

#include <cmath>

using namespace mlir;
using namespace mlir::sluice;
using namespace mlir::sluice::codegen;
using P = arith::CmpFPredicate;
using IP = arith::CmpIPredicate;

Value codegen::emitSetLse(Emit &e, double r, SetFold fold) {
  Value rr = e.cf(r);
  SmallVector<Value> m = fold(e.negInf(), [&](Value acc, Value v) {
    return e.maxf(acc, e.mulf(rr, v));
  });
  SmallVector<Value> s = fold(e.cf(0), [&](Value acc, Value v) {
    return e.addf(acc, e.exp(e.subf(e.mulf(rr, v), m[0])));
  });
  Value lse = e.divf(e.addf(e.log(e.divf(s[0], s[1])), m[0]), rr);
  // An infinite max (every r x = -inf, or some r x = +inf) is the
  // log-mean-exp itself; exp(m - m) would make it NaN.
  Value mInf = e.cmpf(P::OEQ, e.absf(m[0]), e.posInf());
  lse = e.select(mInf, e.divf(m[0], rr), lse);
  return e.select(e.arithEqZero(s[1]), e.cf(0), lse);
}

Value codegen::emitPickRow(Emit &e, bool first, Value n,
                           function_ref<Value(Value)> valid) {
  Value none = e.c(-1);
  return e.forLoopAcc1(e.c(0), n, none, [&](Value row, Value cur) {
    Value take = valid(row);
    if (first)
      take = e.andi(take, e.cmpi(IP::eq, cur, none));
    return e.select(take, row, cur);
  });
}

namespace {

struct PoolAttrs {
  PoolKind kind;
  double p, eps, r;
  int64_t groups;
  Value groupP; ///< buffer [G] or null
};

/// Log-sum-exp pooling of one set, feature by feature (a fold for the
/// max, then one for the sum of exp): `n` rows, `valid(row)` (i1),
/// `at(row, d)` the value; `out(d, v)` receives the result. Empty sets give
/// 0; values of invalid rows never reach a result. The other kinds stream
/// the rows once (emitSetReduceRows, emitSetReduceInto).
void emitSetReduceLse(Emit &e, const PoolAttrs &pa, Value features, Value n,
                      function_ref<Value(Value)> valid,
                      function_ref<Value(Value, Value)> at,
                      function_ref<void(Value, Value)> out) {
  Value zero = e.cf(0), one = e.cf(1);
  e.forLoop(features, [&](Value dd) {
    auto fold = [&](Value init,
                    function_ref<Value(Value, Value)> step) -> SmallVector<Value> {
      return e.forLoopAcc(e.c(0), n, ValueRange{init, zero},
                          [&](Value row, ValueRange acc) -> SmallVector<Value> {
                            Value ok = valid(row);
                            Value v = at(row, dd);
                            return {e.select(ok, step(acc[0], v), acc[0]),
                                    e.select(ok, e.addf(acc[1], one), acc[1])};
                          });
    };
    out(dd, emitSetLse(e, pa.r, fold));
  });
}

/// x^p for GeM: a product chain for a small integral static p (exact to
/// rounding, and it vectorizes where powf does not), else powf.
Value gemPow(Emit &e, const PoolAttrs &pa, Value v, Value p) {
  double ip;
  if (!pa.groupP && std::modf(pa.p, &ip) == 0.0 && ip >= 1 && ip <= 8) {
    Value r = v;
    for (int i = 1; i < (int)ip; ++i)
      r = e.mulf(r, v);
    return r;
  }
  return e.powf(v, p);
}

/// Rows folded per pass over the accumulator row in emitSetReduceRows.
constexpr int64_t kPoolRowBlock = 8;

/// max / min of the valid rows of one feature without arith.maximumf's
/// per-step NaN and signed-zero blends: `v` replaces `acc` only when it is
/// strictly greater (max) or less (min), so a NaN accumulator stays NaN and
/// ties keep the earlier row (the reference's std::max order); a NaN among
/// the new values is folded in by one select at the end of the step.
Value foldExtremum(Emit &e, bool isMax, Value acc, ArrayRef<Value> vs) {
  P strict = isMax ? P::OGT : P::OLT;
  auto better = [&](Value later, Value earlier) {
    return e.select(e.cmpf(strict, later, earlier), later, earlier);
  };
  // Pairwise tree over the new values (earlier operand kept on ties), one
  // unordered compare per pair for the NaN flag.
  SmallVector<Value> level(vs.begin(), vs.end());
  Value nan;
  for (size_t i = 0; i < vs.size(); i += 2) {
    Value u = e.cmpf(P::UNO, vs[i], i + 1 < vs.size() ? vs[i + 1] : vs[i]);
    nan = nan ? e.ori(nan, u) : u;
  }
  while (level.size() > 1) {
    SmallVector<Value> next;
    for (size_t i = 0; i + 1 < level.size(); i += 2)
      next.push_back(better(level[i + 1], level[i]));
    if (level.size() % 2)
      next.push_back(level.back());
    level = std::move(next);
  }
  Value r = better(level[0], acc);
  return e.select(nan, e.cf(std::nan("")), r);
}

/// The streaming form of emitSetReduce for sum, mean, max, min and gem:
/// rows outside, features inside, accumulating in the result row
/// `out[outRow, :]` (contiguous in the inner loop so that it vectorizes),
/// then a finalizing pass over the features. Blocks of kPoolRowBlock rows
/// that are all valid are folded in one pass over the accumulator row (one
/// load and one store of it per block instead of per row, and that many
/// concurrent sequential streams of x); other rows go one at a time. Same
/// results as the per-feature form: each feature folds its rows in
/// ascending row order (max / min: see foldExtremum).
void emitSetReduceRows(Emit &e, const PoolAttrs &pa, Value features, Value n,
                       function_ref<Value(Value)> valid,
                       function_ref<Value(Value, Value)> at, Value out,
                       Value outRow) {
  Value zero = e.cf(0), one = e.cf(1);
  Value groupWidth = e.divsi(features, e.c(pa.groups));
  auto pOf = [&](Value dd) {
    return pa.groupP ? e.load(pa.groupP, {e.divsi(dd, groupWidth)})
                     : e.cf(pa.p);
  };
  Value init = pa.kind == PoolKind::max   ? e.negInf()
               : pa.kind == PoolKind::min ? e.posInf()
                                          : zero;
  e.forLoop(features, [&](Value dd) { e.store(init, out, {outRow, dd}); });
  // Folds rows `rows` (ascending) into the accumulator row.
  auto foldRows = [&](ArrayRef<Value> rows) {
    e.forLoop(features, [&](Value dd) {
      Value acc = e.load(out, {outRow, dd});
      SmallVector<Value> vs;
      for (Value row : rows)
        vs.push_back(at(row, dd));
      switch (pa.kind) {
      case PoolKind::max:
      case PoolKind::min:
        acc = foldExtremum(e, pa.kind == PoolKind::max, acc, vs);
        break;
      case PoolKind::gem: {
        Value p = pOf(dd);
        for (Value v : vs)
          acc = e.addf(acc, gemPow(e, pa, e.maxf(v, e.cf(pa.eps)), p));
        break;
      }
      default:
        for (Value v : vs)
          acc = e.addf(acc, v);
        break;
      }
      e.store(acc, out, {outRow, dd});
    });
  };
  auto foldOne = [&](Value row, Value cnt) {
    Value ok = valid(row);
    e.ifThen(ok, [&] { foldRows({row}); });
    return e.select(ok, e.addf(cnt, one), cnt);
  };
  Value blocks = e.divsi(n, e.c(kPoolRowBlock));
  Value count = e.forLoopAcc1(e.c(0), blocks, zero, [&](Value blk, Value cnt) {
    Value r0 = e.muli(blk, e.c(kPoolRowBlock));
    SmallVector<Value> rows;
    Value all;
    for (int64_t k = 0; k < kPoolRowBlock; ++k) {
      rows.push_back(e.addi(r0, e.c(k)));
      Value ok = valid(rows.back());
      all = all ? e.andi(all, ok) : ok;
    }
    return e.ifElse1(
        all, e.f32(),
        [&] {
          foldRows(rows);
          return e.addf(cnt, e.cf(kPoolRowBlock));
        },
        [&] {
          return e.forLoopAcc1(r0, e.addi(r0, e.c(kPoolRowBlock)), cnt,
                               foldOne);
        });
  });
  count = e.forLoopAcc1(e.muli(blocks, e.c(kPoolRowBlock)), n, count, foldOne);
  if (pa.kind == PoolKind::sum)
    return;
  Value empty = e.arithEqZero(count);
  e.forLoop(features, [&](Value dd) {
    Value acc = e.load(out, {outRow, dd});
    Value result;
    switch (pa.kind) {
    case PoolKind::mean:
      result = e.divf(acc, count);
      break;
    case PoolKind::gem:
      result = e.powf(e.divf(acc, count), e.divf(one, pOf(dd)));
      break;
    default:
      result = acc;
      break;
    }
    e.store(e.select(empty, zero, result), out, {outRow, dd});
  });
}

/// Reduces one set into out[outRow, :] with the fastest form for its kind.
void emitSetReduceInto(Emit &e, const PoolAttrs &pa, Value features, Value n,
                       function_ref<Value(Value)> valid,
                       function_ref<Value(Value, Value)> at, Value out,
                       Value outRow) {
  switch (pa.kind) {
  case PoolKind::sum:
  case PoolKind::mean:
  case PoolKind::max:
  case PoolKind::min:
  case PoolKind::gem:
    return emitSetReduceRows(e, pa, features, n, valid, at, out, outRow);
  case PoolKind::first:
  case PoolKind::last: {
    // The chosen row does not depend on the feature: find it once.
    Value pick = emitPickRow(e, pa.kind == PoolKind::first, n, valid);
    Value found = e.cmpi(IP::ne, pick, e.c(-1));
    Value safe = e.maxsi(pick, e.c(0));
    e.forLoop(features, [&](Value dd) {
      Value v = e.ifElse1(
          found, e.f32(), [&] { return at(safe, dd); },
          [&] { return e.cf(0); });
      e.store(v, out, {outRow, dd});
    });
    return;
  }
  case PoolKind::lse:
    return emitSetReduceLse(
        e, pa, features, n, valid, at,
        [&](Value dd, Value v) { e.store(v, out, {outRow, dd}); });
  }
}

PoolAttrs poolAttrs(Emit &e, Operation *op, PoolKind kind, APFloat p,
                    APFloat eps, APFloat r, int64_t groups, Value groupP) {
  if (groupP) {
    e.forLoop(e.dim(groupP, 0), [&](Value g) {
      emitRuntimeCheck(e, op, e.arithEqZero(e.load(groupP, {g})),
                       "group_p entry {0} is 0", g);
    });
  }
  return {kind, p.convertToDouble(), eps.convertToDouble(),
          r.convertToDouble(), groups, groupP};
}

/// Sets bb < b of `n` rows each (pool, pool_map without offsets): row `row`
/// counts when mask[bb, row] != 0, or row < lengths[bb] (checked to be in
/// [0, n]), or always; `at(bb, row, dd)` reads a value.
void emitPaddedSets(Emit &e, Operation *op, const PoolAttrs &pa, Value b,
                    Value n, Value d, Value mask, Value lengths, Value out,
                    function_ref<Value(Value, Value, Value)> at) {
  e.parallelFor(b, [&](Value bb) {
    Value len;
    if (lengths) {
      len = e.toIndex(e.load(lengths, {bb}));
      Value bad = e.ori(e.cmpi(IP::slt, len, e.c(0)), e.cmpi(IP::sgt, len, n));
      emitRuntimeCheck(e, op, bad, "lengths[{1}] = {0} out of range [0, N]",
                       len, bb);
    }
    auto valid = [&](Value row) -> Value {
      if (mask)
        return e.nonzero(e.load(mask, {bb, row}));
      if (lengths)
        return e.cmpi(IP::slt, row, len);
      return e.ci1(true);
    };
    emitSetReduceInto(
        e, pa, d, n, valid,
        [&](Value row, Value dd) { return at(bb, row, dd); }, out, bb);
  });
}

/// Segments bb < b (segment_pool, pool_map with offsets): rows
/// emitSegmentBounds of `rows`; `at(row, dd)` reads input row `row`.
void emitSegmentSets(Emit &e, const PoolAttrs &pa, Value offsets, Value rows,
                     Value b, Value d, Value out,
                     function_ref<Value(Value, Value)> at) {
  e.parallelFor(b, [&](Value bb) {
    Value lo, hi;
    std::tie(lo, hi) = emitSegmentBounds(e, offsets, bb, rows);
    emitSetReduceInto(
        e, pa, d, e.subi(hi, lo), [&](Value) { return e.ci1(true); },
        [&](Value row, Value dd) { return at(e.addi(lo, row), dd); }, out, bb);
  });
}

SmallVector<Value> lowerPool(Emit &e, PoolOp op, PoolOp::Adaptor a) {
  Value x = a.getX(), mask = a.getMask(), lengths = a.getLengths();
  Value b = e.dim(x, 0), n = e.dim(x, 1), d = e.dim(x, 2);
  Value out = allocResult(e, op.getType(), {b, d});
  PoolAttrs pa = poolAttrs(e, op, op.getKind(), op.getP(), op.getEps(),
                           op.getR(), op.getGroups(), a.getGroupP());
  emitPaddedSets(e, op, pa, b, n, d, mask, lengths, out,
                 [&](Value bb, Value row, Value dd) {
                   return e.load(x, {bb, row, dd});
                 });
  return {out};
}

SmallVector<Value> lowerSegmentPool(Emit &e, SegmentPoolOp op,
                                    SegmentPoolOp::Adaptor a) {
  Value x = a.getX(), offsets = a.getOffsets();
  Value rows = e.dim(x, 0), d = e.dim(x, 1);
  // An empty offsets operand is an error (emitCheckOffsets), not B = -1.
  Value b = e.maxsi(e.subi(e.dim(offsets, 0), e.c(1)), e.c(0));
  Value out = allocResult(e, op.getType(), {b, d});
  emitCheckOffsets(e, op, offsets, rows, "offsets");
  PoolAttrs pa = poolAttrs(e, op, op.getKind(), op.getP(), op.getEps(),
                           op.getR(), op.getGroups(), a.getGroupP());
  emitSegmentSets(e, pa, offsets, rows, b, d, out, [&](Value row, Value dd) {
    return e.load(x, {row, dd});
  });
  return {out};
}

/// sluice.pool_map: the pooled value at (ivs) is the region evaluated on
/// the inputs' elements, cloned into the pooling loop where it is read.
struct PoolMapValue {
  PoolMapOp op;
  ArrayRef<Value> inputs; ///< buffers, one per region argument

  Value at(Emit &e, ArrayRef<Value> ivs) {
    Block &block = op.getBody().front();
    IRMapping map;
    for (auto [i, m] : llvm::enumerate(
             op.getIndexingMaps().getAsValueRange<AffineMapAttr>())) {
      BlockArgument arg = block.getArgument(i);
      if (arg.use_empty())
        continue;
      SmallVector<Value> idx;
      for (AffineExpr r : m.getResults())
        idx.push_back(ivs[cast<AffineDimExpr>(r).getPosition()]);
      map.map(arg, e.load(inputs[i], idx));
    }
    for (Operation &o : block.without_terminator())
      e.b.clone(o, map);
    return map.lookupOrDefault(
        cast<YieldOp>(block.getTerminator()).getValue());
  }
};

SmallVector<Value> lowerPoolMap(Emit &e, PoolMapOp op, PoolMapOp::Adaptor a) {
  SmallVector<Value> inputs(a.getInputs());
  Value shape;
  for (auto [in, orig] : llvm::zip(inputs, op.getInputs()))
    if (orig == op.getShapeInput()) {
      shape = in;
      break;
    }
  PoolAttrs pa = poolAttrs(e, op, op.getKind(), op.getP(), op.getEps(),
                           op.getR(), op.getGroups(), a.getGroupP());
  PoolMapValue value{op, inputs};
  if (Value offsets = a.getOffsets()) {
    Value rows = e.dim(shape, 0), d = e.dim(shape, 1);
    Value b = e.maxsi(e.subi(e.dim(offsets, 0), e.c(1)), e.c(0));
    Value out = allocResult(e, op.getType(), {b, d});
    emitCheckOffsets(e, op, offsets, rows, "offsets");
    emitSegmentSets(e, pa, offsets, rows, b, d, out, [&](Value row, Value dd) {
      return value.at(e, {row, dd});
    });
    return {out};
  }
  Value mask = a.getMask(), lengths = a.getLengths();
  Value b = e.dim(shape, 0), n = e.dim(shape, 1), d = e.dim(shape, 2);
  Value out = allocResult(e, op.getType(), {b, d});
  emitPaddedSets(e, op, pa, b, n, d, mask, lengths, out,
                 [&](Value bb, Value row, Value dd) {
                   return value.at(e, {bb, row, dd});
                 });
  return {out};
}

/// Adaptive bins of x[b, c] into `l_h x l_w` outputs; `out(i, j, v)`.
void emitAdaptive(Emit &e, SpatialPoolKind kind, Value x, Value bb, Value cc,
                  Value oh, Value ow,
                  function_ref<void(Value, Value, Value)> out) {
  Value h = e.dim(x, 2), w = e.dim(x, 3);
  e.forLoop(oh, [&](Value i) {
    Value h0, h1;
    std::tie(h0, h1) = emitAdaptiveBounds(e, i, h, oh);
    e.forLoop(ow, [&](Value j) {
      Value w0, w1;
      std::tie(w0, w1) = emitAdaptiveBounds(e, j, w, ow);
      out(i, j, emitAdaptiveReduce(e, kind, x, bb, cc, h0, h1, w0, w1));
    });
  });
}

SmallVector<Value> lowerAdaptivePool(Emit &e, AdaptivePoolOp op,
                                     AdaptivePoolOp::Adaptor a) {
  Value x = a.getX();
  ArrayRef<int64_t> os = op.getOutputSize();
  Value b = e.dim(x, 0), c = e.dim(x, 1), oh = e.c(os[0]), ow = e.c(os[1]);
  Value out = allocResult(e, op.getType(), {b, c, oh, ow});
  emitCheckSpatial(e, op, x);
  e.forLoop(b, [&](Value bb) {
    e.forLoop(c, [&](Value cc) {
      emitAdaptive(e, op.getKind(), x, bb, cc, oh, ow,
                   [&](Value i, Value j, Value v) { e.store(v, out, {bb, cc, i, j}); });
    });
  });
  return {out};
}

SmallVector<Value> lowerSpp(Emit &e, SpatialPyramidPoolOp op,
                            SpatialPyramidPoolOp::Adaptor a) {
  Value x = a.getX();
  Value b = e.dim(x, 0), c = e.dim(x, 1);
  int64_t bins = 0;
  for (int64_t l : op.getLevels())
    bins += l * l;
  Value out = allocResult(e, op.getType(), {b, e.muli(c, e.c(bins))});
  emitCheckSpatial(e, op, x);
  e.forLoop(b, [&](Value bb) {
    int64_t before = 0;
    for (int64_t l : op.getLevels()) {
      Value base = e.muli(c, e.c(before));
      e.forLoop(c, [&](Value cc) {
        Value chan = e.addi(base, e.muli(cc, e.c(l * l)));
        emitAdaptive(e, op.getKind(), x, bb, cc, e.c(l), e.c(l),
                     [&](Value i, Value j, Value v) {
                       e.store(v, out, {bb, e.addi(chan, e.addi(e.muli(i, e.c(l)), j))});
                     });
      });
      before += l * l;
    }
  });
  return {out};
}

SmallVector<Value> lowerAttentionPool(Emit &e, AttentionPoolOp op,
                                      AttentionPoolOp::Adaptor a) {
  Value x = a.getX(), q = a.getQuery(), mask = a.getMask();
  Value b = e.dim(x, 0), n = e.dim(x, 1), d = e.dim(x, 2);
  auto valid = [&](Value bb, Value row) -> Value {
    return mask ? e.nonzero(e.load(mask, {bb, row})) : e.ci1(true);
  };
  Value zero = e.cf(0);
  if (op.getKind() == AttentionPoolKind::featurewise) {
    Value out = allocResult(e, op.getType(), {b, e.c(1), d});
    Value s = e.allocSized({n, d}, e.f32());
    e.forLoop(b, [&](Value bb) {
      // s = x w.
      e.forLoop(n, [&](Value row) {
        e.forLoop(d, [&](Value dd) { e.store(zero, s, {row, dd}); });
        e.ifThen(valid(bb, row), [&] {
          e.forLoop(d, [&](Value kk) {
            Value xv = e.load(x, {bb, row, kk});
            e.forLoop(d, [&](Value dd) {
              e.store(e.addf(e.load(s, {row, dd}), e.mulf(xv, e.load(q, {kk, dd}))),
                      s, {row, dd});
            });
          });
        });
      });
      e.forLoop(d, [&](Value dd) {
        auto sel = [&](Value row, Value v, Value acc) {
          return e.select(valid(bb, row), v, acc);
        };
        Value m = e.forLoopAcc1(e.c(0), n, e.negInf(), [&](Value row, Value acc) {
          return sel(row, e.maxf(acc, e.load(s, {row, dd})), acc);
        });
        SmallVector<Value> r = e.forLoopAcc(
            e.c(0), n, ValueRange{zero, zero},
            [&](Value row, ValueRange acc) -> SmallVector<Value> {
              Value w = e.exp(e.subf(e.load(s, {row, dd}), m));
              return {sel(row, e.addf(acc[0], w), acc[0]),
                      sel(row, e.addf(acc[1], e.mulf(w, e.load(x, {bb, row, dd}))),
                          acc[1])};
            });
        Value res = e.select(e.arithEqZero(r[0]), zero, e.divf(r[1], r[0]));
        e.store(res, out, {bb, e.c(0), dd});
      });
    });
    return {out};
  }
  int64_t heads = op.getHeadsAttr() ? op.getHeadsAttr().getInt() : 1;
  Value nq = e.dim(q, 0);
  Value out = allocResult(e, op.getType(), {b, nq, d});
  Value dh = e.divsi(d, e.c(heads));
  Value inv = e.divf(e.cf(1), e.sqrt(e.indexToF32(dh)));
  Value s = e.allocSized({n}, e.f32());
  e.forLoop(b, [&](Value bb) {
    e.forLoop(nq, [&](Value qq) {
      e.forLoop(e.c(heads), [&](Value hh) {
        Value c0 = e.muli(hh, dh);
        Value m = e.forLoopAcc1(e.c(0), n, e.negInf(), [&](Value row, Value acc) {
          Value dot = e.forLoopAcc1(e.c(0), dh, zero, [&](Value j, Value a2) {
            Value col = e.addi(c0, j);
            return e.addf(a2, e.mulf(e.load(q, {qq, col}), e.load(x, {bb, row, col})));
          });
          Value sc = e.mulf(dot, inv);
          e.store(sc, s, {row});
          return e.select(valid(bb, row), e.maxf(acc, sc), acc);
        });
        Value sum = e.forLoopAcc1(e.c(0), n, zero, [&](Value row, Value acc) {
          Value w = e.exp(e.subf(e.load(s, {row}), m));
          Value ok = valid(bb, row);
          e.store(e.select(ok, w, zero), s, {row});
          return e.select(ok, e.addf(acc, w), acc);
        });
        Value empty = e.arithEqZero(sum);
        e.forLoop(dh, [&](Value j) {
          Value col = e.addi(c0, j);
          Value acc = e.forLoopAcc1(e.c(0), n, zero, [&](Value row, Value a2) {
            Value contrib = e.mulf(e.load(s, {row}), e.load(x, {bb, row, col}));
            return e.select(valid(bb, row), e.addf(a2, contrib), a2);
          });
          e.store(e.select(empty, zero, e.divf(acc, sum)), out, {bb, qq, col});
        });
      });
    });
  });
  return {out};
}

} // namespace

FailureOr<SmallVector<Value>>
codegen::lowerPooling(Emit &e, Operation *op, ArrayRef<Value> operands) {
  ValueRange ops(operands);
  if (auto o = dyn_cast<PoolOp>(op))
    return lowerPool(e, o, PoolOp::Adaptor(ops, o));
  if (auto o = dyn_cast<SegmentPoolOp>(op))
    return lowerSegmentPool(e, o, SegmentPoolOp::Adaptor(ops, o));
  if (auto o = dyn_cast<PoolMapOp>(op))
    return lowerPoolMap(e, o, PoolMapOp::Adaptor(ops, o));
  if (auto o = dyn_cast<AdaptivePoolOp>(op))
    return lowerAdaptivePool(e, o, AdaptivePoolOp::Adaptor(ops, o));
  if (auto o = dyn_cast<SpatialPyramidPoolOp>(op))
    return lowerSpp(e, o, SpatialPyramidPoolOp::Adaptor(ops, o));
  if (auto o = dyn_cast<AttentionPoolOp>(op))
    return lowerAttentionPool(e, o, AttentionPoolOp::Adaptor(ops, o));
  return failure();
}

//===----------------------------------------------------------------------===//
// Shared with the CUDA schedules (PoolShared.h)
//===----------------------------------------------------------------------===//

std::pair<Value, Value> codegen::emitSegmentBounds(Emit &e, Value offsets,
                                                   Value bb, Value rows) {
  Value lo = e.minsi(e.maxsi(e.toIndex(e.load(offsets, {bb})), e.c(0)), rows);
  Value hi = e.minsi(
      e.maxsi(e.toIndex(e.load(offsets, {e.addi(bb, e.c(1))})), lo), rows);
  return {lo, hi};
}

void codegen::emitCheckSpatial(Emit &e, Operation *op, Value x) {
  auto type = cast<MemRefType>(x.getType());
  for (unsigned i = 2; i < 4; ++i)
    if (type.isDynamicDim(i))
      emitRuntimeCheck(e, op, e.cmpi(IP::slt, e.dim(x, i), e.c(1)),
                       std::string("expects ") + (i == 2 ? "H" : "W") +
                           " >= 1, got {0}",
                       e.dim(x, i));
}

std::pair<Value, Value> codegen::emitAdaptiveBounds(Emit &e, Value i,
                                                    Value in, Value o) {
  Value lo = e.divsi(e.muli(i, in), o);
  Value hi =
      e.divsi(e.subi(e.addi(e.muli(e.addi(i, e.c(1)), in), o), e.c(1)), o);
  return {lo, hi};
}

Value codegen::emitAdaptiveReduce(Emit &e, SpatialPoolKind kind, Value x,
                                  Value bb, Value cc, Value h0, Value h1,
                                  Value w0, Value w1) {
  bool isMax = kind == SpatialPoolKind::max;
  Value acc = e.forLoopAcc1(h0, h1, isMax ? e.negInf() : e.cf(0),
                            [&](Value hh, Value a1) {
    return e.forLoopAcc1(w0, w1, a1, [&](Value ww, Value a2) {
      Value v = e.load(x, {bb, cc, hh, ww});
      return isMax ? e.maxf(a2, v) : e.addf(a2, v);
    });
  });
  if (!isMax) {
    Value count = e.muli(e.subi(h1, h0), e.subi(w1, w0));
    acc = e.divf(acc, e.indexToF32(count));
  }
  return acc;
}
