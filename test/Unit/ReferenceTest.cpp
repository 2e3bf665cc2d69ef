//===- ReferenceTest.cpp - unit tests of the reference evaluator ----------===//
//
// Hand-derived small cases for every op of the reference evaluator
// (runtime/reference), the corner cases of the spec's common rules
// (selection order, empty reductions, masked values never read) and every
// run-time error path. Expected numbers are written out or computed here from
// first principles, never by calling the evaluator.
//
//===----------------------------------------------------------------------===//

#include "runtime/reference/Reference.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

using namespace sluice::ref;

namespace {

const float kNaN = std::numeric_limits<float>::quiet_NaN();
const float kInf = std::numeric_limits<float>::infinity();

Tensor F(std::vector<int64_t> shape, std::vector<float> data) {
  return Tensor::f32(std::move(shape), std::move(data));
}
Tensor I(std::vector<int64_t> shape, std::vector<int32_t> data) {
  return Tensor::i32(std::move(shape), std::move(data));
}
Tensor M(std::vector<int64_t> shape, std::vector<int32_t> data) {
  return Tensor::i1(std::move(shape), std::move(data));
}

double sig(double x) { return 1.0 / (1.0 + std::exp(-x)); }

#define ASSERT_OK(expr)                                                        \
  do {                                                                         \
    Status s_ = (expr);                                                        \
    ASSERT_TRUE(s_.ok) << s_.message;                                          \
  } while (0)

/// Checks shape and values (NaN matches NaN; relative tolerance).
void expectF(const Tensor &t, std::vector<int64_t> shape,
             std::vector<double> want, double tol = 1e-6) {
  ASSERT_EQ(t.dtype, DType::f32);
  ASSERT_EQ(t.shape, shape);
  ASSERT_EQ(t.f.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    if (std::isnan(want[i])) {
      EXPECT_TRUE(std::isnan(t.f[i])) << "at " << i << ": " << t.f[i];
      continue;
    }
    if (std::isinf(want[i])) {
      EXPECT_EQ((double)t.f[i], want[i]) << "at " << i;
      continue;
    }
    EXPECT_NEAR(t.f[i], want[i], tol * std::max(1.0, std::fabs(want[i])))
        << "at " << i;
  }
}

void expectI(const Tensor &t, std::vector<int64_t> shape,
             std::vector<int32_t> want) {
  ASSERT_EQ(t.dtype, DType::i32);
  ASSERT_EQ(t.shape, shape);
  EXPECT_EQ(t.i, want);
}

/// Checks that `s` is an error whose message contains every `part`.
void expectError(const Status &s, std::vector<std::string> parts) {
  ASSERT_FALSE(s.ok) << "expected an error";
  for (const std::string &p : parts)
    EXPECT_NE(s.message.find(p), std::string::npos)
        << "message \"" << s.message << "\" lacks \"" << p << "\"";
}

} // namespace

//===----------------------------------------------------------------------===//
// topk_gate
//===----------------------------------------------------------------------===//

TEST(TopkGate, SoftmaxTop2WrittenOut) {
  // softmax([1,2,3,4]) = [0.0320586, 0.0871443, 0.2368828, 0.6439143].
  Tensor w, idx;
  TopkGateOptions o;
  o.k = 2;
  ASSERT_OK(topkGate(F({2, 4}, {1, 2, 3, 4, 0, 0, 0, 0}), nullptr, o, w, idx));
  expectI(idx, {2, 2}, {3, 2, 0, 1}); // Equal scores: lower index first.
  expectF(w, {2, 2}, {0.6439142598879722, 0.23688281808991013, 0.25, 0.25});
}

TEST(TopkGate, SoftmaxRenormalizeMixtral) {
  Tensor w, idx;
  TopkGateOptions o;
  o.k = 2;
  o.renormalize = true;
  ASSERT_OK(topkGate(F({1, 4}, {1, 2, 3, 4}), nullptr, o, w, idx));
  double e = std::exp(1.0);
  expectI(idx, {1, 2}, {3, 2});
  expectF(w, {1, 2}, {e / (1 + e), 1 / (1 + e)});
}

TEST(TopkGate, SoftmaxTopkIsSoftmaxOfSelectedLogitsWithTemperature) {
  Tensor w, idx;
  TopkGateOptions o;
  o.k = 2;
  o.score = ScoreFunc::softmax_topk;
  o.temperature = 2.0f;
  ASSERT_OK(topkGate(F({1, 3}, {0, 4, 2}), nullptr, o, w, idx));
  // z = [0, 2, 1]; selected z = [2, 1]; softmax = [e/(1+e), 1/(1+e)].
  double e = std::exp(1.0);
  expectI(idx, {1, 2}, {1, 2});
  expectF(w, {1, 2}, {e / (1 + e), 1 / (1 + e)});
}

TEST(TopkGate, SigmoidBiasSteersSelectionNotWeights) {
  Tensor w, idx;
  TopkGateOptions o;
  o.k = 2;
  o.score = ScoreFunc::sigmoid;
  o.renormalize = true;
  o.scale = 2.5f;
  Tensor bias = F({4}, {0, 0, 5, 0});
  ASSERT_OK(topkGate(F({1, 4}, {0, 1, -1, 2}), &bias, o, w, idx));
  // keys: .5, .731, sig(-1)+5, .881 -> experts 2, 3; weights unbiased.
  double a = sig(-1), b = sig(2);
  expectI(idx, {1, 2}, {2, 3});
  expectF(w, {1, 2}, {2.5 * a / (a + b), 2.5 * b / (a + b)});
}

TEST(TopkGate, ScoreNoneWithScale) {
  Tensor w, idx;
  TopkGateOptions o;
  o.k = 2;
  o.score = ScoreFunc::none;
  o.scale = -2.0f;
  ASSERT_OK(topkGate(F({1, 3}, {-1, 0.5, 0.25}), nullptr, o, w, idx));
  expectI(idx, {1, 2}, {1, 2});
  expectF(w, {1, 2}, {-1.0, -0.5});
}

TEST(TopkGate, KEqualsOneAndKEqualsE) {
  Tensor w, idx;
  TopkGateOptions o;
  o.k = 1;
  o.score = ScoreFunc::none;
  Tensor l = F({2, 3}, {1, 3, 2, 7, 7, 7});
  ASSERT_OK(topkGate(l, nullptr, o, w, idx));
  expectI(idx, {2, 1}, {1, 0});
  expectF(w, {2, 1}, {3, 7});
  o.k = 3;
  ASSERT_OK(topkGate(l, nullptr, o, w, idx));
  expectI(idx, {2, 3}, {1, 2, 0, 0, 1, 2});
  expectF(w, {2, 3}, {3, 2, 1, 7, 7, 7});
}

TEST(TopkGate, ZeroAndOneTokens) {
  Tensor w, idx;
  TopkGateOptions o;
  o.k = 2;
  ASSERT_OK(topkGate(F({0, 4}, {}), nullptr, o, w, idx));
  expectI(idx, {0, 2}, {});
  expectF(w, {0, 2}, {});
  ASSERT_OK(topkGate(F({1, 2}, {0, 0}), nullptr, o, w, idx));
  expectI(idx, {1, 2}, {0, 1});
  expectF(w, {1, 2}, {0.5, 0.5});
}

TEST(TopkGate, NaNKeysComeLast) {
  Tensor w, idx;
  TopkGateOptions o;
  o.k = 4;
  o.score = ScoreFunc::none;
  ASSERT_OK(topkGate(F({1, 4}, {kNaN, 1, -kInf, 0}), nullptr, o, w, idx));
  expectI(idx, {1, 4}, {1, 3, 2, 0});
  expectF(w, {1, 4}, {1, 0, -INFINITY, NAN});
}

TEST(TopkGate, GroupMaxDeepSeekV2) {
  Tensor w, idx;
  TopkGateOptions o;
  o.k = 3;
  o.score = ScoreFunc::none;
  o.groups = 4;
  o.topkGroups = 2;
  // Group maxima 9, 3, 8, 4: groups 0 and 2 kept; the 4s of group 3 lose.
  ASSERT_OK(topkGate(F({1, 8}, {1, 9, 2, 3, 8, 0, 4, 4}), nullptr, o, w, idx));
  expectI(idx, {1, 3}, {1, 4, 0});
  expectF(w, {1, 3}, {9, 8, 1});
}

TEST(TopkGate, GroupTop2SumDeepSeekV3) {
  // logits 0 -> sigmoid 0.5 everywhere; the bias decides the keys:
  // [.8, .5 | .7, .7 | .9, .3 | -.5, 1.4]; group max .8, .7, .9, 1.4;
  // group top2_sum 1.3, 1.4, 1.2, .9.
  Tensor bias = F({8}, {0.3f, 0.0f, 0.2f, 0.2f, 0.4f, -0.2f, -1.0f, 0.9f});
  Tensor l = F({1, 8}, {0, 0, 0, 0, 0, 0, 0, 0});
  TopkGateOptions o;
  o.k = 3;
  o.score = ScoreFunc::sigmoid;
  o.groups = 4;
  o.topkGroups = 2;
  o.groupScore = GroupScore::top2_sum;
  o.renormalize = true;
  o.scale = 2.5f;
  Tensor w, idx;
  ASSERT_OK(topkGate(l, &bias, o, w, idx));
  // top2_sum keeps groups 1 and 0: experts 0 (.8), 2 and 3
  // (.7 each, lower index first). Weights: 0.5 each, renormalized, * 2.5.
  expectI(idx, {1, 3}, {0, 2, 3});
  expectF(w, {1, 3}, {2.5 / 3, 2.5 / 3, 2.5 / 3});
  // With group max instead, groups 3 (1.4) and 2 (.9) win.
  o.groupScore = GroupScore::max;
  ASSERT_OK(topkGate(l, &bias, o, w, idx));
  expectI(idx, {1, 3}, {7, 4, 5});
}

