//===- ThreadPool.cpp - the CPU thread pool of the runtime ----------------===//
//
// A loop is published as one atomic word, generation << 20 | chunks. Idle
// workers spin on it (with pause, for a bounded time) and then sleep on a
// condition variable; the submitter only takes the lock and notifies when
// some worker is asleep. Every chunk has a claim word (the generation that
// last claimed it): thread i of P scans the chunks from i * n / P on and
// claims each with a compare-and-swap, so it runs its own share first and
// then steals what is left. The submitter runs chunks too, then waits
// (spinning, then sleeping) until every chunk is done; a worker that wakes
// late finds every chunk of an old loop claimed and never touches the job,
// so the submitter never waits for workers that did not take part.
//
//===----------------------------------------------------------------------===//

#include "runtime/ThreadPool.h"

#include <chrono>
#include <cstdlib>
#include <memory>
#include <sched.h>
#include <thread>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

using namespace sluice::rt;

namespace {
/// Set while a thread runs a chunk: nested loops then run serially.
thread_local bool insideParallelBody = false;

/// Chunks per thread: enough to balance uneven work, few enough to keep the
/// per-chunk overhead low.
constexpr int64_t kChunksPerThread = 4;

/// Spinning waits yield the core between checks after this long.
constexpr int64_t kYieldAfterNanos = 5000;

/// The low bits of a job word count the loop's chunks.
constexpr int kChunkBits = 20;
constexpr uint64_t kChunkMask = (uint64_t(1) << kChunkBits) - 1;

class BodyScope {
public:
  BodyScope() : previous(insideParallelBody) { insideParallelBody = true; }
  ~BodyScope() { insideParallelBody = previous; }

private:
  bool previous;
};

inline void cpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

inline int64_t nowNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::mutex globalMutex;
std::unique_ptr<ThreadPool> globalPool;
/// Spins (pause, then yielding the core past kYieldAfterNanos) until
/// `done()` or until `spinNanos` have passed; true iff `done()` was seen.
/// Past the first few microseconds the core is given away between checks:
/// on a machine with more runnable threads than cores the scheduler may have
/// put this thread on the core of the thread it waits for (measured: a loop
/// after the workers slept took 59 us median, the whole 50 us budget, at
/// load 14 on 2 cores). With nothing else runnable sched_yield returns at
/// once.
template <typename Done> bool spinUntil(int64_t spinNanos, Done done) {
  if (spinNanos <= 0)
    return false;
  int64_t start = nowNanos();
  int64_t deadline = start + spinNanos;
  for (unsigned spins = 0;; ++spins) {
    if (done())
      return true;
    cpuRelax();
    if ((spins & 31) == 31) {
      int64_t now = nowNanos();
      if (now > deadline)
        return false;
      if (now - start > kYieldAfterNanos)
        sched_yield();
    }
  }
}

} // namespace

int sluice::rt::defaultNumThreads() {
  if (const char *env = std::getenv("SLUICE_NUM_THREADS")) {
    char *endPtr = nullptr;
    long value = std::strtol(env, &endPtr, 10);
    if (endPtr != env && *endPtr == '\0' && value > 0 && value <= 4096)
      return static_cast<int>(value);
  }
  unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : static_cast<int>(hw);
}

int64_t sluice::rt::defaultSpinMicros() {
  if (const char *env = std::getenv("SLUICE_POOL_SPIN_US")) {
    char *endPtr = nullptr;
    long value = std::strtol(env, &endPtr, 10);
    if (endPtr != env && *endPtr == '\0' && value >= 0 && value <= 100000)
      return value;
  }
  return 50;
}

ThreadPool &ThreadPool::global() {
  std::lock_guard<std::mutex> lock(globalMutex);
  if (!globalPool)
    globalPool.reset(new ThreadPool(defaultNumThreads()));
  return *globalPool;
}

ThreadPool::ThreadPool(int numThreads) { startWorkers(numThreads); }

ThreadPool::~ThreadPool() {
  std::lock_guard<std::mutex> lock(submitMutex);
  stopWorkers();
}

