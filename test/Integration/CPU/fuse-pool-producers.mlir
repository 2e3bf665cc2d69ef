// sluice-fuse-pool-producers in sluice-cpu-pipeline: pooling with its
// elementwise producer evaluated inside the pooling loop (sluice.pool_map),
// checked against the reference evaluator (it interprets the unfused
// producer + pool) for every kind (sum, mean, max, min, gem, lse, first,
// last; each pool has its own single-use producer), with
//   masked_affine   x * scale[d] + bias[d] (a linalg.generic with
//                   broadcasts) under an i1 mask
//   lengths_silu    silu(x) (the frontend's glu(x, ones)) with lengths
//   chain_relu      relu(x + bias[d]): two producers fused one after the other
//   segments_glu    segment_pool of act(xs) * xs or act(xs) over routed
//                   segments (each activation)
// Every producer is distinct (a constant, an input or an activation of its
// own), so that the pipeline's CSE leaves each pool a single-use producer.
// for B = 0, 1, 7, 33 and N = 0, 1, 3 (segments: T = 0, 1, 7, 33). A hand-
// written batch puts NaN / Inf in masked positions: the fused producer never
// evaluates them. 
// RUN: sluicec run %s --function=masked_affine --random-weights --check --dim B=0 --dim N=3 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=masked_affine --random-weights --check --dim B=1 --dim N=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=masked_affine --random-weights --check --dim B=1 --dim N=3 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=masked_affine --random-weights --check --dim B=7 --dim N=3 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=masked_affine --random-weights --check --dim B=33 --dim N=3 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=masked_affine --random-weights --check --dim B=7 --dim N=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=chain_relu --random-weights --check --dim B=0 --dim N=3 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=chain_relu --random-weights --check --dim B=1 --dim N=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=chain_relu --random-weights --check --dim B=1 --dim N=3 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=chain_relu --random-weights --check --dim B=7 --dim N=3 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=chain_relu --random-weights --check --dim B=33 --dim N=3 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=chain_relu --random-weights --check --dim B=7 --dim N=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=lengths_silu --random-weights --check --dim B=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=lengths_silu --random-weights --check --dim B=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=lengths_silu --random-weights --check --dim B=7 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=lengths_silu --random-weights --check --dim B=33 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=segments_glu --random-weights --check --dim T=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=segments_glu --random-weights --check --dim T=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=segments_glu --random-weights --check --dim T=7 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=segments_glu --random-weights --check --dim T=33 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=masked_affine --random-weights --check --threads=2 --dim B=33 --dim N=3 | FileCheck %s --implicit-check-not=FAILED
// CHECK: check sum: ok
// CHECK: check mean: ok
// CHECK: check max: ok
// CHECK: check min: ok
// CHECK: check gem: ok
// CHECK: check lse: ok
// CHECK: check first: ok
// CHECK: check last: ok

// NaN and Inf at masked positions (mask 0) are never evaluated.
// RUN: %python -c "import numpy as np; x = np.arange(2*3*8, dtype=np.float32).reshape(2, 3, 8) / 10 - 1; x[0, 1, :] = np.nan; x[1, 2, 3] = np.inf; x[1, 0, 5] = -np.inf; np.save('%t.x.npy', x); np.save('%t.m.npy', np.array([[1, 0, 1], [0, 1, 0]], bool))"
// RUN: sluicec run %s --function=masked_affine --random-weights --check --input x=%t.x.npy --input mask=%t.m.npy | FileCheck %s --implicit-check-not=FAILED --implicit-check-not=nan

// The producers are gone: one sluice.pool_map per pool.
// RUN: sluice-opt %s --sluice-cleanup-pipeline --sluice-fuse-pool-producers | FileCheck %s --check-prefix=FUSED
// FUSED-LABEL: func.func @masked_affine
// FUSED-COUNT-8: sluice.pool_map
// FUSED-NOT: linalg.generic
// FUSED-NOT: sluice.pool %
// FUSED-NOT: sluice.segment_pool %
// FUSED: return
// FUSED-LABEL: func.func @lengths_silu
// FUSED-COUNT-8: sluice.pool_map
// FUSED-NOT: sluice.glu
// FUSED-NOT: linalg.fill
// FUSED-NOT: sluice.pool %
// FUSED-NOT: sluice.segment_pool %
// FUSED: return
// FUSED-LABEL: func.func @chain_relu
// FUSED-COUNT-8: sluice.pool_map
// FUSED-NOT: linalg.generic
// FUSED-NOT: sluice.glu
// FUSED-NOT: sluice.pool %
// FUSED-NOT: sluice.segment_pool %
// FUSED: return
// FUSED-LABEL: func.func @segments_glu
// FUSED-COUNT-8: sluice.pool_map
// FUSED-NOT: sluice.glu
// FUSED-NOT: sluice.pool %
// FUSED-NOT: sluice.segment_pool %
// FUSED: return

