//===- sluicec.cpp - the Sluice compiler driver ---------------------------===//
//
//   sluicec compile MODEL [-o OUT] [--emit=...]   compile a model (.sl or .mlir)
//   sluicec run MODEL [...]                         compile if needed and run
//   sluicec info MODEL                              print the signature
//
//===----------------------------------------------------------------------===//

#include "Compile.h"
#include "Run.h"

#include "codegen/cpu/CpuPipeline.h"
#include "codegen/cuda/CudaPipeline.h"
#include "mlir/Transforms/Passes.h"

#include "mlir/IR/Diagnostics.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

namespace {
cl::SubCommand compileCmd("compile",
                          "Compile a model to a loadable module (default), a "
                          "static library with a C header, or any stage");
cl::SubCommand runCmd("run", "Compile a model if needed and run one of its "
                             "functions on the CPU");
cl::SubCommand infoCmd("info", "Print the signature of a model's functions");

// compile
cl::opt<std::string> compileInput(cl::Positional, cl::desc("<model.sl|model.mlir>"),
                                  cl::Required, cl::sub(compileCmd));
cl::opt<std::string> compileOutput("o", cl::desc("Output file (default: "
                                                 "derived from the model name)"),
                                   cl::value_desc("file"), cl::sub(compileCmd));
cl::opt<sluicec::EmitKind> emitKind(
    "emit", cl::desc("What to write"), cl::init(sluicec::EmitKind::Module),
    cl::values(
        clEnumValN(sluicec::EmitKind::Ast, "ast",
                   "the syntax tree of a .sl model"),
        clEnumValN(sluicec::EmitKind::Mlir, "mlir", "the verified sluice IR"),
        clEnumValN(sluicec::EmitKind::MlirLowered, "mlir-lowered",
                   "the IR after sluice-cpu-pipeline (LLVM dialect)"),
        clEnumValN(sluicec::EmitKind::Llvm, "llvm", "optimized LLVM IR"),
        clEnumValN(sluicec::EmitKind::Asm, "asm", "host assembly"),
        clEnumValN(sluicec::EmitKind::Obj, "obj", "a host object file"),
        clEnumValN(sluicec::EmitKind::Library, "library",
                   "a static library plus a C header (NAME.a, NAME.h)"),
        clEnumValN(sluicec::EmitKind::Module, "module",
                   "a module the runtime loads (.so; the default)"),
        clEnumValN(sluicec::EmitKind::MlirGpu, "mlir-gpu",
                   "--target=cuda: gpu.launch_func host code + gpu.module "
                   "kernels"),
        clEnumValN(sluicec::EmitKind::Ptx, "ptx", "--target=cuda: PTX"),
        clEnumValN(sluicec::EmitKind::Cubin, "cubin",
                   "--target=cuda: a cubin (ptxas; one --cuda-arch)"),
        clEnumValN(sluicec::EmitKind::Fatbin, "fatbin",
                   "--target=cuda: a fatbin, cubin + PTX per --cuda-arch"),
        clEnumValN(sluicec::EmitKind::FakeKernels, "fake-kernels",
                   "--target=cuda: the kernels built for the host, for the "
                   "fake CUDA driver (.so; docs/cuda-runtime.md)")),
    cl::sub(compileCmd));
cl::opt<bool> printDebugInfo(
    "mlir-print-debuginfo",
    cl::desc("Print locations in --emit=mlir / mlir-lowered (the .sl or "
             ".mlir line and column of every op)"),
    cl::sub(compileCmd));
cl::opt<std::string> prefix("prefix",
                            cl::desc("Prefix of the library's C entry points "
                                     "(default: the output's stem)"),
                            cl::sub(compileCmd));

// CUDA (docs/cuda.md)
cl::opt<std::string> compileTarget("target",
                                   cl::desc("cpu (default) or cuda"),
                                   cl::init("cpu"), cl::sub(compileCmd));
cl::list<std::string> cudaArch("cuda-arch", cl::CommaSeparated,
                               cl::desc("--target=cuda: architectures "
                                        "(default sm_80,sm_90)"),
                               cl::value_desc("sm_XX,..."),
                               cl::sub(compileCmd), cl::sub(runCmd));
cl::opt<std::string> cudaEmulate(
    "cuda-emulate", cl::ValueOptional,
    cl::desc("Run the CUDA device logic (block programs) on the CPU; "
             "=reverse runs every thread phase last thread first"),
    cl::value_desc("forward|reverse"), cl::sub(compileCmd), cl::sub(runCmd));

// compile, run and info
cl::list<std::string> params("param",
                             cl::desc("Override a parameter of a .sl model "
                                      "(repeatable)"),
                             cl::value_desc("NAME=INT"), cl::sub(compileCmd),
                             cl::sub(runCmd), cl::sub(infoCmd));

// info
cl::opt<std::string> infoInput(cl::Positional, cl::desc("<model.sl|model.mlir>"),
                               cl::Required, cl::sub(infoCmd));

// run
cl::opt<std::string> runInput(cl::Positional, cl::desc("<model.sl|model.mlir>"),
                              cl::Required, cl::sub(runCmd));
cl::opt<std::string> runFunction("function",
                                 cl::desc("Function to run (default: the "
                                          "first one)"),
                                 cl::sub(runCmd));
cl::opt<std::string> weightsFile("weights",
                                 cl::desc("Bind weights from a .safetensors "
                                          "file by name"),
                                 cl::value_desc("file"), cl::sub(runCmd));
cl::opt<std::string> randomWeights(
    "random-weights", cl::ValueOptional,
    cl::desc("Fill weights with seeded random values (=SEED, default 1)"),
    cl::value_desc("seed"), cl::sub(runCmd));
cl::list<std::string> inputs("input", cl::desc("Bind input NAME from a .npy"),
                             cl::value_desc("NAME=FILE"), cl::sub(runCmd));
cl::list<std::string> outputs("output", cl::desc("Write output (or input) NAME to a .npy"),
                              cl::value_desc("NAME=FILE"), cl::sub(runCmd));
cl::list<std::string> dims("dim",
                           cl::desc("Size of a dynamic dim for generated "
                                    "inputs (default 8)"),
                           cl::value_desc("SYMBOL=N"), cl::sub(runCmd));
cl::opt<bool> check("check",
                    cl::desc("Also run the reference evaluator and report the "
                             "largest differences (fails above tolerance)"),
                    cl::sub(runCmd));
cl::opt<double> tolerance("tolerance",
                          cl::desc("Relative tolerance of --check (default "
                                   "1e-4)"),
                          cl::init(1e-4), cl::sub(runCmd));
cl::opt<int> threads("threads",
                     cl::desc("CPU threads (default: SLUICE_NUM_THREADS, "
                              "else all cores)"),
                     cl::init(0), cl::sub(runCmd));
cl::opt<unsigned> seed("seed", cl::desc("Seed of generated inputs"),
                       cl::init(0), cl::sub(runCmd));
cl::opt<sluicec::RunTarget> runTarget(
    "target", cl::desc("Where to run"), cl::init(sluicec::RunTarget::Cpu),
    cl::values(clEnumValN(sluicec::RunTarget::Cpu, "cpu",
                          "the host CPU (the default)"),
               clEnumValN(sluicec::RunTarget::Cuda, "cuda",
                          "device 0 of the CUDA driver")),
    cl::sub(runCmd));
cl::opt<unsigned> repeat("repeat",
                         cl::desc("Run this many times and report the "
                                  "steady-state time"),
                         cl::init(1), cl::sub(runCmd));
/// --prepack values: the SLUICE_UK_PREPACK_* policies, or the default.
enum PrepackWhen : int { PrepackDefault = -1 };
cl::opt<PrepackWhen> prepack(
    "prepack",
    cl::desc("When the GEMM kernels pack the weights into their blocked "
             "layout (default: bind with --repeat, else second; "
             "SLUICE_UK_PREPACK wins over it)"),
    cl::init(PrepackDefault),
    cl::values(clEnumValN(PrepackWhen(3), "bind", "when the weights are bound"),
               clEnumValN(PrepackWhen(1), "first", "by the first call that reads them "
                                      "(calls with one row per expert never "
                                      "pack: decode-only runs)"),
               clEnumValN(PrepackWhen(2), "second", "from the second call on"),
               clEnumValN(PrepackWhen(0), "off", "never (packed per call or streamed)")),
    cl::sub(runCmd));
} // namespace

