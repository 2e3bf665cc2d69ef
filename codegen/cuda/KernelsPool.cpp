//===- KernelsPool.cpp - CUDA schedule of sluice.pool ---------------------===//
//
// Grid (B, ceil(D / 128)), 128 threads: thread t of block (b, j) reduces
// feature d = 128 j + t of set b over its N rows in one barrier-free phase
// (loads coalesced across d). Every kind, mask or lengths, group GeM.
//
//===----------------------------------------------------------------------===//

#include "codegen/common/Lowering.h"
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
  case PoolKind::lse: {
    Value rr = e.cf(op.r);
    SmallVector<Value> m = fold(e.negInf(), [&](Value a, Value v) {
      return e.maxf(a, e.mulf(rr, v));
    });
    SmallVector<Value> s = fold(zero, [&](Value a, Value v) {
      return e.addf(a, e.exp(e.subf(e.mulf(rr, v), m[0])));
    });
    Value lse = e.divf(e.addf(e.log(e.divf(s[0], s[1])), m[0]), rr);
    Value mInf = e.cmpf(P::OEQ, e.absf(m[0]), e.posInf());
    lse = e.select(mInf, e.divf(m[0], rr), lse);
    return e.select(e.arithEqZero(s[1]), zero, lse);
  }
  case PoolKind::first:
  case PoolKind::last: {
    bool first = op.kind == PoolKind::first;
    Value none = e.c(-1);
    Value pick = e.forLoopAcc1(e.c(0), n, none, [&](Value row, Value cur) {
      Value take = valid(row);
      if (first)
        take = e.andi(take, e.cmpi(IP::eq, cur, none));
      return e.select(take, row, cur);
    });
    return e.ifElse1(
        e.cmpi(IP::eq, pick, none), e.f32(), [&] { return zero; },
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
  // Host-side shape checks (shapes are host metadata on every target).
  if (mask) {
    for (unsigned i = 0; i < 2; ++i)
      emitRuntimeCheck(e, op, e.cmpi(IP::ne, e.dim(mask, i), e.dim(x, i)),
                       "expects mask dim " + std::to_string(i) +
                           " ({0}) to equal x dim " + std::to_string(i) +
                           " ({1})",
                       e.dim(mask, i), e.dim(x, i));
  }
  if (lengths)
    emitRuntimeCheck(e, op, e.cmpi(IP::ne, e.dim(lengths, 0), b),
                     "expects lengths dim 0 ({0}) to equal x dim 0 ({1})",
                     e.dim(lengths, 0), b);
  Value out = allocResult(e, op.getType(), {b, d});
  Value groupWidth = e.divsi(d, e.c(op.getGroups()));
  Value tiles = e.divsi(e.addi(d, e.c(kPoolThreads - 1)), e.c(kPoolThreads));
  buildBlockProgram(e.b, e.loc, {b, tiles}, [&](ValueRange ids) {
    Value bb = ids[0], tile = ids[1];
    buildThreadPhase(e.b, e.loc, kPoolThreads, [&](Value t) {
      Value dd = e.addi(e.muli(tile, e.c(kPoolThreads)), t);
      e.ifThen(e.cmpi(IP::slt, dd, d), [&] {
        Value len;
        if (lengths) // Out-of-range lengths are clamped to [0, N].
          len = e.minsi(e.maxsi(e.toIndex(e.load(lengths, {bb})), e.c(0)), n);
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
