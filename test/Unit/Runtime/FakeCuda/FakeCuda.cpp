//===- FakeCuda.cpp - a CUDA driver that runs on the CPU, for tests -------===//
//
// Implements the driver entry points the runtime resolves (CudaDriver.cpp)
// with host memory for device memory, checks every module image
// (FakeCudaImage.cpp), records every launch (grid, block, shared memory,
// the parameter buffer) and runs the CPU build of a kernel: one registered
// by the test, once per thread, or a generated one (FakeCudaExec.cpp), a
// block at a time with every thread a fiber. Behaviour is chosen by the
// environment when cuInit runs:
//
//   SLUICE_FAKE_CUDA_MODE  ok (default) | stub | no-device | zero-devices |
//                          init-error=N | old-driver | wrong-arch
//   SLUICE_FAKE_CUDA_SM    the device's compute capability (default 90)
//   SLUICE_FAKE_CUDA_LOG   a file that gets one line per launch
//   SLUICE_FAKE_CUDA_VERBOSE  print why an image was refused
//   SLUICE_FAKE_CUDA_KERNELS  ':'-separated shared objects of generated
//                          kernels (sluicec --target=cuda --emit=fake-kernels)
//                          that launches run
//   SLUICE_FAKE_CUDA_ORDER forward (default) | reverse: blocks and the
//                          threads between two barriers last first
//
//===----------------------------------------------------------------------===//

#include "FakeCuda.h"
#include "FakeCudaExec.h"
#include "FakeCudaImage.h"

#include <cstdio>
#include <dlfcn.h>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#define FAKE_API extern "C" __attribute__((visibility("default")))

using CUresult = int;
using CUdeviceptr = unsigned long long;

namespace {

constexpr CUresult OK = 0, INVALID_VALUE = 1, OUT_OF_MEMORY = 2,
                   NOT_INITIALIZED = 3, STUB = 34, NO_DEVICE = 100,
                   INVALID_DEVICE = 101, INVALID_CONTEXT = 201,
                   INVALID_HANDLE = 400, NOT_FOUND = 500,
                   LAUNCH_FAILED = 719;

struct Kernel;
struct Module {
  fakecuda::Image image;
  /// Device memory of the globals looked up so far (zeroed at first use).
  std::map<std::string, std::vector<uint64_t>> globals;
  std::map<std::string, std::unique_ptr<Kernel>> kernels;
};
struct Kernel {
  Module *module;
  std::string name;
};
struct Registered {
  std::vector<uint32_t> sizes;
  fake_cuda_kernel_fn fn;
};

struct State {
  std::mutex mutex;
  bool initialized = false;
  bool stub = false;
  int deviceCount = 1;
  int sm = 90;
  int driverVersion = 13000;
  int maxPtx = 90;
  int context = 0; // its address is the primary context
  int retained = 0;
  std::map<CUdeviceptr, size_t> allocations;
  std::map<CUdeviceptr, size_t> globalRanges; ///< modules' globals
  std::map<Module *, std::unique_ptr<Module>> modules;
  std::map<std::string, Registered> registered;
  std::vector<fake_cuda_launch_t> launches;
  // Generated kernels (SLUICE_FAKE_CUDA_KERNELS); handles are never closed.
  std::string kernelsPath;
  std::vector<void *> kernelLibs;
  bool reverse = false;
  // A generated kernel's failure, reported by the next synchronization.
  CUresult pendingError = OK;
};

State &state() {
  static State *s = new State(); // never destroyed: tests outlive unloads
  return *s;
}

/// The highest PTX ISA (major * 10 + minor) of a driver version.
int maxPtxOf(int driverVersion) {
  if (driverVersion >= 13000)
    return 90; // CUDA 13.0: PTX ISA 9.0
  if (driverVersion >= 12000)
    return 80; // at least PTX ISA 8.0
  return 78;   // CUDA 11.8: PTX ISA 7.8
}

#define FAKE_CHECK_STUB()                                                      \
  do {                                                                         \
    if (state().stub)                                                          \
      return STUB;                                                             \
  } while (false)
#define FAKE_CHECK_INIT()                                                      \
  do {                                                                         \
    FAKE_CHECK_STUB();                                                         \
    if (!state().initialized)                                                  \
      return NOT_INITIALIZED;                                                  \
  } while (false)

/// Whether [ptr, ptr + n) lies in one live allocation.
bool inRanges(const std::map<CUdeviceptr, size_t> &ranges, CUdeviceptr ptr,
              size_t n) {
  auto it = ranges.upper_bound(ptr);
  if (it == ranges.begin())
    return false;
  --it;
  return ptr - it->first <= it->second && n <= it->second - (ptr - it->first);
}
bool inAllocation(State &s, CUdeviceptr ptr, size_t n) {
  return inRanges(s.allocations, ptr, n) || inRanges(s.globalRanges, ptr, n);
}

void logLaunch(const fake_cuda_launch_t &l) {
  const char *path = std::getenv("SLUICE_FAKE_CUDA_LOG");
  if (!path || !*path)
    return;
  FILE *f = std::fopen(path, "a");
  if (!f)
    return;
  std::fprintf(f, "launch %s grid=%u,%u,%u block=%u,%u,%u shared=%u params=",
               l.kernel, l.grid[0], l.grid[1], l.grid[2], l.block[0],
               l.block[1], l.block[2], l.shared_bytes);
  for (uint32_t i = 0; i < l.param_bytes; ++i)
    std::fprintf(f, "%02x", l.params[i]);
  std::fprintf(f, "\n");
  std::fclose(f);
}

} // namespace

