//===- KernelsPool.cpp - CUDA schedule of sluice.pool ---------------------===//
//
// Grid (B, ceil(D / 128)), 128 threads: thread t of block (b, j) reduces
// feature d = 128 j + t of set b over its N rows in one barrier-free phase
// (loads coalesced across d). Every kind, mask or lengths, group GeM.
//
//===----------------------------------------------------------------------===//

#include "codegen/common/Lowering.h"
#include "codegen/common/PoolMath.h"
#include "codegen/cuda/BlockProgram.h"
#include "codegen/cuda/KernelsPool.h"

using namespace mlir;
using namespace mlir::sluice;
using namespace mlir::sluice::codegen;
using namespace mlir::sluice::cuda;
using P = arith::CmpFPredicate;
using IP = arith::CmpIPredicate;

static constexpr int64_t kPoolThreads = 128;

Value cuda::poolOne(Emit &e, const PoolSpec &op, Value groupP,
                    Value groupWidth, Value dd, Value n,
                    function_ref<Value(Value)> valid,
                    function_ref<Value(Value)> at) {
  Value zero = e.cf(0), one = e.cf(1);
  auto fold = [&](Value init, function_ref<Value(Value, Value)> step) {
    return e.forLoopAcc(e.c(0), n, ValueRange{init, zero},
                        [&](Value row, ValueRange acc) -> SmallVector<Value> {
                          Value ok = valid(row);
                          // Masked values are never read.
                          Value v = e.ifElse1(
                              ok, e.f32(), [&] { return at(row); },
                              [&] { return zero; });
                          return {e.select(ok, step(acc[0], v), acc[0]),
                                  e.select(ok, e.addf(acc[1], one), acc[1])};
                        });
  };
  switch (op.kind) {
  case PoolKind::sum:
  case PoolKind::mean: {
    SmallVector<Value> r = fold(zero, [&](Value a, Value v) { return e.addf(a, v); });
    if (op.kind == PoolKind::sum)
      return r[0];
    return e.select(e.arithEqZero(r[1]), zero, e.divf(r[0], r[1]));
  }
  case PoolKind::max:
  case PoolKind::min: {
    bool isMax = op.kind == PoolKind::max;
    SmallVector<Value> r =
        fold(isMax ? e.negInf() : e.posInf(), [&](Value a, Value v) {
          return isMax ? e.maxf(a, v) : e.minf(a, v);
        });
    return e.select(e.arithEqZero(r[1]), zero, r[0]);
  }
  case PoolKind::gem: {
    Value p = groupP ? e.load(groupP, {e.divsi(dd, groupWidth)})
                     : e.cf(op.p);
    Value eps = e.cf(op.eps);
    SmallVector<Value> r = fold(zero, [&](Value a, Value v) {
      return e.addf(a, e.powf(e.maxf(v, eps), p));
    });
    Value mean = e.divf(r[0], r[1]);
    return e.select(e.arithEqZero(r[1]), zero, e.powf(mean, e.divf(one, p)));
  }
  case PoolKind::lse:
    return emitSetLse(e, op.r, fold);
  case PoolKind::first:
  case PoolKind::last: {
    Value pick = emitPickRow(e, op.kind == PoolKind::first, n, valid);
    return e.ifElse1(
        e.cmpi(IP::eq, pick, e.c(-1)), e.f32(), [&] { return zero; },
        [&] { return at(pick); });
  }
  }
  llvm_unreachable("unknown pool kind");
}

FailureOr<SmallVector<Value>>
cuda::buildPoolKernel(Emit &e, Operation *o, ArrayRef<Value> operands) {
  auto op = cast<PoolOp>(o);
  PoolOp::Adaptor a(operands, op);
  Value x = a.getX(), mask = a.getMask(), lengths = a.getLengths(),
        groupP = a.getGroupP();
  Value b = e.dim(x, 0), n = e.dim(x, 1), d = e.dim(x, 2);
  // mask / lengths / group_p dims were checked on the host
  // (guardEqualDimsOnDevice, the CPU lowering's messages): a mismatching
  // operand is a buffer of the expected sizes here.
  Value out = allocResult(e, op.getType(), {b, d});
  Value groupWidth = e.divsi(d, e.c(op.getGroups()));
  // At least one column of blocks, so that lengths are checked even when
  // D = 0 (the threads of such a block do nothing else).
  Value tiles = e.maxsi(
      e.divsi(e.addi(d, e.c(kPoolThreads - 1)), e.c(kPoolThreads)), e.c(1));
  // At least one row of blocks too: block (0, 0) checks group_p even when
  // B = 0 (blocks of rows >= B do nothing else).
  buildBlockProgram(e.b, e.loc, {e.maxsi(b, e.c(1)), tiles},
                    [&](ValueRange ids) {
    Value bb = ids[0], tile = ids[1];
    if (groupP) {
      // Every entry of group_p, in the CPU lowering's order and with its
      // message; a 0 entry is still read (x^0, 1 / 0: no address leaves
      // a buffer).
      e.ifThen(e.andi(e.cmpi(IP::eq, bb, e.c(0)), e.cmpi(IP::eq, tile, e.c(0))),
               [&] {
        e.forLoop(e.dim(groupP, 0), [&](Value g) {
          reportError(e, op, e.arithEqZero(e.load(groupP, {g})),
                      "group_p entry {0} is 0", g);
        });
      });
    }
    Value inSet = e.cmpi(IP::slt, bb, b);
    Value len;
    if (lengths) {
      // lengths[bb] outside [0, N] is reported once per set (the blocks of
      // column 0) with the CPU lowering's message; the rows read are
      // clamped to [0, N] all the same, so nothing leaves x.
      Value raw = e.ifElse1(
          inSet, e.idx(), [&] { return e.toIndex(e.load(lengths, {bb})); },
          [&] { return e.c(0); });
      Value bad = e.ori(e.cmpi(IP::slt, raw, e.c(0)), e.cmpi(IP::sgt, raw, n));
      reportError(e, op, e.andi(e.cmpi(IP::eq, tile, e.c(0)), bad),
                  "lengths[{1}] = {0} out of range [0, N]", raw, bb);
      len = e.minsi(e.maxsi(raw, e.c(0)), n);
    }
    buildThreadPhase(e.b, e.loc, kPoolThreads, [&](Value t) {
      Value dd = e.addi(e.muli(tile, e.c(kPoolThreads)), t);
      e.ifThen(e.andi(inSet, e.cmpi(IP::slt, dd, d)), [&] {
        auto valid = [&](Value row) -> Value {
          if (mask)
            return e.nonzero(e.load(mask, {bb, row}));
          if (lengths)
            return e.cmpi(IP::slt, row, len);
          return e.ci1(true);
        };
        PoolSpec spec{op.getKind(), op.getP().convertToDouble(),
                      op.getEps().convertToDouble(),
                      op.getR().convertToDouble()};
        Value v = poolOne(e, spec, groupP, groupWidth, dd, n, valid,
                          [&](Value row) { return e.load(x, {bb, row, dd}); });
        e.store(v, out, {bb, dd});
      });
    });
  });
  return SmallVector<Value>{out};
}
