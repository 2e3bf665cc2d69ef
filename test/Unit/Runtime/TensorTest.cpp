//===- TensorTest.cpp - host tensors, dtypes, errors ----------------------===//
//
// Tensor creation, queries, reference counting, exact conversion, dtype and
// status names, the last-error contract and the header compiled as C.
//
//===----------------------------------------------------------------------===//

#include "TestUtil.h"

#include <cmath>
#include <limits>
#include <thread>

using namespace sluice_test;

extern "C" int sluice_test_c_api_smoke(void);

#if defined(__SANITIZE_ADDRESS__)
/// Lets the absurd-allocation test see a null from malloc under ASan.
extern "C" const char *__asan_default_options() {
  return "allocator_may_return_null=1";
}
#endif

namespace {

TEST(Tensor, CreateIsZeroFilledAndAligned) {
  int64_t shape[] = {2, 3, 4};
  sluice_tensor_t *raw = nullptr;
  ASSERT_OK(sluice_tensor_create(SLUICE_DTYPE_F32, 3, shape, &raw));
  TensorPtr t(raw);
  EXPECT_EQ(sluice_tensor_dtype(t.get()), SLUICE_DTYPE_F32);
  EXPECT_EQ(sluice_tensor_rank(t.get()), 3);
  EXPECT_EQ(shapeOf(t.get()), (std::vector<int64_t>{2, 3, 4}));
  EXPECT_EQ(sluice_tensor_dim(t.get(), 2), 4);
  EXPECT_EQ(sluice_tensor_dim(t.get(), 3), -1);
  EXPECT_EQ(sluice_tensor_dim(t.get(), -1), -1);
  EXPECT_EQ(sluice_tensor_num_elements(t.get()), 24);
  EXPECT_EQ(sluice_tensor_num_bytes(t.get()), 96u);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(sluice_tensor_data(t.get())) % 64, 0u);
  for (float v : values<float>(t.get()))
    EXPECT_EQ(v, 0.0f);
}

TEST(Tensor, ScalarAndEmpty) {
  sluice_tensor_t *raw = nullptr;
  ASSERT_OK(sluice_tensor_create(SLUICE_DTYPE_I64, 0, nullptr, &raw));
  TensorPtr scalar(raw);
  EXPECT_EQ(sluice_tensor_num_elements(scalar.get()), 1);
  EXPECT_EQ(sluice_tensor_num_bytes(scalar.get()), 8u);
  int64_t shape[] = {4, 0};
  ASSERT_OK(sluice_tensor_create(SLUICE_DTYPE_I8, 2, shape, &raw));
  TensorPtr empty(raw);
  EXPECT_EQ(sluice_tensor_num_elements(empty.get()), 0);
  EXPECT_NE(sluice_tensor_data(empty.get()), nullptr);
}

TEST(Tensor, CreateRejectsBadArguments) {
  sluice_tensor_t *t = nullptr;
  int64_t negative[] = {2, -1};
  EXPECT_ERROR(sluice_tensor_create(SLUICE_DTYPE_F32, 2, negative, &t),
               SLUICE_ERROR_SHAPE, "[2, -1]");
  EXPECT_EQ(t, nullptr);
  int64_t huge[] = {int64_t(1) << 40, int64_t(1) << 40};
  EXPECT_ERROR(sluice_tensor_create(SLUICE_DTYPE_F32, 2, huge, &t),
               SLUICE_ERROR_SHAPE, "overflows");
  int64_t big[] = {int64_t(1) << 61};
  EXPECT_ERROR(sluice_tensor_create(SLUICE_DTYPE_F32, 1, big, &t),
               SLUICE_ERROR_SHAPE, "overflows");
  int64_t ok[] = {1};
  EXPECT_ERROR(sluice_tensor_create(SLUICE_DTYPE_F32, 33, ok, &t),
               SLUICE_ERROR_SHAPE, "rank 33");
  EXPECT_ERROR(sluice_tensor_create(static_cast<sluice_dtype_t>(42), 1, ok, &t),
               SLUICE_ERROR_DTYPE, "invalid dtype 42");
  EXPECT_ERROR(sluice_tensor_create(SLUICE_DTYPE_F32, 1, nullptr, &t),
               SLUICE_ERROR_INVALID_ARGUMENT, "'shape' is null");
  EXPECT_ERROR(sluice_tensor_create(SLUICE_DTYPE_F32, 1, ok, nullptr),
               SLUICE_ERROR_INVALID_ARGUMENT, "'out' is null");
}

