//===- UkernelGemmTest.cpp - sluice_uk_gemm against its reference loops ---===//
//
// Random shapes and flag combinations (groups with empty ones, gather with
// -1 rows and a_div, GLU, low-rank term, bias, every activation, scatter
// with -1 rows, duplicates and c_div, scale, accumulate) run through
// sluice_uk_gemm with 1, 2 and 3 pool threads and through
// sluice_uk_gemm_reference. Tolerance: the kernel sums in another order
// (fp32 reassociation, FMA contraction), so each element of C may differ
// from the reference by 2e-5 x (the same call evaluated on the absolute
// values of every input, activation NONE) + 1e-6; rows and columns the call
// must not touch have to be bit-identical.
//
//===----------------------------------------------------------------------===//

#include "sluice/runtime.h"
#include "sluice/ukernels.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace {

struct Case {
  int64_t M = 0, N = 0, K = 0;
  int64_t groups = 1;
  bool grouped = false, gather = false, glu = false, bias = false;
  bool scatter = false, scale = false, accumulate = false;
  int64_t aDiv = 1, cDiv = 1, k2 = 0, act = SLUICE_UK_ACT_NONE;
  uint32_t seed = 1;
  float aRange = 1.0f; // A's values are uniform in [-aRange, aRange]
  std::vector<int32_t> cuts; // group_rows when grouped (else random cuts)

  std::string str() const {
    std::ostringstream os;
    os << "M=" << M << " N=" << N << " K=" << K << " groups=" << groups
       << (grouped ? "(rows)" : "") << " gather=" << gather << " a_div=" << aDiv
       << " glu=" << glu << " k2=" << k2 << " bias=" << bias << " act=" << act
       << " scatter=" << scatter << " c_div=" << cDiv << " scale=" << scale
       << " accumulate=" << accumulate << " seed=" << seed
       << " a_range=" << aRange;
    return os.str();
  }
};

/// The buffers of one call, filled from the case's seed.
struct Problem {
  std::vector<float> a, b, b2, a2, b3, bias, scale, c;
  std::vector<int32_t> groupRows, aRows, cRows;
  sluice_uk_gemm_args args{};
  int64_t cRowsTotal = 0;

  explicit Problem(const Case &t) {
    std::mt19937 rng(t.seed);
    auto uni = [&](int64_t lo, int64_t hi) { // [lo, hi]
      return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
    };
    std::uniform_real_distribution<float> val(-1.0f, 1.0f);
    auto fill = [&](std::vector<float> &v, size_t n) {
      v.resize(n + 1); // never empty: data() is not null
      for (float &x : v)
        x = val(rng);
    };
    sluice_uk_gemm_args &p = args;
    p.M = t.M;
    p.N = t.N;
    p.K = t.K;
    p.groups = t.groups;
    if (t.grouped) {
      // Sorted cut points: repeated ones give empty groups.
      groupRows.resize(t.groups + 1);
      groupRows[0] = 0;
      groupRows[t.groups] = static_cast<int32_t>(t.M);
      for (int64_t g = 1; g < t.groups; ++g)
        groupRows[g] = static_cast<int32_t>(uni(0, t.M));
      std::sort(groupRows.begin(), groupRows.end());
      if (!t.cuts.empty())
        groupRows = t.cuts;
      p.group_rows = groupRows.data();
    }
    int64_t aRowsTotal = t.M;
    if (t.gather) {
      aRowsTotal = uni(1, t.M + 3);
      aRows.resize(t.M);
      for (int32_t &r : aRows)
        r = uni(0, 6) == 0
                ? -1
                : static_cast<int32_t>(uni(0, aRowsTotal * t.aDiv - 1));
      p.a_rows = aRows.data();
    } else if (t.aDiv > 1) {
      aRowsTotal = (t.M + t.aDiv - 1) / t.aDiv;
    }
    p.a_div = t.aDiv;
    p.lda = t.K + uni(0, 3);
    fill(a, static_cast<size_t>(std::max<int64_t>(aRowsTotal, 1) * p.lda));
    for (float &x : a)
      x *= t.aRange;
    p.a = a.data();
    p.ldb = t.N + uni(0, 3);
    p.b_group_stride = t.K * p.ldb + uni(0, 5);
    fill(b, static_cast<size_t>(t.groups * p.b_group_stride + 1));
    p.b = b.data();
    if (t.glu) {
      p.ldb2 = t.N + uni(0, 3);
      p.b2_group_stride = t.K * p.ldb2 + uni(0, 5);
      fill(b2, static_cast<size_t>(t.groups * p.b2_group_stride + 1));
      p.b2 = b2.data();
    }
    p.act = t.act;
    p.accumulate = t.accumulate;
    if (t.bias) {
      fill(bias, static_cast<size_t>(t.N));
      p.bias = bias.data();
    }
    if (t.k2 > 0) {
      p.k2 = t.k2;
      p.lda2 = t.k2 + uni(0, 2);
      fill(a2, static_cast<size_t>(std::max<int64_t>(t.M, 1) * p.lda2));
      p.a2 = a2.data();
      p.ldb3 = t.N + uni(0, 3);
      p.b3_group_stride = t.k2 * p.ldb3 + uni(0, 5);
      fill(b3, static_cast<size_t>(t.groups * p.b3_group_stride + 1));
      p.b3 = b3.data();
    }
    p.c_div = t.cDiv;
    int64_t rcTotal = t.M; // distinct rc values
    if (t.scatter) {
      rcTotal = uni(1, t.M + 2);
      cRows.resize(t.M);
      for (int32_t &r : cRows)
        r = uni(0, 6) == 0 ? -1 : static_cast<int32_t>(uni(0, rcTotal - 1));
      p.c_rows = cRows.data();
    }
    if (t.scale) {
      fill(scale, static_cast<size_t>(std::max<int64_t>(rcTotal, 1)));
      p.c_scale = scale.data();
    }
    cRowsTotal = (rcTotal + t.cDiv - 1) / t.cDiv + 1; // one row never written
    p.ldc = t.N + uni(0, 3);
    fill(c, static_cast<size_t>(cRowsTotal * p.ldc));
    p.c = c.data();
  }

