//===- Binding.cpp - binding calls to operands, attributes, patterns ------===//
//
// Binds a call's positional and keyword arguments to the op's operands and
// attributes (with suggestions for unknown names), and unifies the
// operands' shapes with the op's patterns.
//
//===----------------------------------------------------------------------===//

#include "frontend/GenImpl.h"

#include <cfloat>
#include <cmath>

using namespace sluice::frontend;
using llvm::SMLoc;
using llvm::StringRef;

//===----------------------------------------------------------------------===//
// Binding arguments
//===----------------------------------------------------------------------===//

bool Generator::evalAttr(const AttrInfo &info, const Arg &arg, AttrVal &out) {
  const Expr &e = *arg.value;
  out.given = true;
  out.loc = e.loc();
  out.label = "";
  std::string what = "attribute '" + std::string(info.name) + "'";
  switch (info.kind) {
  case AttrKind::Int:
    return evalInt(e, out.i, &out.label);
  case AttrKind::F32:
    if (!evalFloat(e, out.f))
      return false;
    if (!std::isfinite(out.f) || std::fabs(out.f) > FLT_MAX)
      return error(e.loc(),
                   what + " must be a finite f32, got '" + e.text() + "'");
    return true;
  case AttrKind::Bool:
    if (e.kind != Expr::Kind::Bool)
      return error(e.loc(), what + " expects true or false, got '" +
                                shortText(e, "this expression") + "'");
    out.b = e.boolValue;
    return true;
  case AttrKind::Enum: {
    std::vector<std::string> values = enumValues(info.enumKind);
    if (e.kind != Expr::Kind::Name)
      return error(e.loc(), what + " expects one of " + joinNames(values) +
                                ", got '" + shortText(e, "this expression") +
                                "'");
    if (!llvm::is_contained(values, e.name))
      return error(e.loc(), "unknown value '" + e.name + "' for " + what +
                                didYouMean(e.name, values) + " (one of " +
                                joinNames(values) + ")");
    out.e = e.name;
    return true;
  }
  case AttrKind::Ints: {
    if (e.kind != Expr::Kind::List)
      return error(e.loc(), what + " expects a list such as [4, 2, 1], got '" +
                                shortText(e, "this expression") + "'");
    out.ints.clear();
    for (const ExprPtr &item : e.operands) {
      int64_t v;
      if (!evalInt(*item, v))
        return false;
      out.ints.push_back(v);
    }
    return true;
  }
  case AttrKind::Dim:
    return evalDim(e, out.dim, /*bindSymbols=*/false);
  case AttrKind::Dims:
    if (e.kind != Expr::Kind::List)
      return error(e.loc(), what +
                                " expects a list of dims such as [T, 4, "
                                "d / 4], got '" +
                                shortText(e, "this expression") + "'");
    out.expr = &e;
    return true;
  }
  return false;
}

