//===- GenBasic.cpp - basic ops to upstream dialects ----------------------===//
//
// matmul, elementwise arithmetic with trailing-dims broadcasting,
// exp / log / tanh, activations, softmax, rmsnorm, layernorm, transpose,
// reshape, concat, slice and arange, emitted as linalg named ops,
// linalg.generic, tensor and arith ops that both the CPU pipeline and the
// reference evaluator of `sluicec run --check` handle. Activations are
// `sluice.glu(x, ones)`, which is exact (x * 1).
//
//===----------------------------------------------------------------------===//

#include "frontend/GenImpl.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <map>

using namespace sluice::frontend;
using llvm::SMLoc;
using llvm::StringRef;
using mlir::AffineMap;
using mlir::Value;
using mlir::utils::IteratorType;

namespace {
using BodyFn =
    std::function<Value(mlir::OpBuilder &, mlir::Location, mlir::ValueRange)>;

/// linalg.generic writing `init` from `inputs`; `maps` has one map per input
/// then the output's.
Value generic(mlir::OpBuilder &b, mlir::Location l, Value init,
              mlir::ValueRange inputs, llvm::ArrayRef<AffineMap> maps,
              llvm::ArrayRef<IteratorType> iters, const BodyFn &body) {
  auto op = mlir::linalg::GenericOp::create(
      b, l, mlir::TypeRange{init.getType()}, inputs, mlir::ValueRange{init},
      maps, iters,
      [&](mlir::OpBuilder &nb, mlir::Location nl, mlir::ValueRange args) {
        mlir::linalg::YieldOp::create(nb, nl, body(nb, nl, args));
      });
  return op.getResult(0);
}

/// (d0..dr-1) -> (d0..dr-2): a row reduction's output.
AffineMap dropLast(mlir::MLIRContext *ctx, unsigned rank) {
  llvm::SmallVector<mlir::AffineExpr> e;
  for (unsigned i = 0; i + 1 < rank; ++i)
    e.push_back(mlir::getAffineDimExpr(i, ctx));
  return AffineMap::get(rank, 0, e, ctx);
}

/// The trailing `n` of `rank` dims.
AffineMap trailing(mlir::MLIRContext *ctx, unsigned rank, unsigned n) {
  llvm::SmallVector<mlir::AffineExpr> e;
  for (unsigned i = rank - n; i < rank; ++i)
    e.push_back(mlir::getAffineDimExpr(i, ctx));
  return AffineMap::get(rank, 0, e, ctx);
}

Value f32Const(mlir::OpBuilder &b, mlir::Location l, double v) {
  return mlir::arith::ConstantOp::create(b, l, b.getF32FloatAttr((float)v));
}

LType rowType(const LType &t) {
  LType r = t;
  r.dims.pop_back();
  return r;
}

std::vector<IteratorType> iterators(unsigned rank, bool reduceLast) {
  std::vector<IteratorType> it(rank, IteratorType::parallel);
  if (reduceLast && rank)
    it.back() = IteratorType::reduction;
  return it;
}
} // namespace

