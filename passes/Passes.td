//===- Passes.td - sluice passes ---------------------------*- tablegen -*-===//

#ifndef SLUICE_PASSES_TD
#define SLUICE_PASSES_TD

include "mlir/Pass/PassBase.td"

def SluiceDecomposeMoe : Pass<"sluice-decompose-moe"> {
  let summary = "Decompose sluice.moe into route, dispatch, grouped_matmul, "
                "glu and combine";
  let description = [{
    Rewrites every `sluice.moe` whose experts are plain (gated or ungated)
    FFNs into the routing primitives: `sluice.route` builds the per-expert
    segments (with the op's capacity and drop policy), `sluice.dispatch`
    gathers token rows into expert order, two or three
    `sluice.grouped_matmul` with a `sluice.glu` compute the experts, and
    `sluice.combine` scatters the weighted results back to the tokens.
    Shared experts take the same path (every token routed to every shared
    expert) and are added to the result.
    By default `sluice.moe` ops with zero-computation experts,
    `renormalize_kept` or a dynamic number of experts are left alone
    (`report-skipped` says why for each): `sluice-fuse-moe-experts` fuses
    the first two (the CPU pipeline), the per-token lowering handles what is
    left. With `special` (the CUDA pipelines) the first two are decomposed
    too: one route over the FFN and the MoE++ experts (capacity limits the
    FFN experts only), the FFN GEMMs over the FFN segments (the special
    slots ride, computed and dropped, at the end of the last FFN expert's
    segment), combine with the FFN slots' `keep` and the renormalized
    weights, plus the copy / constant experts' contribution as linalg ops;
    a dynamic number of experts is an error (the route needs it at compile
    time).
  }];
  let dependentDialects = [
    "::mlir::sluice::SluiceDialect",
    "::mlir::arith::ArithDialect",
    "::mlir::func::FuncDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::LLVM::LLVMDialect",
    "::mlir::math::MathDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect"
  ];
  let options = [
    Option<"block", "block", "int64_t", /*default=*/"1",
           "Pad every expert segment to a multiple of this many rows">,
    Option<"reportSkipped", "report-skipped", "bool", /*default=*/"false",
           "Emit a remark for every sluice.moe left as it is">,
    Option<"special", "special", "bool", /*default=*/"false",
           "Also decompose MoE++ zero / copy / constant experts and "
           "renormalize_kept (error on a dynamic expert count)">,
    Option<"fuseShared", "fuse-shared", "bool", /*default=*/"false",
           "Leave a sluice.moe whose shared experts can be groups of the "
           "routed experts' GEMM calls to sluice-fuse-moe-experts (the CPU "
           "pipeline; docs/fusion.md)">
  ];
}

def SluiceFuseMoeExperts : Pass<"sluice-fuse-moe-experts", "::mlir::ModuleOp"> {
  let summary = "Fuse the decomposed expert path into two sluice.gemm "
                "micro-kernel calls";
  let description = [{
    Runs after `sluice-decompose-moe`. Three greedy patterns:

    - `sluice.glu` of `sluice.grouped_matmul(sluice.dispatch(x, slots),
      w_gate, offsets)` and the same GEMM with `w_up` (or ones, the ungated
      FFN) becomes one `sluice.gemm %x, %w_gate groups(%offsets)
      gather(%slots) up(%w_up) {act, a_div = k}`: the dispatch is a gather
      on load and gate/up/GLU share one pass over the gathered rows. It
      fires only when `offsets` and `slots` come from one `sluice.route`,
      the two GEMMs feed only the glu and the dispatch feeds only them.
    - `sluice.combine` (token-choice form) of
      `sluice.grouped_matmul(h, w_down, offsets)` becomes
      `sluice.gemm %h, %w_down groups(%offsets) scatter(%slots)
      scale(%wflat) rows(%T) {c_div = k, accumulate}` with `%wflat` the
      `[T, k]` weights collapsed to `[T*k]` (the scale is indexed by the
      slot `t*k+j`; omitted for weights that are a fill of 1). It fires
      only when combine's `slots` and `keep` are results of the route whose
      `offsets` group the GEMM (the route lists only kept slots, so `keep`
      holds by construction), or without `keep` for a dropless route.
    - `linalg.add` of such a scattered, accumulating `sluice.gemm` and a
      value of the same type becomes the gemm with `init(value)`: shared
      experts accumulate into the routed result.

    - A `sluice.moe` that `sluice-decompose-moe` leaves because of MoE++
      zero / copy / constant experts or `renormalize_kept` (static expert
      count, hidden size and k) takes the fused path directly: ids are
      checked in `[0, E + Z + C + K)` with the per-token lowering's
      message; special ids go to an idle segment `E` of a
      `sluice.route {num_experts = E + 1}` that no GEMM reads; the FFN
      experts are the two gemms above over `slots[0 : offsets[E]]` and
      `offsets[0 : E + 1]`; `renormalize_kept` rescales the weights first
      (two `linalg.generic`); the copy and constant experts' contribution
      (`w x`, `w (a1 x + a2 v[c])`, `[a1, a2] = softmax(x wc[c])`, three
      small `linalg.generic`) is the down gemm's `init`, so they never
      reach a GEMM and cost no extra pass over y.
    - Shared experts (left by `sluice-decompose-moe{fuse-shared=1}`, the
      CPU pipeline's, or met here with MoE++ / `renormalize_kept`) become
      more groups of the same two gemms when they are gated like the
      routed experts and their width Fs is a static multiple m of F:
      `shared(%s_gate) shared_up(%s_up)` / `shared(%s_down as [S m, F, d])`
      read the stacks in place, every token gets `D = k + S m` slots
      (`t D + j` routed, `t D + k + c` shared chunk c), groups are the
      route's E segments then `off[E] + T (c + 1)`, and the scale is the
      `[T, D]` concatenation of the routing weights and the shared gates
      (1, or `sigmoid(x . s_gate_w[s])`). Otherwise (or with the
      `sluice.no_fuse` attribute) they take the decomposed shared path,
      which the patterns above fuse into `init`.

    The per-slot (expert-choice) combine is left alone: its weights are
    per position and a token may appear in several positions with the same
    slot id, while the micro-kernel's scale is indexed by slot.
  }];
  let dependentDialects = [
    "::mlir::sluice::SluiceDialect",
    "::mlir::arith::ArithDialect",
    "::mlir::func::FuncDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::LLVM::LLVMDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect"
  ];
}

def SluiceFuseLora : Pass<"sluice-fuse-lora", "::mlir::ModuleOp"> {
  let summary = "LoRA, multi-LoRA and low-rank GEMMs as sluice.gemm "
                "micro-kernel calls";
  let description = [{
    Rewrites the low-rank ops into `sluice.gemm` (on the CPU, one call of
    the `sluice_uk_gemm` micro-kernel each):

    - `sluice.lora_matmul`: `u = x a[:, :b]` (a small GEMM, x·a computed
      once per row), `u' = scale * u * rank_gates[.., :b]` (a
      `linalg.generic`, absent when there are no gates and scale is 1), then
      one `sluice.gemm %x, %w bias(%bias) lowrank(%u', %b[:b, :])`: the
      rank-b update is added to the base GEMM's accumulator before the
      store. `b` is `active_rank` (default r).
    - `sluice.lowrank_matmul`: `sluice.gemm (sluice.gemm %x, %u), %v bias`.
    - `sluice.multi_lora_matmul` (SGMV): the base `sluice.gemm %x, %w
      bias(%bias)`; the (token, choice) slots grouped by adapter with
      `sluice.route` (slots with id -1 go to an extra idle segment L that no
      GEMM reads), so that the tokens of one adapter share its weight loads;
      `u = sluice.gemm %x, %a groups(...) gather(slots)` and
      `sluice.gemm %u, %b groups(...) scatter(slots) scale(g * s) init(base)
      {accumulate}`.

    The rewrites are exact with respect to the op specification, run-time
    errors included: an op with a dynamic size other than the token count
    stays as it is (the scalar lowering checks it); token counts that may
    differ are checked with the op's own message; an adapter id outside
    [-1, L) is reported as the scalar lowering reports it and adds nothing.
    Run-time errors of the new ops name the original op.
  }];
  let dependentDialects = [
    "::mlir::sluice::SluiceDialect",
    "::mlir::arith::ArithDialect",
    "::mlir::func::FuncDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::LLVM::LLVMDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect"
  ];
}

def SluiceFuseRouterTopk : Pass<"sluice-fuse-router-topk"> {
  let summary = "Router GEMM + top-k gate in one pass (sluice.router_gate); "
                "other router GEMMs on the sluice.gemm micro-kernel";
  let description = [{
    A `sluice.topk_gate` whose logits are a `linalg.matmul(x, w_router)` into
    a fill of +0.0 (or a plain `sluice.gemm %x, %w_router`), used by nothing
    else, with `w_router` static and x's hidden size static, becomes
    `sluice.router_gate %x, %w_router` with the gate's bias and attributes:
    on the CPU one `sluice_uk_router_gate` call that keeps each token
    block's logits in a per-thread buffer, so no `[T, E]` tensor is written.
    Every other router matmul feeding a `sluice.topk_gate` or a
    `sluice.expert_choice_gate` becomes `sluice.gemm %x, %w_router` and the
    gate reads the `[T, E]` logits back.
  }];
  let dependentDialects = ["::mlir::sluice::SluiceDialect"];
}

def SluiceCpuMatmulToGemm : Pass<"sluice-cpu-matmul-to-gemm"> {
  let summary = "Plain f32 linalg.matmul on tensors as sluice.gemm";
  let description = [{
    Every `linalg.matmul` on f32 tensors without user-defined indexing maps
    (router GEMMs, dense layers from the frontend, shared experts) becomes a
    `sluice.gemm`, so that every dense GEMM on the CPU runs in the
    `sluice_uk_gemm` micro-kernel: into a `linalg.fill` of +0.0 it is
    `sluice.gemm %A, %B`, into a `linalg.broadcast` of a bias along the rows
    `sluice.gemm %A, %B bias(%bias)`, into any other init `C` it is
    `sluice.gemm %A, %B init(%C) {accumulate}` (C + A B). Runs before
    `sluice-cpu-matmul-loop-order`, which handles what is left.
  }];
  let dependentDialects = [
    "::mlir::sluice::SluiceDialect",
    "::mlir::linalg::LinalgDialect"
  ];
}

def SluiceFusePoolProducers : Pass<"sluice-fuse-pool-producers"> {
  let summary = "Evaluate the elementwise producer of a pooled tensor "
                "inside the pooling loop (sluice.pool_map)";
  let description = [{
    A `sluice.pool` or `sluice.segment_pool` whose pooled tensor is the
    single-use result of an elementwise producer becomes a
    `sluice.pool_map` that carries the producer's inputs, their indexing
    maps and its scalar body: the body is evaluated where the pooling loop
    reads the element, so the intermediate `[B, N, D]` tensor is never
    written and x is read once (e.g. GeM of `x + bias` or of an activation:
    one read of x, pow, mean, pow). Every pool kind, mask, lengths and
    segment offsets are kept; invalid positions are not evaluated.

    Producers: a `linalg.generic` with only parallel loops, the identity
    output map, a body that does not read the output, pure scalar ops
    without regions, projected-permutation input maps (broadcasts) and at
    least one identity-mapped input; a `sluice.glu` (`act(g) * u`; the
    frontend's activations `glu(x, ones)` read no ones). A chain of such
    producers fuses one after another. A producer with another user, a
    reduction, an index-dependent body or a body reading tensors is left
    as it is, and so is a pool carrying the unit attribute
    `sluice.no_fuse` (the benchmark's unfused baseline).
  }];
  let dependentDialects = [
    "::mlir::sluice::SluiceDialect",
    "::mlir::arith::ArithDialect",
    "::mlir::math::MathDialect"
  ];
}

#endif // SLUICE_PASSES_TD
