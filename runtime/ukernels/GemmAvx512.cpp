//===- GemmAvx512.cpp - sluice_uk_gemm work items with AVX-512F -----------===//
//
// Compiled with -mavx512f -mavx2 -mfma (runtime/CMakeLists.txt) and only
// called when the CPU has AVX-512F (Gemm.cpp). Register tile 12 x 32: 24 zmm
// accumulators, two B loads and twelve broadcasts per k.
//
//===----------------------------------------------------------------------===//

#include "runtime/ukernels/GemmPlan.h"

// GCC 12's AVX-512 headers trip -Wmaybe-uninitialized (_mm512_undefined_*).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#include <math.h>

namespace {
struct VO {
  using R = __m512;
  static constexpr int W = 16;
  static constexpr int MR = 12;
  static constexpr int64_t MB = 96;
  static R zero() { return _mm512_setzero_ps(); }
  static R load(const float *p) { return _mm512_loadu_ps(p); }
  static void store(float *p, R v) { _mm512_storeu_ps(p, v); }
  static R bcast(const float *p) { return _mm512_set1_ps(*p); }
  static R fma(R a, R b, R c) { return _mm512_fmadd_ps(a, b, c); }
  static R set1(float x) { return _mm512_set1_ps(x); }
  /// Keeps v in registers (an FMA then cannot reload it from memory).
  static void pin(R &v) { __asm__("" : "+v"(v)); }
  static R add(R a, R b) { return _mm512_add_ps(a, b); }
  static R mul(R a, R b) { return _mm512_mul_ps(a, b); }
  static R div(R a, R b) { return _mm512_div_ps(a, b); }
  static R max(R a, R b) { return _mm512_max_ps(a, b); } // b if NaN
  static R min(R a, R b) { return _mm512_min_ps(a, b); }
  static R floor(R x) {
    return _mm512_roundscale_ps(x, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
  }
  /// 2^n for integral n in [-126, 127].
  static R pow2(R n) {
    __m512i i =
        _mm512_add_epi32(_mm512_cvttps_epi32(n), _mm512_set1_epi32(127));
    return _mm512_castsi512_ps(_mm512_slli_epi32(i, 23));
  }
  static void prefetch(const float *p) {
    _mm_prefetch(reinterpret_cast<const char *>(p), _MM_HINT_T0);
  }
};
} // namespace

#include "GemmKernels.inc"

void sluice::uk::gemmItemsAvx512(const GemmPlan &plan, int64_t lo, int64_t hi) {
  runItems(plan, lo, hi);
}

void sluice::uk::packGroupAvx512(const sluice_uk_gemm_args *p, int64_t g,
                                 float *dst) {
  packGroup(p, g, dst);
}
