//===- UkernelGemm.cpp - sluice.gemm into a sluice_uk_gemm call -----------===//
//
// Bufferization of sluice.gemm on the CPU: the operands' buffers are checked
// (gather / scatter indices, group bounds; the micro-kernel trusts them),
// their addresses and strides are written into the 37 int64 fields of
// sluice_uk_gemm_args (runtime/include/sluice/ukernels.h) and the runtime's
// micro-kernel is called. A failed check reports through sluice_rt_error and
// skips the call, so bad indices never touch memory out of bounds.
//
//===----------------------------------------------------------------------===//

#include "codegen/common/BufferizeModel.h"
#include "codegen/common/Emit.h"
#include "codegen/common/Lowering.h"
#include "codegen/cpu/CpuPipeline.h"
#include "codegen/cpu/UkernelCall.h"
#include "dialect/SluiceOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/BufferizableOpInterface.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/DialectRegistry.h"

using namespace mlir;
using namespace mlir::sluice;
using namespace mlir::sluice::codegen;
using IP = arith::CmpIPredicate;

namespace {

using codegen::ukAddressOf;
using codegen::ukContiguous;
using codegen::ukStrideOf;
Value contiguous(Emit &e, Value buf) { return ukContiguous(e, buf); }
Value addressOf(Emit &e, Value buf) { return ukAddressOf(e, buf); }
Value strideOf(Emit &e, Value buf, unsigned i) { return ukStrideOf(e, buf, i); }

constexpr StringLiteral kGemmFn = "sluice_uk_gemm";
constexpr int64_t kFields = 37; // SLUICE_UK_GEMM_FIELDS

/// Enumerates the fields of sluice_uk_gemm_args in declaration order.
enum Field : int64_t {
  fM, fN, fK, fGroupRows, fGroups, fA, fLda, fARows, fADiv, fB, fLdb,
  fBGroupStride, fB2, fLdb2, fB2GroupStride, fAct, fAccumulate, fBias, fA2,
  fLda2, fK2, fB3, fLdb3, fB3GroupStride, fC, fLdc, fCRows, fCDiv, fCScale,
  fBGroups, fBs, fLdbs, fBsGroupStride, fBsSplit, fBs2, fLdbs2, fBs2GroupStride
};
static_assert(fBs2GroupStride + 1 == kFields, "one entry per field");

int64_t actCode(std::optional<Activation> act) {
  if (!act)
    return 0;
  switch (*act) {
  case Activation::silu:
    return 1;
  case Activation::gelu:
    return 2;
  case Activation::gelu_tanh:
    return 3;
  case Activation::relu:
    return 4;
  case Activation::sigmoid:
    return 5;
  }
  return 0;
}

/// Whether the op's init is updated in place (its buffer becomes the
/// result's) rather than copied into a fresh result: when init has the
/// result's type and is produced by an op. A block argument (a function
/// input, a loop-carried value) is copied as before, so compiled code
/// never writes into the caller's inputs. One-shot bufferization's
/// analysis copies init first where it is read later or aliases another
/// operand of the op.
bool gemmInitInPlace(GemmOp op) {
  Value init = op.getInit();
  return init && !isa<BlockArgument>(init) && init.getType() == op.getType();
}

/// A buffer that views an argument of a public function: the argument's
/// number and the view's static element offset and strides (relative to the
/// argument's base: arguments have the identity layout).
struct ArgView {
  unsigned arg;
  int64_t offset;
  SmallVector<int64_t> strides;
  ArrayRef<int64_t> shape;
};

/// Follows `buf` through view ops (subview, expand / collapse_shape, cast,
/// to_tensor / to_buffer pairs) to a public function's argument; nullopt
/// when it is not a view of one or its layout is not static.
std::optional<ArgView> argView(Value buf) {
  auto type = dyn_cast<MemRefType>(buf.getType());
  if (!type || !type.hasStaticShape() ||
      !type.getElementType().isF32())
    return std::nullopt;
  auto [strides, offset] = type.getStridesAndOffset();
  if (ShapedType::isDynamic(offset) ||
      llvm::any_of(strides, ShapedType::isDynamic))
    return std::nullopt;
  Value v = buf;
  for (int steps = 0; steps < 64; ++steps) {
    if (auto arg = dyn_cast<BlockArgument>(v)) {
      auto fn = dyn_cast<func::FuncOp>(arg.getOwner()->getParentOp());
      if (!fn || !fn.isPublic() || arg.getOwner() != &fn.getBody().front())
        return std::nullopt;
      if (auto mt = dyn_cast<MemRefType>(arg.getType());
          mt && !mt.getLayout().isIdentity())
        return std::nullopt;
      return ArgView{arg.getArgNumber(), offset,
                     SmallVector<int64_t>(strides), type.getShape()};
    }
    Operation *def = v.getDefiningOp();
    if (auto o = dyn_cast_or_null<memref::SubViewOp>(def))
      v = o.getSource();
    else if (auto o = dyn_cast_or_null<memref::ExpandShapeOp>(def))
      v = o.getSrc();
    else if (auto o = dyn_cast_or_null<memref::CollapseShapeOp>(def))
      v = o.getSrc();
    else if (auto o = dyn_cast_or_null<memref::CastOp>(def))
      v = o.getSource();
    else if (auto o = dyn_cast_or_null<bufferization::ToTensorOp>(def))
      v = o.getBuffer();
    else if (auto o = dyn_cast_or_null<bufferization::ToBufferOp>(def))
      v = o.getTensor();
    else
      return std::nullopt;
  }
  return std::nullopt;
}

/// Records, on the module (`sluice.prepack`: [function, line] pairs, read
/// by sluicec into the signature's `prepack` lines, docs/abi.md), the B
/// operands of this call that view function arguments with static layouts,
/// so that the runtime can pack them when the weights are bound instead of
/// on the first call. The fields are those the packed copy is keyed by.
void recordPrepack(GemmOp op, Value B, Value B2, Value Bs, Value Bs2,
                   Value groups) {
  auto fn = op->getParentOfType<func::FuncOp>();
  auto module = op->getParentOfType<ModuleOp>();
  if (!fn || !module)
    return;
  std::optional<ArgView> b = argView(B);
  if (!b)
    return;
  unsigned rank = b->shape.size(), kd = rank - 2, nd = rank - 1;
  int64_t K = b->shape[kd], N = b->shape[nd];
  int64_t nGroups = 1;
  if (groups) {
    auto gt = cast<MemRefType>(groups.getType());
    if (rank == 3)
      nGroups = b->shape[0];
    else if (gt.hasStaticShape())
      nGroups = gt.getDimSize(0) - 1;
    else
      return;
  }
  std::string line;
  llvm::raw_string_ostream os(line);
  auto operand = [&](const char *key, const ArgView &v, unsigned k) {
    os << " " << key << "=" << v.arg << ":" << v.offset << ":" << v.strides[k]
       << ":" << (k == 1 ? v.strides[0] : 0);
  };
  std::optional<ArgView> b2, bs, bs2;
  if (B2 && !(b2 = argView(B2)))
    return;
  int64_t split = 0;
  if (Bs) {
    if (!(bs = argView(Bs)) || (Bs2 && !(bs2 = argView(Bs2))) || rank != 3 ||
        bool(B2) != bool(Bs2))
      return;
    split = bs->shape[2] / N;
    nGroups = b->shape[0] + bs->shape[0] * split;
  }
  if (nGroups < 1)
    return;
  os << "prepack " << K << " " << N << " " << nGroups;
  operand("b", *b, kd);
  if (b2)
    operand("b2", *b2, kd);
  if (bs) {
    operand("bs", *bs, 1);
    os << ":" << split << ":" << b->shape[0];
    if (bs2)
      operand("bs2", *bs2, 1);
  }
  Builder builder(module.getContext());
  SmallVector<Attribute> entries;
  if (auto old = module->getAttrOfType<ArrayAttr>("sluice.prepack"))
    entries.assign(old.begin(), old.end());
  Attribute entry = builder.getStrArrayAttr({fn.getName(), line});
  if (llvm::is_contained(entries, entry))
    return;
  entries.push_back(entry);
  // Functions are bufferized in no fixed order: entries are kept grouped by
  // function name (stable: a function's calls stay in their order), so the
  // lowered IR and the signature are the same on every compile.
  llvm::stable_sort(entries, [](Attribute l, Attribute r) {
    return cast<StringAttr>(cast<ArrayAttr>(l)[0]).getValue() <
           cast<StringAttr>(cast<ArrayAttr>(r)[0]).getValue();
  });
  module->setAttr("sluice.prepack", builder.getArrayAttr(entries));
}

FailureOr<Value> lowerGemm(RewriterBase &rewriter, GemmOp op,
                           GemmOp::Adaptor a) {
  Emit e(rewriter, op.getLoc());
  Value A = contiguous(e, a.getA()), B = contiguous(e, a.getB());
  Value B2 = a.getB2() ? contiguous(e, a.getB2()) : Value();
  Value A2 = a.getA2() ? contiguous(e, a.getA2()) : Value();
  Value B3 = a.getB3() ? contiguous(e, a.getB3()) : Value();
  Value Bs = a.getBShared() ? contiguous(e, a.getBShared()) : Value();
  Value Bs2 = a.getB2Shared() ? contiguous(e, a.getB2Shared()) : Value();
  Value aRows = a.getARows(), cRows = a.getCRows(), groups = a.getGroupRows();
  Value cScale = a.getCScale(), bias = a.getBias();
  auto bType = cast<MemRefType>(B.getType());
  unsigned kd = bType.getRank() - 2, nd = bType.getRank() - 1;
  Value m = aRows ? e.dim(aRows, 0) : e.dim(A, 0);
  Value n = e.dim(B, nd), k = e.dim(B, kd);
  Value rowsA = e.dim(A, 0);

  // The result buffer and its starting value.
  Value rows;
  if (Value init = a.getInit())
    rows = e.dim(init, 0);
  else if (cRows)
    rows = a.getNumRows() ? a.getNumRows()
                          : e.c(op.getType().getDimSize(0));
  else
    rows = m;
  // An init updated in place (gemmInitInPlace) is the result buffer; the
  // kernel needs unit column stride, else it works on a contiguous copy
  // that is copied back after the call.
  Value out, writeBack;
  Value init = a.getInit();
  if (init && gemmInitInPlace(op)) {
    auto [strides, offset] =
        cast<MemRefType>(init.getType()).getStridesAndOffset();
    if (strides.back() == 1) {
      out = init;
    } else {
      out = allocResult(e, op.getType(), {rows, n});
      memref::CopyOp::create(e.b, e.loc, init, out);
      writeBack = init;
    }
  } else {
    out = allocResult(e, op.getType(), {rows, n});
    if (init)
      memref::CopyOp::create(e.b, e.loc, init, out);
    else if (cRows || op.getAccumulate())
      e.fill(out, e.cf(0));
  }

  // Checks: the kernel runs only if every index is in bounds.
  Value ok = e.ci1(true);
  int64_t aDiv = op.getADiv(), cDiv = op.getCDiv();
  if (aRows) {
    ok = e.forLoopAcc1(e.c(0), m, ok, [&](Value i, Value acc) {
      Value ra = e.toIndex(e.load(aRows, {i}));
      Value bad = e.andi(e.cmpi(IP::sge, ra, e.c(0)),
                         e.cmpi(IP::sge, e.divsi(ra, e.c(aDiv)), rowsA));
      emitRuntimeCheck(e, op, bad,
                       "gather index {0} out of range at product row {1}", ra,
                       i);
      return e.andi(acc, e.noti(bad));
    });
  }
  if (cRows) {
    Value nScale = cScale ? e.dim(cScale, 0) : Value();
    ok = e.forLoopAcc1(e.c(0), m, ok, [&](Value i, Value acc) {
      Value rc = e.toIndex(e.load(cRows, {i}));
      Value live = e.cmpi(IP::sge, rc, e.c(0));
      Value past = e.cmpi(IP::sge, e.divsi(rc, e.c(cDiv)), rows);
      if (nScale)
        past = e.ori(past, e.cmpi(IP::sge, rc, nScale));
      Value bad = e.andi(live, past);
      emitRuntimeCheck(e, op, bad,
                       "scatter index {0} out of range at product row {1}", rc,
                       i);
      return e.andi(acc, e.noti(bad));
    });
  }
  Value nGroups = e.c(1);
  if (groups) {
    nGroups = e.subi(e.dim(groups, 0), e.c(1));
    Value empty = e.cmpi(IP::slt, nGroups, e.c(1));
    emitRuntimeCheck(e, op, empty, "groups must have at least two entries");
    ok = e.andi(ok, e.noti(empty));
    Value nGroupsSafe = e.maxsi(nGroups, e.c(0));
    ok = e.forLoopAcc1(e.c(0), nGroupsSafe, ok, [&](Value g, Value acc) {
      Value lo = e.toIndex(e.load(groups, {g}));
      Value hi = e.toIndex(e.load(groups, {e.addi(g, e.c(1))}));
      Value bad = e.ori(e.ori(e.cmpi(IP::slt, lo, e.c(0)),
                              e.cmpi(IP::slt, hi, lo)),
                        e.cmpi(IP::sgt, hi, m));
      emitRuntimeCheck(e, op, bad,
                       "group bounds must be nondecreasing within the product "
                       "rows: group {0} ends at {1}",
                       g, hi);
      return e.andi(acc, e.noti(bad));
    });
    if (bType.getRank() == 3) {
      // With a shared stack [S, K, m N]: E + S m groups (m static, verified).
      Value have = e.dim(B, 0);
      if (Bs) {
        int64_t split = cast<MemRefType>(Bs.getType()).getDimSize(2) /
                        cast<MemRefType>(B.getType()).getDimSize(2);
        have = e.addi(have, e.muli(e.dim(Bs, 0), e.c(split)));
      }
      Value mismatch = e.cmpi(IP::ne, nGroups, have);
      emitRuntimeCheck(e, op, mismatch,
                       "groups has {0} groups but b has {1}", nGroups, have);
      ok = e.andi(ok, e.noti(mismatch));
    }
  }

  recordPrepack(op, B, B2, Bs, Bs2, groups);
  ukDeclare(e, op, kGemmFn);
  Value fields = ukArgBlock(e, op, kFields);
  e.ifThen(ok, [&] {
    SmallVector<Value> v(kFields, e.ci64(0));
    Value zero = e.ci64(0);
    v[fM] = e.toI64(m);
    v[fN] = e.toI64(n);
    v[fK] = e.toI64(k);
    v[fGroupRows] = groups ? addressOf(e, groups) : zero;
    v[fGroups] = e.toI64(nGroups);
    v[fA] = addressOf(e, A);
    v[fLda] = strideOf(e, A, 0);
    v[fARows] = aRows ? addressOf(e, aRows) : zero;
    v[fADiv] = e.ci64(aDiv);
    v[fB] = addressOf(e, B);
    v[fLdb] = strideOf(e, B, kd);
    v[fBGroupStride] = kd == 1 ? strideOf(e, B, 0) : zero;
    if (B2) {
      v[fB2] = addressOf(e, B2);
      v[fLdb2] = strideOf(e, B2, kd);
      v[fB2GroupStride] = kd == 1 ? strideOf(e, B2, 0) : zero;
    }
    v[fAct] = e.ci64(actCode(op.getAct()));
    v[fAccumulate] = e.ci64(op.getAccumulate() ? 1 : 0);
    v[fBias] = bias ? addressOf(e, bias) : zero;
    if (A2 && B3) {
      auto b3Type = cast<MemRefType>(B3.getType());
      unsigned k3 = b3Type.getRank() - 2;
      v[fA2] = addressOf(e, A2);
      v[fLda2] = strideOf(e, A2, 0);
      v[fK2] = e.toI64(e.dim(A2, 1));
      v[fB3] = addressOf(e, B3);
      v[fLdb3] = strideOf(e, B3, k3);
      v[fB3GroupStride] = k3 == 1 ? strideOf(e, B3, 0) : zero;
    }
    if (Bs) {
      int64_t split = cast<MemRefType>(Bs.getType()).getDimSize(2) /
                      cast<MemRefType>(B.getType()).getDimSize(2);
      v[fBGroups] = e.toI64(e.dim(B, 0));
      v[fBs] = addressOf(e, Bs);
      v[fLdbs] = strideOf(e, Bs, 1);
      v[fBsGroupStride] = strideOf(e, Bs, 0);
      v[fBsSplit] = e.ci64(split);
      if (Bs2) {
        v[fBs2] = addressOf(e, Bs2);
        v[fLdbs2] = strideOf(e, Bs2, 1);
        v[fBs2GroupStride] = strideOf(e, Bs2, 0);
      }
    }
    v[fC] = addressOf(e, out);
    v[fLdc] = strideOf(e, out, 0);
    v[fCRows] = cRows ? addressOf(e, cRows) : zero;
    v[fCDiv] = e.ci64(cDiv);
    v[fCScale] = cScale ? addressOf(e, cScale) : zero;
    for (int64_t i = 0; i < kFields; ++i)
      e.store(v[i], fields, {e.c(i)});
    Value block = addressOf(e, fields);
    func::CallOp::create(e.b, e.loc, kGemmFn, TypeRange{}, ValueRange{block});
  });
  if (writeBack) {
    memref::CopyOp::create(e.b, e.loc, out, writeBack);
    return writeBack;
  }
  return out;
}

FailureOr<SmallVector<Value>> lowerGemmOp(Operation *op, RewriterBase &rewriter,
                                          ArrayRef<Value> operands) {
  auto gemm = cast<GemmOp>(op);
  FailureOr<Value> out =
      lowerGemm(rewriter, gemm, GemmOp::Adaptor(operands, gemm));
  if (failed(out))
    return failure();
  return SmallVector<Value>{*out};
}

/// FreshResultBufferization, except that an init updated in place
/// (gemmInitInPlace) is written and its buffer is the result's: a GEMM
/// accumulating into another GEMM's result (multi-LoRA's expand GEMM into
/// the base GEMM's y, a down GEMM into the shared / special experts' sum)
/// allocates nothing and copies nothing.
struct GemmBufferization
    : public bufferization::BufferizableOpInterface::ExternalModel<
          GemmBufferization, GemmOp> {
  static bool isInPlaceInit(Operation *op, OpOperand &operand) {
    auto gemm = cast<GemmOp>(op);
    return gemmInitInPlace(gemm) &&
           gemm.getInitMutable().size() == 1 &&
           &operand == &gemm.getInitMutable()[0];
  }
  bool bufferizesToMemoryRead(Operation *, OpOperand &,
                              const bufferization::AnalysisState &) const {
    return true;
  }
  bool bufferizesToMemoryWrite(Operation *op, OpOperand &operand,
                               const bufferization::AnalysisState &) const {
    return isInPlaceInit(op, operand);
  }
  bufferization::AliasingValueList
  getAliasingValues(Operation *op, OpOperand &operand,
                    const bufferization::AnalysisState &) const {
    if (!isInPlaceInit(op, operand))
      return {};
    return {{op->getResult(0), bufferization::BufferRelation::Equivalent}};
  }
  bufferization::AliasingOpOperandList
  getAliasingOpOperands(Operation *op, Value,
                        const bufferization::AnalysisState &) const {
    auto gemm = cast<GemmOp>(op);
    if (!gemmInitInPlace(gemm))
      return {};
    return {{&gemm.getInitMutable()[0],
             bufferization::BufferRelation::Equivalent}};
  }
  bool bufferizesToAllocation(Operation *op, Value) const {
    return !gemmInitInPlace(cast<GemmOp>(op));
  }

  FailureOr<bufferization::BufferLikeType>
  getBufferType(Operation *op, Value value,
                const bufferization::BufferizationOptions &options,
                const bufferization::BufferizationState &state,
                SmallVector<Value> &invocationStack) const {
    auto gemm = cast<GemmOp>(op);
    if (gemmInitInPlace(gemm))
      return bufferization::getBufferType(gemm.getInit(), options, state,
                                          invocationStack);
    auto t = cast<RankedTensorType>(value.getType());
    return cast<bufferization::BufferLikeType>(
        MemRefType::get(t.getShape(), t.getElementType()));
  }

  LogicalResult bufferize(Operation *op, RewriterBase &rewriter,
                          const bufferization::BufferizationOptions &options,
                          bufferization::BufferizationState &state) const {
    return codegen::bufferizeByLowering(op, rewriter, options, state,
                                        lowerGemmOp);
  }
};

} // namespace

