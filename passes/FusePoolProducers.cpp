//===- FusePoolProducers.cpp - elementwise producers into the pooling loop ===//
//
// sluice-fuse-pool-producers: a sluice.pool / sluice.segment_pool whose
// pooled tensor comes from a single-use elementwise producer becomes a
// sluice.pool_map that evaluates the producer's body where the pooling
// reads the element, so the [B, N, D] intermediate is never written and x
// is read once:
//
//   %v = linalg.generic {all parallel, out map identity} ins(%x, %bias)
//          { %s = arith.addf ...; linalg.yield %s }
//   %e = sluice.pool %v mask(%m) {kind = gem}
// ->
//   %e = sluice.pool_map %x, %bias mask(%m) {kind = gem, indexing_maps}
//          { ^bb0(%a: f32, %b: f32): %s = arith.addf %a, %b; sluice.yield %s }
//
// Producers: a linalg.generic with only parallel loops, the identity output
// map, an output whose value the body does not read, a body of pure scalar
// ops without regions, and at least one input with the identity map (it
// gives the sizes); a sluice.glu (act(g) * u; the frontend's activations are
// glu(x, ones), whose fill of ones is folded into the body). Chains of such
// producers fuse one after another (the second pattern absorbs a producer
// of a pool_map input). A pool carrying the unit attribute sluice.no_fuse
// is left alone (bench/cases/pooling.mlir's unfused baseline).
//
//===----------------------------------------------------------------------===//

#include "codegen/common/Emit.h"
#include "codegen/common/Lowering.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::sluice {
#define GEN_PASS_DEF_SLUICEFUSEPOOLPRODUCERS
#include "passes/Passes.h.inc"
} // namespace mlir::sluice

using namespace mlir;
using namespace mlir::sluice;

