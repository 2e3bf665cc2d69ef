// RUN: sluice-opt %s --sluice-fuse-lora | FileCheck %s

// LoRA: x a once, scaled, then one base GEMM with the low-rank epilogue.
// CHECK-LABEL: func.func @lora_scale
// CHECK-SAME: (%[[X:.+]]: tensor<?x16xf32>, %[[W:.+]]: tensor<16x12xf32>, %[[A:.+]]: tensor<16x6xf32>, %[[B:.+]]: tensor<6x12xf32>)
// CHECK-DAG: %[[TWO:.+]] = arith.constant 2.000000e+00 : f32
// CHECK: %[[U:.+]] = sluice.gemm %[[X]], %[[A]] : (tensor<?x16xf32>, tensor<16x6xf32>) -> tensor<?x6xf32>
// CHECK: %[[US:.+]] = linalg.generic {{.+}} ins(%[[U]] : tensor<?x6xf32>)
// CHECK: arith.mulf %{{.+}}, %[[TWO]] : f32
// CHECK: %[[Y:.+]] = sluice.gemm %[[X]], %[[W]] lowrank(%[[US]], %[[B]])
// CHECK-NOT: sluice.lora_matmul
// CHECK: return %[[Y]]
func.func @lora_scale(%x: tensor<?x16xf32>, %w: tensor<16x12xf32>, %a: tensor<16x6xf32>, %b: tensor<6x12xf32>) -> tensor<?x12xf32> {
  %y = sluice.lora_matmul %x, %w, %a, %b {scale = 2.0 : f32}
      : (tensor<?x16xf32>, tensor<16x12xf32>, tensor<16x6xf32>, tensor<6x12xf32>) -> tensor<?x12xf32>
  return %y : tensor<?x12xf32>
}

// active_rank 4 of 6: the first 4 columns of a, entries of the fixed gates
// and rows of b; the bias goes to the base GEMM.
// CHECK-LABEL: func.func @lora_active_fixed_gates
// CHECK-SAME: (%[[X:.+]]: tensor<?x16xf32>, %[[W:.+]]: tensor<16x12xf32>, %[[A:.+]]: tensor<16x6xf32>, %[[B:.+]]: tensor<6x12xf32>, %[[BIAS:.+]]: tensor<12xf32>, %[[G:.+]]: tensor<6xf32>)
// CHECK: %[[A4:.+]] = tensor.extract_slice %[[A]][0, 0] [16, 4] [1, 1] : tensor<16x6xf32> to tensor<16x4xf32>
// CHECK: %[[U:.+]] = sluice.gemm %[[X]], %[[A4]] : (tensor<?x16xf32>, tensor<16x4xf32>) -> tensor<?x4xf32>
// CHECK: %[[G4:.+]] = tensor.extract_slice %[[G]][0] [4] [1] : tensor<6xf32> to tensor<4xf32>
// CHECK: %[[US:.+]] = linalg.generic {{.+}} ins(%[[U]], %[[G4]] : tensor<?x4xf32>, tensor<4xf32>)
// CHECK: %[[B4:.+]] = tensor.extract_slice %[[B]][0, 0] [4, 12] [1, 1] : tensor<6x12xf32> to tensor<4x12xf32>
// CHECK: %[[Y:.+]] = sluice.gemm %[[X]], %[[W]] bias(%[[BIAS]]) lowrank(%[[US]], %[[B4]])
// CHECK: return %[[Y]]
func.func @lora_active_fixed_gates(%x: tensor<?x16xf32>, %w: tensor<16x12xf32>, %a: tensor<16x6xf32>, %b: tensor<6x12xf32>, %bias: tensor<12xf32>, %g: tensor<6xf32>) -> tensor<?x12xf32> {
  %y = sluice.lora_matmul %x, %w, %a, %b bias(%bias) rank_gates(%g) {active_rank = 4 : i64, scale = 0.5 : f32}
      : (tensor<?x16xf32>, tensor<16x12xf32>, tensor<16x6xf32>, tensor<6x12xf32>, tensor<12xf32>, tensor<6xf32>) -> tensor<?x12xf32>
  return %y : tensor<?x12xf32>
}

