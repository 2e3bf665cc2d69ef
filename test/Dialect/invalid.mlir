// RUN: sluice-opt %s -split-input-file -verify-diagnostics

// Negative tests: one chunk per static error rule of the spec
// (/work/shared/spec/ops.md) and per diagnostic of dialect/SluiceVerify.cpp.

//===----------------------------------------------------------------------===//
// topk_gate
//===----------------------------------------------------------------------===//

// topk_gate: k < 1.
func.func @topk_gate_k_zero(%l: tensor<?x8xf32>) {
  // expected-error @+1 {{'sluice.topk_gate' op expects k >= 1, got 0}}
  %w, %i = sluice.topk_gate %l {k = 0 : i64} : (tensor<?x8xf32>) -> (tensor<?x0xf32>, tensor<?x0xi32>)
  return
}

// -----

// topk_gate: k > E.
func.func @topk_gate_k_gt_experts(%l: tensor<?x8xf32>) {
  // expected-error @+1 {{expects k <= number of experts (8), got 9}}
  %w, %i = sluice.topk_gate %l {k = 9 : i64} : (tensor<?x8xf32>) -> (tensor<?x9xf32>, tensor<?x9xi32>)
  return
}

// -----

// topk_gate: E must be static (k <= E and the group rules need it).
func.func @topk_gate_dynamic_experts(%l: tensor<?x?xf32>) {
  // expected-error @+1 {{expects a static number of experts (dim 1 of logits), got 'tensor<?x?xf32>'}}
  %w, %i = sluice.topk_gate %l {k = 2 : i64} : (tensor<?x?xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  return
}

// -----

// topk_gate: bias[E] must match logits[T,E].
func.func @topk_gate_bias_size(%l: tensor<?x8xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{expects the number of experts to match: logits dim 1 is 8 but bias dim 0 is 4}}
  %w, %i = sluice.topk_gate %l bias(%b) {k = 2 : i64} : (tensor<?x8xf32>, tensor<4xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  return
}

// -----

// topk_gate: groups >= 1.
func.func @topk_gate_groups_zero(%l: tensor<?x8xf32>) {
  // expected-error @+1 {{expects groups >= 1, got 0}}
  %w, %i = sluice.topk_gate %l {k = 2 : i64, groups = 0 : i64} : (tensor<?x8xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  return
}

// -----

// topk_gate: E % groups != 0.
func.func @topk_gate_groups_divide(%l: tensor<?x8xf32>) {
  // expected-error @+1 {{expects the number of experts (8) to be divisible by groups (3)}}
  %w, %i = sluice.topk_gate %l {k = 2 : i64, groups = 3 : i64} : (tensor<?x8xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  return
}

// -----

// topk_gate: topk_groups > groups.
func.func @topk_gate_topk_groups_gt_groups(%l: tensor<?x8xf32>) {
  // expected-error @+1 {{expects 1 <= topk_groups <= groups (2), got 3}}
  %w, %i = sluice.topk_gate %l {k = 2 : i64, groups = 2 : i64, topk_groups = 3 : i64} : (tensor<?x8xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  return
}

// -----

// topk_gate: topk_groups < 1.
func.func @topk_gate_topk_groups_zero(%l: tensor<?x8xf32>) {
  // expected-error @+1 {{expects 1 <= topk_groups <= groups (4), got 0}}
  %w, %i = sluice.topk_gate %l {k = 2 : i64, groups = 4 : i64, topk_groups = 0 : i64} : (tensor<?x8xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  return
}

// -----

// topk_gate: k > topk_groups * (E / groups).
func.func @topk_gate_k_gt_kept_experts(%l: tensor<?x8xf32>) {
  // expected-error @+1 {{expects k <= topk_groups * experts per group (1 * 2 = 2), got 3}}
  %w, %i = sluice.topk_gate %l {k = 3 : i64, groups = 4 : i64, topk_groups = 1 : i64} : (tensor<?x8xf32>) -> (tensor<?x3xf32>, tensor<?x3xi32>)
  return
}

// -----

// topk_gate: group_score top2_sum with fewer than 2 experts per group.
func.func @topk_gate_top2_sum_small_groups(%l: tensor<?x8xf32>) {
  // expected-error @+1 {{group_score top2_sum expects at least 2 experts per group, got 1}}
  %w, %i = sluice.topk_gate %l {k = 2 : i64, groups = 8 : i64, topk_groups = 4 : i64, group_score = #sluice.group_score<top2_sum>} : (tensor<?x8xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  return
}

// -----

// topk_gate: renormalize with score = none.
func.func @topk_gate_renormalize_none(%l: tensor<?x8xf32>) {
  // expected-error @+1 {{renormalize is not allowed with score none}}
  %w, %i = sluice.topk_gate %l {k = 2 : i64, score = #sluice.score<none>, renormalize = true} : (tensor<?x8xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  return
}

// -----

// topk_gate: temperature <= 0 (zero).
func.func @topk_gate_temperature_zero(%l: tensor<?x8xf32>) {
  // expected-error @+1 {{expects temperature > 0, got 0}}
  %w, %i = sluice.topk_gate %l {k = 2 : i64, temperature = 0.0 : f32} : (tensor<?x8xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  return
}

// -----

// topk_gate: temperature <= 0 (negative).
func.func @topk_gate_temperature_negative(%l: tensor<?x8xf32>) {
  // expected-error @+1 {{expects temperature > 0, got -5.000000e-01}}
  %w, %i = sluice.topk_gate %l {k = 2 : i64, temperature = -0.5 : f32} : (tensor<?x8xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  return
}

// -----

// topk_gate: float attributes must be finite (temperature = +inf).
func.func @topk_gate_temperature_inf(%l: tensor<?x8xf32>) {
  // expected-error @+1 {{expects a finite temperature, got INF}}
  %w, %i = sluice.topk_gate %l {k = 2 : i64, temperature = 0x7F800000 : f32} : (tensor<?x8xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  return
}

// -----

// topk_gate: non-finite scale (inf).
func.func @topk_gate_scale_inf(%l: tensor<?x8xf32>) {
  // expected-error @+1 {{expects a finite scale, got INF}}
  %w, %i = sluice.topk_gate %l {k = 2 : i64, scale = 0x7F800000 : f32} : (tensor<?x8xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  return
}

// -----

// topk_gate: non-finite scale (nan).
func.func @topk_gate_scale_nan(%l: tensor<?x8xf32>) {
  // expected-error @+1 {{expects a finite scale, got nan}}
  %w, %i = sluice.topk_gate %l {k = 2 : i64, scale = 0x7FC00000 : f32} : (tensor<?x8xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  return
}

// -----

// topk_gate: logits must be f32 (i32 logits).
func.func @topk_gate_i32_logits(%l: tensor<?x8xi32>) {
  // expected-error @+1 {{operand #0 must be 2D tensor of 32-bit float values, but got 'tensor<?x8xi32>'}}
  %w, %i = sluice.topk_gate %l {k = 2 : i64} : (tensor<?x8xi32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  return
}

// -----

// topk_gate: bias must be rank 1.
func.func @topk_gate_bias_rank(%l: tensor<?x8xf32>, %b: tensor<1x8xf32>) {
  // expected-error @+1 {{operand #1 must be 1D tensor of 32-bit float values, but got 'tensor<1x8xf32>'}}
  %w, %i = sluice.topk_gate %l bias(%b) {k = 2 : i64} : (tensor<?x8xf32>, tensor<1x8xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  return
}

// -----

// topk_gate: results are weights[T,k], indices[T,k] (result shape must agree with k).
func.func @topk_gate_result_shape(%l: tensor<?x8xf32>) {
  // expected-error @+2 {{inferred type(s) 'tensor<?x2xf32>', 'tensor<?x2xi32>' are incompatible with return type(s) of operation 'tensor<?x3xf32>', 'tensor<?x3xi32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %w, %i = sluice.topk_gate %l {k = 2 : i64} : (tensor<?x8xf32>) -> (tensor<?x3xf32>, tensor<?x3xi32>)
  return
}

// -----

// topk_gate: indices result must be i32.
func.func @topk_gate_i64_indices(%l: tensor<?x8xf32>) {
  // expected-error @+1 {{result #1 must be 2D tensor of 32-bit signless integer values, but got 'tensor<?x2xi64>'}}
  %w, %i = sluice.topk_gate %l {k = 2 : i64} : (tensor<?x8xf32>) -> (tensor<?x2xf32>, tensor<?x2xi64>)
  return
}

// -----

//===----------------------------------------------------------------------===//
// expert_choice_gate
//===----------------------------------------------------------------------===//

// expert_choice_gate: exactly one of capacity / capacity_factor (neither given).
func.func @expert_choice_neither(%l: tensor<?x8xf32>) {
  // expected-error @+1 {{expects exactly one of capacity and capacity_factor}}
  %w, %t = sluice.expert_choice_gate %l : (tensor<?x8xf32>) -> (tensor<8x?xf32>, tensor<8x?xi32>)
  return
}

// -----

// expert_choice_gate: exactly one of capacity / capacity_factor (both given).
func.func @expert_choice_both(%l: tensor<?x8xf32>) {
  // expected-error @+1 {{expects exactly one of capacity and capacity_factor}}
  %w, %t = sluice.expert_choice_gate %l {capacity = 2 : i64, capacity_factor = 1.0 : f32} : (tensor<?x8xf32>) -> (tensor<8x?xf32>, tensor<8x?xi32>)
  return
}

// -----

// expert_choice_gate: capacity >= 1.
func.func @expert_choice_capacity_zero(%l: tensor<?x8xf32>) {
  // expected-error @+1 {{expects capacity >= 1, got 0}}
  %w, %t = sluice.expert_choice_gate %l {capacity = 0 : i64} : (tensor<?x8xf32>) -> (tensor<8x?xf32>, tensor<8x?xi32>)
  return
}

// -----

// expert_choice_gate: capacity_factor > 0.
func.func @expert_choice_factor_negative(%l: tensor<?x8xf32>) {
  // expected-error @+1 {{expects capacity_factor > 0, got -1.000000e+00}}
  %w, %t = sluice.expert_choice_gate %l {capacity_factor = -1.0 : f32} : (tensor<?x8xf32>) -> (tensor<8x?xf32>, tensor<8x?xi32>)
  return
}

// -----

// expert_choice_gate: capacity_factor must be finite (nan).
func.func @expert_choice_factor_nan(%l: tensor<?x8xf32>) {
  // expected-error @+1 {{expects a finite capacity_factor, got nan}}
  %w, %t = sluice.expert_choice_gate %l {capacity_factor = 0x7FC00000 : f32} : (tensor<?x8xf32>) -> (tensor<8x?xf32>, tensor<8x?xi32>)
  return
}

// -----

// expert_choice_gate: E must be static (results are [E, C]).
func.func @expert_choice_dynamic_experts(%l: tensor<16x?xf32>) {
  // expected-error @+1 {{expects a static number of experts (dim 1 of logits), got 'tensor<16x?xf32>'}}
  %w, %t = sluice.expert_choice_gate %l {capacity = 4 : i64} : (tensor<16x?xf32>) -> (tensor<?x4xf32>, tensor<?x4xi32>)
  return
}

// -----

// expert_choice_gate: results are [E, C] with C = capacity clamped to T.
func.func @expert_choice_result_shape(%l: tensor<16x8xf32>) {
  // expected-error @+2 {{inferred type(s) 'tensor<8x4xf32>', 'tensor<8x4xi32>' are incompatible with return type(s) of operation 'tensor<8x5xf32>', 'tensor<8x5xi32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %w, %t = sluice.expert_choice_gate %l {capacity = 4 : i64} : (tensor<16x8xf32>) -> (tensor<8x5xf32>, tensor<8x5xi32>)
  return
}

// -----

//===----------------------------------------------------------------------===//
// glu, sigmoid_gate
//===----------------------------------------------------------------------===//

// glu: gate and up must have the same shape.
func.func @glu_shape_mismatch(%g: tensor<4x8xf32>, %u: tensor<4x16xf32>) {
  // expected-error @+1 {{failed to verify that all of {gate, up, result} have same type}}
  %y = "sluice.glu"(%g, %u) : (tensor<4x8xf32>, tensor<4x16xf32>) -> tensor<4x8xf32>
  return
}

// -----

// glu: f32 only (i32 operands).
func.func @glu_i32(%g: tensor<4x8xi32>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of 32-bit float values, but got 'tensor<4x8xi32>'}}
  %y = sluice.glu %g, %g : tensor<4x8xi32>
  return
}

// -----

// sigmoid_gate: token counts of x and g must match.
func.func @sigmoid_gate_tokens(%x: tensor<4x64xf32>, %g: tensor<5x8xf32>) {
  // expected-error @+1 {{expects the token counts to match: x dim 0 is 4 but g dim 0 is 5}}
  %y = sluice.sigmoid_gate %x, %g : tensor<4x64xf32>, tensor<5x8xf32>
  return
}

// -----

// sigmoid_gate: g[T,H] needs H | columns of x (x[T, H*Dh]).
func.func @sigmoid_gate_heads(%x: tensor<?x64xf32>, %g: tensor<?x6xf32>) {
  // expected-error @+1 {{expects the columns of x (64) to be a multiple of the heads of g (6)}}
  %y = sluice.sigmoid_gate %x, %g : tensor<?x64xf32>, tensor<?x6xf32>
  return
}

// -----

// sigmoid_gate: g with zero heads.
func.func @sigmoid_gate_zero_heads(%x: tensor<?x64xf32>, %g: tensor<?x0xf32>) {
  // expected-error @+1 {{expects the columns of x (64) to be a multiple of the heads of g (0)}}
  %y = sluice.sigmoid_gate %x, %g : tensor<?x64xf32>, tensor<?x0xf32>
  return
}

// -----

// sigmoid_gate: x must be rank 2.
func.func @sigmoid_gate_rank(%x: tensor<?x8x64xf32>, %g: tensor<?x8xf32>) {
  // expected-error @+1 {{operand #0 must be 2D tensor of 32-bit float values, but got 'tensor<?x8x64xf32>'}}
  %y = sluice.sigmoid_gate %x, %g : tensor<?x8x64xf32>, tensor<?x8xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// route
//===----------------------------------------------------------------------===//

// route: indices[T,k] and weights[T,k] token counts must match.
func.func @route_tokens(%i: tensor<4x2xi32>, %w: tensor<5x2xf32>) {
  // expected-error @+1 {{expects the token counts to match: indices dim 0 is 4 but weights dim 0 is 5 (indices: 'tensor<4x2xi32>', weights: 'tensor<5x2xf32>')}}
  %c, %o, %s, %k = sluice.route %i, %w {num_experts = 8 : i64} : (tensor<4x2xi32>, tensor<5x2xf32>) -> (tensor<8xi32>, tensor<9xi32>, tensor<?xi32>, tensor<4x2xi32>)
  return
}

// -----

// route: indices[T,k] and weights[T,k] choices per token must match.
func.func @route_choices(%i: tensor<?x2xi32>, %w: tensor<?x3xf32>) {
  // expected-error @+1 {{expects the choices per token to match: indices dim 1 is 2 but weights dim 1 is 3}}
  %c, %o, %s, %k = sluice.route %i, %w {num_experts = 8 : i64} : (tensor<?x2xi32>, tensor<?x3xf32>) -> (tensor<8xi32>, tensor<9xi32>, tensor<?xi32>, tensor<?x2xi32>)
  return
}

// -----

// route: slot ids t*k+j must fit i32 (T*k < 2^31).
func.func @route_slot_overflow(%i: tensor<1073741824x2xi32>, %w: tensor<?x?xf32>) {
  // expected-error @+1 {{expects T * k < 2^31 so that slot ids t*k+j fit i32, got T = 1073741824, k = 2}}
  %c, %o, %s, %k = sluice.route %i, %w {num_experts = 8 : i64} : (tensor<1073741824x2xi32>, tensor<?x?xf32>) -> (tensor<8xi32>, tensor<9xi32>, tensor<?xi32>, tensor<1073741824x2xi32>)
  return
}

// -----

// route: num_experts >= 1.
func.func @route_num_experts(%i: tensor<?x2xi32>, %w: tensor<?x2xf32>) {
  // expected-error @+1 {{expects num_experts >= 1, got 0}}
  %c, %o, %s, %k = sluice.route %i, %w {num_experts = 0 : i64} : (tensor<?x2xi32>, tensor<?x2xf32>) -> (tensor<?xi32>, tensor<?xi32>, tensor<?xi32>, tensor<?x2xi32>)
  return
}

// -----

// route: block >= 1.
func.func @route_block(%i: tensor<?x2xi32>, %w: tensor<?x2xf32>) {
  // expected-error @+1 {{expects block >= 1, got 0}}
  %c, %o, %s, %k = sluice.route %i, %w {num_experts = 8 : i64, block = 0 : i64} : (tensor<?x2xi32>, tensor<?x2xf32>) -> (tensor<8xi32>, tensor<9xi32>, tensor<?xi32>, tensor<?x2xi32>)
  return
}

// -----

// route: capacity >= 0 (0 = dropless).
func.func @route_capacity(%i: tensor<?x2xi32>, %w: tensor<?x2xf32>) {
  // expected-error @+1 {{expects capacity >= 0 (0 = dropless), got -1}}
  %c, %o, %s, %k = sluice.route %i, %w {num_experts = 8 : i64, capacity = -1 : i64} : (tensor<?x2xi32>, tensor<?x2xf32>) -> (tensor<8xi32>, tensor<9xi32>, tensor<?xi32>, tensor<?x2xi32>)
  return
}

// -----

// route: index tensors are i32 (f32 indices).
func.func @route_f32_indices(%i: tensor<?x2xf32>, %w: tensor<?x2xf32>) {
  // expected-error @+1 {{operand #0 must be 2D tensor of 32-bit signless integer values, but got 'tensor<?x2xf32>'}}
  %c, %o, %s, %k = sluice.route %i, %w {num_experts = 8 : i64} : (tensor<?x2xf32>, tensor<?x2xf32>) -> (tensor<8xi32>, tensor<9xi32>, tensor<?xi32>, tensor<?x2xi32>)
  return
}

// -----

// route: counts[E] and offsets[E+1] follow num_experts.
func.func @route_result_shape(%i: tensor<?x2xi32>, %w: tensor<?x2xf32>) {
  // expected-error @+2 {{inferred type(s) 'tensor<8xi32>', 'tensor<9xi32>', 'tensor<?xi32>', 'tensor<?x2xi32>' are incompatible with return type(s) of operation 'tensor<8xi32>', 'tensor<8xi32>', 'tensor<?xi32>', 'tensor<?x2xi32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %c, %o, %s, %k = sluice.route %i, %w {num_experts = 8 : i64} : (tensor<?x2xi32>, tensor<?x2xf32>) -> (tensor<8xi32>, tensor<8xi32>, tensor<?xi32>, tensor<?x2xi32>)
  return
}

// -----

//===----------------------------------------------------------------------===//
// dispatch, grouped_matmul
//===----------------------------------------------------------------------===//

// dispatch: k >= 1.
func.func @dispatch_k(%x: tensor<?x64xf32>, %s: tensor<?xi32>) {
  // expected-error @+1 {{expects k >= 1, got 0}}
  %xs = sluice.dispatch %x, %s {k = 0 : i64} : (tensor<?x64xf32>, tensor<?xi32>) -> tensor<?x64xf32>
  return
}

// -----

// dispatch: slots must be an i32 vector (rank 2 slots).
func.func @dispatch_slots_rank(%x: tensor<?x64xf32>, %s: tensor<?x2xi32>) {
  // expected-error @+1 {{operand #1 must be 1D tensor of 32-bit signless integer values, but got 'tensor<?x2xi32>'}}
  %xs = sluice.dispatch %x, %s {k = 2 : i64} : (tensor<?x64xf32>, tensor<?x2xi32>) -> tensor<?x64xf32>
  return
}

// -----

// grouped_matmul: xs[P,K] and w[E,K,N] contraction sizes must match.
func.func @grouped_matmul_k(%xs: tensor<?x32xf32>, %w: tensor<8x64x128xf32>, %o: tensor<9xi32>) {
  // expected-error @+1 {{expects the contraction sizes to match: xs dim 1 is 32 but w dim 1 is 64}}
  %ys = sluice.grouped_matmul %xs, %w, %o : (tensor<?x32xf32>, tensor<8x64x128xf32>, tensor<9xi32>) -> tensor<?x128xf32>
  return
}

// -----

// grouped_matmul: offsets[E+1].
func.func @grouped_matmul_offsets(%xs: tensor<?x64xf32>, %w: tensor<8x64x128xf32>, %o: tensor<8xi32>) {
  // expected-error @+1 {{expects offsets of shape [9] (one more than the experts of w), got 'tensor<8xi32>'}}
  %ys = sluice.grouped_matmul %xs, %w, %o : (tensor<?x64xf32>, tensor<8x64x128xf32>, tensor<8xi32>) -> tensor<?x128xf32>
  return
}

// -----

// grouped_matmul: w must be rank 3 [E,K,N].
func.func @grouped_matmul_w_rank(%xs: tensor<?x64xf32>, %w: tensor<64x128xf32>, %o: tensor<9xi32>) {
  // expected-error @+1 {{operand #1 must be 3D tensor of 32-bit float values, but got 'tensor<64x128xf32>'}}
  %ys = sluice.grouped_matmul %xs, %w, %o : (tensor<?x64xf32>, tensor<64x128xf32>, tensor<9xi32>) -> tensor<?x128xf32>
  return
}

// -----

// grouped_matmul: result is ys[P,N].
func.func @grouped_matmul_result(%xs: tensor<?x64xf32>, %w: tensor<8x64x128xf32>, %o: tensor<9xi32>) {
  // expected-error @+2 {{inferred type(s) 'tensor<?x128xf32>' are incompatible with return type(s) of operation 'tensor<?x64xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %ys = sluice.grouped_matmul %xs, %w, %o : (tensor<?x64xf32>, tensor<8x64x128xf32>, tensor<9xi32>) -> tensor<?x64xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// combine
//===----------------------------------------------------------------------===//

// combine: keep(...) and tokens(...) together (exactly one form).
func.func @combine_both_forms(%ys: tensor<?x64xf32>, %s: tensor<?xi32>, %w: tensor<?x2xf32>, %k: tensor<?x2xi32>, %n: index) {
  // expected-error @+1 {{expects exactly one of keep(...) (token-choice form) and tokens(...) (per-slot form)}}
  %y = sluice.combine %ys, %s, %w keep(%k) tokens(%n) : (tensor<?x64xf32>, tensor<?xi32>, tensor<?x2xf32>, tensor<?x2xi32>, index) -> tensor<?x64xf32>
  return
}

// -----

// combine: neither keep(...) nor tokens(...).
func.func @combine_no_form(%ys: tensor<?x64xf32>, %s: tensor<?xi32>, %w: tensor<?x2xf32>) {
  // expected-error @+1 {{expects exactly one of keep(...) (token-choice form) and tokens(...) (per-slot form)}}
  %y = sluice.combine %ys, %s, %w : (tensor<?x64xf32>, tensor<?xi32>, tensor<?x2xf32>) -> tensor<?x64xf32>
  return
}

// -----

// combine: ys[P,d] and slots[P] slot counts must match.
func.func @combine_slots(%ys: tensor<6x64xf32>, %s: tensor<7xi32>, %w: tensor<?x2xf32>, %k: tensor<?x2xi32>) {
  // expected-error @+1 {{expects the slot counts to match: ys dim 0 is 6 but slots dim 0 is 7}}
  %y = sluice.combine %ys, %s, %w keep(%k) : (tensor<6x64xf32>, tensor<7xi32>, tensor<?x2xf32>, tensor<?x2xi32>) -> tensor<?x64xf32>
  return
}

// -----

// combine: result y[T,d] feature size must match ys[P,d].
func.func @combine_features(%ys: tensor<?x64xf32>, %s: tensor<?xi32>, %w: tensor<?x2xf32>, %k: tensor<?x2xi32>) {
  // expected-error @+1 {{expects the feature sizes to match: ys dim 1 is 64 but result dim 1 is 32}}
  %y = sluice.combine %ys, %s, %w keep(%k) : (tensor<?x64xf32>, tensor<?xi32>, tensor<?x2xf32>, tensor<?x2xi32>) -> tensor<?x32xf32>
  return
}

// -----

// combine (token-choice): weights must be [T, k].
func.func @combine_tc_weights_rank(%ys: tensor<?x64xf32>, %s: tensor<?xi32>, %w: tensor<?xf32>, %k: tensor<?x2xi32>) {
  // expected-error @+1 {{token-choice form expects weights of rank 2 [T, k], got 'tensor<?xf32>'}}
  %y = sluice.combine %ys, %s, %w keep(%k) : (tensor<?x64xf32>, tensor<?xi32>, tensor<?xf32>, tensor<?x2xi32>) -> tensor<?x64xf32>
  return
}

// -----

// combine (token-choice): keep[T,k] must have the shape of weights[T,k].
func.func @combine_tc_keep_shape(%ys: tensor<?x64xf32>, %s: tensor<?xi32>, %w: tensor<?x2xf32>, %k: tensor<?x3xi32>) {
  // expected-error @+1 {{expects keep of shape [?, 2] (the shape of weights), got 'tensor<?x3xi32>'}}
  %y = sluice.combine %ys, %s, %w keep(%k) : (tensor<?x64xf32>, tensor<?xi32>, tensor<?x2xf32>, tensor<?x3xi32>) -> tensor<?x64xf32>
  return
}

// -----

// combine (token-choice): a given k must equal weights.shape[1].
func.func @combine_tc_k(%ys: tensor<?x64xf32>, %s: tensor<?xi32>, %w: tensor<?x2xf32>, %k: tensor<?x2xi32>) {
  // expected-error @+1 {{expects k to equal weights dim 1 (2), got 3}}
  %y = sluice.combine %ys, %s, %w keep(%k) {k = 3 : i64} : (tensor<?x64xf32>, tensor<?xi32>, tensor<?x2xf32>, tensor<?x2xi32>) -> tensor<?x64xf32>
  return
}

// -----

// combine (token-choice): a negative k can equal no weights.shape[1], even a dynamic one.
func.func @combine_tc_k_negative(%ys: tensor<?x64xf32>, %s: tensor<?xi32>, %w: tensor<?x?xf32>, %k: tensor<?x?xi32>) {
  // expected-error @+1 {{expects k to equal weights dim 1 (?), got -1}}
  %y = sluice.combine %ys, %s, %w keep(%k) {k = -1 : i64} : (tensor<?x64xf32>, tensor<?xi32>, tensor<?x?xf32>, tensor<?x?xi32>) -> tensor<?x64xf32>
  return
}

// -----

// combine (token-choice): weights[T,k] and result y[T,d] token counts must match.
func.func @combine_tc_tokens(%ys: tensor<?x64xf32>, %s: tensor<?xi32>, %w: tensor<4x2xf32>, %k: tensor<4x2xi32>) {
  // expected-error @+1 {{expects the token counts to match: weights dim 0 is 4 but result dim 0 is 5}}
  %y = sluice.combine %ys, %s, %w keep(%k) : (tensor<?x64xf32>, tensor<?xi32>, tensor<4x2xf32>, tensor<4x2xi32>) -> tensor<5x64xf32>
  return
}

// -----

// combine (token-choice): slot ids t*k+j must fit i32 (T*k < 2^31).
func.func @combine_tc_slot_overflow(%ys: tensor<?x64xf32>, %s: tensor<?xi32>, %w: tensor<1073741824x4xf32>, %k: tensor<?x?xi32>) {
  // expected-error @+1 {{expects T * k < 2^31 so that slot ids t*k+j fit i32, got T = 1073741824, k = 4}}
  %y = sluice.combine %ys, %s, %w keep(%k) : (tensor<?x64xf32>, tensor<?xi32>, tensor<1073741824x4xf32>, tensor<?x?xi32>) -> tensor<?x64xf32>
  return
}

// -----

// combine (token-choice): keep must be i32 (f32 keep).
func.func @combine_tc_keep_f32(%ys: tensor<?x64xf32>, %s: tensor<?xi32>, %w: tensor<?x2xf32>, %k: tensor<?x2xf32>) {
  // expected-error @+1 {{operand #3 must be 2D tensor of 32-bit signless integer values, but got 'tensor<?x2xf32>'}}
  %y = sluice.combine %ys, %s, %w keep(%k) : (tensor<?x64xf32>, tensor<?xi32>, tensor<?x2xf32>, tensor<?x2xf32>) -> tensor<?x64xf32>
  return
}

// -----

// combine (per-slot): slot_weights must be [P].
func.func @combine_ps_weights_rank(%ys: tensor<?x64xf32>, %s: tensor<?xi32>, %w: tensor<?x1xf32>, %n: index) {
  // expected-error @+1 {{per-slot form expects slot_weights of rank 1 [P], got 'tensor<?x1xf32>'}}
  %y = sluice.combine %ys, %s, %w tokens(%n) {k = 1 : i64} : (tensor<?x64xf32>, tensor<?xi32>, tensor<?x1xf32>, index) -> tensor<?x64xf32>
  return
}

// -----

// combine (per-slot): the attribute k is required.
func.func @combine_ps_no_k(%ys: tensor<?x64xf32>, %s: tensor<?xi32>, %w: tensor<?xf32>, %n: index) {
  // expected-error @+1 {{per-slot form expects the attribute k}}
  %y = sluice.combine %ys, %s, %w tokens(%n) : (tensor<?x64xf32>, tensor<?xi32>, tensor<?xf32>, index) -> tensor<?x64xf32>
  return
}

// -----

// combine (per-slot): k >= 1.
func.func @combine_ps_k_zero(%ys: tensor<?x64xf32>, %s: tensor<?xi32>, %w: tensor<?xf32>, %n: index) {
  // expected-error @+1 {{expects k >= 1, got 0}}
  %y = sluice.combine %ys, %s, %w tokens(%n) {k = 0 : i64} : (tensor<?x64xf32>, tensor<?xi32>, tensor<?xf32>, index) -> tensor<?x64xf32>
  return
}

// -----

// combine (per-slot): slot_weights[P] and slots[P] must match.
func.func @combine_ps_slot_weights(%ys: tensor<?x64xf32>, %s: tensor<6xi32>, %w: tensor<5xf32>, %n: index) {
  // expected-error @+1 {{expects the slot counts to match: slot_weights dim 0 is 5 but slots dim 0 is 6}}
  %y = sluice.combine %ys, %s, %w tokens(%n) {k = 1 : i64} : (tensor<?x64xf32>, tensor<6xi32>, tensor<5xf32>, index) -> tensor<?x64xf32>
  return
}

// -----

// combine (per-slot): slot_weights[P] and ys[P,d] must match (slots dynamic).
func.func @combine_ps_slot_weights_ys(%ys: tensor<6x64xf32>, %s: tensor<?xi32>, %w: tensor<5xf32>, %n: index) {
  // expected-error @+1 {{expects the slot counts to match: slot_weights dim 0 is 5 but ys dim 0 is 6}}
  %y = sluice.combine %ys, %s, %w tokens(%n) {k = 1 : i64} : (tensor<6x64xf32>, tensor<?xi32>, tensor<5xf32>, index) -> tensor<?x64xf32>
  return
}

// -----

// combine (per-slot): num_tokens is an index.
func.func @combine_ps_num_tokens_type(%ys: tensor<?x64xf32>, %s: tensor<?xi32>, %w: tensor<?xf32>, %n: i32) {
  // expected-error @+1 {{operand #3 must be index, but got 'i32'}}
  %y = sluice.combine %ys, %s, %w tokens(%n) {k = 1 : i64} : (tensor<?x64xf32>, tensor<?xi32>, tensor<?xf32>, i32) -> tensor<?x64xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// moe
//===----------------------------------------------------------------------===//

// moe: x[T,d] and weights[T,k] token counts must match.
func.func @moe_x_weights_tokens(%x: tensor<4x64xf32>, %w: tensor<5x2xf32>, %i: tensor<?x2xi32>, %wg: tensor<8x64x128xf32>, %wd: tensor<8x128x64xf32>) {
  // expected-error @+1 {{expects the token counts to match: x dim 0 is 4 but weights dim 0 is 5}}
  %y = sluice.moe %x, %w, %i gate(%wg) down(%wd) : (tensor<4x64xf32>, tensor<5x2xf32>, tensor<?x2xi32>, tensor<8x64x128xf32>, tensor<8x128x64xf32>) -> tensor<4x64xf32>
  return
}

// -----

// moe: weights[T,k] and indices[T,k] token counts must match.
func.func @moe_weights_indices_tokens(%x: tensor<?x64xf32>, %w: tensor<4x2xf32>, %i: tensor<5x2xi32>, %wg: tensor<8x64x128xf32>, %wd: tensor<8x128x64xf32>) {
  // expected-error @+1 {{expects the token counts to match: weights dim 0 is 4 but indices dim 0 is 5}}
  %y = sluice.moe %x, %w, %i gate(%wg) down(%wd) : (tensor<?x64xf32>, tensor<4x2xf32>, tensor<5x2xi32>, tensor<8x64x128xf32>, tensor<8x128x64xf32>) -> tensor<?x64xf32>
  return
}

// -----

// moe: x[T,d] and indices[T,k] token counts must match (weights dynamic).
func.func @moe_x_indices_tokens(%x: tensor<4x64xf32>, %w: tensor<?x2xf32>, %i: tensor<5x2xi32>, %wg: tensor<8x64x128xf32>, %wd: tensor<8x128x64xf32>) {
  // expected-error @+1 {{expects the token counts to match: x dim 0 is 4 but indices dim 0 is 5}}
  %y = sluice.moe %x, %w, %i gate(%wg) down(%wd) : (tensor<4x64xf32>, tensor<?x2xf32>, tensor<5x2xi32>, tensor<8x64x128xf32>, tensor<8x128x64xf32>) -> tensor<4x64xf32>
  return
}

// -----

// moe: weights[T,k] and indices[T,k] choices per token must match.
func.func @moe_choices(%x: tensor<?x64xf32>, %w: tensor<?x2xf32>, %i: tensor<?x3xi32>, %wg: tensor<8x64x128xf32>, %wd: tensor<8x128x64xf32>) {
  // expected-error @+1 {{expects the choices per token to match: weights dim 1 is 2 but indices dim 1 is 3}}
  %y = sluice.moe %x, %w, %i gate(%wg) down(%wd) : (tensor<?x64xf32>, tensor<?x2xf32>, tensor<?x3xi32>, tensor<8x64x128xf32>, tensor<8x128x64xf32>) -> tensor<?x64xf32>
  return
}

// -----

// moe: slot ids t*k+j must fit i32 (T*k < 2^31).
func.func @moe_slot_overflow(%x: tensor<?x64xf32>, %w: tensor<?x2xf32>, %i: tensor<1073741824x2xi32>, %wg: tensor<8x64x128xf32>, %wd: tensor<8x128x64xf32>) {
  // expected-error @+1 {{expects T * k < 2^31 so that slot ids t*k+j fit i32, got T = 1073741824, k = 2}}
  %y = sluice.moe %x, %w, %i gate(%wg) down(%wd) : (tensor<?x64xf32>, tensor<?x2xf32>, tensor<1073741824x2xi32>, tensor<8x64x128xf32>, tensor<8x128x64xf32>) -> tensor<?x64xf32>
  return
}

// -----

// moe: x[T,d] and w_gate[E,d,F] hidden sizes must match.
func.func @moe_hidden(%x: tensor<?x32xf32>, %w: tensor<?x2xf32>, %i: tensor<?x2xi32>, %wg: tensor<8x64x128xf32>, %wd: tensor<8x128x64xf32>) {
  // expected-error @+1 {{expects the hidden sizes to match: x dim 1 is 32 but w_gate dim 1 is 64}}
  %y = sluice.moe %x, %w, %i gate(%wg) down(%wd) : (tensor<?x32xf32>, tensor<?x2xf32>, tensor<?x2xi32>, tensor<8x64x128xf32>, tensor<8x128x64xf32>) -> tensor<?x32xf32>
  return
}

// -----

// moe: w_up[E,d,F] must have the shape of w_gate.
func.func @moe_w_up(%x: tensor<?x64xf32>, %w: tensor<?x2xf32>, %i: tensor<?x2xi32>, %wg: tensor<8x64x128xf32>, %wu: tensor<8x64x96xf32>, %wd: tensor<8x128x64xf32>) {
  // expected-error @+1 {{expects w_up of shape [8, 64, 128] (the shape of w_gate), got 'tensor<8x64x96xf32>'}}
  %y = sluice.moe %x, %w, %i gate(%wg) up(%wu) down(%wd) : (tensor<?x64xf32>, tensor<?x2xf32>, tensor<?x2xi32>, tensor<8x64x128xf32>, tensor<8x64x96xf32>, tensor<8x128x64xf32>) -> tensor<?x64xf32>
  return
}

// -----

// moe: w_down[E,F,d] (expert count of w_gate).
func.func @moe_w_down(%x: tensor<?x64xf32>, %w: tensor<?x2xf32>, %i: tensor<?x2xi32>, %wg: tensor<8x64x128xf32>, %wd: tensor<4x128x64xf32>) {
  // expected-error @+1 {{expects w_down of shape [8, 128, 64] ([experts, ffn, hidden] of w_gate and x), got 'tensor<4x128x64xf32>'}}
  %y = sluice.moe %x, %w, %i gate(%wg) down(%wd) : (tensor<?x64xf32>, tensor<?x2xf32>, tensor<?x2xi32>, tensor<8x64x128xf32>, tensor<4x128x64xf32>) -> tensor<?x64xf32>
  return
}

// -----

// moe: w_down hidden size must match w_gate's even when x's is dynamic.
func.func @moe_w_down_hidden(%x: tensor<?x?xf32>, %w: tensor<?x2xf32>, %i: tensor<?x2xi32>, %wg: tensor<8x64x128xf32>, %wd: tensor<8x128x32xf32>) {
  // expected-error @+1 {{expects w_down of shape [8, 128, 64] ([experts, ffn, hidden] of w_gate and x), got 'tensor<8x128x32xf32>'}}
  %y = sluice.moe %x, %w, %i gate(%wg) down(%wd) : (tensor<?x?xf32>, tensor<?x2xf32>, tensor<?x2xi32>, tensor<8x64x128xf32>, tensor<8x128x32xf32>) -> tensor<?x?xf32>
  return
}

// -----

// moe: shared_gate without shared_down.
func.func @moe_shared_gate_only(%x: tensor<?x64xf32>, %w: tensor<?x2xf32>, %i: tensor<?x2xi32>, %wg: tensor<8x64x128xf32>, %wd: tensor<8x128x64xf32>, %sg: tensor<1x64x256xf32>) {
  // expected-error @+1 {{expects shared_gate and shared_down together}}
  %y = sluice.moe %x, %w, %i gate(%wg) down(%wd) shared_gate(%sg) : (tensor<?x64xf32>, tensor<?x2xf32>, tensor<?x2xi32>, tensor<8x64x128xf32>, tensor<8x128x64xf32>, tensor<1x64x256xf32>) -> tensor<?x64xf32>
  return
}

// -----

// moe: shared_down without shared_gate.
func.func @moe_shared_down_only(%x: tensor<?x64xf32>, %w: tensor<?x2xf32>, %i: tensor<?x2xi32>, %wg: tensor<8x64x128xf32>, %wd: tensor<8x128x64xf32>, %sd: tensor<1x256x64xf32>) {
  // expected-error @+1 {{expects shared_gate and shared_down together}}
  %y = sluice.moe %x, %w, %i gate(%wg) down(%wd) shared_down(%sd) : (tensor<?x64xf32>, tensor<?x2xf32>, tensor<?x2xi32>, tensor<8x64x128xf32>, tensor<8x128x64xf32>, tensor<1x256x64xf32>) -> tensor<?x64xf32>
  return
}

// -----

// moe: shared_up needs shared_gate.
func.func @moe_shared_up_only(%x: tensor<?x64xf32>, %w: tensor<?x2xf32>, %i: tensor<?x2xi32>, %wg: tensor<8x64x128xf32>, %wd: tensor<8x128x64xf32>, %su: tensor<1x64x256xf32>) {
  // expected-error @+1 {{expects shared_gate with shared_up}}
  %y = sluice.moe %x, %w, %i gate(%wg) down(%wd) shared_up(%su) : (tensor<?x64xf32>, tensor<?x2xf32>, tensor<?x2xi32>, tensor<8x64x128xf32>, tensor<8x128x64xf32>, tensor<1x64x256xf32>) -> tensor<?x64xf32>
  return
}

// -----

// moe: shared_gate_w needs shared_gate.
func.func @moe_shared_gate_w_only(%x: tensor<?x64xf32>, %w: tensor<?x2xf32>, %i: tensor<?x2xi32>, %wg: tensor<8x64x128xf32>, %wd: tensor<8x128x64xf32>, %sgw: tensor<1x64xf32>) {
  // expected-error @+1 {{expects shared_gate with shared_gate_w}}
  %y = sluice.moe %x, %w, %i gate(%wg) down(%wd) shared_gate_w(%sgw) : (tensor<?x64xf32>, tensor<?x2xf32>, tensor<?x2xi32>, tensor<8x64x128xf32>, tensor<8x128x64xf32>, tensor<1x64xf32>) -> tensor<?x64xf32>
  return
}

// -----

// moe: shared_gate[S,d,Fs] hidden size must match x.
func.func @moe_shared_hidden(%x: tensor<?x64xf32>, %w: tensor<?x2xf32>, %i: tensor<?x2xi32>, %wg: tensor<8x64x128xf32>, %wd: tensor<8x128x64xf32>, %sg: tensor<1x32x256xf32>, %sd: tensor<1x256x64xf32>) {
  // expected-error @+1 {{expects the hidden sizes to match: x dim 1 is 64 but shared_gate dim 1 is 32}}
  %y = sluice.moe %x, %w, %i gate(%wg) down(%wd) shared_gate(%sg) shared_down(%sd) : (tensor<?x64xf32>, tensor<?x2xf32>, tensor<?x2xi32>, tensor<8x64x128xf32>, tensor<8x128x64xf32>, tensor<1x32x256xf32>, tensor<1x256x64xf32>) -> tensor<?x64xf32>
  return
}

// -----

// moe: shared_gate hidden size must match w_gate's even when x's is dynamic.
func.func @moe_shared_hidden_wgate(%x: tensor<?x?xf32>, %w: tensor<?x2xf32>, %i: tensor<?x2xi32>, %wg: tensor<8x64x128xf32>, %wd: tensor<8x128x64xf32>, %sg: tensor<1x32x256xf32>, %sd: tensor<1x256x32xf32>) {
  // expected-error @+1 {{expects the hidden sizes to match: w_gate dim 1 is 64 but shared_gate dim 1 is 32}}
  %y = sluice.moe %x, %w, %i gate(%wg) down(%wd) shared_gate(%sg) shared_down(%sd) : (tensor<?x?xf32>, tensor<?x2xf32>, tensor<?x2xi32>, tensor<8x64x128xf32>, tensor<8x128x64xf32>, tensor<1x32x256xf32>, tensor<1x256x32xf32>) -> tensor<?x?xf32>
  return
}

// -----

// moe: shared_up[S,d,Fs] must have the shape of shared_gate.
func.func @moe_shared_up_shape(%x: tensor<?x64xf32>, %w: tensor<?x2xf32>, %i: tensor<?x2xi32>, %wg: tensor<8x64x128xf32>, %wd: tensor<8x128x64xf32>, %sg: tensor<2x64x256xf32>, %su: tensor<2x64x128xf32>, %sd: tensor<2x256x64xf32>) {
  // expected-error @+1 {{expects shared_up of shape [2, 64, 256] (the shape of shared_gate), got 'tensor<2x64x128xf32>'}}
  %y = sluice.moe %x, %w, %i gate(%wg) down(%wd) shared_gate(%sg) shared_up(%su) shared_down(%sd) : (tensor<?x64xf32>, tensor<?x2xf32>, tensor<?x2xi32>, tensor<8x64x128xf32>, tensor<8x128x64xf32>, tensor<2x64x256xf32>, tensor<2x64x128xf32>, tensor<2x256x64xf32>) -> tensor<?x64xf32>
  return
}

// -----

// moe: shared_down[S,Fs,d].
func.func @moe_shared_down_shape(%x: tensor<?x64xf32>, %w: tensor<?x2xf32>, %i: tensor<?x2xi32>, %wg: tensor<8x64x128xf32>, %wd: tensor<8x128x64xf32>, %sg: tensor<2x64x256xf32>, %sd: tensor<1x256x64xf32>) {
  // expected-error @+1 {{expects shared_down of shape [2, 256, 64] ([shared, ffn, hidden] of shared_gate and x), got 'tensor<1x256x64xf32>'}}
  %y = sluice.moe %x, %w, %i gate(%wg) down(%wd) shared_gate(%sg) shared_down(%sd) : (tensor<?x64xf32>, tensor<?x2xf32>, tensor<?x2xi32>, tensor<8x64x128xf32>, tensor<8x128x64xf32>, tensor<2x64x256xf32>, tensor<1x256x64xf32>) -> tensor<?x64xf32>
  return
}

// -----

// moe: shared_gate_w[S,d].
func.func @moe_shared_gate_w_shape(%x: tensor<?x64xf32>, %w: tensor<?x2xf32>, %i: tensor<?x2xi32>, %wg: tensor<8x64x128xf32>, %wd: tensor<8x128x64xf32>, %sg: tensor<2x64x256xf32>, %sd: tensor<2x256x64xf32>, %sgw: tensor<1x64xf32>) {
  // expected-error @+1 {{expects shared_gate_w of shape [2, 64] ([shared, hidden]), got 'tensor<1x64xf32>'}}
  %y = sluice.moe %x, %w, %i gate(%wg) down(%wd) shared_gate(%sg) shared_down(%sd) shared_gate_w(%sgw) : (tensor<?x64xf32>, tensor<?x2xf32>, tensor<?x2xi32>, tensor<8x64x128xf32>, tensor<8x128x64xf32>, tensor<2x64x256xf32>, tensor<2x256x64xf32>, tensor<1x64xf32>) -> tensor<?x64xf32>
  return
}

// -----

// moe: num_zero / num_copy / num_const >= 0.
func.func @moe_num_zero_negative(%x: tensor<?x64xf32>, %w: tensor<?x2xf32>, %i: tensor<?x2xi32>, %wg: tensor<8x64x128xf32>, %wd: tensor<8x128x64xf32>) {
  // expected-error @+1 {{expects num_zero, num_copy and num_const >= 0, got -1, 0, 0}}
  %y = sluice.moe %x, %w, %i gate(%wg) down(%wd) {num_zero = -1 : i64} : (tensor<?x64xf32>, tensor<?x2xf32>, tensor<?x2xi32>, tensor<8x64x128xf32>, tensor<8x128x64xf32>) -> tensor<?x64xf32>
  return
}

// -----

// moe: num_const > 0 needs const_wc and const_v.
func.func @moe_num_const_no_operands(%x: tensor<?x64xf32>, %w: tensor<?x2xf32>, %i: tensor<?x2xi32>, %wg: tensor<8x64x128xf32>, %wd: tensor<8x128x64xf32>) {
  // expected-error @+1 {{expects const_wc and const_v exactly when num_const > 0 (num_const = 2)}}
  %y = sluice.moe %x, %w, %i gate(%wg) down(%wd) {num_const = 2 : i64} : (tensor<?x64xf32>, tensor<?x2xf32>, tensor<?x2xi32>, tensor<8x64x128xf32>, tensor<8x128x64xf32>) -> tensor<?x64xf32>
  return
}

// -----

// moe: const_wc / const_v without num_const.
func.func @moe_const_operands_without_num_const(%x: tensor<?x64xf32>, %w: tensor<?x2xf32>, %i: tensor<?x2xi32>, %wg: tensor<8x64x128xf32>, %wd: tensor<8x128x64xf32>, %wc: tensor<2x64x2xf32>, %v: tensor<2x64xf32>) {
  // expected-error @+1 {{expects const_wc and const_v exactly when num_const > 0 (num_const = 0)}}
  %y = sluice.moe %x, %w, %i gate(%wg) down(%wd) const_wc(%wc) const_v(%v) : (tensor<?x64xf32>, tensor<?x2xf32>, tensor<?x2xi32>, tensor<8x64x128xf32>, tensor<8x128x64xf32>, tensor<2x64x2xf32>, tensor<2x64xf32>) -> tensor<?x64xf32>
  return
}

// -----

// moe: const_wc[num_const, d, 2].
func.func @moe_const_wc_shape(%x: tensor<?x64xf32>, %w: tensor<?x2xf32>, %i: tensor<?x2xi32>, %wg: tensor<8x64x128xf32>, %wd: tensor<8x128x64xf32>, %wc: tensor<2x64x3xf32>, %v: tensor<2x64xf32>) {
  // expected-error @+1 {{expects const_wc of shape [2, 64, 2] ([num_const, hidden, 2]), got 'tensor<2x64x3xf32>'}}
  %y = sluice.moe %x, %w, %i gate(%wg) down(%wd) const_wc(%wc) const_v(%v) {num_const = 2 : i64} : (tensor<?x64xf32>, tensor<?x2xf32>, tensor<?x2xi32>, tensor<8x64x128xf32>, tensor<8x128x64xf32>, tensor<2x64x3xf32>, tensor<2x64xf32>) -> tensor<?x64xf32>
  return
}

// -----

// moe: const_v[num_const, d].
func.func @moe_const_v_shape(%x: tensor<?x64xf32>, %w: tensor<?x2xf32>, %i: tensor<?x2xi32>, %wg: tensor<8x64x128xf32>, %wd: tensor<8x128x64xf32>, %wc: tensor<2x64x2xf32>, %v: tensor<3x64xf32>) {
  // expected-error @+1 {{expects const_v of shape [2, 64] ([num_const, hidden]), got 'tensor<3x64xf32>'}}
  %y = sluice.moe %x, %w, %i gate(%wg) down(%wd) const_wc(%wc) const_v(%v) {num_const = 2 : i64} : (tensor<?x64xf32>, tensor<?x2xf32>, tensor<?x2xi32>, tensor<8x64x128xf32>, tensor<8x128x64xf32>, tensor<2x64x2xf32>, tensor<3x64xf32>) -> tensor<?x64xf32>
  return
}

// -----

// moe: capacity >= 0 (0 = dropless), as in route.
func.func @moe_capacity(%x: tensor<?x64xf32>, %w: tensor<?x2xf32>, %i: tensor<?x2xi32>, %wg: tensor<8x64x128xf32>, %wd: tensor<8x128x64xf32>) {
  // expected-error @+1 {{expects capacity >= 0 (0 = dropless), got -4}}
  %y = sluice.moe %x, %w, %i gate(%wg) down(%wd) {capacity = -4 : i64} : (tensor<?x64xf32>, tensor<?x2xf32>, tensor<?x2xi32>, tensor<8x64x128xf32>, tensor<8x128x64xf32>) -> tensor<?x64xf32>
  return
}

// -----

// moe: indices are i32 (f32 indices).
func.func @moe_f32_indices(%x: tensor<?x64xf32>, %w: tensor<?x2xf32>, %i: tensor<?x2xf32>, %wg: tensor<8x64x128xf32>, %wd: tensor<8x128x64xf32>) {
  // expected-error @+1 {{operand #2 must be 2D tensor of 32-bit signless integer values, but got 'tensor<?x2xf32>'}}
  %y = sluice.moe %x, %w, %i gate(%wg) down(%wd) : (tensor<?x64xf32>, tensor<?x2xf32>, tensor<?x2xf32>, tensor<8x64x128xf32>, tensor<8x128x64xf32>) -> tensor<?x64xf32>
  return
}

// -----

// moe: result is y[T,d].
func.func @moe_result(%x: tensor<?x64xf32>, %w: tensor<?x2xf32>, %i: tensor<?x2xi32>, %wg: tensor<8x64x128xf32>, %wd: tensor<8x128x64xf32>) {
  // expected-error @+2 {{inferred type(s) 'tensor<?x64xf32>' are incompatible with return type(s) of operation 'tensor<?x128xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %y = sluice.moe %x, %w, %i gate(%wg) down(%wd) : (tensor<?x64xf32>, tensor<?x2xf32>, tensor<?x2xi32>, tensor<8x64x128xf32>, tensor<8x128x64xf32>) -> tensor<?x128xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// load_balance_loss, router_z_loss
//===----------------------------------------------------------------------===//

// load_balance_loss: probs[T,E] and indices[T,k] token counts must match.
func.func @lbl_probs_indices(%p: tensor<4x8xf32>, %i: tensor<5x2xi32>) {
  // expected-error @+1 {{expects the token counts to match: probs dim 0 is 4 but indices dim 0 is 5}}
  %l = sluice.load_balance_loss %p, %i : (tensor<4x8xf32>, tensor<5x2xi32>) -> tensor<f32>
  return
}

// -----

// load_balance_loss: probs[T,E] and mask[T] token counts must match.
func.func @lbl_probs_mask(%p: tensor<4x8xf32>, %i: tensor<?x2xi32>, %m: tensor<5xi1>) {
  // expected-error @+1 {{expects the token counts to match: probs dim 0 is 4 but mask dim 0 is 5}}
  %l = sluice.load_balance_loss %p, %i mask(%m) : (tensor<4x8xf32>, tensor<?x2xi32>, tensor<5xi1>) -> tensor<f32>
  return
}

// -----

// load_balance_loss: indices[T,k] and mask[T] token counts must match (probs dynamic).
func.func @lbl_indices_mask(%p: tensor<?x8xf32>, %i: tensor<4x2xi32>, %m: tensor<5xi1>) {
  // expected-error @+1 {{expects the token counts to match: indices dim 0 is 4 but mask dim 0 is 5}}
  %l = sluice.load_balance_loss %p, %i mask(%m) : (tensor<?x8xf32>, tensor<4x2xi32>, tensor<5xi1>) -> tensor<f32>
  return
}

// -----

// load_balance_loss: a float mask is an error.
func.func @lbl_float_mask(%p: tensor<?x8xf32>, %i: tensor<?x2xi32>, %m: tensor<?xf32>) {
  // expected-error @+1 {{operand #2 must be 1D tensor of integer values, but got 'tensor<?xf32>'}}
  %l = sluice.load_balance_loss %p, %i mask(%m) : (tensor<?x8xf32>, tensor<?x2xi32>, tensor<?xf32>) -> tensor<f32>
  return
}

// -----

// load_balance_loss: probs are f32 (i32 probs).
func.func @lbl_i32_probs(%p: tensor<?x8xi32>, %i: tensor<?x2xi32>) {
  // expected-error @+1 {{operand #0 must be 2D tensor of 32-bit float values, but got 'tensor<?x8xi32>'}}
  %l = sluice.load_balance_loss %p, %i : (tensor<?x8xi32>, tensor<?x2xi32>) -> tensor<f32>
  return
}

// -----

// load_balance_loss: the result is an f32 scalar.
func.func @lbl_result_rank(%p: tensor<?x8xf32>, %i: tensor<?x2xi32>) {
  // expected-error @+1 {{result #0 must be 0D tensor of 32-bit float values, but got 'tensor<1xf32>'}}
  %l = sluice.load_balance_loss %p, %i : (tensor<?x8xf32>, tensor<?x2xi32>) -> tensor<1xf32>
  return
}

// -----

// router_z_loss: logits[T,E] and mask[T] token counts must match.
func.func @zloss_mask(%l: tensor<4x8xf32>, %m: tensor<5xi1>) {
  // expected-error @+1 {{expects the token counts to match: logits dim 0 is 4 but mask dim 0 is 5}}
  %z = sluice.router_z_loss %l mask(%m) : (tensor<4x8xf32>, tensor<5xi1>) -> tensor<f32>
  return
}

// -----

// router_z_loss: a float mask is an error.
func.func @zloss_float_mask(%l: tensor<?x8xf32>, %m: tensor<?xf32>) {
  // expected-error @+1 {{operand #1 must be 1D tensor of integer values, but got 'tensor<?xf32>'}}
  %z = sluice.router_z_loss %l mask(%m) : (tensor<?x8xf32>, tensor<?xf32>) -> tensor<f32>
  return
}

// -----

// router_z_loss: mask must be rank 1 [T].
func.func @zloss_mask_rank(%l: tensor<?x8xf32>, %m: tensor<?x8xi1>) {
  // expected-error @+1 {{operand #1 must be 1D tensor of integer values, but got 'tensor<?x8xi1>'}}
  %z = sluice.router_z_loss %l mask(%m) : (tensor<?x8xf32>, tensor<?x8xi1>) -> tensor<f32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// pool, segment_pool
//===----------------------------------------------------------------------===//

// pool: mask and lengths are mutually exclusive.
func.func @pool_mask_and_lengths(%x: tensor<?x?x64xf32>, %m: tensor<?x?xi1>, %n: tensor<?xi32>) {
  // expected-error @+1 {{expects at most one of mask and lengths}}
  %y = sluice.pool %x mask(%m) lengths(%n) {kind = #sluice.pool<mean>} : (tensor<?x?x64xf32>, tensor<?x?xi1>, tensor<?xi32>) -> tensor<?x64xf32>
  return
}

// -----

// pool: x[B,N,D] and mask[B,N] batch sizes must match.
func.func @pool_mask_batch(%x: tensor<2x?x64xf32>, %m: tensor<3x?xi1>) {
  // expected-error @+1 {{expects the batch sizes to match: x dim 0 is 2 but mask dim 0 is 3}}
  %y = sluice.pool %x mask(%m) {kind = #sluice.pool<mean>} : (tensor<2x?x64xf32>, tensor<3x?xi1>) -> tensor<2x64xf32>
  return
}

// -----

// pool: x[B,N,D] and mask[B,N] set sizes must match.
func.func @pool_mask_set(%x: tensor<?x10x64xf32>, %m: tensor<?x12xi1>) {
  // expected-error @+1 {{expects the set sizes to match: x dim 1 is 10 but mask dim 1 is 12}}
  %y = sluice.pool %x mask(%m) {kind = #sluice.pool<sum>} : (tensor<?x10x64xf32>, tensor<?x12xi1>) -> tensor<?x64xf32>
  return
}

// -----

// pool: x[B,N,D] and lengths[B] batch sizes must match.
func.func @pool_lengths_batch(%x: tensor<2x?x64xf32>, %n: tensor<3xi32>) {
  // expected-error @+1 {{expects the batch sizes to match: x dim 0 is 2 but lengths dim 0 is 3}}
  %y = sluice.pool %x lengths(%n) {kind = #sluice.pool<max>} : (tensor<2x?x64xf32>, tensor<3xi32>) -> tensor<2x64xf32>
  return
}

// -----

// pool: p != 0, checked whatever the kind (here sum).
func.func @pool_p_zero(%x: tensor<?x?x64xf32>) {
  // expected-error @+1 {{expects p != 0}}
  %y = sluice.pool %x {kind = #sluice.pool<sum>, p = 0.0 : f32} : (tensor<?x?x64xf32>) -> tensor<?x64xf32>
  return
}

// -----

// pool: r != 0, checked whatever the kind (here mean).
func.func @pool_r_zero(%x: tensor<?x?x64xf32>) {
  // expected-error @+1 {{expects r != 0}}
  %y = sluice.pool %x {kind = #sluice.pool<mean>, r = 0.0 : f32} : (tensor<?x?x64xf32>) -> tensor<?x64xf32>
  return
}

// -----

// pool: eps > 0 (zero).
func.func @pool_eps_zero(%x: tensor<?x?x64xf32>) {
  // expected-error @+1 {{expects eps > 0, got 0}}
  %y = sluice.pool %x {kind = #sluice.pool<gem>, eps = 0.0 : f32} : (tensor<?x?x64xf32>) -> tensor<?x64xf32>
  return
}

// -----

// pool: eps > 0 (negative), checked whatever the kind.
func.func @pool_eps_negative(%x: tensor<?x?x64xf32>) {
  // expected-error @+1 {{expects eps > 0, got -1.000000e+00}}
  %y = sluice.pool %x {kind = #sluice.pool<first>, eps = -1.0 : f32} : (tensor<?x?x64xf32>) -> tensor<?x64xf32>
  return
}

// -----

// pool: groups >= 1.
func.func @pool_groups_zero(%x: tensor<?x?x64xf32>) {
  // expected-error @+1 {{expects groups >= 1, got 0}}
  %y = sluice.pool %x {kind = #sluice.pool<gem>, groups = 0 : i64} : (tensor<?x?x64xf32>) -> tensor<?x64xf32>
  return
}

// -----

// pool: G | D, checked whatever the kind.
func.func @pool_groups_divide(%x: tensor<?x?x64xf32>) {
  // expected-error @+1 {{expects groups (3) to divide the features (64)}}
  %y = sluice.pool %x {kind = #sluice.pool<max>, groups = 3 : i64} : (tensor<?x?x64xf32>) -> tensor<?x64xf32>
  return
}

// -----

// pool: group_p is allowed only with kind gem.
func.func @pool_group_p_not_gem(%x: tensor<?x?x64xf32>, %gp: tensor<4xf32>) {
  // expected-error @+1 {{group_p is only allowed with kind gem, got kind lse}}
  %y = sluice.pool %x group_p(%gp) {kind = #sluice.pool<lse>, groups = 4 : i64} : (tensor<?x?x64xf32>, tensor<4xf32>) -> tensor<?x64xf32>
  return
}

// -----

// pool: group_p[G].
func.func @pool_group_p_shape(%x: tensor<?x?x64xf32>, %gp: tensor<2xf32>) {
  // expected-error @+1 {{expects group_p of shape [4] ([groups]), got 'tensor<2xf32>'}}
  %y = sluice.pool %x group_p(%gp) {kind = #sluice.pool<gem>, groups = 4 : i64} : (tensor<?x?x64xf32>, tensor<2xf32>) -> tensor<?x64xf32>
  return
}

// -----

// pool: float attributes must be finite (p = inf).
func.func @pool_p_inf(%x: tensor<?x?x64xf32>) {
  // expected-error @+1 {{expects a finite p, got INF}}
  %y = sluice.pool %x {kind = #sluice.pool<gem>, p = 0x7F800000 : f32} : (tensor<?x?x64xf32>) -> tensor<?x64xf32>
  return
}

// -----

// pool: float attributes must be finite (eps = nan).
func.func @pool_eps_nan(%x: tensor<?x?x64xf32>) {
  // expected-error @+1 {{expects a finite eps, got nan}}
  %y = sluice.pool %x {kind = #sluice.pool<gem>, eps = 0x7FC00000 : f32} : (tensor<?x?x64xf32>) -> tensor<?x64xf32>
  return
}

// -----

// pool: float attributes must be finite (r = -inf).
func.func @pool_r_ninf(%x: tensor<?x?x64xf32>) {
  // expected-error @+1 {{expects a finite r, got -INF}}
  %y = sluice.pool %x {kind = #sluice.pool<lse>, r = 0xFF800000 : f32} : (tensor<?x?x64xf32>) -> tensor<?x64xf32>
  return
}

// -----

// pool: a float mask is an error.
func.func @pool_float_mask(%x: tensor<?x?x64xf32>, %m: tensor<?x?xf32>) {
  // expected-error @+1 {{operand #1 must be 2D tensor of integer values, but got 'tensor<?x?xf32>'}}
  %y = sluice.pool %x mask(%m) {kind = #sluice.pool<mean>} : (tensor<?x?x64xf32>, tensor<?x?xf32>) -> tensor<?x64xf32>
  return
}

// -----

// pool: lengths are i32 (i64 lengths).
func.func @pool_i64_lengths(%x: tensor<?x?x64xf32>, %n: tensor<?xi64>) {
  // expected-error @+1 {{operand #1 must be 1D tensor of 32-bit signless integer values, but got 'tensor<?xi64>'}}
  %y = sluice.pool %x lengths(%n) {kind = #sluice.pool<mean>} : (tensor<?x?x64xf32>, tensor<?xi64>) -> tensor<?x64xf32>
  return
}

// -----

// pool: x must be rank 3 [B,N,D].
func.func @pool_x_rank(%x: tensor<?x64xf32>) {
  // expected-error @+1 {{operand #0 must be 3D tensor of 32-bit float values, but got 'tensor<?x64xf32>'}}
  %y = sluice.pool %x {kind = #sluice.pool<mean>} : (tensor<?x64xf32>) -> tensor<?x64xf32>
  return
}

// -----

// pool: kind is required (an attribute without a stated default).
func.func @pool_no_kind(%x: tensor<?x?x64xf32>) {
  // expected-error @+1 {{requires attribute 'kind'}}
  %y = sluice.pool %x : (tensor<?x?x64xf32>) -> tensor<?x64xf32>
  return
}

// -----

// segment_pool: offsets[B+1] needs at least one entry.
func.func @segment_pool_empty_offsets(%x: tensor<?x64xf32>, %o: tensor<0xi32>) {
  // expected-error @+1 {{expects offsets of shape [B+1] with at least one entry, got 'tensor<0xi32>'}}
  %y = sluice.segment_pool %x, %o {kind = #sluice.pool<mean>} : (tensor<?x64xf32>, tensor<0xi32>) -> tensor<?x64xf32>
  return
}

// -----

// segment_pool: attributes as pool (G | D).
func.func @segment_pool_groups_divide(%x: tensor<?x64xf32>, %o: tensor<?xi32>, %gp: tensor<5xf32>) {
  // expected-error @+1 {{expects groups (5) to divide the features (64)}}
  %y = sluice.segment_pool %x, %o group_p(%gp) {kind = #sluice.pool<gem>, groups = 5 : i64} : (tensor<?x64xf32>, tensor<?xi32>, tensor<5xf32>) -> tensor<?x64xf32>
  return
}

// -----

// segment_pool: attributes as pool (group_p only with kind gem).
func.func @segment_pool_group_p_not_gem(%x: tensor<?x64xf32>, %o: tensor<?xi32>, %gp: tensor<1xf32>) {
  // expected-error @+1 {{group_p is only allowed with kind gem, got kind mean}}
  %y = sluice.segment_pool %x, %o group_p(%gp) {kind = #sluice.pool<mean>} : (tensor<?x64xf32>, tensor<?xi32>, tensor<1xf32>) -> tensor<?x64xf32>
  return
}

// -----

// segment_pool: attributes as pool (p != 0).
func.func @segment_pool_p_zero(%x: tensor<?x64xf32>, %o: tensor<?xi32>) {
  // expected-error @+1 {{expects p != 0}}
  %y = sluice.segment_pool %x, %o {kind = #sluice.pool<gem>, p = 0.0 : f32} : (tensor<?x64xf32>, tensor<?xi32>) -> tensor<?x64xf32>
  return
}

// -----

// segment_pool: offsets are i32 (f32 offsets).
func.func @segment_pool_f32_offsets(%x: tensor<?x64xf32>, %o: tensor<?xf32>) {
  // expected-error @+1 {{operand #1 must be 1D tensor of 32-bit signless integer values, but got 'tensor<?xf32>'}}
  %y = sluice.segment_pool %x, %o {kind = #sluice.pool<mean>} : (tensor<?x64xf32>, tensor<?xf32>) -> tensor<?x64xf32>
  return
}

// -----

// segment_pool: result is [B, D] with B = offsets.size - 1.
func.func @segment_pool_result(%x: tensor<?x64xf32>, %o: tensor<5xi32>) {
  // expected-error @+2 {{inferred type(s) 'tensor<4x64xf32>' are incompatible with return type(s) of operation 'tensor<5x64xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %y = sluice.segment_pool %x, %o {kind = #sluice.pool<mean>} : (tensor<?x64xf32>, tensor<5xi32>) -> tensor<5x64xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// adaptive_pool, spatial_pyramid_pool
//===----------------------------------------------------------------------===//

// adaptive_pool: output_size is [OH, OW].
func.func @adaptive_pool_output_size_len(%x: tensor<?x8x14x14xf32>) {
  // expected-error @+1 {{expects output_size to have 2 entries [OH, OW], got 3}}
  %y = sluice.adaptive_pool %x {output_size = array<i64: 7, 7, 7>} : (tensor<?x8x14x14xf32>) -> tensor<?x8x?x?xf32>
  return
}

// -----

// adaptive_pool: output_size entries >= 1.
func.func @adaptive_pool_output_size_zero(%x: tensor<?x8x14x14xf32>) {
  // expected-error @+1 {{expects output_size entries >= 1, got [7, 0]}}
  %y = sluice.adaptive_pool %x {output_size = array<i64: 7, 0>} : (tensor<?x8x14x14xf32>) -> tensor<?x8x7x?xf32>
  return
}

// -----

// adaptive_pool: H >= 1.
func.func @adaptive_pool_h_zero(%x: tensor<?x8x0x14xf32>) {
  // expected-error @+1 {{expects H >= 1, got 0 (x: 'tensor<?x8x0x14xf32>')}}
  %y = sluice.adaptive_pool %x {output_size = array<i64: 7, 7>} : (tensor<?x8x0x14xf32>) -> tensor<?x8x7x7xf32>
  return
}

// -----

// adaptive_pool: W >= 1.
func.func @adaptive_pool_w_zero(%x: tensor<?x8x14x0xf32>) {
  // expected-error @+1 {{expects W >= 1, got 0 (x: 'tensor<?x8x14x0xf32>')}}
  %y = sluice.adaptive_pool %x {output_size = array<i64: 7, 7>} : (tensor<?x8x14x0xf32>) -> tensor<?x8x7x7xf32>
  return
}

// -----

// adaptive_pool: x must be rank 4 [B,C,H,W].
func.func @adaptive_pool_rank(%x: tensor<8x14x14xf32>) {
  // expected-error @+1 {{operand #0 must be 4D tensor of 32-bit float values, but got 'tensor<8x14x14xf32>'}}
  %y = sluice.adaptive_pool %x {output_size = array<i64: 7, 7>} : (tensor<8x14x14xf32>) -> tensor<?x8x7x7xf32>
  return
}

// -----

// adaptive_pool: result is [B, C, OH, OW].
func.func @adaptive_pool_result(%x: tensor<?x8x14x14xf32>) {
  // expected-error @+2 {{inferred type(s) 'tensor<?x8x7x7xf32>' are incompatible with return type(s) of operation 'tensor<?x8x14x14xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %y = sluice.adaptive_pool %x {output_size = array<i64: 7, 7>} : (tensor<?x8x14x14xf32>) -> tensor<?x8x14x14xf32>
  return
}

// -----

// spatial_pyramid_pool: at least one level.
func.func @spp_no_levels(%x: tensor<?x8x13x13xf32>) {
  // expected-error @+1 {{expects at least one pyramid level}}
  %y = sluice.spatial_pyramid_pool %x {levels = array<i64>} : (tensor<?x8x13x13xf32>) -> tensor<?x?xf32>
  return
}

// -----

// spatial_pyramid_pool: every level >= 1.
func.func @spp_level_zero(%x: tensor<?x8x13x13xf32>) {
  // expected-error @+1 {{expects every level >= 1, got 0}}
  %y = sluice.spatial_pyramid_pool %x {levels = array<i64: 4, 0, 1>} : (tensor<?x8x13x13xf32>) -> tensor<?x?xf32>
  return
}

// -----

// spatial_pyramid_pool: H, W >= 1 (as adaptive_pool).
func.func @spp_w_zero(%x: tensor<?x8x13x0xf32>) {
  // expected-error @+1 {{expects W >= 1, got 0 (x: 'tensor<?x8x13x0xf32>')}}
  %y = sluice.spatial_pyramid_pool %x {levels = array<i64: 2, 1>} : (tensor<?x8x13x0xf32>) -> tensor<?x40xf32>
  return
}

// -----

// spatial_pyramid_pool: result is [B, C * sum(l*l)].
func.func @spp_result(%x: tensor<?x8x13x13xf32>) {
  // expected-error @+2 {{inferred type(s) 'tensor<?x168xf32>' are incompatible with return type(s) of operation 'tensor<?x21xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %y = sluice.spatial_pyramid_pool %x {levels = array<i64: 4, 2, 1>} : (tensor<?x8x13x13xf32>) -> tensor<?x21xf32>
  return
}

// -----

// spatial_pyramid_pool: x must be f32 (i32 input).
func.func @spp_i32(%x: tensor<?x8x13x13xi32>) {
  // expected-error @+1 {{operand #0 must be 4D tensor of 32-bit float values, but got 'tensor<?x8x13x13xi32>'}}
  %y = sluice.spatial_pyramid_pool %x {levels = array<i64: 1>} : (tensor<?x8x13x13xi32>) -> tensor<?x8xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// attention_pool
//===----------------------------------------------------------------------===//

// attention_pool: x[B,N,D] and mask[B,N] batch sizes must match.
func.func @attention_pool_mask_batch(%x: tensor<2x?x64xf32>, %q: tensor<1x64xf32>, %m: tensor<3x?xi1>) {
  // expected-error @+1 {{expects the batch sizes to match: x dim 0 is 2 but mask dim 0 is 3}}
  %y = sluice.attention_pool %x, %q mask(%m) : (tensor<2x?x64xf32>, tensor<1x64xf32>, tensor<3x?xi1>) -> tensor<2x1x64xf32>
  return
}

// -----

// attention_pool: x[B,N,D] and mask[B,N] set sizes must match.
func.func @attention_pool_mask_set(%x: tensor<?x10x64xf32>, %q: tensor<1x64xf32>, %m: tensor<?x9xi1>) {
  // expected-error @+1 {{expects the set sizes to match: x dim 1 is 10 but mask dim 1 is 9}}
  %y = sluice.attention_pool %x, %q mask(%m) : (tensor<?x10x64xf32>, tensor<1x64xf32>, tensor<?x9xi1>) -> tensor<?x1x64xf32>
  return
}

// -----

// attention_pool (dot): q[Q,D] and x[B,N,D] feature sizes must match.
func.func @attention_pool_dot_features(%x: tensor<?x?x64xf32>, %q: tensor<2x32xf32>) {
  // expected-error @+1 {{expects the feature sizes to match: x dim 2 is 64 but q dim 1 is 32}}
  %y = sluice.attention_pool %x, %q : (tensor<?x?x64xf32>, tensor<2x32xf32>) -> tensor<?x2x64xf32>
  return
}

// -----

// attention_pool (dot): heads >= 1.
func.func @attention_pool_heads_zero(%x: tensor<?x?x64xf32>, %q: tensor<2x64xf32>) {
  // expected-error @+1 {{expects heads >= 1, got 0}}
  %y = sluice.attention_pool %x, %q {heads = 0 : i64} : (tensor<?x?x64xf32>, tensor<2x64xf32>) -> tensor<?x2x64xf32>
  return
}

// -----

// attention_pool (dot): D % heads == 0.
func.func @attention_pool_heads_divide(%x: tensor<?x?x64xf32>, %q: tensor<2x64xf32>) {
  // expected-error @+1 {{expects heads (3) to divide the features (64)}}
  %y = sluice.attention_pool %x, %q {heads = 3 : i64} : (tensor<?x?x64xf32>, tensor<2x64xf32>) -> tensor<?x2x64xf32>
  return
}

// -----

// attention_pool (featurewise): takes no heads.
func.func @attention_pool_featurewise_heads(%x: tensor<?x?x64xf32>, %w: tensor<64x64xf32>) {
  // expected-error @+1 {{kind featurewise takes no heads}}
  %y = sluice.attention_pool %x, %w {kind = #sluice.attention_pool<featurewise>, heads = 1 : i64} : (tensor<?x?x64xf32>, tensor<64x64xf32>) -> tensor<?x1x64xf32>
  return
}

// -----

// attention_pool (featurewise): w[D,D] with D the features of x.
func.func @attention_pool_featurewise_w(%x: tensor<?x?x64xf32>, %w: tensor<64x32xf32>) {
  // expected-error @+1 {{expects w of shape [64, 64] ([D, D] with D the features of x), got 'tensor<64x32xf32>'}}
  %y = sluice.attention_pool %x, %w {kind = #sluice.attention_pool<featurewise>} : (tensor<?x?x64xf32>, tensor<64x32xf32>) -> tensor<?x1x64xf32>
  return
}

// -----

// attention_pool (featurewise): w must be square even when x's D is dynamic.
func.func @attention_pool_featurewise_w_square(%x: tensor<?x?x?xf32>, %w: tensor<32x64xf32>) {
  // expected-error @+1 {{expects w of shape [32, 32] ([D, D] with D the features of x), got 'tensor<32x64xf32>'}}
  %y = sluice.attention_pool %x, %w {kind = #sluice.attention_pool<featurewise>} : (tensor<?x?x?xf32>, tensor<32x64xf32>) -> tensor<?x1x?xf32>
  return
}

// -----

// attention_pool (featurewise): result is [B, 1, D].
func.func @attention_pool_featurewise_result(%x: tensor<?x?x64xf32>, %w: tensor<64x64xf32>) {
  // expected-error @+2 {{inferred type(s) 'tensor<?x1x64xf32>' are incompatible with return type(s) of operation 'tensor<?x64x64xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %y = sluice.attention_pool %x, %w {kind = #sluice.attention_pool<featurewise>} : (tensor<?x?x64xf32>, tensor<64x64xf32>) -> tensor<?x64x64xf32>
  return
}

// -----

// attention_pool: a float mask is an error.
func.func @attention_pool_float_mask(%x: tensor<?x?x64xf32>, %q: tensor<1x64xf32>, %m: tensor<?x?xf32>) {
  // expected-error @+1 {{operand #2 must be 2D tensor of integer values, but got 'tensor<?x?xf32>'}}
  %y = sluice.attention_pool %x, %q mask(%m) : (tensor<?x?x64xf32>, tensor<1x64xf32>, tensor<?x?xf32>) -> tensor<?x1x64xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// lora_matmul
//===----------------------------------------------------------------------===//

// lora_matmul: x[T,K] and w[K,N] contraction sizes must match.
func.func @lora_x_w(%x: tensor<?x32xf32>, %w: tensor<64x16xf32>, %a: tensor<64x8xf32>, %b: tensor<8x16xf32>) {
  // expected-error @+1 {{expects the contraction sizes to match: x dim 1 is 32 but w dim 0 is 64}}
  %y = sluice.lora_matmul %x, %w, %a, %b : (tensor<?x32xf32>, tensor<64x16xf32>, tensor<64x8xf32>, tensor<8x16xf32>) -> tensor<?x16xf32>
  return
}

// -----

// lora_matmul: x[T,K] and a[K,r] contraction sizes must match.
func.func @lora_x_a(%x: tensor<?x64xf32>, %w: tensor<64x16xf32>, %a: tensor<32x8xf32>, %b: tensor<8x16xf32>) {
  // expected-error @+1 {{expects the contraction sizes to match: x dim 1 is 64 but a dim 0 is 32}}
  %y = sluice.lora_matmul %x, %w, %a, %b : (tensor<?x64xf32>, tensor<64x16xf32>, tensor<32x8xf32>, tensor<8x16xf32>) -> tensor<?x16xf32>
  return
}

// -----

// lora_matmul: w[K,N] and a[K,r] must agree even when x's K is dynamic.
func.func @lora_w_a(%x: tensor<?x?xf32>, %w: tensor<64x16xf32>, %a: tensor<32x8xf32>, %b: tensor<8x16xf32>) {
  // expected-error @+1 {{expects the contraction sizes to match: w dim 0 is 64 but a dim 0 is 32}}
  %y = sluice.lora_matmul %x, %w, %a, %b : (tensor<?x?xf32>, tensor<64x16xf32>, tensor<32x8xf32>, tensor<8x16xf32>) -> tensor<?x16xf32>
  return
}

// -----

// lora_matmul: a[K,r] and b[r,N] ranks must match.
func.func @lora_rank(%x: tensor<?x64xf32>, %w: tensor<64x16xf32>, %a: tensor<64x8xf32>, %b: tensor<4x16xf32>) {
  // expected-error @+1 {{expects the ranks to match: a dim 1 is 8 but b dim 0 is 4}}
  %y = sluice.lora_matmul %x, %w, %a, %b : (tensor<?x64xf32>, tensor<64x16xf32>, tensor<64x8xf32>, tensor<4x16xf32>) -> tensor<?x16xf32>
  return
}

// -----

// lora_matmul: w[K,N] and b[r,N] output sizes must match.
func.func @lora_out(%x: tensor<?x64xf32>, %w: tensor<64x16xf32>, %a: tensor<64x8xf32>, %b: tensor<8x32xf32>) {
  // expected-error @+1 {{expects the output sizes to match: w dim 1 is 16 but b dim 1 is 32}}
  %y = sluice.lora_matmul %x, %w, %a, %b : (tensor<?x64xf32>, tensor<64x16xf32>, tensor<64x8xf32>, tensor<8x32xf32>) -> tensor<?x16xf32>
  return
}

// -----

// lora_matmul: bias[N].
func.func @lora_bias(%x: tensor<?x64xf32>, %w: tensor<64x16xf32>, %a: tensor<64x8xf32>, %b: tensor<8x16xf32>, %bias: tensor<32xf32>) {
  // expected-error @+1 {{expects bias of shape [16] ([N] of w), got 'tensor<32xf32>'}}
  %y = sluice.lora_matmul %x, %w, %a, %b bias(%bias) : (tensor<?x64xf32>, tensor<64x16xf32>, tensor<64x8xf32>, tensor<8x16xf32>, tensor<32xf32>) -> tensor<?x16xf32>
  return
}

// -----

// lora_matmul: rank_gates[r] (fixed gate).
func.func @lora_rank_gates_1d(%x: tensor<?x64xf32>, %w: tensor<64x16xf32>, %a: tensor<64x8xf32>, %b: tensor<8x16xf32>, %g: tensor<4xf32>) {
  // expected-error @+1 {{expects rank_gates of shape [8] ([r] of a), got 'tensor<4xf32>'}}
  %y = sluice.lora_matmul %x, %w, %a, %b rank_gates(%g) : (tensor<?x64xf32>, tensor<64x16xf32>, tensor<64x8xf32>, tensor<8x16xf32>, tensor<4xf32>) -> tensor<?x16xf32>
  return
}

// -----

// lora_matmul: rank_gates[T,r] (per-token gate).
func.func @lora_rank_gates_2d(%x: tensor<5x64xf32>, %w: tensor<64x16xf32>, %a: tensor<64x8xf32>, %b: tensor<8x16xf32>, %g: tensor<6x8xf32>) {
  // expected-error @+1 {{expects rank_gates of shape [5, 8] ([T, r] of x and a), got 'tensor<6x8xf32>'}}
  %y = sluice.lora_matmul %x, %w, %a, %b rank_gates(%g) : (tensor<5x64xf32>, tensor<64x16xf32>, tensor<64x8xf32>, tensor<8x16xf32>, tensor<6x8xf32>) -> tensor<5x16xf32>
  return
}

// -----

// lora_matmul: rank_gates must be rank 1 or 2.
func.func @lora_rank_gates_3d(%x: tensor<?x64xf32>, %w: tensor<64x16xf32>, %a: tensor<64x8xf32>, %b: tensor<8x16xf32>, %g: tensor<1x1x8xf32>) {
  // expected-error @+1 {{operand #4 must be 1D/2D tensor of 32-bit float values, but got 'tensor<1x1x8xf32>'}}
  %y = sluice.lora_matmul %x, %w, %a, %b rank_gates(%g) : (tensor<?x64xf32>, tensor<64x16xf32>, tensor<64x8xf32>, tensor<8x16xf32>, tensor<1x1x8xf32>) -> tensor<?x16xf32>
  return
}

// -----

// lora_matmul: active_rank <= r.
func.func @lora_active_rank_gt(%x: tensor<?x64xf32>, %w: tensor<64x16xf32>, %a: tensor<64x8xf32>, %b: tensor<8x16xf32>) {
  // expected-error @+1 {{expects 0 <= active_rank <= rank (8), got 9}}
  %y = sluice.lora_matmul %x, %w, %a, %b {active_rank = 9 : i64} : (tensor<?x64xf32>, tensor<64x16xf32>, tensor<64x8xf32>, tensor<8x16xf32>) -> tensor<?x16xf32>
  return
}

// -----

// lora_matmul: active_rank >= 0.
func.func @lora_active_rank_negative(%x: tensor<?x64xf32>, %w: tensor<64x16xf32>, %a: tensor<64x?xf32>, %b: tensor<?x16xf32>) {
  // expected-error @+1 {{expects 0 <= active_rank <= rank (?), got -1}}
  %y = sluice.lora_matmul %x, %w, %a, %b {active_rank = -1 : i64} : (tensor<?x64xf32>, tensor<64x16xf32>, tensor<64x?xf32>, tensor<?x16xf32>) -> tensor<?x16xf32>
  return
}

// -----

// lora_matmul: non-finite scale.
func.func @lora_scale_inf(%x: tensor<?x64xf32>, %w: tensor<64x16xf32>, %a: tensor<64x8xf32>, %b: tensor<8x16xf32>) {
  // expected-error @+1 {{expects a finite scale, got INF}}
  %y = sluice.lora_matmul %x, %w, %a, %b {scale = 0x7F800000 : f32} : (tensor<?x64xf32>, tensor<64x16xf32>, tensor<64x8xf32>, tensor<8x16xf32>) -> tensor<?x16xf32>
  return
}

// -----

// lora_matmul: f32 operands (i32 x).
func.func @lora_i32_x(%x: tensor<?x64xi32>, %w: tensor<64x16xf32>, %a: tensor<64x8xf32>, %b: tensor<8x16xf32>) {
  // expected-error @+1 {{operand #0 must be 2D tensor of 32-bit float values, but got 'tensor<?x64xi32>'}}
  %y = sluice.lora_matmul %x, %w, %a, %b : (tensor<?x64xi32>, tensor<64x16xf32>, tensor<64x8xf32>, tensor<8x16xf32>) -> tensor<?x16xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// multi_lora_matmul
//===----------------------------------------------------------------------===//

// multi_lora_matmul: x[T,K] and w[K,N] contraction sizes must match.
func.func @mlora_x_w(%x: tensor<?x32xf32>, %w: tensor<64x16xf32>, %a: tensor<4x64x8xf32>, %b: tensor<4x8x16xf32>, %ids: tensor<?x1xi32>) {
  // expected-error @+1 {{expects the contraction sizes to match: x dim 1 is 32 but w dim 0 is 64}}
  %y = sluice.multi_lora_matmul %x, %w, %a, %b, %ids : (tensor<?x32xf32>, tensor<64x16xf32>, tensor<4x64x8xf32>, tensor<4x8x16xf32>, tensor<?x1xi32>) -> tensor<?x16xf32>
  return
}

// -----

// multi_lora_matmul: b[L,r,N] (adapters and rank of a, N of w).
func.func @mlora_b(%x: tensor<?x64xf32>, %w: tensor<64x16xf32>, %a: tensor<4x64x8xf32>, %b: tensor<3x8x16xf32>, %ids: tensor<?x1xi32>) {
  // expected-error @+1 {{expects b of shape [4, 8, 16] ([adapters, rank] of a and [N] of w), got 'tensor<3x8x16xf32>'}}
  %y = sluice.multi_lora_matmul %x, %w, %a, %b, %ids : (tensor<?x64xf32>, tensor<64x16xf32>, tensor<4x64x8xf32>, tensor<3x8x16xf32>, tensor<?x1xi32>) -> tensor<?x16xf32>
  return
}

// -----

// multi_lora_matmul: x[T,K] and a[L,K,r] contraction sizes must match.
func.func @mlora_x_a(%x: tensor<?x64xf32>, %w: tensor<64x16xf32>, %a: tensor<4x32x8xf32>, %b: tensor<4x8x16xf32>, %ids: tensor<?x1xi32>) {
  // expected-error @+1 {{expects the contraction sizes to match: x dim 1 is 64 but a dim 1 is 32}}
  %y = sluice.multi_lora_matmul %x, %w, %a, %b, %ids : (tensor<?x64xf32>, tensor<64x16xf32>, tensor<4x32x8xf32>, tensor<4x8x16xf32>, tensor<?x1xi32>) -> tensor<?x16xf32>
  return
}

// -----

// multi_lora_matmul: w[K,N] and a[L,K,r] must agree even when x's K is dynamic.
func.func @mlora_w_a(%x: tensor<?x?xf32>, %w: tensor<64x16xf32>, %a: tensor<4x32x8xf32>, %b: tensor<4x8x16xf32>, %ids: tensor<?x1xi32>) {
  // expected-error @+1 {{expects the contraction sizes to match: w dim 0 is 64 but a dim 1 is 32}}
  %y = sluice.multi_lora_matmul %x, %w, %a, %b, %ids : (tensor<?x?xf32>, tensor<64x16xf32>, tensor<4x32x8xf32>, tensor<4x8x16xf32>, tensor<?x1xi32>) -> tensor<?x16xf32>
  return
}

// -----

// multi_lora_matmul: x[T,K] and ids[T,m] token counts must match.
func.func @mlora_ids_tokens(%x: tensor<4x64xf32>, %w: tensor<64x16xf32>, %a: tensor<4x64x8xf32>, %b: tensor<4x8x16xf32>, %ids: tensor<5x1xi32>) {
  // expected-error @+1 {{expects the token counts to match: x dim 0 is 4 but ids dim 0 is 5}}
  %y = sluice.multi_lora_matmul %x, %w, %a, %b, %ids : (tensor<4x64xf32>, tensor<64x16xf32>, tensor<4x64x8xf32>, tensor<4x8x16xf32>, tensor<5x1xi32>) -> tensor<4x16xf32>
  return
}

// -----

// multi_lora_matmul: gates[T,m] has the shape of ids.
func.func @mlora_gates(%x: tensor<?x64xf32>, %w: tensor<64x16xf32>, %a: tensor<4x64x8xf32>, %b: tensor<4x8x16xf32>, %ids: tensor<?x2xi32>, %g: tensor<?x3xf32>) {
  // expected-error @+1 {{expects gates of shape [?, 2] (the shape of ids), got 'tensor<?x3xf32>'}}
  %y = sluice.multi_lora_matmul %x, %w, %a, %b, %ids gates(%g) : (tensor<?x64xf32>, tensor<64x16xf32>, tensor<4x64x8xf32>, tensor<4x8x16xf32>, tensor<?x2xi32>, tensor<?x3xf32>) -> tensor<?x16xf32>
  return
}

// -----

// multi_lora_matmul: gates[T,m] token count must match x even when ids' is dynamic.
func.func @mlora_gates_tokens(%x: tensor<4x64xf32>, %w: tensor<64x16xf32>, %a: tensor<4x64x8xf32>, %b: tensor<4x8x16xf32>, %ids: tensor<?x2xi32>, %g: tensor<5x2xf32>) {
  // expected-error @+1 {{expects gates of shape [4, 2] (the shape of ids), got 'tensor<5x2xf32>'}}
  %y = sluice.multi_lora_matmul %x, %w, %a, %b, %ids gates(%g) : (tensor<4x64xf32>, tensor<64x16xf32>, tensor<4x64x8xf32>, tensor<4x8x16xf32>, tensor<?x2xi32>, tensor<5x2xf32>) -> tensor<4x16xf32>
  return
}

// -----

// multi_lora_matmul: scales[L].
func.func @mlora_scales(%x: tensor<?x64xf32>, %w: tensor<64x16xf32>, %a: tensor<4x64x8xf32>, %b: tensor<4x8x16xf32>, %ids: tensor<?x1xi32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{expects scales of shape [4] ([adapters] of a), got 'tensor<3xf32>'}}
  %y = sluice.multi_lora_matmul %x, %w, %a, %b, %ids scales(%s) : (tensor<?x64xf32>, tensor<64x16xf32>, tensor<4x64x8xf32>, tensor<4x8x16xf32>, tensor<?x1xi32>, tensor<3xf32>) -> tensor<?x16xf32>
  return
}

// -----

// multi_lora_matmul: bias[N].
func.func @mlora_bias(%x: tensor<?x64xf32>, %w: tensor<64x16xf32>, %a: tensor<4x64x8xf32>, %b: tensor<4x8x16xf32>, %ids: tensor<?x1xi32>, %bias: tensor<64xf32>) {
  // expected-error @+1 {{expects bias of shape [16] ([N] of w), got 'tensor<64xf32>'}}
  %y = sluice.multi_lora_matmul %x, %w, %a, %b, %ids bias(%bias) : (tensor<?x64xf32>, tensor<64x16xf32>, tensor<4x64x8xf32>, tensor<4x8x16xf32>, tensor<?x1xi32>, tensor<64xf32>) -> tensor<?x16xf32>
  return
}

// -----

// multi_lora_matmul: scales(...) and the attribute scale are mutually exclusive.
func.func @mlora_scales_and_scale(%x: tensor<?x64xf32>, %w: tensor<64x16xf32>, %a: tensor<4x64x8xf32>, %b: tensor<4x8x16xf32>, %ids: tensor<?x1xi32>, %s: tensor<4xf32>) {
  // expected-error @+1 {{expects at most one of scales(...) and the attribute scale}}
  %y = sluice.multi_lora_matmul %x, %w, %a, %b, %ids scales(%s) {scale = 2.0 : f32} : (tensor<?x64xf32>, tensor<64x16xf32>, tensor<4x64x8xf32>, tensor<4x8x16xf32>, tensor<?x1xi32>, tensor<4xf32>) -> tensor<?x16xf32>
  return
}

// -----

// multi_lora_matmul: non-finite scale.
func.func @mlora_scale_nan(%x: tensor<?x64xf32>, %w: tensor<64x16xf32>, %a: tensor<4x64x8xf32>, %b: tensor<4x8x16xf32>, %ids: tensor<?x1xi32>) {
  // expected-error @+1 {{expects a finite scale, got nan}}
  %y = sluice.multi_lora_matmul %x, %w, %a, %b, %ids {scale = 0x7FC00000 : f32} : (tensor<?x64xf32>, tensor<64x16xf32>, tensor<4x64x8xf32>, tensor<4x8x16xf32>, tensor<?x1xi32>) -> tensor<?x16xf32>
  return
}

// -----

// multi_lora_matmul: ids are i32 (f32 ids).
func.func @mlora_f32_ids(%x: tensor<?x64xf32>, %w: tensor<64x16xf32>, %a: tensor<4x64x8xf32>, %b: tensor<4x8x16xf32>, %ids: tensor<?x1xf32>) {
  // expected-error @+1 {{operand #4 must be 2D tensor of 32-bit signless integer values, but got 'tensor<?x1xf32>'}}
  %y = sluice.multi_lora_matmul %x, %w, %a, %b, %ids : (tensor<?x64xf32>, tensor<64x16xf32>, tensor<4x64x8xf32>, tensor<4x8x16xf32>, tensor<?x1xf32>) -> tensor<?x16xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// lowrank_matmul
//===----------------------------------------------------------------------===//

// lowrank_matmul: x[T,K] and u[K,r] contraction sizes must match.
func.func @lowrank_x_u(%x: tensor<?x32xf32>, %u: tensor<64x8xf32>, %v: tensor<8x16xf32>) {
  // expected-error @+1 {{expects the contraction sizes to match: x dim 1 is 32 but u dim 0 is 64}}
  %y = sluice.lowrank_matmul %x, %u, %v : (tensor<?x32xf32>, tensor<64x8xf32>, tensor<8x16xf32>) -> tensor<?x16xf32>
  return
}

// -----

// lowrank_matmul: u[K,r] and v[r,N] ranks must match.
func.func @lowrank_rank(%x: tensor<?x64xf32>, %u: tensor<64x8xf32>, %v: tensor<4x16xf32>) {
  // expected-error @+1 {{expects the ranks to match: u dim 1 is 8 but v dim 0 is 4}}
  %y = sluice.lowrank_matmul %x, %u, %v : (tensor<?x64xf32>, tensor<64x8xf32>, tensor<4x16xf32>) -> tensor<?x16xf32>
  return
}

// -----

// lowrank_matmul: bias[N].
func.func @lowrank_bias(%x: tensor<?x64xf32>, %u: tensor<64x8xf32>, %v: tensor<8x16xf32>, %bias: tensor<8xf32>) {
  // expected-error @+1 {{expects bias of shape [16] ([N] of v), got 'tensor<8xf32>'}}
  %y = sluice.lowrank_matmul %x, %u, %v bias(%bias) : (tensor<?x64xf32>, tensor<64x8xf32>, tensor<8x16xf32>, tensor<8xf32>) -> tensor<?x16xf32>
  return
}

// -----

// lowrank_matmul: f32 operands (i32 u).
func.func @lowrank_i32_u(%x: tensor<?x64xf32>, %u: tensor<64x8xi32>, %v: tensor<8x16xf32>) {
  // expected-error @+1 {{operand #1 must be 2D tensor of 32-bit float values, but got 'tensor<64x8xi32>'}}
  %y = sluice.lowrank_matmul %x, %u, %v : (tensor<?x64xf32>, tensor<64x8xi32>, tensor<8x16xf32>) -> tensor<?x16xf32>
  return
}

// -----

// lowrank_matmul: result is [T, N].
func.func @lowrank_result(%x: tensor<?x64xf32>, %u: tensor<64x8xf32>, %v: tensor<8x16xf32>) {
  // expected-error @+2 {{inferred type(s) 'tensor<?x16xf32>' are incompatible with return type(s) of operation 'tensor<?x8xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %y = sluice.lowrank_matmul %x, %u, %v : (tensor<?x64xf32>, tensor<64x8xf32>, tensor<8x16xf32>) -> tensor<?x8xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// sparsify, sparse_matmul
//===----------------------------------------------------------------------===//

// sparsify: mode wina requires wnorm.
func.func @sparsify_wina_no_wnorm(%x: tensor<?x64xf32>) {
  // expected-error @+1 {{mode wina expects the operand wnorm}}
  %y = sluice.sparsify %x {mode = #sluice.sparsify<wina>, k = 8 : i64} : (tensor<?x64xf32>) -> tensor<?x64xf32>
  return
}

// -----

// sparsify: wnorm only with mode wina.
func.func @sparsify_wnorm_topk(%x: tensor<?x64xf32>, %n: tensor<64xf32>) {
  // expected-error @+1 {{wnorm is only used by mode wina, got mode topk}}
  %y = sluice.sparsify %x wnorm(%n) {mode = #sluice.sparsify<topk>, k = 8 : i64} : (tensor<?x64xf32>, tensor<64xf32>) -> tensor<?x64xf32>
  return
}

// -----

// sparsify: wnorm[N].
func.func @sparsify_wnorm_shape(%x: tensor<?x64xf32>, %n: tensor<32xf32>) {
  // expected-error @+1 {{expects wnorm of shape [64] ([N] of x), got 'tensor<32xf32>'}}
  %y = sluice.sparsify %x wnorm(%n) {mode = #sluice.sparsify<wina>, k = 8 : i64} : (tensor<?x64xf32>, tensor<32xf32>) -> tensor<?x64xf32>
  return
}

// -----

// sparsify: mode threshold requires tau.
func.func @sparsify_threshold_no_tau(%x: tensor<?x64xf32>) {
  // expected-error @+1 {{mode threshold expects the attribute tau}}
  %y = sluice.sparsify %x {mode = #sluice.sparsify<threshold>} : (tensor<?x64xf32>) -> tensor<?x64xf32>
  return
}

// -----

// sparsify: mode threshold takes no k.
func.func @sparsify_threshold_k(%x: tensor<?x64xf32>) {
  // expected-error @+1 {{mode threshold takes no k (did you mean mode topk?)}}
  %y = sluice.sparsify %x {mode = #sluice.sparsify<threshold>, tau = 0.5 : f32, k = 4 : i64} : (tensor<?x64xf32>) -> tensor<?x64xf32>
  return
}

// -----

// sparsify: float attributes must be finite (tau = inf).
func.func @sparsify_tau_inf(%x: tensor<?x64xf32>) {
  // expected-error @+1 {{expects a finite tau, got INF}}
  %y = sluice.sparsify %x {mode = #sluice.sparsify<threshold>, tau = 0x7F800000 : f32} : (tensor<?x64xf32>) -> tensor<?x64xf32>
  return
}

// -----

// sparsify: mode topk requires k.
func.func @sparsify_topk_no_k(%x: tensor<?x64xf32>) {
  // expected-error @+1 {{mode topk expects the attribute k}}
  %y = sluice.sparsify %x {mode = #sluice.sparsify<topk>} : (tensor<?x64xf32>) -> tensor<?x64xf32>
  return
}

// -----

// sparsify: mode wina takes no tau.
func.func @sparsify_wina_tau(%x: tensor<?x64xf32>, %n: tensor<64xf32>) {
  // expected-error @+1 {{mode wina takes no tau}}
  %y = sluice.sparsify %x wnorm(%n) {mode = #sluice.sparsify<wina>, k = 8 : i64, tau = 0.5 : f32} : (tensor<?x64xf32>, tensor<64xf32>) -> tensor<?x64xf32>
  return
}

// -----

// sparsify: k <= N.
func.func @sparsify_k_gt_n(%x: tensor<?x64xf32>) {
  // expected-error @+1 {{expects 0 <= k <= inputs per row (64), got 65}}
  %y = sluice.sparsify %x {mode = #sluice.sparsify<topk>, k = 65 : i64} : (tensor<?x64xf32>) -> tensor<?x64xf32>
  return
}

// -----

// sparsify: k >= 0.
func.func @sparsify_k_negative(%x: tensor<?x?xf32>) {
  // expected-error @+1 {{expects 0 <= k <= inputs per row (?), got -1}}
  %y = sluice.sparsify %x {mode = #sluice.sparsify<topk>, k = -1 : i64} : (tensor<?x?xf32>) -> tensor<?x?xf32>
  return
}

// -----

// sparsify: x must be rank 2 [T,N].
func.func @sparsify_rank(%x: tensor<64xf32>) {
  // expected-error @+1 {{operand #0 must be 2D tensor of 32-bit float values, but got 'tensor<64xf32>'}}
  %y = sluice.sparsify %x {mode = #sluice.sparsify<topk>, k = 4 : i64} : (tensor<64xf32>) -> tensor<64xf32>
  return
}

// -----

// sparse_matmul: x[T,N] and w[N,M] contraction sizes must match.
func.func @sparse_matmul_x_w(%x: tensor<?x64xf32>, %w: tensor<32x128xf32>) {
  // expected-error @+1 {{expects the contraction sizes to match: x dim 1 is 64 but w dim 0 is 32}}
  %y = sluice.sparse_matmul %x, %w {mode = #sluice.sparsify<topk>, k = 8 : i64} : (tensor<?x64xf32>, tensor<32x128xf32>) -> tensor<?x128xf32>
  return
}

// -----

// sparse_matmul: wnorm only with mode wina.
func.func @sparse_matmul_wnorm_threshold(%x: tensor<?x64xf32>, %w: tensor<64x128xf32>, %n: tensor<64xf32>) {
  // expected-error @+1 {{wnorm is only used by mode wina, got mode threshold}}
  %y = sluice.sparse_matmul %x, %w wnorm(%n) {mode = #sluice.sparsify<threshold>, tau = 0.1 : f32} : (tensor<?x64xf32>, tensor<64x128xf32>, tensor<64xf32>) -> tensor<?x128xf32>
  return
}

// -----

// sparse_matmul: wnorm[N].
func.func @sparse_matmul_wnorm_shape(%x: tensor<?x64xf32>, %w: tensor<64x128xf32>, %n: tensor<128xf32>) {
  // expected-error @+1 {{expects wnorm of shape [64] ([N] of x), got 'tensor<128xf32>'}}
  %y = sluice.sparse_matmul %x, %w wnorm(%n) {mode = #sluice.sparsify<wina>, k = 8 : i64} : (tensor<?x64xf32>, tensor<64x128xf32>, tensor<128xf32>) -> tensor<?x128xf32>
  return
}

// -----

// sparse_matmul: wnorm[N] must match w's N even when x's is dynamic.
func.func @sparse_matmul_wnorm_w(%x: tensor<?x?xf32>, %w: tensor<64x128xf32>, %n: tensor<32xf32>) {
  // expected-error @+1 {{expects wnorm of shape [64] ([N] of x), got 'tensor<32xf32>'}}
  %y = sluice.sparse_matmul %x, %w wnorm(%n) {mode = #sluice.sparsify<wina>, k = 8 : i64} : (tensor<?x?xf32>, tensor<64x128xf32>, tensor<32xf32>) -> tensor<?x128xf32>
  return
}

// -----

// sparse_matmul: attributes as sparsify (mode wina requires k).
func.func @sparse_matmul_wina_no_k(%x: tensor<?x64xf32>, %w: tensor<64x128xf32>) {
  // expected-error @+1 {{mode wina expects the attribute k}}
  %y = sluice.sparse_matmul %x, %w {mode = #sluice.sparsify<wina>} : (tensor<?x64xf32>, tensor<64x128xf32>) -> tensor<?x128xf32>
  return
}

// -----

// sparse_matmul: k <= N, with N taken from w when x's is dynamic.
func.func @sparse_matmul_k_gt_n(%x: tensor<?x?xf32>, %w: tensor<64x128xf32>) {
  // expected-error @+1 {{expects 0 <= k <= inputs per row (64), got 100}}
  %y = sluice.sparse_matmul %x, %w {mode = #sluice.sparsify<topk>, k = 100 : i64} : (tensor<?x?xf32>, tensor<64x128xf32>) -> tensor<?x128xf32>
  return
}

// -----

// sparse_matmul: attributes as sparsify (threshold requires tau).
func.func @sparse_matmul_threshold_no_tau(%x: tensor<?x64xf32>, %w: tensor<64x128xf32>) {
  // expected-error @+1 {{mode threshold expects the attribute tau}}
  %y = sluice.sparse_matmul %x, %w {mode = #sluice.sparsify<threshold>} : (tensor<?x64xf32>, tensor<64x128xf32>) -> tensor<?x128xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// topk
//===----------------------------------------------------------------------===//

// topk: x must have rank >= 1 (x[..., N]).
func.func @topk_rank0(%x: tensor<f32>) {
  // expected-error @+1 {{expects x of rank >= 1, got 'tensor<f32>'}}
  %v, %i = sluice.topk %x {k = 1 : i64} : (tensor<f32>) -> (tensor<f32>, tensor<i32>)
  return
}

// -----

// topk: k <= N.
func.func @topk_k_gt_n(%x: tensor<?x64xf32>) {
  // expected-error @+1 {{expects 0 <= k <= size of the last dim (64), got 65}}
  %v, %i = sluice.topk %x {k = 65 : i64} : (tensor<?x64xf32>) -> (tensor<?x65xf32>, tensor<?x65xi32>)
  return
}

// -----

// topk: k >= 0.
func.func @topk_k_negative(%x: tensor<4x?xf32>) {
  // expected-error @+1 {{expects 0 <= k <= size of the last dim (?), got -2}}
  %v, %i = sluice.topk %x {k = -2 : i64} : (tensor<4x?xf32>) -> (tensor<4x?xf32>, tensor<4x?xi32>)
  return
}

// -----

// topk: x must be f32 (i32 x).
func.func @topk_i32(%x: tensor<?x64xi32>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of 32-bit float values, but got 'tensor<?x64xi32>'}}
  %v, %i = sluice.topk %x {k = 4 : i64} : (tensor<?x64xi32>) -> (tensor<?x4xf32>, tensor<?x4xi32>)
  return
}

// -----

// topk: indices are i32 (i64 indices).
func.func @topk_i64_indices(%x: tensor<?x64xf32>) {
  // expected-error @+1 {{result #1 must be ranked tensor of 32-bit signless integer values, but got 'tensor<?x4xi64>'}}
  %v, %i = sluice.topk %x {k = 4 : i64} : (tensor<?x64xf32>) -> (tensor<?x4xf32>, tensor<?x4xi64>)
  return
}

// -----

// topk: results are values[..., k], indices[..., k].
func.func @topk_result(%x: tensor<2x?x64xf32>) {
  // expected-error @+2 {{inferred type(s) 'tensor<2x?x4xf32>', 'tensor<2x?x4xi32>' are incompatible with return type(s) of operation 'tensor<2x?x5xf32>', 'tensor<2x?x5xi32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %v, %i = sluice.topk %x {k = 4 : i64} : (tensor<2x?x64xf32>) -> (tensor<2x?x5xf32>, tensor<2x?x5xi32>)
  return
}

// -----

//===----------------------------------------------------------------------===//
// required attributes
//===----------------------------------------------------------------------===//

// Defaults: an attribute without a stated default is required (topk_gate k).
func.func @topk_gate_no_k(%l: tensor<?x8xf32>) {
  // expected-error @+1 {{requires attribute 'k'}}
  %w, %i = sluice.topk_gate %l : (tensor<?x8xf32>) -> (tensor<?x?xf32>, tensor<?x?xi32>)
  return
}

// -----

// Defaults: an attribute without a stated default is required (route num_experts).
func.func @route_no_num_experts(%i: tensor<?x2xi32>, %w: tensor<?x2xf32>) {
  // expected-error @+1 {{requires attribute 'num_experts'}}
  %c, %o, %s, %k = sluice.route %i, %w : (tensor<?x2xi32>, tensor<?x2xf32>) -> (tensor<?xi32>, tensor<?xi32>, tensor<?xi32>, tensor<?x2xi32>)
  return
}

// -----

// Defaults: an attribute without a stated default is required (sparsify mode).
func.func @sparsify_no_mode(%x: tensor<?x64xf32>) {
  // expected-error @+1 {{requires attribute 'mode'}}
  %y = sluice.sparsify %x {k = 4 : i64} : (tensor<?x64xf32>) -> tensor<?x64xf32>
  return
}

// -----

// sluice.pool_map (sluice-fuse-pool-producers): an input must have the
// identity map, which gives the pooled sizes.
func.func @pool_map_no_identity(%b: tensor<8xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{expects an input with the identity indexing map}}
  %p = sluice.pool_map %b {indexing_maps = [affine_map<(b, n, d) -> (d)>], kind = #sluice.pool<sum>} : (tensor<8xf32>) -> tensor<2x8xf32> {
  ^bb0(%a: f32):
    sluice.yield %a : f32
  }
  return %p : tensor<2x8xf32>
}

// -----

func.func @pool_map_not_permutation(%x: tensor<2x3x8xf32>, %w: tensor<3x8xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{expects indexing map 1 to be a projected permutation of 3 dims onto the input's rank 2}}
  %p = sluice.pool_map %x, %w {indexing_maps = [affine_map<(b, n, d) -> (b, n, d)>, affine_map<(b, n, d) -> (n + d, d)>], kind = #sluice.pool<sum>} : (tensor<2x3x8xf32>, tensor<3x8xf32>) -> tensor<2x8xf32> {
  ^bb0(%a: f32, %c: f32):
    sluice.yield %a : f32
  }
  return %p : tensor<2x8xf32>
}

// -----

func.func @pool_map_arg_type(%x: tensor<2x3x8xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{expects region argument 0 of type 'f32', got 'i32'}}
  %p = sluice.pool_map %x {indexing_maps = [affine_map<(b, n, d) -> (b, n, d)>], kind = #sluice.pool<sum>} : (tensor<2x3x8xf32>) -> tensor<2x8xf32> {
  ^bb0(%a: i32):
    %f = arith.sitofp %a : i32 to f32
    sluice.yield %f : f32
  }
  return %p : tensor<2x8xf32>
}

// -----

func.func @pool_map_offsets_and_mask(%x: tensor<6x8xf32>, %o: tensor<3xi32>, %m: tensor<6x8xi1>) -> tensor<2x8xf32> {
  // expected-error @+1 {{expects no mask or lengths with offsets}}
  %p = sluice.pool_map %x mask(%m) offsets(%o) {indexing_maps = [affine_map<(r, d) -> (r, d)>], kind = #sluice.pool<sum>} : (tensor<6x8xf32>, tensor<6x8xi1>, tensor<3xi32>) -> tensor<2x8xf32> {
  ^bb0(%a: f32):
    sluice.yield %a : f32
  }
  return %p : tensor<2x8xf32>
}
