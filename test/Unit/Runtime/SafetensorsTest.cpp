//===- SafetensorsTest.cpp - .safetensors read and write, weights ---------===//
//
// Round trips, hand-written files, the weight-collection API and every
// malformed-file path: header length, JSON syntax, entry schema, dtypes,
// shapes vs. byte counts, offsets (range, overlap, holes), duplicates.
//
//===----------------------------------------------------------------------===//

#include "TestUtil.h"

#include <random>

using namespace sluice_test;

namespace {

class StFile {
public:
  explicit StFile(const std::string &bytes) : path(tempPath("w.safetensors")) {
    writeFile(path, bytes);
  }
  ~StFile() { std::remove(path.c_str()); }
  std::string path;
};

void expectLoadError(const std::string &bytes, sluice_status_t status,
                     const std::string &what) {
  StFile file(bytes);
  sluice_weights_t *w = nullptr;
  EXPECT_ERROR(sluice_weights_load_safetensors(file.path.c_str(), &w), status,
               what);
  EXPECT_TRUE(contains(sluice_last_error(), file.path)) << sluice_last_error();
  EXPECT_EQ(w, nullptr);
}

WeightsPtr loadBytes(const std::string &bytes) {
  StFile file(bytes);
  sluice_weights_t *w = nullptr;
  EXPECT_EQ(sluice_weights_load_safetensors(file.path.c_str(), &w), SLUICE_OK)
      << sluice_last_error();
  return WeightsPtr(w);
}

TEST(Safetensors, RoundTripEveryDtype) {
  sluice_weights_t *raw = nullptr;
  ASSERT_OK(sluice_weights_create(&raw));
  WeightsPtr w(raw);
  std::vector<TensorPtr> keep;
  keep.push_back(makeTensor<float>(SLUICE_DTYPE_F32, {2, 2}, {1, 2, 3, 4}));
  keep.push_back(makeTensor<double>(SLUICE_DTYPE_F64, {1}, {0.1}));
  keep.push_back(makeTensor<int32_t>(SLUICE_DTYPE_I32, {3}, {-1, 0, 1}));
  keep.push_back(makeTensor<int64_t>(SLUICE_DTYPE_I64, {}, {INT64_MIN}));
  keep.push_back(makeTensor<int8_t>(SLUICE_DTYPE_I8, {2}, {-128, 127}));
  keep.push_back(makeTensor<uint8_t>(SLUICE_DTYPE_U8, {1, 3}, {0, 128, 255}));
  keep.push_back(makeTensor<uint8_t>(SLUICE_DTYPE_I1, {2}, {1, 0}));
  keep.push_back(makeTensor<float>(SLUICE_DTYPE_F32, {0, 5}, {}));
  const char *names[] = {"layer.0.w", "f64", "i32",  "scalar",
                         "i8",        "u8",  "mask", "empty \"quoted\" é"};
  for (size_t i = 0; i < keep.size(); ++i)
    ASSERT_OK(sluice_weights_add(w.get(), names[i], keep[i].get()));
  std::string path = tempPath("all.safetensors");
  ASSERT_OK(sluice_weights_save_safetensors(w.get(), path.c_str()));
  std::string bytes = readFile(path);
  uint64_t headerLen = 0;
  for (int b = 7; b >= 0; --b)
    headerLen = (headerLen << 8) | static_cast<unsigned char>(bytes[b]);
  EXPECT_EQ(headerLen % 8, 0u);

  ASSERT_OK(sluice_weights_load_safetensors(path.c_str(), &raw));
  std::remove(path.c_str());
  WeightsPtr back(raw);
  ASSERT_EQ(sluice_weights_count(back.get()), 8);
  for (int64_t i = 0; i < 8; ++i) {
    SCOPED_TRACE(names[i]);
    EXPECT_STREQ(sluice_weights_name(back.get(), i), names[i]);
    sluice_tensor_t *a = keep[i].get(),
                    *b = sluice_weights_tensor(back.get(), i);
    EXPECT_EQ(sluice_tensor_dtype(b), sluice_tensor_dtype(a));
    EXPECT_EQ(shapeOf(b), shapeOf(a));
    ASSERT_EQ(sluice_tensor_num_bytes(b), sluice_tensor_num_bytes(a));
    EXPECT_EQ(std::memcmp(sluice_tensor_data(a), sluice_tensor_data(b),
                          sluice_tensor_num_bytes(a)),
              0);
  }
}

TEST(Safetensors, ReadsHandWrittenFileWithMetadata) {
  std::string header =
      R"({"__metadata__":{"format":"pt"},)"
      R"( "b": {"dtype":"I64","shape":[1],"data_offsets":[8,16]},)"
      R"( "a": {"dtype":"F32","shape":[2],"data_offsets":[0,8]}}   )";
  std::string data =
      raw(std::vector<float>{1.5f, -1}) + raw(std::vector<int64_t>{77});
  WeightsPtr w = loadBytes(stBytes(header, data));
  ASSERT_TRUE(w);
  ASSERT_EQ(sluice_weights_count(w.get()), 2);
  EXPECT_STREQ(sluice_weights_name(w.get(), 0), "b"); // File order.
  sluice_tensor_t *a = nullptr;
  ASSERT_OK(sluice_weights_get(w.get(), "a", &a));
  EXPECT_EQ(values<float>(a), (std::vector<float>{1.5f, -1}));
  sluice_tensor_t *b = nullptr;
  ASSERT_OK(sluice_weights_get(w.get(), "b", &b));
  EXPECT_EQ(values<int64_t>(b), (std::vector<int64_t>{77}));
  // Empty header object: no tensors.
  WeightsPtr none = loadBytes(stBytes("{}", ""));
  EXPECT_EQ(sluice_weights_count(none.get()), 0);
}

TEST(Safetensors, WeightsApi) {
  sluice_weights_t *raw = nullptr;
  ASSERT_OK(sluice_weights_create(&raw));
  WeightsPtr w(raw);
  TensorPtr t = makeTensor<float>(SLUICE_DTYPE_F32, {1}, {1});
  ASSERT_OK(sluice_weights_add(w.get(), "a", t.get()));
  EXPECT_ERROR(sluice_weights_add(w.get(), "a", t.get()),
               SLUICE_ERROR_INVALID_ARGUMENT, "duplicate name 'a'");
  sluice_tensor_t *out = nullptr;
  EXPECT_ERROR(sluice_weights_get(w.get(), "b", &out), SLUICE_ERROR_NOT_FOUND,
               "no tensor named 'b'");
  EXPECT_EQ(sluice_weights_name(w.get(), 1), nullptr);
  EXPECT_EQ(sluice_weights_tensor(w.get(), -1), nullptr);
  EXPECT_EQ(sluice_weights_count(nullptr), 0);
  // The collection holds its own reference.
  sluice_tensor_t *held = t.get();
  t.reset();
  EXPECT_EQ(values<float>(held), (std::vector<float>{1}));
  sluice_weights_free(nullptr);
}

TEST(Safetensors, HeaderLengthProblems) {
  expectLoadError("", SLUICE_ERROR_FORMAT,
                  "file too short for the header length (0 bytes)");
  expectLoadError("\x02\x00\x00", SLUICE_ERROR_FORMAT, "file too short");
  expectLoadError(le(100, 8) + "{}", SLUICE_ERROR_FORMAT,
                  "header length 100 exceeds the file (10 bytes)");
  expectLoadError(le(UINT64_MAX, 8) + "{}", SLUICE_ERROR_FORMAT,
                  "header length 18446744073709551615 exceeds the file");
  expectLoadError(le(0, 8), SLUICE_ERROR_FORMAT, "header too short (0 bytes)");
  expectLoadError(le(1, 8) + "{", SLUICE_ERROR_FORMAT, "header too short");
}

TEST(Safetensors, CorruptJson) {
  struct Case {
    std::string header;
    const char *message;
  } cases[] = {
      {"{\n", "bad header JSON: at byte 2: expected a string key"},
      {"{\"a\":1,}", "expected a string key"},
      {"[1, 2]", "header is an array, expected a JSON object"},
      {"{\"a\" 1}", "expected ':' after an object key"},
      {"{\"a\":{\"dtype\":\"F32\"} ", "expected ',' or '}' in an object"},
      {"{\"a\":\"\\x\"}", "invalid escape"},
      {"{\"a\":\"\\ud800\"}", "unpaired high surrogate"},
      {"{\"a\":\"\xff\"}", "invalid UTF-8"},
      {"{\"a\":\"x\ny\"}", "control character"},
      {"{/* c */}", "expected a string key"},
      {"{\"a\":NaN}", "unexpected character, expected a value"},
      {"{\"a\":01}", "leading zero"},
      {"{\"a\":1.}", "no digits after '.'"},
      {"{\"a\":tru}", "invalid literal"},
      {"{} {}", "unexpected data after the JSON value"},
      {"{\"a\":[1,2}", "expected ',' or ']' in an array"},
      {"{\"a\":\"abc", "unterminated string"},
  };
  for (const Case &c : cases) {
    SCOPED_TRACE(c.header);
    expectLoadError(stBytes(c.header, ""), SLUICE_ERROR_FORMAT, c.message);
  }
  std::string deep =
      "{\"a\":" + std::string(1000, '[') + std::string(1000, ']') + "}";
  expectLoadError(stBytes(deep, ""), SLUICE_ERROR_FORMAT, "nesting too deep");
}

TEST(Safetensors, DuplicateNames) {
  std::string header =
      R"({"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},)"
      R"("w":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}})";
  expectLoadError(stBytes(header, "ab"), SLUICE_ERROR_FORMAT,
                  "duplicate key \"w\"");
}

