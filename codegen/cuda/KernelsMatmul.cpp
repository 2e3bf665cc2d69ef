//===- KernelsMatmul.cpp - CUDA schedules of grouped_matmul, lora_matmul --===//
//
// Both are 32 x 32 output tiles per 256-thread block, grid (ceil(rows / 32),
// ceil(N / 32)), K walked in 32-wide steps through shared memory: a load
// phase (A and B tiles, out-of-range entries 0) and a compute phase per step.
// Thread t owns outputs (t / 32 + 8 i, t % 32), i < 4; its accumulators live
// in a shared tile (per-thread state across phases lives in buffers).
//
// grouped_matmul: the block visits only the experts whose segment meets its
// rows (a block-uniform loop over offsets); rows of other experts load as 0,
// so one tile may span several segments and empty experts cost nothing.
// lora_matmul: x a (gated, scaled) for the block's rows first, then x w, then
// the epilogue adds (x a) b and the bias.
//
//===----------------------------------------------------------------------===//

#include "codegen/common/Lowering.h"
#include "codegen/cuda/BlockProgram.h"
#include "codegen/cuda/KernelsTile.h"

using namespace mlir;
using namespace mlir::sluice;
using namespace mlir::sluice::codegen;
using namespace mlir::sluice::cuda;
using namespace mlir::sluice::cuda::tile;
using IP = arith::CmpIPredicate;

Tiles tile::allocTiles(Emit &e) {
  return {allocWorkgroup(e.b, e.loc, {kTile, kTile}, e.f32()),
          allocWorkgroup(e.b, e.loc, {kTile, kTile}, e.f32()),
          allocWorkgroup(e.b, e.loc, {kTile, kTile}, e.f32())};
}

void tile::forOwned(Emit &e, Value t, function_ref<void(Value, Value)> f) {
  Value r0 = e.divsi(t, e.c(kTile)), c = e.remsi(t, e.c(kTile));
  for (int64_t i = 0; i < kOwned; ++i)
    f(e.addi(r0, e.c(i * (kThreads / kTile))), c);
}

Value tile::loadOrZero(Emit &e, Value m, ArrayRef<Value> idx, Value ok) {
  return e.ifElse1(
      ok, e.f32(), [&] { return e.load(m, idx); }, [&] { return e.cf(0); });
}

void tile::emitTiledProduct(Emit &e, const Tiles &tl, Value kDim,
                      function_ref<Value(Value, Value)> aAt,
                      function_ref<Value(Value, Value)> bAt) {
  Value steps = e.divsi(e.addi(kDim, e.c(kTile - 1)), e.c(kTile));
  e.forLoop(steps, [&](Value step) {
    Value k0 = e.muli(step, e.c(kTile));
    buildThreadPhase(e.b, e.loc, kThreads, [&](Value t) {
      forOwned(e, t, [&](Value r, Value c) {
        e.store(aAt(r, e.addi(k0, c)), tl.as, {r, c});
        e.store(bAt(e.addi(k0, r), c), tl.bs, {r, c});
      });
    });
    buildThreadPhase(e.b, e.loc, kThreads, [&](Value t) {
      // The thread's kOwned accumulators are carried through one k loop
      // (each B entry is read once per thread).
      SmallVector<Value> rows, inits;
      Value c;
      forOwned(e, t, [&](Value r, Value col) {
        rows.push_back(r);
        c = col;
        inits.push_back(e.load(tl.acc, {r, col}));
      });
      SmallVector<Value> accs = e.forLoopAcc(
          e.c(0), e.c(kTile), inits,
          [&](Value kk, ValueRange acc) -> SmallVector<Value> {
            Value bv = e.load(tl.bs, {kk, c});
            SmallVector<Value> next;
            for (auto [r, a] : llvm::zip(rows, acc))
              next.push_back(e.addf(a, e.mulf(e.load(tl.as, {r, kk}), bv)));
            return next;
          });
      for (auto [r, a] : llvm::zip(rows, accs))
        e.store(a, tl.acc, {r, c});
    });
  });
}