TEST(TopkGate, DroppedGroupsRankBelowKeptNaNAndNegInf) {
  TopkGateOptions o;
  o.k = 2;
  o.score = ScoreFunc::none;
  o.groups = 2;
  o.topkGroups = 1;
  Tensor w, idx;
  // Group 0 {NaN, 5}: max 5 (NaN last); group 1 {1, 2}: max 2.
  ASSERT_OK(topkGate(F({1, 4}, {kNaN, 5, 1, 2}), nullptr, o, w, idx));
  expectI(idx, {1, 2}, {1, 0});
  expectF(w, {1, 2}, {5, NAN});
  ASSERT_OK(topkGate(F({1, 4}, {-kInf, 5, 1, 2}), nullptr, o, w, idx));
  expectI(idx, {1, 2}, {1, 0});
  expectF(w, {1, 2}, {5, -INFINITY});
}

TEST(TopkGate, GroupValueTiesKeepLowerGroup) {
  TopkGateOptions o;
  o.k = 2;
  o.score = ScoreFunc::none;
  o.groups = 2;
  o.topkGroups = 1;
  Tensor w, idx;
  ASSERT_OK(topkGate(F({1, 4}, {1, 3, 3, 2}), nullptr, o, w, idx));
  expectI(idx, {1, 2}, {1, 0});
}

TEST(TopkGate, VerifierErrors) {
  Tensor w, idx, l = F({1, 4}, {0, 0, 0, 0});
  auto run = [&](TopkGateOptions o, const Tensor *bias = nullptr) {
    return topkGate(l, bias, o, w, idx);
  };
  TopkGateOptions o;
  o.k = 0;
  expectError(run(o), {"sluice.topk_gate", "k >= 1", "0"});
  o.k = 5;
  expectError(run(o), {"sluice.topk_gate", "5"});
  o.k = 1;
  o.groups = 3;
  expectError(run(o), {"sluice.topk_gate", "divisible by groups (3)"});
  o.groups = 2;
  o.topkGroups = 3;
  expectError(run(o), {"sluice.topk_gate", "topk_groups", "3"});
  o.topkGroups = 1;
  o.k = 3;
  expectError(run(o), {"sluice.topk_gate", "topk_groups * experts per group"});
  o.k = 1;
  o.groups = 4;
  o.groupScore = GroupScore::top2_sum;
  expectError(run(o), {"sluice.topk_gate", "top2_sum"});
  o = TopkGateOptions();
  o.k = 1;
  o.score = ScoreFunc::none;
  o.renormalize = true;
  expectError(run(o), {"sluice.topk_gate", "renormalize"});
  o = TopkGateOptions();
  o.k = 1;
  o.temperature = 0;
  expectError(run(o), {"sluice.topk_gate", "temperature"});
  o.temperature = 1;
  o.scale = kInf;
  expectError(run(o), {"sluice.topk_gate", "scale", "inf"});
  o.scale = 1;
  Tensor bias = F({3}, {0, 0, 0});
  expectError(run(o, &bias), {"sluice.topk_gate", "bias", "[3]", "[1, 4]"});
}

//===----------------------------------------------------------------------===//
// expert_choice_gate
//===----------------------------------------------------------------------===//

TEST(ExpertChoiceGate, CapacityFactorPicksTopTokensPerExpert) {
  // E = 2: s[t, 0] = sigmoid(l0 - l1).
  Tensor l = F({4, 2}, {2, 0, 0, 2, 1, 1, 3, 0});
  ExpertChoiceGateOptions o;
  o.capacityFactor = 1.0f; // C = ceil(4 * 1 / 2) = 2.
  Tensor w, tok;
  ASSERT_OK(expertChoiceGate(l, o, w, tok));
  expectI(tok, {2, 2}, {3, 0, 1, 2});
  expectF(w, {2, 2}, {sig(3), sig(2), sig(2), 0.5});
}

TEST(ExpertChoiceGate, CapacityRules) {
  ExpertChoiceGateOptions o;
  o.capacityFactor = 1.0f;
  EXPECT_EQ(expertChoiceCapacity(5, 2, o), 3); // ceil(2.5)
  o.capacityFactor = 0.1f;
  EXPECT_EQ(expertChoiceCapacity(3, 4, o), 1); // ceil(0.075)
  // f64 from the f32 value: 10 * 0.100000001490116 = 1.0000000149 -> 2.
  EXPECT_EQ(expertChoiceCapacity(10, 1, o), 2);
  o.capacityFactor = 100.0f;
  EXPECT_EQ(expertChoiceCapacity(3, 2, o), 3); // Clamped to T.
  EXPECT_EQ(expertChoiceCapacity(0, 2, o), 0);
  ExpertChoiceGateOptions c;
  c.capacity = 7;
  EXPECT_EQ(expertChoiceCapacity(4, 2, c), 4);
  EXPECT_EQ(expertChoiceCapacity(9, 2, c), 7);
  EXPECT_EQ(expertChoiceCapacity(0, 2, c), 0);
}

TEST(ExpertChoiceGate, TiesTakeLowerTokenAndZeroTokens) {
  ExpertChoiceGateOptions o;
  o.capacity = 2;
  Tensor w, tok;
  ASSERT_OK(expertChoiceGate(F({3, 2}, {0, 0, 0, 0, 0, 0}), o, w, tok));
  expectI(tok, {2, 2}, {0, 1, 0, 1});
  expectF(w, {2, 2}, {0.5, 0.5, 0.5, 0.5});
  ASSERT_OK(expertChoiceGate(F({0, 2}, {}), o, w, tok));
  expectI(tok, {2, 0}, {});
}

TEST(ExpertChoiceGate, Errors) {
  Tensor w, tok, l = F({2, 2}, {0, 0, 0, 0});
  ExpertChoiceGateOptions o;
  expectError(expertChoiceGate(l, o, w, tok),
              {"sluice.expert_choice_gate", "exactly one"});
  o.capacity = 1;
  o.capacityFactor = 1.0f;
  expectError(expertChoiceGate(l, o, w, tok),
              {"sluice.expert_choice_gate", "exactly one"});
  o.capacityFactor.reset();
  o.capacity = 0;
  expectError(expertChoiceGate(l, o, w, tok),
              {"sluice.expert_choice_gate", "capacity >= 1", "0"});
  o.capacity.reset();
  o.capacityFactor = -0.5f;
  expectError(expertChoiceGate(l, o, w, tok),
              {"sluice.expert_choice_gate", "capacity_factor", "-0.5"});
}

//===----------------------------------------------------------------------===//
// glu, sigmoid_gate
//===----------------------------------------------------------------------===//

TEST(Glu, EveryActivation) {
  Tensor gate = F({1, 2}, {1, -2}), up = F({1, 2}, {1, 3}), out;
  ASSERT_OK(glu(gate, up, Activation::silu, out));
  expectF(out, {1, 2}, {0.7310585786300049, 3 * -0.2384058440442351});
  ASSERT_OK(glu(gate, up, Activation::gelu, out));
  expectF(out, {1, 2}, {0.8413447460685429, 3 * -0.04550026389635842});
  ASSERT_OK(glu(gate, up, Activation::gelu_tanh, out));
  expectF(out, {1, 2}, {0.8411919906082768, 3 * -0.04540230591222375});
  ASSERT_OK(glu(gate, up, Activation::relu, out));
  expectF(out, {1, 2}, {1, 0});
  ASSERT_OK(glu(gate, up, Activation::sigmoid, out));
  expectF(out, {1, 2}, {0.7310585786300049, 3 * 0.11920292202211755});
}

TEST(Glu, ShapeMismatch) {
  Tensor out;
  expectError(glu(F({2}, {1, 2}), F({3}, {1, 2, 3}), Activation::silu, out),
              {"sluice.glu", "[2]", "[3]"});
}

TEST(SigmoidGate, PerHeadAndElementwise) {
  Tensor x = F({1, 4}, {1, 2, 3, 4}), out;
  ASSERT_OK(sigmoidGate(x, F({1, 2}, {0, 2}), out));
  expectF(out, {1, 4}, {0.5, 1.0, 3 * sig(2), 4 * sig(2)});
  ASSERT_OK(sigmoidGate(x, F({1, 4}, {0, 0, 2, -2}), out));
  expectF(out, {1, 4}, {0.5, 1.0, 3 * sig(2), 4 * sig(-2)});
  expectError(sigmoidGate(x, F({1, 3}, {0, 0, 0}), out),
              {"sluice.sigmoid_gate", "(4)", "(3)"});
}

//===----------------------------------------------------------------------===//
// route
//===----------------------------------------------------------------------===//

namespace {
// Slots: 0 (t0,j0)->e0, 1 (t0,j1)->e1, 2 (t1,j0)->e1, 3 (t1,j1)->e2,
//        4 (t2,j0)->e0, 5 (t2,j1)->e1.
Tensor routeIdx() { return I({3, 2}, {0, 1, 1, 2, 0, 1}); }
Tensor routeW() { return F({3, 2}, {0.1f, 0.9f, 0.3f, 0.7f, 0.6f, 0.4f}); }
} // namespace

TEST(Route, Dropless) {
  RouteOptions o;
  o.numExperts = 3;
  Tensor counts, offsets, slots, keep;
  ASSERT_OK(route(routeIdx(), routeW(), o, counts, offsets, slots, keep));
  expectI(counts, {3}, {2, 3, 1});
  expectI(offsets, {4}, {0, 2, 5, 6});
  expectI(slots, {6}, {0, 4, 1, 2, 5, 3});
  expectI(keep, {3, 2}, {1, 1, 1, 1, 1, 1});
}

TEST(Route, BlockPadding) {
  RouteOptions o;
  o.numExperts = 4; // Expert 3 gets nothing: an empty segment.
  o.block = 2;
  Tensor counts, offsets, slots, keep;
  ASSERT_OK(route(routeIdx(), routeW(), o, counts, offsets, slots, keep));
  expectI(counts, {4}, {2, 3, 1, 0});
  expectI(offsets, {5}, {0, 2, 6, 8, 8});
  expectI(slots, {8}, {0, 4, 1, 2, 5, -1, 3, -1});
}

TEST(Route, CapacityByOrder) {
  RouteOptions o;
  o.numExperts = 3;
  o.capacity = 1;
  Tensor counts, offsets, slots, keep;
  ASSERT_OK(route(routeIdx(), routeW(), o, counts, offsets, slots, keep));
  expectI(keep, {3, 2}, {1, 1, 0, 1, 0, 0});
  expectI(counts, {3}, {1, 1, 1});
  expectI(offsets, {4}, {0, 1, 2, 3});
  expectI(slots, {3}, {0, 1, 3});
}

