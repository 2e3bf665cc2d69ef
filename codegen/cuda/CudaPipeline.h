//===- CudaPipeline.h - the CUDA pipelines and emission ---------*- C++ -*-===//

#ifndef SLUICE_CODEGEN_CUDA_CUDAPIPELINE_H
#define SLUICE_CODEGEN_CUDA_CUDAPIPELINE_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Pass/PassManager.h"

#include <string>
#include <vector>

namespace mlir::sluice {

/// Dialects, interfaces and translations of the CUDA paths (sluice_gpu, gpu,
/// nvvm, the NVVM target attribute, GPU / NVVM -> LLVM IR translation).
void registerCudaDialects(DialectRegistry &registry);

/// Registers the CUDA passes (sluice-cuda-lower-ops,
/// sluice-verify-block-program, sluice-cuda-to-gpu, sluice-cuda-to-cpu), the
/// upstream GPU passes they are used with, and the named pipelines
/// sluice-cuda-gpu-pipeline, sluice-cuda-pipeline, sluice-cuda-cpu-pipeline.
void registerCudaPasses();

/// sluice IR on tensors -> block programs -> gpu.launch -> outlined
/// gpu.module kernels plus host code (`--emit=mlir-gpu`).
LogicalResult buildCudaGpuPipeline(OpPassManager &pm);

/// The outlined form -> NVVM for every chip in `chips` (nvvm-attach-target,
/// no forced PTX features: the chip picks the PTX version).
LogicalResult buildCudaNvvmPipeline(OpPassManager &pm,
                                    ArrayRef<std::string> chips);

/// The device logic run on the CPU: sluice IR -> block programs -> CPU loops
/// (thread phases reversed with `reverse`) -> the CPU path to the LLVM
/// dialect. Ops without a CUDA schedule take the CPU lowering.
LogicalResult buildCudaCpuPipeline(OpPassManager &pm, bool reverse);

/// What `sluicec compile --target=cuda` writes.
enum class CudaEmit { MlirGpu, Nvvm, Llvm, Ptx, Cubin, Fatbin };

/// Compiles `module` (verified sluice IR) for `chips` (sm_XX) and writes the
/// result through `write`. Returns false after printing one error line.
bool emitCuda(ModuleOp module, CudaEmit emit, ArrayRef<std::string> chips,
              std::string &out, std::string &error);

/// The CUDA toolkit program `name` (ptxas, fatbinary): $CUDA_HOME/bin, PATH,
/// /usr/local/cuda/bin. Empty when absent.
std::string findCudaTool(StringRef name);

/// The CUDA toolkit root holding libdevice ($CUDA_HOME, the toolkit of ptxas
/// on PATH, /usr/local/cuda); empty when absent.
std::string findCudaRoot();

/// Assembles (chip, PTX) pairs with ptxas: the first chip's cubin when
/// `cubinOnly`, else a fatbin holding a cubin and the PTX per chip
/// (fatbinary). False with `error` when a tool is missing or fails.
bool assembleCuda(ArrayRef<std::pair<std::string, std::string>> objects,
                  bool cubinOnly, std::string &out, std::string &error);

/// sluice IR -> a host module on the LLVM dialect whose public functions
/// take device buffers (docs/cuda.md, "Host code"): sluice-cuda-gpu-pipeline,
/// sluice-cuda-host-prepare, NVVM for `chips`, gpu-module-to-binary (PTX),
/// gpu-to-llvm, sluice-cuda-host-to-runtime{image}. `image` is "auto"
/// (fatbin when ptxas and fatbinary are found, else PTX), "fatbin" or "ptx".
LogicalResult buildCudaHostPipeline(OpPassManager &pm,
                                    ArrayRef<std::string> chips,
                                    StringRef image = "auto");

/// The host-code passes (CudaHost.cpp).
std::unique_ptr<Pass> createCudaHostPreparePass();
std::unique_ptr<Pass> createCudaHostToRuntimePass(StringRef image = "auto");

} // namespace mlir::sluice

#endif // SLUICE_CODEGEN_CUDA_CUDAPIPELINE_H