void tile::emitRowsTimesWeight(Emit &e, const Tiles &tl, Value x, Value w,
                               Value row0, Value col0, Value rows, Value kDim,
                               Value n) {
  emitTiledProduct(
      e, tl, kDim,
      [&](Value r, Value kk) {
        Value row = e.addi(row0, r);
        Value ok = e.andi(e.cmpi(IP::slt, row, rows), e.cmpi(IP::slt, kk, kDim));
        return loadOrZero(e, x, {row, kk}, ok);
      },
      [&](Value kk, Value c) {
        Value col = e.addi(col0, c);
        Value ok = e.andi(e.cmpi(IP::slt, kk, kDim), e.cmpi(IP::slt, col, n));
        return loadOrZero(e, w, {kk, col}, ok);
      });
}

Value tile::ceilDiv(Emit &e, Value a, int64_t b) {
  return e.divsi(e.addi(a, e.c(b - 1)), e.c(b));
}

void tile::emitStoreTile(Emit &e, const Tiles &tl, Value row0, Value col0,
                         Value rows, Value cols, Value out) {
  buildThreadPhase(e.b, e.loc, kThreads, [&](Value t) {
    forOwned(e, t, [&](Value r, Value c) {
      Value row = e.addi(row0, r), col = e.addi(col0, c);
      e.ifThen(e.andi(e.cmpi(IP::slt, row, rows), e.cmpi(IP::slt, col, cols)),
               [&] { e.store(e.load(tl.acc, {r, c}), out, {row, col}); });
    });
  });
}

FailureOr<SmallVector<Value>>
cuda::buildGroupedMatmulKernel(Emit &e, Operation *o,
                               ArrayRef<Value> operands) {
  auto op = cast<GroupedMatmulOp>(o);
  GroupedMatmulOp::Adaptor a(operands, op);
  Value xs = a.getXs(), w = a.getW(), offsets = a.getOffsets();
  auto wType = cast<MemRefType>(w.getType());
  if (!wType.hasStaticShape())
    return op.emitOpError("the CUDA schedule needs static weight shapes");
  int64_t ne = wType.getDimSize(0);
  Value p = e.dim(xs, 0), kDim = e.dim(xs, 1), n = e.c(wType.getDimSize(2));
  // xs dim 1 and the number of offsets were checked on the host
  // (guardEqualDimsOnDevice, the CPU lowering's messages): a mismatching
  // operand is a buffer of the expected sizes here.
  Value ys = allocResult(e, op.getType(), {p, n});
  // At least one row of blocks, so that offsets are checked even when P = 0
  // (such a block computes nothing: every segment is empty in it).
  Value rowBlocks = e.maxsi(ceilDiv(e, p, kTile), e.c(1));
  buildBlockProgram(e.b, e.loc, {rowBlocks, ceilDiv(e, n, kTile)},
                    [&](ValueRange ids) {
    Tiles tl = allocTiles(e);
    Value row0 = e.muli(ids[0], e.c(kTile)), col0 = e.muli(ids[1], e.c(kTile));
    Value rowEnd = e.minsi(e.addi(row0, e.c(kTile)), p);
    // The values of offsets, checked by block (0, 0) in the CPU lowering's
    // order and with its messages (emitCheckOffsets: entry 0 is 0, entries
    // nondecreasing, the last is P), so the first error reported is the
    // CPU's. Block-uniform code; the reads below are clamped all the same.
    e.ifThen(e.andi(e.cmpi(IP::eq, ids[0], e.c(0)),
                    e.cmpi(IP::eq, ids[1], e.c(0))),
             [&] {
      Value first = e.toIndex(e.load(offsets, {e.c(0)}));
      reportError(e, op, e.cmpi(IP::ne, first, e.c(0)),
                  "offsets must start at 0, got {0}", first);
      e.forLoop(e.c(1), e.c(ne + 1), [&](Value i) {
        Value prev = e.toIndex(e.load(offsets, {e.subi(i, e.c(1))}));
        Value cur = e.toIndex(e.load(offsets, {i}));
        reportError(e, op, e.cmpi(IP::slt, cur, prev),
                    "offsets must be nondecreasing: entry {0} is {1}", i, cur);
      });
      Value last = e.toIndex(e.load(offsets, {e.c(ne)}));
      reportError(e, op, e.cmpi(IP::ne, last, p),
                  "offsets must end at the row count {1}, got {0}", last, p);
    });
    buildThreadPhase(e.b, e.loc, kThreads, [&](Value t) {
      forOwned(e, t, [&](Value r, Value c) { e.store(e.cf(0), tl.acc, {r, c}); });
    });
    // Segments clamped to [0, P] (as on the CPU): bad offsets never
    // address outside xs.
    auto offset = [&](Value i) {
      return e.minsi(e.maxsi(e.toIndex(e.load(offsets, {i})), e.c(0)), p);
    };
    e.forLoop(e.c(ne), [&](Value ex) {
      Value lo = e.maxsi(offset(ex), row0);
      Value hi = e.minsi(offset(e.addi(ex, e.c(1))), rowEnd);
      e.ifThen(e.cmpi(IP::slt, lo, hi), [&] {
        emitTiledProduct(
            e, tl, kDim,
            [&](Value r, Value kk) {
              Value row = e.addi(row0, r);
              Value ok = e.andi(e.andi(e.cmpi(IP::sge, row, lo),
                                       e.cmpi(IP::slt, row, hi)),
                                e.cmpi(IP::slt, kk, kDim));
              return loadOrZero(e, xs, {row, kk}, ok);
            },
            [&](Value kk, Value c) {
              Value col = e.addi(col0, c);
              Value ok = e.andi(e.cmpi(IP::slt, kk, kDim),
                                e.cmpi(IP::slt, col, n));
              return loadOrZero(e, w, {ex, kk, col}, ok);
            });
      });
    });
    emitStoreTile(e, tl, row0, col0, p, n, ys);
  });
  return SmallVector<Value>{ys};
}

