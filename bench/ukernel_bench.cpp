//===- ukernel_bench.cpp - sluice_uk_gemm next to OpenBLAS and the peak ---===//
//
// GFLOP/s of sluice_uk_gemm on dense GEMM shapes and GB/s of weights read
// at M = 1 (each call reads another expert's weights, so they come from
// DRAM), next to OpenBLAS 0.3.21 (cblas_sgemm / cblas_sgemv, loaded with
// dlopen) and the machine's FMA peak and bandwidth (sluice_machine, run from
// the same directory; SLUICE_BENCH_SKIP_MACHINE=1 skips it), for 1 and 2
// threads; and an MoE decode step (grouped GLU gate/up, then the grouped
// down projection scattered with routing weights) next to 24 sgemv calls;
// and an MoE small batch (Mixtral-like, T = 32) with prepacked weights next
// to the same call on unregistered weights.
// Steady state: the median of timed calls after one warm-up call, whose
// time is printed apart; Sluice and OpenBLAS calls alternate, so both see
// the same load when other jobs share the machine.
//
//   unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE   # else OpenBLAS runs AVX2
//   kernels build/bin/sluice_ukernel_bench [max_threads [case-substring]]
//
//===----------------------------------------------------------------------===//

#include "sluice/runtime.h"
#include "sluice/ukernels.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <dlfcn.h>
#include <functional>
#include <random>
#include <string>
#include <unistd.h>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

double cpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

/// First call, median steady-state wall time (s) and median process CPU
/// time (all threads) of a call.
struct Timing {
  double first = 0, median = 0, cpu = 0;
};

/// Times fn(i) and, when given, base(i) (i counting calls) in alternation,
/// so that both see the same share of a machine that other jobs load: one
/// warm-up call each, then pairs until `budget` seconds (5 to 200 pairs).
/// Callers make call i of the two read different weights, so neither finds
/// the other's in cache.
void timePair(const std::function<void(int)> &fn,
              const std::function<void(int)> &base, Timing &tf, Timing &tb,
              double budget = 2.0) {
  std::vector<double> wall[2], cpu[2];
  const std::function<void(int)> *fns[2] = {&fn, &base};
  Timing *out[2] = {&tf, &tb};
  int n = base ? 2 : 1;
  double total = 0;
  for (int i = 0;
       (total < budget || wall[0].size() < 6) && wall[0].size() < 201; ++i)
    for (int j = 0; j < n; ++j) {
      double c0 = cpuSeconds();
      auto t = Clock::now();
      (*fns[j])(i);
      double s = std::chrono::duration<double>(Clock::now() - t).count();
      total += s;
      if (i == 0) {
        out[j]->first = s;
        continue;
      }
      wall[j].push_back(s);
      cpu[j].push_back(cpuSeconds() - c0);
    }
  for (int j = 0; j < n; ++j) {
    std::sort(wall[j].begin(), wall[j].end());
    std::sort(cpu[j].begin(), cpu[j].end());
    out[j]->median = wall[j][wall[j].size() / 2];
    out[j]->cpu = cpu[j][cpu[j].size() / 2];
  }
}

// OpenBLAS through dlopen (no link dependency; absent: baseline skipped).
using SgemmFn = void (*)(int, int, int, int, int, int, float, const float *,
                         int, const float *, int, float, float *, int);
using SgemvFn = void (*)(int, int, int, int, float, const float *, int,
                         const float *, int, float, float *, int);
using SetThreadsFn = void (*)(int);
struct OpenBlas {
  SgemmFn sgemm = nullptr;
  SgemvFn sgemv = nullptr;
  SetThreadsFn setThreads = nullptr;
  OpenBlas() {
    void *h = dlopen("libopenblas.so.0", RTLD_NOW | RTLD_LOCAL);
    if (!h)
      return;
    sgemm = reinterpret_cast<SgemmFn>(dlsym(h, "cblas_sgemm"));
    sgemv = reinterpret_cast<SgemvFn>(dlsym(h, "cblas_sgemv"));
    setThreads =
        reinterpret_cast<SetThreadsFn>(dlsym(h, "openblas_set_num_threads"));
  }
};
constexpr int kRowMajor = 101, kNoTrans = 111;

/// The machine's ceilings for `threads` threads, from sluice_machine.
struct Machine {
  double fma = 0, triad = 0, read = 0;
};

