//===- SluiceOps.h - the sluice dialect and its ops -------------*- C++ -*-===//
//
// Public header of the sluice dialect: the dialect class, its enums and enum
// attributes, and every op of the v1 op set.
//
//===----------------------------------------------------------------------===//

#ifndef SLUICE_DIALECT_SLUICEOPS_H
#define SLUICE_DIALECT_SLUICEOPS_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "dialect/SluiceDialect.h.inc"
#include "dialect/SluiceEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "dialect/SluiceAttrs.h.inc"

#define GET_OP_CLASSES
#include "dialect/SluiceOps.h.inc"

namespace mlir::sluice {

/// Result types are compatible when element types agree and shapes are
/// compatible (a static size may refine an inferred `?`).
bool areCompatibleResultTypes(TypeRange inferred, TypeRange actual);

} // namespace mlir::sluice

#endif // SLUICE_DIALECT_SLUICEOPS_H
