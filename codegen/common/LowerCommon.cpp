//===- LowerCommon.cpp - helpers shared by the op lowerings ---------------===//

#include "codegen/common/Lowering.h"
#include "codegen/common/EqualDims.h"

#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::sluice;
using namespace mlir::sluice::codegen;
using P = arith::CmpFPredicate;
using IP = arith::CmpIPredicate;

Value codegen::allocResult(Emit &e, Type tensorType, ArrayRef<Value> sizes) {
  auto t = cast<RankedTensorType>(tensorType);
  SmallVector<Value> dyn;
  for (auto [i, s] : llvm::enumerate(t.getShape()))
    if (ShapedType::isDynamic(s))
      dyn.push_back(sizes[i]);
  return e.alloc(MemRefType::get(t.getShape(), t.getElementType()), dyn);
}

Value codegen::keyBefore(Emit &e, bool largest, const Key &a, const Key &b) {
  Value nanA = e.isNan(a.value), nanB = e.isNan(b.value);
  Value idxLess = e.cmpi(IP::slt, a.index, b.index);
  Value strictly = e.cmpf(largest ? P::OGT : P::OLT, a.value, b.value);
  Value equal = e.cmpf(P::OEQ, a.value, b.value);
  Value plain = e.ori(strictly, e.andi(equal, idxLess));
  // Both NaN: index order; one NaN: the other one first.
  Value r = e.select(e.andi(nanA, nanB), idxLess,
                     e.select(nanA, e.ci1(false),
                              e.select(nanB, e.ci1(true), plain)));
  if (!a.demoted)
    return r;
  Value differ = e.cmpi(IP::ne, a.demoted, b.demoted);
  return e.select(differ, e.noti(a.demoted), r);
}

void codegen::emitSelect(Emit &e, Value k, Value n, bool largest,
                         function_ref<Key(Value)> key,
                         function_ref<void(Value, const Key &)> out) {
  Value f = e.ci1(false);
  Value none = e.c(-1);
  // Carried: the previous pick (demoted, value, index).
  e.forLoopAcc(
      e.c(0), k, ValueRange{f, e.cf(0), none},
      [&](Value j, ValueRange prevArgs) -> SmallVector<Value> {
        Key prev{prevArgs[0], prevArgs[1], prevArgs[2]};
        Value first = e.cmpi(IP::eq, j, e.c(0));
        SmallVector<Value> best = e.forLoopAcc(
            e.c(0), n, ValueRange{f, e.cf(0), none},
            [&](Value i, ValueRange bestArgs) -> SmallVector<Value> {
              Key cand = key(i);
              cand.index = i;
              if (!cand.demoted)
                cand.demoted = f;
              Key cur{bestArgs[0], bestArgs[1], bestArgs[2]};
              Value eligible = e.ori(first, keyBefore(e, largest, prev, cand));
              Value noBest = e.cmpi(IP::eq, cur.index, none);
              Value improves = e.ori(noBest, keyBefore(e, largest, cand, cur));
              Value take = e.andi(eligible, improves);
              return {e.select(take, cand.demoted, cur.demoted),
                      e.select(take, cand.value, cur.value),
                      e.select(take, cand.index, cur.index)};
            });
        Key pick{best[0], best[1], best[2]};
        out(j, pick);
        return best;
      });
}

Value codegen::emitActivation(Emit &e, Activation act, Value x) {
  switch (act) {
  case Activation::silu:
    return e.mulf(x, e.sigmoid(x));
  case Activation::gelu:
    // 0.5 x (1 + erf(x / sqrt(2)))
    return e.mulf(e.mulf(e.cf(0.5), x),
                  e.addf(e.cf(1.0), e.erf(e.mulf(x, e.cf(M_SQRT1_2)))));
  case Activation::gelu_tanh: {
    // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
    Value x3 = e.mulf(e.mulf(x, x), x);
    Value inner = e.mulf(e.cf(0.7978845608028654),
                         e.addf(x, e.mulf(e.cf(0.044715), x3)));
    return e.mulf(e.mulf(e.cf(0.5), x), e.addf(e.cf(1.0), e.tanh(inner)));
  }
  case Activation::relu:
    return e.maxf(x, e.cf(0.0));
  case Activation::sigmoid:
    return e.sigmoid(x);
  }
  llvm_unreachable("unknown activation");
}

