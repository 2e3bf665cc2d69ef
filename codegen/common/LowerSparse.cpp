//===- LowerSparse.cpp - sparsify, sparse_matmul --------------------------===//
//
// Both ops first mark the kept inputs of a row (threshold, top-k of |x|, or
// top-k of |x| * wnorm), then either write the kept values or accumulate
// only the weight rows of kept inputs, so zero activations cost no weight
// reads. sparse_matmul works on tiles of 8 tokens and reads each weight row
// that any token of the tile needs once for the whole tile; the tile's
// accumulation is plain loops here, the sluice_uk_sparse_matmul kernel on
// the CPU (codegen/cpu/UkernelSparseMatmul.cpp).
//
//===----------------------------------------------------------------------===//

#include "codegen/common/LowerSparse.h"
#include "codegen/common/Lowering.h"
#include "codegen/common/SparseShared.h"

using namespace mlir;
using namespace mlir::sluice;
using namespace mlir::sluice::codegen;
using P = arith::CmpFPredicate;
using IP = arith::CmpIPredicate;

namespace {

/// keep[0..n) (i1) for row t of x. Top-k modes select by radix: four
/// passes of 8 bits over the keys find the k-th largest key and how many
/// keys equal to it are taken (the lowest indices first, the common
/// selection order), then one pass marks the kept inputs: O(n) per row,
/// not O(k n). `hist` is a [256] i64 scratch buffer.
void emitKeepRow(Emit &e, SparsifyMode mode, FloatAttr tau, IntegerAttr k,
                 Value x, Value wnorm, Value t, Value n, Value keep,
                 Value hist) {
  if (mode == SparsifyMode::threshold) {
    Value tv = e.cf(tau.getValue().convertToDouble());
    e.forLoop(n, [&](Value i) {
      e.store(e.cmpf(P::OGT, e.absf(e.load(x, {t, i})), tv), keep, {i});
    });
    return;
  }
  auto keyAt = [&](Value i) {
    Value v = e.absf(e.load(x, {t, i}));
    if (mode == SparsifyMode::wina)
      v = e.mulf(v, e.load(wnorm, {i}));
    return emitSelectionKey(e, v);
  };
  Value kk = e.minsi(e.c(k.getInt()), n);
  Value prefix = e.ci64(0), rank = e.toI64(kk);
  for (int pass = 0; pass < 4; ++pass) {
    RadixPass p(pass);
    e.forLoop(e.c(256), [&](Value j) { e.store(e.ci64(0), hist, {j}); });
    Value cur = prefix;
    e.forLoop(n, [&](Value i) {
      Value key = keyAt(i);
      e.ifThen(emitRadixMatches(e, p, key, cur), [&] {
        Value bi = e.toIndex(emitRadixDigit(e, p, key));
        e.store(e.addi(e.load(hist, {bi}), e.ci64(1)), hist, {bi});
      });
    });
    emitRadixScan(
        e, p, [&](Value bin) { return e.load(hist, {bin}); }, prefix, rank);
  }
  Value any = e.cmpi(IP::sgt, kk, e.c(0));
  e.forLoopAcc1(e.c(0), n, e.ci64(0), [&](Value i, Value taken) {
    Value tie;
    e.store(emitRadixKeep(e, keyAt(i), prefix, taken, rank, any, &tie), keep,
            {i});
    return e.select(tie, e.addi(taken, e.ci64(1)), taken);
  });
}

SmallVector<Value> lowerSparsify(Emit &e, SparsifyOp op, SparsifyOp::Adaptor a) {
  Value x = a.getX();
  Value t = e.dim(x, 0), n = e.dim(x, 1);
  Value out = allocResult(e, op.getType(), {t, n});
  Value keep = e.allocSized({n}, e.b.getI1Type());
  Value hist = e.allocSized({e.c(256)}, e.i64());
  emitSparseCheckK(e, op, op.getKAttr(), x);
  e.forLoop(t, [&](Value tt) {
    emitKeepRow(e, op.getMode(), op.getTauAttr(), op.getKAttr(), x,
                a.getWnorm(), tt, n, keep, hist);
    e.forLoop(n, [&](Value i) {
      e.store(e.select(e.load(keep, {i}), e.load(x, {tt, i}), e.cf(0)), out,
              {tt, i});
    });
  });
  return {out};
}

/// The plain loops of one tile: out[t0 + r, :] for r < tn from the kept
/// inputs xs[r, :] (a weight row read once for the tile when any token
/// keeps it, added only to the tokens that do). Per token the sum runs over
/// the inputs in ascending order, as one token at a time would.
void emitScalarTile(Emit &e, Value xs, Value tn, Value t0, Value w,
                    Value out) {
  Value n = e.dim(xs, 1), m = e.dim(w, 1);
  e.forLoop(tn, [&](Value r) {
    Value tt = e.addi(t0, r);
    e.forLoop(m, [&](Value j) { e.store(e.cf(0), out, {tt, j}); });
  });
  e.forLoop(n, [&](Value i) {
    Value any = e.forLoopAcc1(e.c(0), tn, e.ci1(false), [&](Value r, Value acc) {
      return e.ori(acc, e.noti(e.arithEqZero(e.load(xs, {r, i}))));
    });
    e.ifThen(any, [&] {
      e.forLoop(tn, [&](Value r) {
        Value xv = e.load(xs, {r, i});
        Value tt = e.addi(t0, r);
        e.ifThen(e.noti(e.arithEqZero(xv)), [&] {
          e.forLoop(m, [&](Value j) {
            e.store(e.addf(e.load(out, {tt, j}),
                           e.mulf(xv, e.load(w, {i, j}))),
                    out, {tt, j});
          });
        });
      });
    });
  });
}

} // namespace

