//===- NpyTest.cpp - .npy read and write ----------------------------------===//
//
// Round trips of every dtype, byte-exact NumPy headers, versions 1/2/3, and
// every malformed-file path (each must fail with a message naming the file).
//
//===----------------------------------------------------------------------===//

#include "TestUtil.h"

#include <cmath>
#include <random>

using namespace sluice_test;

namespace {

/// Writes `bytes` to a scratch .npy file and removes it afterwards.
class NpyFile {
public:
  explicit NpyFile(const std::string &bytes, const char *name = "t.npy")
      : path(tempPath(name)) {
    writeFile(path, bytes);
  }
  ~NpyFile() { std::remove(path.c_str()); }
  std::string path;
};

std::string dictFor(const char *descr, const char *shape,
                    const char *order = "False") {
  std::string dict = std::string("{'descr': '") + descr +
                     "', 'fortran_order': " + order + ", 'shape': " + shape +
                     ", }";
  size_t total = 10 + dict.size() + 1;
  dict.append((64 - total % 64) % 64, ' ');
  return dict + "\n";
}

/// Loads `bytes` and expects an error with `status` mentioning `what`.
void expectLoadError(const std::string &bytes, sluice_status_t status,
                     const std::string &what) {
  NpyFile file(bytes);
  sluice_tensor_t *t = nullptr;
  EXPECT_ERROR(sluice_tensor_load_npy(file.path.c_str(), &t), status, what);
  EXPECT_TRUE(contains(sluice_last_error(), file.path)) << sluice_last_error();
  EXPECT_EQ(t, nullptr);
}

template <typename T>
void roundTrip(sluice_dtype_t dtype, std::vector<int64_t> shape,
               const std::vector<T> &v) {
  TensorPtr t = makeTensor<T>(dtype, shape, v);
  std::string path = tempPath("rt.npy");
  ASSERT_OK(sluice_tensor_save_npy(t.get(), path.c_str()));
  sluice_tensor_t *raw = nullptr;
  ASSERT_OK(sluice_tensor_load_npy(path.c_str(), &raw));
  TensorPtr back(raw);
  std::remove(path.c_str());
  EXPECT_EQ(sluice_tensor_dtype(back.get()), dtype);
  EXPECT_EQ(shapeOf(back.get()), shape);
  EXPECT_EQ(values<T>(back.get()), v);
}

TEST(Npy, RoundTripEveryDtype) {
  roundTrip<float>(SLUICE_DTYPE_F32, {2, 3}, {1.5f, -2, 0, 1e30f, -0.0f, 7});
  roundTrip<double>(SLUICE_DTYPE_F64, {3}, {0.1, -1e300, 42});
  roundTrip<int32_t>(SLUICE_DTYPE_I32, {2, 2}, {INT32_MIN, -1, 0, INT32_MAX});
  roundTrip<int64_t>(SLUICE_DTYPE_I64, {1, 1, 2}, {INT64_MIN, INT64_MAX});
  roundTrip<int8_t>(SLUICE_DTYPE_I8, {4}, {-128, -1, 0, 127});
  roundTrip<uint8_t>(SLUICE_DTYPE_U8, {2}, {0, 255});
  roundTrip<uint8_t>(SLUICE_DTYPE_I1, {5}, {1, 0, 0, 1, 1});
}

TEST(Npy, RoundTripScalarAndEmpty) {
  roundTrip<float>(SLUICE_DTYPE_F32, {}, {3.25f});
  roundTrip<int32_t>(SLUICE_DTYPE_I32, {0}, {});
  roundTrip<int64_t>(SLUICE_DTYPE_I64, {3, 0, 2}, {});
}

TEST(Npy, WritesNumpyHeader) {
  TensorPtr t = makeTensor<float>(SLUICE_DTYPE_F32, {2, 3}, {0, 1, 2, 3, 4, 5});
  std::string path = tempPath("hdr.npy");
  ASSERT_OK(sluice_tensor_save_npy(t.get(), path.c_str()));
  std::string bytes = readFile(path);
  std::remove(path.c_str());
  std::string expectedDict =
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
  // What numpy.save writes: the data starts at byte 128.
  ASSERT_EQ(bytes.size(), 128u + 24u);
  EXPECT_EQ(bytes.substr(0, 8), std::string("\x93NUMPY\x01\x00", 8));
  EXPECT_EQ(bytes.substr(8, 2), le(118, 2));
  EXPECT_EQ(bytes.substr(10, expectedDict.size()), expectedDict);
  EXPECT_EQ(bytes.substr(10 + expectedDict.size(), 58), std::string(58, ' '));
  EXPECT_EQ(bytes[127], '\n');
  EXPECT_EQ(bytes.substr(128), raw(std::vector<float>{0, 1, 2, 3, 4, 5}));
  // 1-D shapes are written as 1-tuples.
  TensorPtr v = makeTensor<int32_t>(SLUICE_DTYPE_I32, {3}, {1, 2, 3});
  ASSERT_OK(sluice_tensor_save_npy(v.get(), path.c_str()));
  bytes = readFile(path);
  std::remove(path.c_str());
  EXPECT_TRUE(contains(bytes, "'shape': (3,), }")) << bytes;
  EXPECT_TRUE(contains(bytes, "'descr': '<i4'"));
}

TEST(Npy, ReadsVersions2And3AndDictVariants) {
  std::string data = raw(std::vector<int32_t>{1, 2, 3, 4});
  for (int major : {2, 3}) {
    NpyFile file(npyBytes(major, dictFor("<i4", "(2, 2)"), data));
    sluice_tensor_t *raw = nullptr;
    ASSERT_OK(sluice_tensor_load_npy(file.path.c_str(), &raw));
    TensorPtr t(raw);
    EXPECT_EQ(shapeOf(t.get()), (std::vector<int64_t>{2, 2}));
    EXPECT_EQ(values<int32_t>(t.get()), (std::vector<int32_t>{1, 2, 3, 4}));
  }
  // Keys in another order, double quotes, no trailing comma, Python 2 longs.
  NpyFile file(npyBytes(
      1, "{\"shape\": (4L,), \"fortran_order\": False, \"descr\": \"<i4\"}\n",
      data));
  sluice_tensor_t *raw = nullptr;
  ASSERT_OK(sluice_tensor_load_npy(file.path.c_str(), &raw));
  TensorPtr t(raw);
  EXPECT_EQ(shapeOf(t.get()), (std::vector<int64_t>{4}));
}

TEST(Npy, MissingFileAndDirectory) {
  sluice_tensor_t *t = nullptr;
  std::string path = tempPath("missing.npy");
  EXPECT_ERROR(sluice_tensor_load_npy(path.c_str(), &t), SLUICE_ERROR_NOT_FOUND,
               path);
  EXPECT_ERROR(sluice_tensor_load_npy(::testing::TempDir().c_str(), &t),
               SLUICE_ERROR_IO, "not a regular file");
}

TEST(Npy, TruncatedHeader) {
  expectLoadError(std::string("\x93NUMPY\x01", 7), SLUICE_ERROR_FORMAT,
                  "file too short for a .npy header (7 bytes)");
  expectLoadError("", SLUICE_ERROR_FORMAT, "file too short");
  std::string full =
      npyBytes(1, dictFor("<f4", "(2,)"), raw(std::vector<float>{1, 2}));
  expectLoadError(full.substr(0, 40), SLUICE_ERROR_FORMAT,
                  "header length 118 exceeds the file (40 bytes)");
  expectLoadError(std::string("\x93NUMPY\x02\x00\x10", 9), SLUICE_ERROR_FORMAT,
                  "file too short");
  expectLoadError(std::string("\x93NUMPY\x02\x00\x10\x00\x00", 11),
                  SLUICE_ERROR_FORMAT,
                  "file too short for a version 2/3 header length");
}

TEST(Npy, BadMagicAndVersion) {
  std::string good =
      npyBytes(1, dictFor("<f4", "()"), raw(std::vector<float>{1}));
  std::string bad = good;
  bad[1] = 'X';
  expectLoadError(bad, SLUICE_ERROR_FORMAT, "bad magic");
  bad = good;
  bad[6] = 4;
  expectLoadError(bad, SLUICE_ERROR_FORMAT, "unsupported format version 4.0");
  bad = good;
  bad[7] = 1;
  expectLoadError(bad, SLUICE_ERROR_FORMAT, "unsupported format version 1.1");
}

TEST(Npy, HeaderLengthLimits) {
  expectLoadError(npyBytes(1, "", ""), SLUICE_ERROR_FORMAT,
                  "header too short (length 0)");
  // A v2 header length of 4 GiB - 1 in a tiny file.
  std::string huge =
      std::string("\x93NUMPY\x02\x00", 8) + le(0xFFFFFFFFu, 4) + "{}";
  expectLoadError(huge, SLUICE_ERROR_FORMAT, "exceeds the file");
  // Longer than the 1 MiB limit, although present.
  std::string big = std::string(2 << 20, ' ');
  expectLoadError(npyBytes(2, big, ""), SLUICE_ERROR_FORMAT, "header too long");
  std::string withNul = dictFor("<f4", "()");
  withNul[withNul.size() - 2] = '\0';
  expectLoadError(npyBytes(1, withNul, raw(std::vector<float>{1})),
                  SLUICE_ERROR_FORMAT, "NUL byte");
}

TEST(Npy, BadDict) {
  std::string data = raw(std::vector<float>{1, 2});
  struct Case {
    const char *header;
    const char *message;
  } cases[] = {
      {"['descr', '<f4']\n", "header is not a dict"},
      {"{'descr': '<f4', 'fortran_order': False}\n", "missing key 'shape'"},
      {"{'descr': '<f4', 'shape': (2,)}\n", "missing key 'fortran_order'"},
      {"{'fortran_order': False, 'shape': (2,)}\n", "missing key 'descr'"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': 1}\n",
       "unexpected key 'x'"},
      {"{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, "
       "'shape': (2,)}\n",
       "duplicate key 'descr'"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': [2]}\n",
       "'shape' is not a tuple"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2)}\n",
       "a 1-tuple needs a comma"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (-2,)}\n",
       "negative size"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2.0,)}\n",
       "expected ',' or ')'"},
      {"{'descr': '<f4', 'fortran_order': 0, 'shape': (2,)}\n",
       "'fortran_order' is not True or False"},
      {"{'descr': <f4, 'fortran_order': False, 'shape': (2,)}\n",
       "'descr' is not a string"},
      {"{'descr': '<f4' 'fortran_order': False, 'shape': (2,)}\n",
       "expected ',' or '}'"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2,)} x\n",
       "unexpected data after '}'"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2,)\n", "bad dict"},
      {"{'descr': '<f4\n", "bad dict"},
  };
  for (const Case &c : cases) {
    SCOPED_TRACE(c.header);
    expectLoadError(npyBytes(1, c.header, data), SLUICE_ERROR_FORMAT,
                    c.message);
  }
}

