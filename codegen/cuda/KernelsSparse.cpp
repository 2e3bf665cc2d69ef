//===- KernelsSparse.cpp - CUDA schedules of sparsify, sparse_matmul ------===//
//
// sparsify: one 256-thread block per row (grid T).
//   threshold: one phase, thread t handles inputs t, t + 256, ...
//   top-k / WINA: the CPU lowering's radix selection (LowerSparse.cpp), with
//   the 256 bins of each 8-bit pass owned by the 256 threads: thread t counts
//   the keys of the row that match the prefix so far and fall in bin t (no
//   atomics); block-uniform code then scans the bins from the top for the
//   one holding the k-th largest key. Marking walks the row in chunks of
//   256: a phase flags the keys equal to the k-th largest, the next keeps
//   key > it, or key == it when fewer than `rank` equal keys come before
//   (the lowest indices first, as on the CPU); the running count of equal
//   keys is carried in shared memory. Same keys, same bins, same order as
//   the CPU lowering, so the same inputs are kept (ties, NaN last, -0 = +0).
//   Shared memory read by block-uniform code is double-buffered (the
//   histogram of pass p lives in hist[p % 2]), so the next phase never
//   overwrites what a slower thread is still scanning.
// sparse_matmul: (wina without wnorm: a row-norm kernel, one thread per row
//   of w), the sparsify block program writing the kept activations to a
//   [T, N] buffer, then a GEMM over tiles of 8 tokens x 128 columns
//   (thread = column, 8 accumulators): input row i of the tile is visited
//   by the whole block (uniform branch) and its weight row read only when
//   one of the 8 tokens keeps it nonzero (the union of the tile's active
//   rows); per token the sum runs over the inputs in ascending order, as on
//   the CPU.
//
//===----------------------------------------------------------------------===//

#include "codegen/common/SparseShared.h"
#include "codegen/cuda/BlockProgram.h"

using namespace mlir;
using namespace mlir::sluice;
using namespace mlir::sluice::codegen;
using namespace mlir::sluice::cuda;
using P = arith::CmpFPredicate;
using IP = arith::CmpIPredicate;

static constexpr int64_t kSelThreads = 256;
static constexpr int64_t kMmThreads = 128;
static constexpr int64_t kMmRows = 8;

