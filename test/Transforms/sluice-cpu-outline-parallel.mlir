// RUN: sluice-opt %s --sluice-cpu-outline-parallel | FileCheck %s
// RUN: sluice-opt %s --sluice-cpu-outline-parallel --convert-scf-to-cf --convert-arith-to-llvm --finalize-memref-to-llvm --convert-func-to-llvm --reconcile-unrealized-casts --sluice-cpu-parallel-runtime | FileCheck %s --check-prefix=LLVM

// The outermost parallel loop becomes a body function over a chunk [lo, hi)
// of iterations and a call to its dispatcher; the nested loop stays inside.
// CHECK-LABEL: func.func private @__sluice_par_scale_0(
// CHECK-SAME: %[[LO:[^:]+]]: index, %[[HI:[^:]+]]: index, %[[LB:[^:]+]]: index, %[[STEP:[^:]+]]: index, %[[M:[^:]+]]: memref<?x8xf32>, %[[F:[^:]+]]: f32)
// CHECK: scf.for %[[I:.+]] = %[[LO]] to %[[HI]]
// CHECK: %[[MUL:.+]] = arith.muli %[[I]], %[[STEP]]
// CHECK: %[[IV:.+]] = arith.addi %[[LB]], %[[MUL]]
// CHECK: scf.parallel
// CHECK: memref.load %[[M]][%[[IV]],
// CHECK: func.func private @__sluice_par_scale_0_dispatch(index, index, index, index, memref<?x8xf32>, f32) attributes {sluice.parallel_body = "__sluice_par_scale_0"}
// CHECK-LABEL: func.func @scale
// CHECK: %[[N:.+]] = arith.ceildivsi
// CHECK: %[[CLAMP:.+]] = arith.maxsi %[[N]], %[[ZERO:[a-z0-9_]+]]
// CHECK: call @__sluice_par_scale_0_dispatch(%[[ZERO]], %[[CLAMP]], %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}})
// CHECK-NOT: scf.parallel

// The dispatcher packs its arguments and calls the pool with a trampoline
// that unpacks them and calls the body.
// LLVM: llvm.func @sluice_rt_parallel_for(i64, i64, !llvm.ptr, !llvm.ptr)
// LLVM: llvm.func internal @__sluice_par_scale_0_dispatch(
// LLVM: llvm.alloca
// LLVM: llvm.mlir.addressof @__sluice_par_scale_0_tramp
// LLVM: llvm.call @sluice_rt_parallel_for(
// LLVM: llvm.func internal @__sluice_par_scale_0_tramp(%{{.+}}: i64, %{{.+}}: i64, %{{.+}}: !llvm.ptr)
// LLVM: llvm.load
// LLVM: llvm.call @__sluice_par_scale_0(
func.func @scale(%m: memref<?x8xf32>, %f: f32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %n = memref.dim %m, %c0 : memref<?x8xf32>
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    scf.parallel (%j) = (%c0) to (%c8) step (%c1) {
      %v = memref.load %m[%i, %j] : memref<?x8xf32>
      %w = arith.mulf %v, %f : f32
      memref.store %w, %m[%i, %j] : memref<?x8xf32>
      scf.reduce
    }
    scf.reduce
  }
  return
}
