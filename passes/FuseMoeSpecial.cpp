//===- FuseMoeSpecial.cpp - MoE++ experts and renormalize_kept, fused ----===//
//
// sluice-decompose-moe leaves a sluice.moe with MoE++ zero / copy /
// constant experts or renormalize_kept; this pattern of
// sluice-fuse-moe-experts puts it on the fused path anyway:
//
//   ids checked in [0, E + Z + C + K)      (the per-token lowering's message)
//   seg[t,j]  = id in [0, E) ? id : E      (special ids: an idle segment E)
//   %c, %off, %slots, %keep = sluice.route %seg, %w {num_experts = E + 1,
//                                                     capacity, drop}
//   live = slots[0 : off[E]], groups = off[0 : E + 1]
//   w'  = w * sum_j w / sum_kept w         (renormalize_kept only)
//   s   = sum over copy / constant slots of w' * x, w' * (a1 x + a2 v[c])
//         ([a1, a2] = softmax(x wc[c]); three small linalg.generic)
//   %h  = sluice.gemm %x, %w_gate groups(groups) gather(live) up(%w_up)
//   %y  = sluice.gemm %h, %w_down groups(groups) scatter(live) scale(w')
//           init(s) {accumulate}
//
// The special experts never reach a GEMM: their slots sit in segment E,
// which no GEMM reads, and their contribution is the down GEMM's initial
// value, so the scatter adds the FFN experts on top without another pass
// over y. Capacity still applies to the FFN experts only (segment E's keep
// is ignored: special slots are always kept). Shared experts join the two
// calls as more groups (FuseMoeShared.cpp) where they fit, else take the
// decomposed shared path, which the other patterns fuse into init(y).
//
//===----------------------------------------------------------------------===//

#include "codegen/common/Emit.h"
#include "passes/MoeDecompose.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::sluice;
using IP = arith::CmpIPredicate;

