// MoE++ zero / copy / constant experts and renormalize_kept on the fused
// path (sluice-fuse-moe-experts, FuseMoeSpecial.cpp): the FFN experts run
// in two sluice_uk_gemm calls (special ids go to an idle route segment that
// no GEMM reads), the copy / constant experts' contribution is the down
// GEMM's initial value, and no per-token MoE loop is left. Checked against
// the reference evaluator (it interprets the unfused sluice.moe) at
// T = 0, 1, 7, 33; out-of-range ids are the per-token lowering's error.

// RUN: sluicec compile %s --emit=mlir-lowered -o - | FileCheck %s --check-prefix=FUSED
// Routed GLU + down, shared GLU + down, shared gate logits.
// FUSED-LABEL: llvm.func @moepp_all(
// FUSED-COUNT-5: llvm.call @sluice_uk_gemm(
// FUSED-NOT: llvm.call @sluice_uk_gemm(
// FUSED-LABEL: llvm.func @copy_ungated(
// FUSED-COUNT-2: llvm.call @sluice_uk_gemm(
// FUSED-NOT: llvm.call @sluice_uk_gemm(
// FUSED-LABEL: llvm.func @zero_renorm(
// FUSED-COUNT-2: llvm.call @sluice_uk_gemm(
// FUSED-NOT: llvm.call @sluice_uk_gemm(
// FUSED: llvm.return

// RUN: sluicec run %s --function=moepp_all --random-weights --check --dim T=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=moepp_all --random-weights --check --dim T=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=moepp_all --random-weights --check --dim T=7 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=moepp_all --random-weights --check --dim T=33 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=copy_ungated --random-weights --check --dim T=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=copy_ungated --random-weights --check --dim T=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=copy_ungated --random-weights --check --dim T=7 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=copy_ungated --random-weights --check --dim T=33 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=zero_renorm --random-weights --check --dim T=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=zero_renorm --random-weights --check --dim T=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=zero_renorm --random-weights --check --dim T=7 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=zero_renorm --random-weights --check --dim T=33 | FileCheck %s --implicit-check-not=FAILED

// CHECK: check y: ok

// An expert id outside [0, E + Z + C + K) is the per-token lowering's error.
// RUN: %python -c "import numpy as np; np.save('%t.bad.npy', np.array([[0, 1], [9, 0]], np.int32)); np.save('%t.w.npy', np.ones((2, 2), np.float32)); np.save('%t.x.npy', np.ones((2, 8), np.float32))"
// RUN: not sluicec run %s --function=ids_in --random-weights --input x=%t.x.npy --input indices=%t.bad.npy --input weights=%t.w.npy 2>&1 | FileCheck %s --check-prefix=BAD
// BAD: error: {{.*}}sluice.moe: expert index 9 out of range [0, 8) at slot 2