namespace {

/// The pooling operands a sluice.pool_map carries over.
struct PoolSpec {
  Value mask, lengths, offsets, groupP;
  PoolKindAttr kind;
  FloatAttr p, eps, r;
  IntegerAttr groups;
  Type resultType;
  Location loc;
};

/// An elementwise producer: its inputs (with maps on its own, the pooled
/// tensor's, iteration space) and a builder of its scalar body.
struct Producer {
  Operation *op = nullptr;
  SmallVector<Value> inputs;
  SmallVector<AffineMap> maps;
  /// Emits the body at the builder's insertion point on `args` (one per
  /// input); returns the value.
  std::function<Value(OpBuilder &, Location, ValueRange)> body;
};

bool isFillOfOne(Value v) {
  auto fill = v.getDefiningOp<linalg::FillOp>();
  FloatAttr attr;
  return fill && matchPattern(fill.getInputs()[0], m_Constant(&attr)) &&
         attr.getValueAsDouble() == 1.0;
}

/// `v`'s producer, if it is a single-use elementwise op this pass fuses.
std::optional<Producer> producerOf(Value v) {
  Operation *def = v.getDefiningOp();
  if (!def || !v.hasOneUse())
    return std::nullopt;
  auto type = cast<RankedTensorType>(v.getType());
  unsigned rank = type.getRank();
  MLIRContext *ctx = v.getContext();
  AffineMap id = AffineMap::getMultiDimIdentityMap(rank, ctx);

  if (auto glu = dyn_cast<GluOp>(def)) {
    if (glu.getGate().getType() != type)
      return std::nullopt;
    Producer p;
    p.op = glu;
    p.inputs.push_back(glu.getGate());
    p.maps.push_back(id);
    bool ones = isFillOfOne(glu.getUp());
    if (!ones) {
      if (glu.getUp().getType() != type)
        return std::nullopt;
      p.inputs.push_back(glu.getUp());
      p.maps.push_back(id);
    }
    Activation act = glu.getAct();
    // act(g) * 1 == act(g) exactly: the ones are not read.
    p.body = [act, ones](OpBuilder &b, Location loc, ValueRange args) {
      codegen::Emit e(b, loc);
      Value h = codegen::emitActivation(e, act, args[0]);
      return ones ? h : e.mulf(h, args[1]);
    };
    return p;
  }

  auto generic = dyn_cast<linalg::GenericOp>(def);
  if (!generic || generic->getNumResults() != 1 ||
      generic.getNumDpsInits() != 1 || !generic.hasPureTensorSemantics() ||
      generic.getNumParallelLoops() != generic.getNumLoops() ||
      generic.getNumLoops() != rank)
    return std::nullopt;
  if (generic.getIndexingMapsArray().back() != id)
    return std::nullopt;
  Block *block = generic.getBlock();
  unsigned numIns = generic.getNumDpsInputs();
  if (!block->getArgument(numIns).use_empty())
    return std::nullopt; // The body reads the output's old value.
  bool hasIdentity = false;
  for (unsigned i = 0; i < numIns; ++i) {
    AffineMap m = generic.getIndexingMapsArray()[i];
    if (!m.isProjectedPermutation())
      return std::nullopt;
    hasIdentity |= m == id;
  }
  if (!hasIdentity)
    return std::nullopt;
  for (Operation &o : block->without_terminator()) {
    if (o.getNumRegions() || !isPure(&o) || isa<linalg::IndexOp>(o))
      return std::nullopt;
    for (Value operand : o.getOperands())
      if (isa<ShapedType>(operand.getType()))
        return std::nullopt;
  }
  Producer p;
  p.op = generic;
  for (OpOperand *in : generic.getDpsInputOperands()) {
    p.inputs.push_back(in->get());
    p.maps.push_back(generic.getMatchingIndexingMap(in));
  }
  p.body = [block, numIns](OpBuilder &b, Location, ValueRange args) {
    IRMapping map;
    for (unsigned i = 0; i < numIns; ++i)
      map.map(block->getArgument(i), args[i]);
    for (Operation &o : block->without_terminator())
      b.clone(o, map);
    return map.lookupOrDefault(block->getTerminator()->getOperand(0));
  };
  return p;
}

/// A sluice.pool_map of `inputs` / `maps` whose body is built by `body`.
Value buildPoolMap(PatternRewriter &rw, const PoolSpec &s,
                   ArrayRef<Value> inputs, ArrayRef<AffineMap> maps,
                   function_ref<Value(OpBuilder &, Location, ValueRange)> body) {
  SmallVector<Attribute> mapAttrs;
  for (AffineMap m : maps)
    mapAttrs.push_back(AffineMapAttr::get(m));
  auto op = PoolMapOp::create(
      rw, s.loc, s.resultType, inputs, s.mask, s.lengths, s.offsets, s.groupP,
      rw.getArrayAttr(mapAttrs), s.kind, s.p, s.eps, s.groups, s.r);
  Region &region = op.getBody();
  SmallVector<Type> argTypes;
  SmallVector<Location> argLocs;
  for (Value in : inputs) {
    argTypes.push_back(cast<RankedTensorType>(in.getType()).getElementType());
    argLocs.push_back(s.loc);
  }
  OpBuilder::InsertionGuard g(rw);
  Block *block = rw.createBlock(&region, region.end(), argTypes, argLocs);
  Value v = body(rw, s.loc, block->getArguments());
  YieldOp::create(rw, s.loc, v);
  return op.getResult();
}

/// The pool_map that feeds the producer `p` of input `which` of the
/// existing pool_map (inputs / maps / body), into one pool_map.
Value absorb(PatternRewriter &rw, const PoolSpec &s, ArrayRef<Value> inputs,
             ArrayRef<AffineMap> maps, unsigned which, const Producer &p,
             function_ref<Value(OpBuilder &, Location, ValueRange)> outer) {
  SmallVector<Value> newInputs;
  SmallVector<AffineMap> newMaps;
  for (unsigned i = 0; i < inputs.size(); ++i) {
    if (i != which) {
      newInputs.push_back(inputs[i]);
      newMaps.push_back(maps[i]);
      continue;
    }
    for (auto [in, m] : llvm::zip(p.inputs, p.maps)) {
      newInputs.push_back(in);
      // producer dims == the consumer's input dims: compose.
      newMaps.push_back(m.compose(maps[i]));
    }
  }
  unsigned np = p.inputs.size();
  return buildPoolMap(
      rw, s, newInputs, newMaps,
      [&](OpBuilder &b, Location loc, ValueRange args) {
        SmallVector<Value> inner(args.begin() + which,
                                 args.begin() + which + np);
        Value produced = p.body(b, loc, inner);
        SmallVector<Value> outerArgs;
        for (unsigned i = 0; i < inputs.size(); ++i) {
          if (i == which)
            outerArgs.push_back(produced);
          else
            outerArgs.push_back(args[i < which ? i : i + np - 1]);
        }
        return outer(b, loc, outerArgs);
      });
}

template <typename PoolTy>
PoolSpec specOf(PoolTy op) {
  PoolSpec s{Value(), Value(), Value(), op.getGroupP(), op.getKindAttr(),
             op.getPAttr(), op.getEpsAttr(), op.getRAttr(),
             op.getGroupsAttr(), op.getType(), op.getLoc()};
  return s;
}

/// pool / segment_pool of an elementwise producer -> pool_map.
template <typename PoolTy>
struct FusePoolOfProducer : OpRewritePattern<PoolTy> {
  using OpRewritePattern<PoolTy>::OpRewritePattern;

