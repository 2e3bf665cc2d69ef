//===- GenShape.cpp - reshape, concat, slice, arange ----------------------===//
//
// Shape ops of the language: reshape (collapse to 1-D, expand to the
// target), concat (copies into slices of one destination, which one-shot
// bufferization writes in place), slice (a copy of an extract_slice) and
// arange (linalg.index).
//
//===----------------------------------------------------------------------===//

#include "frontend/GenImpl.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace sluice::frontend;
using llvm::SMLoc;
using mlir::AffineMap;
using mlir::OpFoldResult;
using mlir::Value;

namespace {
/// An element count: a static product times a product of symbols.
struct Count {
  int64_t product = 1;
  std::vector<unsigned> syms; ///< sorted
  std::vector<std::string> labels;
  bool overflow = false;

  /// Multiplies by `d`; a product dim (e * C) by its factors.
  void add(const Dim &d,
           const std::map<unsigned, std::pair<int64_t, std::vector<unsigned>>>
               &factors) {
    if (d.isStatic()) {
      overflow |= __builtin_mul_overflow(product, d.size, &product);
      return;
    }
    labels.push_back(d.label);
    auto it = factors.find(d.sym);
    if (it == factors.end()) {
      syms.insert(std::upper_bound(syms.begin(), syms.end(), d.sym), d.sym);
      return;
    }
    overflow |= __builtin_mul_overflow(product, it->second.first, &product);
    for (unsigned s : it->second.second)
      syms.insert(std::upper_bound(syms.begin(), syms.end(), s), s);
  }
  std::string str() const {
    std::string s;
    for (const std::string &l : labels)
      s += (s.empty() ? "" : "*") + l;
    if (product != 1 || s.empty())
      s += (s.empty() ? "" : "*") + std::to_string(product);
    return s;
  }
};
} // namespace

Dim Generator::productDim(int64_t factor, const std::vector<unsigned> &syms,
                          llvm::StringRef label) {
  auto key = std::make_pair(factor, syms);
  auto it = products.find(key);
  if (it != products.end())
    return it->second;
  Dim d = freshSym(label);
  products[key] = d;
  factors[d.sym] = key;
  return d;
}

/// A reshape dim: a product of integers, parameters and symbols (e * C).
static bool evalProduct(Generator &g, const Expr &e, Count &out) {
  // (the factors of product dims are expanded by Count::add)
  if (e.kind == Expr::Kind::Binary && e.op == '*')
    return evalProduct(g, *e.operands[0], out) &&
           evalProduct(g, *e.operands[1], out);
  Dim d;
  if (!g.evalDim(e, d, /*bindSymbols=*/false))
    return false;
  out.add(d, g.factors);
  return true;
}

