//===- CudaHost.cpp - what compiled CUDA host modules call ----------------===//
//
// The sluice_rt_cuda_* entry points the host code of `sluice-cuda-host-pipeline`
// imports (device allocations, device-to-device copies, kernel launches from
// the embedded image, the end-of-call synchronization that reads the module's
// `sluice_device_error` global), and sluice_cuda_call_run, which runs a bound
// sluice_call of such a module: inputs uploaded, outputs downloaded.
//
// Failures are reported like the CPU module's run-time errors: through
// sluice_rt_error into the run's error slot (docs/abi.md), after which every
// later launch of the same run is skipped (a failed allocation must not reach
// a kernel) and the run fails with the first message.
//
//===----------------------------------------------------------------------===//

#include "runtime/Call.h"
#include "runtime/Invoke.h"
#include "runtime/Status.h"
#include "runtime/Tensor.h"
#include "runtime/cuda/CudaDriver.h"

#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>
#include <set>
#include <string>
#include <vector>

using namespace sluice::rt;
using namespace sluice::rt::cuda;

namespace {

std::mutex loadMutex;

/// Reports `message` as a run-time error of the running call (literal text:
/// braces are not placeholders here).
void report(const std::string &message) {
  std::string escaped;
  for (char c : message)
    escaped += c == '{' ? '(' : c == '}' ? ')' : c;
  sluice_rt_error(escaped.c_str(), 0, 0);
}

/// Whether the running call already failed (later launches are skipped).
bool runFailed() {
  RunErrorSlot *slot = currentRunErrorSlot();
  return slot && slot->raised();
}

const DriverApi *device(const char *fn) {
  const DriverApi *api = acquire(fn, nullptr);
  if (!api)
    report(std::string("cuda: ") + sluice_last_error());
  return api;
}

std::string driverError(const char *call, CUresult r) {
  const char *name = resultName(r);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%d", r);
  return std::string(call) + " returned " + (name ? name : "CUresult") + " (" +
         buf + ")";
}

/// The module of `slot`, loaded from `image` on first use.
sluice_cuda_module_t *moduleOf(void **slot, const void *image, int64_t size) {
  std::lock_guard<std::mutex> lock(loadMutex);
  auto *module = static_cast<sluice_cuda_module_t *>(*slot);
  if (module && isStale(module->generation)) {
    // The driver was reset since (sluice_cuda_reset): load again.
    delete module;
    module = nullptr;
    *slot = nullptr;
  }
  if (module)
    return module;
  if (sluice_cuda_module_load_data(image, static_cast<size_t>(size), &module) !=
      SLUICE_OK) {
    report(std::string("cuda: loading the model's kernels: ") +
           sluice_last_error());
    return nullptr;
  }
  *slot = module;
  return module;
}

size_t elementSize(sluice_dtype_t dtype) { return sluice_dtype_size(dtype); }

} // namespace

extern "C" {

SLUICE_API void *sluice_rt_cuda_alloc(int64_t bytes) {
  if (bytes <= 0 || runFailed())
    return nullptr;
  const DriverApi *api = device("sluice_rt_cuda_alloc");
  if (!api)
    return nullptr;
  CUdeviceptr p = 0;
  CUresult r = api->memAlloc(&p, static_cast<size_t>(bytes));
  if (r != CUDA_SUCCESS) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%" PRId64, bytes);
    report("cuda: allocating " + std::string(buf) + " bytes of device memory: " +
           driverError("cuMemAlloc", r));
    return nullptr;
  }
  return reinterpret_cast<void *>(static_cast<uintptr_t>(p));
}

SLUICE_API void sluice_rt_cuda_free(void *ptr) {
  if (!ptr)
    return;
  const DriverApi *api = acquire("sluice_rt_cuda_free", nullptr);
  if (api)
    api->memFree(static_cast<CUdeviceptr>(reinterpret_cast<uintptr_t>(ptr)));
}

