//===- RefInterpreter.cpp - run a model function on the reference evaluator ===//
//
// `sluicec run --check` evaluates the model a second time, op by op, with the
// plain C++ reference evaluator (runtime/reference/), which shares no code
// with the lowering. Sluice ops map onto reference functions; the handful of
// upstream ops a block needs (constants, empty / fill, matmul, elementwise
// add / sub / mul / div, broadcast, transpose, softmax, casts and reshapes;
// and for .sl models linalg.generic, copies, slices and index arithmetic,
// RefInterpreterLinalg.inc) are evaluated here with plain loops.
//
//===----------------------------------------------------------------------===//

#include "RefInterpreter.h"

#include "dialect/SluiceOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>

using namespace mlir;
using ::sluice::ref::Status;
using ::sluice::ref::Tensor;
namespace ref = ::sluice::ref;

namespace {

class Interpreter {
public:
  Status run(func::FuncOp fn, const std::vector<Tensor> &inputs,
             std::vector<Tensor> &outputs);

private:
  Status eval(Operation *op);
  Status evalSluice(Operation *op);
  Status evalUpstream(Operation *op);
  Status evalUpstreamMore(Operation *op, bool &handled);
  Status evalGeneric(linalg::GenericOp g);
  Status evalScalar(Operation *op, llvm::DenseMap<Value, double> &env,
                    llvm::ArrayRef<int64_t> point);

  const Tensor *get(Value v) {
    if (!v)
      return nullptr;
    auto it = tensors.find(v);
    return it == tensors.end() ? nullptr : &it->second;
  }
  Status error(Operation *op, const std::string &msg) {
    std::string s;
    llvm::raw_string_ostream os(s);
    os << op->getName() << ": " << msg;
    return Status::error(s);
  }
  /// The runtime shape of a result of type `type`, dynamic dims from `sizes`.
  std::vector<int64_t> shapeOf(Type type, ValueRange dynSizes) {
    auto t = cast<RankedTensorType>(type);
    std::vector<int64_t> shape;
    unsigned next = 0;
    for (int64_t s : t.getShape())
      shape.push_back(ShapedType::isDynamic(s) ? scalars[dynSizes[next++]] : s);
    return shape;
  }

  llvm::DenseMap<Value, Tensor> tensors;
  llvm::DenseMap<Value, int64_t> scalars;
  llvm::DenseMap<Value, double> floats;
};

ref::DType dtypeOf(Type t) {
  Type e = getElementTypeOrSelf(t);
  if (e.isF32())
    return ref::DType::f32;
  if (e.isInteger(1))
    return ref::DType::i1;
  return ref::DType::i32;
}

/// Reads element `i` of any tensor as double.
double at(const Tensor &t, int64_t i) {
  return t.dtype == ref::DType::f32 ? (double)t.f[i] : (double)t.i[i];
}
void set(Tensor &t, int64_t i, double v) {
  if (t.dtype == ref::DType::f32)
    t.f[i] = (float)v;
  else
    t.i[i] = (int32_t)v;
}

std::vector<int64_t> strides(const std::vector<int64_t> &shape) {
  std::vector<int64_t> s(shape.size(), 1);
  for (int64_t i = (int64_t)shape.size() - 2; i >= 0; --i)
    s[i] = s[i + 1] * shape[i + 1];
  return s;
}

} // namespace

Status Interpreter::run(func::FuncOp fn, const std::vector<Tensor> &inputs,
                        std::vector<Tensor> &outputs) {
  Block &body = fn.getBody().front();
  if (inputs.size() != body.getNumArguments())
    return Status::error("reference: expected " +
                         std::to_string(body.getNumArguments()) + " inputs");
  for (auto [arg, t] : llvm::zip(body.getArguments(), inputs))
    tensors[arg] = t;
  for (Operation &op : body) {
    if (auto ret = dyn_cast<func::ReturnOp>(op)) {
      for (Value v : ret.getOperands()) {
        const Tensor *t = get(v);
        if (!t)
          return error(&op, "returns a value the reference did not compute");
        outputs.push_back(*t);
      }
      return Status::success();
    }
    Status s = eval(&op);
    if (!s.ok)
      return s;
  }
  return Status::error("reference: function has no return");
}

