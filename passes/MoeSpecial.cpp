//===- MoeSpecial.cpp - pieces of MoE++ experts and renormalize_kept ------===//
//
// The linalg pieces of a sluice.moe with MoE++ zero / copy / constant experts
// or renormalize_kept that both the fused CPU path (FuseMoeSpecial.cpp) and
// the decomposition into routing primitives (DecomposeMoe.cpp, the CUDA
// path) build: the token-count guards, the renormalized weights and the
// copy / constant experts' contribution. Declared in MoeDecompose.h.
//
//===----------------------------------------------------------------------===//

#include "codegen/common/Emit.h"
#include "passes/MoeDecompose.h"
#include "passes/TensorUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::sluice;
using IP = arith::CmpIPredicate;

namespace {

constexpr int64_t kDyn = ShapedType::kDynamic;
using Iter = utils::IteratorType;

/// A [rows of `rowsOf`, n] tensor of `elt`, empty or filled with `v`.
Value rowsTensor(OpBuilder &b, Location loc, Value rowsOf, int64_t n, Type elt,
                 std::optional<double> v = std::nullopt) {
  auto type = RankedTensorType::get({ttype(rowsOf).getDimSize(0), n}, elt);
  SmallVector<Value> dyn;
  if (type.isDynamicDim(0))
    dyn.push_back(tensor::DimOp::create(b, loc, rowsOf, 0));
  Value t = tensor::EmptyOp::create(b, loc, type, dyn);
  if (!v)
    return t;
  Value c = arith::ConstantOp::create(b, loc, b.getFloatAttr(elt, *v));
  return linalg::FillOp::create(b, loc, c, t).getResult(0);
}

/// A [rows of `rowsOf`] f32 tensor of zeros.
Value zerosVec(OpBuilder &b, Location loc, Value rowsOf) {
  auto type = RankedTensorType::get({ttype(rowsOf).getDimSize(0)},
                                    b.getF32Type());
  SmallVector<Value> dyn;
  if (type.isDynamicDim(0))
    dyn.push_back(tensor::DimOp::create(b, loc, rowsOf, 0));
  Value t = tensor::EmptyOp::create(b, loc, type, dyn);
  Value c = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0));
  return linalg::FillOp::create(b, loc, c, t).getResult(0);
}

/// A linalg.generic over `n` loops; `maps` lists the inputs' then the
/// outputs' indexing maps as dim lists (e.g. {0, 2}).
SmallVector<Value> generic(OpBuilder &b, Location loc, unsigned n,
                           ArrayRef<Iter> iters, ValueRange ins,
                           ValueRange outs,
                           ArrayRef<SmallVector<unsigned>> dims,
                           function_ref<SmallVector<Value>(
                               codegen::Emit &, ValueRange)> body) {
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineMap> maps;
  for (const SmallVector<unsigned> &d : dims) {
    SmallVector<AffineExpr> exprs;
    for (unsigned i : d)
      exprs.push_back(getAffineDimExpr(i, ctx));
    maps.push_back(AffineMap::get(n, 0, exprs, ctx));
  }
  SmallVector<Type> types;
  for (Value o : outs)
    types.push_back(o.getType());
  auto op = linalg::GenericOp::create(
      b, loc, types, ins, outs, maps, iters,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        codegen::Emit e(nb, nl);
        linalg::YieldOp::create(nb, nl, body(e, args));
      });
  return SmallVector<Value>(op->getResults());
}

Value inRange(codegen::Emit &b, Value id, int64_t lo, int64_t hi) {
  return b.andi(b.cmpi(IP::sge, id, b.ci32(static_cast<int32_t>(lo))),
                b.cmpi(IP::slt, id, b.ci32(static_cast<int32_t>(hi))));
}

} // namespace

LogicalResult mlir::sluice::matchMoeSpecialShapes(MoeOp op,
                                                  PatternRewriter &rw) {
  Value x = op.getX(), w = op.getWeights(), idx = op.getIndices();
  int64_t e = ttype(op.getWGate()).getDimSize(0);
  int64_t d = ttype(x).getDimSize(1), k = ttype(idx).getDimSize(1);
  if (ShapedType::isDynamic(e) || ShapedType::isDynamic(d) ||
      ShapedType::isDynamic(k) || ttype(w).isDynamicDim(1))
    return rw.notifyMatchFailure(
        op, "dynamic expert count, hidden size or k");
  if (e == 0 || k == 0)
    return rw.notifyMatchFailure(op, "no FFN experts or k = 0");
  // A token count checked against x's: x's static, or x's dynamic (then
  // x is the reference size of the per-token lowering's message).
  if (!ttype(x).isDynamicDim(0) &&
      (ttype(w).isDynamicDim(0) || ttype(idx).isDynamicDim(0)))
    return rw.notifyMatchFailure(op, "token counts checkable only per token");
  return success();
}

