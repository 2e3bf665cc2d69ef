//===- MLIRGen.cpp - .sl models to the sluice dialect ---------------------===//
//
// The model, its parameters, functions, statements and names; constant
// expressions over parameters; value expressions. Ops are in OpTable.cpp,
// GenBasic.cpp and GenSluice*.cpp.
//
//===----------------------------------------------------------------------===//

#include "frontend/GenImpl.h"
#include "frontend/Parser.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/ADT/BitVector.h"

using namespace sluice::frontend;
using llvm::SMLoc;
using llvm::StringRef;

mlir::Location Generator::loc(SMLoc l) {
  if (!l.isValid())
    return mlir::UnknownLoc::get(&ctx);
  auto [line, col] = diags.getSourceMgr().getLineAndColumn(l);
  return mlir::FileLineColLoc::get(&ctx, model.file, line, col);
}

//===----------------------------------------------------------------------===//
// Statements and functions
//===----------------------------------------------------------------------===//

bool Generator::defineName(const Target &t, Binding::Kind kind) {
  if (paramValues.count(t.name) ||
      llvm::any_of(model.params,
                   [&](const Param &p) { return p.name == t.name; }))
    return error(t.loc, "'" + t.name + "' is a model parameter; give the " +
                            (kind == Binding::Value ? "value" : "tensor") +
                            " another name");
  auto it = scope.find(t.name);
  if (it != scope.end()) {
    error(t.loc, "redefinition of '" + t.name + "'");
    note(it->second.defLoc, "'" + t.name + "' was defined here");
    return false;
  }
  return true;
}

bool Generator::checkAnnotation(const Target &t, Val &v, StringRef what) {
  LType want;
  want.dtype = v.type.dtype;
  const TypeSpec &ts = *t.type;
  // Resolve the dims: a new name binds the value's dynamic dim.
  if (ts.dtype != dtypeName(v.type.dtype)) {
    LType tmp;
    if (!evalType(ts, tmp, /*bindSymbols=*/true, what))
      return false;
    return error(ts.range.Start, what + " '" + t.name + "' is declared " +
                                     tmp.str() + " but is " + v.type.str());
  }
  if (ts.dims.size() != v.type.rank())
    return error(ts.range.Start, what + " '" + t.name +
                                     "' is declared with rank " +
                                     std::to_string(ts.dims.size()) +
                                     " but is " + v.type.str() + " (rank " +
                                     std::to_string(v.type.rank()) + ")");
  for (unsigned i = 0; i < ts.dims.size(); ++i) {
    const Expr &de = *ts.dims[i];
    const Dim &have = v.type.dims[i];
    bool newName = de.kind == Expr::Kind::Name && !paramValues.count(de.name) &&
                   !symbols.count(de.name);
    if (newName) {
      if (have.isStatic())
        return error(de.loc(), "'" + de.name +
                                   "' is not a parameter, so it "
                                   "names a dynamic dim, but dim " +
                                   std::to_string(i) + " of " + what + " '" +
                                   t.name + "' is static: " + v.type.str());
      Dim named = have;
      named.label = de.name;
      symbols[de.name] = named;
      for (Dim &d : v.type.dims)
        if (!d.isStatic() && d.sym == have.sym)
          d.label = de.name;
      continue;
    }
    Dim d;
    if (!evalDim(de, d, /*bindSymbols=*/false))
      return false;
    if (!d.same(have)) {
      LType declared;
      if (!evalType(ts, declared, false, what))
        return false;
      return error(de.loc(), what + " '" + t.name + "' is declared " +
                                 declared.str() + " but is " + v.type.str() +
                                 " (dim " + std::to_string(i) + " differs)");
    }
  }
  return true;
}