TEST(Tensor, CreateAbsurdSizeFailsCleanly) {
  // 2^60 bytes: representable, but no allocator can satisfy it.
  int64_t shape[] = {int64_t(1) << 57};
  sluice_tensor_t *t = nullptr;
  sluice_status_t status = sluice_tensor_create(SLUICE_DTYPE_I64, 1, shape, &t);
  EXPECT_EQ(status, SLUICE_ERROR_OUT_OF_MEMORY) << sluice_last_error();
  EXPECT_EQ(t, nullptr);
}

TEST(Tensor, CopyAndReferenceCounting) {
  TensorPtr t = makeTensor<int32_t>(SLUICE_DTYPE_I32, {3}, {7, 8, 9});
  EXPECT_EQ(values<int32_t>(t.get()), (std::vector<int32_t>{7, 8, 9}));
  sluice_tensor_retain(t.get());
  sluice_tensor_free(t.get()); // Drops the extra reference only.
  EXPECT_EQ(values<int32_t>(t.get())[2], 9);
  sluice_tensor_free(nullptr);
  sluice_tensor_t *out = nullptr;
  int64_t shape[] = {1};
  EXPECT_ERROR(
      sluice_tensor_create_copy(SLUICE_DTYPE_I32, 1, shape, nullptr, &out),
      SLUICE_ERROR_INVALID_ARGUMENT, "'data' is null");
}

TEST(Tensor, ConvertExactValues) {
  TensorPtr f64 =
      makeTensor<double>(SLUICE_DTYPE_F64, {4}, {1.5, -2.0, 0.25, NAN});
  sluice_tensor_t *raw = nullptr;
  ASSERT_OK(sluice_tensor_convert(f64.get(), SLUICE_DTYPE_F32, &raw));
  TensorPtr f32(raw);
  std::vector<float> v = values<float>(f32.get());
  EXPECT_EQ(v[0], 1.5f);
  EXPECT_EQ(v[1], -2.0f);
  EXPECT_TRUE(std::isnan(v[3]));

  TensorPtr i64 =
      makeTensor<int64_t>(SLUICE_DTYPE_I64, {3}, {0, INT32_MAX, INT32_MIN});
  ASSERT_OK(sluice_tensor_convert(i64.get(), SLUICE_DTYPE_I32, &raw));
  TensorPtr i32(raw);
  EXPECT_EQ(values<int32_t>(i32.get()),
            (std::vector<int32_t>{0, INT32_MAX, INT32_MIN}));

  TensorPtr ints = makeTensor<int32_t>(SLUICE_DTYPE_I32, {3}, {1, 0, 1});
  ASSERT_OK(sluice_tensor_convert(ints.get(), SLUICE_DTYPE_I1, &raw));
  TensorPtr mask(raw);
  EXPECT_EQ(values<uint8_t>(mask.get()), (std::vector<uint8_t>{1, 0, 1}));
  ASSERT_OK(sluice_tensor_convert(ints.get(), SLUICE_DTYPE_F32, &raw));
  TensorPtr floats(raw);
  EXPECT_EQ(values<float>(floats.get())[0], 1.0f);
  ASSERT_OK(sluice_tensor_convert(floats.get(), SLUICE_DTYPE_I64, &raw));
  TensorPtr back(raw);
  EXPECT_EQ(values<int64_t>(back.get()), (std::vector<int64_t>{1, 0, 1}));
}

