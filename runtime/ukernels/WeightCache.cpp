//===- WeightCache.cpp - B matrices packed once per registered weight -----===//
//
// sluice_uk_gemm packs B into [K block][panel][kc][nr] panels before its
// register tiles can use it. For weights that is the same work on every
// call (a quarter of a 32-row GEMM's cycles), and small MoE groups skip it
// by streaming B unpacked at a fraction of the FMA rate. This file keeps
// one packed copy per (B, B2, shape, strides, vector width) for B matrices
// that lie inside memory registered as weights (sluice_uk_weights_register:
// the runtime registers every tensor bound to a weight input), packing each
// group when the weight is bound (sluice_uk_gemm_prepack, called by the
// runtime with the B descriptors the compiler wrote into the module: the
// default) or the first time a call uses it (the policy,
// sluice_uk_weights_set_policy: at bind; on the first call that reads the
// weight; from the second, for one-shot runs; or never).
//
// Invalidation contract (docs/abi.md, "Prepacked weights"): a registered
// range must not change while registered unless sluice_uk_weights_changed
// names it (then every copy made from it is repacked on next use); before
// its memory is freed or reused it must be unregistered (which frees the
// copies). Memory never registered is never cached, so a caller that does
// not know about this file gets the per-call packing, as before.
//
// Plain C on libc and pthreads (no libstdc++: the archive of
// `--emit=library` carries this object too). One mutex guards everything;
// a call holds it while it looks up (and, the first time, packs) its B.
// Steady state: a lookup, no allocation.
//
//===----------------------------------------------------------------------===//

#include "runtime/ukernels/GemmPlan.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

extern "C" void sluice_rt_parallel_for(int64_t begin, int64_t end,
                                       void (*body)(int64_t, int64_t, void *),
                                       void *ctx);

using namespace sluice::uk;

namespace {

struct Range {
  uintptr_t lo, hi;
};

struct Entry {
  // Key.
  const float *b, *b2;
  int64_t K, N, ldb, ldb2, bgs, b2gs, groups;
  int w;
  // The source bytes the copy was made from (B and B2 of every group).
  uintptr_t lo, hi, lo2, hi2;
  float *data;      // groups * groupFloats floats
  size_t bytes;     // of the allocation
  int64_t groupFloats;
  unsigned char *ready; // per group: packed and current
  bool used;            // a call has read this B before (second-call policy)
};

pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
Range *ranges;
size_t numRanges, capRanges;
Entry *entries;
size_t numEntries, capEntries;
int anyRegistered; // read without the lock as a fast path

bool overlaps(uintptr_t lo, uintptr_t hi, uintptr_t lo2, uintptr_t hi2) {
  return lo < hi2 && lo2 < hi;
}

bool entryOverlaps(const Entry &e, uintptr_t lo, uintptr_t hi) {
  return overlaps(e.lo, e.hi, lo, hi) ||
         (e.b2 && overlaps(e.lo2, e.hi2, lo, hi));
}

/// Whether [lo, hi) lies inside one registered range.
bool registered(uintptr_t lo, uintptr_t hi) {
  for (size_t i = 0; i < numRanges; ++i)
    if (ranges[i].lo <= lo && hi <= ranges[i].hi)
      return true;
  return false;
}

/// The bytes a (groups x K x N, strides ld / gs) operand reads.
void extent(const float *b, int64_t groups, int64_t K, int64_t N, int64_t ld,
            int64_t gs, uintptr_t *lo, uintptr_t *hi) {
  int64_t last = (groups - 1) * gs + (K - 1) * ld + N; // floats
  *lo = reinterpret_cast<uintptr_t>(b);
  *hi = *lo + static_cast<uintptr_t>(last) * sizeof(float);
}

void freeEntry(Entry &e) {
  munmap(e.data, e.bytes);
  free(e.ready);
}

/// Drops entries whose source overlaps [lo, hi) (free) or marks them stale.
void forEachOverlapping(uintptr_t lo, uintptr_t hi, bool drop) {
  for (size_t i = 0; i < numEntries;) {
    Entry &e = entries[i];
    if (!entryOverlaps(e, lo, hi)) {
      ++i;
      continue;
    }
    if (!drop) {
      memset(e.ready, 0, static_cast<size_t>(e.groups));
      ++i;
      continue;
    }
    freeEntry(e);
    entries[i] = entries[--numEntries];
  }
}

struct PackJob {
  const sluice_uk_gemm_args *p;
  const int64_t *groups;
  Entry *e;
  PackGroupFn pack;
};

void packBody(int64_t lo, int64_t hi, void *ctx) {
  auto *job = static_cast<PackJob *>(ctx);
  for (int64_t i = lo; i < hi; ++i) {
    int64_t g = job->groups[i];
    job->pack(job->p, g, job->e->data + g * job->e->groupFloats);
  }
}

/// Memory for a copy: anonymous pages (zero, faulted in as packing writes
/// them), with transparent huge pages asked for (one fault and one TLB
/// entry per 2 MiB instead of per 4 KiB). Null if it cannot be had.
float *mapCopy(size_t bytes) {
  void *p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED)
    return nullptr;
#ifdef MADV_HUGEPAGE
  madvise(p, bytes, MADV_HUGEPAGE);
#endif
  return static_cast<float *>(p);
}