/// The sparsify block program: out[t, i] = keep(t, i) ? x[t, i] : 0.
static void emitSparsifyProgram(Emit &e, SparsifyMode mode, FloatAttr tau,
                                IntegerAttr k, Value x, Value wnorm, Value out) {
  Value t = e.dim(x, 0), n = e.dim(x, 1);
  Value chunks =
      e.divsi(e.addi(n, e.c(kSelThreads - 1)), e.c(kSelThreads));
  buildBlockProgram(e.b, e.loc, {t}, [&](ValueRange ids) {
    Value row = ids[0];
    if (mode == SparsifyMode::threshold) {
      Value tv = e.cf(tau.getValue().convertToDouble());
      buildThreadPhase(e.b, e.loc, kSelThreads, [&](Value tid) {
        e.forLoop(chunks, [&](Value c) {
          Value i = e.addi(e.muli(c, e.c(kSelThreads)), tid);
          e.ifThen(e.cmpi(IP::slt, i, n), [&] {
            Value v = e.load(x, {row, i});
            e.store(e.select(e.cmpf(P::OGT, e.absf(v), tv), v, e.cf(0)), out,
                    {row, i});
          });
        });
      });
      return;
    }
    Value hist = allocWorkgroup(e.b, e.loc, {2, kSelThreads}, e.i64());
    Value eq = allocWorkgroup(e.b, e.loc, {kSelThreads}, e.i64());
    Value taken = allocWorkgroup(e.b, e.loc, {2}, e.i64());
    auto keyAt = [&](Value i) {
      Value v = e.absf(e.load(x, {row, i}));
      if (mode == SparsifyMode::wina)
        v = e.mulf(v, e.load(wnorm, {i}));
      return emitSelectionKey(e, v);
    };
    Value kk = e.minsi(e.c(k.getInt()), n);
    Value prefix = e.ci64(0), rank = e.toI64(kk);
    for (int pass = 0; pass < 4; ++pass) {
      RadixPass p(pass);
      Value slot = e.c(pass % 2);
      Value cur = prefix;
      // Thread t owns bin t.
      buildThreadPhase(e.b, e.loc, kSelThreads, [&](Value tid) {
        if (pass == 0)
          e.ifThen(e.cmpi(IP::eq, tid, e.c(0)),
                   [&] { e.store(e.ci64(0), taken, {e.c(0)}); });
        Value bin = e.toI64(tid);
        Value cnt = e.forLoopAcc1(e.c(0), n, e.ci64(0), [&](Value i, Value acc) {
          Value key = keyAt(i);
          Value matches = emitRadixMatches(e, p, key, cur);
          Value digit = emitRadixDigit(e, p, key);
          Value hit = e.andi(matches, e.cmpi(IP::eq, digit, bin));
          return e.select(hit, e.addi(acc, e.ci64(1)), acc);
        });
        e.store(cnt, hist, {slot, tid});
      });
      // Block-uniform: the CPU lowering's scan of the bins.
      emitRadixScan(
          e, p, [&](Value bin) { return e.load(hist, {slot, bin}); }, prefix,
          rank);
    }
    Value any = e.cmpi(IP::sgt, kk, e.c(0));
    e.forLoop(chunks, [&](Value c) {
      Value base = e.muli(c, e.c(kSelThreads));
      Value parity = e.remsi(c, e.c(2));
      Value other = e.subi(e.c(1), parity);
      buildThreadPhase(e.b, e.loc, kSelThreads, [&](Value tid) {
        Value i = e.addi(base, tid);
        Value isEq = e.ifElse1(
            e.cmpi(IP::slt, i, n), e.b.getI1Type(),
            [&] { return e.cmpi(IP::eq, keyAt(i), prefix); },
            [&] { return e.ci1(false); });
        e.store(e.select(isEq, e.ci64(1), e.ci64(0)), eq, {tid});
      });
      buildThreadPhase(e.b, e.loc, kSelThreads, [&](Value tid) {
        Value before0 = e.load(taken, {parity});
        Value i = e.addi(base, tid);
        e.ifThen(e.cmpi(IP::slt, i, n), [&] {
          Value before = e.forLoopAcc1(e.c(0), tid, before0,
                                       [&](Value s, Value acc) {
                                         return e.addi(acc, e.load(eq, {s}));
                                       });
          Value keep = emitRadixKeep(e, keyAt(i), prefix, before, rank, any);
          e.store(e.select(keep, e.load(x, {row, i}), e.cf(0)), out, {row, i});
        });
        // The count for the next chunk, in the other slot.
        e.ifThen(e.cmpi(IP::eq, tid, e.c(0)), [&] {
          Value total = e.forLoopAcc1(e.c(0), e.c(kSelThreads), before0,
                                      [&](Value s, Value acc) {
                                        return e.addi(acc, e.load(eq, {s}));
                                      });
          e.store(total, taken, {other});
        });
      });
    });
  });
}

FailureOr<SmallVector<Value>>
cuda::buildSparsifyKernel(Emit &e, Operation *o, ArrayRef<Value> operands) {
  auto op = cast<SparsifyOp>(o);
  SparsifyOp::Adaptor a(operands, op);
  Value x = a.getX();
  Value out = allocResult(e, op.getType(), {e.dim(x, 0), e.dim(x, 1)});
  emitSparseCheckK(e, op, op.getKAttr(), x);
  emitSparsifyProgram(e, op.getMode(), op.getTauAttr(), op.getKAttr(), x,
                      a.getWnorm(), out);
  return SmallVector<Value>{out};
}