FailureOr<SmallVector<Value>>
codegen::lowerSparseMatmulTiles(Emit &e, SparseMatmulOp op,
                                ArrayRef<Value> operands,
                                SparseTileEmitter tile) {
  SparseMatmulOp::Adaptor a(ValueRange(operands), op);
  Value x = a.getX(), w = a.getW(), wnorm = a.getWnorm();
  Value t = e.dim(x, 0), n = e.dim(x, 1), m = e.dim(w, 1);
  Value out = allocResult(e, op.getType(), {t, m});
  if (op.getMode() == SparsifyMode::wina && !wnorm) {
    // Row norms of w.
    wnorm = e.allocSized({n}, e.f32());
    e.forLoop(n, [&](Value i) {
      Value ss = e.forLoopAcc1(e.c(0), m, e.cf(0), [&](Value j, Value acc) {
        Value v = e.load(w, {i, j});
        return e.addf(acc, e.mulf(v, v));
      });
      e.store(e.sqrt(ss), wnorm, {i});
    });
  }
  // Tokens in tiles of kSparseTile: the selection writes the kept inputs of
  // each token of the tile into xs (0 elsewhere), then `tile` accumulates.
  Value keep = e.allocSized({n}, e.b.getI1Type());
  Value xs = e.allocSized({e.c(kSparseTile), n}, e.f32());
  Value hist = e.allocSized({e.c(256)}, e.i64());
  emitSparseCheckK(e, op, op.getKAttr(), x);
  Value tiles = e.divsi(e.addi(t, e.c(kSparseTile - 1)), e.c(kSparseTile));
  e.forLoop(tiles, [&](Value tileIdx) {
    Value t0 = e.muli(tileIdx, e.c(kSparseTile));
    Value tn = e.minsi(e.c(kSparseTile), e.subi(t, t0));
    e.forLoop(tn, [&](Value r) {
      Value tt = e.addi(t0, r);
      emitKeepRow(e, op.getMode(), op.getTauAttr(), op.getKAttr(), x, wnorm,
                  tt, n, keep, hist);
      // Only inputs sparsify(x) keeps nonzero count: a selected 0 reads no
      // row of w either (0 * inf would be NaN).
      e.forLoop(n, [&](Value i) {
        e.store(e.select(e.load(keep, {i}), e.load(x, {tt, i}), e.cf(0)), xs,
                {r, i});
      });
    });
    tile(e, xs, tn, t0, w, out);
  });
  return SmallVector<Value>{out};
}