// Per-token gates of their own dynamic token count: checked against x with
// the op's message; on a mismatch zeros of x's token count are read.
// CHECK-LABEL: func.func @lora_token_gates
// CHECK-SAME: (%[[X:.+]]: tensor<?x16xf32>, %[[W:.+]]: tensor<16x12xf32>, %[[A:.+]]: tensor<16x6xf32>, %[[B:.+]]: tensor<6x12xf32>, %[[G:.+]]: tensor<?x6xf32>)
// CHECK: %[[MSG:.+]] = llvm.mlir.addressof @[[MSGSYM:.+]] : !llvm.ptr
// CHECK: %[[T:.+]] = tensor.dim %[[X]]
// CHECK: %[[TG:.+]] = tensor.dim %[[G]]
// CHECK: %[[BAD:.+]] = arith.cmpi ne, %[[TG]], %[[T]] : index
// CHECK: scf.if %[[BAD]] {
// CHECK: func.call @sluice_rt_error(%[[MSG]],
// CHECK: %[[ZERO:.+]] = linalg.fill
// CHECK: %[[GS:.+]] = arith.select %[[BAD]], %[[ZERO]], %[[G]] : tensor<?x6xf32>
// CHECK: %[[U:.+]] = sluice.gemm %[[X]], %[[A]]
// CHECK: %[[US:.+]] = linalg.generic {{.+}} ins(%[[U]], %[[GS]] : tensor<?x6xf32>, tensor<?x6xf32>)
// CHECK: sluice.gemm %[[X]], %[[W]] lowrank(%[[US]], %[[B]])
func.func @lora_token_gates(%x: tensor<?x16xf32>, %w: tensor<16x12xf32>, %a: tensor<16x6xf32>, %b: tensor<6x12xf32>, %g: tensor<?x6xf32>) -> tensor<?x12xf32> {
  %y = sluice.lora_matmul %x, %w, %a, %b rank_gates(%g)
      : (tensor<?x16xf32>, tensor<16x12xf32>, tensor<16x6xf32>, tensor<6x12xf32>, tensor<?x6xf32>) -> tensor<?x12xf32>
  return %y : tensor<?x12xf32>
}

// Scale 1 without gates: no elementwise op between the two GEMMs.
// CHECK-LABEL: func.func @lora_plain
// CHECK-SAME: (%[[X:.+]]: tensor<4x16xf32>, %[[W:.+]]: tensor<16x12xf32>, %[[A:.+]]: tensor<16x6xf32>, %[[B:.+]]: tensor<6x12xf32>)
// CHECK-NEXT: %[[U:.+]] = sluice.gemm %[[X]], %[[A]] : (tensor<4x16xf32>, tensor<16x6xf32>) -> tensor<4x6xf32>
// CHECK-NEXT: %[[Y:.+]] = sluice.gemm %[[X]], %[[W]] lowrank(%[[U]], %[[B]])
// CHECK-NEXT: return %[[Y]]
func.func @lora_plain(%x: tensor<4x16xf32>, %w: tensor<16x12xf32>, %a: tensor<16x6xf32>, %b: tensor<6x12xf32>) -> tensor<4x12xf32> {
  %y = sluice.lora_matmul %x, %w, %a, %b
      : (tensor<4x16xf32>, tensor<16x12xf32>, tensor<16x6xf32>, tensor<6x12xf32>) -> tensor<4x12xf32>
  return %y : tensor<4x12xf32>
}

// Not fused: a dynamic rank (active_rank <= r is a run-time check of the
// scalar lowering).
// CHECK-LABEL: func.func @lora_dynamic_rank
// CHECK: sluice.lora_matmul
// CHECK-NOT: sluice.gemm
func.func @lora_dynamic_rank(%x: tensor<?x16xf32>, %w: tensor<16x12xf32>, %a: tensor<16x?xf32>, %b: tensor<?x12xf32>) -> tensor<?x12xf32> {
  %y = sluice.lora_matmul %x, %w, %a, %b {active_rank = 4 : i64}
      : (tensor<?x16xf32>, tensor<16x12xf32>, tensor<16x?xf32>, tensor<?x12xf32>) -> tensor<?x12xf32>
  return %y : tensor<?x12xf32>
}

// Not fused: static per-token gates against a dynamic x (the scalar
// lowering's message names x as the mismatching operand).
// CHECK-LABEL: func.func @lora_static_gates_dynamic_x
// CHECK: sluice.lora_matmul
// CHECK-NOT: sluice.gemm
func.func @lora_static_gates_dynamic_x(%x: tensor<?x16xf32>, %w: tensor<16x12xf32>, %a: tensor<16x6xf32>, %b: tensor<6x12xf32>, %g: tensor<7x6xf32>) -> tensor<?x12xf32> {
  %y = sluice.lora_matmul %x, %w, %a, %b rank_gates(%g)
      : (tensor<?x16xf32>, tensor<16x12xf32>, tensor<16x6xf32>, tensor<6x12xf32>, tensor<7x6xf32>) -> tensor<?x12xf32>
  return %y : tensor<?x12xf32>
}

