//===- GenSluiceOther.cpp - pooling, low-rank and sparse ops --------------===//
//
// The checks of pool, segment_pool, adaptive_pool, spatial_pyramid_pool,
// attention_pool, lora_matmul, multi_lora_matmul, lowrank_matmul, sparsify,
// sparse_matmul and topk, in the language's terms.
//
//===----------------------------------------------------------------------===//

#include "frontend/GenImpl.h"

using namespace sluice::frontend;
using llvm::SMLoc;
using llvm::StringRef;

bool Generator::checkPoolAttrs(CallSite &cs, const Dim &features) {
  std::string op = std::string(cs.op.name) + ": ";
  if (cs.attr("p").f == 0)
    return error(attrLoc(cs, "p"), op + "p must be != 0");
  if (cs.attr("r").f == 0)
    return error(attrLoc(cs, "r"), op + "r must be != 0");
  if (!checkFinite(cs, "eps", true))
    return false;
  int64_t groups = cs.attr("groups").i;
  if (groups < 1)
    return error(attrLoc(cs, "groups"),
                 op + "groups must be >= 1, got " + std::to_string(groups));
  if (features.isStatic() && features.size % groups != 0)
    return error(attrLoc(cs, "groups"),
                 op + "groups = " + std::to_string(groups) +
                     " must divide the features " + features.str());
  if (const Val *gp = cs.get("group_p")) {
    if (cs.attr("kind").e != "gem")
      return error(gp->loc, op +
                                "group_p is only allowed with kind = gem, "
                                "got kind = " +
                                cs.attr("kind").e);
    const Dim &g = gp->type.dims[0];
    if (!g.isStatic() || g.size != groups)
      return error(gp->loc,
                   op + "group_p must have groups = " + std::to_string(groups) +
                       " entries, but " + gp->name + " is " + gp->type.str());
  }
  return true;
}

bool Generator::genPool(CallSite &cs, std::vector<Val> &results) {
  const Val &x = *cs.get("x");
  if (cs.has("mask") && cs.has("lengths"))
    return error(cs.get("lengths")->loc,
                 "pool: mask and lengths are mutually exclusive");
  if (!checkPoolAttrs(cs, x.type.dims[2]))
    return false;
  LType r{DType::f32, {x.type.dims[0], x.type.dims[2]}};
  mlir::Operation *o = buildSluice(cs, {r});
  setResults(cs, o, {r}, results);
  return true;
}

bool Generator::genSegmentPool(CallSite &cs, std::vector<Val> &results) {
  const Val &x = *cs.get("x"), &off = *cs.get("offsets");
  const Dim &s = off.type.dims[0];
  if (s.isStatic() && s.size < 1)
    return error(off.loc, "segment_pool: offsets must have B + 1 >= 1 "
                          "entries, but " +
                              off.name + " is " + off.type.str());
  if (!checkPoolAttrs(cs, x.type.dims[1]))
    return false;
  Dim bdim = s.isStatic() ? Dim::fixed(s.size - 1) : freshSym("B");
  LType r{DType::f32, {bdim, x.type.dims[1]}};
  mlir::Operation *o = buildSluice(cs, {r});
  setResults(cs, o, {r}, results);
  return true;
}

/// H and W of x, when static, must be >= 1.
static bool checkSpatial(Generator &g, CallSite &cs, const Val &x) {
  for (unsigned i = 2; i < 4; ++i)
    if (x.type.dims[i].isStatic() && x.type.dims[i].size < 1)
      return g.error(x.loc, std::string(cs.op.name) + ": " +
                                (i == 2 ? "H" : "W") + " (dim " +
                                std::to_string(i) +
                                " of x) must "
                                "be >= 1, but " +
                                x.name + " is " + x.type.str());
  return true;
}

bool Generator::genAdaptivePool(CallSite &cs, std::vector<Val> &results) {
  const Val &x = *cs.get("x");
  const AttrVal &os = cs.attr("output_size");
  if (os.ints.size() != 2)
    return error(os.loc, "adaptive_pool: output_size must be [OH, OW], got " +
                             std::to_string(os.ints.size()) + " entries");
  if (os.ints[0] < 1 || os.ints[1] < 1 || os.ints[0] > INT32_MAX ||
      os.ints[1] > INT32_MAX)
    return error(os.loc, "adaptive_pool: output_size entries must be >= 1, "
                         "got [" +
                             std::to_string(os.ints[0]) + ", " +
                             std::to_string(os.ints[1]) + "]");
  if (!checkSpatial(*this, cs, x))
    return false;
  LType r{DType::f32,
          {x.type.dims[0], x.type.dims[1], Dim::fixed(os.ints[0]),
           Dim::fixed(os.ints[1])}};
  mlir::Operation *o = buildSluice(cs, {r});
  setResults(cs, o, {r}, results);
  return true;
}

