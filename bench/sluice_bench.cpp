//===- sluice_bench.cpp - time one function of a compiled Sluice module ---===//
//
//   sluice_bench MODULE.so FUNCTION [SYM=N]... [--iters N] [--threads N]
//                [--pair MODULE2.so FUNCTION2 [--rounds N] [--budget-ms MS]]
//
// Binds seeded random inputs (integer inputs from their range hint), runs
// once (reported separately: first call), warms up, then times `iters` calls
// and prints one JSON object with the first, median and best times in ms.
//
// Paired mode (--pair): a second function (B, the treatment; FUNCTION is A,
// the baseline) gets its own inputs from the same seed (so inputs the two
// signatures share in the same order get the same values). After warm-up
// the two alternate in one process, A B / B A in alternate rounds, and each
// round gives one ratio B / A of wall times (and of process CPU times).
// The JSON gains "pair": the median of the per-round ratios with a
// distribution-free 95% confidence interval for it (order statistics of the
// rounds: the interval between the j-th and k-th smallest ratios, j and k
// from Binomial(n, 1/2)), so a ratio such as LoRA over its base GEMM is
// measured under the same machine load for both sides.
//
// Profiling (bench/run.py --profile): when SLUICE_BENCH_PERF_CTL and
// SLUICE_BENCH_PERF_ACK name perf's control / ack FIFOs (`perf record -D -1
// --control fifo:CTL,ACK`), sampling is enabled for the timed calls only, so
// the profile leaves out input generation and the first call.
//
//===----------------------------------------------------------------------===//

#include "sluice/runtime.h"
#include "sluice/ukernels.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <vector>

/// Sends `cmd` ("enable" / "disable") to perf's control FIFO and waits for
/// its ack; does nothing unless both FIFOs are named.
static void perfControl(const char *cmd) {
  const char *ctl = std::getenv("SLUICE_BENCH_PERF_CTL");
  const char *ack = std::getenv("SLUICE_BENCH_PERF_ACK");
  if (!ctl || !ack)
    return;
  if (FILE *f = std::fopen(ctl, "w")) {
    std::fprintf(f, "%s\n", cmd);
    std::fclose(f);
  }
  if (FILE *f = std::fopen(ack, "r")) {
    char buf[16];
    (void)std::fgets(buf, sizeof(buf), f);
    std::fclose(f);
  }
}

static int die(const char *what) {
  std::fprintf(stderr, "sluice_bench: %s: %s\n", what, sluice_last_error());
  return 1;
}


namespace {

/// One function of a loaded module with seeded random inputs bound.
struct Bench {
  sluice_module_t *mod = nullptr;
  sluice_call_t *call = nullptr;
  std::vector<sluice_tensor_t *> owned;
  double lastCpu = 0;

  ~Bench() {
    for (sluice_tensor_t *t : owned)
      sluice_tensor_free(t);
    if (call)
      sluice_call_free(call);
    if (mod)
      sluice_module_free(mod);
  }

  /// Time spent binding inputs (packing weights included) and the packed
  /// copies' bytes after binding.
  double bindMs = 0;
  int64_t packedAtBind = 0;

