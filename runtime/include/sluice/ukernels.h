/*===- sluice/ukernels.h - CPU micro-kernels called by compiled code -------===*
 *
 * The CPU lowering turns the heavy loops of a model (GEMMs of the router,
 * experts, LoRA and dense layers) into calls of these kernels, as IREE does
 * with its ukernels. They are exported by libsluice_runtime.so (resolved
 * when a module loads) and embedded in `sluicec compile --emit=library`
 * archives. Plain C ABI, version 2 (docs/abi.md, "Micro-kernels"; version 2
 * appended the shared weight stack of sluice_uk_gemm_args).
 *
 *===----------------------------------------------------------------------===*/
#ifndef SLUICE_UKERNELS_H
#define SLUICE_UKERNELS_H

#include <stdint.h>

#ifndef SLUICE_UK_API
#define SLUICE_UK_API __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

/** Activations applied in the GEMM epilogue: the formulas of #sluice.act
 *  (codegen emitActivation), numbered apart from the enum's values. */
enum {
  SLUICE_UK_ACT_NONE = 0,
  SLUICE_UK_ACT_SILU = 1,      /* x * sigmoid(x) */
  SLUICE_UK_ACT_GELU = 2,      /* 0.5 x (1 + erf(x / sqrt 2)) */
  SLUICE_UK_ACT_GELU_TANH = 3, /* 0.5 x (1 + tanh(sqrt(2/pi)(x + 0.044715 x^3))) */
  SLUICE_UK_ACT_RELU = 4,      /* max(x, 0) */
  SLUICE_UK_ACT_SIGMOID = 5,   /* 1 / (1 + exp(-x)) */
};

/** One (grouped, gathered, scattered, fused) fp32 GEMM. All matrices are
 *  row-major with the given row strides (in elements). For every product
 *  row m in [0, M), with g the group whose [group_rows[g], group_rows[g+1])
 *  contains m (g = 0 when group_rows is null):
 *
 *    ra  = a_rows ? a_rows[m] : m            (ra < 0: the product row is 0)
 *    arow = A + (ra / a_div) * lda
 *    acc[n] = sum_k arow[k] * B_g[k, n]  + sum_i A2[m, i] * B3_g[i, n]
 *             + (bias ? bias[n] : 0)
 *    if b2: acc[n] = act(acc[n]) * (sum_k arow[k] * B2_g[k, n])   (GLU)
 *    else:  acc[n] = act(acc[n])
 *    rc  = c_rows ? c_rows[m] : m            (rc < 0: row m is dropped)
 *    s   = c_scale ? c_scale[rc] : 1
 *    C[rc / c_div, n]  (accumulate ? += : =)  s * acc[n]
 *
 *  with B_g = b + g * b_group_stride (K x N, row stride ldb), likewise B2_g
 *  and B3_g (k2 x N). With a shared stack (bs non-null; b3 null), groups
 *  g >= b_groups read it instead: j = g - b_groups,
 *    B_g  = bs  + (j / bs_split) * bs_group_stride  + (j % bs_split) * N
 *    B2_g = bs2 + (j / bs_split) * bs2_group_stride + (j % bs_split) * N
 *  with row strides ldbs / ldbs2 (bs_split >= 1 N-column chunks of one
 *  stacked matrix: MoE shared experts wider than the routed ones). k2 = 0 / a2 = null disables the A2*B3 term (a LoRA
 *  update: A2 holds scale * (x a) * gates). Rows of a group are
 *  contiguous in m; groups with no rows cost nothing. When accumulate is 0
 *  and c_rows is null, every row of C in [0, M) is written (rows with
 *  ra < 0 get 0). Several product rows may accumulate into the same C row
 *  (MoE combine): the kernel never writes one C element from two threads at
 *  once, and adds the contributions of a C element in ascending m.
 *  Threads: the kernel uses the runtime's pool (sluice_rt_parallel_for).
 *  Every field is 8 bytes wide (pointers and int64_t), so compiled code
 *  fills the struct as an array of SLUICE_UK_GEMM_FIELDS int64 values in
 *  declaration order. The caller has checked every index (gather, scatter,
 *  group bounds) against its tensor before the call. */
