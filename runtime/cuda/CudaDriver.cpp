//===- CudaDriver.cpp - loading the CUDA driver and the device state ------===//
//
// dlopen of libcuda.so.1 (or $SLUICE_CUDA_DRIVER), the versioned entry
// points, cuInit / device 0 / its primary context, the status of the device
// with its one-line reason, the runtime's table of CUresult names, and the
// thread-local status of the last CUDA call.
//
//===----------------------------------------------------------------------===//

#include "runtime/cuda/CudaDriver.h"
#include "runtime/Status.h"

#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <mutex>

using namespace sluice::rt;
using namespace sluice::rt::cuda;

namespace {

struct ResultName {
  int code;
  const char *name;
};

/// Every CUresult of CUDA 13's cuda.h (a unit test compares the two when
/// the toolkit is installed).
const ResultName resultNames[] = {
#include "runtime/cuda/CudaResultNames.inc"
};

/// The device as found by the first call after start-up or a reset.
struct DeviceState {
  bool attempted = false;
  sluice_cuda_status_t status = SLUICE_CUDA_NO_DRIVER;
  int result = 0;
  std::string message;
  std::string path;
  void *handle = nullptr;
  DriverApi api = {};
  CUresult (*primaryCtxRelease)(CUdevice) = nullptr;
  CUdevice device = 0;
  CUcontext context = nullptr;
  int deviceCount = 0;
  int ccMajor = 0;
  int ccMinor = 0;
  int driverVersion = 0;
};

std::mutex stateMutex;
DeviceState state;
uint64_t generation = 1;

thread_local sluice_cuda_status_t lastStatus = SLUICE_CUDA_OK;
thread_local int lastResult = 0;

/// Explains a status for the one-line messages.
const char *explain(sluice_cuda_status_t status) {
  switch (status) {
  case SLUICE_CUDA_STUB_LIBRARY:
    return "the library is the CUDA toolkit's link-time stub, not a driver";
  case SLUICE_CUDA_NO_DEVICE:
    return "the driver found no CUDA device";
  case SLUICE_CUDA_UNAVAILABLE:
    return "the device or driver is unavailable or misconfigured";
  case SLUICE_CUDA_UNSUPPORTED_PTX:
    return "the PTX ISA version is newer than this driver supports";
  case SLUICE_CUDA_NO_BINARY_FOR_GPU:
    return "the image has no code for this GPU";
  case SLUICE_CUDA_INVALID_PTX:
    return "the driver's PTX compiler rejected the PTX";
  case SLUICE_CUDA_INVALID_IMAGE:
    return "not a cubin, fatbin or PTX image";
  case SLUICE_CUDA_KERNEL_NOT_FOUND:
    return "no kernel of that name in the module";
  case SLUICE_CUDA_OUT_OF_MEMORY:
    return "device memory is exhausted";
  default:
    return nullptr;
  }
}

/// "NAME (code)": the runtime's own name, else the driver's (codes newer
/// than this table), else CUDA_ERROR_UNKNOWN_CODE.
std::string describe(CUresult result) {
  const char *name = resultName(result);
  if (!name && state.api.getErrorName) {
    const char *driverName = nullptr;
    if (state.api.getErrorName(result, &driverName) == CUDA_SUCCESS &&
        driverName)
      name = driverName;
  }
  return format("%s (%d)", name ? name : "CUDA_ERROR_UNKNOWN_CODE", result);
}

/// Records why the device is not usable.
void setUnusable(DeviceState &s, sluice_cuda_status_t status, int result,
                 const std::string &why) {
  s.status = status;
  s.result = result;
  s.message = std::string(sluice_cuda_status_name(status)) + ": " + why;
}

template <typename Fn> bool resolve(DeviceState &s, Fn &slot, const char *sym) {
  slot = reinterpret_cast<Fn>(dlsym(s.handle, sym));
  if (slot)
    return true;
  setUnusable(s, SLUICE_CUDA_BAD_DRIVER, 0,
              format("%s has no entry point %s", s.path.c_str(), sym));
  return false;
}

/// A failing call during initialization: the status follows the result.
void initFailed(DeviceState &s, const char *call, CUresult result) {
  sluice_cuda_status_t status = classify(result);
  if (status != SLUICE_CUDA_STUB_LIBRARY && status != SLUICE_CUDA_NO_DEVICE &&
      status != SLUICE_CUDA_UNAVAILABLE && status != SLUICE_CUDA_OUT_OF_MEMORY)
    status = SLUICE_CUDA_DRIVER_ERROR;
  std::string why = format("%s returned %s", call, describe(result).c_str());
  if (const char *text = explain(status))
    why += format(" (%s: %s)", s.path.c_str(), text);
  else
    why += format(" (%s)", s.path.c_str());
  setUnusable(s, status, result, why);
}

void initLocked(DeviceState &s) {
  s.attempted = true;
  const char *env = std::getenv("SLUICE_CUDA_DRIVER");
  s.path = env && *env ? env : "libcuda.so.1";
  dlerror();
  s.handle = dlopen(s.path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!s.handle) {
    const char *err = dlerror();
    setUnusable(s, SLUICE_CUDA_NO_DRIVER, -1,
                format("dlopen(%s) failed: %s", s.path.c_str(),
                       err ? err : "unknown error"));
    return;
  }
  DriverApi &a = s.api;
  a.getErrorName = reinterpret_cast<decltype(a.getErrorName)>(
      dlsym(s.handle, "cuGetErrorName"));
  if (!resolve(s, a.init, "cuInit") ||
      !resolve(s, a.driverGetVersion, "cuDriverGetVersion") ||
      !resolve(s, a.deviceGetCount, "cuDeviceGetCount") ||
      !resolve(s, a.deviceGet, "cuDeviceGet") ||
      !resolve(s, a.deviceGetAttribute, "cuDeviceGetAttribute") ||
      !resolve(s, a.primaryCtxRetain, "cuDevicePrimaryCtxRetain") ||
      !resolve(s, a.ctxSetCurrent, "cuCtxSetCurrent") ||
      !resolve(s, a.ctxSynchronize, "cuCtxSynchronize") ||
      !resolve(s, a.moduleLoadData, "cuModuleLoadData") ||
      !resolve(s, a.moduleUnload, "cuModuleUnload") ||
      !resolve(s, a.moduleGetFunction, "cuModuleGetFunction") ||
      !resolve(s, a.launchKernel, "cuLaunchKernel") ||
      !resolve(s, a.memAlloc, "cuMemAlloc_v2") ||
      !resolve(s, a.memFree, "cuMemFree_v2") ||
      !resolve(s, a.memcpyHtoD, "cuMemcpyHtoD_v2") ||
      !resolve(s, a.memcpyDtoH, "cuMemcpyDtoH_v2"))
    return;
  s.primaryCtxRelease = reinterpret_cast<decltype(s.primaryCtxRelease)>(
      dlsym(s.handle, "cuDevicePrimaryCtxRelease_v2"));
  a.memcpyDtoD = reinterpret_cast<decltype(a.memcpyDtoD)>(
      dlsym(s.handle, "cuMemcpyDtoD_v2"));
  a.moduleGetGlobal = reinterpret_cast<decltype(a.moduleGetGlobal)>(
      dlsym(s.handle, "cuModuleGetGlobal_v2"));

  CUresult r = a.init(0);
  if (r != CUDA_SUCCESS)
    return initFailed(s, "cuInit", r);
  if ((r = a.driverGetVersion(&s.driverVersion)) != CUDA_SUCCESS)
    return initFailed(s, "cuDriverGetVersion", r);
  if ((r = a.deviceGetCount(&s.deviceCount)) != CUDA_SUCCESS)
    return initFailed(s, "cuDeviceGetCount", r);
  if (s.deviceCount <= 0) {
    s.deviceCount = 0;
    return setUnusable(
        s, SLUICE_CUDA_NO_DEVICE, 0,
        format("the driver reports 0 devices (%s)", s.path.c_str()));
  }
  if ((r = a.deviceGet(&s.device, 0)) != CUDA_SUCCESS)
    return initFailed(s, "cuDeviceGet", r);
  if ((r = a.deviceGetAttribute(&s.ccMajor,
                                CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR,
                                s.device)) != CUDA_SUCCESS ||
      (r = a.deviceGetAttribute(&s.ccMinor,
                                CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR,
                                s.device)) != CUDA_SUCCESS)
    return initFailed(s, "cuDeviceGetAttribute", r);
  if ((r = a.primaryCtxRetain(&s.context, s.device)) != CUDA_SUCCESS)
    return initFailed(s, "cuDevicePrimaryCtxRetain", r);
  s.status = SLUICE_CUDA_OK;
  s.result = 0;
  s.message = format("ok: driver %d.%d, %d device%s, device 0 sm_%d%d (%s)",
                     s.driverVersion / 1000, (s.driverVersion % 1000) / 10,
                     s.deviceCount, s.deviceCount == 1 ? "" : "s", s.ccMajor,
                     s.ccMinor, s.path.c_str());
}

DeviceState &initialized() {
  if (!state.attempted)
    initLocked(state);
  return state;
}

void copyMessage(const std::string &text, char *buf, size_t size) {
  if (!buf || size == 0)
    return;
  size_t n = text.size() < size - 1 ? text.size() : size - 1;
  std::memcpy(buf, text.data(), n);
  buf[n] = '\0';
}

} // namespace

