//===- CudaHostTest.cpp - what compiled CUDA host modules call ------------===//
//
// sluice_rt_cuda_* on the fake driver: lazy image load and launch with
// cuLaunchKernel's parameter pointers, device allocations and
// device-to-device copies, and the end-of-call device-error check
// (`sluice_device_error`: word 0 = 1 + site, words 1 and 2 the values).
//
//===----------------------------------------------------------------------===//

#include "CudaTestUtil.h"

#include <cstring>
#include <string>

using namespace sluice_test;

namespace {

/// A module with the device-error global and one kernel of one u64.
const char kPtx[] = R"(.version 8.0
.target sm_80
.address_size 64
.visible .global .align 8 .b8 sluice_device_error[32];
.visible .entry sluice_test_k(
  .param .u64 sluice_test_k_param_0
)
{
  ret;
}
)";

const char *const kSites[] = {
    "m.mlir:1:1: sluice.first: bad {0}",
    "m.mlir:2:5: sluice.second: index {0} out of range [0, {1})"};

class CudaHostTest : public CudaTest {
protected:
  void SetUp() override { useFake(); }
  void launchOnce(void **slot, uint64_t arg) {
    void *params[1] = {&arg};
    sluice_rt_cuda_launch(slot, kPtx, sizeof kPtx, "sluice_test_k", 3, 2, 1,
                          64, 1, 1, 0, params, 1);
  }
};

TEST_F(CudaHostTest, LaunchLoadsTheImageOnceAndPassesTheParameters) {
  FakeCuda &fake = FakeCuda::get();
  void *slot = nullptr;
  launchOnce(&slot, 0x1234);
  launchOnce(&slot, 0x5678);
  ASSERT_NE(slot, nullptr) << sluice_last_error();
  EXPECT_EQ(fake.liveModules(), 1);
  ASSERT_EQ(fake.numLaunches(), 2);
  fake_cuda_launch_t l = fake.launch(1);
  EXPECT_STREQ(l.kernel, "sluice_test_k");
  EXPECT_EQ(l.grid[0], 3u);
  EXPECT_EQ(l.grid[1], 2u);
  EXPECT_EQ(l.block[0], 64u);
  uint64_t p = 0;
  std::memcpy(&p, l.params, sizeof p);
  EXPECT_EQ(p, 0x5678u);
  // An empty grid launches nothing.
  uint64_t arg = 0;
  void *params[1] = {&arg};
  sluice_rt_cuda_launch(&slot, kPtx, sizeof kPtx, "sluice_test_k", 0, 1, 1, 64,
                        1, 1, 0, params, 1);
  EXPECT_EQ(fake.numLaunches(), 2);
  sluice_rt_cuda_unload(&slot);
  EXPECT_EQ(slot, nullptr);
  EXPECT_EQ(fake.liveModules(), 0);
}

TEST_F(CudaHostTest, DeviceErrorIsReportedWithItsSiteAndCleared) {
  FakeCuda &fake = FakeCuda::get();
  ASSERT_NE(fake.global, nullptr);
  void *slot = nullptr;
  launchOnce(&slot, 0);
  size_t bytes = 0;
  uint64_t *words = fake.global("sluice_device_error", &bytes);
  ASSERT_NE(words, nullptr);
  EXPECT_EQ(bytes, 32u);

  // No error: nothing reported.
  ASSERT_EQ(sluice_cuda_synchronize(), SLUICE_OK); // clears the last error
  sluice_rt_cuda_finish(&slot, kSites, 2);
  EXPECT_STREQ(sluice_last_error(), "");

  // Site 1 (word 0 = 2) with its two values; the global is cleared.
  words[0] = 2;
  words[1] = 7;
  words[2] = 3;
  sluice_rt_cuda_finish(&slot, kSites, 2);
  EXPECT_STREQ(sluice_last_error(),
               "m.mlir:2:5: sluice.second: index 7 out of range [0, 3)");
  EXPECT_EQ(words[0], 0u);
  EXPECT_EQ(words[1], 0u);
  EXPECT_EQ(words[2], 0u);
  ASSERT_EQ(sluice_cuda_synchronize(), SLUICE_OK);
  sluice_rt_cuda_finish(&slot, kSites, 2);
  EXPECT_STREQ(sluice_last_error(), "");

  // A site the table does not have is still an error, never silence.
  words[0] = 9;
  words[1] = -1;
  sluice_rt_cuda_finish(&slot, kSites, 2);
  EXPECT_NE(std::string(sluice_last_error())
                .find("the device reported error site 8 of 2 (values -1, 0)"),
            std::string::npos)
      << sluice_last_error();
  sluice_rt_cuda_unload(&slot);
}

TEST_F(CudaHostTest, FinishWithoutLaunchesDoesNothing) {
  void *slot = nullptr;
  ASSERT_EQ(sluice_cuda_synchronize(), SLUICE_OK);
  sluice_rt_cuda_finish(&slot, kSites, 2);
  EXPECT_STREQ(sluice_last_error(), "");
  EXPECT_EQ(FakeCuda::get().liveModules(), 0);
}

TEST_F(CudaHostTest, AllocationsAndDeviceToDeviceCopies) {
  FakeCuda &fake = FakeCuda::get();
  int before = fake.liveAllocations();
  auto *a = static_cast<float *>(sluice_rt_cuda_alloc(64));
  auto *b = static_cast<float *>(sluice_rt_cuda_alloc(64));
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(fake.liveAllocations(), before + 2);
  EXPECT_EQ(sluice_rt_cuda_alloc(0), nullptr); // empty buffers: no allocation
  // The fake's device memory is host memory: fill and read it directly.
  for (int i = 0; i < 16; ++i)
    a[i] = float(i);
  sluice_rt_cuda_copy(b, a, 64);
  for (int i = 0; i < 16; ++i)
    EXPECT_EQ(b[i], float(i));
  sluice_rt_cuda_free(a);
  sluice_rt_cuda_free(b);
  sluice_rt_cuda_free(nullptr);
  EXPECT_EQ(fake.liveAllocations(), before);
}

TEST_F(CudaHostTest, WithoutADeviceTheCallsReportIt) {
  useDriver("/nonexistent/libcuda.so.1");
  EXPECT_EQ(sluice_rt_cuda_alloc(16), nullptr);
  EXPECT_NE(std::string(sluice_last_error()).find("cuda: "), std::string::npos)
      << sluice_last_error();
  void *slot = nullptr;
  uint64_t arg = 0;
  void *params[1] = {&arg};
  sluice_rt_cuda_launch(&slot, kPtx, sizeof kPtx, "sluice_test_k", 1, 1, 1, 1,
                        1, 1, 0, params, 1);
  EXPECT_EQ(slot, nullptr);
  EXPECT_NE(std::string(sluice_last_error()).find("no driver"),
            std::string::npos)
      << sluice_last_error();
}

} // namespace
