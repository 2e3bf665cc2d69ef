//===- CpuPipeline.cpp - the CPU lowering pipeline ------------------------===//

#include "codegen/cpu/CpuPipeline.h"
#include "codegen/cpu/LlvmConversion.h"

#include "codegen/common/LowerSparse.h"
#include "codegen/common/Lowering.h"
#include "codegen/cpu/UkernelCall.h"
#include "dialect/SluiceOps.h"
#include "passes/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/FuncBufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlow.h"
#include "mlir/Dialect/ControlFlow/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/Linalg/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

namespace {

/// Marks every public function for the MLIR C interface (the module ABI,
/// docs/abi.md), weight arguments as not writable by bufferization, and
/// drops the `sluice.*` argument / result attributes, which the driver reads
/// before lowering.
struct SluiceCpuAbiPass
    : PassWrapper<SluiceCpuAbiPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(SluiceCpuAbiPass)
  StringRef getArgument() const override { return "sluice-cpu-abi"; }
  StringRef getDescription() const override {
    return "Mark public functions with llvm.emit_c_interface (the Sluice "
           "module ABI), weight arguments bufferization.writable = false, and "
           "drop sluice.* argument attributes";
  }
  void runOnOperation() override {
    for (auto fn : getOperation().getOps<func::FuncOp>()) {
      if (fn.isDeclaration())
        continue;
      auto strip = [](DictionaryAttr d) {
        SmallVector<NamedAttribute> kept;
        for (NamedAttribute a : d)
          if (!a.getName().getValue().starts_with("sluice."))
            kept.push_back(a);
        return kept;
      };
      auto dictOr = [&](DictionaryAttr d) {
        return d ? d : DictionaryAttr::get(fn.getContext());
      };
      for (unsigned i = 0; i < fn.getNumArguments(); ++i) {
        DictionaryAttr d = dictOr(fn.getArgAttrDict(i));
        auto role = d.getAs<StringAttr>("sluice.role");
        SmallVector<NamedAttribute> kept = strip(d);
        // Compiled code never writes into a weight: the GEMM kernel keeps
        // packed copies of weights between runs (docs/abi.md, "Prepacked
        // weights"), so bufferization copies instead of updating in place.
        // (Only before bufferization: the CUDA host pipeline runs this pass
        // on memrefs, where the attribute would reach the LLVM translation.)
        if (role && role.getValue() == "weight" &&
            isa<TensorType>(fn.getArgumentTypes()[i]))
          kept.push_back(NamedAttribute(
              StringAttr::get(fn.getContext(), "bufferization.writable"),
              BoolAttr::get(fn.getContext(), false)));
        fn.setArgAttrs(i, kept);
      }
      for (unsigned i = 0; i < fn.getNumResults(); ++i)
        fn.setResultAttrs(i, strip(dictOr(fn.getResultAttrDict(i))));
      if (fn.isPublic())
        fn->setAttr("llvm.emit_c_interface", UnitAttr::get(fn.getContext()));
    }
  }
};

} // namespace

StringRef sluice::cpuLoweringPipelineText() {
  return "sluice-cleanup-pipeline, sluice-decompose-moe{fuse-shared=1}, "
         "sluice-fuse-moe-experts, sluice-fuse-router-topk, "
         "sluice-fuse-lora, sluice-cpu-matmul-to-gemm, "
         "sluice-fuse-pool-producers, "
         "sluice-cleanup-pipeline, sluice-cpu-abi, "
         "sluice-cpu-matmul-loop-order, sluice-cpu-decompose-aggregates, "
         "one-shot-bufferize{bufferize-function-boundaries "
         "function-boundary-type-conversion=identity-layout-map}, "
         "buffer-deallocation-pipeline, convert-bufferization-to-memref, "
         "func.func(convert-linalg-to-parallel-loops), "
         "sluice-cpu-outline-parallel, expand-strided-metadata, lower-affine, "
         "convert-scf-to-cf, convert-math-to-llvm, convert-math-to-libm, "
         "convert-arith-to-llvm, convert-index-to-llvm, "
         "finalize-memref-to-llvm, convert-cf-to-llvm, convert-func-to-llvm, "
         "reconcile-unrealized-casts, sluice-cpu-parallel-runtime, "
         "canonicalize, cse";
}