// Low rank: two GEMMs, the bias on the second.
// CHECK-LABEL: func.func @lowrank
// CHECK-SAME: (%[[X:.+]]: tensor<?x24xf32>, %[[U:.+]]: tensor<24x8xf32>, %[[V:.+]]: tensor<8x10xf32>, %[[BIAS:.+]]: tensor<10xf32>)
// CHECK-NEXT: %[[H:.+]] = sluice.gemm %[[X]], %[[U]] : (tensor<?x24xf32>, tensor<24x8xf32>) -> tensor<?x8xf32>
// CHECK-NEXT: %[[Y:.+]] = sluice.gemm %[[H]], %[[V]] bias(%[[BIAS]])
// CHECK-NEXT: return %[[Y]]
func.func @lowrank(%x: tensor<?x24xf32>, %u: tensor<24x8xf32>, %v: tensor<8x10xf32>, %bias: tensor<10xf32>) -> tensor<?x10xf32> {
  %y = sluice.lowrank_matmul %x, %u, %v bias(%bias)
      : (tensor<?x24xf32>, tensor<24x8xf32>, tensor<8x10xf32>, tensor<10xf32>) -> tensor<?x10xf32>
  return %y : tensor<?x10xf32>
}

// Not fused: x's feature count is dynamic (checked at run time by the
// scalar lowering).
// CHECK-LABEL: func.func @lowrank_dynamic_k
// CHECK: sluice.lowrank_matmul
// CHECK-NOT: sluice.gemm
func.func @lowrank_dynamic_k(%x: tensor<?x?xf32>, %u: tensor<24x8xf32>, %v: tensor<8x10xf32>) -> tensor<?x10xf32> {
  %y = sluice.lowrank_matmul %x, %u, %v
      : (tensor<?x?xf32>, tensor<24x8xf32>, tensor<8x10xf32>) -> tensor<?x10xf32>
  return %y : tensor<?x10xf32>
}

