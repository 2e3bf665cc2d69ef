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
    `sluice.moe` ops with zero-computation experts, `renormalize_kept` or a
    dynamic number of experts are left alone for the fusion passes
    (`report-skipped` says why for each).
  }];
  let dependentDialects = [
    "::mlir::sluice::SluiceDialect",
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::tensor::TensorDialect"
  ];
  let options = [
    Option<"block", "block", "int64_t", /*default=*/"1",
           "Pad every expert segment to a multiple of this many rows">,
    Option<"reportSkipped", "report-skipped", "bool", /*default=*/"false",
           "Emit a remark for every sluice.moe left as it is">
  ];
}

def SluiceFuseMoeExperts : Pass<"sluice-fuse-moe-experts"> {
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

    The per-slot (expert-choice) combine is left alone: its weights are
    per position and a token may appear in several positions with the same
    slot id, while the micro-kernel's scale is indexed by slot.
  }];
  let dependentDialects = [
    "::mlir::sluice::SluiceDialect",
    "::mlir::tensor::TensorDialect"
  ];
}

def SluiceFuseRouterTopk : Pass<"sluice-fuse-router-topk"> {
  let summary = "Run router GEMMs that feed a gate on the sluice.gemm "
                "micro-kernel";
  let description = [{
    A `linalg.matmul(x, w_router)` into a fill of +0.0 whose result feeds a
    `sluice.topk_gate` or `sluice.expert_choice_gate` becomes
    `sluice.gemm %x, %w_router` (one `sluice_uk_gemm` call on the CPU). The
    `[T, E]` logits are still materialised for the gate; selecting the top
    k in the GEMM's epilogue is not done yet.
  }];
  let dependentDialects = ["::mlir::sluice::SluiceDialect"];
}

#endif // SLUICE_PASSES_TD