bool Generator::genSpatialPyramidPool(CallSite &cs, std::vector<Val> &results) {
  const Val &x = *cs.get("x");
  const AttrVal &levels = cs.attr("levels");
  if (levels.ints.empty())
    return error(levels.loc, "spatial_pyramid_pool: levels must have at least "
                             "one level");
  int64_t bins = 0;
  if (levels.ints.size() > 64)
    return error(levels.loc, "spatial_pyramid_pool: at most 64 levels");
  for (int64_t l : levels.ints) {
    if (l < 1 || l > 4096)
      return error(levels.loc, "spatial_pyramid_pool: every level must be in "
                               "[1, 4096], got " +
                                   std::to_string(l));
    bins += l * l;
  }
  if (!checkSpatial(*this, cs, x))
    return false;
  const Dim &c = x.type.dims[1];
  Dim out = freshSym(c.str() + "*" + std::to_string(bins));
  int64_t width;
  if (c.isStatic()) {
    if (__builtin_mul_overflow(c.size, bins, &width) || width > INT32_MAX)
      return error(levels.loc, "spatial_pyramid_pool: the result is too wide");
    out = Dim::fixed(width);
  }
  LType r{DType::f32, {x.type.dims[0], out}};
  mlir::Operation *o = buildSluice(cs, {r});
  setResults(cs, o, {r}, results);
  return true;
}

bool Generator::genAttentionPool(CallSite &cs, std::vector<Val> &results) {
  const Val &x = *cs.get("x"), &q = *cs.get("query");
  std::string op = "attention_pool: ";
  if (!checkDtype(cs, q, "query", "f32"))
    return false;
  if (q.type.rank() != 2)
    return error(q.loc, op +
                            "query must have rank 2 ([Q, D] for kind dot, "
                            "[D, D] for featurewise), but " +
                            q.name + " is " + q.type.str());
  const Dim &d = x.type.dims[2];
  Dim qd;
  if (cs.attr("kind").e == "featurewise") {
    if (cs.has("heads"))
      return error(attrLoc(cs, "heads"), op + "kind = featurewise takes no "
                                              "heads");
    if (!q.type.dims[0].same(d) || !q.type.dims[1].same(d))
      return error(q.loc, op +
                              "kind = featurewise expects w of shape [D, D] "
                              "with D the features of x: " +
                              x.name + " is " + x.type.str() + ", " + q.name +
                              " is " + q.type.str());
    qd = Dim::fixed(1);
  } else {
    if (!q.type.dims[1].same(d))
      return mismatch(cs, "feature sizes", x, q);
    if (cs.has("heads")) {
      int64_t h = cs.attr("heads").i;
      if (h < 1)
        return error(attrLoc(cs, "heads"),
                     op + "heads must be >= 1, got " + std::to_string(h));
      if (d.isStatic() && d.size % h != 0)
        return error(attrLoc(cs, "heads"), op + "heads = " + std::to_string(h) +
                                               " must divide the features " +
                                               d.str());
    }
    qd = q.type.dims[0];
  }
  LType r{DType::f32, {x.type.dims[0], qd, d}};
  mlir::Operation *o = buildSluice(cs, {r});
  setResults(cs, o, {r}, results);
  return true;
}

bool Generator::genLoraMatmul(CallSite &cs, std::vector<Val> &results) {
  const Val &x = *cs.get("x"), &w = *cs.get("w"), &a = *cs.get("a");
  const Dim &r = a.type.dims[1];
  std::string op = "lora_matmul: ";
  if (const Val *g = cs.get("rank_gates")) {
    if (!checkDtype(cs, *g, "rank_gates", "f32"))
      return false;
    bool ok = (g->type.rank() == 1 && g->type.dims[0].same(r)) ||
              (g->type.rank() == 2 && g->type.dims[0].same(x.type.dims[0]) &&
               g->type.dims[1].same(r));
    if (!ok)
      return error(g->loc,
                   op + "rank_gates must be [r] or [T, r] with r = " + r.str() +
                       " and T of " + x.name + " (" + x.type.str() + "), but " +
                       g->name + " is " + g->type.str());
  }
  if (cs.has("active_rank")) {
    int64_t ar = cs.attr("active_rank").i;
    if (ar < 0 || (r.isStatic() && ar > r.size))
      return error(attrLoc(cs, "active_rank"),
                   op + "active_rank must be in [0, rank " + r.str() +
                       "], got " + std::to_string(ar));
  }
  if (!checkFinite(cs, "scale"))
    return false;
  LType rt{DType::f32, {x.type.dims[0], w.type.dims[1]}};
  mlir::Operation *o = buildSluice(cs, {rt});
  setResults(cs, o, {rt}, results);
  return true;
}

