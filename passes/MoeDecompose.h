//===- MoeDecompose.h - pieces of sluice.moe's decomposition ----*- C++ -*-===//
//
// Shared by sluice-decompose-moe and sluice-fuse-moe-experts (whose MoE++ /
// renormalize_kept pattern reuses the shared-expert path).
//
//===----------------------------------------------------------------------===//

#ifndef SLUICE_PASSES_MOEDECOMPOSE_H
#define SLUICE_PASSES_MOEDECOMPOSE_H

#include "dialect/SluiceOps.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::sluice {

/// sum_j weights[t,j] * FFN_{indices[t,j]}(x[t]) through the routing
/// primitives (route, dispatch, grouped_matmul, glu, combine). `up` may be
/// null (ungated FFN: act(x w_gate) w_down).
Value buildExpertPath(PatternRewriter &b, Location loc, Value x, Value weights,
                      Value indices, Value gate, Value up, Value down,
                      Activation act, int64_t block, int64_t capacity,
                      DropPolicy drop);

/// The shared experts of `op` (which has shared_gate): every token routed to
/// every shared expert with weight 1 or sigmoid(x . s_gate_w[s]).
Value buildSharedExperts(PatternRewriter &b, MoeOp op, int64_t block);

/// Whether sluice-fuse-moe-experts puts `op`'s shared experts into the
/// routed experts' two GEMM calls (FuseMoeShared.cpp): shared experts
/// present, gated like the routed ones, Fs a multiple of F, static sizes.
bool canFuseSharedExperts(MoeOp op);

/// With canFuseSharedExperts(op): the two sluice.gemm calls of the routed
/// experts (route `seg` / `weights` into E + 1 segments, segment E idle)
/// and the shared ones, with `init` (or null) the down GEMM's start value.
Value buildRoutedAndShared(PatternRewriter &rw, MoeOp op, Location loc,
                           RouteOp route, Value weights, Value init);

/// The sluice-fuse-moe-experts pattern for a sluice.moe that the
/// decomposition leaves (MoE++ zero / copy / constant experts,
/// renormalize_kept): FuseMoeSpecial.cpp.
void populateFuseMoeSpecialPatterns(RewritePatternSet &patterns);

} // namespace mlir::sluice

#endif // SLUICE_PASSES_MOEDECOMPOSE_H