TEST(Npy, FortranOrderIsRejected) {
  expectLoadError(npyBytes(1, dictFor("<f4", "(2, 2)", "True"),
                           raw(std::vector<float>{1, 2, 3, 4})),
                  SLUICE_ERROR_FORMAT, "fortran_order: True is not supported");
}

TEST(Npy, UnsupportedDtypes) {
  for (const char *descr : {"<f2", ">f4", "|O", "<u4", "<c8", "f4"}) {
    SCOPED_TRACE(descr);
    expectLoadError(npyBytes(1, dictFor(descr, "(1,)"), std::string(4, '\0')),
                    SLUICE_ERROR_DTYPE,
                    std::string("unsupported dtype '") + descr + "'");
  }
}

TEST(Npy, TruncatedAndTrailingData) {
  expectLoadError(
      npyBytes(1, dictFor("<f4", "(3,)"), raw(std::vector<float>{1, 2})),
      SLUICE_ERROR_FORMAT,
      "truncated data: shape [3] of <f4 needs 12 bytes, the file "
      "has 8 after the header");
  expectLoadError(
      npyBytes(1, dictFor("<i8", "(1,)"), raw(std::vector<int64_t>{1, 2})),
      SLUICE_ERROR_FORMAT, "8 trailing bytes after the data");
}