const char *sluice::rt::cuda::resultName(CUresult result) {
  for (const ResultName &r : resultNames)
    if (r.code == result)
      return r.name;
  return nullptr;
}

sluice_cuda_status_t sluice::rt::cuda::classify(CUresult result) {
  switch (result) {
  case 0:
    return SLUICE_CUDA_OK;
  case 34:
    return SLUICE_CUDA_STUB_LIBRARY;
  case 100:
    return SLUICE_CUDA_NO_DEVICE;
  case 3:   // NOT_INITIALIZED
  case 4:   // DEINITIALIZED
  case 46:  // DEVICE_UNAVAILABLE
  case 802: // SYSTEM_NOT_READY
  case 803: // SYSTEM_DRIVER_MISMATCH
  case 804: // COMPAT_NOT_SUPPORTED_ON_DEVICE
    return SLUICE_CUDA_UNAVAILABLE;
  case 222:
    return SLUICE_CUDA_UNSUPPORTED_PTX;
  case 209:
    return SLUICE_CUDA_NO_BINARY_FOR_GPU;
  case 218:
    return SLUICE_CUDA_INVALID_PTX;
  case 200:
    return SLUICE_CUDA_INVALID_IMAGE;
  case 500:
    return SLUICE_CUDA_KERNEL_NOT_FOUND;
  case 2:
    return SLUICE_CUDA_OUT_OF_MEMORY;
  default:
    return SLUICE_CUDA_DRIVER_ERROR;
  }
}