SLUICE_API void sluice_rt_cuda_copy(void *dst, const void *src, int64_t bytes) {
  if (bytes <= 0 || runFailed() || !dst || !src)
    return;
  const DriverApi *api = device("sluice_rt_cuda_copy");
  if (!api)
    return;
  if (!api->memcpyDtoD) {
    report("cuda: the driver has no cuMemcpyDtoD_v2 (device-to-device copy)");
    return;
  }
  CUresult r = api->memcpyDtoD(
      static_cast<CUdeviceptr>(reinterpret_cast<uintptr_t>(dst)),
      static_cast<CUdeviceptr>(reinterpret_cast<uintptr_t>(src)),
      static_cast<size_t>(bytes));
  if (r != CUDA_SUCCESS)
    report("cuda: device-to-device copy: " + driverError("cuMemcpyDtoD", r));
}

SLUICE_API void sluice_rt_cuda_upload(void *dst, const void *src,
                                      int64_t bytes) {
  if (bytes <= 0 || runFailed())
    return;
  const DriverApi *api = device("sluice_rt_cuda_upload");
  if (!api)
    return;
  CUresult r = api->memcpyHtoD(
      static_cast<CUdeviceptr>(reinterpret_cast<uintptr_t>(dst)), src,
      static_cast<size_t>(bytes));
  if (r != CUDA_SUCCESS)
    report("cuda: copy to the device: " + driverError("cuMemcpyHtoD", r));
}

SLUICE_API void sluice_rt_cuda_download(void *dst, const void *src,
                                        int64_t bytes) {
  if (bytes <= 0 || runFailed())
    return;
  const DriverApi *api = device("sluice_rt_cuda_download");
  if (!api)
    return;
  CUresult r = api->memcpyDtoH(
      dst, static_cast<CUdeviceptr>(reinterpret_cast<uintptr_t>(src)),
      static_cast<size_t>(bytes));
  if (r != CUDA_SUCCESS)
    report("cuda: copy to the host: " + driverError("cuMemcpyDtoH", r));
}

SLUICE_API void sluice_rt_cuda_launch(void **slot, const void *image,
                                      int64_t imageSize, const char *kernel,
                                      int64_t gx, int64_t gy, int64_t gz,
                                      int64_t bx, int64_t by, int64_t bz,
                                      int32_t sharedBytes, void **params,
                                      int64_t numParams) {
  (void)numParams;
  if (runFailed())
    return;
  if (gx <= 0 || gy <= 0 || gz <= 0)
    return; // an empty dynamic grid
  if (gx > UINT32_MAX || gy > 65535 || gz > 65535) {
    char buf[128];
    std::snprintf(buf, sizeof buf,
                  "grid %" PRId64 "x%" PRId64 "x%" PRId64
                  " exceeds the device limits",
                  gx, gy, gz);
    report(std::string("cuda: kernel '") + kernel + "': " + buf);
    return;
  }
  const DriverApi *api = device("sluice_rt_cuda_launch");
  if (!api)
    return;
  sluice_cuda_module_t *module = moduleOf(slot, image, imageSize);
  if (!module)
    return;
  CUfunction function = nullptr;
  {
    std::lock_guard<std::mutex> lock(module->mutex);
    auto it = module->functions.find(kernel);
    if (it != module->functions.end()) {
      function = it->second;
    } else {
      CUresult r = api->moduleGetFunction(&function, module->module, kernel);
      if (r != CUDA_SUCCESS) {
        report(std::string("cuda: kernel '") + kernel +
               "': " + driverError("cuModuleGetFunction", r));
        return;
      }
      module->functions.emplace(kernel, function);
    }
  }
  CUresult r = api->launchKernel(
      function, static_cast<unsigned>(gx), static_cast<unsigned>(gy),
      static_cast<unsigned>(gz), static_cast<unsigned>(bx),
      static_cast<unsigned>(by), static_cast<unsigned>(bz),
      static_cast<unsigned>(sharedBytes), nullptr, params, nullptr);
  if (r != CUDA_SUCCESS) {
    char buf[160];
    std::snprintf(buf, sizeof buf,
                  "grid %" PRId64 "x%" PRId64 "x%" PRId64 ", block %" PRId64
                  "x%" PRId64 "x%" PRId64,
                  gx, gy, gz, bx, by, bz);
    report(std::string("cuda: launching '") + kernel + "' (" + buf +
           "): " + driverError("cuLaunchKernel", r));
  }
}

