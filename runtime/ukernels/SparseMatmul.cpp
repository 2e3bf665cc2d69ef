//===- SparseMatmul.cpp - sluice_uk_sparse_matmul -------------------------===//
//
// Sparse-input matrix product (ukernels.h). Per tile of up to 8 tokens the
// calling thread lists the rows of w that any token keeps (ascending, with
// per-token keep bits and values); the output columns are then cut into
// items of up to ~2048 columns, run on the runtime's pool, each item
// streaming its columns of every listed row once. With AVX2 + FMA the
// column loops are SparseMatmulAvx2.cpp; otherwise the plain loops below
// (same order, same fused multiply-adds). Compiled without -m flags and
// without libstdc++ (see Gemm.cpp).
//
//===----------------------------------------------------------------------===//

#include "runtime/ukernels/SparseMatmul.h"
#include "runtime/ukernels/GemmPlan.h"

#include <stdlib.h>
#include <string.h>

static_assert(sizeof(sluice_uk_sparse_matmul_args) ==
                  SLUICE_UK_SPARSE_MATMUL_FIELDS * 8,
              "compiled code fills sluice_uk_sparse_matmul_args as int64 "
              "fields");

extern "C" {
void sluice_rt_parallel_for(int64_t begin, int64_t end,
                            void (*body)(int64_t, int64_t, void *), void *ctx);
__attribute__((weak)) int sluice_get_num_threads(void);
}

using sluice::uk::kSparseTile;
using sluice::uk::SparseTile;