void codegen::emitCapacityKeep(Emit &e, Value indices, Value weights,
                               int64_t numExperts, int64_t capacity,
                               DropPolicy drop, Value keepFlat) {
  Value t = e.dim(indices, 0), k = e.dim(indices, 1);
  Value ne = e.c(numExperts);
  auto idAt = [&](Value tt, Value jj) {
    return e.toIndex(e.load(indices, {tt, jj}));
  };
  auto inRange = [&](Value id) {
    return e.andi(e.cmpi(IP::sge, id, e.c(0)), e.cmpi(IP::slt, id, ne));
  };
  auto slotOf = [&](Value tt, Value jj) { return e.addi(e.muli(tt, k), jj); };
  e.fill(keepFlat, e.ci32(0));
  if (capacity <= 0) {
    e.forLoop(t, [&](Value tt) {
      e.forLoop(k, [&](Value jj) {
        Value ok = inRange(idAt(tt, jj));
        e.store(e.select(ok, e.ci32(1), e.ci32(0)), keepFlat,
                {slotOf(tt, jj)});
      });
    });
    return;
  }
  Value cap = e.c(capacity);
  if (drop == DropPolicy::by_weight) {
    // Rank of each candidate among its expert's candidates by descending
    // weight (common order, ties by ascending slot); keep if rank < cap.
    e.forLoop(t, [&](Value tt) {
      e.forLoop(k, [&](Value jj) {
        Value id = idAt(tt, jj);
        Value s = slotOf(tt, jj);
        e.ifThen(inRange(id), [&] {
          Key me{Value(), e.load(weights, {tt, jj}), s};
          Value rank = e.forLoopAcc1(e.c(0), t, e.c(0), [&](Value t2, Value r) {
            return e.forLoopAcc1(e.c(0), k, r, [&](Value j2, Value r2) {
              Value same = e.cmpi(IP::eq, idAt(t2, j2), id);
              Key other{Value(), e.load(weights, {t2, j2}), slotOf(t2, j2)};
              Value before = e.andi(same, keyBefore(e, true, other, me));
              return e.select(before, e.addi(r2, e.c(1)), r2);
            });
          });
          Value keep = e.cmpi(IP::slt, rank, cap);
          e.store(e.select(keep, e.ci32(1), e.ci32(0)), keepFlat, {s});
        });
      });
    });
    return;
  }
  // by_order (t, then j) or by_choice (j, then t): running count per expert.
  Value counts = e.allocSized({ne}, e.idx());
  e.fill(counts, e.c(0));
  auto visit = [&](Value tt, Value jj) {
    Value id = idAt(tt, jj);
    e.ifThen(inRange(id), [&] {
      Value n = e.load(counts, {id});
      Value keep = e.cmpi(IP::slt, n, cap);
      e.store(e.select(keep, e.ci32(1), e.ci32(0)), keepFlat,
              {slotOf(tt, jj)});
      e.store(e.addi(n, e.c(1)), counts, {id});
    });
  };
  if (drop == DropPolicy::by_order)
    e.forLoop(t, [&](Value tt) { e.forLoop(k, [&](Value jj) { visit(tt, jj); }); });
  else
    e.forLoop(k, [&](Value jj) { e.forLoop(t, [&](Value tt) { visit(tt, jj); }); });
}

void codegen::emitCheckOffsets(Emit &e, Operation *op, Value offsets,
                               Value rows, StringRef what) {
  Value n = e.dim(offsets, 0);
  Value empty = e.cmpi(IP::eq, n, e.c(0));
  emitRuntimeCheck(e, op, empty,
                   (what + " must have at least one entry").str());
  // Entry 0 and n - 1, read only when they exist.
  auto entry = [&](Value i) {
    return e.ifElse1(
        empty, e.idx(), [&] { return rows; },
        [&] { return e.toIndex(e.load(offsets, {i})); });
  };
  Value first = e.select(empty, e.c(0), entry(e.c(0)));
  emitRuntimeCheck(e, op, e.cmpi(IP::ne, first, e.c(0)),
                   (what + " must start at 0, got {0}").str(), first);
  e.forLoop(e.c(1), n, [&](Value i) {
    Value prev = e.toIndex(e.load(offsets, {e.subi(i, e.c(1))}));
    Value cur = e.toIndex(e.load(offsets, {i}));
    emitRuntimeCheck(e, op, e.cmpi(IP::slt, cur, prev),
                     (what + " must be nondecreasing: entry {0} is {1}").str(),
                     i, cur);
  });
  Value last = entry(e.subi(n, e.c(1)));
  emitRuntimeCheck(e, op, e.cmpi(IP::ne, last, rows),
                   (what + " must end at the row count {1}, got {0}").str(),
                   last, rows);
}

