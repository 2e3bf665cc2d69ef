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
    Shared experts become dense `linalg.matmul`s added to the result.
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

#endif // SLUICE_PASSES_TD