FailureOr<SmallVector<Value>>
codegen::lowerSparse(Emit &e, Operation *op, ArrayRef<Value> operands) {
  ValueRange ops(operands);
  if (auto o = dyn_cast<SparsifyOp>(op))
    return lowerSparsify(e, o, SparsifyOp::Adaptor(ops, o));
  if (auto o = dyn_cast<SparseMatmulOp>(op))
    return lowerSparseMatmulTiles(e, o, operands, emitScalarTile);
  return failure();
}

//===----------------------------------------------------------------------===//
// The radix selection, shared with the CUDA schedule (SparseShared.h)
//===----------------------------------------------------------------------===//

/// 0 <= k <= N: checked at run time where N (dim 1 of x) is dynamic; the
/// selection then keeps at most N.
void codegen::emitSparseCheckK(Emit &e, Operation *op, IntegerAttr k, Value x) {
  if (!k || !cast<MemRefType>(x.getType()).isDynamicDim(1))
    return;
  emitRuntimeCheck(e, op, e.cmpi(IP::sgt, e.c(k.getInt()),
                                 e.dim(x, 1)),
                   "k = {0} exceeds the inputs per row, {1}", e.c(k.getInt()),
                   e.dim(x, 1));
}

/// A key whose unsigned order (as a zero-extended i64) is the selection
/// order of the f32 value `v`: larger values larger keys, -0 = +0, NaN the
/// lowest (0; no number maps there).
Value codegen::emitSelectionKey(Emit &e, Value v) {
  OpBuilder &b = e.b;
  Location loc = e.loc;
  Value z = e.addf(v, e.cf(0.0)); // -0 + 0 = +0
  Value bits = arith::BitcastOp::create(b, loc, e.i32(), z);
  Value wide = arith::ExtUIOp::create(b, loc, e.i64(), bits);
  Value neg = e.cmpi(IP::slt, bits, e.ci32(0));
  Value flipped = arith::XOrIOp::create(b, loc, wide, e.ci64(0xFFFFFFFFll));
  Value pos = arith::OrIOp::create(b, loc, wide, e.ci64(0x80000000ll));
  return e.select(e.isNan(v), e.ci64(0), e.select(neg, flipped, pos));
}

Value codegen::emitRadixMatches(Emit &e, const RadixPass &p, Value key,
                                Value prefix) {
  Value hi = arith::AndIOp::create(e.b, e.loc, key, e.ci64(p.high));
  return e.cmpi(IP::eq, hi, prefix);
}

Value codegen::emitRadixDigit(Emit &e, const RadixPass &p, Value key) {
  return arith::AndIOp::create(
      e.b, e.loc, arith::ShRUIOp::create(e.b, e.loc, key, e.ci64(p.shift)),
      e.ci64(255));
}

void codegen::emitRadixScan(Emit &e, const RadixPass &p,
                            function_ref<Value(Value)> count, Value &prefix,
                            Value &rank) {
  // Bins from the top: the first whose count reaches the remaining rank.
  SmallVector<Value> st = e.forLoopAcc(
      e.c(0), e.c(256), ValueRange{e.ci1(false), e.ci64(0), rank},
      [&](Value j, ValueRange acc) -> SmallVector<Value> {
        Value bin = e.subi(e.c(255), j);
        Value cnt = count(bin);
        Value open = e.noti(acc[0]);
        Value hit = e.andi(open, e.cmpi(IP::sge, cnt, acc[2]));
        Value skip = e.andi(open, e.noti(hit));
        return {e.ori(acc[0], hit), e.select(hit, e.toI64(bin), acc[1]),
                e.select(skip, e.subi(acc[2], cnt), acc[2])};
      });
  prefix = arith::OrIOp::create(
      e.b, e.loc, prefix,
      arith::ShLIOp::create(e.b, e.loc, st[1], e.ci64(p.shift)));
  rank = st[2];
}

Value codegen::emitRadixKeep(Emit &e, Value key, Value prefix, Value before,
                             Value rank, Value any, Value *tie) {
  Value gt = e.cmpi(IP::ugt, key, prefix);
  Value eq =
      e.andi(e.cmpi(IP::eq, key, prefix), e.cmpi(IP::slt, before, rank));
  if (tie)
    *tie = eq;
  return e.andi(any, e.ori(gt, eq));
}
