//===- Npy.cpp - NumPy .npy read and write --------------------------------===//
//
// Format 1.0 / 2.0 / 3.0 files: magic "\x93NUMPY", version, header length,
// a Python dict literal {'descr', 'fortran_order', 'shape'}, then the data in
// C order. Everything in the header is checked against the file size before
// anything is allocated.
//
//===----------------------------------------------------------------------===//

#include "runtime/FileIO.h"
#include "runtime/Status.h"
#include "runtime/Tensor.h"

#include <cstring>

using namespace sluice::rt;

namespace {
constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicSize = 6;
/// Largest header accepted (numpy's reader limits it to 10000 bytes by
/// default; writers pad to 64).
constexpr uint32_t kMaxHeader = 1 << 20;

struct NpyDType {
  const char *descr;
  sluice_dtype_t dtype;
};

/// Accepted `descr` values; one-byte types may use '|' or '<'.
constexpr NpyDType kNpyTypes[] = {
    {"<f4", SLUICE_DTYPE_F32}, {"<f8", SLUICE_DTYPE_F64},
    {"<i4", SLUICE_DTYPE_I32}, {"<i8", SLUICE_DTYPE_I64},
    {"|i1", SLUICE_DTYPE_I8},  {"<i1", SLUICE_DTYPE_I8},
    {"|u1", SLUICE_DTYPE_U8},  {"<u1", SLUICE_DTYPE_U8},
    {"|b1", SLUICE_DTYPE_I1},  {"<b1", SLUICE_DTYPE_I1},
};

const char *descrOf(sluice_dtype_t dtype) {
  switch (dtype) {
  case SLUICE_DTYPE_F32:
    return "<f4";
  case SLUICE_DTYPE_F64:
    return "<f8";
  case SLUICE_DTYPE_I32:
    return "<i4";
  case SLUICE_DTYPE_I64:
    return "<i8";
  case SLUICE_DTYPE_I8:
    return "|i1";
  case SLUICE_DTYPE_U8:
    return "|u1";
  case SLUICE_DTYPE_I1:
    return "|b1";
  default:
    return nullptr;
  }
}

/// The parsed header dict.
struct NpyHeader {
  std::string descr;
  bool fortranOrder = false;
  int64_t rank = 0;
  int64_t shape[SLUICE_MAX_RANK] = {};
};

/// Parser of the Python literal subset numpy writes.
class HeaderParser {
public:
  HeaderParser(const std::string &text) : s(text) {}

  /// Returns an empty string on success, else what is wrong.
  std::string parse(NpyHeader &out) {
    bool haveDescr = false, haveOrder = false, haveShape = false;
    space();
    if (!eat('{'))
      return "header is not a dict (expected '{')";
    while (true) {
      space();
      if (eat('}'))
        break;
      std::string key;
      if (!quoted(key))
        return "bad dict: expected a quoted key at header byte " +
               std::to_string(i);
      space();
      if (!eat(':'))
        return "bad dict: expected ':' after key '" + key + "'";
      space();
      if (key == "descr") {
        if (haveDescr)
          return "bad dict: duplicate key 'descr'";
        haveDescr = true;
        if (!quoted(out.descr))
          return "bad dict: 'descr' is not a string";
      } else if (key == "fortran_order") {
        if (haveOrder)
          return "bad dict: duplicate key 'fortran_order'";
        haveOrder = true;
        if (word("True"))
          out.fortranOrder = true;
        else if (word("False"))
          out.fortranOrder = false;
        else
          return "bad dict: 'fortran_order' is not True or False";
      } else if (key == "shape") {
        if (haveShape)
          return "bad dict: duplicate key 'shape'";
        haveShape = true;
        std::string err = tuple(out);
        if (!err.empty())
          return err;
      } else {
        return "bad dict: unexpected key '" + key + "'";
      }
      space();
      if (eat(','))
        continue;
      if (eat('}'))
        break;
      return "bad dict: expected ',' or '}' at header byte " +
             std::to_string(i);
    }
    space();
    if (i != s.size())
      return "bad dict: unexpected data after '}'";
    if (!haveDescr)
      return "bad dict: missing key 'descr'";
    if (!haveOrder)
      return "bad dict: missing key 'fortran_order'";
    if (!haveShape)
      return "bad dict: missing key 'shape'";
    return std::string();
  }

private:
  const std::string &s;
  size_t i = 0;

