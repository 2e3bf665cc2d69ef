//===- KernelsTile.h - shared 32 x 32 GEMM tile helpers -----------*- C++ -*-===//
//
// The 32 x 32 output tile per 256-thread block used by grouped_matmul,
// lora_matmul, multi_lora_matmul and lowrank_matmul (KernelsMatmul.cpp):
// thread t owns outputs (t / 32 + 8 i, t % 32), i < 4; accumulators live in a
// shared tile; K is walked in 32-wide steps through shared memory.
//
//===----------------------------------------------------------------------===//

#ifndef SLUICE_CODEGEN_CUDA_KERNELSTILE_H
#define SLUICE_CODEGEN_CUDA_KERNELSTILE_H

#include "codegen/cuda/BlockProgram.h"

namespace mlir::sluice::cuda::tile {

constexpr int64_t kTile = 32;
constexpr int64_t kThreads = 256;
constexpr int64_t kOwned = kTile * kTile / kThreads; // 4

/// The shared tiles of one block.
struct Tiles {
  Value as, bs, acc;
};

Tiles allocTiles(codegen::Emit &e);

/// Calls f(r, c) for the outputs thread `t` owns (unrolled).
void forOwned(codegen::Emit &e, Value t, function_ref<void(Value, Value)> f);

/// Loads `m[idx]` when `ok`, else 0 (the address is not touched otherwise).
Value loadOrZero(codegen::Emit &e, Value m, ArrayRef<Value> idx, Value ok);

/// acc += A B over K in kTile steps. aAt(r, kk) / bAt(kk, c) give the tile
/// entries (0 outside the operands).
void emitTiledProduct(codegen::Emit &e, const Tiles &tl, Value kDim,
                      function_ref<Value(Value, Value)> aAt,
                      function_ref<Value(Value, Value)> bAt);

/// acc += x[row0 + r, :] w[:, col0 + c] for a dense x [rows, kDim] and
/// w [kDim, n] (entries outside them load as 0), K ascending.
void emitRowsTimesWeight(codegen::Emit &e, const Tiles &tl, Value x, Value w,
                         Value row0, Value col0, Value rows, Value kDim,
                         Value n);

Value ceilDiv(codegen::Emit &e, Value a, int64_t b);

/// The last phase of a tile: out[row0 + r, col0 + c] = acc[r, c] for the
/// entries inside [rows, cols).
void emitStoreTile(codegen::Emit &e, const Tiles &tl, Value row0, Value col0,
                   Value rows, Value cols, Value out);

} // namespace mlir::sluice::cuda::tile

#endif // SLUICE_CODEGEN_CUDA_KERNELSTILE_H