TEST(Route, CapacityByChoice) {
  RouteOptions o;
  o.numExperts = 3;
  o.capacity = 1;
  o.drop = DropPolicy::by_choice; // Expert 1: slot 2 (a first choice) wins.
  Tensor counts, offsets, slots, keep;
  ASSERT_OK(route(routeIdx(), routeW(), o, counts, offsets, slots, keep));
  expectI(keep, {3, 2}, {1, 0, 1, 1, 0, 0});
  expectI(slots, {3}, {0, 2, 3});
}

TEST(Route, CapacityByWeight) {
  RouteOptions o;
  o.numExperts = 3;
  o.capacity = 1;
  o.drop = DropPolicy::by_weight;
  Tensor counts, offsets, slots, keep;
  ASSERT_OK(route(routeIdx(), routeW(), o, counts, offsets, slots, keep));
  expectI(keep, {3, 2}, {0, 1, 0, 1, 1, 0});
  expectI(slots, {3}, {4, 1, 3});
  // Capacity 2: expert 1 keeps slots 1 (.9) and 5 (.4), listed ascending.
  o.capacity = 2;
  ASSERT_OK(route(routeIdx(), routeW(), o, counts, offsets, slots, keep));
  expectI(keep, {3, 2}, {1, 1, 0, 1, 1, 1});
  expectI(counts, {3}, {2, 2, 1});
  expectI(slots, {5}, {0, 4, 1, 5, 3});
}

TEST(Route, ByWeightTiesAndNaN) {
  RouteOptions o;
  o.numExperts = 1;
  o.capacity = 2;
  o.drop = DropPolicy::by_weight;
  Tensor counts, offsets, slots, keep;
  // Weights NaN, .5, .5, .2: the tie keeps slot 1 and 2; NaN is last.
  ASSERT_OK(route(I({4, 1}, {0, 0, 0, 0}), F({4, 1}, {kNaN, 0.5f, 0.5f, 0.2f}),
                  o, counts, offsets, slots, keep));
  expectI(keep, {4, 1}, {0, 1, 1, 0});
  expectI(slots, {2}, {1, 2});
}

TEST(Route, ZeroTokens) {
  RouteOptions o;
  o.numExperts = 2;
  o.block = 4;
  Tensor counts, offsets, slots, keep;
  ASSERT_OK(
      route(I({0, 2}, {}), F({0, 2}, {}), o, counts, offsets, slots, keep));
  expectI(counts, {2}, {0, 0});
  expectI(offsets, {3}, {0, 0, 0});
  expectI(slots, {0}, {});
  expectI(keep, {0, 2}, {});
}

TEST(Route, Errors) {
  RouteOptions o;
  o.numExperts = 3;
  Tensor c, off, sl, keep;
  expectError(route(I({1, 2}, {0, 3}), F({1, 2}, {1, 1}), o, c, off, sl, keep),
              {"sluice.route", "index 3", "token 0", "choice 1", "[0, 3)"});
  expectError(route(I({1, 1}, {-1}), F({1, 1}, {1}), o, c, off, sl, keep),
              {"sluice.route", "index -1"});
  expectError(route(I({1, 1}, {0}), F({1, 2}, {1, 1}), o, c, off, sl, keep),
              {"sluice.route", "weights", "[1, 2]"});
  o.numExperts = 0;
  expectError(route(I({1, 1}, {0}), F({1, 1}, {1}), o, c, off, sl, keep),
              {"sluice.route", "num_experts", "0"});
  o.numExperts = 1;
  o.block = 0;
  expectError(route(I({1, 1}, {0}), F({1, 1}, {1}), o, c, off, sl, keep),
              {"sluice.route", "block", "0"});
  o.block = 1;
  o.capacity = -1;
  expectError(route(I({1, 1}, {0}), F({1, 1}, {1}), o, c, off, sl, keep),
              {"sluice.route", "capacity", "-1"});
}

//===----------------------------------------------------------------------===//
// dispatch, grouped_matmul
//===----------------------------------------------------------------------===//

TEST(Dispatch, GathersTokenRowsAndZeroesPadding) {
  Tensor x = F({2, 2}, {1, 2, 3, 4}), xs;
  // k = 2: slots 3 -> token 1, 0 -> token 0, 1 -> token 0.
  ASSERT_OK(dispatch(x, I({4}, {3, -1, 0, 1}), 2, xs));
  expectF(xs, {4, 2}, {3, 4, 0, 0, 1, 2, 1, 2});
}

TEST(Dispatch, Errors) {
  Tensor x = F({2, 2}, {1, 2, 3, 4}), xs;
  expectError(dispatch(x, I({2}, {0, 4}), 2, xs),
              {"sluice.dispatch", "slot 4", "position 1"});
  expectError(dispatch(x, I({1}, {-2}), 2, xs), {"sluice.dispatch", "-2"});
  expectError(dispatch(x, I({1}, {0}), 0, xs), {"sluice.dispatch", "k >= 1"});
}

TEST(GroupedMatmul, SegmentsUseTheirExpert) {
  Tensor xs = F({3, 2}, {1, 2, 3, 4, 5, 6});
  Tensor w = F({2, 2, 1}, {1, 1, 2, -1}); // w0 = [1; 1], w1 = [2; -1].
  Tensor ys;
  ASSERT_OK(groupedMatmul(xs, w, I({3}, {0, 1, 3}), ys));
  expectF(ys, {3, 1}, {3, 2, 4});
  ASSERT_OK(groupedMatmul(xs, w, I({3}, {0, 0, 3}), ys)); // Empty segment.
  expectF(ys, {3, 1}, {0, 2, 4});
  ASSERT_OK(groupedMatmul(F({0, 2}, {}), w, I({3}, {0, 0, 0}), ys));
  expectF(ys, {0, 1}, {});
}

TEST(GroupedMatmul, OffsetErrors) {
  Tensor xs = F({3, 2}, {1, 2, 3, 4, 5, 6}), w = F({2, 2, 1}, {1, 1, 2, -1});
  Tensor ys;
  expectError(groupedMatmul(xs, w, I({3}, {1, 1, 3}), ys),
              {"sluice.grouped_matmul", "offsets[0] = 0", "got 1"});
  expectError(groupedMatmul(xs, w, I({3}, {0, 2, 1}), ys),
              {"sluice.grouped_matmul", "nondecreasing", "offsets[2] = 1"});
  expectError(groupedMatmul(xs, w, I({3}, {0, 1, 4}), ys),
              {"sluice.grouped_matmul", "offsets[2] = 4", "(3)"});
  expectError(groupedMatmul(xs, w, I({2}, {0, 3}), ys),
              {"sluice.grouped_matmul", "offsets", "[3]"});
}

//===----------------------------------------------------------------------===//
// combine
//===----------------------------------------------------------------------===//

namespace {
// T = 2, k = 2: slot 2 at p0, 0 at p1, padding at p2, 1 at p3, 3 at p4.
Tensor combineYs() { return F({5, 2}, {1, 1, 2, 0, kNaN, kNaN, 0, 4, 1, -1}); }
Tensor combineSlots() { return I({5}, {2, 0, -1, 1, 3}); }
Tensor combineW() { return F({2, 2}, {0.5f, 0.25f, 1, 2}); }
} // namespace

TEST(Combine, TokenChoice) {
  Tensor y;
  ASSERT_OK(combine(combineYs(), combineSlots(), combineW(),
                    I({2, 2}, {1, 1, 1, 1}), std::nullopt, y));
  expectF(y, {2, 2}, {1, 1, 3, -1});
  ASSERT_OK(combine(combineYs(), combineSlots(), combineW(),
                    I({2, 2}, {1, 1, 1, 1}), 2, y));
}

TEST(Combine, DroppedSlotIsNotReadAndMayRepeat) {
  Tensor y;
  Tensor ys = combineYs();
  ys.f[8] = ys.f[9] = kNaN; // Row of slot 3, which keep drops.
  ASSERT_OK(combine(ys, combineSlots(), combineW(), I({2, 2}, {1, 1, 1, 0}),
                    std::nullopt, y));
  expectF(y, {2, 2}, {1, 1, 1, 1});
  // Slot 3 (keep 0) twice, slot 1 (keep 0) absent: fine.
  ASSERT_OK(combine(ys, I({5}, {2, 0, 3, 3, 3}), combineW(),
                    I({2, 2}, {1, 0, 1, 0}), std::nullopt, y));
  expectF(y, {2, 2}, {1, 0, 1, 1});
}

TEST(Combine, TokenChoiceErrors) {
  Tensor y, keep = I({2, 2}, {1, 1, 1, 1});
  expectError(combine(combineYs(), I({5}, {2, 0, -1, 1, 1}), combineW(), keep,
                      std::nullopt, y),
              {"sluice.combine", "kept slot 1", "2 times"});
  expectError(combine(combineYs(), I({5}, {2, 0, -1, 1, -1}), combineW(), keep,
                      std::nullopt, y),
              {"sluice.combine", "kept slot 3", "0 times"});
  expectError(combine(combineYs(), I({5}, {2, 0, 4, 1, 3}), combineW(), keep,
                      std::nullopt, y),
              {"sluice.combine", "slot 4", "position 2"});
  expectError(combine(combineYs(), combineSlots(), combineW(), keep, 3, y),
              {"sluice.combine", "k", "got 3"});
  expectError(combine(combineYs(), combineSlots(), combineW(),
                      I({2, 1}, {1, 1}), std::nullopt, y),
              {"sluice.combine", "keep", "[2, 1]"});
}

TEST(Combine, PerSlotExpertChoice) {
  // T = 3, k = 1; expert 0 took tokens 2, 0; expert 1 took 2 and padding.
  Tensor y;
  ASSERT_OK(combinePerSlot(F({4, 1}, {1, 2, 3, kNaN}), I({4}, {2, 0, 2, -1}),
                           F({4}, {0.5f, 0.25f, 0.75f, 9}), 3, 1, y));
  expectF(y, {3, 1}, {0.5, 0, 2.75});
  ASSERT_OK(combinePerSlot(F({0, 1}, {}), I({0}, {}), F({0}, {}), 0, 1, y));
  expectF(y, {0, 1}, {});
}

