//===- ThreadPool.h - the CPU thread pool of the runtime --------*- C++ -*-===//
//
// A fixed set of worker threads that run sluice_rt_parallel_for ranges. The
// calling thread takes part; a nested call (from inside a body) runs
// serially; a steady-state call allocates nothing.
//
//===----------------------------------------------------------------------===//

#ifndef SLUICE_RUNTIME_THREADPOOL_H
#define SLUICE_RUNTIME_THREADPOOL_H

#include "runtime/Status.h"

#include <atomic>
#include <condition_variable>
#include <cstdint>
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
  /// another thread to finish first.
  void resize(int numThreads);

  /// Runs body over [begin, end) split into chunks; returns when all chunks
  /// are done. Errors raised through sluice_rt_error by any thread go to the
  /// caller's current run-error slot.
  void parallelFor(int64_t begin, int64_t end, ParallelBody body, void *ctx);

private:
  /// The loop being run; reused for every call.
  struct Job {
    ParallelBody body = nullptr;
    void *ctx = nullptr;
    int64_t begin = 0, end = 0, chunkSize = 1, numChunks = 0;
    RunErrorSlot *errorSlot = nullptr;
    std::atomic<int64_t> nextChunk{0};
  };

  void startWorkers(int numThreads);
  void stopWorkers();
  void workerLoop(uint64_t seen);
  static void *workerMain(void *self);
  /// Takes chunks of the current job until none is left.
  void runChunks();

  std::atomic<int> threadCount{1};
  std::vector<pthread_t> workers;
  /// Serializes loops submitted from different threads and resizes.
  std::mutex submitMutex;
  /// Guards the fields below, which workers wait on.
  std::mutex stateMutex;
  std::condition_variable workAvailable;
  std::condition_variable workDone;
  /// Bumped (under stateMutex) for every loop.
  std::atomic<uint64_t> generation{0};
  /// Workers that have not yet left the current loop.
  std::atomic<int> workersBusy{0};
  /// The generation new workers start from (set before they are created).
  uint64_t startGeneration = 0;
  bool stopping = false;
  Job job;
};

} // namespace rt
} // namespace sluice

#endif // SLUICE_RUNTIME_THREADPOOL_H