static std::string defaultOutput(StringRef input, sluicec::EmitKind kind) {
  SmallString<256> stem(sys::path::stem(input));
  switch (kind) {
  case sluicec::EmitKind::Ast:
    return (stem + ".ast").str();
  case sluicec::EmitKind::Mlir:
    return (stem + ".out.mlir").str();
  case sluicec::EmitKind::MlirLowered:
    return (stem + ".lowered.mlir").str();
  case sluicec::EmitKind::Llvm:
    return (stem + ".ll").str();
  case sluicec::EmitKind::Asm:
    return (stem + ".s").str();
  case sluicec::EmitKind::Obj:
    return (stem + ".o").str();
  case sluicec::EmitKind::Library:
    return ("lib" + stem + ".a").str();
  case sluicec::EmitKind::Module:
    return (stem + ".so").str();
  case sluicec::EmitKind::MlirGpu:
    return (stem + ".gpu.mlir").str();
  case sluicec::EmitKind::Ptx:
    return (stem + ".ptx").str();
  case sluicec::EmitKind::Cubin:
    return (stem + ".cubin").str();
  case sluicec::EmitKind::Fatbin:
    return (stem + ".fatbin").str();
  case sluicec::EmitKind::FakeKernels:
    return (stem + ".fake-kernels.so").str();
  }
  return (stem + ".out").str();
}

/// A C identifier made from a path's stem (lib prefix dropped).
static std::string stemPrefix(StringRef path) {
  std::string s = sys::path::stem(path).str();
  if (StringRef(s).starts_with("lib"))
    s = s.substr(3);
  for (char &c : s)
    if (!isalnum(c))
      c = '_';
  if (s.empty() || isdigit(s[0]))
    s = "model_" + s;
  return s;
}

