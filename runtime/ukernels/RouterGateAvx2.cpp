//===- RouterGateAvx2.cpp - sluice_uk_router_gate rows, AVX2 + FMA --------===//
//
// Compiled with -mavx2 -mfma; called only when sluice_uk_gemm's ISA choice
// allows AVX2 (RouterGate.cpp).
//
// A block of up to MB tokens at a time: the logits of the block, all E
// columns, are accumulated in a per-thread buffer acc[MB][E rounded up to
// 16] (24 KiB for E = 64: L1 / L2), K blocks of KC at a time. Per K block
// and 6-row register tile, the 6 x 16 kernel (12 ymm accumulators, 2 loads
// of w and 6 broadcasts of x per k) runs over every 16-wide panel of w, so
// the tile's x rows come from memory once per K block and from L1 for the
// other panels. x is read in place (with E = 64 a row of x meets only 4
// panels: packing it cost as much as the FMAs in sluice_uk_gemm); w comes
// packed into contiguous [K][16] panels by the caller (RouterGate.cpp) for
// calls of 48 tokens or more, else it is read in place (a panel's rows are
// 64-byte pieces 4 * E bytes apart) with only the last, zero-padded panel
// packed. One token streams w's rows in order instead (gemvRow). Then the
// gate runs on each token's logits while they are in cache and writes only
// weights[t, :k] and indices[t, :k].
//
//===----------------------------------------------------------------------===//

#include "runtime/ukernels/GemmPlan.h"

#include "RouterGateRow.inc"

#include <immintrin.h>
#include <stdlib.h>

namespace {

constexpr int W = 8;         // floats per ymm
constexpr int NR = 16;       // panel width
constexpr int MR = 6;        // register tile height
constexpr int64_t KC = 256;  // K block
constexpr int64_t MB = 96;   // tokens per block (multiple of MR)

/// acc[R][NR] (row stride ldacc) = (first ? 0 : acc) + x rows [R][kc]
/// (row stride lda) * w panel [kc][NR] (row stride ldb). With `pf`, the
/// same kc columns of the next tile's MR rows (row stride lda) are
/// prefetched meanwhile, one line per row every 16 k: x streams from
/// memory in short runs per row that the hardware prefetchers miss.
template <int R>
void kernel(const float *a, int64_t lda, const float *b, int64_t ldb,
            int64_t kc, float *acc, int64_t ldacc, bool first,
            const float *pf) {
  __m256 c0[R], c1[R];
  const float *ar[R];
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r) {
    ar[r] = a + r * lda;
    c0[r] = first ? _mm256_setzero_ps() : _mm256_loadu_ps(acc + r * ldacc);
    c1[r] = first ? _mm256_setzero_ps() : _mm256_loadu_ps(acc + r * ldacc + W);
  }
  int64_t k = 0;
  for (; k < kc;) {
    int64_t end = k + 16 < kc ? k + 16 : kc;
    if (pf) {
#pragma GCC unroll 8
      for (int r = 0; r < MR; ++r)
        _mm_prefetch(reinterpret_cast<const char *>(pf + r * lda + k),
                     _MM_HINT_T0);
    }
    for (; k < end; ++k) {
      __m256 b0 = _mm256_loadu_ps(b), b1 = _mm256_loadu_ps(b + W);
#pragma GCC unroll 8
      for (int r = 0; r < R; ++r) {
        __m256 av = _mm256_broadcast_ss(ar[r] + k);
        c0[r] = _mm256_fmadd_ps(av, b0, c0[r]);
        c1[r] = _mm256_fmadd_ps(av, b1, c1[r]);
      }
      b += ldb;
    }
  }
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r) {
    _mm256_storeu_ps(acc + r * ldacc, c0[r]);
    _mm256_storeu_ps(acc + r * ldacc + W, c1[r]);
  }
}

using KernelFn = void (*)(const float *, int64_t, const float *, int64_t,
                          int64_t, float *, int64_t, bool, const float *);