  void space() {
    while (i < s.size() &&
           (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
      ++i;
  }
  bool eat(char c) {
    if (i < s.size() && s[i] == c) {
      ++i;
      return true;
    }
    return false;
  }
  bool word(const char *w) {
    size_t n = std::strlen(w);
    if (s.compare(i, n, w) != 0)
      return false;
    i += n;
    return true;
  }
  bool quoted(std::string &out) {
    if (i >= s.size() || (s[i] != '\'' && s[i] != '"'))
      return false;
    char q = s[i++];
    size_t start = i;
    while (i < s.size() && s[i] != q) {
      if (s[i] == '\\' || s[i] == '\n')
        return false;
      ++i;
    }
    if (i >= s.size())
      return false;
    out = s.substr(start, i - start);
    ++i;
    return true;
  }
  std::string tuple(NpyHeader &out) {
    if (!eat('('))
      return "bad dict: 'shape' is not a tuple";
    out.rank = 0;
    bool trailingComma = false;
    while (true) {
      space();
      if (eat(')'))
        break;
      if (i >= s.size() || s[i] < '0' || s[i] > '9')
        return i < s.size() && s[i] == '-'
                   ? "bad dict: negative size in 'shape'"
                   : "bad dict: 'shape' holds something other than sizes";
      int64_t value = 0;
      while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
        if (__builtin_mul_overflow(value, 10, &value) ||
            __builtin_add_overflow(value, s[i] - '0', &value))
          return "bad dict: a size in 'shape' is too large";
        ++i;
      }
      eat('L'); // Python 2 longs.
      if (out.rank == SLUICE_MAX_RANK)
        return "'shape' has more than " + std::to_string(SLUICE_MAX_RANK) +
               " dimensions";
      out.shape[out.rank++] = value;
      space();
      trailingComma = eat(',');
      if (!trailingComma) {
        space();
        if (!eat(')'))
          return "bad dict: expected ',' or ')' in 'shape'";
        break;
      }
    }
    if (out.rank == 1 && !trailingComma)
      return "bad dict: 'shape' is not a tuple (a 1-tuple needs a comma)";
    return std::string();
  }
};
} // namespace

extern "C" {

SLUICE_API sluice_status_t sluice_tensor_load_npy(const char *path,
                                                  sluice_tensor_t **out) {
  clearError();
  const char *fn = "sluice_tensor_load_npy";
  SLUICE_CHECK_ARG(path, "sluice_tensor_load_npy");
  SLUICE_CHECK_ARG(out, "sluice_tensor_load_npy");
  *out = nullptr;
  InputFile file;
  sluice_status_t status = file.open(fn, path);
  if (status != SLUICE_OK)
    return status;
  auto bad = [&](const std::string &what) {
    return failf(SLUICE_ERROR_FORMAT, "%s: %s: %s", fn, path, what.c_str());
  };

  unsigned char prefix[12];
  if (file.size() < 10)
    return bad(format("file too short for a .npy header (%llu bytes)",
                      static_cast<unsigned long long>(file.size())));
  if ((status = file.readAt(0, prefix, 10, "the magic")) != SLUICE_OK)
    return status;
  if (std::memcmp(prefix, kMagic, kMagicSize) != 0)
    return bad("bad magic (not a .npy file)");
  unsigned major = prefix[6], minor = prefix[7];
  if (major < 1 || major > 3 || minor != 0)
    return bad(format("unsupported format version %u.%u", major, minor));
  uint64_t headerLen, headerStart;
  if (major == 1) {
    headerLen = prefix[8] | (static_cast<uint32_t>(prefix[9]) << 8);
    headerStart = 10;
  } else {
    if (file.size() < 12)
      return bad("file too short for a version 2/3 header length");
    if ((status = file.readAt(8, prefix + 8, 4, "the header length")) !=
        SLUICE_OK)
      return status;
    headerLen = prefix[8] | (static_cast<uint32_t>(prefix[9]) << 8) |
                (static_cast<uint32_t>(prefix[10]) << 16) |
                (static_cast<uint32_t>(prefix[11]) << 24);
    headerStart = 12;
  }
  if (headerLen == 0)
    return bad("header too short (length 0)");
  if (headerLen > file.size() - headerStart)
    return bad(format("header length %llu exceeds the file (%llu bytes)",
                      static_cast<unsigned long long>(headerLen),
                      static_cast<unsigned long long>(file.size())));
  if (headerLen > kMaxHeader)
    return bad(format("header too long (%llu bytes, at most %u)",
                      static_cast<unsigned long long>(headerLen), kMaxHeader));
  std::string text(static_cast<size_t>(headerLen), '\0');
  if ((status = file.readAt(headerStart, &text[0], text.size(),
                            "the header")) != SLUICE_OK)
    return status;
  if (text.find('\0') != std::string::npos)
    return bad("header contains a NUL byte");

  NpyHeader header;
  std::string error = HeaderParser(text).parse(header);
  if (!error.empty())
    return bad(error);
  sluice_dtype_t dtype = SLUICE_DTYPE_INVALID;
  for (const NpyDType &t : kNpyTypes)
    if (header.descr == t.descr)
      dtype = t.dtype;
  if (dtype == SLUICE_DTYPE_INVALID)
    return failf(SLUICE_ERROR_DTYPE,
                 "%s: %s: unsupported dtype '%s' (supported: <f4 <f8 <i4 <i8 "
                 "|i1 |u1 |b1, little-endian)",
                 fn, path, header.descr.c_str());
  if (header.fortranOrder)
    return bad("fortran_order: True is not supported (C order only)");

  int64_t numElements;
  size_t numBytes;
  std::string shapeText = shapeToString(header.rank, header.shape);
  if (!computeSize(header.rank, header.shape, sluice_dtype_size(dtype),
                   numElements, numBytes))
    return bad(format("shape %s is too large", shapeText.c_str()));
  uint64_t dataStart = headerStart + headerLen;
  uint64_t available = file.size() - dataStart;
  if (numBytes > available)
    return bad(format("truncated data: shape %s of %s needs %zu bytes, the "
                      "file has %llu after the header",
                      shapeText.c_str(), header.descr.c_str(), numBytes,
                      static_cast<unsigned long long>(available)));
  if (numBytes < available)
    return bad(format("%llu trailing bytes after the data of shape %s",
                      static_cast<unsigned long long>(available - numBytes),
                      shapeText.c_str()));

  sluice_tensor_t *tensor;
  if ((status = createTensorUninit(dtype, header.rank, header.shape, fn,
                                   &tensor)) != SLUICE_OK)
    return status;
  if ((status = file.readAt(dataStart, tensor->data, numBytes, "the data")) !=
      SLUICE_OK) {
    sluice_tensor_free(tensor);
    return status;
  }
  int64_t badIndex;
  if (dtype == SLUICE_DTYPE_I1 &&
      !checkBoolBytes(static_cast<const uint8_t *>(tensor->data), numElements,
                      badIndex)) {
    sluice_tensor_free(tensor);
    return bad(format("bool element %lld is neither 0 nor 1",
                      static_cast<long long>(badIndex)));
  }
  *out = tensor;
  return SLUICE_OK;
}

SLUICE_API sluice_status_t sluice_tensor_save_npy(const sluice_tensor_t *tensor,
                                                  const char *path) {
  clearError();
  const char *fn = "sluice_tensor_save_npy";
  SLUICE_CHECK_ARG(tensor, "sluice_tensor_save_npy");
  SLUICE_CHECK_ARG(path, "sluice_tensor_save_npy");
  const char *descr = descrOf(tensor->dtype);
  if (!descr)
    return failf(SLUICE_ERROR_DTYPE, "%s: %s: invalid tensor dtype", fn, path);
  std::string dict = "{'descr': '";
  dict += descr;
  dict += "', 'fortran_order': False, 'shape': (";
  for (int64_t k = 0; k < tensor->rank; ++k) {
    if (k)
      dict += ", ";
    dict += std::to_string(tensor->shape[k]);
  }
  dict += tensor->rank == 1 ? ",), }" : "), }";
  // Pad with spaces so that the data starts at a multiple of 64, then '\n'.
  bool v1 = dict.size() + 11 <= 65535 + 10;
  size_t prefix = v1 ? 10 : 12;
  size_t total = prefix + dict.size() + 1;
  dict.append((64 - total % 64) % 64, ' ');
  dict += '\n';
  size_t headerLen = dict.size();
  unsigned char head[12];
  std::memcpy(head, kMagic, kMagicSize);
  head[6] = v1 ? 1 : 2;
  head[7] = 0;
  for (size_t b = 0; b < prefix - 8; ++b)
    head[8 + b] = static_cast<unsigned char>(headerLen >> (8 * b));

  OutputFile file;
  sluice_status_t status = file.create(fn, path);
  if (status == SLUICE_OK)
    status = file.write(head, prefix);
  if (status == SLUICE_OK)
    status = file.write(dict.data(), dict.size());
  if (status == SLUICE_OK)
    status = file.write(tensor->data, tensor->numBytes);
  if (status == SLUICE_OK)
    status = file.close();
  return status;
}

} // extern "C"
