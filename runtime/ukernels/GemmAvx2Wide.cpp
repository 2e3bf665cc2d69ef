//===- GemmAvx2Wide.cpp - the AVX-512 kernels' shapes on AVX2 (tests) -----===//
//
// GemmKernels.inc instantiated with 16-float "vectors" made of two ymm
// registers and the AVX-512 register tile (12 x 32): the code paths of
// GemmAvx512.cpp (panel widths, tile heights, tails) exercised on machines
// without AVX-512. Slow (the tile spills); only chosen with
// SLUICE_UK_ISA=avx2-wide, which the unit tests set in one of their runs.
//
//===----------------------------------------------------------------------===//

#include "runtime/ukernels/GemmPlan.h"

#include <immintrin.h>
#include <math.h>

namespace {
struct VO {
  struct R {
    __m256 lo, hi;
  };
  static constexpr int W = 16;
  static constexpr int MR = 12;
  static constexpr int64_t MB = 96;
  static R both(__m256 lo, __m256 hi) { return R{lo, hi}; }
  static R zero() { return both(_mm256_setzero_ps(), _mm256_setzero_ps()); }
  static R load(const float *p) {
    return both(_mm256_loadu_ps(p), _mm256_loadu_ps(p + 8));
  }
  static void store(float *p, R v) {
    _mm256_storeu_ps(p, v.lo);
    _mm256_storeu_ps(p + 8, v.hi);
  }
  static R bcast(const float *p) { return set1(*p); }
  static R fma(R a, R b, R c) {
    return both(_mm256_fmadd_ps(a.lo, b.lo, c.lo),
                _mm256_fmadd_ps(a.hi, b.hi, c.hi));
  }
  static R set1(float x) { return both(_mm256_set1_ps(x), _mm256_set1_ps(x)); }
  /// Keeps v in registers (an FMA then cannot reload it from memory).
  static void pin(R &v) { __asm__("" : "+x"(v.lo), "+x"(v.hi)); }
  static R add(R a, R b) {
    return both(_mm256_add_ps(a.lo, b.lo), _mm256_add_ps(a.hi, b.hi));
  }
  static R mul(R a, R b) {
    return both(_mm256_mul_ps(a.lo, b.lo), _mm256_mul_ps(a.hi, b.hi));
  }
  static R div(R a, R b) {
    return both(_mm256_div_ps(a.lo, b.lo), _mm256_div_ps(a.hi, b.hi));
  }
  static R max(R a, R b) {
    return both(_mm256_max_ps(a.lo, b.lo), _mm256_max_ps(a.hi, b.hi));
  }
  static R min(R a, R b) {
    return both(_mm256_min_ps(a.lo, b.lo), _mm256_min_ps(a.hi, b.hi));
  }
  static R floor(R x) {
    return both(_mm256_floor_ps(x.lo), _mm256_floor_ps(x.hi));
  }
  static __m256 pow2Half(__m256 n) {
    __m256i i =
        _mm256_add_epi32(_mm256_cvttps_epi32(n), _mm256_set1_epi32(127));
    return _mm256_castsi256_ps(_mm256_slli_epi32(i, 23));
  }
  static R pow2(R n) { return both(pow2Half(n.lo), pow2Half(n.hi)); }
  static void prefetch(const float *p) {
    _mm_prefetch(reinterpret_cast<const char *>(p), _MM_HINT_T0);
  }
};
} // namespace

#include "GemmKernels.inc"

void sluice::uk::gemmItemsAvx2Wide(const GemmPlan &plan, int64_t lo,
                                   int64_t hi) {
  runItems(plan, lo, hi);
}

void sluice::uk::packGroupAvx2Wide(const sluice_uk_gemm_args *p, int64_t g,
                                 float *dst) {
  packGroup(p, g, dst);
}
