//===- sluice_bench.cpp - time one function of a compiled Sluice module ---===//
//
//   sluice_bench MODULE.so FUNCTION [SYM=N]... [--iters N] [--threads N]
//
// Binds seeded random inputs (integer inputs from their range hint), runs
// once (reported separately: first call), warms up, then times `iters` calls
// and prints one JSON object with the first, median and best times in ms.
//
// Profiling (bench/run.py --profile): when SLUICE_BENCH_PERF_CTL and
// SLUICE_BENCH_PERF_ACK name perf's control / ack FIFOs (`perf record -D -1
// --control fifo:CTL,ACK`), sampling is enabled for the timed calls only, so
// the profile leaves out input generation and the first call.
//
//===----------------------------------------------------------------------===//

#include "sluice/runtime.h"

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
#include <ctime>
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

int main(int argc, char **argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: sluice_bench MODULE.so FUNCTION [SYM=N]... "
                         "[--iters N] [--threads N]\n");
    return 2;
  }
  std::map<std::string, int64_t> dims;
  int iters = 20, threads = 0;
  for (int i = 3; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--iters" && i + 1 < argc)
      iters = std::atoi(argv[++i]);
    else if (a == "--threads" && i + 1 < argc)
      threads = std::atoi(argv[++i]);
    else if (a.find('=') != std::string::npos)
      dims[a.substr(0, a.find('='))] = std::atoll(a.c_str() + a.find('=') + 1);
  }
  if (sluice_set_num_threads(threads) != SLUICE_OK)
    return die("threads");
  sluice_module_t *mod;
  if (sluice_module_load(argv[1], &mod) != SLUICE_OK)
    return die("load");
  sluice_call_t *call;
  if (sluice_call_create(mod, argv[2], &call) != SLUICE_OK)
    return die("call");
  const sluice_function_t *fn = sluice_call_function(call);
  std::vector<sluice_tensor_t *> owned;
  std::mt19937_64 rng(42);
  for (int64_t i = 0; i < sluice_function_num_inputs(fn); ++i) {
    const sluice_param_t *p = sluice_function_input(fn, i);
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
    if (sluice_tensor_create(sluice_param_dtype(p), shape.size(), shape.data(),
                             &t) != SLUICE_OK)
      return die("tensor");
    owned.push_back(t);
    int64_t n = sluice_tensor_num_elements(t), lo = 0, hi = 2;
    sluice_param_range(p, &lo, &hi);
    void *data = sluice_tensor_data(t);
    float scale = 1.0f;
    if (sluice_param_role(p) == SLUICE_ROLE_WEIGHT && shape.size() >= 2)
      scale = 1.0f / std::sqrt((float)std::max<int64_t>(1, shape[shape.size() - 2]));
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
    if (sluice_call_bind_index(call, i, t) != SLUICE_OK)
      return die("bind");
  }
  using Clock = std::chrono::steady_clock;
  // Process CPU time (all threads) of each call too: on a machine shared
  // with other jobs it moves less than the wall time.
  auto cpuMs = [] {
    timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return 1e3 * ts.tv_sec + 1e-6 * ts.tv_nsec;
  };
  double lastCpu = 0;
  auto time = [&] {
    double c0 = cpuMs();
    auto t0 = Clock::now();
    if (sluice_call_run(call) != SLUICE_OK)
      std::exit(die("run"));
    double ms =
        std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    lastCpu = cpuMs() - c0;
    return ms;
  };
  double first = time();
  double firstCpu = lastCpu;
  for (int i = 0; i < 2; ++i)
    time();
  std::vector<double> ts, cs;
  double budget = 0;
  perfControl("enable");
  for (int i = 0; i < iters && (i < 3 || budget < 10000); ++i) {
    ts.push_back(time());
    cs.push_back(lastCpu);
    budget += ts.back();
  }
  perfControl("disable");
  std::sort(ts.begin(), ts.end());
  std::sort(cs.begin(), cs.end());
  std::printf("{\"first_ms\": %.4f, \"median_ms\": %.4f, \"best_ms\": %.4f, "
              "\"first_cpu_ms\": %.4f, \"median_cpu_ms\": %.4f, "
              "\"cpu_median_ms\": %.4f, \"cpu_best_ms\": %.4f, "
              "\"iters\": %zu, \"threads\": %d}\n",
              first, ts[ts.size() / 2], ts[0], firstCpu, cs[cs.size() / 2],
              cs[cs.size() / 2], cs[0],
              ts.size(), sluice_get_num_threads());
  for (sluice_tensor_t *t : owned)
    sluice_tensor_free(t);
  sluice_call_free(call);
  sluice_module_free(mod);
  return 0;
}
