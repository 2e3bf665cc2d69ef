//===- FuseMoeShared.cpp - shared experts in the routed experts' GEMMs ----===//
//
// A sluice.moe with shared experts (DeepSeek-style: always on, weight 1;
// Qwen-style: weight sigmoid(x . s_gate_w[s])) runs as ONE gate/up + GLU
// sluice.gemm and ONE down sluice.gemm whose groups are the E routed
// experts' route segments followed by C = S * m shared segments, m = Fs / F
// (a shared FFN wider than the routed one is m chunks of F columns: the FFN
// is a sum over its hidden units, so the chunks add up to the expert).
// Every token has D = k + C slots: t*D + j for its routed choices, t*D + k +
// c for shared chunk c, so one a_div / c_div maps both onto x's and y's rows
// and one [T, D] scale holds the routing weights and the shared gates:
//
//   live   = route.slots[0 : off[E]]                  (segment E is idle)
//   slots  = remap(live) ++ [c*T + t] -> t*D + k + c       (linalg.generic)
//   groups = off[0 : E + 1] ++ off[E] + T * (c + 1), c in [0, C)
//   scale  = w [T, k] ++ g [T, C] along dim 1, collapsed to [T * D]
//   %h = sluice.gemm %x, %w_gate groups gather(slots) up(%w_up)
//          shared(%s_gate) shared_up(%s_up) {act, a_div = D}
//   %y = sluice.gemm %h, %w_down groups scatter(slots) scale(scale)
//          [init(s) | rows(T)] shared(%s_down as [S*m, F, d])
//          {c_div = D, accumulate}
//
// The shared stacks are read in place (the micro-kernel's second weight
// base, ABI version 2); no weight is copied. The route (its spec
// semantics unchanged) covers the routed experts only; the shared
// segments are appended here.
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

namespace {

constexpr int64_t kDyn = ShapedType::kDynamic;
using Iter = utils::IteratorType;

/// An empty tensor of `shape` (kDyn entries take `dyn` in order).
Value empty(OpBuilder &b, Location loc, ArrayRef<int64_t> shape, Type elt,
            ValueRange dyn) {
  return tensor::EmptyOp::create(b, loc, RankedTensorType::get(shape, elt),
                                 dyn);
}

/// A parallel linalg.generic with identity maps over `out`'s rank, inputs
/// of the same shape, and the body `body(emit, indices, args)`.
Value parallelGeneric(
    OpBuilder &b, Location loc, ValueRange ins, Value out,
    function_ref<Value(codegen::Emit &, ArrayRef<Value>, ValueRange)> body) {
  unsigned n = ttype(out).getRank();
  SmallVector<AffineMap> maps(ins.size() + 1,
                              b.getMultiDimIdentityMap(n));
  SmallVector<Iter> iters(n, Iter::parallel);
  auto op = linalg::GenericOp::create(
      b, loc, TypeRange{out.getType()}, ins, ValueRange{out}, maps, iters,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        codegen::Emit e(nb, nl);
        SmallVector<Value> idx;
        for (unsigned i = 0; i < n; ++i)
          idx.push_back(linalg::IndexOp::create(nb, nl, i));
        linalg::YieldOp::create(nb, nl, body(e, idx, args));
      });
  return op->getResult(0);
}

} // namespace

bool mlir::sluice::canFuseSharedExperts(MoeOp op) {
  if (!op.getSGate() || !op.getSDown())
    return false;
  // A benchmark's baseline: the shared experts as their own pair of calls.
  if (op->hasAttr("sluice.no_fuse"))
    return false;
  // One GLU (or none) for every group of the call.
  if (!op.getWUp() != !op.getSUp())
    return false;
  RankedTensorType x = ttype(op.getX()), w = ttype(op.getWeights()),
                   idx = ttype(op.getIndices()), g = ttype(op.getWGate()),
                   sg = ttype(op.getSGate()), sd = ttype(op.getSDown());
  int64_t e = g.getDimSize(0), f = g.getDimSize(2), d = x.getDimSize(1),
          k = idx.getDimSize(1), s = sg.getDimSize(0), fs = sg.getDimSize(2);
  for (int64_t v : {e, f, d, k, s, fs, w.getDimSize(1), sd.getDimSize(1),
                    sd.getDimSize(2)})
    if (ShapedType::isDynamic(v))
      return false;
  if (e == 0 || k == 0 || s == 0 || f == 0 || fs % f != 0)
    return false;
  // The token counts as the MoE++ pattern (FuseMoeSpecial.cpp) checks them.
  if (!x.isDynamicDim(0) && (w.isDynamicDim(0) || idx.isDynamicDim(0)))
    return false;
  // Every slot index t * (k + S m) + j fits the i32 scatter / gather
  // indices for any T the i32 route itself allows.
  return k + s * (fs / f) <= (int64_t(1) << 16);
}

