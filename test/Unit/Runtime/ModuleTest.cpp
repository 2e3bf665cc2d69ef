//===- ModuleTest.cpp - loading modules and querying signatures -----------===//
//
// sluice_module_load on the hand-written test module and on broken ones;
// function and parameter queries.
//
//===----------------------------------------------------------------------===//

#include "TestUtil.h"

using namespace sluice_test;

namespace {

ModulePtr loadTestModule() {
  sluice_module_t *raw = nullptr;
  EXPECT_EQ(sluice_module_load(modulePath("TestModule").c_str(), &raw),
            SLUICE_OK)
      << sluice_last_error();
  return ModulePtr(raw);
}

TEST(Module, LoadsAndListsFunctions) {
  ModulePtr module = loadTestModule();
  ASSERT_TRUE(module);
  const char *expected[] = {
      "add",           "gather", "identity", "dup",        "transpose",
      "nonzero",       "scale",  "check",    "fail_empty", "bad_shape",
      "parallel_fail", "square", "sum70"};
  ASSERT_EQ(sluice_module_num_functions(module.get()), 13);
  for (int64_t i = 0; i < 13; ++i)
    EXPECT_STREQ(sluice_function_name(sluice_module_function(module.get(), i)),
                 expected[i]);
  EXPECT_EQ(sluice_module_function(module.get(), 13), nullptr);
  EXPECT_EQ(sluice_module_function(module.get(), -1), nullptr);
  EXPECT_EQ(std::string(sluice_module_signature(module.get()))
                .rfind("sluice-module 1\n", 0),
            0u);
}

TEST(Module, SignatureOfAdd) {
  ModulePtr module = loadTestModule();
  const sluice_function_t *fn = nullptr;
  ASSERT_OK(sluice_module_find_function(module.get(), "add", &fn));
  ASSERT_EQ(sluice_function_num_inputs(fn), 3);
  ASSERT_EQ(sluice_function_num_outputs(fn), 2);

  const sluice_param_t *x = sluice_function_input(fn, 0);
  EXPECT_STREQ(sluice_param_name(x), "x");
  EXPECT_EQ(sluice_param_dtype(x), SLUICE_DTYPE_F32);
  EXPECT_EQ(sluice_param_rank(x), 2);
  EXPECT_EQ(sluice_param_dim_size(x, 0), -1);
  EXPECT_STREQ(sluice_param_dim_symbol(x, 0), "T");
  EXPECT_EQ(sluice_param_dim_size(x, 1), 4);
  EXPECT_EQ(sluice_param_dim_symbol(x, 1), nullptr);
  EXPECT_EQ(sluice_param_role(x), SLUICE_ROLE_INPUT);
  EXPECT_EQ(sluice_param_range(x, nullptr, nullptr), 0);

  const sluice_param_t *bias = sluice_function_input(fn, 2);
  EXPECT_STREQ(sluice_param_name(bias), "bias");
  EXPECT_EQ(sluice_param_role(bias), SLUICE_ROLE_WEIGHT);
  EXPECT_EQ(sluice_param_dim_size(bias, 0), 4);

  const sluice_param_t *count = sluice_function_output(fn, 1);
  EXPECT_STREQ(sluice_param_name(count), "count");
  EXPECT_EQ(sluice_param_dtype(count), SLUICE_DTYPE_I64);
  EXPECT_EQ(sluice_param_rank(count), 0);
  EXPECT_EQ(sluice_param_role(count), SLUICE_ROLE_OUTPUT);
  EXPECT_EQ(sluice_function_input(fn, 3), nullptr);
  EXPECT_EQ(sluice_function_output(fn, 2), nullptr);
  EXPECT_EQ(sluice_param_dim_size(x, 2), -1);
  EXPECT_EQ(sluice_param_dim_symbol(x, 5), nullptr);
}

TEST(Module, RangeHintAndDtypes) {
  ModulePtr module = loadTestModule();
  const sluice_function_t *fn = nullptr;
  ASSERT_OK(sluice_module_find_function(module.get(), "gather", &fn));
  const sluice_param_t *table = sluice_function_input(fn, 0);
  const sluice_param_t *ids = sluice_function_input(fn, 1);
  EXPECT_EQ(sluice_param_role(table), SLUICE_ROLE_WEIGHT);
  EXPECT_EQ(sluice_param_role(ids), SLUICE_ROLE_INPUT);
  EXPECT_EQ(sluice_param_dtype(ids), SLUICE_DTYPE_I32);
  int64_t lo = -1, hi = -1;
  EXPECT_EQ(sluice_param_range(ids, &lo, &hi), 1);
  EXPECT_EQ(lo, 0);
  EXPECT_EQ(hi, 8);
  ASSERT_OK(sluice_module_find_function(module.get(), "nonzero", &fn));
  EXPECT_EQ(sluice_param_dtype(sluice_function_input(fn, 0)), SLUICE_DTYPE_I1);
  EXPECT_STREQ(sluice_param_dim_symbol(sluice_function_output(fn, 0), 0), "K");
  ASSERT_OK(sluice_module_find_function(module.get(), "check", &fn));
  EXPECT_EQ(sluice_function_num_outputs(fn), 0);
  ASSERT_OK(sluice_module_find_function(module.get(), "sum70", &fn));
  EXPECT_EQ(sluice_function_num_inputs(fn), 70);
}

TEST(Module, FindMissingFunction) {
  ModulePtr module = loadTestModule();
  const sluice_function_t *fn = nullptr;
  EXPECT_ERROR(sluice_module_find_function(module.get(), "mul", &fn),
               SLUICE_ERROR_NOT_FOUND, "no function 'mul'");
  EXPECT_TRUE(contains(sluice_last_error(), "functions: add, gather"));
  EXPECT_EQ(fn, nullptr);
}

TEST(Module, LoadMissingFile) {
  sluice_module_t *m = nullptr;
  std::string path = tempPath("does-not-exist.so");
  EXPECT_ERROR(sluice_module_load(path.c_str(), &m), SLUICE_ERROR_NOT_FOUND,
               path);
  EXPECT_EQ(m, nullptr);
}

TEST(Module, LoadNotASharedObject) {
  std::string path = tempPath("text.so");
  writeFile(path, "this is not an ELF file\n");
  sluice_module_t *m = nullptr;
  EXPECT_ERROR(sluice_module_load(path.c_str(), &m), SLUICE_ERROR_FORMAT,
               "cannot load");
  std::remove(path.c_str());
}

TEST(Module, LoadWithoutVersion) {
  sluice_module_t *m = nullptr;
  EXPECT_ERROR(sluice_module_load(modulePath("BadNoVersion").c_str(), &m),
               SLUICE_ERROR_FORMAT, "no sluice_abi_version symbol");
}

TEST(Module, LoadWrongVersion) {
  sluice_module_t *m = nullptr;
  EXPECT_ERROR(sluice_module_load(modulePath("BadVersion").c_str(), &m),
               SLUICE_ERROR_FORMAT,
               "module ABI version 2, this runtime loads 1");
}

TEST(Module, LoadWithoutSignature) {
  sluice_module_t *m = nullptr;
  EXPECT_ERROR(sluice_module_load(modulePath("BadNoSignature").c_str(), &m),
               SLUICE_ERROR_FORMAT, "no sluice_signature symbol");
}

TEST(Module, LoadBadSignature) {
  sluice_module_t *m = nullptr;
  EXPECT_ERROR(sluice_module_load(modulePath("BadSignature").c_str(), &m),
               SLUICE_ERROR_FORMAT, "line 3: unknown dtype 'f16' of 'x'");
}

TEST(Module, LoadBadPrepackLine) {
  // A prepack line (docs/abi.md) naming an input the function lacks.
  sluice_module_t *m = nullptr;
  EXPECT_ERROR(sluice_module_load(modulePath("BadPrepack").c_str(), &m),
               SLUICE_ERROR_FORMAT,
               "line 5: operand 'b=1:0:4:0' names input 1 of a function with "
               "1 inputs");
  EXPECT_ERROR(sluice_module_load(modulePath("BadPrepackGroups").c_str(), &m),
               SLUICE_ERROR_FORMAT,
               "line 5: prepack line with 2000000 groups (at most 1048576)");
}

TEST(Module, LoadMissingEntryPoint) {
  sluice_module_t *m = nullptr;
  EXPECT_ERROR(sluice_module_load(modulePath("BadMissingEntry").c_str(), &m),
               SLUICE_ERROR_FORMAT,
               "function 'g' is in the signature but _mlir_ciface_g is not "
               "exported");
}

TEST(Module, NullArguments) {
  sluice_module_t *m = nullptr;
  EXPECT_ERROR(sluice_module_load(nullptr, &m), SLUICE_ERROR_INVALID_ARGUMENT,
               "'path' is null");
  EXPECT_ERROR(sluice_module_load("x.so", nullptr),
               SLUICE_ERROR_INVALID_ARGUMENT, "'out' is null");
  sluice_module_free(nullptr);
  EXPECT_EQ(sluice_module_num_functions(nullptr), 0);
  EXPECT_EQ(sluice_function_name(nullptr), nullptr);
  EXPECT_EQ(sluice_param_rank(nullptr), -1);
}

TEST(Module, LoadTwiceIndependently) {
  ModulePtr a = loadTestModule();
  ModulePtr b = loadTestModule();
  ASSERT_TRUE(a && b);
  a.reset();
  EXPECT_EQ(sluice_module_num_functions(b.get()), 13);
}

} // namespace
