// RUN: sluice-opt %s --sluice-fuse-pool-producers -split-input-file | FileCheck %s
// RUN: sluice-opt %s --sluice-fuse-pool-producers -split-input-file | sluice-opt -split-input-file | FileCheck %s --check-prefix=ROUNDTRIP

#id3 = affine_map<(b, n, d) -> (b, n, d)>
#d3 = affine_map<(b, n, d) -> (d)>

// GeM of x + bias[d] under a mask: the generic's inputs, maps and body move
// into a sluice.pool_map; the [B, N, D] sum is never materialised.
// CHECK-DAG: #[[$ID:.+]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[$D:.+]] = affine_map<(d0, d1, d2) -> (d2)>
// CHECK-LABEL: func.func @gem_bias
// CHECK-SAME: (%[[X:[^:]+]]: tensor<?x?x64xf32>, %[[B:[^:]+]]: tensor<64xf32>, %[[M:[^:]+]]: tensor<?x?xi1>)
// CHECK-NOT: linalg.generic
// CHECK: %[[P:.+]] = sluice.pool_map %[[X]], %[[B]] mask(%[[M]]) {eps = 1.000000e-03 : f32, indexing_maps = [#[[$ID]], #[[$D]]], kind = #sluice.pool<gem>, p = 4.000000e+00 : f32} : (tensor<?x?x64xf32>, tensor<64xf32>, tensor<?x?xi1>) -> tensor<?x64xf32> {
// CHECK-NEXT: ^bb0(%[[A:.+]]: f32, %[[C:.+]]: f32):
// CHECK-NEXT: %[[S:.+]] = arith.addf %[[A]], %[[C]] : f32
// CHECK-NEXT: sluice.yield %[[S]] : f32
// CHECK: return %[[P]]
// ROUNDTRIP-LABEL: func.func @gem_bias
// ROUNDTRIP: sluice.pool_map
func.func @gem_bias(%x: tensor<?x?x64xf32>, %bias: tensor<64xf32>, %m: tensor<?x?xi1>) -> tensor<?x64xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %b = tensor.dim %x, %c0 : tensor<?x?x64xf32>
  %n = tensor.dim %x, %c1 : tensor<?x?x64xf32>
  %e = tensor.empty(%b, %n) : tensor<?x?x64xf32>
  %v = linalg.generic {indexing_maps = [#id3, #d3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x, %bias : tensor<?x?x64xf32>, tensor<64xf32>) outs(%e : tensor<?x?x64xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %s = arith.addf %a, %c : f32
    linalg.yield %s : f32
  } -> tensor<?x?x64xf32>
  %p = sluice.pool %v mask(%m) {kind = #sluice.pool<gem>, p = 4.0 : f32, eps = 1.0e-3 : f32}
      : (tensor<?x?x64xf32>, tensor<?x?xi1>) -> tensor<?x64xf32>
  return %p : tensor<?x64xf32>
}

// -----

#id3 = affine_map<(b, n, d) -> (b, n, d)>
#d3 = affine_map<(b, n, d) -> (d)>

// A chain: relu (glu with ones, which is not read) of x * 2 + bias, with
// lengths: both producers in one pool_map, the constant captured.
// CHECK-LABEL: func.func @chain
// CHECK-NOT: linalg.generic
// CHECK-NOT: sluice.glu
// CHECK: sluice.pool_map %{{.+}}, %{{.+}} lengths(%{{.+}}) {indexing_maps = [#{{.+}}, #{{.+}}], kind = #sluice.pool<last>}
// CHECK-NEXT: ^bb0(%[[A:.+]]: f32, %[[C:.+]]: f32):
// CHECK-NEXT: %[[T:.+]] = arith.mulf %[[A]], %{{.+}} : f32
// CHECK-NEXT: %[[S:.+]] = arith.addf %[[T]], %[[C]] : f32
// CHECK-NEXT: %[[R:.+]] = arith.maximumf %[[S]], %{{.+}} : f32
// CHECK-NEXT: sluice.yield %[[R]] : f32
func.func @chain(%x: tensor<?x5x8xf32>, %bias: tensor<8xf32>, %len: tensor<?xi32>) -> tensor<?x8xf32> {
  %c0 = arith.constant 0 : index
  %two = arith.constant 2.0 : f32
  %one = arith.constant 1.0 : f32
  %b = tensor.dim %x, %c0 : tensor<?x5x8xf32>
  %e = tensor.empty(%b) : tensor<?x5x8xf32>
  %v = linalg.generic {indexing_maps = [#id3, #d3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x, %bias : tensor<?x5x8xf32>, tensor<8xf32>) outs(%e : tensor<?x5x8xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %t = arith.mulf %a, %two : f32
    %s = arith.addf %t, %c : f32
    linalg.yield %s : f32
  } -> tensor<?x5x8xf32>
  %e2 = tensor.empty(%b) : tensor<?x5x8xf32>
  %ones = linalg.fill ins(%one : f32) outs(%e2 : tensor<?x5x8xf32>) -> tensor<?x5x8xf32>
  %r = sluice.glu %v, %ones {act = #sluice.act<relu>} : tensor<?x5x8xf32>
  %p = sluice.pool %r lengths(%len) {kind = #sluice.pool<last>}
      : (tensor<?x5x8xf32>, tensor<?xi32>) -> tensor<?x8xf32>
  return %p : tensor<?x8xf32>
}

// -----

// segment_pool of a GLU (two identity inputs): offsets carried over.
// CHECK-LABEL: func.func @segments
// CHECK: sluice.pool_map %[[G:.+]], %[[U:.+]] offsets(%{{.+}}) {indexing_maps = [#{{.+}}, #{{.+}}], kind = #sluice.pool<max>} : (tensor<?x16xf32>, tensor<?x16xf32>, tensor<5xi32>) -> tensor<4x16xf32>
// CHECK: math.exp
// The GLU: silu(g) * u, the up operand read, not a fill.
// CHECK: arith.mulf
// CHECK-NEXT: %[[P:.+]] = arith.mulf
// CHECK-NEXT: sluice.yield %[[P]] : f32
// CHECK-NOT: sluice.glu
func.func @segments(%g: tensor<?x16xf32>, %u: tensor<?x16xf32>, %o: tensor<5xi32>) -> tensor<4x16xf32> {
  %h = sluice.glu %g, %u {act = #sluice.act<silu>} : tensor<?x16xf32>
  %p = sluice.segment_pool %h, %o {kind = #sluice.pool<max>} : (tensor<?x16xf32>, tensor<5xi32>) -> tensor<4x16xf32>
  return %p : tensor<4x16xf32>
}

// -----

#id3 = affine_map<(b, n, d) -> (b, n, d)>
#bn = affine_map<(b, n, d) -> (b, n)>
#red = affine_map<(b, n, d) -> (b, d)>

// Not fused: a producer with a second user, a producer whose body reads
// its output, one that depends on linalg.index, a reduction, and a
// broadcast without an identity-mapped input.
// CHECK-LABEL: func.func @two_users
// CHECK: linalg.generic
// CHECK: sluice.pool %
// CHECK-NOT: sluice.pool_map
// CHECK-LABEL: func.func @reads_output
// CHECK: linalg.generic
// CHECK: sluice.pool %
// CHECK-NOT: sluice.pool_map
// CHECK-LABEL: func.func @index_dependent
// CHECK: linalg.generic
// CHECK: sluice.pool %
// CHECK-NOT: sluice.pool_map
// CHECK-LABEL: func.func @broadcast_only
// CHECK: linalg.generic
// CHECK: sluice.pool %
// CHECK-NOT: sluice.pool_map
func.func @two_users(%x: tensor<2x3x4xf32>) -> (tensor<2x4xf32>, tensor<2x3x4xf32>) {
  %e = tensor.empty() : tensor<2x3x4xf32>
  %v = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x : tensor<2x3x4xf32>) outs(%e : tensor<2x3x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = math.exp %a : f32
    linalg.yield %s : f32
  } -> tensor<2x3x4xf32>
  %p = sluice.pool %v {kind = #sluice.pool<mean>} : (tensor<2x3x4xf32>) -> tensor<2x4xf32>
  return %p, %v : tensor<2x4xf32>, tensor<2x3x4xf32>
}
func.func @reads_output(%x: tensor<2x3x4xf32>, %init: tensor<2x3x4xf32>) -> tensor<2x4xf32> {
  %v = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x : tensor<2x3x4xf32>) outs(%init : tensor<2x3x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.addf %a, %o : f32
    linalg.yield %s : f32
  } -> tensor<2x3x4xf32>
  %p = sluice.pool %v {kind = #sluice.pool<sum>} : (tensor<2x3x4xf32>) -> tensor<2x4xf32>
  return %p : tensor<2x4xf32>
}
func.func @index_dependent(%x: tensor<2x3x4xf32>) -> tensor<2x4xf32> {
  %e = tensor.empty() : tensor<2x3x4xf32>
  %v = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x : tensor<2x3x4xf32>) outs(%e : tensor<2x3x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %i = linalg.index 1 : index
    %ii = arith.index_cast %i : index to i32
    %f = arith.sitofp %ii : i32 to f32
    %s = arith.addf %a, %f : f32
    linalg.yield %s : f32
  } -> tensor<2x3x4xf32>
  %p = sluice.pool %v {kind = #sluice.pool<max>} : (tensor<2x3x4xf32>) -> tensor<2x4xf32>
  return %p : tensor<2x4xf32>
}
func.func @broadcast_only(%w: tensor<2x3xf32>) -> tensor<2x4xf32> {
  %e = tensor.empty() : tensor<2x3x4xf32>
  %v = linalg.generic {indexing_maps = [#bn, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%w : tensor<2x3xf32>) outs(%e : tensor<2x3x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    linalg.yield %a : f32
  } -> tensor<2x3x4xf32>
  %p = sluice.pool %v {kind = #sluice.pool<min>} : (tensor<2x3x4xf32>) -> tensor<2x4xf32>
  return %p : tensor<2x4xf32>
}

