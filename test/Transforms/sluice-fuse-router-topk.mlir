// RUN: sluice-opt %s --sluice-fuse-router-topk -split-input-file | FileCheck %s

// A router matmul whose logits only feed topk_gate: router GEMM and gate
// become one sluice.router_gate (no [T, E] logits tensor left).
// CHECK-LABEL: func.func @router
// CHECK-SAME: (%[[X:[^:]+]]: tensor<?x64xf32>, %[[R:[^:]+]]: tensor<64x8xf32>)
// CHECK-NOT: linalg.matmul
// CHECK-NOT: sluice.gemm
// CHECK-NOT: sluice.topk_gate
// CHECK: %[[W:.+]], %[[I:.+]] = sluice.router_gate %[[X]], %[[R]] {k = 2 : i64} : (tensor<?x64xf32>, tensor<64x8xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
// CHECK-NEXT: return %[[W]], %[[I]]
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

// Every attribute and the selection bias carry over (DeepSeek-V3 style);
// a plain sluice.gemm router fuses too.
// CHECK-LABEL: func.func @deepseek_from_gemm
// CHECK-SAME: (%[[X:[^:]+]]: tensor<?x32xf32>, %[[R:[^:]+]]: tensor<32x16xf32>, %[[B:[^:]+]]: tensor<16xf32>)
// CHECK-NOT: sluice.gemm
// CHECK: sluice.router_gate %[[X]], %[[R]] bias(%[[B]]) {group_score = #sluice.group_score<top2_sum>, groups = 4 : i64, k = 4 : i64, renormalize = true, scale = 2.500000e+00 : f32, score = #sluice.score<sigmoid>, temperature = 5.000000e-01 : f32, topk_groups = 2 : i64}
// CHECK-NOT: sluice.topk_gate
func.func @deepseek_from_gemm(%x: tensor<?x32xf32>, %r: tensor<32x16xf32>, %b: tensor<16xf32>) -> (tensor<?x4xf32>, tensor<?x4xi32>) {
  %l = sluice.gemm %x, %r : (tensor<?x32xf32>, tensor<32x16xf32>) -> tensor<?x16xf32>
  %w, %i = sluice.topk_gate %l bias(%b) {k = 4 : i64, score = #sluice.score<sigmoid>,
      groups = 4 : i64, topk_groups = 2 : i64, group_score = #sluice.group_score<top2_sum>,
      renormalize = true, scale = 2.5 : f32, temperature = 0.5 : f32}
      : (tensor<?x16xf32>, tensor<16xf32>) -> (tensor<?x4xf32>, tensor<?x4xi32>)
  return %w, %i : tensor<?x4xf32>, tensor<?x4xi32>
}

// -----

// Not fused: the logits are also returned (they must be written anyway),
// so the router runs on sluice.gemm and the gate reads them back.
// CHECK-LABEL: func.func @logits_used_twice
// CHECK-NOT: sluice.router_gate
// CHECK: %[[L:.+]] = sluice.gemm
// CHECK-NEXT: sluice.topk_gate %[[L]] {k = 2 : i64}
// CHECK-NOT: sluice.router_gate
func.func @logits_used_twice(%x: tensor<?x64xf32>, %r: tensor<64x8xf32>) -> (tensor<?x2xf32>, tensor<?x8xf32>) {
  %c0 = arith.constant 0 : index
  %t = tensor.dim %x, %c0 : tensor<?x64xf32>
  %e = tensor.empty(%t) : tensor<?x8xf32>
  %zero = arith.constant 0.0 : f32
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<?x8xf32>) -> tensor<?x8xf32>
  %l = linalg.matmul ins(%x, %r : tensor<?x64xf32>, tensor<64x8xf32>) outs(%z : tensor<?x8xf32>) -> tensor<?x8xf32>
  %w, %i = sluice.topk_gate %l {k = 2 : i64} : (tensor<?x8xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  return %w, %l : tensor<?x2xf32>, tensor<?x8xf32>
}

// -----

// Not fused: a router weight of dynamic size (the fused kernel takes a
// static [d, E]), and a sluice.gemm with a bias.
// CHECK-LABEL: func.func @not_fusable
// CHECK-NOT: sluice.router_gate
// CHECK: %[[L:.+]] = sluice.gemm
// CHECK-NEXT: sluice.topk_gate %[[L]]
// CHECK: %[[L2:.+]] = sluice.gemm {{.*}} bias
// CHECK-NEXT: sluice.topk_gate %[[L2]]
// CHECK-NOT: sluice.router_gate
func.func @not_fusable(%x: tensor<?x?xf32>, %r: tensor<?x8xf32>, %x2: tensor<?x64xf32>, %r2: tensor<64x8xf32>, %bias: tensor<8xf32>) -> (tensor<?x2xi32>, tensor<?x2xi32>) {
  %c0 = arith.constant 0 : index
  %t = tensor.dim %x, %c0 : tensor<?x?xf32>
  %e = tensor.empty(%t) : tensor<?x8xf32>
  %zero = arith.constant 0.0 : f32
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<?x8xf32>) -> tensor<?x8xf32>
  %l = linalg.matmul ins(%x, %r : tensor<?x?xf32>, tensor<?x8xf32>) outs(%z : tensor<?x8xf32>) -> tensor<?x8xf32>
  %w, %i = sluice.topk_gate %l {k = 2 : i64} : (tensor<?x8xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  %l2 = sluice.gemm %x2, %r2 bias(%bias) : (tensor<?x64xf32>, tensor<64x8xf32>, tensor<8xf32>) -> tensor<?x8xf32>
  %w2, %i2 = sluice.topk_gate %l2 {k = 2 : i64} : (tensor<?x8xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  return %i, %i2 : tensor<?x2xi32>, tensor<?x2xi32>
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