FailureOr<SmallVector<Value>>
cuda::buildSparseMatmulKernel(Emit &e, Operation *o, ArrayRef<Value> operands) {
  auto op = cast<SparseMatmulOp>(o);
  SparseMatmulOp::Adaptor a(operands, op);
  Value x = a.getX(), w = a.getW(), wnorm = a.getWnorm();
  Value t = e.dim(x, 0), n = e.dim(x, 1), m = e.dim(w, 1);
  emitSparseCheckK(e, op, op.getKAttr(), x);
  Value out = allocResult(e, op.getType(), {t, m});
  auto ceil = [&](Value v, int64_t d) {
    return e.divsi(e.addi(v, e.c(d - 1)), e.c(d));
  };
  if (op.getMode() == SparsifyMode::wina && !wnorm) {
    // Row norms of w: one thread per row, columns ascending (the CPU order).
    wnorm = e.allocSized({n}, e.f32());
    buildBlockProgram(e.b, e.loc, {ceil(n, kMmThreads)}, [&](ValueRange ids) {
      buildThreadPhase(e.b, e.loc, kMmThreads, [&](Value tid) {
        Value i = e.addi(e.muli(ids[0], e.c(kMmThreads)), tid);
        e.ifThen(e.cmpi(IP::slt, i, n), [&] {
          Value ss = e.forLoopAcc1(e.c(0), m, e.cf(0), [&](Value j, Value acc) {
            Value v = e.load(w, {i, j});
            return e.addf(acc, e.mulf(v, v));
          });
          e.store(e.sqrt(ss), wnorm, {i});
        });
      });
    });
  }
  Value xs = e.allocSized({t, n}, e.f32());
  emitSparsifyProgram(e, op.getMode(), op.getTauAttr(), op.getKAttr(), x,
                      wnorm, xs);
  buildBlockProgram(
      e.b, e.loc, {ceil(t, kMmRows), ceil(m, kMmThreads)}, [&](ValueRange ids) {
        Value t0 = e.muli(ids[0], e.c(kMmRows));
        Value tn = e.minsi(e.c(kMmRows), e.subi(t, t0));
        buildThreadPhase(e.b, e.loc, kMmThreads, [&](Value tid) {
          Value col = e.addi(e.muli(ids[1], e.c(kMmThreads)), tid);
          Value colOk = e.cmpi(IP::slt, col, m);
          SmallVector<Value> inits(kMmRows, e.cf(0));
          SmallVector<Value> accs = e.forLoopAcc(
              e.c(0), n, inits, [&](Value i, ValueRange acc) {
                SmallVector<Value> xv;
                Value anyNz = e.ci1(false);
                for (int64_t r = 0; r < kMmRows; ++r) {
                  Value v = e.ifElse1(
                      e.cmpi(IP::slt, e.c(r), tn), e.f32(),
                      [&] { return e.load(xs, {e.addi(t0, e.c(r)), i}); },
                      [&] { return e.cf(0); });
                  xv.push_back(v);
                  anyNz = e.ori(anyNz, e.noti(e.arithEqZero(v)));
                }
                // Uniform across the block: the weight row is read only
                // when a token of the tile keeps input i nonzero.
                return e.ifElse(
                    e.andi(anyNz, colOk), TypeRange(SmallVector<Type>(
                                              kMmRows, e.f32())),
                    [&]() -> SmallVector<Value> {
                      Value wv = e.load(w, {i, col});
                      SmallVector<Value> next;
                      for (int64_t r = 0; r < kMmRows; ++r)
                        next.push_back(e.select(
                            e.arithEqZero(xv[r]), acc[r],
                            e.addf(acc[r], e.mulf(xv[r], wv))));
                      return next;
                    },
                    [&]() -> SmallVector<Value> { return SmallVector<Value>(acc); });
              });
          e.ifThen(colOk, [&] {
            for (int64_t r = 0; r < kMmRows; ++r)
              e.ifThen(e.cmpi(IP::slt, e.c(r), tn), [&] {
                e.store(accs[r], out, {e.addi(t0, e.c(r)), col});
              });
          });
        });
      });
  return SmallVector<Value>{out};
}