namespace {

constexpr int64_t kDyn = ShapedType::kDynamic;
using Iter = utils::IteratorType;

RankedTensorType ttype(Value v) { return cast<RankedTensorType>(v.getType()); }

Value dimOf(OpBuilder &b, Location loc, Value t, int64_t i) {
  if (!ttype(t).isDynamicDim(i))
    return arith::ConstantIndexOp::create(b, loc, ttype(t).getDimSize(i));
  return tensor::DimOp::create(b, loc, t, i);
}

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

/// `v`, whose dim 0 must equal x's token count. Where that needs a run-time
/// check, a mismatch is reported with the per-token lowering's message and
/// `v` is replaced by a `pad`-filled tensor of x's token count, so that the
/// fused code never reads past `v`.
Value guardTokens(PatternRewriter &rw, Operation *op, Location loc, Value v,
                  StringRef name, Value x, TypedAttr pad) {
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

struct FuseMoeSpecial : OpRewritePattern<MoeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(MoeOp op,
                                PatternRewriter &rw) const override {
    int64_t nz = op.getNumZero(), nc = op.getNumCopy(), nk = op.getNumConst();
    bool fuseShared = canFuseSharedExperts(op);
    if (!nz && !nc && !nk && !op.getRenormalizeKept() && !fuseShared)
      return rw.notifyMatchFailure(
          op, "no special experts nor renormalize_kept: decomposed by "
              "sluice-decompose-moe");
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
    int64_t total = e + nz + nc + nk;
    int64_t copyLo = e + nz, constLo = e + nz + nc;
    Location loc = NameLoc::get(rw.getStringAttr("sluice.moe"), op.getLoc());
    Type f32 = rw.getF32Type(), i32 = rw.getI32Type();
    Value wc = op.getWc(), v = op.getV();
    w = guardTokens(rw, op, loc, w, "weights", x, rw.getF32FloatAttr(0));
    idx = guardTokens(rw, op, loc, idx, "indices", x, rw.getI32IntegerAttr(0));

    // Expert ids must be in [0, total): checked as the per-token lowering
    // checks them (the route below never sees an invalid id).
    {
      codegen::Emit ce(rw, loc);
      Value t = dimOf(rw, loc, idx, 0);
      ce.forLoop(t, [&](Value tt) {
        ce.forLoop(ce.c(k), [&](Value jj) {
          Value id = ce.toIndex(
              tensor::ExtractOp::create(rw, loc, idx, ValueRange{tt, jj}));
          Value bad = ce.ori(ce.cmpi(IP::slt, id, ce.c(0)),
                             ce.cmpi(IP::sge, id, ce.c(total)));
          codegen::emitRuntimeCheck(
              ce, op, bad,
              "expert index {0} out of range [0, " + std::to_string(total) +
                  ") at slot {1}",
              id, ce.addi(ce.muli(tt, ce.c(k)), jj));
        });
      });
    }
    auto inRange = [](codegen::Emit &b, Value id, int64_t lo, int64_t hi) {
      return b.andi(b.cmpi(IP::sge, id, b.ci32(static_cast<int32_t>(lo))),
                    b.cmpi(IP::slt, id, b.ci32(static_cast<int32_t>(hi))));
    };
    SmallVector<Iter> par2(2, Iter::parallel);

    // seg[t,j]: the FFN expert, or the idle segment E.
    Value seg = generic(rw, loc, 2, par2, {idx},
                        {rowsTensor(rw, loc, idx, k, i32)}, {{0, 1}, {0, 1}},
                        [&](codegen::Emit &b, ValueRange a) -> SmallVector<Value> {
                          return {b.select(inRange(b, a[0], 0, e), a[0],
                                           b.ci32(static_cast<int32_t>(e)))};
                        })[0];
    auto route = RouteOp::create(rw, loc, seg, w, e + 1, /*block=*/1,
                                 op.getCapacity(), op.getDrop());

    // w' = w * sum_j w / sum_kept w (unchanged when the kept sum is 0);
    // special slots are always kept.
    Value weights = w;
    if (op.getRenormalizeKept()) {
      SmallVector<Value> sums = generic(
          rw, loc, 2, {Iter::parallel, Iter::reduction},
          {w, idx, route.getKeep()},
          {zerosVec(rw, loc, idx), zerosVec(rw, loc, idx)},
          {{0, 1}, {0, 1}, {0, 1}, {0}, {0}},
          [&](codegen::Emit &b, ValueRange a) -> SmallVector<Value> {
            Value isFfn = inRange(b, a[1], 0, e);
            Value kept = b.andi(
                inRange(b, a[1], 0, total),
                b.select(isFfn, b.cmpi(IP::ne, a[2], b.ci32(0)), b.ci1(true)));
            return {b.addf(a[3], a[0]),
                    b.select(kept, b.addf(a[4], a[0]), a[4])};
          });
      weights = generic(
          rw, loc, 2, par2, {w, sums[0], sums[1]},
          {rowsTensor(rw, loc, w, k, f32)}, {{0, 1}, {0}, {0}, {0, 1}},
          [&](codegen::Emit &b, ValueRange a) -> SmallVector<Value> {
            Value factor = b.select(b.arithEqZero(a[2]), b.cf(1.0),
                                    b.divf(a[1], a[2]));
            return {b.mulf(a[0], factor)};
          })[0];
    }

    // The copy and constant experts' contribution s[T, d].
    Value special;
    if (nc + nk > 0) {
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
      special = generic(
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

    // Shared experts as more groups of the same two calls (FuseMoeShared.cpp).
    if (fuseShared) {
      rw.replaceOp(op, buildRoutedAndShared(rw, op, loc, route, weights,
                                            special));
      return success();
    }

    // The FFN experts: segments [0, E) of the route.
    Value offsets = route.getOffsets();
    Value live = arith::IndexCastOp::create(
        rw, loc, rw.getIndexType(),
        tensor::ExtractOp::create(
            rw, loc, offsets,
            ValueRange{arith::ConstantIndexOp::create(rw, loc, e)}));
    Value slots = tensor::ExtractSliceOp::create(
        rw, loc, RankedTensorType::get({kDyn}, i32), route.getSlots(),
        ArrayRef<OpFoldResult>{rw.getIndexAttr(0)},
        ArrayRef<OpFoldResult>{live}, ArrayRef<OpFoldResult>{rw.getIndexAttr(1)});
    Value groups = tensor::ExtractSliceOp::create(
        rw, loc, RankedTensorType::get({e + 1}, i32), offsets,
        ArrayRef<OpFoldResult>{rw.getIndexAttr(0)},
        ArrayRef<OpFoldResult>{rw.getIndexAttr(e + 1)},
        ArrayRef<OpFoldResult>{rw.getIndexAttr(1)});
    int64_t f = ttype(op.getWGate()).getDimSize(2);
    auto hType = RankedTensorType::get({kDyn, f}, f32);
    Value h = GemmOp::create(
        rw, loc, hType, x, op.getWGate(), groups, slots, op.getWUp(),
        /*bias=*/Value(), /*a2=*/Value(), /*b3=*/Value(), /*c_rows=*/Value(),
        /*c_scale=*/Value(), /*init=*/Value(), /*num_rows=*/Value(),
        ActivationAttr::get(rw.getContext(), op.getAct()),
        /*accumulate=*/false, static_cast<uint64_t>(k), /*c_div=*/1);
    int64_t tw = ttype(weights).getDimSize(0);
    Value scale = tensor::CollapseShapeOp::create(
        rw, loc,
        RankedTensorType::get({ShapedType::isDynamic(tw) ? kDyn : tw * k}, f32),
        weights, ArrayRef<ReassociationIndices>{ReassociationIndices{0, 1}});
    auto yType = op.getType();
    Value rows;
    if (!special && yType.isDynamicDim(0))
      rows = tensor::DimOp::create(rw, loc, x, 0);
    Value y = GemmOp::create(
        rw, loc, yType, h, op.getWDown(), groups, /*a_rows=*/Value(),
        /*b2=*/Value(), /*bias=*/Value(), /*a2=*/Value(), /*b3=*/Value(),
        slots, scale, special, rows, ActivationAttr(),
        /*accumulate=*/true, /*a_div=*/1, static_cast<uint64_t>(k));

    if (op.getSGate()) {
      Value shared = buildSharedExperts(rw, op, /*block=*/1);
      y = linalg::AddOp::create(rw, loc, TypeRange{yType},
                                ValueRange{y, shared},
                                ValueRange{rowsTensor(rw, loc, x, d, f32)})
              .getResult(0);
    }
    rw.replaceOp(op, y);
    return success();
  }
};

} // namespace

void mlir::sluice::populateFuseMoeSpecialPatterns(RewritePatternSet &patterns) {
  patterns.add<FuseMoeSpecial>(patterns.getContext());
}
