//===- Routing.cpp - reference route, dispatch, grouped_matmul, combine ---===//
//
// Reference semantics of the token-routing ops of a mixture of experts:
// route (capacity and drop policies, block padding), dispatch,
// grouped_matmul and both forms of combine.
//
//===----------------------------------------------------------------------===//

#include "runtime/reference/Internal.h"

#include <algorithm>

namespace sluice {
namespace ref {

using namespace detail;

//===----------------------------------------------------------------------===//
// Capacity
//===----------------------------------------------------------------------===//

namespace detail {

std::vector<char> keptByCapacity(const int32_t *indices, const float *weights,
                                 int64_t t, int64_t k, int64_t numExperts,
                                 int64_t capacity, DropPolicy drop) {
  std::vector<char> keep(t * k, 1);
  if (capacity <= 0)
    return keep;
  // Candidates of each expert, in ascending slot order.
  std::vector<std::vector<int64_t>> cand(numExperts);
  for (int64_t slot = 0; slot < t * k; ++slot)
    if (indices[slot] >= 0 && indices[slot] < numExperts)
      cand[indices[slot]].push_back(slot);
  for (std::vector<int64_t> &c : cand) {
    if ((int64_t)c.size() <= capacity)
      continue;
    switch (drop) {
    case DropPolicy::by_order: // Already by t, then j.
      break;
    case DropPolicy::by_choice:
      std::sort(c.begin(), c.end(), [&](int64_t a, int64_t b) {
        if (a % k != b % k)
          return a % k < b % k;
        return a < b;
      });
      break;
    case DropPolicy::by_weight:
      std::sort(c.begin(), c.end(), [&](int64_t a, int64_t b) {
        return precedes(weights[a], a, weights[b], b, /*largest=*/true);
      });
      break;
    }
    for (size_t i = capacity; i < c.size(); ++i)
      keep[c[i]] = 0;
  }
  return keep;
}

} // namespace detail

//===----------------------------------------------------------------------===//
// route
//===----------------------------------------------------------------------===//

Status route(const Tensor &indices, const Tensor &weights,
             const RouteOptions &opts, Tensor &counts, Tensor &offsets,
             Tensor &slots, Tensor &keep) {
  const char *op = "route";
  if (Status s = checkTensor(op, "indices", indices, DType::i32, 2); !s.ok)
    return s;
  if (Status s = checkTensor(op, "weights", weights, DType::f32, 2); !s.ok)
    return s;
  if (Status s = matchDim(op, "the token counts", "indices", indices, 0,
                          "weights", weights, 0);
      !s.ok)
    return s;
  if (Status s = matchDim(op, "the choices per token", "indices", indices, 1,
                          "weights", weights, 1);
      !s.ok)
    return s;
  int64_t e = opts.numExperts;
  if (e < 1)
    return fail(op, "expects num_experts >= 1, got " + str(e));
  if (opts.block < 1)
    return fail(op, "expects block >= 1, got " + str(opts.block));
  if (opts.capacity < 0)
    return fail(op, "expects capacity >= 0 (0 = dropless), got " +
                        str(opts.capacity));
  int64_t t = indices.dim(0), k = indices.dim(1);
  if (t * k > kMaxI32)
    return fail(op,
                "expects T * k < 2^31, got T = " + str(t) + ", k = " + str(k));
  for (int64_t slot = 0; slot < t * k; ++slot) {
    int64_t id = indices.i[slot];
    if (id < 0 || id >= e)
      return fail(op, "index " + str(id) + " (token " + str(slot / k) +
                          ", choice " + str(slot % k) + ") is outside [0, " +
                          str(e) + ")");
  }

  std::vector<char> kept = keptByCapacity(indices.i.data(), weights.f.data(), t,
                                          k, e, opts.capacity, opts.drop);
  counts = Tensor::zeros({e}, DType::i32);
  offsets = Tensor::zeros({e + 1}, DType::i32);
  keep = Tensor::zeros({t, k}, DType::i32);
  std::vector<std::vector<int64_t>> perExpert(e);
  for (int64_t slot = 0; slot < t * k; ++slot) {
    if (!kept[slot])
      continue;
    keep.i[slot] = 1;
    perExpert[indices.i[slot]].push_back(slot); // Ascending slot order.
  }
  int64_t p = 0;
  for (int64_t ex = 0; ex < e; ++ex) {
    int64_t n = (int64_t)perExpert[ex].size();
    counts.i[ex] = (int32_t)n;
    offsets.i[ex] = (int32_t)p;
    if (n > 0 && opts.block > kMaxI32)
      return fail(op, "block " + str(opts.block) +
                          " makes the padded slot count exceed 2^31 - 1");
    p += (n + opts.block - 1) / opts.block * opts.block;
    if (p > kMaxI32)
      return fail(op, "the padded slot count exceeds 2^31 - 1 at expert " +
                          str(ex) + " (block " + str(opts.block) + ")");
  }
  offsets.i[e] = (int32_t)p;
  slots = Tensor::i32({p}, std::vector<int32_t>(p, -1));
  for (int64_t ex = 0; ex < e; ++ex)
    for (size_t i = 0; i < perExpert[ex].size(); ++i)
      slots.i[offsets.i[ex] + i] = (int32_t)perExpert[ex][i];
  return Status::success();
}

//===----------------------------------------------------------------------===//
// dispatch
//===----------------------------------------------------------------------===//

/// Checks that every slot is -1 or in [0, t*k).
static Status checkSlots(const char *op, const Tensor &slots, int64_t t,
                         int64_t k) {
  for (int64_t p = 0; p < slots.numel(); ++p) {
    int64_t s = slots.i[p];
    if (s != -1 && (s < 0 || s / k >= t)) // s / k >= t: s >= T*k.
      return fail(op, "slot " + str(s) + " at position " + str(p) +
                          " is neither -1 nor in [0, T*k) with T = " + str(t) +
                          ", k = " + str(k));
  }
  return Status::success();
}

Status dispatch(const Tensor &x, const Tensor &slots, int64_t k, Tensor &xs) {
  const char *op = "dispatch";
  if (Status s = checkTensor(op, "x", x, DType::f32, 2); !s.ok)
    return s;
  if (Status s = checkTensor(op, "slots", slots, DType::i32, 1); !s.ok)
    return s;
  if (k < 1)
    return fail(op, "expects k >= 1, got " + str(k));
  int64_t t = x.dim(0), d = x.dim(1), np = slots.dim(0);
  if (Status s = checkSlots(op, slots, t, k); !s.ok)
    return s;
  xs = Tensor::zeros({np, d}, DType::f32);
  for (int64_t p = 0; p < np; ++p) {
    if (slots.i[p] < 0)
      continue;
    int64_t tok = slots.i[p] / k;
    std::copy(x.f.data() + (tok * d), x.f.data() + (tok * d) + d,
              xs.f.data() + (p * d));
  }
  return Status::success();
}

//===----------------------------------------------------------------------===//
// grouped_matmul
//===----------------------------------------------------------------------===//

namespace detail {

Status checkOffsets(const char *op, const Tensor &offsets, int64_t rows,
                    const char *rowsName) {
  int64_t n = offsets.dim(0);
  if (n < 1)
    return fail(op, "expects offsets with at least one entry, got " +
                        describe(offsets));
  if (offsets.i[0] != 0)
    return fail(op, "expects offsets[0] = 0, got " + str(offsets.i[0]));
  for (int64_t i = 1; i < n; ++i)
    if (offsets.i[i] < offsets.i[i - 1])
      return fail(op, "expects nondecreasing offsets, got offsets[" + str(i) +
                          "] = " + str(offsets.i[i]) + " < offsets[" +
                          str(i - 1) + "] = " + str(offsets.i[i - 1]));
  if (offsets.i[n - 1] != rows)
    return fail(op, "expects the last offset (offsets[" + str(n - 1) +
                        "] = " + str(offsets.i[n - 1]) + ") to equal the " +
                        rowsName + " (" + str(rows) + ")");
  return Status::success();
}

} // namespace detail

Status groupedMatmul(const Tensor &xs, const Tensor &w, const Tensor &offsets,
                     Tensor &ys) {
  const char *op = "grouped_matmul";
  if (Status s = checkTensor(op, "xs", xs, DType::f32, 2); !s.ok)
    return s;
  if (Status s = checkTensor(op, "w", w, DType::f32, 3); !s.ok)
    return s;
  if (Status s = checkTensor(op, "offsets", offsets, DType::i32, 1); !s.ok)
    return s;
  if (Status s = matchDim(op, "the contraction sizes", "xs", xs, 1, "w", w, 1);
      !s.ok)
    return s;
  int64_t e = w.dim(0), kk = w.dim(1), n = w.dim(2), np = xs.dim(0);
  if (Status s = matchShape(op, "offsets", offsets, {e + 1},
                            "one more than the experts of w");
      !s.ok)
    return s;
  if (Status s = checkOffsets(op, offsets, np, "row count of xs"); !s.ok)
    return s;
  ys = Tensor::zeros({np, n}, DType::f32);
  for (int64_t ex = 0; ex < e; ++ex)
    for (int64_t p = offsets.i[ex]; p < offsets.i[ex + 1]; ++p)
      for (int64_t c = 0; c < n; ++c) {
        double acc = 0.0;
        for (int64_t i = 0; i < kk; ++i)
          acc += (double)xs.f[p * kk + i] * (double)w.f[(ex * kk + i) * n + c];
        ys.f[p * n + c] = (float)acc;
      }
  return Status::success();
}

//===----------------------------------------------------------------------===//
// combine
//===----------------------------------------------------------------------===//

Status combine(const Tensor &ys, const Tensor &slots, const Tensor &weights,
               const Tensor &keep, std::optional<int64_t> k, Tensor &y) {
  const char *op = "combine";
  if (Status s = checkTensor(op, "ys", ys, DType::f32, 2); !s.ok)
    return s;
  if (Status s = checkTensor(op, "slots", slots, DType::i32, 1); !s.ok)
    return s;
  if (Status s = checkTensor(op, "weights", weights, DType::f32, 2); !s.ok)
    return s;
  if (Status s = checkMask(op, "keep", keep, 2); !s.ok)
    return s;
  if (Status s =
          matchDim(op, "the slot counts", "ys", ys, 0, "slots", slots, 0);
      !s.ok)
    return s;
  if (Status s =
          matchShape(op, "keep", keep, weights.shape, "the shape of weights");
      !s.ok)
    return s;
  int64_t t = weights.dim(0), kw = weights.dim(1), d = ys.dim(1);
  int64_t np = ys.dim(0);
  if (k && *k != kw)
    return fail(op, "expects k to equal weights dim 1 (" + str(kw) + "), got " +
                        str(*k));
  if (Status s = checkSlots(op, slots, t, kw); !s.ok)
    return s;
  // Position of each slot in `slots`, and how often it occurs.
  std::vector<int64_t> pos(t * kw, -1), seen(t * kw, 0);
  for (int64_t p = 0; p < np; ++p)
    if (slots.i[p] >= 0) {
      pos[slots.i[p]] = p;
      ++seen[slots.i[p]];
    }
  for (int64_t slot = 0; slot < t * kw; ++slot)
    if (keep.i[slot] != 0 && seen[slot] != 1)
      return fail(op, "kept slot " + str(slot) + " (token " + str(slot / kw) +
                          ", choice " + str(slot % kw) + ") appears " +
                          str(seen[slot]) +
                          " times in slots; it must appear exactly once");
  y = Tensor::zeros({t, d}, DType::f32);
  std::vector<double> acc(d);
  for (int64_t tok = 0; tok < t; ++tok) {
    std::fill(acc.begin(), acc.end(), 0.0);
    for (int64_t j = 0; j < kw; ++j) {
      int64_t slot = tok * kw + j;
      if (keep.i[slot] == 0)
        continue;
      double wv = weights.f[slot];
      const float *row = ys.f.data() + pos[slot] * d;
      for (int64_t c = 0; c < d; ++c)
        acc[c] += wv * (double)row[c];
    }
    for (int64_t c = 0; c < d; ++c)
      y.f[tok * d + c] = (float)acc[c];
  }
  return Status::success();
}

Status combinePerSlot(const Tensor &ys, const Tensor &slots,
                      const Tensor &slotWeights, int64_t numTokens, int64_t k,
                      Tensor &y) {
  const char *op = "combine";
  if (Status s = checkTensor(op, "ys", ys, DType::f32, 2); !s.ok)
    return s;
  if (Status s = checkTensor(op, "slots", slots, DType::i32, 1); !s.ok)
    return s;
  if (Status s = checkTensor(op, "slot_weights", slotWeights, DType::f32, 1);
      !s.ok)
    return s;
  if (Status s =
          matchDim(op, "the slot counts", "ys", ys, 0, "slots", slots, 0);
      !s.ok)
    return s;
  if (Status s = matchDim(op, "the slot counts", "slot_weights", slotWeights, 0,
                          "slots", slots, 0);
      !s.ok)
    return s;
  if (k < 1)
    return fail(op, "expects k >= 1, got " + str(k));
  if (numTokens < 0)
    return fail(op, "expects num_tokens >= 0, got " + str(numTokens));
  if (numTokens * k > kMaxI32)
    return fail(op, "expects T * k < 2^31, got T = " + str(numTokens) +
                        ", k = " + str(k));
  if (Status s = checkSlots(op, slots, numTokens, k); !s.ok)
    return s;
  int64_t d = ys.dim(1), np = ys.dim(0);
  std::vector<double> acc(numTokens * d, 0.0);
  for (int64_t p = 0; p < np; ++p) {
    if (slots.i[p] < 0)
      continue;
    int64_t tok = slots.i[p] / k;
    double wv = slotWeights.f[p];
    for (int64_t c = 0; c < d; ++c)
      acc[tok * d + c] += wv * (double)ys.f[p * d + c];
  }
  y = Tensor::zeros({numTokens, d}, DType::f32);
  for (size_t i = 0; i < acc.size(); ++i)
    y.f[i] = (float)acc[i];
  return Status::success();
}

} // namespace ref
} // namespace sluice
