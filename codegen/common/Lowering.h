//===- Lowering.h - buffer-level lowering of sluice ops ---------*- C++ -*-===//
//
// Every sluice op bufferizes (BufferizableOpInterface, Bufferize.cpp) by
// allocating its results and emitting loops over buffers that implement the
// op specification. The per-family lowerings live in Lower*.cpp; the helpers
// they share (selection in the common order, activations, capacity drops)
// are declared here.
//
//===----------------------------------------------------------------------===//

#ifndef SLUICE_CODEGEN_COMMON_LOWERING_H
#define SLUICE_CODEGEN_COMMON_LOWERING_H

#include "codegen/common/Emit.h"
#include "dialect/SluiceOps.h"

namespace mlir::sluice::codegen {

/// Lowers `op` given the buffers of its operands (same order as the op's
/// operands; non-tensor operands are passed as they are). Returns one
/// buffer per result, or failure after emitting an error.
FailureOr<SmallVector<Value>> lowerToBuffers(Operation *op, OpBuilder &b,
                                             ArrayRef<Value> operands);

/// Registers the BufferizableOpInterface models of every sluice op.
void registerBufferizationModels(DialectRegistry &registry);

/// Loads the dialects whose ops the lowerings emit (arith, func, math,
/// memref, scf, llvm). Every bufferization model's extension calls it, so a
/// bare `sluice-opt --one-shot-bufferize` can build them.
void loadLoweringDialects(MLIRContext *ctx);

//===----------------------------------------------------------------------===//
// Shared helpers
//===----------------------------------------------------------------------===//

/// A fresh result buffer of the tensor type `type`; `sizes` gives every dim
/// (used where the dim is dynamic).
Value allocResult(Emit &e, Type tensorType, ArrayRef<Value> sizes);

/// A key in the common selection order: lower tier first (tier is an i1,
/// true = demoted, or null), then the larger (or smaller) value, NaN last,
/// then the lower index.
struct Key {
  Value demoted; ///< i1 or null
  Value value;   ///< f32
  Value index;   ///< index
};

/// True iff `a` comes before `b` in the common selection order.
Value keyBefore(Emit &e, bool largest, const Key &a, const Key &b);

/// Selects the first `k` of `n` candidates in the common selection order.
/// `key(i)` gives candidate i's key (its `index` field is ignored and set to
/// i); `out(j, key)` receives the j-th pick. O(n k); requires k <= n.
void emitSelect(Emit &e, Value k, Value n, bool largest,
                function_ref<Key(Value)> key,
                function_ref<void(Value, const Key &)> out);

/// act(x) for one f32 value.
Value emitActivation(Emit &e, Activation act, Value x);

/// Fills keep[T*k] (i32 0/1, flat slot order) for slots whose expert id is in
/// [0, numExperts): with capacity > 0 an expert keeps its first `capacity`
/// candidates in `drop` order; other slots (ids outside the range) get 0.
void emitCapacityKeep(Emit &e, Value indices, Value weights, int64_t numExperts,
                      int64_t capacity, DropPolicy drop, Value keepFlat);

/// Checks `offsets[0..n]` is nondecreasing from 0 to `rows`; reports a
/// run-time error through `op` otherwise.
void emitCheckOffsets(Emit &e, Operation *op, Value offsets, Value rows,
                      StringRef what);

/// Loops over every index tuple of the leading `rank` dims of `memref`.
void forEachIndex(Emit &e, Value memref, unsigned rank,
                  function_ref<void(ValueRange)> body);

// Per-family lowerings.
FailureOr<SmallVector<Value>> lowerGating(Emit &e, Operation *op,
                                          ArrayRef<Value> operands);
FailureOr<SmallVector<Value>> lowerRouting(Emit &e, Operation *op,
                                           ArrayRef<Value> operands);
FailureOr<SmallVector<Value>> lowerMoe(Emit &e, Operation *op,
                                       ArrayRef<Value> operands);
FailureOr<SmallVector<Value>> lowerPooling(Emit &e, Operation *op,
                                           ArrayRef<Value> operands);
FailureOr<SmallVector<Value>> lowerLowRank(Emit &e, Operation *op,
                                           ArrayRef<Value> operands);
FailureOr<SmallVector<Value>> lowerSparse(Emit &e, Operation *op,
                                          ArrayRef<Value> operands);

} // namespace mlir::sluice::codegen

#endif // SLUICE_CODEGEN_COMMON_LOWERING_H