Entry *findOrCreate(const sluice_uk_gemm_args *p, bool glu, int64_t groups,
                    int w) {
  for (size_t i = 0; i < numEntries; ++i) {
    Entry &e = entries[i];
    if (e.b == p->b && e.b2 == (glu ? p->b2 : nullptr) && e.K == p->K &&
        e.N == p->N && e.ldb == p->ldb && e.bgs == p->b_group_stride &&
        e.groups == groups && e.w == w &&
        (!glu || (e.ldb2 == p->ldb2 && e.b2gs == p->b2_group_stride)))
      return &e;
  }
  if (numEntries == capEntries) {
    size_t cap = capEntries ? 2 * capEntries : 16;
    void *mem = realloc(entries, cap * sizeof(Entry));
    if (!mem)
      return nullptr;
    entries = static_cast<Entry *>(mem);
    capEntries = cap;
  }
  Entry e;
  memset(&e, 0, sizeof(e));
  e.b = p->b;
  e.b2 = glu ? p->b2 : nullptr;
  e.K = p->K;
  e.N = p->N;
  e.ldb = p->ldb;
  e.bgs = p->b_group_stride;
  e.ldb2 = glu ? p->ldb2 : 0;
  e.b2gs = glu ? p->b2_group_stride : 0;
  e.groups = groups;
  e.w = w;
  extent(p->b, groups, p->K, p->N, p->ldb, p->b_group_stride, &e.lo, &e.hi);
  if (glu)
    extent(p->b2, groups, p->K, p->N, p->ldb2, p->b2_group_stride, &e.lo2,
           &e.hi2);
  e.groupFloats = packedWeightFloats(p->K, p->N, glu, w);
  e.bytes = static_cast<size_t>(groups * e.groupFloats) * sizeof(float);
  e.ready = static_cast<unsigned char *>(calloc(groups, 1));
  e.data = e.ready ? mapCopy(e.bytes) : nullptr;
  if (!e.data) {
    free(e.ready);
    return nullptr;
  }
  entries[numEntries] = e;
  return &entries[numEntries++];
}

int policy = SLUICE_UK_PREPACK_AT_BIND; // sluice_uk_weights_set_policy

/// SLUICE_UK_PREPACK from the environment (0 .. 3: a policy), -1 when
/// unset or not one of those; read once.
int envPolicy() {
  static int cached = -2;
  int v = __atomic_load_n(&cached, __ATOMIC_RELAXED);
  if (v == -2) {
    const char *env = getenv("SLUICE_UK_PREPACK");
    v = -1;
    if (env && env[0] >= '0' && env[0] <= '3' && env[1] == 0)
      v = env[0] - '0';
    __atomic_store_n(&cached, v, __ATOMIC_RELAXED);
  }
  return v;
}

/// The policy in force: the environment's, else the one set.
int currentPolicy() {
  int env = envPolicy();
  return env >= 0 ? env : __atomic_load_n(&policy, __ATOMIC_RELAXED);
}

} // namespace

