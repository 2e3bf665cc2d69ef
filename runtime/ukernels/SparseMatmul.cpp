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
/// `buf` holds at least N * 18 + N / 4 + 1 floats.
void listRows(const sluice_uk_sparse_matmul_args *p, int64_t t0, int64_t tn,
              float *buf, SparseTile &tile) {
  int64_t N = p->N;
  float *xg = buf;
  float *keep = buf + N * kSparseTile;
  auto *rows = reinterpret_cast<int32_t *>(buf + 2 * N * kSparseTile);
  auto *mask = reinterpret_cast<uint8_t *>(buf + 2 * N * kSparseTile + N);
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
      float *xv = xg + count * kSparseTile, *kv = keep + count * kSparseTile;
      for (int64_t r = 0; r < kSparseTile; ++r) {
        bool kept = r < tn && (m >> r & 1u);
        xv[r] = kept ? x[r * p->ldx + n] : 0.0f;
        kv[r] = kept ? -0.0f : 0.0f;
      }
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
  tile.keep = keep;
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
  int64_t j0 = lo * tile.colsPerItem, j1 = hi * tile.colsPerItem;
  if (j1 > M)
    j1 = M;
#if defined(__x86_64__)
  if (job->avx2) {
    sluice::uk::sparseColumnsAvx2(tile, j0, j1);
    return;
  }
#endif
  plainColumns(tile, j0, j1);
}

void run(const sluice_uk_sparse_matmul_args *p, bool avx2, bool useScratch) {
  int64_t T = p->T, N = p->N, M = p->M;
  size_t floats = static_cast<size_t>(N) * (2 * kSparseTile + 2) + 1;
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
    // Items of up to ~2048 columns (8 KiB of a row: the y columns of one
    // token stay in L1 while the rows stream), a multiple of the thread
    // count so each thread takes one contiguous column range; small tiles
    // (under ~256 K multiply-adds) stay on the calling thread.
    int64_t work = tile.count * tn * M;
    int64_t par = threads > 1 && work >= (int64_t(1) << 18) ? threads : 1;
    // 2-8 tokens: per 8 columns a strip costs ~9 ops per row every token
    // keeps and ~17 per other row (blends), the per-token loop ~3 per
    // (row, token) pair; the per-token loop streams whole rows (one item
    // per thread).
    tile.perToken = false;
    if (tn > 1) {
      const unsigned full = (1u << tn) - 1u;
      int64_t pairs = 0, partial = 0;
      for (int64_t c = 0; c < tile.count; ++c) {
        pairs += __builtin_popcount(tile.mask[c]);
        partial += tile.mask[c] != full;
      }
      tile.perToken =
          3 * pairs < 9 * (tile.count - partial) + 17 * partial;
    }
    int64_t items = tile.perToken ? 1 : (M + 2047) / 2048;
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
