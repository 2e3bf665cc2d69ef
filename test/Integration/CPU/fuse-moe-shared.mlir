// Shared experts as groups of the routed experts' two sluice_uk_gemm calls
// (sluice-fuse-moe-experts, FuseMoeShared.cpp): DeepSeek-style (2 shared
// experts of the routed width, weight 1), Qwen-style (1 shared expert 4x
// the routed width, split into 4 chunks, scaled by sigmoid(x . s_gate_w)),
// ungated experts, and shared experts next to MoE++ experts with a
// capacity and renormalize_kept. Each block compiles to exactly two GEMM
// calls (no router GEMM here: the gate reads logits) and is checked against
// the reference evaluator (it interprets the unfused sluice.moe; tolerance
// is sluicec's default, 1e-4 relative) at T = 0, 1, 7, 33, and with 2
// threads at T = 33.

// RUN: sluicec compile %s --emit=mlir-lowered -o - | FileCheck %s --check-prefix=FUSED
// FUSED-LABEL: llvm.func @deepseek(
// FUSED-COUNT-2: llvm.call @sluice_uk_gemm(
// FUSED-NOT: llvm.call @sluice_uk_gemm(
// FUSED-LABEL: llvm.func @qwen(
// FUSED-COUNT-2: llvm.call @sluice_uk_gemm(
// FUSED-NOT: llvm.call @sluice_uk_gemm(
// FUSED-LABEL: llvm.func @ungated(
// FUSED-COUNT-2: llvm.call @sluice_uk_gemm(
// FUSED-NOT: llvm.call @sluice_uk_gemm(
// FUSED-LABEL: llvm.func @moepp_shared(
// FUSED-COUNT-2: llvm.call @sluice_uk_gemm(
// FUSED-NOT: llvm.call @sluice_uk_gemm(
// FUSED: llvm.return

// Both stacks of a call are listed for packing at bind (docs/abi.md,
// "Prepacked weights"): the shared stack as bs=<input>:<offset>:<ld>:
// <group stride>:<split>:<routed groups>; the calls then pack nothing more.
// RUN: sluicec compile %s --emit=mlir-lowered -o - | FileCheck %s --check-prefix=PREPACK
// PREPACK: sluice.prepack = [
// PREPACK-SAME: ["deepseek", "prepack 16 8 10 b=2:0:8:128 b2=3:0:8:128 bs=5:0:8:128:1:8 bs2=6:0:8:128"]
// PREPACK-SAME: ["deepseek", "prepack 8 16 10 b=4:0:16:128 bs=7:0:16:128:1:8"]
// PREPACK-SAME: ["qwen", "prepack 16 8 10 b=2:0:8:128 b2=3:0:8:128 bs=5:0:32:512:4:6 bs2=6:0:32:512"]
// RUN: sluicec run %s --function=deepseek --random-weights --check --dim T=33 --repeat 2 | FileCheck %s --check-prefix=BIND
// RUN: sluicec run %s --function=qwen --random-weights --check --dim T=33 --repeat 2 --threads 2 | FileCheck %s --check-prefix=BIND
// BIND: packed weights: {{.*}} ([[B:[1-9][0-9]*]] bytes) when bound {{.*}}, [[B]] bytes after the calls
// BIND: check y: ok

// RUN: sluicec run %s --function=deepseek --random-weights --check --dim T=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=deepseek --random-weights --check --dim T=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=deepseek --random-weights --check --dim T=7 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=deepseek --random-weights --check --dim T=33 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=deepseek --random-weights=3 --seed=5 --threads=2 --check --dim T=33 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=qwen --random-weights --check --dim T=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=qwen --random-weights --check --dim T=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=qwen --random-weights --check --dim T=7 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=qwen --random-weights --check --dim T=33 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=qwen --random-weights=3 --seed=5 --threads=2 --check --dim T=33 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=ungated --random-weights --check --dim T=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=ungated --random-weights --check --dim T=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=ungated --random-weights --check --dim T=7 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=ungated --random-weights --check --dim T=33 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=moepp_shared --random-weights --check --dim T=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=moepp_shared --random-weights --check --dim T=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=moepp_shared --random-weights --check --dim T=7 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=moepp_shared --random-weights --check --dim T=33 | FileCheck %s --implicit-check-not=FAILED

// CHECK: check y: ok

