//===- CudaPipeline.cpp - CUDA pipelines, PTX / cubin / fatbin emission ---===//

#include "codegen/cuda/CudaPipeline.h"

#include "codegen/cpu/CpuPipeline.h"
#include "codegen/cuda/BlockProgram.h"
#include "codegen/cuda/FakeKernels.h"
#include "passes/Passes.h"

#include "mlir/Conversion/ArithToLLVM/ArithToLLVM.h"
#include "mlir/Conversion/ControlFlowToLLVM/ControlFlowToLLVM.h"
#include "mlir/Conversion/FuncToLLVM/ConvertFuncToLLVM.h"
#include "mlir/Conversion/IndexToLLVM/IndexToLLVM.h"
#include "mlir/Conversion/MemRefToLLVM/MemRefToLLVM.h"
#include "mlir/Conversion/Passes.h"
#include "mlir/Conversion/UBToLLVM/UBToLLVM.h"
#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Index/IR/IndexDialect.h"
#include "mlir/Dialect/UB/IR/UBOps.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVM/NVVM/Target.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/GPU/GPUToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/NVVM/NVVMToLLVMIRTranslation.h"
#include "mlir/Transforms/Passes.h"

#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::sluice;

void sluice::registerCudaDialects(DialectRegistry &registry) {
  registry.insert<sluice_gpu::SluiceGpuDialect, gpu::GPUDialect,
                  NVVM::NVVMDialect, affine::AffineDialect,
                  index::IndexDialect, ub::UBDialect>();
  NVVM::registerNVVMTargetInterfaceExternalModels(registry);
  arith::registerConvertArithToLLVMInterface(registry);
  cf::registerConvertControlFlowToLLVMInterface(registry);
  registerConvertFuncToLLVMInterface(registry);
  index::registerConvertIndexToLLVMInterface(registry);
  registerConvertMemRefToLLVMInterface(registry);
  ub::registerConvertUBToLLVMInterface(registry);
  registerBuiltinDialectTranslation(registry);
  registerGPUDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  registerNVVMDialectTranslation(registry);
}

static const char *kBufferize =
    "one-shot-bufferize{bufferize-function-boundaries "
    "function-boundary-type-conversion=identity-layout-map},"
    "buffer-deallocation-pipeline,convert-bufferization-to-memref";

/// Every sluice.moe variant into routing primitives (no fused path here).
static SluiceDecomposeMoeOptions decomposeAllMoe() {
  SluiceDecomposeMoeOptions o;
  o.special = true;
  return o;
}

LogicalResult sluice::buildCudaGpuPipeline(OpPassManager &pm) {
  buildSluiceCleanupPipeline(pm);
  pm.addPass(createSluiceDecomposeMoe(decomposeAllMoe()));
  buildSluiceCleanupPipeline(pm);
  pm.addPass(cuda::createLowerToBlockProgramsPass(/*strict=*/true));
  if (failed(parsePassPipeline(kBufferize, pm)))
    return failure();
  pm.addPass(cuda::createVerifyBlockProgramPass());
  pm.addPass(cuda::createBlockProgramsToGpuPass());
  // Constants and index math move into the kernels instead of becoming
  // kernel parameters (a divisor parameter costs a 64-bit division).
  if (failed(parsePassPipeline("gpu-launch-sink-index-computations", pm)))
    return failure();
  pm.addPass(createGpuKernelOutliningPass());
  return success();
}

LogicalResult sluice::buildCudaNvvmPipeline(OpPassManager &pm,
                                            ArrayRef<std::string> chips) {
  for (const std::string &chip : chips) {
    GpuNVVMAttachTargetOptions o;
    o.chip = chip;
    o.optLevel = 3;
    pm.addPass(createGpuNVVMAttachTarget(o));
  }
  return parsePassPipeline(
      "gpu.module(lower-affine,convert-scf-to-cf,convert-gpu-to-nvvm,"
      "canonicalize,cse,reconcile-unrealized-casts)",
      pm);
}

LogicalResult sluice::buildCudaCpuPipeline(OpPassManager &pm, bool reverse) {
  buildSluiceCleanupPipeline(pm);
  pm.addPass(createSluiceDecomposeMoe(decomposeAllMoe()));
  buildSluiceCleanupPipeline(pm);
  if (failed(parsePassPipeline("sluice-cpu-abi", pm)))
    return failure();
  pm.addPass(cuda::createLowerToBlockProgramsPass(/*strict=*/false));
  pm.addPass(createCpuMatmulLoopOrderPass());
  pm.addPass(createCpuDecomposeAggregatesPass());
  if (failed(parsePassPipeline(kBufferize, pm)) ||
      failed(parsePassPipeline("func.func(convert-linalg-to-parallel-loops)",
                               pm)))
    return failure();
  pm.addPass(cuda::createVerifyBlockProgramPass());
  pm.addPass(cuda::createBlockProgramsToCpuPass(reverse));
  return buildCpuLlvmTail(pm);
}

