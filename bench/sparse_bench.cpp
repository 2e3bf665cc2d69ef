//===- sparse_bench.cpp - sluice_uk_sparse_matmul alone -------------------===//
//
// Times the sparse-input micro-kernel on one [N, M] weight matrix:
//
//   sluice_sparse_bench T N M KEEP THREADS [ITERS]
//
// KEEP is the fraction of inputs each token keeps (random positions, drawn
// independently per token, as top-k of random activations gives). Prints the
// median wall and process-CPU ms per call after one warm-up call, and the
// GB/s of weight rows read (the union of the tile's kept rows). Used for
// before / after comparisons and under `perf stat`; bench/run.py measures
// the whole MLP (cases/sparse_mlp.mlir).
//
//===----------------------------------------------------------------------===//

#include "sluice/runtime.h"
#include "sluice/ukernels.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <random>
#include <vector>

int main(int argc, char **argv) {
  if (argc < 6) {
    std::fprintf(stderr,
                 "usage: sluice_sparse_bench T N M KEEP THREADS [ITERS]\n");
    return 2;
  }
  int64_t T = std::atoll(argv[1]), N = std::atoll(argv[2]),
          M = std::atoll(argv[3]);
  double keep = std::atof(argv[4]);
  int threads = std::atoi(argv[5]);
  int iters = argc > 6 ? std::atoi(argv[6]) : 20;
  if (T < 1 || N < 1 || M < 1 || keep < 0 || keep > 1 || threads < 1 ||
      iters < 1) {
    std::fprintf(stderr, "sluice_sparse_bench: bad arguments\n");
    return 2;
  }
  sluice_set_num_threads(threads);
  std::mt19937 rng(42);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  std::vector<float> w(static_cast<size_t>(N * M)), x(T * N, 0.0f),
      y(T * M);
  for (float &v : w)
    v = u(rng);
  std::vector<int64_t> idx(N);
  for (int64_t t = 0; t < T; ++t) {
    for (int64_t n = 0; n < N; ++n)
      idx[n] = n;
    std::shuffle(idx.begin(), idx.end(), rng);
    int64_t k = static_cast<int64_t>(keep * N + 0.5);
    for (int64_t i = 0; i < k; ++i)
      x[t * N + idx[i]] = u(rng) + 2.0f;
  }
  // Rows read: the union over each tile of 8 tokens.
  int64_t rowsRead = 0;
  for (int64_t t0 = 0; t0 < T; t0 += 8)
    for (int64_t n = 0; n < N; ++n) {
      bool any = false;
      for (int64_t t = t0; t < std::min(T, t0 + 8); ++t)
        any |= x[t * N + n] != 0.0f;
      rowsRead += any;
    }
  sluice_uk_sparse_matmul_args a{};
  a.T = T;
  a.N = N;
  a.M = M;
  a.x = x.data();
  a.ldx = N;
  a.w = w.data();
  a.ldw = M;
  a.y = y.data();
  a.ldy = M;
  std::vector<double> wall, cpu;
  for (int i = 0; i <= iters; ++i) {
    timespec c0, c1;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
    auto t0 = std::chrono::steady_clock::now();
    sluice_uk_sparse_matmul(&a);
    auto t1 = std::chrono::steady_clock::now();
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
    if (i == 0)
      continue;
    wall.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    cpu.push_back((c1.tv_sec - c0.tv_sec) * 1e3 +
                  (c1.tv_nsec - c0.tv_nsec) * 1e-6);
  }
  std::sort(wall.begin(), wall.end());
  std::sort(cpu.begin(), cpu.end());
  double ms = wall[wall.size() / 2];
  double gb = double(rowsRead) * M * 4 / 1e9;
  std::printf("T=%lld N=%lld M=%lld keep=%.2f threads=%d: median %.3f ms "
              "(best %.3f), cpu %.3f ms, rows read %lld (%.1f GB/s), "
              "y[0]=%g\n",
              (long long)T, (long long)N, (long long)M, keep, threads, ms,
              wall[0], cpu[cpu.size() / 2], (long long)rowsRead,
              gb / (ms * 1e-3), y[0]);
  return 0;
}