constexpr KernelFn kernels[MR] = {&kernel<1>, &kernel<2>, &kernel<3>,
                                  &kernel<4>, &kernel<5>, &kernel<6>};

/// acc[0, E) = x[0, K) . w (one token): w's rows stream in order, 64
/// columns (8 accumulators) at a time, then 32 columns with 8 accumulators
/// (even and odd k apart, added at the end: 4 chains of 2048 FMAs would
/// wait on the FMA latency), the last E % 32 columns 8 wide and scalar.
void gemvRow(const float *x, const float *w, int64_t ldw, int64_t K,
             int64_t E, float *acc) {
  int64_t c0 = 0;
  for (; c0 + 64 <= E; c0 += 64) {
    __m256 c[8];
#pragma GCC unroll 8
    for (int v = 0; v < 8; ++v)
      c[v] = _mm256_setzero_ps();
    const float *b = w + c0;
    for (int64_t k = 0; k < K; ++k, b += ldw) {
      __m256 a = _mm256_broadcast_ss(x + k);
#pragma GCC unroll 8
      for (int v = 0; v < 8; ++v)
        c[v] = _mm256_fmadd_ps(a, _mm256_loadu_ps(b + v * W), c[v]);
    }
#pragma GCC unroll 8
    for (int v = 0; v < 8; ++v)
      _mm256_storeu_ps(acc + c0 + v * W, c[v]);
  }
  for (; c0 + 32 <= E; c0 += 32) {
    __m256 c[8];
#pragma GCC unroll 8
    for (int v = 0; v < 8; ++v)
      c[v] = _mm256_setzero_ps();
    const float *b = w + c0;
    int64_t k = 0;
    for (; k + 2 <= K; k += 2, b += 2 * ldw) {
      __m256 a0 = _mm256_broadcast_ss(x + k), a1 = _mm256_broadcast_ss(x + k + 1);
#pragma GCC unroll 4
      for (int v = 0; v < 4; ++v) {
        c[v] = _mm256_fmadd_ps(a0, _mm256_loadu_ps(b + v * W), c[v]);
        c[4 + v] = _mm256_fmadd_ps(a1, _mm256_loadu_ps(b + ldw + v * W),
                                   c[4 + v]);
      }
    }
    if (k < K) {
      __m256 a0 = _mm256_broadcast_ss(x + k);
#pragma GCC unroll 4
      for (int v = 0; v < 4; ++v)
        c[v] = _mm256_fmadd_ps(a0, _mm256_loadu_ps(b + v * W), c[v]);
    }
#pragma GCC unroll 4
    for (int v = 0; v < 4; ++v)
      _mm256_storeu_ps(acc + c0 + v * W, _mm256_add_ps(c[v], c[4 + v]));
  }
  for (; c0 + W <= E; c0 += W) {
    __m256 c = _mm256_setzero_ps();
    for (int64_t k = 0; k < K; ++k)
      c = _mm256_fmadd_ps(_mm256_broadcast_ss(x + k),
                          _mm256_loadu_ps(w + k * ldw + c0), c);
    _mm256_storeu_ps(acc + c0, c);
  }
  for (; c0 < E; ++c0) {
    float sum = 0.0f;
    for (int64_t k = 0; k < K; ++k)
      sum += x[k] * w[k * ldw + c0];
    acc[c0] = sum;
  }
}