bool Generator::genReshape(CallSite &cs, std::vector<Val> &results) {
  const Val &x = *cs.get("x");
  const Expr &list = *cs.attr("shape").expr;
  LType rt;
  rt.dtype = x.type.dtype;
  int infer = -1;
  Count in, target;
  std::vector<Count> items;
  for (const Dim &d : x.type.dims)
    in.add(d, factors);
  auto dimOf = [&](const Count &c, llvm::StringRef label) {
    if (c.syms.empty())
      return Dim::fixed(c.product,
                        c.product == 1 && label == "1" ? "" : label.str());
    if (c.product == 1 && c.syms.size() == 1) {
      for (const Dim &xd : x.type.dims)
        if (!xd.isStatic() && xd.sym == c.syms[0])
          return xd;
      for (auto &s : symbols)
        if (!s.second.isStatic() && s.second.sym == c.syms[0])
          return s.second;
    }
    return productDim(c.product, c.syms, label);
  };
  for (size_t i = 0; i < list.operands.size(); ++i) {
    const Expr &item = *list.operands[i];
    items.emplace_back();
    if (item.kind == Expr::Kind::Neg &&
        item.operands[0]->kind == Expr::Kind::Int &&
        item.operands[0]->intValue == 1) {
      if (infer >= 0)
        return error(item.loc(), "reshape: at most one dim of the shape can "
                                 "be -1 (inferred)");
      infer = i;
      rt.dims.push_back(Dim());
      continue;
    }
    Count &c = items.back();
    if (!evalProduct(*this, item, c))
      return false;
    if (c.overflow || c.product > INT32_MAX)
      return error(item.loc(),
                   "reshape: dim '" + item.text() + "' is too large");
    std::string label;
    for (char ch : item.text())
      if (ch != ' ')
        label += ch;
    if (c.syms.empty() && item.kind == Expr::Kind::Int)
      label = "";
    rt.dims.push_back(dimOf(c, label));
    for (unsigned sym : c.syms) {
      target.syms.insert(
          std::upper_bound(target.syms.begin(), target.syms.end(), sym), sym);
    }
    target.labels.insert(target.labels.end(), c.labels.begin(), c.labels.end());
    target.overflow |=
        __builtin_mul_overflow(target.product, c.product, &target.product);
  }
  if (rt.rank() > 8)
    return error(list.loc(), "reshape: rank " + std::to_string(rt.rank()) +
                                 " is above the limit of 8");
  if (in.overflow || target.overflow)
    return error(list.loc(), "reshape: element count overflows");
  std::string tstr = "[";
  for (const ExprPtr &e : list.operands)
    tstr += (tstr.size() > 1 ? ", " : "") + e->text().str();
  tstr += "]";
  if (infer < 0) {
    if (in.product != target.product || in.syms != target.syms)
      return error(list.loc(), "reshape: " + x.name + " is " + x.type.str() +
                                   " with " + in.str() +
                                   " elements, but shape " + tstr + " has " +
                                   target.str());
  } else {
    Count rest;
    bool subset = std::includes(in.syms.begin(), in.syms.end(),
                                target.syms.begin(), target.syms.end());
    std::set_difference(in.syms.begin(), in.syms.end(), target.syms.begin(),
                        target.syms.end(), std::back_inserter(rest.syms));
    if (!subset || target.product == 0 || in.product % target.product != 0)
      return error(list.loc(), "reshape: cannot infer the -1 in " + tstr +
                                   ": " + x.name + " is " + x.type.str() +
                                   " with " + in.str() + " elements");
    rest.product = in.product / target.product;
    for (unsigned sym : rest.syms)
      for (const Dim &xd : x.type.dims)
        if (!xd.isStatic() && xd.sym == sym) {
          rest.labels.push_back(xd.label);
          break;
        }
    items[infer] = rest;
    rt.dims[infer] = dimOf(rest, rest.str());
  }
  mlir::Location l = loc(cs.loc());
  // Collapse to 1-D.
  Value flat = x.value;
  unsigned rin = x.type.rank();
  LType ft;
  ft.dtype = x.type.dtype;
  ft.dims = {in.syms.empty() ? Dim::fixed(in.product) : freshSym("n")};
  if (rin == 0) {
    flat = mlir::tensor::ExpandShapeOp::create(
        b, l, ft.toMlir(&ctx), flat,
        llvm::ArrayRef<mlir::ReassociationIndices>{},
        llvm::ArrayRef<OpFoldResult>{b.getIndexAttr(1)});
  } else if (rin > 1) {
    mlir::ReassociationIndices all;
    for (unsigned i = 0; i < rin; ++i)
      all.push_back(i);
    flat = mlir::tensor::CollapseShapeOp::create(
        b, l, ft.toMlir(&ctx), flat,
        llvm::ArrayRef<mlir::ReassociationIndices>{all});
  }
  Value r = flat;
  if (rt.rank() == 0) {
    r = mlir::tensor::CollapseShapeOp::create(
        b, l, rt.toMlir(&ctx), flat,
        llvm::ArrayRef<mlir::ReassociationIndices>{});
  } else if (rt.rank() > 1) {
    // Each dynamic size is its product of symbol sizes; the -1 one is the
    // element count over the others.
    llvm::SmallVector<OpFoldResult> sizes;
    Value known;
    for (size_t i = 0; i < rt.rank(); ++i) {
      const Dim &d = rt.dims[i];
      if (d.isStatic()) {
        sizes.push_back(b.getIndexAttr(d.size));
        continue;
      }
      if ((int)i == infer) {
        sizes.push_back(OpFoldResult());
        continue;
      }
      Value v;
      if (symSources.count(d.sym)) {
        v = dimValue(d, l, list.loc());
      } else {
        v = mlir::arith::ConstantIndexOp::create(b, l, items[i].product);
        for (unsigned sym : items[i].syms) {
          Dim sd;
          sd.sym = sym;
          Value sv = dimValue(sd, l, list.loc());
          if (!sv)
            return false;
          v = mlir::arith::MulIOp::create(b, l, v, sv);
        }
      }
      if (!v)
        return false;
      sizes.push_back(v);
      known = known ? (Value)mlir::arith::MulIOp::create(b, l, known, v) : v;
    }
    if (infer >= 0 && !sizes[infer]) {
      Value total = mlir::tensor::DimOp::create(b, l, flat, 0);
      Value div = mlir::arith::ConstantIndexOp::create(b, l, 1);
      for (size_t i = 0; i < rt.rank(); ++i)
        if ((int)i != infer && rt.dims[i].isStatic())
          div = mlir::arith::MulIOp::create(
              b, l, div,
              mlir::arith::ConstantIndexOp::create(b, l, rt.dims[i].size));
      if (known)
        div = mlir::arith::MulIOp::create(b, l, div, known);
      sizes[infer] = (Value)mlir::arith::DivUIOp::create(b, l, total, div);
    }
    unsigned numDynamic = 0;
    for (const Dim &d : rt.dims)
      numDynamic += !d.isStatic();
    if (numDynamic <= 1) {
      mlir::ReassociationIndices all;
      for (unsigned i = 0; i < rt.rank(); ++i)
        all.push_back(i);
      r = mlir::tensor::ExpandShapeOp::create(
          b, l, rt.toMlir(&ctx), flat,
          llvm::ArrayRef<mlir::ReassociationIndices>{all}, sizes);
    } else {
      // Several dynamic sizes in one group are beyond the CPU pipeline's
      // expand_shape lowering: gather from the flat tensor instead.
      llvm::SmallVector<Value> dynSizes;
      llvm::SmallVector<Value> sizeValues;
      for (size_t i = 0; i < rt.rank(); ++i) {
        Value v = llvm::isa<Value>(sizes[i])
                      ? llvm::cast<Value>(sizes[i])
                      : (Value)mlir::arith::ConstantIndexOp::create(
                            b, l, rt.dims[i].size);
        sizeValues.push_back(v);
        if (!rt.dims[i].isStatic())
          dynSizes.push_back(v);
      }
      mlir::RankedTensorType rmt = rt.toMlir(&ctx);
      Value init = mlir::tensor::EmptyOp::create(
          b, l, rmt.getShape(), rmt.getElementType(), dynSizes);
      AffineMap id = AffineMap::getMultiDimIdentityMap(rt.rank(), &ctx);
      llvm::SmallVector<mlir::utils::IteratorType> iters(
          rt.rank(), mlir::utils::IteratorType::parallel);
      r = mlir::linalg::GenericOp::create(
              b, l, mlir::TypeRange{rmt}, mlir::ValueRange{},
              mlir::ValueRange{init}, llvm::ArrayRef<AffineMap>{id}, iters,
              [&](mlir::OpBuilder &nb, mlir::Location nl, mlir::ValueRange) {
                Value lin = mlir::linalg::IndexOp::create(nb, nl, 0);
                for (unsigned i = 1; i < rt.rank(); ++i) {
                  lin = mlir::arith::MulIOp::create(nb, nl, lin, sizeValues[i]);
                  lin = mlir::arith::AddIOp::create(
                      nb, nl, lin, mlir::linalg::IndexOp::create(nb, nl, i));
                }
                Value v = mlir::tensor::ExtractOp::create(nb, nl, flat, lin);
                mlir::linalg::YieldOp::create(nb, nl, v);
              })
              .getResult(0);
    }
  }
  if (r.getType() != rt.toMlir(&ctx))
    r = mlir::tensor::CastOp::create(b, l, rt.toMlir(&ctx), r);
  Val v = makeVal(r, rt, shortText(cs.call, "reshape"), cs.loc());
  v.bound = x.bound;
  v.boundWhy = x.boundWhy;
  results.push_back(v);
  return true;
}