bool Generator::bindArgs(CallSite &cs) {
  const OpInfo &op = cs.op;
  cs.operands.assign(op.operands.size(), std::nullopt);
  cs.operandLocs.assign(op.operands.size(), SMLoc());
  cs.attrs.assign(op.attrs.size(), AttrVal());
  std::vector<std::optional<Dim>> dims(op.operands.size());
  std::vector<std::string> required;
  for (const OperandInfo &o : op.operands)
    if (!o.optional)
      required.push_back(o.name);
  bool ok = true;
  // Positional arguments fill the required operands in order; extra ones
  // also fill the first optional operands, in the spec's operand order
  // (layernorm(x, weight, bias), moe(x, w, idx, w_gate, w_up, w_down)).
  size_t numPositional = 0;
  for (const Arg &a : cs.call.args)
    numPositional += a.name.empty();
  size_t extra =
      numPositional > required.size() ? numPositional - required.size() : 0;
  std::vector<size_t> slots;
  for (size_t i = 0; i < op.operands.size(); ++i) {
    if (op.operands[i].optional) {
      if (!extra || StringRef(op.operands[i].pattern) == "dim")
        continue;
      --extra;
    }
    slots.push_back(i);
  }
  size_t nextPositional = 0;
  auto bindOperand = [&](int i, const Expr &e) {
    const OperandInfo &info = op.operands[i];
    cs.operandLocs[i] = e.loc();
    if (StringRef(info.pattern) == "dim") {
      Dim d;
      if (!evalDim(e, d, /*bindSymbols=*/false))
        return false;
      cs.dimArgs[i] = d;
      return true;
    }
    Operand o;
    if (!genValue(e, o))
      return false;
    if (!o.tensor) {
      if (StringRef(info.pattern) == "num") {
        cs.positional.resize(op.operands.size());
        cs.positional[i] = o;
        return true;
      }
      return error(e.loc(), std::string(op.name) + ": operand '" + info.name +
                                "' must be a tensor, got the number '" +
                                e.text() + "'");
    }
    cs.operands[i] = *o.tensor;
    return true;
  };
  for (const Arg &a : cs.call.args) {
    if (a.name.empty()) {
      if (op.variadic) {
        Operand o;
        if (!genValue(*a.value, o)) {
          ok = false;
          continue;
        }
        if (!o.tensor) {
          ok = error(a.value->loc(), std::string(op.name) +
                                         ": operands must be tensors, got "
                                         "the number '" +
                                         a.value->text() + "'");
          continue;
        }
        cs.positional.push_back(o);
        continue;
      }
      if (nextPositional >= slots.size()) {
        std::vector<std::string> all;
        for (const OperandInfo &o : op.operands)
          if (StringRef(o.pattern) != "dim")
            all.push_back(o.name);
        std::string msg = std::string(op.name) + " takes at most " +
                          std::to_string(all.size()) + " operand" +
                          (all.size() == 1 ? "" : "s");
        if (!all.empty())
          msg += " (" + joinNames(all) + ")";
        msg += ", got " + std::to_string(numPositional);
        if (!op.attrs.empty())
          msg += "; attributes are passed by keyword (name = value)";
        return error(a.value->loc(), msg);
      }
      if (!bindOperand(slots[nextPositional], *a.value))
        ok = false;
      ++nextPositional;
      continue;
    }
    int oi = cs.operandIndex(a.name);
    if (oi >= 0) {
      if (cs.operands[oi] || cs.operandLocs[oi].isValid()) {
        ok = error(a.nameLoc, std::string(op.name) + ": operand '" +
                                  op.operands[oi].name + "' is given twice");
        continue;
      }
      if (!bindOperand(oi, *a.value))
        ok = false;
      continue;
    }
    int ai = cs.attrIndex(a.name);
    if (ai >= 0) {
      if (cs.attrs[ai].given) {
        ok = error(a.nameLoc, std::string(op.name) + ": attribute '" + a.name +
                                  "' is given twice");
        continue;
      }
      if (!evalAttr(op.attrs[ai], a, cs.attrs[ai]))
        ok = false;
      continue;
    }
    std::vector<std::string> names, operandNames, attrNames;
    for (const OperandInfo &o : op.operands) {
      names.push_back(o.name);
      operandNames.push_back(o.name);
    }
    for (const AttrInfo &at : op.attrs) {
      names.push_back(at.name);
      attrNames.push_back(at.name);
    }
    std::string msg = std::string(op.name) + " has no operand or attribute '" +
                      a.name + "'" + didYouMean(a.name, names);
    std::string lists;
    if (!operandNames.empty())
      lists += "operands: " + joinNames(operandNames);
    if (!attrNames.empty())
      lists += std::string(lists.empty() ? "" : "; ") +
               "attributes: " + joinNames(attrNames);
    ok = error(a.nameLoc, msg + (lists.empty() ? "" : " (" + lists + ")"));
  }
  if (!ok)
    return false;
  for (size_t i = 0; i < op.operands.size(); ++i) {
    bool bound = cs.operandLocs[i].isValid();
    if (!op.operands[i].optional && !bound)
      return error(cs.loc(), std::string(op.name) + ": missing operand '" +
                                 op.operands[i].name + "' (" + op.name + "(" +
                                 joinNames(required) + ", ...))");
  }
  if (op.variadic && cs.positional.size() < 2)
    return error(cs.loc(), std::string(op.name) +
                               " expects at least 2 tensors, got " +
                               std::to_string(cs.positional.size()));
  for (size_t i = 0; i < op.attrs.size(); ++i) {
    const AttrInfo &at = op.attrs[i];
    if (at.required && !cs.attrs[i].given)
      return error(cs.loc(), std::string(op.name) + ": missing attribute '" +
                                 at.name + "' (" + at.name + " = ...)");
    if (cs.attrs[i].given || !at.defaultValue)
      continue;
    // Defaults, for the checks.
    AttrVal &v = cs.attrs[i];
    StringRef d(at.defaultValue);
    switch (at.kind) {
    case AttrKind::Int:
      d.getAsInteger(10, v.i);
      break;
    case AttrKind::F32:
      v.f = std::strtod(at.defaultValue, nullptr);
      break;
    case AttrKind::Bool:
      v.b = d == "true";
      break;
    case AttrKind::Enum:
      v.e = d.str();
      break;
    case AttrKind::Dim: {
      int64_t n = 0;
      d.getAsInteger(10, n);
      v.dim = Dim::fixed(n);
      break;
    }
    case AttrKind::Ints:
    case AttrKind::Dims:
      break;
    }
  }
  return true;
}

