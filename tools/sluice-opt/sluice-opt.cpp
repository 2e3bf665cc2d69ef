//===- sluice-opt.cpp - the sluice optimizer driver -----------------------===//
//
// mlir-opt for Sluice: the sluice dialect, the upstream dialects Sluice
// lowers to, and every sluice pass and named pipeline.
//
//===----------------------------------------------------------------------===//

#include "codegen/cpu/CpuPipeline.h"
#include "codegen/cuda/CudaPipeline.h"
#include "dialect/SluiceOps.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlow.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  registry.insert<mlir::sluice::SluiceDialect, mlir::arith::ArithDialect,
                  mlir::bufferization::BufferizationDialect,
                  mlir::cf::ControlFlowDialect, mlir::func::FuncDialect,
                  mlir::LLVM::LLVMDialect, mlir::linalg::LinalgDialect,
                  mlir::math::MathDialect, mlir::memref::MemRefDialect,
                  mlir::scf::SCFDialect, mlir::tensor::TensorDialect,
                  mlir::vector::VectorDialect>();
  mlir::sluice::registerCpuDialects(registry);
  mlir::sluice::registerCudaDialects(registry);
  mlir::registerTransformsPasses();
  mlir::sluice::registerSluicePasses();
  mlir::sluice::registerSluicePipelines();
  mlir::sluice::registerCpuPasses();
  mlir::sluice::registerCudaPasses();
  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "Sluice optimizer driver\n", registry));
}
