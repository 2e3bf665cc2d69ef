// RUN: sluice-opt %s --sluice-decompose-moe=fuse-shared=1 --sluice-fuse-moe-experts -split-input-file | FileCheck %s
// RUN: sluice-opt %s --sluice-decompose-moe --sluice-fuse-moe-experts -split-input-file | FileCheck %s --check-prefix=DEFAULT

// DeepSeek-style: 2 shared experts of the routed width (F = 8) join the
// routed experts' calls. ONE gate/up gemm and ONE down gemm, whose groups
// are the route's 4 segments and 2 shared ones (D = k + 2 = 4 slots per
// token), the shared stacks read in place.
// CHECK-LABEL: func.func @deepseek
// CHECK-SAME: (%[[X:[^:]+]]: tensor<?x16xf32>, %{{[^:]+}}: tensor<?x2xf32>, %{{[^:]+}}: tensor<?x2xi32>, %[[WG:[^:]+]]: tensor<4x16x8xf32>, %[[WU:[^:]+]]: tensor<4x16x8xf32>, %[[WD:[^:]+]]: tensor<4x8x16xf32>, %[[SG:[^:]+]]: tensor<2x16x8xf32>, %[[SU:[^:]+]]: tensor<2x16x8xf32>, %[[SD:[^:]+]]: tensor<2x8x16xf32>)
// CHECK-NOT: sluice.gemm
// CHECK: sluice.route {{.+}} {num_experts = 5 : i64}
// CHECK-NOT: sluice.gemm
// CHECK: %[[SLOTS:.+]] = linalg.generic {{.+}} outs(%{{.+}} : tensor<?xi32>)
// CHECK-NOT: sluice.gemm
// CHECK: %[[G:.+]] = linalg.generic {{.+}} outs(%{{.+}} : tensor<7xi32>)
// CHECK-NOT: sluice.gemm
// CHECK: %[[SC2:.+]] = linalg.generic {{.+}} outs(%{{.+}} : tensor<?x4xf32>)
// CHECK: %[[SC:.+]] = tensor.collapse_shape %[[SC2]]
// CHECK: %[[H:.+]] = sluice.gemm %[[X]], %[[WG]] groups(%[[G]]) gather(%[[SLOTS]]) up(%[[WU]]) shared(%[[SG]]) shared_up(%[[SU]]) {a_div = 4 : i64, act = #sluice.act<silu>}
// CHECK: %[[Y:.+]] = sluice.gemm %[[H]], %[[WD]] groups(%[[G]]) scatter(%[[SLOTS]]) scale(%[[SC]]) rows(%{{.+}}) shared(%[[SD]]) {accumulate, c_div = 4 : i64}
// CHECK-NEXT: return %[[Y]]
// CHECK-NOT: sluice.gemm
// The decomposition without fuse-shared (the CUDA pipeline's) is unchanged:
// routed and shared experts have a route each.
// DEFAULT-LABEL: func.func @deepseek
// DEFAULT: sluice.route
// DEFAULT: sluice.route
// DEFAULT-NOT: {{ shared\(}}
// DEFAULT-LABEL: func.func @qwen
func.func @deepseek(%x: tensor<?x16xf32>, %w: tensor<?x2xf32>, %idx: tensor<?x2xi32>,
    %wg: tensor<4x16x8xf32>, %wu: tensor<4x16x8xf32>, %wd: tensor<4x8x16xf32>,
    %sg: tensor<2x16x8xf32>, %su: tensor<2x16x8xf32>, %sd: tensor<2x8x16xf32>) -> tensor<?x16xf32> {
  %y = sluice.moe %x, %w, %idx gate(%wg) up(%wu) down(%wd) shared_gate(%sg) shared_up(%su) shared_down(%sd)
      : (tensor<?x16xf32>, tensor<?x2xf32>, tensor<?x2xi32>, tensor<4x16x8xf32>, tensor<4x16x8xf32>,
         tensor<4x8x16xf32>, tensor<2x16x8xf32>, tensor<2x16x8xf32>, tensor<2x8x16xf32>) -> tensor<?x16xf32>
  return %y : tensor<?x16xf32>
}

// -----

