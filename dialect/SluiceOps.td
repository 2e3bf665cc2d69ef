//===- SluiceOps.td - the sluice v1 op set ------------------*- tablegen -*-===//
//
// Every op of the Sluice op specification. Semantics live in the spec; the
// descriptions here summarise them. Verifiers (SluiceOps.cpp) enforce every
// static error rule, folds and canonicalizations live in SluiceFolders.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef SLUICE_OPS_TD
#define SLUICE_OPS_TD

include "dialect/SluiceDialect.td"
include "dialect/SluiceEnums.td"
include "mlir/IR/CommonAttrConstraints.td"
include "mlir/IR/CommonTypeConstraints.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

//===----------------------------------------------------------------------===//
// Type constraints
//===----------------------------------------------------------------------===//

def Sluice_F32Tensor : RankedTensorOf<[F32]>;
def Sluice_F32Tensor1D : TensorRankOf<[F32], [1]>;
def Sluice_F32Tensor2D : TensorRankOf<[F32], [2]>;
def Sluice_F32Tensor3D : TensorRankOf<[F32], [3]>;
def Sluice_F32Tensor4D : TensorRankOf<[F32], [4]>;
def Sluice_F32Scalar : TensorRankOf<[F32], [0]>;
def Sluice_I32Tensor1D : TensorRankOf<[I32], [1]>;
def Sluice_I32Tensor2D : TensorRankOf<[I32], [2]>;
// Masks: any integer element type, nonzero = valid. A float mask is an error.
def Sluice_MaskTensor1D : TensorRankOf<[AnyInteger], [1]>;
def Sluice_MaskTensor2D : TensorRankOf<[AnyInteger], [2]>;

//===----------------------------------------------------------------------===//
// Base classes
//===----------------------------------------------------------------------===//

/// An op whose result types follow from its operands and attributes.
/// Inference fills `?` where a size is data-dependent or unknown; results
/// need only be compatible (a static size may refine a `?`).
class Sluice_InferOp<string mnemonic, list<Trait> traits = []>
    : Sluice_Op<mnemonic, traits # [InferTypeOpAdaptorWithIsCompatible]> {
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Gating
//===----------------------------------------------------------------------===//

def Sluice_TopkGateOp : Sluice_InferOp<"topk_gate", [Pure]> {
  let summary = "top-k expert gating (softmax / sigmoid / grouped, with bias)";
  let description = [{
    Scores `logits[T,E] / temperature` with `score`, adds the optional
    selection-only `bias[E]`, optionally restricts the choice to the
    `topk_groups` best of `groups` contiguous expert groups, and returns the
    `k` best experts per token (ties: lower index; NaN last) with their
    unbiased scores, renormalized if asked and multiplied by `scale`.

    ```mlir
    %w, %i = sluice.topk_gate %logits {k = 2 : i64, renormalize = true}
        : (tensor<?x8xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
    ```
  }];
  let arguments = (ins
    Sluice_F32Tensor2D:$logits,
    Optional<Sluice_F32Tensor1D>:$bias,
    I64Attr:$k,
    DefaultValuedAttr<Sluice_ScoreFuncAttr, "ScoreFunc::softmax">:$score,
    DefaultValuedAttr<BoolAttr, "false">:$renormalize,
    DefaultValuedAttr<F32Attr, "1.0f">:$scale,
    DefaultValuedAttr<F32Attr, "1.0f">:$temperature,
    DefaultValuedAttr<I64Attr, "1">:$groups,
    DefaultValuedAttr<I64Attr, "1">:$topk_groups,
    DefaultValuedAttr<Sluice_GroupScoreAttr, "GroupScore::max">:$group_score
  );
  let results = (outs Sluice_F32Tensor2D:$weights, Sluice_I32Tensor2D:$indices);
  let assemblyFormat = [{
    $logits (`bias` `(` $bias^ `)`)? attr-dict `:` functional-type(operands, results)
  }];
  let hasCanonicalizer = 1;
}

