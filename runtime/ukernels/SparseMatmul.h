//===- SparseMatmul.h - sluice_uk_sparse_matmul internals -------*- C++ -*-===//
//
// The plan of one tile of up to 8 tokens, shared by the dispatch
// (SparseMatmul.cpp, no -m flags) and the AVX2 column loops
// (SparseMatmulAvx2.cpp, -mavx2 -mfma). Plain structs only (see GemmPlan.h).
//
//===----------------------------------------------------------------------===//

#ifndef SLUICE_RUNTIME_UKERNELS_SPARSEMATMUL_H
#define SLUICE_RUNTIME_UKERNELS_SPARSEMATMUL_H

#include "sluice/ukernels.h"

#include <stdint.h>

namespace sluice {
namespace uk {

/// Tokens per tile: every needed row of w is read once per tile.
constexpr int64_t kSparseTile = 8;

/// One tile: tokens [t0, t0 + tn) of the call, the `count` rows of w that
/// any of them keeps (ascending), and per row the kept values.
struct SparseTile {
  const sluice_uk_sparse_matmul_args *p;
  int64_t t0, tn;
  int64_t count;
  const int32_t *rows;  ///< [count] row indices of w, ascending
  const uint8_t *mask;  ///< [count] bit r: token t0 + r keeps the row
  const float *xg;      ///< tn == 1: [count] values; else [count][8] (0 where
                        ///< not kept or r >= tn)
  int64_t colsPerItem;  ///< columns of one pool item (a multiple of 16)
  bool perToken;        ///< 2-8 tokens: loop over each row's keeping tokens
                        ///< (sparse inputs) rather than 8-token strips
};

/// y[t0 + r, j0 .. j1) for every token of the tile, with AVX2 + FMA.
void sparseColumnsAvx2(const SparseTile &tile, int64_t j0, int64_t j1);

} // namespace uk
} // namespace sluice

#endif // SLUICE_RUNTIME_UKERNELS_SPARSEMATMUL_H
