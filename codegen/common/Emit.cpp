//===- Emit.cpp - scalar loop-code emission helpers -----------------------===//

#include "codegen/common/Emit.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::sluice::codegen;

Value Emit::c(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
Value Emit::cf(double v) {
  return arith::ConstantOp::create(b, loc, b.getF32FloatAttr((float)v));
}
Value Emit::ci32(int32_t v) {
  return arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(v));
}
Value Emit::ci64(int64_t v) {
  return arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(v));
}
Value Emit::ci1(bool v) {
  return arith::ConstantOp::create(b, loc, b.getBoolAttr(v));
}

Value Emit::dim(Value memref, unsigned i) {
  return memref::DimOp::create(b, loc, memref, i);
}
Value Emit::load(Value memref, ValueRange indices) {
  return memref::LoadOp::create(b, loc, memref, indices);
}
void Emit::store(Value v, Value memref, ValueRange indices) {
  memref::StoreOp::create(b, loc, v, memref, indices);
}
Value Emit::alloc(MemRefType type, ValueRange dynSizes) {
  return memref::AllocOp::create(b, loc, type, dynSizes);
}
/// The static shape of `sizes` (constants) and the values of its `?` dims.
static MemRefType shapeOf(ArrayRef<Value> sizes, Type elt,
                          SmallVectorImpl<Value> &dyn) {
  SmallVector<int64_t> shape;
  for (Value s : sizes) {
    if (auto cst = getConstantIntValue(s)) {
      shape.push_back(*cst);
    } else {
      shape.push_back(ShapedType::kDynamic);
      dyn.push_back(s);
    }
  }
  return MemRefType::get(shape, elt);
}

Value Emit::allocSized(ArrayRef<Value> sizes, Type elt) {
  SmallVector<Value> dyn;
  MemRefType type = shapeOf(sizes, elt, dyn);
  return alloc(type, dyn);
}

Value Emit::allocaSized(ArrayRef<Value> sizes, Type elt) {
  SmallVector<Value> dyn;
  MemRefType type = shapeOf(sizes, elt, dyn);
  return memref::AllocaOp::create(b, loc, type, dyn);
}

void Emit::fill(Value memref, Value v) {
  auto type = cast<MemRefType>(memref.getType());
  SmallVector<Value> ivs;
  std::function<void(unsigned)> rec = [&](unsigned d) {
    if (d == type.getRank()) {
      store(v, memref, ivs);
      return;
    }
    forLoop(dim(memref, d), [&](Value iv) {
      ivs.push_back(iv);
      rec(d + 1);
      ivs.pop_back();
    });
  };
  rec(0);
}

void Emit::forLoop(Value lb, Value ub, function_ref<void(Value)> body) {
  scf::ForOp::create(b, loc, lb, ub, c(1), ValueRange{},
                     [&](OpBuilder &nb, Location, Value iv, ValueRange) {
                       OpBuilder::InsertionGuard g(b);
                       b.setInsertionPoint(nb.getInsertionBlock(),
                                           nb.getInsertionPoint());
                       body(iv);
                       scf::YieldOp::create(b, loc);
                     });
}

void Emit::parallelFor(Value ub, function_ref<void(Value)> body) {
  scf::ParallelOp::create(
      b, loc, ValueRange{c(0)}, ValueRange{ub}, ValueRange{c(1)},
      [&](OpBuilder &nb, Location, ValueRange ivs) {
        OpBuilder::InsertionGuard g(b);
        b.setInsertionPoint(nb.getInsertionBlock(), nb.getInsertionPoint());
        auto scope = memref::AllocaScopeOp::create(b, loc, TypeRange{});
        Block *block = new Block();
        scope.getBodyRegion().push_back(block);
        b.setInsertionPointToStart(block);
        body(ivs[0]);
        memref::AllocaScopeReturnOp::create(b, loc);
      });
}

SmallVector<Value>
Emit::forLoopAcc(Value lb, Value ub, ValueRange inits,
                 function_ref<SmallVector<Value>(Value, ValueRange)> body) {
  auto loop = scf::ForOp::create(
      b, loc, lb, ub, c(1), inits,
      [&](OpBuilder &nb, Location, Value iv, ValueRange args) {
        OpBuilder::InsertionGuard g(b);
        b.setInsertionPoint(nb.getInsertionBlock(), nb.getInsertionPoint());
        SmallVector<Value> next = body(iv, args);
        scf::YieldOp::create(b, loc, next);
      });
  return SmallVector<Value>(loop.getResults());
}

