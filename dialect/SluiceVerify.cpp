//===- SluiceVerify.cpp - verifiers and result-type inference -------------===//
//
// Every static error rule of the Sluice op specification, with messages that
// name the operand or attribute and give the expected vs. actual value, and
// result-type inference for the ops whose result shapes follow from their
// operands and attributes. Inference is lenient: it fills `?` where a size is
// unknown or inconsistent, so that the verifiers below report the error.
//
//===----------------------------------------------------------------------===//

#include "dialect/SluiceOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"

#include <cmath>

using namespace mlir;
using namespace mlir::sluice;

static constexpr int64_t kDyn = ShapedType::kDynamic;

bool mlir::sluice::areCompatibleResultTypes(TypeRange inferred,
                                            TypeRange actual) {
  if (inferred.size() != actual.size())
    return false;
  for (auto [i, a] : llvm::zip(inferred, actual)) {
    if (getElementTypeOrSelf(i) != getElementTypeOrSelf(a))
      return false;
    if (failed(verifyCompatibleShape(i, a)))
      return false;
  }
  return true;
}

#define SLUICE_COMPATIBLE_RESULTS(OP)                                          \
  bool OP::isCompatibleReturnTypes(TypeRange l, TypeRange r) {                 \
    return areCompatibleResultTypes(l, r);                                     \
  }
SLUICE_COMPATIBLE_RESULTS(TopkGateOp)
SLUICE_COMPATIBLE_RESULTS(ExpertChoiceGateOp)
SLUICE_COMPATIBLE_RESULTS(RouteOp)
SLUICE_COMPATIBLE_RESULTS(DispatchOp)
SLUICE_COMPATIBLE_RESULTS(GroupedMatmulOp)
SLUICE_COMPATIBLE_RESULTS(MoeOp)
SLUICE_COMPATIBLE_RESULTS(LoadBalanceLossOp)
SLUICE_COMPATIBLE_RESULTS(RouterZLossOp)
SLUICE_COMPATIBLE_RESULTS(PoolOp)
SLUICE_COMPATIBLE_RESULTS(SegmentPoolOp)
SLUICE_COMPATIBLE_RESULTS(AdaptivePoolOp)
SLUICE_COMPATIBLE_RESULTS(SpatialPyramidPoolOp)
SLUICE_COMPATIBLE_RESULTS(AttentionPoolOp)
SLUICE_COMPATIBLE_RESULTS(LoraMatmulOp)
SLUICE_COMPATIBLE_RESULTS(MultiLoraMatmulOp)
SLUICE_COMPATIBLE_RESULTS(LowrankMatmulOp)
SLUICE_COMPATIBLE_RESULTS(SparsifyOp)
SLUICE_COMPATIBLE_RESULTS(SparseMatmulOp)
SLUICE_COMPATIBLE_RESULTS(TopkOp)
#undef SLUICE_COMPATIBLE_RESULTS

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

namespace {

/// Size `i` of a ranked tensor value, `?` when the value is absent, unranked
/// or of lower rank (the type constraints report those).
int64_t dim(Value v, unsigned i) {
  if (!v)
    return kDyn;
  auto t = dyn_cast<RankedTensorType>(v.getType());
  if (!t || i >= t.getRank())
    return kDyn;
  return t.getDimSize(i);
}

std::string dimStr(int64_t d) {
  return d == kDyn ? std::string("?") : std::to_string(d);
}

/// Both sizes known and different.
bool conflict(int64_t a, int64_t b) {
  return a != kDyn && b != kDyn && a != b;
}

/// The size both agree on (the static one if only one is static).
int64_t merge(int64_t a, int64_t b) { return a == kDyn ? b : a; }

RankedTensorType tensorOf(ArrayRef<int64_t> shape, Type elt) {
  return RankedTensorType::get(shape, elt);
}

Type f32(MLIRContext *ctx) { return Float32Type::get(ctx); }
Type i32(MLIRContext *ctx) { return IntegerType::get(ctx, 32); }

/// Reports a mismatch between dim `ia` of `a` and dim `ib` of `b`, naming
/// both operands and their types.
LogicalResult matchDims(Operation *op, StringRef what, StringRef nameA,
                        Value a, unsigned ia, StringRef nameB, Value b,
                        unsigned ib) {
  if (!a || !b || !conflict(dim(a, ia), dim(b, ib)))
    return success();
  return op->emitOpError("expects ")
         << what << " to match: " << nameA << " dim " << ia << " is "
         << dim(a, ia) << " but " << nameB << " dim " << ib << " is "
         << dim(b, ib) << " (" << nameA << ": " << a.getType() << ", "
         << nameB << ": " << b.getType() << ")";
}

/// One size of an operand: dim `i` of `v`, called `name` in diagnostics.
struct DimRef {
  StringRef name;
  Value v;
  unsigned i;
};

/// Reports the first pair of `refs` whose static sizes differ, so that a
/// conflict is found even when the operand in between has a `?` there.
LogicalResult matchAllDims(Operation *op, StringRef what,
                           ArrayRef<DimRef> refs) {
  for (size_t a = 0; a < refs.size(); ++a)
    for (size_t b = a + 1; b < refs.size(); ++b)
      if (failed(matchDims(op, what, refs[a].name, refs[a].v, refs[a].i,
                           refs[b].name, refs[b].v, refs[b].i)))
        return failure();
  return success();
}

/// Slot ids t*k + j are i32: with static T and k, T * k must be < 2^31.
/// `t` and `k` are the token and choice counts of `name`, `?` if unknown.
LogicalResult checkSlotIds(Operation *op, StringRef name, Value v, int64_t t,
                           int64_t k) {
  if (t == kDyn || k == kDyn || t == 0 || k == 0)
    return success();
  constexpr int64_t lim = int64_t(1) << 31;
  if (t < lim && k < lim && t * k < lim)
    return success();
  return op->emitOpError("expects T * k < 2^31 so that slot ids t*k+j fit "
                         "i32, got T = ")
         << t << ", k = " << k << " (" << name << ": " << v.getType() << ")";
}

/// Checks an operand's whole shape against the expected one (`?` matches).
LogicalResult matchShape(Operation *op, StringRef name, Value v,
                         ArrayRef<int64_t> expected, StringRef why) {
  if (!v)
    return success();
  auto t = cast<RankedTensorType>(v.getType());
  bool ok = t.getRank() == (int64_t)expected.size();
  for (unsigned i = 0; ok && i < expected.size(); ++i)
    ok = !conflict(t.getDimSize(i), expected[i]);
  if (ok)
    return success();
  std::string exp = "[";
  for (unsigned i = 0; i < expected.size(); ++i)
    exp += (i ? ", " : "") + dimStr(expected[i]);
  exp += "]";
  return op->emitOpError("expects ")
         << name << " of shape " << exp << " (" << why << "), got "
         << v.getType();
}

LogicalResult requireFinite(Operation *op, StringRef name, float v) {
  if (std::isfinite(v))
    return success();
  return op->emitOpError("expects a finite ") << name << ", got " << v;
}

LogicalResult requireStatic(Operation *op, StringRef what, StringRef name,
                            Value v, unsigned i) {
  if (dim(v, i) != kDyn)
    return success();
  return op->emitOpError("expects a static ")
         << what << " (dim " << i << " of " << name << "), got "
         << v.getType();
}

} // namespace