/// A buffer whose last dim is contiguous (copied into a fresh one if not).
Value codegen::ukContiguous(Emit &e, Value buf) {
  auto type = cast<MemRefType>(buf.getType());
  auto [strides, offset] = type.getStridesAndOffset();
  if (type.getRank() == 0 || strides.back() == 1)
    return buf;
  SmallVector<Value> dyn;
  for (int64_t i = 0; i < type.getRank(); ++i)
    if (type.isDynamicDim(i))
      dyn.push_back(e.dim(buf, i));
  Value copy = e.alloc(MemRefType::get(type.getShape(), type.getElementType()),
                       dyn);
  memref::CopyOp::create(e.b, e.loc, buf, copy);
  return copy;
}

/// Address of element 0 of `buf` as an i64.
Value codegen::ukAddressOf(Emit &e, Value buf) {
  auto type = cast<MemRefType>(buf.getType());
  auto md = memref::ExtractStridedMetadataOp::create(e.b, e.loc, buf);
  Value base = memref::ExtractAlignedPointerAsIndexOp::create(e.b, e.loc, buf);
  int64_t bytes = type.getElementTypeBitWidth() / 8;
  Value addr = e.addi(base, e.muli(md.getOffset(), e.c(bytes)));
  return e.toI64(addr);
}

