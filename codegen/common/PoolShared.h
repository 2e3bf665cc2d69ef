//===- PoolShared.h - pooling bounds shared by the CPU and CUDA lowerings -===//
//
// The index arithmetic of segment_pool / pool_map (segment bounds) and of
// adaptive_pool / spatial_pyramid_pool (bin bounds, the bin reduction, the
// H, W >= 1 check) that the CPU lowering (LowerPooling.cpp) and the CUDA
// schedules (KernelsPool2.cpp) both emit.
//
//===----------------------------------------------------------------------===//

#ifndef SLUICE_CODEGEN_COMMON_POOLSHARED_H
#define SLUICE_CODEGEN_COMMON_POOLSHARED_H

#include "codegen/common/Lowering.h"

#include <utility>

namespace mlir::sluice::codegen {

/// Rows [lo, hi) of segment `bb`: offsets[bb] clamped to [0, rows],
/// offsets[bb + 1] clamped to [lo, rows] (so a bad offsets operand, already
/// reported, never reads outside x).
std::pair<Value, Value> emitSegmentBounds(Emit &e, Value offsets, Value bb,
                                          Value rows);

/// H, W >= 1 (dims 2 and 3 of x): checked at run time where dynamic (an
/// empty bin would make avg 0/0 and max -inf).
void emitCheckSpatial(Emit &e, Operation *op, Value x);

/// Input range [floor(i in / o), ceil((i + 1) in / o)) of adaptive bin i of
/// `o` bins over `in` inputs.
std::pair<Value, Value> emitAdaptiveBounds(Emit &e, Value i, Value in,
                                           Value o);

/// Max or average of x[bb, cc, h0..h1, w0..w1] (rows outer, columns inner,
/// ascending).
Value emitAdaptiveReduce(Emit &e, SpatialPoolKind kind, Value x, Value bb,
                         Value cc, Value h0, Value h1, Value w0, Value w1);

} // namespace mlir::sluice::codegen

#endif // SLUICE_CODEGEN_COMMON_POOLSHARED_H
