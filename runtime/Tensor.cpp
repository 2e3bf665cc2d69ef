//===- Tensor.cpp - host tensors of the Sluice runtime --------------------===//
//
// Creation, reference counting and queries of host tensors; dtype names.
//
//===----------------------------------------------------------------------===//

#include "runtime/Tensor.h"
#include "runtime/Status.h"
#include "sluice/ukernels.h"

#include <cinttypes>
#include <cstdlib>
#include <cstring>
#include <new>

using namespace sluice::rt;

namespace {
constexpr size_t kAlignment = 64;

/// Allocates `bytes` (at least one alignment unit) aligned to kAlignment.
void *alignedAlloc(size_t bytes) {
  size_t rounded = bytes < kAlignment ? kAlignment : bytes;
  void *ptr = nullptr;
  if (posix_memalign(&ptr, kAlignment, rounded) != 0)
    return nullptr;
  return ptr;
}
} // namespace

bool sluice::rt::isValidDType(sluice_dtype_t dtype) {
  return dtype >= SLUICE_DTYPE_F32 && dtype <= SLUICE_DTYPE_F64;
}

bool sluice::rt::computeSize(int64_t rank, const int64_t *shape,
                             size_t elementSize, int64_t &numElements,
                             size_t &numBytes) {
  int64_t count = 1;
  for (int64_t k = 0; k < rank; ++k) {
    if (shape[k] < 0 || __builtin_mul_overflow(count, shape[k], &count))
      return false;
  }
  int64_t bytes;
  if (__builtin_mul_overflow(count, static_cast<int64_t>(elementSize), &bytes))
    return false;
  numElements = count;
  numBytes = static_cast<size_t>(bytes);
  return true;
}

std::string sluice::rt::shapeToString(int64_t rank, const int64_t *shape) {
  std::string out = "[";
  for (int64_t k = 0; k < rank; ++k) {
    if (k)
      out += ", ";
    out += std::to_string(shape[k]);
  }
  return out + "]";
}

bool sluice::rt::checkBoolBytes(const uint8_t *data, int64_t count,
                                int64_t &badIndex) {
  for (int64_t i = 0; i < count; ++i) {
    if (data[i] > 1) {
      badIndex = i;
      return false;
    }
  }
  return true;
}

static sluice_status_t makeTensor(sluice_dtype_t dtype, int64_t rank,
                                  const int64_t *shape, const char *context,
                                  bool zero, sluice_tensor_t **out) {
  if (!out)
    return failf(SLUICE_ERROR_INVALID_ARGUMENT, "%s: 'out' is null", context);
  *out = nullptr;
  if (!isValidDType(dtype))
    return failf(SLUICE_ERROR_DTYPE, "%s: invalid dtype %d", context,
                 static_cast<int>(dtype));
  if (rank < 0 || rank > SLUICE_MAX_RANK)
    return failf(SLUICE_ERROR_SHAPE,
                 "%s: rank %" PRId64 " is out of range [0, %d]", context, rank,
                 SLUICE_MAX_RANK);
  if (rank > 0 && !shape)
    return failf(SLUICE_ERROR_INVALID_ARGUMENT, "%s: 'shape' is null", context);
  int64_t numElements;
  size_t numBytes;
  if (!computeSize(rank, shape, sluice_dtype_size(dtype), numElements,
                   numBytes))
    return failf(SLUICE_ERROR_SHAPE,
                 "%s: shape %s has a negative size or overflows", context,
                 shapeToString(rank, shape).c_str());
  auto *tensor = new (std::nothrow) sluice_tensor();
  void *buffer = alignedAlloc(numBytes);
  if (!tensor || !buffer) {
    delete tensor;
    std::free(buffer);
    return failf(SLUICE_ERROR_OUT_OF_MEMORY,
                 "%s: cannot allocate %zu bytes for a tensor of shape %s",
                 context, numBytes, shapeToString(rank, shape).c_str());
  }
  if (zero)
    std::memset(buffer, 0, numBytes);
  tensor->dtype = dtype;
  tensor->rank = rank;
  for (int64_t k = 0; k < rank; ++k)
    tensor->shape[k] = shape[k];
  tensor->numElements = numElements;
  tensor->numBytes = numBytes;
  tensor->allocation = buffer;
  tensor->data = buffer;
  *out = tensor;
  return SLUICE_OK;
}

sluice_status_t sluice::rt::createTensor(sluice_dtype_t dtype, int64_t rank,
                                         const int64_t *shape,
                                         const char *context,
                                         sluice_tensor_t **out) {
  return makeTensor(dtype, rank, shape, context, /*zero=*/true, out);
}

sluice_status_t sluice::rt::createTensorUninit(sluice_dtype_t dtype,
                                               int64_t rank,
                                               const int64_t *shape,
                                               const char *context,
                                               sluice_tensor_t **out) {
  return makeTensor(dtype, rank, shape, context, /*zero=*/false, out);
}

