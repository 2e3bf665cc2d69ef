//===- GenImpl.h - internals of MLIRGen -------------------------*- C++ -*-===//
//
// The generator shared by MLIRGen.cpp (model, functions, statements),
// ConstEval.cpp (types, parameters, constant expressions), GenValues.cpp
// (value expressions), OpTable.cpp (the ops), Binding.cpp (arguments and
// shape patterns), Build.cpp (building ops), GenBasic.cpp and GenShape.cpp
// (basic ops to linalg / tensor / arith / math) and GenSluice*.cpp (checks
// of the sluice op families).
//
//===----------------------------------------------------------------------===//

#ifndef SLUICE_FRONTEND_GENIMPL_H
#define SLUICE_FRONTEND_GENIMPL_H

#include "frontend/MLIRGen.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringMap.h"

#include <functional>
#include <map>
#include <optional>

namespace sluice::frontend {

enum class DType { f32, i32, i1 };
llvm::StringRef dtypeName(DType t);

/// A dimension: static (with the parameter expression it came from, if
/// any) or a dynamic symbol.
struct Dim {
  int64_t size = -1; ///< >= 0: static
  unsigned sym = 0;  ///< dynamic: the symbol's id
  std::string label; ///< "d", "experts/4", or the symbol's name

  static Dim fixed(int64_t size, std::string label = "") {
    Dim d;
    d.size = size;
    d.label = std::move(label);
    return d;
  }
  bool isStatic() const { return size >= 0; }
  bool same(const Dim &o) const {
    return isStatic() ? o.size == size : (!o.isStatic() && o.sym == sym);
  }
  /// "1024", "d=1024", "T".
  std::string str() const;
};

/// A tensor type of the language: dtype and dims.
struct LType {
  DType dtype = DType::f32;
  std::vector<Dim> dims;

  unsigned rank() const { return dims.size(); }
  /// "f32[T, d=1024]".
  std::string str() const;
  mlir::RankedTensorType toMlir(mlir::MLIRContext *ctx) const;
};

/// A tensor value with its language type.
struct Val {
  mlir::Value value;
  LType type;
  std::string name; ///< how diagnostics name it
  llvm::SMLoc loc;
  /// For index tensors: entries lie below this bound (e.g. the experts of
  /// the gate that produced them), and what produced them.
  std::optional<Dim> bound;
  std::string boundWhy;
  /// An input's `range(lo, hi)` hint.
  std::optional<std::pair<int64_t, int64_t>> range;
  /// For the slots of a route: the choices per token of its indices.
  std::optional<Dim> slotsK;
};

/// A value expression's result: a tensor, or a number (a literal or a
/// parameter used as a scalar).
struct Operand {
  std::optional<Val> tensor;
  double number = 0;
  bool isInt = false;
  llvm::SMLoc loc;
  std::string text;
};

enum class AttrKind { Int, F32, Bool, Enum, Ints, Dim, Dims };
enum class EnumKind {
  None,
  Score,
  GroupScore,
  Act,
  Drop,
  Pool,
  SpatialPool,
  AttentionPool,
  Sparsify
};
/// The keywords of an enum, in their dialect order.
std::vector<std::string> enumValues(EnumKind kind);

/// An attribute argument, evaluated.
struct AttrVal {
  bool given = false;
  int64_t i = 0;
  double f = 0;
  bool b = false;
  std::string e; ///< enum keyword
  std::vector<int64_t> ints;
  Dim dim;                    ///< AttrKind::Dim
  const Expr *expr = nullptr; ///< the expression (AttrKind::Dims)
  std::string label;          ///< parameter expression, for result dims
  llvm::SMLoc loc;
};

class Generator;
struct CallSite;
using GenFn = bool (Generator::*)(CallSite &, std::vector<Val> &);

struct OperandInfo {
  const char *name;
  const char *pattern; ///< "f32[T,E]", "int[T]" (any integer), "f32*" (any
                       ///< rank), "*" (checked by the op), "dim" (index)
  bool optional;
  const char *aliases; ///< other keywords, "|"-separated
};

struct AttrInfo {
  const char *name;
  AttrKind kind;
  EnumKind enumKind;
  const char *defaultValue; ///< nullptr: optional without default
  bool required;
};

struct OpInfo {
  const char *name;
  std::vector<OperandInfo> operands; ///< in ODS order
  std::vector<AttrInfo> attrs;
  std::vector<const char *> results;
  const char *vars; ///< "T:token counts;E:expert counts"
  GenFn gen;
  bool segments = false; ///< AttrSizedOperandSegments
  bool variadic = false; ///< any number of positional tensors (concat)
};

const OpInfo *lookupOp(llvm::StringRef name);

/// One call, its arguments bound to the op's operands and attributes.
struct CallSite {
  const Expr &call;
  const OpInfo &op;
  std::vector<std::optional<Val>> operands; ///< by OperandInfo index
  std::vector<Operand> positional;          ///< variadic ops, numbers
  std::vector<AttrVal> attrs;               ///< by AttrInfo index
  std::vector<llvm::SMLoc> operandLocs;
  /// Index operands given as dims (combine's num_tokens), by operand index.
  std::map<int, Dim> dimArgs;
  /// Shape variables bound by the operand patterns.
  llvm::StringMap<std::pair<Dim, int>> vars;

