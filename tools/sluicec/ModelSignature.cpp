//===- ModelSignature.cpp - the signature of a model's functions ----------===//

#include "ModelSignature.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

static std::optional<std::string> dtypeName(Type t) {
  if (t.isF32())
    return std::string("f32");
  if (t.isInteger(32))
    return std::string("i32");
  if (t.isInteger(64))
    return std::string("i64");
  if (t.isInteger(8))
    return std::string("i8");
  if (t.isInteger(1))
    return std::string("i1");
  return std::nullopt;
}

/// One input or output: `attrs` are its argument / result attributes.
static std::optional<sluicec::TensorSig>
tensorSig(func::FuncOp fn, Type type, DictionaryAttr attrs,
          const std::string &fallbackName, const std::string &symPrefix) {
  auto rt = dyn_cast<RankedTensorType>(type);
  std::optional<std::string> dt = rt ? dtypeName(rt.getElementType())
                                     : std::nullopt;
  if (!rt || !dt) {
    fn.emitError("function '")
        << fn.getSymName() << "': " << fallbackName << " has type " << type
        << "; compiled functions take and return ranked tensors of f32, "
           "i32, i64, i8 or i1";
    return std::nullopt;
  }
  sluicec::TensorSig sig;
  sig.dtype = *dt;
  sig.name = fallbackName;
  ArrayAttr dimNames;
  if (attrs) {
    if (auto n = attrs.getAs<StringAttr>("sluice.name"))
      sig.name = n.getValue().str();
    dimNames = attrs.getAs<ArrayAttr>("sluice.dims");
    if (auto r = attrs.getAs<StringAttr>("sluice.role"))
      sig.weight = r.getValue() == "weight";
    if (auto range = attrs.getAs<DenseI64ArrayAttr>("sluice.range");
        range && range.size() == 2)
      sig.range = {range[0], range[1]};
  }
  for (int64_t i = 0; i < rt.getRank(); ++i) {
    if (!rt.isDynamicDim(i)) {
      sig.dims.push_back(std::to_string(rt.getDimSize(i)));
      continue;
    }
    std::string sym;
    if (dimNames && i < (int64_t)dimNames.size())
      if (auto s = dyn_cast<StringAttr>(dimNames[i]))
        sym = s.getValue().str();
    if (sym.empty())
      sym = symPrefix + "." + std::to_string(i);
    sig.dims.push_back(sym);
  }
  return sig;
}

std::optional<sluicec::ModelSig> sluicec::extractSignature(ModuleOp module) {
  ModelSig model;
  bool ok = true;
  for (auto fn : module.getOps<func::FuncOp>()) {
    if (!fn.isPublic() || fn.isDeclaration())
      continue;
    FunctionSig f;
    f.name = fn.getSymName().str();
    FunctionType type = fn.getFunctionType();
    for (unsigned i = 0; i < type.getNumInputs(); ++i) {
      std::string n = "arg" + std::to_string(i);
      auto s = tensorSig(fn, type.getInput(i), fn.getArgAttrDict(i), n, n);
      if (!s) {
        ok = false;
        continue;
      }
      f.inputs.push_back(*s);
    }
    for (unsigned i = 0; i < type.getNumResults(); ++i) {
      std::string n = "result" + std::to_string(i);
      auto s = tensorSig(fn, type.getResult(i), fn.getResultAttrDict(i), n, n);
      if (!s) {
        ok = false;
        continue;
      }
      f.outputs.push_back(*s);
    }
    model.functions.push_back(std::move(f));
  }
  if (!ok)
    return std::nullopt;
  if (model.functions.empty()) {
    module.emitError("the model has no public function to compile");
    return std::nullopt;
  }
  return model;
}

std::string sluicec::ModelSig::text() const {
  std::string out;
  llvm::raw_string_ostream os(out);
  os << "sluice-module 1\n";
  for (const FunctionSig &f : functions) {
    os << "func " << f.name << " " << f.inputs.size() << " "
       << f.outputs.size() << "\n";
    auto line = [&](const char *kind, const TensorSig &t, bool input) {
      os << kind << " " << t.name << " " << t.dtype << " " << t.dims.size();
      for (const std::string &d : t.dims)
        os << " " << d;
      if (input) {
        os << " " << (t.weight ? "weight" : "input");
        if (t.range)
          os << " range=" << t.range->first << ":" << t.range->second;
      }
      os << "\n";
    };
    for (const TensorSig &t : f.inputs)
      line("input", t, true);
    for (const TensorSig &t : f.outputs)
      line("output", t, false);
    for (const std::string &p : f.prepack)
      os << p << "\n";
  }
  os << "end\n";
  return out;
}

std::string sluicec::ModelSig::pretty() const {
  std::string out;
  llvm::raw_string_ostream os(out);
  auto shape = [&](const TensorSig &t) {
    os << t.dtype << "[";
    for (size_t i = 0; i < t.dims.size(); ++i)
      os << (i ? ", " : "") << t.dims[i];
    os << "]";
  };
  for (const FunctionSig &f : functions) {
    os << "func " << f.name << "\n";
    for (const TensorSig &t : f.inputs) {
      os << "  " << (t.weight ? "weight " : "input  ") << t.name << ": ";
      shape(t);
      if (t.range)
        os << "  (random range [" << t.range->first << ", "
           << t.range->second << "))";
      os << "\n";
    }
    for (const TensorSig &t : f.outputs) {
      os << "  output " << t.name << ": ";
      shape(t);
      os << "\n";
    }
  }
  return out;
}

void sluicec::takePrepackLines(mlir::ModuleOp module, ModelSig &sig) {
  auto entries = module->getAttrOfType<mlir::ArrayAttr>("sluice.prepack");
  if (!entries)
    return;
  for (mlir::Attribute entry : entries) {
    auto pair = llvm::dyn_cast<mlir::ArrayAttr>(entry);
    if (!pair || pair.size() != 2)
      continue;
    auto fn = llvm::dyn_cast<mlir::StringAttr>(pair[0]);
    auto line = llvm::dyn_cast<mlir::StringAttr>(pair[1]);
    if (!fn || !line)
      continue;
    for (FunctionSig &f : sig.functions)
      if (f.name == fn.getValue())
        f.prepack.push_back(line.getValue().str());
  }
  module->removeAttr("sluice.prepack");
}