  /// Replaces B and B2 (same sizes).
  void setB(const std::vector<float> &newB, const std::vector<float> &newB2) {
    b = newB;
    b2 = newB2;
    args.b = b.data();
    args.b2 = b2.empty() ? nullptr : b2.data();
  }

  /// Every float input replaced by its absolute value and act NONE: bounds
  /// the magnitude of the sums behind each element of C.
  void makeMagnitude() {
    for (auto *v : {&a, &b, &b2, &a2, &b3, &bias, &scale, &c})
      for (float &x : *v)
        x = std::fabs(x);
    args.act = SLUICE_UK_ACT_NONE;
  }
};

/// Registers B and B2 of a problem as weights (so sluice_uk_gemm packs
/// them once, WeightCache.cpp) for the scope's lifetime.
struct Registered {
  std::vector<std::pair<const void *, int64_t>> ranges;
  explicit Registered(const Problem &p) {
    for (const std::vector<float> *v : {&p.b, &p.b2})
      if (!v->empty()) {
        ranges.emplace_back(v->data(), int64_t(v->size() * sizeof(float)));
        sluice_uk_weights_register(v->data(), ranges.back().second);
      }
  }
  ~Registered() {
    for (auto &r : ranges)
      sluice_uk_weights_unregister(r.first, r.second);
  }
};

/// Compares C of `fast` with the reference loops on `ref` (same case).
void expectMatches(const Case &t, Problem &fast, Problem &ref);

/// With `prepack`, B (and B2) are registered weights: a first call packs
/// them, and the call checked is a second one (C restored in between), so
/// it reads the packed copy.
void runCase(const Case &t, int threads, bool prepack = false) {
  SCOPED_TRACE(t.str() + " threads=" + std::to_string(threads) +
               (prepack ? " prepacked" : ""));
  ASSERT_EQ(sluice_set_num_threads(threads), SLUICE_OK);
  Problem fast(t), ref(t);
  if (prepack) {
    // The first call packs the weight (the default policy; under
    // SLUICE_UK_PREPACK=2 the second does), the third reads the copy made
    // before it (the one checked).
    Registered reg(fast);
    const Problem initial(t);
    for (int call = 0; call < 3; ++call) {
      fast.c = initial.c; // copied into the same buffer (args.c stays valid)
      sluice_uk_gemm(&fast.args);
    }
  } else {
    sluice_uk_gemm(&fast.args);
  }
  sluice_uk_gemm_reference(&ref.args);
  expectMatches(t, fast, ref);
}