namespace {

/// The row list of tokens [t0, t0 + tn) into `buf` (see SparseTile).
/// `buf` holds at least N * 10 + N / 4 + 1 floats.
void listRows(const sluice_uk_sparse_matmul_args *p, int64_t t0, int64_t tn,
              float *buf, SparseTile &tile) {
  int64_t N = p->N;
  float *xg = buf;
  auto *rows = reinterpret_cast<int32_t *>(buf + N * kSparseTile);
  auto *mask = reinterpret_cast<uint8_t *>(buf + N * kSparseTile + N);
  const float *x = p->x + t0 * p->ldx;
  int64_t count = 0;
  if (tn == 1) {
    for (int64_t n = 0; n < N; ++n) {
      float v = x[n];
      if (v != 0.0f) { // NaN too
        rows[count] = static_cast<int32_t>(n);
        mask[count] = 1;
        xg[count++] = v;
      }
    }
  } else {
    for (int64_t n = 0; n < N; ++n) {
      unsigned m = 0;
      for (int64_t r = 0; r < tn; ++r)
        if (x[r * p->ldx + n] != 0.0f)
          m |= 1u << r;
      if (!m)
        continue;
      float *xv = xg + count * kSparseTile;
      for (int64_t r = 0; r < kSparseTile; ++r)
        xv[r] = r < tn && (m >> r & 1u) ? x[r * p->ldx + n] : 0.0f;
      rows[count] = static_cast<int32_t>(n);
      mask[count++] = static_cast<uint8_t>(m);
    }
  }
  tile.p = p;
  tile.t0 = t0;
  tile.tn = tn;
  tile.count = count;
  tile.rows = rows;
  tile.mask = mask;
  tile.xg = xg;
}

/// Columns [j0, j1) of the tile with plain loops (fused multiply-adds in
/// ascending row order, only for the tokens that keep a row).
void plainColumns(const SparseTile &tile, int64_t j0, int64_t j1) {
  const sluice_uk_sparse_matmul_args *p = tile.p;
  int64_t stride = tile.tn == 1 ? 1 : kSparseTile;
  for (int64_t r = 0; r < tile.tn; ++r) {
    float *y = p->y + (tile.t0 + r) * p->ldy;
    for (int64_t j = j0; j < j1; ++j)
      y[j] = 0.0f;
    for (int64_t c = 0; c < tile.count; ++c) {
      if (!(tile.mask[c] >> r & 1u))
        continue;
      float xv = tile.xg[c * stride + (stride == 1 ? 0 : r)];
      const float *w = p->w + int64_t(tile.rows[c]) * p->ldw;
      for (int64_t j = j0; j < j1; ++j)
        y[j] = __builtin_fmaf(xv, w[j], y[j]);
    }
  }
}

struct Job {
  const SparseTile *tile;
  bool avx2;
};

void runJob(int64_t lo, int64_t hi, void *ctx) {
  auto *job = static_cast<Job *>(ctx);
  const SparseTile &tile = *job->tile;
  int64_t M = tile.p->M;
  for (int64_t it = lo; it < hi; ++it) {
    int64_t j0 = it * tile.colsPerItem, j1 = j0 + tile.colsPerItem;
    if (j1 > M)
      j1 = M;
#if defined(__x86_64__)
    if (job->avx2) {
      sluice::uk::sparseColumnsAvx2(tile, j0, j1);
      continue;
    }
#endif
    plainColumns(tile, j0, j1);
  }
}

void run(const sluice_uk_sparse_matmul_args *p, bool avx2, bool useScratch) {
  int64_t T = p->T, N = p->N, M = p->M;
  size_t floats = static_cast<size_t>(N) * (kSparseTile + 2) + 1;
  float *buf = nullptr;
  if (N < (int64_t(1) << 31)) // row indices are int32
    buf = useScratch ? sluice::uk::scratch(3, floats)
                     : static_cast<float *>(malloc(floats * 4));
  if (!buf) {
    // No memory for the row list: every row, plain loops (same results).
    for (int64_t t = 0; t < T; ++t) {
      float *y = p->y + t * p->ldy;
      for (int64_t j = 0; j < M; ++j)
        y[j] = 0.0f;
      for (int64_t n = 0; n < N; ++n) {
        float xv = p->x[t * p->ldx + n];
        if (xv != 0.0f)
          for (int64_t j = 0; j < M; ++j)
            y[j] = __builtin_fmaf(xv, p->w[n * p->ldw + j], y[j]);
      }
    }
    return;
  }
  int threads = useScratch && sluice_get_num_threads ? sluice_get_num_threads()
                                                     : 1;
  if (threads < 1)
    threads = 1;
  for (int64_t t0 = 0; t0 < T; t0 += kSparseTile) {
    int64_t tn = T - t0 < kSparseTile ? T - t0 : kSparseTile;
    SparseTile tile;
    listRows(p, t0, tn, buf, tile);
    // Small tiles (under ~256 K multiply-adds) stay on the calling thread.
    int64_t work = tile.count * tn * M;
    int64_t par = threads > 1 && work >= (int64_t(1) << 18) ? threads : 1;
    // 2-8 tokens: the 8-token strips cost ~9 ops per listed row and 8
    // columns whoever keeps it (x = 0 for the others), the per-token loop
    // ~3 per (row, token) pair: per-token where rows are kept by fewer than
    // 3 of the tile's tokens on average (sparse inputs).
    tile.perToken = false;
    if (tn > 1) {
      int64_t pairs = 0;
      for (int64_t c = 0; c < tile.count; ++c)
        pairs += __builtin_popcount(tile.mask[c]);
      tile.perToken = pairs < 3 * tile.count;
    }
    // Items: one token streams up to 8192 columns of 8 rows at a time (y in
    // L1 / L2), so one item per thread, each a contiguous column range (long
    // runs of every row); the per-token loop likewise; the strips take
    // items of ~2048 columns. Items are a multiple of the thread count.
    int64_t maxCols = tn == 1 ? 8192 : tile.perToken ? M : 2048;
    int64_t items = (M + maxCols - 1) / maxCols;
    items = (items + par - 1) / par * par;
    int64_t cols = (M + items - 1) / items;
    cols = (cols + 15) / 16 * 16;
    tile.colsPerItem = cols;
    items = (M + cols - 1) / cols;
    Job job{&tile, avx2};
    if (par > 1)
      sluice_rt_parallel_for(0, items, &runJob, &job);
    else
      runJob(0, items, &job);
  }
  if (!useScratch)
    free(buf);
}

bool valid(const sluice_uk_sparse_matmul_args *p) {
  return p->T > 0 && p->M > 0 && p->N >= 0;
}

} // namespace

extern "C" void
sluice_uk_sparse_matmul_reference(const sluice_uk_sparse_matmul_args *p) {
  if (!valid(p))
    return;
  run(p, /*avx2=*/false, /*useScratch=*/false);
}

extern "C" void sluice_uk_sparse_matmul(const sluice_uk_sparse_matmul_args *p) {
  if (!valid(p))
    return;
#if defined(__x86_64__)
  run(p, sluice::uk::avx2Allowed(), /*useScratch=*/true);
#else
  run(p, false, true);
#endif
}
