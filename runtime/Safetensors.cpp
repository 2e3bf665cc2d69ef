//===- Safetensors.cpp - .safetensors read and write ----------------------===//
//
// Layout: an 8-byte little-endian header length N, N bytes of JSON
// {"name": {"dtype", "shape", "data_offsets": [begin, end]}, ...,
// "__metadata__": {...}}, then the byte buffer the offsets index. The whole
// header is validated (dtypes, shapes, byte counts, offsets inside the
// buffer, no overlaps, no holes) before any tensor is allocated.
//
//===----------------------------------------------------------------------===//

#include "runtime/FileIO.h"
#include "runtime/Json.h"
#include "runtime/Status.h"
#include "runtime/Tensor.h"
#include "runtime/Weights.h"

#include <algorithm>
#include <cstring>
#include <memory>

using namespace sluice::rt;

namespace {
/// The reference implementation's limit on the header size.
constexpr uint64_t kMaxHeader = 100000000;

struct StDType {
  const char *name;
  sluice_dtype_t dtype;
};

constexpr StDType kStTypes[] = {
    {"F32", SLUICE_DTYPE_F32}, {"F64", SLUICE_DTYPE_F64},
    {"I32", SLUICE_DTYPE_I32}, {"I64", SLUICE_DTYPE_I64},
    {"I8", SLUICE_DTYPE_I8},   {"U8", SLUICE_DTYPE_U8},
    {"BOOL", SLUICE_DTYPE_I1},
};

const char *stNameOf(sluice_dtype_t dtype) {
  for (const StDType &t : kStTypes)
    if (t.dtype == dtype)
      return t.name;
  return nullptr;
}

/// One validated header entry.
struct Entry {
  const std::string *name;
  sluice_dtype_t dtype;
  int64_t rank;
  int64_t shape[SLUICE_MAX_RANK];
  uint64_t begin, end;
};

/// Reads a non-negative integer from a JSON number.
bool asSize(const JsonValue &v, int64_t &out) {
  if (v.kind != JsonValue::Kind::Number || !v.isInteger || v.integer < 0)
    return false;
  out = v.integer;
  return true;
}

/// Validates entry `name`; returns "" or what is wrong (then `status` is
/// SLUICE_ERROR_DTYPE for an unsupported dtype, else SLUICE_ERROR_FORMAT).
std::string parseEntry(const std::string &name, const JsonValue &v,
                       uint64_t bufferSize, Entry &e, sluice_status_t &status) {
  std::string where = "tensor '" + name + "': ";
  status = SLUICE_ERROR_FORMAT;
  if (v.kind != JsonValue::Kind::Object)
    return where + "entry is " + v.kindName() + ", expected an object";
  for (const std::string &key : v.keys)
    if (key != "dtype" && key != "shape" && key != "data_offsets")
      return where + "unexpected key '" + key + "'";
  const JsonValue *dtype = v.find("dtype"), *shape = v.find("shape"),
                  *offsets = v.find("data_offsets");
  if (!dtype || !shape || !offsets)
    return where + "missing key '" +
           (!dtype   ? "dtype"
            : !shape ? "shape"
                     : "data_offsets") +
           "'";
  if (dtype->kind != JsonValue::Kind::String)
    return where + "'dtype' is not a string";
  e.name = &name;
  e.dtype = SLUICE_DTYPE_INVALID;
  for (const StDType &t : kStTypes)
    if (dtype->string == t.name)
      e.dtype = t.dtype;
  if (e.dtype == SLUICE_DTYPE_INVALID) {
    status = SLUICE_ERROR_DTYPE;
    return where + "unsupported dtype '" + dtype->string +
           "' (supported: F32 F64 I32 I64 I8 U8 BOOL)";
  }
  if (shape->kind != JsonValue::Kind::Array)
    return where + "'shape' is not an array";
  if (shape->items.size() > SLUICE_MAX_RANK)
    return where + "'shape' has more than " + std::to_string(SLUICE_MAX_RANK) +
           " dimensions";
  e.rank = static_cast<int64_t>(shape->items.size());
  for (int64_t k = 0; k < e.rank; ++k)
    if (!asSize(shape->items[k], e.shape[k]))
      return where + "'shape' entry " + std::to_string(k) +
             " is not a non-negative integer";
  if (offsets->kind != JsonValue::Kind::Array || offsets->items.size() != 2)
    return where + "'data_offsets' is not an array of two integers";
  int64_t begin, end;
  if (!asSize(offsets->items[0], begin) || !asSize(offsets->items[1], end))
    return where + "'data_offsets' holds something other than "
                   "non-negative integers";
  if (begin > end)
    return where + "'data_offsets' [" + std::to_string(begin) + ", " +
           std::to_string(end) + "] is reversed";
  if (static_cast<uint64_t>(end) > bufferSize)
    return where + "'data_offsets' [" + std::to_string(begin) + ", " +
           std::to_string(end) + "] is out of the data buffer (" +
           std::to_string(bufferSize) + " bytes)";
  e.begin = static_cast<uint64_t>(begin);
  e.end = static_cast<uint64_t>(end);
  int64_t numElements;
  size_t numBytes;
  std::string shapeText = shapeToString(e.rank, e.shape);
  if (!computeSize(e.rank, e.shape, sluice_dtype_size(e.dtype), numElements,
                   numBytes))
    return where + "shape " + shapeText + " is too large";
  if (numBytes != e.end - e.begin)
    return where + "shape " + shapeText + " of " + dtype->string + " needs " +
           std::to_string(numBytes) + " bytes but 'data_offsets' span " +
           std::to_string(e.end - e.begin);
  return std::string();
}
} // namespace