/// Row stride (dim `i`'s stride) of `buf` as an i64.
Value codegen::ukStrideOf(Emit &e, Value buf, unsigned i) {
  auto md = memref::ExtractStridedMetadataOp::create(e.b, e.loc, buf);
  return e.toI64(md.getStrides()[i]);
}

void codegen::ukDeclare(Emit &e, Operation *op, StringRef fn) {
  auto module = op->getParentOfType<ModuleOp>();
  if (module.lookupSymbol<func::FuncOp>(fn))
    return;
  OpBuilder::InsertionGuard g(e.b);
  e.b.setInsertionPointToStart(module.getBody());
  func::FuncOp::create(e.b, e.loc, fn, e.b.getFunctionType({e.i64()}, {}))
      .setPrivate();
}

Value codegen::ukArgBlock(Emit &e, Operation *op, int64_t fields) {
  OpBuilder::InsertionGuard g(e.b);
  auto fn = op->getParentOfType<func::FuncOp>();
  e.b.setInsertionPointToStart(&fn.getBody().front());
  return memref::AllocaOp::create(e.b, e.loc,
                                  MemRefType::get({fields}, e.i64()));
}

void mlir::sluice::registerCpuGemmBufferization(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, SluiceDialect *) {
    codegen::loadLoweringDialects(ctx);
    GemmOp::attachInterface<GemmBufferization>(*ctx);
  });
}
