//===- LowRank.cpp - reference lora_matmul, multi_lora_matmul, lowrank ----===//
//
// Reference semantics of the low-rank ops: LoRA with rank gates and a nested
// active rank, multi-adapter LoRA (per-token ids, gates and scales), and
// factorised low-rank GEMMs.
//
//===----------------------------------------------------------------------===//

#include "runtime/reference/Internal.h"

#include <algorithm>

namespace sluice {
namespace ref {

using namespace detail;

/// acc[N] += x[K] w[K,N] (w row-major with N columns).
static void addVecMat(const float *x, const float *w, int64_t k, int64_t n,
                      double *acc) {
  for (int64_t i = 0; i < k; ++i) {
    double xi = x[i];
    for (int64_t c = 0; c < n; ++c)
      acc[c] += xi * (double)w[i * n + c];
  }
}

/// Checks an optional bias[N].
static Status checkBias(const char *op, const Tensor *bias, int64_t n,
                        const char *why) {
  if (!bias)
    return Status::success();
  if (Status s = checkTensor(op, "bias", *bias, DType::f32, 1); !s.ok)
    return s;
  return matchShape(op, "bias", *bias, {n}, why);
}

Status loraMatmul(const Tensor &x, const Tensor &w, const Tensor &a,
                  const Tensor &b, const Tensor *bias, const Tensor *rankGates,
                  const LoraMatmulOptions &opts, Tensor &out) {
  const char *op = "lora_matmul";
  Status s;
  if (!(s = checkTensor(op, "x", x, DType::f32, 2)).ok ||
      !(s = checkTensor(op, "w", w, DType::f32, 2)).ok ||
      !(s = checkTensor(op, "a", a, DType::f32, 2)).ok ||
      !(s = checkTensor(op, "b", b, DType::f32, 2)).ok)
    return s;
  if (!(s = matchDim(op, "the contraction sizes", "x", x, 1, "w", w, 0)).ok ||
      !(s = matchDim(op, "the contraction sizes", "x", x, 1, "a", a, 0)).ok ||
      !(s = matchDim(op, "the ranks", "a", a, 1, "b", b, 0)).ok ||
      !(s = matchDim(op, "the output sizes", "w", w, 1, "b", b, 1)).ok)
    return s;
  int64_t t = x.dim(0), k = x.dim(1), n = w.dim(1), r = a.dim(1);
  if (!(s = checkBias(op, bias, n, "[N] of w")).ok)
    return s;
  bool perToken = false;
  if (rankGates) {
    if (!(s = checkTensor(op, "rank_gates", *rankGates, DType::f32, -1)).ok)
      return s;
    if (rankGates->rank() == 1)
      s = matchShape(op, "rank_gates", *rankGates, {r}, "[r] of a");
    else if (rankGates->rank() == 2)
      s = matchShape(op, "rank_gates", *rankGates, {t, r}, "[T, r] of x and a");
    else
      s = fail(op, "expects rank_gates of rank 1 [r] or 2 [T, r], got " +
                       describe(*rankGates));
    if (!s.ok)
      return s;
    perToken = rankGates->rank() == 2;
  }
  int64_t active = opts.activeRank.value_or(r);
  if (active < 0 || active > r)
    return fail(op, "expects 0 <= active_rank <= rank (" + str(r) + "), got " +
                        str(active));
  if (!(s = requireFinite(op, "scale", opts.scale)).ok)
    return s;

  out = Tensor::zeros({t, n}, DType::f32);
  std::vector<double> acc(n), h(active);
  // scale 0 and active_rank 0 drop the update (as the dialect's fold does).
  bool live = opts.scale != 0.0f && active > 0;
  for (int64_t tok = 0; tok < t; ++tok) {
    const float *xt = x.f.data() + (tok * k);
    std::fill(acc.begin(), acc.end(), 0.0);
    addVecMat(xt, w.f.data(), k, n, acc.data());
    if (live) {
      // h = (x a[:, :active]) * g, then acc += scale * h b[:active].
      for (int64_t j = 0; j < active; ++j) {
        double v = 0.0;
        for (int64_t i = 0; i < k; ++i)
          v += (double)xt[i] * (double)a.f[i * r + j];
        if (rankGates)
          v *= (double)rankGates->f[perToken ? tok * r + j : j];
        h[j] = v * (double)opts.scale;
      }
      for (int64_t j = 0; j < active; ++j)
        for (int64_t c = 0; c < n; ++c)
          acc[c] += h[j] * (double)b.f[j * n + c];
    }
    for (int64_t c = 0; c < n; ++c)
      out.f[tok * n + c] = (float)(acc[c] + (bias ? (double)bias->f[c] : 0.0));
  }
  return Status::success();
}

Status multiLoraMatmul(const Tensor &x, const Tensor &w, const Tensor &a,
                       const Tensor &b, const Tensor &ids, const Tensor *gates,
                       const Tensor *scales, const Tensor *bias,
                       const MultiLoraMatmulOptions &opts, Tensor &out) {
  const char *op = "multi_lora_matmul";
  Status s;
  if (!(s = checkTensor(op, "x", x, DType::f32, 2)).ok ||
      !(s = checkTensor(op, "w", w, DType::f32, 2)).ok ||
      !(s = checkTensor(op, "a", a, DType::f32, 3)).ok ||
      !(s = checkTensor(op, "b", b, DType::f32, 3)).ok ||
      !(s = checkTensor(op, "ids", ids, DType::i32, 2)).ok)
    return s;
  int64_t t = x.dim(0), k = x.dim(1), n = w.dim(1);
  int64_t l = a.dim(0), r = a.dim(2), m = ids.dim(1);
  if (!(s = matchDim(op, "the contraction sizes", "x", x, 1, "w", w, 0)).ok ||
      !(s = matchDim(op, "the contraction sizes", "x", x, 1, "a", a, 1)).ok ||
      !(s = matchShape(op, "b", b, {l, r, n},
                       "[adapters, rank] of a and [N] of w"))
           .ok ||
      !(s = matchDim(op, "the token counts", "x", x, 0, "ids", ids, 0)).ok ||
      !(s = checkBias(op, bias, n, "[N] of w")).ok)
    return s;
  if (gates &&
      (!(s = checkTensor(op, "gates", *gates, DType::f32, 2)).ok ||
       !(s = matchShape(op, "gates", *gates, ids.shape, "the shape of ids"))
            .ok))
    return s;
  if (scales &&
      (!(s = checkTensor(op, "scales", *scales, DType::f32, 1)).ok ||
       !(s = matchShape(op, "scales", *scales, {l}, "[adapters] of a")).ok))
    return s;
  if (scales && opts.scale)
    return fail(op, "expects at most one of scales(...) and the attribute "
                    "scale");
  if (opts.scale && !(s = requireFinite(op, "scale", *opts.scale)).ok)
    return s;
  for (int64_t i = 0; i < t * m; ++i) {
    int64_t id = ids.i[i];
    if (id < -1 || id >= l)
      return fail(op, "adapter id " + str(id) + " (token " + str(i / m) +
                          ", choice " + str(i % m) +
                          ") is neither -1 nor in [0, L = " + str(l) + ")");
  }

  out = Tensor::zeros({t, n}, DType::f32);
  std::vector<double> acc(n), h(r);
  for (int64_t tok = 0; tok < t; ++tok) {
    const float *xt = x.f.data() + (tok * k);
    std::fill(acc.begin(), acc.end(), 0.0);
    addVecMat(xt, w.f.data(), k, n, acc.data());
    for (int64_t j = 0; j < m; ++j) {
      int64_t id = ids.i[tok * m + j];
      if (id < 0)
        continue; // No adapter: nothing of it is read.
      double g = gates ? (double)gates->f[tok * m + j] : 1.0;
      double sc =
          scales ? (double)scales->f[id] : (double)opts.scale.value_or(1.0f);
      const float *aa = a.f.data() + (id * k * r);
      const float *bb = b.f.data() + (id * r * n);
      for (int64_t q = 0; q < r; ++q) {
        double v = 0.0;
        for (int64_t i = 0; i < k; ++i)
          v += (double)xt[i] * (double)aa[i * r + q];
        h[q] = g * sc * v;
      }
      for (int64_t q = 0; q < r; ++q)
        for (int64_t c = 0; c < n; ++c)
          acc[c] += h[q] * (double)bb[q * n + c];
    }
    for (int64_t c = 0; c < n; ++c)
      out.f[tok * n + c] = (float)(acc[c] + (bias ? (double)bias->f[c] : 0.0));
  }
  return Status::success();
}

Status lowrankMatmul(const Tensor &x, const Tensor &u, const Tensor &v,
                     const Tensor *bias, Tensor &out) {
  const char *op = "lowrank_matmul";
  Status s;
  if (!(s = checkTensor(op, "x", x, DType::f32, 2)).ok ||
      !(s = checkTensor(op, "u", u, DType::f32, 2)).ok ||
      !(s = checkTensor(op, "v", v, DType::f32, 2)).ok ||
      !(s = matchDim(op, "the contraction sizes", "x", x, 1, "u", u, 0)).ok ||
      !(s = matchDim(op, "the ranks", "u", u, 1, "v", v, 0)).ok ||
      !(s = checkBias(op, bias, v.dim(1), "[N] of v")).ok)
    return s;
  int64_t t = x.dim(0), k = x.dim(1), r = u.dim(1), n = v.dim(1);
  out = Tensor::zeros({t, n}, DType::f32);
  std::vector<double> h(r), acc(n);
  for (int64_t tok = 0; tok < t; ++tok) {
    std::fill(h.begin(), h.end(), 0.0);
    std::fill(acc.begin(), acc.end(), 0.0);
    addVecMat(x.f.data() + (tok * k), u.f.data(), k, r, h.data());
    for (int64_t q = 0; q < r; ++q)
      for (int64_t c = 0; c < n; ++c)
        acc[c] += h[q] * (double)v.f[q * n + c];
    for (int64_t c = 0; c < n; ++c)
      out.f[tok * n + c] = (float)(acc[c] + (bias ? (double)bias->f[c] : 0.0));
  }
  return Status::success();
}

} // namespace ref
} // namespace sluice
