//===- AST.h - the syntax tree of a model description -----------*- C++ -*-===//
//
// A model: a header with integer parameters, model-level weights, and
// functions made of input / weight / output declarations and assignments.
// Expressions are shared by every context: value expressions (tensors),
// dimension and attribute expressions (over parameters) alike; MLIRGen
// decides what an expression means where it appears.
//
//===----------------------------------------------------------------------===//

#ifndef SLUICE_FRONTEND_AST_H
#define SLUICE_FRONTEND_AST_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/SMLoc.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace sluice::frontend {

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

/// One call argument: positional (`name` empty) or keyword (`name = value`).
struct Arg {
  std::string name;
  llvm::SMLoc nameLoc;
  ExprPtr value;
};

struct Expr {
  enum class Kind { Int, Float, Bool, Name, Call, Binary, Neg, List };
  Kind kind;
  llvm::SMRange range; ///< from the first character to past the last

  int64_t intValue = 0;          ///< Int
  double floatValue = 0;         ///< Float
  bool boolValue = false;        ///< Bool
  std::string name;              ///< Name: the identifier; Call: the callee
  char op = 0;                   ///< Binary: one of + - * /
  std::vector<ExprPtr> operands; ///< Binary: lhs, rhs; Neg: 1; List: items
  std::vector<Arg> args;         ///< Call
  unsigned depth = 1;            ///< of the tree below, this node included

  explicit Expr(Kind kind) : kind(kind) {}
  llvm::SMLoc loc() const { return range.Start; }
  /// The source text of the expression.
  llvm::StringRef text() const {
    return llvm::StringRef(range.Start.getPointer(),
                           range.End.getPointer() - range.Start.getPointer());
  }
};

/// `DTYPE[dim, ...]`.
struct TypeSpec {
  std::string dtype;
  llvm::SMLoc dtypeLoc;
  std::vector<ExprPtr> dims;
  llvm::SMRange range;
};

/// A declared name: an input, weight, output or assignment target.
struct Target {
  std::string name;
  llvm::SMLoc loc;
  std::unique_ptr<TypeSpec> type; ///< optional, except for inputs / weights
};

struct Stmt {
  enum class Kind { Input, Weight, Output, Assign };
  Kind kind;
  llvm::SMLoc loc; ///< the keyword, or the first target of an assignment
  std::vector<Target> targets; ///< Input / Weight: one; Output, Assign: >= 1
  ExprPtr value;               ///< Assign: the right-hand side
  ExprPtr rangeLo, rangeHi;    ///< Input: `range(lo, hi)` hint
  llvm::SMLoc rangeLoc;
};

struct Param {
  std::string name;
  llvm::SMLoc loc;
  ExprPtr value;
};

struct Function {
  std::string name;
  llvm::SMLoc loc;
  std::vector<Stmt> body;
};

struct Model {
  std::string name;
  llvm::SMLoc loc;
  std::string file; ///< the buffer's name, for locations
  std::vector<Param> params;
  std::vector<Stmt> weights; ///< model-level weights
  std::vector<Function> functions;
};

/// Prints an expression in source form.
void printExpr(llvm::raw_ostream &os, const Expr &e);
/// The `--emit=ast` dump of a model: one node per line, with locations.
void dumpModel(llvm::raw_ostream &os, const Model &model,
               const llvm::SourceMgr &sourceMgr);

} // namespace sluice::frontend

#endif // SLUICE_FRONTEND_AST_H