void expectMatches(const Case &t, Problem &fast, Problem &ref) {
  Problem mag(t);
  mag.setB(ref.b, ref.b2);
  mag.makeMagnitude();
  sluice_uk_gemm_reference(&mag.args);
  ASSERT_EQ(fast.c.size(), ref.c.size());
  Problem untouched(t);
  int bad = 0;
  for (size_t i = 0; i < fast.c.size() && bad < 5; ++i) {
    float want = ref.c[i], got = fast.c[i];
    if (want == untouched.c[i] && got == want)
      continue;
    float tol = 2e-5f * mag.c[i] + 1e-6f;
    bool ok = std::isnan(want) ? std::isnan(got) : std::fabs(got - want) <= tol;
    if (!ok) {
      ++bad;
      ADD_FAILURE() << "C[" << i / fast.args.ldc << "][" << i % fast.args.ldc
                    << "] = " << got << ", reference " << want << " (tolerance "
                    << tol << ")";
    }
  }
}

/// Restores the default pool size after each test.
class UkernelGemm : public ::testing::Test {
protected:
  void TearDown() override { EXPECT_EQ(sluice_set_num_threads(0), SLUICE_OK); }
};

TEST_F(UkernelGemm, PlainShapes) {
  const int64_t sizes[] = {0, 1, 2, 5, 6, 7, 16, 17, 31, 64, 100};
  uint32_t seed = 1;
  for (int64_t M : sizes)
    for (int64_t N : {0, 1, 7, 17, 64, 100})
      for (int64_t K : {0, 1, 5, 16, 31}) {
        Case t;
        t.M = M;
        t.N = N;
        t.K = K;
        t.seed = seed++;
        runCase(t, 1);
        runCase(t, 2);
      }
}

TEST_F(UkernelGemm, LargeShapes) {
  // Several K blocks (256), row blocks (96 and 384 rows) and column chunks.
  const int64_t shapes[][3] = {{257, 257, 300}, {100, 513, 257}, {9, 300, 600},
                               {257, 31, 513},  {1, 1000, 700},  {8, 1030, 64},
                               {800, 40, 20}};
  uint32_t seed = 1000;
  for (auto &s : shapes)
    for (bool glu : {false, true}) {
      Case t;
      t.M = s[0];
      t.N = s[1];
      t.K = s[2];
      t.glu = glu;
      t.bias = true;
      t.act = glu ? SLUICE_UK_ACT_SILU : SLUICE_UK_ACT_NONE;
      t.seed = seed++;
      runCase(t, 1);
      runCase(t, 2);
    }
}

TEST_F(UkernelGemm, RandomFlags) {
  const int64_t sizes[] = {0, 1, 2, 5, 6, 7, 16, 17, 31, 64, 100, 257};
  std::mt19937 rng(42);
  auto pick = [&](int64_t n) {
    return std::uniform_int_distribution<int64_t>(0, n - 1)(rng);
  };
  for (int i = 0; i < 400; ++i) {
    Case t;
    do {
      t.M = sizes[pick(12)];
      t.N = sizes[pick(12)];
      t.K = sizes[pick(12)];
    } while (t.M * t.N * std::max<int64_t>(t.K, 1) > 3000000);
    t.grouped = pick(2);
    t.groups = t.grouped ? 1 + pick(9) : 1;
    t.gather = pick(2);
    t.aDiv = 1 + pick(2);
    t.glu = pick(2);
    t.k2 = pick(2) ? 0 : (int64_t[]){1, 3, 16, 17}[pick(4)];
    t.bias = pick(2);
    t.act = pick(6);
    t.scatter = pick(2);
    t.cDiv = pick(4) == 0 ? 2 : 1;
    t.scale = pick(2);
    t.accumulate = pick(2);
    t.seed = 5000 + i;
    runCase(t, 1 + static_cast<int>(pick(3)));
    if (HasFailure())
      return;
  }
}

TEST_F(UkernelGemm, ActivationsOverWideRange) {
  // Activation inputs up to +-100 (exp overflows and underflows) through
  // the vector epilogue (full vectors) and the scalar tail.
  uint32_t seed = 7000;
  for (int64_t act = 0; act < 6; ++act)
    for (int64_t K : {1, 2})
      for (bool glu : {false, true}) {
        Case t;
        t.M = 40;
        t.N = 37;
        t.K = K;
        t.act = act;
        t.glu = glu;
        t.bias = true;
        t.aRange = 100.0f;
        t.seed = seed++;
        runCase(t, 1);
      }
}