SLUICE_API void sluice_rt_cuda_finish(void **slot, const char *const *sites,
                                      int64_t numSites) {
  auto *module = static_cast<sluice_cuda_module_t *>(*slot);
  if (!module || isStale(module->generation))
    return; // nothing was launched
  const DriverApi *api = acquire("sluice_rt_cuda_finish", nullptr);
  if (!api)
    return;
  CUresult r = api->ctxSynchronize();
  if (r != CUDA_SUCCESS) {
    report("cuda: a kernel failed: " + driverError("cuCtxSynchronize", r));
    return;
  }
  // A model without device error checks has no error sites and no
  // `sluice_device_error` global: don't ask the driver for it (a failing
  // cuModuleGetGlobal is an API error to compute-sanitizer).
  if (!api->moduleGetGlobal || numSites <= 0)
    return;
  CUdeviceptr global = 0;
  size_t bytes = 0;
  r = api->moduleGetGlobal(&global, &bytes, module->module,
                           "sluice_device_error");
  if (r != CUDA_SUCCESS || bytes < 3 * sizeof(int64_t))
    return; // the model reports no device errors
  int64_t words[3] = {0, 0, 0};
  r = api->memcpyDtoH(words, global, sizeof words);
  if (r != CUDA_SUCCESS) {
    report("cuda: reading sluice_device_error: " +
           driverError("cuMemcpyDtoH", r));
    return;
  }
  if (words[0] == 0)
    return;
  // Clear it for the next call before reporting.
  const int64_t zeros[3] = {0, 0, 0};
  api->memcpyHtoD(global, zeros, sizeof zeros);
  int64_t site = words[0] - 1;
  if (site < 0 || site >= numSites || !sites || !sites[site]) {
    char buf[160];
    std::snprintf(buf, sizeof buf,
                  "cuda: the device reported error site %" PRId64
                  " of %" PRId64 " (values %" PRId64 ", %" PRId64 ")",
                  site, numSites, words[1], words[2]);
    report(buf);
    return;
  }
  sluice_rt_error(sites[site], words[1], words[2]);
}

SLUICE_API void sluice_rt_cuda_unload(void **slot) {
  std::lock_guard<std::mutex> lock(loadMutex);
  auto *module = static_cast<sluice_cuda_module_t *>(*slot);
  *slot = nullptr;
  if (module)
    sluice_cuda_module_free(module);
}

namespace {
struct EntryScope {
  RunErrorSlot slot;
  RunErrorSlot *previous = nullptr;
};
thread_local EntryScope *entryScope = nullptr;
} // namespace

SLUICE_API void sluice_cuda_entry_begin(void) {
  clearError();
  auto *scope = new (std::nothrow) EntryScope();
  if (!scope)
    return;
  scope->previous = setCurrentRunErrorSlot(&scope->slot);
  entryScope = scope;
}

SLUICE_API sluice_status_t sluice_cuda_entry_end(void) {
  EntryScope *scope = entryScope;
  if (!scope)
    return fail(SLUICE_ERROR_OUT_OF_MEMORY, "out of memory");
  entryScope = nullptr;
  setCurrentRunErrorSlot(scope->previous);
  sluice_status_t status = SLUICE_OK;
  if (scope->slot.raised())
    status = fail(SLUICE_ERROR_RUNTIME, scope->slot.message());
  else
    clearError();
  delete scope;
  return status;
}

