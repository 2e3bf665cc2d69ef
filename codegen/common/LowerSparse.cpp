//===- LowerSparse.cpp - sparsify, sparse_matmul --------------------------===//
//
// Both ops first mark the kept inputs of a row (threshold, top-k of |x|, or
// top-k of |x| * wnorm), then either write the kept values or accumulate
// only the weight rows of kept inputs, so zero activations cost no weight
// reads. sparse_matmul works on tiles of 8 tokens and reads each weight row
// that any token of the tile needs once for the whole tile.
//
//===----------------------------------------------------------------------===//

#include "codegen/common/Lowering.h"

using namespace mlir;
using namespace mlir::sluice;
using namespace mlir::sluice::codegen;
using P = arith::CmpFPredicate;

namespace {

/// 0 <= k <= N: checked at run time where N (dim 1 of x) is dynamic; the
/// selection then keeps at most N.
void emitCheckK(Emit &e, Operation *op, IntegerAttr k, Value x) {
  if (!k || !cast<MemRefType>(x.getType()).isDynamicDim(1))
    return;
  emitRuntimeCheck(e, op, e.cmpi(arith::CmpIPredicate::sgt, e.c(k.getInt()),
                                 e.dim(x, 1)),
                   "k = {0} exceeds the inputs per row, {1}", e.c(k.getInt()),
                   e.dim(x, 1));
}

/// keep[0..n) (i1) for row t of x.
void emitKeepRow(Emit &e, SparsifyMode mode, FloatAttr tau, IntegerAttr k,
                 Value x, Value wnorm, Value t, Value n, Value keep) {
  if (mode == SparsifyMode::threshold) {
    Value tv = e.cf(tau.getValue().convertToDouble());
    e.forLoop(n, [&](Value i) {
      e.store(e.cmpf(P::OGT, e.absf(e.load(x, {t, i})), tv), keep, {i});
    });
    return;
  }
  e.forLoop(n, [&](Value i) { e.store(e.ci1(false), keep, {i}); });
  emitSelect(
      e, e.minsi(e.c(k.getInt()), n), n, /*largest=*/true,
      [&](Value i) {
        Value v = e.absf(e.load(x, {t, i}));
        if (mode == SparsifyMode::wina)
          v = e.mulf(v, e.load(wnorm, {i}));
        return Key{Value(), v, i};
      },
      [&](Value, const Key &pick) { e.store(e.ci1(true), keep, {pick.index}); });
}

SmallVector<Value> lowerSparsify(Emit &e, SparsifyOp op, SparsifyOp::Adaptor a) {
  Value x = a.getX();
  Value t = e.dim(x, 0), n = e.dim(x, 1);
  Value out = allocResult(e, op.getType(), {t, n});
  Value keep = e.allocSized({n}, e.b.getI1Type());
  emitCheckK(e, op, op.getKAttr(), x);
  e.forLoop(t, [&](Value tt) {
    emitKeepRow(e, op.getMode(), op.getTauAttr(), op.getKAttr(), x,
                a.getWnorm(), tt, n, keep);
    e.forLoop(n, [&](Value i) {
      e.store(e.select(e.load(keep, {i}), e.load(x, {tt, i}), e.cf(0)), out,
              {tt, i});
    });
  });
  return {out};
}

SmallVector<Value> lowerSparseMatmul(Emit &e, SparseMatmulOp op,
                                     SparseMatmulOp::Adaptor a) {
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
  // Tokens in tiles of kTile: a weight row is read once per tile when any
  // token of the tile keeps its input nonzero (the union of the tile's
  // active rows), never when none does. Per token the sum runs over the
  // inputs in ascending order, as one token at a time would.
  constexpr int64_t kTile = 8;
  Value keep = e.allocSized({n}, e.b.getI1Type());
  Value xs = e.allocSized({e.c(kTile), n}, e.f32());
  emitCheckK(e, op, op.getKAttr(), x);
  Value tiles = e.divsi(e.addi(t, e.c(kTile - 1)), e.c(kTile));
  e.forLoop(tiles, [&](Value tile) {
    Value t0 = e.muli(tile, e.c(kTile));
    Value tn = e.minsi(e.c(kTile), e.subi(t, t0));
    e.forLoop(tn, [&](Value r) {
      Value tt = e.addi(t0, r);
      emitKeepRow(e, op.getMode(), op.getTauAttr(), op.getKAttr(), x, wnorm,
                  tt, n, keep);
      // Only inputs sparsify(x) keeps nonzero count: a selected 0 reads no
      // row of w either (0 * inf would be NaN).
      e.forLoop(n, [&](Value i) {
        e.store(e.select(e.load(keep, {i}), e.load(x, {tt, i}), e.cf(0)), xs,
                {r, i});
      });
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
  });
  return {out};
}

} // namespace

FailureOr<SmallVector<Value>>
codegen::lowerSparse(Emit &e, Operation *op, ArrayRef<Value> operands) {
  ValueRange ops(operands);
  if (auto o = dyn_cast<SparsifyOp>(op))
    return lowerSparsify(e, o, SparsifyOp::Adaptor(ops, o));
  if (auto o = dyn_cast<SparseMatmulOp>(op))
    return lowerSparseMatmul(e, o, SparseMatmulOp::Adaptor(ops, o));
  return failure();
}
