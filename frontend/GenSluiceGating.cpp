//===- GenSluiceGating.cpp - gating and routing ops -----------------------===//
//
// The checks of topk_gate, expert_choice_gate, glu, sigmoid_gate, route,
// dispatch, grouped_matmul, combine, moe and the router losses, in the
// language's terms: every rule of the dialect verifiers, and the agreement
// of a gate's expert count with the experts its indices select among.
//
//===----------------------------------------------------------------------===//

#include "frontend/GenImpl.h"

#include <cmath>

using namespace sluice::frontend;
using llvm::SMLoc;
using llvm::StringRef;

SMLoc Generator::attrLoc(CallSite &cs, StringRef attr) {
  const AttrVal &v = cs.attr(attr);
  return v.given ? v.loc : cs.loc();
}

bool Generator::checkFinite(CallSite &cs, StringRef attr, bool positive) {
  const AttrVal &v = cs.attr(attr);
  if (!std::isfinite(v.f))
    return error(attrLoc(cs, attr),
                 std::string(cs.op.name) + ": " + attr + " must be finite");
  if (positive && v.f <= 0)
    return error(attrLoc(cs, attr), std::string(cs.op.name) + ": " + attr +
                                        " must be > 0, got " +
                                        formatNumber(v.f));
  return true;
}

bool Generator::checkBound(CallSite &cs, const Val &idx, int64_t count,
                           StringRef what, bool allowMinusOne) {
  std::string op = cs.op.name;
  if (idx.bound && idx.bound->isStatic() && idx.bound->size != count)
    return error(idx.loc,
                 op + ": " +
                     (op == "multi_lora_matmul" ? "adapter" : "expert") +
                     " counts differ: " + idx.name + " comes from " +
                     idx.boundWhy + ", but " + op + " has " + what);
  if (idx.range) {
    auto [lo, hi] = *idx.range;
    if (lo < (allowMinusOne ? -1 : 0) || hi > count)
      return error(idx.loc, op + ": input '" + idx.name + "' has range(" +
                                std::to_string(lo) + ", " + std::to_string(hi) +
                                "), but " + op + " has " + what +
                                "; valid indices are " +
                                (allowMinusOne ? "-1 to " : "0 to ") +
                                std::to_string(count - 1));
  }
  return true;
}

/// Slot ids t*k + j are i32: with static T and k, T * k must be < 2^31.
static bool checkSlotIds(Generator &g, CallSite &cs, const Dim &t,
                         const Dim &k) {
  if (!t.isStatic() || !k.isStatic() || t.size == 0 || k.size == 0)
    return true;
  if (t.size < (int64_t(1) << 31) / k.size)
    return true;
  return g.error(cs.loc(), std::string(cs.op.name) + ": T * k = " + t.str() +
                               " * " + k.str() +
                               " must be < 2^31 (slot ids are i32)");
}

bool Generator::genTopkGate(CallSite &cs, std::vector<Val> &results) {
  const Val &logits = *cs.get("logits");
  const Dim &e = logits.type.dims[1];
  std::string op = "topk_gate: ";
  if (!e.isStatic())
    return error(logits.loc, op +
                                 "the number of experts (dim 1 of logits) "
                                 "must be static, but " +
                                 logits.name + " is " + logits.type.str());
  const AttrVal &k = cs.attr("k");
  int64_t groups = cs.attr("groups").i, tg = cs.attr("topk_groups").i;
  if (k.i < 1)
    return error(k.loc, op + "k must be >= 1, got " + std::to_string(k.i));
  if (k.i > e.size)
    return error(k.loc, op + "k = " + std::to_string(k.i) +
                            " exceeds the number of experts (" + e.str() +
                            "): " + logits.name + " is " + logits.type.str());
  if (groups < 1)
    return error(attrLoc(cs, "groups"),
                 op + "groups must be >= 1, got " + std::to_string(groups));
  if (e.size % groups != 0)
    return error(
        attrLoc(cs, "groups"),
        op + "the number of experts (" + e.str() +
            ") is not divisible by groups = " + std::to_string(groups));
  if (tg < 1 || tg > groups)
    return error(attrLoc(cs, "topk_groups"),
                 op + "topk_groups must be in [1, groups = " +
                     std::to_string(groups) + "], got " + std::to_string(tg));
  int64_t per = e.size / groups;
  if (k.i > tg * per)
    return error(k.loc, op + "k = " + std::to_string(k.i) +
                            " exceeds the experts of the kept groups "
                            "(topk_groups * experts per group = " +
                            std::to_string(tg) + " * " + std::to_string(per) +
                            " = " + std::to_string(tg * per) + ")");
  if (cs.attr("group_score").e == "top2_sum" && per < 2)
    return error(attrLoc(cs, "group_score"),
                 op +
                     "group_score = top2_sum needs at least 2 experts per "
                     "group, got " +
                     std::to_string(per));
  if (cs.attr("renormalize").b && cs.attr("score").e == "none")
    return error(attrLoc(cs, "renormalize"),
                 op + "renormalize = true is not allowed with score = none");
  if (!checkFinite(cs, "temperature", true) || !checkFinite(cs, "scale"))
    return false;
  Dim kd = Dim::fixed(k.i, k.label);
  LType w{DType::f32, {logits.type.dims[0], kd}};
  LType i{DType::i32, {logits.type.dims[0], kd}};
  mlir::Operation *o = buildSluice(cs, {w, i});
  setResults(cs, o, {w, i}, results);
  results[1].bound = e;
  results[1].boundWhy = "topk_gate over " + std::to_string(e.size) +
                        " experts (" + logits.name + " is " +
                        logits.type.str() + ")";
  return true;
}

