//===- MLIRGen.h - .sl models to the sluice dialect -------------*- C++ -*-===//
//
// Checks a parsed model (names, shapes, dtypes, attribute ranges: every rule
// the dialect verifiers enforce, plus the ones only the language can see,
// such as the expert count a gate and an MoE block agree on) and emits one
// public func.func per model function: sluice ops for the op families and
// upstream linalg / tensor / arith / math ops for the basic ops, every op
// located at its .sl source.
//
//===----------------------------------------------------------------------===//

#ifndef SLUICE_FRONTEND_MLIRGEN_H
#define SLUICE_FRONTEND_MLIRGEN_H

#include "frontend/AST.h"
#include "frontend/Diagnostics.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"

#include <string>
#include <vector>

namespace sluice::frontend {

/// `--param NAME=VALUE`.
struct ParamOverride {
  std::string name;
  int64_t value;
};

/// Emits the sluice IR of `model`; nullptr after reporting errors. The
/// module is not verified (the caller runs mlir::verify, whose diagnostics
/// carry the .sl locations). The context must have the sluice, func, arith,
/// linalg, math and tensor dialects loaded.
mlir::OwningOpRef<mlir::ModuleOp>
mlirGen(mlir::MLIRContext &ctx, const Model &model, DiagEngine &diags,
        llvm::ArrayRef<ParamOverride> overrides = {});

/// Parses `NAME=INT` (a --param value); false if malformed.
bool parseParamOverride(llvm::StringRef text, ParamOverride &out);

/// The names of every op the language knows (for documentation and tests).
std::vector<std::string> knownOps();

} // namespace sluice::frontend

#endif // SLUICE_FRONTEND_MLIRGEN_H