bool Generator::genAssign(const Stmt &s) {
  std::vector<Val> results;
  bool ok;
  if (s.value->kind == Expr::Kind::Call) {
    ok = genCall(*s.value, results);
  } else {
    Operand o;
    ok = genValue(*s.value, o);
    if (ok && !o.tensor)
      ok = error(s.value->loc(), "'" + s.targets[0].name +
                                     "' would be a number; values are "
                                     "tensors (numbers can scale tensors: "
                                     "x * 0.5)");
    if (ok)
      results.push_back(*o.tensor);
  }
  if (ok && results.size() != s.targets.size()) {
    std::string names;
    if (s.value->kind == Expr::Kind::Call)
      if (const OpInfo *op = lookupOp(s.value->name))
        for (const char *r : op->results)
          names += (names.empty() ? "" : ", ") + std::string(r);
    std::string what = s.value->kind == Expr::Kind::Call
                           ? s.value->name
                           : shortText(*s.value, "the right-hand side");
    ok = error(
        s.targets[results.size() < s.targets.size() ? results.size() : 0].loc,
        "'" + what + "' " +
            (s.value->kind == Expr::Kind::Call ? "returns " : "is ") +
            std::to_string(results.size()) +
            (results.size() == 1 ? " value" : " values") +
            (names.empty() ? "" : " (" + names + ")") + ", but " +
            std::to_string(s.targets.size()) +
            (s.targets.size() == 1 ? " name is" : " names are") + " assigned");
  }
  for (size_t i = 0; i < s.targets.size(); ++i) {
    const Target &t = s.targets[i];
    if (t.name == "_")
      continue;
    bool fresh = defineName(t, Binding::Value);
    Binding bd;
    bd.defLoc = t.loc;
    bd.kind = Binding::Value;
    if (ok && fresh) {
      Val v = results[i];
      v.name = t.name;
      if (t.type && !checkAnnotation(t, v, "value")) {
        bd.poisoned = true;
      } else {
        bd.val = v;
      }
    } else {
      bd.poisoned = true;
    }
    if (fresh)
      scope[t.name] = bd;
  }
  return ok;
}

namespace {
struct ArgDecl {
  const Stmt *stmt;
  std::optional<LType> type;
  bool weight;
  bool modelLevel;
  std::optional<std::pair<int64_t, int64_t>> range;
};
struct Output {
  Val val;
  std::string name;
  SMLoc loc;
};
} // namespace

