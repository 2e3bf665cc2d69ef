//===- Compile.h - sluicec's compile stages --------------------*- C++ -*-===//

#ifndef SLUICE_TOOLS_SLUICEC_COMPILE_H
#define SLUICE_TOOLS_SLUICEC_COMPILE_H

#include "ModelSignature.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/SourceMgr.h"

#include <functional>
#include <string>

namespace sluicec {

enum class EmitKind { Mlir, MlirLowered, Llvm, Asm, Obj, Library, Module };

/// A fresh context with every dialect, interface and translation the
/// compiler uses.
std::unique_ptr<mlir::MLIRContext> makeContext();

/// Parses and verifies a model file. Errors are printed with
/// file:line:col, the source line and a caret.
mlir::OwningOpRef<mlir::ModuleOp> loadModel(mlir::MLIRContext &ctx,
                                            llvm::StringRef path,
                                            llvm::SourceMgr &sourceMgr);

/// Writes `path` through a temporary file in the same folder, renamed into
/// place only when `write` succeeds: a failure never leaves a partial file.
bool writeAtomically(llvm::StringRef path,
                     const std::function<bool(llvm::raw_ostream &)> &write,
                     std::string &error);

/// Runs the system C compiler (cc, gcc or clang) with `args`.
bool runCCompiler(llvm::ArrayRef<std::string> args, std::string &error);

/// Compiles a verified model to `path` in the given form. `prefix` names the
/// library's entry points (`--emit=library`). Returns false after printing
/// an error.
bool compileModel(mlir::ModuleOp module, EmitKind emit, llvm::StringRef path,
                  llvm::StringRef prefix);

} // namespace sluicec

#endif // SLUICE_TOOLS_SLUICEC_COMPILE_H
