//===- Compile.cpp - sluicec's compile stages -----------------------------===//
//
// model -> (verified sluice IR) -> sluice-cpu-pipeline -> LLVM dialect ->
// LLVM IR (-O3, host CPU) -> object -> a loadable module (.so) or a static
// library with a C header.
//
//===----------------------------------------------------------------------===//

#include "Compile.h"
#include "LibraryEmitter.h"

#include "codegen/cpu/CpuPipeline.h"
#include "codegen/cpu/ObjectEmitter.h"
#include "codegen/cuda/CudaPipeline.h"
#include "codegen/cuda/FakeKernels.h"
#include "frontend/MLIRGen.h"
#include "frontend/Parser.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

#include <unistd.h>

using mlir::DialectRegistry;
using mlir::MLIRContext;
using mlir::ModuleOp;
using mlir::OwningOpRef;
using mlir::PassManager;
using mlir::sluice::CpuTarget;
namespace msl = mlir::sluice;

std::unique_ptr<MLIRContext> sluicec::makeContext() {
  DialectRegistry registry;
  msl::registerCpuDialects(registry);
  msl::registerCudaDialects(registry);
  auto ctx = std::make_unique<MLIRContext>(registry);
  ctx->loadAllAvailableDialects();
  return ctx;
}

sluicec::CudaOptions &sluicec::cudaOptions() {
  static CudaOptions options;
  return options;
}

/// `--target=cuda`: the kernels in the requested form.
static bool compileCuda(ModuleOp module, sluicec::EmitKind emit,
                        llvm::StringRef path) {
  using sluicec::EmitKind;
  msl::CudaEmit kind;
  switch (emit) {
  case EmitKind::MlirGpu: kind = msl::CudaEmit::MlirGpu; break;
  case EmitKind::Llvm: kind = msl::CudaEmit::Llvm; break;
  case EmitKind::Ptx: kind = msl::CudaEmit::Ptx; break;
  case EmitKind::Cubin: kind = msl::CudaEmit::Cubin; break;
  case EmitKind::Fatbin: kind = msl::CudaEmit::Fatbin; break;
  default:
    llvm::errs() << "sluicec: error: --target=cuda writes --emit=mlir, "
                    "mlir-gpu, llvm, ptx, cubin, fatbin, module, library "
                    "or mlir-lowered\n";
    return false;
  }
  std::vector<std::string> archs = sluicec::cudaOptions().archs;
  if (archs.empty())
    archs = {"sm_80", "sm_90"};
  std::string out, error;
  if (!msl::emitCuda(module, kind, archs, out, error)) {
    if (!error.empty())
      llvm::errs() << "sluicec: error: " << error << "\n";
    return false;
  }
  if (!sluicec::writeAtomically(path,
                                [&](llvm::raw_ostream &os) {
                                  os << out;
                                  return true;
                                },
                                error)) {
    llvm::errs() << "sluicec: error: " << error << "\n";
    return false;
  }
  return true;
}

static bool printDebugInfo = false;
void sluicec::setPrintDebugInfo(bool enable) { printDebugInfo = enable; }

/// How textual IR stages are printed.
static mlir::OpPrintingFlags printingFlags() {
  mlir::OpPrintingFlags flags;
  if (printDebugInfo)
    flags.enableDebugInfo(/*enable=*/true, /*prettyForm=*/false);
  return flags;
}

bool sluicec::isLanguageModel(llvm::StringRef path) {
  return llvm::sys::path::extension(path) == ".sl";
}

/// Reads `path` into a new buffer of `sourceMgr`; 0 after an error.
static unsigned readSource(llvm::StringRef path, llvm::SourceMgr &sourceMgr) {
  auto file = llvm::MemoryBuffer::getFileOrSTDIN(path, /*IsText=*/true);
  if (std::error_code ec = file.getError()) {
    llvm::errs() << "sluicec: error: cannot read '" << path
                 << "': " << ec.message() << "\n";
    return 0;
  }
  return sourceMgr.AddNewSourceBuffer(std::move(*file), llvm::SMLoc());
}