/// exp(x) for x in [-87.3, 88.3] (Cephes: range reduction by ln 2, degree-6
/// polynomial, relative error ~1e-7; the same as GemmKernels.inc's vexp).
/// Callers keep their arguments in that range (else the scalar path).
__m256 vexp(__m256 x) {
  __m256 n = _mm256_floor_ps(_mm256_fmadd_ps(
      x, _mm256_set1_ps(1.44269504088896341f), _mm256_set1_ps(0.5f)));
  x = _mm256_fmadd_ps(n, _mm256_set1_ps(-0.693359375f), x);
  x = _mm256_fmadd_ps(n, _mm256_set1_ps(2.12194440e-4f), x);
  __m256 y = _mm256_set1_ps(1.9875691500e-4f);
  y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(1.3981999507e-3f));
  y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(8.3334519073e-3f));
  y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(4.1665795894e-2f));
  y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(1.6666665459e-1f));
  y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(5.0000001201e-1f));
  y = _mm256_fmadd_ps(y, _mm256_mul_ps(x, x),
                      _mm256_add_ps(x, _mm256_set1_ps(1.0f)));
  __m256i i = _mm256_add_epi32(_mm256_cvttps_epi32(n), _mm256_set1_epi32(127));
  return _mm256_mul_ps(y, _mm256_castsi256_ps(_mm256_slli_epi32(i, 23)));
}

float hsum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