TEST_F(UkernelGemm, MoeDecodeAndPrefill) {
  // The shapes of an MoE block: gate/up GLU over gathered rows per expert,
  // then the down projection scattered with routing weights.
  uint32_t seed = 9000;
  for (int64_t M : {8, 64, 300, 1000})
    for (bool down : {false, true}) {
      Case t;
      t.M = M;
      t.N = down ? 96 : 80;
      t.K = down ? 80 : 96;
      t.grouped = true;
      t.groups = M >= 1000 ? 2 : 16; // > 384 rows per group at M = 1000
      t.gather = !down;
      t.glu = !down;
      t.act = down ? SLUICE_UK_ACT_NONE : SLUICE_UK_ACT_SILU;
      t.scatter = down;
      t.scale = down;
      t.accumulate = down;
      t.seed = seed++;
      runCase(t, 1);
      runCase(t, 2);
    }
}

TEST_F(UkernelGemm, PrepackedShapes) {
  // Registered weights: the packed copy is read instead of B. Tails in K
  // (K blocks of 256), N (panels of 16 / 32, GLU half panels) and rows
  // (register tiles of 6 / 12, 1-row groups), grouped with empty groups.
  uint32_t seed = 20000;
  for (int64_t M : {1, 2, 3, 7, 8, 13, 32, 100})
    for (int64_t N : {1, 17, 40, 100})
      for (int64_t K : {1, 31, 257})
        for (bool glu : {false, true}) {
          Case t;
          t.M = M;
          t.N = N;
          t.K = K;
          t.glu = glu;
          t.grouped = true;
          t.groups = 5;
          t.gather = glu;
          t.bias = true;
          t.act = glu ? SLUICE_UK_ACT_SILU : SLUICE_UK_ACT_NONE;
          t.seed = seed++;
          runCase(t, 1 + int(seed % 3), /*prepack=*/true);
          if (HasFailure())
            return;
        }
}

TEST_F(UkernelGemm, PrepackedEveryTileHeight) {
  // A group of 1..13 rows on the packed panels (then one of 2 rows, so that
  // even a 1-row group takes them): every register tile split
  // (1-3-row tiles keep two or four accumulator sets over k and add them at
  // the end; 7 = 4 + 3, 9 = 6 + 3, 13 = 6 + 4 + 3 rows), odd N (panel and
  // GLU half-panel tails) and K not a multiple of 2, 4 or 8 nor of the K
  // block (kc % 4 steps go to the first set).
  uint32_t seed = 45000;
  for (int64_t M = 1; M <= 13; ++M)
    for (int64_t N : {7, 33})
      for (int64_t K : {1, 3, 5, 13, 262})
        for (bool glu : {false, true}) {
          Case t;
          t.M = M + 2;
          t.N = N;
          t.K = K;
          t.glu = glu;
          t.gather = glu;
          t.grouped = true;
          t.groups = 2;
          t.cuts = {0, int32_t(M), int32_t(M + 2)};
          t.act = glu ? SLUICE_UK_ACT_SILU : SLUICE_UK_ACT_NONE;
          t.seed = seed++;
          runCase(t, 1, /*prepack=*/true);
          // Without registering: 9+ rows pack B per call (same tiles).
          if (M > 8)
            runCase(t, 1);
          if (HasFailure())
            return;
        }
}

TEST_F(UkernelGemm, PrepackedRandomFlags) {
  const int64_t sizes[] = {1, 2, 5, 6, 7, 16, 17, 31, 64, 100, 257};
  std::mt19937 rng(77);
  auto pick = [&](int64_t n) {
    return std::uniform_int_distribution<int64_t>(0, n - 1)(rng);
  };
  for (int i = 0; i < 150; ++i) {
    Case t;
    do {
      t.M = sizes[pick(11)];
      t.N = sizes[pick(11)];
      t.K = sizes[pick(11)];
    } while (t.M * t.N * t.K > 3000000);
    t.grouped = pick(2);
    t.groups = t.grouped ? 1 + pick(9) : 1;
    t.gather = pick(2);
    t.glu = pick(2);
    t.k2 = pick(2) ? 0 : (int64_t[]){1, 3, 16, 17}[pick(4)];
    t.bias = pick(2);
    t.act = pick(6);
    t.scatter = pick(2);
    t.scale = pick(2);
    t.accumulate = pick(2);
    t.seed = 30000 + i;
    runCase(t, 1 + static_cast<int>(pick(3)), /*prepack=*/true);
    if (HasFailure())
      return;
  }
}