FAKE_API CUresult cuInit(unsigned flags) {
  State &s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  const char *mode = std::getenv("SLUICE_FAKE_CUDA_MODE");
  std::string m = mode && *mode ? mode : "ok";
  const char *sm = std::getenv("SLUICE_FAKE_CUDA_SM");
  s.stub = m == "stub";
  s.sm = sm && std::atoi(sm) > 0 ? std::atoi(sm) : 90;
  s.driverVersion = 13000;
  s.deviceCount = 1;
  s.initialized = false;
  if (s.stub)
    return STUB;
  if (flags != 0)
    return INVALID_VALUE;
  if (m == "no-device")
    return NO_DEVICE;
  if (m.rfind("init-error=", 0) == 0)
    return std::atoi(m.c_str() + 11);
  if (m == "zero-devices")
    s.deviceCount = 0;
  else if (m == "old-driver")
    s.driverVersion = 11080;
  else if (m == "wrong-arch")
    s.sm = 80;
  else if (m != "ok")
    return INVALID_VALUE;
  s.maxPtx = maxPtxOf(s.driverVersion);
  const char *order = std::getenv("SLUICE_FAKE_CUDA_ORDER");
  s.reverse = order && std::string(order) == "reverse";
  const char *kernels = std::getenv("SLUICE_FAKE_CUDA_KERNELS");
  std::string kpath = kernels ? kernels : "";
  if (kpath != s.kernelsPath) {
    s.kernelLibs.clear();
    s.kernelsPath.clear();
    std::string why;
    if (!fakecuda::loadGeneratedKernels(kpath, s.kernelLibs, why)) {
      std::fprintf(stderr, "fake cuInit: %s\n", why.c_str());
      s.kernelLibs.clear();
      return INVALID_VALUE;
    }
    s.kernelsPath = kpath;
  }
  s.pendingError = OK;
  s.initialized = true;
  return OK;
}

FAKE_API CUresult cuDriverGetVersion(int *version) {
  FAKE_CHECK_STUB();
  if (!version)
    return INVALID_VALUE;
  *version = state().driverVersion;
  return OK;
}

FAKE_API CUresult cuGetErrorName(CUresult result, const char **name) {
  FAKE_CHECK_STUB();
  if (!name)
    return INVALID_VALUE;
  *name = result == OK ? "CUDA_SUCCESS" : "CUDA_ERROR_FROM_FAKE_DRIVER";
  return OK;
}

