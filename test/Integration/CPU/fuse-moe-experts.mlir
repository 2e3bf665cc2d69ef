// The fused expert path (sluice-fuse-moe-experts in sluice-cpu-pipeline)
// really runs: every decomposable sluice.moe lowers to two sluice_uk_gemm
// calls per expert path (gathered GLU gemm, scattered weighted down gemm),
// and no dispatch / combine loops are left. renormalize_kept takes the
// fused path too (fuse-moe-special.mlir has the MoE++ cases). The numbers are checked against
// the reference evaluator (it interprets the unfused sluice.moe) for
// T = 0, 1, 7, 33: capacity drops by_order / by_choice, block-free dropless
// routes with k = E, ungated experts, plain and gated shared experts. The
// router GEMM and its topk_gate are one sluice_uk_router_gate call
// (sluice-fuse-router-topk); the shared-expert gate logits (x . s_gate_w,
// a linalg.matmul) are one more gemm call (sluice-cpu-matmul-to-gemm).

// RUN: sluicec compile %s --emit=mlir-lowered -o - | FileCheck %s --check-prefix=FUSED
// FUSED-LABEL: llvm.func @capacity_by_order(
// FUSED-COUNT-2: llvm.call @sluice_uk_gemm(
// FUSED-NOT: llvm.call @sluice_uk_gemm(
// FUSED-LABEL: llvm.func @capacity_by_choice_ungated(
// FUSED-COUNT-2: llvm.call @sluice_uk_gemm(
// FUSED-NOT: llvm.call @sluice_uk_gemm(
// FUSED-LABEL: llvm.func @k_equals_e(
// FUSED-COUNT-2: llvm.call @sluice_uk_gemm(
// FUSED-NOT: llvm.call @sluice_uk_gemm(
// FUSED-LABEL: llvm.func @shared_plain_ungated(
// FUSED-COUNT-4: llvm.call @sluice_uk_gemm(
// FUSED-NOT: llvm.call @sluice_uk_gemm(
// FUSED-LABEL: llvm.func @shared_gated(
// FUSED-COUNT-5: llvm.call @sluice_uk_gemm(
// FUSED-NOT: llvm.call @sluice_uk_gemm(
// FUSED-LABEL: llvm.func @renormalize_kept_fused(
// FUSED-COUNT-2: llvm.call @sluice_uk_gemm(
// FUSED-NOT: llvm.call @sluice_uk_gemm(
// FUSED-LABEL: llvm.func @with_router(
// FUSED: llvm.call @sluice_uk_router_gate(
// FUSED-COUNT-2: llvm.call @sluice_uk_gemm(
// FUSED-NOT: llvm.call @sluice_uk_gemm(
// FUSED: llvm.return

// RUN: sluicec run %s --function=capacity_by_order --random-weights --check --dim T=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=capacity_by_order --random-weights --check --dim T=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=capacity_by_order --random-weights --check --dim T=7 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=capacity_by_order --random-weights --check --dim T=33 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=capacity_by_choice_ungated --random-weights --check --dim T=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=capacity_by_choice_ungated --random-weights --check --dim T=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=capacity_by_choice_ungated --random-weights --check --dim T=7 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=capacity_by_choice_ungated --random-weights --check --dim T=33 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=k_equals_e --random-weights --check --dim T=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=k_equals_e --random-weights --check --dim T=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=k_equals_e --random-weights --check --dim T=7 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=k_equals_e --random-weights --check --dim T=33 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=shared_plain_ungated --random-weights --check --dim T=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=shared_plain_ungated --random-weights --check --dim T=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=shared_plain_ungated --random-weights --check --dim T=7 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=shared_plain_ungated --random-weights --check --dim T=33 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=shared_gated --random-weights --check --dim T=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=shared_gated --random-weights --check --dim T=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=shared_gated --random-weights --check --dim T=7 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=shared_gated --random-weights --check --dim T=33 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=shared_gated --random-weights --check --dim T=512 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=renormalize_kept_fused --random-weights --check --dim T=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=renormalize_kept_fused --random-weights --check --dim T=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=renormalize_kept_fused --random-weights --check --dim T=7 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=renormalize_kept_fused --random-weights --check --dim T=33 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=with_router --random-weights --check --dim T=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=with_router --random-weights --check --dim T=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=with_router --random-weights --check --dim T=7 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=with_router --random-weights --check --dim T=33 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=with_router --random-weights --check --dim T=512 | FileCheck %s --implicit-check-not=FAILED
// CHECK: check y: ok

