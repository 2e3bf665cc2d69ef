//===- Build.cpp - building ops from bound calls --------------------------===//
//
// Attributes from evaluated arguments, a sluice op built generically from a
// bound call (operands in ODS order, operandSegmentSizes, attributes by
// name), and the small tensor helpers every op uses: dims as index values,
// tensor.empty with dynamic sizes, linalg.fill.
//
//===----------------------------------------------------------------------===//

#include "frontend/GenImpl.h"

#include "dialect/SluiceOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace sluice::frontend;
using llvm::SMLoc;
using llvm::StringRef;
namespace msl = mlir::sluice;

//===----------------------------------------------------------------------===//
// Building ops
//===----------------------------------------------------------------------===//

mlir::Attribute Generator::toAttr(const AttrInfo &info, const AttrVal &v) {
  switch (info.kind) {
  case AttrKind::Int:
    return b.getI64IntegerAttr(v.i);
  case AttrKind::F32:
    return b.getF32FloatAttr((float)v.f);
  case AttrKind::Bool:
    return b.getBoolAttr(v.b);
  case AttrKind::Ints:
    return b.getDenseI64ArrayAttr(v.ints);
  case AttrKind::Dim:
  case AttrKind::Dims:
    return {};
  case AttrKind::Enum:
    break;
  }
  switch (info.enumKind) {
  case EnumKind::Score:
    return msl::ScoreFuncAttr::get(&ctx, *msl::symbolizeScoreFunc(v.e));
  case EnumKind::GroupScore:
    return msl::GroupScoreAttr::get(&ctx, *msl::symbolizeGroupScore(v.e));
  case EnumKind::Act:
    return msl::ActivationAttr::get(&ctx, *msl::symbolizeActivation(v.e));
  case EnumKind::Drop:
    return msl::DropPolicyAttr::get(&ctx, *msl::symbolizeDropPolicy(v.e));
  case EnumKind::Pool:
    return msl::PoolKindAttr::get(&ctx, *msl::symbolizePoolKind(v.e));
  case EnumKind::SpatialPool:
    return msl::SpatialPoolKindAttr::get(&ctx,
                                         *msl::symbolizeSpatialPoolKind(v.e));
  case EnumKind::AttentionPool:
    return msl::AttentionPoolKindAttr::get(
        &ctx, *msl::symbolizeAttentionPoolKind(v.e));
  case EnumKind::Sparsify:
    return msl::SparsifyModeAttr::get(&ctx, *msl::symbolizeSparsifyMode(v.e));
  case EnumKind::None:
    break;
  }
  return {};
}

mlir::Value Generator::dimValue(const Val &v, unsigned i, mlir::Location l) {
  const Dim &d = v.type.dims[i];
  if (d.isStatic())
    return mlir::arith::ConstantIndexOp::create(b, l, d.size);
  return mlir::tensor::DimOp::create(b, l, v.value, i);
}

mlir::Value Generator::dimValue(const Dim &d, mlir::Location l, SMLoc at) {
  if (d.isStatic())
    return mlir::arith::ConstantIndexOp::create(b, l, d.size);
  auto it = symSources.find(d.sym);
  if (it == symSources.end()) {
    error(at, "dynamic dim '" + d.label +
                  "' has no value to read its size "
                  "from in this function");
    return {};
  }
  return mlir::tensor::DimOp::create(b, l, it->second.first, it->second.second);
}

mlir::Value Generator::empty(const LType &t, mlir::Location l,
                             const Val *like) {
  llvm::SmallVector<mlir::Value> dyn;
  for (unsigned i = 0; i < t.rank(); ++i) {
    const Dim &d = t.dims[i];
    if (d.isStatic())
      continue;
    mlir::Value v;
    if (like)
      for (unsigned j = 0; j < like->type.rank() && !v; ++j)
        if (like->type.dims[j].same(d))
          v = mlir::tensor::DimOp::create(b, l, like->value, j);
    if (!v)
      v = dimValue(d, l, SMLoc());
    dyn.push_back(v);
  }
  mlir::RankedTensorType rt = t.toMlir(&ctx);
  return mlir::tensor::EmptyOp::create(b, l, rt.getShape(), rt.getElementType(),
                                       dyn);
}

mlir::Value Generator::fill(mlir::Value tensor, double v, mlir::Location l) {
  mlir::Type elt =
      llvm::cast<mlir::RankedTensorType>(tensor.getType()).getElementType();
  mlir::Value c;
  if (elt.isF32())
    c = mlir::arith::ConstantOp::create(b, l, b.getF32FloatAttr((float)v));
  else
    c = mlir::arith::ConstantOp::create(b, l,
                                        b.getIntegerAttr(elt, (int64_t)v));
  return mlir::linalg::FillOp::create(b, l, c, tensor).getResult(0);
}

mlir::Operation *Generator::buildSluice(CallSite &cs,
                                        llvm::ArrayRef<LType> results) {
  mlir::Location l = loc(cs.loc());
  mlir::OperationState st(l, "sluice." + std::string(cs.op.name));
  llvm::SmallVector<int32_t> segments;
  for (size_t i = 0; i < cs.op.operands.size(); ++i) {
    const OperandInfo &info = cs.op.operands[i];
    if (StringRef(info.pattern) == "dim") {
      auto it = cs.dimArgs.find(i);
      if (it == cs.dimArgs.end()) {
        segments.push_back(0);
        continue;
      }
      mlir::Value v = dimValue(it->second, l, cs.loc());
      if (!v)
        return nullptr;
      st.addOperands(v);
      segments.push_back(1);
      continue;
    }
    if (cs.operands[i])
      st.addOperands(cs.operands[i]->value);
    segments.push_back(cs.operands[i] ? 1 : 0);
  }
  if (cs.op.segments)
    st.addAttribute("operandSegmentSizes", b.getDenseI32ArrayAttr(segments));
  for (size_t i = 0; i < cs.op.attrs.size(); ++i)
    if (cs.attrs[i].given)
      if (mlir::Attribute a = toAttr(cs.op.attrs[i], cs.attrs[i]))
        st.addAttribute(cs.op.attrs[i].name, a);
  for (const LType &t : results)
    st.addTypes(t.toMlir(&ctx));
  return b.create(st);
}

void Generator::setResults(CallSite &cs, mlir::Operation *op,
                           llvm::ArrayRef<LType> types,
                           std::vector<Val> &results) {
  std::string base = shortText(cs.call, cs.op.name);
  for (size_t i = 0; i < types.size(); ++i) {
    std::string name = types.size() == 1 ? base
                                         : std::string(cs.op.name) + "(...)." +
                                               cs.op.results[i];
    results.push_back(makeVal(op->getResult(i), types[i], name, cs.loc()));
  }
}
