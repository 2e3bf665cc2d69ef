// RUN: sluice-opt %s --sluice-decompose-moe="special=1" -split-input-file -verify-diagnostics | FileCheck %s
// RUN: sluice-opt %s --sluice-decompose-moe -split-input-file 2>/dev/null | FileCheck %s --check-prefix=DEFAULT

// sluice-decompose-moe{special=1} (the CUDA pipelines): MoE++ zero / copy /
// constant experts and renormalize_kept through the routing primitives.
// The default (the CPU pipeline) leaves them to sluice-fuse-moe-experts.

// MoE++ (E = 4 FFN, 1 zero, 1 copy, 2 constant) with capacity and
// renormalize_kept: one route over all 8 experts (its range check is the
// per-token lowering's [0, 8)), the renormalized weights from its keep, the
// copy / constant contribution, the GEMM offsets [off[0..3], off[8]], the
// FFN slots' keep, the expert path, combine, + the contribution.
// CHECK-LABEL: func.func @moepp
// CHECK-SAME: (%[[X:[^:]+]]: tensor<?x8xf32>, %[[W:[^:]+]]: tensor<?x2xf32>, %[[IDX:[^:]+]]: tensor<?x2xi32>, %[[WG:[^:]+]]: tensor<4x8x12xf32>, %[[WU:[^:]+]]: tensor<4x8x12xf32>, %[[WD:[^:]+]]: tensor<4x12x8xf32>
// CHECK: %[[WG0:.+]] = arith.select %{{.+}}, %{{.+}}, %[[W]] : tensor<?x2xf32>
// CHECK: %[[IG:.+]] = arith.select %{{.+}}, %{{.+}}, %[[IDX]] : tensor<?x2xi32>
// CHECK: %{{.+}}, %[[OFF:.+]], %[[SLOTS:.+]], %[[KEEP:.+]] = sluice.route %[[IG]], %[[WG0]] {capacity = 2 : i64, num_experts = 8 : i64}
// CHECK-SAME: -> (tensor<8xi32>, tensor<9xi32>, tensor<?xi32>, tensor<?x2xi32>)
// The kept sums: FFN slots count when kept, special ids in [4, 8) always.
// CHECK: %[[SUMS:.+]]:2 = linalg.generic {{.+}} iterator_types = ["parallel", "reduction"]} ins(%[[WG0]], %[[IG]], %[[KEEP]] :
// CHECK: %[[WR:.+]] = linalg.generic {{.+}} ins(%[[WG0]], %[[SUMS]]#0, %[[SUMS]]#1 :
// CHECK: arith.divf
// CHECK: arith.cmpf oeq
// CHECK: arith.select
// Constant experts' softmax(x wc[c]) and the contribution with w'.
// CHECK: tensor.extract %{{.+}}[%{{.+}}, %{{.+}}, %{{.+}}] : tensor<2x8x2xf32>
// CHECK: ins(%[[IG]], %[[WR]],
// CHECK: math.exp
// CHECK: %[[S:.+]] = linalg.generic {{.+}} ins(%[[X]], %[[IG]],
// CHECK: tensor.extract %{{.+}} : tensor<2x8xf32>
// GEMM offsets: entry i < 4 is off[i], entry 4 is off[8] = P.
// CHECK: %[[GOFF:.+]] = linalg.generic {{.+}} outs(%{{.+}} : tensor<5xi32>)
// CHECK: %[[I:.+]] = linalg.index 0
// CHECK: %[[LT:.+]] = arith.cmpi slt, %[[I]], %c4
// CHECK: %[[AT:.+]] = arith.select %[[LT]], %[[I]], %c8
// CHECK: tensor.extract %[[OFF]][%[[AT]]] : tensor<9xi32>
// keep' = keep for ids in [0, 4), else 0.
// CHECK: %[[FK:.+]] = linalg.generic {{.+}} ins(%[[IG]], %[[KEEP]] :
// CHECK: %[[XS:.+]] = sluice.dispatch %[[X]], %[[SLOTS]] {k = 2 : i64}
// CHECK: %[[G:.+]] = sluice.grouped_matmul %[[XS]], %[[WG]], %[[GOFF]] : (tensor<?x8xf32>, tensor<4x8x12xf32>, tensor<5xi32>)
// CHECK: %[[U:.+]] = sluice.grouped_matmul %[[XS]], %[[WU]], %[[GOFF]]
// CHECK: %[[H:.+]] = sluice.glu %[[G]], %[[U]]
// CHECK: %[[YS:.+]] = sluice.grouped_matmul %[[H]], %[[WD]], %[[GOFF]]
// CHECK: %[[C:.+]] = sluice.combine %[[YS]], %[[SLOTS]], %[[WR]] keep(%[[FK]])
// CHECK: %[[Y:.+]] = linalg.add ins(%[[C]], %[[S]] :
// CHECK-NOT: sluice.moe
// CHECK: return %[[Y]]
// DEFAULT-LABEL: func.func @moepp
// DEFAULT: sluice.moe
func.func @moepp(%x: tensor<?x8xf32>, %w: tensor<?x2xf32>, %i: tensor<?x2xi32>,
    %wg: tensor<4x8x12xf32>, %wu: tensor<4x8x12xf32>, %wd: tensor<4x12x8xf32>,
    %wc: tensor<2x8x2xf32>, %v: tensor<2x8xf32>) -> tensor<?x8xf32> {
  %y = sluice.moe %x, %w, %i gate(%wg) up(%wu) down(%wd) const_wc(%wc) const_v(%v) {num_zero = 1 : i64, num_copy = 1 : i64, num_const = 2 : i64, capacity = 2 : i64, renormalize_kept = true}
      : (tensor<?x8xf32>, tensor<?x2xf32>, tensor<?x2xi32>, tensor<4x8x12xf32>, tensor<4x8x12xf32>, tensor<4x12x8xf32>, tensor<2x8x2xf32>, tensor<2x8xf32>) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}