Value mlir::sluice::buildRoutedAndShared(PatternRewriter &rw, MoeOp op,
                                         Location loc, RouteOp route,
                                         Value weights, Value init) {
  Value x = op.getX();
  Type f32 = rw.getF32Type(), i32 = rw.getI32Type();
  int64_t e = ttype(op.getWGate()).getDimSize(0);
  int64_t f = ttype(op.getWGate()).getDimSize(2);
  int64_t k = ttype(op.getIndices()).getDimSize(1);
  int64_t s = ttype(op.getSGate()).getDimSize(0);
  int64_t m = ttype(op.getSGate()).getDimSize(2) / f;
  int64_t d = ttype(x).getDimSize(1);
  int64_t c = s * m, slotsPerToken = k + c;
  int64_t tStatic = ttype(x).getDimSize(0);
  Value t = dimOf(rw, loc, x, 0);
  SmallVector<Value> tDyn;
  if (ShapedType::isDynamic(tStatic))
    tDyn.push_back(t);
  auto i32c = [&](codegen::Emit &b, int64_t v) {
    return b.ci32(static_cast<int32_t>(v));
  };

  using IP = arith::CmpIPredicate;
  // Product rows: the routed slots t*k + j -> t*D + j (padding -1 stays
  // -1), then shared chunk c, token t at row live + c*T + t -> t*D + k + c.
  // Built by one linalg.generic each (no tensor.concat: its copies would
  // need the memref runtime library).
  Value offsets = route.getOffsets(), routeSlots = route.getSlots();
  Value live = arith::IndexCastOp::create(
      rw, loc, rw.getIndexType(),
      tensor::ExtractOp::create(
          rw, loc, offsets,
          ValueRange{arith::ConstantIndexOp::create(rw, loc, e)}));
  Value total = arith::AddIOp::create(
      rw, loc, live,
      arith::MulIOp::create(rw, loc, t,
                            arith::ConstantIndexOp::create(rw, loc, c)));
  Value slots = parallelGeneric(
      rw, loc, {}, empty(rw, loc, {kDyn}, i32, {total}),
      [&](codegen::Emit &b, ArrayRef<Value> i, ValueRange) {
        // Every iteration has T >= 1 (rows exist only for tokens), so the
        // clamps only keep the unselected branch in bounds.
        Value tSafe = b.maxsi(t, b.c(1));
        Value isRouted = b.cmpi(IP::slt, i[0], live);
        Value ri = b.minsi(i[0], b.maxsi(b.subi(live, b.c(1)), b.c(0)));
        Value r = tensor::ExtractOp::create(b.b, b.loc, routeSlots,
                                            ValueRange{ri});
        Value moved = b.addi(b.muli(b.divsi(r, i32c(b, k)),
                                    i32c(b, slotsPerToken)),
                             b.remsi(r, i32c(b, k)));
        Value routed = b.select(b.cmpi(IP::slt, r, i32c(b, 0)), r, moved);
        Value j = b.maxsi(b.subi(i[0], live), b.c(0));
        Value chunk = b.divsi(j, tSafe), tok = b.remsi(j, tSafe);
        Value shared = b.toI32(b.addi(b.muli(tok, b.c(slotsPerToken)),
                                      b.addi(chunk, b.c(k))));
        return b.select(isRouted, routed, shared);
      });

  // Group bounds: the routed segments off[0 : E + 1], then off[E] + T (c + 1).
  Value groups = parallelGeneric(
      rw, loc, {}, empty(rw, loc, {e + 1 + c}, i32, {}),
      [&](codegen::Emit &b, ArrayRef<Value> i, ValueRange) {
        Value g = i[0];
        Value off = tensor::ExtractOp::create(b.b, b.loc, offsets,
                                              ValueRange{b.minsi(g, b.c(e))});
        Value sharedEnd = b.toI32(
            b.addi(live, b.muli(t, b.maxsi(b.subi(g, b.c(e)), b.c(0)))));
        return b.select(b.cmpi(IP::sle, g, b.c(e)), off, sharedEnd);
      });

  // scale[t*D + j]: the routing weight w[t, j] (j < k), then the shared
  // gate of chunk j - k: 1, or sigmoid(x[t] . s_gate_w[s]).
  Value sig;
  if (Value sgw = op.getSGateW()) {
    // g[t, s] = sigmoid(x[t] . s_gate_w[s]), as the decomposed path does.
    Value logits = empty(rw, loc, {tStatic, s}, f32, tDyn);
    Value zero = arith::ConstantOp::create(rw, loc, rw.getF32FloatAttr(0));
    logits = linalg::FillOp::create(rw, loc, zero, logits).getResult(0);
    MLIRContext *ctx = rw.getContext();
    AffineExpr i0 = getAffineDimExpr(0, ctx), i1 = getAffineDimExpr(1, ctx),
               i2 = getAffineDimExpr(2, ctx);
    SmallVector<AffineMap> maps{AffineMap::get(3, 0, {i0, i2}, ctx),
                                AffineMap::get(3, 0, {i1, i2}, ctx),
                                AffineMap::get(3, 0, {i0, i1}, ctx)};
    logits = linalg::GenericOp::create(
                 rw, loc, TypeRange{logits.getType()}, ValueRange{x, sgw},
                 ValueRange{logits}, maps,
                 {Iter::parallel, Iter::parallel, Iter::reduction},
                 [&](OpBuilder &nb, Location nl, ValueRange a) {
                   codegen::Emit b(nb, nl);
                   linalg::YieldOp::create(
                       nb, nl, b.addf(a[2], b.mulf(a[0], a[1])));
                 })
                 ->getResult(0);
    Value one = arith::ConstantOp::create(rw, loc, rw.getF32FloatAttr(1));
    Value ones = linalg::FillOp::create(
                     rw, loc, one, empty(rw, loc, {tStatic, s}, f32, tDyn))
                     .getResult(0);
    // sigmoid(g) == 1 * sigmoid(g) exactly.
    sig = SigmoidGateOp::create(rw, loc, ones, logits);
  }
  // The routing weights have x's token count (FuseMoeSpecial guards them).
  Value w = weights;
  Value scale2d = parallelGeneric(
      rw, loc, {}, empty(rw, loc, {tStatic, slotsPerToken}, f32, tDyn),
      [&](codegen::Emit &b, ArrayRef<Value> i, ValueRange) -> Value {
        Value jr = b.minsi(i[1], b.c(k - 1));
        Value wv = tensor::ExtractOp::create(b.b, b.loc, w,
                                             ValueRange{i[0], jr});
        Value gv = b.cf(1.0);
        if (sig) {
          Value col = b.divsi(b.maxsi(b.subi(i[1], b.c(k)), b.c(0)), b.c(m));
          gv = tensor::ExtractOp::create(b.b, b.loc, sig,
                                         ValueRange{i[0], col});
        }
        return b.select(b.cmpi(IP::slt, i[1], b.c(k)), wv, gv);
      });
  Value scale = tensor::CollapseShapeOp::create(
      rw, loc,
      RankedTensorType::get(
          {ShapedType::isDynamic(tStatic) ? kDyn : tStatic * slotsPerToken},
          f32),
      scale2d, ArrayRef<ReassociationIndices>{ReassociationIndices{0, 1}});

  // Gate / up + GLU: routed groups read w_gate / w_up, shared chunks
  // s_gate / s_up in place.
  auto hType = RankedTensorType::get({kDyn, f}, f32);
  auto h = GemmOp::create(
      rw, loc, hType, x, op.getWGate(), groups, slots, op.getWUp(),
      /*bias=*/Value(), /*a2=*/Value(), /*b3=*/Value(), /*c_rows=*/Value(),
      /*c_scale=*/Value(), /*init=*/Value(), /*num_rows=*/Value(),
      /*b_shared=*/op.getSGate(), /*b2_shared=*/op.getSUp(),
      ActivationAttr::get(rw.getContext(), op.getAct()),
      /*accumulate=*/false, static_cast<uint64_t>(slotsPerToken),
      /*c_div=*/1);

  // Down: s_down [S, m F, d] viewed as [S m, F, d] (chunk c's rows).
  Value sDown = op.getSDown();
  if (m > 1) {
    sDown = tensor::ExpandShapeOp::create(
        rw, loc, RankedTensorType::get({s, m, f, d}, f32), sDown,
        ArrayRef<ReassociationIndices>{{0}, {1, 2}, {3}});
    sDown = tensor::CollapseShapeOp::create(
        rw, loc, RankedTensorType::get({c, f, d}, f32), sDown,
        ArrayRef<ReassociationIndices>{{0, 1}, {2}, {3}});
  }
  auto yType = op.getType();
  Value rows;
  if (!init && yType.isDynamicDim(0))
    rows = t;
  return GemmOp::create(
      rw, loc, yType, h.getResult(), op.getWDown(), groups, /*a_rows=*/Value(),
      /*b2=*/Value(), /*bias=*/Value(), /*a2=*/Value(), /*b3=*/Value(), slots,
      scale, init, rows, /*b_shared=*/sDown, /*b2_shared=*/Value(),
      ActivationAttr(), /*accumulate=*/true, /*a_div=*/1,
      static_cast<uint64_t>(slotsPerToken));
}
