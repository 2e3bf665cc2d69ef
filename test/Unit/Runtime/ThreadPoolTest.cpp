//===- ThreadPoolTest.cpp - sluice_rt_parallel_for and thread settings ----===//
//
// Coverage of ranges (every index exactly once), nesting, concurrent
// submitters, the thread-count option and SLUICE_NUM_THREADS, and the
// spin-then-sleep wait of idle workers (SLUICE_POOL_SPIN_US): back-to-back
// loops, loops after the workers fell asleep, resizes while they spin, and
// an idle pool that stops using CPU. Run under `timeout` by ctest (a lost
// wake-up would hang).
//
//===----------------------------------------------------------------------===//

#include "TestUtil.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <mutex>
#include <set>
#include <sys/resource.h>
#include <thread>

using namespace sluice_test;

namespace {

/// Restores the default pool size after each test.
class ThreadPool : public ::testing::Test {
protected:
  void TearDown() override {
    unsetenv("SLUICE_NUM_THREADS");
    unsetenv("SLUICE_POOL_SPIN_US");
    EXPECT_EQ(sluice_set_num_threads(0), SLUICE_OK);
  }
};

struct Coverage {
  std::vector<std::atomic<int>> hits;
  std::atomic<int64_t> sum{0};
  std::atomic<int> calls{0};
  int64_t base;
  Coverage(int64_t begin, int64_t end) : hits(end - begin), base(begin) {}
};

void coverBody(int64_t lo, int64_t hi, void *ctx) {
  auto *c = static_cast<Coverage *>(ctx);
  c->calls.fetch_add(1);
  int64_t local = 0;
  for (int64_t i = lo; i < hi; ++i) {
    c->hits[i - c->base].fetch_add(1);
    local += i;
  }
  c->sum.fetch_add(local);
}

void expectCovered(int64_t begin, int64_t end) {
  Coverage c(begin, end);
  sluice_rt_parallel_for(begin, end, coverBody, &c);
  int64_t expected = 0;
  for (int64_t i = begin; i < end; ++i)
    expected += i;
  EXPECT_EQ(c.sum.load(), expected) << "[" << begin << ", " << end << ")";
  for (int64_t i = 0; i < end - begin; ++i)
    ASSERT_EQ(c.hits[i].load(), 1) << "index " << begin + i;
}

TEST_F(ThreadPool, SumsOverRanges) {
  for (int threads : {1, 2, 3, 8}) {
    ASSERT_OK(sluice_set_num_threads(threads));
    EXPECT_EQ(sluice_get_num_threads(), threads);
    expectCovered(0, 1000000);
    expectCovered(-50, 50);
    expectCovered(7, 8);
    expectCovered(0, 3);
    expectCovered(100, 137);
  }
}

TEST_F(ThreadPool, EmptyAndReversedRangesDoNothing) {
  ASSERT_OK(sluice_set_num_threads(4));
  Coverage c(0, 1);
  sluice_rt_parallel_for(5, 5, coverBody, &c);
  sluice_rt_parallel_for(9, 2, coverBody, &c);
  EXPECT_EQ(c.calls.load(), 0);
  sluice_rt_parallel_for(0, 10, nullptr, &c); // Ignored, no crash.
}

void wholeRangeBody(int64_t lo, int64_t hi, void *ctx) {
  auto *calls = static_cast<std::vector<std::pair<int64_t, int64_t>> *>(ctx);
  calls->emplace_back(lo, hi);
}

TEST_F(ThreadPool, RangeWiderThanInt64RunsSerially) {
  ASSERT_OK(sluice_set_num_threads(4));
  std::vector<std::pair<int64_t, int64_t>> calls;
  sluice_rt_parallel_for(INT64_MIN, INT64_MAX, wholeRangeBody, &calls);
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].first, INT64_MIN);
  EXPECT_EQ(calls[0].second, INT64_MAX);
}

struct NestedCtx {
  std::atomic<int> innerCalls{0};
  std::atomic<int> innerOnOtherThread{0};
  std::atomic<int64_t> total{0};
};

void innerBody(int64_t lo, int64_t hi, void *ctx) {
  auto *n = static_cast<std::pair<NestedCtx *, std::thread::id> *>(ctx);
  n->first->innerCalls.fetch_add(1);
  if (std::this_thread::get_id() != n->second)
    n->first->innerOnOtherThread.fetch_add(1);
  n->first->total.fetch_add(hi - lo);
}

void outerBody(int64_t lo, int64_t hi, void *ctx) {
  auto *n = static_cast<NestedCtx *>(ctx);
  for (int64_t i = lo; i < hi; ++i) {
    std::pair<NestedCtx *, std::thread::id> inner{n,
                                                  std::this_thread::get_id()};
    int before = n->innerCalls.load();
    sluice_rt_parallel_for(0, 100, innerBody, &inner);
    (void)before;
  }
}