// Qwen-style: 1 shared expert 4x the routed width, gated by
// sigmoid(x . s_gate_w): 4 chunk groups (D = 2 + 4), the shared down
// weights viewed as [4, 8, 16] (no copy), the sigmoid gates in the scale.
// CHECK-LABEL: func.func @qwen
// CHECK-SAME: %[[SG:[^:]+]]: tensor<1x16x32xf32>, %[[SU:[^:]+]]: tensor<1x16x32xf32>, %[[SD:[^:]+]]: tensor<1x32x16xf32>, %{{[^:]+}}: tensor<1x16xf32>)
// CHECK-NOT: sluice.gemm
// CHECK: linalg.generic {{.+}} outs(%{{.+}} : tensor<11xi32>)
// CHECK: sluice.sigmoid_gate
// CHECK-NOT: sluice.gemm
// CHECK: %[[H:.+]] = sluice.gemm {{.+}} shared(%[[SG]]) shared_up(%[[SU]]) {a_div = 6 : i64, act = #sluice.act<silu>}
// CHECK: %[[E:.+]] = tensor.expand_shape %[[SD]] {{\[\[}}0], [1, 2], [3]] {{.+}} : tensor<1x32x16xf32> into tensor<1x4x8x16xf32>
// CHECK: %[[V:.+]] = tensor.collapse_shape %[[E]] {{\[\[}}0, 1], [2], [3]] : tensor<1x4x8x16xf32> into tensor<4x8x16xf32>
// CHECK: %[[Y:.+]] = sluice.gemm %[[H]], {{.+}} shared(%[[V]]) {accumulate, c_div = 6 : i64}
// CHECK-NEXT: return %[[Y]]
func.func @qwen(%x: tensor<?x16xf32>, %w: tensor<?x2xf32>, %idx: tensor<?x2xi32>,
    %wg: tensor<6x16x8xf32>, %wu: tensor<6x16x8xf32>, %wd: tensor<6x8x16xf32>,
    %sg: tensor<1x16x32xf32>, %su: tensor<1x16x32xf32>, %sd: tensor<1x32x16xf32>,
    %sgw: tensor<1x16xf32>) -> tensor<?x16xf32> {
  %y = sluice.moe %x, %w, %idx gate(%wg) up(%wu) down(%wd) shared_gate(%sg) shared_up(%su) shared_down(%sd) shared_gate_w(%sgw)
      : (tensor<?x16xf32>, tensor<?x2xf32>, tensor<?x2xi32>, tensor<6x16x8xf32>, tensor<6x16x8xf32>,
         tensor<6x8x16xf32>, tensor<1x16x32xf32>, tensor<1x16x32xf32>, tensor<1x32x16xf32>, tensor<1x16xf32>) -> tensor<?x16xf32>
  return %y : tensor<?x16xf32>
}

// -----

// MoE++ with renormalize_kept and shared experts: the special experts'
// contribution is the combined down gemm's init.
// CHECK-LABEL: func.func @moepp_shared
// CHECK: sluice.route {{.+}} {capacity = 2 : i64, num_experts = 5 : i64}
// CHECK: %[[S:.+]] = linalg.generic {{.+}} iterator_types = ["parallel", "parallel", "reduction"]
// CHECK: %[[H:.+]] = sluice.gemm {{.+}} shared({{.+}}) {a_div = 3 : i64, act = #sluice.act<silu>}
// CHECK: %[[Y:.+]] = sluice.gemm %[[H]], {{.+}} init(%[[S]]) shared({{.+}}) {accumulate, c_div = 3 : i64}
// CHECK-NEXT: return %[[Y]]
func.func @moepp_shared(%x: tensor<?x8xf32>, %w: tensor<?x2xf32>, %i: tensor<?x2xi32>,
    %wg: tensor<4x8x12xf32>, %wd: tensor<4x12x8xf32>,
    %sg: tensor<1x8x12xf32>, %sd: tensor<1x12x8xf32>) -> tensor<?x8xf32> {
  %y = sluice.moe %x, %w, %i gate(%wg) down(%wd) shared_gate(%sg) shared_down(%sd) {num_copy = 2 : i64, capacity = 2 : i64, renormalize_kept = true}
      : (tensor<?x8xf32>, tensor<?x2xf32>, tensor<?x2xi32>, tensor<4x8x12xf32>, tensor<4x12x8xf32>, tensor<1x8x12xf32>, tensor<1x12x8xf32>) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}

