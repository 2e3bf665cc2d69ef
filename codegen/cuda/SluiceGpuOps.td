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
    the GPU and on the CPU but give the same results on both: warp
    collectives and device-side run-time error reports.
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

def SluiceGpu_ReportErrorOp : Op<SluiceGpu_Dialect, "report_error",
    [MemoryEffects<[MemWrite]>]> {
  let summary = "report a data-dependent run-time error when a condition holds";
  let description = [{
    Usable inside a thread phase (a per-thread check) or at block level. When
    `condition` holds, the error `message` is raised with up to two i64
    values (`{0}` and `{1}` in the message stand for them). `message` is the
    complete text the CPU lowering of the op reports (`file:line:col:
    sluice.op: ...`, see codegen::runtimeErrorText). Execution goes on: the
    code around it must never address outside a buffer (skip or clamp).

    - CPU (`sluice-cuda-to-cpu`): `if (cond) sluice_rt_error(msg, v0, v1)`,
      exactly what the CPU lowering emits.
    - GPU (`sluice-cuda-to-gpu`): the first error wins: a compare-and-swap of
      word 0 of the global `sluice_device_error : memref<4xi64>` (cloned into
      the gpu.module by outlining) from 0 to 1 + site id; the winner stores
      the values to words 1 and 2. The site id indexes the string array
      `sluice.device_error_sites` on the top-level module.

    ```mlir
    sluice_gpu.report_error %bad, "f.mlir:3:8: sluice.route: expert index {0} out of range" (%id, %slot)
    ```
  }];
  let arguments = (ins I1:$condition, StrAttr:$message,
                       Variadic<I64>:$values);
  let assemblyFormat =
      "$condition `,` $message (`(` $values^ `)`)? attr-dict";
  let hasVerifier = 1;
}

#endif // SLUICE_GPU_OPS_TD
