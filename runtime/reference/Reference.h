//===- Reference.h - reference evaluator of the Sluice ops ------*- C++ -*-===//
//
// A plain, independent C++17 implementation of the semantics of every Sluice
// v1 op, as the op specification (spec/ops.md) states them, used as the test
// oracle and behind `sluicec run --check`. Simple loops over a tiny dense
// tensor type; no MLIR, no code shared with any code generator, no exceptions
// and no RTTI.
//
// Conventions:
//   - One function per op. Inputs are `const Tensor &` (optional operands are
//     `const Tensor *`, null when absent), outputs are `Tensor &`, attributes
//     come in an option struct that mirrors the op's attributes and defaults.
//   - Every function returns a Status. On error the message names the op
//     ("sluice.<op>: ...") and the offending value; outputs are then
//     unspecified. Inputs are fully validated (shapes, attributes, run-time
//     values) before anything is indexed: no out-of-bounds access, no abort.
//   - Floating-point work is accumulated in double and rounded to f32 once;
//     selection keys (which decide ties) are formed in f32 as the spec's
//     element type says.
//   - The enums use the spellings and numeric values of the dialect's enums
//     (dialect/SluiceEnums.td), so a static_cast maps one onto the other.
//
// Where the spec is silent, the evaluator chooses:
//   - max / min reductions (pool, segment_pool, adaptive and pyramid max)
//     propagate a NaN at a valid position, as torch.amax does; the NaN-last
//     rule applies to selections (top-k style) only.
//   - softmax follows its formula: a row holding NaN, or only -inf, gives NaN.
//   - route / moe by_weight order NaN weights last (the common rule).
//   - dispatch checks its slots like combine (-1 or in [0, T*k)).
//   - multi_lora_matmul rejects ids below -1 as well as ids >= L.
//   - moe zero experts add nothing (not weight * 0); renormalize_kept sums
//     over every choice of the token, zero / copy / const experts included.
//   - lora_matmul with scale 0 or active_rank 0 is x w (+ bias) without
//     reading a or b, as the dialect's fold.
//   - router_z_loss counts an E = 0 row as 0; expert_choice_gate needs E >= 1.
//
//===----------------------------------------------------------------------===//

