//===- CallRunTest.cpp - running calls and reading outputs ----------------===//
//
// sluice_call_run against the hand-written test module: output ownership
// (adopted, returned arguments, aliased, strided, offset, data-dependent),
// run-time errors from compiled code and pool workers, many arguments,
// repeated and concurrent runs.
//
//===----------------------------------------------------------------------===//

#include "CallFixture.h"

#include <numeric>
#include <thread>

using namespace sluice_test;

namespace {

TEST_F(CallTest, AddRunsAndReadsOutputs) {
  CallPtr call = makeCall("add");
  TensorPtr x = floats({2, 4}, {1, 2, 3, 4, 5, 6, 7, 8});
  TensorPtr y = floats({2, 4}, {10, 20, 30, 40, 50, 60, 70, 80});
  TensorPtr bias = floats({4}, {0.5f, 0.5f, 0.5f, 0.5f});
  ASSERT_OK(sluice_call_bind(call.get(), "x", x.get()));
  ASSERT_OK(sluice_call_bind(call.get(), "y", y.get()));
  ASSERT_OK(sluice_call_bind(call.get(), "bias", bias.get()));
  ASSERT_OK(sluice_call_run(call.get()));
  EXPECT_EQ(sluice_call_num_outputs(call.get()), 2);
  sluice_tensor_t *z = output(call.get(), "z");
  EXPECT_EQ(shapeOf(z), (std::vector<int64_t>{2, 4}));
  EXPECT_EQ(values<float>(z), (std::vector<float>{11.5f, 22.5f, 33.5f, 44.5f,
                                                  55.5f, 66.5f, 77.5f, 88.5f}));
  sluice_tensor_t *count = nullptr;
  ASSERT_OK(sluice_call_output(call.get(), 1, &count));
  EXPECT_EQ(sluice_tensor_rank(count), 0);
  EXPECT_EQ(sluice_tensor_dtype(count), SLUICE_DTYPE_I64);
  EXPECT_EQ(values<int64_t>(count), (std::vector<int64_t>{2}));
  int64_t t = 0;
  ASSERT_OK(sluice_call_symbol(call.get(), "T", &t));
  EXPECT_EQ(t, 2);
  EXPECT_ERROR(sluice_call_symbol(call.get(), "Q", &t), SLUICE_ERROR_NOT_FOUND,
               "symbol 'Q' has no value");
  EXPECT_EQ(sluice_call_function(call.get()),
            sluice_module_function(module.get(), 0));
}

TEST_F(CallTest, EmptyDynamicDim) {
  CallPtr call = makeCall("add");
  TensorPtr x = floats({0, 4}, {});
  TensorPtr bias = floats({4}, {1, 2, 3, 4});
  ASSERT_OK(sluice_call_bind(call.get(), "x", x.get()));
  ASSERT_OK(sluice_call_bind(call.get(), "y", x.get()));
  ASSERT_OK(sluice_call_bind(call.get(), "bias", bias.get()));
  ASSERT_OK(sluice_call_run(call.get()));
  EXPECT_EQ(shapeOf(output(call.get(), "z")), (std::vector<int64_t>{0, 4}));
  EXPECT_EQ(values<int64_t>(output(call.get(), "count"))[0], 0);
}

TEST_F(CallTest, OutputsBeforeRunAndBadOutputQueries) {
  CallPtr call = makeCall("identity");
  sluice_tensor_t *t = nullptr;
  EXPECT_ERROR(sluice_call_output(call.get(), 0, &t),
               SLUICE_ERROR_INVALID_ARGUMENT, "has not run successfully");
  EXPECT_ERROR(sluice_call_output(call.get(), 1, &t),
               SLUICE_ERROR_INVALID_ARGUMENT, "output index 1 is out of range");
  EXPECT_ERROR(sluice_call_output_by_name(call.get(), "z", &t),
               SLUICE_ERROR_NOT_FOUND, "no output named 'z' (outputs: y)");
}

TEST_F(CallTest, RunTimeErrorPropagatesAndFreesOutputs) {
  CallPtr call = makeCall("gather");
  TensorPtr table = floats({2, 3}, {0, 1, 2, 3, 4, 5});
  TensorPtr bad = makeTensor<int32_t>(SLUICE_DTYPE_I32, {3}, {0, 9, 1});
  ASSERT_OK(sluice_call_bind(call.get(), "table", table.get()));
  ASSERT_OK(sluice_call_bind(call.get(), "ids", bad.get()));
  EXPECT_ERROR(
      sluice_call_run(call.get()), SLUICE_ERROR_RUNTIME,
      "gather: sluice.gather: index 9 of row 1 is out of range [0, 2)");
  sluice_tensor_t *t = nullptr;
  EXPECT_ERROR(sluice_call_output(call.get(), 0, &t),
               SLUICE_ERROR_INVALID_ARGUMENT, "has not run successfully");
  // The error does not stick to the call.
  TensorPtr good = makeTensor<int32_t>(SLUICE_DTYPE_I32, {2}, {1, 0});
  ASSERT_OK(sluice_call_bind(call.get(), "ids", good.get()));
  ASSERT_OK(sluice_call_run(call.get()));
  EXPECT_EQ(values<float>(output(call.get(), "rows")),
            (std::vector<float>{3, 4, 5, 0, 1, 2}));
}

TEST_F(CallTest, RunTimeErrorWithUntouchedResults) {
  CallPtr call = makeCall("fail_empty");
  TensorPtr x = floats({2}, {1, 2});
  ASSERT_OK(sluice_call_bind(call.get(), "x", x.get()));
  EXPECT_ERROR(sluice_call_run(call.get()), SLUICE_ERROR_RUNTIME,
               "fail_empty: fail_empty: always fails");
}

TEST_F(CallTest, FunctionWithoutResults) {
  CallPtr call = makeCall("check");
  TensorPtr ok = makeTensor<int32_t>(SLUICE_DTYPE_I32, {3}, {0, 1, 2});
  ASSERT_OK(sluice_call_bind(call.get(), "x", ok.get()));
  ASSERT_OK(sluice_call_run(call.get()));
  EXPECT_EQ(sluice_call_num_outputs(call.get()), 0);
  TensorPtr bad = makeTensor<int32_t>(SLUICE_DTYPE_I32, {3}, {0, -1, 2});
  ASSERT_OK(sluice_call_bind(call.get(), "x", bad.get()));
  EXPECT_ERROR(sluice_call_run(call.get()), SLUICE_ERROR_RUNTIME,
               "check: negative element at 3");
}

TEST_F(CallTest, RunTimeErrorFromPoolWorker) {
  ASSERT_OK(sluice_set_num_threads(4));
  CallPtr call = makeCall("parallel_fail");
  TensorPtr x = floats({1000}, std::vector<float>(1000, 0));
  ASSERT_OK(sluice_call_bind(call.get(), "x", x.get()));
  for (int i = 0; i < 5; ++i)
    EXPECT_ERROR(sluice_call_run(call.get()), SLUICE_ERROR_RUNTIME,
                 "parallel_fail: element 999 is bad");
  ASSERT_OK(sluice_set_num_threads(0));
}

TEST_F(CallTest, ReturnedArgumentIsCopiedNotFreed) {
  CallPtr call = makeCall("identity");
  TensorPtr x = makeTensor<int32_t>(SLUICE_DTYPE_I32, {3}, {4, 5, 6});
  ASSERT_OK(sluice_call_bind(call.get(), "x", x.get()));
  ASSERT_OK(sluice_call_run(call.get()));
  sluice_tensor_t *y = output(call.get(), "y");
  EXPECT_NE(sluice_tensor_data(y), sluice_tensor_data(x.get()));
  EXPECT_EQ(values<int32_t>(y), (std::vector<int32_t>{4, 5, 6}));
  // Dropping the input leaves the output intact (ASan checks both ways).
  sluice_tensor_retain(y);
  call.reset();
  x.reset();
  EXPECT_EQ(values<int32_t>(y), (std::vector<int32_t>{4, 5, 6}));
  sluice_tensor_free(y);
}

TEST_F(CallTest, ResultAliasingAnEarlierResult) {
  CallPtr call = makeCall("dup");
  TensorPtr x = floats({3}, {1, 2, 3});
  ASSERT_OK(sluice_call_bind(call.get(), "x", x.get()));
  ASSERT_OK(sluice_call_run(call.get()));
  sluice_tensor_t *a = output(call.get(), "a");
  sluice_tensor_t *b = output(call.get(), "b");
  EXPECT_NE(a, b);
  EXPECT_NE(sluice_tensor_data(a), sluice_tensor_data(b));
  EXPECT_EQ(values<float>(a), (std::vector<float>{2, 4, 6}));
  EXPECT_EQ(values<float>(b), (std::vector<float>{2, 4, 6}));
}

TEST_F(CallTest, StridedResultIsCompacted) {
  CallPtr call = makeCall("transpose");
  TensorPtr x = floats({2, 3}, {1, 2, 3, 4, 5, 6});
  ASSERT_OK(sluice_call_bind(call.get(), "x", x.get()));
  ASSERT_OK(sluice_call_run(call.get()));
  sluice_tensor_t *y = output(call.get(), "y");
  EXPECT_EQ(shapeOf(y), (std::vector<int64_t>{3, 2}));
  EXPECT_EQ(values<float>(y), (std::vector<float>{1, 4, 2, 5, 3, 6}));
}

TEST_F(CallTest, DataDependentSizeAndOffset) {
  CallPtr call = makeCall("nonzero");
  TensorPtr mask =
      makeTensor<uint8_t>(SLUICE_DTYPE_I1, {6}, {0, 1, 1, 0, 0, 1});
  ASSERT_OK(sluice_call_bind(call.get(), "mask", mask.get()));
  ASSERT_OK(sluice_call_run(call.get()));
  sluice_tensor_t *idx = output(call.get(), "idx");
  EXPECT_EQ(values<int32_t>(idx), (std::vector<int32_t>{1, 2, 5}));
  int64_t k = 0;
  ASSERT_OK(sluice_call_symbol(call.get(), "K", &k));
  EXPECT_EQ(k, 3);
  // K == 0: the module returns no buffer at all.
  TensorPtr none = makeTensor<uint8_t>(SLUICE_DTYPE_I1, {2}, {0, 0});
  ASSERT_OK(sluice_call_bind(call.get(), "mask", none.get()));
  ASSERT_OK(sluice_call_run(call.get()));
  EXPECT_EQ(sluice_tensor_num_elements(output(call.get(), "idx")), 0);
  ASSERT_OK(sluice_call_symbol(call.get(), "K", &k));
  EXPECT_EQ(k, 0);
}

TEST_F(CallTest, ModuleShapeBugIsReported) {
  CallPtr call = makeCall("bad_shape");
  TensorPtr x = floats({3}, {1, 2, 3});
  ASSERT_OK(sluice_call_bind(call.get(), "x", x.get()));
  EXPECT_ERROR(sluice_call_run(call.get()), SLUICE_ERROR_RUNTIME,
               "bad_shape: output 'y' dim 0 is 3 but the signature says 4");
}

TEST_F(CallTest, ParallelModuleFunction) {
  for (int threads : {1, 2, 4}) {
    ASSERT_OK(sluice_set_num_threads(threads));
    CallPtr call = makeCall("scale");
    std::vector<float> in(10007);
    std::iota(in.begin(), in.end(), 0.0f);
    TensorPtr x = floats({10007}, in);
    ASSERT_OK(sluice_call_bind(call.get(), "x", x.get()));
    ASSERT_OK(sluice_call_run(call.get()));
    std::vector<float> out = values<float>(output(call.get(), "y"));
    for (size_t i = 0; i < in.size(); ++i)
      ASSERT_EQ(out[i], 3.0f * in[i]) << i;
  }
  ASSERT_OK(sluice_set_num_threads(0));
}

TEST_F(CallTest, ManyArguments) {
  CallPtr call = makeCall("sum70");
  std::vector<TensorPtr> args;
  for (int i = 0; i < 70; ++i) {
    args.push_back(floats({}, {static_cast<float>(i)}));
    ASSERT_OK(sluice_call_bind_index(call.get(), i, args.back().get()));
  }
  ASSERT_OK(sluice_call_run(call.get()));
  EXPECT_EQ(values<float>(output(call.get(), "s")),
            (std::vector<float>{70 * 69 / 2}));
}

TEST_F(CallTest, RepeatedRunsReplaceOutputs) {
  CallPtr call = makeCall("scale");
  TensorPtr x = floats({2}, {1, 2});
  ASSERT_OK(sluice_call_bind(call.get(), "x", x.get()));
  ASSERT_OK(sluice_call_run(call.get()));
  sluice_tensor_t *first = output(call.get(), "y");
  sluice_tensor_retain(first);
  TensorPtr kept(first);
  TensorPtr x2 = floats({3}, {1, 1, 1});
  ASSERT_OK(sluice_call_bind(call.get(), "x", x2.get()));
  ASSERT_OK(sluice_call_run(call.get()));
  EXPECT_EQ(values<float>(kept.get()), (std::vector<float>{3, 6}));
  EXPECT_EQ(values<float>(output(call.get(), "y")),
            (std::vector<float>{3, 3, 3}));
}

TEST_F(CallTest, ConcurrentCallsOnOneModule) {
  ASSERT_OK(sluice_set_num_threads(2));
  std::vector<std::thread> threads;
  std::vector<int> failures(4, 0);
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      sluice_call_t *raw = nullptr;
      if (sluice_call_create(module.get(), "scale", &raw) != SLUICE_OK) {
        failures[t] = 1;
        return;
      }
      CallPtr call(raw);
      std::vector<float> in(3000, static_cast<float>(t + 1));
      int64_t shape[] = {3000};
      sluice_tensor_t *x = nullptr;
      sluice_tensor_create_copy(SLUICE_DTYPE_F32, 1, shape, in.data(), &x);
      TensorPtr xp(x);
      for (int iter = 0; iter < 20; ++iter) {
        sluice_tensor_t *y = nullptr;
        if (sluice_call_bind(call.get(), "x", x) != SLUICE_OK ||
            sluice_call_run(call.get()) != SLUICE_OK ||
            sluice_call_output(call.get(), 0, &y) != SLUICE_OK ||
            static_cast<float *>(sluice_tensor_data(y))[2999] != 3.0f * (t + 1))
          failures[t] = 1;
      }
    });
  for (std::thread &thread : threads)
    thread.join();
  EXPECT_EQ(failures, (std::vector<int>{0, 0, 0, 0}));
  ASSERT_OK(sluice_set_num_threads(0));
}

} // namespace