const float *sluice::uk::findPrepacked(const sluice_uk_gemm_args *p,
                                       const Segment *segs, int64_t numSegs,
                                       int w, PackGroupFn pack,
                                       int64_t *groupFloats, bool ahead) {
  int pol = currentPolicy();
  if (!__atomic_load_n(&anyRegistered, __ATOMIC_ACQUIRE) || !p->b ||
      p->K <= 0 || pol == SLUICE_UK_PREPACK_OFF ||
      (ahead && pol != SLUICE_UK_PREPACK_AT_BIND))
    return nullptr;
  bool glu = p->b2 != nullptr;
  int64_t groups = p->group_rows && p->groups > 1 ? p->groups : 1;
  uintptr_t lo, hi, lo2 = 0, hi2 = 0;
  extent(p->b, groups, p->K, p->N, p->ldb, p->b_group_stride, &lo, &hi);
  if (glu)
    extent(p->b2, groups, p->K, p->N, p->ldb2, p->b2_group_stride, &lo2, &hi2);
  pthread_mutex_lock(&mutex);
  const float *result = nullptr;
  if (registered(lo, hi) && (!glu || registered(lo2, hi2))) {
    Entry *e = findOrCreate(p, glu, groups, w);
    // Each group is packed when a call first needs it. Under the
    // second-call policy the first call that reads a weight packs nothing
    // (a one-shot run, `sluicec run`, would pay for a copy it uses once).
    if (e && !e->used && pol == SLUICE_UK_PREPACK_SECOND_CALL && !ahead) {
      e->used = true;
      e = nullptr;
    }
    if (e) {
      // The groups this call needs that are not packed yet (segments come
      // in ascending group order, each group at most once).
      int64_t todo[64], n = 0;
      bool ok = true;
      for (int64_t s = 0; s <= numSegs && ok; ++s) {
        if (s < numSegs && !e->ready[segs[s].g])
          todo[n++] = segs[s].g;
        if (n == 64 || (s == numSegs && n > 0)) {
          PackJob job{p, todo, e, pack};
          sluice_rt_parallel_for(0, n, &packBody, &job);
          for (int64_t i = 0; i < n; ++i)
            e->ready[todo[i]] = 1;
          n = 0;
        }
      }
      result = e->data;
      *groupFloats = e->groupFloats;
    }
  }
  pthread_mutex_unlock(&mutex);
  return result;
}

extern "C" void sluice_uk_weights_register(const void *data, int64_t bytes) {
  if (!data || bytes <= 0)
    return;
  uintptr_t lo = reinterpret_cast<uintptr_t>(data);
  uintptr_t hi = lo + static_cast<uintptr_t>(bytes);
  pthread_mutex_lock(&mutex);
  bool known = false;
  for (size_t i = 0; i < numRanges && !known; ++i)
    known = ranges[i].lo == lo && ranges[i].hi == hi;
  if (!known) {
    if (numRanges == capRanges) {
      size_t cap = capRanges ? 2 * capRanges : 16;
      void *mem = realloc(ranges, cap * sizeof(Range));
      if (mem) {
        ranges = static_cast<Range *>(mem);
        capRanges = cap;
      }
    }
    if (numRanges < capRanges)
      ranges[numRanges++] = Range{lo, hi};
  }
  __atomic_store_n(&anyRegistered, numRanges > 0, __ATOMIC_RELEASE);
  pthread_mutex_unlock(&mutex);
}

extern "C" void sluice_uk_weights_unregister(const void *data, int64_t bytes) {
  if (!data || bytes <= 0)
    return;
  uintptr_t lo = reinterpret_cast<uintptr_t>(data);
  uintptr_t hi = lo + static_cast<uintptr_t>(bytes);
  pthread_mutex_lock(&mutex);
  for (size_t i = 0; i < numRanges;) {
    if (overlaps(ranges[i].lo, ranges[i].hi, lo, hi))
      ranges[i] = ranges[--numRanges];
    else
      ++i;
  }
  forEachOverlapping(lo, hi, /*drop=*/true);
  __atomic_store_n(&anyRegistered, numRanges > 0, __ATOMIC_RELEASE);
  pthread_mutex_unlock(&mutex);
}

extern "C" void sluice_uk_weights_changed(const void *data, int64_t bytes) {
  if (!data || bytes <= 0)
    return;
  uintptr_t lo = reinterpret_cast<uintptr_t>(data);
  pthread_mutex_lock(&mutex);
  forEachOverlapping(lo, lo + static_cast<uintptr_t>(bytes), /*drop=*/false);
  pthread_mutex_unlock(&mutex);
}

extern "C" void sluice_uk_weights_set_policy(int p) {
  if (p == SLUICE_UK_PREPACK_OFF || p == SLUICE_UK_PREPACK_FIRST_CALL ||
      p == SLUICE_UK_PREPACK_SECOND_CALL || p == SLUICE_UK_PREPACK_AT_BIND)
    __atomic_store_n(&policy, p, __ATOMIC_RELAXED);
}

extern "C" int sluice_uk_weights_policy(void) { return currentPolicy(); }

extern "C" int64_t sluice_uk_weights_packed_bytes(void) {
  pthread_mutex_lock(&mutex);
  int64_t total = 0;
  for (size_t i = 0; i < numEntries; ++i)
    for (int64_t g = 0; g < entries[i].groups; ++g)
      if (entries[i].ready[g])
        total += entries[i].groupFloats * static_cast<int64_t>(sizeof(float));
  pthread_mutex_unlock(&mutex);
  return total;
}
