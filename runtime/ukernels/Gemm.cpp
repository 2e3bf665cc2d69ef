//===- Gemm.cpp - sluice_uk_gemm ------------------------------------------===//
//
// Entry point of the GEMM micro-kernel: picks the instruction set once
// (AVX-512F, else AVX2 + FMA, else the reference loops; SLUICE_UK_ISA =
// avx2 | scalar lowers the choice; avx2-wide runs the AVX-512 kernels'
// shapes with AVX2 code, for tests), cuts the call into work items
// (GemmPlan.h) and runs them on the runtime's pool. Compiled without any
// -m flag: it must run on every x86-64. The micro-kernels are also archive
// members of `sluicec --emit=library` outputs linked by C programs: no
// libstdc++ here (no std containers, guarded statics or thread_local
// destructors), only libc, pthreads and libgcc's CPU model.
//
//===----------------------------------------------------------------------===//

#include "runtime/ukernels/GemmPlan.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static_assert(sizeof(sluice_uk_gemm_args) == SLUICE_UK_GEMM_FIELDS * 8,
              "compiled code fills sluice_uk_gemm_args as int64 fields");

extern "C" {
// The runtime's pool (libsluice_runtime.so, or the weak serial fallback of
// a --emit=library archive). The thread count is optional: weak.
void sluice_rt_parallel_for(int64_t begin, int64_t end,
                            void (*body)(int64_t, int64_t, void *), void *ctx);
__attribute__((weak)) int sluice_get_num_threads(void);
}

using namespace sluice::uk;