/// `v`, whose dim 0 must equal x's token count. Where that needs a run-time
/// check, a mismatch is reported with the per-token lowering's message and
/// `v` is replaced by a `pad`-filled tensor of x's token count, so that the
/// fused code never reads past `v`.
Value mlir::sluice::guardMoeTokens(PatternRewriter &rw, Operation *op,
                                   Location loc, Value v, StringRef name,
                                   Value x, TypedAttr pad) {
  if (!ttype(v).isDynamicDim(0) && !ttype(x).isDynamicDim(0))
    return v; // Both static: the verifier matched them.
  Value t = dimOf(rw, loc, x, 0), have = dimOf(rw, loc, v, 0);
  Value bad = arith::CmpIOp::create(rw, loc, IP::ne, have, t);
  codegen::Emit e(rw, loc);
  codegen::emitRuntimeCheck(
      e, op, bad, ("expects " + name + " dim 0 ({0}) to equal x dim 0 ({1})").str(),
      have, t);
  RankedTensorType vt = ttype(v);
  SmallVector<Value> dyn;
  if (vt.isDynamicDim(0))
    dyn.push_back(t);
  Value subst = tensor::EmptyOp::create(rw, loc, vt, dyn);
  Value c = arith::ConstantOp::create(rw, loc, pad);
  subst = linalg::FillOp::create(rw, loc, c, subst).getResult(0);
  return arith::SelectOp::create(rw, loc, bad, subst, v);
}

Value mlir::sluice::moeSegmentIds(OpBuilder &rw, Location loc, Value idx,
                                  int64_t e) {
  int64_t k = ttype(idx).getDimSize(1);
  SmallVector<Iter> par2(2, Iter::parallel);
  return generic(rw, loc, 2, par2, {idx},
                 {rowsTensor(rw, loc, idx, k, rw.getI32Type())},
                 {{0, 1}, {0, 1}},
                 [&](codegen::Emit &b, ValueRange a) -> SmallVector<Value> {
                   return {b.select(inRange(b, a[0], 0, e), a[0],
                                    b.ci32(static_cast<int32_t>(e)))};
                 })[0];
}

Value mlir::sluice::moeRenormalizeKept(OpBuilder &rw, Location loc, Value w,
                                       Value idx, Value keep, int64_t e,
                                       int64_t total) {
  int64_t k = ttype(idx).getDimSize(1);
  Type f32 = rw.getF32Type();
  SmallVector<Iter> par2(2, Iter::parallel);
  SmallVector<Value> sums = generic(
      rw, loc, 2, {Iter::parallel, Iter::reduction}, {w, idx, keep},
      {zerosVec(rw, loc, idx), zerosVec(rw, loc, idx)},
      {{0, 1}, {0, 1}, {0, 1}, {0}, {0}},
      [&](codegen::Emit &b, ValueRange a) -> SmallVector<Value> {
        Value isFfn = inRange(b, a[1], 0, e);
        Value kept = b.andi(
            inRange(b, a[1], 0, total),
            b.select(isFfn, b.cmpi(IP::ne, a[2], b.ci32(0)), b.ci1(true)));
        return {b.addf(a[3], a[0]), b.select(kept, b.addf(a[4], a[0]), a[4])};
      });
  return generic(
      rw, loc, 2, par2, {w, sums[0], sums[1]},
      {rowsTensor(rw, loc, w, k, f32)}, {{0, 1}, {0}, {0}, {0, 1}},
      [&](codegen::Emit &b, ValueRange a) -> SmallVector<Value> {
        Value factor =
            b.select(b.arithEqZero(a[2]), b.cf(1.0), b.divf(a[1], a[2]));
        return {b.mulf(a[0], factor)};
      })[0];
}

