//===- RouterGate.cpp - sluice_uk_router_gate -----------------------------===//
//
// Router GEMM + top-k gate in one pass (ukernels.h). Entry point: picks the
// AVX2 rows (RouterGateAvx2.cpp) when sluice_uk_gemm would use vector
// kernels, else the plain loops; cuts the tokens into blocks and runs them
// on the runtime's pool when the call is big enough to pay for the wake-up;
// one token with a big router splits K between the threads.
// Compiled without -m flags and without libstdc++ (see Gemm.cpp).
//
//===----------------------------------------------------------------------===//

#include "runtime/ukernels/GemmPlan.h"

#include "RouterGateRow.inc"

#include <stdlib.h>

static_assert(sizeof(sluice_uk_router_gate_args) ==
                  SLUICE_UK_ROUTER_GATE_FIELDS * 8,
              "compiled code fills sluice_uk_router_gate_args as int64 fields");

extern "C" {
void sluice_rt_parallel_for(int64_t begin, int64_t end,
                            void (*body)(int64_t, int64_t, void *), void *ctx);
__attribute__((weak)) int sluice_get_num_threads(void);
}

namespace {

/// Tokens [r0, r1) with plain loops: logits summed in ascending k, then the
/// scalar gate. `buf`: E floats of logits + a gate scratch block.
void plainRows(const sluice_uk_router_gate_args *p, const GateParams &g,
               int64_t r0, int64_t r1, float *buf) {
  int64_t E = p->E;
  float *z = buf, *s = buf + E;
  uint64_t *keys = gateKeys(s, E);
  for (int64_t t = r0; t < r1; ++t) {
    const float *x = p->x + t * p->ldx;
    for (int64_t e = 0; e < E; ++e) {
      float sum = 0.0f;
      for (int64_t kk = 0; kk < p->K; ++kk)
        sum += x[kk] * p->w[kk * p->ldw + e];
      z[e] = sum;
    }
    temper(g, z);
    scalarScores(g, z, s);
    gateSelect(g, z, s, keys, p->weights + t * p->ld_weights,
               p->indices + t * p->ld_indices);
  }
}

bool plainWithMalloc(const sluice_uk_router_gate_args *p, int64_t r0,
                     int64_t r1) {
  GateParams g = decodeGate(p);
  float *buf = static_cast<float *>(
      malloc(sizeof(float) * (p->E + gateScratchFloats(p->E))));
  if (!buf)
    return false;
  plainRows(p, g, r0, r1, buf);
  free(buf);
  return true;
}

/// Calls with at least this many tokens pack all of w (see below).
constexpr int64_t kPackMinRows = 48;

struct Job {
  const sluice_uk_router_gate_args *p;
  const float *tail;
  int64_t rowsPerItem;
};

void runJob(int64_t lo, int64_t hi, void *ctx) {
  auto *job = static_cast<Job *>(ctx);
  int64_t T = job->p->T;
  int64_t r0 = lo * job->rowsPerItem;
  int64_t r1 = hi * job->rowsPerItem;
  sluice::uk::routerGateRowsAvx2(job->p, job->tail, job->p->T >= kPackMinRows,
                                 r0, r1 < T ? r1 : T);
}

/// One-token calls with at least this many weights (K * E; 128 KiB of f32)
/// split K between the pool's threads (below), in parts of at least
/// kDecodeMinRows rows.
constexpr int64_t kDecodeSplitMinWeights = 32768;
constexpr int64_t kDecodeMinRows = 128;

struct DecodeJob {
  const sluice_uk_router_gate_args *p;
  float *z;
  int64_t ldz, rowsPerPart;
};

void runDecode(int64_t lo, int64_t hi, void *ctx) {
  auto *job = static_cast<DecodeJob *>(ctx);
  int64_t K = job->p->K;
  for (int64_t part = lo; part < hi; ++part) {
    int64_t k0 = part * job->rowsPerPart;
    int64_t k1 = K - k0 < job->rowsPerPart ? K : k0 + job->rowsPerPart;
    sluice::uk::routerGateLogitsAvx2(job->p, 0, k0, k1,
                                     job->z + part * job->ldz);
  }
}

} // namespace

extern "C" void
sluice_uk_router_gate_reference(const sluice_uk_router_gate_args *p) {
  if (p->T <= 0 || p->E <= 0)
    return;
  plainWithMalloc(p, 0, p->T);
}