bool Generator::genFunction(const Function &f) {
  unsigned errorsBefore = diags.numErrors();
  scope.clear();
  symbols.clear();
  symSources.clear();
  products.clear();
  factors.clear();
  symLabels.clear();
  // Signature: inputs in order, then weights (model-level, then this
  // function's) in declaration order.
  std::vector<ArgDecl> inputs, weights;
  for (auto &[stmt, type] : modelWeights)
    weights.push_back({stmt, type, true, true, std::nullopt});
  for (const Stmt &s : f.body) {
    if (s.kind != Stmt::Kind::Input && s.kind != Stmt::Kind::Weight)
      continue;
    bool isInput = s.kind == Stmt::Kind::Input;
    ArgDecl d{&s, std::nullopt, !isInput, false, std::nullopt};
    LType t;
    if (evalType(*s.targets[0].type, t, /*bindSymbols=*/isInput,
                 isInput ? "input" : "weight")) {
      d.type = t;
      for (size_t i = 0; !isInput && i < t.rank(); ++i)
        if (!t.dims[i].isStatic()) {
          error(s.targets[0].type->dims[i]->loc(),
                "weight '" + s.targets[0].name +
                    "' must have a static "
                    "shape, but dim " +
                    std::to_string(i) + " is the dynamic dim '" +
                    t.dims[i].label + "'");
          d.type.reset();
          break;
        }
    }
    if (isInput && s.rangeLo) {
      int64_t lo, hi;
      if (evalInt(*s.rangeLo, lo) && evalInt(*s.rangeHi, hi)) {
        if (lo >= hi)
          error(s.rangeLoc, "range(lo, hi) expects lo < hi, got range(" +
                                std::to_string(lo) + ", " + std::to_string(hi) +
                                ")");
        else if (d.type && d.type->dtype == DType::f32)
          error(s.rangeLoc, "range(lo, hi) is a hint for integer inputs; "
                            "input '" +
                                s.targets[0].name + "' is " + d.type->str());
        else
          d.range = {lo, hi};
      }
    }
    (isInput ? inputs : weights).push_back(d);
  }
  llvm::SmallVector<mlir::Type> argTypes;
  std::vector<ArgDecl> args = inputs;
  args.insert(args.end(), weights.begin(), weights.end());
  for (const ArgDecl &a : args)
    argTypes.push_back(
        a.type ? mlir::Type(a.type->toMlir(&ctx))
               : mlir::Type(mlir::RankedTensorType::get({}, b.getF32Type())));
  b.setInsertionPointToEnd(module.getBody());
  auto fn = mlir::func::FuncOp::create(b, loc(f.loc), f.name,
                                       b.getFunctionType(argTypes, {}));
  mlir::Block *entry = fn.addEntryBlock();
  b.setInsertionPointToStart(entry);

  auto bindArg = [&](unsigned i) {
    const ArgDecl &a = args[i];
    const Target &t = a.stmt->targets[0];
    if (!defineName(t, a.weight ? Binding::Weight : Binding::Input))
      return;
    Binding bd;
    bd.defLoc = t.loc;
    bd.kind = a.weight ? Binding::Weight : Binding::Input;
    bd.arg = i;
    bd.poisoned = !a.type;
    if (a.type) {
      bd.val = makeVal(entry->getArgument(i), *a.type, t.name, t.loc);
      bd.val.range = a.range;
    }
    scope[t.name] = bd;
  };
  for (unsigned i = 0; i < args.size(); ++i)
    if (args[i].modelLevel)
      bindArg(i);
  std::vector<Output> outputs;
  for (const Stmt &s : f.body) {
    switch (s.kind) {
    case Stmt::Kind::Input:
    case Stmt::Kind::Weight:
      for (unsigned i = 0; i < args.size(); ++i)
        if (args[i].stmt == &s)
          bindArg(i);
      break;
    case Stmt::Kind::Assign:
      genAssign(s);
      break;
    case Stmt::Kind::Output:
      for (const Target &t : s.targets) {
        Expr name(Expr::Kind::Name);
        name.name = t.name;
        name.range = llvm::SMRange(t.loc, t.loc);
        const Binding *bd = lookup(name);
        if (!bd) {
          Operand o;
          genValue(name, o); // reports the undefined name
          continue;
        }
        if (bd->poisoned)
          continue;
        bool dup = false;
        for (const Output &o : outputs)
          if (o.name == t.name) {
            error(t.loc, "'" + t.name +
                             "' is already an output of "
                             "function '" +
                             f.name + "'");
            note(o.loc, "first output here");
            dup = true;
          }
        Val v = bd->val;
        if (dup || (t.type && !checkAnnotation(t, v, "output")))
          continue;
        outputs.push_back({v, t.name, t.loc});
      }
      break;
    }
  }
  if (outputs.empty() && diags.numErrors() == errorsBefore)
    error(f.loc, "function '" + f.name + "' has no output; add 'output NAME'");
  if (diags.numErrors() != errorsBefore) {
    fn.erase();
    return false;
  }

  // Results: a function argument or a repeated value is returned as a copy
  // (the CPU ABI returns freshly allocated buffers).
  llvm::SmallVector<mlir::Value> rets;
  llvm::SmallVector<mlir::Type> retTypes;
  for (const Output &o : outputs) {
    mlir::Value v = o.val.value;
    bool copy =
        llvm::isa<mlir::BlockArgument>(v) || llvm::is_contained(rets, v);
    if (copy) {
      mlir::Location l = loc(o.loc);
      mlir::Value init = empty(o.val.type, l, &o.val);
      v = mlir::linalg::CopyOp::create(b, l, v, init).getResult(0);
    }
    rets.push_back(v);
    retTypes.push_back(v.getType());
  }
  mlir::func::ReturnOp::create(b, loc(outputs.front().loc), rets);
  fn.setFunctionType(b.getFunctionType(argTypes, retTypes));

  auto dimsAttr = [&](const LType &t) -> mlir::Attribute {
    llvm::SmallVector<mlir::Attribute> names;
    bool anyDynamic = false;
    for (const Dim &d : t.dims) {
      anyDynamic |= !d.isStatic();
      names.push_back(b.getStringAttr(d.isStatic() ? "" : d.label));
    }
    return anyDynamic ? b.getArrayAttr(names) : mlir::Attribute();
  };
  for (unsigned i = 0; i < args.size(); ++i) {
    fn.setArgAttr(i, "sluice.name",
                  b.getStringAttr(args[i].stmt->targets[0].name));
    // A declaration whose type failed to evaluate has been reported.
    if (mlir::Attribute d = args[i].type ? dimsAttr(*args[i].type)
                                         : mlir::Attribute())
      fn.setArgAttr(i, "sluice.dims", d);
    if (args[i].weight)
      fn.setArgAttr(i, "sluice.role", b.getStringAttr("weight"));
    if (args[i].range)
      fn.setArgAttr(i, "sluice.range",
                    b.getDenseI64ArrayAttr(
                        {args[i].range->first, args[i].range->second}));
  }
  for (unsigned i = 0; i < outputs.size(); ++i) {
    fn.setResultAttr(i, "sluice.name", b.getStringAttr(outputs[i].name));
    if (mlir::Attribute d = dimsAttr(outputs[i].val.type))
      fn.setResultAttr(i, "sluice.dims", d);
  }
  // Drop the weights this function does not use.
  llvm::BitVector unused(args.size());
  for (unsigned i = 0; i < args.size(); ++i) {
    if (!args[i].weight || !entry->getArgument(i).use_empty())
      continue;
    unused.set(i);
    if (!args[i].modelLevel)
      diags.warning(args[i].stmt->targets[0].loc,
                    "weight '" + args[i].stmt->targets[0].name +
                        "' is never used");
  }
  if (failed(fn.eraseArguments(unused)))
    return error(f.loc, "internal error: cannot drop unused weights");
  return true;
}

