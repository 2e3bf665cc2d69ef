/*===- GemmModule.c - a hand-written module calling sluice_uk_gemm -*- C -*-===*\
|*                                                                            *|
|* One function, `grouped`: y = x w[g] for the rows of group g (the T rows   *|
|* cut in three: [0, T/3), [T/3, 2T/3), [2T/3, T)), through the runtime's    *|
|* sluice_uk_gemm, as compiled MoE code calls it. `w` is a weight input, so  *|
|* the runtime registers it and the kernel packs it once (docs/abi.md,       *|
|* "Prepacked weights"): PrepackTest.cpp checks that a changed weight        *|
|* announced with sluice_tensor_contents_changed changes the output.         *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#include "sluice/ukernels.h"

#include <stdint.h>
#include <stdlib.h>

typedef struct {
  void *allocated;
  void *aligned;
  int64_t offset;
  int64_t sizes[2];
  int64_t strides[2];
} Desc2;

typedef struct {
  void *allocated;
  void *aligned;
  int64_t offset;
  int64_t sizes[3];
  int64_t strides[3];
} Desc3;

const char sluice_signature[] = "sluice-module 1\n"
                                "func grouped 2 1\n"
                                "input x f32 2 T 300\n"
                                "input w f32 3 3 300 40 weight\n"
                                "output y f32 2 T 40\n"
                                /* The call below on w, for packing at bind
                                   (docs/abi.md, "Prepacked weights"). */
                                "prepack 300 40 3 b=1:0:40:12000\n"
                                "end\n";

int sluice_abi_version(void) { return 1; }

void _mlir_ciface_grouped(Desc2 *out, Desc2 *x, Desc3 *w) {
  int64_t t = x->sizes[0], k = 300, n = 40;
  float *y = (float *)malloc((size_t)(t > 0 ? t * n : 1) * sizeof(float));
  int32_t rows[4] = {0, (int32_t)(t / 3), (int32_t)(2 * t / 3), (int32_t)t};
  sluice_uk_gemm_args p = {0};
  p.M = t;
  p.N = n;
  p.K = k;
  p.group_rows = rows;
  p.groups = 3;
  p.a = (const float *)x->aligned + x->offset;
  p.lda = x->strides[0];
  p.a_div = 1;
  p.b = (const float *)w->aligned + w->offset;
  p.ldb = w->strides[1];
  p.b_group_stride = w->strides[0];
  p.c = y;
  p.ldc = n;
  p.c_div = 1;
  sluice_uk_gemm(&p);
  out->allocated = y;
  out->aligned = y;
  out->offset = 0;
  out->sizes[0] = t;
  out->sizes[1] = n;
  out->strides[0] = n;
  out->strides[1] = 1;
}
