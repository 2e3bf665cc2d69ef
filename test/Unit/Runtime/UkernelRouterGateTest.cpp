//===- UkernelRouterGateTest.cpp - sluice_uk_router_gate vs plain code ----===//
//
// The fused router GEMM + top-k gate against an oracle written here from
// the op spec (topk_gate of ../shared/spec/ops.md on x . w): logits summed
// in double, scores with std::exp, selection by sorting with the spec's
// comparator. x and w hold small multiples of 1/2 and 1/4, so every logit
// is exact in float whatever the summation order; ties between experts are
// therefore real ties in kernel and oracle alike and indices must match
// exactly. Weights: relative 2e-5 + absolute 1e-6 (the kernel's vector exp
// and its sum order differ from libm's by a few ulp). NaN / +-inf in x and
// w, every score function, groups with both group scores, bias,
// renormalize, scale, temperature, E not a multiple of 16, K across
// several K blocks, T from 0 to several token blocks, one token with K
// split between threads, 1 and 2 threads, and both entry points
// (the kernel and its plain-loop fallback).
//
//===----------------------------------------------------------------------===//

#include "sluice/runtime.h"
#include "sluice/ukernels.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <numeric>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace {

struct Gate {
  int64_t T = 1, E = 8, K = 16, k = 2;
  int64_t score = SLUICE_UK_SCORE_SOFTMAX, groups = 1, topkGroups = 1;
  int64_t groupScore = SLUICE_UK_GROUP_MAX;
  bool renormalize = false, bias = false;
  float scale = 1.0f, temperature = 1.0f;
  uint32_t seed = 1;
  int specials = 0; // NaN / inf entries planted in x and w

  std::string str() const {
    std::ostringstream os;
    os << "T=" << T << " E=" << E << " K=" << K << " k=" << k
       << " score=" << score << " groups=" << groups << "/" << topkGroups
       << " group_score=" << groupScore << " renormalize=" << renormalize
       << " bias=" << bias << " scale=" << scale << " temp=" << temperature
       << " specials=" << specials << " seed=" << seed;
    return os.str();
  }
};

/// The spec's selection order: larger first, NaN after everything, ties
/// and NaNs by the lower index; demoted (dropped group) after every kept.
bool before(float a, int64_t ia, bool da, float b, int64_t ib, bool db) {
  if (da != db)
    return !da;
  bool na = std::isnan(a), nb = std::isnan(b);
  if (na || nb)
    return na && nb ? ia < ib : nb;
  if (a != b)
    return a > b;
  return ia < ib;
}

/// The n best of `keys` (with their demotion flags) in selection order.
std::vector<int64_t> select(const std::vector<float> &keys,
                            const std::vector<bool> &demoted, int64_t n) {
  std::vector<int64_t> idx(keys.size());
  std::iota(idx.begin(), idx.end(), 0);
  std::sort(idx.begin(), idx.end(), [&](int64_t a, int64_t b) {
    return before(keys[a], a, demoted[a], keys[b], b, demoted[b]);
  });
  idx.resize(n);
  return idx;
}

/// topk_gate of the spec on one row of logits.
void oracleRow(const Gate &g, const std::vector<float> &logits,
               const std::vector<float> &bias, float *w, int32_t *ids) {
  int64_t E = g.E;
  std::vector<float> z(E), s(E), key(E);
  for (int64_t e = 0; e < E; ++e)
    z[e] = g.temperature != 1.0f ? logits[e] / g.temperature : logits[e];
  if (g.score == SLUICE_UK_SCORE_SOFTMAX) {
    float m = -std::numeric_limits<float>::infinity();
    bool nan = false;
    for (float v : z) {
      nan |= std::isnan(v);
      m = std::max(m, v);
    }
    float sum = 0.0f;
    for (int64_t e = 0; e < E; ++e)
      sum += s[e] = nan ? NAN : std::exp(z[e] - m);
    for (float &v : s)
      v /= sum;
  } else if (g.score == SLUICE_UK_SCORE_SIGMOID) {
    for (int64_t e = 0; e < E; ++e)
      s[e] = 1.0f / (1.0f + std::exp(-z[e]));
  } else {
    s = z;
  }
  for (int64_t e = 0; e < E; ++e)
    key[e] = g.bias ? s[e] + bias[e] : s[e];
  std::vector<bool> demoted(E, false);
  if (g.groups > 1) {
    int64_t per = E / g.groups;
    int64_t take = g.groupScore == SLUICE_UK_GROUP_MAX ? 1 : 2;
    std::vector<float> gval(g.groups);
    for (int64_t q = 0; q < g.groups; ++q) {
      std::vector<float> part(key.begin() + q * per, key.begin() + (q + 1) * per);
      float v = 0.0f;
      for (int64_t i : select(part, std::vector<bool>(per, false), take))
        v += part[i];
      gval[q] = v;
    }
    std::vector<bool> keptGroup(g.groups, false);
    for (int64_t q :
         select(gval, std::vector<bool>(g.groups, false), g.topkGroups))
      keptGroup[q] = true;
    for (int64_t e = 0; e < E; ++e)
      demoted[e] = !keptGroup[e / per];
  }
  std::vector<int64_t> pick = select(key, demoted, g.k);
  for (int64_t j = 0; j < g.k; ++j) {
    ids[j] = static_cast<int32_t>(pick[j]);
    w[j] = s[pick[j]];
  }
  if (g.score == SLUICE_UK_SCORE_SOFTMAX_TOPK) {
    float m = -std::numeric_limits<float>::infinity();
    bool nan = false;
    for (int64_t j = 0; j < g.k; ++j) {
      nan |= std::isnan(z[pick[j]]);
      m = std::max(m, z[pick[j]]);
    }
    float sum = 0.0f;
    for (int64_t j = 0; j < g.k; ++j)
      sum += w[j] = nan ? NAN : std::exp(z[pick[j]] - m);
    for (int64_t j = 0; j < g.k; ++j)
      w[j] /= sum;
  }
  if (g.renormalize) {
    float sum = 0.0f;
    for (int64_t j = 0; j < g.k; ++j)
      sum += w[j];
    for (int64_t j = 0; j < g.k; ++j)
      w[j] /= sum + 1e-20f;
  }
  if (g.scale != 1.0f)
    for (int64_t j = 0; j < g.k; ++j)
      w[j] *= g.scale;
}

