//===- KernelsPool2.cpp - CUDA schedules of segment / adaptive / pyramid /
//                        attention pooling ---------------------------------===//
//
// segment_pool: grid (max(B, 1), ceil(D / 128)), 128 threads: thread = one
//   feature of one segment, as sluice.pool (KernelsPool.cpp); offsets
//   clamped like the CPU lowering (lo in [0, rows], hi in [lo, rows]) and
//   checked at block level (start 0, nondecreasing, end = rows; reported
//   with sluice_gpu.report_error, the CPU lowering's messages), group_p
//   entries of 0 reported by the threads that read them.
// adaptive_pool: grid (B, C, ceil(OH OW / 128)), thread = one output bin.
// spatial_pyramid_pool: grid (B, C, ceil(bins / 128)), thread = one bin of
//   any level (the level found by comparing with the static level offsets).
// attention_pool, featurewise: grid (B, ceil(D / 128)), thread = feature d:
//   the scores s[n, d] = x[n] . q[:, d] are recomputed in the max pass and
//   in the sum pass (no [N, D] scratch); one phase, no shared memory.
// attention_pool, dot: grid (B, NQ heads), 128 threads per (set, query,
//   head): thread t scores rows t, t + 128, ... (running max, then running
//   sum of exp), warp collectives + a 4-warp combine give the max and the
//   sum; then the rows in chunks of 128: one phase puts the chunk's
//   weights in shared memory, the next accumulates w x into the output
//   (thread = feature of the head, rows ascending), a last phase divides.
//
//===----------------------------------------------------------------------===//

#include "codegen/common/PoolShared.h"
#include "codegen/cuda/BlockProgram.h"
#include "codegen/cuda/KernelsPool.h"

using namespace mlir;
using namespace mlir::sluice;
using namespace mlir::sluice::codegen;
using namespace mlir::sluice::cuda;
using IP = arith::CmpIPredicate;

static constexpr int64_t kThreads = 128;

static Value ceilDiv(Emit &e, Value a, int64_t b) {
  return e.divsi(e.addi(a, e.c(b - 1)), e.c(b));
}

FailureOr<SmallVector<Value>>
cuda::buildSegmentPoolKernel(Emit &e, Operation *o, ArrayRef<Value> operands) {
  auto op = cast<SegmentPoolOp>(o);
  SegmentPoolOp::Adaptor a(operands, op);
  Value x = a.getX(), offsets = a.getOffsets(), groupP = a.getGroupP();
  Value rows = e.dim(x, 0), d = e.dim(x, 1);
  Value entries = e.dim(offsets, 0);
  // The entry count is a shape (host) check; the values of offsets are data
  // (clamped on the device, not reported yet).
  emitRuntimeCheck(e, op, e.cmpi(IP::eq, entries, e.c(0)),
                   "offsets must have at least one entry");
  Value b = e.maxsi(e.subi(entries, e.c(1)), e.c(0));
  Value out = allocResult(e, op.getType(), {b, d});
  Value groupWidth = e.divsi(d, e.c(op.getGroups()));
  PoolSpec spec{op.getKind(), op.getP().convertToDouble(),
                op.getEps().convertToDouble(), op.getR().convertToDouble()};
  // At least one block (row 0 of the grid checks offsets[0] even when
  // B = 0); blocks bb >= B only check.
  Value gridRows = e.ifElse1(
      e.cmpi(IP::eq, entries, e.c(0)), e.idx(), [&] { return e.c(0); },
      [&] { return e.maxsi(b, e.c(1)); });
  buildBlockProgram(e.b, e.loc, {gridRows, ceilDiv(e, d, kThreads)},
                    [&](ValueRange ids) {
    Value bb = ids[0];
    // The values of offsets (the CPU lowering's emitCheckOffsets messages),
    // at block level: entry 0 is 0, entry bb + 1 >= entry bb, the last is
    // the row count. The first error wins; the reads below are clamped.
    Value first = e.toIndex(e.load(offsets, {e.c(0)}));
    reportError(e, op,
                e.andi(e.cmpi(IP::eq, bb, e.c(0)),
                       e.cmpi(IP::ne, first, e.c(0))),
                "offsets must start at 0, got {0}", first);
    e.ifThen(e.cmpi(IP::slt, bb, b), [&] {
      Value prev = e.toIndex(e.load(offsets, {bb}));
      Value cur = e.toIndex(e.load(offsets, {e.addi(bb, e.c(1))}));
      reportError(e, op, e.cmpi(IP::slt, cur, prev),
                  "offsets must be nondecreasing: entry {0} is {1}",
                  e.addi(bb, e.c(1)), cur);
    });
    Value last = e.toIndex(e.load(offsets, {b}));
    reportError(e, op,
                e.andi(e.cmpi(IP::eq, bb, e.subi(gridRows, e.c(1))),
                       e.cmpi(IP::ne, last, rows)),
                "offsets must end at the row count {1}, got {0}", last, rows);
    buildThreadPhase(e.b, e.loc, kThreads, [&](Value t) {
      Value dd = e.addi(e.muli(ids[1], e.c(kThreads)), t);
      e.ifThen(e.andi(e.cmpi(IP::slt, dd, d), e.cmpi(IP::slt, bb, b)), [&] {
        if (groupP) {
          Value g = e.divsi(dd, groupWidth);
          reportError(e, op, e.arithEqZero(e.load(groupP, {g})),
                      "group_p entry {0} is 0", g);
        }
        Value lo, hi;
        std::tie(lo, hi) = emitSegmentBounds(e, offsets, bb, rows);
        Value v = poolOne(
            e, spec, groupP, groupWidth, dd, e.subi(hi, lo),
            [&](Value) { return e.ci1(true); },
            [&](Value row) { return e.load(x, {e.addi(lo, row), dd}); });
        e.store(v, out, {bb, dd});
      });
    });
  });
  return SmallVector<Value>{out};
}