def Sluice_ExpertChoiceGateOp : Sluice_InferOp<"expert_choice_gate", [Pure]> {
  let summary = "expert-choice routing: each expert takes its top-C tokens";
  let description = [{
    Softmax over experts per token; expert `e` takes the `C` tokens with the
    largest `s[:, e]`. `C` is `capacity`, or `ceil(T * capacity_factor / E)`,
    clamped to `T`. Exactly one of the two attributes is given.

    ```mlir
    %w, %tok = sluice.expert_choice_gate %logits {capacity = 4 : i64}
        : (tensor<16x8xf32>) -> (tensor<8x4xf32>, tensor<8x4xi32>)
    ```
  }];
  let arguments = (ins
    Sluice_F32Tensor2D:$logits,
    OptionalAttr<I64Attr>:$capacity,
    OptionalAttr<F32Attr>:$capacity_factor
  );
  let results = (outs Sluice_F32Tensor2D:$weights, Sluice_I32Tensor2D:$tokens);
  let assemblyFormat = [{
    $logits attr-dict `:` functional-type(operands, results)
  }];
}

def Sluice_GluOp : Sluice_Op<"glu", [Pure, AllTypesMatch<["gate", "up", "result"]>]> {
  let summary = "gated linear unit: act(gate) * up (SwiGLU, GeGLU)";
  let description = [{
    ```mlir
    %h = sluice.glu %gate, %up {act = #sluice.act<gelu>} : tensor<?x1024xf32>
    ```
  }];
  let arguments = (ins
    Sluice_F32Tensor:$gate,
    Sluice_F32Tensor:$up,
    DefaultValuedAttr<Sluice_ActivationAttr, "Activation::silu">:$act
  );
  let results = (outs Sluice_F32Tensor:$result);
  let assemblyFormat = "$gate `,` $up attr-dict `:` type($result)";
}

