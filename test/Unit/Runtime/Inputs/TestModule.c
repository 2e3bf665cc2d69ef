/*===- TestModule.c - a hand-written module for the runtime tests -*- C -*-===*\
|*                                                                            *|
|* Implements the compiled-module ABI of docs/abi.md by hand: MLIR           *|
|* C-interface wrappers `_mlir_ciface_<name>(Results *, Desc *...)`, the     *|
|* `sluice_signature` text and `sluice_abi_version`. Each function exercises *|
|* one rule of the ABI (multiple results, returned arguments, aliased        *|
|* results, strided and offset results, data-dependent sizes, run-time       *|
|* errors from the calling thread and from pool workers, no results, many    *|
|* arguments).                                                               *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Exported by the runtime, resolved when the module is loaded. */
void sluice_rt_error(const char *msg, int64_t v0, int64_t v1);
void sluice_rt_parallel_for(int64_t begin, int64_t end,
                            void (*body)(int64_t lo, int64_t hi, void *ctx),
                            void *ctx);

typedef struct {
  void *allocated;
  void *aligned;
  int64_t offset;
} Desc0;

typedef struct {
  void *allocated;
  void *aligned;
  int64_t offset;
  int64_t sizes[1];
  int64_t strides[1];
} Desc1;

typedef struct {
  void *allocated;
  void *aligned;
  int64_t offset;
  int64_t sizes[2];
  int64_t strides[2];
} Desc2;

const char sluice_signature[] = "sluice-module 1\n"
                                "func add 3 2\n"
                                "input x f32 2 T 4\n"
                                "input y f32 2 T 4\n"
                                "input bias f32 1 4 weight\n"
                                "output z f32 2 T 4\n"
                                "output count i64 0\n"
                                "func gather 2 1\n"
                                "input table f32 2 V 3 weight\n"
                                "input ids i32 1 N input range=0:8\n"
                                "output rows f32 2 N 3\n"
                                "func identity 1 1\n"
                                "input x i32 1 N\n"
                                "output y i32 1 N\n"
                                "func dup 1 2\n"
                                "input x f32 1 N\n"
                                "output a f32 1 N\n"
                                "output b f32 1 N\n"
                                "func transpose 1 1\n"
                                "input x f32 2 A B\n"
                                "output y f32 2 B A\n"
                                "func nonzero 1 1\n"
                                "input mask i1 1 N\n"
                                "output idx i32 1 K\n"
                                "func scale 1 1\n"
                                "input x f32 1 N\n"
                                "output y f32 1 N\n"
                                "func check 1 0\n"
                                "input x i32 1 N\n"
                                "func fail_empty 1 1\n"
                                "input x f32 1 N\n"
                                "output y f32 1 N\n"
                                "func bad_shape 1 1\n"
                                "input x f32 1 N\n"
                                "output y f32 1 4\n"
                                "func parallel_fail 1 1\n"
                                "input x f32 1 N\n"
                                "output y f32 1 N\n"
                                "func square 1 1\n"
                                "input x f32 2 S S\n"
                                "output y f32 2 S S\n"
                                "func sum70 70 1\n"
                                "input a0 f32 0\n"
                                "input a1 f32 0\n"
                                "input a2 f32 0\n"
                                "input a3 f32 0\n"
                                "input a4 f32 0\n"
                                "input a5 f32 0\n"
                                "input a6 f32 0\n"
                                "input a7 f32 0\n"
                                "input a8 f32 0\n"
                                "input a9 f32 0\n"
                                "input a10 f32 0\n"
                                "input a11 f32 0\n"
                                "input a12 f32 0\n"
                                "input a13 f32 0\n"
                                "input a14 f32 0\n"
                                "input a15 f32 0\n"
                                "input a16 f32 0\n"
                                "input a17 f32 0\n"
                                "input a18 f32 0\n"
                                "input a19 f32 0\n"
                                "input a20 f32 0\n"
                                "input a21 f32 0\n"
                                "input a22 f32 0\n"
                                "input a23 f32 0\n"
                                "input a24 f32 0\n"
                                "input a25 f32 0\n"
                                "input a26 f32 0\n"
                                "input a27 f32 0\n"
                                "input a28 f32 0\n"
                                "input a29 f32 0\n"
                                "input a30 f32 0\n"
                                "input a31 f32 0\n"
                                "input a32 f32 0\n"
                                "input a33 f32 0\n"
                                "input a34 f32 0\n"
                                "input a35 f32 0\n"
                                "input a36 f32 0\n"
                                "input a37 f32 0\n"
                                "input a38 f32 0\n"
                                "input a39 f32 0\n"
                                "input a40 f32 0\n"
                                "input a41 f32 0\n"
                                "input a42 f32 0\n"
                                "input a43 f32 0\n"
                                "input a44 f32 0\n"
                                "input a45 f32 0\n"
                                "input a46 f32 0\n"
                                "input a47 f32 0\n"
                                "input a48 f32 0\n"
                                "input a49 f32 0\n"
                                "input a50 f32 0\n"
                                "input a51 f32 0\n"
                                "input a52 f32 0\n"
                                "input a53 f32 0\n"
                                "input a54 f32 0\n"
                                "input a55 f32 0\n"
                                "input a56 f32 0\n"
                                "input a57 f32 0\n"
                                "input a58 f32 0\n"
                                "input a59 f32 0\n"
                                "input a60 f32 0\n"
                                "input a61 f32 0\n"
                                "input a62 f32 0\n"
                                "input a63 f32 0\n"
                                "input a64 f32 0\n"
                                "input a65 f32 0\n"
                                "input a66 f32 0\n"
                                "input a67 f32 0\n"
                                "input a68 f32 0\n"
                                "input a69 f32 0\n"
                                "output s f32 0\n"
                                "end\n";