OwningOpRef<ModuleOp> sluicec::loadModel(MLIRContext &ctx, llvm::StringRef path,
                                        llvm::SourceMgr &sourceMgr,
                                        llvm::ArrayRef<std::string> params) {
  namespace fe = sluice::frontend;
  if (!isLanguageModel(path) && !params.empty()) {
    llvm::errs() << "sluicec: error: --param applies to .sl models, not to '"
                 << path << "'\n";
    return nullptr;
  }
  std::vector<fe::ParamOverride> overrides;
  for (const std::string &p : params) {
    fe::ParamOverride o;
    if (!fe::parseParamOverride(p, o)) {
      llvm::errs() << "sluicec: error: --param expects NAME=INT, got '" << p
                   << "'\n";
      return nullptr;
    }
    overrides.push_back(o);
  }
  unsigned buf = readSource(path, sourceMgr);
  if (!buf)
    return nullptr;
  if (!isLanguageModel(path))
    return mlir::parseSourceFile<ModuleOp>(sourceMgr, &ctx);
  fe::DiagEngine diags(sourceMgr, llvm::errs());
  std::unique_ptr<fe::Model> ast = fe::parseModel(diags, buf);
  if (!ast)
    return nullptr;
  OwningOpRef<ModuleOp> module = fe::mlirGen(ctx, *ast, diags, overrides);
  if (!module || failed(mlir::verify(*module)))
    return nullptr;
  return module;
}

bool sluicec::dumpAst(llvm::StringRef path, llvm::SourceMgr &sourceMgr,
                      llvm::StringRef out) {
  namespace fe = sluice::frontend;
  if (!isLanguageModel(path)) {
    llvm::errs() << "sluicec: error: --emit=ast needs a .sl model, got '"
                 << path << "'\n";
    return false;
  }
  unsigned buf = readSource(path, sourceMgr);
  if (!buf)
    return false;
  fe::DiagEngine diags(sourceMgr, llvm::errs());
  std::unique_ptr<fe::Model> ast = fe::parseModel(diags, buf);
  if (!ast)
    return false;
  std::string error;
  if (!writeAtomically(out,
                       [&](llvm::raw_ostream &os) {
                         fe::dumpModel(os, *ast, sourceMgr);
                         return true;
                       },
                       error)) {
    llvm::errs() << "sluicec: error: " << error << "\n";
    return false;
  }
  return true;
}

bool sluicec::writeAtomically(
    llvm::StringRef path,
    const std::function<bool(llvm::raw_ostream &)> &write, std::string &error) {
  if (path == "-") {
    bool ok = write(llvm::outs());
    llvm::outs().flush();
    return ok;
  }
  llvm::SmallString<256> dir(path);
  llvm::sys::path::remove_filename(dir);
  if (dir.empty())
    dir = ".";
  llvm::SmallString<256> model(dir);
  llvm::sys::path::append(model, llvm::sys::path::filename(path) +
                                     ".tmp-%%%%%%");
  int fd;
  llvm::SmallString<256> tmp;
  if (std::error_code ec = llvm::sys::fs::createUniqueFile(model, fd, tmp)) {
    error = "cannot create a file in '" + dir.str().str() + "': " + ec.message();
    return false;
  }
  bool ok;
  {
    llvm::raw_fd_ostream os(fd, /*shouldClose=*/true);
    ok = write(os);
    os.flush();
    if (os.has_error()) {
      error = "cannot write '" + tmp.str().str() + "': " + os.error().message();
      os.clear_error();
      ok = false;
    }
  }
  if (ok) {
    if (std::error_code ec = llvm::sys::fs::rename(tmp, path)) {
      error = "cannot write '" + path.str() + "': " + ec.message();
      ok = false;
    }
  }
  if (!ok)
    llvm::sys::fs::remove(tmp);
  return ok;
}

/// Copies a finished file into place atomically.
static bool installFile(llvm::StringRef from, llvm::StringRef to,
                        std::string &error) {
  auto buf = llvm::MemoryBuffer::getFile(from, /*IsText=*/false);
  if (!buf) {
    error = "cannot read '" + from.str() + "'";
    return false;
  }
  return sluicec::writeAtomically(
      to,
      [&](llvm::raw_ostream &os) {
        os << (*buf)->getBuffer();
        return true;
      },
      error);
}

