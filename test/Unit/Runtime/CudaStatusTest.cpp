//===- CudaStatusTest.cpp - the CUDA device without a usable driver -------===//
//
// Every way the device can be unusable gives its status and a one-line
// message naming it: no driver (a bad SLUICE_CUDA_DRIVER), the toolkit's
// real stub library, and the fake driver's simulated failures. Also the
// runtime's CUresult name table against the toolkit's cuda.h.
//
//===----------------------------------------------------------------------===//

#include "CudaTestUtil.h"

#include <cstdio>
#include <cstring>
#include <fstream>

using namespace sluice_test;

extern "C" int sluice_test_c_cuda_args(void);

namespace {

TEST(CudaCApi, HeaderCompilesAsC) { EXPECT_EQ(sluice_test_c_cuda_args(), 0); }

TEST_F(CudaTest, NoDriverNamesThePath) {
  useDriver("/nonexistent/libcuda.so.1");
  sluice_cuda_status_t status;
  std::string message = statusMessage(&status);
  EXPECT_EQ(status, SLUICE_CUDA_NO_DRIVER);
  EXPECT_TRUE(contains(message, "no driver: dlopen(/nonexistent/libcuda.so.1)"))
      << message;
  EXPECT_EQ(sluice_cuda_device_count(), 0);
  EXPECT_STREQ(sluice_last_error(), "");
}

TEST_F(CudaTest, EveryCallFailsWithoutADriver) {
  useDriver("/nonexistent/libcuda.so.1");
  sluice_cuda_buffer_t *buffer = nullptr;
  EXPECT_ERROR(sluice_cuda_buffer_create(16, &buffer), SLUICE_ERROR_DEVICE,
               "sluice_cuda_buffer_create: CUDA device not usable: no driver");
  EXPECT_EQ(buffer, nullptr);
  EXPECT_CUDA_STATUS(SLUICE_CUDA_NO_DRIVER, -1);
  const char ptx[] = ".version 8.0\n.target sm_80\n";
  sluice_cuda_module_t *module = nullptr;
  EXPECT_ERROR(sluice_cuda_module_load_data(ptx, sizeof(ptx), &module),
               SLUICE_ERROR_DEVICE, "no driver");
  EXPECT_EQ(module, nullptr);
  EXPECT_ERROR(sluice_cuda_synchronize(), SLUICE_ERROR_DEVICE, "no driver");
  int major = -1;
  EXPECT_ERROR(sluice_cuda_device_info(&major, nullptr, nullptr),
               SLUICE_ERROR_DEVICE, "no driver");
  EXPECT_EQ(major, -1);
  sluice_tensor_t *t = nullptr;
  int64_t shape[1] = {4};
  ASSERT_OK(sluice_tensor_create(SLUICE_DTYPE_F32, 1, shape, &t));
  TensorPtr tensor(t);
  EXPECT_ERROR(sluice_cuda_tensor_upload(t, &buffer), SLUICE_ERROR_DEVICE,
               "no driver");
  EXPECT_CUDA_STATUS(SLUICE_CUDA_NO_DRIVER, -1);
  // Null handles are refused before the driver is looked at.
  uint32_t dims[3] = {1, 1, 1};
  EXPECT_ERROR(sluice_cuda_launch(nullptr, "k", dims, dims, 0, nullptr, 0),
               SLUICE_ERROR_INVALID_ARGUMENT, "'module' is null");
  sluice_cuda_buffer_free(nullptr);
  sluice_cuda_module_free(nullptr);
}

TEST_F(CudaTest, DefaultDriverPathIsLibcudaSo1) {
  unsetenv("SLUICE_CUDA_DRIVER");
  sluice_cuda_reset();
  sluice_cuda_status_t status;
  std::string message = statusMessage(&status);
  // Either no driver is installed (this machine) or it is used; the
  // message names the library either way.
  EXPECT_TRUE(contains(message, "libcuda.so.1")) << message;
  void *lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    EXPECT_EQ(status, SLUICE_CUDA_NO_DRIVER) << message;
  } else {
    EXPECT_NE(status, SLUICE_CUDA_NO_DRIVER) << message;
    dlclose(lib);
  }
}