int sluice_abi_version(void) { return 1; }

static float *allocFloats(int64_t n) {
  return (float *)malloc((size_t)(n > 0 ? n : 1) * sizeof(float));
}

static void fill1(Desc1 *d, void *buffer, int64_t offset, int64_t size) {
  d->allocated = buffer;
  d->aligned = buffer;
  d->offset = offset;
  d->sizes[0] = size;
  d->strides[0] = 1;
}

/* z = x + y + bias (broadcast over rows); count = T. */
struct AddResults {
  Desc2 z;
  Desc0 count;
};

void _mlir_ciface_add(struct AddResults *out, Desc2 *x, Desc2 *y, Desc1 *bias) {
  int64_t t = x->sizes[0];
  float *z = allocFloats(t * 4);
  const float *xs = (const float *)x->aligned + x->offset;
  const float *ys = (const float *)y->aligned + y->offset;
  const float *bs = (const float *)bias->aligned + bias->offset;
  for (int64_t i = 0; i < t; ++i)
    for (int64_t j = 0; j < 4; ++j)
      z[i * 4 + j] = xs[i * x->strides[0] + j * x->strides[1]] +
                     ys[i * y->strides[0] + j * y->strides[1]] +
                     bs[j * bias->strides[0]];
  out->z.allocated = z;
  out->z.aligned = z;
  out->z.offset = 0;
  out->z.sizes[0] = t;
  out->z.sizes[1] = 4;
  out->z.strides[0] = 4;
  out->z.strides[1] = 1;
  int64_t *count = (int64_t *)malloc(sizeof(int64_t));
  *count = t;
  out->count.allocated = count;
  out->count.aligned = count;
  out->count.offset = 0;
}

/* rows[i, :] = table[ids[i], :]; an id out of [0, V) is a run-time error
   reported after the output was allocated (the runtime must free it). */
void _mlir_ciface_gather(Desc2 *out, Desc2 *table, Desc1 *ids) {
  int64_t n = ids->sizes[0], v = table->sizes[0];
  float *rows = allocFloats(n * 3);
  const int32_t *is = (const int32_t *)ids->aligned + ids->offset;
  const float *ts = (const float *)table->aligned + table->offset;
  out->allocated = rows;
  out->aligned = rows;
  out->offset = 0;
  out->sizes[0] = n;
  out->sizes[1] = 3;
  out->strides[0] = 3;
  out->strides[1] = 1;
  for (int64_t i = 0; i < n; ++i) {
    int32_t id = is[i];
    if (id < 0 || id >= v) {
      char msg[128];
      snprintf(msg, sizeof msg,
               "sluice.gather: index %d of row %lld is out of range [0, %lld)",
               (int)id, (long long)i, (long long)v);
      sluice_rt_error(msg, 0, 0);
      return;
    }
    for (int64_t j = 0; j < 3; ++j)
      rows[i * 3 + j] = ts[id * 3 + j];
  }
}

/* Returns its argument unchanged: the result aliases the argument. */
void _mlir_ciface_identity(Desc1 *out, Desc1 *x) { *out = *x; }

/* Two results sharing one buffer: b aliases the earlier result a. */
struct DupResults {
  Desc1 a;
  Desc1 b;
};

void _mlir_ciface_dup(struct DupResults *out, Desc1 *x) {
  int64_t n = x->sizes[0];
  float *buffer = allocFloats(n);
  for (int64_t i = 0; i < n; ++i)
    buffer[i] = 2.0f * ((const float *)x->aligned)[x->offset + i];
  fill1(&out->a, buffer, 0, n);
  fill1(&out->b, buffer, 0, n);
}