bool Generator::genExpertChoiceGate(CallSite &cs, std::vector<Val> &results) {
  const Val &logits = *cs.get("logits");
  const Dim &t = logits.type.dims[0], &e = logits.type.dims[1];
  std::string op = "expert_choice_gate: ";
  if (!e.isStatic())
    return error(logits.loc, op +
                                 "the number of experts (dim 1 of logits) "
                                 "must be static, but " +
                                 logits.name + " is " + logits.type.str());
  bool cap = cs.has("capacity"), cf = cs.has("capacity_factor");
  if (cap == cf)
    return error(cap ? attrLoc(cs, "capacity_factor") : cs.loc(),
                 op + "expects exactly one of capacity and capacity_factor");
  if (cap && cs.attr("capacity").i < 1)
    return error(attrLoc(cs, "capacity"),
                 op + "capacity must be >= 1, got " +
                     std::to_string(cs.attr("capacity").i));
  if (cf && !checkFinite(cs, "capacity_factor", true))
    return false;
  Dim c = freshSym("C");
  if (t.isStatic()) {
    int64_t v;
    if (cap) {
      v = std::min(cs.attr("capacity").i, t.size);
    } else {
      double x = std::ceil((double)t.size *
                           (double)(float)cs.attr("capacity_factor").f /
                           (double)e.size);
      v = x >= (double)t.size ? t.size : (int64_t)x;
    }
    c = Dim::fixed(v);
  }
  LType w{DType::f32, {e, c}}, tok{DType::i32, {e, c}};
  mlir::Operation *o = buildSluice(cs, {w, tok});
  setResults(cs, o, {w, tok}, results);
  results[1].bound = t;
  results[1].boundWhy = "expert_choice_gate over the tokens of " + logits.name;
  return true;
}

bool Generator::genGlu(CallSite &cs, std::vector<Val> &results) {
  const Val &g = *cs.get("gate"), &u = *cs.get("up");
  bool same = g.type.rank() == u.type.rank();
  for (unsigned i = 0; same && i < g.type.rank(); ++i)
    same = g.type.dims[i].same(u.type.dims[i]);
  if (!same)
    return mismatch(cs, "shapes", g, u);
  mlir::Operation *o = buildSluice(cs, {g.type});
  setResults(cs, o, {g.type}, results);
  return true;
}

bool Generator::genSigmoidGate(CallSite &cs, std::vector<Val> &results) {
  const Val &x = *cs.get("x"), &g = *cs.get("g");
  const Dim &c = x.type.dims[1], &h = g.type.dims[1];
  if (!c.same(h) && c.isStatic() && h.isStatic() &&
      (h.size == 0 || c.size % h.size != 0))
    return error(cs.loc(), "sigmoid_gate: the columns of x (" + c.str() +
                               ") must be a multiple of the heads of g (" +
                               h.str() + "): " + x.name + " is " +
                               x.type.str() + ", " + g.name + " is " +
                               g.type.str());
  mlir::Operation *o = buildSluice(cs, {x.type});
  setResults(cs, o, {x.type}, results);
  return true;
}

