//===- CudaTestUtil.h - fixtures for the CUDA device tests ------*- C++ -*-===//
//
// Switching the runtime between drivers (SLUICE_CUDA_DRIVER + a reset), the
// fake driver's hooks (FakeCuda/FakeCuda.h) and RAII handles.
//
//===----------------------------------------------------------------------===//

#ifndef SLUICE_TEST_UNIT_RUNTIME_CUDATESTUTIL_H
#define SLUICE_TEST_UNIT_RUNTIME_CUDATESTUTIL_H

#include "FakeCuda/FakeCuda.h"
#include "TestUtil.h"

#include <cstdlib>
#include <dlfcn.h>
#include <sys/stat.h>

namespace sluice_test {

struct CudaBufferDeleter {
  void operator()(sluice_cuda_buffer_t *b) const { sluice_cuda_buffer_free(b); }
};
struct CudaModuleDeleter {
  void operator()(sluice_cuda_module_t *m) const { sluice_cuda_module_free(m); }
};
using CudaBufferPtr = std::unique_ptr<sluice_cuda_buffer_t, CudaBufferDeleter>;
using CudaModulePtr = std::unique_ptr<sluice_cuda_module_t, CudaModuleDeleter>;

inline bool fileExists(const std::string &path) {
  struct stat st;
  return !path.empty() && stat(path.c_str(), &st) == 0;
}

/// The fake driver's hooks, from the library the runtime also loads (the
/// test's own dlopen keeps it and its records alive across resets).
struct FakeCuda {
  fake_cuda_register_kernel_t registerKernel = nullptr;
  fake_cuda_clear_t clear = nullptr;
  fake_cuda_num_launches_t numLaunches = nullptr;
  fake_cuda_get_launch_t getLaunch = nullptr;
  fake_cuda_live_allocations_t liveAllocations = nullptr;
  fake_cuda_live_modules_t liveModules = nullptr;
  fake_cuda_global_t global = nullptr;

  static FakeCuda &get() {
    static FakeCuda hooks = load();
    return hooks;
  }
  fake_cuda_launch_t launch(int index) {
    fake_cuda_launch_t l;
    std::memset(&l, 0, sizeof(l));
    EXPECT_EQ(getLaunch(index, &l), 0) << "no launch " << index;
    return l;
  }

private:
  static FakeCuda load() {
    FakeCuda h;
    void *lib = dlopen(SLUICE_FAKE_CUDA_PATH, RTLD_NOW | RTLD_LOCAL);
    if (!lib)
      return h;
    h.registerKernel = reinterpret_cast<fake_cuda_register_kernel_t>(
        dlsym(lib, "fake_cuda_register_kernel"));
    h.clear =
        reinterpret_cast<fake_cuda_clear_t>(dlsym(lib, "fake_cuda_clear"));
    h.numLaunches = reinterpret_cast<fake_cuda_num_launches_t>(
        dlsym(lib, "fake_cuda_num_launches"));
    h.getLaunch = reinterpret_cast<fake_cuda_get_launch_t>(
        dlsym(lib, "fake_cuda_get_launch"));
    h.liveAllocations = reinterpret_cast<fake_cuda_live_allocations_t>(
        dlsym(lib, "fake_cuda_live_allocations"));
    h.liveModules = reinterpret_cast<fake_cuda_live_modules_t>(
        dlsym(lib, "fake_cuda_live_modules"));
    h.global =
        reinterpret_cast<fake_cuda_global_t>(dlsym(lib, "fake_cuda_global"));
    return h;
  }
};

/// Runs each test with the driver it chooses and restores the environment.
class CudaTest : public ::testing::Test {
protected:
  /// Makes the runtime use `driver` (a path) with the fake's `mode`.
  void useDriver(const std::string &driver, const std::string &mode = "ok") {
    setenv("SLUICE_CUDA_DRIVER", driver.c_str(), 1);
    setenv("SLUICE_FAKE_CUDA_MODE", mode.c_str(), 1);
    sluice_cuda_reset();
  }
  /// The fake driver; fails the test if its hooks are missing.
  void useFake(const std::string &mode = "ok") {
    useDriver(SLUICE_FAKE_CUDA_PATH, mode);
    FakeCuda &fake = FakeCuda::get();
    ASSERT_NE(fake.registerKernel, nullptr) << dlerror();
    ASSERT_NE(fake.liveModules, nullptr);
    fake.clear();
  }
  void TearDown() override {
    unsetenv("SLUICE_CUDA_DRIVER");
    unsetenv("SLUICE_FAKE_CUDA_MODE");
    sluice_cuda_reset();
  }
  static std::string statusMessage(sluice_cuda_status_t *status = nullptr) {
    char buf[512];
    sluice_cuda_status_t s = sluice_cuda_status(buf, sizeof(buf));
    if (status)
      *status = s;
    return buf;
  }
};

/// Expects the last CUDA call to have failed with `status` and `result`.
#define EXPECT_CUDA_STATUS(status, result)                                     \
  do {                                                                         \
    EXPECT_EQ(sluice_cuda_last_status(), status)                               \
        << sluice_cuda_status_name(sluice_cuda_last_status()) << ": "          \
        << sluice_last_error();                                                \
    EXPECT_EQ(sluice_cuda_last_result(), result) << sluice_last_error();       \
  } while (false)

} // namespace sluice_test

#endif // SLUICE_TEST_UNIT_RUNTIME_CUDATESTUTIL_H
