//===- Pooling.cpp - reference pool, segment_pool, adaptive/SPP, attention ===//
//
// Reference semantics of the pooling ops: set pooling over masked /
// length-limited / packed rows (sum, mean, max, min, GeM with per-group p,
// LSE, first, last), adaptive and spatial-pyramid pooling with PyTorch's
// adaptive bins, and attention pooling (multi-head dot, featurewise).
//
//===----------------------------------------------------------------------===//

#include "runtime/reference/Internal.h"

#include <algorithm>
#include <limits>

namespace sluice {
namespace ref {

using namespace detail;

//===----------------------------------------------------------------------===//
// Set pooling
//===----------------------------------------------------------------------===//

/// The attribute rules shared by pool and segment_pool, and the run-time
/// check of group_p.
static Status verifyPool(const char *op, const PoolOptions &o, int64_t features,
                         const Tensor *groupP) {
  Status s;
  if (!(s = requireFinite(op, "p", o.p)).ok ||
      !(s = requireFinite(op, "eps", o.eps)).ok ||
      !(s = requireFinite(op, "r", o.r)).ok)
    return s;
  if (o.p == 0)
    return fail(op, "expects p != 0");
  if (o.r == 0)
    return fail(op, "expects r != 0");
  if (o.eps <= 0)
    return fail(op, "expects eps > 0, got " + str((double)o.eps));
  if (o.groups < 1)
    return fail(op, "expects groups >= 1, got " + str(o.groups));
  if (features % o.groups != 0)
    return fail(op, "expects groups (" + str(o.groups) +
                        ") to divide the features (" + str(features) + ")");
  if (!groupP)
    return Status::success();
  if (o.kind != PoolKind::gem)
    return fail(op, "group_p is only allowed with kind gem");
  if (!(s = checkTensor(op, "group_p", *groupP, DType::f32, 1)).ok ||
      !(s = matchShape(op, "group_p", *groupP, {o.groups}, "[groups]")).ok)
    return s;
  for (int64_t g = 0; g < o.groups; ++g)
    if (groupP->f[g] == 0.0f)
      return fail(op, "group_p[" + str(g) + "] is 0; GeM needs p != 0");
  return Status::success();
}

/// NaN-propagating max / min step.
static double pick(double m, double v, bool isMax) {
  if (std::isnan(m) || std::isnan(v))
    return NAN;
  return isMax ? std::max(m, v) : std::min(m, v);
}

/// Reduces the rows `rows` (ascending) of the [*, D] slab `x` into out[D].
/// Only those rows are read; no rows gives 0.
static void reduceRows(const float *x, int64_t d,
                       const std::vector<int64_t> &rows, const PoolOptions &o,
                       const Tensor *groupP, float *out) {
  int64_t n = (int64_t)rows.size();
  int64_t perGroup = d / o.groups;
  for (int64_t c = 0; c < d; ++c) {
    if (n == 0) {
      out[c] = 0.0f;
      continue;
    }
    auto at = [&](int64_t i) { return (double)x[rows[i] * d + c]; };
    double acc = 0.0;
    switch (o.kind) {
    case PoolKind::sum:
    case PoolKind::mean:
      for (int64_t i = 0; i < n; ++i)
        acc += at(i);
      if (o.kind == PoolKind::mean)
        acc /= n;
      break;
    case PoolKind::max:
    case PoolKind::min:
      acc = at(0);
      for (int64_t i = 1; i < n; ++i)
        acc = pick(acc, at(i), o.kind == PoolKind::max);
      break;
    case PoolKind::gem: {
      double p = groupP ? (double)groupP->f[c / perGroup] : (double)o.p;
      for (int64_t i = 0; i < n; ++i) {
        double v = at(i);
        v = v < (double)o.eps ? (double)o.eps : v; // max(x, eps), NaN stays.
        acc += std::pow(v, p);
      }
      acc = std::pow(acc / n, 1.0 / p);
      break;
    }
    case PoolKind::lse: {
      double r = o.r, m = -std::numeric_limits<double>::infinity();
      for (int64_t i = 0; i < n; ++i)
        m = pick(m, r * at(i), true);
      if (std::isnan(m) || std::isinf(m)) {
        acc = m / r;
        break;
      }
      for (int64_t i = 0; i < n; ++i)
        acc += std::exp(r * at(i) - m);
      acc = (m + std::log(acc / n)) / r;
      break;
    }
    case PoolKind::first:
      acc = at(0);
      break;
    case PoolKind::last:
      acc = at(n - 1);
      break;
    }
    out[c] = (float)acc;
  }
}

Status pool(const Tensor &x, const Tensor *mask, const Tensor *lengths,
            const Tensor *groupP, const PoolOptions &opts, Tensor &out) {
  const char *op = "pool";
  Status s;
  if (!(s = checkTensor(op, "x", x, DType::f32, 3)).ok)
    return s;
  if (mask && lengths)
    return fail(op, "expects at most one of mask and lengths");
  int64_t b = x.dim(0), n = x.dim(1), d = x.dim(2);
  if (mask && (!(s = checkMask(op, "mask", *mask, 2)).ok ||
               !(s = matchShape(op, "mask", *mask, {b, n}, "[B, N] of x")).ok))
    return s;
  if (lengths &&
      (!(s = checkTensor(op, "lengths", *lengths, DType::i32, 1)).ok ||
       !(s = matchShape(op, "lengths", *lengths, {b}, "[B] of x")).ok))
    return s;
  if (!(s = verifyPool(op, opts, d, groupP)).ok)
    return s;
  if (lengths)
    for (int64_t i = 0; i < b; ++i)
      if (lengths->i[i] < 0 || lengths->i[i] > n)
        return fail(op, "lengths[" + str(i) + "] = " + str(lengths->i[i]) +
                            " is outside [0, N = " + str(n) + "]");
  out = Tensor::zeros({b, d}, DType::f32);
  std::vector<int64_t> rows;
  for (int64_t bi = 0; bi < b; ++bi) {
    rows.clear();
    int64_t limit = lengths ? lengths->i[bi] : n;
    for (int64_t ni = 0; ni < limit; ++ni)
      if (valid(mask, bi * n + ni))
        rows.push_back(ni);
    reduceRows(x.f.data() + (bi * n * d), d, rows, opts, groupP,
               out.f.data() + (bi * d));
  }
  return Status::success();
}

Status segmentPool(const Tensor &x, const Tensor &offsets, const Tensor *groupP,
                   const PoolOptions &opts, Tensor &out) {
  const char *op = "segment_pool";
  Status s;
  if (!(s = checkTensor(op, "x", x, DType::f32, 2)).ok ||
      !(s = checkTensor(op, "offsets", offsets, DType::i32, 1)).ok)
    return s;
  int64_t d = x.dim(1);
  if (!(s = verifyPool(op, opts, d, groupP)).ok ||
      !(s = checkOffsets(op, offsets, x.dim(0), "row count of x")).ok)
    return s;
  int64_t b = offsets.dim(0) - 1;
  out = Tensor::zeros({b, d}, DType::f32);
  std::vector<int64_t> rows;
  for (int64_t bi = 0; bi < b; ++bi) {
    rows.clear();
    for (int64_t r = offsets.i[bi]; r < offsets.i[bi + 1]; ++r)
      rows.push_back(r);
    reduceRows(x.f.data(), d, rows, opts, groupP, out.f.data() + (bi * d));
  }
  return Status::success();
}

//===----------------------------------------------------------------------===//
// Adaptive and spatial pyramid pooling
//===----------------------------------------------------------------------===//

/// Checks x[B,C,H,W] with H, W >= 1.
static Status checkSpatial(const char *op, const Tensor &x) {
  if (Status s = checkTensor(op, "x", x, DType::f32, 4); !s.ok)
    return s;
  for (int64_t i = 2; i < 4; ++i)
    if (x.dim(i) < 1)
      return fail(op, std::string("expects ") + (i == 2 ? "H" : "W") +
                          " >= 1, got " + str(x.dim(i)) +
                          " (x: " + describe(x) + ")");
  return Status::success();
}

/// Pools the plane `x` [H,W] to [oh,ow] with PyTorch's adaptive bins
/// [floor(i*H/OH), ceil((i+1)*H/OH)), writing out[i * outStride + j].
static void adaptivePlane(const float *x, int64_t h, int64_t w, int64_t oh,
                          int64_t ow, SpatialPoolKind kind, float *out) {
  for (int64_t i = 0; i < oh; ++i) {
    int64_t h0 = i * h / oh, h1 = ((i + 1) * h + oh - 1) / oh;
    for (int64_t j = 0; j < ow; ++j) {
      int64_t w0 = j * w / ow, w1 = ((j + 1) * w + ow - 1) / ow;
      double acc = kind == SpatialPoolKind::max
                       ? -std::numeric_limits<double>::infinity()
                       : 0.0;
      for (int64_t y = h0; y < h1; ++y)
        for (int64_t z = w0; z < w1; ++z) {
          double v = x[y * w + z];
          acc = kind == SpatialPoolKind::max ? pick(acc, v, true) : acc + v;
        }
      if (kind == SpatialPoolKind::avg)
        acc /= (double)((h1 - h0) * (w1 - w0));
      out[i * ow + j] = (float)acc;
    }
  }
}

Status adaptivePool(const Tensor &x, const AdaptivePoolOptions &opts,
                    Tensor &out) {
  const char *op = "adaptive_pool";
  if (Status s = checkSpatial(op, x); !s.ok)
    return s;
  const std::vector<int64_t> &os = opts.outputSize;
  if (os.size() != 2)
    return fail(op, "expects output_size to have 2 entries [OH, OW], got " +
                        str((int64_t)os.size()));
  if (os[0] < 1 || os[1] < 1)
    return fail(op, "expects output_size entries >= 1, got " + shapeStr(os));
  int64_t b = x.dim(0), c = x.dim(1), h = x.dim(2), w = x.dim(3);
  out = Tensor::zeros({b, c, os[0], os[1]}, DType::f32);
  for (int64_t plane = 0; plane < b * c; ++plane)
    adaptivePlane(x.f.data() + (plane * h * w), h, w, os[0], os[1], opts.kind,
                  out.f.data() + plane * os[0] * os[1]);
  return Status::success();
}

Status spatialPyramidPool(const Tensor &x,
                          const SpatialPyramidPoolOptions &opts, Tensor &out) {
  const char *op = "spatial_pyramid_pool";
  if (Status s = checkSpatial(op, x); !s.ok)
    return s;
  if (opts.levels.empty())
    return fail(op, "expects at least one pyramid level");
  int64_t bins = 0;
  for (int64_t l : opts.levels) {
    if (l < 1)
      return fail(op, "expects every level >= 1, got " + str(l));
    bins += l * l;
  }
  int64_t b = x.dim(0), c = x.dim(1), h = x.dim(2), w = x.dim(3);
  out = Tensor::zeros({b, c * bins}, DType::f32);
  for (int64_t bi = 0; bi < b; ++bi) {
    int64_t base = bi * c * bins;
    for (int64_t l : opts.levels) {
      for (int64_t ci = 0; ci < c; ++ci)
        adaptivePlane(x.f.data() + ((bi * c + ci) * h * w), h, w, l, l,
                      opts.kind, out.f.data() + (base + ci * l * l));
      base += c * l * l;
    }
  }
  return Status::success();
}

//===----------------------------------------------------------------------===//
// attention_pool
//===----------------------------------------------------------------------===//

Status attentionPool(const Tensor &x, const Tensor &q, const Tensor *mask,
                     const AttentionPoolOptions &opts, Tensor &out) {
  const char *op = "attention_pool";
  Status s;
  if (!(s = checkTensor(op, "x", x, DType::f32, 3)).ok)
    return s;
  int64_t b = x.dim(0), n = x.dim(1), d = x.dim(2);
  if (mask && (!(s = checkMask(op, "mask", *mask, 2)).ok ||
               !(s = matchShape(op, "mask", *mask, {b, n}, "[B, N] of x")).ok))
    return s;
  std::vector<int64_t> rows;
  std::vector<double> score, a;
  auto validRows = [&](int64_t bi) {
    rows.clear();
    for (int64_t ni = 0; ni < n; ++ni)
      if (valid(mask, bi * n + ni))
        rows.push_back(ni);
    score.assign(rows.size(), 0.0);
    a.assign(rows.size(), 0.0);
  };
  auto xv = [&](int64_t bi, int64_t ni, int64_t c) {
    return (double)x.f[(bi * n + ni) * d + c];
  };

  if (opts.kind == AttentionPoolKind::featurewise) {
    if (opts.heads)
      return fail(op, "kind featurewise takes no heads");
    if (!(s = checkTensor(op, "w", q, DType::f32, 2)).ok ||
        !(s = matchShape(op, "w", q, {d, d}, "[D, D] with D the features of x"))
             .ok)
      return s;
    out = Tensor::zeros({b, 1, d}, DType::f32);
    for (int64_t bi = 0; bi < b; ++bi) {
      validRows(bi);
      if (rows.empty())
        continue;
      for (int64_t c = 0; c < d; ++c) {
        for (size_t r = 0; r < rows.size(); ++r) {
          double acc = 0.0;
          for (int64_t e = 0; e < d; ++e)
            acc += xv(bi, rows[r], e) * (double)q.f[e * d + c];
          score[r] = acc;
        }
        softmax(score.data(), (int64_t)rows.size(), a.data());
        double acc = 0.0;
        for (size_t r = 0; r < rows.size(); ++r)
          acc += a[r] * xv(bi, rows[r], c);
        out.f[bi * d + c] = (float)acc;
      }
    }
    return Status::success();
  }

  if (!(s = checkTensor(op, "q", q, DType::f32, 2)).ok ||
      !(s = matchDim(op, "the feature sizes", "x", x, 2, "q", q, 1)).ok)
    return s;
  int64_t heads = opts.heads.value_or(1);
  if (heads < 1)
    return fail(op, "expects heads >= 1, got " + str(heads));
  if (d % heads != 0)
    return fail(op, "expects heads (" + str(heads) +
                        ") to divide the features (" + str(d) + ")");
  int64_t nq = q.dim(0), dh = d / heads;
  out = Tensor::zeros({b, nq, d}, DType::f32);
  if (dh == 0)
    return Status::success();
  double inv = 1.0 / std::sqrt((double)dh);
  for (int64_t bi = 0; bi < b; ++bi) {
    validRows(bi);
    if (rows.empty())
      continue;
    for (int64_t qi = 0; qi < nq; ++qi)
      for (int64_t hh = 0; hh < heads; ++hh) {
        int64_t c0 = hh * dh;
        for (size_t r = 0; r < rows.size(); ++r) {
          double acc = 0.0;
          for (int64_t c = c0; c < c0 + dh; ++c)
            acc += (double)q.f[qi * d + c] * xv(bi, rows[r], c);
          score[r] = acc * inv;
        }
        softmax(score.data(), (int64_t)rows.size(), a.data());
        for (int64_t c = c0; c < c0 + dh; ++c) {
          double acc = 0.0;
          for (size_t r = 0; r < rows.size(); ++r)
            acc += a[r] * xv(bi, rows[r], c);
          out.f[(bi * nq + qi) * d + c] = (float)acc;
        }
      }
  }
  return Status::success();
}

} // namespace ref
} // namespace sluice