/// Runs the system C compiler; returns false with its output on failure.
bool sluicec::runCCompiler(llvm::ArrayRef<std::string> args,
                          std::string &error) {
  std::string cc;
  for (const char *name : {"cc", "gcc", "clang-22", "clang"}) {
    if (auto p = llvm::sys::findProgramByName(name)) {
      cc = *p;
      break;
    }
  }
  if (cc.empty()) {
    error = "no C compiler (cc, gcc or clang) found on PATH";
    return false;
  }
  llvm::SmallString<128> log;
  int fd;
  llvm::sys::fs::createTemporaryFile("sluicec-cc", "log", fd, log);
  ::close(fd);
  std::vector<llvm::StringRef> argv = {cc};
  for (const std::string &a : args)
    argv.push_back(a);
  std::optional<llvm::StringRef> redirects[] = {std::nullopt, log.str(),
                                                log.str()};
  std::string msg;
  int rc = llvm::sys::ExecuteAndWait(cc, argv, std::nullopt, redirects, 0, 0,
                                     &msg);
  if (rc != 0) {
    auto out = llvm::MemoryBuffer::getFile(log);
    error = "'" + cc + "' failed" + (msg.empty() ? "" : ": " + msg);
    if (out)
      error += ":\n" + (*out)->getBuffer().str();
  }
  llvm::sys::fs::remove(log);
  return rc == 0;
}

/// Writes `module`'s object code into a fresh temporary file.
static bool writeObjectFile(llvm::Module &m, const CpuTarget &target,
                            llvm::SmallVectorImpl<char> &objPath,
                            std::string &error) {
  int fd;
  if (std::error_code ec =
          llvm::sys::fs::createTemporaryFile("sluicec", "o", fd, objPath)) {
    error = "cannot create a temporary file: " + ec.message();
    return false;
  }
  llvm::raw_fd_ostream os(fd, /*shouldClose=*/true);
  if (!msl::emitMachineCode(m, target, /*assembly=*/false, os, error))
    return false;
  os.flush();
  return !os.has_error();
}

/// `--target=cuda --emit=fake-kernels`: the outlined kernels lowered for the
/// host (sluice-cuda-fake-kernels-pipeline) as a shared object the fake
/// CUDA driver loads (SLUICE_FAKE_CUDA_KERNELS, docs/cuda-runtime.md).
static bool compileFakeKernels(ModuleOp module, llvm::StringRef path) {
  std::string error;
  auto fail = [&](const std::string &msg) {
    llvm::errs() << "sluicec: error: " << msg << "\n";
    return false;
  };
  // A module that holds a gpu.module already (hand-written kernels, an
  // --emit=mlir-gpu file) skips sluice-cuda-gpu-pipeline.
  bool outlined = false;
  for (mlir::Operation &op : module.getBody()->getOperations())
    outlined |= op.getName().getStringRef() == "gpu.module";
  PassManager pm(module.getContext());
  if (failed(msl::cuda::buildCudaFakeKernelsPipeline(pm, outlined)))
    return fail("cannot build the fake-kernels pipeline");
  if (failed(pm.run(module)))
    return false; // the diagnostics say why
  CpuTarget target = msl::hostCpuTarget();
  llvm::LLVMContext llvmCtx;
  std::unique_ptr<llvm::Module> m =
      msl::translateAndOptimize(module, llvmCtx, target, llvm::StringRef());
  if (!m)
    return false;
  llvm::SmallString<128> obj, so;
  if (!writeObjectFile(*m, target, obj, error))
    return fail(error);
  int fd;
  llvm::sys::fs::createTemporaryFile("sluicec", "so", fd, so);
  ::close(fd);
  bool ok = sluicec::runCCompiler({"-shared", "-o", so.str().str(),
                                   obj.str().str(), "-lm"},
                                  error) &&
            installFile(so, path, error);
  llvm::sys::fs::remove(obj);
  llvm::sys::fs::remove(so);
  return ok ? true : fail(error);
}