TEST(Combine, PerSlotErrors) {
  Tensor y;
  expectError(combinePerSlot(F({1, 1}, {1}), I({1}, {6}), F({1}, {1}), 3, 2, y),
              {"sluice.combine", "slot 6", "T = 3, k = 2"});
  expectError(combinePerSlot(F({1, 1}, {1}), I({1}, {0}), F({1}, {1}), 3, 0, y),
              {"sluice.combine", "k >= 1"});
}

TEST(Routing, RouteDispatchMatmulCombineComposes) {
  // T = 4, k = 2, E = 3, capacity 2 by_choice: compare with a direct sum.
  const int64_t t = 4, k = 2, e = 3, d = 2, n = 2;
  Tensor idx = I({t, k}, {0, 1, 0, 2, 0, 1, 2, 0});
  Tensor wts = F({t, k}, {0.6f, 0.4f, 0.7f, 0.3f, 0.5f, 0.5f, 0.9f, 0.1f});
  Tensor x = F({t, d}, {1, 2, -1, 0.5f, 3, -2, 0.25f, 4});
  Tensor w = F({e, d, n}, {1, 0, 0, 1, 2, 1, -1, 3, 0.5f, 0.5f, 1, -1});
  RouteOptions ro;
  ro.numExperts = e;
  ro.capacity = 2;
  ro.drop = DropPolicy::by_choice;
  ro.block = 2;
  Tensor counts, offsets, slots, keep, xs, ys, y;
  ASSERT_OK(route(idx, wts, ro, counts, offsets, slots, keep));
  ASSERT_OK(dispatch(x, slots, k, xs));
  ASSERT_OK(groupedMatmul(xs, w, offsets, ys));
  ASSERT_OK(combine(ys, slots, wts, keep, std::nullopt, y));
  // Expert 0 candidates by choice: slots 0, 2, 4 (first choices), 7 -> keeps
  // 0 and 2; drops 4 and 7.
  expectI(keep, {t, k}, {1, 1, 1, 1, 0, 1, 1, 0});
  std::vector<double> want(t * n, 0.0);
  for (int64_t tok = 0; tok < t; ++tok)
    for (int64_t j = 0; j < k; ++j) {
      if (!keep.i[tok * k + j])
        continue;
      int64_t ex = idx.i[tok * k + j];
      for (int64_t c = 0; c < n; ++c) {
        double acc = 0;
        for (int64_t i = 0; i < d; ++i)
          acc += x.f[tok * d + i] * w.f[(ex * d + i) * n + c];
        want[tok * n + c] += wts.f[tok * k + j] * acc;
      }
    }
  expectF(y, {t, n}, want);
}

//===----------------------------------------------------------------------===//
// moe
//===----------------------------------------------------------------------===//

TEST(Moe, UngatedRelu) {
  Tensor x = F({2, 1}, {1, -2}), w = F({2, 2}, {0.5f, 0.5f, 0.25f, 0.75f});
  Tensor idx = I({2, 2}, {0, 1, 1, 0});
  Tensor wg = F({2, 1, 1}, {2, -1}), wd = F({2, 1, 1}, {3, 5}), y;
  MoeOperands in;
  in.x = &x;
  in.weights = &w;
  in.indices = &idx;
  in.wGate = &wg;
  in.wDown = &wd;
  MoeOptions o;
  o.act = Activation::relu;
  ASSERT_OK(moe(in, o, y));
  // t0: .5 * relu(2) * 3 + .5 * relu(-1) * 5 = 3; t1: .25 * relu(2) * 5.
  expectF(y, {2, 1}, {3, 2.5});
}

TEST(Moe, GatedSilu) {
  Tensor x = F({1, 2}, {1, 3}), w = F({1, 1}, {1}), idx = I({1, 1}, {0});
  Tensor wg = F({1, 2, 1}, {1, 0}), wu = F({1, 2, 1}, {0, 1});
  Tensor wd = F({1, 1, 2}, {1, 2}), y;
  MoeOperands in;
  in.x = &x;
  in.weights = &w;
  in.indices = &idx;
  in.wGate = &wg;
  in.wUp = &wu;
  in.wDown = &wd;
  ASSERT_OK(moe(in, MoeOptions(), y));
  double h = 0.7310585786300049 * 3; // silu(1) * 3.
  expectF(y, {1, 2}, {h, 2 * h});
}

TEST(Moe, SharedExpertsWithSigmoidGate) {
  Tensor x = F({1, 2}, {2, 3}), w = F({1, 1}, {0}), idx = I({1, 1}, {0});
  Tensor wg = F({1, 2, 1}, {1, 1}), wd = F({1, 1, 2}, {1, 1});
  Tensor sg = F({1, 2, 1}, {1, 0}), su = F({1, 2, 1}, {0, 1});
  Tensor sd = F({1, 1, 2}, {1, -1}), sgw = F({1, 2}, {1, -1}), y;
  MoeOperands in;
  in.x = &x;
  in.weights = &w;
  in.indices = &idx;
  in.wGate = &wg;
  in.wDown = &wd;
  in.sGate = &sg;
  in.sDown = &sd;
  MoeOptions o;
  o.act = Activation::relu;
  ASSERT_OK(moe(in, o, y)); // Shared: relu(2) * [1, -1], weight 1.
  expectF(y, {1, 2}, {2, -2});
  in.sUp = &su; // relu(2) * 3 = 6.
  ASSERT_OK(moe(in, o, y));
  expectF(y, {1, 2}, {6, -6});
  in.sGateW = &sgw; // Scaled by sigmoid(2 - 3).
  ASSERT_OK(moe(in, o, y));
  expectF(y, {1, 2}, {6 * sig(-1), -6 * sig(-1)});
}

TEST(Moe, ZeroCopyConstExperts) {
  // E_ffn = 1, ids: 0 FFN, 1 zero, 2 copy, 3 const.
  Tensor x = F({2, 2}, {1, 2, 1, 2}), w = F({2, 2}, {0.3f, 0.7f, 0.6f, 0.4f});
  Tensor idx = I({2, 2}, {1, 2, 3, 0});
  Tensor wg = F({1, 2, 1}, {1, 1}), wd = F({1, 1, 2}, {1, -1});
  Tensor wc = F({1, 2, 2}, {1, 0, 0, 1}), v = F({1, 2}, {10, 20}), y;
  MoeOperands in;
  in.x = &x;
  in.weights = &w;
  in.indices = &idx;
  in.wGate = &wg;
  in.wDown = &wd;
  in.wc = &wc;
  in.v = &v;
  MoeOptions o;
  o.act = Activation::relu;
  o.numZero = 1;
  o.numCopy = 1;
  o.numConst = 1;
  ASSERT_OK(moe(in, o, y));
  // t1: const with [a1, a2] = softmax([1, 2]); FFN relu(3) * [1, -1].
  double e = std::exp(1.0), a1 = 1 / (1 + e), a2 = e / (1 + e);
  expectF(y, {2, 2},
          {0.7, 1.4, 0.6 * (a1 * 1 + a2 * 10) + 0.4 * 3,
           0.6 * (a1 * 2 + a2 * 20) - 0.4 * 3});
}

namespace {
/// Two FFN experts on d = 1: e0(x) = relu(x), e1(x) = 2 relu(x).
struct CapacityMoe {
  Tensor x = F({2, 1}, {1, 2}), w = F({2, 2}, {0.6f, 0.4f, 0.3f, 0.1f});
  Tensor idx = I({2, 2}, {0, 0, 0, 1});
  Tensor wg = F({2, 1, 1}, {1, 1}), wd = F({2, 1, 1}, {1, 2});
  MoeOperands in() {
    MoeOperands m;
    m.x = &x;
    m.weights = &w;
    m.indices = &idx;
    m.wGate = &wg;
    m.wDown = &wd;
    return m;
  }
};
} // namespace

TEST(Moe, CapacityDropsAndRenormalizeKept) {
  CapacityMoe c;
  MoeOptions o;
  o.act = Activation::relu;
  o.capacity = 2; // Expert 0 candidates: slots 0, 1, 2.
  Tensor y;
  ASSERT_OK(moe(c.in(), o, y)); // by_order drops slot 2 (t1, w .3).
  expectF(y, {2, 1}, {1.0, 0.1 * 4});
  o.renormalizeKept = true; // t1: .1 * (.4 / .1) = .4.
  ASSERT_OK(moe(c.in(), o, y));
  expectF(y, {2, 1}, {1.0, 0.4 * 4});
  o.drop = DropPolicy::by_choice; // Keeps slots 0, 2; drops slot 1.
  o.renormalizeKept = false;
  ASSERT_OK(moe(c.in(), o, y));
  expectF(y, {2, 1}, {0.6, 0.3 * 2 + 0.1 * 4});
  o.renormalizeKept = true; // t0: .6 * (1 / .6) = 1.
  ASSERT_OK(moe(c.in(), o, y));
  expectF(y, {2, 1}, {1.0, 1.0});
}

TEST(Moe, RenormalizeKeptWithNothingKeptGivesZero) {
  CapacityMoe c;
  c.idx = I({2, 2}, {0, 1, 0, 1});
  MoeOptions o;
  o.act = Activation::relu;
  o.capacity = 1;
  o.renormalizeKept = true;
  Tensor y;
  ASSERT_OK(moe(c.in(), o, y));
  expectF(y, {2, 1}, {0.6 + 0.8, 0.0});
}

TEST(Moe, CapacityLimitsOnlyFfnExperts) {
  Tensor x = F({4, 1}, {1, 2, 3, 4}), w = F({4, 1}, {1, 1, 1, 1});
  Tensor idx = I({4, 1}, {1, 1, 0, 0});
  Tensor wg = F({1, 1, 1}, {1}), wd = F({1, 1, 1}, {10}), y;
  MoeOperands in;
  in.x = &x;
  in.weights = &w;
  in.indices = &idx;
  in.wGate = &wg;
  in.wDown = &wd;
  MoeOptions o;
  o.act = Activation::relu;
  o.numCopy = 1;
  o.capacity = 1;
  ASSERT_OK(moe(in, o, y));
  expectF(y, {4, 1}, {1, 2, 30, 0});
}

