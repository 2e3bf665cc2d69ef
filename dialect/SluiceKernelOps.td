//===- SluiceKernelOps.td - ops the passes produce -------*- tablegen -*-===//
//
// Not part of the op specification: ops that the fusion passes and the CPU
// pipeline produce from spec ops. Users may write them (every lowering must
// be reproducible from sluice-opt), but models normally do not.
//
//===----------------------------------------------------------------------===//

#ifndef SLUICE_KERNEL_OPS_TD
#define SLUICE_KERNEL_OPS_TD

def Sluice_GemmOp : Sluice_Op<"gemm", [NoMemoryEffect, AttrSizedOperandSegments]> {
  let summary = "fused grouped / gathered / scattered GEMM (the CPU micro-kernel)";
  let description = [{
    One call of the `sluice_uk_gemm` micro-kernel (runtime/include/sluice/
    ukernels.h, docs/abi.md) at tensor level. M product rows: `M = len(a_rows)`
    with `gather`, else `a.dim0`. For product row m of group g (the group
    whose `[groups[g], groups[g+1])` holds m; g = 0 without `groups`):

    ```
    ra = gather ? a_rows[m] : m          (ra < 0: the product row is 0)
    acc = a[ra / a_div] . b[g] + lowrank_a[m] . lowrank_b[g] + bias
    acc = up ? act(acc) * (a[ra / a_div] . up[g]) : act(acc)
    rc = scatter ? c_rows[m] : m         (rc < 0: dropped)
    result[rc / c_div] (accumulate ? += : =) (scale ? scale[rc] : 1) * acc
    ```

    The result starts as `init` when given, else as zeros when `scatter` is
    given (`rows(%r)` gives its row count), else it is M fresh rows. `b`,
    `up` and `lowrank_b` are `[K, N]` (shared by every group) or `[G, K, N]`.
    Without `act` the activation is the identity.

    `shared(%bs)` (with `shared_up(%bs2)` iff `up` is given) appends groups
    that read a second weight stack: `b` is then `[E, K, N]` and `bs`
    `[S, K, m * N]`; groups `g >= E` read the `N`-column chunk
    `c = (g - E) % m` of `bs[(g - E) / m]`, i.e. `bs[s][:, c*N : (c+1)*N]`
    (likewise `bs2`), so `groups` has `E + S * m + 1` entries. No copy of
    either stack is made (routed and shared MoE experts in one call: the
    shared expert's FFN split into m chunks of the routed FFN width). Not
    with `lowrank`. Run-time errors: a gather
    or scatter index past its tensor, group bounds not nondecreasing in
    `[0, M]`.

    ```mlir
    // MoE down projection with the routing weight and the combine fused:
    %y = sluice.gemm %h, %w_down groups(%offsets) scatter(%slots) scale(%wflat)
           rows(%t) {c_div = 2 : i64, accumulate}
        : (tensor<?x1408xf32>, tensor<64x1408x2048xf32>, tensor<65xi32>,
           tensor<?xi32>, tensor<?xf32>, index) -> tensor<?x2048xf32>
    ```
  }];
  let arguments = (ins
    Sluice_F32Tensor2D:$a,
    TensorRankOf<[F32], [2, 3]>:$b,
    Optional<Sluice_I32Tensor1D>:$group_rows,
    Optional<Sluice_I32Tensor1D>:$a_rows,
    Optional<TensorRankOf<[F32], [2, 3]>>:$b2,
    Optional<Sluice_F32Tensor1D>:$bias,
    Optional<Sluice_F32Tensor2D>:$a2,
    Optional<TensorRankOf<[F32], [2, 3]>>:$b3,
    Optional<Sluice_I32Tensor1D>:$c_rows,
    Optional<Sluice_F32Tensor1D>:$c_scale,
    Optional<Sluice_F32Tensor2D>:$init,
    Optional<Index>:$num_rows,
    Optional<TensorRankOf<[F32], [3]>>:$b_shared,
    Optional<TensorRankOf<[F32], [3]>>:$b2_shared,
    OptionalAttr<Sluice_ActivationAttr>:$act,
    UnitAttr:$accumulate,
    DefaultValuedAttr<I64Attr, "1">:$a_div,
    DefaultValuedAttr<I64Attr, "1">:$c_div
  );
  let results = (outs Sluice_F32Tensor2D:$result);
  let assemblyFormat = [{
    $a `,` $b (`groups` `(` $group_rows^ `)`)? (`gather` `(` $a_rows^ `)`)?
    (`up` `(` $b2^ `)`)? (`bias` `(` $bias^ `)`)?
    (`lowrank` `(` $a2^ `,` $b3 `)`)? (`scatter` `(` $c_rows^ `)`)?
    (`scale` `(` $c_scale^ `)`)? (`init` `(` $init^ `)`)?
    (`rows` `(` $num_rows^ `)`)? (`shared` `(` $b_shared^ `)`)?
    (`shared_up` `(` $b2_shared^ `)`)?
    attr-dict `:` functional-type(operands, results)
  }];
  // The builder of the calls without a shared weight stack.
  let builders = [
    OpBuilder<(ins "::mlir::Type":$result, "::mlir::Value":$a,
      "::mlir::Value":$b, "::mlir::Value":$group_rows, "::mlir::Value":$a_rows,
      "::mlir::Value":$b2, "::mlir::Value":$bias, "::mlir::Value":$a2,
      "::mlir::Value":$b3, "::mlir::Value":$c_rows, "::mlir::Value":$c_scale,
      "::mlir::Value":$init, "::mlir::Value":$num_rows,
      "::mlir::sluice::ActivationAttr":$act, "bool":$accumulate,
      "uint64_t":$a_div, "uint64_t":$c_div), [{
      build($_builder, $_state, result, a, b, group_rows, a_rows, b2, bias, a2,
            b3, c_rows, c_scale, init, num_rows, ::mlir::Value(),
            ::mlir::Value(), act, accumulate, a_div, c_div);
    }]>
  ];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    ::llvm::LogicalResult verifySharedStack();
  }];
}