mlir::OwningOpRef<mlir::ModuleOp>
Generator::run(llvm::ArrayRef<ParamOverride> overrides) {
  mlir::OwningOpRef<mlir::ModuleOp> owned =
      mlir::ModuleOp::create(loc(model.loc), model.name);
  module = *owned;
  if (!evalParams(overrides))
    return nullptr;
  llvm::StringMap<SMLoc> weightNames;
  for (const Stmt &w : model.weights) {
    const Target &t = w.targets[0];
    if (paramValues.count(t.name)) {
      error(t.loc, "'" + t.name +
                       "' is a model parameter; give the weight "
                       "another name");
      continue;
    }
    if (auto it = weightNames.find(t.name); it != weightNames.end()) {
      error(t.loc, "redefinition of weight '" + t.name + "'");
      note(it->second, "'" + t.name + "' was defined here");
      continue;
    }
    weightNames[t.name] = t.loc;
    LType type;
    std::optional<LType> ok;
    if (evalType(*t.type, type, /*bindSymbols=*/false, "weight"))
      ok = type;
    modelWeights.push_back({&w, ok});
  }
  llvm::StringMap<SMLoc> fnNames;
  for (const Function &f : model.functions) {
    if (auto it = fnNames.find(f.name); it != fnNames.end()) {
      error(f.loc, "redefinition of function '" + f.name + "'");
      note(it->second, "'" + f.name + "' was defined here");
      continue;
    }
    fnNames[f.name] = f.loc;
    genFunction(f);
  }
  if (diags.hadError())
    return nullptr;
  return owned;
}

mlir::OwningOpRef<mlir::ModuleOp>
sluice::frontend::mlirGen(mlir::MLIRContext &ctx, const Model &model,
                          DiagEngine &diags,
                          llvm::ArrayRef<ParamOverride> overrides) {
  Generator gen(ctx, model, diags);
  return gen.run(overrides);
}