void *ThreadPool::workerMain(void *arg) {
  auto *a = static_cast<WorkerArg *>(arg);
  a->pool->workerLoop(a->index);
  return nullptr;
}

void ThreadPool::startWorkers(int numThreads) {
  if (numThreads < 1)
    numThreads = 1;
  stopping.store(false);
  startGeneration = jobWord.load() >> kChunkBits;
  spinNanos = defaultSpinMicros() * 1000;
  maxChunks = static_cast<int64_t>(numThreads) * kChunksPerThread;
  claims.reset(new Claim[maxChunks]);
  workerArgs.reset(new WorkerArg[numThreads]);
  workers.reserve(numThreads - 1);
  for (int i = 1; i < numThreads; ++i) {
    workerArgs[i] = WorkerArg{this, i};
    pthread_t thread;
    if (pthread_create(&thread, nullptr, &ThreadPool::workerMain,
                       &workerArgs[i]) != 0)
      break; // Run with the threads we got.
    workers.push_back(thread);
  }
  threadCount.store(static_cast<int>(workers.size()) + 1);
}

void ThreadPool::stopWorkers() {
  {
    std::lock_guard<std::mutex> lock(stateMutex);
    stopping.store(true);
  }
  workAvailable.notify_all();
  for (pthread_t worker : workers)
    pthread_join(worker, nullptr);
  workers.clear();
  threadCount.store(1);
}

void ThreadPool::resize(int numThreads) {
  std::lock_guard<std::mutex> lock(submitMutex);
  if (static_cast<int>(workers.size()) == numThreads - 1)
    return;
  stopWorkers();
  startWorkers(numThreads);
}

void ThreadPool::runChunks(uint64_t word, int index) {
  uint64_t gen = word >> kChunkBits;
  int64_t n = static_cast<int64_t>(word & kChunkMask);
  int threads = threadCount.load(std::memory_order_relaxed);
  if (n == 0 || threads < 1)
    return;
  int64_t start = static_cast<int64_t>(index) * n / threads % n;
  for (int64_t j = 0; j < n; ++j) {
    int64_t c = start + j < n ? start + j : start + j - n;
    std::atomic<uint64_t> &claim = claims[c].generation;
    uint64_t seen = claim.load(std::memory_order_relaxed);
    if (seen >= gen ||
        !claim.compare_exchange_strong(seen, gen, std::memory_order_acq_rel,
                                       std::memory_order_relaxed))
      continue;
    // Claimed: the job's fields are those of loop `gen` until this chunk is
    // counted done.
    {
      BodyScope bodyScope;
      ScopedRunErrorSlot slot(job.errorSlot);
      // Chunk sizes differ by at most one (the first `chunkRem` are longer).
      int64_t lo = job.begin + c * job.chunkSize +
                   (c < job.chunkRem ? c : job.chunkRem);
      int64_t hi = lo + job.chunkSize + (c < job.chunkRem ? 1 : 0);
      job.body(lo, hi, job.ctx);
    }
    if (chunksDone.fetch_add(1, std::memory_order_seq_cst) + 1 == n &&
        submitterSleeping.load(std::memory_order_seq_cst)) {
      // Taking the lock orders this notification after the submitter's
      // predicate check, so the wake-up cannot be lost.
      std::lock_guard<std::mutex> lock(stateMutex);
      workDone.notify_one();
    }
  }
}

uint64_t ThreadPool::waitForLoop(uint64_t seen) {
  uint64_t word = 0;
  bool stop = false;
  if (spinUntil(spinNanos, [&] {
        word = jobWord.load(std::memory_order_acquire);
        if ((word >> kChunkBits) != seen)
          return true;
        stop = stopping.load(std::memory_order_relaxed);
        return stop;
      }))
    return stop ? 0 : word;
  std::unique_lock<std::mutex> lock(stateMutex);
  sleepers.fetch_add(1, std::memory_order_seq_cst);
  auto ready = [&] {
    if (stopping.load(std::memory_order_relaxed))
      return true;
    word = jobWord.load(std::memory_order_seq_cst);
    return (word >> kChunkBits) != seen;
  };
  if (!ready()) {
    sleeps.fetch_add(1, std::memory_order_relaxed);
    workAvailable.wait(lock, ready);
  }
  sleepers.fetch_sub(1, std::memory_order_relaxed);
  return stopping.load(std::memory_order_relaxed) ? 0 : word;
}

