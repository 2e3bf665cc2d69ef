//===- SparseMatmulAvx2.cpp - column loops of sluice_uk_sparse_matmul -----===//
//
// Compiled with -mavx2 -mfma; called only after the CPU check
// (SparseMatmul.cpp). Both loops keep the order of the plain loops: per
// output, one fused multiply-add per kept row, rows ascending.
//
// One token (decode): y's columns [j0, j1) (<= 8 KiB) stay in L1 as the
// accumulator while every listed row's columns stream through; the row two
// ahead is prefetched line by line. Memory-bound: 2 loads and a store per
// 8 weights.
//
// 2-8 tokens: 8-column strips with 8 accumulators (one per token) in
// registers over blocks of 128 rows: per row one load of w, 8 broadcasts,
// 8 FMAs (compute-bound at T = 8). A row kept by only some tokens of the
// tile adds to the others through a blend (never 0 * w: w may hold Inf).
//
//===----------------------------------------------------------------------===//

#include "runtime/ukernels/SparseMatmul.h"

#include <immintrin.h>

using sluice::uk::kSparseTile;
using sluice::uk::SparseTile;

namespace {

void oneToken(const SparseTile &tile, int64_t j0, int64_t j1) {
  const sluice_uk_sparse_matmul_args *p = tile.p;
  float *y = p->y + tile.t0 * p->ldy + j0;
  int64_t width = j1 - j0;
  for (int64_t j = 0; j < width; ++j)
    y[j] = 0.0f;
  const float *w0 = p->w + j0;
  int64_t count = tile.count;
  for (int64_t c = 0; c < count; ++c) {
    const float *w = w0 + int64_t(tile.rows[c]) * p->ldw;
    const float *ahead =
        c + 2 < count ? w0 + int64_t(tile.rows[c + 2]) * p->ldw : w;
    float xs = tile.xg[c];
    __m256 xv = _mm256_set1_ps(xs);
    int64_t j = 0;
    for (; j + 32 <= width; j += 32) {
      _mm_prefetch(reinterpret_cast<const char *>(ahead + j), _MM_HINT_T0);
      _mm_prefetch(reinterpret_cast<const char *>(ahead + j + 16),
                   _MM_HINT_T0);
      __m256 a0 = _mm256_fmadd_ps(xv, _mm256_loadu_ps(w + j),
                                  _mm256_loadu_ps(y + j));
      __m256 a1 = _mm256_fmadd_ps(xv, _mm256_loadu_ps(w + j + 8),
                                  _mm256_loadu_ps(y + j + 8));
      __m256 a2 = _mm256_fmadd_ps(xv, _mm256_loadu_ps(w + j + 16),
                                  _mm256_loadu_ps(y + j + 16));
      __m256 a3 = _mm256_fmadd_ps(xv, _mm256_loadu_ps(w + j + 24),
                                  _mm256_loadu_ps(y + j + 24));
      _mm256_storeu_ps(y + j, a0);
      _mm256_storeu_ps(y + j + 8, a1);
      _mm256_storeu_ps(y + j + 16, a2);
      _mm256_storeu_ps(y + j + 24, a3);
    }
    for (; j + 8 <= width; j += 8)
      _mm256_storeu_ps(y + j, _mm256_fmadd_ps(xv, _mm256_loadu_ps(w + j),
                                              _mm256_loadu_ps(y + j)));
    for (; j < width; ++j)
      y[j] = __builtin_fmaf(xs, w[j], y[j]);
  }
}

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
  const unsigned full = (1u << tile.tn) - 1u;
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
#define SLUICE_FMA_KEPT(r)                                                     \
  a##r = _mm256_blendv_ps(                                                     \
      a##r, _mm256_fmadd_ps(_mm256_broadcast_ss(xv + r), wv, a##r),            \
      _mm256_broadcast_ss(kv + r))
    if (tile.mask[c] == full) {
      SLUICE_FMA(0); SLUICE_FMA(1); SLUICE_FMA(2); SLUICE_FMA(3);
      SLUICE_FMA(4); SLUICE_FMA(5); SLUICE_FMA(6); SLUICE_FMA(7);
    } else {
      const float *kv = tile.keep + c * kSparseTile;
      SLUICE_FMA_KEPT(0); SLUICE_FMA_KEPT(1); SLUICE_FMA_KEPT(2);
      SLUICE_FMA_KEPT(3); SLUICE_FMA_KEPT(4); SLUICE_FMA_KEPT(5);
      SLUICE_FMA_KEPT(6); SLUICE_FMA_KEPT(7);
    }
#undef SLUICE_FMA
#undef SLUICE_FMA_KEPT
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

} // namespace

void sluice::uk::sparseColumnsAvx2(const SparseTile &tile, int64_t j0,
                                   int64_t j1) {
  if (tile.tn == 1) {
    oneToken(tile, j0, j1);
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
}