def Sluice_PoolMapOp : Sluice_Op<"pool_map",
    [NoMemoryEffect, AttrSizedOperandSegments, SingleBlock]> {
  let summary = "pooling of an elementwise map of its inputs (pool or segment_pool with its producer fused)";
  let description = [{
    `sluice.pool` (without `offsets`) or `sluice.segment_pool` (with
    `offsets`) of the tensor `v` whose element at `i` (`i = (b, n, d)`, or
    `(row, d)` for segments) is the region's result on
    `inputs[j][indexing_maps[j](i)]`: the elementwise producer of the pooled
    tensor evaluated inside the pooling loop, so that `v` is never written
    and each valid element is computed once, when the pooling reads it.
    Positions that the mask or lengths make invalid are not evaluated
    (`lse` evaluates them and discards the value). Kinds, attributes,
    masks, lengths and errors are those of `sluice.pool` /
    `sluice.segment_pool`. The maps are projected permutations and at
    least one input has the identity map (it gives the sizes).
    Produced by `sluice-fuse-pool-producers`.

    ```mlir
    %e = sluice.pool_map %x, %bias mask(%m) {kind = #sluice.pool<gem>,
           indexing_maps = [affine_map<(b, n, d) -> (b, n, d)>,
                            affine_map<(b, n, d) -> (d)>]}
        : (tensor<?x?x64xf32>, tensor<64xf32>, tensor<?x?xi1>) -> tensor<?x64xf32> {
    ^bb0(%xv: f32, %bv: f32):
      %s = arith.addf %xv, %bv : f32
      sluice.yield %s : f32
    }
    ```
  }];
  let arguments = (ins
    Variadic<AnyRankedTensor>:$inputs,
    Optional<Sluice_MaskTensor2D>:$mask,
    Optional<Sluice_I32Tensor1D>:$lengths,
    Optional<Sluice_I32Tensor1D>:$offsets,
    Optional<Sluice_F32Tensor1D>:$group_p,
    AffineMapArrayAttr:$indexing_maps,
    Sluice_PoolKindAttr:$kind,
    DefaultValuedAttr<F32Attr, "3.0f">:$p,
    DefaultValuedAttr<F32Attr, "1e-6f">:$eps,
    DefaultValuedAttr<I64Attr, "1">:$groups,
    DefaultValuedAttr<F32Attr, "1.0f">:$r
  );
  let results = (outs Sluice_F32Tensor2D:$result);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = [{
    $inputs (`mask` `(` $mask^ `)`)? (`lengths` `(` $lengths^ `)`)?
    (`offsets` `(` $offsets^ `)`)? (`group_p` `(` $group_p^ `)`)?
    attr-dict `:` functional-type(operands, results) $body
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The rank of the pooled tensor: 3 (pool) or 2 (segments).
    unsigned getMapRank() { return getOffsets() ? 2 : 3; }
    /// The first input with the identity map (it gives the sizes).
    Value getShapeInput();
  }];
}

def Sluice_YieldOp : Sluice_Op<"yield",
    [Pure, Terminator, HasParent<"PoolMapOp">]> {
  let summary = "the value of a sluice.pool_map region";
  let arguments = (ins F32:$value);
  let assemblyFormat = "$value attr-dict `:` type($value)";
}

def Sluice_RouterGateOp : Sluice_Op<"router_gate", [Pure]> {
  let summary = "router GEMM and top-k gate in one pass (the CPU micro-kernel)";
  let description = [{
    `sluice.topk_gate (x w_router) bias(%bias)` with the gate's attributes,
    computed by one call of the `sluice_uk_router_gate` micro-kernel
    (runtime/include/sluice/ukernels.h, docs/fusion.md): the logits of a
    block of tokens stay in a per-thread buffer, and only the gate's
    results are written. `sluice-fuse-router-topk` produces it; the
    attributes and their rules are those of `sluice.topk_gate`, and `x` is
    `[T, d]`, `w` `[d, E]` (static), `bias` `[E]`, the results `[T, k]`.
    Only the CPU pipeline lowers it.

    ```mlir
    %w, %i = sluice.router_gate %x, %router {k = 8 : i64}
        : (tensor<?x2048xf32>, tensor<2048x64xf32>)
        -> (tensor<?x8xf32>, tensor<?x8xi32>)
    ```
  }];
  let arguments = (ins
    Sluice_F32Tensor2D:$x,
    Sluice_F32Tensor2D:$w,
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
    $x `,` $w (`bias` `(` $bias^ `)`)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

#endif // SLUICE_KERNEL_OPS_TD