namespace {

enum class Isa { Scalar, Avx2, Avx512, Avx2Wide };

Isa detectIsa() {
  Isa best = Isa::Scalar;
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
    best = Isa::Avx2;
  if (best == Isa::Avx2 && __builtin_cpu_supports("avx512f"))
    best = Isa::Avx512;
#endif
  if (const char *env = getenv("SLUICE_UK_ISA")) {
    if (!strcmp(env, "scalar"))
      best = Isa::Scalar;
    else if (!strcmp(env, "avx2") && best != Isa::Scalar)
      best = Isa::Avx2;
    else if (!strcmp(env, "avx2-wide") && best != Isa::Scalar)
      best = Isa::Avx2Wide;
  }
  return best;
}

/// The choice, made once (a benign race: every thread computes the same).
Isa isa() {
  static int cached = -1;
  int v = __atomic_load_n(&cached, __ATOMIC_RELAXED);
  if (v < 0) {
    v = static_cast<int>(detectIsa());
    __atomic_store_n(&cached, v, __ATOMIC_RELAXED);
  }
  return static_cast<Isa>(v);
}

/// Per-thread buffers kept between calls: the scratch slots and the
/// segments of the last call. Freed by a pthread key destructor when the
/// thread exits.
struct Scratch {
  float *buf[kScratchSlots];
  size_t cap[kScratchSlots];
  Segment *segs;
  size_t segCap;
  WorkItem *order;
  size_t orderCap;
  int64_t *done; ///< the unit counters of a K-split GEMV call
  size_t doneCap;
};
pthread_key_t scratchKey;
pthread_once_t scratchOnce = PTHREAD_ONCE_INIT;
thread_local Scratch *threadScratch; // trivial: no libstdc++ TLS hooks

void freeScratch(void *ptr) {
  auto *s = static_cast<Scratch *>(ptr);
  for (float *b : s->buf)
    free(b);
  free(s->segs);
  free(s->order);
  free(s->done);
  free(s);
}

void makeScratchKey() { pthread_key_create(&scratchKey, &freeScratch); }

Scratch *getScratch() {
  if (!threadScratch) {
    pthread_once(&scratchOnce, &makeScratchKey);
    threadScratch = static_cast<Scratch *>(calloc(1, sizeof(Scratch)));
    if (threadScratch)
      pthread_setspecific(scratchKey, threadScratch);
  }
  return threadScratch;
}

/// One call on the pool: every participating thread claims the next
/// unclaimed item (in `order` when given, else in index order) until none
/// is left, so a thread that finishes early takes over work instead of
/// waiting on a fixed share.
struct Job {
  const GemmPlan *plan;
  void (*items)(const GemmPlan &, int64_t, int64_t);
  const WorkItem *order;
  int64_t next; ///< the next position to claim (atomic)
};

void runWorker(int64_t, int64_t, void *ctx) {
  auto *job = static_cast<Job *>(ctx);
  int64_t n = job->plan->numItems;
  for (;;) {
    int64_t i = __atomic_fetch_add(&job->next, 1, __ATOMIC_RELAXED);
    if (i >= n)
      return;
    int64_t item = job->order ? job->order[i].item : i;
    job->items(*job->plan, item, item + 1);
  }
}

/// Larger work first; equal work in item order (a deterministic order).
int byWorkDescending(const void *l, const void *r) {
  auto *a = static_cast<const WorkItem *>(l);
  auto *b = static_cast<const WorkItem *>(r);
  if (a->work != b->work)
    return a->work > b->work ? -1 : 1;
  return a->item < b->item ? -1 : a->item > b->item ? 1 : 0;
}

int64_t roundUp(int64_t a, int64_t b) { return (a + b - 1) / b * b; }

/// Prepacked copies for a call with a shared stack (ABI version 2): the
/// routed stack and the shared one are looked up (and packed) as two
/// separate calls would read them, so each weight has one packed copy
/// whichever calls read it. The shared stack's chunks form a linear stack
/// when there is one matrix or one chunk per matrix (DeepSeek: S shared
/// experts of the routed width; Qwen: one wider shared expert); else its
/// groups stream or pack per call.
void findPrepackedBoth(GemmPlan *plan, PackGroupFn pack, int w,
                       bool ahead = false) {
  const sluice_uk_gemm_args *p = plan->p;
  int64_t split = p->bs_split > 0 ? p->bs_split : 1;
  int64_t numRouted = 0;
  while (numRouted < plan->numSegs && plan->segs[numRouted].g < p->b_groups)
    ++numRouted;
  plan->sharedFrom = p->b_groups;
  int64_t floatsRouted = 0, floatsShared = 0;
  if (numRouted > 0) {
    sluice_uk_gemm_args routed = *p;
    routed.groups = p->b_groups;
    routed.bs = routed.bs2 = nullptr;
    plan->prepacked = findPrepacked(&routed, plan->segs, numRouted, w, pack,
                                    &floatsRouted, ahead);
  }
  int64_t numShared = plan->numSegs - numRouted;
  int64_t sharedGroups = p->groups - p->b_groups;
  bool linear = split == 1 || sharedGroups <= split;
  if (numShared > 0 && linear && numShared <= 64) {
    sluice_uk_gemm_args shared = *p;
    shared.groups = sharedGroups;
    shared.group_rows = p->group_rows + p->b_groups; // only tested non-null
    shared.b = p->bs;
    shared.ldb = p->ldbs;
    shared.b_group_stride = split == 1 ? p->bs_group_stride : p->N;
    shared.b2 = p->b2 ? p->bs2 : nullptr;
    shared.ldb2 = p->ldbs2;
    shared.b2_group_stride = split == 1 ? p->bs2_group_stride : p->N;
    shared.bs = shared.bs2 = nullptr;
    shared.b_groups = 0;
    Segment segs[64];
    for (int64_t i = 0; i < numShared; ++i) {
      segs[i] = plan->segs[numRouted + i];
      segs[i].g -= p->b_groups;
    }
    plan->prepackedShared =
        findPrepacked(&shared, segs, numShared, w, pack, &floatsShared, ahead);
  }
  // Both stacks have the same K, N and GLU: one panel size per group.
  plan->preGroupFloats = floatsRouted ? floatsRouted : floatsShared;
}

} // namespace

float *sluice::uk::scratch(int slot, size_t floats) {
  Scratch *s = getScratch();
  if (!s)
    return nullptr;
  if (floats <= s->cap[slot])
    return s->buf[slot];
  // Grow by at least half again so a slowly growing shape settles.
  size_t want = floats + s->cap[slot] / 2;
  size_t bytes = (want * sizeof(float) + 63) / 64 * 64;
  void *p = aligned_alloc(64, bytes);
  if (!p)
    return nullptr;
  free(s->buf[slot]);
  s->buf[slot] = static_cast<float *>(p);
  s->cap[slot] = bytes / sizeof(float);
  return s->buf[slot];
}