void codegen::forEachIndex(Emit &e, Value memref, unsigned rank,
                           function_ref<void(ValueRange)> body) {
  SmallVector<Value> ivs;
  std::function<void(unsigned)> rec = [&](unsigned d) {
    if (d == rank) {
      body(ivs);
      return;
    }
    e.forLoop(e.dim(memref, d), [&](Value iv) {
      ivs.push_back(iv);
      rec(d + 1);
      ivs.pop_back();
    });
  };
  rec(0);
}

//===----------------------------------------------------------------------===//
// Operand dims that must agree at run time
//===----------------------------------------------------------------------===//

namespace {
/// One dim of one operand (by operand number), whose size plus `plus` is
/// compared (offsets[E+1] against w[E, ...]); or, with `operand` < 0, a size
/// the op's attributes fix, held in `plus`.
struct DimRef {
  int operand;
  unsigned dim;
  int64_t plus;
  StringRef name;
};
using DimGroup = SmallVector<DimRef, 4>;

/// Builds the groups of operand dims an op's specification says are equal.
struct DimGroups {
  Operation *op;
  SmallVector<DimGroup> groups;

  int number(Value v) {
    if (!v)
      return -1;
    for (OpOperand &o : op->getOpOperands())
      if (o.get() == v)
        return o.getOperandNumber();
    return -1;
  }
  using Member = std::tuple<StringRef, Value, unsigned>;
  /// Members are (name, value, dim); absent optional operands are skipped.
  /// `fixed` joins as a constant size; `firstPlus` is the first member's plus.
  void add(std::initializer_list<Member> members,
           std::optional<int64_t> fixed = {}, StringRef fixedName = "",
           int64_t firstPlus = 0) {
    DimGroup g;
    if (fixed)
      g.push_back({-1, 0, *fixed, fixedName});
    bool first = true;
    for (auto [name, v, d] : members) {
      int n = number(v);
      if (n >= 0)
        g.push_back({n, d, first ? firstPlus : 0, name});
      first = false;
    }
    if (g.size() > 1)
      groups.push_back(std::move(g));
  }
};
} // namespace