//===----------------------------------------------------------------------===//
// Gating
//===----------------------------------------------------------------------===//

LogicalResult TopkGateOp::inferReturnTypes(MLIRContext *ctx,
                                           std::optional<Location>,
                                           Adaptor adaptor,
                                           SmallVectorImpl<Type> &types) {
  int64_t t = dim(adaptor.getLogits(), 0);
  int64_t k = adaptor.getKAttr() ? adaptor.getKAttr().getInt() : kDyn;
  if (k < 0)
    k = kDyn;
  types.push_back(tensorOf({t, k}, f32(ctx)));
  types.push_back(tensorOf({t, k}, i32(ctx)));
  return success();
}

/// The attribute rules of topk_gate (shared with router_gate) for E experts.
template <typename GateOp>
static LogicalResult verifyGateAttrs(GateOp g, int64_t e) {
  int64_t k = g.getKAttr().getInt();
  if (k < 1)
    return g.emitOpError("expects k >= 1, got ") << k;
  if (k > e)
    return g.emitOpError("expects k <= number of experts (")
           << e << "), got " << k;
  int64_t groups = (int64_t)g.getGroups(), topkGroups = (int64_t)g.getTopkGroups();
  if (groups < 1)
    return g.emitOpError("expects groups >= 1, got ") << groups;
  if (e % groups != 0)
    return g.emitOpError("expects the number of experts (")
           << e << ") to be divisible by groups (" << groups << ")";
  if (topkGroups < 1 || topkGroups > groups)
    return g.emitOpError("expects 1 <= topk_groups <= groups (")
           << groups << "), got " << topkGroups;
  int64_t perGroup = e / groups;
  if (k > topkGroups * perGroup)
    return g.emitOpError("expects k <= topk_groups * experts per group (")
           << topkGroups << " * " << perGroup << " = " << topkGroups * perGroup
           << "), got " << k;
  if (g.getGroupScore() == GroupScore::top2_sum && perGroup < 2)
    return g.emitOpError("group_score top2_sum expects at least 2 experts per "
                         "group, got ")
           << perGroup;
  if (g.getRenormalize() && g.getScore() == ScoreFunc::none)
    return g.emitOpError("renormalize is not allowed with score none");
  float temp = g.getTemperature().convertToFloat();
  if (failed(requireFinite(g.getOperation(), "temperature", temp)))
    return failure();
  if (temp <= 0)
    return g.emitOpError("expects temperature > 0, got ") << temp;
  return requireFinite(g.getOperation(), "scale", g.getScale().convertToFloat());
}

LogicalResult TopkGateOp::verify() {
  Operation *op = getOperation();
  if (failed(requireStatic(op, "number of experts", "logits", getLogits(), 1)))
    return failure();
  int64_t e = dim(getLogits(), 1);
  if (failed(matchDims(op, "the number of experts", "logits", getLogits(), 1,
                       "bias", getBias(), 0)))
    return failure();
  return verifyGateAttrs(*this, e);
}

LogicalResult RouterGateOp::verify() {
  Operation *op = getOperation();
  if (failed(requireStatic(op, "hidden size", "w", getW(), 0)) ||
      failed(requireStatic(op, "number of experts", "w", getW(), 1)))
    return failure();
  int64_t e = dim(getW(), 1);
  if (failed(matchDims(op, "the hidden size", "x", getX(), 1, "w", getW(), 0)) ||
      failed(matchDims(op, "the number of experts", "w", getW(), 1, "bias",
                       getBias(), 0)))
    return failure();
  if (failed(verifyGateAttrs(*this, e)))
    return failure();
  int64_t t = dim(getX(), 0), k = getK();
  for (Value r : getResults()) {
    auto type = cast<RankedTensorType>(r.getType());
    if (type.getShape() != ArrayRef<int64_t>{t, k})
      return emitOpError("expects results of shape [")
             << (t == kDyn ? std::string("?") : std::to_string(t)) << ", " << k
             << "], got " << r.getType();
  }
  return success();
}

/// C of expert-choice routing for a token count `t`, or `?`.
static int64_t expertChoiceCapacity(int64_t t, int64_t e,
                                    std::optional<int64_t> capacity,
                                    std::optional<float> factor) {
  if (t == kDyn)
    return kDyn;
  if (capacity && *capacity >= 1)
    return std::min(*capacity, t);
  if (factor && *factor > 0 && std::isfinite(*factor) && e != kDyn && e > 0) {
    double c = std::ceil((double)t * (double)*factor / (double)e);
    return c >= (double)t ? t : (int64_t)c;
  }
  return kDyn;
}

