// sluice.moe compiled for the CPU and checked against the reference
// evaluator, for T = 0, 1, 7, 33 from one module (E_ffn = 4, d = 8, F = 12):
//   mixtral           softmax top-2 gate, SwiGLU experts (gate + up, silu)
//   no_up_gelu        experts without w_up (act(x w_gate) w_down), gelu, k = 1
//   shared_qwen       2 gated shared experts scaled by sigmoid(x . shared_gate_w)
//                     (Qwen1.5/2-MoE)
//   shared_plain      a shared expert without shared_up or shared_gate_w
//                     (scale 1), gelu_tanh
//   moepp             MoE++: 1 zero, 1 copy and 2 constant experts (gate over 8)
//   moepp_capacity    the same with a capacity: it limits the FFN experts only
//   by_order_renorm   capacity 3, by_order, renormalize_kept
//   gshard_by_choice  GShard top-2: renormalized gate, by_choice, renormalize_kept
//   by_weight         capacity 2, by_weight, dropped slots contribute 0
//   all_dropped       capacity 1 with k = 2: tokens whose every slot is dropped
//                     (kept sum 0: weights unchanged, the token gets 0)
//   k_all             k = E (every expert), sigmoid gate, relu
//   random_ids        repeated expert ids and signed weights, shared experts

// RUN: sluicec run %s --function=mixtral --random-weights --check --dim T=0 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=mixtral --random-weights --check --dim T=1 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=mixtral --random-weights --check --dim T=7 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=mixtral --random-weights --check --dim T=33 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=mixtral --random-weights --check --dim T=512 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=no_up_gelu --random-weights --check --dim T=0 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=no_up_gelu --random-weights --check --dim T=1 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=no_up_gelu --random-weights --check --dim T=7 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=no_up_gelu --random-weights --check --dim T=33 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=shared_qwen --random-weights --check --dim T=0 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=shared_qwen --random-weights --check --dim T=1 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=shared_qwen --random-weights --check --dim T=7 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=shared_qwen --random-weights --check --dim T=33 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=shared_plain --random-weights --check --dim T=0 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=shared_plain --random-weights --check --dim T=1 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=shared_plain --random-weights --check --dim T=7 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=shared_plain --random-weights --check --dim T=33 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=moepp --random-weights --check --dim T=0 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=moepp --random-weights --check --dim T=1 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=moepp --random-weights --check --dim T=7 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=moepp --random-weights --check --dim T=33 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=moepp_capacity --random-weights --check --dim T=0 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=moepp_capacity --random-weights --check --dim T=1 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=moepp_capacity --random-weights --check --dim T=7 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=moepp_capacity --random-weights --check --dim T=33 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=by_order_renorm --random-weights --check --dim T=0 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=by_order_renorm --random-weights --check --dim T=1 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=by_order_renorm --random-weights --check --dim T=7 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=by_order_renorm --random-weights --check --dim T=33 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=gshard_by_choice --random-weights --check --dim T=0 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=gshard_by_choice --random-weights --check --dim T=1 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=gshard_by_choice --random-weights --check --dim T=7 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=gshard_by_choice --random-weights --check --dim T=33 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=by_weight --random-weights --check --dim T=0 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=by_weight --random-weights --check --dim T=1 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=by_weight --random-weights --check --dim T=7 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=by_weight --random-weights --check --dim T=33 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=all_dropped --random-weights --check --dim T=0 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=all_dropped --random-weights --check --dim T=1 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=all_dropped --random-weights --check --dim T=7 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=all_dropped --random-weights --check --dim T=33 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=k_all --random-weights --check --dim T=0 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=k_all --random-weights --check --dim T=1 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=k_all --random-weights --check --dim T=7 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=k_all --random-weights --check --dim T=33 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=random_ids --random-weights --check --dim T=0 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=random_ids --random-weights --check --dim T=1 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=random_ids --random-weights --check --dim T=7 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=random_ids --random-weights --check --dim T=33 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// CHECK: check y: ok