/// The groups of equal dims of `op`'s operands: token counts, set sizes,
/// slot counts and the feature sizes operands share. Sizes fixed by
/// attributes (group count, num_const) join as constants.
static SmallVector<DimGroup> equalDims(Operation *op) {
  DimGroups d{op, {}};
  llvm::TypeSwitch<Operation *>(op)
      .Case([&](TopkGateOp o) {
        d.add({{"logits", o.getLogits(), 1}, {"bias", o.getBias(), 0}});
      })
      .Case([&](GluOp o) {
        auto rank = cast<RankedTensorType>(o.getGate().getType()).getRank();
        for (unsigned i = 0; i < rank; ++i)
          d.add({{"gate", o.getGate(), i}, {"up", o.getUp(), i}});
      })
      .Case([&](SigmoidGateOp o) {
        d.add({{"x", o.getX(), 0}, {"g", o.getG(), 0}});
      })
      .Case([&](RouteOp o) {
        d.add({{"indices", o.getIndices(), 0}, {"weights", o.getWeights(), 0}});
        d.add({{"indices", o.getIndices(), 1}, {"weights", o.getWeights(), 1}});
      })
      .Case([&](GroupedMatmulOp o) {
        d.add({{"xs", o.getXs(), 1}, {"w", o.getW(), 1}});
        // offsets[E+1]: the first member's size is compared plus one.
        d.add({{"w", o.getW(), 0}, {"offsets", o.getOffsets(), 0}}, {}, "",
              /*firstPlus=*/1);
      })
      .Case([&](CombineOp o) {
        if (o.getKeep()) {
          d.add({{"ys", o.getYs(), 0}, {"slots", o.getSlots(), 0}});
          d.add({{"weights", o.getWeights(), 0}, {"keep", o.getKeep(), 0}});
          d.add({{"weights", o.getWeights(), 1}, {"keep", o.getKeep(), 1}});
        } else {
          d.add({{"ys", o.getYs(), 0},
                 {"slots", o.getSlots(), 0},
                 {"slot_weights", o.getWeights(), 0}});
        }
      })
      .Case([&](MoeOp o) {
        d.add({{"x", o.getX(), 0},
               {"weights", o.getWeights(), 0},
               {"indices", o.getIndices(), 0}});
        d.add({{"weights", o.getWeights(), 1}, {"indices", o.getIndices(), 1}});
        d.add({{"x", o.getX(), 1},
               {"w_gate", o.getWGate(), 1},
               {"w_up", o.getWUp(), 1},
               {"w_down", o.getWDown(), 2},
               {"shared_gate", o.getSGate(), 1},
               {"shared_up", o.getSUp(), 1},
               {"shared_down", o.getSDown(), 2},
               {"shared_gate_w", o.getSGateW(), 1},
               {"const_wc", o.getWc(), 1},
               {"const_v", o.getV(), 1}});
        d.add({{"w_gate", o.getWGate(), 0},
               {"w_up", o.getWUp(), 0},
               {"w_down", o.getWDown(), 0}});
        d.add({{"w_gate", o.getWGate(), 2},
               {"w_up", o.getWUp(), 2},
               {"w_down", o.getWDown(), 1}});
        d.add({{"shared_gate", o.getSGate(), 0},
               {"shared_up", o.getSUp(), 0},
               {"shared_down", o.getSDown(), 0},
               {"shared_gate_w", o.getSGateW(), 0}});
        d.add({{"shared_gate", o.getSGate(), 2},
               {"shared_up", o.getSUp(), 2},
               {"shared_down", o.getSDown(), 1}});
        if (o.getNumConst() > 0) {
          d.add({{"const_wc", o.getWc(), 0}, {"const_v", o.getV(), 0}},
                (int64_t)o.getNumConst(), "num_const");
          d.add({{"const_wc", o.getWc(), 2}}, 2, "2");
        }
      })
      .Case([&](LoadBalanceLossOp o) {
        d.add({{"probs", o.getProbs(), 0},
               {"indices", o.getIndices(), 0},
               {"mask", o.getMask(), 0}});
      })
      .Case([&](RouterZLossOp o) {
        d.add({{"logits", o.getLogits(), 0}, {"mask", o.getMask(), 0}});
      })
      .Case([&](PoolOp o) {
        d.add({{"x", o.getX(), 0},
               {"mask", o.getMask(), 0},
               {"lengths", o.getLengths(), 0}});
        d.add({{"x", o.getX(), 1}, {"mask", o.getMask(), 1}});
        d.add({{"group_p", o.getGroupP(), 0}}, (int64_t)o.getGroups(),
              "groups");
      })
      .Case([&](PoolMapOp o) {
        // Every input against the identity-mapped one along the dims it
        // reads (the producer's own sizes), then the pool's operands.
        Value x = o.getShapeInput();
        for (auto [in, m] : llvm::zip(
                 o.getInputs(),
                 o.getIndexingMaps().getAsValueRange<AffineMapAttr>())) {
          if (in == x)
            continue;
          for (auto [j, r] : llvm::enumerate(m.getResults()))
            d.add({{"input", x, cast<AffineDimExpr>(r).getPosition()},
                   {"input", in, static_cast<unsigned>(j)}});
        }
        if (!o.getOffsets()) {
          d.add({{"x", x, 0},
                 {"mask", o.getMask(), 0},
                 {"lengths", o.getLengths(), 0}});
          d.add({{"x", x, 1}, {"mask", o.getMask(), 1}});
        }
        d.add({{"group_p", o.getGroupP(), 0}}, (int64_t)o.getGroups(),
              "groups");
      })
      .Case([&](SegmentPoolOp o) {
        d.add({{"group_p", o.getGroupP(), 0}}, (int64_t)o.getGroups(),
              "groups");
      })
      .Case([&](AttentionPoolOp o) {
        d.add({{"x", o.getX(), 0}, {"mask", o.getMask(), 0}});
        d.add({{"x", o.getX(), 1}, {"mask", o.getMask(), 1}});
        if (o.getKind() == AttentionPoolKind::featurewise)
          d.add({{"x", o.getX(), 2},
                 {"w", o.getQuery(), 0},
                 {"w", o.getQuery(), 1}});
        else
          d.add({{"x", o.getX(), 2}, {"q", o.getQuery(), 1}});
      })
      .Case([&](LoraMatmulOp o) {
        Value g = o.getRankGates();
        bool perToken = g && cast<RankedTensorType>(g.getType()).getRank() == 2;
        d.add({{"x", o.getX(), 0}, {"rank_gates", perToken ? g : Value(), 0}});
        d.add({{"x", o.getX(), 1}, {"w", o.getW(), 0}, {"a", o.getA(), 0}});
        d.add(
            {{"w", o.getW(), 1}, {"b", o.getB(), 1}, {"bias", o.getBias(), 0}});
        d.add({{"a", o.getA(), 1},
               {"b", o.getB(), 0},
               {"rank_gates", g, perToken ? 1u : 0u}});
      })
      .Case([&](MultiLoraMatmulOp o) {
        d.add({{"x", o.getX(), 0},
               {"ids", o.getIds(), 0},
               {"gates", o.getGates(), 0}});
        d.add({{"ids", o.getIds(), 1}, {"gates", o.getGates(), 1}});
        d.add({{"x", o.getX(), 1}, {"w", o.getW(), 0}, {"a", o.getA(), 1}});
        d.add(
            {{"w", o.getW(), 1}, {"b", o.getB(), 2}, {"bias", o.getBias(), 0}});
        d.add({{"a", o.getA(), 0},
               {"b", o.getB(), 0},
               {"scales", o.getScales(), 0}});
        d.add({{"a", o.getA(), 2}, {"b", o.getB(), 1}});
      })
      .Case([&](LowrankMatmulOp o) {
        d.add({{"x", o.getX(), 1}, {"u", o.getU(), 0}});
        d.add({{"u", o.getU(), 1}, {"v", o.getV(), 0}});
        d.add({{"v", o.getV(), 1}, {"bias", o.getBias(), 0}});
      })
      .Case([&](SparsifyOp o) {
        d.add({{"x", o.getX(), 1}, {"wnorm", o.getWnorm(), 0}});
      })
      .Case([&](SparseMatmulOp o) {
        d.add({{"x", o.getX(), 1},
               {"w", o.getW(), 0},
               {"wnorm", o.getWnorm(), 0}});
      });
  return d.groups;
}