// Capacity 2 with k = 3 drops slots (by_order); SwiGLU, signed logits.
func.func @capacity_by_order(%x: tensor<?x8xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %l: tensor<?x5xf32> {sluice.name = "logits", sluice.dims = ["T", ""]},
    %wg: tensor<5x8x12xf32> {sluice.name = "w_gate", sluice.role = "weight"},
    %wu: tensor<5x8x12xf32> {sluice.name = "w_up", sluice.role = "weight"},
    %wd: tensor<5x12x8xf32> {sluice.name = "w_down", sluice.role = "weight"})
    -> (tensor<?x8xf32> {sluice.name = "y"}) {
  %w, %i = sluice.topk_gate %l {k = 3 : i64}
      : (tensor<?x5xf32>) -> (tensor<?x3xf32>, tensor<?x3xi32>)
  %y = sluice.moe %x, %w, %i gate(%wg) up(%wu) down(%wd) {capacity = 2 : i64}
      : (tensor<?x8xf32>, tensor<?x3xf32>, tensor<?x3xi32>, tensor<5x8x12xf32>, tensor<5x8x12xf32>, tensor<5x12x8xf32>) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}

// Ungated experts (act(x w_gate) w_down) with sigmoid activation, whose
// value at 0 is not 0 (padding / empty rows must still contribute nothing),
// capacity 3, by_choice.
func.func @capacity_by_choice_ungated(%x: tensor<?x8xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %l: tensor<?x4xf32> {sluice.name = "logits", sluice.dims = ["T", ""]},
    %wg: tensor<4x8x12xf32> {sluice.name = "w_gate", sluice.role = "weight"},
    %wd: tensor<4x12x8xf32> {sluice.name = "w_down", sluice.role = "weight"})
    -> (tensor<?x8xf32> {sluice.name = "y"}) {
  %w, %i = sluice.topk_gate %l {k = 2 : i64, renormalize = true}
      : (tensor<?x4xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  %y = sluice.moe %x, %w, %i gate(%wg) down(%wd) {act = #sluice.act<sigmoid>, capacity = 3 : i64, drop = #sluice.drop<by_choice>}
      : (tensor<?x8xf32>, tensor<?x2xf32>, tensor<?x2xi32>, tensor<4x8x12xf32>, tensor<4x12x8xf32>) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}

// k = E: every expert takes every token, gelu_tanh.
func.func @k_equals_e(%x: tensor<?x8xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %l: tensor<?x3xf32> {sluice.name = "logits", sluice.dims = ["T", ""]},
    %wg: tensor<3x8x12xf32> {sluice.name = "w_gate", sluice.role = "weight"},
    %wu: tensor<3x8x12xf32> {sluice.name = "w_up", sluice.role = "weight"},
    %wd: tensor<3x12x8xf32> {sluice.name = "w_down", sluice.role = "weight"})
    -> (tensor<?x8xf32> {sluice.name = "y"}) {
  %w, %i = sluice.topk_gate %l {k = 3 : i64}
      : (tensor<?x3xf32>) -> (tensor<?x3xf32>, tensor<?x3xi32>)
  %y = sluice.moe %x, %w, %i gate(%wg) up(%wu) down(%wd) {act = #sluice.act<gelu_tanh>}
      : (tensor<?x8xf32>, tensor<?x3xf32>, tensor<?x3xi32>, tensor<3x8x12xf32>, tensor<3x8x12xf32>, tensor<3x12x8xf32>) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}

// Ungated routed and shared experts, shared weight 1 (no scale).
func.func @shared_plain_ungated(%x: tensor<?x8xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %l: tensor<?x4xf32> {sluice.name = "logits", sluice.dims = ["T", ""]},
    %wg: tensor<4x8x12xf32> {sluice.name = "w_gate", sluice.role = "weight"},
    %wd: tensor<4x12x8xf32> {sluice.name = "w_down", sluice.role = "weight"},
    %sg: tensor<2x8x6xf32> {sluice.name = "shared_gate", sluice.role = "weight"},
    %sd: tensor<2x6x8xf32> {sluice.name = "shared_down", sluice.role = "weight"})
    -> (tensor<?x8xf32> {sluice.name = "y"}) {
  %w, %i = sluice.topk_gate %l {k = 1 : i64}
      : (tensor<?x4xf32>) -> (tensor<?x1xf32>, tensor<?x1xi32>)
  %y = sluice.moe %x, %w, %i gate(%wg) down(%wd) shared_gate(%sg) shared_down(%sd) {act = #sluice.act<gelu>}
      : (tensor<?x8xf32>, tensor<?x1xf32>, tensor<?x1xi32>, tensor<4x8x12xf32>, tensor<4x12x8xf32>, tensor<2x8x6xf32>, tensor<2x6x8xf32>) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}

// Gated shared experts (Qwen-MoE: sigmoid(x . shared_gate_w)) with a
// capacity on the routed experts (by_weight).
func.func @shared_gated(%x: tensor<?x8xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %l: tensor<?x4xf32> {sluice.name = "logits", sluice.dims = ["T", ""]},
    %wg: tensor<4x8x12xf32> {sluice.name = "w_gate", sluice.role = "weight"},
    %wu: tensor<4x8x12xf32> {sluice.name = "w_up", sluice.role = "weight"},
    %wd: tensor<4x12x8xf32> {sluice.name = "w_down", sluice.role = "weight"},
    %sg: tensor<2x8x6xf32> {sluice.name = "shared_gate", sluice.role = "weight"},
    %su: tensor<2x8x6xf32> {sluice.name = "shared_up", sluice.role = "weight"},
    %sd: tensor<2x6x8xf32> {sluice.name = "shared_down", sluice.role = "weight"},
    %sgw: tensor<2x8xf32> {sluice.name = "shared_gate_w", sluice.role = "weight"})
    -> (tensor<?x8xf32> {sluice.name = "y"}) {
  %w, %i = sluice.topk_gate %l {k = 2 : i64}
      : (tensor<?x4xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  %y = sluice.moe %x, %w, %i gate(%wg) up(%wu) down(%wd) shared_gate(%sg) shared_up(%su) shared_down(%sd) shared_gate_w(%sgw) {capacity = 3 : i64, drop = #sluice.drop<by_weight>}
      : (tensor<?x8xf32>, tensor<?x2xf32>, tensor<?x2xi32>, tensor<4x8x12xf32>, tensor<4x8x12xf32>, tensor<4x12x8xf32>, tensor<2x8x6xf32>, tensor<2x8x6xf32>, tensor<2x6x8xf32>, tensor<2x8xf32>) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}

// renormalize_kept (capacity 2 drops slots): not decomposed, but fused by
// sluice-fuse-moe-experts (the weights renormalized before the scatter).
func.func @renormalize_kept_fused(%x: tensor<?x8xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %l: tensor<?x4xf32> {sluice.name = "logits", sluice.dims = ["T", ""]},
    %wg: tensor<4x8x12xf32> {sluice.name = "w_gate", sluice.role = "weight"},
    %wu: tensor<4x8x12xf32> {sluice.name = "w_up", sluice.role = "weight"},
    %wd: tensor<4x12x8xf32> {sluice.name = "w_down", sluice.role = "weight"})
    -> (tensor<?x8xf32> {sluice.name = "y"}) {
  %w, %i = sluice.topk_gate %l {k = 2 : i64, renormalize = true}
      : (tensor<?x4xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  %y = sluice.moe %x, %w, %i gate(%wg) up(%wu) down(%wd) {capacity = 2 : i64, renormalize_kept = true}
      : (tensor<?x8xf32>, tensor<?x2xf32>, tensor<?x2xi32>, tensor<4x8x12xf32>, tensor<4x8x12xf32>, tensor<4x12x8xf32>) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}

// The router logits computed in the module: the router GEMM runs on the
// micro-kernel too (softmax, top-2, renormalized).
func.func @with_router(%x: tensor<?x8xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %r: tensor<8x4xf32> {sluice.name = "router", sluice.role = "weight"},
    %wg: tensor<4x8x12xf32> {sluice.name = "w_gate", sluice.role = "weight"},
    %wu: tensor<4x8x12xf32> {sluice.name = "w_up", sluice.role = "weight"},
    %wd: tensor<4x12x8xf32> {sluice.name = "w_down", sluice.role = "weight"})
    -> (tensor<?x8xf32> {sluice.name = "y"}) {
  %c0 = arith.constant 0 : index
  %t = tensor.dim %x, %c0 : tensor<?x8xf32>
  %e = tensor.empty(%t) : tensor<?x4xf32>
  %zero = arith.constant 0.0 : f32
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<?x4xf32>) -> tensor<?x4xf32>
  %l = linalg.matmul ins(%x, %r : tensor<?x8xf32>, tensor<8x4xf32>) outs(%z : tensor<?x4xf32>) -> tensor<?x4xf32>
  %w, %i = sluice.topk_gate %l {k = 2 : i64, renormalize = true}
      : (tensor<?x4xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  %y = sluice.moe %x, %w, %i gate(%wg) up(%wu) down(%wd)
      : (tensor<?x8xf32>, tensor<?x2xf32>, tensor<?x2xi32>, tensor<4x8x12xf32>, tensor<4x8x12xf32>, tensor<4x12x8xf32>) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}