FAKE_API CUresult cuDeviceGetCount(int *count) {
  FAKE_CHECK_INIT();
  if (!count)
    return INVALID_VALUE;
  *count = state().deviceCount;
  return OK;
}

FAKE_API CUresult cuDeviceGet(int *device, int ordinal) {
  FAKE_CHECK_INIT();
  if (!device)
    return INVALID_VALUE;
  if (ordinal < 0 || ordinal >= state().deviceCount)
    return INVALID_DEVICE;
  *device = ordinal;
  return OK;
}

FAKE_API CUresult cuDeviceGetAttribute(int *value, int attribute, int device) {
  FAKE_CHECK_INIT();
  if (!value)
    return INVALID_VALUE;
  if (device < 0 || device >= state().deviceCount)
    return INVALID_DEVICE;
  if (attribute == 75)
    *value = state().sm / 10;
  else if (attribute == 76)
    *value = state().sm % 10;
  else
    return INVALID_VALUE;
  return OK;
}

FAKE_API CUresult cuDevicePrimaryCtxRetain(void **ctx, int device) {
  FAKE_CHECK_INIT();
  if (!ctx)
    return INVALID_VALUE;
  if (device < 0 || device >= state().deviceCount)
    return INVALID_DEVICE;
  std::lock_guard<std::mutex> lock(state().mutex);
  ++state().retained;
  *ctx = &state().context;
  return OK;
}

FAKE_API CUresult cuDevicePrimaryCtxRelease_v2(int device) {
  FAKE_CHECK_INIT();
  if (device < 0 || device >= state().deviceCount)
    return INVALID_DEVICE;
  std::lock_guard<std::mutex> lock(state().mutex);
  if (state().retained == 0)
    return INVALID_CONTEXT;
  --state().retained;
  return OK;
}

FAKE_API CUresult cuCtxSetCurrent(void *ctx) {
  FAKE_CHECK_INIT();
  return ctx == nullptr || ctx == &state().context ? OK : INVALID_CONTEXT;
}

/// The error of a failed generated kernel, once (a real driver's launch
/// failures are sticky; the fake's are not, so a test can go on).
static CUresult takePendingError() {
  CUresult r = state().pendingError;
  state().pendingError = OK;
  return r;
}

FAKE_API CUresult cuCtxSynchronize() {
  FAKE_CHECK_INIT();
  std::lock_guard<std::mutex> lock(state().mutex);
  return takePendingError(); // launches run synchronously
}

FAKE_API CUresult cuMemAlloc_v2(CUdeviceptr *ptr, size_t bytes) {
  FAKE_CHECK_INIT();
  if (!ptr || bytes == 0)
    return INVALID_VALUE;
  if (bytes > (size_t(1) << 34)) // a 16 GiB "device"
    return OUT_OF_MEMORY;
  void *p = std::aligned_alloc(256, (bytes + 255) & ~size_t(255));
  if (!p)
    return OUT_OF_MEMORY;
  std::lock_guard<std::mutex> lock(state().mutex);
  *ptr = reinterpret_cast<CUdeviceptr>(p);
  state().allocations[*ptr] = bytes;
  return OK;
}

FAKE_API CUresult cuMemFree_v2(CUdeviceptr ptr) {
  FAKE_CHECK_INIT();
  std::lock_guard<std::mutex> lock(state().mutex);
  auto it = state().allocations.find(ptr);
  if (it == state().allocations.end())
    return INVALID_VALUE;
  std::free(reinterpret_cast<void *>(ptr));
  state().allocations.erase(it);
  return OK;
}

FAKE_API CUresult cuMemcpyHtoD_v2(CUdeviceptr dst, const void *src,
                                  size_t bytes) {
  FAKE_CHECK_INIT();
  std::lock_guard<std::mutex> lock(state().mutex);
  if ((bytes && !src) || !inAllocation(state(), dst, bytes))
    return INVALID_VALUE;
  std::memcpy(reinterpret_cast<void *>(dst), src, bytes);
  return OK;
}

