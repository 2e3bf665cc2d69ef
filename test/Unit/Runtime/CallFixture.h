//===- CallFixture.h - a loaded test module for the call tests --*- C++ -*-===//
//
// The fixture shared by CallBindTest.cpp and CallRunTest.cpp: loads
// TestModule.so and makes calls, tensors and output lookups short.
//
//===----------------------------------------------------------------------===//

#ifndef SLUICE_TEST_UNIT_RUNTIME_CALLFIXTURE_H
#define SLUICE_TEST_UNIT_RUNTIME_CALLFIXTURE_H

#include "TestUtil.h"

namespace sluice_test {

class CallTest : public ::testing::Test {
protected:
  void SetUp() override {
    sluice_module_t *raw = nullptr;
    ASSERT_OK(sluice_module_load(modulePath("TestModule").c_str(), &raw));
    module.reset(raw);
  }

  CallPtr makeCall(const char *function) {
    sluice_call_t *raw = nullptr;
    EXPECT_EQ(sluice_call_create(module.get(), function, &raw), SLUICE_OK)
        << sluice_last_error();
    return CallPtr(raw);
  }

  static TensorPtr floats(std::vector<int64_t> shape,
                          const std::vector<float> &v) {
    return makeTensor<float>(SLUICE_DTYPE_F32, std::move(shape), v);
  }

  static sluice_tensor_t *output(sluice_call_t *call, const char *name) {
    sluice_tensor_t *t = nullptr;
    EXPECT_EQ(sluice_call_output_by_name(call, name, &t), SLUICE_OK)
        << sluice_last_error();
    return t;
  }

  ModulePtr module;
};

} // namespace sluice_test

#endif // SLUICE_TEST_UNIT_RUNTIME_CALLFIXTURE_H
