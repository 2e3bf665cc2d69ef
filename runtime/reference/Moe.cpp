//===- Moe.cpp - reference moe, load_balance_loss, router_z_loss ----------===//
//
// Reference semantics of the fused mixture-of-experts op (FFN experts,
// shared experts with optional sigmoid gates, MoE++ zero / copy / constant
// experts, capacity with drop policies and renormalize_kept) and of the two
// router losses.
//
//===----------------------------------------------------------------------===//

#include "runtime/reference/Internal.h"

#include <algorithm>
#include <limits>

namespace sluice {
namespace ref {

using namespace detail;

//===----------------------------------------------------------------------===//
// moe
//===----------------------------------------------------------------------===//

/// Validates the operands and attributes of moe.
static Status verifyMoe(const MoeOperands &in, const MoeOptions &o) {
  const char *op = "moe";
  if (!in.x || !in.weights || !in.indices || !in.wGate || !in.wDown)
    return fail(op, "expects the operands x, weights, indices, w_gate and "
                    "w_down");
  const Tensor &x = *in.x, &w = *in.weights, &idx = *in.indices;
  const Tensor &wg = *in.wGate, &wd = *in.wDown;
  Status s;
  if (!(s = checkTensor(op, "x", x, DType::f32, 2)).ok ||
      !(s = checkTensor(op, "weights", w, DType::f32, 2)).ok ||
      !(s = checkTensor(op, "indices", idx, DType::i32, 2)).ok ||
      !(s = checkTensor(op, "w_gate", wg, DType::f32, 3)).ok ||
      !(s = checkTensor(op, "w_down", wd, DType::f32, 3)).ok)
    return s;
  if (!(s = matchDim(op, "the token counts", "x", x, 0, "weights", w, 0)).ok ||
      !(s = matchShape(op, "indices", idx, w.shape, "the shape of weights"))
           .ok ||
      !(s = matchDim(op, "the hidden sizes", "x", x, 1, "w_gate", wg, 1)).ok)
    return s;
  int64_t d = x.dim(1), e = wg.dim(0), f = wg.dim(2);
  if (in.wUp) {
    if (!(s = checkTensor(op, "w_up", *in.wUp, DType::f32, 3)).ok ||
        !(s = matchShape(op, "w_up", *in.wUp, wg.shape, "the shape of w_gate"))
             .ok)
      return s;
  }
  if (!(s = matchShape(op, "w_down", wd, {e, f, d},
                       "[experts, ffn, hidden] of w_gate and x"))
           .ok)
    return s;
  // Shared experts.
  if ((in.sGate == nullptr) != (in.sDown == nullptr))
    return fail(op, "expects shared_gate and shared_down together");
  if (!in.sGate && (in.sUp || in.sGateW))
    return fail(op, std::string("expects shared_gate with ") +
                        (in.sUp ? "shared_up" : "shared_gate_w"));
  if (in.sGate) {
    const Tensor &sg = *in.sGate;
    if (!(s = checkTensor(op, "shared_gate", sg, DType::f32, 3)).ok ||
        !(s = matchDim(op, "the hidden sizes", "x", x, 1, "shared_gate", sg, 1))
             .ok)
      return s;
    int64_t ns = sg.dim(0), fs = sg.dim(2);
    if (!(s = checkTensor(op, "shared_down", *in.sDown, DType::f32, 3)).ok ||
        !(s = matchShape(op, "shared_down", *in.sDown, {ns, fs, d},
                         "[shared, ffn, hidden] of shared_gate and x"))
             .ok)
      return s;
    if (in.sUp &&
        (!(s = checkTensor(op, "shared_up", *in.sUp, DType::f32, 3)).ok ||
         !(s = matchShape(op, "shared_up", *in.sUp, sg.shape,
                          "the shape of shared_gate"))
              .ok))
      return s;
    if (in.sGateW &&
        (!(s = checkTensor(op, "shared_gate_w", *in.sGateW, DType::f32, 2))
              .ok ||
         !(s = matchShape(op, "shared_gate_w", *in.sGateW, {ns, d},
                          "[shared, hidden]"))
              .ok))
      return s;
  }
  // Zero-computation experts.
  if (o.numZero < 0 || o.numCopy < 0 || o.numConst < 0)
    return fail(op, "expects num_zero, num_copy and num_const >= 0, got " +
                        str(o.numZero) + ", " + str(o.numCopy) + ", " +
                        str(o.numConst));
  if ((o.numConst > 0) != (in.wc != nullptr) ||
      (o.numConst > 0) != (in.v != nullptr))
    return fail(op, "expects const_wc and const_v exactly when num_const > 0 "
                    "(num_const = " +
                        str(o.numConst) + ")");
  if (o.numConst > 0 &&
      (!(s = checkTensor(op, "const_wc", *in.wc, DType::f32, 3)).ok ||
       !(s = matchShape(op, "const_wc", *in.wc, {o.numConst, d, 2},
                        "[num_const, hidden, 2]"))
            .ok ||
       !(s = checkTensor(op, "const_v", *in.v, DType::f32, 2)).ok ||
       !(s = matchShape(op, "const_v", *in.v, {o.numConst, d},
                        "[num_const, hidden]"))
            .ok))
    return s;
  if (o.capacity < 0)
    return fail(op,
                "expects capacity >= 0 (0 = dropless), got " + str(o.capacity));
  int64_t t = w.dim(0), k = w.dim(1);
  if (t * k > kMaxI32)
    return fail(op,
                "expects T * k < 2^31, got T = " + str(t) + ", k = " + str(k));
  int64_t total = e + o.numZero + o.numCopy + o.numConst;
  for (int64_t slot = 0; slot < t * k; ++slot) {
    int64_t id = idx.i[slot];
    if (id < 0 || id >= total)
      return fail(op, "index " + str(id) + " (token " + str(slot / k) +
                          ", choice " + str(slot % k) + ") is outside [0, " +
                          str(total) + ")");
  }
  return Status::success();
}

/// Adds `scale` * FFN(x) of expert `e` of (wg, wu?, wd) to `acc`:
/// (act(x wg[e]) * (x wu[e])) wd[e], without wu act(x wg[e]) wd[e].
static void addFfn(const float *x, int64_t d, const Tensor &wg,
                   const Tensor *wu, const Tensor &wd, int64_t e,
                   Activation act, double scale, double *acc) {
  int64_t f = wg.dim(2);
  std::vector<double> h(f);
  for (int64_t j = 0; j < f; ++j) {
    double g = 0.0, u = 0.0;
    for (int64_t i = 0; i < d; ++i) {
      g += (double)x[i] * (double)wg.f[(e * d + i) * f + j];
      if (wu)
        u += (double)x[i] * (double)wu->f[(e * d + i) * f + j];
    }
    h[j] = activate(act, g) * (wu ? u : 1.0);
  }
  for (int64_t c = 0; c < d; ++c) {
    double o = 0.0;
    for (int64_t j = 0; j < f; ++j)
      o += h[j] * (double)wd.f[(e * f + j) * d + c];
    acc[c] += scale * o;
  }
}

Status moe(const MoeOperands &in, const MoeOptions &opts, Tensor &y) {
  if (Status s = verifyMoe(in, opts); !s.ok)
    return s;
  const Tensor &x = *in.x, &w = *in.weights, &idx = *in.indices;
  int64_t t = x.dim(0), d = x.dim(1), k = w.dim(1), e = in.wGate->dim(0);
  int64_t firstCopy = e + opts.numZero, firstConst = firstCopy + opts.numCopy;
  std::vector<char> kept = keptByCapacity(idx.i.data(), w.f.data(), t, k, e,
                                          opts.capacity, opts.drop);
  y = Tensor::zeros({t, d}, DType::f32);
  std::vector<double> acc(d), wt(k);
  for (int64_t tok = 0; tok < t; ++tok) {
    const float *xt = x.f.data() + (tok * d);
    std::fill(acc.begin(), acc.end(), 0.0);
    // Weights, renormalized over the kept slots if one was dropped.
    double sumAll = 0.0, sumKept = 0.0;
    bool dropped = false;
    for (int64_t j = 0; j < k; ++j) {
      wt[j] = w.f[tok * k + j];
      sumAll += wt[j];
      if (kept[tok * k + j])
        sumKept += wt[j];
      else
        dropped = true;
    }
    if (opts.renormalizeKept && dropped && sumKept != 0.0)
      for (int64_t j = 0; j < k; ++j)
        wt[j] = wt[j] * sumAll / sumKept;
    // Routed experts.
    for (int64_t j = 0; j < k; ++j) {
      if (!kept[tok * k + j])
        continue;
      int64_t id = idx.i[tok * k + j];
      if (id < e) {
        addFfn(xt, d, *in.wGate, in.wUp, *in.wDown, id, opts.act, wt[j],
               acc.data());
      } else if (id < firstCopy) {
        // Zero expert: contributes nothing.
      } else if (id < firstConst) {
        for (int64_t c = 0; c < d; ++c)
          acc[c] += wt[j] * (double)xt[c];
      } else {
        int64_t cst = id - firstConst;
        double l[2] = {0.0, 0.0}, a[2];
        for (int64_t i = 0; i < d; ++i)
          for (int64_t m = 0; m < 2; ++m)
            l[m] += (double)xt[i] * (double)in.wc->f[(cst * d + i) * 2 + m];
        softmax(l, 2, a);
        for (int64_t c = 0; c < d; ++c)
          acc[c] += wt[j] * (a[0] * (double)xt[c] +
                             a[1] * (double)in.v->f[cst * d + c]);
      }
    }
    // Shared experts.
    if (in.sGate) {
      for (int64_t s = 0; s < in.sGate->dim(0); ++s) {
        double scale = 1.0;
        if (in.sGateW) {
          double dot = 0.0;
          for (int64_t i = 0; i < d; ++i)
            dot += (double)xt[i] * (double)in.sGateW->f[s * d + i];
          scale = sigmoid(dot);
        }
        addFfn(xt, d, *in.sGate, in.sUp, *in.sDown, s, opts.act, scale,
               acc.data());
      }
    }
    for (int64_t c = 0; c < d; ++c)
      y.f[tok * d + c] = (float)acc[c];
  }
  return Status::success();
}

//===----------------------------------------------------------------------===//
// Router losses
//===----------------------------------------------------------------------===//

Status loadBalanceLoss(const Tensor &probs, const Tensor &indices,
                       const Tensor *mask, Tensor &loss) {
  const char *op = "load_balance_loss";
  Status s;
  if (!(s = checkTensor(op, "probs", probs, DType::f32, 2)).ok ||
      !(s = checkTensor(op, "indices", indices, DType::i32, 2)).ok ||
      !(s = matchDim(op, "the token counts", "probs", probs, 0, "indices",
                     indices, 0))
           .ok)
    return s;
  if (mask && (!(s = checkMask(op, "mask", *mask, 1)).ok ||
               !(s = matchDim(op, "the token counts", "probs", probs, 0, "mask",
                              *mask, 0))
                    .ok))
    return s;
  int64_t t = probs.dim(0), e = probs.dim(1), k = indices.dim(1);
  std::vector<double> count(e, 0.0), psum(e, 0.0);
  int64_t valid = 0;
  for (int64_t tok = 0; tok < t; ++tok) {
    if (!detail::valid(mask, tok))
      continue; // Masked rows are not read, indices included.
    ++valid;
    for (int64_t j = 0; j < k; ++j) {
      int64_t id = indices.i[tok * k + j];
      if (id < 0 || id >= e)
        return fail(op, "index " + str(id) + " (token " + str(tok) +
                            ", choice " + str(j) + ") is outside [0, " +
                            str(e) + ")");
      count[id] += 1.0;
    }
    for (int64_t ex = 0; ex < e; ++ex)
      psum[ex] += probs.f[tok * e + ex];
  }
  double total = 0.0;
  if (valid > 0)
    for (int64_t ex = 0; ex < e; ++ex)
      total += (count[ex] / valid) * (psum[ex] / valid);
  loss = Tensor::f32({}, {(float)((double)e * total)});
  return Status::success();
}

/// log(sum(exp(l))) of a row, NaN if it holds a NaN, its max if that is
/// infinite.
static double logSumExp(const float *l, int64_t n) {
  double m = -std::numeric_limits<double>::infinity();
  for (int64_t i = 0; i < n; ++i) {
    if (std::isnan(l[i]))
      return NAN;
    m = std::max(m, (double)l[i]);
  }
  if (std::isinf(m))
    return m;
  double sum = 0.0;
  for (int64_t i = 0; i < n; ++i)
    sum += std::exp((double)l[i] - m);
  return m + std::log(sum);
}

Status routerZLoss(const Tensor &logits, const Tensor *mask, Tensor &loss) {
  const char *op = "router_z_loss";
  Status s;
  if (!(s = checkTensor(op, "logits", logits, DType::f32, 2)).ok)
    return s;
  if (mask && (!(s = checkMask(op, "mask", *mask, 1)).ok ||
               !(s = matchDim(op, "the token counts", "logits", logits, 0,
                              "mask", *mask, 0))
                    .ok))
    return s;
  int64_t t = logits.dim(0), e = logits.dim(1), valid = 0;
  double sum = 0.0;
  for (int64_t tok = 0; tok < t; ++tok) {
    if (!detail::valid(mask, tok))
      continue;
    ++valid;
    if (e == 0)
      continue; // An empty logsumexp counts as 0.
    double lse = logSumExp(logits.f.data() + (tok * e), e);
    sum += lse * lse;
  }
  loss = Tensor::f32({}, {valid ? (float)(sum / valid) : 0.0f});
  return Status::success();
}

} // namespace ref
} // namespace sluice