TEST_F(UkernelGemm, PrepackedMoeSmallBatch) {
  // Mixtral- and OLMoE-like groups of 1-12 rows at reduced sizes, GLU
  // gate/up then the scattered down projection, 1-3 threads.
  uint32_t seed = 40000;
  for (int threads : {1, 2, 3})
    for (bool down : {false, true}) {
      Case t;
      t.M = 64;
      t.N = down ? 272 : 300;
      t.K = down ? 300 : 272;
      t.grouped = true;
      t.groups = 8;
      t.gather = !down;
      t.glu = !down;
      t.act = down ? SLUICE_UK_ACT_NONE : SLUICE_UK_ACT_SILU;
      t.scatter = down;
      t.scale = down;
      t.accumulate = down;
      t.seed = seed++;
      runCase(t, threads, /*prepack=*/true);
    }
}

TEST_F(UkernelGemm, BitIdenticalAcrossThreadCounts) {
  // The work split changes with the pool size (items claimed largest
  // first, column chunks per thread) but every C element is computed the
  // same way: C is bit-identical for 1, 2 and 3 threads. Uneven groups
  // (including empty ones) over several column chunks, the gathered GLU
  // gate/up and the scattered, weighted down projection of an MoE block,
  // with and without prepacked weights.
  uint32_t seed = 60000;
  for (bool prepack : {false, true})
    for (bool down : {false, true}) {
      Case t;
      t.M = 700;
      t.N = down ? 1100 : 1300;
      t.K = down ? 300 : 260;
      t.grouped = true;
      t.groups = 9;
      t.gather = !down;
      t.glu = !down;
      t.act = down ? SLUICE_UK_ACT_NONE : SLUICE_UK_ACT_SILU;
      t.scatter = down;
      t.scale = down;
      t.accumulate = down;
      t.seed = seed++;
      SCOPED_TRACE(t.str() + (prepack ? " prepacked" : ""));
      std::vector<float> first;
      for (int threads : {1, 2, 3}) {
        ASSERT_EQ(sluice_set_num_threads(threads), SLUICE_OK);
        Problem fast(t);
        std::unique_ptr<Registered> reg;
        if (prepack)
          reg.reset(new Registered(fast));
        const Problem initial(t);
        for (int call = 0; call < (prepack ? 3 : 1); ++call) {
          fast.c = initial.c;
          sluice_uk_gemm(&fast.args);
        }
        if (threads == 1) {
          first = fast.c;
          // Not vacuous: the call changed C.
          EXPECT_NE(first, initial.c);
          continue;
        }
        ASSERT_EQ(fast.c.size(), first.size());
        EXPECT_EQ(0, memcmp(fast.c.data(), first.data(),
                            first.size() * sizeof(float)))
            << "threads=" << threads;
      }
    }
}

TEST_F(UkernelGemm, PrepackedWeightsChangedAndUnregistered) {
  Case t;
  t.M = 24;
  t.N = 50;
  t.K = 300;
  t.grouped = true;
  t.groups = 3;
  t.glu = true;
  t.act = SLUICE_UK_ACT_SILU;
  t.seed = 50000;
  ASSERT_EQ(sluice_set_num_threads(2), SLUICE_OK);
  int64_t before = sluice_uk_weights_packed_bytes();
  Problem fast(t), ref(t);
  {
    Registered reg(fast);
    // Two calls: whichever the policy (first or second call), the weights
    // are packed after them (so the checks below are not vacuous).
    sluice_uk_gemm(&fast.args);
    sluice_uk_gemm(&fast.args);
    EXPECT_GT(sluice_uk_weights_packed_bytes(), before);
    // New contents of B and B2, announced: the next call packs again.
    for (auto *pair : {&fast.b, &fast.b2})
      for (float &x : *pair)
        x = 0.5f - 2.0f * x;
    sluice_uk_weights_changed(fast.b.data(),
                              int64_t(fast.b.size() * sizeof(float)));
    sluice_uk_weights_changed(fast.b2.data(),
                              int64_t(fast.b2.size() * sizeof(float)));
    const Problem initial(t);
    fast.c = initial.c; // copied into the same buffer
    sluice_uk_gemm(&fast.args);
    ref.setB(fast.b, fast.b2);
    sluice_uk_gemm_reference(&ref.args);
    SCOPED_TRACE("after sluice_uk_weights_changed");
    expectMatches(t, fast, ref);
  }
  // Unregistering freed the copies.
  EXPECT_EQ(sluice_uk_weights_packed_bytes(), before);
}

} // namespace

