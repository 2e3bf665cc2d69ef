// sluice-cuda-lower-ops: scheduled ops become block programs over buffers
// (grid forall, workgroup buffers, thread phases, warp collectives), and the
// result passes the block-program verifier.
// RUN: sluice-opt %s --pass-pipeline="builtin.module(sluice-cuda-lower-ops{strict=0},sluice-verify-block-program)" | FileCheck %s
// RUN: not sluice-opt %s --sluice-cuda-lower-ops 2>&1 | FileCheck %s --check-prefix=STRICT

// CHECK-LABEL: func.func @gate
// CHECK: bufferization.to_buffer %{{.*}} read_only
// CHECK: scf.forall (%[[B:.*]]) in (%{{.*}}) {
// CHECK-DAG: memref.alloca() : memref<4x40xf32, #gpu.address_space<workgroup>>
// CHECK-DAG: memref.alloca() : memref<128xi64, #gpu.address_space<workgroup>>
// CHECK: scf.forall (%{{.*}}) in (128) {
// CHECK: } {mapping = [#gpu.thread<x>]}
// CHECK: sluice_gpu.warp_reduce maximumf
// CHECK: sluice_gpu.warp_reduce addf
// CHECK: scf.for
// CHECK: sluice_gpu.warp_reduce maxui
// CHECK: } {mapping = [#gpu.block<x>], sluice.kernel = "gate_topk_gate_0"}
// CHECK: bufferization.to_tensor %{{.*}} restrict writable
func.func @gate(%l: tensor<?x40xf32>) -> (tensor<?x6xf32>, tensor<?x6xi32>) {
  %w, %i = sluice.topk_gate %l {k = 6 : i64, renormalize = true}
      : (tensor<?x40xf32>) -> (tensor<?x6xf32>, tensor<?x6xi32>)
  return %w, %i : tensor<?x6xf32>, tensor<?x6xi32>
}

// CHECK-LABEL: func.func @gmm
// CHECK: scf.forall (%{{.*}}, %{{.*}}) in (%{{.*}}, %{{.*}}) {
// CHECK-COUNT-3: memref.alloca() : memref<32x32xf32, #gpu.address_space<workgroup>>
// CHECK: scf.for
// CHECK: scf.if
// CHECK: scf.for
// CHECK: scf.forall (%{{.*}}) in (256)
// CHECK: } {mapping = [#gpu.block<x>, #gpu.block<y>], sluice.kernel = "gmm_grouped_matmul_0"}
func.func @gmm(%xs: tensor<?x72xf32>, %w: tensor<8x72x40xf32>, %o: tensor<9xi32>) -> tensor<?x40xf32> {
  %ys = sluice.grouped_matmul %xs, %w, %o
      : (tensor<?x72xf32>, tensor<8x72x40xf32>, tensor<9xi32>) -> tensor<?x40xf32>
  return %ys : tensor<?x40xf32>
}

// CHECK-LABEL: func.func @pool
// CHECK: scf.forall (%{{.*}}, %{{.*}}) in (%{{.*}}, %{{.*}}) {
// CHECK-NOT: memref.alloca
// CHECK: scf.forall (%{{.*}}) in (128)
// CHECK: } {mapping = [#gpu.block<x>, #gpu.block<y>], sluice.kernel = "pool_pool_0"}
func.func @pool(%x: tensor<?x?x200xf32>, %m: tensor<?x?xi1>) -> tensor<?x200xf32> {
  %p = sluice.pool %x mask(%m) {kind = #sluice.pool<mean>}
      : (tensor<?x?x200xf32>, tensor<?x?xi1>) -> tensor<?x200xf32>
  return %p : tensor<?x200xf32>
}

// STRICT: error: 'linalg.generic' op has no CUDA schedule yet
#id = affine_map<(d0) -> (d0)>
#first = affine_map<(d0) -> (0)>
func.func @unscheduled(%x: tensor<?xf32>, %o: tensor<1xf32>) -> tensor<1xf32> {
  %r = linalg.generic {indexing_maps = [#id, #first], iterator_types = ["reduction"]}
      ins(%x : tensor<?xf32>) outs(%o : tensor<1xf32>) {
  ^bb0(%a: f32, %b: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<1xf32>
  return %r : tensor<1xf32>
}
// Without strict, an unscheduled op stays for the CPU lowering.
// CHECK-LABEL: func.func @unscheduled
// CHECK: linalg.generic
