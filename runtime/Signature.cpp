//===- Signature.cpp - the signature text of compiled modules -------------===//
//
// A line-oriented parser of the `sluice_signature` text:
//   sluice-module 1
//   func <name> <num_inputs> <num_outputs>
//   input <name> <dtype> <rank> <dim>... [input|weight] [range=<lo>:<hi>]
//   output <name> <dtype> <rank> <dim>...
//   prepack <K> <N> <groups> b=<input>:<offset>:<ld>:<group stride> ...
//   end
//
//===----------------------------------------------------------------------===//

#include "runtime/Signature.h"
#include "runtime/Status.h"

#include <charconv>
#include <unordered_set>

using namespace sluice::rt;

namespace {
/// Parses all of `token` as a decimal int64 (optionally signed).
bool parseInt(const std::string &token, int64_t &value, bool allowSign) {
  if (token.empty() || (!allowSign && (token[0] == '-' || token[0] == '+')))
    return false;
  const char *first = token.data(), *last = token.data() + token.size();
  if (*first == '+')
    ++first;
  auto res = std::from_chars(first, last, value);
  return res.ec == std::errc() && res.ptr == last && first != last;
}

bool parseDType(const std::string &token, sluice_dtype_t &dtype) {
  static const struct {
    const char *name;
    sluice_dtype_t dtype;
  } kTypes[] = {{"f32", SLUICE_DTYPE_F32},
                {"i32", SLUICE_DTYPE_I32},
                {"i64", SLUICE_DTYPE_I64},
                {"i8", SLUICE_DTYPE_I8},
                {"i1", SLUICE_DTYPE_I1}};
  for (const auto &t : kTypes)
    if (token == t.name) {
      dtype = t.dtype;
      return true;
    }
  return false;
}

std::vector<std::string> splitTokens(const std::string &line) {
  std::vector<std::string> tokens;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t'))
      ++i;
    size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t')
      ++i;
    if (i > start)
      tokens.push_back(line.substr(start, i - start));
  }
  return tokens;
}

class SignatureParser {
public:
  explicit SignatureParser(const char *text) {
    std::string all(text);
    size_t start = 0;
    while (start <= all.size()) {
      size_t nl = all.find('\n', start);
      if (nl == std::string::npos)
        nl = all.size();
      std::string line = all.substr(start, nl - start);
      if (!line.empty() && line.back() == '\r')
        line.pop_back();
      lines.push_back(splitTokens(line));
      start = nl + 1;
    }
  }

  bool parse(std::vector<sluice_function> &out, std::string &error) {
    const std::vector<std::string> *t = next();
    if (!t)
      return fail(error, "empty signature");
    if (t->size() != 2 || (*t)[0] != "sluice-module")
      return fail(error, "expected 'sluice-module <version>'");
    if ((*t)[1] != "1")
      return fail(error, "signature version '" + (*t)[1] +
                             "' is not supported (this runtime reads 1)");
    std::unordered_set<std::string> names;
    while ((t = next())) {
      if ((*t)[0] == "end") {
        if (t->size() != 1)
          return fail(error, "unexpected tokens after 'end'");
        if (next())
          return fail(error, "unexpected line after 'end'");
        return true;
      }
      if ((*t)[0] != "func")
        return fail(error, "expected 'func' or 'end', got '" + (*t)[0] + "'");
      int64_t numInputs, numOutputs;
      if (t->size() != 4 || !parseInt((*t)[2], numInputs, false) ||
          !parseInt((*t)[3], numOutputs, false))
        return fail(error, "expected 'func <name> <num_inputs> <num_outputs>'");
      if (static_cast<uint64_t>(numInputs) + (numOutputs > 0 ? 1 : 0) >
          kMaxCallArgs)
        return fail(error, "function '" + (*t)[1] + "' has " +
                               std::to_string(numInputs) +
                               " inputs; the runtime passes at most " +
                               std::to_string(kMaxCallArgs - 1));
      if (numOutputs > 100000)
        return fail(error, "function '" + (*t)[1] + "' has too many outputs");
      sluice_function fn;
      fn.name = (*t)[1];
      if (!names.insert(fn.name).second)
        return fail(error, "duplicate function '" + fn.name + "'");
      for (int64_t i = 0; i < numInputs + numOutputs; ++i) {
        bool isInput = i < numInputs;
        const std::vector<std::string> *p = next();
        if (!p)
          return fail(error, "function '" + fn.name + "' ends early (missing " +
                                 (isInput ? "input" : "output") + " lines)");
        sluice_param param;
        if (!parseParam(*p, isInput, param, error))
          return false;
        auto &list = isInput ? fn.inputs : fn.outputs;
        for (const sluice_param &other : list)
          if (other.name == param.name)
            return fail(error, "duplicate " +
                                   std::string(isInput ? "input" : "output") +
                                   " '" + param.name + "' in function '" +
                                   fn.name + "'");
        list.push_back(std::move(param));
      }
      while (const std::vector<std::string> *p = peek("prepack")) {
        sluice_prepack pp;
        if (!parsePrepack(*p, fn, pp, error))
          return false;
        fn.prepacks.push_back(pp);
      }
      out.push_back(std::move(fn));
    }
    lineNo = 0;
    return fail(error, "missing 'end'");
  }

private:
  std::vector<std::vector<std::string>> lines;
  size_t cursor = 0;
  size_t lineNo = 0;