LogicalResult sluice::buildCudaHostPipeline(OpPassManager &pm,
                                            ArrayRef<std::string> chips,
                                            StringRef image) {
  if (failed(buildCudaGpuPipeline(pm)) ||
      failed(parsePassPipeline("sluice-cpu-abi", pm)))
    return failure();
  pm.addPass(createCudaHostPreparePass());
  if (failed(buildCudaNvvmPipeline(pm, chips)))
    return failure();
  GpuModuleToBinaryPassOptions o;
  o.compilationTarget = "isa";
  o.toolkitPath = findCudaRoot(); // libdevice for the kernels' math
  pm.addPass(createGpuModuleToBinaryPass(o));
  if (failed(parsePassPipeline("expand-strided-metadata,lower-affine,"
                               "convert-scf-to-cf,convert-math-to-llvm,gpu-to-llvm",
                               pm)))
    return failure();
  pm.addPass(createCudaHostToRuntimePass(image));
  return parsePassPipeline("reconcile-unrealized-casts,canonicalize,cse", pm);
}

namespace {
struct CudaHostPipelineOptions
    : PassPipelineOptions<CudaHostPipelineOptions> {
  ListOption<std::string> chips{*this, "chips",
                                llvm::cl::desc("CUDA architectures (sm_XX)")};
  Option<std::string> image{
      *this, "image",
      llvm::cl::desc("auto (fatbin when ptxas and fatbinary are found, else "
                     "PTX), fatbin or ptx"),
      llvm::cl::init("auto")};
};
struct CudaPipelineOptions : PassPipelineOptions<CudaPipelineOptions> {
  ListOption<std::string> chips{*this, "chips",
                                llvm::cl::desc("CUDA architectures (sm_XX)")};
};
struct CudaCpuPipelineOptions : PassPipelineOptions<CudaCpuPipelineOptions> {
  Option<bool> reverse{*this, "reverse",
                       llvm::cl::desc("Run every thread phase in reverse "
                                      "order"),
                       llvm::cl::init(false)};
};
} // namespace

void sluice::registerCudaPasses() {
  registerGPUPasses();
  PassRegistration<Pass>([] { return cuda::createLowerToBlockProgramsPass(); });
  PassRegistration<Pass>([] { return cuda::createVerifyBlockProgramPass(); });
  PassRegistration<Pass>([] { return cuda::createBlockProgramsToGpuPass(); });
  PassRegistration<Pass>([] { return cuda::createBlockProgramsToCpuPass(); });
  cuda::registerFakeKernelsPasses();
  PassPipelineRegistration<>(
      "sluice-cuda-gpu-pipeline",
      "Lower sluice IR to block programs, gpu.launch and outlined gpu.module "
      "kernels (sluicec --target=cuda --emit=mlir-gpu)",
      [](OpPassManager &pm) { (void)buildCudaGpuPipeline(pm); });
  PassPipelineRegistration<CudaPipelineOptions>(
      "sluice-cuda-pipeline",
      "sluice-cuda-gpu-pipeline, then NVVM for each chip (default sm_80, "
      "sm_90); follow with gpu-module-to-binary",
      [](OpPassManager &pm, const CudaPipelineOptions &o) {
        std::vector<std::string> chips(o.chips.begin(), o.chips.end());
        if (chips.empty())
          chips = {"sm_80", "sm_90"};
        (void)buildCudaGpuPipeline(pm);
        (void)buildCudaNvvmPipeline(pm, chips);
      });
  PassRegistration<Pass>([] { return createCudaHostPreparePass(); });
  PassRegistration<Pass>([] { return createCudaHostToRuntimePass(); });
  PassPipelineRegistration<CudaHostPipelineOptions>(
      "sluice-cuda-host-pipeline",
      "sluice IR -> a host module on the LLVM dialect over device buffers, "
      "the kernels embedded (sluicec --target=cuda run / --emit=library)",
      [](OpPassManager &pm, const CudaHostPipelineOptions &o) {
        std::vector<std::string> chips(o.chips.begin(), o.chips.end());
        if (chips.empty())
          chips = {"sm_80", "sm_90"};
        (void)buildCudaHostPipeline(pm, chips, o.image);
      });
  PassPipelineRegistration<CudaCpuPipelineOptions>(
      "sluice-cuda-cpu-pipeline",
      "Lower sluice IR to block programs and run them as CPU loops (the "
      "CUDA device logic on the host; reverse=1 reverses every thread phase)",
      [](OpPassManager &pm, const CudaCpuPipelineOptions &o) {
        (void)buildCudaCpuPipeline(pm, o.reverse);
      });
}