extern "C" {

SLUICE_API sluice_status_t
sluice_weights_load_safetensors(const char *path, sluice_weights_t **out) {
  clearError();
  const char *fn = "sluice_weights_load_safetensors";
  SLUICE_CHECK_ARG(path, "sluice_weights_load_safetensors");
  SLUICE_CHECK_ARG(out, "sluice_weights_load_safetensors");
  *out = nullptr;
  InputFile file;
  sluice_status_t status = file.open(fn, path);
  if (status != SLUICE_OK)
    return status;
  auto bad = [&](const std::string &what) {
    return failf(SLUICE_ERROR_FORMAT, "%s: %s: %s", fn, path, what.c_str());
  };

  if (file.size() < 8)
    return bad(format("file too short for the header length (%llu bytes)",
                      static_cast<unsigned long long>(file.size())));
  unsigned char lengthBytes[8];
  if ((status = file.readAt(0, lengthBytes, 8, "the header length")) !=
      SLUICE_OK)
    return status;
  uint64_t headerLen = 0;
  for (int b = 7; b >= 0; --b)
    headerLen = (headerLen << 8) | lengthBytes[b];
  if (headerLen > file.size() - 8)
    return bad(format("header length %llu exceeds the file (%llu bytes)",
                      static_cast<unsigned long long>(headerLen),
                      static_cast<unsigned long long>(file.size())));
  if (headerLen > kMaxHeader)
    return bad(format("header too long (%llu bytes)",
                      static_cast<unsigned long long>(headerLen)));
  if (headerLen < 2)
    return bad(format("header too short (%llu bytes)",
                      static_cast<unsigned long long>(headerLen)));
  std::string text(static_cast<size_t>(headerLen), '\0');
  if ((status = file.readAt(8, &text[0], text.size(), "the header")) !=
      SLUICE_OK)
    return status;

  JsonValue header;
  std::string error;
  if (!parseJson(text.data(), text.size(), header, error))
    return bad("bad header JSON: " + error);
  if (header.kind != JsonValue::Kind::Object)
    return bad(std::string("header is ") + header.kindName() +
               ", expected a JSON object");

  uint64_t bufferStart = 8 + headerLen;
  uint64_t bufferSize = file.size() - bufferStart;
  std::vector<Entry> entries;
  entries.reserve(header.keys.size());
  for (size_t i = 0; i < header.keys.size(); ++i) {
    const std::string &name = header.keys[i];
    const JsonValue &value = header.items[i];
    if (name == "__metadata__") {
      if (value.kind != JsonValue::Kind::Object)
        return bad("'__metadata__' is not an object");
      continue;
    }
    entries.emplace_back();
    sluice_status_t entryStatus;
    std::string err =
        parseEntry(name, value, bufferSize, entries.back(), entryStatus);
    if (!err.empty())
      return failf(entryStatus, "%s: %s: %s", fn, path, err.c_str());
  }

  // Offsets must tile the buffer: sorted, no overlap, no hole, no tail.
  std::vector<const Entry *> sorted;
  sorted.reserve(entries.size());
  for (const Entry &e : entries)
    sorted.push_back(&e);
  std::stable_sort(
      sorted.begin(), sorted.end(), [](const Entry *a, const Entry *b) {
        return a->begin != b->begin ? a->begin < b->begin : a->end < b->end;
      });
  uint64_t cursor = 0;
  const Entry *previous = nullptr;
  for (const Entry *e : sorted) {
    if (e->begin < cursor)
      return bad("tensors '" + *previous->name + "' and '" + *e->name +
                 "' overlap in the data buffer");
    if (e->begin > cursor)
      return bad(format("bytes [%llu, %llu) of the data buffer belong to no "
                        "tensor (before '%s')",
                        static_cast<unsigned long long>(cursor),
                        static_cast<unsigned long long>(e->begin),
                        e->name->c_str()));
    cursor = e->end;
    previous = e;
  }
  if (cursor != bufferSize)
    return bad(format("%llu trailing bytes after the last tensor",
                      static_cast<unsigned long long>(bufferSize - cursor)));

  std::unique_ptr<sluice_weights> weights(new (std::nothrow) sluice_weights());
  if (!weights)
    return fail(SLUICE_ERROR_OUT_OF_MEMORY,
                std::string(fn) + ": out of memory");
  for (const Entry &e : entries) {
    sluice_tensor_t *tensor;
    if ((status = createTensorUninit(e.dtype, e.rank, e.shape, fn, &tensor)) !=
        SLUICE_OK)
      return status;
    weights->insert(*e.name, tensor);
    std::string what = "tensor '" + *e.name + "'";
    if ((status = file.readAt(bufferStart + e.begin, tensor->data,
                              tensor->numBytes, what.c_str())) != SLUICE_OK)
      return status;
    int64_t badIndex;
    if (e.dtype == SLUICE_DTYPE_I1 &&
        !checkBoolBytes(static_cast<const uint8_t *>(tensor->data),
                        tensor->numElements, badIndex))
      return bad(format("tensor '%s': BOOL element %lld is neither 0 nor 1",
                        e.name->c_str(), static_cast<long long>(badIndex)));
  }
  *out = weights.release();
  return SLUICE_OK;
}

SLUICE_API sluice_status_t sluice_weights_save_safetensors(
    const sluice_weights_t *weights, const char *path) {
  clearError();
  const char *fn = "sluice_weights_save_safetensors";
  SLUICE_CHECK_ARG(weights, "sluice_weights_save_safetensors");
  SLUICE_CHECK_ARG(path, "sluice_weights_save_safetensors");
  std::string header = "{";
  uint64_t offset = 0;
  for (size_t i = 0; i < weights->names.size(); ++i) {
    const sluice_tensor_t *t = weights->tensors[i];
    const char *dtype = stNameOf(t->dtype);
    if (!dtype)
      return failf(SLUICE_ERROR_DTYPE,
                   "%s: %s: tensor '%s' has an invalid "
                   "dtype",
                   fn, path, weights->names[i].c_str());
    if (i)
      header += ',';
    appendJsonString(header, weights->names[i]);
    header += ":{\"dtype\":\"";
    header += dtype;
    header += "\",\"shape\":[";
    for (int64_t k = 0; k < t->rank; ++k) {
      if (k)
        header += ',';
      header += std::to_string(t->shape[k]);
    }
    header += "],\"data_offsets\":[" + std::to_string(offset) + "," +
              std::to_string(offset + t->numBytes) + "]}";
    offset += t->numBytes;
  }
  header += '}';
  // Pad with spaces so that the buffer starts 8-byte aligned.
  header.append((8 - header.size() % 8) % 8, ' ');
  unsigned char lengthBytes[8];
  for (int b = 0; b < 8; ++b)
    lengthBytes[b] = static_cast<unsigned char>(
        static_cast<uint64_t>(header.size()) >> (8 * b));

  OutputFile file;
  sluice_status_t status = file.create(fn, path);
  if (status == SLUICE_OK)
    status = file.write(lengthBytes, 8);
  if (status == SLUICE_OK)
    status = file.write(header.data(), header.size());
  for (size_t i = 0; status == SLUICE_OK && i < weights->tensors.size(); ++i)
    status =
        file.write(weights->tensors[i]->data, weights->tensors[i]->numBytes);
  if (status == SLUICE_OK)
    status = file.close();
  return status;
}

} // extern "C"
