//===- LlvmConversion.h - buffers + scf + arith -> LLVM dialect -*- C++ -*-===//
//
// The conversion of host-style code on buffers (memref, scf, affine, math,
// arith, index, cf, func) to the LLVM dialect, shared by the CPU pipeline's
// tail (CpuPipeline.cpp) and the fake-kernel pipeline (codegen/cuda/
// FakeKernels.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef SLUICE_CODEGEN_CPU_LLVMCONVERSION_H
#define SLUICE_CODEGEN_CPU_LLVMCONVERSION_H

#include "mlir/Pass/PassManager.h"

namespace mlir::sluice {

/// expand-strided-metadata, lower-affine, convert-scf-to-cf, math to LLVM
/// intrinsics and libm, arith / index / memref / cf / func to LLVM,
/// reconcile-unrealized-casts.
LogicalResult addLlvmConversionPasses(OpPassManager &pm);

} // namespace mlir::sluice

#endif // SLUICE_CODEGEN_CPU_LLVMCONVERSION_H