//===----------------------------------------------------------------------===//
// Emission
//===----------------------------------------------------------------------===//

std::string sluice::findCudaTool(StringRef name) {
  if (const char *home = std::getenv("CUDA_HOME")) {
    llvm::SmallString<256> p(home);
    llvm::sys::path::append(p, "bin", name);
    if (llvm::sys::fs::can_execute(p))
      return std::string(p);
  }
  if (auto p = llvm::sys::findProgramByName(name))
    return *p;
  llvm::SmallString<256> p("/usr/local/cuda/bin");
  llvm::sys::path::append(p, name);
  if (llvm::sys::fs::can_execute(p))
    return std::string(p);
  return "";
}

/// Runs `prog` with `args`; on failure `error` holds its output.
static bool runTool(StringRef prog, ArrayRef<std::string> args,
                    std::string &error) {
  llvm::SmallString<128> log;
  llvm::sys::fs::createTemporaryFile("sluice-cuda", "log", log);
  SmallVector<StringRef> argv{prog};
  for (const std::string &a : args)
    argv.push_back(a);
  std::optional<StringRef> redirects[] = {std::nullopt, StringRef(log),
                                          StringRef(log)};
  std::string msg;
  int rc = llvm::sys::ExecuteAndWait(prog, argv, std::nullopt, redirects, 0, 0,
                                     &msg);
  auto text = llvm::MemoryBuffer::getFile(log);
  llvm::sys::fs::remove(log);
  if (rc == 0)
    return true;
  error = (llvm::sys::path::filename(prog) + " failed: " +
           (msg.empty() && text ? StringRef((*text)->getBuffer()).trim()
                                : StringRef(msg)))
              .str();
  return false;
}

static bool writeTemp(StringRef suffix, StringRef data,
                      llvm::SmallString<128> &path) {
  int fd;
  if (llvm::sys::fs::createTemporaryFile("sluice-cuda", suffix, fd, path))
    return false;
  llvm::raw_fd_ostream os(fd, /*shouldClose=*/true);
  os << data;
  return !os.has_error();
}

/// The CUDA toolkit root holding libdevice (nvvm/libdevice/libdevice.10.bc):
/// $CUDA_HOME, the toolkit of a ptxas on PATH, /usr/local/cuda.
std::string sluice::findCudaRoot() {
  SmallVector<std::string> candidates;
  if (const char *home = std::getenv("CUDA_HOME"))
    candidates.push_back(home);
  if (auto p = llvm::sys::findProgramByName("ptxas"))
    candidates.push_back(
        llvm::sys::path::parent_path(llvm::sys::path::parent_path(*p)).str());
  candidates.push_back("/usr/local/cuda");
  for (const std::string &root : candidates) {
    llvm::SmallString<256> p(root);
    llvm::sys::path::append(p, "nvvm", "libdevice", "libdevice.10.bc");
    if (llvm::sys::fs::exists(p))
      return root;
  }
  return "";
}

