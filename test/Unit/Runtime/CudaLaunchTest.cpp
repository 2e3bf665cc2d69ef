//===- CudaLaunchTest.cpp - the CUDA device on the fake driver ------------===//
//
// Module images (ptxas-made cubins, fatbins, PTX text, truncated and garbage
// images) and their statuses, device buffers and copies, and launches: the
// parameter buffer the fake driver records is compared byte by byte with one
// built here, and a CPU build of kernels.ptx's sluice_test_axpy runs on the
// arguments the runtime packed.
//
//===----------------------------------------------------------------------===//

#include "CudaTestUtil.h"

#include <thread>

using namespace sluice_test;

namespace {

std::string imagePath(const std::string &name) {
  return std::string(SLUICE_TEST_CUDA_DIR) + "/" + name;
}

#define REQUIRE_IMAGE(path)                                                    \
  do {                                                                         \
    if (!fileExists(path))                                                     \
      GTEST_SKIP() << (path) << " was not built (no ptxas / fatbinary)";       \
  } while (false)

uint64_t u64(void **params, int i) {
  return *static_cast<const uint64_t *>(params[i]);
}

/// The CPU build of sluice_test_axpy (Inputs/cuda/kernels.ptx): the same
/// 16 parameters, one call per thread.
void axpyCpu(const fake_cuda_thread_t *t, void **p) {
  int64_t i = int64_t(t->block_idx[0]) * t->block[0] + t->thread_idx[0];
  if (i >= int64_t(u64(p, 14)))
    return;
  const float *x = reinterpret_cast<const float *>(u64(p, 1));
  const float *y = reinterpret_cast<const float *>(u64(p, 6));
  float *out = reinterpret_cast<float *>(u64(p, 12));
  float alpha = *static_cast<const float *>(p[10]);
  float xv = x[int64_t(u64(p, 2)) + i * int64_t(u64(p, 4))];
  float yv = y[int64_t(u64(p, 7)) + i * int64_t(u64(p, 9))];
  out[int64_t(u64(p, 13)) + i * int64_t(u64(p, 15))] = alpha * xv + yv;
}

const std::vector<uint32_t> axpySizes = {8, 8, 8, 8, 8, 8, 8, 8,
                                         8, 8, 4, 8, 8, 8, 8, 8};
const std::vector<uint32_t> packSizes = {8, 8, 8, 8, 8, 8, 8, 4, 8, 4, 8};

class CudaFakeTest : public CudaTest {
protected:
  void SetUp() override {
    useFake();
    FakeCuda::get().registerKernel("sluice_test_axpy", int(axpySizes.size()),
                                   axpySizes.data(), axpyCpu);
    FakeCuda::get().registerKernel("sluice_test_pack", int(packSizes.size()),
                                   packSizes.data(), nullptr);
  }

  CudaModulePtr load(const std::string &path) {
    sluice_cuda_module_t *m = nullptr;
    sluice_status_t s = sluice_cuda_module_load_file(path.c_str(), &m);
    EXPECT_EQ(s, SLUICE_OK) << sluice_last_error();
    return CudaModulePtr(m);
  }

  CudaBufferPtr upload(const std::vector<float> &values) {
    sluice_cuda_buffer_t *b = nullptr;
    EXPECT_OK(sluice_cuda_buffer_create(values.size() * 4, &b));
    EXPECT_OK(
        sluice_cuda_copy_to_device(b, 0, values.data(), values.size() * 4));
    return CudaBufferPtr(b);
  }

  std::vector<float> download(const sluice_cuda_buffer_t *b, size_t n) {
    std::vector<float> out(n, -1.0f);
    EXPECT_OK(sluice_cuda_copy_to_host(out.data(), b, 0, n * 4));
    return out;
  }

