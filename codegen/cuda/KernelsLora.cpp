//===- KernelsLora.cpp - CUDA schedules of multi_lora_matmul, lowrank_matmul -===//
//
// Both use the 32 x 32 output tile per 256-thread block of KernelsMatmul.cpp,
// grid (ceil(T / 32), ceil(N / 32)).
//
// multi_lora_matmul (SGMV-style): the block's ids (32 rows x m slots) go to
// shared memory once (ids outside [0, L) become -1, those other than -1
// reported with the CPU lowering's message); the accumulators start
// at the bias, x w is the tiled product; then a block-uniform loop visits the
// distinct adapters of the block in ascending id order (each found by a scan
// of the shared ids for the smallest id above the previous one), so all
// tokens of the block that use adapter l share one pass over a[l] and b[l]:
// one phase computes coef[r] (sum over the row's slots with id l of
// scale * gate) and coef * (x a[l]) for the rows that use l, the next adds
// (coef x a[l]) b[l] to the tile. Adapters no row of the block uses cost
// nothing.
//
// lowrank_matmul: x u of the block's rows into shared memory (phase 1),
// then bias + (x u) v (phase 2).
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

/// Ranks above this do not keep x a of a row block in shared memory.
static constexpr int64_t kMaxRank = 128;
/// Slots per token (m) above this do not keep the block's ids in shared
/// memory.
static constexpr int64_t kMaxSlots = 32;

/// Calls body(r, i) for every (r, i) of a [kTile, rank] shared buffer the
/// thread `tid` fills (flat index tid + 256 q).
static void forRankEntries(Emit &e, Value tid, int64_t rank,
                           function_ref<void(Value, Value)> body) {
  int64_t perThread = (kTile * rank + kThreads - 1) / kThreads;
  for (int64_t q = 0; q < perThread; ++q) {
    Value idx = e.addi(tid, e.c(q * kThreads));
    e.ifThen(e.cmpi(IP::slt, idx, e.c(kTile * rank)), [&] {
      body(e.divsi(idx, e.c(rank)), e.remsi(idx, e.c(rank)));
    });
  }
}

/// x[row, :] . m[(lead,) :, i] over kDim, in ascending k (the CPU order).
static Value dotColumn(Emit &e, Value x, Value row, Value m,
                       ArrayRef<Value> lead, Value i, Value kDim) {
  return e.forLoopAcc1(e.c(0), kDim, e.cf(0), [&](Value kk, Value acc) {
    SmallVector<Value> im(lead);
    im.append({kk, i});
    return e.addf(acc, e.mulf(e.load(x, {row, kk}), e.load(m, im)));
  });
}