bool sluice::uk::avx2Allowed() { return isa() != Isa::Scalar; }

extern "C" int sluice_uk_gemm_prepack(const sluice_uk_gemm_args *p) {
  if (!p || !p->b || p->K <= 0 || p->N <= 0)
    return 0;
  Isa chosen = isa();
  if (chosen == Isa::Scalar)
    return 0;
#if defined(__x86_64__)
  int64_t panelFloats = chosen == Isa::Avx2 ? 16 : 32;
  PackGroupFn pack = chosen == Isa::Avx512     ? &packGroupAvx512
                     : chosen == Isa::Avx2Wide ? &packGroupAvx2Wide
                                               : &packGroupAvx2;
  // Every group is a segment: the lookup reads only the group numbers.
  int64_t groups = p->group_rows && p->groups > 1 ? p->groups : 1;
  auto *segs = static_cast<Segment *>(malloc(groups * sizeof(Segment)));
  if (!segs)
    return 0;
  for (int64_t g = 0; g < groups; ++g)
    segs[g] = Segment{g, g, g + 1};
  GemmPlan plan;
  plan.p = p;
  plan.segs = segs;
  plan.numSegs = groups;
  if (!p->bs)
    plan.prepacked = findPrepacked(p, segs, groups, int(panelFloats / 2), pack,
                                   &plan.preGroupFloats, /*ahead=*/true);
  else
    findPrepackedBoth(&plan, pack, int(panelFloats / 2), /*ahead=*/true);
  free(segs);
  return plan.prepacked || plan.prepackedShared ? 1 : 0;
#else
  return 0;
#endif
}

