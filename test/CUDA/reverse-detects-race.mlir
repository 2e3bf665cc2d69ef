// The reversed thread-phase order is a race detector: this block program
// reads, in the same phase, a workgroup entry another thread writes (a
// missing barrier). Forward and reverse CPU runs disagree; the fixed program
// (the read moved to the next phase) gives the same result both ways.
// RUN: sluice-opt %s --pass-pipeline="builtin.module(sluice-cuda-to-cpu,expand-strided-metadata,finalize-memref-to-llvm,convert-scf-to-cf,convert-arith-to-llvm,convert-index-to-llvm,convert-cf-to-llvm,convert-func-to-llvm,reconcile-unrealized-casts)" | mlir-runner -e main --entry-point-result=void --shared-libs=%mlir_runner_libs | FileCheck %s --check-prefix=FWD
// RUN: sluice-opt %s --pass-pipeline="builtin.module(sluice-cuda-to-cpu{reverse=1},expand-strided-metadata,finalize-memref-to-llvm,convert-scf-to-cf,convert-arith-to-llvm,convert-index-to-llvm,convert-cf-to-llvm,convert-func-to-llvm,reconcile-unrealized-casts)" | mlir-runner -e main --entry-point-result=void --shared-libs=%mlir_runner_libs | FileCheck %s --check-prefix=REV

// Racy: forward, thread t reads s[t - 1] already written by thread t - 1
// (out = [1, 2, 3]); reversed, s[t - 1] still holds its initial 0.
// FWD: sizes = [3]
// FWD-NEXT: [1,  2,  3]
// REV: sizes = [3]
// REV-NEXT: [0,  0,  0]
// Fixed: the same values in both orders.
// FWD: sizes = [3]
// FWD-NEXT: [1,  2,  3]
// REV: sizes = [3]
// REV-NEXT: [1,  2,  3]

func.func private @printMemrefF32(memref<*xf32>)

func.func @run(%fixed: i1) -> memref<3xf32> {
  %out = memref.alloc() : memref<3xf32>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.forall (%b) in (1) {
    %s = memref.alloca() : memref<4xf32, #gpu.address_space<workgroup>>
    scf.forall (%t) in (4) {
      %z = arith.constant 0.0 : f32
      memref.store %z, %s[%t] : memref<4xf32, #gpu.address_space<workgroup>>
    } {mapping = [#gpu.thread<x>]}
    scf.forall (%t) in (4) {
      %i = arith.index_cast %t : index to i32
      %f = arith.sitofp %i : i32 to f32
      %one = arith.constant 1.0 : f32
      %v = arith.addf %f, %one : f32
      memref.store %v, %s[%t] : memref<4xf32, #gpu.address_space<workgroup>>
      scf.if %fixed {
      } else {
        %pos = arith.cmpi sgt, %t, %c0 : index
        scf.if %pos {
          %p = arith.subi %t, %c1 : index
          %r = memref.load %s[%p] : memref<4xf32, #gpu.address_space<workgroup>>
          memref.store %r, %out[%p] : memref<3xf32>
        }
      }
    } {mapping = [#gpu.thread<x>]}
    scf.if %fixed {
      scf.forall (%t) in (4) {
        %pos = arith.cmpi sgt, %t, %c0 : index
        scf.if %pos {
          %p = arith.subi %t, %c1 : index
          %r = memref.load %s[%p] : memref<4xf32, #gpu.address_space<workgroup>>
          memref.store %r, %out[%p] : memref<3xf32>
        }
      } {mapping = [#gpu.thread<x>]}
    }
  } {mapping = [#gpu.block<x>]}
  return %out : memref<3xf32>
}

func.func @main() {
  %f = arith.constant false
  %t = arith.constant true
  %a = func.call @run(%f) : (i1) -> memref<3xf32>
  %b = func.call @run(%t) : (i1) -> memref<3xf32>
  %ua = memref.cast %a : memref<3xf32> to memref<*xf32>
  %ub = memref.cast %b : memref<3xf32> to memref<*xf32>
  func.call @printMemrefF32(%ua) : (memref<*xf32>) -> ()
  func.call @printMemrefF32(%ub) : (memref<*xf32>) -> ()
  return
}
