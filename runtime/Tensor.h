//===- Tensor.h - host tensors of the Sluice runtime ------------*- C++ -*-===//
//
// The reference-counted dense tensor behind sluice_tensor_t, dtype helpers
// and the checked size arithmetic every shape goes through.
//
//===----------------------------------------------------------------------===//

#ifndef SLUICE_RUNTIME_TENSOR_H
#define SLUICE_RUNTIME_TENSOR_H

#include "sluice/runtime.h"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>

/// A dense row-major tensor. `data` points into `allocation`, which is
/// released with free() (tensors created by the runtime, and result buffers
/// adopted from a module, which the module allocated with malloc).
struct sluice_tensor {
  std::atomic<int64_t> refCount{1};
  sluice_dtype_t dtype = SLUICE_DTYPE_INVALID;
  int64_t rank = 0;
  int64_t shape[SLUICE_MAX_RANK] = {};
  int64_t numElements = 1;
  size_t numBytes = 0;
  void *allocation = nullptr;
  void *data = nullptr;
  /// Registered with sluice_uk_weights_register (bound to a weight input):
  /// unregistered when the tensor is freed.
  std::atomic<bool> weightRegistered{false};
};

namespace sluice {
namespace rt {

/// Whether `dtype` is one of the sluice_dtype_t values.
bool isValidDType(sluice_dtype_t dtype);

/// Product of `shape` times `elementSize` as a byte count; false on a
/// negative size or an overflow of int64 (then `numElements` / `numBytes`
/// are unspecified).
bool computeSize(int64_t rank, const int64_t *shape, size_t elementSize,
                 int64_t &numElements, size_t &numBytes);

/// "[2, 3]" (or "[]" for a scalar).
std::string shapeToString(int64_t rank, const int64_t *shape);

/// Allocates a zero-filled tensor, recording an error for `context` (the API
/// function name) on failure.
sluice_status_t createTensor(sluice_dtype_t dtype, int64_t rank,
                             const int64_t *shape, const char *context,
                             sluice_tensor_t **out);

/// Allocates an uninitialized tensor (the caller fills every byte).
sluice_status_t createTensorUninit(sluice_dtype_t dtype, int64_t rank,
                                   const int64_t *shape, const char *context,
                                   sluice_tensor_t **out);

/// Wraps a malloc'ed buffer that the tensor takes over (freed with free()).
sluice_status_t adoptBuffer(sluice_dtype_t dtype, int64_t rank,
                            const int64_t *shape, void *allocation, void *data,
                            const char *context, sluice_tensor_t **out);

/// Registers the tensor's data with the GEMM micro-kernel's weight cache
/// (sluice_uk_weights_register), once.
void registerWeight(sluice_tensor_t *tensor);

/// Checks that every byte of an i1 tensor is 0 or 1; on failure sets
/// `badIndex` to the first bad element.
bool checkBoolBytes(const uint8_t *data, int64_t count, int64_t &badIndex);

} // namespace rt
} // namespace sluice

#endif // SLUICE_RUNTIME_TENSOR_H