/* A transposed view: sizes [B, A], strides [1, B] over a row-major copy. */
void _mlir_ciface_transpose(Desc2 *out, Desc2 *x) {
  int64_t a = x->sizes[0], b = x->sizes[1];
  float *buffer = allocFloats(a * b);
  memcpy(buffer, (const float *)x->aligned + x->offset,
         (size_t)(a * b) * sizeof(float));
  out->allocated = buffer;
  out->aligned = buffer;
  out->offset = 0;
  out->sizes[0] = b;
  out->sizes[1] = a;
  out->strides[0] = 1;
  out->strides[1] = b;
}

/* The positions of the nonzero mask entries: a data-dependent size K. The
   result starts at offset 1 of its buffer; K == 0 returns no buffer. */
void _mlir_ciface_nonzero(Desc1 *out, Desc1 *mask) {
  int64_t n = mask->sizes[0], k = 0;
  const uint8_t *ms = (const uint8_t *)mask->aligned + mask->offset;
  for (int64_t i = 0; i < n; ++i)
    k += ms[i] != 0;
  if (k == 0) {
    memset(out, 0, sizeof *out);
    out->strides[0] = 1;
    return;
  }
  int32_t *buffer = (int32_t *)malloc((size_t)(k + 1) * sizeof(int32_t));
  buffer[0] = -1;
  int64_t j = 1;
  for (int64_t i = 0; i < n; ++i)
    if (ms[i])
      buffer[j++] = (int32_t)i;
  fill1(out, buffer, 1, k);
}

struct ScaleCtx {
  const float *x;
  float *y;
};

static void scaleBody(int64_t lo, int64_t hi, void *ctx) {
  struct ScaleCtx *c = (struct ScaleCtx *)ctx;
  for (int64_t i = lo; i < hi; ++i)
    c->y[i] = 3.0f * c->x[i];
}

/* y = 3 x on the runtime's thread pool. */
void _mlir_ciface_scale(Desc1 *out, Desc1 *x) {
  int64_t n = x->sizes[0];
  float *y = allocFloats(n);
  struct ScaleCtx ctx = {(const float *)x->aligned + x->offset, y};
  sluice_rt_parallel_for(0, n, scaleBody, &ctx);
  fill1(out, y, 0, n);
}

/* No results: fails when an element is negative. */
void _mlir_ciface_check(Desc1 *x) {
  const int32_t *xs = (const int32_t *)x->aligned + x->offset;
  for (int64_t i = 0; i < x->sizes[0]; ++i)
    if (xs[i] < 0) {
      sluice_rt_error("check: negative element at {0}", 3, 0);
      return;
    }
}

/* Always fails and returns without touching its results. */
void _mlir_ciface_fail_empty(Desc1 *out, Desc1 *x) {
  (void)out;
  (void)x;
  sluice_rt_error("fail_empty: always fails", 0, 0);
}

/* A module bug: the static output size is 4, this returns N. */
void _mlir_ciface_bad_shape(Desc1 *out, Desc1 *x) {
  int64_t n = x->sizes[0];
  float *y = allocFloats(n);
  memcpy(y, (const float *)x->aligned + x->offset, (size_t)n * sizeof(float));
  fill1(out, y, 0, n);
}

static void failBody(int64_t lo, int64_t hi, void *ctx) {
  int64_t target = *(const int64_t *)ctx;
  if (lo <= target && target < hi) {
    char msg[96];
    snprintf(msg, sizeof msg, "parallel_fail: element %lld is bad",
             (long long)target);
    sluice_rt_error(msg, 0, 0);
  }
}

/* Reports an error from inside a parallel loop (possibly a worker). */
void _mlir_ciface_parallel_fail(Desc1 *out, Desc1 *x) {
  int64_t n = x->sizes[0];
  float *y = allocFloats(n);
  int64_t target = n - 1;
  sluice_rt_parallel_for(0, n, failBody, &target);
  fill1(out, y, 0, n);
}

/* y = x for a square matrix (a symbol used twice in one input). */
void _mlir_ciface_square(Desc2 *out, Desc2 *x) {
  int64_t s = x->sizes[0];
  float *y = allocFloats(s * s);
  memcpy(y, (const float *)x->aligned + x->offset, (size_t)(s * s) * 4);
  out->allocated = y;
  out->aligned = y;
  out->offset = 0;
  out->sizes[0] = s;
  out->sizes[1] = s;
  out->strides[0] = s;
  out->strides[1] = 1;
}

