//===- ObjectEmitter.cpp - LLVM dialect to LLVM IR / object code ----------===//

#include "codegen/cpu/ObjectEmitter.h"

#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/GlobalVariable.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"

#include <mutex>

using namespace mlir;

static void initTargets() {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
  });
}

sluice::CpuTarget sluice::hostCpuTarget() {
  CpuTarget t;
  t.triple = llvm::sys::getProcessTriple();
  t.cpu = llvm::sys::getHostCPUName().str();
  llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
  std::string f;
  for (auto &kv : features) {
    if (!f.empty())
      f += ",";
    f += (kv.second ? "+" : "-") + kv.getKey().str();
  }
  t.features = f;
  auto it = features.find("avx512f");
  t.hasAvx512 = it != features.end() && it->second;
  return t;
}

static std::unique_ptr<llvm::TargetMachine>
makeTargetMachine(const sluice::CpuTarget &target, std::string &error) {
  initTargets();
  llvm::Triple triple(target.triple);
  const llvm::Target *t = llvm::TargetRegistry::lookupTarget(triple, error);
  if (!t)
    return nullptr;
  llvm::TargetOptions opts;
  return std::unique_ptr<llvm::TargetMachine>(t->createTargetMachine(
      triple, target.cpu, target.features, opts, llvm::Reloc::PIC_,
      std::nullopt, llvm::CodeGenOptLevel::Aggressive));
}

/// Adds `const char sluice_signature[]` and `int sluice_abi_version(void)`.
static void addAbiSymbols(llvm::Module &m, llvm::StringRef signature) {
  llvm::LLVMContext &ctx = m.getContext();
  llvm::Constant *text = llvm::ConstantDataArray::getString(ctx, signature);
  auto *g = new llvm::GlobalVariable(m, text->getType(), /*isConstant=*/true,
                                     llvm::GlobalValue::ExternalLinkage, text,
                                     "sluice_signature");
  g->setAlignment(llvm::Align(1));
  auto *fnType = llvm::FunctionType::get(llvm::Type::getInt32Ty(ctx), false);
  auto *fn = llvm::Function::Create(fnType, llvm::GlobalValue::ExternalLinkage,
                                    "sluice_abi_version", m);
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", fn));
  b.CreateRet(b.getInt32(1));
}

std::unique_ptr<llvm::Module>
sluice::translateAndOptimize(ModuleOp module, llvm::LLVMContext &ctx,
                             const CpuTarget &target,
                             llvm::StringRef signature) {
  std::unique_ptr<llvm::Module> m = translateModuleToLLVMIR(module, ctx);
  if (!m) {
    module.emitError("translation to LLVM IR failed");
    return nullptr;
  }
  if (!signature.empty())
    addAbiSymbols(*m, signature);
  std::string error;
  std::unique_ptr<llvm::TargetMachine> tm = makeTargetMachine(target, error);
  if (!tm) {
    module.emitError("no LLVM target for ") << target.triple << ": " << error;
    return nullptr;
  }
  m->setDataLayout(tm->createDataLayout());
  m->setTargetTriple(llvm::Triple(target.triple));
  // Every function gets the target's CPU and features. Only the C
  // interface wrappers and the ABI symbols leave the object: the model's
  // own functions are internal, so a function named like a libc one
  // (`random`, `exp`) can never be interposed by it. (The fake CUDA
  // driver's kernel entry points, codegen/cuda/FakeKernels.h, are exported
  // too.)
  for (llvm::Function &f : *m) {
    if (f.isDeclaration())
      continue;
    if (!f.getName().starts_with("_mlir_ciface_") &&
        !f.getName().starts_with("sluice_fake_kernel_") &&
        f.getName() != "sluice_abi_version")
      f.setLinkage(llvm::GlobalValue::InternalLinkage);
    f.addFnAttr("target-cpu", target.cpu);
    f.addFnAttr("target-features", target.features);
  }
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PassBuilder pb(tm.get());
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  llvm::ModulePassManager mpm =
      pb.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O3);
  mpm.run(*m, mam);
  return m;
}

bool sluice::emitMachineCode(llvm::Module &module, const CpuTarget &target,
                             bool assembly, llvm::raw_pwrite_stream &os,
                             std::string &error) {
  std::unique_ptr<llvm::TargetMachine> tm = makeTargetMachine(target, error);
  if (!tm)
    return false;
  llvm::legacy::PassManager pm;
  if (tm->addPassesToEmitFile(pm, os, nullptr,
                              assembly ? llvm::CodeGenFileType::AssemblyFile
                                       : llvm::CodeGenFileType::ObjectFile)) {
    error = "the target cannot emit this file type";
    return false;
  }
  pm.run(module);
  return true;
}