  CallSite(const Expr &call, const OpInfo &op) : call(call), op(op) {}
  llvm::SMLoc loc() const { return call.loc(); }
  int operandIndex(llvm::StringRef name) const;
  int attrIndex(llvm::StringRef name) const;
  const Val *get(llvm::StringRef name) const;
  const AttrVal &attr(llvm::StringRef name) const;
  bool has(llvm::StringRef name) const;
};

class Generator {
public:
  Generator(mlir::MLIRContext &ctx, const Model &model, DiagEngine &diags)
      : ctx(ctx), model(model), diags(diags), b(&ctx) {}

  mlir::OwningOpRef<mlir::ModuleOp> run(llvm::ArrayRef<ParamOverride> ovr);

  // ---- MLIRGen.cpp: names, parameters, constant expressions ------------
  bool evalParams(llvm::ArrayRef<ParamOverride> overrides);
  /// An integer expression over parameters; `label` gets the parameter
  /// expression (empty for a literal).
  bool evalInt(const Expr &e, int64_t &out, std::string *label = nullptr);
  bool evalFloat(const Expr &e, double &out);
  /// A dim of a type or a shape: integer expression, or a symbol when
  /// `bindSymbols` (a new name becomes a fresh dynamic dim).
  bool evalDim(const Expr &e, Dim &out, bool bindSymbols);
  bool evalType(const TypeSpec &t, LType &out, bool bindSymbols,
                llvm::StringRef what);
  Dim freshSym(llvm::StringRef label);
  mlir::Location loc(llvm::SMLoc l);
  bool error(llvm::SMLoc l, const llvm::Twine &msg) {
    diags.error(l, msg);
    return false;
  }
  void note(llvm::SMLoc l, const llvm::Twine &msg) { diags.note(l, msg); }

  // Value expressions.
  bool genValue(const Expr &e, Operand &out);
  bool genCall(const Expr &e, std::vector<Val> &results);
  bool genBinary(const Expr &e, Operand &out);
  /// Records where a value's dynamic dims can be read at run time.
  Val makeVal(mlir::Value v, LType t, std::string name, llvm::SMLoc l);

  // ---- OpTable.cpp: binding, patterns, generic sluice ops --------------
  bool bindArgs(CallSite &cs);
  bool evalAttr(const AttrInfo &info, const Arg &arg, AttrVal &out);
  bool matchPatterns(CallSite &cs);
  /// "OP: the WHAT differ: A is TA, B is TB" at the call.
  bool mismatch(CallSite &cs, llvm::StringRef what, const Val &a,
                const Val &bv);
  bool checkDtype(CallSite &cs, const Val &v, llvm::StringRef operand,
                  llvm::StringRef want);
  mlir::Attribute toAttr(const AttrInfo &info, const AttrVal &v);
  /// Builds `sluice.OP` from the bound operands and given attributes.
  mlir::Operation *buildSluice(CallSite &cs, llvm::ArrayRef<LType> results);
  void setResults(CallSite &cs, mlir::Operation *op,
                  llvm::ArrayRef<LType> types, std::vector<Val> &results);
  /// Dim `i` of `v` as an index value.
  mlir::Value dimValue(const Val &v, unsigned i, mlir::Location l);
  /// A dynamic or static dim as an index value.
  mlir::Value dimValue(const Dim &d, mlir::Location l, llvm::SMLoc at);
  /// tensor.empty of type `t`, its dynamic dims read from `like` where the
  /// dims are the same, else from the symbols' sources.
  mlir::Value empty(const LType &t, mlir::Location l,
                    const Val *like = nullptr);
  mlir::Value fill(mlir::Value tensor, double v, mlir::Location l);