void sluice::rt::cuda::clearCudaStatus() {
  lastStatus = SLUICE_CUDA_OK;
  lastResult = 0;
}

void sluice::rt::cuda::setCudaStatus(sluice_cuda_status_t status, int result) {
  lastStatus = status;
  lastResult = result;
}

uint64_t sluice::rt::cuda::currentGeneration() {
  std::lock_guard<std::mutex> lock(stateMutex);
  return generation;
}

bool sluice::rt::cuda::isStale(uint64_t handleGeneration) {
  return handleGeneration != currentGeneration();
}

sluice_status_t sluice::rt::cuda::staleHandle(const char *fn,
                                              const char *what) {
  return failf(SLUICE_ERROR_INVALID_ARGUMENT,
               "%s: %s was made before sluice_cuda_reset", fn, what);
}

const DriverApi *sluice::rt::cuda::acquire(const char *fn,
                                           uint64_t *generationOut) {
  DeviceState *s;
  {
    std::lock_guard<std::mutex> lock(stateMutex);
    s = &initialized();
    if (generationOut)
      *generationOut = generation;
    if (s->status != SLUICE_CUDA_OK) {
      setCudaStatus(s->status, s->result);
      fail(SLUICE_ERROR_DEVICE,
           format("%s: CUDA device not usable: %s", fn, s->message.c_str()));
      return nullptr;
    }
  }
  CUresult r = s->api.ctxSetCurrent(s->context);
  if (r != CUDA_SUCCESS) {
    failDriver(fn, "cuCtxSetCurrent", r);
    return nullptr;
  }
  return &s->api;
}

