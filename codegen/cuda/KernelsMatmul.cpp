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

Value tile::ceilDiv(Emit &e, Value a, int64_t b) {
  return e.divsi(e.addi(a, e.c(b - 1)), e.c(b));
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
  emitRuntimeCheck(e, op, e.cmpi(IP::ne, kDim, e.c(wType.getDimSize(1))),
                   "expects xs dim 1 ({0}) to equal w dim 1 ({1})", kDim,
                   e.c(wType.getDimSize(1)));
  emitRuntimeCheck(e, op, e.cmpi(IP::ne, e.dim(offsets, 0), e.c(ne + 1)),
                   "expects offsets to have E + 1 = {1} entries, got {0}",
                   e.dim(offsets, 0), e.c(ne + 1));
  Value ys = allocResult(e, op.getType(), {p, n});
  buildBlockProgram(e.b, e.loc, {ceilDiv(e, p, kTile), ceilDiv(e, n, kTile)},
                    [&](ValueRange ids) {
    Tiles tl = allocTiles(e);
    Value row0 = e.muli(ids[0], e.c(kTile)), col0 = e.muli(ids[1], e.c(kTile));
    Value rowEnd = e.minsi(e.addi(row0, e.c(kTile)), p);
    buildThreadPhase(e.b, e.loc, kThreads, [&](Value t) {
      forOwned(e, t, [&](Value r, Value c) { e.store(e.cf(0), tl.acc, {r, c}); });
    });
    // Offsets clamped to [0, P]: bad offsets never address outside xs.
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
    buildThreadPhase(e.b, e.loc, kThreads, [&](Value t) {
      forOwned(e, t, [&](Value r, Value c) {
        Value row = e.addi(row0, r), col = e.addi(col0, c);
        e.ifThen(e.andi(e.cmpi(IP::slt, row, p), e.cmpi(IP::slt, col, n)),
                 [&] { e.store(e.load(tl.acc, {r, c}), ys, {row, col}); });
      });
    });
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
  auto bType = cast<MemRefType>(b.getType());
  if (!wType.hasStaticShape() || !aType.hasStaticShape() ||
      !bType.hasStaticShape())
    return op.emitOpError("the CUDA schedule needs static w, a, b shapes");
  int64_t rank = aType.getDimSize(1);
  if (auto ar = op.getActiveRankAttr())
    rank = std::min<int64_t>(rank, ar.getInt());
  // x a of the block's 32 rows stays in shared memory.
  if (rank > 128)
    return op.emitOpError("the CUDA schedule supports ranks up to 128 "
                          "(shared memory), got ")
           << rank;
  Value t = e.dim(x, 0), kDim = e.c(wType.getDimSize(0)),
        n = e.c(wType.getDimSize(1));
  emitRuntimeCheck(e, op, e.cmpi(IP::ne, e.dim(x, 1), kDim),
                   "expects x dim 1 ({0}) to equal w dim 0 ({1})", e.dim(x, 1),
                   kDim);
  bool perToken = g && cast<MemRefType>(g.getType()).getRank() == 2;
  if (perToken)
    emitRuntimeCheck(e, op, e.cmpi(IP::ne, e.dim(g, 0), t),
                     "expects rank_gates dim 0 ({0}) to equal x dim 0 ({1})",
                     e.dim(g, 0), t);
  Value out = allocResult(e, op.getType(), {t, n});
  Value scale = e.cf(op.getScale().convertToDouble());
  buildBlockProgram(e.b, e.loc, {ceilDiv(e, t, kTile), ceilDiv(e, n, kTile)},
                    [&](ValueRange ids) {
    Tiles tl = allocTiles(e);
    Value xa = rank > 0 ? allocWorkgroup(e.b, e.loc, {kTile, rank}, e.f32())
                        : Value();
    Value row0 = e.muli(ids[0], e.c(kTile)), col0 = e.muli(ids[1], e.c(kTile));
    int64_t perThread = (kTile * rank + kThreads - 1) / kThreads;
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
              [&] {
                Value dot = e.forLoopAcc1(
                    e.c(0), kDim, e.cf(0), [&](Value kk, Value acc) {
                      return e.addf(acc, e.mulf(e.load(x, {row, kk}),
                                                e.load(a, {kk, i})));
                    });
                Value c = e.mulf(scale, dot);
                if (g)
                  c = e.mulf(c, perToken ? e.load(g, {row, i})
                                         : e.load(g, {i}));
                return c;
              },
              [&] { return e.cf(0); });
          e.store(v, xa, {r, i});
        });
      }
    });
    emitTiledProduct(
        e, tl, kDim,
        [&](Value r, Value kk) {
          Value row = e.addi(row0, r);
          Value ok = e.andi(e.cmpi(IP::slt, row, t), e.cmpi(IP::slt, kk, kDim));
          return loadOrZero(e, x, {row, kk}, ok);
        },
        [&](Value kk, Value c) {
          Value col = e.addi(col0, c);
          Value ok = e.andi(e.cmpi(IP::slt, kk, kDim), e.cmpi(IP::slt, col, n));
          return loadOrZero(e, w, {kk, col}, ok);
        });
    buildThreadPhase(e.b, e.loc, kThreads, [&](Value tid) {
      forOwned(e, tid, [&](Value r, Value c) {
        Value row = e.addi(row0, r), col = e.addi(col0, c);
        e.ifThen(e.andi(e.cmpi(IP::slt, row, t), e.cmpi(IP::slt, col, n)), [&] {
          Value v = e.load(tl.acc, {r, c});
          if (rank > 0)
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