Value mlir::sluice::moeSpecialContribution(OpBuilder &rw, Location loc,
                                           MoeOp op, Value x, Value idx,
                                           Value weights) {
  int64_t nz = op.getNumZero(), nc = op.getNumCopy(), nk = op.getNumConst();
  if (nc + nk == 0)
    return Value();
  int64_t e = ttype(op.getWGate()).getDimSize(0);
  int64_t d = ttype(x).getDimSize(1), k = ttype(idx).getDimSize(1);
  int64_t total = e + nz + nc + nk;
  int64_t copyLo = e + nz, constLo = e + nz + nc;
  Type f32 = rw.getF32Type();
  Value wc = op.getWc(), v = op.getV();
  SmallVector<Iter> par2(2, Iter::parallel);
  auto constIndex = [&](codegen::Emit &b, Value id) {
    Value c = b.subi(b.toIndex(id), b.c(constLo));
    return b.minsi(b.maxsi(c, b.c(0)), b.c(std::max<int64_t>(nk - 1, 0)));
  };
  // cx[t,j], cv[t,j]: the coefficients of x and of v[c] per slot.
  SmallVector<Value> coefIns{idx, weights};
  SmallVector<SmallVector<unsigned>> coefMaps{{0, 1}, {0, 1}};
  if (nk > 0) {
    // l[t,j,:] = x[t] . wc[c] (c clamped: only constant slots use it).
    SmallVector<Value> l = generic(
        rw, loc, 3, {Iter::parallel, Iter::parallel, Iter::reduction},
        {x, idx},
        {rowsTensor(rw, loc, idx, k, f32, 0.0),
         rowsTensor(rw, loc, idx, k, f32, 0.0)},
        {{0, 2}, {0, 1}, {0, 1}, {0, 1}},
        [&](codegen::Emit &b, ValueRange a) -> SmallVector<Value> {
          Value c = constIndex(b, a[1]);
          Value dd = linalg::IndexOp::create(b.b, b.loc, 2);
          Value w0 = tensor::ExtractOp::create(b.b, b.loc, wc,
                                               ValueRange{c, dd, b.c(0)});
          Value w1 = tensor::ExtractOp::create(b.b, b.loc, wc,
                                               ValueRange{c, dd, b.c(1)});
          return {b.addf(a[2], b.mulf(a[0], w0)),
                  b.addf(a[3], b.mulf(a[0], w1))};
        });
    coefIns.append(l.begin(), l.end());
    coefMaps.append({{0, 1}, {0, 1}});
  }
  coefMaps.append({{0, 1}, {0, 1}});
  SmallVector<Value> coef = generic(
      rw, loc, 2, par2, coefIns,
      {rowsTensor(rw, loc, idx, k, f32), rowsTensor(rw, loc, idx, k, f32)},
      coefMaps, [&](codegen::Emit &b, ValueRange a) -> SmallVector<Value> {
        Value zero = b.cf(0);
        Value isCopy = inRange(b, a[0], copyLo, constLo);
        Value cx = b.select(isCopy, a[1], zero), cv = zero;
        if (nk > 0) {
          // [a1, a2] = softmax(l0, l1).
          Value m = b.maxf(a[2], a[3]);
          Value e0 = b.exp(b.subf(a[2], m)), e1 = b.exp(b.subf(a[3], m));
          Value sum = b.addf(e0, e1);
          Value isConst = inRange(b, a[0], constLo, total);
          cx = b.select(isConst, b.mulf(a[1], b.divf(e0, sum)), cx);
          cv = b.select(isConst, b.mulf(a[1], b.divf(e1, sum)), zero);
        }
        return {cx, cv};
      });
  // s[t, dd] = sum over special slots j of cx x[t, dd] + cv v[c, dd].
  return generic(
      rw, loc, 3, {Iter::parallel, Iter::parallel, Iter::reduction},
      {x, idx, coef[0], coef[1]}, {rowsTensor(rw, loc, x, d, f32, 0.0)},
      {{0, 1}, {0, 2}, {0, 2}, {0, 2}, {0, 1}},
      [&](codegen::Emit &b, ValueRange a) -> SmallVector<Value> {
        Value isSpecial = inRange(b, a[1], copyLo, total);
        Value contrib = b.mulf(a[2], a[0]);
        if (nk > 0) {
          Value dd = linalg::IndexOp::create(b.b, b.loc, 1);
          Value vv = tensor::ExtractOp::create(
              b.b, b.loc, v, ValueRange{constIndex(b, a[1]), dd});
          contrib = b.addf(contrib, b.mulf(a[3], vv));
        }
        return {b.select(isSpecial, b.addf(a[4], contrib), a[4])};
      })[0];
}

Value mlir::sluice::moeFfnKeep(OpBuilder &rw, Location loc, Value idx,
                               Value keep, int64_t e) {
  int64_t k = ttype(idx).getDimSize(1);
  return generic(rw, loc, 2, {Iter::parallel, Iter::parallel}, {idx, keep},
                 {rowsTensor(rw, loc, idx, k, rw.getI32Type())},
                 {{0, 1}, {0, 1}, {0, 1}},
                 [&](codegen::Emit &b, ValueRange a) -> SmallVector<Value> {
                   return {b.select(inRange(b, a[0], 0, e), a[1], b.ci32(0))};
                 })[0];
}

Value mlir::sluice::moeGemmOffsets(OpBuilder &rw, Location loc, Value offsets,
                                   int64_t e, int64_t total) {
  Type i32 = rw.getI32Type();
  Value init = tensor::EmptyOp::create(
      rw, loc, RankedTensorType::get({e + 1}, i32), ValueRange{});
  return generic(rw, loc, 1, {Iter::parallel}, {}, {init}, {{0}},
                 [&](codegen::Emit &b, ValueRange) -> SmallVector<Value> {
                   Value i = linalg::IndexOp::create(b.b, b.loc, 0);
                   Value at = b.select(b.cmpi(IP::slt, i, b.c(e)), i,
                                       b.c(total));
                   return {tensor::ExtractOp::create(b.b, b.loc, offsets,
                                                     ValueRange{at})};
                 })[0];
}
