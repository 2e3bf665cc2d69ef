//===- FuseLora.cpp - low-rank GEMMs as sluice.gemm micro-kernel calls ----===//
//
// sluice-fuse-lora rewrites the low-rank ops into sluice.gemm (one
// sluice_uk_gemm call each on the CPU):
//
//   lora_matmul     u = x a[:, :b]; u' = scale * u * gates[.., :b];
//                   y = gemm(x, w) bias + lowrank(u', b[:b, :])  (the update
//                   is added to the base GEMM's accumulator before the store)
//   lowrank_matmul  y = gemm(gemm(x, u), v) bias
//   multi_lora      y0 = gemm(x, w) bias; the (token, choice) slots grouped
//                   by adapter with sluice.route (SGMV segments: tokens of one
//                   adapter share its weight loads); u = grouped gemm of the
//                   gathered rows of x with a[id]; y = grouped gemm of u with
//                   b[id], scaled by g * s per slot and scatter-added into y0.
//
// Every rewrite is exact with respect to the op specification, run-time
// errors included: operands whose sizes could only be checked at run time
// (other than the token count) keep the op unfused; a token count that may
// differ is checked with the op's own message, and an adapter id outside
// [-1, L) is reported as the scalar lowering reports it and adds nothing.
//
//===----------------------------------------------------------------------===//

#include "codegen/common/Emit.h"
#include "passes/Passes.h"
#include "passes/TensorUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::sluice {
#define GEN_PASS_DEF_SLUICEFUSELORA
#include "passes/Passes.h.inc"
} // namespace mlir::sluice

using namespace mlir;
using namespace mlir::sluice;
using IP = arith::CmpIPredicate;

namespace {

/// True iff `v` is absent or every dim of it is static but those in `dynOk`.
bool staticExcept(Value v, ArrayRef<unsigned> dynOk = {}) {
  if (!v)
    return true;
  RankedTensorType t = ttype(v);
  for (unsigned i = 0; i < t.getRank(); ++i)
    if (t.isDynamicDim(i) && !llvm::is_contained(dynOk, i))
      return false;
  return true;
}

/// A token-count operand (dim 0 counts x's rows) that can be checked here:
/// x's count static, or both dynamic (then x is the reference size, as in
/// the scalar lowering's message).
bool tokenDimCheckable(Value x, Value v) {
  return !v || !ttype(x).isDynamicDim(0) || ttype(v).isDynamicDim(0);
}

/// A tensor of `type` (dynamic sizes `dyn`) filled with `v`.
Value filled(OpBuilder &b, Location loc, RankedTensorType type,
             ValueRange dyn, TypedAttr v) {
  Value empty = tensor::EmptyOp::create(b, loc, type, dyn);
  Value c = arith::ConstantOp::create(b, loc, v);
  return linalg::FillOp::create(b, loc, c, empty).getResult(0);
}

/// `v`, whose dim 0 must equal x's token count. Where that needs a run-time
/// check, a mismatch is reported with the unfused op's message and `v` is
/// replaced by a `pad`-filled tensor of x's token count, so that the fused
/// code never reads past `v`.
Value guardTokens(PatternRewriter &rw, Operation *op, Value v, StringRef name,
                  Value x, TypedAttr pad) {
  if (!v || (!ttype(v).isDynamicDim(0) && !ttype(x).isDynamicDim(0)))
    return v; // Both static: the verifier matched them.
  Location loc = op->getLoc();
  Value t = dimOf(rw, loc, x, 0), have = dimOf(rw, loc, v, 0);
  Value bad = arith::CmpIOp::create(rw, loc, IP::ne, have, t);
  codegen::Emit e(rw, loc);
  codegen::emitRuntimeCheck(
      e, op, bad, ("expects " + name + " dim 0 ({0}) to equal x dim 0 ({1})").str(),
      have, t);
  RankedTensorType vt = ttype(v);
  SmallVector<Value> dyn;
  for (unsigned i = 0; i < vt.getRank(); ++i)
    if (vt.isDynamicDim(i))
      dyn.push_back(i == 0 ? t : dimOf(rw, loc, v, i));
  Value subst = filled(rw, loc, vt, dyn, pad);
  return arith::SelectOp::create(rw, loc, bad, subst, v);
}

/// The operands of one sluice.gemm (null = absent).
struct Gemm {
  Gemm(Value a, Value b) : a(a), b(b) {}
  Value a, b;
  Value groups, aRows, bias, a2, b3, cRows, cScale, init;
  bool accumulate = false;
  int64_t aDiv = 1, cDiv = 1;