bool Generator::genRoute(CallSite &cs, std::vector<Val> &results) {
  const Val &idx = *cs.get("indices");
  const AttrVal &ne = cs.attr("num_experts");
  std::string op = "route: ";
  if (ne.i < 1)
    return error(ne.loc,
                 op + "num_experts must be >= 1, got " + std::to_string(ne.i));
  if (ne.i > INT32_MAX - 1)
    return error(ne.loc, op + "num_experts is too large");
  if (cs.attr("block").i < 1)
    return error(attrLoc(cs, "block"), op + "block must be >= 1, got " +
                                           std::to_string(cs.attr("block").i));
  if (cs.attr("capacity").i < 0)
    return error(attrLoc(cs, "capacity"),
                 op + "capacity must be >= 0 (0 = dropless), got " +
                     std::to_string(cs.attr("capacity").i));
  if (!checkSlotIds(*this, cs, idx.type.dims[0], idx.type.dims[1]) ||
      !checkBound(cs, idx, ne.i,
                  std::to_string(ne.i) + " experts (num_experts = " +
                      Dim::fixed(ne.i, ne.label).str() + ")"))
    return false;
  Dim e = Dim::fixed(ne.i, ne.label);
  std::string l1 = ne.label.empty() ? "" : ne.label + "+1";
  LType counts{DType::i32, {e}},
      offsets{DType::i32, {Dim::fixed(ne.i + 1, l1)}},
      slots{DType::i32, {freshSym("P")}}, keep{DType::i32, idx.type.dims};
  mlir::Operation *o = buildSluice(cs, {counts, offsets, slots, keep});
  setResults(cs, o, {counts, offsets, slots, keep}, results);
  results[2].slotsK = idx.type.dims[1];
  return true;
}

/// The k of slots that come from a route must be the k a consumer uses.
static bool checkSlotsK(Generator &g, CallSite &cs, const Val &slots,
                        int64_t k) {
  if (!slots.slotsK || !slots.slotsK->isStatic() || slots.slotsK->size == k)
    return true;
  return g.error(g.attrLoc(cs, "k"),
                 std::string(cs.op.name) + ": k = " + std::to_string(k) +
                     ", but " + slots.name + " comes from a route over " +
                     slots.slotsK->str() + " choices per token");
}

bool Generator::genDispatch(CallSite &cs, std::vector<Val> &results) {
  const Val &x = *cs.get("x"), &slots = *cs.get("slots");
  int64_t k = cs.attr("k").i;
  if (k < 1)
    return error(attrLoc(cs, "k"),
                 "dispatch: k must be >= 1, got " + std::to_string(k));
  if (!checkSlotsK(*this, cs, slots, k))
    return false;
  LType r{DType::f32, {slots.type.dims[0], x.type.dims[1]}};
  mlir::Operation *o = buildSluice(cs, {r});
  setResults(cs, o, {r}, results);
  return true;
}

bool Generator::genGroupedMatmul(CallSite &cs, std::vector<Val> &results) {
  const Val &xs = *cs.get("xs"), &w = *cs.get("w");
  LType r{DType::f32, {xs.type.dims[0], w.type.dims[2]}};
  mlir::Operation *o = buildSluice(cs, {r});
  setResults(cs, o, {r}, results);
  return true;
}

bool Generator::genCombine(CallSite &cs, std::vector<Val> &results) {
  const Val &ys = *cs.get("ys"), &slots = *cs.get("slots"),
            &w = *cs.get("weights");
  const Val *keep = cs.get("keep");
  bool perSlot = cs.dimArgs.count(4);
  std::string op = "combine: ";
  if ((keep != nullptr) == perSlot)
    return error(cs.loc(), op + "expects exactly one of keep = ... (the "
                                "token-choice form) and num_tokens = ... (the "
                                "per-slot form)");
  if (!checkDtype(cs, w, "weights", "f32"))
    return false;
  LType r{DType::f32, {Dim(), ys.type.dims[1]}};
  if (keep) {
    if (w.type.rank() != 2)
      return error(w.loc, op +
                              "the token-choice form expects weights [T, k], "
                              "but " +
                              w.name + " is " + w.type.str());
    if (!checkDtype(cs, *keep, "keep", "i32"))
      return false;
    bool same = keep->type.rank() == 2 &&
                keep->type.dims[0].same(w.type.dims[0]) &&
                keep->type.dims[1].same(w.type.dims[1]);
    if (!same)
      return mismatch(cs, "shapes of weights and keep", w, *keep);
    const Dim &k = w.type.dims[1];
    if (cs.has("k") && (!k.isStatic() || cs.attr("k").i != k.size))
      return error(attrLoc(cs, "k"),
                   op + "k = " + std::to_string(cs.attr("k").i) +
                       " must equal dim 1 of weights (" + k.str() + ")");
    if (!checkSlotIds(*this, cs, w.type.dims[0], k) ||
        (k.isStatic() && !checkSlotsK(*this, cs, slots, k.size)))
      return false;
    r.dims[0] = w.type.dims[0];
  } else {
    if (w.type.rank() != 1)
      return error(w.loc, op +
                              "the per-slot form expects slot_weights [P], "
                              "but " +
                              w.name + " is " + w.type.str());
    if (!w.type.dims[0].same(slots.type.dims[0]))
      return mismatch(cs, "slot counts", slots, w);
    if (!cs.has("k"))
      return error(cs.loc(), op + "the per-slot form needs k = ... (the "
                                  "slots are t * k + j)");
    if (cs.attr("k").i < 1)
      return error(attrLoc(cs, "k"), op + "k must be >= 1, got " +
                                         std::to_string(cs.attr("k").i));
    if (!checkSlotsK(*this, cs, slots, cs.attr("k").i))
      return false;
    r.dims[0] = cs.dimArgs[4];
  }
  mlir::Operation *o = buildSluice(cs, {r});
  if (!o)
    return false;
  setResults(cs, o, {r}, results);
  return true;
}