/// Normalizes a possibly negative axis; false (after an error) if outside.
static bool normalizeAxis(Generator &g, CallSite &cs, unsigned rank,
                          int64_t &axis) {
  int64_t a = axis;
  if (a < 0)
    a += rank;
  if (a < 0 || a >= (int64_t)rank)
    return g.error(cs.attr("axis").loc.isValid() ? cs.attr("axis").loc
                                                 : cs.loc(),
                   std::string(cs.op.name) + ": axis " + std::to_string(axis) +
                       " is out of range for rank " + std::to_string(rank));
  axis = a;
  return true;
}

bool Generator::genConcat(CallSite &cs, std::vector<Val> &results) {
  std::vector<Val> xs;
  for (const Operand &o : cs.positional)
    xs.push_back(*o.tensor);
  const Val &first = xs[0];
  unsigned rank = first.type.rank();
  if (rank == 0)
    return error(first.loc, "concat: operands must have rank >= 1, but " +
                                first.name + " is " + first.type.str());
  int64_t axis = cs.attr("axis").i;
  if (!normalizeAxis(*this, cs, rank, axis))
    return false;
  LType rt = first.type;
  int64_t total = 0;
  bool allStatic = true;
  std::string label;
  for (const Val &x : xs) {
    if (x.type.dtype != first.type.dtype || x.type.rank() != rank)
      return mismatch(cs, "dtypes or ranks", first, x);
    for (unsigned i = 0; i < rank; ++i)
      if (i != axis && !x.type.dims[i].same(first.type.dims[i]))
        return mismatch(cs, "dims other than the axis", first, x);
    const Dim &d = x.type.dims[axis];
    allStatic &= d.isStatic();
    if (d.isStatic())
      total += d.size;
    label += (label.empty() ? "" : "+") + d.str();
  }
  if (total > INT32_MAX)
    return error(cs.loc(), "concat: the result dim is too large");
  rt.dims[axis] = allStatic ? Dim::fixed(total) : freshSym(label);
  mlir::Location l = loc(cs.loc());
  // Sizes and offsets along the axis.
  llvm::SmallVector<Value> dyn;
  Value sum;
  for (const Val &x : xs) {
    Value s = dimValue(x, axis, l);
    sum = sum ? (Value)mlir::arith::AddIOp::create(b, l, sum, s) : s;
  }
  for (unsigned i = 0; i < rank; ++i)
    if (!rt.dims[i].isStatic())
      dyn.push_back(i == axis ? sum : dimValue(first, i, l));
  mlir::RankedTensorType rmt = rt.toMlir(&ctx);
  Value out = mlir::tensor::EmptyOp::create(b, l, rmt.getShape(),
                                            rmt.getElementType(), dyn);
  OpFoldResult offset = b.getIndexAttr(0);
  int64_t staticOffset = 0;
  for (const Val &x : xs) {
    // Nothing to copy from an operand that is statically empty (and a
    // slice at the end of an empty dim is out of bounds for tensor ops).
    bool emptyOperand = llvm::any_of(
        x.type.dims, [](const Dim &d) { return d.isStatic() && d.size == 0; });
    if (emptyOperand)
      continue;
    llvm::SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0)), sizes,
        strides(rank, b.getIndexAttr(1));
    offsets[axis] = offset;
    for (unsigned i = 0; i < rank; ++i)
      sizes.push_back(x.type.dims[i].isStatic()
                          ? OpFoldResult(b.getIndexAttr(x.type.dims[i].size))
                          : OpFoldResult(dimValue(x, i, l)));
    auto sliceType = x.type.toMlir(&ctx);
    Value s = mlir::tensor::ExtractSliceOp::create(b, l, sliceType, out,
                                                   offsets, sizes, strides);
    Value c = mlir::linalg::CopyOp::create(b, l, x.value, s).getResult(0);
    out = mlir::tensor::InsertSliceOp::create(b, l, c, out, offsets, sizes,
                                              strides);
    const Dim &d = x.type.dims[axis];
    if (d.isStatic() && !llvm::isa<Value>(offset)) {
      staticOffset += d.size;
      offset = b.getIndexAttr(staticOffset);
    } else {
      Value cur =
          llvm::isa<Value>(offset)
              ? llvm::cast<Value>(offset)
              : (Value)mlir::arith::ConstantIndexOp::create(b, l, staticOffset);
      offset =
          (Value)mlir::arith::AddIOp::create(b, l, cur, dimValue(x, axis, l));
    }
  }
  results.push_back(makeVal(out, rt, shortText(cs.call, "concat"), cs.loc()));
  return true;
}

