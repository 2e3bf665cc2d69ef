// RUN: sluice-opt %s --sluice-fuse-moe-experts -split-input-file | FileCheck %s
// RUN: sluice-opt %s --sluice-fuse-moe-experts -split-input-file | FileCheck %s --check-prefix=COUNT
// RUN: sluice-opt %s --sluice-decompose-moe --sluice-fuse-moe-experts -split-input-file | FileCheck %s --check-prefix=E2E

// The decomposed SwiGLU expert path: dispatch + gate/up GEMMs + glu become
// one gathered GLU gemm, down GEMM + combine one scattered, scaled gemm.
// CHECK-LABEL: func.func @gated
// CHECK-SAME: (%[[X:[^:]+]]: tensor<?x64xf32>, %[[W:[^:]+]]: tensor<?x2xf32>, %[[IDX:[^:]+]]: tensor<?x2xi32>, %[[WG:[^:]+]]: tensor<8x64x128xf32>, %[[WU:[^:]+]]: tensor<8x64x128xf32>, %[[WD:[^:]+]]: tensor<8x128x64xf32>)
// CHECK: %{{.+}}, %[[OFF:.+]], %[[SLOTS:.+]], %[[KEEP:.+]] = sluice.route %[[IDX]], %[[W]]
// CHECK-NEXT: %[[H:.+]] = sluice.gemm %[[X]], %[[WG]] groups(%[[OFF]]) gather(%[[SLOTS]]) up(%[[WU]]) {a_div = 2 : i64, act = #sluice.act<gelu>} : (tensor<?x64xf32>, tensor<8x64x128xf32>, tensor<9xi32>, tensor<?xi32>, tensor<8x64x128xf32>) -> tensor<?x128xf32>
// CHECK-NEXT: %[[WFLAT:.+]] = tensor.collapse_shape %[[W]] {{\[\[}}0, 1]] : tensor<?x2xf32> into tensor<?xf32>
// CHECK-NEXT: %[[T:.+]] = tensor.dim %[[W]], %{{.+}} : tensor<?x2xf32>
// CHECK-NEXT: %[[Y:.+]] = sluice.gemm %[[H]], %[[WD]] groups(%[[OFF]]) scatter(%[[SLOTS]]) scale(%[[WFLAT]]) rows(%[[T]]) {accumulate, c_div = 2 : i64} : (tensor<?x128xf32>, tensor<8x128x64xf32>, tensor<9xi32>, tensor<?xi32>, tensor<?xf32>, index) -> tensor<?x64xf32>
// CHECK-NEXT: return %[[Y]]
// COUNT-LABEL: func.func @gated
// COUNT-COUNT-2: sluice.gemm
// COUNT-NOT: sluice.gemm
// COUNT-NOT: sluice.dispatch
// COUNT-NOT: sluice.grouped_matmul
// COUNT-NOT: sluice.glu
// COUNT-NOT: sluice.combine
// COUNT: return
func.func @gated(%x: tensor<?x64xf32>, %w: tensor<?x2xf32>, %idx: tensor<?x2xi32>,
                 %wg: tensor<8x64x128xf32>, %wu: tensor<8x64x128xf32>,
                 %wd: tensor<8x128x64xf32>) -> tensor<?x64xf32> {
  %c, %off, %slots, %keep = sluice.route %idx, %w {num_experts = 8 : i64, block = 4 : i64, capacity = 3 : i64}
      : (tensor<?x2xi32>, tensor<?x2xf32>) -> (tensor<8xi32>, tensor<9xi32>, tensor<?xi32>, tensor<?x2xi32>)
  %xs = sluice.dispatch %x, %slots {k = 2 : i64} : (tensor<?x64xf32>, tensor<?xi32>) -> tensor<?x64xf32>
  %g = sluice.grouped_matmul %xs, %wg, %off : (tensor<?x64xf32>, tensor<8x64x128xf32>, tensor<9xi32>) -> tensor<?x128xf32>
  %u = sluice.grouped_matmul %xs, %wu, %off : (tensor<?x64xf32>, tensor<8x64x128xf32>, tensor<9xi32>) -> tensor<?x128xf32>
  %h = sluice.glu %g, %u {act = #sluice.act<gelu>} : tensor<?x128xf32>
  %ys = sluice.grouped_matmul %h, %wd, %off : (tensor<?x128xf32>, tensor<8x128x64xf32>, tensor<9xi32>) -> tensor<?x64xf32>
  %y = sluice.combine %ys, %slots, %w keep(%keep) : (tensor<?x64xf32>, tensor<?xi32>, tensor<?x2xf32>, tensor<?x2xi32>) -> tensor<?x64xf32>
  return %y : tensor<?x64xf32>
}

// -----

// Ungated experts (glu with a fill of ones): gather + act, no up. Static T:
// no rows(...), the scale is [T*k].
// CHECK-LABEL: func.func @ungated_static
// CHECK: %{{.+}}, %[[OFF:.+]], %[[SLOTS:.+]], %{{.+}} = sluice.route
// CHECK-NEXT: %[[H:.+]] = sluice.gemm %{{.+}}, %{{.+}} groups(%[[OFF]]) gather(%[[SLOTS]]) {act = #sluice.act<relu>} : (tensor<5x16xf32>, tensor<4x16x32xf32>, tensor<5xi32>, tensor<?xi32>) -> tensor<?x32xf32>
// CHECK-NEXT: %[[WFLAT:.+]] = tensor.collapse_shape %{{.+}} {{\[\[}}0, 1]] : tensor<5x1xf32> into tensor<5xf32>
// CHECK-NEXT: %[[Y:.+]] = sluice.gemm %[[H]], %{{.+}} groups(%[[OFF]]) scatter(%[[SLOTS]]) scale(%[[WFLAT]]) {accumulate} : (tensor<?x32xf32>, tensor<4x32x16xf32>, tensor<5xi32>, tensor<?xi32>, tensor<5xf32>) -> tensor<5x16xf32>
// CHECK-NEXT: return %[[Y]]
// COUNT-LABEL: func.func @ungated_static
// COUNT-NOT: linalg.fill
// COUNT-NOT: sluice.glu
// COUNT: return
func.func @ungated_static(%x: tensor<5x16xf32>, %w: tensor<5x1xf32>, %idx: tensor<5x1xi32>,
                          %wg: tensor<4x16x32xf32>, %wd: tensor<4x32x16xf32>) -> tensor<5x16xf32> {
  %c, %off, %slots, %keep = sluice.route %idx, %w {num_experts = 4 : i64}
      : (tensor<5x1xi32>, tensor<5x1xf32>) -> (tensor<4xi32>, tensor<5xi32>, tensor<?xi32>, tensor<5x1xi32>)
  %xs = sluice.dispatch %x, %slots {k = 1 : i64} : (tensor<5x16xf32>, tensor<?xi32>) -> tensor<?x16xf32>
  %g = sluice.grouped_matmul %xs, %wg, %off : (tensor<?x16xf32>, tensor<4x16x32xf32>, tensor<5xi32>) -> tensor<?x32xf32>
  %c0 = arith.constant 0 : index
  %p = tensor.dim %g, %c0 : tensor<?x32xf32>
  %e = tensor.empty(%p) : tensor<?x32xf32>
  %one = arith.constant 1.0 : f32
  %ones = linalg.fill ins(%one : f32) outs(%e : tensor<?x32xf32>) -> tensor<?x32xf32>
  %h = sluice.glu %g, %ones {act = #sluice.act<relu>} : tensor<?x32xf32>
  %ys = sluice.grouped_matmul %h, %wd, %off : (tensor<?x32xf32>, tensor<4x32x16xf32>, tensor<5xi32>) -> tensor<?x16xf32>
  %y = sluice.combine %ys, %slots, %w keep(%keep) : (tensor<?x16xf32>, tensor<?xi32>, tensor<5x1xf32>, tensor<5x1xi32>) -> tensor<5x16xf32>
  return %y : tensor<5x16xf32>
}

// -----

// Shared experts: weights of ones need no scale, and the shared down GEMM
// accumulates into the routed result instead of a linalg.add.
// CHECK-LABEL: func.func @shared_into_routed
// CHECK: %[[ROUTED:.+]] = sluice.gemm %{{.+}} scatter(%{{.+}}) scale(%{{.+}}) rows(%{{.+}}) {accumulate, c_div = 2 : i64}
// CHECK: %[[SH:.+]] = sluice.gemm %{{.+}}, %{{.+}} groups(%{{.+}}) gather(%{{.+}}) up(%{{.+}}) {act = #sluice.act<silu>}
// CHECK-NEXT: %[[Y:.+]] = sluice.gemm %[[SH]], %{{.+}} groups(%{{.+}}) scatter(%{{.+}}) init(%[[ROUTED]]) {accumulate} : (tensor<?x24xf32>, tensor<1x24x16xf32>, tensor<2xi32>, tensor<?xi32>, tensor<?x16xf32>) -> tensor<?x16xf32>
// CHECK-NEXT: return %[[Y]]
// COUNT-LABEL: func.func @shared_into_routed
// COUNT-COUNT-4: sluice.gemm
// COUNT-NOT: sluice.gemm
// COUNT-NOT: linalg.add
// COUNT-NOT: sluice.combine
// COUNT: return
func.func @shared_into_routed(%x: tensor<?x16xf32>, %w: tensor<?x2xf32>, %idx: tensor<?x2xi32>,
    %wg: tensor<4x16x32xf32>, %wu: tensor<4x16x32xf32>, %wd: tensor<4x32x16xf32>,
    %sidx: tensor<?x1xi32>, %sg: tensor<1x16x24xf32>, %su: tensor<1x16x24xf32>, %sd: tensor<1x24x16xf32>) -> tensor<?x16xf32> {
  %c, %off, %slots, %keep = sluice.route %idx, %w {num_experts = 4 : i64}
      : (tensor<?x2xi32>, tensor<?x2xf32>) -> (tensor<4xi32>, tensor<5xi32>, tensor<?xi32>, tensor<?x2xi32>)
  %xs = sluice.dispatch %x, %slots {k = 2 : i64} : (tensor<?x16xf32>, tensor<?xi32>) -> tensor<?x16xf32>
  %g = sluice.grouped_matmul %xs, %wg, %off : (tensor<?x16xf32>, tensor<4x16x32xf32>, tensor<5xi32>) -> tensor<?x32xf32>
  %u = sluice.grouped_matmul %xs, %wu, %off : (tensor<?x16xf32>, tensor<4x16x32xf32>, tensor<5xi32>) -> tensor<?x32xf32>
  %h = sluice.glu %g, %u : tensor<?x32xf32>
  %ys = sluice.grouped_matmul %h, %wd, %off : (tensor<?x32xf32>, tensor<4x32x16xf32>, tensor<5xi32>) -> tensor<?x16xf32>
  %routed = sluice.combine %ys, %slots, %w keep(%keep) : (tensor<?x16xf32>, tensor<?xi32>, tensor<?x2xf32>, tensor<?x2xi32>) -> tensor<?x16xf32>
  %c0 = arith.constant 0 : index
  %t = tensor.dim %x, %c0 : tensor<?x16xf32>
  %e1 = tensor.empty(%t) : tensor<?x1xf32>
  %one = arith.constant 1.0 : f32
  %ones = linalg.fill ins(%one : f32) outs(%e1 : tensor<?x1xf32>) -> tensor<?x1xf32>
  %sc, %soff, %sslots, %skeep = sluice.route %sidx, %ones {num_experts = 1 : i64}
      : (tensor<?x1xi32>, tensor<?x1xf32>) -> (tensor<1xi32>, tensor<2xi32>, tensor<?xi32>, tensor<?x1xi32>)
  %sxs = sluice.dispatch %x, %sslots {k = 1 : i64} : (tensor<?x16xf32>, tensor<?xi32>) -> tensor<?x16xf32>
  %sg1 = sluice.grouped_matmul %sxs, %sg, %soff : (tensor<?x16xf32>, tensor<1x16x24xf32>, tensor<2xi32>) -> tensor<?x24xf32>
  %su1 = sluice.grouped_matmul %sxs, %su, %soff : (tensor<?x16xf32>, tensor<1x16x24xf32>, tensor<2xi32>) -> tensor<?x24xf32>
  %sh = sluice.glu %sg1, %su1 : tensor<?x24xf32>
  %sys = sluice.grouped_matmul %sh, %sd, %soff : (tensor<?x24xf32>, tensor<1x24x16xf32>, tensor<2xi32>) -> tensor<?x16xf32>
  %shared = sluice.combine %sys, %sslots, %ones keep(%skeep) : (tensor<?x16xf32>, tensor<?xi32>, tensor<?x1xf32>, tensor<?x1xi32>) -> tensor<?x16xf32>
  %e2 = tensor.empty(%t) : tensor<?x16xf32>
  %y = linalg.add ins(%routed, %shared : tensor<?x16xf32>, tensor<?x16xf32>) outs(%e2 : tensor<?x16xf32>) -> tensor<?x16xf32>
  return %y : tensor<?x16xf32>
}

// -----

// Not fused: combine's slots and keep come from another route than the
// down GEMM's offsets (the gate/up side still fuses: its route is one).
// CHECK-LABEL: func.func @combine_other_route
// CHECK: sluice.gemm {{.*}} gather(
// CHECK: %[[YS:.+]] = sluice.grouped_matmul
// CHECK-NEXT: sluice.combine %[[YS]]
// CHECK-NOT: scatter(
func.func @combine_other_route(%x: tensor<?x16xf32>, %w: tensor<?x2xf32>, %idx: tensor<?x2xi32>, %idx2: tensor<?x2xi32>,
                               %wg: tensor<4x16x32xf32>, %wu: tensor<4x16x32xf32>, %wd: tensor<4x32x16xf32>) -> tensor<?x16xf32> {
  %c, %off, %slots, %keep = sluice.route %idx, %w {num_experts = 4 : i64}
      : (tensor<?x2xi32>, tensor<?x2xf32>) -> (tensor<4xi32>, tensor<5xi32>, tensor<?xi32>, tensor<?x2xi32>)
  %c2, %off2, %slots2, %keep2 = sluice.route %idx2, %w {num_experts = 4 : i64}
      : (tensor<?x2xi32>, tensor<?x2xf32>) -> (tensor<4xi32>, tensor<5xi32>, tensor<?xi32>, tensor<?x2xi32>)
  %xs = sluice.dispatch %x, %slots {k = 2 : i64} : (tensor<?x16xf32>, tensor<?xi32>) -> tensor<?x16xf32>
  %g = sluice.grouped_matmul %xs, %wg, %off : (tensor<?x16xf32>, tensor<4x16x32xf32>, tensor<5xi32>) -> tensor<?x32xf32>
  %u = sluice.grouped_matmul %xs, %wu, %off : (tensor<?x16xf32>, tensor<4x16x32xf32>, tensor<5xi32>) -> tensor<?x32xf32>
  %h = sluice.glu %g, %u : tensor<?x32xf32>
  %ys = sluice.grouped_matmul %h, %wd, %off : (tensor<?x32xf32>, tensor<4x32x16xf32>, tensor<5xi32>) -> tensor<?x16xf32>
  %y = sluice.combine %ys, %slots2, %w keep(%keep2) : (tensor<?x16xf32>, tensor<?xi32>, tensor<?x2xf32>, tensor<?x2xi32>) -> tensor<?x16xf32>
  return %y : tensor<?x16xf32>
}

// -----

// Not fused: keep from another route than slots and offsets.
// CHECK-LABEL: func.func @keep_other_route
// CHECK: sluice.grouped_matmul
// CHECK-NEXT: sluice.combine
// CHECK-NOT: scatter(
func.func @keep_other_route(%h: tensor<?x32xf32>, %w: tensor<?x2xf32>, %idx: tensor<?x2xi32>, %idx2: tensor<?x2xi32>,
                            %wd: tensor<4x32x16xf32>) -> tensor<?x16xf32> {
  %c, %off, %slots, %keep = sluice.route %idx, %w {num_experts = 4 : i64, capacity = 2 : i64}
      : (tensor<?x2xi32>, tensor<?x2xf32>) -> (tensor<4xi32>, tensor<5xi32>, tensor<?xi32>, tensor<?x2xi32>)
  %c2, %off2, %slots2, %keep2 = sluice.route %idx2, %w {num_experts = 4 : i64, capacity = 2 : i64}
      : (tensor<?x2xi32>, tensor<?x2xf32>) -> (tensor<4xi32>, tensor<5xi32>, tensor<?xi32>, tensor<?x2xi32>)
  %ys = sluice.grouped_matmul %h, %wd, %off : (tensor<?x32xf32>, tensor<4x32x16xf32>, tensor<5xi32>) -> tensor<?x16xf32>
  %y = sluice.combine %ys, %slots, %w keep(%keep2) : (tensor<?x16xf32>, tensor<?xi32>, tensor<?x2xf32>, tensor<?x2xi32>) -> tensor<?x16xf32>
  return %y : tensor<?x16xf32>
}

// -----

// Not fused: the dispatched rows have a second user, and the down GEMM's
// result too; the per-slot (expert-choice) combine is never fused.
// CHECK-LABEL: func.func @second_users
// CHECK-NOT: sluice.gemm
// CHECK: %[[XS:.+]] = sluice.dispatch
// CHECK: sluice.grouped_matmul %[[XS]]
// CHECK: sluice.grouped_matmul %[[XS]]
// CHECK: sluice.glu
// CHECK: %[[YS:.+]] = sluice.grouped_matmul
// CHECK: sluice.combine %[[YS]]
// CHECK: sluice.combine %[[YS]], %{{.+}}, %{{.+}} tokens(
// CHECK-NOT: sluice.gemm
// CHECK: return
func.func @second_users(%x: tensor<?x16xf32>, %w: tensor<?x2xf32>, %idx: tensor<?x2xi32>,
                        %wg: tensor<4x16x32xf32>, %wu: tensor<4x16x32xf32>, %wd: tensor<4x32x16xf32>,
                        %sw: tensor<?xf32>) -> (tensor<?x16xf32>, tensor<?x16xf32>, tensor<?x16xf32>) {
  %c, %off, %slots, %keep = sluice.route %idx, %w {num_experts = 4 : i64}
      : (tensor<?x2xi32>, tensor<?x2xf32>) -> (tensor<4xi32>, tensor<5xi32>, tensor<?xi32>, tensor<?x2xi32>)
  %xs = sluice.dispatch %x, %slots {k = 2 : i64} : (tensor<?x16xf32>, tensor<?xi32>) -> tensor<?x16xf32>
  %g = sluice.grouped_matmul %xs, %wg, %off : (tensor<?x16xf32>, tensor<4x16x32xf32>, tensor<5xi32>) -> tensor<?x32xf32>
  %u = sluice.grouped_matmul %xs, %wu, %off : (tensor<?x16xf32>, tensor<4x16x32xf32>, tensor<5xi32>) -> tensor<?x32xf32>
  %h = sluice.glu %g, %u : tensor<?x32xf32>
  %ys = sluice.grouped_matmul %h, %wd, %off : (tensor<?x32xf32>, tensor<4x32x16xf32>, tensor<5xi32>) -> tensor<?x16xf32>
  %y = sluice.combine %ys, %slots, %w keep(%keep) : (tensor<?x16xf32>, tensor<?xi32>, tensor<?x2xf32>, tensor<?x2xi32>) -> tensor<?x16xf32>
  %c0 = arith.constant 0 : index
  %t = tensor.dim %x, %c0 : tensor<?x16xf32>
  %y2 = sluice.combine %ys, %slots, %sw tokens(%t) {k = 2 : i64} : (tensor<?x16xf32>, tensor<?xi32>, tensor<?xf32>, index) -> tensor<?x16xf32>
  return %y, %y2, %xs : tensor<?x16xf32>, tensor<?x16xf32>, tensor<?x16xf32>
}

// -----

// Not fused: offsets and dispatched slots from different routes.
// CHECK-LABEL: func.func @dispatch_other_route
// CHECK-NOT: sluice.gemm
// CHECK: sluice.glu
func.func @dispatch_other_route(%x: tensor<?x16xf32>, %w: tensor<?x2xf32>, %idx: tensor<?x2xi32>, %idx2: tensor<?x2xi32>,
                                %wg: tensor<4x16x32xf32>, %wu: tensor<4x16x32xf32>) -> tensor<?x32xf32> {
  %c, %off, %slots, %keep = sluice.route %idx, %w {num_experts = 4 : i64}
      : (tensor<?x2xi32>, tensor<?x2xf32>) -> (tensor<4xi32>, tensor<5xi32>, tensor<?xi32>, tensor<?x2xi32>)
  %c2, %off2, %slots2, %keep2 = sluice.route %idx2, %w {num_experts = 4 : i64}
      : (tensor<?x2xi32>, tensor<?x2xf32>) -> (tensor<4xi32>, tensor<5xi32>, tensor<?xi32>, tensor<?x2xi32>)
  %xs = sluice.dispatch %x, %slots2 {k = 2 : i64} : (tensor<?x16xf32>, tensor<?xi32>) -> tensor<?x16xf32>
  %g = sluice.grouped_matmul %xs, %wg, %off : (tensor<?x16xf32>, tensor<4x16x32xf32>, tensor<5xi32>) -> tensor<?x32xf32>
  %u = sluice.grouped_matmul %xs, %wu, %off : (tensor<?x16xf32>, tensor<4x16x32xf32>, tensor<5xi32>) -> tensor<?x32xf32>
  %h = sluice.glu %g, %u : tensor<?x32xf32>
  return %h : tensor<?x32xf32>
}

// -----

// A glu whose up operand is a fill of something other than 1 is left alone.
// CHECK-LABEL: func.func @up_fill_two
// CHECK-NOT: sluice.gemm
// CHECK: sluice.glu
func.func @up_fill_two(%x: tensor<?x16xf32>, %w: tensor<?x2xf32>, %idx: tensor<?x2xi32>,
                       %wg: tensor<4x16x32xf32>) -> tensor<?x32xf32> {
  %c, %off, %slots, %keep = sluice.route %idx, %w {num_experts = 4 : i64}
      : (tensor<?x2xi32>, tensor<?x2xf32>) -> (tensor<4xi32>, tensor<5xi32>, tensor<?xi32>, tensor<?x2xi32>)
  %xs = sluice.dispatch %x, %slots {k = 2 : i64} : (tensor<?x16xf32>, tensor<?xi32>) -> tensor<?x16xf32>
  %g = sluice.grouped_matmul %xs, %wg, %off : (tensor<?x16xf32>, tensor<4x16x32xf32>, tensor<5xi32>) -> tensor<?x32xf32>
  %c0 = arith.constant 0 : index
  %p = tensor.dim %g, %c0 : tensor<?x32xf32>
  %e = tensor.empty(%p) : tensor<?x32xf32>
  %two = arith.constant 2.0 : f32
  %twos = linalg.fill ins(%two : f32) outs(%e : tensor<?x32xf32>) -> tensor<?x32xf32>
  %h = sluice.glu %g, %twos : tensor<?x32xf32>
  return %h : tensor<?x32xf32>
}

// -----

// After sluice-decompose-moe (Qwen-MoE: SwiGLU experts with capacity, gated
// shared experts): two gemms per expert path, the shared down gemm
// accumulating into the routed one, nothing of the primitives left.
// E2E-LABEL: func.func @moe_qwen
// E2E-NOT: {{sluice.dispatch|sluice.grouped_matmul|sluice.glu|sluice.combine|sluice.moe|linalg.add}}
// E2E: %{{.+}}, %[[OFF:.+]], %[[SLOTS:.+]], %{{.+}} = sluice.route %{{.+}} {capacity = 3 : i64, num_experts = 8 : i64}
// E2E-NOT: {{sluice.dispatch|sluice.grouped_matmul|sluice.glu|sluice.combine|sluice.moe|linalg.add}}
// E2E: %[[H:.+]] = sluice.gemm %{{.+}} groups(%[[OFF]]) gather(%[[SLOTS]]) up(%{{.+}}) {a_div = 2 : i64, act = #sluice.act<silu>}
// E2E-NOT: {{sluice.dispatch|sluice.grouped_matmul|sluice.glu|sluice.combine|sluice.moe|linalg.add}}
// E2E: %[[ROUTED:.+]] = sluice.gemm %[[H]], %{{.+}} groups(%[[OFF]]) scatter(%[[SLOTS]]) scale(%{{.+}}) rows(%{{.+}}) {accumulate, c_div = 2 : i64}
// E2E-NOT: {{sluice.dispatch|sluice.grouped_matmul|sluice.glu|sluice.combine|sluice.moe|linalg.add}}
// E2E: %[[SW:.+]] = sluice.sigmoid_gate
// E2E-NOT: {{sluice.dispatch|sluice.grouped_matmul|sluice.glu|sluice.combine|sluice.moe|linalg.add}}
// E2E: %{{.+}}, %[[SOFF:.+]], %[[SSLOTS:.+]], %{{.+}} = sluice.route %{{.+}}, %[[SW]] {num_experts = 2 : i64}
// E2E-NOT: {{sluice.dispatch|sluice.grouped_matmul|sluice.glu|sluice.combine|sluice.moe|linalg.add}}
// E2E: %[[SH:.+]] = sluice.gemm %{{.+}} groups(%[[SOFF]]) gather(%[[SSLOTS]]) up(%{{.+}}) {a_div = 2 : i64, act = #sluice.act<silu>}
// E2E-NOT: {{sluice.dispatch|sluice.grouped_matmul|sluice.glu|sluice.combine|sluice.moe|linalg.add}}
// E2E: %[[SWFLAT:.+]] = tensor.collapse_shape %[[SW]]
// E2E-NOT: {{sluice.dispatch|sluice.grouped_matmul|sluice.glu|sluice.combine|sluice.moe|linalg.add}}
// E2E: %[[Y:.+]] = sluice.gemm %[[SH]], %{{.+}} groups(%[[SOFF]]) scatter(%[[SSLOTS]]) scale(%[[SWFLAT]]) init(%[[ROUTED]]) {accumulate, c_div = 2 : i64}
// E2E-NEXT: return %[[Y]]
// E2E-NOT: {{sluice.dispatch|sluice.grouped_matmul|sluice.glu|sluice.combine|sluice.moe|linalg.add}}
func.func @moe_qwen(%x: tensor<?x64xf32>, %w: tensor<?x2xf32>, %idx: tensor<?x2xi32>,
    %wg: tensor<8x64x128xf32>, %wu: tensor<8x64x128xf32>, %wd: tensor<8x128x64xf32>,
    %sg: tensor<2x64x96xf32>, %su: tensor<2x64x96xf32>, %sd: tensor<2x96x64xf32>,
    %sgw: tensor<2x64xf32>) -> tensor<?x64xf32> {
  %y = sluice.moe %x, %w, %idx gate(%wg) up(%wu) down(%wd) shared_gate(%sg)
      shared_up(%su) shared_down(%sd) shared_gate_w(%sgw) {capacity = 3 : i64}
      : (tensor<?x64xf32>, tensor<?x2xf32>, tensor<?x2xi32>, tensor<8x64x128xf32>,
         tensor<8x64x128xf32>, tensor<8x128x64xf32>, tensor<2x64x96xf32>, tensor<2x64x96xf32>,
         tensor<2x96x64xf32>, tensor<2x64xf32>) -> tensor<?x64xf32>
  return %y : tensor<?x64xf32>
}