  /// Loads `path`, creates a call of `fn` and binds its inputs; prints the
  /// runtime's error and returns false on failure.
  bool setup(const char *path, const char *fn,
             std::map<std::string, int64_t> &dims) {
    if (sluice_module_load(path, &mod) != SLUICE_OK)
      return die("load") == 0;
    if (sluice_call_create(mod, fn, &call) != SLUICE_OK)
      return die("call") == 0;
    const sluice_function_t *f = sluice_call_function(call);
    std::mt19937_64 rng(42);
    for (int64_t i = 0; i < sluice_function_num_inputs(f); ++i) {
      const sluice_param_t *p = sluice_function_input(f, i);
      std::vector<int64_t> shape;
      for (int64_t d = 0; d < sluice_param_rank(p); ++d) {
        int64_t s = sluice_param_dim_size(p, d);
        if (s < 0) {
          const char *sym = sluice_param_dim_symbol(p, d);
          s = dims.count(sym) ? dims[sym] : 1;
        }
        shape.push_back(s);
      }
      sluice_tensor_t *t;
      if (sluice_tensor_create(sluice_param_dtype(p), shape.size(),
                               shape.data(), &t) != SLUICE_OK)
        return die("tensor") == 0;
      owned.push_back(t);
      int64_t n = sluice_tensor_num_elements(t), lo = 0, hi = 2;
      sluice_param_range(p, &lo, &hi);
      void *data = sluice_tensor_data(t);
      float scale = 1.0f;
      if (sluice_param_role(p) == SLUICE_ROLE_WEIGHT && shape.size() >= 2)
        scale = 1.0f /
                std::sqrt((float)std::max<int64_t>(1, shape[shape.size() - 2]));
      std::uniform_real_distribution<float> u(-scale, scale);
      std::uniform_int_distribution<int64_t> ui(lo, std::max(lo, hi - 1));
      switch (sluice_param_dtype(p)) {
      case SLUICE_DTYPE_F32:
        for (int64_t j = 0; j < n; ++j)
          ((float *)data)[j] = u(rng);
        break;
      case SLUICE_DTYPE_I32:
        for (int64_t j = 0; j < n; ++j)
          ((int32_t *)data)[j] = (int32_t)ui(rng);
        break;
      default:
        for (int64_t j = 0; j < n; ++j)
          ((uint8_t *)data)[j] = (uint8_t)(ui(rng) != 0);
      }
      // Binding a weight may pack it (the default policy, docs/abi.md):
      // timed apart from the calls.
      auto b0 = std::chrono::steady_clock::now();
      if (sluice_call_bind_index(call, i, t) != SLUICE_OK)
        return die("bind") == 0;
      bindMs += std::chrono::duration<double, std::milli>(
                    std::chrono::steady_clock::now() - b0)
                    .count();
    }
    packedAtBind = sluice_uk_weights_packed_bytes();
    return true;
  }

  /// Runs one call; returns its wall time in ms (its process CPU time, all
  /// threads, in lastCpu: on a shared machine it moves less than wall time).
  double time() {
    auto cpuMs = [] {
      timespec ts;
      clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
      return 1e3 * ts.tv_sec + 1e-6 * ts.tv_nsec;
    };
    using Clock = std::chrono::steady_clock;
    double c0 = cpuMs();
    auto t0 = Clock::now();
    if (sluice_call_run(call) != SLUICE_OK)
      std::exit(die("run"));
    double ms =
        std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    lastCpu = cpuMs() - c0;
    return ms;
  }
};

/// The median of `v` and a distribution-free confidence interval for it:
/// [v_(j+1), v_(n-j)] (order statistics, 1-based) covers the median with
/// probability 1 - 2 P(Bin(n, 1/2) <= j); j is the largest with that >= 95%.
/// Returns the coverage (below 95% only for fewer than 6 rounds, where the
/// interval is the whole range).
double medianCI(std::vector<double> v, double *med, double *lo, double *hi) {
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  *med = n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
  double cdf = 0, pk = std::pow(0.5, (double)n); // P(Bin = k)
  size_t j = 0;
  double coverage = 1 - 2 * pk;
  for (size_t k = 0; 2 * k + 1 < n; ++k) {
    cdf += pk;
    if (cdf > 0.025)
      break;
    j = k;
    coverage = 1 - 2 * cdf;
    pk *= (double)(n - k) / (double)(k + 1);
  }
  *lo = v[j];
  *hi = v[n - 1 - j];
  return coverage;
}

} // namespace

/// Prints the statistics of one function's timed calls as JSON members.
static void printStats(double first, double firstCpu, std::vector<double> ts,
                       std::vector<double> cs) {
  std::sort(ts.begin(), ts.end());
  std::sort(cs.begin(), cs.end());
  std::printf("\"first_ms\": %.4f, \"median_ms\": %.4f, \"best_ms\": %.4f, "
              "\"first_cpu_ms\": %.4f, \"median_cpu_ms\": %.4f, "
              "\"cpu_median_ms\": %.4f, \"cpu_best_ms\": %.4f, "
              "\"iters\": %zu",
              first, ts[ts.size() / 2], ts[0], firstCpu, cs[cs.size() / 2],
              cs[cs.size() / 2], cs[0], ts.size());
}