/// Adaptive bin (i, j) of an oh x ow grid over x[bb, cc] (the CPU
/// lowering's bounds and reduction, PoolShared.h).
static Value adaptiveBin(Emit &e, SpatialPoolKind kind, Value x, Value bb,
                         Value cc, Value i, Value j, Value oh, Value ow) {
  Value h = e.dim(x, 2), w = e.dim(x, 3);
  Value h0, h1, w0, w1;
  std::tie(h0, h1) = emitAdaptiveBounds(e, i, h, oh);
  std::tie(w0, w1) = emitAdaptiveBounds(e, j, w, ow);
  return emitAdaptiveReduce(e, kind, x, bb, cc, h0, h1, w0, w1);
}

FailureOr<SmallVector<Value>>
cuda::buildAdaptivePoolKernel(Emit &e, Operation *o, ArrayRef<Value> operands) {
  auto op = cast<AdaptivePoolOp>(o);
  AdaptivePoolOp::Adaptor a(operands, op);
  Value x = a.getX();
  ArrayRef<int64_t> os = op.getOutputSize();
  Value b = e.dim(x, 0), c = e.dim(x, 1), oh = e.c(os[0]), ow = e.c(os[1]);
  Value out = allocResult(e, op.getType(), {b, c, oh, ow});
  emitCheckSpatial(e, op, x);
  int64_t bins = os[0] * os[1];
  buildBlockProgram(e.b, e.loc, {b, c, e.c((bins + kThreads - 1) / kThreads)},
                    [&](ValueRange ids) {
    buildThreadPhase(e.b, e.loc, kThreads, [&](Value t) {
      Value q = e.addi(e.muli(ids[2], e.c(kThreads)), t);
      e.ifThen(e.cmpi(IP::slt, q, e.c(bins)), [&] {
        Value i = e.divsi(q, ow), j = e.remsi(q, ow);
        Value v = adaptiveBin(e, op.getKind(), x, ids[0], ids[1], i, j, oh, ow);
        e.store(v, out, {ids[0], ids[1], i, j});
      });
    });
  });
  return SmallVector<Value>{out};
}

FailureOr<SmallVector<Value>>
cuda::buildSpatialPyramidPoolKernel(Emit &e, Operation *o,
                                    ArrayRef<Value> operands) {
  auto op = cast<SpatialPyramidPoolOp>(o);
  SpatialPyramidPoolOp::Adaptor a(operands, op);
  Value x = a.getX();
  Value b = e.dim(x, 0), c = e.dim(x, 1);
  int64_t bins = 0;
  for (int64_t l : op.getLevels())
    bins += l * l;
  Value out = allocResult(e, op.getType(), {b, e.muli(c, e.c(bins))});
  emitCheckSpatial(e, op, x);
  buildBlockProgram(e.b, e.loc, {b, c, e.c((bins + kThreads - 1) / kThreads)},
                    [&](ValueRange ids) {
    Value bb = ids[0], cc = ids[1];
    buildThreadPhase(e.b, e.loc, kThreads, [&](Value t) {
      Value q = e.addi(e.muli(ids[2], e.c(kThreads)), t);
      e.ifThen(e.cmpi(IP::slt, q, e.c(bins)), [&] {
        // The level of bin q: its size l and the bins before it.
        Value l = e.c(op.getLevels().front()), before = e.c(0);
        int64_t acc = 0;
        for (int64_t lv : op.getLevels()) {
          Value in = e.cmpi(IP::sge, q, e.c(acc));
          l = e.select(in, e.c(lv), l);
          before = e.select(in, e.c(acc), before);
          acc += lv * lv;
        }
        Value local = e.subi(q, before);
        Value i = e.divsi(local, l), j = e.remsi(local, l);
        Value v = adaptiveBin(e, op.getKind(), x, bb, cc, i, j, l, l);
        // Output channel: C * before + cc * l * l + local (level-major).
        Value chan = e.addi(e.addi(e.muli(c, before), e.muli(cc, e.muli(l, l))),
                            local);
        e.store(v, out, {bb, chan});
      });
    });
  });
  return SmallVector<Value>{out};
}

