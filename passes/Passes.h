//===- Passes.h - sluice passes and pipelines -------------------*- C++ -*-===//

#ifndef SLUICE_PASSES_PASSES_H
#define SLUICE_PASSES_PASSES_H

#include "dialect/SluiceOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"

namespace mlir::sluice {

#define GEN_PASS_DECL
#include "passes/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/Passes.h.inc"

/// Registers the named pipelines (`sluice-opt --sluice-...-pipeline`).
void registerSluicePipelines();

/// The cleanup every Sluice pipeline starts with: canonicalize + CSE.
void buildSluiceCleanupPipeline(OpPassManager &pm);

/// Decomposes sluice.moe into routing primitives, then cleans up.
void buildSluiceDecomposePipeline(OpPassManager &pm);

/// The MoE fusions run after sluice-decompose-moe: the expert path and the
/// router GEMMs onto the sluice.gemm micro-kernel.
void addSluiceMoeFusionPasses(OpPassManager &pm);

} // namespace mlir::sluice

#endif // SLUICE_PASSES_PASSES_H