float hmax(__m256 v) {
  __m128 s = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_max_ps(s, _mm_movehl_ps(s, s));
  s = _mm_max_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

/// The scores of one row with vector exp where every argument is within
/// vexp's range and nothing is NaN or infinite; else the scalar formulas
/// (so NaN, infinities and underflow behave exactly as the lowering's).
void vectorScores(const GateParams &g, const float *z, float *s) {
  int64_t E = g.E;
  if (E % W != 0 || (g.score != SLUICE_UK_SCORE_SOFTMAX &&
                     g.score != SLUICE_UK_SCORE_SIGMOID))
    return scalarScores(g, z, s);
  const __m256 lo = _mm256_set1_ps(-87.0f), hi = _mm256_set1_ps(88.0f);
  if (g.score == SLUICE_UK_SCORE_SOFTMAX) {
    __m256 m = _mm256_loadu_ps(z);
    for (int64_t i = W; i < E; i += W)
      m = _mm256_max_ps(m, _mm256_loadu_ps(z + i));
    float mf = hmax(m);
    __m256 mv = _mm256_set1_ps(mf);
    // Every z - m must be in [-87, 0]: fails for NaN (unordered compares
    // are false), +-inf and very wide rows.
    __m256 okAll = _mm256_castsi256_ps(_mm256_set1_epi32(-1));
    for (int64_t i = 0; i < E; i += W) {
      __m256 d = _mm256_sub_ps(_mm256_loadu_ps(z + i), mv);
      okAll = _mm256_and_ps(okAll, _mm256_cmp_ps(d, lo, _CMP_GE_OQ));
    }
    if (_mm256_movemask_ps(okAll) != 0xff || !(mf - mf == 0.0f))
      return scalarScores(g, z, s);
    __m256 sum = _mm256_setzero_ps();
    for (int64_t i = 0; i < E; i += W) {
      __m256 x = vexp(_mm256_sub_ps(_mm256_loadu_ps(z + i), mv));
      _mm256_storeu_ps(s + i, x);
      sum = _mm256_add_ps(sum, x);
    }
    __m256 sv = _mm256_set1_ps(hsum(sum));
    for (int64_t i = 0; i < E; i += W)
      _mm256_storeu_ps(s + i, _mm256_div_ps(_mm256_loadu_ps(s + i), sv));
    return;
  }
  // sigmoid: 1 / (1 + exp(-z)) with -z in [-87, 88].
  __m256 okAll = _mm256_castsi256_ps(_mm256_set1_epi32(-1));
  const __m256 neg = _mm256_set1_ps(-0.0f);
  for (int64_t i = 0; i < E; i += W) {
    __m256 t = _mm256_xor_ps(_mm256_loadu_ps(z + i), neg);
    okAll = _mm256_and_ps(okAll, _mm256_and_ps(_mm256_cmp_ps(t, lo, _CMP_GE_OQ),
                                               _mm256_cmp_ps(t, hi, _CMP_LE_OQ)));
  }
  if (_mm256_movemask_ps(okAll) != 0xff)
    return scalarScores(g, z, s);
  const __m256 one = _mm256_set1_ps(1.0f);
  for (int64_t i = 0; i < E; i += W) {
    __m256 t = _mm256_xor_ps(_mm256_loadu_ps(z + i), neg);
    _mm256_storeu_ps(s + i, _mm256_div_ps(one, _mm256_add_ps(one, vexp(t))));
  }
}

/// The picks of one row in the common case, without the scalar pass over
/// every expert: no groups, k <= 8, 8 | E <= 256 and no NaN key (else
/// false: gateSelect does it). Every one of the k best keys is >= the
/// smallest of the 8 lane-wise maxima over the row's vectors (those are 8
/// distinct keys >= it), so only the keys >= that bound (typically k to 2k
/// of them) go through the exact integer selection of gateSelect.
bool fastSelect(const GateParams &g, const float *s, uint64_t *keys,
                int32_t *iout) {
  int64_t E = g.E, k = g.k;
  if (g.groups > 1 || k > 8 || E % W != 0 || E > 256)
    return false;
  alignas(32) float key[256];
  __m256 colMax = _mm256_set1_ps(-INFINITY), nan = _mm256_setzero_ps();
  for (int64_t i = 0; i < E; i += W) {
    __m256 v = _mm256_loadu_ps(s + i);
    if (g.bias)
      v = _mm256_add_ps(v, _mm256_loadu_ps(g.bias + i));
    _mm256_store_ps(key + i, v);
    nan = _mm256_or_ps(nan, _mm256_cmp_ps(v, v, _CMP_UNORD_Q));
    colMax = _mm256_max_ps(v, colMax);
  }
  if (_mm256_movemask_ps(nan))
    return false;
  __m128 h = _mm_min_ps(_mm256_castps256_ps128(colMax),
                        _mm256_extractf128_ps(colMax, 1));
  h = _mm_min_ps(h, _mm_movehl_ps(h, h));
  h = _mm_min_ss(h, _mm_movehdup_ps(h));
  __m256 bound = _mm256_set1_ps(_mm_cvtss_f32(h));
  int64_t n = 0;
  for (int64_t i = 0; i < E; i += W) {
    unsigned mask = static_cast<unsigned>(_mm256_movemask_ps(
        _mm256_cmp_ps(_mm256_load_ps(key + i), bound, _CMP_GE_OQ)));
    while (mask) {
      int64_t e = i + __builtin_ctz(mask);
      mask &= mask - 1;
      keys[n++] = selectionKey(key[e], e, true);
    }
  }
  uint64_t best[8];
  topKeys(keys, n, k, best);
  for (int64_t j = 0; j < k; ++j)
    iout[j] = static_cast<int32_t>(indexOfKey(best[j]));
  return true;
}

/// The gate of token t from its logits z (E floats, overwritten).
void finishRow(const sluice_uk_router_gate_args *p, const GateParams &g,
               float *z, float *gs, uint64_t *keys, int64_t t) {
  temper(g, z);
  vectorScores(g, z, gs);
  float *wout = p->weights + t * p->ld_weights;
  int32_t *iout = p->indices + t * p->ld_indices;
  if (fastSelect(g, gs, keys, iout))
    gateWeights(g, z, gs, iout, wout);
  else
    gateSelect(g, z, gs, keys, wout, iout);
}

} // namespace

void sluice::uk::routerGateLogitsAvx2(const sluice_uk_router_gate_args *p,
                                      int64_t t, int64_t k0, int64_t k1,
                                      float *z) {
  gemvRow(p->x + t * p->ldx + k0, p->w + k0 * p->ldw, p->ldw, k1 - k0, p->E,
          z);
}