  /// out[i] = 2 * x[1 + 2i] + y[i] over 5 elements through `module`.
  void runAxpy(sluice_cuda_module_t *module) {
    std::vector<float> x(11), y(5);
    for (int i = 0; i < 11; ++i)
      x[size_t(i)] = float(i);
    for (int i = 0; i < 5; ++i)
      y[size_t(i)] = 100.0f * float(i);
    CudaBufferPtr bx = upload(x), by = upload(y),
                  bo = upload(std::vector<float>(5));
    int64_t n = 5, two = 2;
    sluice_cuda_arg_t args[4] = {
        sluice_cuda_arg_memref(bx.get(), 1, 1, &n, &two),
        sluice_cuda_arg_memref(by.get(), 0, 1, &n, nullptr),
        sluice_cuda_arg_f32(2.0f),
        sluice_cuda_arg_memref(bo.get(), 0, 1, &n, nullptr)};
    uint32_t grid[3] = {2, 1, 1}, block[3] = {4, 1, 1};
    int before = FakeCuda::get().numLaunches();
    ASSERT_OK(sluice_cuda_launch(module, "sluice_test_axpy", grid, block, 0,
                                 args, 4));
    ASSERT_OK(sluice_cuda_synchronize());
    EXPECT_EQ(download(bo.get(), 5),
              (std::vector<float>{2, 106, 210, 314, 418}));
    ASSERT_EQ(FakeCuda::get().numLaunches(), before + 1);
    fake_cuda_launch_t l = FakeCuda::get().launch(before);
    EXPECT_STREQ(l.kernel, "sluice_test_axpy");
    EXPECT_EQ(l.executed, 1);
    EXPECT_EQ(l.num_params, 16u);
    EXPECT_EQ(l.param_bytes, 128u); // f32 at 80, padding 84..87
  }
};

TEST_F(CudaFakeTest, LoadsPtxCubinForSm90AndRuns) {
  std::string cubin = imagePath("kernels_sm90.cubin");
  REQUIRE_IMAGE(cubin);
  std::string bytes = readFile(cubin);
  ASSERT_GE(bytes.size(), 64u);
  EXPECT_EQ(uint8_t(bytes[18]), 190);    // EM_CUDA
  EXPECT_EQ((uint8_t(bytes[49])), 0x5a); // sm_90 in e_flags bits 8..15
  CudaModulePtr module = load(cubin);
  ASSERT_TRUE(module);
  EXPECT_EQ(FakeCuda::get().liveModules(), 1);
  runAxpy(module.get());
  module.reset();
  EXPECT_EQ(FakeCuda::get().liveModules(), 0);
}

TEST_F(CudaFakeTest, LoadsPtxTextAndRuns) {
  CudaModulePtr module = load(SLUICE_TEST_PTX);
  ASSERT_TRUE(module);
  runAxpy(module.get());
}

TEST_F(CudaFakeTest, LoadsPtxWithoutTrailingNul) {
  std::string ptx = readFile(SLUICE_TEST_PTX);
  ASSERT_FALSE(ptx.empty());
  sluice_cuda_module_t *m = nullptr;
  ASSERT_OK(sluice_cuda_module_load_data(ptx.data(), ptx.size(), &m));
  CudaModulePtr module(m);
  runAxpy(m);
}

TEST_F(CudaFakeTest, LoadsFatbin) {
  std::string fatbin = imagePath("kernels_sm90_ptx80.fatbin");
  REQUIRE_IMAGE(fatbin);
  CudaModulePtr module = load(fatbin);
  ASSERT_TRUE(module);
  runAxpy(module.get());
}

TEST_F(CudaFakeTest, FatbinPtxEntryServesAnOlderGpu) {
  std::string fatbin = imagePath("kernels_sm90_ptx80.fatbin");
  REQUIRE_IMAGE(fatbin);
  useFake("wrong-arch"); // an sm_80 device
  CudaModulePtr module = load(fatbin);
  EXPECT_TRUE(module);
}

TEST_F(CudaFakeTest, NoBinaryForThisGpu) {
  std::string cubin = imagePath("kernels_sm90.cubin");
  std::string fatbin = imagePath("kernels_sm90.fatbin");
  REQUIRE_IMAGE(cubin);
  REQUIRE_IMAGE(fatbin);
  useFake("wrong-arch"); // an sm_80 device
  for (const std::string &path : {cubin, fatbin}) {
    sluice_cuda_module_t *m = nullptr;
    EXPECT_ERROR(sluice_cuda_module_load_file(path.c_str(), &m),
                 SLUICE_ERROR_DEVICE,
                 "cuModuleLoadData failed: CUDA_ERROR_NO_BINARY_FOR_GPU (209): "
                 "no binary for this GPU");
    EXPECT_CUDA_STATUS(SLUICE_CUDA_NO_BINARY_FOR_GPU, 209);
    EXPECT_EQ(m, nullptr);
  }
  // And sm_80 code does not run on sm_90.
  std::string sm80 = imagePath("kernels_sm80.cubin");
  REQUIRE_IMAGE(sm80);
  useFake();
  sluice_cuda_module_t *m = nullptr;
  EXPECT_ERROR(sluice_cuda_module_load_file(sm80.c_str(), &m),
               SLUICE_ERROR_DEVICE, "no binary for this GPU");
  EXPECT_CUDA_STATUS(SLUICE_CUDA_NO_BINARY_FOR_GPU, 209);
}

TEST_F(CudaFakeTest, PtxNewerThanTheDriver) {
  useFake("old-driver"); // CUDA 11.8: PTX ISA 7.8
  sluice_cuda_module_t *m = nullptr;
  EXPECT_ERROR(sluice_cuda_module_load_file(SLUICE_TEST_PTX, &m),
               SLUICE_ERROR_DEVICE,
               "CUDA_ERROR_UNSUPPORTED_PTX_VERSION (222): unsupported PTX");
  EXPECT_CUDA_STATUS(SLUICE_CUDA_UNSUPPORTED_PTX, 222);
  EXPECT_EQ(m, nullptr);
}

TEST_F(CudaFakeTest, InvalidPtx) {
  const char *cases[] = {
      // No .version.
      ".target sm_80\n.address_size 64\n.visible .entry k() { ret; }\n",
      // A target above the device.
      ".version 8.0\n.target sm_100\n.visible .entry k() { ret; }\n",
      // Text that is not PTX at all.
      "hello, world"};
  for (const char *ptx : cases) {
    sluice_cuda_module_t *m = nullptr;
    EXPECT_ERROR(sluice_cuda_module_load_data(ptx, strlen(ptx) + 1, &m),
                 SLUICE_ERROR_DEVICE, "CUDA_ERROR_INVALID_PTX (218)");
    EXPECT_CUDA_STATUS(SLUICE_CUDA_INVALID_PTX, 218);
  }
}

TEST_F(CudaFakeTest, RejectsTruncatedAndGarbageImages) {
  sluice_cuda_module_t *m = nullptr;
  // Empty.
  EXPECT_ERROR(sluice_cuda_module_load_data("", 0, &m), SLUICE_ERROR_FORMAT,
               "the image is empty");
  EXPECT_CUDA_STATUS(SLUICE_CUDA_INVALID_IMAGE, 0);
  // Binary garbage goes to the driver, which rejects it.
  const unsigned char garbage[] = {0x01, 0x02, 0xfe, 0xff, 0x80, 0x00};
  EXPECT_ERROR(sluice_cuda_module_load_data(garbage, sizeof(garbage), &m),
               SLUICE_ERROR_DEVICE, "CUDA_ERROR_INVALID_IMAGE (200)");
  EXPECT_CUDA_STATUS(SLUICE_CUDA_INVALID_IMAGE, 200);
  // A host ELF (this test program) is not a cubin.
  std::string self = readFile("/proc/self/exe");
  ASSERT_GT(self.size(), 64u);
  EXPECT_ERROR(sluice_cuda_module_load_data(self.data(), self.size(), &m),
               SLUICE_ERROR_DEVICE, "invalid image");
  EXPECT_CUDA_STATUS(SLUICE_CUDA_INVALID_IMAGE, 200);
  // Truncated ELF and fatbin images never reach the driver.
  std::string elf = "\x7f"
                    "ELF";
  EXPECT_ERROR(sluice_cuda_module_load_data(elf.data(), elf.size(), &m),
               SLUICE_ERROR_FORMAT, "invalid image: ELF image of 4 bytes");
  std::string cubin = imagePath("kernels_sm90.cubin");
  if (fileExists(cubin)) {
    std::string bytes = readFile(cubin);
    for (size_t cut : {size_t(64), bytes.size() / 2, bytes.size() - 1}) {
      EXPECT_ERROR(sluice_cuda_module_load_data(bytes.data(), cut, &m),
                   SLUICE_ERROR_FORMAT, "invalid image: ELF");
      EXPECT_CUDA_STATUS(SLUICE_CUDA_INVALID_IMAGE, 0);
    }
  }
  std::string fatbin = le(0xBA55ED50u, 4) + le(0x00100001, 4) + le(4096, 8);
  EXPECT_ERROR(sluice_cuda_module_load_data(fatbin.data(), fatbin.size(), &m),
               SLUICE_ERROR_FORMAT,
               "invalid image: fatbin declares 4112 bytes, the image has 16");
  EXPECT_ERROR(sluice_cuda_module_load_file("/nonexistent.cubin", &m),
               SLUICE_ERROR_NOT_FOUND, "/nonexistent.cubin");
  EXPECT_EQ(m, nullptr);
  EXPECT_EQ(FakeCuda::get().liveModules(), 0);
}

/// Little-endian bytes of a value of type T.
template <typename T> std::string bytesOf(T value) {
  return std::string(reinterpret_cast<const char *>(&value), sizeof(T));
}

/// Launches sluice_test_pack with every argument kind and compares the
/// parameter buffer the fake recorded with one built here.
void checkPacking(sluice_cuda_module_t *module) {
  sluice_cuda_buffer_t *b = nullptr;
  ASSERT_OK(sluice_cuda_buffer_create(4096, &b));
  CudaBufferPtr buffer(b);
  uint64_t base = sluice_cuda_buffer_address(b);
  ASSERT_NE(base, 0u);
  int64_t sizes[2] = {4, 5}, strides[2] = {10, 1};
  for (bool explicitStrides : {true, false}) {
    sluice_cuda_arg_t args[5] = {
        sluice_cuda_arg_memref(b, 3, 2, sizes,
                               explicitStrides ? strides : nullptr),
        sluice_cuda_arg_i32(-7), sluice_cuda_arg_i64(0x1122334455667788LL),
        sluice_cuda_arg_f32(1.5f), sluice_cuda_arg_ptr(0xdeadbeef00ULL)};
    uint32_t grid[3] = {3, 2, 1}, block[3] = {32, 4, 2};
    int index = FakeCuda::get().numLaunches();
    ASSERT_OK(sluice_cuda_launch(module, "sluice_test_pack", grid, block, 1024,
                                 args, 5));
    fake_cuda_launch_t l = FakeCuda::get().launch(index);
    EXPECT_STREQ(l.kernel, "sluice_test_pack");
    EXPECT_EQ(std::vector<uint32_t>(l.grid, l.grid + 3),
              (std::vector<uint32_t>{3, 2, 1}));
    EXPECT_EQ(std::vector<uint32_t>(l.block, l.block + 3),
              (std::vector<uint32_t>{32, 4, 2}));
    EXPECT_EQ(l.shared_bytes, 1024u);
    EXPECT_EQ(l.num_params, 11u);
    EXPECT_EQ(l.executed, 0);
    std::string expected =
        bytesOf<uint64_t>(base) + bytesOf<uint64_t>(base) +
        bytesOf<int64_t>(3) + bytesOf<int64_t>(4) + bytesOf<int64_t>(5) +
        bytesOf<int64_t>(explicitStrides ? 10 : 5) + bytesOf<int64_t>(1) +
        bytesOf<int32_t>(-7) + std::string(4, '\0') +
        bytesOf<int64_t>(0x1122334455667788LL) + bytesOf<float>(1.5f) +
        std::string(4, '\0') + bytesOf<uint64_t>(0xdeadbeef00ULL);
    ASSERT_EQ(l.param_bytes, expected.size());
    for (size_t i = 0; i < expected.size(); ++i)
      EXPECT_EQ(uint8_t(l.params[i]), uint8_t(expected[i])) << "byte " << i;
  }
}

TEST_F(CudaFakeTest, PacksTheMemrefKernelAbiByteForByte) {
  // The PTX entry's parameter list gives the layout.
  CudaModulePtr module = load(SLUICE_TEST_PTX);
  ASSERT_TRUE(module);
  checkPacking(module.get());
}

TEST_F(CudaFakeTest, PacksAsPtxasLaidOutTheCubin) {
  // The cubin's EIATTR_KPARAM_INFO records (ptxas's own offsets) give the
  // layout; nothing registered.
  std::string cubin = imagePath("kernels_sm90.cubin");
  REQUIRE_IMAGE(cubin);
  FakeCuda::get().clear();
  CudaModulePtr module = load(cubin);
  ASSERT_TRUE(module);
  checkPacking(module.get());
  // A CPU kernel registered with another parameter list is refused.
  std::vector<uint32_t> wrong(11, 8);
  FakeCuda::get().registerKernel("sluice_test_pack", 11, wrong.data(), nullptr);
  uint32_t dims[3] = {1, 1, 1};
  std::vector<sluice_cuda_arg_t> args(11, sluice_cuda_arg_i64(0));
  EXPECT_ERROR(sluice_cuda_launch(module.get(), "sluice_test_pack", dims, dims,
                                  0, args.data(), 11),
               SLUICE_ERROR_DEVICE, "CUDA_ERROR_INVALID_VALUE (1)");
}

TEST_F(CudaFakeTest, LaunchErrors) {
  CudaModulePtr module = load(SLUICE_TEST_PTX);
  ASSERT_TRUE(module);
  uint32_t grid[3] = {1, 1, 1}, block[3] = {1, 1, 1};
  EXPECT_ERROR(
      sluice_cuda_launch(module.get(), "nope", grid, block, 0, nullptr, 0),
      SLUICE_ERROR_DEVICE,
      "cuModuleGetFunction failed: CUDA_ERROR_NOT_FOUND (500): "
      "kernel not found");
  EXPECT_CUDA_STATUS(SLUICE_CUDA_KERNEL_NOT_FOUND, 500);
  // An empty grid (no tokens) launches nothing and succeeds.
  int before = FakeCuda::get().numLaunches();
  uint32_t empty[3] = {0, 1, 1};
  EXPECT_OK(sluice_cuda_launch(module.get(), "sluice_test_pack", empty, block,
                               0, nullptr, 0));
  EXPECT_EQ(FakeCuda::get().numLaunches(), before);
  uint32_t zeroBlock[3] = {32, 0, 1};
  EXPECT_ERROR(sluice_cuda_launch(module.get(), "sluice_test_pack", grid,
                                  zeroBlock, 0, nullptr, 0),
               SLUICE_ERROR_INVALID_ARGUMENT, "has a zero dimension");
  // The driver refuses what the kernel's parameter list does not match.
  EXPECT_ERROR(sluice_cuda_launch(module.get(), "sluice_test_pack", grid, block,
                                  0, nullptr, 0),
               SLUICE_ERROR_DEVICE, "CUDA_ERROR_INVALID_VALUE (1)");
  EXPECT_CUDA_STATUS(SLUICE_CUDA_DRIVER_ERROR, 1);
  uint32_t huge[3] = {2048, 1, 1};
  sluice_cuda_arg_t none[1] = {sluice_cuda_arg_i32(0)};
  EXPECT_ERROR(sluice_cuda_launch(module.get(), "sluice_test_pack", grid, huge,
                                  0, none, 1),
               SLUICE_ERROR_DEVICE, "block 2048x1x1");
  // Bad arguments are refused before the driver sees them.
  int64_t negative = -1;
  sluice_cuda_arg_t bad[3] = {
      sluice_cuda_arg_memref(nullptr, 0, 1, &negative, nullptr),
      sluice_cuda_arg_memref(nullptr, 0, 40, nullptr, nullptr),
      sluice_cuda_arg_i32(0)};
  bad[2].kind = 77;
  EXPECT_ERROR(sluice_cuda_launch(module.get(), "k", grid, block, 0, bad, 1),
               SLUICE_ERROR_INVALID_ARGUMENT, "memref size 0 is negative");
  EXPECT_ERROR(
      sluice_cuda_launch(module.get(), "k", grid, block, 0, bad + 1, 1),
      SLUICE_ERROR_INVALID_ARGUMENT, "rank 40 is not in [0, 32]");
  EXPECT_ERROR(
      sluice_cuda_launch(module.get(), "k", grid, block, 0, bad + 2, 1),
      SLUICE_ERROR_INVALID_ARGUMENT, "unknown kind 77");
  EXPECT_ERROR(
      sluice_cuda_launch(module.get(), "k", grid, block, 0, nullptr, 2),
      SLUICE_ERROR_INVALID_ARGUMENT, "2 arguments");
  std::vector<sluice_cuda_arg_t> many(5000, sluice_cuda_arg_i64(1));
  EXPECT_ERROR(sluice_cuda_launch(module.get(), "k", grid, block, 0,
                                  many.data(), int64_t(many.size())),
               SLUICE_ERROR_INVALID_ARGUMENT,
               "more than 32764 parameter bytes");
}

TEST_F(CudaFakeTest, ConcurrentLaunchesFromManyThreads) {
  CudaModulePtr module = load(SLUICE_TEST_PTX);
  ASSERT_TRUE(module);
  constexpr int kThreads = 4, kRounds = 25, kN = 300;
  std::vector<int> failures(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int round = 0; round < kRounds; ++round) {
        std::vector<float> x(kN), y(kN), out(kN, -1.0f);
        for (int i = 0; i < kN; ++i) {
          x[size_t(i)] = float(t * 1000 + i);
          y[size_t(i)] = float(round);
        }
        sluice_cuda_buffer_t *bx = nullptr, *by = nullptr, *bo = nullptr;
        int64_t n = kN;
        bool ok =
            sluice_cuda_buffer_create(kN * 4, &bx) == SLUICE_OK &&
            sluice_cuda_buffer_create(kN * 4, &by) == SLUICE_OK &&
            sluice_cuda_buffer_create(kN * 4, &bo) == SLUICE_OK &&
            sluice_cuda_copy_to_device(bx, 0, x.data(), kN * 4) == SLUICE_OK &&
            sluice_cuda_copy_to_device(by, 0, y.data(), kN * 4) == SLUICE_OK;
        if (ok) {
          sluice_cuda_arg_t args[4] = {
              sluice_cuda_arg_memref(bx, 0, 1, &n, nullptr),
              sluice_cuda_arg_memref(by, 0, 1, &n, nullptr),
              sluice_cuda_arg_f32(3.0f),
              sluice_cuda_arg_memref(bo, 0, 1, &n, nullptr)};
          uint32_t grid[3] = {(kN + 63) / 64, 1, 1}, block[3] = {64, 1, 1};
          ok = sluice_cuda_launch(module.get(), "sluice_test_axpy", grid, block,
                                  0, args, 4) == SLUICE_OK &&
               sluice_cuda_synchronize() == SLUICE_OK &&
               sluice_cuda_copy_to_host(out.data(), bo, 0, kN * 4) == SLUICE_OK;
        }
        for (int i = 0; ok && i < kN; ++i)
          ok = out[size_t(i)] == 3.0f * x[size_t(i)] + y[size_t(i)];
        failures[size_t(t)] += !ok;
        sluice_cuda_buffer_free(bx);
        sluice_cuda_buffer_free(by);
        sluice_cuda_buffer_free(bo);
      }
    });
  for (std::thread &th : threads)
    th.join();
  EXPECT_EQ(failures, std::vector<int>(kThreads, 0));
}