Value Emit::forLoopAcc1(Value lb, Value ub, Value init,
                        function_ref<Value(Value, Value)> body) {
  return forLoopAcc(lb, ub, ValueRange{init},
                    [&](Value iv, ValueRange args) -> SmallVector<Value> {
                      return {body(iv, args[0])};
                    })[0];
}

void Emit::ifThen(Value cond, function_ref<void()> then) {
  auto ifOp = scf::IfOp::create(b, loc, TypeRange{}, cond,
                                /*withElseRegion=*/false);
  OpBuilder::InsertionGuard g(b);
  b.setInsertionPointToStart(ifOp.thenBlock());
  then();
}

SmallVector<Value> Emit::ifElse(Value cond, TypeRange types,
                                function_ref<SmallVector<Value>()> then,
                                function_ref<SmallVector<Value>()> otherwise) {
  auto ifOp = scf::IfOp::create(b, loc, types, cond, /*withElseRegion=*/true);
  {
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToStart(ifOp.thenBlock());
    scf::YieldOp::create(b, loc, then());
    b.setInsertionPointToStart(ifOp.elseBlock());
    scf::YieldOp::create(b, loc, otherwise());
  }
  return SmallVector<Value>(ifOp.getResults());
}

Value Emit::ifElse1(Value cond, Type type, function_ref<Value()> then,
                    function_ref<Value()> otherwise) {
  return ifElse(
      cond, TypeRange{type},
      [&]() -> SmallVector<Value> { return {then()}; },
      [&]() -> SmallVector<Value> { return {otherwise()}; })[0];
}

Value Emit::addi(Value a, Value c) { return arith::AddIOp::create(b, loc, a, c); }
Value Emit::subi(Value a, Value c) { return arith::SubIOp::create(b, loc, a, c); }
Value Emit::muli(Value a, Value c) { return arith::MulIOp::create(b, loc, a, c); }
Value Emit::divsi(Value a, Value c) {
  return arith::DivSIOp::create(b, loc, a, c);
}
Value Emit::remsi(Value a, Value c) {
  return arith::RemSIOp::create(b, loc, a, c);
}
Value Emit::minsi(Value a, Value c) {
  return arith::MinSIOp::create(b, loc, a, c);
}
Value Emit::maxsi(Value a, Value c) {
  return arith::MaxSIOp::create(b, loc, a, c);
}
Value Emit::cmpi(arith::CmpIPredicate p, Value a, Value c) {
  return arith::CmpIOp::create(b, loc, p, a, c);
}
Value Emit::toIndex(Value v) {
  if (v.getType().isIndex())
    return v;
  return arith::IndexCastOp::create(b, loc, idx(), v);
}
Value Emit::toI32(Value v) {
  if (v.getType().isInteger(32))
    return v;
  if (v.getType().isIndex())
    return arith::IndexCastOp::create(b, loc, i32(), v);
  return arith::TruncIOp::create(b, loc, i32(), v);
}
Value Emit::toI64(Value v) {
  if (v.getType().isInteger(64))
    return v;
  if (v.getType().isIndex())
    return arith::IndexCastOp::create(b, loc, i64(), v);
  return arith::ExtSIOp::create(b, loc, i64(), v);
}
Value Emit::indexToF32(Value v) {
  return arith::SIToFPOp::create(b, loc, f32(), toI64(v));
}

Value Emit::addf(Value a, Value c) { return arith::AddFOp::create(b, loc, a, c); }
Value Emit::subf(Value a, Value c) { return arith::SubFOp::create(b, loc, a, c); }
Value Emit::mulf(Value a, Value c) { return arith::MulFOp::create(b, loc, a, c); }
Value Emit::divf(Value a, Value c) { return arith::DivFOp::create(b, loc, a, c); }
Value Emit::negf(Value a) { return arith::NegFOp::create(b, loc, a); }
Value Emit::maxf(Value a, Value c) {
  return arith::MaximumFOp::create(b, loc, a, c);
}
Value Emit::minf(Value a, Value c) {
  return arith::MinimumFOp::create(b, loc, a, c);
}
Value Emit::absf(Value a) { return math::AbsFOp::create(b, loc, a); }
Value Emit::exp(Value a) { return math::ExpOp::create(b, loc, a); }
Value Emit::log(Value a) { return math::LogOp::create(b, loc, a); }
Value Emit::powf(Value a, Value c) { return math::PowFOp::create(b, loc, a, c); }
Value Emit::sqrt(Value a) { return math::SqrtOp::create(b, loc, a); }
Value Emit::tanh(Value a) { return math::TanhOp::create(b, loc, a); }
Value Emit::erf(Value a) { return math::ErfOp::create(b, loc, a); }
Value Emit::sigmoid(Value a) {
  // 1 / (1 + exp(-a))
  return divf(cf(1.0), addf(cf(1.0), exp(negf(a))));
}
Value Emit::cmpf(arith::CmpFPredicate p, Value a, Value c) {
  return arith::CmpFOp::create(b, loc, p, a, c);
}
Value Emit::isNan(Value a) { return cmpf(arith::CmpFPredicate::UNO, a, a); }
Value Emit::select(Value cond, Value a, Value c) {
  return arith::SelectOp::create(b, loc, cond, a, c);
}
Value Emit::andi(Value a, Value c) { return arith::AndIOp::create(b, loc, a, c); }
Value Emit::ori(Value a, Value c) { return arith::OrIOp::create(b, loc, a, c); }
Value Emit::noti(Value a) { return arith::XOrIOp::create(b, loc, a, ci1(true)); }

