//===- MoeDecompose.h - pieces of sluice.moe's decomposition ----*- C++ -*-===//
//
// Shared by sluice-decompose-moe and sluice-fuse-moe-experts (whose MoE++ /
// renormalize_kept pattern reuses the shared-expert path and, like the
// decomposition with `special`, the MoE++ / renormalize_kept pieces of
// MoeSpecial.cpp).
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

/// The FFN experts on gathered rows `xs` grouped by `offsets` ([E+1]):
/// grouped_matmul(glu(grouped_matmul(xs, gate), grouped_matmul(xs, up)),
/// down); `up` may be null (ungated FFN).
Value buildExpertGemms(PatternRewriter &b, Location loc, Value xs, Value gate,
                       Value up, Value down, Activation act, Value offsets);

//===----------------------------------------------------------------------===//
// MoE++ zero / copy / constant experts and renormalize_kept (MoeSpecial.cpp)
//===----------------------------------------------------------------------===//

/// Fails (notifyMatchFailure) unless E, d and k are static, E > 0, k > 0 and
/// the token counts of weights / indices can be checked against x's.
LogicalResult matchMoeSpecialShapes(MoeOp op, PatternRewriter &rw);

/// `v`, whose dim 0 must equal x's token count. Where that needs a run-time
/// check, a mismatch is reported with the per-token lowering's message
/// (host-level dims only) and `v` is replaced by a `pad`-filled tensor of
/// x's token count, so that later code never reads past `v`.
Value guardMoeTokens(PatternRewriter &rw, Operation *op, Location loc, Value v,
                     StringRef name, Value x, TypedAttr pad);

/// seg[t,j] = id if id in [0, e), else e (the fused path's idle segment).
Value moeSegmentIds(OpBuilder &b, Location loc, Value idx, int64_t e);

/// renormalize_kept: w' = w * sum_j w / sum_kept w (w where the kept sum is
/// 0); a slot is kept if its id is an FFN expert (< e) with keep != 0, or a
/// special expert (in [e, total)).
Value moeRenormalizeKept(OpBuilder &b, Location loc, Value w, Value idx,
                         Value keep, int64_t e, int64_t total);

/// s[T, d] = sum over the copy / constant slots of w' x, w' (a1 x + a2 v[c])
/// ([a1, a2] = softmax(x wc[c])); null without copy and constant experts.
Value moeSpecialContribution(OpBuilder &b, Location loc, MoeOp op, Value x,
                             Value idx, Value weights);

/// keep'[t,j] = keep[t,j] for FFN ids (< e), else 0: combine then ignores
/// the special experts' slots.
Value moeFfnKeep(OpBuilder &b, Location loc, Value idx, Value keep, int64_t e);

/// The grouped GEMMs' offsets [e + 1] from a route over `total` experts:
/// offsets[0 .. e-1], then offsets[total] (= P): the special experts'
/// segments ride at the end of FFN expert e-1's segment (their rows are
/// computed and dropped by combine's keep').
Value moeGemmOffsets(OpBuilder &b, Location loc, Value offsets, int64_t e,
                     int64_t total);

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