FailureOr<SmallVector<Value>>
cuda::buildAttentionPoolKernel(Emit &e, Operation *o,
                               ArrayRef<Value> operands) {
  auto op = cast<AttentionPoolOp>(o);
  AttentionPoolOp::Adaptor a(operands, op);
  Value x = a.getX(), q = a.getQuery(), mask = a.getMask();
  Value b = e.dim(x, 0), n = e.dim(x, 1), d = e.dim(x, 2);
  // mask vs x and query vs x dims: guardEqualDims (LowerBlockPrograms.cpp).
  auto valid = [&](Value bb, Value row) -> Value {
    return mask ? e.nonzero(e.load(mask, {bb, row})) : e.ci1(true);
  };
  Value zero = e.cf(0);
  if (op.getKind() == AttentionPoolKind::featurewise) {
    Value out = allocResult(e, op.getType(), {b, e.c(1), d});
    buildBlockProgram(e.b, e.loc, {b, ceilDiv(e, d, kThreads)},
                      [&](ValueRange ids) {
      Value bb = ids[0];
      buildThreadPhase(e.b, e.loc, kThreads, [&](Value t) {
        Value dd = e.addi(e.muli(ids[1], e.c(kThreads)), t);
        e.ifThen(e.cmpi(IP::slt, dd, d), [&] {
          // s[row, dd] = x[bb, row] . q[:, dd], k ascending (the CPU order).
          auto score = [&](Value row) {
            return e.forLoopAcc1(e.c(0), d, zero, [&](Value kk, Value acc) {
              return e.addf(acc, e.mulf(e.load(x, {bb, row, kk}),
                                        e.load(q, {kk, dd})));
            });
          };
          Value m = e.forLoopAcc1(e.c(0), n, e.negInf(), [&](Value row, Value acc) {
            return e.ifElse1(
                valid(bb, row), e.f32(),
                [&] { return e.maxf(acc, score(row)); }, [&] { return acc; });
          });
          SmallVector<Value> r = e.forLoopAcc(
              e.c(0), n, ValueRange{zero, zero},
              [&](Value row, ValueRange acc) -> SmallVector<Value> {
                return e.ifElse(
                    valid(bb, row), TypeRange{e.f32(), e.f32()},
                    [&]() -> SmallVector<Value> {
                      Value w = e.exp(e.subf(score(row), m));
                      return {e.addf(acc[0], w),
                              e.addf(acc[1],
                                     e.mulf(w, e.load(x, {bb, row, dd})))};
                    },
                    [&]() -> SmallVector<Value> { return {acc[0], acc[1]}; });
              });
          Value res = e.select(e.arithEqZero(r[0]), zero, e.divf(r[1], r[0]));
          e.store(res, out, {bb, e.c(0), dd});
        });
      });
    });
    return SmallVector<Value>{out};
  }
  int64_t heads = op.getHeadsAttr() ? op.getHeadsAttr().getInt() : 1;
  Value nq = e.dim(q, 0);
  Value out = allocResult(e, op.getType(), {b, nq, d});
  Value dh = e.divsi(d, e.c(heads));
  Value inv = e.divf(e.cf(1), e.sqrt(e.indexToF32(dh)));
  Value chunks = ceilDiv(e, n, kThreads);
  Value featChunks = ceilDiv(e, dh, kThreads);
  buildBlockProgram(e.b, e.loc, {b, e.muli(nq, e.c(heads))},
                    [&](ValueRange ids) {
    Value bb = ids[0];
    Value qq = e.divsi(ids[1], e.c(heads)), hh = e.remsi(ids[1], e.c(heads));
    Value c0 = e.muli(hh, dh);
    Value mx = allocWorkgroup(e.b, e.loc, {kThreads}, e.f32());
    Value sm = allocWorkgroup(e.b, e.loc, {kThreads}, e.f32());
    Value wts = allocWorkgroup(e.b, e.loc, {kThreads}, e.f32());
    // The scaled score of `row` (features of the head ascending).
    auto score = [&](Value row) {
      Value dot = e.forLoopAcc1(e.c(0), dh, zero, [&](Value j, Value acc) {
        Value col = e.addi(c0, j);
        return e.addf(acc, e.mulf(e.load(q, {qq, col}),
                                  e.load(x, {bb, row, col})));
      });
      return e.mulf(dot, inv);
    };
    // Max of the 4 warps' results (every lane holds its warp's).
    auto combine4 = [&](Value buf, bool isMax) {
      Value v = e.load(buf, {e.c(0)});
      for (int64_t w = 1; w < kThreads / kWarpSize; ++w) {
        Value o = e.load(buf, {e.c(w * kWarpSize)});
        v = isMax ? e.maxf(v, o) : e.addf(v, o);
      }
      return v;
    };
    // Rows t, t + 128, ... of thread t.
    auto ownRows = [&](Value t, Value init,
                       function_ref<Value(Value, Value)> step) {
      return e.forLoopAcc1(e.c(0), chunks, init, [&](Value c, Value acc) {
        Value row = e.addi(e.muli(c, e.c(kThreads)), t);
        return e.ifElse1(
            e.cmpi(IP::slt, row, n), e.f32(),
            [&] {
              return e.ifElse1(
                  valid(bb, row), e.f32(), [&] { return step(row, acc); },
                  [&] { return acc; });
            },
            [&] { return acc; });
      });
    };
    buildThreadPhase(e.b, e.loc, kThreads, [&](Value t) {
      e.store(ownRows(t, e.negInf(),
                      [&](Value row, Value acc) {
                        return e.maxf(acc, score(row));
                      }),
              mx, {t});
    });
    sluice_gpu::WarpReduceOp::create(e.b, e.loc, mx,
                                     sluice_gpu::WarpReduceKind::maximumf);
    buildThreadPhase(e.b, e.loc, kThreads, [&](Value t) {
      Value m = combine4(mx, true);
      e.store(ownRows(t, zero,
                      [&](Value row, Value acc) {
                        return e.addf(acc, e.exp(e.subf(score(row), m)));
                      }),
              sm, {t});
      // The output accumulators start at 0.
      e.forLoop(featChunks, [&](Value fc) {
        Value j = e.addi(e.muli(fc, e.c(kThreads)), t);
        e.ifThen(e.cmpi(IP::slt, j, dh),
                 [&] { e.store(zero, out, {bb, qq, e.addi(c0, j)}); });
      });
    });
    sluice_gpu::WarpReduceOp::create(e.b, e.loc, sm,
                                     sluice_gpu::WarpReduceKind::addf);
    e.forLoop(chunks, [&](Value c) {
      Value row0 = e.muli(c, e.c(kThreads));
      buildThreadPhase(e.b, e.loc, kThreads, [&](Value t) {
        Value m = combine4(mx, true);
        Value row = e.addi(row0, t);
        Value w = e.ifElse1(
            e.cmpi(IP::slt, row, n), e.f32(),
            [&] {
              return e.ifElse1(
                  valid(bb, row), e.f32(),
                  [&] { return e.exp(e.subf(score(row), m)); },
                  [&] { return zero; });
            },
            [&] { return zero; });
        e.store(w, wts, {t});
      });
      buildThreadPhase(e.b, e.loc, kThreads, [&](Value t) {
        Value rowsHere = e.minsi(e.c(kThreads), e.subi(n, row0));
        e.forLoop(featChunks, [&](Value fc) {
          Value j = e.addi(e.muli(fc, e.c(kThreads)), t);
          e.ifThen(e.cmpi(IP::slt, j, dh), [&] {
            Value col = e.addi(c0, j);
            Value acc = e.forLoopAcc1(
                e.c(0), rowsHere, e.load(out, {bb, qq, col}),
                [&](Value r, Value a2) {
                  Value row = e.addi(row0, r);
                  // Invalid rows add nothing (their x is never read).
                  return e.ifElse1(
                      valid(bb, row), e.f32(),
                      [&] {
                        return e.addf(a2, e.mulf(e.load(wts, {r}),
                                                 e.load(x, {bb, row, col})));
                      },
                      [&] { return a2; });
                });
            e.store(acc, out, {bb, qq, col});
          });
        });
      });
    });
    buildThreadPhase(e.b, e.loc, kThreads, [&](Value t) {
      Value sum = combine4(sm, false);
      Value empty = e.arithEqZero(sum);
      e.forLoop(featChunks, [&](Value fc) {
        Value j = e.addi(e.muli(fc, e.c(kThreads)), t);
        e.ifThen(e.cmpi(IP::slt, j, dh), [&] {
          Value col = e.addi(c0, j);
          e.store(e.select(empty, zero, e.divf(e.load(out, {bb, qq, col}), sum)),
                  out, {bb, qq, col});
        });
      });
    });
  });
  return SmallVector<Value>{out};
}