TEST(Safetensors, BadEntries) {
  auto entry = [](const std::string &body) {
    return stBytes("{\"t\":" + body + "}", std::string(8, '\0'));
  };
  struct Case {
    std::string body;
    sluice_status_t status;
    const char *message;
  } cases[] = {
      {"[1]", SLUICE_ERROR_FORMAT, "tensor 't': entry is an array"},
      {R"({"shape":[2],"data_offsets":[0,8]})", SLUICE_ERROR_FORMAT,
       "missing key 'dtype'"},
      {R"({"dtype":"F32","data_offsets":[0,8]})", SLUICE_ERROR_FORMAT,
       "missing key 'shape'"},
      {R"({"dtype":"F32","shape":[2]})", SLUICE_ERROR_FORMAT,
       "missing key 'data_offsets'"},
      {R"({"dtype":"F32","shape":[2],"data_offsets":[0,8],"x":1})",
       SLUICE_ERROR_FORMAT, "unexpected key 'x'"},
      {R"({"dtype":"F16","shape":[4],"data_offsets":[0,8]})",
       SLUICE_ERROR_DTYPE, "unsupported dtype 'F16'"},
      {R"({"dtype":7,"shape":[2],"data_offsets":[0,8]})", SLUICE_ERROR_FORMAT,
       "'dtype' is not a string"},
      {R"({"dtype":"F32","shape":2,"data_offsets":[0,8]})", SLUICE_ERROR_FORMAT,
       "'shape' is not an array"},
      {R"({"dtype":"F32","shape":[-2],"data_offsets":[0,8]})",
       SLUICE_ERROR_FORMAT, "'shape' entry 0 is not a non-negative integer"},
      {R"({"dtype":"F32","shape":[2.0],"data_offsets":[0,8]})",
       SLUICE_ERROR_FORMAT, "'shape' entry 0 is not a non-negative integer"},
      {R"({"dtype":"F32","shape":[1e400],"data_offsets":[0,8]})",
       SLUICE_ERROR_FORMAT, "'shape' entry 0"},
      {R"({"dtype":"F32","shape":[99999999999999999999],"data_offsets":[0,8]})",
       SLUICE_ERROR_FORMAT, "'shape' entry 0"},
      {R"({"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]})",
       SLUICE_ERROR_FORMAT, "is too large"},
      {R"({"dtype":"F32","shape":[2],"data_offsets":[0]})", SLUICE_ERROR_FORMAT,
       "'data_offsets' is not an array of two integers"},
      {R"({"dtype":"F32","shape":[2],"data_offsets":[0,"8"]})",
       SLUICE_ERROR_FORMAT, "'data_offsets' holds something other"},
      {R"({"dtype":"F32","shape":[0],"data_offsets":[8,0]})",
       SLUICE_ERROR_FORMAT, "'data_offsets' [8, 0] is reversed"},
      {R"({"dtype":"F32","shape":[4],"data_offsets":[0,16]})",
       SLUICE_ERROR_FORMAT,
       "'data_offsets' [0, 16] is out of the data buffer (8 bytes)"},
      {R"({"dtype":"F32","shape":[3],"data_offsets":[0,8]})",
       SLUICE_ERROR_FORMAT,
       "shape [3] of F32 needs 12 bytes but 'data_offsets' span 8"},
      {R"({"dtype":"I64","shape":[2],"data_offsets":[0,8]})",
       SLUICE_ERROR_FORMAT, "needs 16 bytes"},
  };
  for (const Case &c : cases) {
    SCOPED_TRACE(c.body);
    expectLoadError(entry(c.body), c.status, c.message);
  }
  expectLoadError(stBytes(R"({"__metadata__":[1]})", ""), SLUICE_ERROR_FORMAT,
                  "'__metadata__' is not an object");
}