Status Interpreter::eval(Operation *op) {
  if (isa<mlir::sluice::SluiceDialect>(op->getDialect()))
    return evalSluice(op);
  return evalUpstream(op);
}

Status Interpreter::evalUpstream(Operation *op) {
  bool handled;
  Status more = evalUpstreamMore(op, handled);
  if (handled)
    return more;
  if (auto c = dyn_cast<arith::ConstantOp>(op)) {
    Attribute v = c.getValue();
    if (auto i = dyn_cast<IntegerAttr>(v)) {
      scalars[c] = i.getValue().getSExtValue();
      return Status::success();
    }
    if (auto f = dyn_cast<FloatAttr>(v)) {
      floats[c] = f.getValueAsDouble();
      return Status::success();
    }
    if (auto d = dyn_cast<DenseElementsAttr>(v)) {
      auto type = cast<RankedTensorType>(d.getType());
      Tensor t = Tensor::zeros(std::vector<int64_t>(type.getShape().begin(),
                                                    type.getShape().end()),
                               dtypeOf(type));
      int64_t i = 0;
      if (type.getElementType().isF32()) {
        for (APFloat x : d.getValues<APFloat>())
          t.f[i++] = x.convertToFloat();
      } else {
        for (APInt x : d.getValues<APInt>())
          t.i[i++] = (int32_t)(type.getElementType().isInteger(1)
                                   ? x.getZExtValue()
                                   : x.getSExtValue());
      }
      tensors[c] = std::move(t);
      return Status::success();
    }
    return error(op, "unsupported constant");
  }
  if (auto d = dyn_cast<tensor::DimOp>(op)) {
    const Tensor *t = get(d.getSource());
    auto idx = d.getConstantIndex();
    if (!t || !idx)
      return error(op, "unsupported dim");
    scalars[d] = t->shape[*idx];
    return Status::success();
  }
  if (auto e = dyn_cast<tensor::EmptyOp>(op)) {
    tensors[e] = Tensor::zeros(shapeOf(e.getType(), e.getDynamicSizes()),
                               dtypeOf(e.getType()));
    return Status::success();
  }
  if (auto c = dyn_cast<tensor::CastOp>(op)) {
    tensors[c] = *get(c.getSource());
    return Status::success();
  }
  if (isa<tensor::CollapseShapeOp, tensor::ExpandShapeOp>(op)) {
    Tensor t = *get(op->getOperand(0));
    auto rt = cast<RankedTensorType>(op->getResult(0).getType());
    int64_t known = 1, dynAt = -1;
    std::vector<int64_t> shape(rt.getShape().begin(), rt.getShape().end());
    for (int64_t i = 0; i < (int64_t)shape.size(); ++i) {
      if (ShapedType::isDynamic(shape[i])) {
        if (dynAt >= 0)
          return error(op, "more than one dynamic dim");
        dynAt = i;
      } else {
        known *= shape[i];
      }
    }
    if (dynAt >= 0)
      shape[dynAt] = known ? t.numel() / known : 0;
    t.shape = shape;
    tensors[op->getResult(0)] = std::move(t);
    return Status::success();
  }
  if (auto f = dyn_cast<linalg::FillOp>(op)) {
    Tensor t = *get(f.getOutputs()[0]);
    Value v = f.getInputs()[0];
    double x = floats.count(v) ? floats[v] : (double)scalars[v];
    for (int64_t i = 0; i < t.numel(); ++i)
      set(t, i, x);
    tensors[f.getResult(0)] = std::move(t);
    return Status::success();
  }
  if (auto m = dyn_cast<linalg::MatmulOp>(op)) {
    if (!m.getIndexingMaps().empty() && m.hasUserDefinedMaps())
      return error(op, "matmul with user-defined indexing maps");
    const Tensor &a = *get(m.getInputs()[0]), &b = *get(m.getInputs()[1]);
    Tensor c = *get(m.getOutputs()[0]);
    int64_t mm = a.shape[0], kk = a.shape[1], nn = b.shape[1];
    if (b.shape[0] != kk || c.shape[0] != mm || c.shape[1] != nn)
      return error(op, "shape mismatch");
    for (int64_t i = 0; i < mm; ++i)
      for (int64_t j = 0; j < nn; ++j) {
        double acc = c.f[i * nn + j];
        for (int64_t k = 0; k < kk; ++k)
          acc += (double)a.f[i * kk + k] * (double)b.f[k * nn + j];
        c.f[i * nn + j] = (float)acc;
      }
    tensors[m.getResult(0)] = std::move(c);
    return Status::success();
  }
  if (isa<linalg::AddOp, linalg::SubOp, linalg::MulOp, linalg::DivOp>(op)) {
    auto l = cast<linalg::LinalgOp>(op);
    const Tensor &a = *get(l.getDpsInputs()[0]), &b = *get(l.getDpsInputs()[1]);
    Tensor c = *get(l.getDpsInits()[0]);
    if (a.numel() != c.numel() || b.numel() != c.numel())
      return error(op, "shape mismatch");
    for (int64_t i = 0; i < c.numel(); ++i) {
      double x = at(a, i), y = at(b, i), r;
      if (isa<linalg::AddOp>(op))
        r = x + y;
      else if (isa<linalg::SubOp>(op))
        r = x - y;
      else if (isa<linalg::MulOp>(op))
        r = x * y;
      else
        r = x / y;
      set(c, i, r);
    }
    tensors[op->getResult(0)] = std::move(c);
    return Status::success();
  }
  if (auto bc = dyn_cast<linalg::BroadcastOp>(op)) {
    const Tensor &in = *get(bc.getInput());
    Tensor out = *get(bc.getInit());
    ArrayRef<int64_t> added = bc.getDimensions();
    std::vector<int64_t> os = strides(out.shape), is = strides(in.shape);
    for (int64_t i = 0; i < out.numel(); ++i) {
      int64_t rem = i, src = 0, inDim = 0;
      for (int64_t d = 0; d < out.rank(); ++d) {
        int64_t idx = rem / os[d];
        rem %= os[d];
        if (llvm::is_contained(added, d))
          continue;
        src += idx * is[inDim++];
      }
      set(out, i, at(in, src));
    }
    tensors[bc.getResult()[0]] = std::move(out);
    return Status::success();
  }
  if (auto tr = dyn_cast<linalg::TransposeOp>(op)) {
    const Tensor &in = *get(tr.getInput());
    Tensor out = *get(tr.getInit());
    ArrayRef<int64_t> perm = tr.getPermutation();
    std::vector<int64_t> os = strides(out.shape), is = strides(in.shape);
    for (int64_t i = 0; i < out.numel(); ++i) {
      int64_t rem = i, src = 0;
      for (int64_t d = 0; d < out.rank(); ++d) {
        int64_t idx = rem / os[d];
        rem %= os[d];
        src += idx * is[perm[d]];
      }
      set(out, i, at(in, src));
    }
    tensors[tr.getResult()[0]] = std::move(out);
    return Status::success();
  }
  if (auto sm = dyn_cast<linalg::SoftmaxOp>(op)) {
    Tensor t = *get(sm.getInput());
    int64_t dim = sm.getDimension();
    std::vector<int64_t> st = strides(t.shape);
    int64_t n = t.shape[dim], step = st[dim];
    for (int64_t i = 0; i < t.numel(); ++i) {
      if ((i / step) % n != 0)
        continue; // i is the first element of its softmax row
      double m = -INFINITY, sum = 0;
      for (int64_t j = 0; j < n; ++j)
        m = std::max(m, (double)t.f[i + j * step]);
      for (int64_t j = 0; j < n; ++j)
        sum += std::exp((double)t.f[i + j * step] - m);
      for (int64_t j = 0; j < n; ++j)
        t.f[i + j * step] = (float)(std::exp((double)t.f[i + j * step] - m) / sum);
    }
    tensors[sm.getResult()[0]] = std::move(t);
    return Status::success();
  }
  return error(op, "the reference evaluator has no rule for this op");
}

#include "RefInterpreterLinalg.inc"
#include "RefInterpreterSluice.inc"

Status sluicec::interpretFunction(func::FuncOp fn,
                                 const std::vector<Tensor> &inputs,
                                 std::vector<Tensor> &outputs) {
  Interpreter interp;
  return interp.run(fn, inputs, outputs);
}
