//===- CallBindTest.cpp - binding inputs and weights ----------------------===//
//
// sluice_call_create / _bind / _bind_index / _bind_weights: dtype, rank,
// static-size and symbol checks with their messages, unbound inputs,
// weights from collections and files, reference counting of the module.
//
//===----------------------------------------------------------------------===//

#include "CallFixture.h"

using namespace sluice_test;

namespace {

TEST_F(CallTest, CreateForUnknownFunction) {
  sluice_call_t *call = nullptr;
  EXPECT_ERROR(sluice_call_create(module.get(), "nope", &call),
               SLUICE_ERROR_NOT_FOUND, "no function 'nope'");
  EXPECT_EQ(call, nullptr);
}

TEST_F(CallTest, BindUnknownName) {
  CallPtr call = makeCall("add");
  TensorPtr x = floats({1, 4}, {1, 2, 3, 4});
  EXPECT_ERROR(sluice_call_bind(call.get(), "w", x.get()),
               SLUICE_ERROR_NOT_FOUND,
               "add: no input named 'w' (inputs: x, y, bias)");
}

TEST_F(CallTest, BindWrongDtype) {
  CallPtr call = makeCall("add");
  TensorPtr x = makeTensor<int32_t>(SLUICE_DTYPE_I32, {1, 4}, {1, 2, 3, 4});
  EXPECT_ERROR(sluice_call_bind(call.get(), "x", x.get()), SLUICE_ERROR_DTYPE,
               "add: input 'x' has dtype i32, expected f32");
}

TEST_F(CallTest, BindWrongRank) {
  CallPtr call = makeCall("add");
  TensorPtr x = floats({4}, {1, 2, 3, 4});
  EXPECT_ERROR(sluice_call_bind(call.get(), "x", x.get()), SLUICE_ERROR_SHAPE,
               "add: input 'x' has rank 1 (shape [4]), expected rank 2 "
               "([T, 4])");
}

TEST_F(CallTest, BindWrongStaticDim) {
  CallPtr call = makeCall("add");
  TensorPtr x = floats({1, 5}, {1, 2, 3, 4, 5});
  EXPECT_ERROR(sluice_call_bind(call.get(), "x", x.get()), SLUICE_ERROR_SHAPE,
               "add: input 'x' dim 1 is 5, expected 4 (shape [1, 5], "
               "expected [T, 4])");
  TensorPtr bias = floats({3}, {1, 2, 3});
  EXPECT_ERROR(sluice_call_bind(call.get(), "bias", bias.get()),
               SLUICE_ERROR_SHAPE, "input 'bias' dim 0 is 3, expected 4");
}

TEST_F(CallTest, BindInconsistentSymbol) {
  CallPtr call = makeCall("add");
  TensorPtr x = floats({2, 4}, std::vector<float>(8, 1));
  TensorPtr y = floats({3, 4}, std::vector<float>(12, 1));
  ASSERT_OK(sluice_call_bind(call.get(), "x", x.get()));
  EXPECT_ERROR(sluice_call_bind(call.get(), "y", y.get()), SLUICE_ERROR_SHAPE,
               "add: input 'y' dim 0 (T) is 3, but input 'x' has T = 2");
  // Rebinding x to T = 3 is fine while y is unbound; then y agrees.
  ASSERT_OK(sluice_call_bind(call.get(), "x", y.get()));
  ASSERT_OK(sluice_call_bind(call.get(), "y", y.get()));
  int64_t t = 0;
  ASSERT_OK(sluice_call_symbol(call.get(), "T", &t));
  EXPECT_EQ(t, 3);
  // Now x cannot go back to T = 2 while y holds T = 3.
  EXPECT_ERROR(sluice_call_bind(call.get(), "x", x.get()), SLUICE_ERROR_SHAPE,
               "input 'x' dim 0 (T) is 2, but input 'y' has T = 3");
}

TEST_F(CallTest, SymbolRepeatedInOneInput) {
  CallPtr call = makeCall("square");
  TensorPtr x = floats({2, 3}, std::vector<float>(6, 1));
  EXPECT_ERROR(sluice_call_bind(call.get(), "x", x.get()), SLUICE_ERROR_SHAPE,
               "square: input 'x' dims 0 and 1 share symbol 'S' but are 2 "
               "and 3");
  TensorPtr ok = floats({2, 2}, {1, 2, 3, 4});
  ASSERT_OK(sluice_call_bind(call.get(), "x", ok.get()));
  ASSERT_OK(sluice_call_run(call.get()));
  EXPECT_EQ(values<float>(output(call.get(), "y")),
            (std::vector<float>{1, 2, 3, 4}));
}

TEST_F(CallTest, MissingInputs) {
  CallPtr call = makeCall("add");
  EXPECT_ERROR(sluice_call_run(call.get()), SLUICE_ERROR_INVALID_ARGUMENT,
               "add: unbound inputs 'x', 'y', 'bias' (weight)");
  TensorPtr x = floats({1, 4}, {1, 2, 3, 4});
  ASSERT_OK(sluice_call_bind(call.get(), "x", x.get()));
  ASSERT_OK(sluice_call_bind(call.get(), "y", x.get()));
  EXPECT_ERROR(sluice_call_run(call.get()), SLUICE_ERROR_INVALID_ARGUMENT,
               "add: unbound input 'bias' (weight)");
}

TEST_F(CallTest, BindByIndex) {
  CallPtr call = makeCall("identity");
  TensorPtr x = makeTensor<int32_t>(SLUICE_DTYPE_I32, {2}, {5, 6});
  EXPECT_ERROR(sluice_call_bind_index(call.get(), 1, x.get()),
               SLUICE_ERROR_INVALID_ARGUMENT,
               "identity: input index 1 is out of range [0, 1)");
  ASSERT_OK(sluice_call_bind_index(call.get(), 0, x.get()));
  ASSERT_OK(sluice_call_run(call.get()));
}

TEST_F(CallTest, BindWeightsFromCollection) {
  CallPtr call = makeCall("add");
  sluice_weights_t *raw = nullptr;
  ASSERT_OK(sluice_weights_create(&raw));
  WeightsPtr weights(raw);
  TensorPtr bias = floats({4}, {1, 1, 1, 1});
  TensorPtr unrelated = floats({1}, {0});
  ASSERT_OK(sluice_weights_add(weights.get(), "bias", bias.get()));
  ASSERT_OK(sluice_weights_add(weights.get(), "unrelated", unrelated.get()));
  int64_t bound = -1;
  ASSERT_OK(sluice_call_bind_weights(call.get(), weights.get(), &bound));
  EXPECT_EQ(bound, 1);
  // A weight of the wrong shape in the collection is reported.
  sluice_weights_t *raw2 = nullptr;
  ASSERT_OK(sluice_weights_create(&raw2));
  WeightsPtr wrong(raw2);
  TensorPtr short_bias = floats({2}, {1, 1});
  ASSERT_OK(sluice_weights_add(wrong.get(), "bias", short_bias.get()));
  EXPECT_ERROR(sluice_call_bind_weights(call.get(), wrong.get(), nullptr),
               SLUICE_ERROR_SHAPE, "input 'bias' dim 0 is 2, expected 4");
}

TEST_F(CallTest, WeightsFromSafetensorsFeedGather) {
  sluice_weights_t *raw = nullptr;
  ASSERT_OK(sluice_weights_create(&raw));
  WeightsPtr weights(raw);
  TensorPtr table = floats({3, 3}, {0, 1, 2, 10, 11, 12, 20, 21, 22});
  ASSERT_OK(sluice_weights_add(weights.get(), "table", table.get()));
  std::string path = tempPath("gather.safetensors");
  ASSERT_OK(sluice_weights_save_safetensors(weights.get(), path.c_str()));
  weights.reset();
  table.reset();

  ASSERT_OK(sluice_weights_load_safetensors(path.c_str(), &raw));
  WeightsPtr loaded(raw);
  std::remove(path.c_str());
  CallPtr call = makeCall("gather");
  ASSERT_OK(sluice_call_bind_weights(call.get(), loaded.get(), nullptr));
  loaded.reset(); // The call holds its own reference.
  TensorPtr ids = makeTensor<int32_t>(SLUICE_DTYPE_I32, {4}, {2, 0, 1, 2});
  ASSERT_OK(sluice_call_bind(call.get(), "ids", ids.get()));
  ASSERT_OK(sluice_call_run(call.get()));
  sluice_tensor_t *rows = output(call.get(), "rows");
  EXPECT_EQ(shapeOf(rows), (std::vector<int64_t>{4, 3}));
  EXPECT_EQ(values<float>(rows),
            (std::vector<float>{20, 21, 22, 0, 1, 2, 10, 11, 12, 20, 21, 22}));
}

TEST_F(CallTest, CallKeepsModuleAlive) {
  CallPtr call = makeCall("identity");
  module.reset();
  TensorPtr x = makeTensor<int32_t>(SLUICE_DTYPE_I32, {1}, {42});
  ASSERT_OK(sluice_call_bind(call.get(), "x", x.get()));
  ASSERT_OK(sluice_call_run(call.get()));
  EXPECT_EQ(values<int32_t>(output(call.get(), "y"))[0], 42);
}

TEST_F(CallTest, NullArguments) {
  sluice_call_t *call = nullptr;
  EXPECT_ERROR(sluice_call_create(nullptr, "add", &call),
               SLUICE_ERROR_INVALID_ARGUMENT, "'module' is null");
  CallPtr c = makeCall("add");
  EXPECT_ERROR(sluice_call_bind(c.get(), "x", nullptr),
               SLUICE_ERROR_INVALID_ARGUMENT, "'tensor' is null");
  EXPECT_ERROR(sluice_call_run(nullptr), SLUICE_ERROR_INVALID_ARGUMENT,
               "'call' is null");
  sluice_call_free(nullptr);
}

} // namespace
