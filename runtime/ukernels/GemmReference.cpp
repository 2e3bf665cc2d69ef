//===- GemmReference.cpp - the plain loops of sluice_uk_gemm --------------===//
//
// The definition of sluice_uk_gemm written as directly as possible: the
// oracle of the micro-kernel unit tests and the fallback of sluice_uk_gemm
// until a faster kernel handles a case.
//
//===----------------------------------------------------------------------===//

#include "sluice/ukernels.h"

#include <math.h>
#include <stdlib.h>

namespace {

float activate(int act, float x) {
  switch (act) {
  case SLUICE_UK_ACT_SILU:
    return x / (1.0f + expf(-x));
  case SLUICE_UK_ACT_GELU:
    return 0.5f * x * (1.0f + erff(x * 0.70710678118654752f));
  case SLUICE_UK_ACT_GELU_TANH:
    return 0.5f * x *
           (1.0f + tanhf(0.7978845608028654f * (x + 0.044715f * x * x * x)));
  case SLUICE_UK_ACT_RELU:
    return x > 0.0f ? x : 0.0f;
  case SLUICE_UK_ACT_SIGMOID:
    return 1.0f / (1.0f + expf(-x));
  default:
    return x;
  }
}

} // namespace

extern "C" void sluice_uk_gemm_reference(const sluice_uk_gemm_args *p) {
  // malloc, not std::vector: this object is also linked into C programs
  // (--emit=library archives).
  size_t n = p->N > 0 ? static_cast<size_t>(p->N) : 0;
  float *acc = static_cast<float *>(malloc(n * sizeof(float) + 1));
  if (!acc)
    return;
  int64_t g = 0;
  for (int64_t m = 0; m < p->M; ++m) {
    if (p->group_rows)
      while (g + 1 < p->groups && m >= p->group_rows[g + 1])
        ++g;
    int64_t ra = p->a_rows ? p->a_rows[m] : m;
    const float *arow = ra >= 0 ? p->a + (ra / p->a_div) * p->lda : nullptr;
    const float *bg = p->b ? p->b + g * p->b_group_stride : nullptr;
    const float *b2g = p->b2 ? p->b2 + g * p->b2_group_stride : nullptr;
    int64_t ldb = p->ldb, ldb2 = p->ldb2;
    if (p->bs && g >= p->b_groups) {
      // The shared stack (ABI version 2): chunk j % split of matrix j / split.
      int64_t j = g - p->b_groups, split = p->bs_split > 0 ? p->bs_split : 1;
      bg = p->bs + (j / split) * p->bs_group_stride + (j % split) * p->N;
      b2g = p->b2 ? p->bs2 + (j / split) * p->bs2_group_stride +
                        (j % split) * p->N
                  : nullptr;
      ldb = p->ldbs;
      ldb2 = p->ldbs2;
    }
    const float *b3g = p->b3 ? p->b3 + g * p->b3_group_stride : nullptr;
    for (int64_t n = 0; n < p->N; ++n) {
      float s = 0.0f, u = 0.0f;
      if (arow) {
        for (int64_t k = 0; k < p->K; ++k) {
          s += arow[k] * bg[k * ldb + n];
          if (b2g)
            u += arow[k] * b2g[k * ldb2 + n];
        }
        if (p->a2 && b3g)
          for (int64_t i = 0; i < p->k2; ++i)
            s += p->a2[m * p->lda2 + i] * b3g[i * p->ldb3 + n];
        if (p->bias)
          s += p->bias[n];
        s = activate(p->act, s);
        if (b2g)
          s *= u;
      }
      acc[n] = arow ? s : 0.0f;
    }
    int64_t rc = p->c_rows ? p->c_rows[m] : m;
    if (rc < 0)
      continue;
    float scale = p->c_scale ? p->c_scale[rc] : 1.0f;
    float *crow = p->c + (rc / p->c_div) * p->ldc;
    for (int64_t n = 0; n < p->N; ++n)
      crow[n] = p->accumulate ? crow[n] + scale * acc[n] : scale * acc[n];
  }
  free(acc);
}
