//===- SparseShared.h - sparsify's radix selection, shared by CPU and CUDA ===//
//
// sparsify / sparse_matmul keep the top k of |x| (or |x| * wnorm) of a row by
// a radix selection over 32-bit keys: four passes of 8 bits find the k-th
// largest key and how many keys equal to it are taken, lowest indices
// first. The CPU lowering (LowerSparse.cpp) and the CUDA schedule
// (KernelsSparse.cpp) distribute the counting differently but share the
// key, the digit of a pass, the scan of the bins and the keep rule defined
// here, so both keep the same inputs (ties, NaN last, -0 = +0).
//
//===----------------------------------------------------------------------===//

#ifndef SLUICE_CODEGEN_COMMON_SPARSESHARED_H
#define SLUICE_CODEGEN_COMMON_SPARSESHARED_H

#include "codegen/common/Lowering.h"

namespace mlir::sluice::codegen {

/// 0 <= k <= N: checked at run time where N (dim 1 of x) is dynamic; the
/// selection then keeps at most N.
void emitSparseCheckK(Emit &e, Operation *op, IntegerAttr k, Value x);

/// A key whose unsigned order (as a zero-extended i64) is the selection
/// order of the f32 value `v`: larger values larger keys, -0 = +0, NaN the
/// lowest (0; no number maps there).
Value emitSelectionKey(Emit &e, Value v);

/// Radix pass `pass` (0..3, most significant byte first).
struct RadixPass {
  int64_t shift; ///< of the pass's byte
  int64_t high;  ///< mask of the bytes fixed by earlier passes
  explicit RadixPass(int pass)
      : shift(24 - 8 * pass),
        high(pass == 0 ? 0
                       : (0xFFFFFFFFll << (32 - 8 * pass)) & 0xFFFFFFFFll) {}
};

/// key & high == prefix: the key matches the bytes found so far (i1).
Value emitRadixMatches(Emit &e, const RadixPass &p, Value key, Value prefix);
/// The byte of `key` that pass `p` counts (i64 in [0, 256)).
Value emitRadixDigit(Emit &e, const RadixPass &p, Value key);

/// Scans the 256 bins of pass `p` from the top for the first whose count
/// (`count(bin)`, i64; bin an index) reaches the remaining `rank`; adds its
/// byte to `prefix` and subtracts the counts of the bins above from `rank`.
void emitRadixScan(Emit &e, const RadixPass &p,
                   function_ref<Value(Value)> count, Value &prefix,
                   Value &rank);

/// The keep rule after the four passes: key > prefix, or key == prefix and
/// fewer than `rank` equal keys come before (`before`); nothing when `any`
/// (k > 0) is false. `tie` (optional) receives key == prefix && before <
/// rank, the equal keys taken.
Value emitRadixKeep(Emit &e, Value key, Value prefix, Value before, Value rank,
                    Value any, Value *tie = nullptr);

} // namespace mlir::sluice::codegen

#endif // SLUICE_CODEGEN_COMMON_SPARSESHARED_H