bool Generator::genSlice(CallSite &cs, std::vector<Val> &results) {
  const Val &x = *cs.get("x");
  unsigned rank = x.type.rank();
  if (rank == 0)
    return error(x.loc, "slice: x must have rank >= 1, but " + x.name + " is " +
                            x.type.str());
  int64_t axis = cs.attr("axis").i;
  if (!normalizeAxis(*this, cs, rank, axis))
    return false;
  const Dim &d = x.type.dims[axis];
  if (!d.isStatic())
    return error(cs.attr("axis").loc,
                 "slice: dim " + std::to_string(axis) + " of " + x.name +
                     " is the dynamic dim '" + d.label +
                     "'; only static dims can be sliced (pool(kind = last) "
                     "selects last tokens)");
  int64_t start = cs.attr("start").i;
  int64_t end = cs.has("end") ? cs.attr("end").i : d.size;
  if (start < 0 || start > end || end > d.size)
    return error(cs.has("end") ? cs.attr("end").loc : cs.attr("start").loc,
                 "slice: expects 0 <= start <= end <= " + d.str() + " (dim " +
                     std::to_string(axis) + " of " + x.name +
                     "), got start = " + std::to_string(start) +
                     ", end = " + std::to_string(end));
  LType rt = x.type;
  rt.dims[axis] = Dim::fixed(end - start);
  // A view of the slice copied into a fresh tensor (a linalg.generic
  // reading at an offset would take its loop bounds from x when start = 0).
  mlir::Location l = loc(cs.loc());
  llvm::SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0)), sizes,
      strides(rank, b.getIndexAttr(1));
  offsets[axis] = b.getIndexAttr(start);
  if (llvm::any_of(rt.dims,
                   [](const Dim &d) { return d.isStatic() && d.size == 0; })) {
    // An empty result: nothing to read (and an empty slice at the end of a
    // dim is out of bounds for tensor.extract_slice).
    results.push_back(
        makeVal(empty(rt, l, &x), rt, shortText(cs.call, "slice"), cs.loc()));
    return true;
  }
  for (unsigned i = 0; i < rank; ++i)
    sizes.push_back(rt.dims[i].isStatic()
                        ? OpFoldResult(b.getIndexAttr(rt.dims[i].size))
                        : OpFoldResult(dimValue(x, i, l)));
  Value view = mlir::tensor::ExtractSliceOp::create(
      b, l, rt.toMlir(&ctx), x.value, offsets, sizes, strides);
  Value r =
      mlir::linalg::CopyOp::create(b, l, view, empty(rt, l, &x)).getResult(0);
  results.push_back(makeVal(r, rt, shortText(cs.call, "slice"), cs.loc()));
  return true;
}

