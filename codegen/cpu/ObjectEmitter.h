//===- ObjectEmitter.h - LLVM dialect to LLVM IR / object code --*- C++ -*-===//

#ifndef SLUICE_CODEGEN_CPU_OBJECTEMITTER_H
#define SLUICE_CODEGEN_CPU_OBJECTEMITTER_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/raw_ostream.h"

#include <memory>
#include <string>

namespace mlir::sluice {

/// The CPU to generate code for.
struct CpuTarget {
  std::string triple;
  std::string cpu;
  std::string features; ///< "+avx512f,+fma,..."
  bool hasAvx512 = false;
};

/// The host: its triple, CPU name and features (AVX-512 when present).
CpuTarget hostCpuTarget();

/// Translates an LLVM-dialect module to LLVM IR, adds the module ABI symbols
/// (`sluice_signature`, `sluice_abi_version`, docs/abi.md) when `signature`
/// is non-empty, and optimizes it at -O3 for `target`. Errors go to the MLIR
/// diagnostic engine.
std::unique_ptr<llvm::Module> translateAndOptimize(ModuleOp module,
                                                   llvm::LLVMContext &ctx,
                                                   const CpuTarget &target,
                                                   llvm::StringRef signature);

/// Writes `module` as an object file (or assembly) for `target`.
/// Returns false and sets `error` on failure.
bool emitMachineCode(llvm::Module &module, const CpuTarget &target,
                     bool assembly, llvm::raw_pwrite_stream &os,
                     std::string &error);

} // namespace mlir::sluice

#endif // SLUICE_CODEGEN_CPU_OBJECTEMITTER_H