  LogicalResult matchAndRewrite(PoolTy op,
                                PatternRewriter &rw) const override {
    if (op->hasAttr("sluice.no_fuse"))
      return rw.notifyMatchFailure(op, "sluice.no_fuse (a benchmark's baseline)");
    std::optional<Producer> p = producerOf(op.getX());
    if (!p)
      return rw.notifyMatchFailure(
          op, "the pooled tensor is not a single-use elementwise result");
    PoolSpec s = specOf(op);
    if constexpr (std::is_same_v<PoolTy, PoolOp>) {
      s.mask = op.getMask();
      s.lengths = op.getLengths();
    } else {
      s.offsets = op.getOffsets();
    }
    unsigned rank = cast<RankedTensorType>(op.getX().getType()).getRank();
    AffineMap id = AffineMap::getMultiDimIdentityMap(rank, rw.getContext());
    Value fused = absorb(rw, s, {op.getX()}, {id}, 0, *p,
                         [](OpBuilder &, Location, ValueRange args) {
                           return args[0];
                         });
    rw.replaceOp(op, fused);
    rw.eraseOp(p->op);
    return success();
  }
};

/// pool_map with an input from an elementwise producer -> a bigger one.
struct FusePoolMapInput : OpRewritePattern<PoolMapOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(PoolMapOp op,
                                PatternRewriter &rw) const override {
    SmallVector<Value> inputs(op.getInputs());
    for (unsigned i = 0; i < inputs.size(); ++i) {
      std::optional<Producer> p = producerOf(inputs[i]);
      if (!p)
        continue;
      PoolSpec s{op.getMask(),      op.getLengths(),  op.getOffsets(),
                 op.getGroupP(),    op.getKindAttr(), op.getPAttr(),
                 op.getEpsAttr(),   op.getRAttr(),    op.getGroupsAttr(),
                 op.getType(),      op.getLoc()};
      SmallVector<AffineMap> maps(
          op.getIndexingMaps().getAsValueRange<AffineMapAttr>());
      Block *block = &op.getBody().front();
      Value fused = absorb(
          rw, s, inputs, maps, i, *p,
          [block](OpBuilder &b, Location, ValueRange args) {
            IRMapping map;
            for (auto [arg, v] : llvm::zip(block->getArguments(), args))
              map.map(arg, v);
            for (Operation &o : block->without_terminator())
              b.clone(o, map);
            return map.lookupOrDefault(
                cast<YieldOp>(block->getTerminator()).getValue());
          });
      rw.replaceOp(op, fused);
      rw.eraseOp(p->op);
      return success();
    }
    return rw.notifyMatchFailure(op, "no fusable producer of an input");
  }
};

struct SluiceFusePoolProducers
    : mlir::sluice::impl::SluiceFusePoolProducersBase<SluiceFusePoolProducers> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FusePoolOfProducer<PoolOp>, FusePoolOfProducer<SegmentPoolOp>,
                 FusePoolMapInput>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
