//===- Internal.h - helpers shared by the reference evaluator ---*- C++ -*-===//
//
// Operand validation, error formatting, the common selection order and small
// numeric helpers used by the op families of the reference evaluator. Not
// part of its interface.
//
//===----------------------------------------------------------------------===//

#ifndef SLUICE_RUNTIME_REFERENCE_INTERNAL_H
#define SLUICE_RUNTIME_REFERENCE_INTERNAL_H

#include "runtime/reference/Reference.h"

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace sluice {
namespace ref {
namespace detail {

/// Largest slot id / offset representable in an i32 index tensor.
constexpr int64_t kMaxI32 = 2147483647;

/// Formats `v` for a message: integers exactly, floats with %g.
std::string str(int64_t v);
std::string str(double v);
inline std::string str(int32_t v) { return str((int64_t)v); }

/// "[1, 2]".
std::string shapeStr(const std::vector<int64_t> &shape);

/// Error "sluice.<op>: <msg>".
Status fail(const char *op, const std::string &msg);

/// Checks that `t` is a well-formed tensor of type `dtype` and rank `rank`
/// (any rank when `rank` < 0): non-negative dims and as many elements as the
/// shape says.
Status checkTensor(const char *op, const char *name, const Tensor &t,
                   DType dtype, int64_t rank);

/// Like checkTensor for an integer tensor of either integer type (masks).
Status checkMask(const char *op, const char *name, const Tensor &t,
                 int64_t rank);

/// Checks that dim `ia` of `a` equals dim `ib` of `b`, naming both operands
/// and their shapes otherwise.
Status matchDim(const char *op, const char *what, const char *nameA,
                const Tensor &a, int64_t ia, const char *nameB, const Tensor &b,
                int64_t ib);

/// Checks `t`'s whole shape against `expected`.
Status matchShape(const char *op, const char *name, const Tensor &t,
                  const std::vector<int64_t> &expected, const char *why);

/// Checks that a float attribute is finite.
Status requireFinite(const char *op, const char *name, float v);

/// True when key `a` at index `ia` comes before key `b` at index `ib` in the
/// common selection order: by key (descending when `largest`), ties by the
/// lower index, NaN keys last in both directions.
inline bool precedes(float a, int64_t ia, float b, int64_t ib, bool largest) {
  bool na = std::isnan(a), nb = std::isnan(b);
  if (na || nb) {
    if (na && nb)
      return ia < ib;
    return nb;
  }
  if (a != b)
    return largest ? a > b : a < b;
  return ia < ib;
}

/// The indices of the `k` first of `keys[0..n)` in the common selection
/// order, in that order.
std::vector<int64_t> selectTop(const float *keys, int64_t n, int64_t k,
                               bool largest);

/// Same, with a key stride (keys[i * stride]).
std::vector<int64_t> selectTopStrided(const float *keys, int64_t n,
                                      int64_t stride, int64_t k, bool largest);

/// Softmax of `n` values (double), written to `out`. NaN anywhere gives NaN
/// everywhere, as the formula does.
void softmax(const double *z, int64_t n, double *out);

inline double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

/// Keep flags of the slots t*k+j of `indices[T,k]` (validated) under a
/// per-expert capacity: experts [0, numExperts) keep their first `capacity`
/// candidates in the order of `drop`; slots of other experts are kept, and
/// so is everything when `capacity` is 0.
std::vector<char> keptByCapacity(const int32_t *indices, const float *weights,
                                 int64_t t, int64_t k, int64_t numExperts,
                                 int64_t capacity, DropPolicy drop);

/// Checks that `offsets` (i32, rank 1) is nondecreasing from 0 to `rows`.
Status checkOffsets(const char *op, const Tensor &offsets, int64_t rows,
                    const char *rowsName);

/// Reads an integer mask element as valid / not valid.
inline bool valid(const Tensor *mask, int64_t idx) {
  return !mask || mask->i[idx] != 0;
}

} // namespace detail
} // namespace ref
} // namespace sluice

#endif // SLUICE_RUNTIME_REFERENCE_INTERNAL_H
