//===- Json.h - a small strict JSON parser ----------------------*- C++ -*-===//
//
// RFC 8259 JSON, strictly: no comments, no trailing commas, no duplicate
// object keys, valid UTF-8 and escapes, a nesting limit. Used for the
// `.safetensors` header. Numbers keep whether they are exact integers.
//
//===----------------------------------------------------------------------===//

#ifndef SLUICE_RUNTIME_JSON_H
#define SLUICE_RUNTIME_JSON_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace sluice {
namespace rt {

/// One JSON value. Objects keep their members in file order.
struct JsonValue {
  enum class Kind { Null, Bool, Number, String, Array, Object };

  Kind kind = Kind::Null;
  bool boolean = false;
  /// For numbers: whether the literal has no fraction or exponent and fits
  /// in int64 (then `integer` holds it).
  bool isInteger = false;
  int64_t integer = 0;
  double number = 0;
  std::string string;
  /// Array elements, or object member values (names in `keys`).
  std::vector<JsonValue> items;
  std::vector<std::string> keys;

  /// The member named `key` of an object, or null.
  const JsonValue *find(const std::string &key) const;
  /// "object", "array", "string", "number", "true/false", "null".
  const char *kindName() const;
};

/// Parses exactly `size` bytes of `text` (whitespace may surround the
/// value). On failure returns false and sets `error` to a message such as
/// "at byte 12: expected ':' after an object key".
bool parseJson(const char *text, size_t size, JsonValue &out,
               std::string &error);

/// Appends `s` as a JSON string literal (quotes and escapes) to `out`.
void appendJsonString(std::string &out, const std::string &s);

} // namespace rt
} // namespace sluice

#endif // SLUICE_RUNTIME_JSON_H