TEST_F(CudaFakeTest, BuffersAndCopies) {
  int live = FakeCuda::get().liveAllocations();
  sluice_cuda_buffer_t *b = nullptr;
  ASSERT_OK(sluice_cuda_buffer_create(64, &b));
  CudaBufferPtr buffer(b);
  EXPECT_EQ(sluice_cuda_buffer_size(b), 64u);
  EXPECT_EQ(FakeCuda::get().liveAllocations(), live + 1);
  std::vector<uint8_t> in(64), out(64, 0xEE);
  for (size_t i = 0; i < in.size(); ++i)
    in[i] = uint8_t(i * 7);
  ASSERT_OK(sluice_cuda_copy_to_device(b, 0, in.data(), 64));
  ASSERT_OK(sluice_cuda_copy_to_host(out.data(), b, 0, 64));
  EXPECT_EQ(in, out);
  // Offsets on both sides.
  uint8_t part[4] = {1, 2, 3, 4}, back[6] = {};
  ASSERT_OK(sluice_cuda_copy_to_device(b, 60, part, 4));
  ASSERT_OK(sluice_cuda_copy_to_host(back, b, 58, 6));
  EXPECT_EQ(std::vector<uint8_t>(back, back + 6),
            (std::vector<uint8_t>{in[58], in[59], 1, 2, 3, 4}));
  EXPECT_ERROR(sluice_cuda_copy_to_device(b, 61, part, 4),
               SLUICE_ERROR_INVALID_ARGUMENT,
               "bytes [61, 61 + 4) are outside the 64-byte buffer");
  EXPECT_ERROR(sluice_cuda_copy_to_host(back, b, SIZE_MAX, 2),
               SLUICE_ERROR_INVALID_ARGUMENT, "outside the 64-byte buffer");
  EXPECT_ERROR(sluice_cuda_copy_to_device(b, 0, nullptr, 4),
               SLUICE_ERROR_INVALID_ARGUMENT, "'src' is null");
  EXPECT_OK(sluice_cuda_copy_to_device(b, 64, nullptr, 0));
  // Tensors.
  TensorPtr t =
      makeTensor<int32_t>(SLUICE_DTYPE_I32, {2, 3}, {1, 2, 3, 4, 5, 6});
  sluice_cuda_buffer_t *tb = nullptr;
  ASSERT_OK(sluice_cuda_tensor_upload(t.get(), &tb));
  CudaBufferPtr tensorBuffer(tb);
  EXPECT_EQ(sluice_cuda_buffer_size(tb), 24u);
  TensorPtr back2 =
      makeTensor<int32_t>(SLUICE_DTYPE_I32, {2, 3}, {0, 0, 0, 0, 0, 0});
  ASSERT_OK(sluice_cuda_tensor_download(tb, back2.get()));
  EXPECT_EQ(values<int32_t>(back2.get()),
            (std::vector<int32_t>{1, 2, 3, 4, 5, 6}));
  TensorPtr big =
      makeTensor<int32_t>(SLUICE_DTYPE_I32, {7}, std::vector<int32_t>(7));
  EXPECT_ERROR(sluice_cuda_tensor_download(tb, big.get()), SLUICE_ERROR_SHAPE,
               "the tensor needs 28 bytes, the buffer has 24");
  // An empty buffer has no device memory.
  sluice_cuda_buffer_t *empty = nullptr;
  ASSERT_OK(sluice_cuda_buffer_create(0, &empty));
  EXPECT_EQ(sluice_cuda_buffer_address(empty), 0u);
  sluice_cuda_buffer_free(empty);
  buffer.reset();
  tensorBuffer.reset();
  EXPECT_EQ(FakeCuda::get().liveAllocations(), live);
}