FAKE_API CUresult cuMemcpyDtoH_v2(void *dst, CUdeviceptr src, size_t bytes) {
  FAKE_CHECK_INIT();
  std::lock_guard<std::mutex> lock(state().mutex);
  if (CUresult r = takePendingError())
    return r;
  if ((bytes && !dst) || !inAllocation(state(), src, bytes))
    return INVALID_VALUE;
  std::memcpy(dst, reinterpret_cast<const void *>(src), bytes);
  return OK;
}

FAKE_API CUresult cuModuleLoadData(void **module, const void *image) {
  FAKE_CHECK_INIT();
  if (!module || !image)
    return INVALID_VALUE;
  State &s = state();
  auto m = std::make_unique<Module>();
  std::string why;
  int r = fakecuda::loadImage(image, s.sm, s.maxPtx, m->image, why);
  if (r != OK) {
    if (std::getenv("SLUICE_FAKE_CUDA_VERBOSE"))
      std::fprintf(stderr, "fake cuModuleLoadData: %d: %s\n", r, why.c_str());
    return r;
  }
  std::lock_guard<std::mutex> lock(s.mutex);
  Module *raw = m.get();
  s.modules[raw] = std::move(m);
  *module = raw;
  return OK;
}

FAKE_API CUresult cuModuleUnload(void *module) {
  FAKE_CHECK_INIT();
  std::lock_guard<std::mutex> lock(state().mutex);
  auto it = state().modules.find(static_cast<Module *>(module));
  if (it == state().modules.end())
    return INVALID_HANDLE;
  for (auto &g : it->second->globals)
    state().globalRanges.erase(reinterpret_cast<CUdeviceptr>(g.second.data()));
  state().modules.erase(it);
  return OK;
}

FAKE_API CUresult cuModuleGetGlobal_v2(CUdeviceptr *ptr, size_t *bytes,
                                       void *module, const char *name) {
  FAKE_CHECK_INIT();
  if (!name)
    return INVALID_VALUE;
  std::lock_guard<std::mutex> lock(state().mutex);
  auto it = state().modules.find(static_cast<Module *>(module));
  if (it == state().modules.end())
    return INVALID_HANDLE;
  Module &m = *it->second;
  auto g = m.image.globals.find(name);
  if (g == m.image.globals.end())
    return NOT_FOUND;
  // With generated kernels (SLUICE_FAKE_CUDA_KERNELS) the global is the
  // kernels' own, which they write (e.g. sluice_device_error).
  for (void *lib : state().kernelLibs) {
    if (void *sym = dlsym(lib, name)) {
      if (ptr)
        *ptr = reinterpret_cast<CUdeviceptr>(sym);
      if (bytes)
        *bytes = g->second;
      state().globalRanges[reinterpret_cast<CUdeviceptr>(sym)] = g->second;
      return OK;
    }
  }
  std::vector<uint64_t> &mem = m.globals[name];
  if (mem.empty())
    mem.assign((g->second + 7) / 8 + 1, 0);
  if (ptr)
    *ptr = reinterpret_cast<CUdeviceptr>(mem.data());
  if (bytes)
    *bytes = g->second;
  // Copies into and out of it are checked like allocations'.
  state().globalRanges[reinterpret_cast<CUdeviceptr>(mem.data())] = g->second;
  return OK;
}

FAKE_API CUresult cuMemcpyDtoD_v2(CUdeviceptr dst, CUdeviceptr src,
                                  size_t bytes) {
  FAKE_CHECK_INIT();
  std::lock_guard<std::mutex> lock(state().mutex);
  if (!inAllocation(state(), dst, bytes) || !inAllocation(state(), src, bytes))
    return INVALID_VALUE;
  std::memmove(reinterpret_cast<void *>(dst), reinterpret_cast<void *>(src),
               bytes);
  return OK;
}