TEST_F(CudaTest, RealStubLibrary) {
  std::string stub = SLUICE_CUDA_STUB_PATH;
  if (!fileExists(stub))
    GTEST_SKIP() << "no CUDA toolkit stub library (lib64/stubs/libcuda.so)";
  useDriver(stub);
  sluice_cuda_status_t status;
  std::string message = statusMessage(&status);
  EXPECT_EQ(status, SLUICE_CUDA_STUB_LIBRARY) << message;
  EXPECT_TRUE(contains(message, "stub library: cuInit returned "
                                "CUDA_ERROR_STUB_LIBRARY (34)"))
      << message;
  EXPECT_TRUE(contains(message, stub)) << message;
  sluice_cuda_buffer_t *buffer = nullptr;
  EXPECT_ERROR(sluice_cuda_buffer_create(16, &buffer), SLUICE_ERROR_DEVICE,
               "stub library");
  EXPECT_CUDA_STATUS(SLUICE_CUDA_STUB_LIBRARY, 34);
}

TEST_F(CudaTest, LibraryThatIsNotADriver) {
  // A shared object without the entry points: the runtime's own test
  // module.
  useDriver(modulePath("TestModule"));
  sluice_cuda_status_t status;
  std::string message = statusMessage(&status);
  EXPECT_EQ(status, SLUICE_CUDA_BAD_DRIVER) << message;
  EXPECT_TRUE(contains(message, "bad driver: ")) << message;
  EXPECT_TRUE(contains(message, "has no entry point cuInit")) << message;
}

struct SimulatedFailure {
  const char *mode;
  sluice_cuda_status_t status;
  int result;
  const char *text;
};

class CudaFakeFailureTest
    : public CudaTest,
      public ::testing::WithParamInterface<SimulatedFailure> {};

TEST_P(CudaFakeFailureTest, StatusNamesIt) {
  const SimulatedFailure &f = GetParam();
  useFake(f.mode);
  sluice_cuda_status_t status;
  std::string message = statusMessage(&status);
  EXPECT_EQ(status, f.status) << message;
  EXPECT_TRUE(contains(message, f.text)) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos);
  EXPECT_EQ(sluice_cuda_device_count(), 0);
  sluice_cuda_buffer_t *buffer = nullptr;
  EXPECT_ERROR(sluice_cuda_buffer_create(16, &buffer), SLUICE_ERROR_DEVICE,
               f.text);
  EXPECT_CUDA_STATUS(f.status, f.result);
  EXPECT_EQ(buffer, nullptr);
}

INSTANTIATE_TEST_SUITE_P(
    Modes, CudaFakeFailureTest,
    ::testing::Values(
        SimulatedFailure{"stub", SLUICE_CUDA_STUB_LIBRARY, 34,
                         "stub library: cuInit returned "
                         "CUDA_ERROR_STUB_LIBRARY (34)"},
        SimulatedFailure{"no-device", SLUICE_CUDA_NO_DEVICE, 100,
                         "no device: cuInit returned CUDA_ERROR_NO_DEVICE "
                         "(100)"},
        SimulatedFailure{"zero-devices", SLUICE_CUDA_NO_DEVICE, 0,
                         "no device: the driver reports 0 devices"},
        SimulatedFailure{"init-error=46", SLUICE_CUDA_UNAVAILABLE, 46,
                         "unavailable: cuInit returned "
                         "CUDA_ERROR_DEVICE_UNAVAILABLE (46)"},
        SimulatedFailure{"init-error=802", SLUICE_CUDA_UNAVAILABLE, 802,
                         "CUDA_ERROR_SYSTEM_NOT_READY (802)"},
        SimulatedFailure{"init-error=803", SLUICE_CUDA_UNAVAILABLE, 803,
                         "CUDA_ERROR_SYSTEM_DRIVER_MISMATCH (803)"},
        SimulatedFailure{"init-error=804", SLUICE_CUDA_UNAVAILABLE, 804,
                         "CUDA_ERROR_COMPAT_NOT_SUPPORTED_ON_DEVICE (804)"},
        SimulatedFailure{"init-error=999", SLUICE_CUDA_DRIVER_ERROR, 999,
                         "driver error: cuInit returned CUDA_ERROR_UNKNOWN "
                         "(999)"},
        // A code the runtime's table lacks is named by cuGetErrorName.
        SimulatedFailure{"init-error=12345", SLUICE_CUDA_DRIVER_ERROR, 12345,
                         "driver error: cuInit returned "
                         "CUDA_ERROR_FROM_FAKE_DRIVER (12345)"}),
    [](const ::testing::TestParamInfo<SimulatedFailure> &info) {
      std::string name = info.param.mode;
      for (char &c : name)
        if (!isalnum(static_cast<unsigned char>(c)))
          c = '_';
      return name;
    });