/// A call with a shared weight stack (ABI version 2): groups >= E read
/// chunk j % split of bs[j / split] (j = g - E). The oracle is the plain
/// reference on a version-1 call whose groups >= E hold copies of those
/// chunks; in the version-2 call those groups of b are NaN, so reading
/// them instead of the shared stack shows up.
void runSharedCase(const Case &t, int64_t e, int64_t split, int threads,
                   bool prepack) {
  SCOPED_TRACE(t.str() + " E=" + std::to_string(e) +
               " split=" + std::to_string(split) +
               " threads=" + std::to_string(threads) +
               (prepack ? " prepacked" : ""));
  ASSERT_EQ(sluice_set_num_threads(threads), SLUICE_OK);
  ASSERT_EQ((t.groups - e) % split, 0);
  int64_t mats = (t.groups - e) / split;
  Problem fast(t), ref(t), ref2(t);
  std::mt19937 rng(t.seed + 7);
  std::uniform_real_distribution<float> val(-1.0f, 1.0f);
  int64_t ldbs = split * t.N + 3, strideS = t.K * ldbs + 5;
  std::vector<float> bs(mats * strideS + 1), bs2;
  for (float &x : bs)
    x = val(rng);
  if (t.glu) {
    bs2.resize(bs.size());
    for (float &x : bs2)
      x = val(rng);
  }
  float nan = std::nanf("");
  for (int64_t g = e; g < t.groups; ++g) {
    int64_t j = g - e;
    for (int64_t k = 0; k < t.K; ++k)
      for (int64_t n = 0; n < t.N; ++n) {
        int64_t src = (j / split) * strideS + k * ldbs + (j % split) * t.N + n;
        int64_t dst = g * ref.args.b_group_stride + k * ref.args.ldb + n;
        ref.b[dst] = bs[src];
        fast.b[dst] = nan;
        if (t.glu) {
          int64_t dst2 = g * ref.args.b2_group_stride + k * ref.args.ldb2 + n;
          ref.b2[dst2] = bs2[src];
          fast.b2[dst2] = nan;
        }
      }
  }
  for (Problem *p : {&fast, &ref2}) {
    p->b = fast.b;
    p->b2 = fast.b2;
    p->args.b = p->b.data();
    p->args.b2 = t.glu ? p->b2.data() : nullptr;
    p->args.b_groups = e;
    p->args.bs = bs.data();
    p->args.ldbs = ldbs;
    p->args.bs_group_stride = strideS;
    p->args.bs_split = split;
    if (t.glu) {
      p->args.bs2 = bs2.data();
      p->args.ldbs2 = ldbs;
      p->args.bs2_group_stride = strideS;
    }
  }
  if (prepack) {
    for (auto *v : {&fast.b, &fast.b2, &bs, &bs2})
      if (!v->empty())
        sluice_uk_weights_register(v->data(), int64_t(v->size() * 4));
    const Problem initial(t);
    for (int call = 0; call < 3; ++call) {
      fast.c = initial.c;
      sluice_uk_gemm(&fast.args);
    }
  } else {
    sluice_uk_gemm(&fast.args);
  }
  sluice_uk_gemm_reference(&ref.args);
  sluice_uk_gemm_reference(&ref2.args);
  if (prepack)
    for (auto *v : {&fast.b, &fast.b2, &bs, &bs2})
      if (!v->empty())
        sluice_uk_weights_unregister(v->data(), int64_t(v->size() * 4));
  // The version-2 reference sums in the version-1 reference's order.
  for (size_t i = 0; i < ref.c.size(); ++i)
    if (!(ref2.c[i] == ref.c[i] || (std::isnan(ref.c[i]) && std::isnan(ref2.c[i])))) {
      ADD_FAILURE() << "reference with the shared stack differs at " << i;
      break;
    }
  expectMatches(t, fast, ref);
}