bool Generator::genMatmul(CallSite &cs, std::vector<Val> &results) {
  const Val &a = *cs.get("a"), &w = *cs.get("b");
  if (!checkDtype(cs, a, "a", "f32") || !checkDtype(cs, w, "b", "f32"))
    return false;
  if (a.type.rank() < 2)
    return error(a.loc, "matmul: a must have rank >= 2 [..., M, K], but " +
                            a.name + " is " + a.type.str());
  if (w.type.rank() != 2)
    return error(w.loc, "matmul: b must be a matrix [K, N], but " + w.name +
                            " is " + w.type.str());
  if (!a.type.dims.back().same(w.type.dims[0]))
    return mismatch(cs, "inner dims", a, w);
  mlir::Location l = loc(cs.loc());
  LType rt = a.type;
  rt.dims.back() = w.type.dims[1];
  Value init = fill(empty(rt, l, &a), 0.0, l);
  unsigned r = a.type.rank();
  Value m;
  if (r == 2) {
    m = mlir::linalg::MatmulOp::create(b, l, mlir::ValueRange{a.value, w.value},
                                       mlir::ValueRange{init})
            .getResult(0);
  } else {
    // [..., M, K] x [K, N] as one contraction: loops (rows..., n, k).
    llvm::SmallVector<mlir::AffineExpr> lhs, out;
    for (unsigned i = 0; i + 1 < r; ++i) {
      lhs.push_back(mlir::getAffineDimExpr(i, &ctx));
      out.push_back(mlir::getAffineDimExpr(i, &ctx));
    }
    mlir::AffineExpr n = mlir::getAffineDimExpr(r - 1, &ctx),
                     k = mlir::getAffineDimExpr(r, &ctx);
    lhs.push_back(k);
    out.push_back(n);
    llvm::SmallVector<AffineMap> maps = {AffineMap::get(r + 1, 0, lhs, &ctx),
                                         AffineMap::get(r + 1, 0, {k, n}, &ctx),
                                         AffineMap::get(r + 1, 0, out, &ctx)};
    std::vector<IteratorType> iters(r + 1, IteratorType::parallel);
    iters.back() = IteratorType::reduction;
    m = generic(b, l, init, {a.value, w.value}, maps, iters,
                [](mlir::OpBuilder &nb, mlir::Location nl,
                   mlir::ValueRange args) -> Value {
                  Value p =
                      mlir::arith::MulFOp::create(nb, nl, args[0], args[1]);
                  return mlir::arith::AddFOp::create(nb, nl, args[2], p);
                });
  }
  results.push_back(makeVal(m, rt, shortText(cs.call, "matmul"), cs.loc()));
  return true;
}

bool Generator::elementwise(StringRef opName, char op, const Operand &a,
                            const Operand &bv, SMLoc at, Val &out) {
  if (!a.tensor && !bv.tensor)
    return error(at, opName.str() + " expects at least one tensor");
  for (const Operand *o : {&a, &bv})
    if (o->tensor && o->tensor->type.dtype != DType::f32)
      return error(o->loc, opName.str() + ": expects f32 tensors, but " +
                               o->tensor->name + " is " +
                               o->tensor->type.str());
  const Val *big = a.tensor ? &*a.tensor : &*bv.tensor;
  const Val *small = nullptr;
  if (a.tensor && bv.tensor) {
    const Val &x = *a.tensor, &y = *bv.tensor;
    big = x.type.rank() >= y.type.rank() ? &x : &y;
    small = big == &x ? &y : &x;
    unsigned rb = big->type.rank(), rs = small->type.rank();
    bool ok = true;
    for (unsigned i = 0; i < rs; ++i)
      ok &= small->type.dims[i].same(big->type.dims[rb - rs + i]);
    if (!ok)
      return error(
          at, opName.str() + ": " +
                  (rb == rs ? "shapes differ: " : "shapes do not broadcast: ") +
                  x.name + " is " + x.type.str() + ", " + y.name + " is " +
                  y.type.str() +
                  (rb == rs ? ""
                            : " (the lower-rank operand must match "
                              "the trailing dims of the other)"));
  }
  mlir::Location l = loc(at);
  unsigned rank = big->type.rank();
  llvm::SmallVector<Value> ins;
  llvm::SmallVector<AffineMap> maps;
  bool firstIsTensor[2] = {(bool)a.tensor, (bool)bv.tensor};
  for (const Operand *o : {&a, &bv}) {
    if (!o->tensor)
      continue;
    ins.push_back(o->tensor->value);
    maps.push_back(trailing(&ctx, rank, o->tensor->type.rank()));
  }
  maps.push_back(AffineMap::getMultiDimIdentityMap(rank, &ctx));
  double na = a.number, nb = bv.number;
  Value init = empty(big->type, l, big);
  Value r = generic(
      b, l, init, ins, maps, iterators(rank, false),
      [&](mlir::OpBuilder &nb2, mlir::Location nl, mlir::ValueRange args) {
        unsigned next = 0;
        Value lhs = firstIsTensor[0] ? args[next++] : f32Const(nb2, nl, na);
        Value rhs = firstIsTensor[1] ? args[next++] : f32Const(nb2, nl, nb);
        switch (op) {
        case '+':
          return (Value)mlir::arith::AddFOp::create(nb2, nl, lhs, rhs);
        case '-':
          return (Value)mlir::arith::SubFOp::create(nb2, nl, lhs, rhs);
        case '*':
          return (Value)mlir::arith::MulFOp::create(nb2, nl, lhs, rhs);
        default:
          return (Value)mlir::arith::DivFOp::create(nb2, nl, lhs, rhs);
        }
      });
  out = makeVal(r, big->type, opName.str(), at);
  return true;
}