FailureOr<SmallVector<Value>>
cuda::buildMultiLoraMatmulKernel(Emit &e, Operation *o,
                                 ArrayRef<Value> operands) {
  auto op = cast<MultiLoraMatmulOp>(o);
  MultiLoraMatmulOp::Adaptor ad(operands, op);
  Value x = ad.getX(), w = ad.getW(), a = ad.getA(), b = ad.getB(),
        ids = ad.getIds(), gates = ad.getGates(), scales = ad.getScales(),
        bias = ad.getBias();
  auto wType = cast<MemRefType>(w.getType());
  auto aType = cast<MemRefType>(a.getType());
  auto bType = cast<MemRefType>(b.getType());
  auto idsType = cast<MemRefType>(ids.getType());
  if (!wType.hasStaticShape() || !aType.hasStaticShape() ||
      !bType.hasStaticShape() || idsType.isDynamicDim(1))
    return op.emitOpError("the CUDA schedule needs static w, a, b shapes and "
                          "a static slot count");
  int64_t numAdapters = aType.getDimSize(0), rank = aType.getDimSize(2);
  int64_t slots = idsType.getDimSize(1);
  if (rank > kMaxRank || slots > kMaxSlots)
    return op.emitOpError("the CUDA schedule supports ranks up to ")
           << kMaxRank << " and up to " << kMaxSlots << " slots";
  Value t = e.dim(x, 0), kDim = e.c(wType.getDimSize(0)),
        n = e.c(wType.getDimSize(1));
  // Dims that must agree (x / ids / gates rows, x / w / a features, ...)
  // are checked on the host by guardEqualDims (LowerBlockPrograms.cpp).
  Value out = allocResult(e, op.getType(), {t, n});
  double attrScale = op.getScaleAttr()
                         ? op.getScaleAttr().getValue().convertToDouble()
                         : 1.0;
  int64_t entries = kTile * slots;
  buildBlockProgram(e.b, e.loc, {ceilDiv(e, t, kTile), ceilDiv(e, n, kTile)},
                    [&](ValueRange bids) {
    Tiles tl = allocTiles(e);
    Value row0 = e.muli(bids[0], e.c(kTile)),
          col0 = e.muli(bids[1], e.c(kTile));
    bool adapters = rank > 0 && slots > 0 && numAdapters > 0;
    Value idS, xa, coef;
    if (adapters) {
      idS = allocWorkgroup(e.b, e.loc, {entries}, e.i32());
      xa = allocWorkgroup(e.b, e.loc, {kTile, rank}, e.f32());
      coef = allocWorkgroup(e.b, e.loc, {kTile}, e.f32());
    }
    buildThreadPhase(e.b, e.loc, kThreads, [&](Value tid) {
      forOwned(e, tid, [&](Value r, Value c) {
        Value col = e.addi(col0, c);
        Value init = bias ? loadOrZero(e, bias, {col},
                                       e.cmpi(IP::slt, col, n))
                          : e.cf(0);
        e.store(init, tl.acc, {r, c});
      });
      if (!adapters)
        return;
      // ids of the block's rows; rows past T and ids outside [0, L) are -1.
      // An id other than -1 outside [0, L) is reported (first error wins)
      // and skipped.
      for (int64_t q = 0; q * kThreads < entries; ++q) {
        Value idx = e.addi(tid, e.c(q * kThreads));
        e.ifThen(e.cmpi(IP::slt, idx, e.c(entries)), [&] {
          Value row = e.addi(row0, e.divsi(idx, e.c(slots)));
          Value j = e.remsi(idx, e.c(slots));
          Value id = e.ifElse1(
              e.cmpi(IP::slt, row, t), e.i32(),
              [&] { return e.load(ids, {row, j}); },
              [&] { return e.ci32(-1); });
          Value ok = e.andi(e.cmpi(IP::sge, id, e.ci32(0)),
                            e.cmpi(IP::slt, id, e.ci32(numAdapters)));
          Value bad = e.andi(e.noti(ok), e.cmpi(IP::ne, id, e.ci32(-1)));
          reportError(e, op, bad,
                      "adapter id {0} out of range [-1, L) at token {1}", id,
                      row);
          e.store(e.select(ok, id, e.ci32(-1)), idS, {idx});
        });
      }
    });
    // Base GEMM: acc = bias + x w, K ascending (the CPU order).
    emitRowsTimesWeight(e, tl, x, w, row0, col0, t, kDim, n);
    if (adapters) {
      // The block's distinct adapters in ascending order: at most
      // min(L, 32 m) of them. Block-uniform: every thread scans the same
      // shared ids.
      Value none = e.ci32(numAdapters);
      int64_t visits = std::min<int64_t>(numAdapters, entries);
      e.forLoopAcc1(e.c(0), e.c(visits), e.ci32(-1), [&](Value, Value prev) {
        Value next = e.forLoopAcc1(
            e.c(0), e.c(entries), none, [&](Value q, Value best) {
              Value id = e.load(idS, {q});
              Value better = e.andi(e.cmpi(IP::sgt, id, prev),
                                    e.cmpi(IP::slt, id, best));
              return e.select(better, id, best);
            });
        Value found = e.cmpi(IP::slt, next, none);
        e.ifThen(found, [&] {
          Value l = e.toIndex(next);
          Value s = scales ? e.load(scales, {l}) : e.cf(attrScale);
          buildThreadPhase(e.b, e.loc, kThreads, [&](Value tid) {
            // coef[r] = sum over the row's slots with id l of s * gate.
            e.ifThen(e.cmpi(IP::slt, tid, e.c(kTile)), [&] {
              Value cf = e.cf(0);
              for (int64_t j = 0; j < slots; ++j) {
                Value id = e.load(idS, {e.addi(e.muli(tid, e.c(slots)), e.c(j))});
                Value g = s;
                if (gates)
                  g = e.mulf(g, e.ifElse1(
                                    e.cmpi(IP::eq, id, next), e.f32(),
                                    [&] {
                                      return e.load(gates,
                                                    {e.addi(row0, tid), e.c(j)});
                                    },
                                    [&] { return e.cf(0); }));
                cf = e.select(e.cmpi(IP::eq, id, next), e.addf(cf, g), cf);
              }
              e.store(cf, coef, {tid});
            });
            // xa[r, i] = x[row] . a[l, :, i] for the rows that use l.
            forRankEntries(e, tid, rank, [&](Value r, Value i) {
              Value uses = e.ci1(false);
              for (int64_t j = 0; j < slots; ++j)
                uses = e.ori(uses, e.cmpi(IP::eq,
                                          e.load(idS, {e.addi(e.muli(r, e.c(slots)),
                                                              e.c(j))}),
                                          next));
              Value v = e.ifElse1(
                  uses, e.f32(),
                  [&] {
                    return dotColumn(e, x, e.addi(row0, r), a, {l}, i, kDim);
                  },
                  [&] { return e.cf(0); });
              e.store(v, xa, {r, i});
            });
          });
          buildThreadPhase(e.b, e.loc, kThreads, [&](Value tid) {
            forOwned(e, tid, [&](Value r, Value c) {
              Value col = e.addi(col0, c);
              Value cr = e.load(coef, {r});
              // Rows that do not use l (coef 0) read no row of b[l].
              e.ifThen(e.andi(e.cmpi(IP::slt, col, n),
                              e.noti(e.arithEqZero(cr))),
                       [&] {
                Value v = e.forLoopAcc1(
                    e.c(0), e.c(rank), e.load(tl.acc, {r, c}),
                    [&](Value i, Value acc) {
                      return e.addf(acc, e.mulf(e.mulf(cr, e.load(xa, {r, i})),
                                                e.load(b, {l, i, col})));
                    });
                e.store(v, tl.acc, {r, c});
              });
            });
          });
        });
        return e.select(found, next, prev);
      });
    }
    emitStoreTile(e, tl, row0, col0, t, n, out);
  });
  return SmallVector<Value>{out};
}

