//===- ConstEval.cpp - types, parameters, constant expressions ------------===//
//
// The language's tensor types and dims, model parameters (with --param
// overrides), and the integer / float expressions over parameters that
// dims and attributes are written in.
//
//===----------------------------------------------------------------------===//

#include "frontend/GenImpl.h"

using namespace sluice::frontend;
using llvm::SMLoc;
using llvm::StringRef;

llvm::StringRef sluice::frontend::dtypeName(DType t) {
  return t == DType::f32 ? "f32" : t == DType::i32 ? "i32" : "i1";
}

std::string sluice::frontend::formatNumber(double v) {
  char buf[32];
  snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

std::string Dim::str() const {
  if (!isStatic())
    return label.empty() ? "?" : label;
  std::string n = std::to_string(size);
  return label.empty() || label == n ? n : label + "=" + n;
}

std::string LType::str() const {
  std::string s = dtypeName(dtype).str() + "[";
  for (size_t i = 0; i < dims.size(); ++i)
    s += (i ? ", " : "") + dims[i].str();
  return s + "]";
}

mlir::RankedTensorType LType::toMlir(mlir::MLIRContext *ctx) const {
  llvm::SmallVector<int64_t> shape;
  for (const Dim &d : dims)
    shape.push_back(d.isStatic() ? d.size : mlir::ShapedType::kDynamic);
  mlir::Type elt =
      dtype == DType::f32
          ? mlir::Type(mlir::Float32Type::get(ctx))
          : mlir::IntegerType::get(ctx, dtype == DType::i32 ? 32 : 1);
  return mlir::RankedTensorType::get(shape, elt);
}

std::string sluice::frontend::shortText(const Expr &e, StringRef fallback) {
  StringRef t = e.text();
  if (t.size() <= 32 && !t.contains('\n'))
    return t.str();
  return fallback.str();
}

/// The expression's text without blanks ("experts/4"), or "" for a literal.
static std::string paramLabel(const Expr &e) {
  std::function<bool(const Expr &)> hasName = [&](const Expr &x) {
    if (x.kind == Expr::Kind::Name)
      return true;
    for (const ExprPtr &o : x.operands)
      if (hasName(*o))
        return true;
    return false;
  };
  if (!hasName(e))
    return "";
  std::string s;
  for (char c : e.text())
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
      s += c;
  return s.size() > 24 ? "" : s;
}

//===----------------------------------------------------------------------===//
// Parameters and constant expressions
//===----------------------------------------------------------------------===//

bool sluice::frontend::parseParamOverride(StringRef text, ParamOverride &out) {
  auto [name, value] = text.split('=');
  name = name.trim();
  value = value.trim();
  if (name.empty() || !text.contains('=') || value.getAsInteger(10, out.value))
    return false;
  out.name = name.str();
  return true;
}

bool Generator::evalParams(llvm::ArrayRef<ParamOverride> overrides) {
  bool ok = true;
  std::vector<std::string> names;
  for (const Param &p : model.params)
    names.push_back(p.name);
  for (const ParamOverride &o : overrides) {
    if (llvm::is_contained(names, o.name))
      continue;
    diags.error(SMLoc(), "--param " + o.name + "=" + std::to_string(o.value) +
                             ": model '" + model.name + "' has no parameter '" +
                             o.name + "'" + didYouMean(o.name, names) +
                             (names.empty()
                                  ? " (it has no parameters)"
                                  : " (parameters: " + joinNames(names) + ")"));
    note(model.loc, "the model's parameters are declared here");
    ok = false;
  }
  for (const Param &p : model.params) {
    if (paramValues.count(p.name)) {
      error(p.loc, "redefinition of parameter '" + p.name + "'");
      ok = false;
      continue;
    }
    int64_t v = 0;
    const ParamOverride *ovr = nullptr;
    for (const ParamOverride &o : overrides)
      if (o.name == p.name)
        ovr = &o;
    if (ovr) {
      v = ovr->value;
    } else if (!evalInt(*p.value, v)) {
      ok = false;
      continue;
    }
    paramValues[p.name] = v;
    params.push_back({p.name, v});
  }
  return ok;
}

bool Generator::evalInt(const Expr &e, int64_t &out, std::string *label) {
  if (label)
    *label = paramLabel(e);
  switch (e.kind) {
  case Expr::Kind::Int:
    out = e.intValue;
    return true;
  case Expr::Kind::Name: {
    auto it = paramValues.find(e.name);
    if (it != paramValues.end()) {
      out = it->second;
      return true;
    }
    std::vector<std::string> names;
    for (auto &p : params)
      names.push_back(p.first);
    for (const Param &p : model.params)
      if (p.name == e.name)
        return error(e.loc(), "parameter '" + e.name +
                                  "' is used before its definition");
    if (symbols.count(e.name))
      return error(e.loc(),
                   "'" + e.name +
                       "' is a dynamic dim, not a "
                       "parameter: only integers and parameters can be "
                       "used here");
    return error(e.loc(), "unknown parameter '" + e.name + "'" +
                              didYouMean(e.name, names));
  }
  case Expr::Kind::Neg: {
    if (!evalInt(*e.operands[0], out))
      return false;
    if (out == INT64_MIN)
      return error(e.loc(), "integer overflow in '" + e.text() + "'");
    out = -out;
    return true;
  }
  case Expr::Kind::Binary: {
    int64_t l, r;
    if (!evalInt(*e.operands[0], l) || !evalInt(*e.operands[1], r))
      return false;
    bool overflow = false;
    switch (e.op) {
    case '+':
      overflow = __builtin_add_overflow(l, r, &out);
      break;
    case '-':
      overflow = __builtin_sub_overflow(l, r, &out);
      break;
    case '*':
      overflow = __builtin_mul_overflow(l, r, &out);
      break;
    default:
      if (r == 0)
        return error(e.loc(), "division by zero in '" + e.text() + "'");
      if (l == INT64_MIN && r == -1)
        return error(e.loc(), "integer overflow in '" + e.text() + "'");
      if (l % r != 0)
        return error(e.loc(), "'" + e.text() + "' is not an integer: " +
                                  std::to_string(l) + " / " +
                                  std::to_string(r) + " leaves a remainder");
      out = l / r;
    }
    if (overflow)
      return error(e.loc(), "integer overflow in '" + e.text() + "'");
    return true;
  }
  case Expr::Kind::Float:
    return error(e.loc(), "expected an integer, got '" + e.text() + "'");
  default:
    return error(e.loc(), "expected an integer expression (integers, "
                          "parameters, + - * /), got '" +
                              shortText(e, "this expression") + "'");
  }
}

bool Generator::evalFloat(const Expr &e, double &out) {
  switch (e.kind) {
  case Expr::Kind::Int:
    out = (double)e.intValue;
    return true;
  case Expr::Kind::Float:
    out = e.floatValue;
    return true;
  case Expr::Kind::Name: {
    int64_t v;
    if (!evalInt(e, v))
      return false;
    out = (double)v;
    return true;
  }
  case Expr::Kind::Neg:
    if (!evalFloat(*e.operands[0], out))
      return false;
    out = -out;
    return true;
  case Expr::Kind::Binary: {
    double l, r;
    if (!evalFloat(*e.operands[0], l) || !evalFloat(*e.operands[1], r))
      return false;
    if (e.op == '/' && r == 0)
      return error(e.loc(), "division by zero in '" + e.text() + "'");
    out = e.op == '+'   ? l + r
          : e.op == '-' ? l - r
          : e.op == '*' ? l * r
                        : l / r;
    return true;
  }
  default:
    return error(e.loc(), "expected a number, got '" +
                              shortText(e, "this expression") + "'");
  }
}

Dim Generator::freshSym(StringRef label) {
  // A second dim called C becomes C_2; the user's symbols keep their names.
  std::string name = label.str();
  for (unsigned n = 2; symbols.count(name) || symLabels.count(name); ++n)
    name = label.str() + "_" + std::to_string(n);
  symLabels[name] = 1;
  Dim d;
  d.sym = nextSym++;
  d.label = name;
  return d;
}

bool Generator::evalDim(const Expr &e, Dim &out, bool bindSymbols) {
  if (e.kind == Expr::Kind::Name && !paramValues.count(e.name)) {
    bool isParam = llvm::any_of(
        model.params, [&](const Param &p) { return p.name == e.name; });
    if (!isParam) {
      auto it = symbols.find(e.name);
      if (it != symbols.end()) {
        out = it->second;
        return true;
      }
      if (!bindSymbols) {
        std::vector<std::string> names;
        for (auto &p : params)
          names.push_back(p.first);
        return error(e.loc(), "'" + e.name +
                                  "' is neither a parameter nor a "
                                  "dynamic dim of this function" +
                                  didYouMean(e.name, names));
      }
      out = Dim();
      out.sym = nextSym++;
      out.label = e.name;
      symLabels[e.name] = 1;
      symbols[e.name] = out;
      std::vector<std::string> names;
      for (auto &p : params)
        names.push_back(p.first);
      std::string m = closestMatch(e.name, names);
      if (!m.empty() && e.name.size() >= 3)
        diags.warning(e.loc(),
                      "'" + e.name +
                          "' is not a parameter, so it "
                          "is a dynamic dim; did you mean parameter '" +
                          m + "'?");
      return true;
    }
  }
  int64_t v;
  std::string label;
  if (!evalInt(e, v, &label))
    return false;
  if (v < 0)
    return error(e.loc(), "a dim must be >= 0, got " + std::to_string(v) +
                              (label.empty() ? "" : " (" + label + ")"));
  if (v > INT32_MAX)
    return error(e.loc(), "dim " + std::to_string(v) +
                              " is too large (the "
                              "limit is 2^31 - 1)");
  out = Dim::fixed(v, label);
  return true;
}

bool Generator::evalType(const TypeSpec &t, LType &out, bool bindSymbols,
                         StringRef what) {
  if (t.dtype == "f32")
    out.dtype = DType::f32;
  else if (t.dtype == "i32")
    out.dtype = DType::i32;
  else if (t.dtype == "i1")
    out.dtype = DType::i1;
  else
    return error(t.dtypeLoc, "unknown element type '" + t.dtype +
                                 "'; expected f32, i32 or i1" +
                                 didYouMean(t.dtype, {"f32", "i32", "i1"}));
  if (t.dims.size() > 8)
    return error(t.range.Start, what + " has rank " +
                                    std::to_string(t.dims.size()) +
                                    "; the limit is 8");
  out.dims.clear();
  for (const ExprPtr &d : t.dims) {
    Dim dim;
    if (!evalDim(*d, dim, bindSymbols))
      return false;
    out.dims.push_back(dim);
  }
  return true;
}