LogicalResult ExpertChoiceGateOp::inferReturnTypes(
    MLIRContext *ctx, std::optional<Location>, Adaptor adaptor,
    SmallVectorImpl<Type> &types) {
  int64_t t = dim(adaptor.getLogits(), 0), e = dim(adaptor.getLogits(), 1);
  std::optional<int64_t> cap;
  if (auto a = adaptor.getCapacityAttr())
    cap = a.getInt();
  std::optional<float> cf;
  if (auto a = adaptor.getCapacityFactorAttr())
    cf = a.getValue().convertToFloat();
  int64_t c = (cap && cf) ? kDyn : expertChoiceCapacity(t, e, cap, cf);
  types.push_back(tensorOf({e, c}, f32(ctx)));
  types.push_back(tensorOf({e, c}, i32(ctx)));
  return success();
}

LogicalResult ExpertChoiceGateOp::verify() {
  Operation *op = getOperation();
  if (failed(requireStatic(op, "number of experts", "logits", getLogits(), 1)))
    return failure();
  auto cap = getCapacityAttr();
  auto cf = getCapacityFactorAttr();
  if ((cap != nullptr) == (cf != nullptr))
    return emitOpError("expects exactly one of capacity and capacity_factor");
  if (cap && cap.getInt() < 1)
    return emitOpError("expects capacity >= 1, got ") << cap.getInt();
  if (cf) {
    float f = cf.getValue().convertToFloat();
    if (failed(requireFinite(op, "capacity_factor", f)))
      return failure();
    if (f <= 0)
      return emitOpError("expects capacity_factor > 0, got ") << f;
  }
  return success();
}

LogicalResult SigmoidGateOp::verify() {
  if (failed(matchDims(*this, "the token counts", "x", getX(), 0, "g", getG(),
                       0)))
    return failure();
  int64_t cols = dim(getX(), 1), heads = dim(getG(), 1);
  if (cols == kDyn || heads == kDyn || cols == heads)
    return success();
  if (heads == 0 || cols % heads != 0)
    return emitOpError("expects the columns of x (")
           << cols << ") to be a multiple of the heads of g (" << heads
           << ") (x: " << getX().getType() << ", g: " << getG().getType()
           << ")";
  return success();
}

//===----------------------------------------------------------------------===//
// Routing
//===----------------------------------------------------------------------===//

LogicalResult RouteOp::inferReturnTypes(MLIRContext *ctx,
                                        std::optional<Location>,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &types) {
  int64_t e = adaptor.getNumExpertsAttr()
                  ? adaptor.getNumExpertsAttr().getInt()
                  : kDyn;
  if (e < 1)
    e = kDyn;
  int64_t t = merge(dim(adaptor.getIndices(), 0), dim(adaptor.getWeights(), 0));
  int64_t k = merge(dim(adaptor.getIndices(), 1), dim(adaptor.getWeights(), 1));
  types.push_back(tensorOf({e}, i32(ctx)));
  types.push_back(tensorOf({e == kDyn ? kDyn : e + 1}, i32(ctx)));
  types.push_back(tensorOf({kDyn}, i32(ctx)));
  types.push_back(tensorOf({t, k}, i32(ctx)));
  return success();
}

LogicalResult RouteOp::verify() {
  Operation *op = getOperation();
  for (unsigned i = 0; i < 2; ++i)
    if (failed(matchDims(op, i == 0 ? "the token counts" : "the choices per token",
                         "indices", getIndices(), i, "weights", getWeights(),
                         i)))
      return failure();
  if (failed(checkSlotIds(
          op, "indices", getIndices(),
          merge(dim(getIndices(), 0), dim(getWeights(), 0)),
          merge(dim(getIndices(), 1), dim(getWeights(), 1)))))
    return failure();
  if (getNumExpertsAttr().getInt() < 1)
    return emitOpError("expects num_experts >= 1, got ")
           << getNumExpertsAttr().getInt();
  if ((int64_t)getBlock() < 1)
    return emitOpError("expects block >= 1, got ") << (int64_t)getBlock();
  if ((int64_t)getCapacity() < 0)
    return emitOpError("expects capacity >= 0 (0 = dropless), got ")
           << (int64_t)getCapacity();
  return success();
}

LogicalResult DispatchOp::inferReturnTypes(MLIRContext *ctx,
                                           std::optional<Location>,
                                           Adaptor adaptor,
                                           SmallVectorImpl<Type> &types) {
  types.push_back(tensorOf({dim(adaptor.getSlots(), 0), dim(adaptor.getX(), 1)},
                         f32(ctx)));
  return success();
}

LogicalResult DispatchOp::verify() {
  if (getKAttr().getInt() < 1)
    return emitOpError("expects k >= 1, got ") << getKAttr().getInt();
  return success();
}

LogicalResult GroupedMatmulOp::inferReturnTypes(MLIRContext *ctx,
                                                std::optional<Location>,
                                                Adaptor adaptor,
                                                SmallVectorImpl<Type> &types) {
  types.push_back(tensorOf({dim(adaptor.getXs(), 0), dim(adaptor.getW(), 2)},
                         f32(ctx)));
  return success();
}

LogicalResult GroupedMatmulOp::verify() {
  Operation *op = getOperation();
  if (failed(matchDims(op, "the contraction sizes", "xs", getXs(), 1, "w",
                       getW(), 1)))
    return failure();
  int64_t e = dim(getW(), 0);
  return matchShape(op, "offsets", getOffsets(),
                    {e == kDyn ? kDyn : e + 1},
                    "one more than the experts of w");
}