TEST_F(UkernelGemm, SharedStackMoe) {
  // Routed experts + shared experts in one call: DeepSeek-like (S shared
  // matrices of the routed width, split 1) and Qwen-like (one shared
  // expert m times wider, split m), gate/up GLU with gather and the
  // scattered down projection, decode to prefill sizes, 1-3 threads,
  // with and without prepacked weights.
  uint32_t seed = 60000;
  for (int64_t M : {1, 5, 40, 300})
    for (int64_t split : {1, 4})
      for (bool down : {false, true}) {
        Case t;
        int64_t e = 6, s = split == 1 ? 2 : 1;
        t.M = M;
        t.N = down ? 40 : 24;
        t.K = down ? 24 : 40;
        t.grouped = true;
        t.groups = e + s * split;
        t.gather = !down;
        t.glu = !down;
        t.act = down ? SLUICE_UK_ACT_NONE : SLUICE_UK_ACT_SILU;
        t.scatter = down;
        t.scale = down;
        t.accumulate = down;
        t.seed = seed++;
        for (int threads : {1, 2, 3})
          for (bool prepack : {false, true}) {
            runSharedCase(t, e, split, threads, prepack);
            if (HasFailure())
              return;
          }
      }
}

TEST_F(UkernelGemm, SmallGroupsAcrossKBlocksAndThreads) {
  // The small-batch MoE shapes: three groups of h, h + 1 and 1 rows for h =
  // 1..17 (every register-tile split up to 6 + 6 + 5 and 4 + 4 + ... with
  // MR = 6, including the tiles taken by 9 <= h <= 17 without prepacking),
  // K = 600 (three K blocks, the last one short, odd), odd N (GLU
  // half-panel and panel tails), gathered GLU gate/up then the scattered
  // down projection, 1 and 2 threads, prepacked and not, and the same
  // through a shared stack (two routed groups + one shared matrix).
  uint32_t seed = 70000;
  for (int64_t h = 1; h <= 17; ++h)
    for (bool down : {false, true}) {
      Case t;
      int32_t m1 = int32_t(h), m2 = int32_t(2 * h + 1);
      t.M = m2 + 1;
      t.N = down ? 37 : 45;
      t.K = down ? 600 : 601;
      t.grouped = true;
      t.groups = 3;
      t.cuts = {0, m1, m2, m2 + 1};
      t.gather = !down;
      t.glu = !down;
      t.act = down ? SLUICE_UK_ACT_NONE : SLUICE_UK_ACT_SILU;
      t.scatter = down;
      t.scale = down;
      t.accumulate = down;
      t.seed = seed++;
      for (int threads : {1, 2})
        for (bool prepack : {false, true}) {
          runCase(t, threads, prepack);
          runSharedCase(t, /*e=*/2, /*split=*/1, threads, prepack);
          if (HasFailure())
            return;
        }
    }
}

TEST_F(UkernelGemm, SharedStackRandomFlags) {
  std::mt19937 rng(91);
  auto pick = [&](int64_t n) {
    return std::uniform_int_distribution<int64_t>(0, n - 1)(rng);
  };
  const int64_t sizes[] = {1, 2, 7, 16, 17, 33, 100, 257};
  for (int i = 0; i < 80; ++i) {
    Case t;
    t.M = sizes[pick(8)];
    t.N = sizes[pick(7)];
    t.K = sizes[pick(8)];
    int64_t e = 1 + pick(5), split = 1 + pick(3), mats = 1 + pick(2);
    t.grouped = true;
    t.groups = e + mats * split;
    t.gather = pick(2);
    t.glu = pick(2);
    t.bias = pick(2);
    t.act = pick(6);
    t.scatter = pick(2);
    t.scale = pick(2);
    t.accumulate = pick(2);
    t.seed = 61000 + i;
    runSharedCase(t, e, split, 1 + static_cast<int>(pick(3)), pick(2));
    if (HasFailure())
      return;
  }
}

