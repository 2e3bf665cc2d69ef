// sluice_gpu.warp_reduce: the verifier, and its two lowerings, which apply
// the same xor butterfly (offsets 16, 8, 4, 2, 1; v = op(v, v[lane ^ o])),
// so fp32 results are bit-identical on the GPU and on the CPU.
// RUN: sluice-opt %s --sluice-cuda-to-gpu | FileCheck %s --check-prefix=GPU
// RUN: sluice-opt %s --sluice-cuda-to-cpu | FileCheck %s --check-prefix=CPU
// RUN: sluice-opt %s | sluice-opt | FileCheck %s --check-prefix=ROUND
// ROUND: sluice_gpu.warp_reduce addf %{{.*}} : memref<64xf32, #gpu.address_space<workgroup>>

func.func @sum(%out: memref<?xf32>) {
  %c0 = arith.constant 0 : index
  %g = memref.dim %out, %c0 : memref<?xf32>
  scf.forall (%b) in (%g) {
    %s = memref.alloca() : memref<64xf32, #gpu.address_space<workgroup>>
    scf.forall (%t) in (64) {
      %v = arith.index_cast %t : index to i32
      %f = arith.sitofp %v : i32 to f32
      memref.store %f, %s[%t] : memref<64xf32, #gpu.address_space<workgroup>>
    } {mapping = [#gpu.thread<x>]}
    sluice_gpu.warp_reduce addf %s : memref<64xf32, #gpu.address_space<workgroup>>
    %r = memref.load %s[%c0] : memref<64xf32, #gpu.address_space<workgroup>>
    memref.store %r, %out[%b] : memref<?xf32>
  } {mapping = [#gpu.block<x>]}
  return
}

// GPU-LABEL: func.func @sum
// GPU: scf.if
// GPU: gpu.launch
// GPU-SAME: workgroup(%[[S:.*]] : memref<64xf32, #gpu.address_space<workgroup>>)
// GPU: memref.store %{{.*}}, %[[S]][%{{.*}}]
// GPU-NEXT: gpu.barrier
// GPU: %[[V:.*]] = memref.load %[[S]]
// GPU: %[[R1:.*]], %{{.*}} = gpu.shuffle  xor %[[V]], %c16_i32, %c32_i32{{.*}} : f32
// GPU-NEXT: %[[A1:.*]] = arith.addf %[[V]], %[[R1]] : f32
// GPU: %[[R2:.*]], %{{.*}} = gpu.shuffle  xor %[[A1]], %c8_i32, %c32_i32{{.*}} : f32
// GPU-NEXT: %[[A2:.*]] = arith.addf %[[A1]], %[[R2]] : f32
// GPU: %[[R3:.*]], %{{.*}} = gpu.shuffle  xor %[[A2]], %c4_i32, %c32_i32{{.*}} : f32
// GPU-NEXT: %[[A3:.*]] = arith.addf %[[A2]], %[[R3]] : f32
// GPU: %[[R4:.*]], %{{.*}} = gpu.shuffle  xor %[[A3]], %c2_i32, %c32_i32{{.*}} : f32
// GPU-NEXT: %[[A4:.*]] = arith.addf %[[A3]], %[[R4]] : f32
// GPU: %[[R5:.*]], %{{.*}} = gpu.shuffle  xor %[[A4]], %c1_i32, %c32_i32{{.*}} : f32
// GPU-NEXT: %[[A5:.*]] = arith.addf %[[A4]], %[[R5]] : f32
// GPU-NEXT: memref.store %[[A5]], %[[S]]
// GPU-NEXT: gpu.barrier
// GPU-NOT: gpu.shuffle

// CPU-LABEL: func.func @sum
// CPU-NOT: gpu.
// CPU-NOT: scf.forall
// CPU-DAG: memref.alloca() : memref<32xf32>
// CPU-DAG: memref.alloca() : memref<64xf32>
// CPU: arith.xori %{{.*}}, %c16 : index
// CPU: %[[M:.*]] = memref.load %{{.*}}[%{{.*}}] : memref<64xf32>
// CPU: %[[O:.*]] = memref.load %{{.*}}[%{{.*}}] : memref<64xf32>
// CPU: arith.addf %[[M]], %[[O]] : f32
// CPU: arith.xori %{{.*}}, %c8 : index
// CPU: arith.xori %{{.*}}, %c4 : index
// CPU: arith.xori %{{.*}}, %c2{{(_[0-9]+)?}} : index
// CPU: arith.xori %{{.*}}, %c1{{(_[0-9]+)?}} : index
// CPU-NOT: arith.xori