/// One row of a memory-bound case on `t` threads: first and median call
/// (ms), GB/s of `bytes` per call and its share of the machine's triad and
/// read bandwidth, then the baseline's GB/s (`tb`, when `haveBase`) and the
/// speedup over it; `baseline` names it.
void printBandwidthRow(int t, const char *name, double bytes,
                       const Timing &tu, const Timing &tb, bool haveBase,
                       const Machine &mc, const char *baseline) {
  double gbs = bytes / tu.median / 1e9;
  double ob = haveBase ? bytes / tb.median / 1e9 : 0;
  std::printf("%-7d %-22s %10.2f %10.3f %7.1f GB/s %4.0f%%tr %5.0f%%rd "
              "%5.1f GB/s %6.2fx (%s)\n",
              t, name, tu.first * 1e3, tu.median * 1e3, gbs,
              mc.triad > 0 ? 100 * gbs / mc.triad : 0.0,
              mc.read > 0 ? 100 * gbs / mc.read : 0.0, ob,
              ob > 0 ? gbs / ob : 0.0, baseline);
}
std::vector<Machine> measureMachine(int maxThreads) {
  std::vector<Machine> out(maxThreads + 1);
  if (std::getenv("SLUICE_BENCH_SKIP_MACHINE"))
    return out;
  char self[4096];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0)
    return out;
  self[n] = 0;
  std::string cmd(self);
  cmd = cmd.substr(0, cmd.rfind('/')) + "/sluice_machine " +
        std::to_string(maxThreads);
  FILE *f = popen(cmd.c_str(), "r");
  if (!f)
    return out;
  std::string json;
  char buf[512];
  while (size_t got = fread(buf, 1, sizeof buf, f))
    json.append(buf, got);
  pclose(f);
  size_t pos = 0;
  while ((pos = json.find("{\"n\":", pos)) != std::string::npos) {
    int t;
    Machine m;
    if (std::sscanf(json.c_str() + pos,
                    "{\"n\": %d, \"fma_gflops\": %lf, \"triad_gbs\": %lf, "
                    "\"read_gbs\": %lf}",
                    &t, &m.fma, &m.triad, &m.read) == 4 &&
        t >= 1 && t <= maxThreads)
      out[t] = m;
    ++pos;
  }
  return out;
}

std::vector<float> randomVector(size_t n, uint32_t seed) {
  std::vector<float> v(n);
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(-1.0f, 1.0f);
  for (float &x : v)
    x = d(rng);
  return v;
}

sluice_uk_gemm_args denseArgs(int64_t M, int64_t N, int64_t K, const float *a,
                              const float *b, float *c) {
  sluice_uk_gemm_args p{};
  p.M = M;
  p.N = N;
  p.K = K;
  p.groups = 1;
  p.a = a;
  p.lda = K;
  p.a_div = 1;
  p.b = b;
  p.ldb = N;
  p.c = c;
  p.ldc = N;
  p.c_div = 1;
  return p;
}

/// A Mixtral-like MoE block's two expert GEMM calls at T tokens (top-2 of
/// E experts, random routing from seed 7; x: T x D): gate/up GLU gathered
/// into hidden, then down scattered into out with routing weights.
struct MoeCalls {
  std::vector<int32_t> groupRows, aRows, cRows;
  std::vector<float> hidden, out, routing;
  sluice_uk_gemm_args up{}, down{};
  MoeCalls(int64_t T, int64_t D, int64_t F, int64_t E, const float *x,
           const float *g, const float *u, const float *d)
      : groupRows(E + 1), aRows(2 * T), cRows(2 * T), hidden(2 * T * F),
        out(T * D), routing(2 * T, 0.5f) {
    std::mt19937 rng(7);
    std::vector<std::vector<int32_t>> slots(E);
    for (int64_t tok = 0; tok < T; ++tok) {
      int64_t e0 = rng() % E, e1 = (e0 + 1 + rng() % (E - 1)) % E;
      slots[e0].push_back(int32_t(tok * 2));
      slots[e1].push_back(int32_t(tok * 2 + 1));
    }
    int64_t m = 0;
    for (int64_t e = 0; e < E; ++e) {
      groupRows[e] = int32_t(m);
      for (int32_t sl : slots[e]) {
        aRows[m] = cRows[m] = sl;
        ++m;
      }
    }
    groupRows[E] = int32_t(m);
    up = denseArgs(2 * T, F, D, x, g, hidden.data());
    up.group_rows = groupRows.data();
    up.groups = E;
    up.b_group_stride = D * F;
    up.a_rows = aRows.data();
    up.a_div = 2;
    up.b2 = u;
    up.ldb2 = F;
    up.b2_group_stride = D * F;
    up.act = SLUICE_UK_ACT_SILU;
    down = denseArgs(2 * T, D, F, hidden.data(), d, out.data());
    down.group_rows = groupRows.data();
    down.groups = E;
    down.b_group_stride = F * D;
    down.c_rows = cRows.data();
    down.c_div = 2;
    down.c_scale = routing.data();
    down.accumulate = 1;
  }
};

} // namespace