// The model-language examples (DeepSeek-V3 with 1 shared expert, Qwen-MoE
// with a 4x wider gated shared expert) run fused too.
// RUN: sluicec run %sluice_src_root/examples/deepseek_v3.sl --random-weights --check --dim T=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %sluice_src_root/examples/deepseek_v3.sl --random-weights --check --dim T=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %sluice_src_root/examples/deepseek_v3.sl --random-weights --check --dim T=7 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %sluice_src_root/examples/deepseek_v3.sl --random-weights --check --dim T=33 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %sluice_src_root/examples/qwen_moe.sl --random-weights --check --dim T=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %sluice_src_root/examples/qwen_moe.sl --random-weights --check --dim T=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %sluice_src_root/examples/qwen_moe.sl --random-weights --check --dim T=7 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %sluice_src_root/examples/qwen_moe.sl --random-weights --check --dim T=33 | FileCheck %s --implicit-check-not=FAILED

// 8 SwiGLU experts (d = 16, F = 8), top-3 sigmoid gate with renormalize,
// 2 shared experts of width 8.
func.func @deepseek(%x: tensor<?x16xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %l: tensor<?x8xf32> {sluice.name = "logits", sluice.dims = ["T", ""]},
    %wg: tensor<8x16x8xf32> {sluice.name = "w_gate", sluice.role = "weight"},
    %wu: tensor<8x16x8xf32> {sluice.name = "w_up", sluice.role = "weight"},
    %wd: tensor<8x8x16xf32> {sluice.name = "w_down", sluice.role = "weight"},
    %sg: tensor<2x16x8xf32> {sluice.name = "shared_gate", sluice.role = "weight"},
    %su: tensor<2x16x8xf32> {sluice.name = "shared_up", sluice.role = "weight"},
    %sd: tensor<2x8x16xf32> {sluice.name = "shared_down", sluice.role = "weight"})
    -> (tensor<?x16xf32> {sluice.name = "y"}) {
  %w, %i = sluice.topk_gate %l {k = 3 : i64, score = #sluice.score<sigmoid>, renormalize = true}
      : (tensor<?x8xf32>) -> (tensor<?x3xf32>, tensor<?x3xi32>)
  %y = sluice.moe %x, %w, %i gate(%wg) up(%wu) down(%wd) shared_gate(%sg) shared_up(%su) shared_down(%sd)
      : (tensor<?x16xf32>, tensor<?x3xf32>, tensor<?x3xi32>, tensor<8x16x8xf32>, tensor<8x16x8xf32>, tensor<8x8x16xf32>, tensor<2x16x8xf32>, tensor<2x16x8xf32>, tensor<2x8x16xf32>) -> tensor<?x16xf32>
  return %y : tensor<?x16xf32>
}

// 6 SwiGLU experts (d = 16, F = 8), softmax top-2; 1 shared expert of
// width 32 (4 chunks of 8) scaled by sigmoid(x . s_gate_w).
func.func @qwen(%x: tensor<?x16xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %l: tensor<?x6xf32> {sluice.name = "logits", sluice.dims = ["T", ""]},
    %wg: tensor<6x16x8xf32> {sluice.name = "w_gate", sluice.role = "weight"},
    %wu: tensor<6x16x8xf32> {sluice.name = "w_up", sluice.role = "weight"},
    %wd: tensor<6x8x16xf32> {sluice.name = "w_down", sluice.role = "weight"},
    %sg: tensor<1x16x32xf32> {sluice.name = "shared_gate", sluice.role = "weight"},
    %su: tensor<1x16x32xf32> {sluice.name = "shared_up", sluice.role = "weight"},
    %sd: tensor<1x32x16xf32> {sluice.name = "shared_down", sluice.role = "weight"},
    %sgw: tensor<1x16xf32> {sluice.name = "shared_gate_w", sluice.role = "weight"})
    -> (tensor<?x16xf32> {sluice.name = "y"}) {
  %w, %i = sluice.topk_gate %l {k = 2 : i64}
      : (tensor<?x6xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  %y = sluice.moe %x, %w, %i gate(%wg) up(%wu) down(%wd) shared_gate(%sg) shared_up(%su) shared_down(%sd) shared_gate_w(%sgw)
      : (tensor<?x16xf32>, tensor<?x2xf32>, tensor<?x2xi32>, tensor<6x16x8xf32>, tensor<6x16x8xf32>, tensor<6x8x16xf32>, tensor<1x16x32xf32>, tensor<1x16x32xf32>, tensor<1x32x16xf32>, tensor<1x16xf32>) -> tensor<?x16xf32>
  return %y : tensor<?x16xf32>
}

// Ungated experts and 2 gated-by-sigmoid shared experts of width 2 x 12
// (S = 2, m = 2), gelu.
func.func @ungated(%x: tensor<?x8xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %l: tensor<?x4xf32> {sluice.name = "logits", sluice.dims = ["T", ""]},
    %wg: tensor<4x8x12xf32> {sluice.name = "w_gate", sluice.role = "weight"},
    %wd: tensor<4x12x8xf32> {sluice.name = "w_down", sluice.role = "weight"},
    %sg: tensor<2x8x24xf32> {sluice.name = "shared_gate", sluice.role = "weight"},
    %sd: tensor<2x24x8xf32> {sluice.name = "shared_down", sluice.role = "weight"},
    %sgw: tensor<2x8xf32> {sluice.name = "shared_gate_w", sluice.role = "weight"})
    -> (tensor<?x8xf32> {sluice.name = "y"}) {
  %w, %i = sluice.topk_gate %l {k = 1 : i64}
      : (tensor<?x4xf32>) -> (tensor<?x1xf32>, tensor<?x1xi32>)
  %y = sluice.moe %x, %w, %i gate(%wg) down(%wd) shared_gate(%sg) shared_down(%sd) shared_gate_w(%sgw) {act = #sluice.act<gelu>}
      : (tensor<?x8xf32>, tensor<?x1xf32>, tensor<?x1xi32>, tensor<4x8x12xf32>, tensor<4x12x8xf32>, tensor<2x8x24xf32>, tensor<2x24x8xf32>, tensor<2x8xf32>) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}

// MoE++ (1 zero, 1 copy, 2 constant experts after 4 FFN experts) with a
// capacity by_choice, renormalize_kept, random ids with repeats and signed
// weights, and 2 gated shared experts of the routed width.
func.func @moepp_shared(%x: tensor<?x8xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %i: tensor<?x3xi32> {sluice.name = "indices", sluice.dims = ["T", ""], sluice.range = array<i64: 0, 8>},
    %w: tensor<?x3xf32> {sluice.name = "weights", sluice.dims = ["T", ""]},
    %wg: tensor<4x8x12xf32> {sluice.name = "w_gate", sluice.role = "weight"},
    %wu: tensor<4x8x12xf32> {sluice.name = "w_up", sluice.role = "weight"},
    %wd: tensor<4x12x8xf32> {sluice.name = "w_down", sluice.role = "weight"},
    %sg: tensor<2x8x12xf32> {sluice.name = "shared_gate", sluice.role = "weight"},
    %su: tensor<2x8x12xf32> {sluice.name = "shared_up", sluice.role = "weight"},
    %sd: tensor<2x12x8xf32> {sluice.name = "shared_down", sluice.role = "weight"},
    %sgw: tensor<2x8xf32> {sluice.name = "shared_gate_w", sluice.role = "weight"},
    %wc: tensor<2x8x2xf32> {sluice.name = "const_wc", sluice.role = "weight"},
    %v: tensor<2x8xf32> {sluice.name = "const_v", sluice.role = "weight"})
    -> (tensor<?x8xf32> {sluice.name = "y"}) {
  %y = sluice.moe %x, %w, %i gate(%wg) up(%wu) down(%wd) shared_gate(%sg) shared_up(%su) shared_down(%sd) shared_gate_w(%sgw) const_wc(%wc) const_v(%v) {num_zero = 1 : i64, num_copy = 1 : i64, num_const = 2 : i64, capacity = 2 : i64, drop = #sluice.drop<by_choice>, renormalize_kept = true}
      : (tensor<?x8xf32>, tensor<?x3xf32>, tensor<?x3xi32>, tensor<4x8x12xf32>, tensor<4x8x12xf32>, tensor<4x12x8xf32>, tensor<2x8x12xf32>, tensor<2x8x12xf32>, tensor<2x12x8xf32>, tensor<2x8xf32>, tensor<2x8x2xf32>, tensor<2x8xf32>) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}