TEST(Npy, HugeShapes) {
  // Overflows int64.
  expectLoadError(npyBytes(1, dictFor("<f4", "(4294967296, 4294967296)"), ""),
                  SLUICE_ERROR_FORMAT,
                  "shape [4294967296, 4294967296] is too "
                  "large");
  expectLoadError(npyBytes(1, dictFor("<f4", "(99999999999999999999,)"), ""),
                  SLUICE_ERROR_FORMAT, "too large");
  // Representable (1 TiB) but not in the file: rejected before allocating.
  expectLoadError(npyBytes(1, dictFor("<f4", "(1099511627776,)"), "abcd"),
                  SLUICE_ERROR_FORMAT, "truncated data");
  std::string rank33 = "(";
  for (int i = 0; i < 33; ++i)
    rank33 += "1, ";
  rank33 += ")";
  expectLoadError(
      npyBytes(1, dictFor("<f4", rank33.c_str()), raw(std::vector<float>{1})),
      SLUICE_ERROR_FORMAT, "more than 32 dimensions");
}

TEST(Npy, BoolBytesMustBeZeroOrOne) {
  expectLoadError(
      npyBytes(1, dictFor("|b1", "(3,)"), std::string("\x01\x00\x02", 3)),
      SLUICE_ERROR_FORMAT, "bool element 2 is neither 0 nor 1");
}