/// An MoE decode call (GemmPlan::kParts: streamed B split along K, about
/// 1 MiB of B per part): `rows[g]` product rows in group g (0 for experts
/// no token picked), the gathered GLU gate/up or the scattered, weighted
/// down projection, K x N per expert.
Case decodeCase(const std::vector<int32_t> &rows, bool down, int64_t k,
                int64_t n, uint32_t seed) {
  Case t;
  t.groups = static_cast<int64_t>(rows.size());
  t.cuts.assign(1, 0);
  for (int32_t r : rows)
    t.cuts.push_back(t.cuts.back() + r);
  t.M = t.cuts.back();
  t.grouped = true;
  t.K = k;
  t.N = n;
  t.gather = !down;
  t.glu = !down;
  t.act = down ? SLUICE_UK_ACT_NONE : SLUICE_UK_ACT_SILU;
  t.bias = seed % 2 == 1;
  t.k2 = seed % 3 == 0 ? 8 : 0;
  t.scatter = down;
  t.scale = down;
  t.accumulate = down;
  t.seed = seed;
  return t;
}

/// The decode shapes of the K split: k = 1..8 experts with one row each
/// (T = 1) out of k + 1 (one expert unused), and uneven groups of 0-8 rows.
/// Parts (Gemm.cpp; >= 1 MiB and >= 256 rows each): gate/up K = 768,
/// N = 600: one column chunk of 608, 3 parts of 256 rows; K = 512,
/// N = 4200: two chunks of 2112 (one-row GLU calls keep at most 8192
/// accumulators, 4096 columns), 2 parts; N = 2100: one chunk, 2 parts;
/// down K = 512, N = 520: 2 parts;
/// uneven groups (chunks of at most 256 GLU / 512 columns) K = 1024,
/// N = 300: 2 parts of 512 rows.
std::vector<Case> decodeCases() {
  std::vector<Case> cases;
  uint32_t seed = 62000;
  for (int k = 1; k <= 8; ++k)
    for (bool down : {false, true}) {
      std::vector<int32_t> rows(k + 1, 1);
      rows[(k * 5) % (k + 1)] = 0;
      bool wide = k == 2 || k == 4;
      cases.push_back(decodeCase(rows, down, down ? 512 : wide ? 512 : 768,
                                 down ? 520 : k == 2 ? 4200 : wide ? 2100 : 600,
                                 seed++));
    }
  for (bool down : {false, true})
    cases.push_back(
        decodeCase({3, 0, 8, 1, 5, 0, 2, 7, 4}, down, 1024, 300, seed++));
  return cases;
}

TEST_F(UkernelGemm, DecodeSplitAlongK) {
  for (const Case &t : decodeCases())
    for (int threads : {1, 2}) {
      runCase(t, threads);
      if (HasFailure())
        return;
    }
}

TEST_F(UkernelGemm, DecodeBitIdenticalAcrossThreadCounts) {
  // The K parts depend on the shape only, and each unit's parts are added
  // in the same order by whichever thread completes it: C is the same bits
  // for 1, 2 and 3 threads.
  for (const Case &t : decodeCases()) {
    SCOPED_TRACE(t.str());
    std::vector<float> first;
    const Problem initial(t);
    for (int threads : {1, 2, 3}) {
      ASSERT_EQ(sluice_set_num_threads(threads), SLUICE_OK);
      Problem fast(t);
      sluice_uk_gemm(&fast.args);
      if (threads == 1) {
        first = fast.c;
        EXPECT_NE(first, initial.c); // not vacuous: the call changed C
        continue;
      }
      EXPECT_EQ(0, memcmp(fast.c.data(), first.data(),
                          first.size() * sizeof(float)))
          << "threads=" << threads;
    }
  }
}

TEST_F(UkernelGemm, DecodeSplitAlongKSharedStack) {
  // DeepSeek-like decode: 6 routed experts with one row each and the
  // shared experts' rows in the same call (2 shared matrices, split 1; or
  // one 4x wider matrix, split 4), 1 and 2 threads.
  uint32_t seed = 63000;
  for (int64_t split : {1, 4})
    for (bool down : {false, true}) {
      int64_t e = 6, s = split == 1 ? 2 : 1;
      Case t = decodeCase(std::vector<int32_t>(e + s * split, 1), down,
                          down ? 512 : 768, down ? 520 : 600, seed++);
      for (int threads : {1, 2}) {
        runSharedCase(t, e, split, threads, /*prepack=*/false);
        if (HasFailure())
          return;
      }
    }
}