int main(int argc, char **argv) {
  if (argc < 3) {
    std::fprintf(stderr,
                 "usage: sluice_bench MODULE.so FUNCTION [SYM=N]... "
                 "[--iters N] [--threads N] [--pair MODULE2.so FUNCTION2 "
                 "[--rounds N] [--budget-ms MS]]\n");
    return 2;
  }
  std::map<std::string, int64_t> dims;
  int iters = 20, threads = 0, rounds = 31;
  double budgetMs = 20000;
  const char *pairModule = nullptr, *pairFn = nullptr;
  for (int i = 3; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--iters" && i + 1 < argc)
      iters = std::atoi(argv[++i]);
    else if (a == "--threads" && i + 1 < argc)
      threads = std::atoi(argv[++i]);
    else if (a == "--rounds" && i + 1 < argc)
      rounds = std::atoi(argv[++i]);
    else if (a == "--budget-ms" && i + 1 < argc)
      budgetMs = std::atof(argv[++i]);
    else if (a == "--pair" && i + 2 < argc) {
      pairModule = argv[++i];
      pairFn = argv[++i];
    } else if (a.find('=') != std::string::npos && a[0] != '-')
      dims[a.substr(0, a.find('='))] = std::atoll(a.c_str() + a.find('=') + 1);
    else {
      std::fprintf(stderr, "sluice_bench: unknown or incomplete argument '%s'\n",
                   a.c_str());
      return 2;
    }
  }
  if (iters < 1 || rounds < 1) {
    std::fprintf(stderr, "sluice_bench: --iters and --rounds must be >= 1\n");
    return 2;
  }
  if (sluice_set_num_threads(threads) != SLUICE_OK)
    return die("threads");
  Bench a;
  if (!a.setup(argv[1], argv[2], dims))
    return 1;

  if (!pairModule) {
    double first = a.time();
    double firstCpu = a.lastCpu;
    // The second call apart too: with weights packed from the second call
    // on (SLUICE_UK_PREPACK=2) it is the one that packs.
    double second = a.time();
    double secondCpu = a.lastCpu;
    a.time();
    std::vector<double> ts, cs;
    double budget = 0;
    perfControl("enable");
    for (int i = 0; i < iters && (i < 3 || budget < 10000); ++i) {
      ts.push_back(a.time());
      cs.push_back(a.lastCpu);
      budget += ts.back();
    }
    perfControl("disable");
    std::printf("{");
    printStats(first, firstCpu, ts, cs);
    std::printf(", \"second_ms\": %.4f, \"second_cpu_ms\": %.4f, "
                "\"bind_ms\": %.4f, \"packed_at_bind_bytes\": %lld, "
                "\"packed_after_bytes\": %lld, \"threads\": %d}\n",
                second, secondCpu, a.bindMs, (long long)a.packedAtBind,
                (long long)sluice_uk_weights_packed_bytes(),
                sluice_get_num_threads());
    return 0;
  }

  // Paired: A and B alternate (A B, then B A, ...) after their first calls
  // and two warm-up rounds; one ratio B / A per round.
  Bench b;
  if (!b.setup(pairModule, pairFn, dims))
    return 1;
  double firstA = a.time(), firstCpuA = a.lastCpu;
  double firstB = b.time(), firstCpuB = b.lastCpu;
  for (int i = 0; i < 2; ++i) {
    a.time();
    b.time();
  }
  std::vector<double> ta, ca, tb, cb, ratio, cpuRatio;
  double spent = 0;
  const int minRounds = std::min(rounds, 11);
  perfControl("enable");
  for (int r = 0; r < rounds && (r < minRounds || spent < budgetMs); ++r) {
    double wa, wb, xa, xb;
    if (r % 2 == 0) {
      wa = a.time(), xa = a.lastCpu;
      wb = b.time(), xb = b.lastCpu;
    } else {
      wb = b.time(), xb = b.lastCpu;
      wa = a.time(), xa = a.lastCpu;
    }
    ta.push_back(wa), ca.push_back(xa), tb.push_back(wb), cb.push_back(xb);
    ratio.push_back(wb / wa);
    cpuRatio.push_back(xa > 0 ? xb / xa : 0);
    spent += wa + wb;
  }
  perfControl("disable");
  double med, lo, hi, cmed, clo, chi;
  double coverage = medianCI(ratio, &med, &lo, &hi);
  medianCI(cpuRatio, &cmed, &clo, &chi);
  std::printf("{");
  printStats(firstA, firstCpuA, ta, ca);
  std::printf(", \"threads\": %d, \"pair\": {\"b\": {",
              sluice_get_num_threads());
  printStats(firstB, firstCpuB, tb, cb);
  std::printf("}, \"rounds\": %zu, \"ratio_median\": %.5f, "
              "\"ratio_ci_lo\": %.5f, \"ratio_ci_hi\": %.5f, "
              "\"ci_coverage\": %.4f, \"cpu_ratio_median\": %.5f, "
              "\"cpu_ratio_ci_lo\": %.5f, \"cpu_ratio_ci_hi\": %.5f}}\n",
              ratio.size(), med, lo, hi, coverage, cmed, clo, chi);
  return 0;
}