// -----

// renormalize_kept alone (GShard): the route over the FFN experts only, its
// keep and offsets used as they are; no contribution, no offset rewrite.
// CHECK-LABEL: func.func @gshard
// CHECK: %{{.+}}, %[[OFF:.+]], %[[SLOTS:.+]], %[[KEEP:.+]] = sluice.route %{{.+}}, %[[W:[^ ]+]] {capacity = 3 : i64, drop = #sluice.drop<by_choice>, num_experts = 4 : i64}
// CHECK: %[[SUMS:.+]]:2 = linalg.generic {{.+}} ins(%[[W]], %{{.+}}, %[[KEEP]] :
// CHECK: %[[WR:.+]] = linalg.generic {{.+}} ins(%[[W]], %[[SUMS]]#0, %[[SUMS]]#1 :
// CHECK: %[[XS:.+]] = sluice.dispatch %{{.+}}, %[[SLOTS]] {k = 2 : i64}
// CHECK: %[[G:.+]] = sluice.grouped_matmul %[[XS]], %{{.+}}, %[[OFF]] : (tensor<?x8xf32>, tensor<4x8x12xf32>, tensor<5xi32>)
// CHECK: %[[Y:.+]] = sluice.combine %{{.+}}, %[[SLOTS]], %[[WR]] keep(%[[KEEP]])
// CHECK-NOT: linalg.add
// CHECK: return %[[Y]]
// DEFAULT-LABEL: func.func @gshard
// DEFAULT: sluice.moe
func.func @gshard(%x: tensor<?x8xf32>, %w: tensor<?x2xf32>, %i: tensor<?x2xi32>,
    %wg: tensor<4x8x12xf32>, %wd: tensor<4x12x8xf32>) -> tensor<?x8xf32> {
  %y = sluice.moe %x, %w, %i gate(%wg) down(%wd) {capacity = 3 : i64, drop = #sluice.drop<by_choice>, renormalize_kept = true}
      : (tensor<?x8xf32>, tensor<?x2xf32>, tensor<?x2xi32>, tensor<4x8x12xf32>, tensor<4x12x8xf32>) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}

// -----

// Zero and copy experts with shared experts: the route over E + 2 experts,
// the copy contribution added to combine's result, then the shared experts.
// CHECK-LABEL: func.func @zero_copy_shared
// CHECK: sluice.route %{{.+}}, %{{.+}} {num_experts = 6 : i64}
// CHECK: %[[S:.+]] = linalg.generic {{.+}} iterator_types = ["parallel", "parallel", "reduction"]} ins(%arg0,
// CHECK: %[[C:.+]] = sluice.combine
// CHECK: %[[Y:.+]] = linalg.add ins(%[[C]], %[[S]] :
// CHECK: sluice.route %{{.+}}, %{{.+}} {num_experts = 1 : i64}
// CHECK: %[[SH:.+]] = sluice.combine
// CHECK: %[[Y2:.+]] = linalg.add ins(%[[Y]], %[[SH]] :
// CHECK: return %[[Y2]]
func.func @zero_copy_shared(%x: tensor<?x8xf32>, %w: tensor<?x3xf32>, %i: tensor<?x3xi32>,
    %wg: tensor<4x8x12xf32>, %wd: tensor<4x12x8xf32>,
    %sg: tensor<1x8x6xf32>, %sd: tensor<1x6x8xf32>) -> tensor<?x8xf32> {
  %y = sluice.moe %x, %w, %i gate(%wg) down(%wd) shared_gate(%sg) shared_down(%sd) {num_zero = 1 : i64, num_copy = 1 : i64}
      : (tensor<?x8xf32>, tensor<?x3xf32>, tensor<?x3xi32>, tensor<4x8x12xf32>, tensor<4x12x8xf32>, tensor<1x8x6xf32>, tensor<1x6x8xf32>) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}

// -----

// A dynamic number of FFN experts: route needs num_experts at compile time.
func.func @dynamic_experts(%x: tensor<?x8xf32>, %w: tensor<?x2xf32>, %i: tensor<?x2xi32>,
    %wg: tensor<?x8x12xf32>, %wd: tensor<?x12x8xf32>) -> tensor<?x8xf32> {
  // expected-error @+1 {{'sluice.moe' op expects a static number of FFN experts (dim 0 of w_gate) to lower}}
  %y = sluice.moe %x, %w, %i gate(%wg) down(%wd) {renormalize_kept = true}
      : (tensor<?x8xf32>, tensor<?x2xf32>, tensor<?x2xi32>, tensor<?x8x12xf32>, tensor<?x12x8xf32>) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}