TEST(Moe, ZeroTokensAndErrors) {
  CapacityMoe c;
  Tensor y;
  MoeOptions o;
  Tensor x0 = F({0, 1}, {}), w0 = F({0, 2}, {}), i0 = I({0, 2}, {});
  MoeOperands in = c.in();
  in.x = &x0;
  in.weights = &w0;
  in.indices = &i0;
  ASSERT_OK(moe(in, o, y));
  expectF(y, {0, 1}, {});
  c.idx = I({2, 2}, {0, 0, 2, 1});
  expectError(moe(c.in(), o, y),
              {"sluice.moe", "index 2", "token 1", "[0, 2)"});
  o.numZero = 1; // Now id 2 is a zero expert.
  ASSERT_OK(moe(c.in(), o, y));
  o.numConst = 1; // But const_wc / const_v are missing.
  expectError(moe(c.in(), o, y), {"sluice.moe", "num_const = 1"});
  CapacityMoe c2;
  MoeOperands bad = c2.in();
  Tensor wdBad = F({2, 2, 1}, {1, 1, 1, 1});
  bad.wDown = &wdBad;
  expectError(moe(bad, MoeOptions(), y), {"sluice.moe", "w_down", "[2, 1, 1]"});
}

//===----------------------------------------------------------------------===//
// load_balance_loss, router_z_loss
//===----------------------------------------------------------------------===//

TEST(LoadBalanceLoss, HuggingFaceForm) {
  Tensor probs = F({2, 2}, {0.7f, 0.3f, 0.4f, 0.6f}), loss;
  // c = [2, 0], T' = 2, P = [.55, .45]: 2 * (1 * .55) = 1.1.
  ASSERT_OK(loadBalanceLoss(probs, I({2, 1}, {0, 0}), nullptr, loss));
  expectF(loss, {}, {1.1});
  // k = 2 (not divided by k): c = [2, 2] -> 2 * (.55 + .45) = 2.
  ASSERT_OK(loadBalanceLoss(probs, I({2, 2}, {0, 1, 1, 0}), nullptr, loss));
  expectF(loss, {}, {2.0});
}

TEST(LoadBalanceLoss, MaskedRowsAreNotRead) {
  Tensor probs = F({3, 2}, {0.7f, 0.3f, kNaN, kNaN, 0.4f, 0.6f}), loss;
  Tensor idx = I({3, 1}, {0, 99, 0});
  Tensor mask = M({3}, {1, 0, 1}), none = M({3}, {0, 0, 0});
  ASSERT_OK(loadBalanceLoss(probs, idx, &mask, loss));
  expectF(loss, {}, {1.1});
  ASSERT_OK(loadBalanceLoss(probs, idx, &none, loss));
  expectF(loss, {}, {0.0});
  ASSERT_OK(loadBalanceLoss(F({0, 2}, {}), I({0, 1}, {}), nullptr, loss));
  expectF(loss, {}, {0.0});
  expectError(loadBalanceLoss(probs, idx, nullptr, loss),
              {"sluice.load_balance_loss", "index 99", "token 1"});
}

TEST(RouterZLoss, MeanSquaredLogSumExp) {
  Tensor loss;
  // Rows: lse = ln 2 and ln(3 + 1) = 2 ln 2 -> (1 + 4) / 2 * ln2^2.
  Tensor l = F({3, 2}, {0, 0, (float)std::log(3.0), 0, kNaN, kNaN});
  Tensor mask = M({3}, {1, 1, 0});
  ASSERT_OK(routerZLoss(l, &mask, loss));
  double ln2 = std::log(2.0);
  expectF(loss, {}, {2.5 * ln2 * ln2});
  Tensor none = M({3}, {0, 0, 0});
  ASSERT_OK(routerZLoss(l, &none, loss));
  expectF(loss, {}, {0.0});
  ASSERT_OK(routerZLoss(F({0, 4}, {}), nullptr, loss));
  expectF(loss, {}, {0.0});
  Tensor fmask = F({3}, {1, 1, 1});
  expectError(routerZLoss(l, &fmask, loss),
              {"sluice.router_z_loss", "mask", "float"});
}

//===----------------------------------------------------------------------===//
// pool, segment_pool
//===----------------------------------------------------------------------===//

namespace {
// B = 1, N = 3, D = 2; position 1 is masked and holds NaN.
Tensor poolX() { return F({1, 3, 2}, {1, -1, kNaN, kNaN, 3, 5}); }
Tensor poolMask() { return M({1, 3}, {1, 0, 1}); }
std::vector<double> poolWith(PoolKind kind, const Tensor &x, const Tensor *mask,
                             const Tensor *lengths,
                             PoolOptions o = PoolOptions()) {
  o.kind = kind;
  Tensor out;
  Status s = pool(x, mask, lengths, nullptr, o, out);
  EXPECT_TRUE(s.ok) << s.message;
  return std::vector<double>(out.f.begin(), out.f.end());
}
} // namespace

TEST(Pool, EveryKindWithMaskNaNDoesNotLeak) {
  Tensor x = poolX(), m = poolMask();
  auto close = [](std::vector<double> got, std::vector<double> want) {
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < got.size(); ++i)
      EXPECT_NEAR(got[i], want[i], 1e-5 * std::max(1.0, std::fabs(want[i])));
  };
  close(poolWith(PoolKind::sum, x, &m, nullptr), {4, 4});
  close(poolWith(PoolKind::mean, x, &m, nullptr), {2, 2});
  close(poolWith(PoolKind::max, x, &m, nullptr), {3, 5});
  close(poolWith(PoolKind::min, x, &m, nullptr), {1, -1});
  close(poolWith(PoolKind::first, x, &m, nullptr), {1, -1});
  close(poolWith(PoolKind::last, x, &m, nullptr), {3, 5});
  close(poolWith(PoolKind::gem, x, &m, nullptr),
        {std::cbrt(14.0), std::cbrt((1e-18 + 125) / 2)});
  close(poolWith(PoolKind::lse, x, &m, nullptr),
        {std::log((std::exp(1.0) + std::exp(3.0)) / 2),
         std::log((std::exp(-1.0) + std::exp(5.0)) / 2)});
}

TEST(Pool, LengthsAndEmptyRowsGiveZero) {
  // B = 2, N = 2, D = 1; row 1 has length 0 and NaN content.
  Tensor x = F({2, 2, 1}, {2, 4, kNaN, kNaN}), len = I({2}, {1, 0});
  Tensor empty = M({2, 2}, {1, 1, 0, 0});
  for (int k = 0; k <= (int)PoolKind::last; ++k) {
    PoolKind kind = (PoolKind)k;
    std::vector<double> a = poolWith(kind, x, nullptr, &len);
    ASSERT_EQ(a.size(), 2u);
    EXPECT_EQ(a[1], 0.0) << "kind " << k;
    EXPECT_FALSE(std::isnan(a[0])) << "kind " << k;
    std::vector<double> b = poolWith(kind, x, &empty, nullptr);
    EXPECT_EQ(b[1], 0.0) << "kind " << k;
  }
  EXPECT_EQ(poolWith(PoolKind::sum, x, nullptr, &len)[0], 2.0);
  // B = 0 and N = 0.
  EXPECT_TRUE(
      poolWith(PoolKind::mean, F({0, 3, 2}, {}), nullptr, nullptr).empty());
  EXPECT_EQ(poolWith(PoolKind::max, F({1, 0, 2}, {}), nullptr, nullptr),
            (std::vector<double>{0, 0}));
}

TEST(Pool, LastIsHighestValidIndex) {
  Tensor x = F({1, 4, 1}, {1, 2, 3, 4}), m = M({1, 4}, {1, 0, 1, 0});
  EXPECT_EQ(poolWith(PoolKind::last, x, &m, nullptr)[0], 3.0);
  Tensor m2 = M({1, 4}, {0, 1, 0, 1});
  EXPECT_EQ(poolWith(PoolKind::first, x, &m2, nullptr)[0], 2.0);
}

TEST(Pool, GemEpsAndGroupP) {
  PoolOptions o;
  o.kind = PoolKind::gem;
  o.p = 1;
  o.eps = 0.5f;
  Tensor out;
  ASSERT_OK(pool(F({1, 2, 1}, {-1, 0.5f}), nullptr, nullptr, nullptr, o, out));
  expectF(out, {1, 1}, {0.5});
  // Group GeM: channels {0} with p = 1 (mean), {1} with p = 2 (RMS).
  o.eps = 1e-6f;
  o.groups = 2;
  Tensor gp = F({2}, {1, 2});
  ASSERT_OK(pool(F({1, 2, 2}, {1, 1, 3, 7}), nullptr, nullptr, &gp, o, out));
  expectF(out, {1, 2}, {2, 5});
  Tensor gpNeg = F({2}, {-1, 2}); // Harmonic mean of 1 and 3 = 1.5.
  ASSERT_OK(pool(F({1, 2, 2}, {1, 1, 3, 7}), nullptr, nullptr, &gpNeg, o, out));
  expectF(out, {1, 2}, {1.5, 5});
}

TEST(Pool, LseWithTemperature) {
  PoolOptions o;
  o.kind = PoolKind::lse;
  o.r = 2;
  Tensor out;
  ASSERT_OK(pool(F({1, 2, 1}, {0, 1}), nullptr, nullptr, nullptr, o, out));
  expectF(out, {1, 1}, {std::log((1 + std::exp(2.0)) / 2) / 2});
}

TEST(Pool, MaxPropagatesValidNaN) {
  Tensor x = F({1, 2, 1}, {kNaN, 1});
  EXPECT_TRUE(std::isnan(poolWith(PoolKind::max, x, nullptr, nullptr)[0]));
}

