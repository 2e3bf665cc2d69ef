//===- GemmPlan.h - how one sluice_uk_gemm call is split ---------*- C++
//-*-===//
//
// Shared between the portable entry point (Gemm.cpp) and the per-ISA kernels
// (GemmAvx2.cpp, GemmAvx512.cpp, compiled with their own -m flags). Only
// plain structs and functions here: nothing that could instantiate an inline
// function with AVX code in one object and without it in another.
//
//===----------------------------------------------------------------------===//

#ifndef SLUICE_RUNTIME_UKERNELS_GEMMPLAN_H
#define SLUICE_RUNTIME_UKERNELS_GEMMPLAN_H

#include "sluice/ukernels.h"

#include <cstddef>
#include <cstdint>

namespace sluice {
namespace uk {

/// The product rows [lo, hi) that use group g's B matrices (non-empty).
struct Segment {
  int64_t g, lo, hi;
};

/// A work item of a call and its work (rows x columns), for the order in
/// which the pool's threads claim items (Gemm.cpp).
struct WorkItem {
  int64_t work, item;
};

/// Group g's B (and B2, null without GLU) and their row strides: b's
/// stack, or for g >= b_groups the shared stack (ABI version 2: chunk
/// (g - b_groups) % bs_split of matrix (g - b_groups) / bs_split).
struct GroupB {
  const float *b, *b2;
  int64_t ldb, ldb2;
};
inline GroupB groupB(const sluice_uk_gemm_args *p, int64_t g) {
  if (p->bs && g >= p->b_groups) {
    int64_t j = g - p->b_groups, split = p->bs_split > 0 ? p->bs_split : 1;
    int64_t col = (j % split) * p->N;
    return GroupB{p->bs + (j / split) * p->bs_group_stride + col,
                  p->b2 ? p->bs2 + (j / split) * p->bs2_group_stride + col
                        : nullptr,
                  p->ldbs, p->ldbs2};
  }
  return GroupB{p->b ? p->b + g * p->b_group_stride : nullptr,
                p->b2 ? p->b2 + g * p->b2_group_stride : nullptr, p->ldb,
                p->ldb2};
}

/// Segments with at most this many rows stream B straight from memory (the
/// GEMV path) instead of packing it.
constexpr int64_t kGemvMaxRows = 8;

/// Streamed (GEMV) calls are split along K when B is large (decode): each
/// work item reads rows [k0, k0 + rows) of one segment's B over a column
/// chunk, about this many bytes, into its own partial sums (GemmKernels.inc
/// gemvPartItem). At most kGemvMaxParts parts of at least kGemvMinPartRows
/// rows (a multiple of 8) per column chunk: the partial sums cost one row
/// per part and segment row in memory traffic (with 64-row parts the
/// 2-thread Mixtral / OLMoE decode steps were 5-10% slower).
constexpr int64_t kGemvPartBytes = int64_t(1) << 20;
constexpr int64_t kGemvMaxParts = 32;
constexpr int64_t kGemvMinPartRows = 256;

/// Calls whose largest segment has at least this many rows use prepacked
/// weights when B is registered (WeightCache.cpp).
constexpr int64_t kPrepackMinRows = 2;

/// One call, cut into work items. An item is (segment, column chunk) when
/// splitGroups is set (no two product rows share a C row), else a column
/// chunk over all segments in ascending m. Either way no C element is
/// written by two items, and an item adds its rows in ascending m.
struct GemmPlan {
  const sluice_uk_gemm_args *p;
  const Segment *segs;
  int64_t numSegs;
  bool splitGroups;
  int64_t nc;        ///< columns per chunk (a multiple of the panel width)
  int64_t numChunks; ///< ceil(N / nc)
  int64_t numItems;
  int64_t kMain; ///< K, or 0 when there is no B
  bool glu, lowRank;
  /// B (and B2 with GLU) packed once for every group (WeightCache.cpp), or
  /// null: then large segments pack B per call and small ones stream it.
  /// Group g's panels start at prepacked + g * preGroupFloats; see
  /// packedWeightFloats for the layout.
  const float *prepacked = nullptr;
  int64_t preGroupFloats = 0;
  /// With a shared stack: groups >= sharedFrom read prepackedShared (its
  /// group g - sharedFrom), null when that stack is not prepacked.
  const float *prepackedShared = nullptr;
  int64_t sharedFrom = INT64_MAX;
  /// GEMV calls split along K (kParts > 1): items are (segment, column
  /// chunk, K part), part q covering rows [q * kPartRows, ...) of K. The
  /// parts and chunks depend on the shape only, never on the thread count,
  /// so C stays bit-identical for any number of threads. Item (s, c, q)
  /// sums into partials + ((c * kParts + q) * M + segs[s].lo) * partialLd;
  /// the item that completes a unit (splitGroups: one segment's chunk,
  /// else one chunk of every segment; unitDone counts its finished items)
  /// adds the parts in order q = 0, 1, ... and runs the epilogue, segments
  /// in ascending m.
  int64_t kParts = 1;
  int64_t kPartRows = 0;
  float *partials = nullptr;
  int64_t partialLd = 0;
  int64_t *unitDone = nullptr;
};

/// Group g's prepacked panels, or null.
inline const float *prepackedGroup(const GemmPlan &P, int64_t g) {
  if (g >= P.sharedFrom)
    return P.prepackedShared
               ? P.prepackedShared + (g - P.sharedFrom) * P.preGroupFloats
               : nullptr;
  return P.prepacked ? P.prepacked + g * P.preGroupFloats : nullptr;
}

/// K block of the packed kernels (and of the prepacked layout).
constexpr int64_t kPackKc = 256;

/// Floats per group of the prepacked layout of a K x N B (with GLU: B and
/// B2 interleaved) for vectors of w floats (panels of nr = 2w floats):
/// blocks of kPackKc rows of K, each [panel][kc][nr] with the panels of all
/// N columns (w gate + w up columns per panel with GLU, else nr columns),
/// zero past N. Block k0 starts at k0 * npad, npad = panels * nr.
inline int64_t packedNpad(int64_t n, bool glu, int w) {
  int64_t cpp = glu ? w : 2 * w;
  return (n + cpp - 1) / cpp * 2 * w;
}
inline int64_t packedWeightFloats(int64_t k, int64_t n, bool glu, int w) {
  return k * packedNpad(n, glu, w);
}

/// Packs group g of the call's B (and B2 with GLU) into dst in the layout
/// above (one function per instruction set).
void packGroupAvx2(const sluice_uk_gemm_args *p, int64_t g, float *dst);
void packGroupAvx512(const sluice_uk_gemm_args *p, int64_t g, float *dst);
void packGroupAvx2Wide(const sluice_uk_gemm_args *p, int64_t g, float *dst);
using PackGroupFn = void (*)(const sluice_uk_gemm_args *, int64_t, float *);

/// The prepacked copy of the call's B (and B2), packing the groups of
/// `segs` that are not packed yet, when B (and B2) lie in memory registered
/// with sluice_uk_weights_register; else null. w: floats per vector.
/// `ahead`: a sluice_uk_gemm_prepack call (packs only under the at-bind
/// policy, whatever the call count).
const float *findPrepacked(const sluice_uk_gemm_args *p, const Segment *segs,
                           int64_t numSegs, int w, PackGroupFn pack,
                           int64_t *groupFloats, bool ahead = false);

/// Runs work items [lo, hi) of `plan` with the given instruction set.
void gemmItemsAvx2(const GemmPlan &plan, int64_t lo, int64_t hi);
void gemmItemsAvx512(const GemmPlan &plan, int64_t lo, int64_t hi);
/// AVX2 code with the AVX-512 kernels' shapes (SLUICE_UK_ISA=avx2-wide).
void gemmItemsAvx2Wide(const GemmPlan &plan, int64_t lo, int64_t hi);

/// A 64-byte aligned buffer of at least `floats` floats, owned by the calling
/// thread and reused by later calls (slot < kScratchSlots). Null if memory
/// runs out.
constexpr int kScratchSlots = 5;
float *scratch(int slot, size_t floats);

/// Whether sluice_uk_gemm's choice of instruction set (CPU check and
/// SLUICE_UK_ISA) allows the AVX2 + FMA kernels.
bool avx2Allowed();

/// Tokens [r0, r1) of a sluice_uk_router_gate call with AVX2 + FMA
/// (RouterGateAvx2.cpp). `packed`: every 16-wide panel of w, [K][16] each,
/// back to back (the last zero-padded) in `panels`; else `panels` holds
/// only the last, zero-padded panel when 16 does not divide E (or is null)
/// and the full panels are read from w in place.
void routerGateRowsAvx2(const sluice_uk_router_gate_args *p,
                        const float *panels, bool packed, int64_t r0,
                        int64_t r1);

/// One token's partial logits over rows [k0, k1) of w: z[0, E) =
/// x[t, k0:k1) . w[k0:k1, :] (w read in place, rows in order). The decode
/// path splits K between threads with this (RouterGate.cpp).
void routerGateLogitsAvx2(const sluice_uk_router_gate_args *p, int64_t t,
                          int64_t k0, int64_t k1, float *z);
/// The gate of token t from its logits z[0, E) (overwritten): writes
/// weights[t, :k] and indices[t, :k]. False if scratch memory ran out.
bool routerGateFinishAvx2(const sluice_uk_router_gate_args *p, int64_t t,
                          float *z);

} // namespace uk
} // namespace sluice

#endif // SLUICE_RUNTIME_UKERNELS_GEMMPLAN_H