bool sluice::uk::routerGateFinishAvx2(const sluice_uk_router_gate_args *p,
                                      int64_t t, float *z) {
  float *gs = scratch(1, static_cast<size_t>(gateScratchFloats(p->E)));
  if (!gs)
    return false;
  GateParams g = decodeGate(p);
  finishRow(p, g, z, gs, gateKeys(gs, p->E), t);
  return true;
}

void sluice::uk::routerGateRowsAvx2(const sluice_uk_router_gate_args *p,
                                    const float *tail, bool packed, int64_t r0,
                                    int64_t r1) {
  GateParams g = decodeGate(p);
  int64_t E = p->E, K = p->K;
  int64_t full = E / NR, panels = (E + NR - 1) / NR;
  int64_t ldacc = panels * NR;
  int64_t blockRows = r1 - r0 < MB ? r1 - r0 : MB;
  float *acc = scratch(0, static_cast<size_t>(blockRows * ldacc));
  float *gs = scratch(1, static_cast<size_t>(gateScratchFloats(E)));
  if (!acc || !gs) {
    // Out of memory for the scratch: the plain loops, one row at a time.
    float *buf = static_cast<float *>(
        malloc(sizeof(float) * (E + gateScratchFloats(E))));
    if (!buf)
      return;
    for (int64_t t = r0; t < r1; ++t) {
      float *z = buf, *s = buf + E;
      const float *x = p->x + t * p->ldx;
      for (int64_t e = 0; e < E; ++e) {
        float sum = 0.0f;
        for (int64_t kk = 0; kk < K; ++kk)
          sum += x[kk] * p->w[kk * p->ldw + e];
        z[e] = sum;
      }
      temper(g, z);
      scalarScores(g, z, s);
      gateSelect(g, z, s, gateKeys(s, E), p->weights + t * p->ld_weights,
                 p->indices + t * p->ld_indices);
    }
    free(buf);
    return;
  }
  uint64_t *keys = gateKeys(gs, E);
  for (int64_t m0 = r0; m0 < r1; m0 += MB) {
    int64_t mb = r1 - m0 < MB ? r1 - m0 : MB;
    const float *x0 = p->x + m0 * p->ldx;
    if (K == 0)
      for (int64_t i = 0; i < mb * ldacc; ++i)
        acc[i] = 0.0f;
    // One token (decode): stream w's rows in order, nothing packed.
    bool gemv = mb == 1 && !packed;
    if (gemv)
      gemvRow(x0, p->w, p->ldw, K, E, acc);
    for (int64_t k0 = 0; k0 < K && !gemv; k0 += KC) {
      int64_t kc = K - k0 < KC ? K - k0 : KC;
      bool first = k0 == 0;
      // Tile by tile, all panels of w per tile: the tile's x rows come from
      // memory once and from L1 for the other panels; w's K block (64 KiB
      // for E = 64, packed) stays in L2. (Measured against panel-major
      // order, against packing x and against K blocks of 64 / 128:
      // slower or no better here, docs/fusion.md.)
      for (int64_t r = 0; r < mb; r += MR) {
        int rows = static_cast<int>(mb - r < MR ? mb - r : MR);
        for (int64_t j = 0; j < panels; ++j) {
          const float *bp = packed     ? tail + (j * K + k0) * NR
                            : j < full ? p->w + k0 * p->ldw + j * NR
                                       : tail + k0 * NR;
          int64_t ldb = packed || j >= full ? NR : p->ldw;
          // Prefetch the next tile's x while the first panel runs (only
          // full next tiles: a short one may end at the last row of x).
          const float *pf = j == 0 && r + 2 * MR <= mb
                                ? x0 + (r + MR) * p->ldx + k0
                                : nullptr;
          kernels[rows - 1](x0 + r * p->ldx + k0, p->ldx, bp, ldb, kc,
                            acc + r * ldacc + j * NR, ldacc, first, pf);
        }
      }
    }
    for (int64_t r = 0; r < mb; ++r)
      finishRow(p, g, acc + r * ldacc, gs, keys, m0 + r);
  }
}