TEST(Pool, Errors) {
  Tensor x = F({2, 3, 2}, std::vector<float>(12, 1.0f)), out;
  PoolOptions o;
  o.kind = PoolKind::sum;
  Tensor len = I({2}, {3, 4});
  expectError(pool(x, nullptr, &len, nullptr, o, out),
              {"sluice.pool", "lengths[1] = 4", "N = 3"});
  Tensor lenNeg = I({2}, {-1, 0});
  expectError(pool(x, nullptr, &lenNeg, nullptr, o, out),
              {"sluice.pool", "lengths[0] = -1"});
  Tensor m = M({2, 3}, {1, 1, 1, 1, 1, 1}), l2 = I({2}, {1, 1});
  expectError(pool(x, &m, &l2, nullptr, o, out),
              {"sluice.pool", "mask and lengths"});
  o.kind = PoolKind::gem;
  o.groups = 2;
  Tensor gp = F({2}, {3, 0});
  expectError(pool(x, nullptr, nullptr, &gp, o, out),
              {"sluice.pool", "group_p[1]", "0"});
  o.kind = PoolKind::mean;
  Tensor gp2 = F({2}, {3, 3});
  expectError(pool(x, nullptr, nullptr, &gp2, o, out),
              {"sluice.pool", "group_p", "gem"});
  o.groups = 4;
  expectError(pool(x, nullptr, nullptr, nullptr, o, out),
              {"sluice.pool", "groups (4)", "features (2)"});
  o.groups = 1;
  o.p = 0;
  expectError(pool(x, nullptr, nullptr, nullptr, o, out),
              {"sluice.pool", "p != 0"});
  o.p = 3;
  o.eps = 0;
  expectError(pool(x, nullptr, nullptr, nullptr, o, out),
              {"sluice.pool", "eps > 0"});
  o.eps = 1e-6f;
  Tensor fm = F({2, 3}, std::vector<float>(6, 1.0f));
  expectError(pool(x, &fm, nullptr, nullptr, o, out),
              {"sluice.pool", "mask", "float"});
}

TEST(SegmentPool, PackedRowsWithEmptySegment) {
  Tensor x = F({5, 1}, {1, 2, 3, 4, 5}), out;
  PoolOptions o;
  o.kind = PoolKind::sum;
  ASSERT_OK(segmentPool(x, I({4}, {0, 2, 2, 5}), nullptr, o, out));
  expectF(out, {3, 1}, {3, 0, 12});
  o.kind = PoolKind::last;
  ASSERT_OK(segmentPool(x, I({4}, {0, 2, 2, 5}), nullptr, o, out));
  expectF(out, {3, 1}, {2, 0, 5});
  ASSERT_OK(segmentPool(F({0, 1}, {}), I({1}, {0}), nullptr, o, out));
  expectF(out, {0, 1}, {});
}

TEST(SegmentPool, OffsetErrors) {
  Tensor x = F({5, 1}, {1, 2, 3, 4, 5}), out;
  PoolOptions o;
  o.kind = PoolKind::mean;
  expectError(segmentPool(x, I({3}, {1, 2, 5}), nullptr, o, out),
              {"sluice.segment_pool", "offsets[0] = 0", "got 1"});
  expectError(segmentPool(x, I({3}, {0, 3, 2}), nullptr, o, out),
              {"sluice.segment_pool", "offsets[2] = 2"});
  expectError(segmentPool(x, I({3}, {0, 2, 6}), nullptr, o, out),
              {"sluice.segment_pool", "offsets[2] = 6", "(5)"});
  expectError(segmentPool(x, I({0}, {}), nullptr, o, out),
              {"sluice.segment_pool", "at least one"});
  o.kind = PoolKind::gem;
  Tensor gp = F({1}, {0});
  expectError(segmentPool(x, I({2}, {0, 5}), &gp, o, out),
              {"sluice.segment_pool", "group_p[0]"});
}

//===----------------------------------------------------------------------===//
// adaptive_pool, spatial_pyramid_pool
//===----------------------------------------------------------------------===//

TEST(AdaptivePool, FiveToThreeBins) {
  // Bins [0, 2), [1, 4), [3, 5).
  Tensor x = F({1, 1, 5, 1}, {1, 2, 3, 4, 5}), out;
  AdaptivePoolOptions o;
  o.outputSize = {3, 1};
  ASSERT_OK(adaptivePool(x, o, out));
  expectF(out, {1, 1, 3, 1}, {1.5, 3, 4.5});
  o.kind = SpatialPoolKind::max;
  ASSERT_OK(adaptivePool(x, o, out));
  expectF(out, {1, 1, 3, 1}, {2, 4, 5});
}

TEST(AdaptivePool, TwoDimensionalUpsampleAndIdentity) {
  Tensor x = F({1, 1, 2, 2}, {1, 2, 3, 4}), out;
  AdaptivePoolOptions o;
  o.outputSize = {1, 1};
  ASSERT_OK(adaptivePool(x, o, out));
  expectF(out, {1, 1, 1, 1}, {2.5});
  // H = 2 -> 3: bins [0, 1), [0, 2), [1, 2); W stays.
  o.outputSize = {3, 2};
  ASSERT_OK(adaptivePool(x, o, out));
  expectF(out, {1, 1, 3, 2}, {1, 2, 2, 3, 3, 4});
  o.outputSize = {2, 2};
  ASSERT_OK(adaptivePool(x, o, out));
  expectF(out, {1, 1, 2, 2}, {1, 2, 3, 4});
}

TEST(AdaptivePool, Errors) {
  Tensor out;
  AdaptivePoolOptions o;
  o.outputSize = {2};
  expectError(adaptivePool(F({1, 1, 1, 1}, {1}), o, out),
              {"sluice.adaptive_pool", "2 entries", "got 1"});
  o.outputSize = {0, 1};
  expectError(adaptivePool(F({1, 1, 1, 1}, {1}), o, out),
              {"sluice.adaptive_pool", "[0, 1]"});
  o.outputSize = {1, 1};
  expectError(adaptivePool(F({1, 1, 0, 1}, {}), o, out),
              {"sluice.adaptive_pool", "H >= 1", "got 0"});
}

TEST(SpatialPyramidPool, LevelsConcatenatedChannelMajor) {
  Tensor x = F({1, 2, 2, 2}, {1, 2, 3, 4, 5, 6, 7, 8}), out;
  SpatialPyramidPoolOptions o;
  o.levels = {2, 1};
  ASSERT_OK(spatialPyramidPool(x, o, out));
  expectF(out, {1, 10}, {1, 2, 3, 4, 5, 6, 7, 8, 4, 8});
  o.kind = SpatialPoolKind::avg;
  ASSERT_OK(spatialPyramidPool(x, o, out));
  expectF(out, {1, 10}, {1, 2, 3, 4, 5, 6, 7, 8, 2.5, 6.5});
}

TEST(SpatialPyramidPool, SizesForLevels421) {
  std::vector<float> data(2 * 3 * 5 * 5);
  for (size_t i = 0; i < data.size(); ++i)
    data[i] = (float)i;
  Tensor out;
  SpatialPyramidPoolOptions o;
  o.levels = {4, 2, 1};
  ASSERT_OK(spatialPyramidPool(F({2, 3, 5, 5}, data), o, out));
  ASSERT_EQ(out.shape, (std::vector<int64_t>{2, 3 * 21}));
  // The level-1 block (last C entries) is each plane's global max.
  for (int b = 0; b < 2; ++b)
    for (int c = 0; c < 3; ++c)
      EXPECT_EQ(out.f[b * 63 + 3 * 20 + c], (float)((b * 3 + c) * 25 + 24));
  // Level 4 bin (0, 0) of plane (0, 0) spans rows/cols [0, 2): max = 6.
  EXPECT_EQ(out.f[0], 6.0f);
  expectError(spatialPyramidPool(F({1, 1, 1, 1}, {1}),
                                 SpatialPyramidPoolOptions(), out),
              {"sluice.spatial_pyramid_pool", "at least one"});
  o.levels = {2, 0};
  expectError(spatialPyramidPool(F({1, 1, 1, 1}, {1}), o, out),
              {"sluice.spatial_pyramid_pool", "level >= 1", "got 0"});
}

//===----------------------------------------------------------------------===//
// attention_pool
//===----------------------------------------------------------------------===//

TEST(AttentionPool, DotOneHead) {
  // Score = q . x / sqrt(2) = x[0]: scores 0, ln 3 -> weights 1/4, 3/4.
  double ln3 = std::log(3.0);
  Tensor x = F({1, 2, 2}, {0, 1, (float)ln3, 5});
  Tensor q = F({1, 2}, {(float)std::sqrt(2.0), 0}), out;
  ASSERT_OK(attentionPool(x, q, nullptr, AttentionPoolOptions(), out));
  expectF(out, {1, 1, 2}, {0.75 * ln3, 0.25 + 0.75 * 5});
}

TEST(AttentionPool, DotTwoHeadsAndMasking) {
  // D = 2, 2 heads (Dh = 1, scale 1), q = [1, 1]; third row masked (NaN).
  double ln3 = std::log(3.0), e2 = std::exp(2.0);
  Tensor x = F({1, 3, 2}, {0, 2, (float)ln3, 0, kNaN, kNaN});
  Tensor q = F({1, 2}, {1, 1}), mask = M({1, 3}, {1, 1, 0}), out;
  AttentionPoolOptions o;
  o.heads = 2;
  ASSERT_OK(attentionPool(x, q, &mask, o, out));
  expectF(out, {1, 1, 2}, {0.75 * ln3, 2 * e2 / (1 + e2)});
  Tensor none = M({1, 3}, {0, 0, 0});
  ASSERT_OK(attentionPool(x, q, &none, o, out));
  expectF(out, {1, 1, 2}, {0, 0});
}

TEST(AttentionPool, Featurewise) {
  // logits[:, 0] = x[:, 0]; logits[:, 1] = x[:, 0] + 2 x[:, 1].
  double ln2 = std::log(2.0), ln3 = std::log(3.0);
  Tensor x = F({1, 2, 2}, {0, 0, (float)ln3, (float)(ln2 / 2)});
  Tensor w = F({2, 2}, {1, 1, 0, 2}), out;
  AttentionPoolOptions o;
  o.kind = AttentionPoolKind::featurewise;
  ASSERT_OK(attentionPool(x, w, nullptr, o, out));
  // Feature 1: logits 0, ln 6 -> 1/7, 6/7.
  expectF(out, {1, 1, 2}, {0.75 * ln3, 6.0 / 7 * ln2 / 2});
  Tensor none = M({1, 2}, {0, 0});
  ASSERT_OK(attentionPool(x, w, &none, o, out));
  expectF(out, {1, 1, 2}, {0, 0});
}