  Value build(OpBuilder &rw, Location loc, Type type) const {
    return GemmOp::create(rw, loc, type, a, b, groups, aRows, /*b2=*/Value(),
                          bias, a2, b3, cRows, cScale, init,
                          /*num_rows=*/Value(), ActivationAttr(), accumulate,
                          static_cast<uint64_t>(aDiv),
                          static_cast<uint64_t>(cDiv))
        .getResult();
  }
};

/// [rows of `rowsOf` dim 0, n] f32.
RankedTensorType rowsType(Value rowsOf, int64_t n) {
  return RankedTensorType::get({ttype(rowsOf).getDimSize(0), n},
                               Float32Type::get(rowsOf.getContext()));
}

/// The new ops carry the user's op name, so that their run-time errors name
/// it.
Location fusedLoc(Operation *op) {
  return NameLoc::get(StringAttr::get(op->getContext(),
                                      op->getName().getStringRef()),
                      op->getLoc());
}

/// v[:, :n] (dim = 1) or v[:n, :] (dim = 0) of a static 2-D tensor.
Value prefix(OpBuilder &b, Location loc, Value v, unsigned dim, int64_t n) {
  RankedTensorType t = ttype(v);
  if (t.getDimSize(dim) == n)
    return v;
  SmallVector<int64_t> sizes(t.getShape());
  sizes[dim] = n;
  SmallVector<OpFoldResult> offs(t.getRank(), b.getIndexAttr(0)),
      ones(t.getRank(), b.getIndexAttr(1)), szs;
  for (unsigned i = 0; i < t.getRank(); ++i)
    szs.push_back(i == dim || !t.isDynamicDim(i)
                      ? OpFoldResult(b.getIndexAttr(sizes[i]))
                      : OpFoldResult(dimOf(b, loc, v, i)));
  auto type = RankedTensorType::get(sizes, t.getElementType());
  return tensor::ExtractSliceOp::create(b, loc, type, v, offs, szs, ones);
}

//===----------------------------------------------------------------------===//
// lora_matmul
//===----------------------------------------------------------------------===//

struct FuseLoraMatmul : OpRewritePattern<LoraMatmulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(LoraMatmulOp op,
                                PatternRewriter &rw) const override {
    Value x = op.getX(), w = op.getW(), a = op.getA(), b = op.getB(),
          bias = op.getBias(), g = op.getRankGates();
    bool perToken = g && ttype(g).getRank() == 2;
    SmallVector<unsigned> gDyn;
    if (perToken)
      gDyn.push_back(0);
    if (!staticExcept(x, {0}) || !staticExcept(w) || !staticExcept(a) ||
        !staticExcept(b) || !staticExcept(bias) || !staticExcept(g, gDyn) ||
        !tokenDimCheckable(x, perToken ? g : Value()))
      return rw.notifyMatchFailure(
          op, "sizes other than the token count are dynamic");
    Location loc = fusedLoc(op);
    int64_t r = ttype(a).getDimSize(1);
    int64_t active = r;
    if (auto ar = op.getActiveRankAttr())
      active = std::min<int64_t>(ar.getInt(), r);
    if (perToken)
      g = guardTokens(rw, op, g, "rank_gates", x, rw.getF32FloatAttr(0));

    Gemm base{x, w};
    base.bias = bias;
    if (active > 0) {
      // u' = scale * (x a[:, :b]) * gates[.., :b]: x a once per row.
      Gemm down{x, prefix(rw, loc, a, 1, active)};
      Value u = down.build(rw, loc, rowsType(x, active));
      float scale = op.getScale().convertToFloat();
      if (g || scale != 1.0f) {
        Value gr = g ? prefix(rw, loc, g, ttype(g).getRank() - 1, active)
                     : Value();
        MLIRContext *ctx = rw.getContext();
        AffineMap id2 = AffineMap::getMultiDimIdentityMap(2, ctx);
        SmallVector<AffineMap> maps{id2};
        SmallVector<Value> ins{u};
        if (gr) {
          ins.push_back(gr);
          maps.push_back(perToken ? id2
                                  : AffineMap::get(2, 0,
                                                   getAffineDimExpr(1, ctx)));
        }
        maps.push_back(id2);
        SmallVector<Value> dyn;
        if (ttype(u).isDynamicDim(0))
          dyn.push_back(dimOf(rw, loc, u, 0));
        Value init = tensor::EmptyOp::create(rw, loc, ttype(u), dyn);
        SmallVector<utils::IteratorType> iters(2,
                                               utils::IteratorType::parallel);
        u = linalg::GenericOp::create(
                rw, loc, TypeRange{ttype(u)}, ins, ValueRange{init}, maps,
                iters,
                [&](OpBuilder &nb, Location nl, ValueRange args) {
                  Value s = arith::ConstantOp::create(
                      nb, nl, nb.getF32FloatAttr(scale));
                  Value c = arith::MulFOp::create(nb, nl, s, args[0]);
                  if (gr)
                    c = arith::MulFOp::create(nb, nl, c, args[1]);
                  linalg::YieldOp::create(nb, nl, c);
                })
                .getResult(0);
      }
      base.a2 = u;
      base.b3 = prefix(rw, loc, b, 0, active);
    }
    rw.replaceOp(op, base.build(rw, loc, op.getType()));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// lowrank_matmul
//===----------------------------------------------------------------------===//

struct FuseLowrankMatmul : OpRewritePattern<LowrankMatmulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(LowrankMatmulOp op,
                                PatternRewriter &rw) const override {
    Value x = op.getX(), u = op.getU(), v = op.getV(), bias = op.getBias();
    if (!staticExcept(x, {0}) || !staticExcept(u) || !staticExcept(v) ||
        !staticExcept(bias))
      return rw.notifyMatchFailure(
          op, "sizes other than the token count are dynamic");
    Location loc = fusedLoc(op);
    Gemm down{x, u};
    Value h = down.build(rw, loc, rowsType(x, ttype(u).getDimSize(1)));
    Gemm up{h, v};
    up.bias = bias;
    rw.replaceOp(op, up.build(rw, loc, op.getType()));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// multi_lora_matmul
//===----------------------------------------------------------------------===//

struct FuseMultiLoraMatmul : OpRewritePattern<MultiLoraMatmulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(MultiLoraMatmulOp op,
                                PatternRewriter &rw) const override {
    Value x = op.getX(), w = op.getW(), a = op.getA(), b = op.getB(),
          ids = op.getIds(), gates = op.getGates(), scales = op.getScales(),
          bias = op.getBias();
    if (!staticExcept(x, {0}) || !staticExcept(w) || !staticExcept(a) ||
        !staticExcept(b) || !staticExcept(ids, {0}) ||
        !staticExcept(gates, {0}) || !staticExcept(scales) ||
        !staticExcept(bias) || !tokenDimCheckable(x, ids) ||
        !tokenDimCheckable(x, gates))
      return rw.notifyMatchFailure(
          op, "sizes other than the token count are dynamic");
    int64_t l = ttype(a).getDimSize(0), r = ttype(a).getDimSize(2),
            m = ttype(ids).getDimSize(1);
    if (l == 0 || r == 0 || m == 0)
      return rw.notifyMatchFailure(op, "no adapters, rank 0 or no choices");
    Location loc = fusedLoc(op);
    MLIRContext *ctx = rw.getContext();
    Type f32 = rw.getF32Type(), i32 = rw.getI32Type();
    ids = guardTokens(rw, op, ids, "ids", x, rw.getI32IntegerAttr(-1));
    gates = guardTokens(rw, op, gates, "gates", x, rw.getF32FloatAttr(0));

    // An id outside [-1, L) is a run-time error (and adds nothing).
    {
      codegen::Emit e(rw, op.getLoc());
      Value t = dimOf(rw, op.getLoc(), x, 0);
      e.forLoop(t, [&](Value tt) {
        e.forLoop(e.c(m), [&](Value jj) {
          Value id = e.toIndex(
              tensor::ExtractOp::create(rw, e.loc, ids, ValueRange{tt, jj}));
          Value none = e.cmpi(IP::eq, id, e.c(-1));
          Value bad = e.andi(e.noti(none), e.ori(e.cmpi(IP::slt, id, e.c(0)),
                                                 e.cmpi(IP::sge, id, e.c(l))));
          codegen::emitRuntimeCheck(
              e, op, bad, "adapter id {0} out of range [-1, L) at token {1}",
              id, tt);
        });
      });
    }

    // Per slot t*m + j: its segment (the adapter, or L = no adapter) and its
    // coefficient g[t,j] * s[id] (0 without an adapter).
    auto slotType = [&](Type elt) {
      return RankedTensorType::get({ttype(ids).getDimSize(0), m}, elt);
    };
    SmallVector<Value> dyn;
    if (ttype(ids).isDynamicDim(0))
      dyn.push_back(dimOf(rw, loc, ids, 0));
    Value segInit = tensor::EmptyOp::create(rw, loc, slotType(i32), dyn);
    Value coefInit = tensor::EmptyOp::create(rw, loc, slotType(f32), dyn);
    AffineMap id2 = AffineMap::getMultiDimIdentityMap(2, ctx);
    SmallVector<Value> ins{ids};
    if (gates)
      ins.push_back(gates);
    SmallVector<AffineMap> maps(ins.size() + 2, id2);
    double attrScale =
        op.getScaleAttr() ? op.getScaleAttr().getValue().convertToDouble()
                          : 1.0;
    SmallVector<utils::IteratorType> iters(2, utils::IteratorType::parallel);
    auto perSlot = linalg::GenericOp::create(
        rw, loc, TypeRange{slotType(i32), slotType(f32)}, ins,
        ValueRange{segInit, coefInit}, maps, iters,
        [&](OpBuilder &nb, Location nl, ValueRange args) {
          codegen::Emit e(nb, nl);
          Value id = args[0];
          Value valid =
              e.andi(e.cmpi(IP::sge, id, e.ci32(0)),
                     e.cmpi(IP::slt, id, e.ci32(static_cast<int32_t>(l))));
          Value seg = e.select(valid, id, e.ci32(static_cast<int32_t>(l)));
          Value coef = e.cf(attrScale);
          if (scales) {
            Value at = e.toIndex(e.select(valid, id, e.ci32(0)));
            coef = tensor::ExtractOp::create(nb, nl, scales, ValueRange{at});
          }
          if (gates)
            coef = arith::MulFOp::create(nb, nl, coef, args[1]);
          coef = e.select(valid, coef, e.cf(0));
          linalg::YieldOp::create(nb, nl, ValueRange{seg, coef});
        });
    Value seg = perSlot.getResult(0), coef = perSlot.getResult(1);

    // SGMV segments: the slots grouped by adapter, the idle ones last.
    auto route = RouteOp::create(rw, loc, seg, coef, l + 1, /*block=*/1,
                                 /*capacity=*/0, DropPolicy::by_order);
    Value offsets = route.getOffsets();
    Value live = arith::IndexCastOp::create(
        rw, loc, rw.getIndexType(),
        tensor::ExtractOp::create(
            rw, loc, offsets,
            ValueRange{arith::ConstantIndexOp::create(rw, loc, l)}));
    auto i32Vec = [&](int64_t n) { return RankedTensorType::get({n}, i32); };
    Value slots = tensor::ExtractSliceOp::create(
        rw, loc, i32Vec(ShapedType::kDynamic), route.getSlots(),
        ArrayRef<OpFoldResult>{rw.getIndexAttr(0)},
        ArrayRef<OpFoldResult>{live}, ArrayRef<OpFoldResult>{rw.getIndexAttr(1)});
    Value groups = tensor::ExtractSliceOp::create(
        rw, loc, i32Vec(l + 1), offsets,
        ArrayRef<OpFoldResult>{rw.getIndexAttr(0)},
        ArrayRef<OpFoldResult>{rw.getIndexAttr(l + 1)},
        ArrayRef<OpFoldResult>{rw.getIndexAttr(1)});
    Value coefFlat = tensor::CollapseShapeOp::create(
        rw, loc, coef, ArrayRef<ReassociationIndices>{{0, 1}});

    Gemm base{x, w};
    base.bias = bias;
    Value y = base.build(rw, loc, op.getType());
    Gemm down{x, a};
    down.groups = groups;
    down.aRows = slots;
    down.aDiv = m;
    Value u = down.build(rw, loc, rowsType(slots, r));
    Gemm up{u, b};
    up.groups = groups;
    up.cRows = slots;
    up.cScale = coefFlat;
    up.init = y;
    up.accumulate = true;
    up.cDiv = m;
    rw.replaceOp(op, up.build(rw, loc, op.getType()));
    return success();
  }
};

struct SluiceFuseLora : sluice::impl::SluiceFuseLoraBase<SluiceFuseLora> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FuseLoraMatmul, FuseLowrankMatmul, FuseMultiLoraMatmul>(
        &getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