#ifndef SLUICE_RUNTIME_REFERENCE_REFERENCE_H
#define SLUICE_RUNTIME_REFERENCE_REFERENCE_H

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sluice {
namespace ref {

//===----------------------------------------------------------------------===//
// Status
//===----------------------------------------------------------------------===//

/// Success, or an error with a message naming the op and the offending value.
struct Status {
  bool ok = true;
  std::string message;

  static Status success() { return Status(); }
  static Status error(std::string msg) {
    Status s;
    s.ok = false;
    s.message = std::move(msg);
    return s;
  }
};

//===----------------------------------------------------------------------===//
// Tensor
//===----------------------------------------------------------------------===//

/// Element types. i1 holds masks (any nonzero value is "valid"); masks may
/// also be given as i32. Integer elements are stored in `Tensor::i`.
enum class DType { f32, i32, i1 };

/// A dense row-major tensor. f32 tensors keep their elements in `f`, i32 and
/// i1 tensors in `i`; the other vector is empty. A rank-0 tensor has one
/// element.
struct Tensor {
  std::vector<int64_t> shape;
  DType dtype = DType::f32;
  std::vector<float> f;
  std::vector<int32_t> i;

  int64_t rank() const { return (int64_t)shape.size(); }
  int64_t dim(int64_t d) const { return shape[d]; }
  /// Product of the dims (1 for rank 0; 0 if a dim is negative).
  int64_t numel() const;
  bool isInteger() const { return dtype != DType::f32; }

  /// An f32 tensor with the given elements (row-major).
  static Tensor f32(std::vector<int64_t> shape, std::vector<float> data);
  /// An i32 tensor with the given elements (row-major).
  static Tensor i32(std::vector<int64_t> shape, std::vector<int32_t> data);
  /// An i1 mask with the given elements (nonzero = valid).
  static Tensor i1(std::vector<int64_t> shape, std::vector<int32_t> data);
  /// A zero-filled tensor.
  static Tensor zeros(std::vector<int64_t> shape, DType dtype = DType::f32);
};

/// "[2, 3] f32".
std::string describe(const Tensor &t);

//===----------------------------------------------------------------------===//
// Attribute enums (spellings and values of dialect/SluiceEnums.td)
//===----------------------------------------------------------------------===//

enum class ScoreFunc { softmax = 0, sigmoid = 1, softmax_topk = 2, none = 3 };
enum class GroupScore { max = 0, top2_sum = 1 };
enum class Activation {
  silu = 0,
  gelu = 1,
  gelu_tanh = 2,
  relu = 3,
  sigmoid = 4
};
enum class DropPolicy { by_order = 0, by_choice = 1, by_weight = 2 };
enum class PoolKind {
  sum = 0,
  mean = 1,
  max = 2,
  min = 3,
  gem = 4,
  lse = 5,
  first = 6,
  last = 7
};
enum class SpatialPoolKind { avg = 0, max = 1 };
enum class AttentionPoolKind { dot = 0, featurewise = 1 };
enum class SparsifyMode { threshold = 0, topk = 1, wina = 2 };

/// Applies an activation in double (gelu: erf form; gelu_tanh: tanh form).
double activate(Activation act, double x);

//===----------------------------------------------------------------------===//
// Gating
//===----------------------------------------------------------------------===//

struct TopkGateOptions {
  int64_t k = 0; ///< Required.
  ScoreFunc score = ScoreFunc::softmax;
  bool renormalize = false;
  float scale = 1.0f;
  float temperature = 1.0f;
  int64_t groups = 1;
  int64_t topkGroups = 1;
  GroupScore groupScore = GroupScore::max;
};

/// logits[T,E], bias[E]? -> weights[T,k] f32, indices[T,k] i32.
Status topkGate(const Tensor &logits, const Tensor *bias,
                const TopkGateOptions &opts, Tensor &weights, Tensor &indices);

struct ExpertChoiceGateOptions {
  std::optional<int64_t> capacity;     ///< Exactly one of these two.
  std::optional<float> capacityFactor; ///<
};

/// The capacity C of expert-choice routing: `capacity`, or
/// ceil(T * cf / E) in f64, clamped to T. -1 when the options are invalid.
int64_t expertChoiceCapacity(int64_t numTokens, int64_t numExperts,
                             const ExpertChoiceGateOptions &opts);

/// logits[T,E] -> weights[E,C] f32, tokens[E,C] i32.
Status expertChoiceGate(const Tensor &logits,
                        const ExpertChoiceGateOptions &opts, Tensor &weights,
                        Tensor &tokens);

/// gate[...,F], up[...,F] -> act(gate) * up.
Status glu(const Tensor &gate, const Tensor &up, Activation act, Tensor &out);

/// x[T,H*Dh], g[T,H] or [T,H*Dh] -> x * sigmoid(g).
Status sigmoidGate(const Tensor &x, const Tensor &g, Tensor &out);

//===----------------------------------------------------------------------===//
// Routing
//===----------------------------------------------------------------------===//

struct RouteOptions {
  int64_t numExperts = 0; ///< Required.
  int64_t block = 1;
  int64_t capacity = 0; ///< 0 = dropless.
  DropPolicy drop = DropPolicy::by_order;
};

/// indices[T,k], weights[T,k] -> counts[E], offsets[E+1], slots[P],
/// keep[T,k] (all i32).
Status route(const Tensor &indices, const Tensor &weights,
             const RouteOptions &opts, Tensor &counts, Tensor &offsets,
             Tensor &slots, Tensor &keep);

/// x[T,d], slots[P] -> xs[P,d]; xs[p] = x[slots[p] / k], 0 for slot -1.
Status dispatch(const Tensor &x, const Tensor &slots, int64_t k, Tensor &xs);

/// xs[P,K], w[E,K,N], offsets[E+1] -> ys[P,N].
Status groupedMatmul(const Tensor &xs, const Tensor &w, const Tensor &offsets,
                     Tensor &ys);

/// Token-choice combine: ys[P,d], slots[P], weights[T,k], keep[T,k] ->
/// y[T,d]. `k`, when given, must equal weights.shape[1].
Status combine(const Tensor &ys, const Tensor &slots, const Tensor &weights,
               const Tensor &keep, std::optional<int64_t> k, Tensor &y);

/// Per-slot combine (expert choice): ys[P,d], slots[P], slotWeights[P],
/// numTokens T, attr k -> y[T,d].
Status combinePerSlot(const Tensor &ys, const Tensor &slots,
                      const Tensor &slotWeights, int64_t numTokens, int64_t k,
                      Tensor &y);

/// The operands of moe, in the op's order; optional ones are null when
/// absent.
struct MoeOperands {
  const Tensor *x = nullptr;       ///< [T,d]
  const Tensor *weights = nullptr; ///< [T,k]
  const Tensor *indices = nullptr; ///< [T,k] i32
  const Tensor *wGate = nullptr;   ///< [E,d,F]
  const Tensor *wUp = nullptr;     ///< [E,d,F]?
  const Tensor *wDown = nullptr;   ///< [E,F,d]
  const Tensor *sGate = nullptr;   ///< [S,d,Fs]?
  const Tensor *sUp = nullptr;     ///< [S,d,Fs]?
  const Tensor *sDown = nullptr;   ///< [S,Fs,d]?
  const Tensor *sGateW = nullptr;  ///< [S,d]?
  const Tensor *wc = nullptr;      ///< [Z,d,2]? (Z = numConst)
  const Tensor *v = nullptr;       ///< [Z,d]?
};

struct MoeOptions {
  Activation act = Activation::silu;
  int64_t numZero = 0;
  int64_t numCopy = 0;
  int64_t numConst = 0;
  int64_t capacity = 0; ///< 0 = dropless; FFN experts only.
  DropPolicy drop = DropPolicy::by_order;
  bool renormalizeKept = false;
};

/// -> y[T,d].
Status moe(const MoeOperands &in, const MoeOptions &opts, Tensor &y);

/// probs[T,E], indices[T,k], mask[T]? -> f32 scalar (rank 0).
Status loadBalanceLoss(const Tensor &probs, const Tensor &indices,
                       const Tensor *mask, Tensor &loss);

/// logits[T,E], mask[T]? -> f32 scalar (rank 0).
Status routerZLoss(const Tensor &logits, const Tensor *mask, Tensor &loss);

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

struct PoolOptions {
  PoolKind kind = PoolKind::sum; ///< Required by the op.
  float p = 3.0f;
  float eps = 1e-6f;
  int64_t groups = 1;
  float r = 1.0f;
};

/// x[B,N,D], mask[B,N]? | lengths[B]?, groupP[G]? -> [B,D].
Status pool(const Tensor &x, const Tensor *mask, const Tensor *lengths,
            const Tensor *groupP, const PoolOptions &opts, Tensor &out);

/// x[Ntot,D], offsets[B+1], groupP[G]? -> [B,D].
Status segmentPool(const Tensor &x, const Tensor &offsets, const Tensor *groupP,
                   const PoolOptions &opts, Tensor &out);

struct AdaptivePoolOptions {
  SpatialPoolKind kind = SpatialPoolKind::avg;
  std::vector<int64_t> outputSize; ///< [OH, OW], required.
};

/// x[B,C,H,W] -> [B,C,OH,OW].
Status adaptivePool(const Tensor &x, const AdaptivePoolOptions &opts,
                    Tensor &out);

struct SpatialPyramidPoolOptions {
  std::vector<int64_t> levels; ///< Required, e.g. {4, 2, 1}.
  SpatialPoolKind kind = SpatialPoolKind::max;
};

/// x[B,C,H,W] -> [B, C*sum(l*l)].
Status spatialPyramidPool(const Tensor &x,
                          const SpatialPyramidPoolOptions &opts, Tensor &out);

struct AttentionPoolOptions {
  AttentionPoolKind kind = AttentionPoolKind::dot;
  std::optional<int64_t> heads; ///< dot only; default 1.
};

/// dot: x[B,N,D], q[Q,D], mask[B,N]? -> [B,Q,D];
/// featurewise: x[B,N,D], w[D,D] (passed as `q`), mask[B,N]? -> [B,1,D].
Status attentionPool(const Tensor &x, const Tensor &q, const Tensor *mask,
                     const AttentionPoolOptions &opts, Tensor &out);

//===----------------------------------------------------------------------===//
// Low rank
//===----------------------------------------------------------------------===//

struct LoraMatmulOptions {
  float scale = 1.0f;
  std::optional<int64_t> activeRank; ///< Default r.
};

/// x[T,K], w[K,N], a[K,r], b[r,N], bias[N]?, rankGates[T,r] | [r]? ->
/// [T,N].
Status loraMatmul(const Tensor &x, const Tensor &w, const Tensor &a,
                  const Tensor &b, const Tensor *bias, const Tensor *rankGates,
                  const LoraMatmulOptions &opts, Tensor &out);

struct MultiLoraMatmulOptions {
  std::optional<float> scale; ///< Default 1; exclusive with `scales`.
};

/// x[T,K], w[K,N], a[L,K,r], b[L,r,N], ids[T,m], gates[T,m]?, scales[L]?,
/// bias[N]? -> [T,N].
Status multiLoraMatmul(const Tensor &x, const Tensor &w, const Tensor &a,
                       const Tensor &b, const Tensor &ids, const Tensor *gates,
                       const Tensor *scales, const Tensor *bias,
                       const MultiLoraMatmulOptions &opts, Tensor &out);

/// x[T,K], u[K,r], v[r,N], bias[N]? -> [T,N].
Status lowrankMatmul(const Tensor &x, const Tensor &u, const Tensor &v,
                     const Tensor *bias, Tensor &out);

//===----------------------------------------------------------------------===//
// Sparse activation
//===----------------------------------------------------------------------===//

struct SparsifyOptions {
  SparsifyMode mode = SparsifyMode::threshold; ///< Required by the op.
  std::optional<float> tau;                    ///< threshold only.
  std::optional<int64_t> k;                    ///< topk and wina only.
};

/// x[T,N], wnorm[N]? -> [T,N] with unselected entries 0.
Status sparsify(const Tensor &x, const Tensor *wnorm,
                const SparsifyOptions &opts, Tensor &out);

/// x[T,N], w[N,M], wnorm[N]? -> [T,M]; rows of w whose inputs are not
/// selected (or are 0) are never read.
Status sparseMatmul(const Tensor &x, const Tensor &w, const Tensor *wnorm,
                    const SparsifyOptions &opts, Tensor &out);

struct TopkOptions {
  int64_t k = 0; ///< Required; 0 <= k <= N.
  bool largest = true;
};

/// x[...,N] -> values[...,k] f32, indices[...,k] i32.
Status topk(const Tensor &x, const TopkOptions &opts, Tensor &values,
            Tensor &indices);

} // namespace ref
} // namespace sluice

#endif // SLUICE_RUNTIME_REFERENCE_REFERENCE_H
