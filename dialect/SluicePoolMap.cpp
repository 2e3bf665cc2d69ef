//===- SluicePoolMap.cpp - sluice.pool_map -------------------------------===//

#include "dialect/SluiceOps.h"

using namespace mlir;
using namespace mlir::sluice;

Value PoolMapOp::getShapeInput() {
  unsigned rank = getMapRank();
  for (auto [in, map] : llvm::zip(getInputs(), getIndexingMaps()))
    if (cast<AffineMapAttr>(map).getValue() ==
        AffineMap::getMultiDimIdentityMap(rank, getContext()))
      return in;
  return Value();
}

LogicalResult PoolMapOp::verify() {
  unsigned rank = getMapRank();
  if (getInputs().empty())
    return emitOpError("expects at least one input");
  if (getIndexingMaps().size() != getInputs().size())
    return emitOpError("expects one indexing map per input (")
           << getInputs().size() << "), got " << getIndexingMaps().size();
  if (getOffsets() && (getMask() || getLengths()))
    return emitOpError("expects no mask or lengths with offsets");
  if (getMask() && getLengths())
    return emitOpError("expects at most one of mask and lengths");
  if (getGroupP() && getKind() != PoolKind::gem)
    return emitOpError("expects group_p only with kind gem");
  Block &block = getBody().front();
  if (block.getNumArguments() != getInputs().size())
    return emitOpError("expects one region argument per input (")
           << getInputs().size() << "), got " << block.getNumArguments();
  for (auto [i, in, map] :
       llvm::enumerate(getInputs(), getIndexingMaps().getAsValueRange<AffineMapAttr>())) {
    auto type = cast<RankedTensorType>(in.getType());
    if (map.getNumDims() != rank || map.getNumSymbols() != 0 ||
        map.getNumResults() != type.getRank() || !map.isProjectedPermutation())
      return emitOpError("expects indexing map ")
             << i << " to be a projected permutation of " << rank
             << " dims onto the input's rank " << type.getRank() << ", got "
             << AffineMapAttr::get(map);
    if (block.getArgument(i).getType() != type.getElementType())
      return emitOpError("expects region argument ")
             << i << " of type " << type.getElementType() << ", got "
             << block.getArgument(i).getType();
  }
  if (!getShapeInput())
    return emitOpError("expects an input with the identity indexing map");
  if (!isa<YieldOp>(block.getTerminator()))
    return emitOpError("expects the region to end in sluice.yield");
  return success();
}
