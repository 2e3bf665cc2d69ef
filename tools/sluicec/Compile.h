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
#include <vector>

namespace sluicec {

enum class EmitKind { Ast, Mlir, MlirLowered, Llvm, Asm, Obj, Library, Module,
                      MlirGpu, Ptx, Cubin, Fatbin, FakeKernels };

/// The CUDA options of `compile` and `run` (docs/cuda.md).
struct CudaOptions {
  bool targetCuda = false;          ///< --target=cuda
  std::vector<std::string> archs;   ///< --cuda-arch (default sm_80, sm_90)
  int emulate = 0; ///< --cuda-emulate: 0 off, 1 forward, 2 reverse phases
};
CudaOptions &cudaOptions();

/// A fresh context with every dialect, interface and translation the
/// compiler uses.
std::unique_ptr<mlir::MLIRContext> makeContext();

/// True for a model in the description language (`.sl`), false for MLIR.
bool isLanguageModel(llvm::StringRef path);

/// Parses and verifies a model file: MLIR, or a `.sl` model compiled by the
/// frontend with its parameters overridden by `params` (`NAME=INT` each).
/// Errors are printed with file:line:col, the source line and a caret.
mlir::OwningOpRef<mlir::ModuleOp>
loadModel(mlir::MLIRContext &ctx, llvm::StringRef path,
          llvm::SourceMgr &sourceMgr,
          llvm::ArrayRef<std::string> params = {});

/// `--emit=ast`: parses a `.sl` model and writes its syntax tree to `out`
/// ("-" for stdout).
bool dumpAst(llvm::StringRef path, llvm::SourceMgr &sourceMgr,
             llvm::StringRef out);

/// Writes `path` through a temporary file in the same folder, renamed into
/// place only when `write` succeeds: a failure never leaves a partial file.
/// "-" writes to stdout.
bool writeAtomically(llvm::StringRef path,
                     const std::function<bool(llvm::raw_ostream &)> &write,
                     std::string &error);

/// Prints `--emit=mlir` / `mlir-lowered` with locations (`loc(...)`).
void setPrintDebugInfo(bool enable);

/// Runs the system C compiler (cc, gcc or clang) with `args`.
bool runCCompiler(llvm::ArrayRef<std::string> args, std::string &error);

/// Compiles a verified model to `path` in the given form. `prefix` names the
/// library's entry points (`--emit=library`). Returns false after printing
/// an error.
bool compileModel(mlir::ModuleOp module, EmitKind emit, llvm::StringRef path,
                  llvm::StringRef prefix);

} // namespace sluicec

#endif // SLUICE_TOOLS_SLUICEC_COMPILE_H