void ThreadPool::workerLoop(int index) {
  // The generation when the pool started this worker: a loop published
  // before the thread first runs is still this worker's to join.
  uint64_t seen = startGeneration;
  while (true) {
    uint64_t word = waitForLoop(seen);
    if (word == 0)
      return;
    seen = word >> kChunkBits;
    runChunks(word, index);
  }
}

void ThreadPool::parallelFor(int64_t begin, int64_t end, ParallelBody body,
                             void *ctx) {
  if (!body || end <= begin)
    return;
  // Nested loops, a one-thread pool, single-element ranges and ranges
  // wider than int64 run here.
  int64_t count;
  if (insideParallelBody || threadCount.load() <= 1 ||
      __builtin_sub_overflow(end, begin, &count) || count == 1) {
    BodyScope scope;
    body(begin, end, ctx);
    return;
  }
  std::lock_guard<std::mutex> submitLock(submitMutex);
  int threads = threadCount.load();
  if (threads <= 1) { // Resized to one thread while this call waited.
    BodyScope scope;
    body(begin, end, ctx);
    return;
  }
  int64_t limit = static_cast<int64_t>(threads) * kChunksPerThread;
  int64_t numChunks = count < limit ? count : limit;
  job.body = body;
  job.ctx = ctx;
  job.begin = begin;
  job.end = end;
  // Balanced chunks: with 43 items in 8 chunks, 5 x 5 + 3 x 6 (two
  // threads get 21 and 22) rather than 7 x 6 + 1 (24 and 19).
  job.chunkSize = count / numChunks;
  job.chunkRem = count % numChunks;
  job.errorSlot = currentRunErrorSlot();
  chunksDone.store(0, std::memory_order_relaxed);
  uint64_t gen = (jobWord.load(std::memory_order_relaxed) >> kChunkBits) + 1;
  uint64_t word = gen << kChunkBits | static_cast<uint64_t>(numChunks);
  jobWord.store(word, std::memory_order_seq_cst);
  if (sleepers.load(std::memory_order_seq_cst) > 0) {
    wakes.fetch_add(1, std::memory_order_relaxed);
    { std::lock_guard<std::mutex> lock(stateMutex); }
    workAvailable.notify_all();
  }
  runChunks(word, 0);
  // Every chunk is claimed now; wait for the ones other threads run.
  if (spinUntil(spinNanos, [&] {
        return chunksDone.load(std::memory_order_acquire) == numChunks;
      }))
    return;
  std::unique_lock<std::mutex> lock(stateMutex);
  submitterSleeping.store(true, std::memory_order_seq_cst);
  workDone.wait(lock, [&] {
    return chunksDone.load(std::memory_order_seq_cst) == numChunks;
  });
  submitterSleeping.store(false, std::memory_order_relaxed);
}

extern "C" {

SLUICE_API void sluice_rt_parallel_for(int64_t begin, int64_t end,
                                       void (*body)(int64_t, int64_t, void *),
                                       void *ctx) {
  if (end <= begin || !body)
    return;
  if (insideParallelBody) {
    body(begin, end, ctx);
    return;
  }
  ThreadPool::global().parallelFor(begin, end, body, ctx);
}

SLUICE_API sluice_status_t sluice_set_num_threads(int num_threads) {
  clearError();
  if (num_threads > 4096)
    return failf(SLUICE_ERROR_INVALID_ARGUMENT,
                 "sluice_set_num_threads: %d threads is more than 4096",
                 num_threads);
  if (insideParallelBody)
    return fail(SLUICE_ERROR_INVALID_ARGUMENT,
                "sluice_set_num_threads: called from inside a parallel loop");
  int target = num_threads > 0 ? num_threads : defaultNumThreads();
  ThreadPool::global().resize(target);
  return SLUICE_OK;
}

SLUICE_API int sluice_get_num_threads(void) {
  return ThreadPool::global().numThreads();
}

} // extern "C"