FailureOr<SmallVector<Value>>
cuda::buildLoraMatmulKernel(Emit &e, Operation *o, ArrayRef<Value> operands) {
  auto op = cast<LoraMatmulOp>(o);
  LoraMatmulOp::Adaptor ad(operands, op);
  Value x = ad.getX(), w = ad.getW(), a = ad.getA(), b = ad.getB(),
        bias = ad.getBias(), g = ad.getRankGates();
  auto wType = cast<MemRefType>(w.getType());
  auto aType = cast<MemRefType>(a.getType());
  if (!wType.hasStaticShape())
    return op.emitOpError("the CUDA schedule needs a static w shape");
  // The dims that must agree (x / w / a, w / b / bias, a / b / rank_gates,
  // rank_gates / x) were checked on the host (guardEqualDimsOnDevice): a
  // mismatching operand is a buffer of the expected sizes here.
  Value t = e.dim(x, 0), kDim = e.c(wType.getDimSize(0)),
        n = e.c(wType.getDimSize(1));
  // The rank used: a's, or active_rank (checked against a dynamic rank on
  // the host, with the CPU lowering's message, and clamped to it).
  int64_t rank = aType.getDimSize(1);
  Value rankV = e.dim(a, 1);
  if (auto ar = op.getActiveRankAttr()) {
    Value want = e.c(ar.getInt());
    if (aType.isDynamicDim(1))
      emitRuntimeCheck(e, op, e.cmpi(IP::sgt, want, rankV),
                       "active_rank {0} exceeds the rank of a, {1}", want,
                       rankV);
    else
      rank = std::min<int64_t>(rank, ar.getInt());
    rankV = e.minsi(want, rankV);
  }
  // A static rank up to 128 keeps x a of the block's 32 rows in shared
  // memory for the epilogue; a dynamic or larger rank is a run-time loop
  // bound: x a is produced 32 ranks at a time as the A tile of a second
  // tiled product (K = rank) against b.
  bool chunked = ShapedType::isDynamic(rank) || rank > 128;
  bool perToken = g && cast<MemRefType>(g.getType()).getRank() == 2;
  Value out = allocResult(e, op.getType(), {t, n});
  Value scale = e.cf(op.getScale().convertToDouble());
  // scale * g[row, i] * (x[row] . a[:, i]) for row < T.
  auto xaEntry = [&](Value row, Value i) {
    Value dot = e.forLoopAcc1(e.c(0), kDim, e.cf(0), [&](Value kk, Value acc) {
      return e.addf(acc, e.mulf(e.load(x, {row, kk}), e.load(a, {kk, i})));
    });
    Value c = e.mulf(scale, dot);
    if (g)
      c = e.mulf(c, perToken ? e.load(g, {row, i}) : e.load(g, {i}));
    return c;
  };
  buildBlockProgram(e.b, e.loc, {ceilDiv(e, t, kTile), ceilDiv(e, n, kTile)},
                    [&](ValueRange ids) {
    Tiles tl = allocTiles(e);
    Value xa = !chunked && rank > 0
                   ? allocWorkgroup(e.b, e.loc, {kTile, rank}, e.f32())
                   : Value();
    Value row0 = e.muli(ids[0], e.c(kTile)), col0 = e.muli(ids[1], e.c(kTile));
    int64_t perThread = xa ? (kTile * rank + kThreads - 1) / kThreads : 0;
    buildThreadPhase(e.b, e.loc, kThreads, [&](Value tid) {
      forOwned(e, tid, [&](Value r, Value c) { e.store(e.cf(0), tl.acc, {r, c}); });
      // xa[r, i] = scale * g * (x[row0 + r] . a[:, i]).
      for (int64_t q = 0; q < perThread; ++q) {
        Value idx = e.addi(tid, e.c(q * kThreads));
        e.ifThen(e.cmpi(IP::slt, idx, e.c(kTile * rank)), [&] {
          Value r = e.divsi(idx, e.c(rank)), i = e.remsi(idx, e.c(rank));
          Value row = e.addi(row0, r);
          Value v = e.ifElse1(
              e.cmpi(IP::slt, row, t), e.f32(),
              [&] { return xaEntry(row, i); }, [&] { return e.cf(0); });
          e.store(v, xa, {r, i});
        });
      }
    });
    emitRowsTimesWeight(e, tl, x, w, row0, col0, t, kDim, n);
    if (chunked)
      // acc += (x a) b, ranks ascending in 32-wide steps (the CPU order).
      emitTiledProduct(
          e, tl, rankV,
          [&](Value r, Value i) {
            Value row = e.addi(row0, r);
            return e.ifElse1(
                e.andi(e.cmpi(IP::slt, row, t), e.cmpi(IP::slt, i, rankV)),
                e.f32(), [&] { return xaEntry(row, i); },
                [&] { return e.cf(0); });
          },
          [&](Value i, Value c) {
            Value col = e.addi(col0, c);
            Value ok = e.andi(e.cmpi(IP::slt, i, rankV), e.cmpi(IP::slt, col, n));
            return loadOrZero(e, b, {i, col}, ok);
          });
    buildThreadPhase(e.b, e.loc, kThreads, [&](Value tid) {
      forOwned(e, tid, [&](Value r, Value c) {
        Value row = e.addi(row0, r), col = e.addi(col0, c);
        e.ifThen(e.andi(e.cmpi(IP::slt, row, t), e.cmpi(IP::slt, col, n)), [&] {
          Value v = e.load(tl.acc, {r, c});
          if (xa)
            v = e.forLoopAcc1(e.c(0), e.c(rank), v, [&](Value i, Value acc) {
              return e.addf(acc, e.mulf(e.load(xa, {r, i}), e.load(b, {i, col})));
            });
          if (bias)
            v = e.addf(v, e.load(bias, {col}));
          e.store(v, out, {row, col});
        });
      });
    });
  });
  return SmallVector<Value>{out};
}
