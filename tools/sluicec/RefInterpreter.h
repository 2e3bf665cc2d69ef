//===- RefInterpreter.h - a model function on the reference evaluator -*- C++ -*-===//

#ifndef SLUICE_TOOLS_SLUICEC_REFINTERPRETER_H
#define SLUICE_TOOLS_SLUICEC_REFINTERPRETER_H

#include "runtime/reference/Reference.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace sluicec {

/// Evaluates `fn` (before lowering) on `inputs`, one per argument, with the
/// reference evaluator; fills `outputs`, one per result.
::sluice::ref::Status interpretFunction(mlir::func::FuncOp fn,
                              const std::vector<::sluice::ref::Tensor> &inputs,
                              std::vector<::sluice::ref::Tensor> &outputs);

} // namespace sluicec

#endif // SLUICE_TOOLS_SLUICEC_REFINTERPRETER_H
