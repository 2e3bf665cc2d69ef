//===- SluiceDialect.cpp - sluice dialect registration --------------------===//

#include "dialect/SluiceOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::sluice;

#include "dialect/SluiceDialect.cpp.inc"
#include "dialect/SluiceEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "dialect/SluiceAttrs.cpp.inc"

void SluiceDialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "dialect/SluiceAttrs.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "dialect/SluiceOps.cpp.inc"
      >();
}
