//===- UkernelSparseMatmulTest.cpp - sluice_uk_sparse_matmul vs plain code ===//
//
// The sparse-input micro-kernel against an oracle written here from the
// ABI's contract (ukernels.h): y[t, j] = sum over n ascending with
// x[t, n] != 0 (NaN counts) of x[t, n] * w[n, j], each step one fused
// multiply-add from +0. The kernel promises that order, so results agree to
// rounding; the check allows 1e-6 relative + 1e-7 absolute (a missing or
// doubled row is off by ~1e-1). Inf / NaN must match exactly (same class and
// sign). T = 0, 1, 3, 8, 17 (one, a partial, a full and several 8-token
// tiles); odd N and M with padded strides (the padding must stay
// untouched); 0%, 10%, 50% and 100% kept inputs, also mixed within a tile
// (every path of the AVX2 kernel: the row groups, the per-token loop, the
// 8-token strips and their exact fallback); an Inf weight row kept by one
// token of a dense tile; a kept NaN input; 1 and 2 threads; both entry
// points (the kernel and its plain-loop reference).
//
//===----------------------------------------------------------------------===//

#include "sluice/runtime.h"
#include "sluice/ukernels.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace {

struct Case {
  int64_t T = 1, N = 37, M = 203;
  double keep = 1.0;     ///< fraction of kept inputs per token
  double keepOdd = -1.0; ///< if >= 0: the fraction for odd tokens
  int pad = 0;           ///< extra columns in ldx, ldw, ldy
  bool infRow = false;   ///< an Inf weight in a row kept only by token 0
  bool nanInput = false; ///< token 0 keeps a NaN input
  uint32_t seed = 1;

  std::string str() const {
    std::ostringstream os;
    os << "T=" << T << " N=" << N << " M=" << M << " keep=" << keep
       << " keepOdd=" << keepOdd << " pad=" << pad << " infRow=" << infRow
       << " nanInput=" << nanInput << " seed=" << seed;
    return os.str();
  }
};

struct Data {
  int64_t ldx, ldw, ldy;
  std::vector<float> x, w, y;
};

constexpr float kSentinel = 12345.0f;

Data makeData(const Case &c) {
  Data d;
  d.ldx = c.N + c.pad;
  d.ldw = c.M + c.pad;
  d.ldy = c.M + c.pad;
  std::mt19937 rng(c.seed);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f), pick(0.0f, 1.0f);
  d.x.assign(static_cast<size_t>(c.T * d.ldx), 0.0f);
  d.w.resize(static_cast<size_t>(c.N * d.ldw));
  for (float &v : d.w)
    v = u(rng);
  for (int64_t t = 0; t < c.T; ++t) {
    double keep = c.keepOdd >= 0 && (t & 1) ? c.keepOdd : c.keep;
    for (int64_t n = 0; n < c.N; ++n)
      if (pick(rng) < keep) {
        float v = u(rng);
        d.x[t * d.ldx + n] = v == 0.0f ? 0.5f : v;
      }
  }
  if (c.infRow && c.N > 2) {
    // Row 1: kept by token 0 only, with an Inf weight in column 5.
    int64_t n = 1;
    for (int64_t t = 0; t < c.T; ++t)
      d.x[t * d.ldx + n] = t == 0 ? 0.75f : 0.0f;
    d.w[n * d.ldw + 5 % c.M] = std::numeric_limits<float>::infinity();
  }
  if (c.nanInput && c.N > 3)
    d.x[3] = std::numeric_limits<float>::quiet_NaN();
  d.y.assign(static_cast<size_t>((c.T > 0 ? c.T : 1) * d.ldy), kSentinel);
  return d;
}

/// The contract, written from ukernels.h (shares no code with the kernel).
std::vector<float> oracle(const Case &c, const Data &d) {
  std::vector<float> y(static_cast<size_t>(c.T * c.M), 0.0f);
  for (int64_t t = 0; t < c.T; ++t)
    for (int64_t j = 0; j < c.M; ++j) {
      float acc = 0.0f;
      for (int64_t n = 0; n < c.N; ++n) {
        float xv = d.x[t * d.ldx + n];
        if (xv != 0.0f || std::isnan(xv))
          acc = std::fma(xv, d.w[n * d.ldw + j], acc);
      }
      y[t * c.M + j] = acc;
    }
  return y;
}

