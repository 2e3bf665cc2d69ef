//===- ThreadPool.cpp - the CPU thread pool of the runtime ----------------===//
//
// Workers sleep on a condition variable until the generation counter moves;
// then all of them, and the submitting thread, pull chunks from an atomic
// counter. The submitter returns once every worker has left the job, so the
// job slot can be reused without allocation.
//
//===----------------------------------------------------------------------===//

#include "runtime/ThreadPool.h"

#include <cstdlib>
#include <memory>
#include <thread>

using namespace sluice::rt;

namespace {
/// Set while a thread runs a chunk: nested loops then run serially.
thread_local bool insideParallelBody = false;

/// Chunks per thread: enough to balance uneven work, few enough to keep the
/// per-chunk overhead low.
constexpr int64_t kChunksPerThread = 4;

class BodyScope {
public:
  BodyScope() : previous(insideParallelBody) { insideParallelBody = true; }
  ~BodyScope() { insideParallelBody = previous; }

private:
  bool previous;
};

std::mutex globalMutex;
std::unique_ptr<ThreadPool> globalPool;
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

void *ThreadPool::workerMain(void *self) {
  auto *pool = static_cast<ThreadPool *>(self);
  uint64_t seen;
  {
    std::lock_guard<std::mutex> lock(pool->stateMutex);
    seen = pool->startGeneration;
  }
  pool->workerLoop(seen);
  return nullptr;
}

void ThreadPool::startWorkers(int numThreads) {
  if (numThreads < 1)
    numThreads = 1;
  {
    std::lock_guard<std::mutex> lock(stateMutex);
    stopping = false;
    startGeneration = generation.load();
  }
  workers.reserve(numThreads - 1);
  for (int i = 1; i < numThreads; ++i) {
    pthread_t thread;
    if (pthread_create(&thread, nullptr, &ThreadPool::workerMain, this) != 0)
      break; // Run with the threads we got.
    workers.push_back(thread);
  }
  threadCount.store(static_cast<int>(workers.size()) + 1);
}

void ThreadPool::stopWorkers() {
  {
    std::lock_guard<std::mutex> lock(stateMutex);
    stopping = true;
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

void ThreadPool::runChunks() {
  BodyScope scope;
  ScopedRunErrorSlot slot(job.errorSlot);
  while (true) {
    int64_t chunk = job.nextChunk.fetch_add(1, std::memory_order_relaxed);
    if (chunk >= job.numChunks)
      return;
    int64_t lo = job.begin + chunk * job.chunkSize;
    int64_t hi = job.end - lo > job.chunkSize ? lo + job.chunkSize : job.end;
    job.body(lo, hi, job.ctx);
  }
}

void ThreadPool::workerLoop(uint64_t seen) {
  while (true) {
    {
      std::unique_lock<std::mutex> lock(stateMutex);
      workAvailable.wait(lock, [&] {
        return stopping || generation.load(std::memory_order_relaxed) != seen;
      });
      if (stopping)
        return;
      seen = generation.load(std::memory_order_relaxed);
    }
    runChunks();
    if (workersBusy.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      // Taking the lock orders this notification after the submitter's
      // predicate check, so the wake-up cannot be lost.
      std::lock_guard<std::mutex> lock(stateMutex);
      workDone.notify_one();
    }
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
  int64_t maxChunks = static_cast<int64_t>(threads) * kChunksPerThread;
  int64_t numChunks = count < maxChunks ? count : maxChunks;
  job.body = body;
  job.ctx = ctx;
  job.begin = begin;
  job.end = end;
  job.chunkSize = (count + numChunks - 1) / numChunks;
  job.numChunks = (count + job.chunkSize - 1) / job.chunkSize;
  job.errorSlot = currentRunErrorSlot();
  job.nextChunk.store(0, std::memory_order_relaxed);
  workersBusy.store(static_cast<int>(workers.size()),
                    std::memory_order_relaxed);
  {
    std::lock_guard<std::mutex> lock(stateMutex);
    generation.fetch_add(1, std::memory_order_release);
  }
  workAvailable.notify_all();
  runChunks();
  std::unique_lock<std::mutex> lock(stateMutex);
  workDone.wait(
      lock, [&] { return workersBusy.load(std::memory_order_acquire) == 0; });
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
