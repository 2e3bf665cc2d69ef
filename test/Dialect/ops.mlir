// Round trip of every op of the sluice dialect, in the custom form and through
// the generic form.
// RUN: sluice-opt %s | sluice-opt | FileCheck %s
// RUN: sluice-opt %s --mlir-print-op-generic | sluice-opt | FileCheck %s

//===----------------------------------------------------------------------===//
// Gating
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @topk_gate
// CHECK-SAME: (%[[L:.+]]: tensor<?x64xf32>, %[[B:.+]]: tensor<64xf32>)
func.func @topk_gate(%logits: tensor<?x64xf32>, %bias: tensor<64xf32>)
    -> (tensor<?x8xf32>, tensor<?x8xi32>) {
  // CHECK: sluice.topk_gate %[[L]] {k = 8 : i64} : (tensor<?x64xf32>) -> (tensor<?x8xf32>, tensor<?x8xi32>)
  %w0, %i0 = sluice.topk_gate %logits {k = 8 : i64}
      : (tensor<?x64xf32>) -> (tensor<?x8xf32>, tensor<?x8xi32>)
  // CHECK: sluice.topk_gate %[[L]] bias(%[[B]]) {group_score = #sluice.group_score<top2_sum>, groups = 8 : i64, k = 6 : i64, renormalize = true, scale = 2.500000e+00 : f32, score = #sluice.score<sigmoid>, topk_groups = 4 : i64}
  %w1, %i1 = sluice.topk_gate %logits bias(%bias) {k = 6 : i64,
      score = #sluice.score<sigmoid>, groups = 8 : i64, topk_groups = 4 : i64,
      group_score = #sluice.group_score<top2_sum>, renormalize = true,
      scale = 2.5 : f32} : (tensor<?x64xf32>, tensor<64xf32>)
      -> (tensor<?x6xf32>, tensor<?x6xi32>)
  // CHECK: sluice.topk_gate %[[L]] {k = 8 : i64, score = #sluice.score<softmax_topk>, temperature = 5.000000e-01 : f32}
  %w2, %i2 = sluice.topk_gate %logits {k = 8 : i64,
      score = #sluice.score<softmax_topk>, temperature = 0.5 : f32}
      : (tensor<?x64xf32>) -> (tensor<?x8xf32>, tensor<?x8xi32>)
  // A static token count refines the inferred `?`.
  // CHECK: sluice.topk_gate %{{.+}} {k = 2 : i64, score = #sluice.score<none>} : (tensor<4x64xf32>) -> (tensor<4x2xf32>, tensor<4x2xi32>)
  %c = tensor.cast %logits : tensor<?x64xf32> to tensor<4x64xf32>
  %w3, %i3 = sluice.topk_gate %c {k = 2 : i64, score = #sluice.score<none>}
      : (tensor<4x64xf32>) -> (tensor<4x2xf32>, tensor<4x2xi32>)
  return %w0, %i0 : tensor<?x8xf32>, tensor<?x8xi32>
}

// CHECK-LABEL: func.func @expert_choice_gate
func.func @expert_choice_gate(%logits: tensor<16x8xf32>, %dyn: tensor<?x8xf32>)
    -> (tensor<8x4xf32>, tensor<8x4xi32>) {
  // CHECK: sluice.expert_choice_gate %{{.+}} {capacity = 4 : i64} : (tensor<16x8xf32>) -> (tensor<8x4xf32>, tensor<8x4xi32>)
  %w, %t = sluice.expert_choice_gate %logits {capacity = 4 : i64}
      : (tensor<16x8xf32>) -> (tensor<8x4xf32>, tensor<8x4xi32>)
  // ceil(16 * 1.25 / 8) = 3.
  // CHECK: sluice.expert_choice_gate %{{.+}} {capacity_factor = 1.250000e+00 : f32} : (tensor<16x8xf32>) -> (tensor<8x3xf32>, tensor<8x3xi32>)
  %w1, %t1 = sluice.expert_choice_gate %logits {capacity_factor = 1.25 : f32}
      : (tensor<16x8xf32>) -> (tensor<8x3xf32>, tensor<8x3xi32>)
  // CHECK: sluice.expert_choice_gate %{{.+}} {capacity = 2 : i64} : (tensor<?x8xf32>) -> (tensor<8x?xf32>, tensor<8x?xi32>)
  %w2, %t2 = sluice.expert_choice_gate %dyn {capacity = 2 : i64}
      : (tensor<?x8xf32>) -> (tensor<8x?xf32>, tensor<8x?xi32>)
  return %w, %t : tensor<8x4xf32>, tensor<8x4xi32>
}

// CHECK-LABEL: func.func @glu
func.func @glu(%g: tensor<?x128xf32>, %u: tensor<?x128xf32>) -> tensor<?x128xf32> {
  // CHECK: sluice.glu %{{.+}}, %{{.+}} : tensor<?x128xf32>
  %0 = sluice.glu %g, %u : tensor<?x128xf32>
  // CHECK: sluice.glu %{{.+}}, %{{.+}} {act = #sluice.act<gelu_tanh>} : tensor<?x128xf32>
  %1 = sluice.glu %0, %u {act = #sluice.act<gelu_tanh>} : tensor<?x128xf32>
  return %1 : tensor<?x128xf32>
}

// CHECK-LABEL: func.func @sigmoid_gate
func.func @sigmoid_gate(%x: tensor<?x512xf32>, %h: tensor<?x8xf32>,
                        %e: tensor<?x512xf32>) -> tensor<?x512xf32> {
  // CHECK: sluice.sigmoid_gate %{{.+}}, %{{.+}} : tensor<?x512xf32>, tensor<?x8xf32>
  %0 = sluice.sigmoid_gate %x, %h : tensor<?x512xf32>, tensor<?x8xf32>
  // CHECK: sluice.sigmoid_gate %{{.+}}, %{{.+}} : tensor<?x512xf32>, tensor<?x512xf32>
  %1 = sluice.sigmoid_gate %0, %e : tensor<?x512xf32>, tensor<?x512xf32>
  return %1 : tensor<?x512xf32>
}

//===----------------------------------------------------------------------===//
// Routing
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @routing
func.func @routing(%x: tensor<?x64xf32>, %w: tensor<?x2xf32>,
                   %idx: tensor<?x2xi32>, %wg: tensor<8x64x128xf32>,
                   %wd: tensor<8x128x64xf32>) -> tensor<?x64xf32> {
  // CHECK: %[[C:.+]], %[[O:.+]], %[[S:.+]], %[[K:.+]] = sluice.route %{{.+}}, %{{.+}} {block = 4 : i64, capacity = 3 : i64, drop = #sluice.drop<by_choice>, num_experts = 8 : i64} : (tensor<?x2xi32>, tensor<?x2xf32>) -> (tensor<8xi32>, tensor<9xi32>, tensor<?xi32>, tensor<?x2xi32>)
  %c, %o, %s, %keep = sluice.route %idx, %w {num_experts = 8 : i64, block = 4 : i64,
      capacity = 3 : i64, drop = #sluice.drop<by_choice>}
      : (tensor<?x2xi32>, tensor<?x2xf32>)
      -> (tensor<8xi32>, tensor<9xi32>, tensor<?xi32>, tensor<?x2xi32>)
  // CHECK: %[[XS:.+]] = sluice.dispatch %{{.+}}, %[[S]] {k = 2 : i64} : (tensor<?x64xf32>, tensor<?xi32>) -> tensor<?x64xf32>
  %xs = sluice.dispatch %x, %s {k = 2 : i64}
      : (tensor<?x64xf32>, tensor<?xi32>) -> tensor<?x64xf32>
  // CHECK: %[[H:.+]] = sluice.grouped_matmul %[[XS]], %{{.+}}, %[[O]] : (tensor<?x64xf32>, tensor<8x64x128xf32>, tensor<9xi32>) -> tensor<?x128xf32>
  %h = sluice.grouped_matmul %xs, %wg, %o
      : (tensor<?x64xf32>, tensor<8x64x128xf32>, tensor<9xi32>) -> tensor<?x128xf32>
  // CHECK: %[[YS:.+]] = sluice.grouped_matmul %[[H]], %{{.+}}, %[[O]]
  %ys = sluice.grouped_matmul %h, %wd, %o
      : (tensor<?x128xf32>, tensor<8x128x64xf32>, tensor<9xi32>) -> tensor<?x64xf32>
  // CHECK: sluice.combine %[[YS]], %[[S]], %{{.+}} keep(%[[K]]) : (tensor<?x64xf32>, tensor<?xi32>, tensor<?x2xf32>, tensor<?x2xi32>) -> tensor<?x64xf32>
  %y = sluice.combine %ys, %s, %w keep(%keep)
      : (tensor<?x64xf32>, tensor<?xi32>, tensor<?x2xf32>, tensor<?x2xi32>) -> tensor<?x64xf32>
  return %y : tensor<?x64xf32>
}

// CHECK-LABEL: func.func @combine_per_slot
func.func @combine_per_slot(%ys: tensor<?x64xf32>, %slots: tensor<?xi32>,
                            %sw: tensor<?xf32>, %n: index) -> tensor<?x64xf32> {
  // CHECK: sluice.combine %{{.+}}, %{{.+}}, %{{.+}} tokens(%{{.+}}) {k = 1 : i64} : (tensor<?x64xf32>, tensor<?xi32>, tensor<?xf32>, index) -> tensor<?x64xf32>
  %y = sluice.combine %ys, %slots, %sw tokens(%n) {k = 1 : i64}
      : (tensor<?x64xf32>, tensor<?xi32>, tensor<?xf32>, index) -> tensor<?x64xf32>
  return %y : tensor<?x64xf32>
}

// CHECK-LABEL: func.func @moe
func.func @moe(%x: tensor<?x64xf32>, %w: tensor<?x2xf32>, %idx: tensor<?x2xi32>,
               %wg: tensor<8x64x128xf32>, %wu: tensor<8x64x128xf32>,
               %wd: tensor<8x128x64xf32>, %sg: tensor<2x64x96xf32>,
               %su: tensor<2x64x96xf32>, %sd: tensor<2x96x64xf32>,
               %sgw: tensor<2x64xf32>, %wc: tensor<1x64x2xf32>,
               %v: tensor<1x64xf32>) -> tensor<?x64xf32> {
  // CHECK: sluice.moe %{{.+}}, %{{.+}}, %{{.+}} gate(%{{.+}}) up(%{{.+}}) down(%{{.+}}) : (tensor<?x64xf32>, tensor<?x2xf32>, tensor<?x2xi32>, tensor<8x64x128xf32>, tensor<8x64x128xf32>, tensor<8x128x64xf32>) -> tensor<?x64xf32>
  %0 = sluice.moe %x, %w, %idx gate(%wg) up(%wu) down(%wd)
      : (tensor<?x64xf32>, tensor<?x2xf32>, tensor<?x2xi32>, tensor<8x64x128xf32>,
         tensor<8x64x128xf32>, tensor<8x128x64xf32>) -> tensor<?x64xf32>
  // CHECK: sluice.moe %{{.+}}, %{{.+}}, %{{.+}} gate(%{{.+}}) down(%{{.+}}) {act = #sluice.act<gelu>, capacity = 4 : i64, drop = #sluice.drop<by_weight>, renormalize_kept = true}
  %1 = sluice.moe %0, %w, %idx gate(%wg) down(%wd) {act = #sluice.act<gelu>,
      capacity = 4 : i64, drop = #sluice.drop<by_weight>, renormalize_kept = true}
      : (tensor<?x64xf32>, tensor<?x2xf32>, tensor<?x2xi32>, tensor<8x64x128xf32>,
         tensor<8x128x64xf32>) -> tensor<?x64xf32>
  // CHECK: sluice.moe %{{.+}}, %{{.+}}, %{{.+}} gate(%{{.+}}) up(%{{.+}}) down(%{{.+}}) shared_gate(%{{.+}}) shared_up(%{{.+}}) shared_down(%{{.+}}) shared_gate_w(%{{.+}}) const_wc(%{{.+}}) const_v(%{{.+}}) {num_const = 1 : i64, num_copy = 1 : i64, num_zero = 2 : i64}
  %2 = sluice.moe %1, %w, %idx gate(%wg) up(%wu) down(%wd) shared_gate(%sg)
      shared_up(%su) shared_down(%sd) shared_gate_w(%sgw) const_wc(%wc) const_v(%v)
      {num_zero = 2 : i64, num_copy = 1 : i64, num_const = 1 : i64}
      : (tensor<?x64xf32>, tensor<?x2xf32>, tensor<?x2xi32>, tensor<8x64x128xf32>,
         tensor<8x64x128xf32>, tensor<8x128x64xf32>, tensor<2x64x96xf32>,
         tensor<2x64x96xf32>, tensor<2x96x64xf32>, tensor<2x64xf32>,
         tensor<1x64x2xf32>, tensor<1x64xf32>) -> tensor<?x64xf32>
  return %2 : tensor<?x64xf32>
}

// CHECK-LABEL: func.func @losses
func.func @losses(%p: tensor<?x8xf32>, %idx: tensor<?x2xi32>, %m: tensor<?xi1>,
                  %m8: tensor<?xi8>) -> (tensor<f32>, tensor<f32>) {
  // CHECK: sluice.load_balance_loss %{{.+}}, %{{.+}} : (tensor<?x8xf32>, tensor<?x2xi32>) -> tensor<f32>
  %0 = sluice.load_balance_loss %p, %idx
      : (tensor<?x8xf32>, tensor<?x2xi32>) -> tensor<f32>
  // CHECK: sluice.load_balance_loss %{{.+}}, %{{.+}} mask(%{{.+}}) : (tensor<?x8xf32>, tensor<?x2xi32>, tensor<?xi8>) -> tensor<f32>
  %1 = sluice.load_balance_loss %p, %idx mask(%m8)
      : (tensor<?x8xf32>, tensor<?x2xi32>, tensor<?xi8>) -> tensor<f32>
  // CHECK: sluice.router_z_loss %{{.+}} : (tensor<?x8xf32>) -> tensor<f32>
  %2 = sluice.router_z_loss %p : (tensor<?x8xf32>) -> tensor<f32>
  // CHECK: sluice.router_z_loss %{{.+}} mask(%{{.+}}) : (tensor<?x8xf32>, tensor<?xi1>) -> tensor<f32>
  %3 = sluice.router_z_loss %p mask(%m) : (tensor<?x8xf32>, tensor<?xi1>) -> tensor<f32>
  return %0, %3 : tensor<f32>, tensor<f32>
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @pool
func.func @pool(%x: tensor<?x?x768xf32>, %m: tensor<?x?xi1>, %len: tensor<?xi32>,
                %gp: tensor<4xf32>) -> tensor<?x768xf32> {
  // CHECK: sluice.pool %{{.+}} mask(%{{.+}}) {kind = #sluice.pool<mean>} : (tensor<?x?x768xf32>, tensor<?x?xi1>) -> tensor<?x768xf32>
  %0 = sluice.pool %x mask(%m) {kind = #sluice.pool<mean>}
      : (tensor<?x?x768xf32>, tensor<?x?xi1>) -> tensor<?x768xf32>
  // CHECK: sluice.pool %{{.+}} lengths(%{{.+}}) {kind = #sluice.pool<last>} : (tensor<?x?x768xf32>, tensor<?xi32>) -> tensor<?x768xf32>
  %1 = sluice.pool %x lengths(%len) {kind = #sluice.pool<last>}
      : (tensor<?x?x768xf32>, tensor<?xi32>) -> tensor<?x768xf32>
  // CHECK: sluice.pool %{{.+}} {eps = 1.000000e-03 : f32, kind = #sluice.pool<gem>, p = 4.000000e+00 : f32}
  %2 = sluice.pool %x {kind = #sluice.pool<gem>, p = 4.0 : f32, eps = 1.0e-3 : f32}
      : (tensor<?x?x768xf32>) -> tensor<?x768xf32>
  // CHECK: sluice.pool %{{.+}} mask(%{{.+}}) group_p(%{{.+}}) {groups = 4 : i64, kind = #sluice.pool<gem>} : (tensor<?x?x768xf32>, tensor<?x?xi1>, tensor<4xf32>) -> tensor<?x768xf32>
  %3 = sluice.pool %x mask(%m) group_p(%gp) {kind = #sluice.pool<gem>, groups = 4 : i64}
      : (tensor<?x?x768xf32>, tensor<?x?xi1>, tensor<4xf32>) -> tensor<?x768xf32>
  // CHECK: sluice.pool %{{.+}} {kind = #sluice.pool<lse>, r = 2.000000e+00 : f32}
  %4 = sluice.pool %x {kind = #sluice.pool<lse>, r = 2.0 : f32}
      : (tensor<?x?x768xf32>) -> tensor<?x768xf32>
  // CHECK: sluice.pool %{{.+}} {kind = #sluice.pool<max>}
  %5 = sluice.pool %x {kind = #sluice.pool<max>} : (tensor<?x?x768xf32>) -> tensor<?x768xf32>
  // CHECK: sluice.pool %{{.+}} {kind = #sluice.pool<min>}
  %6 = sluice.pool %x {kind = #sluice.pool<min>} : (tensor<?x?x768xf32>) -> tensor<?x768xf32>
  // CHECK: sluice.pool %{{.+}} {kind = #sluice.pool<sum>}
  %7 = sluice.pool %x {kind = #sluice.pool<sum>} : (tensor<?x?x768xf32>) -> tensor<?x768xf32>
  // CHECK: sluice.pool %{{.+}} {kind = #sluice.pool<first>}
  %8 = sluice.pool %x {kind = #sluice.pool<first>} : (tensor<?x?x768xf32>) -> tensor<?x768xf32>
  return %0 : tensor<?x768xf32>
}

// CHECK-LABEL: func.func @segment_pool
func.func @segment_pool(%x: tensor<?x768xf32>, %off: tensor<5xi32>,
                        %gp: tensor<2xf32>) -> tensor<4x768xf32> {
  // CHECK: sluice.segment_pool %{{.+}}, %{{.+}} {kind = #sluice.pool<mean>} : (tensor<?x768xf32>, tensor<5xi32>) -> tensor<4x768xf32>
  %0 = sluice.segment_pool %x, %off {kind = #sluice.pool<mean>}
      : (tensor<?x768xf32>, tensor<5xi32>) -> tensor<4x768xf32>
  // CHECK: sluice.segment_pool %{{.+}}, %{{.+}} group_p(%{{.+}}) {groups = 2 : i64, kind = #sluice.pool<gem>}
  %1 = sluice.segment_pool %x, %off group_p(%gp) {kind = #sluice.pool<gem>, groups = 2 : i64}
      : (tensor<?x768xf32>, tensor<5xi32>, tensor<2xf32>) -> tensor<4x768xf32>
  return %0 : tensor<4x768xf32>
}

// CHECK-LABEL: func.func @spatial
func.func @spatial(%x: tensor<?x256x13x13xf32>) -> (tensor<?x256x7x7xf32>, tensor<?x5376xf32>) {
  // CHECK: sluice.adaptive_pool %{{.+}} {output_size = array<i64: 7, 7>} : (tensor<?x256x13x13xf32>) -> tensor<?x256x7x7xf32>
  %0 = sluice.adaptive_pool %x {output_size = array<i64: 7, 7>}
      : (tensor<?x256x13x13xf32>) -> tensor<?x256x7x7xf32>
  // CHECK: sluice.adaptive_pool %{{.+}} {kind = #sluice.spatial_pool<max>, output_size = array<i64: 20, 3>} : (tensor<?x256x13x13xf32>) -> tensor<?x256x20x3xf32>
  %1 = sluice.adaptive_pool %x {kind = #sluice.spatial_pool<max>, output_size = array<i64: 20, 3>}
      : (tensor<?x256x13x13xf32>) -> tensor<?x256x20x3xf32>
  // 256 * (16 + 4 + 1) = 5376.
  // CHECK: sluice.spatial_pyramid_pool %{{.+}} {levels = array<i64: 4, 2, 1>} : (tensor<?x256x13x13xf32>) -> tensor<?x5376xf32>
  %2 = sluice.spatial_pyramid_pool %x {levels = array<i64: 4, 2, 1>}
      : (tensor<?x256x13x13xf32>) -> tensor<?x5376xf32>
  // CHECK: sluice.spatial_pyramid_pool %{{.+}} {kind = #sluice.spatial_pool<avg>, levels = array<i64: 3>} : (tensor<?x256x13x13xf32>) -> tensor<?x2304xf32>
  %3 = sluice.spatial_pyramid_pool %x {levels = array<i64: 3>, kind = #sluice.spatial_pool<avg>}
      : (tensor<?x256x13x13xf32>) -> tensor<?x2304xf32>
  return %0, %2 : tensor<?x256x7x7xf32>, tensor<?x5376xf32>
}

// CHECK-LABEL: func.func @attention_pool
func.func @attention_pool(%x: tensor<?x?x256xf32>, %q: tensor<2x256xf32>,
                          %w: tensor<256x256xf32>, %m: tensor<?x?xi1>)
    -> (tensor<?x2x256xf32>, tensor<?x1x256xf32>) {
  // CHECK: sluice.attention_pool %{{.+}}, %{{.+}} mask(%{{.+}}) {heads = 4 : i64} : (tensor<?x?x256xf32>, tensor<2x256xf32>, tensor<?x?xi1>) -> tensor<?x2x256xf32>
  %0 = sluice.attention_pool %x, %q mask(%m) {heads = 4 : i64}
      : (tensor<?x?x256xf32>, tensor<2x256xf32>, tensor<?x?xi1>) -> tensor<?x2x256xf32>
  // CHECK: sluice.attention_pool %{{.+}}, %{{.+}} {kind = #sluice.attention_pool<featurewise>} : (tensor<?x?x256xf32>, tensor<256x256xf32>) -> tensor<?x1x256xf32>
  %1 = sluice.attention_pool %x, %w {kind = #sluice.attention_pool<featurewise>}
      : (tensor<?x?x256xf32>, tensor<256x256xf32>) -> tensor<?x1x256xf32>
  return %0, %1 : tensor<?x2x256xf32>, tensor<?x1x256xf32>
}

//===----------------------------------------------------------------------===//
// Low rank
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @lora
func.func @lora(%x: tensor<?x64xf32>, %w: tensor<64x32xf32>, %a: tensor<64x8xf32>,
                %b: tensor<8x32xf32>, %bias: tensor<32xf32>, %g: tensor<8xf32>,
                %gt: tensor<?x8xf32>) -> tensor<?x32xf32> {
  // CHECK: sluice.lora_matmul %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}} {scale = 2.000000e+00 : f32} : (tensor<?x64xf32>, tensor<64x32xf32>, tensor<64x8xf32>, tensor<8x32xf32>) -> tensor<?x32xf32>
  %0 = sluice.lora_matmul %x, %w, %a, %b {scale = 2.0 : f32}
      : (tensor<?x64xf32>, tensor<64x32xf32>, tensor<64x8xf32>, tensor<8x32xf32>) -> tensor<?x32xf32>
  // CHECK: sluice.lora_matmul %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}} bias(%{{.+}}) rank_gates(%{{.+}}) {active_rank = 4 : i64}
  %1 = sluice.lora_matmul %x, %w, %a, %b bias(%bias) rank_gates(%g) {active_rank = 4 : i64}
      : (tensor<?x64xf32>, tensor<64x32xf32>, tensor<64x8xf32>, tensor<8x32xf32>,
         tensor<32xf32>, tensor<8xf32>) -> tensor<?x32xf32>
  // CHECK: sluice.lora_matmul %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}} rank_gates(%{{.+}}) : (tensor<?x64xf32>, tensor<64x32xf32>, tensor<64x8xf32>, tensor<8x32xf32>, tensor<?x8xf32>) -> tensor<?x32xf32>
  %2 = sluice.lora_matmul %x, %w, %a, %b rank_gates(%gt)
      : (tensor<?x64xf32>, tensor<64x32xf32>, tensor<64x8xf32>, tensor<8x32xf32>,
         tensor<?x8xf32>) -> tensor<?x32xf32>
  return %2 : tensor<?x32xf32>
}

// CHECK-LABEL: func.func @multi_lora
func.func @multi_lora(%x: tensor<?x64xf32>, %w: tensor<64x32xf32>,
                      %a: tensor<4x64x8xf32>, %b: tensor<4x8x32xf32>,
                      %ids: tensor<?x1xi32>, %ids2: tensor<?x2xi32>,
                      %g: tensor<?x2xf32>, %s: tensor<4xf32>,
                      %bias: tensor<32xf32>) -> tensor<?x32xf32> {
  // CHECK: sluice.multi_lora_matmul %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}} : (tensor<?x64xf32>, tensor<64x32xf32>, tensor<4x64x8xf32>, tensor<4x8x32xf32>, tensor<?x1xi32>) -> tensor<?x32xf32>
  %0 = sluice.multi_lora_matmul %x, %w, %a, %b, %ids
      : (tensor<?x64xf32>, tensor<64x32xf32>, tensor<4x64x8xf32>, tensor<4x8x32xf32>,
         tensor<?x1xi32>) -> tensor<?x32xf32>
  // CHECK: sluice.multi_lora_matmul %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}} gates(%{{.+}}) scales(%{{.+}}) bias(%{{.+}})
  %1 = sluice.multi_lora_matmul %x, %w, %a, %b, %ids2 gates(%g) scales(%s) bias(%bias)
      : (tensor<?x64xf32>, tensor<64x32xf32>, tensor<4x64x8xf32>, tensor<4x8x32xf32>,
         tensor<?x2xi32>, tensor<?x2xf32>, tensor<4xf32>, tensor<32xf32>) -> tensor<?x32xf32>
  // CHECK: sluice.multi_lora_matmul %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}} {scale = 5.000000e-01 : f32}
  %2 = sluice.multi_lora_matmul %x, %w, %a, %b, %ids {scale = 0.5 : f32}
      : (tensor<?x64xf32>, tensor<64x32xf32>, tensor<4x64x8xf32>, tensor<4x8x32xf32>,
         tensor<?x1xi32>) -> tensor<?x32xf32>
  return %1 : tensor<?x32xf32>
}

// CHECK-LABEL: func.func @lowrank
func.func @lowrank(%x: tensor<?x64xf32>, %u: tensor<64x8xf32>, %v: tensor<8x32xf32>,
                   %bias: tensor<32xf32>) -> tensor<?x32xf32> {
  // CHECK: sluice.lowrank_matmul %{{.+}}, %{{.+}}, %{{.+}} : (tensor<?x64xf32>, tensor<64x8xf32>, tensor<8x32xf32>) -> tensor<?x32xf32>
  %0 = sluice.lowrank_matmul %x, %u, %v
      : (tensor<?x64xf32>, tensor<64x8xf32>, tensor<8x32xf32>) -> tensor<?x32xf32>
  // CHECK: sluice.lowrank_matmul %{{.+}}, %{{.+}}, %{{.+}} bias(%{{.+}}) : (tensor<?x64xf32>, tensor<64x8xf32>, tensor<8x32xf32>, tensor<32xf32>) -> tensor<?x32xf32>
  %1 = sluice.lowrank_matmul %x, %u, %v bias(%bias)
      : (tensor<?x64xf32>, tensor<64x8xf32>, tensor<8x32xf32>, tensor<32xf32>) -> tensor<?x32xf32>
  return %1 : tensor<?x32xf32>
}

//===----------------------------------------------------------------------===//
// Sparse activation
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @sparse
func.func @sparse(%x: tensor<?x4096xf32>, %w: tensor<4096x1024xf32>,
                  %n: tensor<4096xf32>) -> tensor<?x1024xf32> {
  // CHECK: sluice.sparsify %{{.+}} {mode = #sluice.sparsify<threshold>, tau = 5.000000e-01 : f32} : (tensor<?x4096xf32>) -> tensor<?x4096xf32>
  %0 = sluice.sparsify %x {mode = #sluice.sparsify<threshold>, tau = 0.5 : f32}
      : (tensor<?x4096xf32>) -> tensor<?x4096xf32>
  // CHECK: sluice.sparsify %{{.+}} {k = 512 : i64, mode = #sluice.sparsify<topk>}
  %1 = sluice.sparsify %0 {mode = #sluice.sparsify<topk>, k = 512 : i64}
      : (tensor<?x4096xf32>) -> tensor<?x4096xf32>
  // CHECK: sluice.sparsify %{{.+}} wnorm(%{{.+}}) {k = 256 : i64, mode = #sluice.sparsify<wina>} : (tensor<?x4096xf32>, tensor<4096xf32>) -> tensor<?x4096xf32>
  %2 = sluice.sparsify %1 wnorm(%n) {mode = #sluice.sparsify<wina>, k = 256 : i64}
      : (tensor<?x4096xf32>, tensor<4096xf32>) -> tensor<?x4096xf32>
  // CHECK: sluice.sparse_matmul %{{.+}}, %{{.+}} {mode = #sluice.sparsify<threshold>, tau = 1.000000e-01 : f32} : (tensor<?x4096xf32>, tensor<4096x1024xf32>) -> tensor<?x1024xf32>
  %3 = sluice.sparse_matmul %2, %w {mode = #sluice.sparsify<threshold>, tau = 0.1 : f32}
      : (tensor<?x4096xf32>, tensor<4096x1024xf32>) -> tensor<?x1024xf32>
  // CHECK: sluice.sparse_matmul %{{.+}}, %{{.+}} {k = 100 : i64, mode = #sluice.sparsify<wina>} : (tensor<?x4096xf32>, tensor<4096x1024xf32>) -> tensor<?x1024xf32>
  %4 = sluice.sparse_matmul %x, %w {mode = #sluice.sparsify<wina>, k = 100 : i64}
      : (tensor<?x4096xf32>, tensor<4096x1024xf32>) -> tensor<?x1024xf32>
  // CHECK: sluice.sparse_matmul %{{.+}}, %{{.+}} wnorm(%{{.+}}) {k = 100 : i64, mode = #sluice.sparsify<wina>} : (tensor<?x4096xf32>, tensor<4096x1024xf32>, tensor<4096xf32>) -> tensor<?x1024xf32>
  %5 = sluice.sparse_matmul %x, %w wnorm(%n) {mode = #sluice.sparsify<wina>, k = 100 : i64}
      : (tensor<?x4096xf32>, tensor<4096x1024xf32>, tensor<4096xf32>) -> tensor<?x1024xf32>
  return %5 : tensor<?x1024xf32>
}

// CHECK-LABEL: func.func @topk
func.func @topk(%x: tensor<?x64xf32>, %y: tensor<2x?x16xf32>)
    -> (tensor<?x4xf32>, tensor<?x4xi32>) {
  // CHECK: sluice.topk %{{.+}} {k = 4 : i64} : (tensor<?x64xf32>) -> (tensor<?x4xf32>, tensor<?x4xi32>)
  %v, %i = sluice.topk %x {k = 4 : i64} : (tensor<?x64xf32>) -> (tensor<?x4xf32>, tensor<?x4xi32>)
  // CHECK: sluice.topk %{{.+}} {k = 0 : i64, largest = false} : (tensor<2x?x16xf32>) -> (tensor<2x?x0xf32>, tensor<2x?x0xi32>)
  %v2, %i2 = sluice.topk %y {k = 0 : i64, largest = false}
      : (tensor<2x?x16xf32>) -> (tensor<2x?x0xf32>, tensor<2x?x0xi32>)
  return %v, %i : tensor<?x4xf32>, tensor<?x4xi32>
}