TEST(Safetensors, OffsetsOverlapHolesAndTail) {
  std::string overlap =
      R"({"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},)"
      R"("b":{"dtype":"U8","shape":[4],"data_offsets":[2,6]}})";
  expectLoadError(stBytes(overlap, std::string(6, 'x')), SLUICE_ERROR_FORMAT,
                  "tensors 'a' and 'b' overlap");
  std::string same = R"({"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},)"
                     R"("b":{"dtype":"U8","shape":[4],"data_offsets":[0,4]}})";
  expectLoadError(stBytes(same, std::string(4, 'x')), SLUICE_ERROR_FORMAT,
                  "overlap");
  std::string hole = R"({"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},)"
                     R"("b":{"dtype":"U8","shape":[2],"data_offsets":[4,6]}})";
  expectLoadError(stBytes(hole, std::string(6, 'x')), SLUICE_ERROR_FORMAT,
                  "bytes [2, 4) of the data buffer belong to no tensor");
  std::string tail = R"({"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]}})";
  expectLoadError(stBytes(tail, std::string(5, 'x')), SLUICE_ERROR_FORMAT,
                  "3 trailing bytes after the last tensor");
  // Truncated data: the offsets point past the end of the file.
  std::string cut =
      R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})";
  expectLoadError(stBytes(cut, std::string(10, 'x')), SLUICE_ERROR_FORMAT,
                  "out of the data buffer (10 bytes)");
  // Empty tensors may share an offset.
  std::string empties =
      R"({"a":{"dtype":"F32","shape":[0],"data_offsets":[0,0]},)"
      R"("b":{"dtype":"I32","shape":[1],"data_offsets":[0,4]},)"
      R"("c":{"dtype":"I8","shape":[0,3],"data_offsets":[4,4]}})";
  WeightsPtr w = loadBytes(stBytes(empties, raw(std::vector<int32_t>{5})));
  ASSERT_TRUE(w);
  EXPECT_EQ(sluice_weights_count(w.get()), 3);
}

