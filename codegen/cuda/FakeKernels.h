//===- FakeKernels.h - the generated GPU kernels built for the host -*- C++ -*-===//
//
// The fake CUDA driver (test/Unit/Runtime/FakeCuda, docs/cuda-runtime.md)
// executes the CPU build of the kernels that sluice-cuda-gpu-pipeline
// outlines into `gpu.module @sluice_kernels`, in their GPU form: every thread
// of a block runs the kernel body as a fiber; thread / block ids, barriers
// and warp shuffles go through a per-thread context the fake provides.
//
// Each kernel K becomes, in a shared object:
//
//   void sluice_fake_kernel_K(void **kernelParams, fake_cuda_kernel_ctx_t *);
//   const int64_t sluice_fake_sig_K[];   // {1, #params, #shared, block x,y,z,
//                                        //  param bytes..., shared bytes...}
//
// where kernelParams is exactly what cuLaunchKernel receives: one pointer
// per parameter of the NVVM lowering (memref descriptors expanded to
// allocated, aligned, offset, sizes, strides, in gpu.launch_func operand
// order). The context layout is fake_cuda_kernel_ctx_t of FakeCuda.h.
//
//===----------------------------------------------------------------------===//

#ifndef SLUICE_CODEGEN_CUDA_FAKEKERNELS_H
#define SLUICE_CODEGEN_CUDA_FAKEKERNELS_H

#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"

#include <memory>

namespace mlir::sluice::cuda {

/// Byte offsets of fake_cuda_kernel_ctx_t (FakeCuda.h): four uint32_t[3]
/// arrays (grid, block, block_idx, thread_idx), then pointers.
enum FakeCtxOffset : int64_t {
  kFakeCtxGrid = 0,
  kFakeCtxBlock = 12,
  kFakeCtxBlockIdx = 24,
  kFakeCtxThreadIdx = 36,
  kFakeCtxShared = 48,  // void **: the block's workgroup buffers
  kFakeCtxBarrier = 56, // void (*)(ctx, int32_t site)
  kFakeCtxShuffle = 64, // uint64_t (*)(ctx, site, mode, value, offset, width)
};

/// `sluice-cuda-fake-kernels`: replaces the module by the kernels of its
/// `gpu.module`, each a func.func `K__sluice_fake_body` over the kernel's
/// arguments, its workgroup buffers and the context pointer, with GPU ops
/// turned into context loads and calls.
std::unique_ptr<Pass> createFakeKernelsPass();
/// `sluice-cuda-fake-kernel-wrappers` (on the LLVM dialect): the exported
/// `sluice_fake_kernel_K(void **, ctx *)` wrappers and signature arrays.
std::unique_ptr<Pass> createFakeKernelWrappersPass();

/// sluice-cuda-gpu-pipeline (unless the module is `outlined` already: it
/// holds a gpu.module), then the kernels for the host, in the LLVM dialect
/// (`sluice-cuda-fake-kernels-pipeline`).
LogicalResult buildCudaFakeKernelsPipeline(OpPassManager &pm, bool outlined);

void registerFakeKernelsPasses();

} // namespace mlir::sluice::cuda

#endif // SLUICE_CODEGEN_CUDA_FAKEKERNELS_H
