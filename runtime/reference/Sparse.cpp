//===- Sparse.cpp - reference sparsify, sparse_matmul, topk ---------------===//
//
// Reference semantics of the sparse-activation ops (threshold / top-k / WINA
// selection, and the GEMM that reads only the weight rows of selected
// inputs) and of the topk primitive.
//
//===----------------------------------------------------------------------===//

#include "runtime/reference/Internal.h"

#include <algorithm>

namespace sluice {
namespace ref {

using namespace detail;

/// The attribute and operand rules shared by sparsify and sparse_matmul.
/// `wnormRequired`: wina needs the wnorm operand (sparsify only).
static Status verifySparsify(const char *op, const SparsifyOptions &o,
                             const Tensor *wnorm, int64_t n,
                             bool wnormRequired) {
  Status s;
  if (wnormRequired && o.mode == SparsifyMode::wina && !wnorm)
    return fail(op, "mode wina expects the operand wnorm");
  if (o.mode != SparsifyMode::wina && wnorm)
    return fail(op, "wnorm is only used by mode wina");
  if (wnorm && (!(s = checkTensor(op, "wnorm", *wnorm, DType::f32, 1)).ok ||
                !(s = matchShape(op, "wnorm", *wnorm, {n}, "[N] of x")).ok))
    return s;
  if (o.mode == SparsifyMode::threshold) {
    if (!o.tau)
      return fail(op, "mode threshold expects the attribute tau");
    if (o.k)
      return fail(op, "mode threshold takes no k (did you mean mode topk?)");
    return requireFinite(op, "tau", *o.tau);
  }
  if (!o.k)
    return fail(op, "mode topk/wina expects the attribute k");
  if (o.tau)
    return fail(op, "mode topk/wina takes no tau");
  if (*o.k < 0 || *o.k > n)
    return fail(op, "expects 0 <= k <= inputs per row (" + str(n) + "), got " +
                        str(*o.k));
  return Status::success();
}

/// Marks in `sel` the entries of row `x[N]` that sparsify keeps. `wnorm` is
/// used by mode wina only.
static void selectRow(const float *x, int64_t n, const float *wnorm,
                      const SparsifyOptions &o, std::vector<char> &sel) {
  sel.assign(n, 0);
  if (o.mode == SparsifyMode::threshold) {
    for (int64_t i = 0; i < n; ++i)
      sel[i] = std::fabs(x[i]) > *o.tau; // NaN is never kept.
    return;
  }
  std::vector<float> key(n);
  for (int64_t i = 0; i < n; ++i)
    key[i] = o.mode == SparsifyMode::wina ? std::fabs(x[i]) * wnorm[i]
                                          : std::fabs(x[i]);
  for (int64_t i : selectTop(key.data(), n, *o.k, /*largest=*/true))
    sel[i] = 1;
}

Status sparsify(const Tensor &x, const Tensor *wnorm,
                const SparsifyOptions &opts, Tensor &out) {
  const char *op = "sparsify";
  if (Status s = checkTensor(op, "x", x, DType::f32, 2); !s.ok)
    return s;
  int64_t t = x.dim(0), n = x.dim(1);
  if (Status s = verifySparsify(op, opts, wnorm, n, true); !s.ok)
    return s;
  out = Tensor::zeros(x.shape, DType::f32);
  std::vector<char> sel;
  for (int64_t row = 0; row < t; ++row) {
    selectRow(x.f.data() + (row * n), n, wnorm ? wnorm->f.data() : nullptr,
              opts, sel);
    for (int64_t i = 0; i < n; ++i)
      if (sel[i])
        out.f[row * n + i] = x.f[row * n + i];
  }
  return Status::success();
}

Status sparseMatmul(const Tensor &x, const Tensor &w, const Tensor *wnorm,
                    const SparsifyOptions &opts, Tensor &out) {
  const char *op = "sparse_matmul";
  Status s;
  if (!(s = checkTensor(op, "x", x, DType::f32, 2)).ok ||
      !(s = checkTensor(op, "w", w, DType::f32, 2)).ok ||
      !(s = matchDim(op, "the contraction sizes", "x", x, 1, "w", w, 0)).ok)
    return s;
  int64_t t = x.dim(0), n = x.dim(1), m = w.dim(1);
  if (!(s = verifySparsify(op, opts, wnorm, n, false)).ok)
    return s;
  // WINA without wnorm: the L2 norm of each row of w, rounded to f32.
  std::vector<float> norms;
  const float *wn = wnorm ? wnorm->f.data() : nullptr;
  if (opts.mode == SparsifyMode::wina && !wnorm) {
    norms.resize(n);
    for (int64_t i = 0; i < n; ++i) {
      double acc = 0.0;
      for (int64_t c = 0; c < m; ++c)
        acc += (double)w.f[i * m + c] * (double)w.f[i * m + c];
      norms[i] = (float)std::sqrt(acc);
    }
    wn = norms.data();
  }
  out = Tensor::zeros({t, m}, DType::f32);
  std::vector<char> sel;
  std::vector<double> acc(m);
  for (int64_t row = 0; row < t; ++row) {
    const float *xr = x.f.data() + (row * n);
    selectRow(xr, n, wn, opts, sel);
    std::fill(acc.begin(), acc.end(), 0.0);
    for (int64_t i = 0; i < n; ++i) {
      if (!sel[i] || xr[i] == 0.0f)
        continue; // Row i of w is never read.
      for (int64_t c = 0; c < m; ++c)
        acc[c] += (double)xr[i] * (double)w.f[i * m + c];
    }
    for (int64_t c = 0; c < m; ++c)
      out.f[row * m + c] = (float)acc[c];
  }
  return Status::success();
}

Status topk(const Tensor &x, const TopkOptions &opts, Tensor &values,
            Tensor &indices) {
  const char *op = "topk";
  if (Status s = checkTensor(op, "x", x, DType::f32, -1); !s.ok)
    return s;
  if (x.rank() < 1)
    return fail(op, "expects x of rank >= 1, got " + describe(x));
  int64_t n = x.shape.back(), k = opts.k;
  if (k < 0 || k > n)
    return fail(op, "expects 0 <= k <= size of the last dim (" + str(n) +
                        "), got " + str(k));
  if (n > kMaxI32)
    return fail(op, "expects the last dim to fit i32 indices, got " + str(n));
  std::vector<int64_t> shape = x.shape;
  shape.back() = k;
  values = Tensor::zeros(shape, DType::f32);
  indices = Tensor::zeros(shape, DType::i32);
  int64_t rows = n == 0 ? 0 : x.numel() / n;
  for (int64_t row = 0; row < rows; ++row) {
    std::vector<int64_t> picked =
        selectTop(x.f.data() + (row * n), n, k, opts.largest);
    for (int64_t j = 0; j < k; ++j) {
      values.f[row * k + j] = x.f[row * n + picked[j]];
      indices.i[row * k + j] = (int32_t)picked[j];
    }
  }
  return Status::success();
}

} // namespace ref
} // namespace sluice
