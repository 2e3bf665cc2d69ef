//===- CpuPipeline.h - the CPU lowering pipeline ----------------*- C++ -*-===//

#ifndef SLUICE_CODEGEN_CPU_CPUPIPELINE_H
#define SLUICE_CODEGEN_CPU_CPUPIPELINE_H

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Pass/PassManager.h"

namespace mlir::sluice {

/// Dialects, interfaces and translations the CPU path needs (bufferization
/// models of every dialect it meets, LLVM IR translation).
void registerCpuDialects(DialectRegistry &registry);

/// sluice.gemm bufferizes into a call of the runtime's sluice_uk_gemm
/// micro-kernel (UkernelGemm.cpp); part of registerCpuDialects.
void registerCpuGemmBufferization(DialectRegistry &registry);
/// sluice.router_gate as a call of sluice_uk_router_gate (UkernelRouterGate.cpp).
void registerCpuRouterGateBufferization(DialectRegistry &registry);

/// Registers the upstream passes the CPU pipeline is made of, the
/// `sluice-cpu-abi` pass and the `sluice-cpu-pipeline` pipeline.
void registerCpuPasses();

/// The whole CPU lowering, from sluice IR on tensors to the LLVM dialect:
/// cleanup, ABI marking, one-shot bufferization (every sluice op becomes its
/// loops), buffer deallocation, linalg to loops, conversion to LLVM.
/// `sluice-opt --sluice-cpu-pipeline` runs exactly this.
LogicalResult buildCpuPipeline(OpPassManager &pm);

/// The end of every CPU lowering, from loops on buffers to the LLVM
/// dialect: outermost scf.parallel loops onto the runtime's pool, the
/// upstream conversions to LLVM, the pool dispatchers, canonicalize + CSE.
/// Shared by buildCpuPipeline and the CUDA emulation pipeline.
LogicalResult buildCpuLlvmTail(OpPassManager &pm);

/// linalg.matmul -> linalg.generic iterating (i, k, j)
/// (`sluice-cpu-matmul-loop-order`).
std::unique_ptr<Pass> createCpuMatmulLoopOrderPass();

/// linalg aggregate ops (linalg.softmax) into their elementwise and reduction
/// pieces (`sluice-cpu-decompose-aggregates`).
std::unique_ptr<Pass> createCpuDecomposeAggregatesPass();

/// Outermost scf.parallel loops -> outlined bodies + dispatchers
/// (`sluice-cpu-outline-parallel`), and the dispatchers' definitions on the
/// LLVM dialect calling sluice_rt_parallel_for (`sluice-cpu-parallel-runtime`).
std::unique_ptr<Pass> createCpuOutlineParallelPass();
std::unique_ptr<Pass> createCpuParallelRuntimePass();

/// The textual form of buildCpuPipeline's lowering part (for docs / errors).
StringRef cpuLoweringPipelineText();

} // namespace mlir::sluice

#endif // SLUICE_CODEGEN_CPU_CPUPIPELINE_H