LogicalResult CombineOp::verify() {
  Operation *op = getOperation();
  bool tokenChoice = getKeep() != nullptr;
  if (tokenChoice == (getNumTokens() != nullptr))
    return emitOpError("expects exactly one of keep(...) (token-choice form) "
                       "and tokens(...) (per-slot form)");
  auto wType = cast<RankedTensorType>(getWeights().getType());
  if (failed(matchDims(op, "the slot counts", "ys", getYs(), 0, "slots",
                       getSlots(), 0)))
    return failure();
  if (failed(matchDims(op, "the feature sizes", "ys", getYs(), 1, "result",
                       getResult(), 1)))
    return failure();
  if (tokenChoice) {
    if (wType.getRank() != 2)
      return emitOpError("token-choice form expects weights of rank 2 "
                         "[T, k], got ")
             << wType;
    if (failed(matchShape(op, "keep", getKeep(), wType.getShape(),
                          "the shape of weights")))
      return failure();
    if (auto k = getKAttr()) {
      int64_t wk = wType.getDimSize(1);
      if ((wk != kDyn && k.getInt() != wk) || k.getInt() < 0)
        return emitOpError("expects k to equal weights dim 1 (")
               << dimStr(wk) << "), got " << k.getInt();
    }
    if (failed(matchDims(op, "the token counts", "weights", getWeights(), 0,
                         "result", getResult(), 0)))
      return failure();
    return checkSlotIds(op, "weights", getWeights(),
                        merge(dim(getWeights(), 0), dim(getResult(), 0)),
                        wType.getDimSize(1));
  }
  if (wType.getRank() != 1)
    return emitOpError("per-slot form expects slot_weights of rank 1 [P], "
                       "got ")
           << wType;
  if (!getKAttr())
    return emitOpError("per-slot form expects the attribute k");
  if (getKAttr().getInt() < 1)
    return emitOpError("expects k >= 1, got ") << getKAttr().getInt();
  return matchAllDims(op, "the slot counts",
                      {{"slot_weights", getWeights(), 0},
                       {"slots", getSlots(), 0},
                       {"ys", getYs(), 0}});
}

LogicalResult MoeOp::inferReturnTypes(MLIRContext *ctx,
                                      std::optional<Location>,
                                      Adaptor adaptor,
                                      SmallVectorImpl<Type> &types) {
  types.push_back(
      tensorOf({dim(adaptor.getX(), 0), dim(adaptor.getX(), 1)}, f32(ctx)));
  return success();
}

LogicalResult MoeOp::verify() {
  Operation *op = getOperation();
  Value x = getX(), w = getWeights(), idx = getIndices();
  if (failed(matchAllDims(op, "the token counts",
                          {{"x", x, 0}, {"weights", w, 0}, {"indices", idx, 0}})) ||
      failed(matchDims(op, "the choices per token", "weights", w, 1,
                       "indices", idx, 1)) ||
      failed(checkSlotIds(op, "weights", w,
                          merge(dim(x, 0), merge(dim(w, 0), dim(idx, 0))),
                          merge(dim(w, 1), dim(idx, 1)))))
    return failure();
  int64_t d = dim(x, 1), e = dim(getWGate(), 0), f = dim(getWGate(), 2);
  if (failed(matchDims(op, "the hidden sizes", "x", x, 1, "w_gate",
                       getWGate(), 1)))
    return failure();
  // Sizes known from any operand count (`?` in x must not hide a conflict
  // between the weights).
  d = merge(d, dim(getWGate(), 1));
  if (failed(matchShape(op, "w_up", getWUp(), {e, d, f},
                        "the shape of w_gate")))
    return failure();
  e = merge(e, dim(getWUp(), 0));
  f = merge(f, dim(getWUp(), 2));
  if (failed(matchShape(op, "w_down", getWDown(), {e, f, d},
                        "[experts, ffn, hidden] of w_gate and x")))
    return failure();
  // Shared experts.
  Value sg = getSGate(), su = getSUp(), sd = getSDown(), sgw = getSGateW();
  if ((sg == nullptr) != (sd == nullptr))
    return emitOpError("expects shared_gate and shared_down together");
  if (!sg && (su || sgw))
    return emitOpError("expects shared_gate with ")
           << (su ? "shared_up" : "shared_gate_w");
  if (sg) {
    int64_t s = dim(sg, 0), fs = dim(sg, 2);
    if (failed(matchAllDims(op, "the hidden sizes",
                            {{"x", x, 1},
                             {"w_gate", getWGate(), 1},
                             {"shared_gate", sg, 1}})))
      return failure();
    int64_t ds = merge(d, dim(sg, 1));
    if (failed(matchShape(op, "shared_up", su, {s, ds, fs},
                          "the shape of shared_gate")))
      return failure();
    s = merge(s, dim(su, 0));
    fs = merge(fs, dim(su, 2));
    if (failed(matchShape(op, "shared_down", sd, {s, fs, ds},
                          "[shared, ffn, hidden] of shared_gate and x")))
      return failure();
    s = merge(s, dim(sd, 0));
    if (failed(matchShape(op, "shared_gate_w", sgw, {s, ds},
                          "[shared, hidden]")))
      return failure();
    d = ds;
  }
  // Zero-computation experts (MoE++).
  int64_t nz = getNumZero(), nc = getNumCopy(), nk = getNumConst();
  if (nz < 0 || nc < 0 || nk < 0)
    return emitOpError("expects num_zero, num_copy and num_const >= 0, got ")
           << nz << ", " << nc << ", " << nk;
  if ((nk > 0) != (getWc() != nullptr) || (nk > 0) != (getV() != nullptr))
    return emitOpError("expects const_wc and const_v exactly when num_const "
                       "> 0 (num_const = ")
           << nk << ")";
  if (nk > 0 &&
      (failed(matchShape(op, "const_wc", getWc(), {nk, d, 2},
                         "[num_const, hidden, 2]")) ||
       failed(matchShape(op, "const_v", getV(), {nk, d},
                         "[num_const, hidden]"))))
    return failure();
  if ((int64_t)getCapacity() < 0)
    return emitOpError("expects capacity >= 0 (0 = dropless), got ")
           << (int64_t)getCapacity();
  return success();
}