// Multi-LoRA (SGMV): ids and gates checked against x; every id checked in
// [-1, L); per slot its segment (id, or L = 4 for no adapter) and g * s[id];
// route over L + 1 segments; the base GEMM, a gathered grouped GEMM with a
// and a scattered, scaled grouped GEMM with b accumulating into the base.
// CHECK-LABEL: func.func @multi
// CHECK-SAME: (%[[X:.+]]: tensor<?x16xf32>, %[[W:.+]]: tensor<16x12xf32>, %[[A:.+]]: tensor<4x16x3xf32>, %[[B:.+]]: tensor<4x3x12xf32>, %[[IDS:.+]]: tensor<?x2xi32>, %[[G:.+]]: tensor<?x2xf32>, %[[S:.+]]: tensor<4xf32>, %[[BIAS:.+]]: tensor<12xf32>)
// CHECK-DAG: %[[L:.+]] = arith.constant 4 : i32
// CHECK-DAG: %[[LI:.+]] = arith.constant 4 : index
// CHECK: %[[IDSOK:.+]] = arith.select %{{.+}}, %{{.+}}, %[[IDS]] : tensor<?x2xi32>
// CHECK: %[[GOK:.+]] = arith.select %{{.+}}, %{{.+}}, %[[G]] : tensor<?x2xf32>
// CHECK: scf.for
// CHECK: scf.for
// CHECK: tensor.extract %[[IDSOK]]
// CHECK: func.call @sluice_rt_error
// CHECK: %[[SLOT:.+]]:2 = linalg.generic {{.+}} ins(%[[IDSOK]], %[[GOK]] : tensor<?x2xi32>, tensor<?x2xf32>)
// CHECK: arith.select %{{.+}}, %{{.+}}, %[[L]] : i32
// CHECK: tensor.extract %[[S]]
// CHECK: %{{.+}}, %[[OFF:.+]], %[[SLOTS:.+]], %{{.+}} = sluice.route %[[SLOT]]#0, %[[SLOT]]#1 {num_experts = 5 : i64}
// CHECK: %[[LIVE:.+]] = tensor.extract %[[OFF]][%[[LI]]] : tensor<6xi32>
// CHECK: %[[LIVEI:.+]] = arith.index_cast %[[LIVE]] : i32 to index
// CHECK: %[[ROWS:.+]] = tensor.extract_slice %[[SLOTS]][0] [%[[LIVEI]]] [1] : tensor<?xi32> to tensor<?xi32>
// CHECK: %[[GROUPS:.+]] = tensor.extract_slice %[[OFF]][0] [5] [1] : tensor<6xi32> to tensor<5xi32>
// CHECK: %[[COEF:.+]] = tensor.collapse_shape %[[SLOT]]#1 {{\[}}[0, 1]] : tensor<?x2xf32> into tensor<?xf32>
// CHECK: %[[BASE:.+]] = sluice.gemm %[[X]], %[[W]] bias(%[[BIAS]])
// CHECK: %[[U:.+]] = sluice.gemm %[[X]], %[[A]] groups(%[[GROUPS]]) gather(%[[ROWS]]) {a_div = 2 : i64}
// CHECK: %[[Y:.+]] = sluice.gemm %[[U]], %[[B]] groups(%[[GROUPS]]) scatter(%[[ROWS]]) scale(%[[COEF]]) init(%[[BASE]]) {accumulate, c_div = 2 : i64}
// CHECK: return %[[Y]]
func.func @multi(%x: tensor<?x16xf32>, %w: tensor<16x12xf32>, %a: tensor<4x16x3xf32>, %b: tensor<4x3x12xf32>, %ids: tensor<?x2xi32>, %g: tensor<?x2xf32>, %s: tensor<4xf32>, %bias: tensor<12xf32>) -> tensor<?x12xf32> {
  %y = sluice.multi_lora_matmul %x, %w, %a, %b, %ids gates(%g) scales(%s) bias(%bias)
      : (tensor<?x16xf32>, tensor<16x12xf32>, tensor<4x16x3xf32>, tensor<4x3x12xf32>, tensor<?x2xi32>, tensor<?x2xf32>, tensor<4xf32>, tensor<12xf32>) -> tensor<?x12xf32>
  return %y : tensor<?x12xf32>
}

// Serving (m = 1, attribute scale, static token count): no token checks,
// the scale is a constant of the per-slot coefficients.
// CHECK-LABEL: func.func @multi_serving
// CHECK-DAG: %[[HALF:.+]] = arith.constant 5.000000e-01 : f32
// CHECK-NOT: arith.select %{{.+}} : tensor
// CHECK: linalg.generic
// CHECK: arith.select %{{.+}}, %[[HALF]], %{{.+}} : f32
// CHECK: sluice.route {{.+}} {num_experts = 5 : i64} : (tensor<8x1xi32>, tensor<8x1xf32>)
// CHECK: sluice.gemm {{.+}} gather
// CHECK-NOT: a_div
// CHECK: sluice.gemm {{.+}} scatter
func.func @multi_serving(%x: tensor<8x16xf32>, %w: tensor<16x12xf32>, %a: tensor<4x16x3xf32>, %b: tensor<4x3x12xf32>, %ids: tensor<8x1xi32>) -> tensor<8x12xf32> {
  %y = sluice.multi_lora_matmul %x, %w, %a, %b, %ids {scale = 0.5 : f32}
      : (tensor<8x16xf32>, tensor<16x12xf32>, tensor<4x16x3xf32>, tensor<4x3x12xf32>, tensor<8x1xi32>) -> tensor<8x12xf32>
  return %y : tensor<8x12xf32>
}

// Not fused: a dynamic adapter count.
// CHECK-LABEL: func.func @multi_dynamic_adapters
// CHECK: sluice.multi_lora_matmul
// CHECK-NOT: sluice.gemm
func.func @multi_dynamic_adapters(%x: tensor<?x16xf32>, %w: tensor<16x12xf32>, %a: tensor<?x16x3xf32>, %b: tensor<?x3x12xf32>, %ids: tensor<?x1xi32>) -> tensor<?x12xf32> {
  %y = sluice.multi_lora_matmul %x, %w, %a, %b, %ids
      : (tensor<?x16xf32>, tensor<16x12xf32>, tensor<?x16x3xf32>, tensor<?x3x12xf32>, tensor<?x1xi32>) -> tensor<?x12xf32>
  return %y : tensor<?x12xf32>
}
