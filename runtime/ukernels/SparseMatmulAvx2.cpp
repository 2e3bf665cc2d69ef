//===- SparseMatmulAvx2.cpp - column loops of sluice_uk_sparse_matmul -----===//
//
// Compiled with -mavx2 -mfma; called only after the CPU check
// (SparseMatmul.cpp). Every loop keeps the order of the plain loops: per
// output, one fused multiply-add per kept row, rows ascending.
//
// One token (decode), and 2-8 tokens as the fallback of the strips: groups
// of 8 listed rows; per token, the group's rows it keeps are added in one
// pass over its y columns (a contiguous range of up to 8192 per thread):
// per 16 columns up to 8 row loads feed one load and one store of y, 8
// read streams in flight, no software prefetch (as the GEMM's GEMV path).
//
// 2-8 tokens, rows kept by >= 3 tokens on average: 8-column strips with 8
// accumulators (one per token) in registers over blocks of 128 rows: per
// row one load of w, 8 broadcasts, 8 FMAs. Every listed row is added to
// every token, x = 0 where a token does not keep it: exact for finite w
// (up to the sign of a zero sum); a non-finite output sends the item's
// columns through the row groups, where 0 never meets an Inf / NaN weight.
//
// 2-8 tokens, rows kept by fewer tokens (sparse inputs): per row, each
// keeping token adds the row to its y.
//
//===----------------------------------------------------------------------===//

#include "runtime/ukernels/SparseMatmul.h"

#include <immintrin.h>

using sluice::uk::kSparseTile;
using sluice::uk::SparseTile;