#define SLUICE_UK_GEMM_FIELDS 37
typedef struct sluice_uk_gemm_args {
  int64_t M, N, K;
  const int32_t *group_rows; /* [groups + 1], or null */
  int64_t groups;            /* >= 1 */
  const float *a;
  int64_t lda;
  const int32_t *a_rows; /* gather, or null */
  int64_t a_div;         /* >= 1 */
  const float *b;
  int64_t ldb, b_group_stride;
  const float *b2; /* GLU up projection, or null */
  int64_t ldb2, b2_group_stride;
  int64_t act; /* SLUICE_UK_ACT_* */
  int64_t accumulate;
  const float *bias; /* [N], or null */
  const float *a2;   /* [M, k2] (indexed by product row m), or null */
  int64_t lda2, k2;
  const float *b3; /* [k2, N] per group, or null */
  int64_t ldb3, b3_group_stride;
  float *c;
  int64_t ldc;
  const int32_t *c_rows; /* scatter, or null */
  int64_t c_div;         /* >= 1 */
  const float *c_scale;  /* indexed by rc, or null */
  /* Version 2: the shared weight stack (all 0 without one). */
  int64_t b_groups; /* groups [0, b_groups) read b / b2 */
  const float *bs;  /* groups >= b_groups, or null */
  int64_t ldbs, bs_group_stride, bs_split;
  const float *bs2; /* with b2 */
  int64_t ldbs2, bs2_group_stride;
} sluice_uk_gemm_args;

/** Computes the GEMM described by `args` (see above). */
SLUICE_UK_API void sluice_uk_gemm(const sluice_uk_gemm_args *args);

/** Prepacked weights (docs/abi.md, "Prepacked weights"). A B (and B2)
 *  operand of sluice_uk_gemm that lies entirely inside registered memory is
 *  packed into the kernel's blocked panel layout by the first call that
 *  uses it (group by group; see sluice_uk_weights_set_policy) and read from
 *  that copy by later calls. Contract:
 *  registered memory does not change unless sluice_uk_weights_changed is
 *  called for it afterwards (before the next sluice_uk_gemm that reads it),
 *  and it is unregistered before it is freed or reused. None of these may
 *  run while a sluice_uk_gemm call reads the range. The Sluice runtime
 *  registers the tensors bound to weight inputs and unregisters them when
 *  they are freed; sluice_tensor_contents_changed (sluice/runtime.h) calls
 *  sluice_uk_weights_changed. SLUICE_UK_PREPACK=0 turns the cache off
 *  (=1 / =2 / =3: the policies below; the environment wins over the call). */
SLUICE_UK_API void sluice_uk_weights_register(const void *data, int64_t bytes);
/** Forgets every registered range overlapping [data, data + bytes) and
 *  frees the packed copies made from it. */
SLUICE_UK_API void sluice_uk_weights_unregister(const void *data,
                                                int64_t bytes);
/** Marks the packed copies made from [data, data + bytes) stale: the next
 *  call that reads them packs them again. */
SLUICE_UK_API void sluice_uk_weights_changed(const void *data, int64_t bytes);
/** When a registered weight is packed: never (the per-call packing or
 *  streaming of an unregistered B), by the first call that reads it, from
 *  the second call on (the first runs as without the cache: for one-shot
 *  runs, which would pay for a copy they read once), or when it is bound
 *  (the default: sluice_uk_gemm_prepack, which the runtime calls for every
 *  GEMM the compiler listed in the module's signature once its weights are
 *  bound; calls then pack what was not packed ahead, as the first-call
 *  policy does). */
enum {
  SLUICE_UK_PREPACK_OFF = 0,
  SLUICE_UK_PREPACK_FIRST_CALL = 1,
  SLUICE_UK_PREPACK_SECOND_CALL = 2,
  SLUICE_UK_PREPACK_AT_BIND = 3
};
/** Sets the policy (one of the above; anything else is ignored). */
SLUICE_UK_API void sluice_uk_weights_set_policy(int policy);
/** The policy in force (SLUICE_UK_PREPACK, when set to 0 .. 3, wins). */
SLUICE_UK_API int sluice_uk_weights_policy(void);
/** Packs, ahead of any call, every group of the B (and B2, and shared
 *  stack) operands that a sluice_uk_gemm call with these fields would read
 *  from a packed copy: the fields the copy is keyed by (M, A, C and the
 *  other per-call operands are not read; group_rows only as "non-null":
 *  any non-null pointer for a grouped call). Only under the at-bind policy
 *  and for operands inside registered memory; returns 1 when the copies
 *  are ready, else 0 (nothing done). */
SLUICE_UK_API int sluice_uk_gemm_prepack(const sluice_uk_gemm_args *args);
/** Bytes of packed copies currently held (for tests and benchmarks). */
SLUICE_UK_API int64_t sluice_uk_weights_packed_bytes(void);

