//===- GemmAvx512.cpp - sluice_uk_gemm work items with AVX-512F -----------===//
//
// Compiled with -mavx512f -mavx2 -mfma (runtime/CMakeLists.txt) and only
// called when the CPU has AVX-512F (Gemm.cpp). Register tile 12 x 32: 24 zmm
// accumulators, two B loads and twelve broadcasts per k.
//
//===----------------------------------------------------------------------===//

#include "runtime/ukernels/GemmPlan.h"

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
  static void prefetch(const float *p) {
    _mm_prefetch(reinterpret_cast<const char *>(p), _MM_HINT_T0);
  }
};
} // namespace

#include "GemmKernels.inc"

void sluice::uk::gemmItemsAvx512(const GemmPlan &plan, int64_t lo, int64_t hi) {
  runItems(plan, lo, hi);
}
