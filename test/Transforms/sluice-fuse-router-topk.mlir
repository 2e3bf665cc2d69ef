// RUN: sluice-opt %s --sluice-fuse-router-topk -split-input-file | FileCheck %s

// The router logits feeding topk_gate run on the micro-kernel.
// CHECK-LABEL: func.func @router
// CHECK-SAME: (%[[X:[^:]+]]: tensor<?x64xf32>, %[[R:[^:]+]]: tensor<64x8xf32>)
// CHECK-NOT: linalg.matmul
// CHECK: %[[L:.+]] = sluice.gemm %[[X]], %[[R]] : (tensor<?x64xf32>, tensor<64x8xf32>) -> tensor<?x8xf32>
// CHECK-NEXT: sluice.topk_gate %[[L]] {k = 2 : i64}
func.func @router(%x: tensor<?x64xf32>, %r: tensor<64x8xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>) {
  %c0 = arith.constant 0 : index
  %t = tensor.dim %x, %c0 : tensor<?x64xf32>
  %e = tensor.empty(%t) : tensor<?x8xf32>
  %zero = arith.constant 0.0 : f32
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<?x8xf32>) -> tensor<?x8xf32>
  %l = linalg.matmul ins(%x, %r : tensor<?x64xf32>, tensor<64x8xf32>) outs(%z : tensor<?x8xf32>) -> tensor<?x8xf32>
  %w, %i = sluice.topk_gate %l {k = 2 : i64} : (tensor<?x8xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  return %w, %i : tensor<?x2xf32>, tensor<?x2xi32>
}

// -----

// Expert-choice gates too.
// CHECK-LABEL: func.func @expert_choice
// CHECK: %[[L:.+]] = sluice.gemm
// CHECK-NEXT: sluice.expert_choice_gate %[[L]]
func.func @expert_choice(%x: tensor<?x64xf32>, %r: tensor<64x8xf32>) -> (tensor<8x2xf32>, tensor<8x2xi32>) {
  %c0 = arith.constant 0 : index
  %t = tensor.dim %x, %c0 : tensor<?x64xf32>
  %e = tensor.empty(%t) : tensor<?x8xf32>
  %zero = arith.constant 0.0 : f32
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<?x8xf32>) -> tensor<?x8xf32>
  %l = linalg.matmul ins(%x, %r : tensor<?x64xf32>, tensor<64x8xf32>) outs(%z : tensor<?x8xf32>) -> tensor<?x8xf32>
  %w, %tok = sluice.expert_choice_gate %l {capacity = 2 : i64} : (tensor<?x8xf32>) -> (tensor<8x2xf32>, tensor<8x2xi32>)
  return %w, %tok : tensor<8x2xf32>, tensor<8x2xi32>
}

// -----

// Left alone: a matmul that feeds no gate, and one accumulating into a
// nonzero init.
// CHECK-LABEL: func.func @not_router
// CHECK-NOT: sluice.gemm
// CHECK: linalg.matmul
// CHECK: linalg.matmul
// CHECK-NOT: sluice.gemm
// CHECK: return
func.func @not_router(%x: tensor<4x64xf32>, %r: tensor<64x8xf32>, %init: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x2xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x8xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<4x8xf32>) -> tensor<4x8xf32>
  %a = linalg.matmul ins(%x, %r : tensor<4x64xf32>, tensor<64x8xf32>) outs(%z : tensor<4x8xf32>) -> tensor<4x8xf32>
  %l = linalg.matmul ins(%x, %r : tensor<4x64xf32>, tensor<64x8xf32>) outs(%init : tensor<4x8xf32>) -> tensor<4x8xf32>
  %w, %i = sluice.topk_gate %l {k = 2 : i64} : (tensor<4x8xf32>) -> (tensor<4x2xf32>, tensor<4x2xi32>)
  return %a, %w : tensor<4x8xf32>, tensor<4x2xf32>
}