// Token counts that differ at run time are an error; a dynamic number of
// FFN experts is rejected when lowering (weights have static shapes).
// RUN: not sluicec run %s --function=tokens_mismatch --random-weights --dim T=7 --dim U=5 2>&1 | FileCheck %s --check-prefix=TOKENS
// RUN: not sluicec run %S/Inputs/moe_dynamic_experts.mlir --dim T=3 --dim E=4 2>&1 | FileCheck %s --check-prefix=DYNAMIC
// TOKENS: error: {{.*}}sluice.moe: expects {{weights|indices}} dim 0 (5) to equal x dim 0 (7)
// DYNAMIC: error: 'sluice.moe' op expects a static number of FFN experts (dim 0 of w_gate) to lower

func.func @mixtral(%x: tensor<?x8xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %l: tensor<?x4xf32> {sluice.name = "logits", sluice.dims = ["T", ""]},
    %wg: tensor<4x8x12xf32> {sluice.name = "w_gate", sluice.role = "weight"},
    %wu: tensor<4x8x12xf32> {sluice.name = "w_up", sluice.role = "weight"},
    %wd: tensor<4x12x8xf32> {sluice.name = "w_down", sluice.role = "weight"})
    -> (tensor<?x8xf32> {sluice.name = "y"}) {
  %w, %i = sluice.topk_gate %l {k = 2 : i64, renormalize = true}
      : (tensor<?x4xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  %y = sluice.moe %x, %w, %i gate(%wg) up(%wu) down(%wd)
      : (tensor<?x8xf32>, tensor<?x2xf32>, tensor<?x2xi32>, tensor<4x8x12xf32>, tensor<4x8x12xf32>, tensor<4x12x8xf32>) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}

func.func @no_up_gelu(%x: tensor<?x8xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %l: tensor<?x4xf32> {sluice.name = "logits", sluice.dims = ["T", ""]},
    %wg: tensor<4x8x12xf32> {sluice.name = "w_gate", sluice.role = "weight"},
    %wd: tensor<4x12x8xf32> {sluice.name = "w_down", sluice.role = "weight"})
    -> (tensor<?x8xf32> {sluice.name = "y"}) {
  %w, %i = sluice.topk_gate %l {k = 1 : i64}
      : (tensor<?x4xf32>) -> (tensor<?x1xf32>, tensor<?x1xi32>)
  %y = sluice.moe %x, %w, %i gate(%wg) down(%wd) {act = #sluice.act<gelu>}
      : (tensor<?x8xf32>, tensor<?x1xf32>, tensor<?x1xi32>, tensor<4x8x12xf32>, tensor<4x12x8xf32>) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}

func.func @shared_qwen(%x: tensor<?x8xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
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
  %y = sluice.moe %x, %w, %i gate(%wg) up(%wu) down(%wd) shared_gate(%sg) shared_up(%su) shared_down(%sd) shared_gate_w(%sgw)
      : (tensor<?x8xf32>, tensor<?x2xf32>, tensor<?x2xi32>, tensor<4x8x12xf32>, tensor<4x8x12xf32>, tensor<4x12x8xf32>, tensor<2x8x6xf32>, tensor<2x8x6xf32>, tensor<2x6x8xf32>, tensor<2x8xf32>) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}

func.func @shared_plain(%x: tensor<?x8xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %l: tensor<?x4xf32> {sluice.name = "logits", sluice.dims = ["T", ""]},
    %wg: tensor<4x8x12xf32> {sluice.name = "w_gate", sluice.role = "weight"},
    %wu: tensor<4x8x12xf32> {sluice.name = "w_up", sluice.role = "weight"},
    %wd: tensor<4x12x8xf32> {sluice.name = "w_down", sluice.role = "weight"},
    %sg: tensor<1x8x6xf32> {sluice.name = "shared_gate", sluice.role = "weight"},
    %sd: tensor<1x6x8xf32> {sluice.name = "shared_down", sluice.role = "weight"})
    -> (tensor<?x8xf32> {sluice.name = "y"}) {
  %w, %i = sluice.topk_gate %l {k = 2 : i64, renormalize = true}
      : (tensor<?x4xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  %y = sluice.moe %x, %w, %i gate(%wg) up(%wu) down(%wd) shared_gate(%sg) shared_down(%sd) {act = #sluice.act<gelu_tanh>}
      : (tensor<?x8xf32>, tensor<?x2xf32>, tensor<?x2xi32>, tensor<4x8x12xf32>, tensor<4x8x12xf32>, tensor<4x12x8xf32>, tensor<1x8x6xf32>, tensor<1x6x8xf32>) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}

func.func @moepp(%x: tensor<?x8xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %l: tensor<?x8xf32> {sluice.name = "logits", sluice.dims = ["T", ""]},
    %wg: tensor<4x8x12xf32> {sluice.name = "w_gate", sluice.role = "weight"},
    %wu: tensor<4x8x12xf32> {sluice.name = "w_up", sluice.role = "weight"},
    %wd: tensor<4x12x8xf32> {sluice.name = "w_down", sluice.role = "weight"},
    %wc: tensor<2x8x2xf32> {sluice.name = "const_wc", sluice.role = "weight"},
    %v: tensor<2x8xf32> {sluice.name = "const_v", sluice.role = "weight"})
    -> (tensor<?x8xf32> {sluice.name = "y"}) {
  %w, %i = sluice.topk_gate %l {k = 2 : i64, renormalize = true}
      : (tensor<?x8xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  %y = sluice.moe %x, %w, %i gate(%wg) up(%wu) down(%wd) const_wc(%wc) const_v(%v) {num_zero = 1 : i64, num_copy = 1 : i64, num_const = 2 : i64}
      : (tensor<?x8xf32>, tensor<?x2xf32>, tensor<?x2xi32>, tensor<4x8x12xf32>, tensor<4x8x12xf32>, tensor<4x12x8xf32>, tensor<2x8x2xf32>, tensor<2x8xf32>) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}

func.func @moepp_capacity(%x: tensor<?x8xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %l: tensor<?x8xf32> {sluice.name = "logits", sluice.dims = ["T", ""]},
    %wg: tensor<4x8x12xf32> {sluice.name = "w_gate", sluice.role = "weight"},
    %wu: tensor<4x8x12xf32> {sluice.name = "w_up", sluice.role = "weight"},
    %wd: tensor<4x12x8xf32> {sluice.name = "w_down", sluice.role = "weight"},
    %wc: tensor<2x8x2xf32> {sluice.name = "const_wc", sluice.role = "weight"},
    %v: tensor<2x8xf32> {sluice.name = "const_v", sluice.role = "weight"})
    -> (tensor<?x8xf32> {sluice.name = "y"}) {
  %w, %i = sluice.topk_gate %l {k = 2 : i64, renormalize = true}
      : (tensor<?x8xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  %y = sluice.moe %x, %w, %i gate(%wg) up(%wu) down(%wd) const_wc(%wc) const_v(%v) {num_zero = 1 : i64, num_copy = 1 : i64, num_const = 2 : i64, capacity = 2 : i64, renormalize_kept = true}
      : (tensor<?x8xf32>, tensor<?x2xf32>, tensor<?x2xi32>, tensor<4x8x12xf32>, tensor<4x8x12xf32>, tensor<4x12x8xf32>, tensor<2x8x2xf32>, tensor<2x8xf32>) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}

func.func @by_order_renorm(%x: tensor<?x8xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %l: tensor<?x4xf32> {sluice.name = "logits", sluice.dims = ["T", ""]},
    %wg: tensor<4x8x12xf32> {sluice.name = "w_gate", sluice.role = "weight"},
    %wu: tensor<4x8x12xf32> {sluice.name = "w_up", sluice.role = "weight"},
    %wd: tensor<4x12x8xf32> {sluice.name = "w_down", sluice.role = "weight"})
    -> (tensor<?x8xf32> {sluice.name = "y"}) {
  %w, %i = sluice.topk_gate %l {k = 2 : i64, renormalize = true}
      : (tensor<?x4xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  %y = sluice.moe %x, %w, %i gate(%wg) up(%wu) down(%wd) {capacity = 3 : i64, renormalize_kept = true}
      : (tensor<?x8xf32>, tensor<?x2xf32>, tensor<?x2xi32>, tensor<4x8x12xf32>, tensor<4x8x12xf32>, tensor<4x12x8xf32>) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}

func.func @gshard_by_choice(%x: tensor<?x8xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %l: tensor<?x4xf32> {sluice.name = "logits", sluice.dims = ["T", ""]},
    %wg: tensor<4x8x12xf32> {sluice.name = "w_gate", sluice.role = "weight"},
    %wu: tensor<4x8x12xf32> {sluice.name = "w_up", sluice.role = "weight"},
    %wd: tensor<4x12x8xf32> {sluice.name = "w_down", sluice.role = "weight"})
    -> (tensor<?x8xf32> {sluice.name = "y"}) {
  %w, %i = sluice.topk_gate %l {k = 2 : i64, renormalize = true}
      : (tensor<?x4xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  %y = sluice.moe %x, %w, %i gate(%wg) up(%wu) down(%wd) {capacity = 3 : i64, drop = #sluice.drop<by_choice>, renormalize_kept = true}
      : (tensor<?x8xf32>, tensor<?x2xf32>, tensor<?x2xi32>, tensor<4x8x12xf32>, tensor<4x8x12xf32>, tensor<4x12x8xf32>) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}

func.func @by_weight(%x: tensor<?x8xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %l: tensor<?x4xf32> {sluice.name = "logits", sluice.dims = ["T", ""]},
    %wg: tensor<4x8x12xf32> {sluice.name = "w_gate", sluice.role = "weight"},
    %wu: tensor<4x8x12xf32> {sluice.name = "w_up", sluice.role = "weight"},
    %wd: tensor<4x12x8xf32> {sluice.name = "w_down", sluice.role = "weight"})
    -> (tensor<?x8xf32> {sluice.name = "y"}) {
  %w, %i = sluice.topk_gate %l {k = 2 : i64}
      : (tensor<?x4xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  %y = sluice.moe %x, %w, %i gate(%wg) up(%wu) down(%wd) {capacity = 2 : i64, drop = #sluice.drop<by_weight>}
      : (tensor<?x8xf32>, tensor<?x2xf32>, tensor<?x2xi32>, tensor<4x8x12xf32>, tensor<4x8x12xf32>, tensor<4x12x8xf32>) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}

func.func @all_dropped(%x: tensor<?x8xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %l: tensor<?x4xf32> {sluice.name = "logits", sluice.dims = ["T", ""]},
    %wg: tensor<4x8x12xf32> {sluice.name = "w_gate", sluice.role = "weight"},
    %wu: tensor<4x8x12xf32> {sluice.name = "w_up", sluice.role = "weight"},
    %wd: tensor<4x12x8xf32> {sluice.name = "w_down", sluice.role = "weight"})
    -> (tensor<?x8xf32> {sluice.name = "y"}) {
  %w, %i = sluice.topk_gate %l {k = 2 : i64, renormalize = true}
      : (tensor<?x4xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  %y = sluice.moe %x, %w, %i gate(%wg) up(%wu) down(%wd) {capacity = 1 : i64, drop = #sluice.drop<by_choice>, renormalize_kept = true}
      : (tensor<?x8xf32>, tensor<?x2xf32>, tensor<?x2xi32>, tensor<4x8x12xf32>, tensor<4x8x12xf32>, tensor<4x12x8xf32>) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}

func.func @k_all(%x: tensor<?x8xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %l: tensor<?x4xf32> {sluice.name = "logits", sluice.dims = ["T", ""]},
    %wg: tensor<4x8x12xf32> {sluice.name = "w_gate", sluice.role = "weight"},
    %wu: tensor<4x8x12xf32> {sluice.name = "w_up", sluice.role = "weight"},
    %wd: tensor<4x12x8xf32> {sluice.name = "w_down", sluice.role = "weight"})
    -> (tensor<?x8xf32> {sluice.name = "y"}) {
  %w, %i = sluice.topk_gate %l {k = 4 : i64, score = #sluice.score<sigmoid>}
      : (tensor<?x4xf32>) -> (tensor<?x4xf32>, tensor<?x4xi32>)
  %y = sluice.moe %x, %w, %i gate(%wg) up(%wu) down(%wd) {act = #sluice.act<relu>}
      : (tensor<?x8xf32>, tensor<?x4xf32>, tensor<?x4xi32>, tensor<4x8x12xf32>, tensor<4x8x12xf32>, tensor<4x12x8xf32>) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}

func.func @random_ids(%x: tensor<?x8xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %i: tensor<?x3xi32> {sluice.name = "indices", sluice.dims = ["T", ""], sluice.range = array<i64: 0, 6>},
    %w: tensor<?x3xf32> {sluice.name = "weights", sluice.dims = ["T", ""]},
    %wg: tensor<4x8x12xf32> {sluice.name = "w_gate", sluice.role = "weight"},
    %wu: tensor<4x8x12xf32> {sluice.name = "w_up", sluice.role = "weight"},
    %wd: tensor<4x12x8xf32> {sluice.name = "w_down", sluice.role = "weight"},
    %sg: tensor<2x8x6xf32> {sluice.name = "shared_gate", sluice.role = "weight"},
    %su: tensor<2x8x6xf32> {sluice.name = "shared_up", sluice.role = "weight"},
    %sd: tensor<2x6x8xf32> {sluice.name = "shared_down", sluice.role = "weight"},
    %sgw: tensor<2x8xf32> {sluice.name = "shared_gate_w", sluice.role = "weight"})
    -> (tensor<?x8xf32> {sluice.name = "y"}) {
  %y = sluice.moe %x, %w, %i gate(%wg) up(%wu) down(%wd) shared_gate(%sg) shared_up(%su) shared_down(%sd) shared_gate_w(%sgw) {num_zero = 1 : i64, num_copy = 1 : i64, capacity = 4 : i64, drop = #sluice.drop<by_weight>}
      : (tensor<?x8xf32>, tensor<?x3xf32>, tensor<?x3xi32>, tensor<4x8x12xf32>, tensor<4x8x12xf32>, tensor<4x12x8xf32>, tensor<2x8x6xf32>, tensor<2x8x6xf32>, tensor<2x6x8xf32>, tensor<2x8xf32>) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}

func.func @tokens_mismatch(%x: tensor<?x8xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %l: tensor<?x4xf32> {sluice.name = "logits", sluice.dims = ["U", ""]},
    %wg: tensor<4x8x12xf32> {sluice.name = "w_gate", sluice.role = "weight"},
    %wd: tensor<4x12x8xf32> {sluice.name = "w_down", sluice.role = "weight"})
    -> (tensor<?x8xf32> {sluice.name = "y"}) {
  %w, %i = sluice.topk_gate %l {k = 2 : i64}
      : (tensor<?x4xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  %y = sluice.moe %x, %w, %i gate(%wg) down(%wd) {capacity = 2 : i64, renormalize_kept = true}
      : (tensor<?x8xf32>, tensor<?x2xf32>, tensor<?x2xi32>, tensor<4x8x12xf32>, tensor<4x12x8xf32>) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}