sluice_status_t sluice::rt::adoptBuffer(sluice_dtype_t dtype, int64_t rank,
                                        const int64_t *shape, void *allocation,
                                        void *data, const char *context,
                                        sluice_tensor_t **out) {
  *out = nullptr;
  int64_t numElements;
  size_t numBytes;
  if (rank < 0 || rank > SLUICE_MAX_RANK ||
      !computeSize(rank, shape, sluice_dtype_size(dtype), numElements,
                   numBytes))
    return failf(SLUICE_ERROR_SHAPE, "%s: bad shape %s", context,
                 shapeToString(rank, shape).c_str());
  auto *tensor = new (std::nothrow) sluice_tensor();
  if (!tensor)
    return failf(SLUICE_ERROR_OUT_OF_MEMORY, "%s: out of memory", context);
  tensor->dtype = dtype;
  tensor->rank = rank;
  for (int64_t k = 0; k < rank; ++k)
    tensor->shape[k] = shape[k];
  tensor->numElements = numElements;
  tensor->numBytes = numBytes;
  tensor->allocation = allocation;
  tensor->data = data;
  *out = tensor;
  return SLUICE_OK;
}

void sluice::rt::registerWeight(sluice_tensor_t *tensor) {
  if (tensor->numBytes == 0 ||
      tensor->weightRegistered.exchange(true, std::memory_order_acq_rel))
    return;
  sluice_uk_weights_register(tensor->data,
                             static_cast<int64_t>(tensor->numBytes));
}

extern "C" {

SLUICE_API const char *sluice_dtype_name(sluice_dtype_t dtype) {
  switch (dtype) {
  case SLUICE_DTYPE_F32:
    return "f32";
  case SLUICE_DTYPE_I32:
    return "i32";
  case SLUICE_DTYPE_I64:
    return "i64";
  case SLUICE_DTYPE_I8:
    return "i8";
  case SLUICE_DTYPE_I1:
    return "i1";
  case SLUICE_DTYPE_U8:
    return "u8";
  case SLUICE_DTYPE_F64:
    return "f64";
  default:
    return "invalid";
  }
}

SLUICE_API size_t sluice_dtype_size(sluice_dtype_t dtype) {
  switch (dtype) {
  case SLUICE_DTYPE_F32:
  case SLUICE_DTYPE_I32:
    return 4;
  case SLUICE_DTYPE_I64:
  case SLUICE_DTYPE_F64:
    return 8;
  case SLUICE_DTYPE_I8:
  case SLUICE_DTYPE_I1:
  case SLUICE_DTYPE_U8:
    return 1;
  default:
    return 0;
  }
}

SLUICE_API sluice_status_t sluice_tensor_create(sluice_dtype_t dtype,
                                                int64_t rank,
                                                const int64_t *shape,
                                                sluice_tensor_t **out) {
  clearError();
  return createTensor(dtype, rank, shape, "sluice_tensor_create", out);
}

SLUICE_API sluice_status_t sluice_tensor_create_copy(sluice_dtype_t dtype,
                                                     int64_t rank,
                                                     const int64_t *shape,
                                                     const void *data,
                                                     sluice_tensor_t **out) {
  clearError();
  const char *fn = "sluice_tensor_create_copy";
  sluice_status_t status = createTensorUninit(dtype, rank, shape, fn, out);
  if (status != SLUICE_OK)
    return status;
  if ((*out)->numBytes == 0)
    return SLUICE_OK;
  if (!data) {
    sluice_tensor_free(*out);
    *out = nullptr;
    return failf(SLUICE_ERROR_INVALID_ARGUMENT, "%s: 'data' is null", fn);
  }
  std::memcpy((*out)->data, data, (*out)->numBytes);
  return SLUICE_OK;
}

SLUICE_API void sluice_tensor_retain(sluice_tensor_t *tensor) {
  if (tensor)
    tensor->refCount.fetch_add(1, std::memory_order_relaxed);
}

SLUICE_API void sluice_tensor_contents_changed(sluice_tensor_t *tensor) {
  if (tensor && tensor->weightRegistered.load(std::memory_order_acquire))
    sluice_uk_weights_changed(tensor->data,
                              static_cast<int64_t>(tensor->numBytes));
}

SLUICE_API void sluice_tensor_free(sluice_tensor_t *tensor) {
  if (!tensor || tensor->refCount.fetch_sub(1, std::memory_order_acq_rel) != 1)
    return;
  if (tensor->weightRegistered.load(std::memory_order_acquire))
    sluice_uk_weights_unregister(tensor->data,
                                 static_cast<int64_t>(tensor->numBytes));
  std::free(tensor->allocation);
  delete tensor;
}

SLUICE_API void *sluice_tensor_data(const sluice_tensor_t *tensor) {
  return tensor ? tensor->data : nullptr;
}

SLUICE_API sluice_dtype_t sluice_tensor_dtype(const sluice_tensor_t *tensor) {
  return tensor ? tensor->dtype : SLUICE_DTYPE_INVALID;
}

SLUICE_API int64_t sluice_tensor_rank(const sluice_tensor_t *tensor) {
  return tensor ? tensor->rank : -1;
}

SLUICE_API int64_t sluice_tensor_dim(const sluice_tensor_t *tensor,
                                     int64_t dim) {
  if (!tensor || dim < 0 || dim >= tensor->rank)
    return -1;
  return tensor->shape[dim];
}

SLUICE_API const int64_t *sluice_tensor_shape(const sluice_tensor_t *tensor) {
  return tensor ? tensor->shape : nullptr;
}

SLUICE_API int64_t sluice_tensor_num_elements(const sluice_tensor_t *tensor) {
  return tensor ? tensor->numElements : 0;
}

SLUICE_API size_t sluice_tensor_num_bytes(const sluice_tensor_t *tensor) {
  return tensor ? tensor->numBytes : 0;
}

} // extern "C"