bool Generator::genElementwise(CallSite &cs, std::vector<Val> &results) {
  Operand ops[2];
  for (int i = 0; i < 2; ++i) {
    if (cs.operands[i])
      ops[i].tensor = cs.operands[i];
    else if ((int)cs.positional.size() > i)
      ops[i] = cs.positional[i];
    ops[i].loc = cs.operandLocs[i];
  }
  StringRef n = cs.op.name;
  char op = n == "add" ? '+' : n == "sub" ? '-' : n == "mul" ? '*' : '/';
  Val v;
  if (!elementwise(n, op, ops[0], ops[1], cs.loc(), v))
    return false;
  v.name = shortText(cs.call, n);
  results.push_back(v);
  return true;
}

bool Generator::genUnary(CallSite &cs, std::vector<Val> &results) {
  const Val &x = *cs.get("x");
  mlir::Location l = loc(cs.loc());
  unsigned rank = x.type.rank();
  StringRef n = cs.op.name;
  AffineMap id = AffineMap::getMultiDimIdentityMap(rank, &ctx);
  Value r = generic(b, l, empty(x.type, l, &x), {x.value}, {id, id},
                    iterators(rank, false),
                    [&](mlir::OpBuilder &nb, mlir::Location nl,
                        mlir::ValueRange args) -> Value {
                      if (n == "exp")
                        return mlir::math::ExpOp::create(nb, nl, args[0]);
                      if (n == "log")
                        return mlir::math::LogOp::create(nb, nl, args[0]);
                      return mlir::math::TanhOp::create(nb, nl, args[0]);
                    });
  results.push_back(makeVal(r, x.type, shortText(cs.call, n), cs.loc()));
  return true;
}

bool Generator::genActivation(CallSite &cs, std::vector<Val> &results) {
  const Val &x = *cs.get("x");
  mlir::Location l = loc(cs.loc());
  Value ones = fill(empty(x.type, l, &x), 1.0, l);
  mlir::OperationState st(l, "sluice.glu");
  st.addOperands({x.value, ones});
  st.addAttribute(
      "act",
      toAttr({"act", AttrKind::Enum, EnumKind::Act, nullptr, false}, [&] {
        AttrVal v;
        v.e = cs.op.name;
        return v;
      }()));
  st.addTypes(x.type.toMlir(&ctx));
  mlir::Operation *op = b.create(st);
  results.push_back(makeVal(op->getResult(0), x.type,
                            shortText(cs.call, cs.op.name), cs.loc()));
  return true;
}

