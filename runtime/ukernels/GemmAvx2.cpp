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
  static void prefetch(const float *p) {
    _mm_prefetch(reinterpret_cast<const char *>(p), _MM_HINT_T0);
  }
};
} // namespace

#include "GemmKernels.inc"

void sluice::uk::gemmItemsAvx2(const GemmPlan &plan, int64_t lo, int64_t hi) {
  runItems(plan, lo, hi);
}
