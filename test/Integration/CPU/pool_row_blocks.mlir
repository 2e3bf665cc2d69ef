// The streaming pool kinds (sum, mean, max, min, gem) fold blocks of eight
// valid rows in one pass over the accumulator row and the other rows one at
// a time (LowerPooling.cpp, emitSetReduceRows); max / min use a strict
// compare + select and a separate NaN flag. Checked against the reference
// evaluator with 13 features (not a multiple of the vector width) for N
// around the block size (0, 1, 3, 4, 5, 8, 9, 17): no mask, an i1 mask
// (50% valid, so blocks with holes), lengths (0..N, length 0 rows are
// empty), a fused producer (x * s + b, pool_map), 1 and 2 threads.
// RUN: sluicec run %s --function=all_valid --check --dim B=3 --dim N=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=all_valid --check --dim B=3 --dim N=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=all_valid --check --dim B=3 --dim N=4 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=all_valid --check --dim B=3 --dim N=5 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=all_valid --check --dim B=7 --dim N=17 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=all_valid --check --threads=2 --dim B=7 --dim N=9 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=masked --check --dim B=5 --dim N=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=masked --check --dim B=5 --dim N=3 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=masked --check --dim B=5 --dim N=8 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=masked --check --dim B=9 --dim N=17 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=masked --check --threads=2 --dim B=9 --dim N=9 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=lengths --check --dim B=9 --seed=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=lengths --check --threads=2 --dim B=9 --seed=2 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=affine --random-weights --check --dim B=5 --dim N=9 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=affine --random-weights --check --threads=2 --dim B=5 --dim N=17 | FileCheck %s --implicit-check-not=FAILED
// CHECK: check sum: ok
// CHECK: check mean: ok
// CHECK: check max: ok
// CHECK: check min: ok
// CHECK: check gem: ok

// NaN, +-Inf and signed zeros at valid positions (in each slot of a row
// block and in the tail rows), NaN / Inf at masked positions: against the
// reference and against a numpy oracle (max / min exact, NaN where a valid
// row holds NaN, masked rows never read; an empty row gives 0).
// RUN: %python -c "import numpy as np; r = np.random.default_rng(5); x = r.standard_normal((4, 11, 13)).astype(np.float32); m = r.random((4, 11)) < 0.7; m[0] = True; m[3] = False; m[1, :8] = True; x[0, 0, 0] = np.nan; x[0, 1, 1] = np.nan; x[0, 2, 2] = np.nan; x[0, 3, 3] = np.nan; x[0, 9, 4] = np.nan; x[0, 5, 5] = np.inf; x[0, 6, 6] = -np.inf; x[0, :, 7] = -np.inf; x[0, :, 8] = 0.0; x[0, ::2, 8] = -0.0; x[1, :8, 9] = np.nan; x[~m] = np.nan; x[2, ~m[2], 10] = np.inf; np.save('%t.x.npy', x); np.save('%t.m.npy', m)"
// RUN: sluicec run %s --function=masked --check --input x=%t.x.npy --input mask=%t.m.npy --output max=%t.max.npy --output min=%t.min.npy --output sum=%t.sum.npy | FileCheck %s --check-prefix=NAN --implicit-check-not=FAILED
// RUN: %python -c "import numpy as np; x = np.load('%t.x.npy'); m = np.load('%t.m.npy'); w = np.where(m[:, :, None], x, 0); ok = m.any(axis=1); big = np.where(m[:, :, None], x, -np.inf).max(axis=1); small = np.where(m[:, :, None], x, np.inf).min(axis=1); ref_max = np.where(ok[:, None], big, 0); ref_min = np.where(ok[:, None], small, 0); mx = np.load('%t.max.npy'); mn = np.load('%t.min.npy'); s = np.load('%t.sum.npy'); assert np.array_equal(mx, ref_max, equal_nan=True), (mx, ref_max); assert np.array_equal(mn, ref_min, equal_nan=True), (mn, ref_min); assert np.isnan(mx[0, :5]).all() and np.isnan(mx[1, 9]) and mx[0, 5] == np.inf and mx[0, 7] == -np.inf and mx[0, 8] == 0 and not np.isnan(mx[2]).any() and (mx[3] == 0).all(); assert np.allclose(s, w.sum(axis=1), rtol=1e-5, atol=1e-5, equal_nan=True)"
// NAN: check sum: ok
// NAN: check max: ok
// NAN: check min: ok

