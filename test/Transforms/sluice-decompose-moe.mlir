// RUN: sluice-opt %s --sluice-decompose-moe="block=4 report-skipped=true" -split-input-file -verify-diagnostics | FileCheck %s

// A gated (SwiGLU) MoE with capacity: route with the op's capacity and drop
// policy, gather, gate and up GEMMs, glu, down GEMM, weighted combine.
// CHECK-LABEL: func.func @gated
// CHECK-SAME: (%[[X:.+]]: tensor<?x64xf32>, %[[W:.+]]: tensor<?x2xf32>, %[[IDX:.+]]: tensor<?x2xi32>, %[[WG:.+]]: tensor<8x64x128xf32>, %[[WU:.+]]: tensor<8x64x128xf32>, %[[WD:.+]]: tensor<8x128x64xf32>)
// CHECK: %{{.+}}, %[[OFF:.+]], %[[SLOTS:.+]], %[[KEEP:.+]] = sluice.route %[[IDX]], %[[W]] {block = 4 : i64, capacity = 3 : i64, drop = #sluice.drop<by_choice>, num_experts = 8 : i64}
// CHECK: %[[XS:.+]] = sluice.dispatch %[[X]], %[[SLOTS]] {k = 2 : i64}
// CHECK: %[[G:.+]] = sluice.grouped_matmul %[[XS]], %[[WG]], %[[OFF]]
// CHECK: %[[U:.+]] = sluice.grouped_matmul %[[XS]], %[[WU]], %[[OFF]]
// CHECK: %[[H:.+]] = sluice.glu %[[G]], %[[U]] {act = #sluice.act<gelu>}
// CHECK: %[[YS:.+]] = sluice.grouped_matmul %[[H]], %[[WD]], %[[OFF]]
// CHECK: %[[Y:.+]] = sluice.combine %[[YS]], %[[SLOTS]], %[[W]] keep(%[[KEEP]])
// CHECK-NOT: sluice.moe
// CHECK: return %[[Y]]
func.func @gated(%x: tensor<?x64xf32>, %w: tensor<?x2xf32>, %idx: tensor<?x2xi32>,
                 %wg: tensor<8x64x128xf32>, %wu: tensor<8x64x128xf32>,
                 %wd: tensor<8x128x64xf32>) -> tensor<?x64xf32> {
  %y = sluice.moe %x, %w, %idx gate(%wg) up(%wu) down(%wd)
      {act = #sluice.act<gelu>, capacity = 3 : i64, drop = #sluice.drop<by_choice>}
      : (tensor<?x64xf32>, tensor<?x2xf32>, tensor<?x2xi32>, tensor<8x64x128xf32>,
         tensor<8x64x128xf32>, tensor<8x128x64xf32>) -> tensor<?x64xf32>
  return %y : tensor<?x64xf32>
}

// -----

// Ungated experts multiply act(g) by ones; gated shared experts (Qwen-MoE)
// route every token to every shared expert with weight sigmoid(x . s_gate_w).
// CHECK-LABEL: func.func @ungated_with_shared
// CHECK-SAME: (%[[X:.+]]: tensor<?x64xf32>, %[[W:.+]]: tensor<?x2xf32>, %[[IDX:.+]]: tensor<?x2xi32>, %[[WG:.+]]: tensor<8x64x128xf32>, %[[WD:.+]]: tensor<8x128x64xf32>, %[[SG:.+]]: tensor<2x64x96xf32>, %[[SU:.+]]: tensor<2x64x96xf32>, %[[SD:.+]]: tensor<2x96x64xf32>, %[[SGW:.+]]: tensor<2x64xf32>)
// CHECK-DAG: %[[IDS:.+]] = arith.constant dense<[0, 1]> : tensor<2xi32>
// CHECK-DAG: %[[ONE:.+]] = arith.constant 1.000000e+00 : f32
// CHECK: %{{.+}}, %[[OFF:.+]], %[[SLOTS:.+]], %[[KEEP:.+]] = sluice.route %[[IDX]], %[[W]] {block = 4 : i64, num_experts = 8 : i64}
// CHECK: %[[XS:.+]] = sluice.dispatch %[[X]], %[[SLOTS]] {k = 2 : i64}
// CHECK: %[[G:.+]] = sluice.grouped_matmul %[[XS]], %[[WG]], %[[OFF]]
// CHECK: %[[ONES:.+]] = linalg.fill ins(%[[ONE]] : f32) outs(%{{.+}} : tensor<?x128xf32>)
// CHECK: %[[H:.+]] = sluice.glu %[[G]], %[[ONES]] : tensor<?x128xf32>
// CHECK: %[[YS:.+]] = sluice.grouped_matmul %[[H]], %[[WD]], %[[OFF]]
// CHECK: %[[ROUTED:.+]] = sluice.combine %[[YS]], %[[SLOTS]], %[[W]] keep(%[[KEEP]])
// CHECK: %[[SIDX:.+]] = linalg.broadcast ins(%[[IDS]] : tensor<2xi32>) outs(%{{.+}} : tensor<?x2xi32>) dimensions = [0]
// CHECK: %[[SGWT:.+]] = linalg.transpose ins(%[[SGW]] : tensor<2x64xf32>)
// CHECK: %[[LOGITS:.+]] = linalg.matmul ins(%[[X]], %[[SGWT]] : tensor<?x64xf32>, tensor<64x2xf32>)
// CHECK: %[[SW:.+]] = sluice.sigmoid_gate %{{.+}}, %[[LOGITS]] : tensor<?x2xf32>, tensor<?x2xf32>
// CHECK: %{{.+}}, %[[SOFF:.+]], %[[SSLOTS:.+]], %[[SKEEP:.+]] = sluice.route %[[SIDX]], %[[SW]] {block = 4 : i64, num_experts = 2 : i64}
// CHECK: %[[SXS:.+]] = sluice.dispatch %[[X]], %[[SSLOTS]] {k = 2 : i64}
// CHECK: %[[SG1:.+]] = sluice.grouped_matmul %[[SXS]], %[[SG]], %[[SOFF]]
// CHECK: %[[SU1:.+]] = sluice.grouped_matmul %[[SXS]], %[[SU]], %[[SOFF]]
// CHECK: %[[SH:.+]] = sluice.glu %[[SG1]], %[[SU1]]
// CHECK: %[[SYS:.+]] = sluice.grouped_matmul %[[SH]], %[[SD]], %[[SOFF]]
// CHECK: %[[SHARED:.+]] = sluice.combine %[[SYS]], %[[SSLOTS]], %[[SW]] keep(%[[SKEEP]])
// CHECK: %[[Y:.+]] = linalg.add ins(%[[ROUTED]], %[[SHARED]] : tensor<?x64xf32>, tensor<?x64xf32>)
// CHECK: return %[[Y]]
func.func @ungated_with_shared(%x: tensor<?x64xf32>, %w: tensor<?x2xf32>, %idx: tensor<?x2xi32>,
    %wg: tensor<8x64x128xf32>, %wd: tensor<8x128x64xf32>, %sg: tensor<2x64x96xf32>,
    %su: tensor<2x64x96xf32>, %sd: tensor<2x96x64xf32>, %sgw: tensor<2x64xf32>) -> tensor<?x64xf32> {
  %y = sluice.moe %x, %w, %idx gate(%wg) down(%wd) shared_gate(%sg)
      shared_up(%su) shared_down(%sd) shared_gate_w(%sgw)
      : (tensor<?x64xf32>, tensor<?x2xf32>, tensor<?x2xi32>, tensor<8x64x128xf32>,
         tensor<8x128x64xf32>, tensor<2x64x96xf32>, tensor<2x64x96xf32>,
         tensor<2x96x64xf32>, tensor<2x64xf32>) -> tensor<?x64xf32>
  return %y : tensor<?x64xf32>
}

// -----

// Shared experts without a gate get weight 1.
// CHECK-LABEL: func.func @plain_shared
// CHECK: %[[ONES:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%{{.+}} : tensor<4x1xf32>)
// CHECK-NOT: sluice.sigmoid_gate
// CHECK: sluice.route %{{.+}}, %[[ONES]] {block = 4 : i64, num_experts = 1 : i64}
// CHECK: linalg.add
func.func @plain_shared(%x: tensor<4x64xf32>, %w: tensor<4x1xf32>, %idx: tensor<4x1xi32>,
    %wg: tensor<8x64x128xf32>, %wu: tensor<8x64x128xf32>, %wd: tensor<8x128x64xf32>,
    %sg: tensor<1x64x96xf32>, %sd: tensor<1x96x64xf32>) -> tensor<4x64xf32> {
  %y = sluice.moe %x, %w, %idx gate(%wg) up(%wu) down(%wd) shared_gate(%sg) shared_down(%sd)
      : (tensor<4x64xf32>, tensor<4x1xf32>, tensor<4x1xi32>, tensor<8x64x128xf32>,
         tensor<8x64x128xf32>, tensor<8x128x64xf32>, tensor<1x64x96xf32>,
         tensor<1x96x64xf32>) -> tensor<4x64xf32>
  return %y : tensor<4x64xf32>
}

// -----

// MoE++ zero-computation experts and renormalize_kept are left for fusion.
// CHECK-LABEL: func.func @left_alone
// CHECK: sluice.moe
// CHECK: sluice.moe
// CHECK-NOT: sluice.route
func.func @left_alone(%x: tensor<?x64xf32>, %w: tensor<?x2xf32>, %idx: tensor<?x2xi32>,
                      %wg: tensor<8x64x128xf32>, %wd: tensor<8x128x64xf32>) -> tensor<?x64xf32> {
  // expected-remark @+1 {{sluice.moe left for the fusion passes: zero-computation experts has no decomposition into routing primitives yet}}
  %0 = sluice.moe %x, %w, %idx gate(%wg) down(%wd) {num_zero = 1 : i64}
      : (tensor<?x64xf32>, tensor<?x2xf32>, tensor<?x2xi32>, tensor<8x64x128xf32>,
         tensor<8x128x64xf32>) -> tensor<?x64xf32>
  // expected-remark @+1 {{sluice.moe left for the fusion passes: renormalize_kept has no decomposition into routing primitives yet}}
  %1 = sluice.moe %0, %w, %idx gate(%wg) down(%wd) {capacity = 2 : i64, renormalize_kept = true}
      : (tensor<?x64xf32>, tensor<?x2xf32>, tensor<?x2xi32>, tensor<8x64x128xf32>,
         tensor<8x128x64xf32>) -> tensor<?x64xf32>
  return %1 : tensor<?x64xf32>
}

