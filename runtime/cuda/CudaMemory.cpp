//===- CudaMemory.cpp - CUDA device buffers and copies --------------------===//
//
// sluice_cuda_buffer_* and the host<->device copies (of raw bytes and of
// whole host tensors) on top of CudaDriver (docs/cuda-runtime.md).
//
//===----------------------------------------------------------------------===//

#include "runtime/Status.h"
#include "runtime/Tensor.h"
#include "runtime/cuda/CudaDriver.h"

#include <new>
#include <string>

using namespace sluice::rt;
using namespace sluice::rt::cuda;

extern "C" {

SLUICE_API sluice_status_t
sluice_cuda_buffer_create(size_t numBytes, sluice_cuda_buffer_t **out) {
  const char *fn = "sluice_cuda_buffer_create";
  clearError();
  clearCudaStatus();
  SLUICE_CHECK_ARG(out, "sluice_cuda_buffer_create");
  *out = nullptr;
  uint64_t generation;
  const DriverApi *api = acquire(fn, &generation);
  if (!api)
    return SLUICE_ERROR_DEVICE;
  auto *buffer = new (std::nothrow) sluice_cuda_buffer();
  if (!buffer)
    return fail(SLUICE_ERROR_OUT_OF_MEMORY,
                "sluice_cuda_buffer_create: out of memory");
  buffer->generation = generation;
  buffer->size = numBytes;
  if (numBytes > 0) {
    CUresult r = api->memAlloc(&buffer->address, numBytes);
    if (r != CUDA_SUCCESS) {
      delete buffer;
      return failDriver(fn, "cuMemAlloc_v2", r, format("%zu bytes", numBytes));
    }
  }
  *out = buffer;
  return SLUICE_OK;
}

SLUICE_API void sluice_cuda_buffer_free(sluice_cuda_buffer_t *buffer) {
  if (!buffer)
    return;
  if (buffer->address && !isStale(buffer->generation)) {
    // Errors are dropped: there is no status to return them through.
    if (const DriverApi *api = acquire("sluice_cuda_buffer_free", nullptr))
      api->memFree(buffer->address);
    clearError();
    clearCudaStatus();
  }
  delete buffer;
}

SLUICE_API uint64_t
sluice_cuda_buffer_address(const sluice_cuda_buffer_t *buffer) {
  return buffer ? buffer->address : 0;
}

SLUICE_API size_t sluice_cuda_buffer_size(const sluice_cuda_buffer_t *buffer) {
  return buffer ? buffer->size : 0;
}

SLUICE_API sluice_status_t sluice_cuda_copy_to_device(sluice_cuda_buffer_t *dst,
                                                      size_t dstOffset,
                                                      const void *src,
                                                      size_t numBytes) {
  const char *fn = "sluice_cuda_copy_to_device";
  clearError();
  clearCudaStatus();
  SLUICE_CHECK_ARG(dst, "sluice_cuda_copy_to_device");
  if (!src && numBytes)
    return fail(SLUICE_ERROR_INVALID_ARGUMENT,
                "sluice_cuda_copy_to_device: argument 'src' is null");
  if (isStale(dst->generation))
    return staleHandle(fn, "the buffer");
  if (dstOffset > dst->size || numBytes > dst->size - dstOffset)
    return failf(SLUICE_ERROR_INVALID_ARGUMENT,
                 "%s: bytes [%zu, %zu + %zu) are outside the %zu-byte buffer",
                 fn, dstOffset, dstOffset, numBytes, dst->size);
  const DriverApi *api = acquire(fn, nullptr);
  if (!api)
    return SLUICE_ERROR_DEVICE;
  if (numBytes == 0)
    return SLUICE_OK;
  CUresult r = api->memcpyHtoD(dst->address + dstOffset, src, numBytes);
  return r == CUDA_SUCCESS ? SLUICE_OK : failDriver(fn, "cuMemcpyHtoD_v2", r);
}

SLUICE_API sluice_status_t
sluice_cuda_copy_to_host(void *dst, const sluice_cuda_buffer_t *src,
                         size_t srcOffset, size_t numBytes) {
  const char *fn = "sluice_cuda_copy_to_host";
  clearError();
  clearCudaStatus();
  SLUICE_CHECK_ARG(src, "sluice_cuda_copy_to_host");
  if (!dst && numBytes)
    return fail(SLUICE_ERROR_INVALID_ARGUMENT,
                "sluice_cuda_copy_to_host: argument 'dst' is null");
  if (isStale(src->generation))
    return staleHandle(fn, "the buffer");
  if (srcOffset > src->size || numBytes > src->size - srcOffset)
    return failf(SLUICE_ERROR_INVALID_ARGUMENT,
                 "%s: bytes [%zu, %zu + %zu) are outside the %zu-byte buffer",
                 fn, srcOffset, srcOffset, numBytes, src->size);
  const DriverApi *api = acquire(fn, nullptr);
  if (!api)
    return SLUICE_ERROR_DEVICE;
  if (numBytes == 0)
    return SLUICE_OK;
  CUresult r = api->memcpyDtoH(dst, src->address + srcOffset, numBytes);
  return r == CUDA_SUCCESS ? SLUICE_OK : failDriver(fn, "cuMemcpyDtoH_v2", r);
}

SLUICE_API sluice_status_t sluice_cuda_tensor_upload(
    const sluice_tensor_t *tensor, sluice_cuda_buffer_t **out) {
  clearError();
  SLUICE_CHECK_ARG(tensor, "sluice_cuda_tensor_upload");
  SLUICE_CHECK_ARG(out, "sluice_cuda_tensor_upload");
  *out = nullptr;
  sluice_cuda_buffer_t *buffer = nullptr;
  sluice_status_t s = sluice_cuda_buffer_create(tensor->numBytes, &buffer);
  if (s != SLUICE_OK)
    return s;
  s = sluice_cuda_copy_to_device(buffer, 0, tensor->data, tensor->numBytes);
  if (s != SLUICE_OK) {
    std::string message = sluice_last_error();
    sluice_cuda_status_t cudaStatus = sluice_cuda_last_status();
    int result = sluice_cuda_last_result();
    sluice_cuda_buffer_free(buffer);
    setCudaStatus(cudaStatus, result);
    return fail(s, message);
  }
  *out = buffer;
  return SLUICE_OK;
}

SLUICE_API sluice_status_t sluice_cuda_tensor_download(
    const sluice_cuda_buffer_t *buffer, sluice_tensor_t *tensor) {
  clearError();
  SLUICE_CHECK_ARG(buffer, "sluice_cuda_tensor_download");
  SLUICE_CHECK_ARG(tensor, "sluice_cuda_tensor_download");
  if (buffer->size < tensor->numBytes)
    return failf(SLUICE_ERROR_SHAPE,
                 "sluice_cuda_tensor_download: the tensor needs %zu bytes, "
                 "the buffer has %zu",
                 tensor->numBytes, buffer->size);
  return sluice_cuda_copy_to_host(tensor->data, buffer, 0, tensor->numBytes);
}

} // extern "C"