int main(int argc, char **argv) {
  int maxThreads = argc > 1 ? std::atoi(argv[1]) : 2;
  const char *filter = argc > 2 ? argv[2] : ""; // runs cases containing it
  if (maxThreads < 1)
    maxThreads = 1;
  if (std::getenv("OPENBLAS_CORETYPE") || std::getenv("OPENBLAS_L2_SIZE"))
    std::printf("warning: OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE are set: "
                "OpenBLAS runs slower kernels than it would\n");
  std::vector<Machine> machine = measureMachine(maxThreads);
  OpenBlas blas;

  const int64_t gemms[][3] = {
      {512, 2048, 1024}, {32, 2048, 1024}, {2048, 2048, 2048}}; // M, K, N
  // M = 1: 32 experts' weights (256 MiB), a different one per call.
  const int64_t gK = 2048, gN = 1024, gExperts = 32;
  std::vector<float> a = randomVector(2048 * 2048, 1);
  std::vector<float> b = randomVector(2048 * 2048, 2);
  std::vector<float> c(2048 * 2048);
  std::vector<float> w = randomVector(gExperts * gK * gN, 3);
  // MoE decode (OLMoE-like d = 2048, F = 1024, k = 8, T = 1) over 32
  // experts (768 MiB): call i uses experts 8i .. 8i+7 mod 32, so weights
  // come from DRAM. gate/up: one grouped GLU call (8 one-row groups, rows
  // gathered from the token); down: one grouped call scattered into the
  // token's row with the routing weights (c_div = 8).
  const int64_t mD = 2048, mF = 1024, mE = 32, mK = 8;
  bool moe = std::strstr("moe decode", filter) != nullptr;
  std::vector<float> wGate, wUp, wDown;
  if (moe) {
    wGate = randomVector(mE * mD * mF, 4);
    wUp = randomVector(mE * mD * mF, 5);
    wDown = randomVector(mE * mF * mD, 6);
  }

  // MoE small batch (see below): two copies of the Mixtral-like experts'
  // weights, the first registered as weights.
  const int64_t sD = 1024, sF = 3584, sE = 8, sK = 2, sT = 32;
  const int64_t sOff = sE * sD * sF; // the unregistered copy
  bool smallBatch = std::strstr("moe T=32 prepacked", filter) != nullptr;
  bool tScan = std::strstr("moe T-scan prepacked", filter) != nullptr;
  std::vector<float> sGate, sUp, sDown;
  if (smallBatch || tScan) {
    sGate = randomVector(2 * sOff, 7);
    sUp = randomVector(2 * sOff, 8);
    sDown = randomVector(2 * sOff, 9);
    for (auto *v : {&sGate, &sUp, &sDown})
      sluice_uk_weights_register(v->data(), sOff * int64_t(sizeof(float)));
  }

  std::printf("%-7s %-22s %10s %10s %10s %9s %10s %10s\n", "threads", "case",
              "first_ms", "ms", "sluice", "peak%", "openblas", "ratio");
  for (int t = 1; t <= maxThreads; ++t) {
    sluice_set_num_threads(t);
    if (blas.setThreads)
      blas.setThreads(t);
    const Machine &mc = machine[t];
    for (auto &s : gemms) {
      int64_t M = s[0], K = s[1], N = s[2];
      sluice_uk_gemm_args p = denseArgs(M, N, K, a.data(), b.data(), c.data());
      char name[64];
      std::snprintf(name, sizeof name, "gemm %lld,%lld,%lld", (long long)M,
                    (long long)K, (long long)N);
      if (!std::strstr(name, filter))
        continue;
      Timing tu, tb;
      std::function<void(int)> base;
      if (blas.sgemm)
        base = [&](int) {
          blas.sgemm(kRowMajor, kNoTrans, kNoTrans, M, N, K, 1.0f, a.data(), K,
                     b.data(), N, 0.0f, c.data(), N);
        };
      timePair([&](int) { sluice_uk_gemm(&p); }, base, tu, tb);
      double flops = 2.0 * M * N * K;
      double gf = flops / tu.median / 1e9;
      double ob = base ? flops / tb.median / 1e9 : 0;
      double obCpu = base ? flops / tb.cpu / 1e9 : 0;
      std::printf("%-7d %-22s %10.2f %10.3f %7.1f GF %8.0f%% %7.1f GF %9.2fx"
                  "   per cpu-s: %6.1f vs %6.1f GF\n",
                  t, name, tu.first * 1e3, tu.median * 1e3, gf,
                  mc.fma > 0 ? 100 * gf / mc.fma : 0.0, ob,
                  ob > 0 ? gf / ob : 0.0, flops / tu.cpu / 1e9, obCpu);
    }
    // M = 1, weights from DRAM.
    if (std::strstr("gemv 1,2048,1024 DRAM", filter)) {
      double bytes = 4.0 * gK * gN;
      sluice_uk_gemm_args p =
          denseArgs(1, gN, gK, a.data(), w.data(), c.data());
      Timing tu, tb;
      std::function<void(int)> base;
      if (blas.sgemv)
        base = [&](int i) {
          // y = x W: W^T x with W row-major [K, N] = column-major [N, K].
          blas.sgemv(kRowMajor, 112 /*Trans*/, gK, gN, 1.0f,
                     w.data() + ((i + gExperts / 2) % gExperts) * gK * gN, gN,
                     a.data(), 1, 0.0f, c.data(), 1);
        };
      timePair(
          [&](int i) {
            p.b = w.data() + (i % gExperts) * gK * gN;
            sluice_uk_gemm(&p);
          },
          base, tu, tb);
      printBandwidthRow(t, "gemv 1,2048,1024 DRAM", bytes, tu, tb, bool(base), mc,
                        "sgemv");
    }
    if (moe) {
      std::vector<int32_t> groupRows(mE + 1), aRows(mK, 0), cRows(mK);
      std::vector<float> hidden(mK * mF), out(mD), routing(mK, 0.125f);
      for (int j = 0; j < mK; ++j)
        cRows[j] = j;
      sluice_uk_gemm_args up =
          denseArgs(mK, mF, mD, a.data(), wGate.data(), hidden.data());
      up.group_rows = groupRows.data();
      up.groups = mE;
      up.b_group_stride = mD * mF;
      up.a_rows = aRows.data();
      up.b2 = wUp.data();
      up.ldb2 = mF;
      up.b2_group_stride = mD * mF;
      up.act = SLUICE_UK_ACT_SILU;
      sluice_uk_gemm_args down =
          denseArgs(mK, mD, mF, hidden.data(), wDown.data(), out.data());
      down.group_rows = groupRows.data();
      down.groups = mE;
      down.b_group_stride = mF * mD;
      down.c_rows = cRows.data();
      down.c_div = mK;
      down.c_scale = routing.data();
      down.accumulate = 1;
      auto select = [&](int i) { // experts 8i .. 8i + 7 (mod 32), one row each
        int first = (i * mK) % mE;
        for (int g = 0; g <= mE; ++g) {
          int rel = g - first;
          groupRows[g] = rel <= 0 ? 0 : rel >= mK ? mK : rel;
        }
      };
      double bytes = 4.0 * mK * 3 * mD * mF;
      Timing tu, tb;
      std::function<void(int)> base;
      if (blas.sgemv)
        base = [&](int i) { // the experts Sluice read two calls before
          for (int j = 0; j < mK; ++j) {
            int64_t e = ((i + 2) * mK + j) % mE;
            blas.sgemv(kRowMajor, 112, mD, mF, 1.0f, wGate.data() + e * mD * mF,
                       mF, a.data(), 1, 0.0f, hidden.data(), 1);
            blas.sgemv(kRowMajor, 112, mD, mF, 1.0f, wUp.data() + e * mD * mF,
                       mF, a.data(), 1, 0.0f, hidden.data(), 1);
            blas.sgemv(kRowMajor, 112, mF, mD, 1.0f, wDown.data() + e * mF * mD,
                       mD, hidden.data(), 1, 1.0f, out.data(), 1);
          }
        };
      timePair(
          [&](int i) {
            select(i);
            sluice_uk_gemm(&up);
            sluice_uk_gemm(&down);
          },
          base, tu, tb);
      printBandwidthRow(t, "moe decode 8 experts", bytes, tu, tb, bool(base), mc,
                        "24 sgemv");
    }
    if (smallBatch) {
      // MoE small batch, Mixtral-like (d = 1024, F = 3584, 8 experts, top-2,
      // T = 32: 64 rows, 3-12 per expert): gate/up GLU gathered, then down
      // scattered with routing weights. Registered weights (packed once,
      // WeightCache.cpp) next to an unregistered copy of the same values
      // (per-call packing / streaming, the path before prepacking).
      std::vector<int32_t> groupRows(sE + 1), aRows(sT * sK), cRows(sT * sK);
      std::vector<float> hidden(sT * sK * sF), out(sT * sD),
          routing(sT * sK, 0.5f);
      {
        std::mt19937 rng(7);
        std::vector<std::vector<int32_t>> slots(sE);
        for (int64_t tok = 0; tok < sT; ++tok) {
          int64_t e0 = rng() % sE, e1 = (e0 + 1 + rng() % (sE - 1)) % sE;
          slots[e0].push_back(int32_t(tok * sK));
          slots[e1].push_back(int32_t(tok * sK + 1));
        }
        int64_t m = 0;
        for (int64_t e = 0; e < sE; ++e) {
          groupRows[e] = int32_t(m);
          for (int32_t sl : slots[e]) {
            aRows[m] = sl;
            cRows[m] = sl;
            ++m;
          }
        }
        groupRows[sE] = int32_t(m);
      }
      auto args = [&](const float *g, const float *u, const float *d,
                      sluice_uk_gemm_args &up, sluice_uk_gemm_args &down) {
        up = denseArgs(sT * sK, sF, sD, a.data(), g, hidden.data());
        up.group_rows = groupRows.data();
        up.groups = sE;
        up.b_group_stride = sD * sF;
        up.a_rows = aRows.data();
        up.a_div = sK;
        up.b2 = u;
        up.ldb2 = sF;
        up.b2_group_stride = sD * sF;
        up.act = SLUICE_UK_ACT_SILU;
        down = denseArgs(sT * sK, sD, sF, hidden.data(), d, out.data());
        down.group_rows = groupRows.data();
        down.groups = sE;
        down.b_group_stride = sF * sD;
        down.c_rows = cRows.data();
        down.c_div = sK;
        down.c_scale = routing.data();
        down.accumulate = 1;
      };
      sluice_uk_gemm_args upP, downP, upU, downU;
      args(sGate.data(), sUp.data(), sDown.data(), upP, downP);
      args(sGate.data() + sOff, sUp.data() + sOff, sDown.data() + sOff, upU,
           downU);
      Timing tp, tu;
      timePair(
          [&](int) {
            sluice_uk_gemm(&upP);
            sluice_uk_gemm(&downP);
          },
          [&](int) {
            sluice_uk_gemm(&upU);
            sluice_uk_gemm(&downU);
          },
          tp, tu, 4.0);
      double flops = 2.0 * sT * sK * 3 * sD * sF;
      double bytes = 4.0 * sE * 3 * sD * sF;
      double roof = std::max(mc.fma > 0 ? flops / (mc.fma * 1e9) : 0.0,
                             mc.triad > 0 ? bytes / (mc.triad * 1e9) : 0.0);
      std::printf("%-7d %-22s %10.2f %10.3f %7.1f GF %8.0f%%roof "
                  "unpacked %.3f ms %6.2fx   per cpu-s: %.3f vs %.3f ms\n",
                  t, "moe T=32 prepacked", tp.first * 1e3, tp.median * 1e3,
                  flops / tp.median / 1e9,
                  roof > 0 ? 100 * roof / tp.median : 0.0, tu.median * 1e3,
                  tu.median / tp.median, tp.cpu * 1e3, tu.cpu * 1e3);
    }
    if (tScan) {
      // Where the time of the small-batch expert GEMMs goes: the
      // Mixtral-like pair (registered weights, 352 MB read per call) at T
      // = 16, 32, 64, 96 and the least-squares line time = a + b T. a is
      // the part that does not grow with the tokens (the weight stream:
      // 352 MB / a is its speed), T / b the FLOP rate of the rows. If the
      // stream and the FMAs overlapped, a would be ~0 up to the balance
      // point; if they take turns, a is the stream's whole time. Fitted on
      // process CPU time with 1 thread (steadier on a shared machine),
      // wall time with more.
      const int64_t Ts[] = {16, 32, 64, 96};
      double xs[4], ys[4];
      for (int i = 0; i < 4; ++i) {
        MoeCalls calls(Ts[i], sD, sF, sE, a.data(), sGate.data(), sUp.data(),
                       sDown.data());
        Timing tt, unused;
        timePair(
            [&](int) {
              sluice_uk_gemm(&calls.up);
              sluice_uk_gemm(&calls.down);
            },
            nullptr, tt, unused, 3.0);
        double ms = (t == 1 ? tt.cpu : tt.median) * 1e3;
        double flops = 2.0 * Ts[i] * 2 * 3 * sD * sF;
        xs[i] = double(Ts[i]);
        ys[i] = ms;
        std::printf("%-7d moe T-scan T=%-10lld %10.2f %10.3f %7.1f GF"
                    "   per cpu-s: %.3f ms\n",
                    t, (long long)Ts[i], tt.first * 1e3, tt.median * 1e3,
                    flops / tt.median / 1e9, tt.cpu * 1e3);
      }
      double mx = 0, my = 0, sxx = 0, sxy = 0;
      for (int i = 0; i < 4; ++i) {
        mx += xs[i] / 4;
        my += ys[i] / 4;
      }
      for (int i = 0; i < 4; ++i) {
        sxx += (xs[i] - mx) * (xs[i] - mx);
        sxy += (xs[i] - mx) * (ys[i] - my);
      }
      double slope = sxy / sxx, icept = my - slope * mx;
      double bytes = 4.0 * sE * 3 * sD * sF;
      std::printf("%-7d moe T-scan fit (%s ms) = %.2f + %.3f T: fixed part "
                  "%.2f ms (%.1f GB/s of weights), per-token part %.1f "
                  "GFLOP/s\n",
                  t, t == 1 ? "cpu" : "wall", icept, slope, icept,
                  icept > 0 ? bytes / (icept * 1e-3) / 1e9 : 0.0,
                  2.0 * 2 * 3 * sD * sF / (slope * 1e-3) / 1e9);
    }
    if (std::strstr("tiles prepacked h=2..8", filter)) {
      // Register-tile efficiency on small groups: 2 groups of h rows each
      // (K = 256, N = 512, registered weights: 1 MiB packed, from L2 / L3),
      // i.e. the tiles one MoE expert's rows at small T run (h = 7: 4 + 3
      // rows, h = 8: 4 + 4). GFLOP/s and % of the FMA peak; compute bound.
      const int64_t tK = 256, tN = 512;
      static std::vector<float> tB = randomVector(2 * tK * tN, 11);
      static bool registered = false;
      if (!registered) {
        sluice_uk_weights_register(tB.data(), int64_t(tB.size() * 4));
        registered = true;
      }
      for (int64_t h = 2; h <= 8; ++h) {
        std::vector<int32_t> groupRows = {0, int32_t(h), int32_t(2 * h)};
        sluice_uk_gemm_args p =
            denseArgs(2 * h, tN, tK, a.data(), tB.data(), c.data());
        p.group_rows = groupRows.data();
        p.groups = 2;
        p.b_group_stride = tK * tN;
        Timing tt, unused;
        // Many calls per timed function: one call is ~10 us.
        timePair(
            [&](int) {
              for (int r = 0; r < 50; ++r)
                sluice_uk_gemm(&p);
            },
            nullptr, tt, unused, 1.0);
        double flops = 50 * 2.0 * 2 * h * tK * tN;
        double gf = flops / tt.median / 1e9;
        std::printf("%-7d tiles prepacked h=%-8lld %10.2f %10.3f %7.1f GF %8.0f%%"
                    "   per cpu-s: %6.1f GF\n",
                    t, (long long)h, tt.first * 1e3, tt.median * 1e3, gf,
                    mc.fma > 0 ? 100 * gf / mc.fma : 0.0,
                    flops / tt.cpu / 1e9);
      }
    }
    std::printf("%-7d machine: FMA peak %.1f GFLOP/s, STREAM triad %.1f GB/s, "
                "read %.1f GB/s\n",
                t, mc.fma, mc.triad, mc.read);
  }
  return 0;
}