TEST_F(CudaTest, FakeDriverIsUsable) {
  useFake();
  sluice_cuda_status_t status;
  std::string message = statusMessage(&status);
  EXPECT_EQ(status, SLUICE_CUDA_OK) << message;
  EXPECT_TRUE(contains(message, "ok: driver 13.0, 1 device, device 0 sm_90"))
      << message;
  EXPECT_EQ(sluice_cuda_device_count(), 1);
  int major = 0, minor = -1, version = 0;
  ASSERT_OK(sluice_cuda_device_info(&major, &minor, &version));
  EXPECT_EQ(major, 9);
  EXPECT_EQ(minor, 0);
  EXPECT_EQ(version, 13000);
  // A truncated message is still NUL-terminated.
  char small[8];
  sluice_cuda_status(small, sizeof(small));
  EXPECT_STREQ(small, "ok: dri");
  EXPECT_EQ(sluice_cuda_status(nullptr, 0), SLUICE_CUDA_OK);
}

TEST_F(CudaTest, StatusNames) {
  EXPECT_STREQ(sluice_cuda_status_name(SLUICE_CUDA_NO_DRIVER), "no driver");
  EXPECT_STREQ(sluice_cuda_status_name(SLUICE_CUDA_STUB_LIBRARY),
               "stub library");
  EXPECT_STREQ(sluice_cuda_status_name(SLUICE_CUDA_NO_BINARY_FOR_GPU),
               "no binary for this GPU");
  EXPECT_STREQ(sluice_cuda_status_name(static_cast<sluice_cuda_status_t>(99)),
               "unknown");
  EXPECT_STREQ(sluice_status_string(SLUICE_ERROR_DEVICE),
               "SLUICE_ERROR_DEVICE");
  EXPECT_STREQ(sluice_cuda_result_name(222),
               "CUDA_ERROR_UNSUPPORTED_PTX_VERSION");
  EXPECT_STREQ(sluice_cuda_result_name(12345), "CUDA_ERROR_UNKNOWN_CODE");
}

TEST(CudaResultNames, MatchTheToolkitHeader) {
  std::string header = SLUICE_CUDA_HEADER;
  if (!fileExists(header))
    GTEST_SKIP() << "no CUDA toolkit cuda.h to compare with";
  std::ifstream in(header);
  std::string line;
  int count = 0;
  // Enumerator lines: "    CUDA_ERROR_NAME = 123, /**< ... */".
  while (std::getline(in, line)) {
    char name[128];
    int value;
    if (std::sscanf(line.c_str(), " %127[A-Z0-9_] = %d", name, &value) != 2 ||
        std::strncmp(name, "CUDA_", 5) != 0 ||
        (std::strcmp(name, "CUDA_SUCCESS") != 0 &&
         std::strncmp(name, "CUDA_ERROR_", 11) != 0))
      continue;
    ++count;
    EXPECT_STREQ(sluice_cuda_result_name(value), name);
  }
  EXPECT_GT(count, 90);
}

} // namespace