// -----

// Must not fuse: a shared width (12) that is not a multiple of the routed
// one (8), shared experts gated while the routed ones are not, and a block
// marked sluice.no_fuse (a benchmark's baseline). Each keeps its own shared
// pair of calls: four gemms, no shared(...) operand.
// CHECK-LABEL: func.func @width_not_multiple
// CHECK-NOT: {{ shared\(}}
// CHECK-COUNT-4: sluice.gemm
// CHECK-NOT: {{ shared\(}}
// CHECK: return
func.func @width_not_multiple(%x: tensor<?x16xf32>, %w: tensor<?x2xf32>, %idx: tensor<?x2xi32>,
    %wg: tensor<4x16x8xf32>, %wu: tensor<4x16x8xf32>, %wd: tensor<4x8x16xf32>,
    %sg: tensor<1x16x12xf32>, %su: tensor<1x16x12xf32>, %sd: tensor<1x12x16xf32>) -> tensor<?x16xf32> {
  %y = sluice.moe %x, %w, %idx gate(%wg) up(%wu) down(%wd) shared_gate(%sg) shared_up(%su) shared_down(%sd)
      : (tensor<?x16xf32>, tensor<?x2xf32>, tensor<?x2xi32>, tensor<4x16x8xf32>, tensor<4x16x8xf32>,
         tensor<4x8x16xf32>, tensor<1x16x12xf32>, tensor<1x16x12xf32>, tensor<1x12x16xf32>) -> tensor<?x16xf32>
  return %y : tensor<?x16xf32>
}
// CHECK-LABEL: func.func @mixed_gating
// CHECK-NOT: {{ shared\(}}
// CHECK-COUNT-4: sluice.gemm
// CHECK-NOT: {{ shared\(}}
// CHECK: return
func.func @mixed_gating(%x: tensor<?x16xf32>, %w: tensor<?x2xf32>, %idx: tensor<?x2xi32>,
    %wg: tensor<4x16x8xf32>, %wd: tensor<4x8x16xf32>,
    %sg: tensor<1x16x8xf32>, %su: tensor<1x16x8xf32>, %sd: tensor<1x8x16xf32>) -> tensor<?x16xf32> {
  %y = sluice.moe %x, %w, %idx gate(%wg) down(%wd) shared_gate(%sg) shared_up(%su) shared_down(%sd)
      : (tensor<?x16xf32>, tensor<?x2xf32>, tensor<?x2xi32>, tensor<4x16x8xf32>,
         tensor<4x8x16xf32>, tensor<1x16x8xf32>, tensor<1x16x8xf32>, tensor<1x8x16xf32>) -> tensor<?x16xf32>
  return %y : tensor<?x16xf32>
}
// CHECK-LABEL: func.func @no_fuse
// CHECK-NOT: {{ shared\(}}
// CHECK-COUNT-4: sluice.gemm
// CHECK-NOT: {{ shared\(}}
// CHECK: return
func.func @no_fuse(%x: tensor<?x16xf32>, %w: tensor<?x2xf32>, %idx: tensor<?x2xi32>,
    %wg: tensor<4x16x8xf32>, %wu: tensor<4x16x8xf32>, %wd: tensor<4x8x16xf32>,
    %sg: tensor<2x16x8xf32>, %su: tensor<2x16x8xf32>, %sd: tensor<2x8x16xf32>) -> tensor<?x16xf32> {
  %y = sluice.moe %x, %w, %idx gate(%wg) up(%wu) down(%wd) shared_gate(%sg) shared_up(%su) shared_down(%sd) {sluice.no_fuse}
      : (tensor<?x16xf32>, tensor<?x2xf32>, tensor<?x2xi32>, tensor<4x16x8xf32>, tensor<4x16x8xf32>,
         tensor<4x8x16xf32>, tensor<2x16x8xf32>, tensor<2x16x8xf32>, tensor<2x8x16xf32>) -> tensor<?x16xf32>
  return %y : tensor<?x16xf32>
}
