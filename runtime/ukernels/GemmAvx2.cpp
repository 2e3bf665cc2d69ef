//===- GemmAvx2.cpp - sluice_uk_gemm work items with AVX2 + FMA -----------===//
//
// Compiled with -mavx2 -mfma (runtime/CMakeLists.txt) and only called when
// the CPU has both (Gemm.cpp). Register tile 6 x 16: 12 ymm accumulators,
// two B loads and six broadcasts per k.
//
//===----------------------------------------------------------------------===//

#include "runtime/ukernels/GemmPlan.h"

#include <immintrin.h>
#include <math.h>

namespace {
struct VO {
  using R = __m256;
  static constexpr int W = 8;
  static constexpr int MR = 6;
  static constexpr int64_t MB = 96;
  static R zero() { return _mm256_setzero_ps(); }
  static R load(const float *p) { return _mm256_loadu_ps(p); }
  static void store(float *p, R v) { _mm256_storeu_ps(p, v); }
  static R bcast(const float *p) { return _mm256_broadcast_ss(p); }
  static R fma(R a, R b, R c) { return _mm256_fmadd_ps(a, b, c); }
  static R set1(float x) { return _mm256_set1_ps(x); }
  /// Keeps v in registers (an FMA then cannot reload it from memory).
  static void pin(R &v) { __asm__("" : "+x"(v)); }
  static R add(R a, R b) { return _mm256_add_ps(a, b); }
  static R mul(R a, R b) { return _mm256_mul_ps(a, b); }
  static R div(R a, R b) { return _mm256_div_ps(a, b); }
  static R max(R a, R b) { return _mm256_max_ps(a, b); } // b if NaN
  static R min(R a, R b) { return _mm256_min_ps(a, b); }
  static R floor(R x) { return _mm256_floor_ps(x); }
  /// 2^n for integral n in [-126, 127].
  static R pow2(R n) {
    __m256i i =
        _mm256_add_epi32(_mm256_cvttps_epi32(n), _mm256_set1_epi32(127));
    return _mm256_castsi256_ps(_mm256_slli_epi32(i, 23));
  }
  static void prefetch(const float *p) {
    _mm_prefetch(reinterpret_cast<const char *>(p), _MM_HINT_T0);
  }
};
} // namespace

#include "GemmKernels.inc"

void sluice::uk::gemmItemsAvx2(const GemmPlan &plan, int64_t lo, int64_t hi) {
  runItems(plan, lo, hi);
}

void sluice::uk::packGroupAvx2(const sluice_uk_gemm_args *p, int64_t g,
                                 float *dst) {
  packGroup(p, g, dst);
}