// The lowered max / min loops (outlined for the runtime pool) have no
// arith.maximumf / minimumf left: a block of eight rows is four unordered
// compares (the NaN flag) and a tree of strict compares + selects.
// RUN: sluice-opt %s --sluice-cpu-pipeline | FileCheck %s --check-prefix=IR
// IR-LABEL: llvm.func @__sluice_par_minmax_
// IR-NOT: llvm.intr.{{maximum|minimum}}
// IR-COUNT-4: llvm.fcmp "uno"
// IR-COUNT-8: llvm.fcmp "ogt"
// IR-NOT: llvm.intr.{{maximum|minimum}}
// IR-LABEL: llvm.func @__sluice_par_minmax_
// IR-NOT: llvm.intr.{{maximum|minimum}}
// IR-COUNT-4: llvm.fcmp "uno"
// IR-COUNT-8: llvm.fcmp "olt"
// IR-NOT: llvm.intr.{{maximum|minimum}}
// IR-LABEL: llvm.func @minmax(

func.func @all_valid(%x: tensor<?x?x13xf32> {sluice.name = "x", sluice.dims = ["B", "N", ""]})
    -> (tensor<?x13xf32> {sluice.name = "sum"}, tensor<?x13xf32> {sluice.name = "mean"}, tensor<?x13xf32> {sluice.name = "max"}, tensor<?x13xf32> {sluice.name = "min"}, tensor<?x13xf32> {sluice.name = "gem"}) {
  %sum = sluice.pool %x {kind = #sluice.pool<sum>} : (tensor<?x?x13xf32>) -> tensor<?x13xf32>
  %mean = sluice.pool %x {kind = #sluice.pool<mean>} : (tensor<?x?x13xf32>) -> tensor<?x13xf32>
  %max = sluice.pool %x {kind = #sluice.pool<max>} : (tensor<?x?x13xf32>) -> tensor<?x13xf32>
  %min = sluice.pool %x {kind = #sluice.pool<min>} : (tensor<?x?x13xf32>) -> tensor<?x13xf32>
  %gem = sluice.pool %x {kind = #sluice.pool<gem>} : (tensor<?x?x13xf32>) -> tensor<?x13xf32>
  return %sum, %mean, %max, %min, %gem : tensor<?x13xf32>, tensor<?x13xf32>, tensor<?x13xf32>, tensor<?x13xf32>, tensor<?x13xf32>
}

func.func @masked(%x: tensor<?x?x13xf32> {sluice.name = "x", sluice.dims = ["B", "N", ""]},
    %m: tensor<?x?xi1> {sluice.name = "mask", sluice.dims = ["B", "N"]})
    -> (tensor<?x13xf32> {sluice.name = "sum"}, tensor<?x13xf32> {sluice.name = "mean"}, tensor<?x13xf32> {sluice.name = "max"}, tensor<?x13xf32> {sluice.name = "min"}, tensor<?x13xf32> {sluice.name = "gem"}) {
  %sum = sluice.pool %x mask(%m) {kind = #sluice.pool<sum>} : (tensor<?x?x13xf32>, tensor<?x?xi1>) -> tensor<?x13xf32>
  %mean = sluice.pool %x mask(%m) {kind = #sluice.pool<mean>} : (tensor<?x?x13xf32>, tensor<?x?xi1>) -> tensor<?x13xf32>
  %max = sluice.pool %x mask(%m) {kind = #sluice.pool<max>} : (tensor<?x?x13xf32>, tensor<?x?xi1>) -> tensor<?x13xf32>
  %min = sluice.pool %x mask(%m) {kind = #sluice.pool<min>} : (tensor<?x?x13xf32>, tensor<?x?xi1>) -> tensor<?x13xf32>
  %gem = sluice.pool %x mask(%m) {kind = #sluice.pool<gem>, p = 2.5 : f32, eps = 1.0e-3 : f32} : (tensor<?x?x13xf32>, tensor<?x?xi1>) -> tensor<?x13xf32>
  return %sum, %mean, %max, %min, %gem : tensor<?x13xf32>, tensor<?x13xf32>, tensor<?x13xf32>, tensor<?x13xf32>, tensor<?x13xf32>
}

func.func @lengths(%x: tensor<?x17x13xf32> {sluice.name = "x", sluice.dims = ["B", "", ""]},
    %l: tensor<?xi32> {sluice.name = "lengths", sluice.dims = ["B"], sluice.range = array<i64: 0, 18>})
    -> (tensor<?x13xf32> {sluice.name = "sum"}, tensor<?x13xf32> {sluice.name = "mean"}, tensor<?x13xf32> {sluice.name = "max"}, tensor<?x13xf32> {sluice.name = "min"}, tensor<?x13xf32> {sluice.name = "gem"}) {
  %sum = sluice.pool %x lengths(%l) {kind = #sluice.pool<sum>} : (tensor<?x17x13xf32>, tensor<?xi32>) -> tensor<?x13xf32>
  %mean = sluice.pool %x lengths(%l) {kind = #sluice.pool<mean>} : (tensor<?x17x13xf32>, tensor<?xi32>) -> tensor<?x13xf32>
  %max = sluice.pool %x lengths(%l) {kind = #sluice.pool<max>} : (tensor<?x17x13xf32>, tensor<?xi32>) -> tensor<?x13xf32>
  %min = sluice.pool %x lengths(%l) {kind = #sluice.pool<min>} : (tensor<?x17x13xf32>, tensor<?xi32>) -> tensor<?x13xf32>
  %gem = sluice.pool %x lengths(%l) {kind = #sluice.pool<gem>} : (tensor<?x17x13xf32>, tensor<?xi32>) -> tensor<?x13xf32>
  return %sum, %mean, %max, %min, %gem : tensor<?x13xf32>, tensor<?x13xf32>, tensor<?x13xf32>, tensor<?x13xf32>, tensor<?x13xf32>
}

func.func @affine(%x: tensor<?x?x13xf32> {sluice.name = "x", sluice.dims = ["B", "N", ""]},
    %m: tensor<?x?xi1> {sluice.name = "mask", sluice.dims = ["B", "N"]},
    %scale: tensor<13xf32> {sluice.name = "scale", sluice.role = "weight"},
    %bias: tensor<13xf32> {sluice.name = "bias", sluice.role = "weight"})
    -> (tensor<?x13xf32> {sluice.name = "sum"}, tensor<?x13xf32> {sluice.name = "mean"}, tensor<?x13xf32> {sluice.name = "max"}, tensor<?x13xf32> {sluice.name = "min"}, tensor<?x13xf32> {sluice.name = "gem"}) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %b = tensor.dim %x, %c0 : tensor<?x?x13xf32>
  %n = tensor.dim %x, %c1 : tensor<?x?x13xf32>
  %e0 = tensor.empty(%b, %n) : tensor<?x?x13xf32>
  %v0 = linalg.generic {indexing_maps = [affine_map<(b, n, d) -> (b, n, d)>, affine_map<(b, n, d) -> (d)>, affine_map<(b, n, d) -> (d)>, affine_map<(b, n, d) -> (b, n, d)>], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x, %scale, %bias : tensor<?x?x13xf32>, tensor<13xf32>, tensor<13xf32>) outs(%e0 : tensor<?x?x13xf32>) {
  ^bb0(%a: f32, %s: f32, %c: f32, %o: f32):
    %t = arith.mulf %a, %s : f32
    %r = arith.addf %t, %c : f32
    linalg.yield %r : f32
  } -> tensor<?x?x13xf32>
  %e1 = tensor.empty(%b, %n) : tensor<?x?x13xf32>
  %v1 = linalg.generic {indexing_maps = [affine_map<(b, n, d) -> (b, n, d)>, affine_map<(b, n, d) -> (d)>, affine_map<(b, n, d) -> (d)>, affine_map<(b, n, d) -> (b, n, d)>], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x, %scale, %bias : tensor<?x?x13xf32>, tensor<13xf32>, tensor<13xf32>) outs(%e1 : tensor<?x?x13xf32>) {
  ^bb0(%a: f32, %s: f32, %c: f32, %o: f32):
    %t = arith.mulf %a, %s : f32
    %r = arith.addf %t, %c : f32
    linalg.yield %r : f32
  } -> tensor<?x?x13xf32>
  %e2 = tensor.empty(%b, %n) : tensor<?x?x13xf32>
  %v2 = linalg.generic {indexing_maps = [affine_map<(b, n, d) -> (b, n, d)>, affine_map<(b, n, d) -> (d)>, affine_map<(b, n, d) -> (d)>, affine_map<(b, n, d) -> (b, n, d)>], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x, %scale, %bias : tensor<?x?x13xf32>, tensor<13xf32>, tensor<13xf32>) outs(%e2 : tensor<?x?x13xf32>) {
  ^bb0(%a: f32, %s: f32, %c: f32, %o: f32):
    %t = arith.mulf %a, %s : f32
    %r = arith.addf %t, %c : f32
    linalg.yield %r : f32
  } -> tensor<?x?x13xf32>
  %e3 = tensor.empty(%b, %n) : tensor<?x?x13xf32>
  %v3 = linalg.generic {indexing_maps = [affine_map<(b, n, d) -> (b, n, d)>, affine_map<(b, n, d) -> (d)>, affine_map<(b, n, d) -> (d)>, affine_map<(b, n, d) -> (b, n, d)>], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x, %scale, %bias : tensor<?x?x13xf32>, tensor<13xf32>, tensor<13xf32>) outs(%e3 : tensor<?x?x13xf32>) {
  ^bb0(%a: f32, %s: f32, %c: f32, %o: f32):
    %t = arith.mulf %a, %s : f32
    %r = arith.addf %t, %c : f32
    linalg.yield %r : f32
  } -> tensor<?x?x13xf32>
  %e4 = tensor.empty(%b, %n) : tensor<?x?x13xf32>
  %v4 = linalg.generic {indexing_maps = [affine_map<(b, n, d) -> (b, n, d)>, affine_map<(b, n, d) -> (d)>, affine_map<(b, n, d) -> (d)>, affine_map<(b, n, d) -> (b, n, d)>], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x, %scale, %bias : tensor<?x?x13xf32>, tensor<13xf32>, tensor<13xf32>) outs(%e4 : tensor<?x?x13xf32>) {
  ^bb0(%a: f32, %s: f32, %c: f32, %o: f32):
    %t = arith.mulf %a, %s : f32
    %r = arith.addf %t, %c : f32
    linalg.yield %r : f32
  } -> tensor<?x?x13xf32>
  %sum = sluice.pool %v0 mask(%m) {kind = #sluice.pool<sum>} : (tensor<?x?x13xf32>, tensor<?x?xi1>) -> tensor<?x13xf32>
  %mean = sluice.pool %v1 mask(%m) {kind = #sluice.pool<mean>} : (tensor<?x?x13xf32>, tensor<?x?xi1>) -> tensor<?x13xf32>
  %max = sluice.pool %v2 mask(%m) {kind = #sluice.pool<max>} : (tensor<?x?x13xf32>, tensor<?x?xi1>) -> tensor<?x13xf32>
  %min = sluice.pool %v3 mask(%m) {kind = #sluice.pool<min>} : (tensor<?x?x13xf32>, tensor<?x?xi1>) -> tensor<?x13xf32>
  %gem = sluice.pool %v4 mask(%m) {kind = #sluice.pool<gem>} : (tensor<?x?x13xf32>, tensor<?x?xi1>) -> tensor<?x13xf32>
  return %sum, %mean, %max, %min, %gem : tensor<?x13xf32>, tensor<?x13xf32>, tensor<?x13xf32>, tensor<?x13xf32>, tensor<?x13xf32>
}

func.func @minmax(%x: tensor<?x?x13xf32> {sluice.name = "x", sluice.dims = ["B", "N", ""]})
    -> (tensor<?x13xf32> {sluice.name = "max"}, tensor<?x13xf32> {sluice.name = "min"}) {
  %max = sluice.pool %x {kind = #sluice.pool<max>} : (tensor<?x?x13xf32>) -> tensor<?x13xf32>
  %min = sluice.pool %x {kind = #sluice.pool<min>} : (tensor<?x?x13xf32>) -> tensor<?x13xf32>
  return %max, %min : tensor<?x13xf32>, tensor<?x13xf32>
}