FAKE_API CUresult cuModuleGetFunction(void **function, void *module,
                                      const char *name) {
  FAKE_CHECK_INIT();
  if (!function || !name)
    return INVALID_VALUE;
  std::lock_guard<std::mutex> lock(state().mutex);
  auto it = state().modules.find(static_cast<Module *>(module));
  if (it == state().modules.end())
    return INVALID_HANDLE;
  Module &m = *it->second;
  if (m.image.kernelsKnown && !m.image.kernels.count(name))
    return NOT_FOUND;
  std::unique_ptr<Kernel> &k = m.kernels[name];
  if (!k)
    k.reset(new Kernel{&m, name});
  *function = k.get();
  return OK;
}

FAKE_API CUresult cuLaunchKernel(void *f, unsigned gx, unsigned gy, unsigned gz,
                                 unsigned bx, unsigned by, unsigned bz,
                                 unsigned shared, void *stream, void **params,
                                 void **extra) {
  FAKE_CHECK_INIT();
  State &s = state();
  fake_cuda_launch_t l;
  std::memset(&l, 0, sizeof(l));
  fake_cuda_kernel_fn fn = nullptr;
  fakecuda::GeneratedKernel generated;
  bool runGenerated = false;
  {
    std::lock_guard<std::mutex> lock(s.mutex);
    Kernel *k = static_cast<Kernel *>(f);
    bool known = false;
    for (auto &m : s.modules)
      for (auto &kv : m.second->kernels)
        known |= kv.second.get() == k;
    if (!known)
      return INVALID_HANDLE;
    if (stream || extra || !gx || !gy || !gz || !bx || !by || !bz ||
        bx > 1024 || by > 1024 || bz > 64 || uint64_t(bx) * by * bz > 1024 ||
        gy > 65535 || gz > 65535 || shared > 48 * 1024)
      return INVALID_VALUE;
    // Parameters: the image's own list (PTX entry, cubin .nv.info), else
    // the sizes the test registered; both must agree when both exist.
    std::vector<uint32_t> sizes, offsets;
    auto reg = s.registered.find(k->name);
    auto info = k->module->image.kernels.find(k->name);
    // A generated kernel runs unless the test registered one.
    if (reg == s.registered.end() && !s.kernelLibs.empty()) {
      if (!fakecuda::findGeneratedKernel(s.kernelLibs, k->name, generated)) {
        std::fprintf(stderr,
                     "fake cuLaunchKernel: kernel %s is not in "
                     "SLUICE_FAKE_CUDA_KERNELS (%s)\n",
                     k->name.c_str(), s.kernelsPath.c_str());
        return NOT_FOUND;
      }
      runGenerated = true;
    }
    if (info != k->module->image.kernels.end() && info->second.paramsKnown) {
      sizes = info->second.sizes;
      offsets = info->second.offsets;
      if (reg != s.registered.end() && reg->second.sizes != sizes)
        return INVALID_VALUE; // the test's CPU kernel has another ABI
    } else if (reg != s.registered.end()) {
      sizes = reg->second.sizes;
      offsets = fakecuda::layoutParams(sizes);
    } else if (runGenerated) {
      for (int64_t i = 0; i < generated.numParams(); ++i)
        sizes.push_back(generated.paramBytes(i));
      offsets = fakecuda::layoutParams(sizes);
    } else {
      return INVALID_VALUE; // nothing says how big the parameters are
    }
    if (runGenerated) {
      uint32_t blk[3] = {bx, by, bz};
      std::string why;
      if (!fakecuda::checkGeneratedLaunch(generated, sizes, blk, why)) {
        std::fprintf(stderr, "fake cuLaunchKernel: %s: %s\n",
                     k->name.c_str(), why.c_str());
        return INVALID_VALUE;
      }
    }
    if (!sizes.empty() && !params)
      return INVALID_VALUE;
    std::snprintf(l.kernel, sizeof(l.kernel), "%s", k->name.c_str());
    l.grid[0] = gx, l.grid[1] = gy, l.grid[2] = gz;
    l.block[0] = bx, l.block[1] = by, l.block[2] = bz;
    l.shared_bytes = shared;
    l.num_params = uint32_t(sizes.size());
    uint32_t offset = 0;
    for (size_t i = 0; i < sizes.size(); ++i) {
      if (uint64_t(offsets[i]) + sizes[i] > sizeof(l.params) || !params[i])
        return INVALID_VALUE;
      std::memcpy(l.params + offsets[i], params[i], sizes[i]);
      if (offsets[i] + sizes[i] > offset)
        offset = offsets[i] + sizes[i];
    }
    l.param_bytes = offset;
    if (reg != s.registered.end())
      fn = reg->second.fn;
    l.executed = fn ? 1 : runGenerated ? 2 : 0;
    if (!runGenerated)
      s.launches.push_back(l);
  }
  if (runGenerated) {
    std::string why;
    if (!fakecuda::runGeneratedKernel(generated, l.grid, l.block, params,
                                      s.reverse, why)) {
      std::snprintf(l.error, sizeof(l.error), "%s", why.c_str());
      std::fprintf(stderr, "fake cuda: kernel %s failed: %s\n", l.kernel,
                   why.c_str());
    }
    std::lock_guard<std::mutex> lock(s.mutex);
    if (l.error[0])
      s.pendingError = LAUNCH_FAILED;
    s.launches.push_back(l);
  }
  logLaunch(l);
  if (fn) {
    fake_cuda_thread_t t;
    std::memcpy(t.grid, l.grid, sizeof(t.grid));
    std::memcpy(t.block, l.block, sizeof(t.block));
    for (t.block_idx[2] = 0; t.block_idx[2] < gz; ++t.block_idx[2])
      for (t.block_idx[1] = 0; t.block_idx[1] < gy; ++t.block_idx[1])
        for (t.block_idx[0] = 0; t.block_idx[0] < gx; ++t.block_idx[0])
          for (t.thread_idx[2] = 0; t.thread_idx[2] < bz; ++t.thread_idx[2])
            for (t.thread_idx[1] = 0; t.thread_idx[1] < by; ++t.thread_idx[1])
              for (t.thread_idx[0] = 0; t.thread_idx[0] < bx; ++t.thread_idx[0])
                fn(&t, params);
  }
  return OK;
}