TEST_F(CudaFakeTest, OutOfDeviceMemory) {
  sluice_cuda_buffer_t *b = nullptr;
  EXPECT_ERROR(sluice_cuda_buffer_create(size_t(1) << 40, &b),
               SLUICE_ERROR_OUT_OF_MEMORY,
               "cuMemAlloc_v2 failed: CUDA_ERROR_OUT_OF_MEMORY (2)");
  EXPECT_CUDA_STATUS(SLUICE_CUDA_OUT_OF_MEMORY, 2);
  EXPECT_EQ(b, nullptr);
}

TEST_F(CudaFakeTest, HandlesGoStaleAfterAReset) {
  sluice_cuda_buffer_t *b = nullptr;
  ASSERT_OK(sluice_cuda_buffer_create(16, &b));
  CudaModulePtr module = load(SLUICE_TEST_PTX);
  ASSERT_TRUE(module);
  sluice_cuda_reset();
  uint8_t data[16] = {};
  EXPECT_ERROR(sluice_cuda_copy_to_device(b, 0, data, 16),
               SLUICE_ERROR_INVALID_ARGUMENT,
               "the buffer was made before sluice_cuda_reset");
  uint32_t dims[3] = {1, 1, 1};
  EXPECT_ERROR(sluice_cuda_launch(module.get(), "sluice_test_pack", dims, dims,
                                  0, nullptr, 0),
               SLUICE_ERROR_INVALID_ARGUMENT,
               "the module was made before sluice_cuda_reset");
  sluice_cuda_buffer_free(b); // only the handle
}

} // namespace
