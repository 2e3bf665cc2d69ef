//===- Emit.h - scalar loop-code emission helpers ---------------*- C++ -*-===//
//
// A thin layer over OpBuilder for writing the buffer-level lowering of sluice
// ops as plain loops: constants, memref loads/stores, scf.for / scf.if with
// lambdas, arithmetic and math. Shared by every backend; the CPU and CUDA
// backends differ in how they schedule these loops, not in their bodies.
//
//===----------------------------------------------------------------------===//

#ifndef SLUICE_CODEGEN_COMMON_EMIT_H
#define SLUICE_CODEGEN_COMMON_EMIT_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"

#include <functional>

namespace mlir::sluice::codegen {

/// Emission context: a builder and the location of the op being lowered.
class Emit {
public:
  Emit(OpBuilder &b, Location loc) : b(b), loc(loc) {}

  OpBuilder &b;
  Location loc;

  // Types.
  Type f32() { return b.getF32Type(); }
  Type i32() { return b.getI32Type(); }
  Type i64() { return b.getI64Type(); }
  Type idx() { return b.getIndexType(); }

  // Constants.
  Value c(int64_t v);  ///< index
  Value cf(double v);  ///< f32
  Value ci32(int32_t v);
  Value ci64(int64_t v);
  Value ci1(bool v);
  Value posInf() { return cf(std::numeric_limits<double>::infinity()); }
  Value negInf() { return cf(-std::numeric_limits<double>::infinity()); }

  // Buffers.
  Value dim(Value memref, unsigned i);
  Value load(Value memref, ValueRange indices);
  void store(Value v, Value memref, ValueRange indices);
  /// A fresh identity-layout buffer; `dynSizes` holds one index per `?`.
  Value alloc(MemRefType type, ValueRange dynSizes);
  /// A fresh buffer of the given sizes (index values) and element type.
  Value allocSized(ArrayRef<Value> sizes, Type elt);
  /// A stack buffer of the given sizes (memref.alloca): per-iteration
  /// scratch inside parallelFor bodies (freed by their alloca scope).
  Value allocaSized(ArrayRef<Value> sizes, Type elt);
  /// Fills a buffer of any rank with `v`.
  void fill(Value memref, Value v);

  // Control flow.
  void forLoop(Value lb, Value ub, function_ref<void(Value)> body);
  void forLoop(Value ub, function_ref<void(Value)> body) {
    forLoop(c(0), ub, body);
  }
  /// scf.parallel over [0, ub): iterations must be independent (each writes
  /// its own part of the outputs). The CPU pipeline runs the outermost such
  /// loops on the runtime's pool (sluice-cpu-outline-parallel). The body is
  /// wrapped in memref.alloca_scope, so stack buffers do not pile up.
  void parallelFor(Value ub, function_ref<void(Value)> body);
  /// scf.for carrying `inits`; the body returns the next values.
  SmallVector<Value>
  forLoopAcc(Value lb, Value ub, ValueRange inits,
             function_ref<SmallVector<Value>(Value, ValueRange)> body);
  Value forLoopAcc1(Value lb, Value ub, Value init,
                    function_ref<Value(Value, Value)> body);
  void ifThen(Value cond, function_ref<void()> then);
  /// scf.if with results.
  SmallVector<Value> ifElse(Value cond, TypeRange types,
                            function_ref<SmallVector<Value>()> then,
                            function_ref<SmallVector<Value>()> otherwise);
  Value ifElse1(Value cond, Type type, function_ref<Value()> then,
                function_ref<Value()> otherwise);

  // Index / integer arithmetic.
  Value addi(Value a, Value b);
  Value subi(Value a, Value b);
  Value muli(Value a, Value b);
  Value divsi(Value a, Value b);
  Value remsi(Value a, Value b);
  Value minsi(Value a, Value b);
  Value maxsi(Value a, Value b);
  Value cmpi(arith::CmpIPredicate p, Value a, Value b);
  Value toIndex(Value intValue);
  Value toI32(Value v);
  Value toI64(Value v);
  Value indexToF32(Value v);

  // Float arithmetic.
  Value addf(Value a, Value b);
  Value subf(Value a, Value b);
  Value mulf(Value a, Value b);
  Value divf(Value a, Value b);
  Value negf(Value a);
  Value maxf(Value a, Value b); ///< NaN-propagating
  Value minf(Value a, Value b); ///< NaN-propagating
  Value absf(Value a);
  Value exp(Value a);
  Value log(Value a);
  Value powf(Value a, Value b);
  Value sqrt(Value a);
  Value tanh(Value a);
  Value erf(Value a);
  Value sigmoid(Value a);
  Value cmpf(arith::CmpFPredicate p, Value a, Value b);
  Value isNan(Value a);
  Value select(Value cond, Value a, Value b);
  Value andi(Value a, Value b);
  Value ori(Value a, Value b);
  Value noti(Value a);

  /// `v == 0.0` for an f32 value.
  Value arithEqZero(Value v);

  /// `mask[...] != 0` for a mask buffer of any integer element type.
  Value nonzero(Value maskValue);
};

/// Reports a run-time error through the runtime hook
/// `sluice_rt_error(const char *message, int64_t v0, int64_t v1)` when
/// `cond` holds. `message` may contain `{0}` and `{1}`, replaced by v0, v1.
/// The op's location is prepended to the message.
void emitRuntimeCheck(Emit &e, Operation *op, Value cond, StringRef message,
                      Value v0 = {}, Value v1 = {});

/// The full text emitRuntimeCheck passes to the hook:
/// `file:line:col: sluice.op: message` (the user's op of a decomposition).
std::string runtimeErrorText(Operation *op, StringRef message);

/// Calls the hook with an already formatted `text` when `cond` holds (the
/// hook's declaration and the string global are added to `module`).
void emitRuntimeErrorCall(Emit &e, ModuleOp module, Value cond, StringRef text,
                          Value v0 = {}, Value v1 = {});

} // namespace mlir::sluice::codegen

#endif // SLUICE_CODEGEN_COMMON_EMIT_H
