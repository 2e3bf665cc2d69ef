// sluice_gpu.report_error: the verifier, and its two lowerings. On the GPU
// the first error wins through a compare-and-swap of word 0 of the module global
// sluice_device_error (0 -> 1 + site id), the winner stores the values to
// words 1 and 2, and the site table sluice.device_error_sites lands on the
// top-level module (outlining clones the global into the gpu.module). On
// the CPU it becomes the CPU lowering's `if (cond) sluice_rt_error(msg, v0, v1)`.
// RUN: sluice-opt %s --sluice-cuda-to-gpu | FileCheck %s --check-prefix=GPU
// RUN: sluice-opt %s --sluice-cuda-to-gpu --gpu-kernel-outlining | FileCheck %s --check-prefix=OUT
// RUN: sluice-opt %s --sluice-cuda-to-cpu | FileCheck %s --check-prefix=CPU
// RUN: sluice-opt %s | sluice-opt | FileCheck %s --check-prefix=ROUND
// ROUND: sluice_gpu.report_error %{{.*}}, "f.mlir:1:2: sluice.x: index {0} out of range at {1}"(%{{.*}}, %{{.*}})
// ROUND: sluice_gpu.report_error %{{.*}}, "f.mlir:3:4: sluice.y: empty"{{$}}

func.func @check(%idx: memref<?xi32>, %out: memref<?xf32>) {
  %c0 = arith.constant 0 : index
  %c8 = arith.constant 8 : index
  %true = arith.constant true
  %n = memref.dim %idx, %c0 : memref<?xi32>
  %g = arith.ceildivsi %n, %c8 : index
  scf.forall (%b) in (%g) {
    scf.forall (%t) in (8) {
      %bt = arith.muli %b, %c8 : index
      %i = arith.addi %bt, %t : index
      %in = arith.cmpi slt, %i, %n : index
      scf.if %in {
        %v = memref.load %idx[%i] : memref<?xi32>
        %vi = arith.index_cast %v : i32 to index
        %lo = arith.cmpi slt, %vi, %c0 : index
        %hi = arith.cmpi sge, %vi, %n : index
        %bad = arith.ori %lo, %hi : i1
        %v64 = arith.extsi %v : i32 to i64
        %i64 = arith.index_cast %i : index to i64
        sluice_gpu.report_error %bad, "f.mlir:1:2: sluice.x: index {0} out of range at {1}" (%v64, %i64)
        %ok = arith.xori %bad, %true : i1
        scf.if %ok {
          %f = arith.sitofp %v : i32 to f32
          memref.store %f, %out[%vi] : memref<?xf32>
        }
      }
    } {mapping = [#gpu.thread<x>]}
    %empty = arith.cmpi eq, %n, %c0 : index
    sluice_gpu.report_error %empty, "f.mlir:3:4: sluice.y: empty"
  } {mapping = [#gpu.block<x>]}
  return
}

// GPU: module attributes {sluice.device_error_sites = ["f.mlir:1:2: sluice.x: index {0} out of range at {1}", "f.mlir:3:4: sluice.y: empty"]}
// GPU: memref.global @sluice_device_error : memref<4xi64> = dense<0>
// GPU-LABEL: func.func @check
// GPU: gpu.launch
// GPU: scf.if %[[BAD:.*]] {
// GPU: %[[G:.*]] = memref.get_global @sluice_device_error : memref<4xi64>
// GPU: memref.extract_aligned_pointer_as_index %[[G]]
// GPU: llvm.inttoptr
// GPU-DAG: %[[C0:.*]] = arith.constant 0 : i64
// GPU-DAG: %[[SITE1:.*]] = arith.constant 1 : i64
// GPU: %[[CAS:.*]] = llvm.cmpxchg %{{.*}}, %[[C0]], %[[SITE1]] acq_rel monotonic : !llvm.ptr, i64
// GPU: %[[WON:.*]] = llvm.extractvalue %[[CAS]][1]
// GPU: scf.if %[[WON]] {
// GPU: memref.store %{{.*}}, %[[G]][%{{.*}}] : memref<4xi64>
// GPU: memref.store %{{.*}}, %[[G]][%{{.*}}] : memref<4xi64>
// GPU: }
// The block-level report (site 1 -> word 0 = 2, no values).
// GPU: memref.get_global @sluice_device_error
// GPU: %[[SITE2:.*]] = arith.constant 2 : i64
// GPU: llvm.cmpxchg %{{.*}}, %{{.*}}, %[[SITE2]] acq_rel monotonic
// GPU-NOT: scf.if
// GPU-NOT: sluice_gpu.report_error
// GPU: gpu.terminator

// OUT: module attributes {gpu.container_module, sluice.device_error_sites = [
// OUT: gpu.module @check_kernel
// OUT: gpu.func
// OUT: memref.get_global @sluice_device_error
// OUT: llvm.cmpxchg
// OUT: memref.global @sluice_device_error : memref<4xi64> = dense<0>

// CPU-DAG: llvm.mlir.global internal constant @{{.*}}("f.mlir:3:4: sluice.y: empty\00")
// CPU-DAG: llvm.mlir.global internal constant @{{.*}}("f.mlir:1:2: sluice.x: index {0} out of range at {1}\00")
// CPU-DAG: func.func private @sluice_rt_error(!llvm.ptr, i64, i64)
// CPU-LABEL: func.func @check
// CPU: scf.if %{{.*}} {
// CPU: %[[M:.*]] = llvm.mlir.addressof
// CPU: func.call @sluice_rt_error(%[[M]], %{{.*}}, %{{.*}})
// CPU: scf.if %{{.*}} {
// CPU: %[[M2:.*]] = llvm.mlir.addressof
// CPU: func.call @sluice_rt_error(%[[M2]], %c0_i64{{.*}}, %c0_i64{{.*}})
// CPU-NOT: sluice_gpu
