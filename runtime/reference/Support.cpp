//===- Support.cpp - tensor type, validation and selection helpers --------===//
//
// The Tensor type of the reference evaluator, the activations, and the
// validation / selection / softmax helpers the op families share.
//
//===----------------------------------------------------------------------===//

#include "runtime/reference/Internal.h"

#include <algorithm>
#include <cstdio>

namespace sluice {
namespace ref {

using namespace detail;

//===----------------------------------------------------------------------===//
// Tensor
//===----------------------------------------------------------------------===//

int64_t Tensor::numel() const {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0)
      return 0;
    if (d != 0 && n > INT64_MAX / d)
      return INT64_MAX; // Never matches a real element count.
    n *= d;
  }
  return n;
}

Tensor Tensor::f32(std::vector<int64_t> shape, std::vector<float> data) {
  Tensor t;
  t.shape = std::move(shape);
  t.dtype = DType::f32;
  t.f = std::move(data);
  return t;
}

Tensor Tensor::i32(std::vector<int64_t> shape, std::vector<int32_t> data) {
  Tensor t;
  t.shape = std::move(shape);
  t.dtype = DType::i32;
  t.i = std::move(data);
  return t;
}

Tensor Tensor::i1(std::vector<int64_t> shape, std::vector<int32_t> data) {
  Tensor t = i32(std::move(shape), std::move(data));
  t.dtype = DType::i1;
  return t;
}

Tensor Tensor::zeros(std::vector<int64_t> shape, DType dtype) {
  Tensor t;
  t.shape = std::move(shape);
  t.dtype = dtype;
  if (dtype == DType::f32)
    t.f.assign(t.numel(), 0.0f);
  else
    t.i.assign(t.numel(), 0);
  return t;
}

static const char *dtypeName(DType d) {
  switch (d) {
  case DType::f32:
    return "f32";
  case DType::i32:
    return "i32";
  case DType::i1:
    return "i1";
  }
  return "?";
}

std::string describe(const Tensor &t) {
  return shapeStr(t.shape) + " " + dtypeName(t.dtype);
}

//===----------------------------------------------------------------------===//
// Activations
//===----------------------------------------------------------------------===//

double activate(Activation act, double x) {
  switch (act) {
  case Activation::silu:
    return x / (1.0 + std::exp(-x));
  case Activation::gelu:
    return 0.5 * x * (1.0 + std::erf(x / std::sqrt(2.0)));
  case Activation::gelu_tanh: {
    const double c = std::sqrt(2.0 / 3.14159265358979323846);
    return 0.5 * x * (1.0 + std::tanh(c * (x + 0.044715 * x * x * x)));
  }
  case Activation::relu:
    return x < 0.0 ? 0.0 : x; // NaN propagates, as torch.relu.
  case Activation::sigmoid:
    return sigmoid(x);
  }
  return x;
}

namespace detail {

//===----------------------------------------------------------------------===//
// Messages and validation
//===----------------------------------------------------------------------===//

std::string str(int64_t v) { return std::to_string(v); }

std::string str(double v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%g", v);
  return buf;
}

std::string shapeStr(const std::vector<int64_t> &shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

Status fail(const char *op, const std::string &msg) {
  return Status::error(std::string("sluice.") + op + ": " + msg);
}

static Status checkLayout(const char *op, const char *name, const Tensor &t,
                          int64_t rank) {
  if (rank >= 0 && t.rank() != rank)
    return fail(op, std::string("expects ") + name + " of rank " + str(rank) +
                        ", got " + describe(t));
  for (int64_t d : t.shape)
    if (d < 0)
      return fail(op, std::string("expects non-negative dims for ") + name +
                          ", got " + describe(t));
  size_t have = t.dtype == DType::f32 ? t.f.size() : t.i.size();
  if ((int64_t)have != t.numel())
    return fail(op, std::string("expects ") + name + " " + describe(t) +
                        " to hold " + str(t.numel()) + " elements, got " +
                        str((int64_t)have));
  return Status::success();
}

Status checkTensor(const char *op, const char *name, const Tensor &t,
                   DType dtype, int64_t rank) {
  if (t.dtype != dtype)
    return fail(op, std::string("expects ") + name + " of element type " +
                        dtypeName(dtype) + ", got " + describe(t));
  return checkLayout(op, name, t, rank);
}

Status checkMask(const char *op, const char *name, const Tensor &t,
                 int64_t rank) {
  if (!t.isInteger())
    return fail(op, std::string("expects ") + name +
                        " of an integer type (a float mask is an error), got " +
                        describe(t));
  return checkLayout(op, name, t, rank);
}

Status matchDim(const char *op, const char *what, const char *nameA,
                const Tensor &a, int64_t ia, const char *nameB, const Tensor &b,
                int64_t ib) {
  if (a.dim(ia) == b.dim(ib))
    return Status::success();
  return fail(op, std::string("expects ") + what + " to match: " + nameA +
                      " dim " + str(ia) + " is " + str(a.dim(ia)) + " but " +
                      nameB + " dim " + str(ib) + " is " + str(b.dim(ib)) +
                      " (" + nameA + ": " + describe(a) + ", " + nameB + ": " +
                      describe(b) + ")");
}

Status matchShape(const char *op, const char *name, const Tensor &t,
                  const std::vector<int64_t> &expected, const char *why) {
  if (t.shape == expected)
    return Status::success();
  return fail(op, std::string("expects ") + name + " of shape " +
                      shapeStr(expected) + " (" + why + "), got " +
                      describe(t));
}

Status requireFinite(const char *op, const char *name, float v) {
  if (std::isfinite(v))
    return Status::success();
  return fail(op, std::string("expects a finite ") + name + ", got " +
                      str((double)v));
}

//===----------------------------------------------------------------------===//
// Selection and softmax
//===----------------------------------------------------------------------===//

std::vector<int64_t> selectTopStrided(const float *keys, int64_t n,
                                      int64_t stride, int64_t k, bool largest) {
  std::vector<int64_t> order(n);
  for (int64_t i = 0; i < n; ++i)
    order[i] = i;
  auto before = [&](int64_t a, int64_t b) {
    return precedes(keys[a * stride], a, keys[b * stride], b, largest);
  };
  k = std::max<int64_t>(0, std::min(k, n));
  std::partial_sort(order.begin(), order.begin() + k, order.end(), before);
  order.resize(k);
  return order;
}

std::vector<int64_t> selectTop(const float *keys, int64_t n, int64_t k,
                               bool largest) {
  return selectTopStrided(keys, n, 1, k, largest);
}

void softmax(const double *z, int64_t n, double *out) {
  if (n == 0)
    return;
  double m = z[0];
  bool hasNan = false;
  for (int64_t i = 0; i < n; ++i) {
    hasNan |= std::isnan(z[i]);
    m = std::max(m, z[i]);
  }
  if (hasNan) {
    for (int64_t i = 0; i < n; ++i)
      out[i] = NAN;
    return;
  }
  double sum = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    out[i] = std::exp(z[i] - m);
    sum += out[i];
  }
  for (int64_t i = 0; i < n; ++i)
    out[i] /= sum;
}

} // namespace detail
} // namespace ref
} // namespace sluice