/// Checks and records --target, --cuda-arch and --cuda-emulate.
static bool setCudaOptions() {
  sluicec::CudaOptions &o = sluicec::cudaOptions();
  if (compileTarget != "cpu" && compileTarget != "cuda") {
    errs() << "sluicec: error: unknown --target '" << compileTarget
           << "' (expected cpu or cuda)\n";
    return false;
  }
  o.targetCuda = compileCmd ? compileTarget == "cuda"
                            : runCmd && runTarget == sluicec::RunTarget::Cuda;
  for (const std::string &a : cudaArch) {
    unsigned sm = 0;
    if (!StringRef(a).starts_with("sm_") ||
        StringRef(a).drop_front(3).getAsInteger(10, sm) || sm < 75) {
      errs() << "sluicec: error: unsupported --cuda-arch '" << a
             << "' (expected sm_XX with XX >= 75, the oldest CUDA 13 "
                "supports)\n";
      return false;
    }
    o.archs.push_back(a);
  }
  if (!o.archs.empty() && !o.targetCuda) {
    errs() << "sluicec: error: --cuda-arch needs --target=cuda\n";
    return false;
  }
  if (cudaEmulate.getNumOccurrences()) {
    if (cudaEmulate.empty() || cudaEmulate == "forward")
      o.emulate = 1;
    else if (cudaEmulate == "reverse")
      o.emulate = 2;
    else {
      errs() << "sluicec: error: --cuda-emulate expects forward or reverse, "
                "got '"
             << cudaEmulate << "'\n";
      return false;
    }
    if (o.targetCuda) {
      errs() << "sluicec: error: --cuda-emulate runs the device logic on the "
                "CPU; it does not combine with --target=cuda\n";
      return false;
    }
  }
  return true;
}

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  mlir::registerTransformsPasses();
  mlir::sluice::registerCpuPasses();
  mlir::sluice::registerCudaPasses();
  cl::ParseCommandLineOptions(
      argc, argv,
      "sluicec: the Sluice compiler (gating, MoE routing, pooling, low-rank "
      "adapters, sparse activations)\n\n"
      "  sluicec compile MODEL [-o OUT] [--emit=KIND]\n"
      "  sluicec run MODEL [--weights W.safetensors | --random-weights[=SEED]]"
      " [--input NAME=FILE.npy]... [--output NAME=FILE.npy]... [--check]\n"
      "  sluicec info MODEL\n\n"
      "Run `sluicec <subcommand> --help` for the options of each.\n");

  if (!compileCmd && !runCmd && !infoCmd) {
    errs() << "sluicec: error: expected a subcommand: compile, run or info "
              "(see sluicec --help)\n";
    return 2;
  }
  if (!setCudaOptions())
    return 2;
  std::unique_ptr<mlir::MLIRContext> ctx = sluicec::makeContext();
  SourceMgr sourceMgr;
  mlir::SourceMgrDiagnosticHandler diagnostics(sourceMgr, ctx.get());

  if (infoCmd) {
    auto module = sluicec::loadModel(*ctx, infoInput, sourceMgr, params);
    if (!module)
      return 1;
    std::optional<sluicec::ModelSig> sig = sluicec::extractSignature(*module);
    if (!sig)
      return 1;
    outs() << sig->pretty();
    return 0;
  }
  if (compileCmd) {
    std::string out = compileOutput.empty()
                          ? defaultOutput(compileInput, emitKind)
                          : compileOutput.getValue();
    sluicec::setPrintDebugInfo(printDebugInfo);
    if (emitKind == sluicec::EmitKind::Ast)
      return sluicec::dumpAst(compileInput, sourceMgr, out) ? 0 : 1;
    auto module = sluicec::loadModel(*ctx, compileInput, sourceMgr, params);
    if (!module)
      return 1;
    std::string pfx = prefix.empty() ? stemPrefix(out) : prefix.getValue();
    return sluicec::compileModel(*module, emitKind, out, pfx) ? 0 : 1;
  }
  // run
  sluicec::RunOptions opts;
  opts.model = runInput;
  opts.function = runFunction;
  opts.weightsFile = weightsFile;
  opts.randomWeights = randomWeights.getNumOccurrences() > 0;
  if (opts.randomWeights && !randomWeights.empty()) {
    if (StringRef(randomWeights).getAsInteger(10, opts.weightSeed)) {
      errs() << "sluicec: error: --random-weights expects an integer seed, "
                "got '"
             << randomWeights << "'\n";
      return 2;
    }
  }
  opts.inputs.assign(inputs.begin(), inputs.end());
  opts.outputs.assign(outputs.begin(), outputs.end());
  opts.dims.assign(dims.begin(), dims.end());
  opts.params.assign(params.begin(), params.end());
  opts.check = check;
  opts.tolerance = tolerance;
  opts.threads = threads;
  opts.seed = seed;
  opts.repeat = repeat;
  opts.prepack = static_cast<int>(prepack.getValue());
  opts.target = runTarget;
  return sluicec::runModel(*ctx, sourceMgr, opts);
}