sluice_status_t sluice::rt::cuda::failDriver(const char *fn, const char *call,
                                             CUresult result,
                                             const std::string &detail) {
  sluice_cuda_status_t status = classify(result);
  if (status == SLUICE_CUDA_OK)
    status = SLUICE_CUDA_DRIVER_ERROR;
  setCudaStatus(status, result);
  std::string message =
      format("%s: %s failed: %s: %s", fn, call, describe(result).c_str(),
             sluice_cuda_status_name(status));
  if (const char *text = explain(status))
    message += format(" (%s)", text);
  if (!detail.empty())
    message += ": " + detail;
  fail(status == SLUICE_CUDA_OUT_OF_MEMORY ? SLUICE_ERROR_OUT_OF_MEMORY
                                           : SLUICE_ERROR_DEVICE,
       message);
  return status == SLUICE_CUDA_OUT_OF_MEMORY ? SLUICE_ERROR_OUT_OF_MEMORY
                                             : SLUICE_ERROR_DEVICE;
}

extern "C" {

SLUICE_API sluice_cuda_status_t sluice_cuda_status(char *message, size_t size) {
  clearError();
  std::lock_guard<std::mutex> lock(stateMutex);
  DeviceState &s = initialized();
  copyMessage(s.message, message, size);
  return s.status;
}

SLUICE_API const char *sluice_cuda_status_name(sluice_cuda_status_t status) {
  switch (status) {
  case SLUICE_CUDA_OK:
    return "ok";
  case SLUICE_CUDA_NO_DRIVER:
    return "no driver";
  case SLUICE_CUDA_STUB_LIBRARY:
    return "stub library";
  case SLUICE_CUDA_NO_DEVICE:
    return "no device";
  case SLUICE_CUDA_UNAVAILABLE:
    return "unavailable";
  case SLUICE_CUDA_BAD_DRIVER:
    return "bad driver";
  case SLUICE_CUDA_UNSUPPORTED_PTX:
    return "unsupported PTX";
  case SLUICE_CUDA_NO_BINARY_FOR_GPU:
    return "no binary for this GPU";
  case SLUICE_CUDA_INVALID_PTX:
    return "invalid PTX";
  case SLUICE_CUDA_INVALID_IMAGE:
    return "invalid image";
  case SLUICE_CUDA_KERNEL_NOT_FOUND:
    return "kernel not found";
  case SLUICE_CUDA_OUT_OF_MEMORY:
    return "out of memory";
  case SLUICE_CUDA_DRIVER_ERROR:
    return "driver error";
  }
  return "unknown";
}

SLUICE_API sluice_cuda_status_t sluice_cuda_last_status(void) {
  return lastStatus;
}

SLUICE_API int sluice_cuda_last_result(void) { return lastResult; }

SLUICE_API const char *sluice_cuda_result_name(int result) {
  const char *name = resultName(result);
  return name ? name : "CUDA_ERROR_UNKNOWN_CODE";
}

SLUICE_API int sluice_cuda_device_count(void) {
  std::lock_guard<std::mutex> lock(stateMutex);
  DeviceState &s = initialized();
  return s.status == SLUICE_CUDA_OK ? s.deviceCount : 0;
}

SLUICE_API sluice_status_t sluice_cuda_device_info(int *ccMajor, int *ccMinor,
                                                   int *driverVersion) {
  clearError();
  clearCudaStatus();
  if (!acquire("sluice_cuda_device_info", nullptr))
    return SLUICE_ERROR_DEVICE;
  std::lock_guard<std::mutex> lock(stateMutex);
  if (ccMajor)
    *ccMajor = state.ccMajor;
  if (ccMinor)
    *ccMinor = state.ccMinor;
  if (driverVersion)
    *driverVersion = state.driverVersion;
  return SLUICE_OK;
}

SLUICE_API void sluice_cuda_reset(void) {
  std::lock_guard<std::mutex> lock(stateMutex);
  if (state.context && state.primaryCtxRelease)
    state.primaryCtxRelease(state.device);
  if (state.handle)
    dlclose(state.handle);
  state = DeviceState();
  ++generation;
}

} // extern "C"