int64_t bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return u;
}

void check(const Gate &g, bool reference) {
  SCOPED_TRACE(g.str() + (reference ? " (plain-loop entry)" : ""));
  std::mt19937 rng(g.seed);
  std::uniform_int_distribution<int> xi(-2, 2), wi(-4, 4);
  // Rows of x padded (ldx > K) and w padded (ldw > E) to test the strides.
  int64_t ldx = g.K + 3, ldw = g.E + 5, ldo = g.k + 2;
  std::vector<float> x(g.T * ldx + 1, 7.0f), w(g.K * ldw + 1, 7.0f), bias(g.E);
  for (int64_t t = 0; t < g.T; ++t)
    for (int64_t c = 0; c < g.K; ++c)
      x[t * ldx + c] = 0.5f * xi(rng);
  for (int64_t r = 0; r < g.K; ++r)
    for (int64_t c = 0; c < g.E; ++c)
      w[r * ldw + c] = 0.25f * wi(rng);
  for (float &b : bias)
    b = std::uniform_real_distribution<float>(-0.3f, 0.3f)(rng);
  const float inf = std::numeric_limits<float>::infinity();
  for (int i = 0; i < g.specials && g.T > 0 && g.K > 0; ++i) {
    float v = i % 3 == 0 ? NAN : i % 3 == 1 ? inf : -inf;
    if (i % 2)
      x[(rng() % g.T) * ldx + rng() % g.K] = v;
    else
      w[(rng() % g.K) * ldw + rng() % g.E] = v;
  }
  std::vector<float> wt(g.T * ldo + 1, -5.0f), wref(g.T * g.k + 1);
  std::vector<int32_t> id(g.T * ldo + 1, -5), idref(g.T * g.k + 1);
  for (int64_t t = 0; t < g.T; ++t) {
    std::vector<float> logits(g.E);
    for (int64_t e = 0; e < g.E; ++e) {
      double sum = 0;
      for (int64_t c = 0; c < g.K; ++c)
        sum += double(x[t * ldx + c]) * double(w[c * ldw + e]);
      logits[e] = static_cast<float>(sum);
    }
    oracleRow(g, logits, bias, &wref[t * g.k], &idref[t * g.k]);
  }
  sluice_uk_router_gate_args a{};
  a.T = g.T;
  a.E = g.E;
  a.K = g.K;
  a.x = x.data();
  a.ldx = ldx;
  a.w = w.data();
  a.ldw = ldw;
  a.bias = g.bias ? bias.data() : nullptr;
  a.k = g.k;
  a.score = g.score;
  a.renormalize = g.renormalize;
  a.scale_bits = bits(g.scale);
  a.temperature_bits = bits(g.temperature);
  a.groups = g.groups;
  a.topk_groups = g.topkGroups;
  a.group_score = g.groupScore;
  a.weights = wt.data();
  a.ld_weights = ldo;
  a.indices = id.data();
  a.ld_indices = ldo;
  if (reference)
    sluice_uk_router_gate_reference(&a);
  else
    sluice_uk_router_gate(&a);
  int failures = 0;
  for (int64_t t = 0; t < g.T && failures < 5; ++t) {
    for (int64_t j = 0; j < g.k; ++j) {
      float got = wt[t * ldo + j], want = wref[t * g.k + j];
      bool same = std::isnan(want) ? std::isnan(got)
                                   : got == want || std::fabs(got - want) <=
                                                        2e-5f * std::fabs(want) +
                                                            1e-6f;
      if (id[t * ldo + j] != idref[t * g.k + j] || !same) {
        ADD_FAILURE() << "token " << t << " pick " << j << ": got expert "
                      << id[t * ldo + j] << " weight " << got
                      << ", want expert " << idref[t * g.k + j] << " weight "
                      << want;
        ++failures;
      }
    }
    // The padding between rows of the outputs is never written.
    for (int64_t j = g.k; j < ldo; ++j)
      if (wt[t * ldo + j] != -5.0f || id[t * ldo + j] != -5) {
        ADD_FAILURE() << "token " << t << ": padding column " << j
                      << " written";
        ++failures;
      }
  }
}