bool Generator::genMultiLoraMatmul(CallSite &cs, std::vector<Val> &results) {
  const Val &x = *cs.get("x"), &w = *cs.get("w"), &a = *cs.get("a"),
            &ids = *cs.get("ids");
  if (cs.has("scales") && cs.has("scale"))
    return error(attrLoc(cs, "scale"),
                 "multi_lora_matmul: scales and scale are mutually exclusive");
  if (cs.has("scale") && !checkFinite(cs, "scale"))
    return false;
  const Dim &l = a.type.dims[0];
  if (l.isStatic() && !checkBound(cs, ids, l.size,
                                  std::to_string(l.size) + " adapters (" +
                                      a.name + " is " + a.type.str() + ")",
                                  /*allowMinusOne=*/true))
    return false;
  LType rt{DType::f32, {x.type.dims[0], w.type.dims[1]}};
  mlir::Operation *o = buildSluice(cs, {rt});
  setResults(cs, o, {rt}, results);
  return true;
}

bool Generator::genLowrankMatmul(CallSite &cs, std::vector<Val> &results) {
  const Val &x = *cs.get("x"), &v = *cs.get("v");
  LType rt{DType::f32, {x.type.dims[0], v.type.dims[1]}};
  mlir::Operation *o = buildSluice(cs, {rt});
  setResults(cs, o, {rt}, results);
  return true;
}

bool Generator::genSparsify(CallSite &cs, std::vector<Val> &results) {
  const Val &x = *cs.get("x");
  std::string op = std::string(cs.op.name) + ": ";
  StringRef mode = cs.attr("mode").e;
  const Dim &n = x.type.dims[1];
  bool matmul = StringRef(cs.op.name) == "sparse_matmul";
  if (mode == "threshold") {
    if (!cs.has("tau"))
      return error(cs.loc(), op + "mode = threshold needs tau = ...");
    if (cs.has("k"))
      return error(attrLoc(cs, "k"), op + "mode = threshold takes no k "
                                          "(did you mean mode = topk?)");
  } else {
    if (!cs.has("k"))
      return error(cs.loc(), op + "mode = " + mode.str() + " needs k = ...");
    if (cs.has("tau"))
      return error(attrLoc(cs, "tau"),
                   op + "mode = " + mode.str() + " takes no tau");
    int64_t k = cs.attr("k").i;
    if (k < 0 || (n.isStatic() && k > n.size))
      return error(attrLoc(cs, "k"), op + "k must be in [0, " + n.str() +
                                         "] (dim 1 of " + x.name + "), got " +
                                         std::to_string(k));
  }
  if (mode != "wina" && cs.has("wnorm"))
    return error(cs.get("wnorm")->loc,
                 op + "wnorm is only used by mode = wina");
  if (mode == "wina" && !matmul && !cs.has("wnorm"))
    return error(cs.loc(), op + "mode = wina needs wnorm = ... (the L2 norms "
                                "of the weight rows)");
  LType rt = x.type;
  if (matmul)
    rt.dims[1] = cs.get("w")->type.dims[1];
  mlir::Operation *o = buildSluice(cs, {rt});
  setResults(cs, o, {rt}, results);
  return true;
}

bool Generator::genTopk(CallSite &cs, std::vector<Val> &results) {
  const Val &x = *cs.get("x");
  if (x.type.rank() == 0)
    return error(x.loc, "topk: x must have rank >= 1, but " + x.name + " is " +
                            x.type.str());
  const AttrVal &k = cs.attr("k");
  const Dim &n = x.type.dims.back();
  if (k.i < 0 || (n.isStatic() && k.i > n.size) || k.i > INT32_MAX)
    return error(k.loc, "topk: k must be in [0, " + n.str() +
                            "] (the last dim of " + x.name + "), got " +
                            std::to_string(k.i));
  LType v = x.type;
  v.dims.back() = Dim::fixed(k.i, k.label);
  LType i = v;
  i.dtype = DType::i32;
  mlir::Operation *o = buildSluice(cs, {v, i});
  setResults(cs, o, {v, i}, results);
  results[1].bound = n;
  results[1].boundWhy =
      "topk over the last dim of " + x.name + " (" + x.type.str() + ")";
  return true;
}