LogicalResult sluice::buildCpuPipeline(OpPassManager &pm) {
  buildSluiceCleanupPipeline(pm);
  // Expert-major MoE: each selected expert's weights are read once per call,
  // not once per token (sluice.moe forms it does not cover stay per token).
  // Shared experts that fit join the routed experts' GEMM calls.
  SluiceDecomposeMoeOptions decompose;
  decompose.fuseShared = true;
  pm.addPass(createSluiceDecomposeMoe(decompose));
  addSluiceMoeFusionPasses(pm); // experts and router onto sluice_uk_gemm
  // LoRA / low-rank ops and dense f32 matmuls as sluice_uk_gemm calls.
  pm.addPass(createSluiceFuseLora());
  pm.addPass(createSluiceCpuMatmulToGemm());
  // Elementwise producers of pooled tensors inside the pooling loop.
  pm.addPass(createSluiceFusePoolProducers());
  buildSluiceCleanupPipeline(pm);
  pm.addPass(std::make_unique<SluiceCpuAbiPass>());
  pm.addPass(createCpuMatmulLoopOrderPass());
  pm.addPass(createCpuDecomposeAggregatesPass());
  if (failed(parsePassPipeline(
          "one-shot-bufferize{bufferize-function-boundaries "
          "function-boundary-type-conversion=identity-layout-map},"
          "buffer-deallocation-pipeline,convert-bufferization-to-memref,"
          "func.func(convert-linalg-to-parallel-loops)",
          pm)))
    return failure();
  return buildCpuLlvmTail(pm);
}

LogicalResult sluice::addLlvmConversionPasses(OpPassManager &pm) {
  return parsePassPipeline(
      "expand-strided-metadata,lower-affine,convert-scf-to-cf,"
      "convert-math-to-llvm,convert-math-to-libm,"
      "convert-arith-to-llvm,convert-index-to-llvm,"
      "finalize-memref-to-llvm,convert-cf-to-llvm,convert-func-to-llvm,"
      "reconcile-unrealized-casts",
      pm);
}

LogicalResult sluice::buildCpuLlvmTail(OpPassManager &pm) {
  // Outermost parallel loops run on the runtime's thread pool.
  pm.addPass(createCpuOutlineParallelPass());
  if (failed(addLlvmConversionPasses(pm)))
    return failure();
  pm.addPass(createCpuParallelRuntimePass());
  return parsePassPipeline("canonicalize,cse", pm);
}

void sluice::registerCpuDialects(DialectRegistry &registry) {
  registry.insert<SluiceDialect, affine::AffineDialect, arith::ArithDialect,
                  bufferization::BufferizationDialect, cf::ControlFlowDialect,
                  func::FuncDialect, LLVM::LLVMDialect, linalg::LinalgDialect,
                  math::MathDialect, memref::MemRefDialect, scf::SCFDialect,
                  tensor::TensorDialect>();
  arith::registerBufferizableOpInterfaceExternalModels(registry);
  bufferization::func_ext::registerBufferizableOpInterfaceExternalModels(
      registry);
  cf::registerBufferizableOpInterfaceExternalModels(registry);
  linalg::registerBufferizableOpInterfaceExternalModels(registry);
  scf::registerBufferizableOpInterfaceExternalModels(registry);
  tensor::registerBufferizableOpInterfaceExternalModels(registry);
  codegen::registerBufferizationModelsButSparseMatmul(registry);
  registerCpuGemmBufferization(registry);
  registerCpuRouterGateBufferization(registry);
  registerCpuSparseMatmulBufferization(registry);
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
}

void sluice::registerCpuPasses() {
  registerConversionPasses();
  bufferization::registerBufferizationPasses();
  bufferization::registerBufferizationPipelines();
  registerLinalgPasses();
  memref::registerMemRefPasses();
  PassRegistration<SluiceCpuAbiPass>();
  PassRegistration<Pass>([] { return createCpuMatmulLoopOrderPass(); });
  PassRegistration<Pass>([] { return createCpuDecomposeAggregatesPass(); });
  PassRegistration<Pass>([] { return createCpuOutlineParallelPass(); });
  PassRegistration<Pass>([] { return createCpuParallelRuntimePass(); });
  PassPipelineRegistration<>(
      "sluice-cpu-pipeline",
      "Lower sluice IR on tensors to the LLVM dialect for the host CPU (what "
      "sluicec compile runs before LLVM)",
      [](OpPassManager &pm) { (void)buildCpuPipeline(pm); });
}