TEST(AttentionPool, Errors) {
  Tensor x = F({1, 1, 4}, {1, 2, 3, 4}), out;
  AttentionPoolOptions o;
  o.heads = 3;
  expectError(attentionPool(x, F({1, 4}, {1, 1, 1, 1}), nullptr, o, out),
              {"sluice.attention_pool", "heads (3)", "(4)"});
  o.kind = AttentionPoolKind::featurewise;
  expectError(
      attentionPool(x, F({4, 4}, std::vector<float>(16)), nullptr, o, out),
      {"sluice.attention_pool", "featurewise takes no heads"});
  o.heads.reset();
  expectError(attentionPool(x, F({1, 4}, {1, 1, 1, 1}), nullptr, o, out),
              {"sluice.attention_pool", "w", "[4, 4]"});
}

//===----------------------------------------------------------------------===//
// lora_matmul, multi_lora_matmul, lowrank_matmul
//===----------------------------------------------------------------------===//

namespace {
Tensor eye2() { return F({2, 2}, {1, 0, 0, 1}); }
} // namespace

TEST(LoraMatmul, ScaleAndBias) {
  // x a = [3, 2]; b = I; scale .5 -> [1.5, 1].
  Tensor x = F({1, 2}, {1, 2}), a = F({2, 2}, {1, 0, 1, 1});
  Tensor bias = F({2}, {10, 20}), out;
  LoraMatmulOptions o;
  o.scale = 0.5f;
  ASSERT_OK(loraMatmul(x, eye2(), a, eye2(), &bias, nullptr, o, out));
  expectF(out, {1, 2}, {12.5, 23});
}

TEST(LoraMatmul, RankGatesFixedAndPerToken) {
  Tensor x = F({2, 2}, {1, 2, 1, 2}), a = F({2, 2}, {1, 0, 1, 1}), out;
  LoraMatmulOptions o;
  o.scale = 0.5f;
  Tensor g1 = F({2}, {0, 1});
  ASSERT_OK(loraMatmul(x, eye2(), a, eye2(), nullptr, &g1, o, out));
  expectF(out, {2, 2}, {1, 3, 1, 3});
  Tensor g2 = F({2, 2}, {1, 0, 0, 1});
  ASSERT_OK(loraMatmul(x, eye2(), a, eye2(), nullptr, &g2, o, out));
  expectF(out, {2, 2}, {2.5, 2, 1, 3});
}

TEST(LoraMatmul, ActiveRankUsesOnlyThePrefix) {
  // Rank 1 of a, b and the gates is NaN: never read with active_rank 1.
  Tensor x = F({1, 2}, {1, 2}), a = F({2, 2}, {1, kNaN, 1, kNaN});
  Tensor b = F({2, 2}, {1, 0, kNaN, kNaN}), g = F({2}, {1, kNaN}), out;
  LoraMatmulOptions o;
  o.scale = 0.5f;
  o.activeRank = 1;
  ASSERT_OK(loraMatmul(x, eye2(), a, b, nullptr, &g, o, out));
  expectF(out, {1, 2}, {2.5, 2});
  o.activeRank = 0;
  ASSERT_OK(loraMatmul(x, eye2(), a, b, nullptr, &g, o, out));
  expectF(out, {1, 2}, {1, 2});
}

TEST(LoraMatmul, Errors) {
  Tensor x = F({1, 2}, {1, 2}), out;
  LoraMatmulOptions o;
  o.activeRank = 3;
  expectError(loraMatmul(x, eye2(), eye2(), eye2(), nullptr, nullptr, o, out),
              {"sluice.lora_matmul", "active_rank", "(2)", "got 3"});
  o.activeRank.reset();
  Tensor g = F({3}, {1, 1, 1});
  expectError(loraMatmul(x, eye2(), eye2(), eye2(), nullptr, &g, o, out),
              {"sluice.lora_matmul", "rank_gates", "[3]"});
  expectError(loraMatmul(x, F({3, 2}, std::vector<float>(6)), eye2(), eye2(),
                         nullptr, nullptr, o, out),
              {"sluice.lora_matmul", "x", "w", "[3, 2]"});
}

namespace {
// K = N = r = 1, L = 2: adapter 0 maps x -> 10 x, adapter 1 x -> 200 x.
Tensor mlA() { return F({2, 1, 1}, {1, 2}); }
Tensor mlB() { return F({2, 1, 1}, {10, 100}); }
} // namespace

TEST(MultiLoraMatmul, IdsScalesAndNoAdapter) {
  Tensor x = F({3, 1}, {1, 2, 3}), w = F({1, 1}, {1}), out;
  Tensor ids = I({3, 1}, {0, -1, 1});
  MultiLoraMatmulOptions o;
  ASSERT_OK(multiLoraMatmul(x, w, mlA(), mlB(), ids, nullptr, nullptr, nullptr,
                            o, out));
  expectF(out, {3, 1}, {11, 2, 603});
  Tensor scales = F({2}, {0.5f, 0.1f});
  ASSERT_OK(multiLoraMatmul(x, w, mlA(), mlB(), ids, nullptr, &scales, nullptr,
                            o, out));
  expectF(out, {3, 1}, {6, 2, 63});
  o.scale = 2.0f;
  Tensor bias = F({1}, {-1});
  ASSERT_OK(multiLoraMatmul(x, w, mlA(), mlB(), ids, nullptr, nullptr, &bias, o,
                            out));
  expectF(out, {3, 1}, {20, 1, 1202});
}

TEST(MultiLoraMatmul, GatedMixtureAndUnusedGateNotRead) {
  Tensor x = F({1, 1}, {1}), w = F({1, 1}, {1}), out;
  Tensor gates = F({1, 2}, {0.5f, 0.25f});
  ASSERT_OK(multiLoraMatmul(x, w, mlA(), mlB(), I({1, 2}, {0, 1}), &gates,
                            nullptr, nullptr, MultiLoraMatmulOptions(), out));
  expectF(out, {1, 1}, {1 + 5 + 50});
  Tensor gatesNaN = F({1, 2}, {0.5f, kNaN});
  ASSERT_OK(multiLoraMatmul(x, w, mlA(), mlB(), I({1, 2}, {0, -1}), &gatesNaN,
                            nullptr, nullptr, MultiLoraMatmulOptions(), out));
  expectF(out, {1, 1}, {6});
}

TEST(MultiLoraMatmul, Errors) {
  Tensor x = F({2, 1}, {1, 2}), w = F({1, 1}, {1}), out;
  MultiLoraMatmulOptions o;
  expectError(multiLoraMatmul(x, w, mlA(), mlB(), I({2, 1}, {0, 2}), nullptr,
                              nullptr, nullptr, o, out),
              {"sluice.multi_lora_matmul", "adapter id 2", "token 1", "L = 2"});
  expectError(multiLoraMatmul(x, w, mlA(), mlB(), I({2, 1}, {-3, 0}), nullptr,
                              nullptr, nullptr, o, out),
              {"sluice.multi_lora_matmul", "adapter id -3"});
  Tensor scales = F({2}, {1, 1});
  o.scale = 1.0f;
  expectError(multiLoraMatmul(x, w, mlA(), mlB(), I({2, 1}, {0, 0}), nullptr,
                              &scales, nullptr, o, out),
              {"sluice.multi_lora_matmul", "at most one"});
}

TEST(LowrankMatmul, FactorisedWithBias) {
  Tensor out, bias = F({2}, {1, 1});
  ASSERT_OK(lowrankMatmul(F({1, 2}, {1, 2}), F({2, 1}, {1, 1}),
                          F({1, 2}, {2, 3}), &bias, out));
  expectF(out, {1, 2}, {7, 10});
  expectError(lowrankMatmul(F({1, 2}, {1, 2}), F({2, 1}, {1, 1}),
                            F({2, 2}, {1, 1, 1, 1}), nullptr, out),
              {"sluice.lowrank_matmul", "ranks"});
}

//===----------------------------------------------------------------------===//
// sparsify, sparse_matmul, topk
//===----------------------------------------------------------------------===//

TEST(Sparsify, ThresholdIsStrictAndDropsNaN) {
  SparsifyOptions o;
  o.mode = SparsifyMode::threshold;
  o.tau = 1.0f;
  Tensor out;
  ASSERT_OK(sparsify(F({1, 5}, {0.5f, -2, 1, kNaN, -1.5f}), nullptr, o, out));
  expectF(out, {1, 5}, {0, -2, 0, 0, -1.5});
}

TEST(Sparsify, TopkTiesNaNNothingAndEverything) {
  SparsifyOptions o;
  o.mode = SparsifyMode::topk;
  Tensor x = F({1, 5}, {1, -3, 3, kNaN, 2}), out;
  o.k = 2;
  ASSERT_OK(sparsify(x, nullptr, o, out));
  expectF(out, {1, 5}, {0, -3, 3, 0, 0});
  o.k = 4; // NaN ranks last: still dropped.
  ASSERT_OK(sparsify(x, nullptr, o, out));
  expectF(out, {1, 5}, {1, -3, 3, 0, 2});
  o.k = 5; // Everything: the identity.
  ASSERT_OK(sparsify(x, nullptr, o, out));
  expectF(out, {1, 5}, {1, -3, 3, NAN, 2});
  o.k = 0; // Nothing.
  ASSERT_OK(sparsify(x, nullptr, o, out));
  expectF(out, {1, 5}, {0, 0, 0, 0, 0});
}

TEST(Sparsify, WinaWeighsByColumnNorm) {
  SparsifyOptions o;
  o.mode = SparsifyMode::wina;
  o.k = 2;
  Tensor wn = F({3}, {10, 1, 2}), out; // Keys 10, 2, 6.
  ASSERT_OK(sparsify(F({1, 3}, {1, 2, 3}), &wn, o, out));
  expectF(out, {1, 3}, {1, 0, 3});
}

