//===- Convert.cpp - exact dtype conversion of host tensors ---------------===//
//
// sluice_tensor_convert: element-wise conversion that succeeds only when
// every value is exactly representable in the target dtype.
//
//===----------------------------------------------------------------------===//

#include "runtime/Status.h"
#include "runtime/Tensor.h"

#include <cinttypes>
#include <cmath>
#include <cstring>

using namespace sluice::rt;

namespace {
/// Whether `dtype` is a floating-point type.
bool isFloat(sluice_dtype_t dtype) {
  return dtype == SLUICE_DTYPE_F32 || dtype == SLUICE_DTYPE_F64;
}

/// Element `i` of an integer tensor, widened.
int64_t loadInt(const void *data, sluice_dtype_t dtype, int64_t i) {
  switch (dtype) {
  case SLUICE_DTYPE_I32:
    return static_cast<const int32_t *>(data)[i];
  case SLUICE_DTYPE_I64:
    return static_cast<const int64_t *>(data)[i];
  case SLUICE_DTYPE_I8:
    return static_cast<const int8_t *>(data)[i];
  case SLUICE_DTYPE_I1:
  case SLUICE_DTYPE_U8:
    return static_cast<const uint8_t *>(data)[i];
  default:
    return 0;
  }
}

/// Element `i` of a floating-point tensor, widened.
double loadFloat(const void *data, sluice_dtype_t dtype, int64_t i) {
  if (dtype == SLUICE_DTYPE_F32)
    return static_cast<const float *>(data)[i];
  return static_cast<const double *>(data)[i];
}

/// Integer range of an integer dtype.
void intRange(sluice_dtype_t dtype, int64_t &lo, int64_t &hi) {
  switch (dtype) {
  case SLUICE_DTYPE_I32:
    lo = INT32_MIN, hi = INT32_MAX;
    return;
  case SLUICE_DTYPE_I8:
    lo = INT8_MIN, hi = INT8_MAX;
    return;
  case SLUICE_DTYPE_U8:
    lo = 0, hi = UINT8_MAX;
    return;
  case SLUICE_DTYPE_I1:
    lo = 0, hi = 1;
    return;
  default:
    lo = INT64_MIN, hi = INT64_MAX;
    return;
  }
}

void storeInt(void *data, sluice_dtype_t dtype, int64_t i, int64_t v) {
  switch (dtype) {
  case SLUICE_DTYPE_I32:
    static_cast<int32_t *>(data)[i] = static_cast<int32_t>(v);
    return;
  case SLUICE_DTYPE_I64:
    static_cast<int64_t *>(data)[i] = v;
    return;
  case SLUICE_DTYPE_I8:
    static_cast<int8_t *>(data)[i] = static_cast<int8_t>(v);
    return;
  case SLUICE_DTYPE_I1:
  case SLUICE_DTYPE_U8:
    static_cast<uint8_t *>(data)[i] = static_cast<uint8_t>(v);
    return;
  default:
    return;
  }
}

/// Converts integer `v` to a float dtype if exact.
bool intToFloat(int64_t v, sluice_dtype_t dtype, void *data, int64_t i) {
  const double limit = 9223372036854775808.0; // 2^63
  if (dtype == SLUICE_DTYPE_F32) {
    float f = static_cast<float>(v);
    if (!(f < limit && f >= -limit) || static_cast<int64_t>(f) != v)
      return false;
    static_cast<float *>(data)[i] = f;
    return true;
  }
  double d = static_cast<double>(v);
  if (!(d < limit && d >= -limit) || static_cast<int64_t>(d) != v)
    return false;
  static_cast<double *>(data)[i] = d;
  return true;
}

/// Converts float `v` to `dtype` if exact.
bool floatTo(double v, sluice_dtype_t dtype, void *data, int64_t i) {
  if (dtype == SLUICE_DTYPE_F64) {
    static_cast<double *>(data)[i] = v;
    return true;
  }
  if (dtype == SLUICE_DTYPE_F32) {
    float f = static_cast<float>(v);
    if (!std::isnan(v) && static_cast<double>(f) != v)
      return false;
    static_cast<float *>(data)[i] = f;
    return true;
  }
  if (!std::isfinite(v) || std::trunc(v) != v)
    return false;
  if (!(v >= -9223372036854775808.0 && v < 9223372036854775808.0))
    return false;
  int64_t x = static_cast<int64_t>(v), lo, hi;
  intRange(dtype, lo, hi);
  if (x < lo || x > hi)
    return false;
  storeInt(data, dtype, i, x);
  return true;
}
} // namespace

extern "C" {

SLUICE_API sluice_status_t sluice_tensor_convert(const sluice_tensor_t *src,
                                                 sluice_dtype_t dtype,
                                                 sluice_tensor_t **out) {
  clearError();
  const char *fn = "sluice_tensor_convert";
  SLUICE_CHECK_ARG(src, "sluice_tensor_convert");
  sluice_status_t status =
      createTensorUninit(dtype, src->rank, src->shape, fn, out);
  if (status != SLUICE_OK)
    return status;
  sluice_tensor_t *dst = *out;
  if (dtype == src->dtype) {
    std::memcpy(dst->data, src->data, src->numBytes);
    return SLUICE_OK;
  }
  bool fromFloat = isFloat(src->dtype);
  for (int64_t i = 0; i < src->numElements; ++i) {
    bool ok;
    if (fromFloat) {
      double v = loadFloat(src->data, src->dtype, i);
      ok = floatTo(v, dtype, dst->data, i);
      if (!ok) {
        sluice_tensor_free(dst);
        *out = nullptr;
        return failf(SLUICE_ERROR_DTYPE,
                     "%s: element %" PRId64 " (%.17g) of a %s tensor is not "
                     "exactly representable as %s",
                     fn, i, v, sluice_dtype_name(src->dtype),
                     sluice_dtype_name(dtype));
      }
      continue;
    }
    int64_t v = loadInt(src->data, src->dtype, i);
    if (isFloat(dtype)) {
      ok = intToFloat(v, dtype, dst->data, i);
    } else {
      int64_t lo, hi;
      intRange(dtype, lo, hi);
      ok = v >= lo && v <= hi;
      if (ok)
        storeInt(dst->data, dtype, i, v);
    }
    if (!ok) {
      sluice_tensor_free(dst);
      *out = nullptr;
      return failf(SLUICE_ERROR_DTYPE,
                   "%s: element %" PRId64 " (%" PRId64 ") of a %s tensor is "
                   "not exactly representable as %s",
                   fn, i, v, sluice_dtype_name(src->dtype),
                   sluice_dtype_name(dtype));
    }
  }
  return SLUICE_OK;
}

} // extern "C"
