//===- SluiceGpuOps.td - block-program collectives ---------*- tablegen -*-===//
//
// The `sluice_gpu` dialect holds the ops of the block-program level that no
// upstream dialect has: warp collectives with one lowering per target
// (gpu.shuffle xor on the GPU, the same butterfly as a loop on the CPU).
//
//===----------------------------------------------------------------------===//

#ifndef SLUICE_GPU_OPS_TD
#define SLUICE_GPU_OPS_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/EnumAttr.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def SluiceGpu_Dialect : Dialect {
  let name = "sluice_gpu";
  let cppNamespace = "::mlir::sluice_gpu";
  let summary = "Block-program collectives of the Sluice CUDA backend";
  let description = [{
    Ops of the block-program level (docs/cuda.md) that lower differently on
    the GPU and on the CPU but give bit-identical results on both.
  }];
  let dependentDialects = ["::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect"];
}

def SluiceGpu_WarpReduceKind : I32EnumAttr<"WarpReduceKind",
    "combiner of a warp butterfly", [
      I32EnumAttrCase<"addf", 0>,
      I32EnumAttrCase<"maximumf", 1>,
      I32EnumAttrCase<"minimumf", 2>,
      I32EnumAttrCase<"maxui", 3>
    ]> {
  let cppNamespace = "::mlir::sluice_gpu";
}

def SluiceGpu_WarpReduceOp : Op<SluiceGpu_Dialect, "warp_reduce"> {
  let summary = "in-place xor-butterfly all-reduce of every warp of a buffer";
  let description = [{
    A block-level statement (between thread phases, never inside one):
    `buf[N]` holds one value per thread (N a multiple of 32); afterwards every
    lane of warp w holds the reduction of `buf[32w .. 32w+31]`, computed in
    the butterfly order `v = op(v, v[lane ^ o])` for o = 16, 8, 4, 2, 1.
    Element type f32 (addf, maximumf, minimumf) or i64 (maxui).

    ```mlir
    sluice_gpu.warp_reduce addf %buf : memref<128xf32, #gpu.address_space<workgroup>>
    ```
  }];
  let arguments = (ins Arg<AnyMemRef, "", [MemRead, MemWrite]>:$buffer,
                       SluiceGpu_WarpReduceKind:$kind);
  let assemblyFormat = "$kind $buffer attr-dict `:` type($buffer)";
  let hasVerifier = 1;
}

#endif // SLUICE_GPU_OPS_TD
