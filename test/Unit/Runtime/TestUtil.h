//===- TestUtil.h - helpers for the runtime unit tests ----------*- C++ -*-===//
//
// RAII handles for the C API objects, temporary files, raw file builders for
// .npy / .safetensors, and status assertions that print sluice_last_error().
//
//===----------------------------------------------------------------------===//

#ifndef SLUICE_TEST_UNIT_RUNTIME_TESTUTIL_H
#define SLUICE_TEST_UNIT_RUNTIME_TESTUTIL_H

#include "sluice/runtime.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

namespace sluice_test {

struct TensorDeleter {
  void operator()(sluice_tensor_t *t) const { sluice_tensor_free(t); }
};
struct ModuleDeleter {
  void operator()(sluice_module_t *m) const { sluice_module_free(m); }
};
struct CallDeleter {
  void operator()(sluice_call_t *c) const { sluice_call_free(c); }
};
struct WeightsDeleter {
  void operator()(sluice_weights_t *w) const { sluice_weights_free(w); }
};
using TensorPtr = std::unique_ptr<sluice_tensor_t, TensorDeleter>;
using ModulePtr = std::unique_ptr<sluice_module_t, ModuleDeleter>;
using CallPtr = std::unique_ptr<sluice_call_t, CallDeleter>;
using WeightsPtr = std::unique_ptr<sluice_weights_t, WeightsDeleter>;

/// Path of a test module built next to the tests ("TestModule" ->
/// ".../TestModule.so").
inline std::string modulePath(const std::string &name) {
  return std::string(SLUICE_TEST_MODULE_DIR) + "/" + name + ".so";
}

/// A per-process scratch path.
inline std::string tempPath(const std::string &name) {
  return ::testing::TempDir() + "sluice-rt-" + std::to_string(getpid()) + "-" +
         name;
}

inline void writeFile(const std::string &path, const std::string &bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

inline std::string readFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// Little-endian bytes of an integer.
inline std::string le(uint64_t value, int bytes) {
  std::string out;
  for (int i = 0; i < bytes; ++i)
    out += static_cast<char>((value >> (8 * i)) & 0xFF);
  return out;
}

/// Raw bytes of a value array.
template <typename T> std::string raw(const std::vector<T> &values) {
  return std::string(reinterpret_cast<const char *>(values.data()),
                     values.size() * sizeof(T));
}

/// A .npy file: magic, version major.0, header length, header, data.
inline std::string npyBytes(int major, const std::string &header,
                            const std::string &data) {
  std::string out = "\x93NUMPY";
  out += static_cast<char>(major);
  out += '\0';
  out += le(header.size(), major == 1 ? 2 : 4);
  return out + header + data;
}

/// A .safetensors file: 8-byte length, header, data.
inline std::string stBytes(const std::string &header, const std::string &data) {
  return le(header.size(), 8) + header + data;
}

/// A tensor holding `values`.
template <typename T>
TensorPtr makeTensor(sluice_dtype_t dtype, std::vector<int64_t> shape,
                     const std::vector<T> &values) {
  sluice_tensor_t *t = nullptr;
  EXPECT_EQ(sluice_tensor_create_copy(dtype, static_cast<int64_t>(shape.size()),
                                      shape.data(), values.data(), &t),
            SLUICE_OK)
      << sluice_last_error();
  EXPECT_EQ(sluice_tensor_num_bytes(t), values.size() * sizeof(T));
  return TensorPtr(t);
}

template <typename T> std::vector<T> values(const sluice_tensor_t *t) {
  const T *p = static_cast<const T *>(sluice_tensor_data(t));
  return std::vector<T>(p, p + sluice_tensor_num_elements(t));
}

inline std::vector<int64_t> shapeOf(const sluice_tensor_t *t) {
  const int64_t *s = sluice_tensor_shape(t);
  return std::vector<int64_t>(s, s + sluice_tensor_rank(t));
}

inline bool contains(const std::string &haystack, const std::string &needle) {
  return haystack.find(needle) != std::string::npos;
}

/// The loaders' fuzz: writes to `path` every truncation of the valid file
/// `good`, then random edits of 1 to 3 bytes (1500 files in all, from
/// `seed`), and calls `load(bytes)` on each: it loads `path` and checks the
/// result, returning whether the load succeeded. A failing load must leave
/// its output null and set a message; every truncation must fail (ASan
/// checks that nothing reads out of bounds).
inline void
expectMutationsFailCleanly(const std::string &good, const std::string &path,
                           unsigned seed,
                           const std::function<bool(const std::string &)> &load) {
  std::mt19937 rng(seed);
  int failures = 0;
  for (int iter = 0; iter < 1500; ++iter) {
    std::string bytes = good;
    if (iter < static_cast<int>(good.size())) {
      bytes.resize(iter);
    } else {
      int edits = 1 + rng() % 3;
      for (int e = 0; e < edits; ++e)
        bytes[rng() % bytes.size()] = static_cast<char>(rng() % 256);
    }
    writeFile(path, bytes);
    if (!load(bytes)) {
      ++failures;
      EXPECT_STRNE(sluice_last_error(), "");
    }
  }
  std::remove(path.c_str());
  EXPECT_GE(failures, static_cast<int>(good.size()));
}

} // namespace sluice_test

#define ASSERT_OK(expr)                                                        \
  do {                                                                         \
    sluice_status_t status_ = (expr);                                          \
    ASSERT_EQ(status_, SLUICE_OK) << sluice_last_error();                      \
  } while (false)

#define EXPECT_OK(expr)                                                        \
  do {                                                                         \
    sluice_status_t status_ = (expr);                                          \
    EXPECT_EQ(status_, SLUICE_OK) << sluice_last_error();                      \
  } while (false)

/// Expects `expr` to fail with `status` and a one-line message containing
/// `substring`.
#define EXPECT_ERROR(expr, status, substring)                                  \
  do {                                                                         \
    sluice_status_t status_ = (expr);                                          \
    std::string message_ = sluice_last_error();                                \
    EXPECT_EQ(status_, status)                                                 \
        << sluice_status_string(status_) << ": " << message_;                  \
    EXPECT_TRUE(::sluice_test::contains(message_, substring))                  \
        << "message: " << message_ << "\nexpected to contain: " << substring;  \
    EXPECT_EQ(message_.find('\n'), std::string::npos) << message_;             \
  } while (false)

#endif // SLUICE_TEST_UNIT_RUNTIME_TESTUTIL_H