/// Checks at run time the dims of `equalDims(op)` that are dynamic somewhere
/// and reports a mismatch through `op`. So that the op's loops (bounded by
/// any member's size or by the attributes) never leave a buffer, an operand
/// whose size differs from the group's reference size (a fixed size, else a
/// static member, else the first member) is replaced by a zero-filled
/// buffer of the reference sizes; when the dims agree that buffer is empty
/// and the operand is used as it is.
SmallVector<Value>
codegen::guardEqualDims(Emit &e, Operation *op, ArrayRef<Value> operands,
                        llvm::function_ref<void(Emit &, Value)> zeroFill) {
  SmallVector<Value> out(operands);
  auto typeOf = [&](int n) { return cast<MemRefType>(operands[n].getType()); };
  // Per operand: the expected size of each checked dim, and whether one
  // differs.
  DenseMap<int, SmallVector<Value>> expected;
  DenseMap<int, Value> differs;
  for (const DimGroup &g : equalDims(op)) {
    bool dynamic = llvm::any_of(g, [&](const DimRef &m) {
      return m.operand >= 0 && typeOf(m.operand).isDynamicDim(m.dim);
    });
    if (!dynamic)
      continue;
    auto size = [&](const DimRef &m) -> Value {
      if (m.operand < 0)
        return e.c(m.plus);
      return e.addi(e.dim(operands[m.operand], m.dim), e.c(m.plus));
    };
    auto describe = [&](const DimRef &m) -> std::string {
      if (m.operand < 0)
        return m.name.str();
      std::string s = m.name.str() + " dim " + std::to_string(m.dim);
      return m.plus ? s + " (+" + std::to_string(m.plus) + ")" : s;
    };
    const DimRef *ref = &g.front();
    for (const DimRef &m : g)
      if (m.operand < 0 || !typeOf(m.operand).isDynamicDim(m.dim)) {
        ref = &m;
        break;
      }
    Value want = size(*ref);
    for (const DimRef &m : g) {
      if (&m == ref || m.operand < 0 || !typeOf(m.operand).isDynamicDim(m.dim))
        continue;
      Value have = size(m);
      Value bad = e.cmpi(IP::ne, have, want);
      emitRuntimeCheck(e, op, bad,
                       "expects " + describe(m) + " ({0}) to equal " +
                           describe(*ref) + " ({1})",
                       have, want);
      SmallVector<Value> &sizes = expected[m.operand];
      if (sizes.empty()) {
        for (unsigned i = 0; i < typeOf(m.operand).getRank(); ++i)
          sizes.push_back(e.dim(operands[m.operand], i));
        differs[m.operand] = e.ci1(false);
      }
      sizes[m.dim] = e.maxsi(e.subi(want, e.c(m.plus)), e.c(0));
      differs[m.operand] = e.ori(differs[m.operand], bad);
    }
  }
  for (auto &[n, sizes] : expected) {
    MemRefType type = typeOf(n);
    Value bad = differs[n];
    // Empty unless a dim differs.
    SmallVector<Value> dyn;
    for (unsigned i = 0; i < type.getRank(); ++i)
      if (type.isDynamicDim(i))
        dyn.push_back(e.select(bad, sizes[i], e.c(0)));
    auto identity = MemRefType::get(type.getShape(), type.getElementType());
    if (dyn.empty())
      continue; // Every checked dim is static in this operand.
    Value subst = e.alloc(identity, dyn);
    if (zeroFill)
      zeroFill(e, subst);
    else
      e.fill(subst, arith::ConstantOp::create(
                        e.b, e.loc, e.b.getZeroAttr(type.getElementType())));
    Value orig = operands[n];
    if (type != identity) {
      // A common type for the two buffers: fully dynamic strided layout.
      SmallVector<int64_t> strides(type.getRank(), ShapedType::kDynamic);
      auto layout = StridedLayoutAttr::get(e.b.getContext(),
                                           ShapedType::kDynamic, strides);
      auto common =
          MemRefType::get(type.getShape(), type.getElementType(), layout);
      subst = memref::CastOp::create(e.b, e.loc, common, subst);
      orig = memref::CastOp::create(e.b, e.loc, common, orig);
    }
    out[n] = e.select(bad, subst, orig);
  }
  return out;
}