bool Generator::genMoe(CallSite &cs, std::vector<Val> &results) {
  const Val &x = *cs.get("x"), &idx = *cs.get("indices"),
            &wg = *cs.get("w_gate");
  std::string op = "moe: ";
  bool sg = cs.has("shared_gate"), sd = cs.has("shared_down");
  if (sg != sd)
    return error(cs.operandLocs[sg ? 6 : 8],
                 op + "shared_gate and shared_down go together");
  if (!sg && (cs.has("shared_up") || cs.has("shared_gate_w")))
    return error(cs.operandLocs[cs.has("shared_up") ? 7 : 9],
                 op + "shared_up and shared_gate_w need shared_gate and "
                      "shared_down");
  int64_t nz = cs.attr("num_zero").i, nc = cs.attr("num_copy").i,
          nk = cs.attr("num_const").i;
  for (const char *a : {"num_zero", "num_copy", "num_const", "capacity"})
    if (cs.attr(a).i < 0)
      return error(attrLoc(cs, a), op + a + " must be >= 0, got " +
                                       std::to_string(cs.attr(a).i));
  bool wc = cs.has("const_wc"), v = cs.has("const_v");
  if ((nk > 0) != wc || (nk > 0) != v)
    return error(nk > 0 ? cs.loc() : cs.operandLocs[wc ? 10 : 11],
                 op +
                     "const_wc and const_v are given exactly when num_const "
                     "> 0 (num_const = " +
                     std::to_string(nk) + ")");
  if (nk > 0) {
    const Dim &z = cs.vars.lookup("Z").first;
    if (!z.isStatic() || z.size != nk)
      return error(cs.operandLocs[10],
                   op + "const_wc and const_v must have num_const = " +
                       std::to_string(nk) + " rows, but " +
                       cs.get("const_wc")->name + " is " +
                       cs.get("const_wc")->type.str());
  }
  if (!checkSlotIds(*this, cs, x.type.dims[0], idx.type.dims[1]))
    return false;
  const Dim &e = wg.type.dims[0];
  if (e.isStatic()) {
    int64_t total = e.size + nz + nc + nk;
    std::string what =
        std::to_string(total) + " experts (" + wg.name + " is " + wg.type.str();
    if (nz || nc || nk)
      what += "; plus " + std::to_string(nz) + " zero, " + std::to_string(nc) +
              " copy and " + std::to_string(nk) + " constant experts";
    if (!checkBound(cs, idx, total, what + ")"))
      return false;
  }
  mlir::Operation *o = buildSluice(cs, {x.type});
  setResults(cs, o, {x.type}, results);
  return true;
}

bool Generator::genLoss(CallSite &cs, std::vector<Val> &results) {
  if (StringRef(cs.op.name) == "load_balance_loss") {
    const Val &p = *cs.get("probs"), &idx = *cs.get("indices");
    const Dim &e = p.type.dims[1];
    if (e.isStatic() && !checkBound(cs, idx, e.size,
                                    std::to_string(e.size) + " experts (" +
                                        p.name + " is " + p.type.str() + ")"))
      return false;
  }
  LType r{DType::f32, {}};
  mlir::Operation *o = buildSluice(cs, {r});
  setResults(cs, o, {r}, results);
  return true;
}