TEST(Npy, LoadThenConvert) {
  NpyFile file(
      npyBytes(1, dictFor("<f8", "(2,)"), raw(std::vector<double>{0.5, 3})));
  sluice_tensor_t *raw = nullptr;
  ASSERT_OK(sluice_tensor_load_npy(file.path.c_str(), &raw));
  TensorPtr f64(raw);
  ASSERT_OK(sluice_tensor_convert(f64.get(), SLUICE_DTYPE_F32, &raw));
  TensorPtr f32(raw);
  EXPECT_EQ(values<float>(f32.get()), (std::vector<float>{0.5f, 3.0f}));
}

TEST(Npy, SaveErrors) {
  TensorPtr t = makeTensor<float>(SLUICE_DTYPE_F32, {1}, {1});
  std::string path = tempPath("no-such-dir/x.npy");
  EXPECT_ERROR(sluice_tensor_save_npy(t.get(), path.c_str()),
               SLUICE_ERROR_NOT_FOUND, "cannot create");
  EXPECT_ERROR(sluice_tensor_save_npy(nullptr, path.c_str()),
               SLUICE_ERROR_INVALID_ARGUMENT, "'tensor' is null");
  sluice_tensor_t *out = nullptr;
  EXPECT_ERROR(sluice_tensor_load_npy(nullptr, &out),
               SLUICE_ERROR_INVALID_ARGUMENT, "'path' is null");
}

TEST(Npy, MutatedFilesFailCleanly) {
  // Every truncation and many random byte edits of a valid file: each load
  // either succeeds with a consistent tensor or fails with a message; ASan
  // checks that nothing reads out of bounds.
  std::string good = npyBytes(1, dictFor("<i4", "(2, 3)"),
                              raw(std::vector<int32_t>{1, 2, 3, 4, 5, 6}));
  std::string path = tempPath("mut.npy");
  expectMutationsFailCleanly(good, path, 1234, [&](const std::string &bytes) {
    sluice_tensor_t *t = nullptr;
    if (sluice_tensor_load_npy(path.c_str(), &t) != SLUICE_OK) {
      EXPECT_EQ(t, nullptr);
      return false;
    }
    EXPECT_NE(t, nullptr);
    if (t) {
      EXPECT_LE(sluice_tensor_num_bytes(t), bytes.size());
      sluice_tensor_free(t);
    }
    return true;
  });
}

} // namespace
