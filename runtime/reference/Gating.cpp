//===- Gating.cpp - reference topk_gate, expert_choice_gate, glu, ... ----===//
//
// Reference semantics of the gating ops: topk_gate (softmax / sigmoid /
// softmax_topk / none scores, selection bias, DeepSeek group-limited
// selection), expert_choice_gate, glu and sigmoid_gate.
//
//===----------------------------------------------------------------------===//

#include "runtime/reference/Internal.h"

#include <algorithm>
#include <cmath>

namespace sluice {
namespace ref {

using namespace detail;

//===----------------------------------------------------------------------===//
// topk_gate
//===----------------------------------------------------------------------===//

/// The verifier's rules of topk_gate for `e` experts.
static Status verifyTopkGate(const TopkGateOptions &o, int64_t e) {
  const char *op = "topk_gate";
  if (o.k < 1)
    return fail(op, "expects k >= 1, got " + str(o.k));
  if (o.k > e)
    return fail(op, "expects k <= number of experts (" + str(e) + "), got " +
                        str(o.k));
  if (o.groups < 1)
    return fail(op, "expects groups >= 1, got " + str(o.groups));
  if (e % o.groups != 0)
    return fail(op, "expects the number of experts (" + str(e) +
                        ") to be divisible by groups (" + str(o.groups) + ")");
  if (o.topkGroups < 1 || o.topkGroups > o.groups)
    return fail(op, "expects 1 <= topk_groups <= groups (" + str(o.groups) +
                        "), got " + str(o.topkGroups));
  int64_t perGroup = e / o.groups;
  if (o.k > o.topkGroups * perGroup)
    return fail(op, "expects k <= topk_groups * experts per group (" +
                        str(o.topkGroups * perGroup) + "), got " + str(o.k));
  if (o.groupScore == GroupScore::top2_sum && perGroup < 2)
    return fail(op, "group_score top2_sum expects at least 2 experts per "
                    "group, got " +
                        str(perGroup));
  if (o.renormalize && o.score == ScoreFunc::none)
    return fail(op, "renormalize is not allowed with score none");
  if (Status s = requireFinite(op, "temperature", o.temperature); !s.ok)
    return s;
  if (o.temperature <= 0)
    return fail(op,
                "expects temperature > 0, got " + str((double)o.temperature));
  return requireFinite(op, "scale", o.scale);
}

Status topkGate(const Tensor &logits, const Tensor *bias,
                const TopkGateOptions &opts, Tensor &weights, Tensor &indices) {
  const char *op = "topk_gate";
  if (Status s = checkTensor(op, "logits", logits, DType::f32, 2); !s.ok)
    return s;
  int64_t t = logits.dim(0), e = logits.dim(1);
  if (bias) {
    if (Status s = checkTensor(op, "bias", *bias, DType::f32, 1); !s.ok)
      return s;
    if (Status s = matchDim(op, "the number of experts", "logits", logits, 1,
                            "bias", *bias, 0);
        !s.ok)
      return s;
  }
  if (Status s = verifyTopkGate(opts, e); !s.ok)
    return s;
  int64_t k = opts.k;
  if (t * k > kMaxI32)
    return fail(op,
                "expects T * k < 2^31, got T = " + str(t) + ", k = " + str(k));

  weights = Tensor::zeros({t, k}, DType::f32);
  indices = Tensor::zeros({t, k}, DType::i32);
  int64_t perGroup = e / opts.groups;
  std::vector<float> z(e), s(e), key(e), groupValue(opts.groups);
  std::vector<double> zd(e), sd(e);
  std::vector<char> keptGroup(opts.groups);

  for (int64_t row = 0; row < t; ++row) {
    const float *l = logits.f.data() + (row * e);
    // Scores.
    for (int64_t i = 0; i < e; ++i) {
      z[i] = l[i] / opts.temperature;
      zd[i] = z[i];
    }
    switch (opts.score) {
    case ScoreFunc::softmax:
      softmax(zd.data(), e, sd.data());
      for (int64_t i = 0; i < e; ++i)
        s[i] = (float)sd[i];
      break;
    case ScoreFunc::sigmoid:
      for (int64_t i = 0; i < e; ++i)
        s[i] = (float)sigmoid(zd[i]);
      break;
    case ScoreFunc::softmax_topk:
    case ScoreFunc::none:
      s = z;
      break;
    }
    for (int64_t i = 0; i < e; ++i)
      key[i] = bias ? s[i] + bias->f[i] : s[i];

    // Group-limited selection: keep the topk_groups best groups.
    std::fill(keptGroup.begin(), keptGroup.end(), 1);
    if (opts.groups > 1) {
      for (int64_t g = 0; g < opts.groups; ++g) {
        const float *gk = &key[g * perGroup];
        if (opts.groupScore == GroupScore::max) {
          groupValue[g] = gk[selectTop(gk, perGroup, 1, true)[0]];
        } else {
          std::vector<int64_t> top2 = selectTop(gk, perGroup, 2, true);
          groupValue[g] = gk[top2[0]] + gk[top2[1]];
        }
      }
      std::fill(keptGroup.begin(), keptGroup.end(), 0);
      for (int64_t g :
           selectTop(groupValue.data(), opts.groups, opts.topkGroups, true))
        keptGroup[g] = 1;
    }

    // Experts: kept groups first (whatever their keys), then the key order.
    std::vector<int64_t> order(e);
    for (int64_t i = 0; i < e; ++i)
      order[i] = i;
    std::partial_sort(order.begin(), order.begin() + k, order.end(),
                      [&](int64_t a, int64_t b) {
                        bool ka = keptGroup[a / perGroup];
                        bool kb = keptGroup[b / perGroup];
                        if (ka != kb)
                          return ka;
                        return precedes(key[a], a, key[b], b, true);
                      });

    // Weights.
    std::vector<double> w(k);
    if (opts.score == ScoreFunc::softmax_topk) {
      std::vector<double> sel(k);
      for (int64_t j = 0; j < k; ++j)
        sel[j] = zd[order[j]];
      softmax(sel.data(), k, w.data());
    } else {
      for (int64_t j = 0; j < k; ++j)
        w[j] = s[order[j]];
    }
    if (opts.renormalize) {
      double sum = 0.0;
      for (int64_t j = 0; j < k; ++j)
        sum += w[j];
      for (int64_t j = 0; j < k; ++j)
        w[j] /= (sum + 1e-20);
    }
    for (int64_t j = 0; j < k; ++j) {
      weights.f[row * k + j] = (float)(w[j] * (double)opts.scale);
      indices.i[row * k + j] = (int32_t)order[j];
    }
  }
  return Status::success();
}

//===----------------------------------------------------------------------===//
// expert_choice_gate
//===----------------------------------------------------------------------===//

int64_t expertChoiceCapacity(int64_t numTokens, int64_t numExperts,
                             const ExpertChoiceGateOptions &opts) {
  if (opts.capacity.has_value() == opts.capacityFactor.has_value())
    return -1;
  if (opts.capacity) {
    if (*opts.capacity < 1)
      return -1;
    return std::min(*opts.capacity, numTokens);
  }
  float cf = *opts.capacityFactor;
  if (!std::isfinite(cf) || cf <= 0 || numExperts < 1)
    return -1;
  double c = std::ceil((double)numTokens * (double)cf / (double)numExperts);
  if (c >= (double)numTokens)
    return numTokens;
  return (int64_t)c;
}

Status expertChoiceGate(const Tensor &logits,
                        const ExpertChoiceGateOptions &opts, Tensor &weights,
                        Tensor &tokens) {
  const char *op = "expert_choice_gate";
  if (Status s = checkTensor(op, "logits", logits, DType::f32, 2); !s.ok)
    return s;
  int64_t t = logits.dim(0), e = logits.dim(1);
  if (opts.capacity.has_value() == opts.capacityFactor.has_value())
    return fail(op, "expects exactly one of capacity and capacity_factor");
  if (opts.capacity && *opts.capacity < 1)
    return fail(op, "expects capacity >= 1, got " + str(*opts.capacity));
  if (opts.capacityFactor) {
    if (Status s = requireFinite(op, "capacity_factor", *opts.capacityFactor);
        !s.ok)
      return s;
    if (*opts.capacityFactor <= 0)
      return fail(op, "expects capacity_factor > 0, got " +
                          str((double)*opts.capacityFactor));
  }
  if (e < 1)
    return fail(op,
                "expects at least one expert, got logits " + describe(logits));
  int64_t c = expertChoiceCapacity(t, e, opts);

  // Per-token softmax over the experts, rounded to f32.
  std::vector<float> s(t * e);
  std::vector<double> zd(e), sd(e);
  for (int64_t row = 0; row < t; ++row) {
    for (int64_t i = 0; i < e; ++i)
      zd[i] = logits.f[row * e + i];
    softmax(zd.data(), e, sd.data());
    for (int64_t i = 0; i < e; ++i)
      s[row * e + i] = (float)sd[i];
  }

  weights = Tensor::zeros({e, c}, DType::f32);
  tokens = Tensor::zeros({e, c}, DType::i32);
  for (int64_t ex = 0; ex < e; ++ex) {
    std::vector<int64_t> picked =
        selectTopStrided(s.data() + ex, t, e, c, /*largest=*/true);
    for (int64_t j = 0; j < c; ++j) {
      weights.f[ex * c + j] = s[picked[j] * e + ex];
      tokens.i[ex * c + j] = (int32_t)picked[j];
    }
  }
  return Status::success();
}

//===----------------------------------------------------------------------===//
// glu, sigmoid_gate
//===----------------------------------------------------------------------===//

Status glu(const Tensor &gate, const Tensor &up, Activation act, Tensor &out) {
  const char *op = "glu";
  if (Status s = checkTensor(op, "gate", gate, DType::f32, -1); !s.ok)
    return s;
  if (Status s = checkTensor(op, "up", up, DType::f32, -1); !s.ok)
    return s;
  if (gate.rank() < 1)
    return fail(op, "expects gate of rank >= 1, got " + describe(gate));
  if (gate.shape != up.shape)
    return fail(op, "expects gate and up of the same shape (gate: " +
                        describe(gate) + ", up: " + describe(up) + ")");
  out = Tensor::zeros(gate.shape, DType::f32);
  for (size_t i = 0; i < gate.f.size(); ++i)
    out.f[i] = (float)(activate(act, gate.f[i]) * (double)up.f[i]);
  return Status::success();
}

Status sigmoidGate(const Tensor &x, const Tensor &g, Tensor &out) {
  const char *op = "sigmoid_gate";
  if (Status s = checkTensor(op, "x", x, DType::f32, 2); !s.ok)
    return s;
  if (Status s = checkTensor(op, "g", g, DType::f32, 2); !s.ok)
    return s;
  if (Status s = matchDim(op, "the token counts", "x", x, 0, "g", g, 0); !s.ok)
    return s;
  int64_t t = x.dim(0), cols = x.dim(1), heads = g.dim(1);
  if (cols != heads && (heads == 0 || cols % heads != 0))
    return fail(op, "expects the columns of x (" + str(cols) +
                        ") to be a multiple of the heads of g (" + str(heads) +
                        ") (x: " + describe(x) + ", g: " + describe(g) + ")");
  int64_t dh = heads == 0 ? 0 : cols / heads; // 1 for the elementwise form.
  out = Tensor::zeros(x.shape, DType::f32);
  for (int64_t row = 0; row < t; ++row)
    for (int64_t c = 0; c < cols; ++c) {
      double gv = g.f[row * heads + c / dh];
      out.f[row * cols + c] =
          (float)((double)x.f[row * cols + c] * sigmoid(gv));
    }
  return Status::success();
}

} // namespace ref
} // namespace sluice