bool Generator::genSoftmax(CallSite &cs, std::vector<Val> &results) {
  const Val &x = *cs.get("x");
  unsigned rank = x.type.rank();
  if (rank == 0)
    return error(x.loc, "softmax: x must have rank >= 1 (softmax is over the "
                        "last axis), but " +
                            x.name + " is " + x.type.str());
  mlir::Location l = loc(cs.loc());
  AffineMap id = AffineMap::getMultiDimIdentityMap(rank, &ctx);
  AffineMap row = dropLast(&ctx, rank);
  LType rt = rowType(x.type);
  auto red = iterators(rank, true), par = iterators(rank, false);
  Value mx = generic(
      b, l, fill(empty(rt, l, &x), -INFINITY, l), {x.value}, {id, row}, red,
      [](mlir::OpBuilder &nb, mlir::Location nl, mlir::ValueRange a) -> Value {
        return mlir::arith::MaximumFOp::create(nb, nl, a[0], a[1]);
      });
  Value e = generic(
      b, l, empty(x.type, l, &x), {x.value, mx}, {id, row, id}, par,
      [](mlir::OpBuilder &nb, mlir::Location nl, mlir::ValueRange a) -> Value {
        Value d = mlir::arith::SubFOp::create(nb, nl, a[0], a[1]);
        return mlir::math::ExpOp::create(nb, nl, d);
      });
  Value s = generic(
      b, l, fill(empty(rt, l, &x), 0.0, l), {e}, {id, row}, red,
      [](mlir::OpBuilder &nb, mlir::Location nl, mlir::ValueRange a) -> Value {
        return mlir::arith::AddFOp::create(nb, nl, a[0], a[1]);
      });
  Value y = generic(
      b, l, empty(x.type, l, &x), {e, s}, {id, row, id}, par,
      [](mlir::OpBuilder &nb, mlir::Location nl, mlir::ValueRange a) -> Value {
        return mlir::arith::DivFOp::create(nb, nl, a[0], a[1]);
      });
  results.push_back(
      makeVal(y, x.type, shortText(cs.call, "softmax"), cs.loc()));
  return true;
}

/// Checks a norm's x against its per-feature operands; returns N.
static bool normFeatures(Generator &g, CallSite &cs, const Val &x, int64_t &n) {
  if (x.type.rank() == 0 || !x.type.dims.back().isStatic())
    return g.error(x.loc, std::string(cs.op.name) +
                              ": x must have a static last dim (the "
                              "features), but " +
                              x.name + " is " + x.type.str());
  n = x.type.dims.back().size;
  for (const char *name : {"weight", "bias"})
    if (const Val *w = cs.get(name))
      if (!w->type.dims[0].same(x.type.dims.back()))
        return g.mismatch(cs, "feature sizes", x, *w);
  return true;
}

bool Generator::genRmsnorm(CallSite &cs, std::vector<Val> &results) {
  const Val &x = *cs.get("x"), &w = *cs.get("weight");
  int64_t n;
  if (!normFeatures(*this, cs, x, n) || !checkFinite(cs, "eps", true))
    return false;
  double eps = cs.attr("eps").f;
  mlir::Location l = loc(cs.loc());
  unsigned rank = x.type.rank();
  AffineMap id = AffineMap::getMultiDimIdentityMap(rank, &ctx);
  AffineMap row = dropLast(&ctx, rank), last = trailing(&ctx, rank, 1);
  LType rt = rowType(x.type);
  Value ss = generic(
      b, l, fill(empty(rt, l, &x), 0.0, l), {x.value}, {id, row},
      iterators(rank, true),
      [](mlir::OpBuilder &nb, mlir::Location nl, mlir::ValueRange a) -> Value {
        Value sq = mlir::arith::MulFOp::create(nb, nl, a[0], a[0]);
        return mlir::arith::AddFOp::create(nb, nl, sq, a[1]);
      });
  Value y = generic(
      b, l, empty(x.type, l, &x), {x.value, ss, w.value}, {id, row, last, id},
      iterators(rank, false),
      [&](mlir::OpBuilder &nb, mlir::Location nl, mlir::ValueRange a) -> Value {
        Value mean = mlir::arith::DivFOp::create(nb, nl, a[1],
                                                 f32Const(nb, nl, (double)n));
        Value v =
            mlir::arith::AddFOp::create(nb, nl, mean, f32Const(nb, nl, eps));
        Value rs = mlir::math::RsqrtOp::create(nb, nl, v);
        Value xn = mlir::arith::MulFOp::create(nb, nl, a[0], rs);
        return mlir::arith::MulFOp::create(nb, nl, xn, a[2]);
      });
  results.push_back(
      makeVal(y, x.type, shortText(cs.call, "rmsnorm"), cs.loc()));
  return true;
}