  // ---- GenBasic.cpp -----------------------------------------------------
#define SLUICE_GEN(fn) bool fn(CallSite &cs, std::vector<Val> &results);
  SLUICE_GEN(genMatmul)
  SLUICE_GEN(genElementwise)
  SLUICE_GEN(genUnary)
  SLUICE_GEN(genActivation)
  SLUICE_GEN(genSoftmax)
  SLUICE_GEN(genRmsnorm)
  SLUICE_GEN(genLayernorm)
  SLUICE_GEN(genTranspose)
  SLUICE_GEN(genReshape)
  SLUICE_GEN(genConcat)
  SLUICE_GEN(genSlice)
  SLUICE_GEN(genArange)
  // ---- GenSluiceGating.cpp: gating and routing --------------------------
  SLUICE_GEN(genTopkGate)
  SLUICE_GEN(genExpertChoiceGate)
  SLUICE_GEN(genGlu)
  SLUICE_GEN(genSigmoidGate)
  SLUICE_GEN(genRoute)
  SLUICE_GEN(genDispatch)
  SLUICE_GEN(genGroupedMatmul)
  SLUICE_GEN(genCombine)
  SLUICE_GEN(genMoe)
  SLUICE_GEN(genLoss)
  // ---- GenSluiceOther.cpp: pooling, low rank, sparse --------------------
  SLUICE_GEN(genPool)
  SLUICE_GEN(genSegmentPool)
  SLUICE_GEN(genAdaptivePool)
  SLUICE_GEN(genSpatialPyramidPool)
  SLUICE_GEN(genAttentionPool)
  SLUICE_GEN(genLoraMatmul)
  SLUICE_GEN(genMultiLoraMatmul)
  SLUICE_GEN(genLowrankMatmul)
  SLUICE_GEN(genSparsify)
  SLUICE_GEN(genTopk)
#undef SLUICE_GEN

  /// Basic-op helper: elementwise a (op) b with broadcasting, at `at`.
  bool elementwise(llvm::StringRef opName, char op, const Operand &a,
                   const Operand &bv, llvm::SMLoc at, Val &out);
  /// Checks that index values `idx` stay below `count` (e.g. experts).
  bool checkBound(CallSite &cs, const Val &idx, int64_t count,
                  llvm::StringRef what, bool allowMinusOne = false);
  /// Where an attribute's diagnostics go: its value, else the call.
  llvm::SMLoc attrLoc(CallSite &cs, llvm::StringRef attr);
  /// Shared by pool and segment_pool: p, eps, r, groups, group_p.
  bool checkPoolAttrs(CallSite &cs, const Dim &features);
  /// Checks a float attribute is finite (and > 0 when `positive`).
  bool checkFinite(CallSite &cs, llvm::StringRef attr, bool positive = false);

  mlir::MLIRContext &ctx;
  const Model &model;
  DiagEngine &diags;
  mlir::OpBuilder b;
  mlir::ModuleOp module;

  /// Parameters in declaration order with their values.
  std::vector<std::pair<std::string, int64_t>> params;
  llvm::StringMap<int64_t> paramValues;

  /// The current function's names.
  struct Binding {
    Val val;
    bool poisoned = false;
    llvm::SMLoc defLoc;
    enum Kind { Input, Weight, Value } kind = Value;
    int arg = -1;
  };
  llvm::StringMap<Binding> scope;
  llvm::StringMap<Dim> symbols;
  llvm::DenseMap<unsigned, std::pair<mlir::Value, unsigned>> symSources;
  unsigned nextSym = 1;
  /// Labels of this function's dynamic dims, to keep fresh ones distinct.
  llvm::StringMap<unsigned> symLabels;
  /// Products of symbols (e * C) seen in this function, so that the same
  /// product is the same dim: (static factor, sorted symbol ids) -> dim.
  std::map<std::pair<int64_t, std::vector<unsigned>>, Dim> products;
  /// The factors of those products, by symbol id.
  std::map<unsigned, std::pair<int64_t, std::vector<unsigned>>> factors;
  Dim productDim(int64_t factor, const std::vector<unsigned> &syms,
                 llvm::StringRef label);
  /// Model-level weights: name -> (type, statement).
  std::vector<std::pair<const Stmt *, std::optional<LType>>> modelWeights;

private:
  bool genFunction(const Function &f);
  bool genAssign(const Stmt &s);
  bool bindTarget(const Target &t, Val v);
  bool checkAnnotation(const Target &t, Val &v, llvm::StringRef what);
  bool defineName(const Target &t, Binding::Kind kind);
  const Binding *lookup(const Expr &e);
};

/// A number for diagnostics: 0.5, 1e-06, 3.
std::string formatNumber(double v);

/// A short name for an expression in diagnostics: its text, or `fallback`
/// when long.
std::string shortText(const Expr &e, llvm::StringRef fallback);

} // namespace sluice::frontend

#endif // SLUICE_FRONTEND_GENIMPL_H
