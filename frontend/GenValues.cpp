//===- GenValues.cpp - value expressions of the model language ------------===//
//
// Names, numbers, calls and operators in value positions: a value
// expression gives a tensor (with its language type) or a number.
//
//===----------------------------------------------------------------------===//

#include "frontend/GenImpl.h"

using namespace sluice::frontend;
using llvm::SMLoc;
using llvm::StringRef;

//===----------------------------------------------------------------------===//
// Values and names
//===----------------------------------------------------------------------===//

Val Generator::makeVal(mlir::Value v, LType t, std::string name, SMLoc l) {
  for (unsigned i = 0; i < t.rank(); ++i)
    if (!t.dims[i].isStatic() && !symSources.count(t.dims[i].sym))
      symSources[t.dims[i].sym] = {v, i};
  Val out;
  out.value = v;
  out.type = std::move(t);
  out.name = std::move(name);
  out.loc = l;
  return out;
}

const Generator::Binding *Generator::lookup(const Expr &e) {
  auto it = scope.find(e.name);
  return it == scope.end() ? nullptr : &it->second;
}

bool Generator::genValue(const Expr &e, Operand &out) {
  out.loc = e.loc();
  out.text = shortText(e, "this expression");
  switch (e.kind) {
  case Expr::Kind::Int:
    out.number = (double)e.intValue;
    out.isInt = true;
    return true;
  case Expr::Kind::Float:
    out.number = e.floatValue;
    return true;
  case Expr::Kind::Name: {
    if (const Binding *bd = lookup(e)) {
      if (bd->poisoned)
        return false;
      out.tensor = bd->val;
      out.tensor->loc = e.loc();
      return true;
    }
    if (auto it = paramValues.find(e.name); it != paramValues.end()) {
      out.number = (double)it->second;
      out.isInt = true;
      return true;
    }
    std::vector<std::string> names;
    for (auto &s : scope)
      names.push_back(s.getKey().str());
    for (auto &p : params)
      names.push_back(p.first);
    if (lookupOp(e.name))
      return error(e.loc(),
                   "'" + e.name + "' is an op; call it: " + e.name + "(...)");
    if (symbols.count(e.name))
      return error(e.loc(), "'" + e.name + "' is a dynamic dim, not a value");
    return error(e.loc(),
                 "undefined name '" + e.name + "'" + didYouMean(e.name, names));
  }
  case Expr::Kind::Call: {
    std::vector<Val> results;
    if (!genCall(e, results))
      return false;
    if (results.size() != 1)
      return error(e.loc(), "'" + e.name + "' returns " +
                                std::to_string(results.size()) +
                                " values; assign them to names first "
                                "(a, b = " +
                                e.name + "(...))");
    out.tensor = results[0];
    return true;
  }
  case Expr::Kind::Binary:
    return genBinary(e, out);
  case Expr::Kind::Neg: {
    Operand inner;
    if (!genValue(*e.operands[0], inner))
      return false;
    if (!inner.tensor) {
      out.number = -inner.number;
      out.isInt = inner.isInt;
      return true;
    }
    Operand m1;
    m1.number = -1;
    m1.loc = e.loc();
    Val v;
    if (!elementwise("neg", '*', inner, m1, e.loc(), v))
      return false;
    out.tensor = v;
    return true;
  }
  case Expr::Kind::Bool:
    return error(e.loc(),
                 "expected a tensor or a number, got '" + e.text() + "'");
  case Expr::Kind::List:
    return error(e.loc(), "a list is not a value; lists are attribute "
                          "values (levels = [4, 2, 1])");
  }
  return false;
}

bool Generator::genBinary(const Expr &e, Operand &out) {
  Operand l, r;
  if (!genValue(*e.operands[0], l) || !genValue(*e.operands[1], r))
    return false;
  if (!l.tensor && !r.tensor) {
    if (e.op == '/' && r.number == 0)
      return error(e.loc(), "division by zero in '" + e.text() + "'");
    out.number = e.op == '+'   ? l.number + r.number
                 : e.op == '-' ? l.number - r.number
                 : e.op == '*' ? l.number * r.number
                               : l.number / r.number;
    return true;
  }
  const char *name = e.op == '+'   ? "add"
                     : e.op == '-' ? "sub"
                     : e.op == '*' ? "mul"
                                   : "div";
  Val v;
  if (!elementwise(name, e.op, l, r, e.loc(), v))
    return false;
  v.name = shortText(e, name);
  out.tensor = v;
  return true;
}

bool Generator::genCall(const Expr &e, std::vector<Val> &results) {
  const OpInfo *op = lookupOp(e.name);
  if (!op) {
    if (auto it = scope.find(e.name); it != scope.end())
      return error(e.loc(), "'" + e.name + "' is a value, not an op");
    return error(e.loc(), "unknown op '" + e.name + "'" +
                              didYouMean(e.name, knownOps()));
  }
  CallSite cs(e, *op);
  if (!bindArgs(cs) || !matchPatterns(cs))
    return false;
  return (this->*(op->gen))(cs, results);
}