namespace {

/// Rows per register block of the multi-token loop: 128 rows x 2 lines of
/// the current strip pair and the prefetched one stay in L1.
constexpr int64_t kRowBlock = 128;

/// Columns [j, j + 8) of tokens 0..7 of the tile over rows [c0, c1) of the
/// list (lanes >= `lanes` masked off at the loads and stores of y and w):
/// the accumulators start from 0 for the first block, else from y.
void strip(const SparseTile &tile, int64_t j, int lanes, int64_t c0,
           int64_t c1) {
  const sluice_uk_sparse_matmul_args *p = tile.p;
  const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  const __m256i lm = _mm256_cmpgt_epi32(_mm256_set1_epi32(lanes), lane);
  const int64_t tn = tile.tn;
  float *y = p->y + tile.t0 * p->ldy + j;
  // Eight named accumulators (an array indexed in loops was spilled to the
  // stack on every row by GCC).
  __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0, a4 = a0,
         a5 = a0, a6 = a0, a7 = a0;
  auto loadY = [&](int64_t r) {
    return lanes == 8 ? _mm256_loadu_ps(y + r * p->ldy)
                      : _mm256_maskload_ps(y + r * p->ldy, lm);
  };
  if (c0 > 0) {
    // Rows of tokens >= tn are never stored: their accumulators stay 0.
    a0 = loadY(0);
    if (tn > 1) a1 = loadY(1);
    if (tn > 2) a2 = loadY(2);
    if (tn > 3) a3 = loadY(3);
    if (tn > 4) a4 = loadY(4);
    if (tn > 5) a5 = loadY(5);
    if (tn > 6) a6 = loadY(6);
    if (tn > 7) a7 = loadY(7);
  }
  const float *wj = p->w + j;
  const bool prefetch = (j & 15) == 0;
  for (int64_t c = c0; c < c1; ++c) {
    const float *w = wj + int64_t(tile.rows[c]) * p->ldw;
    // The next line of this row (read by the strip pair after this one).
    if (prefetch)
      _mm_prefetch(reinterpret_cast<const char *>(w + 16), _MM_HINT_T0);
    __m256 wv = lanes == 8 ? _mm256_loadu_ps(w) : _mm256_maskload_ps(w, lm);
    const float *xv = tile.xg + c * kSparseTile;
#define SLUICE_FMA(r)                                                          \
  a##r = _mm256_fmadd_ps(_mm256_broadcast_ss(xv + r), wv, a##r)
    SLUICE_FMA(0); SLUICE_FMA(1); SLUICE_FMA(2); SLUICE_FMA(3);
    SLUICE_FMA(4); SLUICE_FMA(5); SLUICE_FMA(6); SLUICE_FMA(7);
#undef SLUICE_FMA
  }
  auto storeY = [&](int64_t r, __m256 v) {
    if (lanes == 8)
      _mm256_storeu_ps(y + r * p->ldy, v);
    else
      _mm256_maskstore_ps(y + r * p->ldy, lm, v);
  };
  storeY(0, a0);
  if (tn > 1) storeY(1, a1);
  if (tn > 2) storeY(2, a2);
  if (tn > 3) storeY(3, a3);
  if (tn > 4) storeY(4, a4);
  if (tn > 5) storeY(5, a5);
  if (tn > 6) storeY(6, a6);
  if (tn > 7) storeY(7, a7);
}

/// 2-8 tokens whose rows are mostly kept by few of them (sparse inputs):
/// per row, only the tokens that keep it, each adding the row's columns
/// [j0, j1) (one item per thread) to its y; the row is read from memory by
/// the first and from L2 by the others.
void fewTokensPerRow(const SparseTile &tile, int64_t j0, int64_t j1) {
  const sluice_uk_sparse_matmul_args *p = tile.p;
  const int64_t kSub = j1 - j0; // the whole range: rows stream contiguously
  for (int64_t s0 = j0; s0 < j1; s0 += kSub) {
    int64_t s1 = s0 + kSub < j1 ? s0 + kSub : j1, width = s1 - s0;
    for (int64_t r = 0; r < tile.tn; ++r) {
      float *y = p->y + (tile.t0 + r) * p->ldy + s0;
      for (int64_t j = 0; j < width; ++j)
        y[j] = 0.0f;
    }
    for (int64_t c = 0; c < tile.count; ++c) {
      const float *w = p->w + int64_t(tile.rows[c]) * p->ldw + s0;
      if (c + 1 < tile.count) {
        const char *next = reinterpret_cast<const char *>(
            p->w + int64_t(tile.rows[c + 1]) * p->ldw + s0);
        for (int64_t j = 0; j < width; j += 16)
          _mm_prefetch(next + 4 * j, _MM_HINT_T0);
      }
      unsigned m = tile.mask[c];
      while (m) {
        int r = __builtin_ctz(m);
        m &= m - 1;
        float xs = tile.xg[c * kSparseTile + r];
        __m256 xv = _mm256_set1_ps(xs);
        float *y = p->y + (tile.t0 + r) * p->ldy + s0;
        int64_t j = 0;
        for (; j + 8 <= width; j += 8)
          _mm256_storeu_ps(y + j, _mm256_fmadd_ps(xv, _mm256_loadu_ps(w + j),
                                                  _mm256_loadu_ps(y + j)));
        for (; j < width; ++j)
          y[j] = __builtin_fmaf(xs, w[j], y[j]);
      }
    }
  }
}

/// y[0, width) += xs[0] w[0][.] + ... + xs[R-1] w[R-1][.], one fused
/// multiply-add per row in the given (ascending) order; y is loaded and
/// stored once per R rows (R weight streams in flight).
template <int R>
void addRows(float *y, const float *const *w, const float *xs, int64_t width) {
  __m256 xv[R];
#pragma GCC unroll 8
  for (int q = 0; q < R; ++q)
    xv[q] = _mm256_set1_ps(xs[q]);
  int64_t j = 0;
  for (; j + 16 <= width; j += 16) {
    __m256 a0 = _mm256_loadu_ps(y + j), a1 = _mm256_loadu_ps(y + j + 8);
#pragma GCC unroll 8
    for (int q = 0; q < R; ++q) {
      a0 = _mm256_fmadd_ps(xv[q], _mm256_loadu_ps(w[q] + j), a0);
      a1 = _mm256_fmadd_ps(xv[q], _mm256_loadu_ps(w[q] + j + 8), a1);
    }
    _mm256_storeu_ps(y + j, a0);
    _mm256_storeu_ps(y + j + 8, a1);
  }
  if (j + 8 <= width) {
    __m256 a0 = _mm256_loadu_ps(y + j);
#pragma GCC unroll 8
    for (int q = 0; q < R; ++q)
      a0 = _mm256_fmadd_ps(xv[q], _mm256_loadu_ps(w[q] + j), a0);
    _mm256_storeu_ps(y + j, a0);
    j += 8;
  }
  for (; j < width; ++j) {
    float s = y[j];
    for (int q = 0; q < R; ++q)
      s = __builtin_fmaf(xs[q], w[q][j], s);
    y[j] = s;
  }
}

/// Groups of up to 8 consecutive listed rows; per token, the rows of the
/// group it keeps go through addRows in one pass over y's columns [j0, j1)
/// (the first token reads the group's row pieces from memory, the others
/// from L1). Exact: a token only ever meets the rows it keeps.
void rowGroups(const SparseTile &tile, int64_t j0, int64_t j1) {
  const sluice_uk_sparse_matmul_args *p = tile.p;
  const int64_t width = j1 - j0, tn = tile.tn;
  for (int64_t r = 0; r < tn; ++r) {
    float *y = p->y + (tile.t0 + r) * p->ldy + j0;
    for (int64_t j = 0; j < width; ++j)
      y[j] = 0.0f;
  }
  const float *group[8];
  const float *ptr[8];
  float xs[8];
  for (int64_t c0 = 0; c0 < tile.count; c0 += 8) {
    int g = tile.count - c0 < 8 ? static_cast<int>(tile.count - c0) : 8;
    for (int q = 0; q < g; ++q)
      group[q] = p->w + int64_t(tile.rows[c0 + q]) * p->ldw + j0;
    for (int64_t r = 0; r < tn; ++r) {
      int n = 0;
      if (tn == 1) {
        for (int q = 0; q < g; ++q) {
          ptr[q] = group[q];
          xs[q] = tile.xg[c0 + q];
        }
        n = g;
      } else {
        for (int q = 0; q < g; ++q)
          if (tile.mask[c0 + q] >> r & 1u) {
            ptr[n] = group[q];
            xs[n++] = tile.xg[(c0 + q) * kSparseTile + r];
          }
      }
      float *y = p->y + (tile.t0 + r) * p->ldy + j0;
      switch (n) {
      case 1: addRows<1>(y, ptr, xs, width); break;
      case 2: addRows<2>(y, ptr, xs, width); break;
      case 3: addRows<3>(y, ptr, xs, width); break;
      case 4: addRows<4>(y, ptr, xs, width); break;
      case 5: addRows<5>(y, ptr, xs, width); break;
      case 6: addRows<6>(y, ptr, xs, width); break;
      case 7: addRows<7>(y, ptr, xs, width); break;
      case 8: addRows<8>(y, ptr, xs, width); break;
      default: break;
      }
    }
  }
}

/// Whether y's columns [j0, j1) of the tile's tokens are all finite.
bool allFinite(const SparseTile &tile, int64_t j0, int64_t j1) {
  const sluice_uk_sparse_matmul_args *p = tile.p;
  __m256 bad = _mm256_setzero_ps();
  bool ok = true;
  for (int64_t r = 0; r < tile.tn; ++r) {
    const float *y = p->y + (tile.t0 + r) * p->ldy;
    int64_t j = j0;
    for (; j + 8 <= j1; j += 8) {
      __m256 v = _mm256_loadu_ps(y + j);
      // v - v is 0 for finite v, NaN for Inf / NaN.
      bad = _mm256_or_ps(bad, _mm256_sub_ps(v, v));
    }
    for (; j < j1; ++j)
      ok &= (y[j] - y[j]) == 0.0f;
  }
  return ok && _mm256_testz_ps(
                   _mm256_cmp_ps(bad, bad, _CMP_UNORD_Q),
                   _mm256_cmp_ps(bad, bad, _CMP_UNORD_Q)) != 0;
}

} // namespace

void sluice::uk::sparseColumnsAvx2(const SparseTile &tile, int64_t j0,
                                   int64_t j1) {
  if (tile.tn == 1) {
    rowGroups(tile, j0, j1);
    return;
  }
  if (tile.perToken) {
    fewTokensPerRow(tile, j0, j1);
    return;
  }
  // Blocks of rows outside, strips inside: a block's lines of w are read
  // from memory by the first strip of each line and from L1 by the second.
  int64_t c0 = 0;
  do {
    int64_t c1 = c0 + kRowBlock < tile.count ? c0 + kRowBlock : tile.count;
    int64_t j = j0;
    for (; j + 8 <= j1; j += 8)
      strip(tile, j, 8, c0, c1);
    if (j < j1)
      strip(tile, j, static_cast<int>(j1 - j), c0, c1);
    c0 = c1;
  } while (c0 < tile.count);
  // The strips added every listed row to every token (x = 0 where a token
  // does not keep the row); that is exact for finite weights. An Inf / NaN
  // anywhere in the outputs (an Inf / NaN weight, or a kept Inf / NaN
  // input) sends the columns through the exact per-token row groups.
  if (!allFinite(tile, j0, j1))
    rowGroups(tile, j0, j1);
}