LogicalResult LoadBalanceLossOp::inferReturnTypes(
    MLIRContext *ctx, std::optional<Location>, Adaptor,
    SmallVectorImpl<Type> &types) {
  types.push_back(tensorOf({}, f32(ctx)));
  return success();
}

LogicalResult LoadBalanceLossOp::verify() {
  Operation *op = getOperation();
  return matchAllDims(op, "the token counts",
                      {{"probs", getProbs(), 0},
                       {"indices", getIndices(), 0},
                       {"mask", getMask(), 0}});
}

LogicalResult RouterZLossOp::inferReturnTypes(MLIRContext *ctx,
                                              std::optional<Location>, Adaptor,
                                              SmallVectorImpl<Type> &types) {
  types.push_back(tensorOf({}, f32(ctx)));
  return success();
}

LogicalResult RouterZLossOp::verify() {
  return matchDims(*this, "the token counts", "logits", getLogits(), 0, "mask",
                   getMask(), 0);
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

/// Attribute rules shared by pool and segment_pool.
static LogicalResult verifyPoolAttrs(Operation *op, PoolKind kind, float p,
                                     float eps, float r, int64_t groups,
                                     int64_t features, Value groupP) {
  if (failed(requireFinite(op, "p", p)) ||
      failed(requireFinite(op, "eps", eps)) ||
      failed(requireFinite(op, "r", r)))
    return failure();
  if (p == 0)
    return op->emitOpError("expects p != 0");
  if (r == 0)
    return op->emitOpError("expects r != 0");
  if (eps <= 0)
    return op->emitOpError("expects eps > 0, got ") << eps;
  if (groups < 1)
    return op->emitOpError("expects groups >= 1, got ") << groups;
  if (features != kDyn && features % groups != 0)
    return op->emitOpError("expects groups (")
           << groups << ") to divide the features (" << features << ")";
  if (groupP) {
    if (kind != PoolKind::gem)
      return op->emitOpError("group_p is only allowed with kind gem, got kind ")
             << stringifyPoolKind(kind);
    if (failed(matchShape(op, "group_p", groupP, {groups}, "[groups]")))
      return failure();
  }
  return success();
}

LogicalResult PoolOp::inferReturnTypes(MLIRContext *ctx,
                                       std::optional<Location>,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &types) {
  types.push_back(
      tensorOf({dim(adaptor.getX(), 0), dim(adaptor.getX(), 2)}, f32(ctx)));
  return success();
}

LogicalResult PoolOp::verify() {
  Operation *op = getOperation();
  if (getMask() && getLengths())
    return emitOpError("expects at most one of mask and lengths");
  if (failed(matchDims(op, "the batch sizes", "x", getX(), 0, "mask",
                       getMask(), 0)) ||
      failed(matchDims(op, "the set sizes", "x", getX(), 1, "mask", getMask(),
                       1)) ||
      failed(matchDims(op, "the batch sizes", "x", getX(), 0, "lengths",
                       getLengths(), 0)))
    return failure();
  return verifyPoolAttrs(op, getKind(), getP().convertToFloat(),
                         getEps().convertToFloat(), getR().convertToFloat(),
                         getGroups(), dim(getX(), 2), getGroupP());
}

LogicalResult SegmentPoolOp::inferReturnTypes(MLIRContext *ctx,
                                              std::optional<Location>,
                                              Adaptor adaptor,
                                              SmallVectorImpl<Type> &types) {
  int64_t b = dim(adaptor.getOffsets(), 0);
  types.push_back(tensorOf({b == kDyn || b < 1 ? kDyn : b - 1,
                          dim(adaptor.getX(), 1)},
                         f32(ctx)));
  return success();
}

LogicalResult SegmentPoolOp::verify() {
  if (dim(getOffsets(), 0) == 0)
    return emitOpError("expects offsets of shape [B+1] with at least one "
                       "entry, got ")
           << getOffsets().getType();
  return verifyPoolAttrs(*this, getKind(), getP().convertToFloat(),
                         getEps().convertToFloat(), getR().convertToFloat(),
                         getGroups(), dim(getX(), 1), getGroupP());
}

/// Spatial sizes must be at least 1 where static.
static LogicalResult verifySpatialInput(Operation *op, Value x) {
  for (unsigned i = 2; i < 4; ++i)
    if (dim(x, i) != kDyn && dim(x, i) < 1)
      return op->emitOpError("expects ")
             << (i == 2 ? "H" : "W") << " >= 1, got " << dim(x, i)
             << " (x: " << x.getType() << ")";
  return success();
}

LogicalResult AdaptivePoolOp::inferReturnTypes(MLIRContext *ctx,
                                               std::optional<Location>,
                                               Adaptor adaptor,
                                               SmallVectorImpl<Type> &types) {
  Value x = adaptor.getX();
  int64_t oh = kDyn, ow = kDyn;
  if (auto os = adaptor.getOutputSizeAttr(); os && os.size() == 2) {
    oh = os[0] >= 1 ? os[0] : kDyn;
    ow = os[1] >= 1 ? os[1] : kDyn;
  }
  types.push_back(tensorOf({dim(x, 0), dim(x, 1), oh, ow}, f32(ctx)));
  return success();
}

LogicalResult AdaptivePoolOp::verify() {
  ArrayRef<int64_t> os = getOutputSize();
  if (os.size() != 2)
    return emitOpError("expects output_size to have 2 entries [OH, OW], got ")
           << os.size();
  if (os[0] < 1 || os[1] < 1)
    return emitOpError("expects output_size entries >= 1, got [")
           << os[0] << ", " << os[1] << "]";
  return verifySpatialInput(*this, getX());
}

LogicalResult SpatialPyramidPoolOp::inferReturnTypes(
    MLIRContext *ctx, std::optional<Location>, Adaptor adaptor,
    SmallVectorImpl<Type> &types) {
  Value x = adaptor.getX();
  int64_t c = dim(x, 1), bins = 0;
  if (auto levels = adaptor.getLevelsAttr()) {
    for (int64_t l : levels.asArrayRef())
      bins = (l >= 1 && bins != kDyn) ? bins + l * l : kDyn;
  } else {
    bins = kDyn;
  }
  int64_t out = (c == kDyn || bins == kDyn) ? kDyn : c * bins;
  types.push_back(tensorOf({dim(x, 0), out}, f32(ctx)));
  return success();
}

LogicalResult SpatialPyramidPoolOp::verify() {
  ArrayRef<int64_t> levels = getLevels();
  if (levels.empty())
    return emitOpError("expects at least one pyramid level");
  for (int64_t l : levels)
    if (l < 1)
      return emitOpError("expects every level >= 1, got ") << l;
  return verifySpatialInput(*this, getX());
}

LogicalResult AttentionPoolOp::inferReturnTypes(MLIRContext *ctx,
                                                std::optional<Location>,
                                                Adaptor adaptor,
                                                SmallVectorImpl<Type> &types) {
  Value x = adaptor.getX();
  int64_t q = adaptor.getKind() == AttentionPoolKind::featurewise
                  ? 1
                  : dim(adaptor.getQuery(), 0);
  types.push_back(tensorOf({dim(x, 0), q, dim(x, 2)}, f32(ctx)));
  return success();
}

LogicalResult AttentionPoolOp::verify() {
  Operation *op = getOperation();
  Value x = getX(), q = getQuery();
  if (failed(matchDims(op, "the batch sizes", "x", x, 0, "mask", getMask(),
                       0)) ||
      failed(matchDims(op, "the set sizes", "x", x, 1, "mask", getMask(), 1)))
    return failure();
  int64_t d = dim(x, 2);
  if (getKind() == AttentionPoolKind::featurewise) {
    if (getHeadsAttr())
      return emitOpError("kind featurewise takes no heads");
    int64_t dw = merge(d, merge(dim(q, 0), dim(q, 1)));
    return matchShape(op, "w", q, {dw, dw}, "[D, D] with D the features of x");
  }
  if (failed(matchDims(op, "the feature sizes", "x", x, 2, "q", q, 1)))
    return failure();
  if (auto h = getHeadsAttr()) {
    if (h.getInt() < 1)
      return emitOpError("expects heads >= 1, got ") << h.getInt();
    if (d != kDyn && d % h.getInt() != 0)
      return emitOpError("expects heads (")
             << h.getInt() << ") to divide the features (" << d << ")";
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Low rank
//===----------------------------------------------------------------------===//

LogicalResult LoraMatmulOp::inferReturnTypes(MLIRContext *ctx,
                                             std::optional<Location>,
                                             Adaptor adaptor,
                                             SmallVectorImpl<Type> &types) {
  types.push_back(
      tensorOf({dim(adaptor.getX(), 0), dim(adaptor.getW(), 1)}, f32(ctx)));
  return success();
}

LogicalResult LoraMatmulOp::verify() {
  Operation *op = getOperation();
  Value x = getX(), w = getW(), a = getA(), b = getB();
  if (failed(matchAllDims(op, "the contraction sizes",
                          {{"x", x, 1}, {"w", w, 0}, {"a", a, 0}})) ||
      failed(matchDims(op, "the ranks", "a", a, 1, "b", b, 0)) ||
      failed(matchDims(op, "the output sizes", "w", w, 1, "b", b, 1)))
    return failure();
  int64_t r = merge(dim(a, 1), dim(b, 0)), n = merge(dim(w, 1), dim(b, 1));
  if (failed(matchShape(op, "bias", getBias(), {n}, "[N] of w")))
    return failure();
  if (Value g = getRankGates()) {
    auto gt = cast<RankedTensorType>(g.getType());
    if (gt.getRank() == 1 &&
        failed(matchShape(op, "rank_gates", g, {r}, "[r] of a")))
      return failure();
    if (gt.getRank() == 2 &&
        failed(matchShape(op, "rank_gates", g, {dim(x, 0), r},
                          "[T, r] of x and a")))
      return failure();
  }
  if (auto ar = getActiveRankAttr()) {
    int64_t v = ar.getInt();
    if (v < 0 || (r != kDyn && v > r))
      return emitOpError("expects 0 <= active_rank <= rank (")
             << dimStr(r) << "), got " << v;
  }
  return requireFinite(op, "scale", getScale().convertToFloat());
}

LogicalResult MultiLoraMatmulOp::inferReturnTypes(
    MLIRContext *ctx, std::optional<Location>, Adaptor adaptor,
    SmallVectorImpl<Type> &types) {
  types.push_back(
      tensorOf({dim(adaptor.getX(), 0), dim(adaptor.getW(), 1)}, f32(ctx)));
  return success();
}

LogicalResult MultiLoraMatmulOp::verify() {
  Operation *op = getOperation();
  Value x = getX(), w = getW(), a = getA(), b = getB(), ids = getIds();
  int64_t l = dim(a, 0), r = dim(a, 2), n = dim(w, 1);
  if (failed(matchDims(op, "the contraction sizes", "x", x, 1, "w", w, 0)) ||
      failed(matchShape(op, "b", b, {l, r, n},
                        "[adapters, rank] of a and [N] of w")) ||
      failed(matchAllDims(op, "the contraction sizes",
                          {{"x", x, 1}, {"w", w, 0}, {"a", a, 1}})) ||
      failed(matchDims(op, "the token counts", "x", x, 0, "ids", ids, 0)) ||
      failed(matchShape(op, "gates", getGates(),
                        {merge(dim(ids, 0), dim(x, 0)), dim(ids, 1)},
                        "the shape of ids")))
    return failure();
  l = merge(l, dim(b, 0));
  n = merge(n, dim(b, 2));
  if (failed(matchShape(op, "scales", getScales(), {l}, "[adapters] of a")) ||
      failed(matchShape(op, "bias", getBias(), {n}, "[N] of w")))
    return failure();
  if (getScales() && getScaleAttr())
    return emitOpError("expects at most one of scales(...) and the attribute "
                       "scale");
  if (auto s = getScaleAttr())
    return requireFinite(op, "scale", s.getValue().convertToFloat());
  return success();
}

LogicalResult LowrankMatmulOp::inferReturnTypes(MLIRContext *ctx,
                                                std::optional<Location>,
                                                Adaptor adaptor,
                                                SmallVectorImpl<Type> &types) {
  types.push_back(
      tensorOf({dim(adaptor.getX(), 0), dim(adaptor.getV(), 1)}, f32(ctx)));
  return success();
}

LogicalResult LowrankMatmulOp::verify() {
  Operation *op = getOperation();
  if (failed(matchDims(op, "the contraction sizes", "x", getX(), 1, "u",
                       getU(), 0)) ||
      failed(matchDims(op, "the ranks", "u", getU(), 1, "v", getV(), 0)))
    return failure();
  return matchShape(op, "bias", getBias(), {dim(getV(), 1)}, "[N] of v");
}

//===----------------------------------------------------------------------===//
// Sparse activation
//===----------------------------------------------------------------------===//

/// Attribute rules shared by sparsify and sparse_matmul. `n` is the number
/// of inputs per row.
static LogicalResult verifySparsifyAttrs(Operation *op, SparsifyMode mode,
                                         FloatAttr tau, IntegerAttr k,
                                         int64_t n) {
  StringRef m = stringifySparsifyMode(mode);
  if (mode == SparsifyMode::threshold) {
    if (!tau)
      return op->emitOpError("mode threshold expects the attribute tau");
    if (k)
      return op->emitOpError("mode threshold takes no k (did you mean mode "
                             "topk?)");
    return requireFinite(op, "tau", tau.getValue().convertToFloat());
  }
  if (!k)
    return op->emitOpError("mode ") << m << " expects the attribute k";
  if (tau)
    return op->emitOpError("mode ") << m << " takes no tau";
  if (k.getInt() < 0 || (n != kDyn && k.getInt() > n))
    return op->emitOpError("expects 0 <= k <= inputs per row (")
           << dimStr(n) << "), got " << k.getInt();
  return success();
}

LogicalResult SparsifyOp::inferReturnTypes(MLIRContext *ctx,
                                           std::optional<Location>,
                                           Adaptor adaptor,
                                           SmallVectorImpl<Type> &types) {
  types.push_back(adaptor.getX().getType());
  return success();
}

LogicalResult SparsifyOp::verify() {
  Operation *op = getOperation();
  int64_t n = dim(getX(), 1);
  if (getMode() == SparsifyMode::wina && !getWnorm())
    return emitOpError("mode wina expects the operand wnorm");
  if (getMode() != SparsifyMode::wina && getWnorm())
    return emitOpError("wnorm is only used by mode wina, got mode ")
           << stringifySparsifyMode(getMode());
  if (failed(matchShape(op, "wnorm", getWnorm(), {n}, "[N] of x")))
    return failure();
  return verifySparsifyAttrs(op, getMode(), getTauAttr(), getKAttr(), n);
}

LogicalResult SparseMatmulOp::inferReturnTypes(MLIRContext *ctx,
                                               std::optional<Location>,
                                               Adaptor adaptor,
                                               SmallVectorImpl<Type> &types) {
  types.push_back(
      tensorOf({dim(adaptor.getX(), 0), dim(adaptor.getW(), 1)}, f32(ctx)));
  return success();
}

LogicalResult SparseMatmulOp::verify() {
  Operation *op = getOperation();
  if (failed(matchDims(op, "the contraction sizes", "x", getX(), 1, "w",
                       getW(), 0)))
    return failure();
  int64_t n = merge(dim(getX(), 1), dim(getW(), 0));
  if (getMode() != SparsifyMode::wina && getWnorm())
    return emitOpError("wnorm is only used by mode wina, got mode ")
           << stringifySparsifyMode(getMode());
  if (failed(matchShape(op, "wnorm", getWnorm(), {n}, "[N] of x")))
    return failure();
  return verifySparsifyAttrs(op, getMode(), getTauAttr(), getKAttr(), n);
}

LogicalResult TopkOp::inferReturnTypes(MLIRContext *ctx,
                                       std::optional<Location>,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &types) {
  auto xt = cast<RankedTensorType>(adaptor.getX().getType());
  SmallVector<int64_t> shape(xt.getShape());
  int64_t k = adaptor.getKAttr() ? adaptor.getKAttr().getInt() : kDyn;
  if (!shape.empty())
    shape.back() = k < 0 ? kDyn : k;
  types.push_back(tensorOf(shape, f32(ctx)));
  types.push_back(tensorOf(shape, i32(ctx)));
  return success();
}

LogicalResult TopkOp::verify() {
  auto xt = cast<RankedTensorType>(getX().getType());
  if (xt.getRank() < 1)
    return emitOpError("expects x of rank >= 1, got ") << xt;
  int64_t n = xt.getShape().back(), k = getKAttr().getInt();
  if (k < 0 || (n != kDyn && k > n))
    return emitOpError("expects 0 <= k <= size of the last dim (")
           << dimStr(n) << "), got " << k;
  return success();
}

//===----------------------------------------------------------------------===//
// Kernel ops (SluiceKernelOps.td)
//===----------------------------------------------------------------------===//

/// shared(%bs) shared_up(%bs2): [S, K, m * N] stacks after b's groups.
LogicalResult GemmOp::verifySharedStack() {
  Operation *op = getOperation();
  Value bs = getBShared(), bs2 = getB2Shared();
  if (!bs) {
    if (bs2)
      return emitOpError("expects shared_up(...) only with shared(...)");
    return success();
  }
  auto rank = [](Value v) {
    return cast<RankedTensorType>(v.getType()).getRank();
  };
  if (rank(getB()) != 3 || !getGroupRows())
    return emitOpError("expects shared(...) only with a per-group b [E, K, N] "
                       "and groups(...)");
  if (getB3())
    return emitOpError("expects no lowrank(...) with shared(...)");
  if (!getB2() != !bs2)
    return emitOpError("expects shared_up(...) exactly when up(...) is given");
  if (failed(matchDims(op, "the contraction sizes", "b", getB(), 1, "shared",
                       bs, 1)))
    return failure();
  int64_t n = dim(getB(), 2), sn = dim(bs, 2);
  if (n == kDyn || sn == kDyn || n < 1 || sn % n != 0)
    return emitOpError("expects the columns of shared (")
           << dimStr(sn) << ") to be a static multiple of b's ("
           << dimStr(n) << ")";
  if (bs2 && bs2.getType() != bs.getType())
    return emitOpError("expects shared_up of the type of shared ")
           << bs.getType() << ", got " << bs2.getType();
  return success();
}

LogicalResult GemmOp::verify() {
  Operation *op = getOperation();
  auto rank = [](Value v) {
    return cast<RankedTensorType>(v.getType()).getRank();
  };
  int64_t kdim = rank(getB()) - 2, ndim = rank(getB()) - 1;
  if (getADiv() < 1 || getCDiv() < 1)
    return emitOpError("expects a_div and c_div >= 1, got ")
           << getADiv() << " and " << getCDiv();
  if (rank(getB()) == 3 && !getGroupRows())
    return emitOpError("expects groups(...) with a per-group b [G, K, N]");
  if (failed(matchDims(op, "the contraction sizes", "a", getA(), 1, "b",
                       getB(), kdim)))
    return failure();
  if (failed(verifySharedStack()))
    return failure();
  if (getGroupRows() && rank(getB()) == 3) {
    int64_t g = dim(getB(), 0);
    if (Value bs = getBShared()) {
      int64_t s = dim(bs, 0), n = dim(getB(), 2), sn = dim(bs, 2);
      g = g == kDyn || s == kDyn || n == kDyn || sn == kDyn
              ? kDyn
              : g + s * (sn / n);
    }
    if (failed(matchShape(op, "groups", getGroupRows(),
                          {g == kDyn ? kDyn : g + 1},
                          "one more than the groups of b")))
      return failure();
  }
  for (auto [name, v] : {std::pair<StringRef, Value>{"up", getB2()},
                         {"lowrank_b", getB3()}}) {
    if (!v)
      continue;
    if (name == "up" && rank(v) != rank(getB()))
      return emitOpError("expects up of the rank of b, got ") << v.getType();
    if (failed(matchDims(op, "the output sizes", "b", getB(), ndim, name, v,
                         rank(v) - 1)))
      return failure();
    if (rank(v) == 3 && rank(getB()) == 3 &&
        failed(matchDims(op, "the group counts", "b", getB(), 0, name, v, 0)))
      return failure();
  }
  if (getB2() && failed(matchDims(op, "the contraction sizes", "a", getA(), 1,
                                  "up", getB2(), rank(getB2()) - 2)))
    return failure();
  if (getB3() && failed(matchDims(op, "the low-rank sizes", "lowrank_a",
                                  getA2(), 1, "lowrank_b", getB3(),
                                  rank(getB3()) - 2)))
    return failure();
  if (getB3() && rank(getB3()) == 3 && !getGroupRows())
    return emitOpError("expects groups(...) with a per-group lowrank_b");
  // The product rows: gather indices, else the rows of a.
  Value rowsOf = getARows() ? getARows() : getA();
  if (getA2() && failed(matchDims(op, "the product rows", "lowrank_a",
                                  getA2(), 0, getARows() ? "gather" : "a",
                                  rowsOf, 0)))
    return failure();
  if (getCRows() && failed(matchDims(op, "the product rows", "scatter",
                                     getCRows(), 0,
                                     getARows() ? "gather" : "a", rowsOf, 0)))
    return failure();
  if (getBias() && failed(matchDims(op, "the output sizes", "bias", getBias(),
                                    0, "b", getB(), ndim)))
    return failure();
  if (failed(matchDims(op, "the output sizes", "result", getResult(), 1, "b",
                       getB(), ndim)))
    return failure();
  if (getInit()) {
    if (getInit().getType() != getResult().getType())
      return emitOpError("expects init of the result type ")
             << getResult().getType() << ", got " << getInit().getType();
    if (getNumRows())
      return emitOpError("expects rows(...) only without init(...)");
  }
  if (getCScale() && !getCRows())
    return emitOpError("expects scale(...) only with scatter(...)");
  if (!getCRows()) {
    if (getNumRows())
      return emitOpError("expects rows(...) only with scatter(...)");
    if (getCDiv() != 1)
      return emitOpError("expects c_div = 1 without scatter(...)");
    if (failed(matchDims(op, "the product rows", "result", getResult(), 0,
                         getARows() ? "gather" : "a", rowsOf, 0)))
      return failure();
  } else if (!getInit() && !getNumRows() &&
             dim(getResult(), 0) == ShapedType::kDynamic) {
    return emitOpError("expects rows(...) or init(...) for a scattered "
                       "result with a dynamic row count");
  }
  if (!getARows() && getADiv() != 1)
    return emitOpError("expects a_div = 1 without gather(...)");
  return success();
}