// 4 FFN experts (SwiGLU), 1 zero, 1 copy, 2 constant experts; random ids
// with repeats and signed weights, capacity 2 by_choice, renormalize_kept,
// Qwen-style gated shared experts.
func.func @moepp_all(%x: tensor<?x8xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %i: tensor<?x3xi32> {sluice.name = "indices", sluice.dims = ["T", ""], sluice.range = array<i64: 0, 8>},
    %w: tensor<?x3xf32> {sluice.name = "weights", sluice.dims = ["T", ""]},
    %wg: tensor<4x8x12xf32> {sluice.name = "w_gate", sluice.role = "weight"},
    %wu: tensor<4x8x12xf32> {sluice.name = "w_up", sluice.role = "weight"},
    %wd: tensor<4x12x8xf32> {sluice.name = "w_down", sluice.role = "weight"},
    %sg: tensor<2x8x6xf32> {sluice.name = "shared_gate", sluice.role = "weight"},
    %su: tensor<2x8x6xf32> {sluice.name = "shared_up", sluice.role = "weight"},
    %sd: tensor<2x6x8xf32> {sluice.name = "shared_down", sluice.role = "weight"},
    %sgw: tensor<2x8xf32> {sluice.name = "shared_gate_w", sluice.role = "weight"},
    %wc: tensor<2x8x2xf32> {sluice.name = "const_wc", sluice.role = "weight"},
    %v: tensor<2x8xf32> {sluice.name = "const_v", sluice.role = "weight"})
    -> (tensor<?x8xf32> {sluice.name = "y"}) {
  %y = sluice.moe %x, %w, %i gate(%wg) up(%wu) down(%wd) shared_gate(%sg) shared_up(%su) shared_down(%sd) shared_gate_w(%sgw) const_wc(%wc) const_v(%v) {num_zero = 1 : i64, num_copy = 1 : i64, num_const = 2 : i64, capacity = 2 : i64, drop = #sluice.drop<by_choice>, renormalize_kept = true}
      : (tensor<?x8xf32>, tensor<?x3xf32>, tensor<?x3xi32>, tensor<4x8x12xf32>, tensor<4x8x12xf32>, tensor<4x12x8xf32>, tensor<2x8x6xf32>, tensor<2x8x6xf32>, tensor<2x6x8xf32>, tensor<2x8xf32>, tensor<2x8x2xf32>, tensor<2x8xf32>) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}

// Ungated FFN experts (gelu) and 2 copy experts after them, from a gate.
func.func @copy_ungated(%x: tensor<?x8xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %l: tensor<?x5xf32> {sluice.name = "logits", sluice.dims = ["T", ""]},
    %wg: tensor<3x8x12xf32> {sluice.name = "w_gate", sluice.role = "weight"},
    %wd: tensor<3x12x8xf32> {sluice.name = "w_down", sluice.role = "weight"})
    -> (tensor<?x8xf32> {sluice.name = "y"}) {
  %w, %i = sluice.topk_gate %l {k = 2 : i64}
      : (tensor<?x5xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  %y = sluice.moe %x, %w, %i gate(%wg) down(%wd) {act = #sluice.act<gelu>, num_copy = 2 : i64}
      : (tensor<?x8xf32>, tensor<?x2xf32>, tensor<?x2xi32>, tensor<3x8x12xf32>, tensor<3x12x8xf32>) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}

// Zero experts only (no contribution: no init), capacity 1 by_weight with
// renormalize_kept: tokens whose FFN slots are all dropped keep their
// weights (kept sum of zero experts only, or 0).
func.func @zero_renorm(%x: tensor<?x8xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %l: tensor<?x6xf32> {sluice.name = "logits", sluice.dims = ["T", ""]},
    %wg: tensor<4x8x12xf32> {sluice.name = "w_gate", sluice.role = "weight"},
    %wu: tensor<4x8x12xf32> {sluice.name = "w_up", sluice.role = "weight"},
    %wd: tensor<4x12x8xf32> {sluice.name = "w_down", sluice.role = "weight"})
    -> (tensor<?x8xf32> {sluice.name = "y"}) {
  %w, %i = sluice.topk_gate %l {k = 2 : i64, renormalize = true}
      : (tensor<?x6xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  %y = sluice.moe %x, %w, %i gate(%wg) up(%wu) down(%wd) {num_zero = 2 : i64, capacity = 1 : i64, drop = #sluice.drop<by_weight>, renormalize_kept = true}
      : (tensor<?x8xf32>, tensor<?x2xf32>, tensor<?x2xi32>, tensor<4x8x12xf32>, tensor<4x8x12xf32>, tensor<4x12x8xf32>) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}

// Ids given as an input (the error case above).
func.func @ids_in(%x: tensor<?x8xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %i: tensor<?x2xi32> {sluice.name = "indices", sluice.dims = ["T", ""]},
    %w: tensor<?x2xf32> {sluice.name = "weights", sluice.dims = ["T", ""]},
    %wg: tensor<4x8x12xf32> {sluice.name = "w_gate", sluice.role = "weight"},
    %wd: tensor<4x12x8xf32> {sluice.name = "w_down", sluice.role = "weight"},
    %wc: tensor<1x8x2xf32> {sluice.name = "const_wc", sluice.role = "weight"},
    %v: tensor<1x8xf32> {sluice.name = "const_v", sluice.role = "weight"})
    -> (tensor<?x8xf32> {sluice.name = "y"}) {
  %y = sluice.moe %x, %w, %i gate(%wg) down(%wd) const_wc(%wc) const_v(%v) {num_zero = 1 : i64, num_copy = 2 : i64, num_const = 1 : i64}
      : (tensor<?x8xf32>, tensor<?x2xf32>, tensor<?x2xi32>, tensor<4x8x12xf32>, tensor<4x12x8xf32>, tensor<1x8x2xf32>, tensor<1x8xf32>) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}