  /// The next non-blank line, or null.
  const std::vector<std::string> *next() {
    while (cursor < lines.size()) {
      const auto &tokens = lines[cursor++];
      if (!tokens.empty()) {
        lineNo = cursor;
        return &tokens;
      }
    }
    return nullptr;
  }

  /// The next non-blank line when its first token is `kind` (consumed),
  /// else null (not consumed).
  const std::vector<std::string> *peek(const char *kind) {
    size_t saved = cursor, savedLine = lineNo;
    const std::vector<std::string> *t = next();
    if (t && (*t)[0] == kind)
      return t;
    cursor = saved;
    lineNo = savedLine;
    return nullptr;
  }

  /// prepack <K> <N> <groups> b=<in>:<off>:<ld>:<gs> [b2=...]
  ///         [bs=<in>:<off>:<ld>:<gs>:<split>:<b_groups> [bs2=...]]
  bool parsePrepack(const std::vector<std::string> &t, const sluice_function &fn,
                    sluice_prepack &pp, std::string &error) {
    const char *usage = "expected 'prepack <K> <N> <groups> "
                        "b=<input>:<offset>:<ld>:<group_stride> [b2=...] "
                        "[bs=...:<split>:<b_groups> [bs2=...]]'";
    if (t.size() < 5 || !parseInt(t[1], pp.K, false) ||
        !parseInt(t[2], pp.N, false) || !parseInt(t[3], pp.groups, false) ||
        pp.K < 1 || pp.N < 1 || pp.groups < 1)
      return fail(error, usage);
    // (The kernels' group counts are int32 row offsets; a line beyond them
    // would only make binding allocate for nothing.)
    if (pp.groups > (int64_t(1) << 20))
      return fail(error, "prepack line with " + t[3] +
                             " groups (at most 1048576)");
    for (size_t i = 4; i < t.size(); ++i) {
      size_t eq = t[i].find('=');
      std::string key = t[i].substr(0, eq == std::string::npos ? 0 : eq);
      sluice_prepack::Operand *o = key == "b"     ? &pp.b
                                   : key == "b2"  ? &pp.b2
                                   : key == "bs"  ? &pp.bs
                                   : key == "bs2" ? &pp.bs2
                                                  : nullptr;
      if (!o || o->input >= 0)
        return fail(error, "bad or repeated operand '" + t[i] + "'; " + usage);
      std::vector<int64_t> v;
      std::string rest = t[i].substr(eq + 1);
      size_t start = 0;
      while (true) {
        size_t colon = rest.find(':', start);
        int64_t x;
        if (!parseInt(rest.substr(start, colon == std::string::npos
                                             ? std::string::npos
                                             : colon - start),
                      x, false))
          return fail(error, "bad operand '" + t[i] + "'; " + usage);
        v.push_back(x);
        if (colon == std::string::npos)
          break;
        start = colon + 1;
      }
      size_t want = key == "bs" ? 6 : 4;
      if (v.size() != want)
        return fail(error, "bad operand '" + t[i] + "'; " + usage);
      if (v[0] >= static_cast<int64_t>(fn.inputs.size()))
        return fail(error, "operand '" + t[i] + "' names input " +
                               std::to_string(v[0]) + " of a function with " +
                               std::to_string(fn.inputs.size()) + " inputs");
      o->input = v[0];
      o->offset = v[1];
      o->ld = v[2];
      o->groupStride = v[3];
      if (key == "bs") {
        pp.split = v[4];
        pp.bGroups = v[5];
      }
    }
    if (pp.b.input < 0 || (pp.bs2.input >= 0 && pp.bs.input < 0) ||
        (pp.bs.input >= 0 && (pp.split < 1 || pp.bGroups > pp.groups)) ||
        (pp.bs.input >= 0 && (pp.b2.input >= 0) != (pp.bs2.input >= 0)))
      return fail(error, usage);
    return true;
  }