FailureOr<SmallVector<Value>>
cuda::buildLowrankMatmulKernel(Emit &e, Operation *o,
                               ArrayRef<Value> operands) {
  auto op = cast<LowrankMatmulOp>(o);
  LowrankMatmulOp::Adaptor ad(operands, op);
  Value x = ad.getX(), u = ad.getU(), v = ad.getV(), bias = ad.getBias();
  auto uType = cast<MemRefType>(u.getType());
  auto vType = cast<MemRefType>(v.getType());
  if (!uType.hasStaticShape() || !vType.hasStaticShape())
    return op.emitOpError("the CUDA schedule needs static u, v shapes");
  int64_t rank = uType.getDimSize(1);
  if (rank > kMaxRank)
    return op.emitOpError("the CUDA schedule supports ranks up to ")
           << kMaxRank << ", got " << rank;
  Value t = e.dim(x, 0), kDim = e.c(uType.getDimSize(0)),
        n = e.c(vType.getDimSize(1));
  Value out = allocResult(e, op.getType(), {t, n});
  buildBlockProgram(e.b, e.loc, {ceilDiv(e, t, kTile), ceilDiv(e, n, kTile)},
                    [&](ValueRange bids) {
    Value row0 = e.muli(bids[0], e.c(kTile)),
          col0 = e.muli(bids[1], e.c(kTile));
    Value xu = rank > 0 ? allocWorkgroup(e.b, e.loc, {kTile, rank}, e.f32())
                        : Value();
    if (rank > 0) {
      buildThreadPhase(e.b, e.loc, kThreads, [&](Value tid) {
        forRankEntries(e, tid, rank, [&](Value r, Value i) {
          Value row = e.addi(row0, r);
          Value val = e.ifElse1(
              e.cmpi(IP::slt, row, t), e.f32(),
              [&] { return dotColumn(e, x, row, u, {}, i, kDim); },
              [&] { return e.cf(0); });
          e.store(val, xu, {r, i});
        });
      });
    }
    // out = bias + sum_i xu[r, i] v[i, :], i ascending (the CPU order).
    buildThreadPhase(e.b, e.loc, kThreads, [&](Value tid) {
      forOwned(e, tid, [&](Value r, Value c) {
        Value row = e.addi(row0, r), col = e.addi(col0, c);
        e.ifThen(e.andi(e.cmpi(IP::slt, row, t), e.cmpi(IP::slt, col, n)), [&] {
          Value acc = bias ? e.load(bias, {col}) : e.cf(0);
          if (rank > 0)
            acc = e.forLoopAcc1(e.c(0), e.c(rank), acc, [&](Value i, Value s) {
              return e.addf(s, e.mulf(e.load(xu, {r, i}), e.load(v, {i, col})));
            });
          e.store(acc, out, {row, col});
        });
      });
    });
  });
  return SmallVector<Value>{out};
}