void check(const Case &c, bool reference, int threads) {
  SCOPED_TRACE(c.str() + (reference ? " reference" : " kernel") +
               " threads=" + std::to_string(threads));
  ASSERT_EQ(sluice_set_num_threads(threads), SLUICE_OK);
  Data d = makeData(c);
  sluice_uk_sparse_matmul_args a{};
  a.T = c.T;
  a.N = c.N;
  a.M = c.M;
  a.x = d.x.data();
  a.ldx = d.ldx;
  a.w = d.w.data();
  a.ldw = d.ldw;
  a.y = d.y.data();
  a.ldy = d.ldy;
  if (reference)
    sluice_uk_sparse_matmul_reference(&a);
  else
    sluice_uk_sparse_matmul(&a);
  std::vector<float> want = oracle(c, d);
  int bad = 0;
  for (int64_t t = 0; t < c.T && bad < 5; ++t) {
    for (int64_t j = 0; j < d.ldy && bad < 5; ++j) {
      float got = d.y[t * d.ldy + j];
      if (j >= c.M) {
        if (got != kSentinel) {
          ADD_FAILURE() << "padding y[" << t << ", " << j << "] written: " << got;
          ++bad;
        }
        continue;
      }
      float ref = want[t * c.M + j];
      bool ok;
      if (std::isnan(ref) || std::isinf(ref))
        ok = std::isnan(ref) ? std::isnan(got) : got == ref;
      else
        ok = std::isfinite(got) &&
             std::fabs(got - ref) <= 1e-6f * std::fabs(ref) + 1e-7f;
      if (!ok) {
        ADD_FAILURE() << "y[" << t << ", " << j << "] = " << got
                      << ", expected " << ref;
        ++bad;
      }
    }
  }
  if (c.T == 0) {
    for (float v : d.y) {
      ASSERT_EQ(v, kSentinel) << "T = 0 wrote y";
    }
  }
}

class UkernelSparseMatmul : public ::testing::Test {
protected:
  void TearDown() override { sluice_set_num_threads(0); }
};

void checkAll(const Case &c) {
  for (int threads : {1, 2})
    check(c, /*reference=*/false, threads);
  check(c, /*reference=*/true, 1);
}

TEST_F(UkernelSparseMatmul, DensitiesTokensShapes) {
  // (N, M): tiny; odd, above the 2-thread threshold; several column items.
  const int64_t shapes[][2] = {{37, 203}, {301, 1001}, {131, 8219}};
  for (auto &s : shapes)
    for (int64_t T : {1, 3, 8, 17})
      for (double keep : {0.0, 0.1, 0.5, 1.0}) {
        if (s[1] > 4096 && (T == 3 || T == 17))
          continue; // the wide shape: one token and one full tile suffice
        Case c;
        c.T = T;
        c.N = s[0];
        c.M = s[1];
        c.keep = keep;
        c.seed = static_cast<uint32_t>(T * 131 + s[0] + keep * 10);
        checkAll(c);
      }
}

TEST_F(UkernelSparseMatmul, MixedTilesAndStrides) {
  for (int64_t T : {3, 8, 17})
    for (double odd : {0.0, 0.1, 1.0}) {
      Case c;
      c.T = T;
      c.N = 301;
      c.M = 1001;
      c.keep = 0.9;
      c.keepOdd = odd;
      c.pad = 7;
      c.seed = static_cast<uint32_t>(T + odd * 100);
      checkAll(c);
    }
}

TEST_F(UkernelSparseMatmul, InfWeightKeptByOneToken) {
  // Dense tiles take the 8-token strips, which add every listed row to
  // every token: the Inf of row 1 must reach token 0 only.
  for (int64_t T : {1, 2, 8, 17})
    for (double keep : {0.1, 1.0}) {
      Case c;
      c.T = T;
      c.N = 301;
      c.M = 1001;
      c.keep = keep;
      c.infRow = true;
      checkAll(c);
    }
}

TEST_F(UkernelSparseMatmul, KeptNanInput) {
  for (int64_t T : {1, 8, 9}) {
    Case c;
    c.T = T;
    c.N = 301;
    c.M = 203;
    c.nanInput = true;
    checkAll(c);
  }
}

TEST_F(UkernelSparseMatmul, NoTokens) {
  Case c;
  c.T = 0;
  checkAll(c);
}

} // namespace