TEST_F(ThreadPool, NestedCallsRunSerially) {
  ASSERT_OK(sluice_set_num_threads(4));
  NestedCtx n;
  sluice_rt_parallel_for(0, 16, outerBody, &n);
  // Each inner loop ran as one call on the thread of its outer chunk.
  EXPECT_EQ(n.innerCalls.load(), 16);
  EXPECT_EQ(n.innerOnOtherThread.load(), 0);
  EXPECT_EQ(n.total.load(), 1600);
}

struct ThreadIds {
  std::mutex mutex;
  std::set<std::thread::id> ids;
};

void recordThread(int64_t, int64_t, void *ctx) {
  auto *t = static_cast<ThreadIds *>(ctx);
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  std::lock_guard<std::mutex> lock(t->mutex);
  t->ids.insert(std::this_thread::get_id());
}

TEST_F(ThreadPool, UsesWorkersAndTheCaller) {
  ASSERT_OK(sluice_set_num_threads(4));
  ThreadIds t;
  sluice_rt_parallel_for(0, 64, recordThread, &t);
  EXPECT_GT(t.ids.size(), 1u);
  EXPECT_LE(t.ids.size(), 4u);

  ASSERT_OK(sluice_set_num_threads(1));
  ThreadIds serial;
  sluice_rt_parallel_for(0, 8, recordThread, &serial);
  ASSERT_EQ(serial.ids.size(), 1u);
  EXPECT_EQ(*serial.ids.begin(), std::this_thread::get_id());
}

TEST_F(ThreadPool, ConcurrentSubmitters) {
  ASSERT_OK(sluice_set_num_threads(3));
  std::vector<std::thread> submitters;
  std::atomic<int> bad{0};
  for (int s = 0; s < 4; ++s)
    submitters.emplace_back([&] {
      for (int iter = 0; iter < 50; ++iter) {
        Coverage c(0, 5000);
        sluice_rt_parallel_for(0, 5000, coverBody, &c);
        if (c.sum.load() != int64_t(5000) * 4999 / 2)
          bad.fetch_add(1);
      }
    });
  for (std::thread &t : submitters)
    t.join();
  EXPECT_EQ(bad.load(), 0);
}

TEST_F(ThreadPool, ManySmallLoops) {
  ASSERT_OK(sluice_set_num_threads(4));
  Coverage c(0, 2);
  for (int i = 0; i < 20000; ++i)
    sluice_rt_parallel_for(0, 2, coverBody, &c);
  EXPECT_EQ(c.hits[0].load(), 20000);
  EXPECT_EQ(c.hits[1].load(), 20000);
}

/// Loops of 2 to 9 items back to back, each checked: a stale worker taking
/// part in the next loop, or a loop returning before its chunks are done,
/// shows up as a wrong sum or a double hit.
void backToBack(int iterations) {
  for (int i = 0; i < iterations; ++i) {
    int64_t n = 2 + i % 8;
    Coverage c(0, n);
    sluice_rt_parallel_for(0, n, coverBody, &c);
    ASSERT_EQ(c.sum.load(), n * (n - 1) / 2) << "loop " << i;
    for (int64_t j = 0; j < n; ++j)
      ASSERT_EQ(c.hits[j].load(), 1) << "loop " << i << " index " << j;
  }
}

TEST_F(ThreadPool, BackToBackLoopsWhileWorkersSpin) {
  for (int threads : {2, 3, 8}) {
    ASSERT_OK(sluice_set_num_threads(threads));
    backToBack(20000);
  }
}

TEST_F(ThreadPool, BackToBackLoopsWithoutSpinning) {
  setenv("SLUICE_POOL_SPIN_US", "0", 1);
  ASSERT_OK(sluice_set_num_threads(1));
  ASSERT_OK(sluice_set_num_threads(3)); // Reads the spin budget.
  backToBack(5000);
}

TEST_F(ThreadPool, LoopsAfterWorkersFellAsleep) {
  setenv("SLUICE_POOL_SPIN_US", "200", 1);
  ASSERT_OK(sluice_set_num_threads(1));
  ASSERT_OK(sluice_set_num_threads(3));
  for (int i = 0; i < 20; ++i) {
    // Longer than the spin budget: the workers sleep and must be woken.
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    expectCovered(0, 1000);
    Coverage c(0, 2);
    sluice_rt_parallel_for(0, 2, coverBody, &c);
    ASSERT_EQ(c.hits[0].load() + c.hits[1].load(), 2);
  }
}

TEST_F(ThreadPool, ResizeWhileWorkersSpin) {
  setenv("SLUICE_POOL_SPIN_US", "100000", 1); // 100 ms: still spinning.
  for (int i = 0; i < 50; ++i) {
    ASSERT_OK(sluice_set_num_threads(2 + i % 3));
    expectCovered(0, 100);
  }
}

double processCpuSeconds() {
  rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec +
         1e-6 * (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec);
}

TEST_F(ThreadPool, IdleWorkersStopSpinning) {
  // The default budget (50 us): 300 ms idle after a loop must cost the
  // process far less than the 300 ms per worker that unbounded spinning
  // would (a generous bound: the loaded test machine adds noise).
  ASSERT_OK(sluice_set_num_threads(1));
  ASSERT_OK(sluice_set_num_threads(3));
  expectCovered(0, 100000);
  double before = processCpuSeconds();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  double idle = processCpuSeconds() - before;
  EXPECT_LT(idle, 0.06) << "CPU seconds used by an idle 3-thread pool";
}