def Sluice_SigmoidGateOp : Sluice_Op<"sigmoid_gate",
    [Pure, AllTypesMatch<["x", "result"]>]> {
  let summary = "x * sigmoid(g), per head or per element (gated attention)";
  let description = [{
    `x[T, H*Dh]`, `g[T, H]` or `g[T, H*Dh]`. With `g[T,H]`, head `h` gates
    columns `[h*Dh, (h+1)*Dh)` of `x`.

    ```mlir
    %y = sluice.sigmoid_gate %x, %g : tensor<?x512xf32>, tensor<?x8xf32>
    ```
  }];
  let arguments = (ins Sluice_F32Tensor2D:$x, Sluice_F32Tensor2D:$g);
  let results = (outs Sluice_F32Tensor2D:$result);
  let assemblyFormat = "$x `,` $g attr-dict `:` type($x) `,` type($g)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Routing
//===----------------------------------------------------------------------===//

def Sluice_RouteOp : Sluice_InferOp<"route", [NoMemoryEffect]> {
  let summary = "routing plan: per-expert segments of (token, choice) slots";
  let description = [{
    Groups the slots `t*k + j` by expert, optionally keeping at most
    `capacity` per expert (in `drop` order), and pads every expert's segment
    with -1 to a multiple of `block`. Returns `counts[E]`, `offsets[E+1]`,
    `slots[P]` (P = offsets[E], data-dependent) and `keep[T,k]`.

    ```mlir
    %c, %o, %s, %keep = sluice.route %idx, %w {num_experts = 8 : i64, block = 4 : i64}
        : (tensor<?x2xi32>, tensor<?x2xf32>)
        -> (tensor<8xi32>, tensor<9xi32>, tensor<?xi32>, tensor<?x2xi32>)
    ```
  }];
  let arguments = (ins
    Sluice_I32Tensor2D:$indices,
    Sluice_F32Tensor2D:$weights,
    I64Attr:$num_experts,
    DefaultValuedAttr<I64Attr, "1">:$block,
    DefaultValuedAttr<I64Attr, "0">:$capacity,
    DefaultValuedAttr<Sluice_DropPolicyAttr, "DropPolicy::by_order">:$drop
  );
  let results = (outs
    Sluice_I32Tensor1D:$counts,
    Sluice_I32Tensor1D:$offsets,
    Sluice_I32Tensor1D:$slots,
    Sluice_I32Tensor2D:$keep
  );
  let assemblyFormat = [{
    $indices `,` $weights attr-dict `:` functional-type(operands, results)
  }];
}

def Sluice_DispatchOp : Sluice_InferOp<"dispatch", [NoMemoryEffect]> {
  let summary = "gather token rows into expert order: xs[p] = x[slots[p] / k]";
  let description = [{
    Rows whose slot is -1 (segment padding) are 0.

    ```mlir
    %xs = sluice.dispatch %x, %slots {k = 2 : i64}
        : (tensor<?x64xf32>, tensor<?xi32>) -> tensor<?x64xf32>
    ```
  }];
  let arguments = (ins Sluice_F32Tensor2D:$x, Sluice_I32Tensor1D:$slots,
                       I64Attr:$k);
  let results = (outs Sluice_F32Tensor2D:$result);
  let assemblyFormat = [{
    $x `,` $slots attr-dict `:` functional-type(operands, results)
  }];
}

def Sluice_GroupedMatmulOp : Sluice_InferOp<"grouped_matmul", [NoMemoryEffect]> {
  let summary = "segment (ragged) GEMM: rows of segment e times w[e]";
  let description = [{
    Rows in `[offsets[e], offsets[e+1])` of `xs[P,K]` are multiplied by
    `w[e]` (`w[E,K,N]`); `offsets[E+1]` is nondecreasing from 0 to P.

    ```mlir
    %ys = sluice.grouped_matmul %xs, %w, %offsets
        : (tensor<?x64xf32>, tensor<8x64x128xf32>, tensor<9xi32>) -> tensor<?x128xf32>
    ```
  }];
  let arguments = (ins Sluice_F32Tensor2D:$xs, Sluice_F32Tensor3D:$w,
                       Sluice_I32Tensor1D:$offsets);
  let results = (outs Sluice_F32Tensor2D:$result);
  let assemblyFormat = [{
    $xs `,` $w `,` $offsets attr-dict `:` functional-type(operands, results)
  }];
}

def Sluice_CombineOp : Sluice_Op<"combine",
    [NoMemoryEffect, AttrSizedOperandSegments]> {
  let summary = "weighted scatter-add of expert outputs back to tokens";
  let description = [{
    Token-choice form (with `keep`): `y[t] = sum_{(t,j) kept} weights[t,j] *
    ys[pos(t*k+j)]`. Per-slot form (with `tokens(%n)` and attribute `k`):
    `y[t] = sum_{p: slots[p] / k = t} slot_weights[p] * ys[p]` (expert choice).

    ```mlir
    %y = sluice.combine %ys, %slots, %w keep(%keep)
        : (tensor<?x64xf32>, tensor<?xi32>, tensor<?x2xf32>, tensor<?x2xi32>) -> tensor<?x64xf32>
    %y2 = sluice.combine %ys, %slots, %sw tokens(%n) {k = 1 : i64}
        : (tensor<?x64xf32>, tensor<?xi32>, tensor<?xf32>, index) -> tensor<?x64xf32>
    ```
  }];
  let arguments = (ins
    Sluice_F32Tensor2D:$ys,
    Sluice_I32Tensor1D:$slots,
    TensorRankOf<[F32], [1, 2]>:$weights,
    Optional<Sluice_I32Tensor2D>:$keep,
    Optional<Index>:$num_tokens,
    OptionalAttr<I64Attr>:$k
  );
  let results = (outs Sluice_F32Tensor2D:$result);
  let assemblyFormat = [{
    $ys `,` $slots `,` $weights (`keep` `(` $keep^ `)`)?
    (`tokens` `(` $num_tokens^ `)`)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Sluice_MoeOp : Sluice_InferOp<"moe", [NoMemoryEffect, AttrSizedOperandSegments]> {
  let summary = "mixture-of-experts FFN block (routed + shared + zero-computation experts)";
  let description = [{
    `y[t] = sum_j weights[t,j] * Expert_{indices[t,j]}(x[t]) + shared(x[t])`
    with `FFN_e(x) = (act(x w_gate[e]) * (x w_up[e])) w_down[e]` (ungated
    without `up`). Optional always-on shared experts (`shared_gate`,
    `shared_up`, `shared_down`, `shared_gate_w` for a sigmoid scale) and
    MoE++ zero / copy / constant experts (`num_zero`, `num_copy`,
    `num_const` with `const_wc`, `const_v`) after the `E` FFN experts.
    `capacity` / `drop` / `renormalize_kept` as in `route`, FFN experts only.

    ```mlir
    %y = sluice.moe %x, %w, %idx gate(%wg) up(%wu) down(%wd)
        : (tensor<?x64xf32>, tensor<?x2xf32>, tensor<?x2xi32>, tensor<8x64x128xf32>,
           tensor<8x64x128xf32>, tensor<8x128x64xf32>) -> tensor<?x64xf32>
    ```
  }];
  let arguments = (ins
    Sluice_F32Tensor2D:$x,
    Sluice_F32Tensor2D:$weights,
    Sluice_I32Tensor2D:$indices,
    Sluice_F32Tensor3D:$w_gate,
    Optional<Sluice_F32Tensor3D>:$w_up,
    Sluice_F32Tensor3D:$w_down,
    Optional<Sluice_F32Tensor3D>:$s_gate,
    Optional<Sluice_F32Tensor3D>:$s_up,
    Optional<Sluice_F32Tensor3D>:$s_down,
    Optional<Sluice_F32Tensor2D>:$s_gate_w,
    Optional<Sluice_F32Tensor3D>:$wc,
    Optional<Sluice_F32Tensor2D>:$v,
    DefaultValuedAttr<Sluice_ActivationAttr, "Activation::silu">:$act,
    DefaultValuedAttr<I64Attr, "0">:$num_zero,
    DefaultValuedAttr<I64Attr, "0">:$num_copy,
    DefaultValuedAttr<I64Attr, "0">:$num_const,
    DefaultValuedAttr<I64Attr, "0">:$capacity,
    DefaultValuedAttr<Sluice_DropPolicyAttr, "DropPolicy::by_order">:$drop,
    DefaultValuedAttr<BoolAttr, "false">:$renormalize_kept
  );
  let results = (outs Sluice_F32Tensor2D:$result);
  let assemblyFormat = [{
    $x `,` $weights `,` $indices `gate` `(` $w_gate `)` (`up` `(` $w_up^ `)`)?
    `down` `(` $w_down `)`
    (`shared_gate` `(` $s_gate^ `)`)? (`shared_up` `(` $s_up^ `)`)?
    (`shared_down` `(` $s_down^ `)`)? (`shared_gate_w` `(` $s_gate_w^ `)`)?
    (`const_wc` `(` $wc^ `)`)? (`const_v` `(` $v^ `)`)?
    attr-dict `:` functional-type(operands, results)
  }];
}

def Sluice_LoadBalanceLossOp : Sluice_InferOp<"load_balance_loss", [Pure]> {
  let summary = "auxiliary load-balancing loss (Switch / Hugging Face form)";
  let description = [{
    `E * sum_e (c_e / T') * P_e` over valid tokens; 0 when none is valid.

    ```mlir
    %l = sluice.load_balance_loss %probs, %idx
        : (tensor<?x8xf32>, tensor<?x2xi32>) -> tensor<f32>
    ```
  }];
  let arguments = (ins Sluice_F32Tensor2D:$probs, Sluice_I32Tensor2D:$indices,
                       Optional<Sluice_MaskTensor1D>:$mask);
  let results = (outs Sluice_F32Scalar:$result);
  let assemblyFormat = [{
    $probs `,` $indices (`mask` `(` $mask^ `)`)? attr-dict `:` functional-type(operands, results)
  }];
}

def Sluice_RouterZLossOp : Sluice_InferOp<"router_z_loss", [Pure]> {
  let summary = "router z-loss: mean over valid tokens of logsumexp(logits)^2";
  let description = [{
    ```mlir
    %z = sluice.router_z_loss %logits mask(%m)
        : (tensor<?x8xf32>, tensor<?xi1>) -> tensor<f32>
    ```
  }];
  let arguments = (ins Sluice_F32Tensor2D:$logits,
                       Optional<Sluice_MaskTensor1D>:$mask);
  let results = (outs Sluice_F32Scalar:$result);
  let assemblyFormat = [{
    $logits (`mask` `(` $mask^ `)`)? attr-dict `:` functional-type(operands, results)
  }];
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

def Sluice_PoolOp : Sluice_InferOp<"pool", [NoMemoryEffect, AttrSizedOperandSegments]> {
  let summary = "set pooling over N (sum/mean/max/min/GeM/LSE/first/last)";
  let description = [{
    `x[B,N,D] -> [B,D]` over the valid positions given by `mask[B,N]` or
    `lengths[B]` (at most one). GeM uses `p` and `eps`, or per-group
    exponents `group_p[G]` with `groups = G`; LSE uses `r`. Empty rows give 0.

    ```mlir
    %e = sluice.pool %x mask(%m) {kind = #sluice.pool<mean>}
        : (tensor<?x?x768xf32>, tensor<?x?xi1>) -> tensor<?x768xf32>
    ```
  }];
  let arguments = (ins
    Sluice_F32Tensor3D:$x,
    Optional<Sluice_MaskTensor2D>:$mask,
    Optional<Sluice_I32Tensor1D>:$lengths,
    Optional<Sluice_F32Tensor1D>:$group_p,
    Sluice_PoolKindAttr:$kind,
    DefaultValuedAttr<F32Attr, "3.0f">:$p,
    DefaultValuedAttr<F32Attr, "1e-6f">:$eps,
    DefaultValuedAttr<I64Attr, "1">:$groups,
    DefaultValuedAttr<F32Attr, "1.0f">:$r
  );
  let results = (outs Sluice_F32Tensor2D:$result);
  let assemblyFormat = [{
    $x (`mask` `(` $mask^ `)`)? (`lengths` `(` $lengths^ `)`)?
    (`group_p` `(` $group_p^ `)`)? attr-dict `:` functional-type(operands, results)
  }];
  let hasCanonicalizer = 1;
}

def Sluice_SegmentPoolOp : Sluice_InferOp<"segment_pool", [NoMemoryEffect]> {
  let summary = "pooling over packed variable-length segments";
  let description = [{
    Segment `b` is rows `[offsets[b], offsets[b+1])` of `x[Ntot,D]`; kinds
    and attributes as `sluice.pool`.

    ```mlir
    %e = sluice.segment_pool %x, %offsets {kind = #sluice.pool<mean>}
        : (tensor<?x768xf32>, tensor<?xi32>) -> tensor<?x768xf32>
    ```
  }];
  let arguments = (ins
    Sluice_F32Tensor2D:$x,
    Sluice_I32Tensor1D:$offsets,
    Optional<Sluice_F32Tensor1D>:$group_p,
    Sluice_PoolKindAttr:$kind,
    DefaultValuedAttr<F32Attr, "3.0f">:$p,
    DefaultValuedAttr<F32Attr, "1e-6f">:$eps,
    DefaultValuedAttr<I64Attr, "1">:$groups,
    DefaultValuedAttr<F32Attr, "1.0f">:$r
  );
  let results = (outs Sluice_F32Tensor2D:$result);
  let assemblyFormat = [{
    $x `,` $offsets (`group_p` `(` $group_p^ `)`)? attr-dict `:` functional-type(operands, results)
  }];
}

def Sluice_AdaptivePoolOp : Sluice_InferOp<"adaptive_pool", [Pure]> {
  let summary = "2-D adaptive avg/max pooling to a fixed output size";
  let description = [{
    Bin `i` spans `[floor(i*H/OH), ceil((i+1)*H/OH))` (PyTorch's
    adaptive_*_pool2d), likewise along W.

    ```mlir
    %y = sluice.adaptive_pool %x {output_size = array<i64: 7, 7>}
        : (tensor<?x512x14x14xf32>) -> tensor<?x512x7x7xf32>
    ```
  }];
  let arguments = (ins
    Sluice_F32Tensor4D:$x,
    DefaultValuedAttr<Sluice_SpatialPoolKindAttr, "SpatialPoolKind::avg">:$kind,
    DenseI64ArrayAttr:$output_size
  );
  let results = (outs Sluice_F32Tensor4D:$result);
  let assemblyFormat = [{
    $x attr-dict `:` functional-type(operands, results)
  }];
  let hasFolder = 1;
}

def Sluice_SpatialPyramidPoolOp : Sluice_InferOp<"spatial_pyramid_pool", [Pure]> {
  let summary = "spatial pyramid pooling: adaptive pools per level, concatenated";
  let description = [{
    `x[B,C,H,W] -> [B, C*sum(l*l)]`; each level is an adaptive pool to
    `l x l` flattened C-major, concatenated in level order.

    ```mlir
    %y = sluice.spatial_pyramid_pool %x {levels = array<i64: 4, 2, 1>}
        : (tensor<?x256x13x13xf32>) -> tensor<?x5376xf32>
    ```
  }];
  let arguments = (ins
    Sluice_F32Tensor4D:$x,
    DenseI64ArrayAttr:$levels,
    DefaultValuedAttr<Sluice_SpatialPoolKindAttr, "SpatialPoolKind::max">:$kind
  );
  let results = (outs Sluice_F32Tensor2D:$result);
  let assemblyFormat = [{
    $x attr-dict `:` functional-type(operands, results)
  }];
}

def Sluice_AttentionPoolOp : Sluice_InferOp<"attention_pool", [Pure]> {
  let summary = "attention pooling: learned queries (dot) or per-feature (AttSets)";
  let description = [{
    `dot`: `(x[B,N,D], q[Q,D]) -> [B,Q,D]`, multi-head with `heads`.
    `featurewise`: `(x[B,N,D], w[D,D]) -> [B,1,D]`, softmax over n per feature.
    Masked positions are never read; an all-masked row gives 0.

    ```mlir
    %y = sluice.attention_pool %x, %q {heads = 4 : i64}
        : (tensor<?x?x256xf32>, tensor<2x256xf32>) -> tensor<?x2x256xf32>
    ```
  }];
  let arguments = (ins
    Sluice_F32Tensor3D:$x,
    Sluice_F32Tensor2D:$query,
    Optional<Sluice_MaskTensor2D>:$mask,
    DefaultValuedAttr<Sluice_AttentionPoolKindAttr, "AttentionPoolKind::dot">:$kind,
    OptionalAttr<I64Attr>:$heads
  );
  let results = (outs Sluice_F32Tensor3D:$result);
  let assemblyFormat = [{
    $x `,` $query (`mask` `(` $mask^ `)`)? attr-dict `:` functional-type(operands, results)
  }];
}

//===----------------------------------------------------------------------===//
// Low rank
//===----------------------------------------------------------------------===//

def Sluice_LoraMatmulOp : Sluice_InferOp<"lora_matmul",
    [Pure, AttrSizedOperandSegments]> {
  let summary = "x w + scale * ((x a) * g) b (+ bias): LoRA fused into the base GEMM";
  let description = [{
    `active_rank` uses only the first b ranks (DyLoRA); `rank_gates[r]` or
    `rank_gates[T,r]` gate the ranks (SoRA / SMoRA).

    ```mlir
    %y = sluice.lora_matmul %x, %w, %a, %b {scale = 2.0 : f32}
        : (tensor<?x64xf32>, tensor<64x32xf32>, tensor<64x8xf32>, tensor<8x32xf32>)
        -> tensor<?x32xf32>
    ```
  }];
  let arguments = (ins
    Sluice_F32Tensor2D:$x,
    Sluice_F32Tensor2D:$w,
    Sluice_F32Tensor2D:$a,
    Sluice_F32Tensor2D:$b,
    Optional<Sluice_F32Tensor1D>:$bias,
    Optional<TensorRankOf<[F32], [1, 2]>>:$rank_gates,
    DefaultValuedAttr<F32Attr, "1.0f">:$scale,
    OptionalAttr<I64Attr>:$active_rank
  );
  let results = (outs Sluice_F32Tensor2D:$result);
  let assemblyFormat = [{
    $x `,` $w `,` $a `,` $b (`bias` `(` $bias^ `)`)? (`rank_gates` `(` $rank_gates^ `)`)?
    attr-dict `:` functional-type(operands, results)
  }];
  let hasCanonicalizer = 1;
}

def Sluice_MultiLoraMatmulOp : Sluice_InferOp<"multi_lora_matmul",
    [NoMemoryEffect, AttrSizedOperandSegments]> {
  let summary = "base GEMM plus per-token adapters (multi-tenant / LoRA experts)";
  let description = [{
    `x w + sum_j g[t,j] * s[ids[t,j]] * (x a[ids[t,j]]) b[ids[t,j]] (+ bias)`;
    id -1 means no adapter. `scales[L]` and attribute `scale` are exclusive.

    ```mlir
    %y = sluice.multi_lora_matmul %x, %w, %a, %b, %ids
        : (tensor<?x64xf32>, tensor<64x32xf32>, tensor<4x64x8xf32>, tensor<4x8x32xf32>,
           tensor<?x1xi32>) -> tensor<?x32xf32>
    ```
  }];
  let arguments = (ins
    Sluice_F32Tensor2D:$x,
    Sluice_F32Tensor2D:$w,
    Sluice_F32Tensor3D:$a,
    Sluice_F32Tensor3D:$b,
    Sluice_I32Tensor2D:$ids,
    Optional<Sluice_F32Tensor2D>:$gates,
    Optional<Sluice_F32Tensor1D>:$scales,
    Optional<Sluice_F32Tensor1D>:$bias,
    OptionalAttr<F32Attr>:$scale
  );
  let results = (outs Sluice_F32Tensor2D:$result);
  let assemblyFormat = [{
    $x `,` $w `,` $a `,` $b `,` $ids (`gates` `(` $gates^ `)`)?
    (`scales` `(` $scales^ `)`)? (`bias` `(` $bias^ `)`)?
    attr-dict `:` functional-type(operands, results)
  }];
}

def Sluice_LowrankMatmulOp : Sluice_InferOp<"lowrank_matmul", [Pure]> {
  let summary = "factorised linear: (x u) v (+ bias)";
  let description = [{
    ```mlir
    %y = sluice.lowrank_matmul %x, %u, %v bias(%bias)
        : (tensor<?x64xf32>, tensor<64x8xf32>, tensor<8x32xf32>, tensor<32xf32>)
        -> tensor<?x32xf32>
    ```
  }];
  let arguments = (ins
    Sluice_F32Tensor2D:$x,
    Sluice_F32Tensor2D:$u,
    Sluice_F32Tensor2D:$v,
    Optional<Sluice_F32Tensor1D>:$bias
  );
  let results = (outs Sluice_F32Tensor2D:$result);
  let assemblyFormat = [{
    $x `,` $u `,` $v (`bias` `(` $bias^ `)`)? attr-dict `:` functional-type(operands, results)
  }];
}

//===----------------------------------------------------------------------===//
// Sparse activation
//===----------------------------------------------------------------------===//

def Sluice_SparsifyOp : Sluice_InferOp<"sparsify", [Pure]> {
  let summary = "zero all but the selected activations (threshold / top-k / WINA)";
  let description = [{
    `threshold`: keep `|x| > tau`; `topk`: keep the `k` largest `|x|` per
    row; `wina`: keep the `k` largest `|x_n| * wnorm[n]` per row.

    ```mlir
    %s = sluice.sparsify %x {mode = #sluice.sparsify<threshold>, tau = 0.5 : f32}
        : (tensor<?x4096xf32>) -> tensor<?x4096xf32>
    ```
  }];
  let arguments = (ins
    Sluice_F32Tensor2D:$x,
    Optional<Sluice_F32Tensor1D>:$wnorm,
    Sluice_SparsifyModeAttr:$mode,
    OptionalAttr<F32Attr>:$tau,
    OptionalAttr<I64Attr>:$k
  );
  let results = (outs Sluice_F32Tensor2D:$result);
  let assemblyFormat = [{
    $x (`wnorm` `(` $wnorm^ `)`)? attr-dict `:` functional-type(operands, results)
  }];
  let hasFolder = 1;
}

def Sluice_SparseMatmulOp : Sluice_InferOp<"sparse_matmul", [Pure]> {
  let summary = "sparsify(x) w, never reading weight rows of zero activations";
  let description = [{
    Attributes as `sluice.sparsify`; for `wina`, `wnorm` defaults to the row
    norms of `w`.

    ```mlir
    %y = sluice.sparse_matmul %x, %w {mode = #sluice.sparsify<topk>, k = 512 : i64}
        : (tensor<?x4096xf32>, tensor<4096x11008xf32>) -> tensor<?x11008xf32>
    ```
  }];
  let arguments = (ins
    Sluice_F32Tensor2D:$x,
    Sluice_F32Tensor2D:$w,
    Optional<Sluice_F32Tensor1D>:$wnorm,
    Sluice_SparsifyModeAttr:$mode,
    OptionalAttr<F32Attr>:$tau,
    OptionalAttr<I64Attr>:$k
  );
  let results = (outs Sluice_F32Tensor2D:$result);
  let assemblyFormat = [{
    $x `,` $w (`wnorm` `(` $wnorm^ `)`)? attr-dict `:` functional-type(operands, results)
  }];
}

def Sluice_TopkOp : Sluice_InferOp<"topk", [Pure]> {
  let summary = "k largest (or smallest) values along the last axis, sorted";
  let description = [{
    Ties: lower index first; NaN last.

    ```mlir
    %v, %i = sluice.topk %x {k = 4 : i64}
        : (tensor<?x64xf32>) -> (tensor<?x4xf32>, tensor<?x4xi32>)
    ```
  }];
  let arguments = (ins
    Sluice_F32Tensor:$x,
    I64Attr:$k,
    DefaultValuedAttr<BoolAttr, "true">:$largest
  );
  let results = (outs Sluice_F32Tensor:$values, RankedTensorOf<[I32]>:$indices);
  let assemblyFormat = [{
    $x attr-dict `:` functional-type(operands, results)
  }];
}

include "dialect/SluiceKernelOps.td"

#endif // SLUICE_OPS_TD
