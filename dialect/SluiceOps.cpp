//===- SluiceOps.cpp - generated op definitions ---------------------------===//
//
// The ODS-generated op classes. Verifiers and shape inference are in
// SluiceVerify.cpp, folds and canonicalizations in SluiceFolders.cpp.
//
//===----------------------------------------------------------------------===//

#include "dialect/SluiceOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"

using namespace mlir;
using namespace mlir::sluice;

#define GET_OP_CLASSES
#include "dialect/SluiceOps.cpp.inc"