  bool fail(std::string &error, const std::string &what) {
    error = lineNo ? "line " + std::to_string(lineNo) + ": " + what : what;
    return false;
  }

  bool parseParam(const std::vector<std::string> &t, bool isInput,
                  sluice_param &param, std::string &error) {
    const char *kind = isInput ? "input" : "output";
    if (t[0] != kind)
      return fail(error, std::string("expected an '") + kind + "' line, got '" +
                             t[0] + "'");
    if (t.size() < 4)
      return fail(error, std::string("expected '") + kind +
                             " <name> <dtype> <rank> <dims>...'");
    param.name = t[1];
    param.role = isInput ? SLUICE_ROLE_INPUT : SLUICE_ROLE_OUTPUT;
    if (!parseDType(t[2], param.dtype))
      return fail(error, "unknown dtype '" + t[2] + "' of '" + t[1] + "'");
    if (!parseInt(t[3], param.rank, false) || param.rank > SLUICE_MAX_RANK)
      return fail(error, "bad rank '" + t[3] + "' of '" + t[1] + "'");
    if (t.size() < 4 + static_cast<size_t>(param.rank))
      return fail(error, "'" + t[1] + "' has rank " + t[3] + " but fewer dims");
    for (int64_t k = 0; k < param.rank; ++k) {
      const std::string &dim = t[4 + k];
      int64_t size;
      if (dim[0] >= '0' && dim[0] <= '9') {
        if (!parseInt(dim, size, false))
          return fail(error, "bad dim '" + dim + "' of '" + t[1] + "'");
        param.sizes.push_back(size);
        param.symbols.emplace_back();
      } else if (dim[0] == '-' || dim[0] == '+' || dim == "?") {
        return fail(error, "bad dim '" + dim + "' of '" + t[1] + "'");
      } else {
        param.sizes.push_back(-1);
        param.symbols.push_back(dim);
      }
    }
    bool haveRole = false;
    for (size_t i = 4 + param.rank; i < t.size(); ++i) {
      const std::string &extra = t[i];
      if (isInput && !haveRole && !param.hasRange &&
          (extra == "input" || extra == "weight")) {
        haveRole = true;
        param.role = extra == "weight" ? SLUICE_ROLE_WEIGHT : SLUICE_ROLE_INPUT;
      } else if (isInput && !param.hasRange && extra.rfind("range=", 0) == 0) {
        size_t colon = extra.find(':', 6);
        if (colon == std::string::npos ||
            !parseInt(extra.substr(6, colon - 6), param.rangeLo, true) ||
            !parseInt(extra.substr(colon + 1), param.rangeHi, true) ||
            param.rangeLo >= param.rangeHi)
          return fail(error, "bad range hint '" + extra + "' of '" + t[1] +
                                 "' (expected range=<lo>:<hi> with lo < hi)");
        param.hasRange = true;
      } else {
        return fail(error, "unexpected token '" + extra +
                               "' after the dims "
                               "of '" +
                               t[1] + "'");
      }
    }
    return true;
  }
};
} // namespace

std::string sluice_param::dimsToString() const {
  std::string out = "[";
  for (int64_t k = 0; k < rank; ++k) {
    if (k)
      out += ", ";
    out += sizes[k] >= 0 ? std::to_string(sizes[k]) : symbols[k];
  }
  return out + "]";
}

int64_t sluice_function::findInput(const std::string &inputName) const {
  for (size_t i = 0; i < inputs.size(); ++i)
    if (inputs[i].name == inputName)
      return static_cast<int64_t>(i);
  return -1;
}

int64_t sluice_function::findOutput(const std::string &outputName) const {
  for (size_t i = 0; i < outputs.size(); ++i)
    if (outputs[i].name == outputName)
      return static_cast<int64_t>(i);
  return -1;
}

bool sluice::rt::parseSignature(const char *text,
                                std::vector<sluice_function> &out,
                                std::string &error) {
  out.clear();
  SignatureParser parser(text);
  return parser.parse(out, error);
}
