// RUN: sluice-opt %s --sluice-cpu-matmul-to-gemm | FileCheck %s

// Into a zero fill: a plain sluice.gemm.
// CHECK-LABEL: func.func @zero_init
// CHECK-SAME: (%[[A:.+]]: tensor<?x64xf32>, %[[B:.+]]: tensor<64x32xf32>)
// CHECK: %[[Y:.+]] = sluice.gemm %[[A]], %[[B]] : (tensor<?x64xf32>, tensor<64x32xf32>) -> tensor<?x32xf32>
// CHECK-NOT: linalg.matmul
// CHECK: return %[[Y]]
func.func @zero_init(%a: tensor<?x64xf32>, %b: tensor<64x32xf32>) -> tensor<?x32xf32> {
  %c0 = arith.constant 0 : index
  %t = tensor.dim %a, %c0 : tensor<?x64xf32>
  %e = tensor.empty(%t) : tensor<?x32xf32>
  %zero = arith.constant 0.0 : f32
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<?x32xf32>) -> tensor<?x32xf32>
  %y = linalg.matmul ins(%a, %b : tensor<?x64xf32>, tensor<64x32xf32>) outs(%z : tensor<?x32xf32>) -> tensor<?x32xf32>
  return %y : tensor<?x32xf32>
}

// Into a row broadcast of a bias: the bias operand.
// CHECK-LABEL: func.func @bias_init
// CHECK-SAME: (%[[A:.+]]: tensor<4x64xf32>, %[[B:.+]]: tensor<64x32xf32>, %[[BIAS:.+]]: tensor<32xf32>)
// CHECK: %[[Y:.+]] = sluice.gemm %[[A]], %[[B]] bias(%[[BIAS]])
// CHECK-NOT: linalg.matmul
// CHECK: return %[[Y]]
func.func @bias_init(%a: tensor<4x64xf32>, %b: tensor<64x32xf32>, %bias: tensor<32xf32>) -> tensor<4x32xf32> {
  %e = tensor.empty() : tensor<4x32xf32>
  %c = linalg.broadcast ins(%bias : tensor<32xf32>) outs(%e : tensor<4x32xf32>) dimensions = [0]
  %y = linalg.matmul ins(%a, %b : tensor<4x64xf32>, tensor<64x32xf32>) outs(%c : tensor<4x32xf32>) -> tensor<4x32xf32>
  return %y : tensor<4x32xf32>
}

// Into any other value: C + A B.
// CHECK-LABEL: func.func @accumulate
// CHECK-SAME: (%[[A:.+]]: tensor<4x64xf32>, %[[B:.+]]: tensor<64x32xf32>, %[[C:.+]]: tensor<4x32xf32>)
// CHECK: %[[Y:.+]] = sluice.gemm %[[A]], %[[B]] init(%[[C]]) {accumulate}
// CHECK: return %[[Y]]
func.func @accumulate(%a: tensor<4x64xf32>, %b: tensor<64x32xf32>, %c: tensor<4x32xf32>) -> tensor<4x32xf32> {
  %y = linalg.matmul ins(%a, %b : tensor<4x64xf32>, tensor<64x32xf32>) outs(%c : tensor<4x32xf32>) -> tensor<4x32xf32>
  return %y : tensor<4x32xf32>
}

// A fill of -0.0 is not a zero start (kept as an init).
// CHECK-LABEL: func.func @negative_zero
// CHECK: sluice.gemm %{{.+}}, %{{.+}} init(%{{.+}}) {accumulate}
func.func @negative_zero(%a: tensor<4x64xf32>, %b: tensor<64x32xf32>) -> tensor<4x32xf32> {
  %e = tensor.empty() : tensor<4x32xf32>
  %nz = arith.constant -0.0 : f32
  %z = linalg.fill ins(%nz : f32) outs(%e : tensor<4x32xf32>) -> tensor<4x32xf32>
  %y = linalg.matmul ins(%a, %b : tensor<4x64xf32>, tensor<64x32xf32>) outs(%z : tensor<4x32xf32>) -> tensor<4x32xf32>
  return %y : tensor<4x32xf32>
}

// Not rewritten: transposed operands, other element types, buffers.
// CHECK-LABEL: func.func @transposed
// CHECK: linalg.matmul
// CHECK-NOT: sluice.gemm
func.func @transposed(%a: tensor<64x4xf32>, %b: tensor<64x32xf32>, %c: tensor<4x32xf32>) -> tensor<4x32xf32> {
  %y = linalg.matmul indexing_maps = [affine_map<(d0, d1, d2) -> (d2, d0)>, affine_map<(d0, d1, d2) -> (d2, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>]
      ins(%a, %b : tensor<64x4xf32>, tensor<64x32xf32>) outs(%c : tensor<4x32xf32>) -> tensor<4x32xf32>
  return %y : tensor<4x32xf32>
}

// CHECK-LABEL: func.func @integer
// CHECK: linalg.matmul
// CHECK-NOT: sluice.gemm
func.func @integer(%a: tensor<4x64xi32>, %b: tensor<64x32xi32>, %c: tensor<4x32xi32>) -> tensor<4x32xi32> {
  %y = linalg.matmul ins(%a, %b : tensor<4x64xi32>, tensor<64x32xi32>) outs(%c : tensor<4x32xi32>) -> tensor<4x32xi32>
  return %y : tensor<4x32xi32>
}

// CHECK-LABEL: func.func @buffers
// CHECK: linalg.matmul
// CHECK-NOT: sluice.gemm
func.func @buffers(%a: memref<4x64xf32>, %b: memref<64x32xf32>, %c: memref<4x32xf32>) {
  linalg.matmul ins(%a, %b : memref<4x64xf32>, memref<64x32xf32>) outs(%c : memref<4x32xf32>)
  return
}
