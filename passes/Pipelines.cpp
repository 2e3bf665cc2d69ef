//===- Pipelines.cpp - named sluice pipelines -----------------------------===//
//
// The pipelines the driver runs, registered so that `sluice-opt` reproduces
// exactly what `sluicec` does.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void mlir::sluice::buildSluiceCleanupPipeline(OpPassManager &pm) {
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

void mlir::sluice::buildSluiceDecomposePipeline(OpPassManager &pm) {
  buildSluiceCleanupPipeline(pm);
  pm.addPass(createSluiceDecomposeMoe());
  buildSluiceCleanupPipeline(pm);
}

void mlir::sluice::addSluiceMoeFusionPasses(OpPassManager &pm) {
  pm.addPass(createSluiceFuseMoeExperts());
  pm.addPass(createSluiceFuseRouterTopk());
}

void mlir::sluice::registerSluicePipelines() {
  PassPipelineRegistration<>(
      "sluice-cleanup-pipeline",
      "Canonicalize and CSE sluice IR (the first stage of every pipeline)",
      buildSluiceCleanupPipeline);
  PassPipelineRegistration<>(
      "sluice-decompose-pipeline",
      "Clean up, decompose sluice.moe into routing primitives, clean up",
      buildSluiceDecomposePipeline);
}