bool sluice::emitCuda(ModuleOp module, CudaEmit emit,
                      ArrayRef<std::string> chips, std::string &out,
                      std::string &error) {
  MLIRContext *ctx = module.getContext();
  auto run = [&](function_ref<LogicalResult(OpPassManager &)> build) {
    PassManager pm(ctx);
    if (failed(build(pm))) {
      error = "cannot build the CUDA pipeline";
      return false;
    }
    if (failed(pm.run(module))) {
      error = ""; // the diagnostics say why
      return false;
    }
    return true;
  };
  auto print = [&] {
    llvm::raw_string_ostream os(out);
    module.print(os);
    os << "\n";
    return true;
  };
  if (!run([](OpPassManager &pm) { return buildCudaGpuPipeline(pm); }))
    return false;
  if (emit == CudaEmit::MlirGpu)
    return print();
  if (!run([&](OpPassManager &pm) { return buildCudaNvvmPipeline(pm, chips); }))
    return false;
  if (emit == CudaEmit::Nvvm)
    return print();
  bool llvmIR = emit == CudaEmit::Llvm;
  if (findCudaRoot().empty()) {
    error = "--target=cuda needs libdevice (nvvm/libdevice/libdevice.10.bc of "
            "the CUDA toolkit) for the kernels' math functions; not found "
            "under $CUDA_HOME, the toolkit of ptxas on PATH or "
            "/usr/local/cuda";
    return false;
  }
  if (!run([&](OpPassManager &pm) {
        GpuModuleToBinaryPassOptions o;
        o.compilationTarget = llvmIR ? "llvm" : "isa";
        // libdevice supplies the __nv_* math functions the kernels call.
        o.toolkitPath = findCudaRoot();
        pm.addPass(createGpuModuleToBinaryPass(o));
        return success();
      }))
    return false;
  // One (chip, text) per target of every gpu.binary, in chip order.
  std::vector<std::pair<std::string, std::string>> objects;
  module.walk([&](gpu::BinaryOp bin) {
    for (Attribute a : bin.getObjects()) {
      auto obj = cast<gpu::ObjectAttr>(a);
      auto target = cast<NVVM::NVVMTargetAttr>(obj.getTarget());
      objects.emplace_back(target.getChip().str(),
                           obj.getObject().getValue().str());
    }
  });
  if (objects.empty()) {
    error = "the model has no kernels";
    return false;
  }
  if (llvmIR) {
    for (auto &[chip, bc] : objects) {
      llvm::LLVMContext llvmCtx;
      auto buf = llvm::MemoryBuffer::getMemBuffer(bc, "", false);
      auto m = llvm::parseBitcodeFile(buf->getMemBufferRef(), llvmCtx);
      if (!m) {
        error = "cannot read the kernels' LLVM bitcode: " +
                llvm::toString(m.takeError());
        return false;
      }
      llvm::raw_string_ostream os(out);
      os << "; sluice: --cuda-arch=" << chip << "\n";
      (*m)->print(os, nullptr);
    }
    return true;
  }
  if (emit == CudaEmit::Ptx) {
    for (auto &[chip, ptx] : objects) {
      if (objects.size() > 1)
        out += "// sluice: --cuda-arch=" + chip + "\n";
      out += ptx;
    }
    return true;
  }
  if (emit == CudaEmit::Cubin && objects.size() != 1) {
    if (findCudaTool("ptxas").empty()) {
      error = "--emit=cubin/fatbin needs ptxas from the CUDA toolkit; not "
              "found in $CUDA_HOME/bin, PATH or /usr/local/cuda/bin";
      return false;
    }
    error = "--emit=cubin writes one architecture; pass a single "
            "--cuda-arch=sm_XX (or use --emit=fatbin)";
    return false;
  }
  return assembleCuda(objects, emit == CudaEmit::Cubin, out, error);
}

bool sluice::assembleCuda(
    ArrayRef<std::pair<std::string, std::string>> objects, bool cubinOnly,
    std::string &out, std::string &error) {
  std::string ptxas = findCudaTool("ptxas");
  if (ptxas.empty()) {
    error = "--emit=cubin/fatbin needs ptxas from the CUDA toolkit; not found "
            "in $CUDA_HOME/bin, PATH or /usr/local/cuda/bin";
    return false;
  }
  std::vector<std::string> fatArgs{"-64"};
  llvm::SmallVector<llvm::SmallString<128>> temps;
  auto cleanup = [&] {
    for (auto &t : temps)
      llvm::sys::fs::remove(t);
  };
  for (auto &[chip, ptx] : objects) {
    llvm::SmallString<128> ptxPath, cubinPath;
    if (!writeTemp("ptx", ptx, ptxPath)) {
      error = "cannot write a temporary file";
      return cleanup(), false;
    }
    temps.push_back(ptxPath);
    llvm::sys::fs::createTemporaryFile("sluice-cuda", "cubin", cubinPath);
    temps.push_back(cubinPath);
    if (!runTool(ptxas,
                 {"-arch=" + chip, "--opt-level=3", std::string(ptxPath), "-o",
                  std::string(cubinPath)},
                 error))
      return cleanup(), false;
    std::string sm = StringRef(chip).drop_front(3).str();
    fatArgs.push_back("--image3=kind=elf,sm=" + sm + ",file=" +
                      std::string(cubinPath));
    fatArgs.push_back("--image3=kind=ptx,sm=" + sm + ",file=" +
                      std::string(ptxPath));
    if (cubinOnly) {
      auto buf = llvm::MemoryBuffer::getFile(cubinPath, /*IsText=*/false);
      out = buf ? (*buf)->getBuffer().str() : "";
      cleanup();
      return true;
    }
  }
  std::string fatbinary = findCudaTool("fatbinary");
  if (fatbinary.empty()) {
    error = "--emit=fatbin needs fatbinary from the CUDA toolkit; not found "
            "in $CUDA_HOME/bin, PATH or /usr/local/cuda/bin";
    return cleanup(), false;
  }
  llvm::SmallString<128> fatPath;
  llvm::sys::fs::createTemporaryFile("sluice-cuda", "fatbin", fatPath);
  temps.push_back(fatPath);
  fatArgs.push_back("--create=" + std::string(fatPath));
  if (!runTool(fatbinary, fatArgs, error))
    return cleanup(), false;
  auto buf = llvm::MemoryBuffer::getFile(fatPath, /*IsText=*/false);
  out = buf ? (*buf)->getBuffer().str() : "";
  cleanup();
  return true;
}
