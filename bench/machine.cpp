//===- machine.cpp - the machine's own ceilings: FMA peak and bandwidth ---===//
//
// Prints JSON: fp32 FMA peak (GFLOP/s) and STREAM triad / read-only
// bandwidth (GB/s) for 1..N threads. These are the ceilings every benchmark
// in bench/ is compared against, measured in the same run.
//
//===----------------------------------------------------------------------===//

#include <immintrin.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

using Clock = std::chrono::steady_clock;

/// Runs `fn(thread)` on `n` threads at once; returns the wall time in s.
template <typename F> static double onThreads(int n, F fn) {
  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> ts;
  for (int i = 0; i < n; ++i)
    ts.emplace_back([&, i] {
      ready++;
      while (!go.load())
        ;
      fn(i);
    });
  while (ready.load() != n)
    ;
  auto t0 = Clock::now();
  go = true;
  for (auto &t : ts)
    t.join();
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

/// 12 independent FMA chains of 8 floats (AVX2): enough to cover latency x
/// throughput on current cores.
static __attribute__((noinline)) float fmaLoop(long iters) {
  __m256 a[12];
  for (int i = 0; i < 12; ++i)
    a[i] = _mm256_set1_ps(1.0f + i * 1e-3f);
  const __m256 b = _mm256_set1_ps(0.999999f), c = _mm256_set1_ps(1e-7f);
  for (long it = 0; it < iters; ++it)
    for (int i = 0; i < 12; ++i)
      a[i] = _mm256_fmadd_ps(a[i], b, c);
  __m256 s = a[0];
  for (int i = 1; i < 12; ++i)
    s = _mm256_add_ps(s, a[i]);
  float out[8];
  _mm256_storeu_ps(out, s);
  return out[0];
}

static double fmaPeak(int threads) {
  const long iters = 20'000'000;
  volatile float sink = 0;
  double best = 0;
  for (int rep = 0; rep < 3; ++rep) {
    double s = onThreads(threads, [&](int) { sink = sink + fmaLoop(iters); });
    best = std::max(best, threads * iters * 12.0 * 8 * 2 / s / 1e9);
  }
  return best;
}

/// STREAM triad a = b + s c over `n` floats per thread, and a read-only sum.
static void bandwidth(int threads, double &triad, double &read) {
  const size_t n = 64u << 20; // 256 MiB per array per thread / threads
  size_t per = n / threads;
  std::vector<float> a(n), b(n, 1.0f), c(n, 2.0f);
  std::memset(a.data(), 0, n * sizeof(float));
  triad = read = 0;
  volatile float sink = 0;
  for (int rep = 0; rep < 5; ++rep) {
    double s = onThreads(threads, [&](int t) {
      float *pa = a.data() + t * per;
      const float *pb = b.data() + t * per, *pc = c.data() + t * per;
      for (size_t i = 0; i < per; ++i)
        pa[i] = pb[i] + 3.0f * pc[i];
    });
    triad = std::max(triad, 3.0 * n * sizeof(float) / s / 1e9);
    s = onThreads(threads, [&](int t) {
      const float *pb = b.data() + t * per;
      __m256 acc[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(),
                       _mm256_setzero_ps(), _mm256_setzero_ps()};
      for (size_t i = 0; i + 32 <= per; i += 32)
        for (int j = 0; j < 4; ++j)
          acc[j] = _mm256_add_ps(acc[j], _mm256_loadu_ps(pb + i + 8 * j));
      float out[8];
      _mm256_storeu_ps(out, _mm256_add_ps(_mm256_add_ps(acc[0], acc[1]),
                                          _mm256_add_ps(acc[2], acc[3])));
      sink = sink + out[0];
    });
    read = std::max(read, 1.0 * n * sizeof(float) / s / 1e9);
  }
}

int main(int argc, char **argv) {
  int maxThreads = argc > 1 ? std::atoi(argv[1])
                            : (int)std::thread::hardware_concurrency();
  std::printf("{\"threads\": [");
  for (int t = 1; t <= maxThreads; ++t) {
    double peak = fmaPeak(t), triad, read;
    bandwidth(t, triad, read);
    std::printf("%s{\"n\": %d, \"fma_gflops\": %.1f, \"triad_gbs\": %.1f, "
                "\"read_gbs\": %.1f}",
                t > 1 ? ", " : "", t, peak, triad, read);
  }
  std::printf("]}\n");
  return 0;
}
