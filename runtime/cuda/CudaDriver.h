//===- CudaDriver.h - the CUDA driver API loaded at run time ----*- C++ -*-===//
//
// The few driver types and entry points the runtime's CUDA device uses,
// declared here (no CUDA headers), resolved from the library dlopen'ed as
// libcuda.so.1 or $SLUICE_CUDA_DRIVER, and the once-per-process state of the
// device (driver, device 0, its primary context).
//
//===----------------------------------------------------------------------===//

#ifndef SLUICE_RUNTIME_CUDA_CUDADRIVER_H
#define SLUICE_RUNTIME_CUDA_CUDADRIVER_H

#include "sluice/cuda.h"

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace sluice {
namespace rt {
namespace cuda {

using CUresult = int;
using CUdevice = int;
using CUcontext = struct CUctx_st *;
using CUmodule = struct CUmod_st *;
using CUfunction = struct CUfunc_st *;
using CUstream = struct CUstream_st *;
using CUdeviceptr = unsigned long long;

constexpr CUresult CUDA_SUCCESS = 0;
constexpr int CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75;
constexpr int CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76;

/// The versioned entry points (cuda.h maps the unversioned names of the
/// memory functions to their _v2 symbols; cuCtxCreate changed its signature
/// in CUDA 13, so the primary context is used instead).
struct DriverApi {
  CUresult (*init)(unsigned flags);
  CUresult (*driverGetVersion)(int *version);
  CUresult (*deviceGetCount)(int *count);
  CUresult (*deviceGet)(CUdevice *device, int ordinal);
  CUresult (*deviceGetAttribute)(int *value, int attribute, CUdevice device);
  CUresult (*primaryCtxRetain)(CUcontext *ctx, CUdevice device);
  CUresult (*ctxSetCurrent)(CUcontext ctx);
  CUresult (*ctxSynchronize)();
  CUresult (*moduleLoadData)(CUmodule *module, const void *image);
  CUresult (*moduleUnload)(CUmodule module);
  CUresult (*moduleGetFunction)(CUfunction *function, CUmodule module,
                                const char *name);
  CUresult (*launchKernel)(CUfunction f, unsigned gridX, unsigned gridY,
                           unsigned gridZ, unsigned blockX, unsigned blockY,
                           unsigned blockZ, unsigned sharedBytes,
                           CUstream stream, void **params, void **extra);
  CUresult (*memAlloc)(CUdeviceptr *ptr, size_t bytes);
  CUresult (*memFree)(CUdeviceptr ptr);
  CUresult (*memcpyHtoD)(CUdeviceptr dst, const void *src, size_t bytes);
  CUresult (*memcpyDtoH)(void *dst, CUdeviceptr src, size_t bytes);
  /// Optional (null when the library lacks them): used by compiled host
  /// modules (CudaHost.cpp) for device-to-device copies and the device-error
  /// global.
  CUresult (*memcpyDtoD)(CUdeviceptr dst, CUdeviceptr src, size_t bytes);
  CUresult (*moduleGetGlobal)(CUdeviceptr *ptr, size_t *bytes, CUmodule module,
                              const char *name);
  /// Optional: only used to cross-check names the runtime does not know.
  CUresult (*getErrorName)(CUresult result, const char **name);
};

/// The runtime's own name of a CUresult (the stub's cuGetErrorName gives
/// nothing); null when unknown.
const char *resultName(CUresult result);

/// What a failing CUresult means for the caller.
sluice_cuda_status_t classify(CUresult result);

/// The usable device, or null after recording the reason as the calling
/// thread's error (SLUICE_ERROR_DEVICE, "<fn>: ...") and CUDA status.
/// Initializes on first use and makes the primary context current on the
/// calling thread. `generation` receives the driver's generation (bumped by
/// sluice_cuda_reset) so handles can tell they are stale.
const DriverApi *acquire(const char *fn, uint64_t *generation);

/// The current generation (handles made in another one are stale).
uint64_t currentGeneration();

/// Records a failed driver call `call` made by API function `fn`: the
/// thread's CUDA status and result, and the error message; returns the
/// sluice status (SLUICE_ERROR_OUT_OF_MEMORY for CUDA_ERROR_OUT_OF_MEMORY,
/// else SLUICE_ERROR_DEVICE). `detail` is appended when not empty.
sluice_status_t failDriver(const char *fn, const char *call, CUresult result,
                           const std::string &detail = std::string());

/// Resets the calling thread's CUDA status (every CUDA entry point calls it).
void clearCudaStatus();
/// Records a CUDA status without a driver result (runtime-side checks).
void setCudaStatus(sluice_cuda_status_t status, int result);

/// Whether a handle made in `generation` predates the last reset.
bool isStale(uint64_t generation);
/// Records SLUICE_ERROR_INVALID_ARGUMENT for a stale `what` passed to `fn`.
sluice_status_t staleHandle(const char *fn, const char *what);

} // namespace cuda
} // namespace rt
} // namespace sluice

/// A device allocation (sluice_cuda_buffer_t).
struct sluice_cuda_buffer {
  uint64_t generation = 0;
  sluice::rt::cuda::CUdeviceptr address = 0;
  size_t size = 0;
};

/// A loaded module and its kernel handles by name (sluice_cuda_module_t).
struct sluice_cuda_module {
  uint64_t generation = 0;
  sluice::rt::cuda::CUmodule module = nullptr;
  std::mutex mutex;
  std::map<std::string, sluice::rt::cuda::CUfunction> functions;
};

#endif // SLUICE_RUNTIME_CUDA_CUDADRIVER_H
