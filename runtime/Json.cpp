//===- Json.cpp - a small strict JSON parser ------------------------------===//
//
// A recursive-descent parser over a bounded buffer: every read is checked
// against the end, nesting is limited, errors carry the byte offset.
//
//===----------------------------------------------------------------------===//

#include "runtime/Json.h"
#include "runtime/Status.h"

#include <charconv>
#include <cmath>
#include <unordered_set>

using namespace sluice::rt;

namespace {
constexpr int kMaxDepth = 64;

class Parser {
public:
  Parser(const char *text, size_t size)
      : p(text), begin(text), end(text + size) {}

  bool parseDocument(JsonValue &out, std::string &error) {
    skipSpace();
    if (!parseValue(out, 0))
      return finish(error);
    skipSpace();
    if (p != end) {
      fail("unexpected data after the JSON value");
      return finish(error);
    }
    return true;
  }

private:
  const char *p;
  const char *begin;
  const char *end;
  std::string message;

  bool finish(std::string &error) {
    error = message;
    return false;
  }

  bool fail(const char *what) {
    if (message.empty())
      message = format("at byte %zu: %s", static_cast<size_t>(p - begin), what);
    return false;
  }

  void skipSpace() {
    while (p != end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
      ++p;
  }

  bool literal(const char *word) {
    const char *q = p;
    for (; *word; ++word, ++q)
      if (q == end || *q != *word)
        return fail("invalid literal");
    p = q;
    return true;
  }

  bool parseValue(JsonValue &out, int depth) {
    if (depth > kMaxDepth)
      return fail("nesting too deep");
    if (p == end)
      return fail("unexpected end of data, expected a value");
    switch (*p) {
    case '{':
      return parseObject(out, depth);
    case '[':
      return parseArray(out, depth);
    case '"':
      out.kind = JsonValue::Kind::String;
      return parseString(out.string);
    case 't':
      out.kind = JsonValue::Kind::Bool;
      out.boolean = true;
      return literal("true");
    case 'f':
      out.kind = JsonValue::Kind::Bool;
      out.boolean = false;
      return literal("false");
    case 'n':
      out.kind = JsonValue::Kind::Null;
      return literal("null");
    default:
      if (*p == '-' || (*p >= '0' && *p <= '9'))
        return parseNumber(out);
      return fail("unexpected character, expected a value");
    }
  }

  bool parseObject(JsonValue &out, int depth) {
    out.kind = JsonValue::Kind::Object;
    ++p; // '{'
    skipSpace();
    if (p != end && *p == '}') {
      ++p;
      return true;
    }
    std::unordered_set<std::string> seen;
    while (true) {
      skipSpace();
      if (p == end || *p != '"')
        return fail("expected a string key in an object");
      std::string key;
      const char *keyStart = p;
      if (!parseString(key))
        return false;
      if (!seen.insert(key).second) {
        p = keyStart;
        return fail(format("duplicate key \"%s\"", key.c_str()).c_str());
      }
      skipSpace();
      if (p == end || *p != ':')
        return fail("expected ':' after an object key");
      ++p;
      skipSpace();
      out.keys.push_back(std::move(key));
      out.items.emplace_back();
      if (!parseValue(out.items.back(), depth + 1))
        return false;
      skipSpace();
      if (p != end && *p == ',') {
        ++p;
        continue;
      }
      if (p != end && *p == '}') {
        ++p;
        return true;
      }
      return fail("expected ',' or '}' in an object");
    }
  }

  bool parseArray(JsonValue &out, int depth) {
    out.kind = JsonValue::Kind::Array;
    ++p; // '['
    skipSpace();
    if (p != end && *p == ']') {
      ++p;
      return true;
    }
    while (true) {
      skipSpace();
      out.items.emplace_back();
      if (!parseValue(out.items.back(), depth + 1))
        return false;
      skipSpace();
      if (p != end && *p == ',') {
        ++p;
        continue;
      }
      if (p != end && *p == ']') {
        ++p;
        return true;
      }
      return fail("expected ',' or ']' in an array");
    }
  }

  bool parseNumber(JsonValue &out) {
    out.kind = JsonValue::Kind::Number;
    const char *start = p;
    bool negative = false, fractional = false;
    if (*p == '-') {
      negative = true;
      ++p;
    }
    if (p == end || !(*p >= '0' && *p <= '9'))
      return fail("invalid number");
    if (*p == '0') {
      ++p;
      if (p != end && *p >= '0' && *p <= '9')
        return fail("invalid number (leading zero)");
    } else {
      while (p != end && *p >= '0' && *p <= '9')
        ++p;
    }
    if (p != end && *p == '.') {
      fractional = true;
      ++p;
      if (p == end || !(*p >= '0' && *p <= '9'))
        return fail("invalid number (no digits after '.')");
      while (p != end && *p >= '0' && *p <= '9')
        ++p;
    }
    if (p != end && (*p == 'e' || *p == 'E')) {
      fractional = true;
      ++p;
      if (p != end && (*p == '+' || *p == '-'))
        ++p;
      if (p == end || !(*p >= '0' && *p <= '9'))
        return fail("invalid number (no exponent digits)");
      while (p != end && *p >= '0' && *p <= '9')
        ++p;
    }
    auto res = std::from_chars(start, p, out.number);
    if (res.ec != std::errc() || res.ptr != p)
      out.number = negative ? -HUGE_VAL : HUGE_VAL; // out of double range
    out.isInteger = false;
    if (!fractional) {
      int64_t value = 0;
      auto ires = std::from_chars(start, p, value);
      if (ires.ec == std::errc() && ires.ptr == p) {
        out.isInteger = true;
        out.integer = value;
      }
    }
    return true;
  }

  bool hex4(uint32_t &value) {
    if (end - p < 4)
      return fail("truncated \\u escape");
    value = 0;
    for (int i = 0; i < 4; ++i, ++p) {
      char c = *p;
      value <<= 4;
      if (c >= '0' && c <= '9')
        value |= c - '0';
      else if (c >= 'a' && c <= 'f')
        value |= c - 'a' + 10;
      else if (c >= 'A' && c <= 'F')
        value |= c - 'A' + 10;
      else
        return fail("invalid hex digit in a \\u escape");
    }
    return true;
  }

  static void appendUtf8(std::string &out, uint32_t cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  /// Copies one raw UTF-8 sequence starting at p (a byte >= 0x80).
  bool utf8Sequence(std::string &out) {
    auto byte = [&](const char *q) { return static_cast<unsigned char>(*q); };
    unsigned char b0 = byte(p);
    int length;
    uint32_t cp, min;
    if (b0 >= 0xC2 && b0 <= 0xDF)
      length = 2, cp = b0 & 0x1F, min = 0x80;
    else if (b0 >= 0xE0 && b0 <= 0xEF)
      length = 3, cp = b0 & 0x0F, min = 0x800;
    else if (b0 >= 0xF0 && b0 <= 0xF4)
      length = 4, cp = b0 & 0x07, min = 0x10000;
    else
      return fail("invalid UTF-8 in a string");
    if (end - p < length)
      return fail("truncated UTF-8 sequence in a string");
    for (int i = 1; i < length; ++i) {
      unsigned char b = byte(p + i);
      if ((b & 0xC0) != 0x80)
        return fail("invalid UTF-8 in a string");
      cp = (cp << 6) | (b & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
      return fail("invalid UTF-8 in a string");
    out.append(p, length);
    p += length;
    return true;
  }

  bool parseString(std::string &out) {
    ++p; // opening quote
    while (true) {
      if (p == end)
        return fail("unterminated string");
      unsigned char c = static_cast<unsigned char>(*p);
      if (c == '"') {
        ++p;
        return true;
      }
      if (c < 0x20)
        return fail("control character in a string");
      if (c >= 0x80) {
        if (!utf8Sequence(out))
          return false;
        continue;
      }
      if (c != '\\') {
        out += static_cast<char>(c);
        ++p;
        continue;
      }
      ++p;
      if (p == end)
        return fail("unterminated escape");
      char e = *p++;
      switch (e) {
      case '"':
      case '\\':
      case '/':
        out += e;
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'u': {
        uint32_t cp;
        if (!hex4(cp))
          return false;
        if (cp >= 0xDC00 && cp <= 0xDFFF)
          return fail("unpaired low surrogate in a \\u escape");
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          uint32_t low;
          if (end - p < 2 || p[0] != '\\' || p[1] != 'u')
            return fail("unpaired high surrogate in a \\u escape");
          p += 2;
          if (!hex4(low))
            return false;
          if (low < 0xDC00 || low > 0xDFFF)
            return fail("invalid low surrogate in a \\u escape");
          cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        }
        appendUtf8(out, cp);
        break;
      }
      default:
        --p;
        return fail("invalid escape in a string");
      }
    }
  }
};
} // namespace

const JsonValue *JsonValue::find(const std::string &key) const {
  if (kind != Kind::Object)
    return nullptr;
  for (size_t i = 0; i < keys.size(); ++i)
    if (keys[i] == key)
      return &items[i];
  return nullptr;
}

const char *JsonValue::kindName() const {
  switch (kind) {
  case Kind::Null:
    return "null";
  case Kind::Bool:
    return "a boolean";
  case Kind::Number:
    return "a number";
  case Kind::String:
    return "a string";
  case Kind::Array:
    return "an array";
  case Kind::Object:
    return "an object";
  }
  return "?";
}

bool sluice::rt::parseJson(const char *text, size_t size, JsonValue &out,
                           std::string &error) {
  out = JsonValue();
  Parser parser(text, size);
  return parser.parseDocument(out, error);
}

void sluice::rt::appendJsonString(std::string &out, const std::string &s) {
  static const char hex[] = "0123456789abcdef";
  out += '"';
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      out += "\\u00";
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  out += '"';
}
