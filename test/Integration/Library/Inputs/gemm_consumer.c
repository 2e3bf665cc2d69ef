/* A C program linking a Sluice library whose model calls sluice_uk_gemm:
 * the micro-kernels come from the archive itself (no Sluice runtime). The
 * result is checked against plain double-precision loops. */
#include "gemm_model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

int main(void) {
  enum { T = 23, K = 40, N = 50 };
  static float x[T * K], w[K * N], bias[N];
  for (int i = 0; i < T * K; ++i)
    x[i] = (float)((i * 37 % 101) - 50) / 50.0f;
  for (int i = 0; i < K * N; ++i)
    w[i] = (float)((i * 53 % 97) - 48) / 96.0f;
  for (int i = 0; i < N; ++i)
    bias[i] = (float)(i % 7 - 3) / 4.0f;
  sluice_buffer_t bx = {x, 2, {T, K}}, bw = {w, 2, {K, N}}, bb = {bias, 1, {N}};
  sluice_buffer_t y;
  int rc = gemm_model_dense(&bx, &bw, &bb, &y);
  if (rc != 0) {
    printf("FAILED: dense returned %d: %s\n", rc, gemm_model_last_error());
    return 1;
  }
  int failures = 0;
  const float *yv = (const float *)y.data;
  for (int t = 0; t < T; ++t)
    for (int n = 0; n < N; ++n) {
      double s = bias[n];
      for (int k = 0; k < K; ++k)
        s += (double)x[t * K + k] * w[k * N + n];
      double want = s / (1.0 + exp(-s));
      if (fabs(yv[t * N + n] - want) > 1e-5 * (1.0 + fabs(want)) && failures++ < 5)
        printf("FAILED: y[%d][%d] = %g, want %g\n", t, n, yv[t * N + n], want);
    }
  free(y.data);
  printf("%s (%d failures)\n", failures ? "FAILED" : "PASSED", failures);
  return failures != 0;
}