Value Emit::arithEqZero(Value v) {
  return cmpf(arith::CmpFPredicate::OEQ, v, cf(0.0));
}

Value Emit::nonzero(Value m) {
  Value zero = arith::ConstantOp::create(b, loc, b.getIntegerAttr(m.getType(), 0));
  return cmpi(arith::CmpIPredicate::ne, m, zero);
}

//===----------------------------------------------------------------------===//
// Run-time checks
//===----------------------------------------------------------------------===//

static constexpr StringLiteral kErrorHook = "sluice_rt_error";

/// The address of a NUL-terminated global string (one global per message).
static Value stringAddress(Emit &e, ModuleOp module, StringRef text) {
  std::string name = "__sluice_msg_";
  name += std::to_string(llvm::hash_value(text));
  auto global = module.lookupSymbol<LLVM::GlobalOp>(name);
  std::string data = text.str();
  data.push_back('\0');
  if (!global) {
    OpBuilder::InsertionGuard g(e.b);
    e.b.setInsertionPointToStart(module.getBody());
    auto type = LLVM::LLVMArrayType::get(e.b.getI8Type(), data.size());
    global = LLVM::GlobalOp::create(e.b, e.loc, type, /*isConstant=*/true,
                                    LLVM::Linkage::Internal, name,
                                    e.b.getStringAttr(data));
  }
  return LLVM::AddressOfOp::create(e.b, e.loc, global);
}

std::string mlir::sluice::codegen::runtimeErrorText(Operation *op,
                                                   StringRef message) {
  // The op the user wrote: a decomposition names it with a NameLoc
  // ("sluice.moe") around the original location.
  std::string text;
  llvm::raw_string_ostream os(text);
  StringRef opName = op->getName().getStringRef();
  Location loc = op->getLoc();
  if (auto named = dyn_cast<NameLoc>(loc)) {
    if (named.getName().getValue().starts_with("sluice."))
      opName = named.getName().getValue();
  }
  FileLineColLoc fl;
  loc->walk([&](Location l) {
    if (!fl)
      fl = dyn_cast<FileLineColLoc>(l);
    return fl ? WalkResult::interrupt() : WalkResult::advance();
  });
  if (fl)
    os << fl.getFilename().getValue() << ":" << fl.getLine() << ":"
       << fl.getColumn() << ": ";
  os << opName << ": " << message;
  return text;
}

void mlir::sluice::codegen::emitRuntimeErrorCall(Emit &e, ModuleOp module,
                                                 Value cond, StringRef text,
                                                 Value v0, Value v1) {
  auto ptrType = LLVM::LLVMPointerType::get(e.b.getContext());
  if (!module.lookupSymbol<func::FuncOp>(kErrorHook)) {
    OpBuilder::InsertionGuard g(e.b);
    e.b.setInsertionPointToStart(module.getBody());
    auto type = e.b.getFunctionType({ptrType, e.i64(), e.i64()}, {});
    auto fn = func::FuncOp::create(e.b, e.loc, kErrorHook, type);
    fn.setPrivate();
  }
  e.ifThen(cond, [&] {
    Value msg = stringAddress(e, module, text);
    Value a = v0 ? e.toI64(v0) : e.ci64(0);
    Value c = v1 ? e.toI64(v1) : e.ci64(0);
    func::CallOp::create(e.b, e.loc, kErrorHook, TypeRange{},
                         ValueRange{msg, a, c});
  });
}

void mlir::sluice::codegen::emitRuntimeCheck(Emit &e, Operation *op,
                                             Value cond, StringRef message,
                                             Value v0, Value v1) {
  emitRuntimeErrorCall(e, op->getParentOfType<ModuleOp>(), cond,
                       runtimeErrorText(op, message), v0, v1);
}