TEST_F(ThreadPool, ConcurrentSubmittersBackToBack) {
  ASSERT_OK(sluice_set_num_threads(2));
  std::vector<std::thread> submitters;
  std::atomic<int> bad{0};
  for (int s = 0; s < 3; ++s)
    submitters.emplace_back([&] {
      for (int iter = 0; iter < 3000; ++iter) {
        Coverage c(0, 3);
        sluice_rt_parallel_for(0, 3, coverBody, &c);
        if (c.sum.load() != 3 || c.hits[0] != 1 || c.hits[1] != 1 ||
            c.hits[2] != 1)
          bad.fetch_add(1);
      }
    });
  for (std::thread &t : submitters)
    t.join();
  EXPECT_EQ(bad.load(), 0);
}

TEST_F(ThreadPool, NestedLoopsWithoutSpinning) {
  // Workers woken from sleep run bodies as nested (a loop inside runs
  // serially on that worker).
  setenv("SLUICE_POOL_SPIN_US", "0", 1);
  ASSERT_OK(sluice_set_num_threads(1));
  ASSERT_OK(sluice_set_num_threads(4));
  NestedCtx n;
  sluice_rt_parallel_for(0, 16, outerBody, &n);
  EXPECT_EQ(n.innerCalls.load(), 16);
  EXPECT_EQ(n.innerOnOtherThread.load(), 0);
  EXPECT_EQ(n.total.load(), 1600);
}

struct Chunks {
  std::mutex mutex;
  std::vector<std::pair<int64_t, int64_t>> ranges;
};

void recordChunk(int64_t lo, int64_t hi, void *ctx) {
  auto *c = static_cast<Chunks *>(ctx);
  std::lock_guard<std::mutex> lock(c->mutex);
  c->ranges.emplace_back(lo, hi);
}

TEST_F(ThreadPool, ChunksAreBalanced) {
  // 43 items on 2 threads: 8 chunks of 5 or 6 (not 7 of 6 and one of 1),
  // covering the range without overlap.
  ASSERT_OK(sluice_set_num_threads(2));
  for (int64_t count : {43, 8, 9, 1000001}) {
    Chunks c;
    sluice_rt_parallel_for(10, 10 + count, recordChunk, &c);
    std::sort(c.ranges.begin(), c.ranges.end());
    ASSERT_EQ(c.ranges.size(), 8u) << count;
    int64_t at = 10, shortest = INT64_MAX, longest = 0;
    for (auto &r : c.ranges) {
      EXPECT_EQ(r.first, at) << count;
      at = r.second;
      shortest = std::min(shortest, r.second - r.first);
      longest = std::max(longest, r.second - r.first);
    }
    EXPECT_EQ(at, 10 + count);
    EXPECT_LE(longest - shortest, 1) << count;
  }
}

TEST_F(ThreadPool, EnvironmentVariable) {
  setenv("SLUICE_NUM_THREADS", "5", 1);
  ASSERT_OK(sluice_set_num_threads(0));
  EXPECT_EQ(sluice_get_num_threads(), 5);
  expectCovered(0, 12345);
  // An explicit setting wins over the environment.
  ASSERT_OK(sluice_set_num_threads(2));
  EXPECT_EQ(sluice_get_num_threads(), 2);
  // Invalid values fall back to all cores.
  unsigned hw = std::thread::hardware_concurrency();
  int cores = hw ? static_cast<int>(hw) : 1;
  for (const char *bad : {"abc", "0", "-3", "4x", ""}) {
    setenv("SLUICE_NUM_THREADS", bad, 1);
    ASSERT_OK(sluice_set_num_threads(-1));
    EXPECT_EQ(sluice_get_num_threads(), cores) << "'" << bad << "'";
  }
}

void resizeFromBody(int64_t, int64_t, void *ctx) {
  auto *statuses = static_cast<std::vector<std::atomic<int>> *>(ctx);
  sluice_status_t status = sluice_set_num_threads(2);
  (*statuses)[status == SLUICE_OK ? 0 : 1].fetch_add(1);
}

TEST_F(ThreadPool, ResizeFromInsideALoopIsRefused) {
  ASSERT_OK(sluice_set_num_threads(3));
  std::vector<std::atomic<int>> statuses(2);
  sluice_rt_parallel_for(0, 6, resizeFromBody, &statuses);
  EXPECT_EQ(statuses[0].load(), 0);
  EXPECT_EQ(statuses[1].load(), 6);
  EXPECT_EQ(sluice_get_num_threads(), 3);
}

TEST_F(ThreadPool, RejectsAbsurdThreadCount) {
  EXPECT_ERROR(sluice_set_num_threads(100000), SLUICE_ERROR_INVALID_ARGUMENT,
               "more than 4096");
}

} // namespace
