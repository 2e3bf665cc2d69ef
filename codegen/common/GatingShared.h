//===- GatingShared.h - gating code shared by the CPU and CUDA lowerings -===//
//
// The pieces of expert_choice_gate and topk that the CPU lowering
// (LowerGating.cpp) and the CUDA schedules (KernelsRouting.cpp) both emit:
// one definition, so the two backends select the same elements in the same
// order by construction.
//
//===----------------------------------------------------------------------===//

#ifndef SLUICE_CODEGEN_COMMON_GATINGSHARED_H
#define SLUICE_CODEGEN_COMMON_GATINGSHARED_H

#include "codegen/common/Lowering.h"

namespace mlir::sluice::codegen {

/// expert_choice_gate's tokens per expert C: the `capacity` attribute, or
/// ceil(T * capacity_factor / E) in f64 from the f32 factor; clamped to T.
Value emitExpertChoiceCapacity(Emit &e, ExpertChoiceGateOp op, Value t);

/// Expert `ex` picks its `c` of `t` tokens by the scores s[:, ex] (largest
/// first, common selection order) into weights[ex, :] and tokens[ex, :].
void emitExpertChoiceSelect(Emit &e, Value s, Value ex, Value c, Value t,
                            Value weights, Value tokens);

/// The result shape of sluice.topk and its k check: `sizes` are the leading
/// dims of x then k; kk = min(k, N) is what a row selects.
struct TopkShape {
  SmallVector<Value> sizes;
  Value n, k, kk;
  Value values, indices; ///< the result buffers
};

/// Checks k <= N at run time where N is dynamic, then allocates the results.
TopkShape emitTopkShape(Emit &e, TopkOp op, Value x);

/// Selects the top kk of row `rowIvs` (an index of every leading dim) of x
/// into values / indices at [rowIvs, 0..kk). Entries kk..k are not written.
void emitTopkRow(Emit &e, TopkOp op, Value x, ArrayRef<Value> rowIvs,
                 const TopkShape &s);

} // namespace mlir::sluice::codegen

#endif // SLUICE_CODEGEN_COMMON_GATINGSHARED_H