bool sluicec::compileModel(ModuleOp module, EmitKind emit, llvm::StringRef path,
                          llvm::StringRef prefix) {
  std::string error;
  auto fail = [&](const std::string &msg) {
    llvm::errs() << "sluicec: error: " << msg << "\n";
    return false;
  };
  if (emit == EmitKind::Mlir) {
    if (!writeAtomically(path,
                         [&](llvm::raw_ostream &os) {
                           module.print(os, printingFlags());
                           os << "\n";
                           return true;
                         },
                         error))
      return fail(error);
    return true;
  }
  if (cudaOptions().targetCuda && emit == EmitKind::FakeKernels)
    return compileFakeKernels(module, path);
  bool cudaHost = cudaOptions().targetCuda &&
                  (emit == EmitKind::Module || emit == EmitKind::Library ||
                   emit == EmitKind::MlirLowered);
  if (cudaOptions().targetCuda && !cudaHost)
    return compileCuda(module, emit, path);
  if (emit == EmitKind::FakeKernels)
    return fail("--emit=fake-kernels needs --target=cuda");
  if (emit == EmitKind::MlirGpu || emit == EmitKind::Ptx ||
      emit == EmitKind::Cubin || emit == EmitKind::Fatbin)
    return fail("--emit=mlir-gpu, ptx, cubin and fatbin need --target=cuda");
  std::optional<ModelSig> sig = extractSignature(module);
  if (!sig)
    return false;
  if (emit == EmitKind::Library && !prepareLibrary(module, *sig, prefix))
    return false;

  PassManager pm(module.getContext());
  std::vector<std::string> archs = cudaOptions().archs;
  if (archs.empty())
    archs = {"sm_80", "sm_90"};
  if (cudaHost ? failed(msl::buildCudaHostPipeline(pm, archs))
      : cudaOptions().emulate
          ? failed(msl::buildCudaCpuPipeline(pm, cudaOptions().emulate == 2))
          : failed(msl::buildCpuPipeline(pm)))
    return fail("cannot build the CPU pipeline");
  if (failed(pm.run(module)))
    return false; // the diagnostics say why
  if (cudaHost) {
    // Which image the host module embeds (sluice-cuda-host-to-runtime).
    if (auto image = module->getAttrOfType<mlir::StringAttr>("sluice.cuda_image"))
      if (image.getValue().starts_with("ptx:"))
        llvm::errs() << "sluicec: note: ptxas / fatbinary not found: the "
                        "module embeds PTX for "
                     << image.getValue().drop_front(4)
                     << " only (compiled by the driver at load)\n";
  }
  if (emit != EmitKind::MlirLowered)
    takePrepackLines(module, *sig);
  if (emit == EmitKind::MlirLowered) {
    if (!writeAtomically(path,
                         [&](llvm::raw_ostream &os) {
                           module.print(os, printingFlags());
                           os << "\n";
                           return true;
                         },
                         error))
      return fail(error);
    return true;
  }

  CpuTarget target = msl::hostCpuTarget();
  llvm::LLVMContext llvmCtx;
  std::unique_ptr<llvm::Module> m = msl::translateAndOptimize(
      module, llvmCtx, target,
      emit == EmitKind::Library ? llvm::StringRef() : llvm::StringRef(sig->text()));
  if (!m)
    return false;
  switch (emit) {
  case EmitKind::Llvm:
    if (!writeAtomically(path,
                         [&](llvm::raw_ostream &os) {
                           m->print(os, nullptr);
                           return true;
                         },
                         error))
      return fail(error);
    return true;
  case EmitKind::Asm:
  case EmitKind::Obj: {
    bool assembly = emit == EmitKind::Asm;
    llvm::SmallString<0> buffer;
    llvm::raw_svector_ostream os(buffer);
    if (!msl::emitMachineCode(*m, target, assembly, os, error))
      return fail(error);
    if (!writeAtomically(path,
                         [&](llvm::raw_ostream &out) {
                           out << buffer;
                           return true;
                         },
                         error))
      return fail(error);
    return true;
  }
  case EmitKind::Module: {
    llvm::SmallString<128> obj, so;
    if (!writeObjectFile(*m, target, obj, error))
      return fail(error);
    int fd;
    llvm::sys::fs::createTemporaryFile("sluicec", "so", fd, so);
    ::close(fd);
    bool ok = runCCompiler({"-shared", "-o", so.str().str(), obj.str().str(),
                            "-lm"},
                           error) &&
              installFile(so, path, error);
    llvm::sys::fs::remove(obj);
    llvm::sys::fs::remove(so);
    return ok ? true : fail(error);
  }
  case EmitKind::Library: {
    llvm::SmallString<128> obj;
    if (!writeObjectFile(*m, target, obj, error))
      return fail(error);
    bool ok = emitLibrary(*sig, prefix, obj, path, error, cudaHost);
    llvm::sys::fs::remove(obj);
    return ok ? true : fail(error);
  }
  default:
    return fail("unhandled --emit kind");
  }
}
