// RUN: sluice-opt %s --sluice-fuse-moe-experts -split-input-file | FileCheck %s

// MoE++ (1 zero, 1 copy, 1 constant expert after 4 FFN experts) with a
// capacity: ids checked, special ids sent to the idle segment 4 of a route
// over 5 experts, the FFN experts in two gemms over the live slots
// slots[0 : offsets[4]] and groups offsets[0 : 5], the copy / constant
// contribution as the down gemm's init. No sluice.moe is left.
// CHECK-LABEL: func.func @moepp
// CHECK-SAME: (%[[X:[^:]+]]: tensor<?x8xf32>, %[[W:[^:]+]]: tensor<?x2xf32>, %[[I:[^:]+]]: tensor<?x2xi32>, %[[WG:[^:]+]]: tensor<4x8x12xf32>, %[[WU:[^:]+]]: tensor<4x8x12xf32>, %[[WD:[^:]+]]: tensor<4x12x8xf32>, %[[WC:[^:]+]]: tensor<1x8x2xf32>, %[[V:[^:]+]]: tensor<1x8xf32>)
// CHECK: call @sluice_rt_error
// CHECK: %[[SEG:.+]] = linalg.generic
// CHECK: arith.select %{{.+}}, %{{.+}}, %c4_i32 : i32
// CHECK: %{{.+}}, %[[OFF:.+]], %[[SLOTS:.+]], %{{.+}} = sluice.route %[[SEG]], %{{.+}} {capacity = 2 : i64, num_experts = 5 : i64}
// The constant expert's logits x . wc[c], its coefficients, the contribution.
// CHECK: linalg.generic {{.+}} iterator_types = ["parallel", "parallel", "reduction"]
// CHECK: tensor.extract %[[WC]]
// CHECK: math.exp
// CHECK: %[[S:.+]] = linalg.generic {{.+}} iterator_types = ["parallel", "parallel", "reduction"]
// CHECK: tensor.extract %[[V]]
// CHECK: %[[LIVE:.+]] = tensor.extract %[[OFF]][%c4{{.*}}] : tensor<6xi32>
// CHECK: %[[N:.+]] = arith.index_cast %[[LIVE]]
// CHECK: %[[LS:.+]] = tensor.extract_slice %[[SLOTS]][0] [%[[N]]] [1] : tensor<?xi32> to tensor<?xi32>
// CHECK: %[[G:.+]] = tensor.extract_slice %[[OFF]][0] [5] [1] : tensor<6xi32> to tensor<5xi32>
// CHECK: %[[H:.+]] = sluice.gemm %[[X]], %[[WG]] groups(%[[G]]) gather(%[[LS]]) up(%[[WU]]) {a_div = 2 : i64, act = #sluice.act<silu>}
// CHECK: %[[WF:.+]] = tensor.collapse_shape
// CHECK: %[[Y:.+]] = sluice.gemm %[[H]], %[[WD]] groups(%[[G]]) scatter(%[[LS]]) scale(%[[WF]]) init(%[[S]]) {accumulate, c_div = 2 : i64}
// CHECK: return %[[Y]]
// CHECK-NOT: sluice.moe %
func.func @moepp(%x: tensor<?x8xf32>, %w: tensor<?x2xf32>, %i: tensor<?x2xi32>,
    %wg: tensor<4x8x12xf32>, %wu: tensor<4x8x12xf32>, %wd: tensor<4x12x8xf32>,
    %wc: tensor<1x8x2xf32>, %v: tensor<1x8xf32>) -> tensor<?x8xf32> {
  %y = sluice.moe %x, %w, %i gate(%wg) up(%wu) down(%wd) const_wc(%wc) const_v(%v) {num_zero = 1 : i64, num_copy = 1 : i64, num_const = 1 : i64, capacity = 2 : i64}
      : (tensor<?x8xf32>, tensor<?x2xf32>, tensor<?x2xi32>, tensor<4x8x12xf32>, tensor<4x8x12xf32>, tensor<4x12x8xf32>, tensor<1x8x2xf32>, tensor<1x8xf32>) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}

// -----

