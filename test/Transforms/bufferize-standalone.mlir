// A bare one-shot-bufferize (no named pipeline) builds every sluice op's
// loops: the bufferization models load the dialects the lowerings emit
// (scf, memref, math, func, llvm). It used to crash building the first
// scf.for when nothing had loaded scf.
// RUN: sluice-opt --one-shot-bufferize=bufferize-function-boundaries %s | FileCheck %s

// CHECK-LABEL: func.func @pool
// CHECK: scf.for
// CHECK: return
func.func @pool(%x: tensor<?x1x32xf32>) -> tensor<?x32xf32> {
  %0 = sluice.pool %x {kind = #sluice.pool<max>} : (tensor<?x1x32xf32>) -> tensor<?x32xf32>
  return %0 : tensor<?x32xf32>
}

// CHECK-LABEL: func.func @gemm
// CHECK: memref.alloca() : memref<37xi64>
// CHECK: call @sluice_uk_gemm
func.func @gemm(%x: tensor<?x4xf32>, %w: tensor<4x8xf32>) -> tensor<?x8xf32> {
  %y = sluice.gemm %x, %w : (tensor<?x4xf32>, tensor<4x8xf32>) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}