FailureOr<SmallVector<Value>>
codegen::lowerToBuffers(Operation *op, OpBuilder &b,
                        ArrayRef<Value> originalOperands) {
  Emit e(b, op->getLoc());
  SmallVector<Value> operands = guardEqualDims(e, op, originalOperands);
  return llvm::TypeSwitch<Operation *, FailureOr<SmallVector<Value>>>(op)
      .Case<TopkGateOp, ExpertChoiceGateOp, GluOp, SigmoidGateOp, TopkOp>(
          [&](Operation *) { return lowerGating(e, op, operands); })
      .Case<RouteOp, DispatchOp, GroupedMatmulOp, CombineOp, LoadBalanceLossOp,
            RouterZLossOp>(
          [&](Operation *) { return lowerRouting(e, op, operands); })
      .Case<MoeOp>([&](Operation *) { return lowerMoe(e, op, operands); })
      .Case<PoolOp, SegmentPoolOp, PoolMapOp, AdaptivePoolOp,
            SpatialPyramidPoolOp, AttentionPoolOp>(
          [&](Operation *) { return lowerPooling(e, op, operands); })
      .Case<LoraMatmulOp, MultiLoraMatmulOp, LowrankMatmulOp>(
          [&](Operation *) { return lowerLowRank(e, op, operands); })
      .Case<SparsifyOp, SparseMatmulOp>(
          [&](Operation *) { return lowerSparse(e, op, operands); })
      .Default([&](Operation *) -> FailureOr<SmallVector<Value>> {
        return op->emitOpError("has no buffer lowering");
      });
}