TEST(Safetensors, BoolBytesMustBeZeroOrOne) {
  std::string header =
      R"({"m":{"dtype":"BOOL","shape":[3],"data_offsets":[0,3]}})";
  expectLoadError(stBytes(header, std::string("\x01\x00\x07", 3)),
                  SLUICE_ERROR_FORMAT,
                  "tensor 'm': BOOL element 2 is neither 0 nor 1");
}

TEST(Safetensors, MissingFileAndSaveErrors) {
  sluice_weights_t *w = nullptr;
  std::string path = tempPath("nope.safetensors");
  EXPECT_ERROR(sluice_weights_load_safetensors(path.c_str(), &w),
               SLUICE_ERROR_NOT_FOUND, path);
  ASSERT_OK(sluice_weights_create(&w));
  WeightsPtr weights(w);
  std::string bad = tempPath("missing-dir/w.safetensors");
  EXPECT_ERROR(sluice_weights_save_safetensors(weights.get(), bad.c_str()),
               SLUICE_ERROR_NOT_FOUND, "cannot create");
}

TEST(Safetensors, MutatedFilesFailCleanly) {
  std::string header =
      R"({"__metadata__":{"k":"v"},"a":{"dtype":"F32","shape":[2],)"
      R"("data_offsets":[0,8]},"b":{"dtype":"BOOL","shape":[1,2],)"
      R"("data_offsets":[8,10]}})";
  std::string good =
      stBytes(header, raw(std::vector<float>{1, 2}) + std::string("\1\0", 2));
  std::string path = tempPath("mut.safetensors");
  expectMutationsFailCleanly(good, path, 99, [&](const std::string &bytes) {
    sluice_weights_t *w = nullptr;
    if (sluice_weights_load_safetensors(path.c_str(), &w) != SLUICE_OK) {
      EXPECT_EQ(w, nullptr);
      return false;
    }
    EXPECT_NE(w, nullptr);
    if (w) {
      size_t total = 0;
      for (int64_t i = 0; i < sluice_weights_count(w); ++i)
        total += sluice_tensor_num_bytes(sluice_weights_tensor(w, i));
      EXPECT_LE(total, bytes.size());
      sluice_weights_free(w);
    }
    return true;
  });
}

} // namespace