extern "C" void sluice_uk_router_gate(const sluice_uk_router_gate_args *p) {
  int64_t T = p->T, E = p->E, K = p->K;
  if (T <= 0 || E <= 0)
    return;
#if defined(__x86_64__)
  if (!sluice::uk::avx2Allowed())
#endif
  {
    plainWithMalloc(p, 0, T);
    return;
  }
#if defined(__x86_64__)
  int threads = sluice_get_num_threads ? sluice_get_num_threads() : 1;
  // One token (decode) with a big router: w's rows in one contiguous part
  // per thread (K / 2 rows, 256 KiB, for d = 2048, E = 64 on 2 threads);
  // part i goes to the pool's thread i (the caller is 0) unless that thread
  // is late, so in steady state each thread streams the same part of w
  // from its own L2, where all of w (512 KiB) does not fit in one core's
  // L2. (Parts of columns instead, 32 each, ran at half the speed of the
  // same columns stored densely: the hardware prefetchers pull in the
  // neighbouring lines of the other half.) Each part writes its partial
  // logits; the caller adds them in part order and runs the gate.
  if (T == 1 && threads >= 2 && K >= 2 * kDecodeMinRows &&
      K * E >= kDecodeSplitMinWeights) {
    int64_t parts = threads < K / kDecodeMinRows ? threads : K / kDecodeMinRows;
    int64_t rows = (K + parts - 1) / parts;
    parts = (K + rows - 1) / rows;
    int64_t ldz = (E + 15) / 16 * 16; // parts on separate cache lines
    if (float *z = sluice::uk::scratch(0, static_cast<size_t>(parts * ldz))) {
      DecodeJob job{p, z, ldz, rows};
      sluice_rt_parallel_for(0, parts, &runDecode, &job);
      for (int64_t part = 1; part < parts; ++part)
        for (int64_t e = 0; e < E; ++e)
          z[e] += z[part * ldz + e];
      if (!sluice::uk::routerGateFinishAvx2(p, 0, z))
        plainWithMalloc(p, 0, T);
      return;
    }
  }
  // w as 16-wide panels, each [K][16] contiguous (the last zero-padded),
  // packed once per call by the calling thread and read by every worker:
  // a panel's K block then streams from L2 line after line (measured ~10%
  // faster than reading w in place at T = 4096). Calls of fewer than
  // kPackMinRows tokens read w in place and pack only the padded last
  // panel (if 16 does not divide E).
  const float *tail = nullptr;
  bool packAll = T >= kPackMinRows;
  int64_t panels = (E + 15) / 16, full = E / 16;
  if (K > 0 && (packAll || full < panels)) {
    int64_t first = packAll ? 0 : full;
    float *buf = sluice::uk::scratch(
        3, static_cast<size_t>((panels - first) * K * 16));
    if (!buf) {
      plainWithMalloc(p, 0, T);
      return;
    }
    for (int64_t j = first; j < panels; ++j) {
      float *dst = buf + (j - first) * K * 16;
      int64_t c0 = j * 16, cols = E - c0 < 16 ? E - c0 : 16;
      for (int64_t kk = 0; kk < K; ++kk) {
        const float *row = p->w + kk * p->ldw + c0;
        for (int64_t c = 0; c < 16; ++c)
          dst[kk * 16 + c] = c < cols ? row[c] : 0.0f;
      }
    }
    tail = buf;
  }
  // The pool's items are 6-row register tiles: it cuts them into up to 4
  // chunks per thread whose sizes differ by at most one tile, and each
  // chunk runs in token blocks of 96 rows (16 tiles share each B block)
  // plus a shorter last block. (Items of 96-row blocks left 43 items for
  // T = 4096: 23 + 20 on 2 threads with the pool's balanced chunks, 24 + 19
  // before; tiles give 342 + 341.) Calls under ~2 MFLOP (or under 12
  // tokens) run on the calling thread (the threshold is a guess).
  double flops = 2.0 * double(T) * double(E) * double(K);
  if (threads <= 1 || flops < 2e6 || T < 12) {
    sluice::uk::routerGateRowsAvx2(p, tail, packAll, 0, T);
    return;
  }
  const int64_t perItem = 6;
  Job job{p, tail, perItem};
  sluice_rt_parallel_for(0, (T + perItem - 1) / perItem, &runJob, &job);
#endif
}
