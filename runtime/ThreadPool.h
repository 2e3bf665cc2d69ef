//===- ThreadPool.h - the CPU thread pool of the runtime --------*- C++ -*-===//
//
// A fixed set of worker threads that run sluice_rt_parallel_for ranges. The
// calling thread takes part; a nested call (from inside a body) runs
// serially; a steady-state call allocates nothing. Between loops the workers
// spin for a bounded time (SLUICE_POOL_SPIN_US, default 50 us) before they
// sleep, so back-to-back loops do not pay a futex wake-up; thread i of a
// loop (0 = the caller, i = worker i) takes the chunks of its own share of
// the range first, so loops split the same way give each thread the same
// piece of data every call.
//
//===----------------------------------------------------------------------===//

#ifndef SLUICE_RUNTIME_THREADPOOL_H
#define SLUICE_RUNTIME_THREADPOOL_H

#include "runtime/Status.h"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <pthread.h>
#include <vector>

namespace sluice {
namespace rt {

/// The body of a parallel loop: handles [lo, hi).
using ParallelBody = void (*)(int64_t lo, int64_t hi, void *ctx);

/// The size the pool gets without an explicit setting: SLUICE_NUM_THREADS if
/// it is a positive integer, else std::thread::hardware_concurrency (>= 1).
int defaultNumThreads();

/// How long an idle worker (and a caller waiting for the last chunk) spins
/// before it blocks, in microseconds: SLUICE_POOL_SPIN_US if it is an
/// integer in [0, 100000], else 50. Read when the pool starts its workers.
int64_t defaultSpinMicros();

class ThreadPool {
public:
  /// The process-wide pool (created on first use with defaultNumThreads()).
  static ThreadPool &global();

  explicit ThreadPool(int numThreads);
  ~ThreadPool();
  ThreadPool(const ThreadPool &) = delete;
  ThreadPool &operator=(const ThreadPool &) = delete;

  /// Number of threads that work on a loop, the caller included.
  int numThreads() const { return threadCount.load(); }

  /// Stops the workers and starts `numThreads - 1` new ones (fewer if the
  /// system refuses to create threads). Waits for a loop in flight on
  /// another thread to finish first. Re-reads the spin budget.
  void resize(int numThreads);

  /// Runs body over [begin, end) split into chunks; returns when all chunks
  /// are done. Errors raised through sluice_rt_error by any thread go to the
  /// caller's current run-error slot.
  void parallelFor(int64_t begin, int64_t end, ParallelBody body, void *ctx);

  /// Counters for tests and benchmarks (relaxed, approximate under races):
  /// how often a worker went to sleep and how often a submitter had to wake
  /// sleeping workers.
  uint64_t sleepCount() const { return sleeps.load(std::memory_order_relaxed); }
  uint64_t wakeCount() const { return wakes.load(std::memory_order_relaxed); }

private:
  /// One chunk's claim word on its own cache line: the generation of the
  /// last loop that claimed it (claimable by loop g while < g).
  struct alignas(64) Claim {
    std::atomic<uint64_t> generation{0};
  };

  /// The loop being run; reused for every call. Written by the submitter
  /// before it publishes the loop's generation, read by a thread only after
  /// it claimed one of the loop's chunks (so never while it is rewritten:
  /// the submitter waits for every claimed chunk to be done).
  struct Job {
    ParallelBody body = nullptr;
    void *ctx = nullptr;
    int64_t begin = 0, end = 0, chunkSize = 1, chunkRem = 0;
    RunErrorSlot *errorSlot = nullptr;
  };

  struct WorkerArg {
    ThreadPool *pool;
    int index;
  };

  void startWorkers(int numThreads);
  void stopWorkers();
  void workerLoop(int index);
  static void *workerMain(void *arg);
  /// Claims and runs chunks of loop `word` (generation << 20 | chunks),
  /// starting with thread `index`'s share.
  void runChunks(uint64_t word, int index);
  /// Spins up to the budget, then sleeps, until the loop generation differs
  /// from `seen` or the pool stops; returns the new job word (0: stopping).
  uint64_t waitForLoop(uint64_t seen);

  std::atomic<int> threadCount{1};
  std::vector<pthread_t> workers;
  std::unique_ptr<WorkerArg[]> workerArgs;
  /// One claim per possible chunk (threads * chunks per thread).
  std::unique_ptr<Claim[]> claims;
  int64_t maxChunks = 0;
  /// The loop generation new workers start from (set before they are
  /// created; no loop runs meanwhile).
  uint64_t startGeneration = 0;
  int64_t spinNanos = 0;
  /// Serializes loops submitted from different threads and resizes.
  std::mutex submitMutex;
  /// Guards sleeping and waking (workers and the waiting submitter).
  std::mutex stateMutex;
  std::condition_variable workAvailable;
  std::condition_variable workDone;
  /// The current loop: generation << 20 | number of chunks (0: none yet).
  alignas(64) std::atomic<uint64_t> jobWord{0};
  std::atomic<bool> stopping{false};
  /// Workers blocked (or about to block) on workAvailable.
  std::atomic<int> sleepers{0};
  /// Chunks of the current loop that are done.
  alignas(64) std::atomic<int64_t> chunksDone{0};
  /// Set while the submitter blocks on workDone.
  std::atomic<bool> submitterSleeping{false};
  std::atomic<uint64_t> sleeps{0}, wakes{0};
  Job job;
};

} // namespace rt
} // namespace sluice

#endif // SLUICE_RUNTIME_THREADPOOL_H
