//===- pool_bench.cpp - the cost of sluice_rt_parallel_for ----------------===//
//
// What a parallel loop costs on the runtime's pool, at each thread count
// from 1 to max_threads, and the fused router gate at T = 1 (d = 2048,
// E = 64, k = 8, softmax) called directly:
//
//   empty        parallel_for(0, threads) with an empty body, back to back
//   gap 20us     the same with 20 us of the caller's own work between calls
//                (inside the pool's default spin budget)
//   gap 500us    ... 500 us between calls (past it: the workers sleep)
//   router_gate  sluice_uk_router_gate, T = 1, back to back
//   router_half  the same on half of w's rows (K = 1024), 1 thread
//
// Each line: the 10th percentile, median, 90th percentile and mean of the time per call (the
// caller's own work between calls is not counted) and the process's CPU
// time per call (all threads; spinning workers show up here; the gaps'
// wall time is subtracted, so it is approximate when the caller is
// preempted during a gap). Compare the pool's
// settings side by side in one session, e.g.
//
//   SLUICE_POOL_SPIN_US=0 build/bin/sluice_pool_bench 2
//   build/bin/sluice_pool_bench 2
//
//===----------------------------------------------------------------------===//

#include "sluice/runtime.h"
#include "sluice/ukernels.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <random>
#include <sys/resource.h>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

double cpuSeconds() {
  rusage u;
  getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec +
         1e-6 * (u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

void emptyBody(int64_t, int64_t, void *) {}

/// Busy work on the caller for `us` microseconds (not timed).
void spinFor(double us) {
  auto end = Clock::now() + std::chrono::nanoseconds(int64_t(us * 1000));
  while (Clock::now() < end) {
  }
}

/// Per-call times of `call` (us) over 15 batches of `calls`, with `gapUs`
/// of untimed caller work before each: the median, the 90th percentile and
/// the mean (on a loaded machine the mean carries the preemptions), and the
/// process's CPU us per call (all threads, the gaps' own time removed).
void measure(const char *name, int threads, int calls, double gapUs,
             const std::function<void()> &call) {
  for (int i = 0; i < 50; ++i)
    call();
  std::vector<double> times;
  times.reserve(15 * calls);
  double cpu0 = cpuSeconds(), gapCpu = 0, sum = 0;
  for (int i = 0; i < 15 * calls; ++i) {
    if (gapUs > 0) {
      auto g0 = Clock::now();
      spinFor(gapUs);
      gapCpu += std::chrono::duration<double>(Clock::now() - g0).count();
    }
    auto t0 = Clock::now();
    call();
    double us = std::chrono::duration<double>(Clock::now() - t0).count() * 1e6;
    times.push_back(us);
    sum += us;
  }
  double cpu = (cpuSeconds() - cpu0 - gapCpu) / times.size() * 1e6;
  std::sort(times.begin(), times.end());
  std::printf("%-16s threads=%d  p10 %8.3f us  median %8.3f us  p90 %8.3f "
              "us  mean %8.3f us  cpu %.3f us/call\n",
              name, threads, times[times.size() / 10], times[times.size() / 2],
              times[times.size() * 9 / 10], sum / times.size(), cpu);
  std::fflush(stdout);
}

} // namespace

int main(int argc, char **argv) {
  int maxThreads = argc > 1 ? std::atoi(argv[1]) : 2;
  if (maxThreads < 1)
    maxThreads = 1;
  const char *filter = argc > 2 ? argv[2] : "";
  const char *spin = std::getenv("SLUICE_POOL_SPIN_US");
  std::printf("SLUICE_POOL_SPIN_US=%s\n", spin ? spin : "(unset)");

  // Router gate, T = 1, d = 2048, E = 64, k = 8, softmax.
  const int64_t K = 2048, E = 64, k = 8;
  std::mt19937 rng(7);
  std::normal_distribution<float> dist(0.0f, 1.0f);
  std::vector<float> x(K), w(K * E), weights(k);
  std::vector<int32_t> indices(k);
  for (float &v : x)
    v = dist(rng);
  for (float &v : w)
    v = dist(rng) * 0.02f;
  sluice_uk_router_gate_args g;
  std::memset(&g, 0, sizeof g);
  g.T = 1;
  g.E = E;
  g.K = K;
  g.x = x.data();
  g.ldx = K;
  g.w = w.data();
  g.ldw = E;
  g.k = k;
  g.score = SLUICE_UK_SCORE_SOFTMAX;
  float one = 1.0f;
  uint32_t oneBits;
  std::memcpy(&oneBits, &one, 4);
  g.scale_bits = oneBits;
  g.temperature_bits = oneBits;
  g.groups = 1;
  g.weights = weights.data();
  g.ld_weights = k;
  g.indices = indices.data();
  g.ld_indices = k;

  for (int threads = 1; threads <= maxThreads; ++threads) {
    if (sluice_set_num_threads(threads) != SLUICE_OK) {
      std::fprintf(stderr, "error: %s\n", sluice_last_error());
      return 1;
    }
    auto want = [&](const char *name) { return std::strstr(name, filter); };
    auto loop = [&] { sluice_rt_parallel_for(0, threads, emptyBody, nullptr); };
    if (want("empty"))
      measure("empty", threads, 2000, 0, loop);
    if (want("gap 20us"))
      measure("gap 20us", threads, 400, 20, loop);
    if (want("gap 500us"))
      measure("gap 500us", threads, 40, 500, loop);
    if (want("router_gate"))
      measure("router_gate T=1", threads, 2000, 0,
              [&] { sluice_uk_router_gate(&g); });
    // Half of the router's rows on one thread (K = 1024: 256 KiB of w,
    // contiguous, what each of 2 threads reads in the split decode path):
    // the floor of the split's time on a quiet machine.
    if (threads == 1 && want("router_half")) {
      sluice_uk_router_gate_args half = g;
      half.K = K / 2;
      measure("router_half K=1024", threads, 2000, 0,
              [&] { sluice_uk_router_gate(&half); });
    }
  }
  return 0;
}