#id3 = affine_map<(b, n, d) -> (b, n, d)>
#d3 = affine_map<(b, n, d) -> (d)>

func.func @masked_affine(%x: tensor<?x?x8xf32> {sluice.name = "x", sluice.dims = ["B", "N", ""]},
    %m: tensor<?x?xi1> {sluice.name = "mask", sluice.dims = ["B", "N"]},
    %scale: tensor<8xf32> {sluice.name = "scale", sluice.role = "weight"},
    %bias: tensor<8xf32> {sluice.name = "bias", sluice.role = "weight"})
    -> (tensor<?x8xf32> {sluice.name = "sum"}, tensor<?x8xf32> {sluice.name = "mean"}, tensor<?x8xf32> {sluice.name = "max"}, tensor<?x8xf32> {sluice.name = "min"}, tensor<?x8xf32> {sluice.name = "gem"}, tensor<?x8xf32> {sluice.name = "lse"}, tensor<?x8xf32> {sluice.name = "first"}, tensor<?x8xf32> {sluice.name = "last"}) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %nb = tensor.dim %x, %c0 : tensor<?x?x8xf32>
  %nn = tensor.dim %x, %c1 : tensor<?x?x8xf32>
  %k_v_sum = arith.constant 0.00 : f32
  %e_v_sum = tensor.empty(%nb, %nn) : tensor<?x?x8xf32>
  %v_sum = linalg.generic {indexing_maps = [#id3, #d3, #d3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x, %scale, %bias : tensor<?x?x8xf32>, tensor<8xf32>, tensor<8xf32>) outs(%e_v_sum : tensor<?x?x8xf32>) {
  ^bb0(%a: f32, %s: f32, %c: f32, %o: f32):
    %prod = arith.mulf %a, %s : f32
    %r0 = arith.addf %prod, %c : f32
    %r = arith.addf %r0, %k_v_sum : f32
    linalg.yield %r : f32
  } -> tensor<?x?x8xf32>
  %sum = sluice.pool %v_sum mask(%m) {kind = #sluice.pool<sum>}
      : (tensor<?x?x8xf32>, tensor<?x?xi1>) -> tensor<?x8xf32>
  %k_v_mean = arith.constant 0.12 : f32
  %e_v_mean = tensor.empty(%nb, %nn) : tensor<?x?x8xf32>
  %v_mean = linalg.generic {indexing_maps = [#id3, #d3, #d3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x, %scale, %bias : tensor<?x?x8xf32>, tensor<8xf32>, tensor<8xf32>) outs(%e_v_mean : tensor<?x?x8xf32>) {
  ^bb0(%a: f32, %s: f32, %c: f32, %o: f32):
    %prod = arith.mulf %a, %s : f32
    %r0 = arith.addf %prod, %c : f32
    %r = arith.addf %r0, %k_v_mean : f32
    linalg.yield %r : f32
  } -> tensor<?x?x8xf32>
  %mean = sluice.pool %v_mean mask(%m) {kind = #sluice.pool<mean>}
      : (tensor<?x?x8xf32>, tensor<?x?xi1>) -> tensor<?x8xf32>
  %k_v_max = arith.constant 0.25 : f32
  %e_v_max = tensor.empty(%nb, %nn) : tensor<?x?x8xf32>
  %v_max = linalg.generic {indexing_maps = [#id3, #d3, #d3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x, %scale, %bias : tensor<?x?x8xf32>, tensor<8xf32>, tensor<8xf32>) outs(%e_v_max : tensor<?x?x8xf32>) {
  ^bb0(%a: f32, %s: f32, %c: f32, %o: f32):
    %prod = arith.mulf %a, %s : f32
    %r0 = arith.addf %prod, %c : f32
    %r = arith.addf %r0, %k_v_max : f32
    linalg.yield %r : f32
  } -> tensor<?x?x8xf32>
  %max = sluice.pool %v_max mask(%m) {kind = #sluice.pool<max>}
      : (tensor<?x?x8xf32>, tensor<?x?xi1>) -> tensor<?x8xf32>
  %k_v_min = arith.constant 0.38 : f32
  %e_v_min = tensor.empty(%nb, %nn) : tensor<?x?x8xf32>
  %v_min = linalg.generic {indexing_maps = [#id3, #d3, #d3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x, %scale, %bias : tensor<?x?x8xf32>, tensor<8xf32>, tensor<8xf32>) outs(%e_v_min : tensor<?x?x8xf32>) {
  ^bb0(%a: f32, %s: f32, %c: f32, %o: f32):
    %prod = arith.mulf %a, %s : f32
    %r0 = arith.addf %prod, %c : f32
    %r = arith.addf %r0, %k_v_min : f32
    linalg.yield %r : f32
  } -> tensor<?x?x8xf32>
  %min = sluice.pool %v_min mask(%m) {kind = #sluice.pool<min>}
      : (tensor<?x?x8xf32>, tensor<?x?xi1>) -> tensor<?x8xf32>
  %k_v_gem = arith.constant 0.50 : f32
  %e_v_gem = tensor.empty(%nb, %nn) : tensor<?x?x8xf32>
  %v_gem = linalg.generic {indexing_maps = [#id3, #d3, #d3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x, %scale, %bias : tensor<?x?x8xf32>, tensor<8xf32>, tensor<8xf32>) outs(%e_v_gem : tensor<?x?x8xf32>) {
  ^bb0(%a: f32, %s: f32, %c: f32, %o: f32):
    %prod = arith.mulf %a, %s : f32
    %r0 = arith.addf %prod, %c : f32
    %r = arith.addf %r0, %k_v_gem : f32
    linalg.yield %r : f32
  } -> tensor<?x?x8xf32>
  %gem = sluice.pool %v_gem mask(%m) {kind = #sluice.pool<gem>, p = 4.0 : f32, eps = 1.0e-3 : f32}
      : (tensor<?x?x8xf32>, tensor<?x?xi1>) -> tensor<?x8xf32>
  %k_v_lse = arith.constant 0.62 : f32
  %e_v_lse = tensor.empty(%nb, %nn) : tensor<?x?x8xf32>
  %v_lse = linalg.generic {indexing_maps = [#id3, #d3, #d3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x, %scale, %bias : tensor<?x?x8xf32>, tensor<8xf32>, tensor<8xf32>) outs(%e_v_lse : tensor<?x?x8xf32>) {
  ^bb0(%a: f32, %s: f32, %c: f32, %o: f32):
    %prod = arith.mulf %a, %s : f32
    %r0 = arith.addf %prod, %c : f32
    %r = arith.addf %r0, %k_v_lse : f32
    linalg.yield %r : f32
  } -> tensor<?x?x8xf32>
  %lse = sluice.pool %v_lse mask(%m) {kind = #sluice.pool<lse>, r = -1.5 : f32}
      : (tensor<?x?x8xf32>, tensor<?x?xi1>) -> tensor<?x8xf32>
  %k_v_first = arith.constant 0.75 : f32
  %e_v_first = tensor.empty(%nb, %nn) : tensor<?x?x8xf32>
  %v_first = linalg.generic {indexing_maps = [#id3, #d3, #d3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x, %scale, %bias : tensor<?x?x8xf32>, tensor<8xf32>, tensor<8xf32>) outs(%e_v_first : tensor<?x?x8xf32>) {
  ^bb0(%a: f32, %s: f32, %c: f32, %o: f32):
    %prod = arith.mulf %a, %s : f32
    %r0 = arith.addf %prod, %c : f32
    %r = arith.addf %r0, %k_v_first : f32
    linalg.yield %r : f32
  } -> tensor<?x?x8xf32>
  %first = sluice.pool %v_first mask(%m) {kind = #sluice.pool<first>}
      : (tensor<?x?x8xf32>, tensor<?x?xi1>) -> tensor<?x8xf32>
  %k_v_last = arith.constant 0.88 : f32
  %e_v_last = tensor.empty(%nb, %nn) : tensor<?x?x8xf32>
  %v_last = linalg.generic {indexing_maps = [#id3, #d3, #d3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x, %scale, %bias : tensor<?x?x8xf32>, tensor<8xf32>, tensor<8xf32>) outs(%e_v_last : tensor<?x?x8xf32>) {
  ^bb0(%a: f32, %s: f32, %c: f32, %o: f32):
    %prod = arith.mulf %a, %s : f32
    %r0 = arith.addf %prod, %c : f32
    %r = arith.addf %r0, %k_v_last : f32
    linalg.yield %r : f32
  } -> tensor<?x?x8xf32>
  %last = sluice.pool %v_last mask(%m) {kind = #sluice.pool<last>}
      : (tensor<?x?x8xf32>, tensor<?x?xi1>) -> tensor<?x8xf32>
  return %sum, %mean, %max, %min, %gem, %lse, %first, %last : tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>
}

func.func @lengths_silu(%x_sum: tensor<?x5x8xf32> {sluice.name = "x_sum", sluice.dims = ["B", "", ""]},
    %x_mean: tensor<?x5x8xf32> {sluice.name = "x_mean", sluice.dims = ["B", "", ""]},
    %x_max: tensor<?x5x8xf32> {sluice.name = "x_max", sluice.dims = ["B", "", ""]},
    %x_min: tensor<?x5x8xf32> {sluice.name = "x_min", sluice.dims = ["B", "", ""]},
    %x_gem: tensor<?x5x8xf32> {sluice.name = "x_gem", sluice.dims = ["B", "", ""]},
    %x_lse: tensor<?x5x8xf32> {sluice.name = "x_lse", sluice.dims = ["B", "", ""]},
    %x_first: tensor<?x5x8xf32> {sluice.name = "x_first", sluice.dims = ["B", "", ""]},
    %x_last: tensor<?x5x8xf32> {sluice.name = "x_last", sluice.dims = ["B", "", ""]},
    %len: tensor<?xi32> {sluice.name = "lengths", sluice.dims = ["B"], sluice.range = array<i64: 0, 6>})
    -> (tensor<?x8xf32> {sluice.name = "sum"}, tensor<?x8xf32> {sluice.name = "mean"}, tensor<?x8xf32> {sluice.name = "max"}, tensor<?x8xf32> {sluice.name = "min"}, tensor<?x8xf32> {sluice.name = "gem"}, tensor<?x8xf32> {sluice.name = "lse"}, tensor<?x8xf32> {sluice.name = "first"}, tensor<?x8xf32> {sluice.name = "last"}) {
  %c0 = arith.constant 0 : index
  %nb = tensor.dim %x_sum, %c0 : tensor<?x5x8xf32>
  %one = arith.constant 1.0 : f32
  %e_sum = tensor.empty(%nb) : tensor<?x5x8xf32>
  %ones_sum = linalg.fill ins(%one : f32) outs(%e_sum : tensor<?x5x8xf32>) -> tensor<?x5x8xf32>
  %v_sum = sluice.glu %x_sum, %ones_sum {act = #sluice.act<silu>} : tensor<?x5x8xf32>
  %sum = sluice.pool %v_sum lengths(%len) {kind = #sluice.pool<sum>}
      : (tensor<?x5x8xf32>, tensor<?xi32>) -> tensor<?x8xf32>
  %e_mean = tensor.empty(%nb) : tensor<?x5x8xf32>
  %ones_mean = linalg.fill ins(%one : f32) outs(%e_mean : tensor<?x5x8xf32>) -> tensor<?x5x8xf32>
  %v_mean = sluice.glu %x_mean, %ones_mean {act = #sluice.act<silu>} : tensor<?x5x8xf32>
  %mean = sluice.pool %v_mean lengths(%len) {kind = #sluice.pool<mean>}
      : (tensor<?x5x8xf32>, tensor<?xi32>) -> tensor<?x8xf32>
  %e_max = tensor.empty(%nb) : tensor<?x5x8xf32>
  %ones_max = linalg.fill ins(%one : f32) outs(%e_max : tensor<?x5x8xf32>) -> tensor<?x5x8xf32>
  %v_max = sluice.glu %x_max, %ones_max {act = #sluice.act<silu>} : tensor<?x5x8xf32>
  %max = sluice.pool %v_max lengths(%len) {kind = #sluice.pool<max>}
      : (tensor<?x5x8xf32>, tensor<?xi32>) -> tensor<?x8xf32>
  %e_min = tensor.empty(%nb) : tensor<?x5x8xf32>
  %ones_min = linalg.fill ins(%one : f32) outs(%e_min : tensor<?x5x8xf32>) -> tensor<?x5x8xf32>
  %v_min = sluice.glu %x_min, %ones_min {act = #sluice.act<silu>} : tensor<?x5x8xf32>
  %min = sluice.pool %v_min lengths(%len) {kind = #sluice.pool<min>}
      : (tensor<?x5x8xf32>, tensor<?xi32>) -> tensor<?x8xf32>
  %e_gem = tensor.empty(%nb) : tensor<?x5x8xf32>
  %ones_gem = linalg.fill ins(%one : f32) outs(%e_gem : tensor<?x5x8xf32>) -> tensor<?x5x8xf32>
  %v_gem = sluice.glu %x_gem, %ones_gem {act = #sluice.act<silu>} : tensor<?x5x8xf32>
  %gem = sluice.pool %v_gem lengths(%len) {kind = #sluice.pool<gem>, p = 4.0 : f32, eps = 1.0e-3 : f32}
      : (tensor<?x5x8xf32>, tensor<?xi32>) -> tensor<?x8xf32>
  %e_lse = tensor.empty(%nb) : tensor<?x5x8xf32>
  %ones_lse = linalg.fill ins(%one : f32) outs(%e_lse : tensor<?x5x8xf32>) -> tensor<?x5x8xf32>
  %v_lse = sluice.glu %x_lse, %ones_lse {act = #sluice.act<silu>} : tensor<?x5x8xf32>
  %lse = sluice.pool %v_lse lengths(%len) {kind = #sluice.pool<lse>, r = -1.5 : f32}
      : (tensor<?x5x8xf32>, tensor<?xi32>) -> tensor<?x8xf32>
  %e_first = tensor.empty(%nb) : tensor<?x5x8xf32>
  %ones_first = linalg.fill ins(%one : f32) outs(%e_first : tensor<?x5x8xf32>) -> tensor<?x5x8xf32>
  %v_first = sluice.glu %x_first, %ones_first {act = #sluice.act<silu>} : tensor<?x5x8xf32>
  %first = sluice.pool %v_first lengths(%len) {kind = #sluice.pool<first>}
      : (tensor<?x5x8xf32>, tensor<?xi32>) -> tensor<?x8xf32>
  %e_last = tensor.empty(%nb) : tensor<?x5x8xf32>
  %ones_last = linalg.fill ins(%one : f32) outs(%e_last : tensor<?x5x8xf32>) -> tensor<?x5x8xf32>
  %v_last = sluice.glu %x_last, %ones_last {act = #sluice.act<silu>} : tensor<?x5x8xf32>
  %last = sluice.pool %v_last lengths(%len) {kind = #sluice.pool<last>}
      : (tensor<?x5x8xf32>, tensor<?xi32>) -> tensor<?x8xf32>
  return %sum, %mean, %max, %min, %gem, %lse, %first, %last : tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>
}

func.func @chain_relu(%x: tensor<?x?x8xf32> {sluice.name = "x", sluice.dims = ["B", "N", ""]},
    %bias: tensor<8xf32> {sluice.name = "bias", sluice.role = "weight"})
    -> (tensor<?x8xf32> {sluice.name = "sum"}, tensor<?x8xf32> {sluice.name = "mean"}, tensor<?x8xf32> {sluice.name = "max"}, tensor<?x8xf32> {sluice.name = "min"}, tensor<?x8xf32> {sluice.name = "gem"}, tensor<?x8xf32> {sluice.name = "lse"}, tensor<?x8xf32> {sluice.name = "first"}, tensor<?x8xf32> {sluice.name = "last"}) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %nb = tensor.dim %x, %c0 : tensor<?x?x8xf32>
  %nn = tensor.dim %x, %c1 : tensor<?x?x8xf32>
  %one = arith.constant 1.0 : f32
  %k_sum = arith.constant -0.5 : f32
  %e_sum = tensor.empty(%nb, %nn) : tensor<?x?x8xf32>
  %a_sum = linalg.generic {indexing_maps = [#id3, #d3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x, %bias : tensor<?x?x8xf32>, tensor<8xf32>) outs(%e_sum : tensor<?x?x8xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %r0 = arith.addf %a, %c : f32
    %r = arith.addf %r0, %k_sum : f32
    linalg.yield %r : f32
  } -> tensor<?x?x8xf32>
  %f_sum = tensor.empty(%nb, %nn) : tensor<?x?x8xf32>
  %ones_sum = linalg.fill ins(%one : f32) outs(%f_sum : tensor<?x?x8xf32>) -> tensor<?x?x8xf32>
  %v_sum = sluice.glu %a_sum, %ones_sum {act = #sluice.act<relu>} : tensor<?x?x8xf32>
  %sum = sluice.pool %v_sum {kind = #sluice.pool<sum>}
      : (tensor<?x?x8xf32>) -> tensor<?x8xf32>
  %k_mean = arith.constant -0.375 : f32
  %e_mean = tensor.empty(%nb, %nn) : tensor<?x?x8xf32>
  %a_mean = linalg.generic {indexing_maps = [#id3, #d3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x, %bias : tensor<?x?x8xf32>, tensor<8xf32>) outs(%e_mean : tensor<?x?x8xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %r0 = arith.addf %a, %c : f32
    %r = arith.addf %r0, %k_mean : f32
    linalg.yield %r : f32
  } -> tensor<?x?x8xf32>
  %f_mean = tensor.empty(%nb, %nn) : tensor<?x?x8xf32>
  %ones_mean = linalg.fill ins(%one : f32) outs(%f_mean : tensor<?x?x8xf32>) -> tensor<?x?x8xf32>
  %v_mean = sluice.glu %a_mean, %ones_mean {act = #sluice.act<relu>} : tensor<?x?x8xf32>
  %mean = sluice.pool %v_mean {kind = #sluice.pool<mean>}
      : (tensor<?x?x8xf32>) -> tensor<?x8xf32>
  %k_max = arith.constant -0.25 : f32
  %e_max = tensor.empty(%nb, %nn) : tensor<?x?x8xf32>
  %a_max = linalg.generic {indexing_maps = [#id3, #d3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x, %bias : tensor<?x?x8xf32>, tensor<8xf32>) outs(%e_max : tensor<?x?x8xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %r0 = arith.addf %a, %c : f32
    %r = arith.addf %r0, %k_max : f32
    linalg.yield %r : f32
  } -> tensor<?x?x8xf32>
  %f_max = tensor.empty(%nb, %nn) : tensor<?x?x8xf32>
  %ones_max = linalg.fill ins(%one : f32) outs(%f_max : tensor<?x?x8xf32>) -> tensor<?x?x8xf32>
  %v_max = sluice.glu %a_max, %ones_max {act = #sluice.act<relu>} : tensor<?x?x8xf32>
  %max = sluice.pool %v_max {kind = #sluice.pool<max>}
      : (tensor<?x?x8xf32>) -> tensor<?x8xf32>
  %k_min = arith.constant -0.125 : f32
  %e_min = tensor.empty(%nb, %nn) : tensor<?x?x8xf32>
  %a_min = linalg.generic {indexing_maps = [#id3, #d3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x, %bias : tensor<?x?x8xf32>, tensor<8xf32>) outs(%e_min : tensor<?x?x8xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %r0 = arith.addf %a, %c : f32
    %r = arith.addf %r0, %k_min : f32
    linalg.yield %r : f32
  } -> tensor<?x?x8xf32>
  %f_min = tensor.empty(%nb, %nn) : tensor<?x?x8xf32>
  %ones_min = linalg.fill ins(%one : f32) outs(%f_min : tensor<?x?x8xf32>) -> tensor<?x?x8xf32>
  %v_min = sluice.glu %a_min, %ones_min {act = #sluice.act<relu>} : tensor<?x?x8xf32>
  %min = sluice.pool %v_min {kind = #sluice.pool<min>}
      : (tensor<?x?x8xf32>) -> tensor<?x8xf32>
  %k_gem = arith.constant 0.0 : f32
  %e_gem = tensor.empty(%nb, %nn) : tensor<?x?x8xf32>
  %a_gem = linalg.generic {indexing_maps = [#id3, #d3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x, %bias : tensor<?x?x8xf32>, tensor<8xf32>) outs(%e_gem : tensor<?x?x8xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %r0 = arith.addf %a, %c : f32
    %r = arith.addf %r0, %k_gem : f32
    linalg.yield %r : f32
  } -> tensor<?x?x8xf32>
  %f_gem = tensor.empty(%nb, %nn) : tensor<?x?x8xf32>
  %ones_gem = linalg.fill ins(%one : f32) outs(%f_gem : tensor<?x?x8xf32>) -> tensor<?x?x8xf32>
  %v_gem = sluice.glu %a_gem, %ones_gem {act = #sluice.act<relu>} : tensor<?x?x8xf32>
  %gem = sluice.pool %v_gem {kind = #sluice.pool<gem>, p = 4.0 : f32, eps = 1.0e-3 : f32}
      : (tensor<?x?x8xf32>) -> tensor<?x8xf32>
  %k_lse = arith.constant 0.125 : f32
  %e_lse = tensor.empty(%nb, %nn) : tensor<?x?x8xf32>
  %a_lse = linalg.generic {indexing_maps = [#id3, #d3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x, %bias : tensor<?x?x8xf32>, tensor<8xf32>) outs(%e_lse : tensor<?x?x8xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %r0 = arith.addf %a, %c : f32
    %r = arith.addf %r0, %k_lse : f32
    linalg.yield %r : f32
  } -> tensor<?x?x8xf32>
  %f_lse = tensor.empty(%nb, %nn) : tensor<?x?x8xf32>
  %ones_lse = linalg.fill ins(%one : f32) outs(%f_lse : tensor<?x?x8xf32>) -> tensor<?x?x8xf32>
  %v_lse = sluice.glu %a_lse, %ones_lse {act = #sluice.act<relu>} : tensor<?x?x8xf32>
  %lse = sluice.pool %v_lse {kind = #sluice.pool<lse>, r = -1.5 : f32}
      : (tensor<?x?x8xf32>) -> tensor<?x8xf32>
  %k_first = arith.constant 0.25 : f32
  %e_first = tensor.empty(%nb, %nn) : tensor<?x?x8xf32>
  %a_first = linalg.generic {indexing_maps = [#id3, #d3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x, %bias : tensor<?x?x8xf32>, tensor<8xf32>) outs(%e_first : tensor<?x?x8xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %r0 = arith.addf %a, %c : f32
    %r = arith.addf %r0, %k_first : f32
    linalg.yield %r : f32
  } -> tensor<?x?x8xf32>
  %f_first = tensor.empty(%nb, %nn) : tensor<?x?x8xf32>
  %ones_first = linalg.fill ins(%one : f32) outs(%f_first : tensor<?x?x8xf32>) -> tensor<?x?x8xf32>
  %v_first = sluice.glu %a_first, %ones_first {act = #sluice.act<relu>} : tensor<?x?x8xf32>
  %first = sluice.pool %v_first {kind = #sluice.pool<first>}
      : (tensor<?x?x8xf32>) -> tensor<?x8xf32>
  %k_last = arith.constant 0.375 : f32
  %e_last = tensor.empty(%nb, %nn) : tensor<?x?x8xf32>
  %a_last = linalg.generic {indexing_maps = [#id3, #d3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x, %bias : tensor<?x?x8xf32>, tensor<8xf32>) outs(%e_last : tensor<?x?x8xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %r0 = arith.addf %a, %c : f32
    %r = arith.addf %r0, %k_last : f32
    linalg.yield %r : f32
  } -> tensor<?x?x8xf32>
  %f_last = tensor.empty(%nb, %nn) : tensor<?x?x8xf32>
  %ones_last = linalg.fill ins(%one : f32) outs(%f_last : tensor<?x?x8xf32>) -> tensor<?x?x8xf32>
  %v_last = sluice.glu %a_last, %ones_last {act = #sluice.act<relu>} : tensor<?x?x8xf32>
  %last = sluice.pool %v_last {kind = #sluice.pool<last>}
      : (tensor<?x?x8xf32>) -> tensor<?x8xf32>
  return %sum, %mean, %max, %min, %gem, %lse, %first, %last : tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>
}

func.func @segments_glu(%l: tensor<?x6xf32> {sluice.name = "logits", sluice.dims = ["T", ""]},
    %x: tensor<?x8xf32> {sluice.name = "x", sluice.dims = ["T", ""]})
    -> (tensor<6x8xf32> {sluice.name = "sum"}, tensor<6x8xf32> {sluice.name = "mean"}, tensor<6x8xf32> {sluice.name = "max"}, tensor<6x8xf32> {sluice.name = "min"}, tensor<6x8xf32> {sluice.name = "gem"}, tensor<6x8xf32> {sluice.name = "lse"}, tensor<6x8xf32> {sluice.name = "first"}, tensor<6x8xf32> {sluice.name = "last"}) {
  %w, %i = sluice.topk_gate %l {k = 2 : i64}
      : (tensor<?x6xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  %c, %o, %s, %keep = sluice.route %i, %w {num_experts = 6 : i64}
      : (tensor<?x2xi32>, tensor<?x2xf32>) -> (tensor<6xi32>, tensor<7xi32>, tensor<?xi32>, tensor<?x2xi32>)
  %xs = sluice.dispatch %x, %s {k = 2 : i64} : (tensor<?x8xf32>, tensor<?xi32>) -> tensor<?x8xf32>
  %one = arith.constant 1.0 : f32
  %c0 = arith.constant 0 : index
  %np = tensor.dim %xs, %c0 : tensor<?x8xf32>
  %e1 = tensor.empty(%np) : tensor<?x8xf32>
  %ones = linalg.fill ins(%one : f32) outs(%e1 : tensor<?x8xf32>) -> tensor<?x8xf32>
  %v_sum = sluice.glu %xs, %xs {act = #sluice.act<gelu>} : tensor<?x8xf32>
  %sum = sluice.segment_pool %v_sum, %o {kind = #sluice.pool<sum>}
      : (tensor<?x8xf32>, tensor<7xi32>) -> tensor<6x8xf32>
  %v_mean = sluice.glu %xs, %xs {act = #sluice.act<silu>} : tensor<?x8xf32>
  %mean = sluice.segment_pool %v_mean, %o {kind = #sluice.pool<mean>}
      : (tensor<?x8xf32>, tensor<7xi32>) -> tensor<6x8xf32>
  %v_max = sluice.glu %xs, %xs {act = #sluice.act<gelu_tanh>} : tensor<?x8xf32>
  %max = sluice.segment_pool %v_max, %o {kind = #sluice.pool<max>}
      : (tensor<?x8xf32>, tensor<7xi32>) -> tensor<6x8xf32>
  %v_min = sluice.glu %xs, %xs {act = #sluice.act<relu>} : tensor<?x8xf32>
  %min = sluice.segment_pool %v_min, %o {kind = #sluice.pool<min>}
      : (tensor<?x8xf32>, tensor<7xi32>) -> tensor<6x8xf32>
  %v_gem = sluice.glu %xs, %xs {act = #sluice.act<sigmoid>} : tensor<?x8xf32>
  %gem = sluice.segment_pool %v_gem, %o {kind = #sluice.pool<gem>, p = 4.0 : f32, eps = 1.0e-3 : f32}
      : (tensor<?x8xf32>, tensor<7xi32>) -> tensor<6x8xf32>
  %v_lse = sluice.glu %xs, %ones {act = #sluice.act<silu>} : tensor<?x8xf32>
  %lse = sluice.segment_pool %v_lse, %o {kind = #sluice.pool<lse>, r = -1.5 : f32}
      : (tensor<?x8xf32>, tensor<7xi32>) -> tensor<6x8xf32>
  %v_first = sluice.glu %xs, %ones {act = #sluice.act<gelu>} : tensor<?x8xf32>
  %first = sluice.segment_pool %v_first, %o {kind = #sluice.pool<first>}
      : (tensor<?x8xf32>, tensor<7xi32>) -> tensor<6x8xf32>
  %v_last = sluice.glu %xs, %ones {act = #sluice.act<sigmoid>} : tensor<?x8xf32>
  %last = sluice.segment_pool %v_last, %o {kind = #sluice.pool<last>}
      : (tensor<?x8xf32>, tensor<7xi32>) -> tensor<6x8xf32>
  return %sum, %mean, %max, %min, %gem, %lse, %first, %last : tensor<6x8xf32>, tensor<6x8xf32>, tensor<6x8xf32>, tensor<6x8xf32>, tensor<6x8xf32>, tensor<6x8xf32>, tensor<6x8xf32>, tensor<6x8xf32>
}