/* 70 scalar arguments (more than the runtime's exact-prototype table). */
void _mlir_ciface_sum70(
    Desc0 *out, Desc0 *a0, Desc0 *a1, Desc0 *a2, Desc0 *a3, Desc0 *a4,
    Desc0 *a5, Desc0 *a6, Desc0 *a7, Desc0 *a8, Desc0 *a9, Desc0 *a10,
    Desc0 *a11, Desc0 *a12, Desc0 *a13, Desc0 *a14, Desc0 *a15, Desc0 *a16,
    Desc0 *a17, Desc0 *a18, Desc0 *a19, Desc0 *a20, Desc0 *a21, Desc0 *a22,
    Desc0 *a23, Desc0 *a24, Desc0 *a25, Desc0 *a26, Desc0 *a27, Desc0 *a28,
    Desc0 *a29, Desc0 *a30, Desc0 *a31, Desc0 *a32, Desc0 *a33, Desc0 *a34,
    Desc0 *a35, Desc0 *a36, Desc0 *a37, Desc0 *a38, Desc0 *a39, Desc0 *a40,
    Desc0 *a41, Desc0 *a42, Desc0 *a43, Desc0 *a44, Desc0 *a45, Desc0 *a46,
    Desc0 *a47, Desc0 *a48, Desc0 *a49, Desc0 *a50, Desc0 *a51, Desc0 *a52,
    Desc0 *a53, Desc0 *a54, Desc0 *a55, Desc0 *a56, Desc0 *a57, Desc0 *a58,
    Desc0 *a59, Desc0 *a60, Desc0 *a61, Desc0 *a62, Desc0 *a63, Desc0 *a64,
    Desc0 *a65, Desc0 *a66, Desc0 *a67, Desc0 *a68, Desc0 *a69) {
  float s = 0;
  s += *(const float *)a0->aligned;
  s += *(const float *)a1->aligned;
  s += *(const float *)a2->aligned;
  s += *(const float *)a3->aligned;
  s += *(const float *)a4->aligned;
  s += *(const float *)a5->aligned;
  s += *(const float *)a6->aligned;
  s += *(const float *)a7->aligned;
  s += *(const float *)a8->aligned;
  s += *(const float *)a9->aligned;
  s += *(const float *)a10->aligned;
  s += *(const float *)a11->aligned;
  s += *(const float *)a12->aligned;
  s += *(const float *)a13->aligned;
  s += *(const float *)a14->aligned;
  s += *(const float *)a15->aligned;
  s += *(const float *)a16->aligned;
  s += *(const float *)a17->aligned;
  s += *(const float *)a18->aligned;
  s += *(const float *)a19->aligned;
  s += *(const float *)a20->aligned;
  s += *(const float *)a21->aligned;
  s += *(const float *)a22->aligned;
  s += *(const float *)a23->aligned;
  s += *(const float *)a24->aligned;
  s += *(const float *)a25->aligned;
  s += *(const float *)a26->aligned;
  s += *(const float *)a27->aligned;
  s += *(const float *)a28->aligned;
  s += *(const float *)a29->aligned;
  s += *(const float *)a30->aligned;
  s += *(const float *)a31->aligned;
  s += *(const float *)a32->aligned;
  s += *(const float *)a33->aligned;
  s += *(const float *)a34->aligned;
  s += *(const float *)a35->aligned;
  s += *(const float *)a36->aligned;
  s += *(const float *)a37->aligned;
  s += *(const float *)a38->aligned;
  s += *(const float *)a39->aligned;
  s += *(const float *)a40->aligned;
  s += *(const float *)a41->aligned;
  s += *(const float *)a42->aligned;
  s += *(const float *)a43->aligned;
  s += *(const float *)a44->aligned;
  s += *(const float *)a45->aligned;
  s += *(const float *)a46->aligned;
  s += *(const float *)a47->aligned;
  s += *(const float *)a48->aligned;
  s += *(const float *)a49->aligned;
  s += *(const float *)a50->aligned;
  s += *(const float *)a51->aligned;
  s += *(const float *)a52->aligned;
  s += *(const float *)a53->aligned;
  s += *(const float *)a54->aligned;
  s += *(const float *)a55->aligned;
  s += *(const float *)a56->aligned;
  s += *(const float *)a57->aligned;
  s += *(const float *)a58->aligned;
  s += *(const float *)a59->aligned;
  s += *(const float *)a60->aligned;
  s += *(const float *)a61->aligned;
  s += *(const float *)a62->aligned;
  s += *(const float *)a63->aligned;
  s += *(const float *)a64->aligned;
  s += *(const float *)a65->aligned;
  s += *(const float *)a66->aligned;
  s += *(const float *)a67->aligned;
  s += *(const float *)a68->aligned;
  s += *(const float *)a69->aligned;
  float *r = (float *)malloc(sizeof(float));
  *r = s;
  out->allocated = r;
  out->aligned = r;
  out->offset = 0;
}