//===----------------------------------------------------------------------===//
// Shape patterns
//===----------------------------------------------------------------------===//

static std::string varDescription(const OpInfo &op, StringRef var) {
  llvm::SmallVector<StringRef> entries;
  StringRef(op.vars).split(entries, ';', -1, false);
  for (StringRef e : entries) {
    auto [name, desc] = e.split(':');
    if (name == var)
      return desc.str();
  }
  return "dims '" + var.str() + "'";
}

bool Generator::mismatch(CallSite &cs, StringRef what, const Val &a,
                         const Val &bv) {
  return error(cs.loc(), std::string(cs.op.name) + ": " + what +
                             " differ: " + a.name + " is " + a.type.str() +
                             ", " + bv.name + " is " + bv.type.str());
}

bool Generator::checkDtype(CallSite &cs, const Val &v, StringRef operand,
                           StringRef want) {
  DType t = v.type.dtype;
  bool ok = want == "f32"   ? t == DType::f32
            : want == "i32" ? t == DType::i32
            : want == "int" ? t != DType::f32
                            : true;
  if (ok)
    return true;
  std::string expected = want == "int"   ? "an integer mask (i1 or i32)"
                         : want == "i32" ? "i32"
                                         : "f32";
  std::string what = want == "int" && t == DType::f32 ? " (a float mask)" : "";
  return error(v.loc, std::string(cs.op.name) + ": " + operand.str() +
                          " must be " + expected + ", but " + v.name + " is " +
                          v.type.str() + what);
}

bool Generator::matchPatterns(CallSite &cs) {
  for (size_t i = 0; i < cs.op.operands.size(); ++i) {
    if (!cs.operands[i])
      continue;
    const Val &v = *cs.operands[i];
    StringRef pat(cs.op.operands[i].pattern);
    if (pat == "*" || pat == "num" || pat == "dim")
      continue;
    size_t open = pat.find_first_of("[*");
    StringRef dtype = pat.substr(0, open);
    if (!checkDtype(cs, v, cs.op.operands[i].name, dtype))
      return false;
    if (pat.ends_with("*"))
      continue;
    llvm::SmallVector<StringRef> dims;
    pat.substr(open + 1).drop_back().split(dims, ',');
    std::string shape = "[";
    for (size_t j = 0; j < dims.size(); ++j)
      shape += (j ? ", " : "") + dims[j].str();
    shape += "]";
    if (v.type.rank() != dims.size())
      return error(v.loc, std::string(cs.op.name) + ": " +
                              cs.op.operands[i].name + " must have rank " +
                              std::to_string(dims.size()) + " " + shape +
                              ", but " + v.name + " is " + v.type.str());
    for (size_t j = 0; j < dims.size(); ++j) {
      StringRef var = dims[j];
      const Dim &have = v.type.dims[j];
      int64_t lit;
      if (!var.getAsInteger(10, lit)) {
        if (!have.isStatic() || have.size != lit)
          return error(v.loc, std::string(cs.op.name) + ": dim " +
                                  std::to_string(j) + " of " +
                                  cs.op.operands[i].name + " must be " +
                                  std::to_string(lit) + ", but " + v.name +
                                  " is " + v.type.str());
        continue;
      }
      if (var.ends_with("+1")) {
        auto it = cs.vars.find(var.drop_back(2));
        if (it == cs.vars.end() || !it->second.first.isStatic())
          continue;
        const Val &src = *cs.operands[it->second.second];
        if (have.isStatic() && have.size == it->second.first.size + 1)
          continue;
        return error(cs.loc(), std::string(cs.op.name) + ": " +
                                   cs.op.operands[i].name + " must have " +
                                   std::to_string(it->second.first.size + 1) +
                                   " entries (one more than " +
                                   it->second.first.str() + "): " + src.name +
                                   " is " + src.type.str() + ", " + v.name +
                                   " is " + v.type.str());
      }
      auto it = cs.vars.find(var);
      if (it == cs.vars.end()) {
        cs.vars[var] = {have, (int)i};
        continue;
      }
      if (!it->second.first.same(have))
        return mismatch(cs, varDescription(cs.op, var),
                        *cs.operands[it->second.second], v);
    }
  }
  return true;
}
