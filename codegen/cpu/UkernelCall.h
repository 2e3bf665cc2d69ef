//===- UkernelCall.h - helpers for calls of the runtime micro-kernels -----===//
//
// The bufferizations that turn kernel ops into calls of the micro-kernels of
// runtime/include/sluice/ukernels.h (UkernelGemm.cpp, UkernelRouterGate.cpp)
// pass buffers as addresses and strides in int64 argument blocks.
//
//===----------------------------------------------------------------------===//

#ifndef SLUICE_CODEGEN_CPU_UKERNELCALL_H
#define SLUICE_CODEGEN_CPU_UKERNELCALL_H

#include "codegen/common/Emit.h"

namespace mlir::sluice::codegen {

/// A buffer whose last dim is contiguous (copied into a fresh one if not).
Value ukContiguous(Emit &e, Value buf);
/// Address of element 0 of `buf` as an i64.
Value ukAddressOf(Emit &e, Value buf);
/// Dim `i`'s stride of `buf` as an i64.
Value ukStrideOf(Emit &e, Value buf, unsigned i);

} // namespace mlir::sluice::codegen

namespace mlir {
class DialectRegistry;
namespace sluice {
/// sluice.sparse_matmul's tiles as sluice_uk_sparse_matmul calls
/// (UkernelSparseMatmul.cpp); with registerBufferizationModelsButSparseMatmul.
void registerCpuSparseMatmulBufferization(DialectRegistry &registry);
} // namespace sluice
} // namespace mlir

#endif // SLUICE_CODEGEN_CPU_UKERNELCALL_H