class UkernelRouterGate : public ::testing::Test {
protected:
  void TearDown() override { sluice_set_num_threads(0); }
};

TEST_F(UkernelRouterGate, EveryAttribute) {
  std::mt19937 rng(7);
  const int64_t shapes[][3] = {{0, 8, 16},   {1, 8, 16},   {1, 64, 300},
                               {7, 24, 33},  {6, 16, 1},   {13, 72, 64},
                               {33, 64, 257}, {97, 8, 5},  {200, 64, 128},
                               {5, 40, 0},
                               // One token with K * E >= 32768: K split
                               // between the threads; E = 40 and 36 also
                               // run the 32-wide and tail loops of the row
                               // kernel.
                               {1, 64, 2048}, {1, 72, 600}, {1, 40, 1000},
                               {1, 36, 1000}};
  int n = 0;
  for (int threads : {1, 2}) {
    ASSERT_EQ(sluice_set_num_threads(threads), SLUICE_OK);
    for (auto &sh : shapes) {
      for (int64_t score = 0; score < 4; ++score) {
        for (int variant = 0; variant < 3; ++variant) {
          Gate g;
          g.T = sh[0];
          g.E = sh[1];
          g.K = sh[2];
          g.score = score;
          g.seed = ++n;
          // groups dividing E (1, 2, 4 or 8), top-k groups, k.
          int64_t cand[] = {1, 2, 4, 8};
          g.groups = variant == 0 ? 1 : cand[rng() % 4];
          if (g.E % g.groups)
            g.groups = 1;
          int64_t per = g.E / g.groups;
          g.topkGroups = 1 + rng() % g.groups;
          g.groupScore = per >= 2 && rng() % 2 ? SLUICE_UK_GROUP_TOP2_SUM
                                               : SLUICE_UK_GROUP_MAX;
          g.k = 1 + rng() % std::min<int64_t>(g.topkGroups * per, 9);
          if (variant == 2)
            g.k = g.topkGroups * per; // every allowed expert
          g.bias = variant > 0;
          g.renormalize = score != SLUICE_UK_SCORE_NONE && rng() % 2;
          g.scale = variant == 1 ? 2.5f : 1.0f;
          g.temperature = variant == 2 ? 0.7f : 1.0f;
          check(g, false);
          if (threads == 1)
            check(g, true);
        }
      }
    }
  }
}

TEST_F(UkernelRouterGate, NanAndInfinities) {
  int n = 100;
  for (int threads : {1, 2}) {
    ASSERT_EQ(sluice_set_num_threads(threads), SLUICE_OK);
    for (int64_t score = 0; score < 4; ++score)
      for (int64_t groups : {1, 4})
        for (int specials : {1, 2, 3, 6}) {
          Gate g;
          g.T = 40;
          g.E = 64;
          g.K = 48;
          g.k = 8;
          g.score = score;
          g.groups = groups;
          g.topkGroups = groups > 1 ? 2 : 1;
          g.groupScore = groups > 1 && specials % 2 ? SLUICE_UK_GROUP_TOP2_SUM
                                                    : SLUICE_UK_GROUP_MAX;
          g.bias = specials > 2;
          g.specials = specials;
          g.seed = ++n;
          check(g, false);
        }
  }
}

// Large logits: softmax differences below exp's range (exact 0 and
// subnormal scores must order like libm's) and sigmoid saturation.
TEST_F(UkernelRouterGate, WideLogits) {
  Gate g;
  g.T = 20;
  g.E = 64;
  g.K = 64;
  g.k = 12;
  for (int64_t score : {SLUICE_UK_SCORE_SOFTMAX, SLUICE_UK_SCORE_SIGMOID}) {
    g.score = score;
    g.temperature = 0.02f; // logits / 0.02: spreads of several hundred
    g.seed = 500 + score;
    check(g, false);
  }
}

} // namespace
