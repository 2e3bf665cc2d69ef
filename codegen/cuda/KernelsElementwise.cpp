//===- KernelsElementwise.cpp - CUDA schedules of glu, sigmoid_gate, dispatch -===//
//
// Row-parallel ops: grid (rows..., ceil(F / 128)), 128 threads, one output
// element per thread in one barrier-free phase (loads and stores coalesced
// along the last dim).
//
//===----------------------------------------------------------------------===//

#include "codegen/common/Lowering.h"
#include "codegen/cuda/BlockProgram.h"

using namespace mlir;
using namespace mlir::sluice;
using namespace mlir::sluice::codegen;
using namespace mlir::sluice::cuda;
using IP = arith::CmpIPredicate;

static constexpr int64_t kThreads = 128;

/// A block program over rows `lead` (1 or 2 dims) x ceil(cols / 128) column
/// blocks; `body(rowIds, col)` runs for every col < cols.
static void rowProgram(Emit &e, ArrayRef<Value> lead, Value cols,
                       function_ref<void(ValueRange, Value)> body) {
  SmallVector<Value> grid(lead);
  grid.push_back(e.divsi(e.addi(cols, e.c(kThreads - 1)), e.c(kThreads)));
  buildBlockProgram(e.b, e.loc, grid, [&](ValueRange ids) {
    buildThreadPhase(e.b, e.loc, kThreads, [&](Value t) {
      Value col = e.addi(e.muli(ids.back(), e.c(kThreads)), t);
      e.ifThen(e.cmpi(IP::slt, col, cols),
               [&] { body(ids.drop_back(), col); });
    });
  });
}

FailureOr<SmallVector<Value>>
cuda::buildGluKernel(Emit &e, Operation *o, ArrayRef<Value> operands) {
  auto op = cast<GluOp>(o);
  GluOp::Adaptor a(operands, op);
  Value gate = a.getGate(), up = a.getUp();
  auto type = cast<RankedTensorType>(op.getType());
  unsigned rank = type.getRank();
  SmallVector<Value> sizes;
  for (unsigned i = 0; i < rank; ++i) {
    sizes.push_back(e.dim(gate, i));
    emitRuntimeCheck(e, op, e.cmpi(IP::ne, e.dim(up, i), sizes.back()),
                     "expects up dim " + std::to_string(i) +
                         " ({0}) to equal gate dim " + std::to_string(i) +
                         " ({1})",
                     e.dim(up, i), sizes.back());
  }
  Value out = allocResult(e, type, sizes);
  ArrayRef<Value> lead = ArrayRef<Value>(sizes).drop_back();
  rowProgram(e, lead, sizes.back(), [&](ValueRange rows, Value col) {
    SmallVector<Value> idx(rows);
    idx.push_back(col);
    Value g = e.load(gate, idx);
    e.store(e.mulf(emitActivation(e, op.getAct(), g), e.load(up, idx)), out,
            idx);
  });
  return SmallVector<Value>{out};
}

FailureOr<SmallVector<Value>>
cuda::buildSigmoidGateKernel(Emit &e, Operation *o, ArrayRef<Value> operands) {
  auto op = cast<SigmoidGateOp>(o);
  SigmoidGateOp::Adaptor a(operands, op);
  Value x = a.getX(), g = a.getG();
  Value t = e.dim(x, 0), cols = e.dim(x, 1), heads = e.dim(g, 1);
  emitRuntimeCheck(e, op, e.cmpi(IP::ne, e.dim(g, 0), t),
                   "expects g dim 0 ({0}) to equal x dim 0 ({1})", e.dim(g, 0),
                   t);
  Value out = allocResult(e, op.getType(), {t, cols});
  Value width = e.divsi(cols, e.maxsi(heads, e.c(1)));
  Value rem = e.remsi(cols, e.maxsi(heads, e.c(1)));
  Value fits = e.ori(e.cmpi(IP::eq, cols, heads),
                     e.andi(e.cmpi(IP::sgt, heads, e.c(0)),
                            e.cmpi(IP::eq, rem, e.c(0))));
  emitRuntimeCheck(e, op, e.noti(fits),
                   "expects the columns of x ({0}) to be a multiple of the "
                   "heads of g ({1})",
                   cols, heads);
  e.ifThen(fits, [&] {
    rowProgram(e, {t}, cols, [&](ValueRange rows, Value col) {
      Value gv = e.load(g, {rows[0], e.divsi(col, e.maxsi(width, e.c(1)))});
      e.store(e.mulf(e.load(x, {rows[0], col}), e.sigmoid(gv)), out,
              {rows[0], col});
    });
  });
  return SmallVector<Value>{out};
}

FailureOr<SmallVector<Value>>
cuda::buildDispatchKernel(Emit &e, Operation *o, ArrayRef<Value> operands) {
  auto op = cast<DispatchOp>(o);
  DispatchOp::Adaptor a(operands, op);
  Value x = a.getX(), slots = a.getSlots();
  Value p = e.dim(slots, 0), d = e.dim(x, 1), t = e.dim(x, 0);
  Value k = e.c(op.getK());
  Value limit = e.muli(t, k);
  Value out = allocResult(e, op.getType(), {p, d});
  // Slots outside [0, T*k) give zero rows; those other than the padding -1
  // are reported (sluice_gpu.report_error, first error wins).
  rowProgram(e, {p}, d, [&](ValueRange rows, Value col) {
    Value s = e.toIndex(e.load(slots, {rows[0]}));
    Value valid = e.andi(e.cmpi(IP::sge, s, e.c(0)), e.cmpi(IP::slt, s, limit));
    Value bad = e.andi(e.noti(valid), e.cmpi(IP::ne, s, e.c(-1)));
    reportError(e, op, bad, "slot {0} at position {1} out of range [-1, T*k)",
                s, rows[0]);
    Value row = e.select(valid, e.divsi(s, k), e.c(0));
    Value v = e.ifElse1(
        valid, e.f32(), [&] { return e.load(x, {row, col}); },
        [&] { return e.cf(0); });
    e.store(v, out, {rows[0], col});
  });
  return SmallVector<Value>{out};
}