bool Generator::genLayernorm(CallSite &cs, std::vector<Val> &results) {
  const Val &x = *cs.get("x");
  const Val *w = cs.get("weight"), *bias = cs.get("bias");
  int64_t n;
  if (!normFeatures(*this, cs, x, n) || !checkFinite(cs, "eps", true))
    return false;
  double eps = cs.attr("eps").f;
  mlir::Location l = loc(cs.loc());
  unsigned rank = x.type.rank();
  AffineMap id = AffineMap::getMultiDimIdentityMap(rank, &ctx);
  AffineMap row = dropLast(&ctx, rank), last = trailing(&ctx, rank, 1);
  LType rt = rowType(x.type);
  Value sum = generic(
      b, l, fill(empty(rt, l, &x), 0.0, l), {x.value}, {id, row},
      iterators(rank, true),
      [](mlir::OpBuilder &nb, mlir::Location nl, mlir::ValueRange a) -> Value {
        return mlir::arith::AddFOp::create(nb, nl, a[0], a[1]);
      });
  auto centered = [&](mlir::OpBuilder &nb, mlir::Location nl, Value xv,
                      Value s) -> Value {
    Value mean =
        mlir::arith::DivFOp::create(nb, nl, s, f32Const(nb, nl, (double)n));
    return mlir::arith::SubFOp::create(nb, nl, xv, mean);
  };
  Value var = generic(
      b, l, fill(empty(rt, l, &x), 0.0, l), {x.value, sum}, {id, row, row},
      iterators(rank, true),
      [&](mlir::OpBuilder &nb, mlir::Location nl, mlir::ValueRange a) -> Value {
        Value d = centered(nb, nl, a[0], a[1]);
        Value sq = mlir::arith::MulFOp::create(nb, nl, d, d);
        return mlir::arith::AddFOp::create(nb, nl, sq, a[2]);
      });
  llvm::SmallVector<Value> ins = {x.value, sum, var};
  llvm::SmallVector<AffineMap> maps = {id, row, row};
  if (w) {
    ins.push_back(w->value);
    maps.push_back(last);
  }
  if (bias) {
    ins.push_back(bias->value);
    maps.push_back(last);
  }
  maps.push_back(id);
  Value y = generic(
      b, l, empty(x.type, l, &x), ins, maps, iterators(rank, false),
      [&](mlir::OpBuilder &nb, mlir::Location nl, mlir::ValueRange a) -> Value {
        Value d = centered(nb, nl, a[0], a[1]);
        Value v = mlir::arith::DivFOp::create(nb, nl, a[2],
                                              f32Const(nb, nl, (double)n));
        v = mlir::arith::AddFOp::create(nb, nl, v, f32Const(nb, nl, eps));
        Value y = mlir::arith::MulFOp::create(
            nb, nl, d, mlir::math::RsqrtOp::create(nb, nl, v));
        unsigned next = 3;
        if (w)
          y = mlir::arith::MulFOp::create(nb, nl, y, a[next++]);
        if (bias)
          y = mlir::arith::AddFOp::create(nb, nl, y, a[next++]);
        return y;
      });
  results.push_back(
      makeVal(y, x.type, shortText(cs.call, "layernorm"), cs.loc()));
  return true;
}

bool Generator::genTranspose(CallSite &cs, std::vector<Val> &results) {
  const Val &x = *cs.get("x");
  if (x.type.rank() != 2)
    return error(x.loc, "transpose: x must be a matrix (rank 2), but " +
                            x.name + " is " + x.type.str());
  mlir::Location l = loc(cs.loc());
  LType rt = x.type;
  std::swap(rt.dims[0], rt.dims[1]);
  Value init = empty(rt, l, &x);
  Value r = mlir::linalg::TransposeOp::create(b, l, x.value, init,
                                              llvm::ArrayRef<int64_t>{1, 0})
                .getResult()[0];
  results.push_back(makeVal(r, rt, shortText(cs.call, "transpose"), cs.loc()));
  return true;
}