bool Generator::genArange(CallSite &cs, std::vector<Val> &results) {
  const AttrVal &n = cs.attr("n");
  if (n.i < 0 || n.i > INT32_MAX)
    return error(n.loc,
                 "arange: expects 0 <= n < 2^31, got " + std::to_string(n.i));
  const Dim &start = cs.attr("start").dim, &step = cs.attr("step").dim;
  if (start.isStatic() && step.isStatic() &&
      start.size + (n.i ? n.i - 1 : 0) * step.size > INT32_MAX)
    return error(cs.loc(), "arange: values exceed the i32 range");
  LType rt;
  rt.dtype = DType::i32;
  rt.dims = {Dim::fixed(n.i, n.label)};
  mlir::Location l = loc(cs.loc());
  Value startV = start.isStatic() ? Value() : dimValue(start, l, cs.loc());
  Value stepV = step.isStatic() ? Value() : dimValue(step, l, cs.loc());
  if ((!start.isStatic() && !startV) || (!step.isStatic() && !stepV))
    return false;
  AffineMap id = AffineMap::getMultiDimIdentityMap(1, &ctx);
  auto op = mlir::linalg::GenericOp::create(
      b, l, mlir::TypeRange{rt.toMlir(&ctx)}, mlir::ValueRange{},
      mlir::ValueRange{empty(rt, l)}, llvm::ArrayRef<AffineMap>{id},
      llvm::ArrayRef<mlir::utils::IteratorType>{
          mlir::utils::IteratorType::parallel},
      [&](mlir::OpBuilder &nb, mlir::Location nl, mlir::ValueRange) {
        Value i = mlir::linalg::IndexOp::create(nb, nl, 0);
        Value st = stepV ? stepV
                         : (Value)mlir::arith::ConstantIndexOp::create(
                               nb, nl, step.size);
        Value s0 = startV ? startV
                          : (Value)mlir::arith::ConstantIndexOp::create(
                                nb, nl, start.size);
        Value v = mlir::arith::MulIOp::create(nb, nl, i, st);
        v = mlir::arith::AddIOp::create(nb, nl, v, s0);
        v = mlir::arith::IndexCastOp::create(nb, nl, nb.getI32Type(), v);
        mlir::linalg::YieldOp::create(nb, nl, v);
      });
  results.push_back(
      makeVal(op.getResult(0), rt, shortText(cs.call, "arange"), cs.loc()));
  return true;
}