// renormalize_kept alone (static T): the weights rescaled by two generics
// (sums over j, then w * sum / kept sum) feed the scatter's scale; no
// special contribution, so no init.
// CHECK-LABEL: func.func @renorm
// CHECK: sluice.route {{.+}} {capacity = 1 : i64, drop = #sluice.drop<by_weight>, num_experts = 5 : i64}
// CHECK: %[[SUMS:.+]]:2 = linalg.generic {{.+}} iterator_types = ["parallel", "reduction"]
// CHECK: %[[WR:.+]] = linalg.generic {{.+}} ins(%{{.+}}, %[[SUMS]]#0, %[[SUMS]]#1 :
// CHECK: arith.divf
// CHECK: sluice.gemm {{.+}} gather
// CHECK: %[[WF:.+]] = tensor.collapse_shape %[[WR]] {{\[\[}}0, 1]] : tensor<6x2xf32> into tensor<12xf32>
// CHECK: sluice.gemm {{.+}} scatter(%{{.+}}) scale(%[[WF]]) {accumulate, c_div = 2 : i64} : {{.+}} -> tensor<6x8xf32>
// CHECK-NOT: sluice.moe %
func.func @renorm(%x: tensor<6x8xf32>, %w: tensor<6x2xf32>, %i: tensor<6x2xi32>,
    %wg: tensor<4x8x12xf32>, %wd: tensor<4x12x8xf32>) -> tensor<6x8xf32> {
  %y = sluice.moe %x, %w, %i gate(%wg) down(%wd) {capacity = 1 : i64, drop = #sluice.drop<by_weight>, renormalize_kept = true}
      : (tensor<6x8xf32>, tensor<6x2xf32>, tensor<6x2xi32>, tensor<4x8x12xf32>, tensor<4x12x8xf32>) -> tensor<6x8xf32>
  return %y : tensor<6x8xf32>
}

// -----

// Shared experts with MoE++: the shared path is decomposed and fused, its
// down gemm accumulating into the routed result.
// CHECK-LABEL: func.func @shared
// CHECK: %[[R:.+]] = sluice.gemm {{.+}} scatter({{.+}}) scale({{.+}}) init({{.+}}) {accumulate, c_div = 2 : i64}
// CHECK: %[[SH:.+]] = sluice.gemm {{.+}} gather
// CHECK: %[[Y:.+]] = sluice.gemm %[[SH]], {{.+}} init(%[[R]]) {accumulate}
// CHECK: return %[[Y]]
// CHECK-NOT: linalg.add
func.func @shared(%x: tensor<?x8xf32>, %w: tensor<?x2xf32>, %i: tensor<?x2xi32>,
    %wg: tensor<4x8x12xf32>, %wd: tensor<4x12x8xf32>,
    %sg: tensor<1x8x6xf32>, %sd: tensor<1x6x8xf32>) -> tensor<?x8xf32> {
  %y = sluice.moe %x, %w, %i gate(%wg) down(%wd) shared_gate(%sg) shared_down(%sd) {num_copy = 2 : i64}
      : (tensor<?x8xf32>, tensor<?x2xf32>, tensor<?x2xi32>, tensor<4x8x12xf32>, tensor<4x12x8xf32>, tensor<1x8x6xf32>, tensor<1x6x8xf32>) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}

// -----

// Not fused here: a plain block (sluice-decompose-moe's), and a static
// token count in x with weights of dynamic count (checked per token).
// CHECK-LABEL: func.func @plain
// CHECK: sluice.moe %
// CHECK-NOT: sluice.gemm
// CHECK-LABEL: func.func @static_x_dynamic_w
// CHECK: sluice.moe %
// CHECK-NOT: sluice.gemm
func.func @plain(%x: tensor<?x8xf32>, %w: tensor<?x2xf32>, %i: tensor<?x2xi32>,
    %wg: tensor<4x8x12xf32>, %wd: tensor<4x12x8xf32>) -> tensor<?x8xf32> {
  %y = sluice.moe %x, %w, %i gate(%wg) down(%wd)
      : (tensor<?x8xf32>, tensor<?x2xf32>, tensor<?x2xi32>, tensor<4x8x12xf32>, tensor<4x12x8xf32>) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}
func.func @static_x_dynamic_w(%x: tensor<6x8xf32>, %w: tensor<?x2xf32>, %i: tensor<?x2xi32>,
    %wg: tensor<4x8x12xf32>, %wd: tensor<4x12x8xf32>) -> tensor<6x8xf32> {
  %y = sluice.moe %x, %w, %i gate(%wg) down(%wd) {num_zero = 1 : i64}
      : (tensor<6x8xf32>, tensor<?x2xf32>, tensor<?x2xi32>, tensor<4x8x12xf32>, tensor<4x12x8xf32>) -> tensor<6x8xf32>
  return %y : tensor<6x8xf32>
}