/** The plain loops of sluice_uk_gemm, single-threaded, for tests. */
SLUICE_UK_API void sluice_uk_gemm_reference(const sluice_uk_gemm_args *args);

/** Score functions and group scores of sluice_uk_router_gate (the values of
 *  the dialect's #sluice.score_func / #sluice.group_score enums). */
enum {
  SLUICE_UK_SCORE_SOFTMAX = 0,
  SLUICE_UK_SCORE_SIGMOID = 1,
  SLUICE_UK_SCORE_SOFTMAX_TOPK = 2,
  SLUICE_UK_SCORE_NONE = 3,
};
enum {
  SLUICE_UK_GROUP_MAX = 0,
  SLUICE_UK_GROUP_TOP2_SUM = 1,
};

/** Router GEMM + top-k gate in one pass (sluice.router_gate): for every
 *  token t in [0, T)
 *
 *    logits[e] = sum_k x[t, k] * w[k, e]          (e in [0, E), K = hidden)
 *    weights[t, :], indices[t, :] = topk_gate(logits, bias) with the
 *                                   attributes below (op spec, topk_gate)
 *
 *  The logits of a block of tokens live in a per-thread buffer only; no
 *  [T, E] tensor is written. scale_bits / temperature_bits hold the IEEE
 *  bits of the f32 attributes in their low 32 bits. 1 <= k <= E, groups
 *  divides E, and the other attribute rules of topk_gate hold (the
 *  verifier checked them). Threads: the runtime's pool. Every field is 8
 *  bytes wide (SLUICE_UK_ROUTER_GATE_FIELDS int64 values). */
#define SLUICE_UK_ROUTER_GATE_FIELDS 21
typedef struct sluice_uk_router_gate_args {
  int64_t T, E, K;
  const float *x; /* [T, K] */
  int64_t ldx;
  const float *w; /* [K, E] */
  int64_t ldw;
  const float *bias; /* [E] selection bias, or null */
  int64_t k, score, renormalize;
  int64_t scale_bits, temperature_bits;
  int64_t groups, topk_groups, group_score;
  float *weights; /* [T, k] */
  int64_t ld_weights;
  int32_t *indices; /* [T, k] */
  int64_t ld_indices;
  int64_t reserved; /* 0 */
} sluice_uk_router_gate_args;

/** Computes the fused router gate described by `args` (see above). */
SLUICE_UK_API void sluice_uk_router_gate(const sluice_uk_router_gate_args *args);

/** The same with plain loops (libm expf), single-threaded, for tests. */
SLUICE_UK_API void
sluice_uk_router_gate_reference(const sluice_uk_router_gate_args *args);

/** Sparse-input matrix product (sluice.sparse_matmul after selection): for
 *  every token t in [0, T) and column j in [0, M)
 *
 *    y[t, j] = sum over n in [0, N), ascending, with x[t, n] != 0
 *              of x[t, n] * w[n, j]
 *
 *  where x holds the kept inputs (sparsify's output: 0 where not kept; NaN
 *  counts as nonzero). Each step of the sum is one fused multiply-add
 *  (acc = fma(x, w, acc) from acc = +0), in ascending n. Rows of w whose
 *  inputs are 0 for every token of a tile of 8 tokens are never read; a
 *  row read for a tile counts only for the tokens that keep it (an Inf /
 *  NaN weight never meets a 0 input; tiles whose rows most tokens keep add
 *  0 * w for the others and recompute exactly where an output is not
 *  finite, so a zero sum may come out +0 for -0). The output columns are split
 *  between the runtime pool's threads: each thread reads its columns of
 *  every needed row once per tile. w's and y's last dims are contiguous.
 *  Every field is 8 bytes wide (SLUICE_UK_SPARSE_MATMUL_FIELDS int64). */
#define SLUICE_UK_SPARSE_MATMUL_FIELDS 10
typedef struct sluice_uk_sparse_matmul_args {
  int64_t T, N, M;
  const float *x; /* [T, N] kept inputs */
  int64_t ldx;
  const float *w; /* [N, M] */
  int64_t ldw;
  float *y; /* [T, M], written */
  int64_t ldy;
  int64_t reserved; /* 0 */
} sluice_uk_sparse_matmul_args;

/** Computes the sparse-input product described by `args` (see above). */
SLUICE_UK_API void
sluice_uk_sparse_matmul(const sluice_uk_sparse_matmul_args *args);

/** The same with plain loops, single-threaded, for tests. */
SLUICE_UK_API void
sluice_uk_sparse_matmul_reference(const sluice_uk_sparse_matmul_args *args);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* SLUICE_UKERNELS_H */