// Test hooks (FakeCuda.h).

FAKE_API void fake_cuda_register_kernel(const char *name, int numParams,
                                        const uint32_t *paramSizes,
                                        fake_cuda_kernel_fn fn) {
  std::lock_guard<std::mutex> lock(state().mutex);
  Registered &r = state().registered[name];
  r.sizes.assign(paramSizes, paramSizes + numParams);
  r.fn = fn;
}

FAKE_API void fake_cuda_clear(void) {
  std::lock_guard<std::mutex> lock(state().mutex);
  state().registered.clear();
  state().launches.clear();
}

FAKE_API int fake_cuda_num_launches(void) {
  std::lock_guard<std::mutex> lock(state().mutex);
  return int(state().launches.size());
}

FAKE_API int fake_cuda_get_launch(int index, fake_cuda_launch_t *out) {
  std::lock_guard<std::mutex> lock(state().mutex);
  if (!out || index < 0 || size_t(index) >= state().launches.size())
    return -1;
  *out = state().launches[size_t(index)];
  return 0;
}

FAKE_API uint64_t *fake_cuda_global(const char *name, size_t *bytes) {
  std::lock_guard<std::mutex> lock(state().mutex);
  for (auto &entry : state().modules) {
    Module &m = *entry.second;
    auto g = m.image.globals.find(name);
    if (g == m.image.globals.end())
      continue;
    std::vector<uint64_t> &mem = m.globals[name];
    if (mem.empty()) {
      mem.assign((g->second + 7) / 8 + 1, 0);
      state().globalRanges[reinterpret_cast<CUdeviceptr>(mem.data())] =
          g->second;
    }
    if (bytes)
      *bytes = g->second;
    return mem.data();
  }
  return nullptr;
}

FAKE_API int fake_cuda_live_allocations(void) {
  std::lock_guard<std::mutex> lock(state().mutex);
  return int(state().allocations.size());
}

FAKE_API int fake_cuda_live_modules(void) {
  std::lock_guard<std::mutex> lock(state().mutex);
  return int(state().modules.size());
}