extern "C" void sluice_uk_gemm(const sluice_uk_gemm_args *p) {
  if (p->M <= 0 || p->N <= 0)
    return;
  Isa chosen = isa();
  if (chosen == Isa::Scalar)
    return sluice_uk_gemm_reference(p);
  int64_t panelFloats = chosen == Isa::Avx2 ? 16 : 32; // 2 vectors

  // Segments: the reference's group walk (rows before group_rows[1] use
  // group 0, rows from group_rows[groups - 1] on the last group).
  int64_t groups = p->group_rows && p->groups > 1 ? p->groups : 1;
  int64_t maxSegs = groups < p->M ? groups : p->M;
  Scratch *scratchState = getScratch();
  if (!scratchState)
    return sluice_uk_gemm_reference(p);
  if (scratchState->segCap < static_cast<size_t>(maxSegs)) {
    void *mem = realloc(scratchState->segs, maxSegs * sizeof(Segment));
    if (!mem)
      return sluice_uk_gemm_reference(p);
    scratchState->segs = static_cast<Segment *>(mem);
    scratchState->segCap = static_cast<size_t>(maxSegs);
  }
  Segment *segs = scratchState->segs;
  int64_t numSegs = 0;
  int64_t start = 0, maxRows = 0;
  for (int64_t g = 0; g < groups && start < p->M; ++g) {
    int64_t end = p->M;
    if (g + 1 < groups) {
      end = p->group_rows[g + 1];
      end = end < start ? start : end > p->M ? p->M : end;
    }
    if (end > start) {
      segs[numSegs++] = Segment{g, start, end};
      maxRows = end - start > maxRows ? end - start : maxRows;
    }
    start = end;
  }

  GemmPlan plan;
  plan.p = p;
  plan.segs = segs;
  plan.numSegs = numSegs;
  plan.kMain = p->b && p->K > 0 ? p->K : 0;
  plan.glu = p->b2 != nullptr;
  plan.lowRank = p->a2 && p->b3 && p->k2 > 0;
  // Product rows land in distinct C rows only without scatter or row
  // folding; otherwise an item covers every segment of its columns.
  plan.splitGroups = !p->c_rows && p->c_div == 1 && plan.numSegs > 1;

  // Weights registered with sluice_uk_weights_register are packed once
  // (WeightCache.cpp); then every segment runs the register tiles without
  // packing B. Only where some group has >= kPrepackMinRows rows: below,
  // streaming B already runs at memory speed and the copy would double the
  // weights' memory for nothing (decode).
  if (maxRows >= kPrepackMinRows && plan.kMain) {
#if defined(__x86_64__)
    PackGroupFn pack = chosen == Isa::Avx512     ? &packGroupAvx512
                       : chosen == Isa::Avx2Wide ? &packGroupAvx2Wide
                                                 : &packGroupAvx2;
    if (!p->bs)
      plan.prepacked = findPrepacked(p, segs, numSegs, int(panelFloats / 2),
                                     pack, &plan.preGroupFloats);
    else
      findPrepackedBoth(&plan, pack, int(panelFloats / 2));
#endif
  }

  int threads = sluice_get_num_threads ? sluice_get_num_threads() : 1;
  int64_t segItems = plan.splitGroups ? plan.numSegs : 1;
  bool packed = maxRows > kGemvMaxRows || plan.prepacked || plan.prepackedShared;
  // Packed: an item packs A once per K block for all its columns, while the
  // MR x NR kernel reuses each B panel (in L1) over 96 rows; so items are
  // wide (up to 1024 panel floats, KC x that is the packed B block).
  // Streamed (GEMV): one contiguous column range per thread (long runs of
  // each B row), accumulators within L1: 16 KiB of them, 32 KiB for one
  // row, so that a decode GLU call reads whole rows of B and B2 up to N =
  // 4096 (Mixtral's N = 3584 was read as two 1792-column halves of each
  // row: 1.12x the time of whole rows, paired in one process at 1 and 2
  // threads, session 6).
  int64_t accFloats = maxRows == 1 ? 8192 : 4096;
  int64_t maxNc =
      packed ? (plan.glu ? 512 : 1024)
             : accFloats / (maxRows * (plan.glu ? 2 : 1));
  maxNc = maxNc < 128 ? 128 : maxNc;
  int64_t minNc = 4 * panelFloats;

  // Decode (every segment streamed, B large): items are also split along
  // K, so that each reads one contiguous run of B rows of about
  // kGemvPartBytes (whole rows when the chunk is all of N) and there are
  // enough equal items for the threads to claim. Before, a T = 1 call had
  // one item per thread at most (2 column chunks of the Mixtral down GEMM:
  // half of each 4 KiB B row) or one per (expert, column chunk): a thread
  // woken late, or one slower stream, made the other wait at the end.
  // Chunks and parts depend on the shape only (not on the thread count).
  int64_t splitNc = 0;
  if (!packed && plan.kMain >= 2 * kGemvMinPartRows) {
    int64_t chunks = (p->N + maxNc - 1) / maxNc;
    splitNc = roundUp((p->N + chunks - 1) / chunks, panelFloats);
    int64_t rowBytes =
        splitNc * int64_t(sizeof(float)) * (plan.glu ? 2 : 1);
    int64_t parts = (plan.kMain * rowBytes + kGemvPartBytes - 1) / kGemvPartBytes;
    int64_t maxParts = plan.kMain / kGemvMinPartRows;
    parts = parts < maxParts ? parts : maxParts;
    parts = parts < kGemvMaxParts ? parts : kGemvMaxParts;
    if (parts > 1) {
      int64_t rows = roundUp((plan.kMain + parts - 1) / parts, 8);
      int64_t kParts = (plan.kMain + rows - 1) / rows;
      int64_t numChunks = (p->N + splitNc - 1) / splitNc;
      int64_t ld = plan.glu ? 2 * splitNc : splitNc; // the acc row (GLU: pairs)
      int64_t units = plan.splitGroups ? plan.numSegs * numChunks : numChunks;
      int64_t floats = numChunks * kParts * p->M * ld;
      // At most 64 MiB of partial sums (M <= 8 x groups rows here).
      float *partials =
          floats <= (int64_t(16) << 20) ? scratch(4, size_t(floats)) : nullptr;
      if (partials && scratchState->doneCap < size_t(units)) {
        void *mem = realloc(scratchState->done, units * sizeof(int64_t));
        if (mem) {
          scratchState->done = static_cast<int64_t *>(mem);
          scratchState->doneCap = size_t(units);
        }
      }
      if (partials && scratchState->doneCap >= size_t(units)) {
        memset(scratchState->done, 0, units * sizeof(int64_t));
        plan.kParts = kParts;
        plan.kPartRows = rows;
        plan.partials = partials;
        plan.partialLd = ld;
        plan.unitDone = scratchState->done;
      }
    }
  }

  int64_t nc;
  if (plan.kParts > 1) {
    nc = splitNc;
  } else if (plan.splitGroups) {
    // (segment, column chunk) items of unequal work (segment sizes
    // differ), balanced by the claim order below: chunks as wide as maxNc
    // allows, so that one segment's A rows are packed as few times as
    // possible; a large segment still spans several chunks, which
    // different threads take.
    int64_t wantItems = threads > 1 ? 2 * int64_t(threads) : 1;
    int64_t wantChunks = (wantItems + segItems - 1) / segItems;
    nc = roundUp((p->N + wantChunks - 1) / wantChunks, panelFloats);
    nc = nc < minNc ? minNc : nc > maxNc ? maxNc : nc;
  } else {
    // Column chunks over all rows (scatter: two segments may write the
    // same C row, so rows cannot be split): every chunk has the same rows,
    // so equal chunks, a multiple of the thread count, each packing A once
    // per K block. Fewer, wider chunks than before (one per thread where
    // maxNc allows): each extra chunk packs all of A again.
    int64_t panels = (p->N + panelFloats - 1) / panelFloats;
    int64_t maxPanels = maxNc / panelFloats, minPanels = minNc / panelFloats;
    int64_t perThread = (panels + threads * maxPanels - 1) / (threads * maxPanels);
    int64_t chunks = threads > 1 ? perThread * int64_t(threads) : 1;
    if (chunks > 1 && panels / chunks < minPanels)
      chunks = panels / minPanels > 1 ? panels / minPanels : 1;
    if (threads <= 1)
      chunks = (panels + maxPanels - 1) / maxPanels;
    nc = ((panels + chunks - 1) / chunks) * panelFloats;
  }
  nc = roundUp(nc, panelFloats);
  plan.nc = nc;
  plan.numChunks = (p->N + nc - 1) / nc;
  plan.numItems = plan.numChunks *
                  (plan.kParts > 1 ? plan.numSegs * plan.kParts : segItems);

#if defined(__x86_64__)
  Job job{&plan,
          chosen == Isa::Avx512     ? &gemmItemsAvx512
          : chosen == Isa::Avx2Wide ? &gemmItemsAvx2Wide
                                    : &gemmItemsAvx2,
          nullptr, 0};
#else
  Job job{&plan, nullptr, nullptr, 0}; // unreachable: Isa::Scalar returned
#endif
  if (plan.numItems == 1 || threads <= 1)
    return job.items(plan, 0, plan.numItems);

  // Items of unequal work (segments of different sizes) are claimed
  // largest first, so the last items taken are the small ones and the
  // threads finish together (longest-processing-time-first list
  // scheduling). Which thread runs an item changes nothing in the result:
  // every C element is computed by one item, the same way.
  // (K-split items are equal: index order, a unit's parts one after the
  // other, so units complete early and the threads read neighbouring rows.)
  if (plan.splitGroups && plan.kParts == 1) {
    size_t n = static_cast<size_t>(plan.numItems);
    if (scratchState->orderCap < n) {
      void *mem = realloc(scratchState->order, n * sizeof(WorkItem));
      if (mem) {
        scratchState->order = static_cast<WorkItem *>(mem);
        scratchState->orderCap = n;
      }
    }
    if (scratchState->orderCap >= n) {
      WorkItem *order = scratchState->order;
      for (int64_t i = 0; i < plan.numItems; ++i) {
        const Segment &seg = segs[i / plan.numChunks];
        int64_t n0 = (i % plan.numChunks) * nc;
        int64_t w = p->N - n0 < nc ? p->N - n0 : nc;
        order[i] = WorkItem{(seg.hi - seg.lo) * w, i};
      }
      qsort(order, n, sizeof(WorkItem), &byWorkDescending);
      job.order = order;
    }
  }
  int64_t workers = threads < plan.numItems ? threads : plan.numItems;
  sluice_rt_parallel_for(0, workers, &runWorker, &job);
}