SLUICE_API sluice_status_t sluice_cuda_call_run(sluice_call_t *call) {
  const char *fn = "sluice_cuda_call_run";
  clearError();
  SLUICE_CHECK_ARG(call, "sluice_cuda_call_run");
  const sluice_function &f = *call->function;
  call->releaseOutputs();
  for (size_t i = 0; i < f.inputs.size(); ++i)
    if (!call->bound[i])
      return failf(SLUICE_ERROR_INVALID_ARGUMENT, "%s: unbound input '%s'",
                   f.name.c_str(), f.inputs[i].name.c_str());
  if (!acquire(fn, nullptr))
    return SLUICE_ERROR_DEVICE;

  std::vector<void *> inputs(f.inputs.size(), nullptr);
  std::set<void *> toFree;
  auto freeAll = [&] {
    for (void *p : inputs)
      sluice_rt_cuda_free(p);
    for (void *p : toFree)
      sluice_rt_cuda_free(p);
  };
  int64_t *words = call->descriptorWords.data();
  call->args.clear();
  size_t cursor = 0;
  {
    RunErrorSlot uploadSlot;
    ScopedRunErrorSlot scope(&uploadSlot);
    for (size_t i = 0; i < f.inputs.size(); ++i) {
      const sluice_tensor_t *t = call->bound[i];
      void *d = sluice_rt_cuda_alloc(static_cast<int64_t>(t->numBytes));
      inputs[i] = d;
      if (d) {
        const DriverApi *api = acquire(fn, nullptr);
        CUresult r = api->memcpyHtoD(
            static_cast<CUdeviceptr>(reinterpret_cast<uintptr_t>(d)), t->data,
            t->numBytes);
        if (r != CUDA_SUCCESS)
          report("cuda: uploading input '" + f.inputs[i].name +
                 "': " + driverError("cuMemcpyHtoD", r));
      }
      int64_t *w = words + cursor;
      int64_t rank = t->rank;
      w[0] = w[1] = static_cast<int64_t>(reinterpret_cast<intptr_t>(d));
      w[2] = 0;
      int64_t stride = 1;
      for (int64_t k = rank - 1; k >= 0; --k) {
        w[3 + k] = t->shape[k];
        w[3 + rank + k] = stride;
        if (__builtin_mul_overflow(stride, t->shape[k] > 0 ? t->shape[k] : 1,
                                   &stride))
          stride = INT64_MAX;
      }
      call->args.push_back(w);
      cursor += descriptorWords(f.inputs[i].rank);
    }
    if (uploadSlot.raised()) {
      freeAll();
      return failf(SLUICE_ERROR_DEVICE, "%s: %s", f.name.c_str(),
                   uploadSlot.message().c_str());
    }
  }
  int64_t *results = words + cursor;
  std::memset(results, 0,
              (call->descriptorWords.size() - cursor) * sizeof(int64_t));
  if (!f.outputs.empty())
    call->args.insert(call->args.begin(), results);

  RunErrorSlot slot;
  {
    ScopedRunErrorSlot scope(&slot);
    invokePointerArgs(f.entry, call->args.data(), call->args.size());

    // Every result to a fresh host buffer (collectResults adopts it); the
    // device buffers the module allocated are freed once each.
    std::set<void *> inputSet(inputs.begin(), inputs.end());
    const DriverApi *api = acquire(fn, nullptr);
    size_t at = 0;
    for (size_t j = 0; j < f.outputs.size(); ++j) {
      const sluice_param &p = f.outputs[j];
      int64_t *w = results + at;
      at += descriptorWords(p.rank);
      void *devAllocated = reinterpret_cast<void *>(static_cast<intptr_t>(w[0]));
      auto *devAligned = reinterpret_cast<char *>(static_cast<intptr_t>(w[1]));
      if (devAllocated && !inputSet.count(devAllocated))
        toFree.insert(devAllocated);
      size_t esize = elementSize(p.dtype);
      int64_t span = 1;
      for (int64_t k = 0; k < p.rank; ++k) {
        if (w[3 + k] <= 0) {
          span = 0;
          break;
        }
        span += (w[3 + k] - 1) * w[3 + p.rank + k];
      }
      void *host = std::malloc(span > 0 ? static_cast<size_t>(span) * esize : 1);
      if (!host) {
        report("cuda: out of host memory for output '" + p.name + "'");
      } else if (span > 0 && devAligned && !slot.raised()) {
        CUresult r = api->memcpyDtoH(
            host,
            static_cast<CUdeviceptr>(reinterpret_cast<uintptr_t>(
                devAligned + w[2] * static_cast<int64_t>(esize))),
            static_cast<size_t>(span) * esize);
        if (r != CUDA_SUCCESS)
          report("cuda: downloading output '" + p.name +
                 "': " + driverError("cuMemcpyDtoH", r));
      }
      w[0] = w[1] = static_cast<int64_t>(reinterpret_cast<intptr_t>(host));
      w[2] = 0;
    }
  }
  freeAll();
  return collectResults(call, results,
                        slot.raised() ? slot.message().c_str() : nullptr);
}

} // extern "C"