TEST(Sparsify, Errors) {
  Tensor x = F({1, 3}, {1, 2, 3}), out, wn = F({3}, {1, 1, 1});
  SparsifyOptions o;
  o.mode = SparsifyMode::wina;
  o.k = 1;
  expectError(sparsify(x, nullptr, o, out), {"sluice.sparsify", "wnorm"});
  o.mode = SparsifyMode::topk;
  expectError(sparsify(x, &wn, o, out), {"sluice.sparsify", "wnorm"});
  o.k = 4;
  expectError(sparsify(x, nullptr, o, out),
              {"sluice.sparsify", "k <= inputs per row (3)", "got 4"});
  o.mode = SparsifyMode::threshold;
  o.k.reset();
  expectError(sparsify(x, nullptr, o, out), {"sluice.sparsify", "tau"});
}

TEST(SparseMatmul, UnselectedAndZeroInputRowsAreNotRead) {
  // Rows 1 and 3 of w are NaN: row 3 is unselected, row 1 is selected
  // (tie with row 3 at |x| = 0, lower index) but its input is 0.
  Tensor x = F({1, 4}, {1, 0, 3, 0});
  Tensor w = F({4, 2}, {1, 1, kNaN, kNaN, 2, 0, kNaN, kNaN}), out;
  SparsifyOptions o;
  o.mode = SparsifyMode::topk;
  o.k = 3;
  ASSERT_OK(sparseMatmul(x, w, nullptr, o, out));
  expectF(out, {1, 2}, {7, 1});
  o.mode = SparsifyMode::threshold;
  o.k.reset();
  o.tau = 0.5f;
  ASSERT_OK(sparseMatmul(x, w, nullptr, o, out));
  expectF(out, {1, 2}, {7, 1});
}

TEST(SparseMatmul, WinaComputesNormsFromW) {
  // Row norms 5, 1, 1: keys |x| * norm = 5, 2, 3 -> keep input 0.
  Tensor x = F({1, 3}, {1, 2, 3}), w = F({3, 2}, {3, 4, 0, 1, 1, 0}), out;
  SparsifyOptions o;
  o.mode = SparsifyMode::wina;
  o.k = 1;
  ASSERT_OK(sparseMatmul(x, w, nullptr, o, out));
  expectF(out, {1, 2}, {3, 4});
  Tensor wn = F({3}, {0, 0, 1}); // Given wnorm wins: keep input 2.
  ASSERT_OK(sparseMatmul(x, w, &wn, o, out));
  expectF(out, {1, 2}, {3, 0});
  expectError(sparseMatmul(x, F({2, 2}, {1, 1, 1, 1}), nullptr, o, out),
              {"sluice.sparse_matmul", "contraction"});
}

TEST(Topk, LargestTiesAndNaNOnRank3) {
  Tensor x = F({1, 2, 3}, {3, 1, 3, kNaN, -kInf, 0}), v, idx;
  TopkOptions o;
  o.k = 3;
  ASSERT_OK(topk(x, o, v, idx));
  expectI(idx, {1, 2, 3}, {0, 2, 1, 2, 1, 0});
  expectF(v, {1, 2, 3}, {3, 3, 1, 0, -INFINITY, NAN});
  o.k = 1;
  ASSERT_OK(topk(x, o, v, idx));
  expectI(idx, {1, 2, 1}, {0, 2});
}

TEST(Topk, SmallestPutsNaNAfterPlusInf) {
  Tensor x = F({2, 3}, {kNaN, kInf, 1, 2, 2, -kInf}), v, idx;
  TopkOptions o;
  o.k = 3;
  o.largest = false;
  ASSERT_OK(topk(x, o, v, idx));
  expectI(idx, {2, 3}, {2, 1, 0, 2, 0, 1});
  expectF(v, {2, 3}, {1, INFINITY, NAN, -INFINITY, 2, 2});
}

TEST(Topk, KZeroAndErrors) {
  Tensor x = F({2, 3}, {1, 2, 3, 4, 5, 6}), v, idx;
  TopkOptions o;
  o.k = 0;
  ASSERT_OK(topk(x, o, v, idx));
  expectI(idx, {2, 0}, {});
  o.k = 4;
  expectError(topk(x, o, v, idx), {"sluice.topk", "(3)", "got 4"});
  o.k = 0;
  expectError(topk(F({}, {1}), o, v, idx), {"sluice.topk", "rank >= 1"});
}

TEST(Topk, MatchesAStableSortOracle) {
  // Values from a small set (many ties) with NaN and infinities; expected
  // order from std::stable_sort of the non-NaN entries, NaN indices after.
  const float pool[] = {1, -1, 0, 2, kNaN, kInf, -kInf, 2, 1};
  uint32_t seed = 12345;
  for (int trial = 0; trial < 50; ++trial) {
    const int64_t n = 1 + trial % 9;
    std::vector<float> x(n);
    for (float &v : x) {
      seed = seed * 1664525u + 1013904223u;
      v = pool[(seed >> 16) % 9];
    }
    for (bool largest : {true, false}) {
      std::vector<int64_t> order, nans;
      for (int64_t i = 0; i < n; ++i)
        (std::isnan(x[i]) ? nans : order).push_back(i);
      std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
        return largest ? x[a] > x[b] : x[a] < x[b];
      });
      order.insert(order.end(), nans.begin(), nans.end());
      for (int64_t k = 0; k <= n; ++k) {
        Tensor v, idx;
        TopkOptions o;
        o.k = k;
        o.largest = largest;
        ASSERT_OK(topk(F({n}, x), o, v, idx));
        for (int64_t j = 0; j < k; ++j)
          ASSERT_EQ(idx.i[j], order[j]) << "trial " << trial << " k " << k;
      }
    }
  }
}

TEST(Topk, EmptyLastDim) {
  Tensor v, idx;
  TopkOptions o;
  o.k = 0;
  ASSERT_OK(topk(F({2, 0}, {}), o, v, idx));
  expectF(v, {2, 0}, {});
}

TEST(Routing, ExpertChoiceDispatchMatmulCombineComposes) {
  // Compose as the spec says: slots = tokens flattened, k = 1,
  // offsets[e] = e*C, slot_weights = weights flattened.
  const int64_t t = 5, e = 2, d = 2;
  Tensor logits = F({t, e}, {0.1f, 2, 1, -1, 0.5f, 0.5f, 3, 0, -2, 1});
  Tensor x = F({t, d}, {1, 0, 0, 1, 1, 1, 2, -1, -3, 0.5f});
  Tensor w = F({e, d, d}, {1, 2, 3, 4, -1, 0, 0.5f, 2});
  ExpertChoiceGateOptions go;
  go.capacityFactor = 1.0f; // C = ceil(5 / 2) = 3.
  Tensor gw, tok, xs, ys, y;
  ASSERT_OK(expertChoiceGate(logits, go, gw, tok));
  ASSERT_EQ(tok.shape, (std::vector<int64_t>{e, 3}));
  const int64_t c = 3;
  Tensor slots = I({e * c}, tok.i), offsets = I({e + 1}, {0, 3, 6});
  Tensor sw = F({e * c}, gw.f);
  ASSERT_OK(dispatch(x, slots, 1, xs));
  ASSERT_OK(groupedMatmul(xs, w, offsets, ys));
  ASSERT_OK(combinePerSlot(ys, slots, sw, t, 1, y));
  std::vector<double> want(t * d, 0.0);
  for (int64_t ex = 0; ex < e; ++ex)
    for (int64_t j = 0; j < c; ++j) {
      int64_t tk = tok.i[ex * c + j];
      for (int64_t col = 0; col < d; ++col) {
        double acc = 0;
        for (int64_t i = 0; i < d; ++i)
          acc += x.f[tk * d + i] * w.f[(ex * d + i) * d + col];
        want[tk * d + col] += gw.f[ex * c + j] * acc;
      }
    }
  expectF(y, {t, d}, want);
  // Expert 0's three largest softmax scores: tokens 1 (l0-l1 = 2),
  // 3 (3), then 2 (0); expert 1: tokens 4, 0, 2.
  expectI(tok, {e, c}, {3, 1, 2, 4, 0, 2});
}

TEST(Pool, AnyIntegerMaskValue) {
  Tensor x = F({1, 3, 1}, {1, 2, 4}), m = I({1, 3}, {2, 0, -1}), out;
  PoolOptions o;
  o.kind = PoolKind::mean;
  ASSERT_OK(pool(x, &m, nullptr, nullptr, o, out));
  expectF(out, {1, 1}, {2.5});
}

TEST(LowRank, ZeroTokens) {
  Tensor out;
  ASSERT_OK(loraMatmul(F({0, 2}, {}), eye2(), eye2(), eye2(), nullptr, nullptr,
                       LoraMatmulOptions(), out));
  expectF(out, {0, 2}, {});
  ASSERT_OK(multiLoraMatmul(F({0, 1}, {}), F({1, 1}, {1}), mlA(), mlB(),
                            I({0, 1}, {}), nullptr, nullptr, nullptr,
                            MultiLoraMatmulOptions(), out));
  expectF(out, {0, 1}, {});
  SparsifyOptions so;
  so.mode = SparsifyMode::topk;
  so.k = 0;
  ASSERT_OK(sparseMatmul(F({0, 0}, {}), F({0, 3}, {}), nullptr, so, out));
  expectF(out, {0, 3}, {});
}

//===----------------------------------------------------------------------===//
// Malformed tensors
//===----------------------------------------------------------------------===//

TEST(Tensors, MalformedInputsAreErrorsNotCrashes) {
  Tensor out, idx;
  // Data shorter than the shape says.
  expectError(
      glu(F({2, 2}, {1, 2, 3}), F({2, 2}, {1, 2, 3}), Activation::silu, out),
      {"sluice.glu", "gate", "4 elements", "got 3"});
  // Wrong element type.
  TopkOptions o;
  o.k = 1;
  expectError(topk(I({2}, {1, 2}), o, out, idx),
              {"sluice.topk", "f32", "[2] i32"});
  // Wrong rank.
  expectError(dispatch(F({2}, {1, 2}), I({1}, {0}), 1, out),
              {"sluice.dispatch", "rank 2"});
}