TEST(Tensor, ConvertRejectsInexactValues) {
  sluice_tensor_t *raw = nullptr;
  TensorPtr tenth = makeTensor<double>(SLUICE_DTYPE_F64, {2}, {1.0, 0.1});
  EXPECT_ERROR(sluice_tensor_convert(tenth.get(), SLUICE_DTYPE_F32, &raw),
               SLUICE_ERROR_DTYPE, "element 1");
  EXPECT_EQ(raw, nullptr);
  TensorPtr big =
      makeTensor<int64_t>(SLUICE_DTYPE_I64, {2}, {1, int64_t(1) << 31});
  EXPECT_ERROR(sluice_tensor_convert(big.get(), SLUICE_DTYPE_I32, &raw),
               SLUICE_ERROR_DTYPE, "(2147483648) of a i64 tensor");
  TensorPtr half = makeTensor<float>(SLUICE_DTYPE_F32, {1}, {1.5f});
  EXPECT_ERROR(sluice_tensor_convert(half.get(), SLUICE_DTYPE_I32, &raw),
               SLUICE_ERROR_DTYPE, "not exactly representable as i32");
  TensorPtr inf = makeTensor<float>(SLUICE_DTYPE_F32, {1}, {INFINITY});
  EXPECT_ERROR(sluice_tensor_convert(inf.get(), SLUICE_DTYPE_I64, &raw),
               SLUICE_ERROR_DTYPE, "as i64");
  TensorPtr two = makeTensor<int32_t>(SLUICE_DTYPE_I32, {1}, {2});
  EXPECT_ERROR(sluice_tensor_convert(two.get(), SLUICE_DTYPE_I1, &raw),
               SLUICE_ERROR_DTYPE, "as i1");
  TensorPtr odd =
      makeTensor<int64_t>(SLUICE_DTYPE_I64, {1}, {(int64_t(1) << 24) + 1});
  EXPECT_ERROR(sluice_tensor_convert(odd.get(), SLUICE_DTYPE_F32, &raw),
               SLUICE_ERROR_DTYPE, "as f32");
  TensorPtr neg = makeTensor<int8_t>(SLUICE_DTYPE_I8, {1}, {-1});
  EXPECT_ERROR(sluice_tensor_convert(neg.get(), SLUICE_DTYPE_U8, &raw),
               SLUICE_ERROR_DTYPE, "as u8");
}

TEST(Tensor, DTypeAndStatusNames) {
  EXPECT_STREQ(sluice_dtype_name(SLUICE_DTYPE_F32), "f32");
  EXPECT_STREQ(sluice_dtype_name(SLUICE_DTYPE_I1), "i1");
  EXPECT_STREQ(sluice_dtype_name(SLUICE_DTYPE_F64), "f64");
  EXPECT_STREQ(sluice_dtype_name(static_cast<sluice_dtype_t>(99)), "invalid");
  EXPECT_EQ(sluice_dtype_size(SLUICE_DTYPE_I64), 8u);
  EXPECT_EQ(sluice_dtype_size(SLUICE_DTYPE_U8), 1u);
  EXPECT_EQ(sluice_dtype_size(SLUICE_DTYPE_INVALID), 0u);
  EXPECT_STREQ(sluice_status_string(SLUICE_ERROR_SHAPE), "SLUICE_ERROR_SHAPE");
  EXPECT_STREQ(sluice_status_string(SLUICE_OK), "SLUICE_OK");
  EXPECT_STREQ(sluice_status_string(static_cast<sluice_status_t>(77)),
               "SLUICE_ERROR_UNKNOWN");
}

TEST(Tensor, LastErrorIsPerThreadAndClearedOnSuccess) {
  sluice_tensor_t *t = nullptr;
  int64_t bad[] = {-3};
  EXPECT_NE(sluice_tensor_create(SLUICE_DTYPE_F32, 1, bad, &t), SLUICE_OK);
  EXPECT_STRNE(sluice_last_error(), "");
  std::string other = "unset";
  std::thread([&] { other = sluice_last_error(); }).join();
  EXPECT_EQ(other, "");
  int64_t good[] = {3};
  ASSERT_OK(sluice_tensor_create(SLUICE_DTYPE_F32, 1, good, &t));
  EXPECT_STREQ(sluice_last_error(), "");
  sluice_tensor_free(t);
}

TEST(Tensor, HeaderCompilesAsC) { EXPECT_EQ(sluice_test_c_api_smoke(), 0); }

} // namespace
