// sluice.pool compiled for the CPU and checked against the reference
// evaluator. Every function returns all eight kinds (sum, mean, max, min,
// gem, lse, first, last) over x[B, N, 8]:
//   all_valid   no mask (gem with the defaults p = 3, eps = 1e-6; lse r = -1.5)
//   masked      an i1 mask (75% valid: some rows are empty at B = 33)
//               (gem p = 4, eps = 1e-3; lse r = 2)
//   masked_i8   an i8 mask with values in [-2, 3) (nonzero = valid)
//   no_valid    a mask with nothing valid: every output is 0
//   lengths     lengths in [0, N] (N = 5; length 0 rows are empty)
//   group_gem   group GeM: 4 channel groups, one p each (group_p)
// for B = 0, 1, 7, 33 and N = 0, 1, 3 from one module. A hand-written batch
// puts NaN and Inf in masked positions (never read), has holes in the mask
// ("last" is the highest valid position) and an all-masked row (0).
// A zero group_p entry and a length above N are run-time errors.

// RUN: sluicec run %s --function=all_valid --check --dim B=0 --dim N=3 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=all_valid --check --dim B=1 --dim N=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=all_valid --check --dim B=1 --dim N=3 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=all_valid --check --dim B=7 --dim N=3 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=all_valid --check --dim B=33 --dim N=3 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=all_valid --check --dim B=7 --dim N=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=masked --check --dim B=0 --dim N=3 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=masked --check --dim B=1 --dim N=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=masked --check --dim B=1 --dim N=3 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=masked --check --dim B=7 --dim N=3 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=masked --check --dim B=33 --dim N=3 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=masked --check --dim B=7 --dim N=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=masked_i8 --check --dim B=0 --dim N=3 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=masked_i8 --check --dim B=1 --dim N=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=masked_i8 --check --dim B=1 --dim N=3 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=masked_i8 --check --dim B=7 --dim N=3 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=masked_i8 --check --dim B=33 --dim N=3 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=masked_i8 --check --dim B=7 --dim N=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=no_valid --check --dim B=0 --dim N=3 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=no_valid --check --dim B=1 --dim N=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=no_valid --check --dim B=1 --dim N=3 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=no_valid --check --dim B=7 --dim N=3 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=no_valid --check --dim B=33 --dim N=3 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=no_valid --check --dim B=7 --dim N=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=lengths --check --dim B=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=lengths --check --dim B=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=lengths --check --dim B=7 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=lengths --check --dim B=33 | FileCheck %s --implicit-check-not=FAILED
// The sets run in parallel on the runtime's pool (scf.parallel over B):
// the same results with 2 threads, and the lowered code calls the pool.
// RUN: sluicec run %s --function=masked --check --threads=2 --dim B=33 --dim N=3 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=lengths --check --threads=2 --dim B=33 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec compile %s --emit=mlir-lowered -o - | FileCheck %s --check-prefix=POOL
// POOL-LABEL: llvm.func @masked(
// POOL: llvm.call @__sluice_par_masked_{{[0-9]+}}_dispatch
// CHECK: check sum: ok
// CHECK: check mean: ok
// CHECK: check max: ok
// CHECK: check min: ok
// CHECK: check gem: ok
// CHECK: check lse: ok
// CHECK: check first: ok
// CHECK: check last: ok

// RUN: %python -c "import numpy as np; np.save('%t.gp.npy', np.array([1, 2, 3, 0.5], np.float32)); np.save('%t.gp0.npy', np.array([1, 0, 2, 3], np.float32))"
// RUN: sluicec run %s --function=group_gem --check --input group_p=%t.gp.npy --dim B=0 --dim N=3 | FileCheck %s --check-prefix=GROUP --implicit-check-not=FAILED
// RUN: sluicec run %s --function=group_gem --check --input group_p=%t.gp.npy --dim B=1 --dim N=1 | FileCheck %s --check-prefix=GROUP --implicit-check-not=FAILED
// RUN: sluicec run %s --function=group_gem --check --input group_p=%t.gp.npy --dim B=7 --dim N=3 | FileCheck %s --check-prefix=GROUP --implicit-check-not=FAILED
// RUN: sluicec run %s --function=group_gem --check --input group_p=%t.gp.npy --dim B=33 --dim N=4 | FileCheck %s --check-prefix=GROUP --implicit-check-not=FAILED
// RUN: sluicec run %s --function=group_gem --check --threads=2 --input group_p=%t.gp.npy --dim B=33 --dim N=4 | FileCheck %s --check-prefix=GROUP --implicit-check-not=FAILED
// RUN: not sluicec run %s --function=group_gem --input group_p=%t.gp0.npy --dim B=2 --dim N=3 2>&1 | FileCheck %s --check-prefix=ZERO
// GROUP: check gem: ok
// ZERO: error: {{.*}}sluice.pool: group_p entry {{.*}} is 0

// Row 0 is valid at 0 and 2, row 1 at nothing, row 2 at 1, 2 and 3; masked
// positions hold NaN, +Inf and -Inf.
// RUN: %python -c "import numpy as np; m = np.array([[1,0,1,0], [0,0,0,0], [0,1,1,1]], np.bool_); x = np.tile(np.arange(1, 5, dtype=np.float32)[None, :, None], (3, 1, 8)); x[~m] = np.nan; x[1, 0] = np.inf; x[1, 1] = -np.inf; np.save('%t.x.npy', x); np.save('%t.m.npy', m)"
// RUN: sluicec run %s --function=masked --check --input x=%t.x.npy --input mask=%t.m.npy --output first=%t.first.npy --output last=%t.last.npy --output sum=%t.sum.npy --output max=%t.max.npy | FileCheck %s --implicit-check-not=FAILED
// RUN: %python -c "import numpy as np; assert (np.load('%t.first.npy')[:, 0] == [1, 0, 2]).all(); assert (np.load('%t.last.npy')[:, 0] == [3, 0, 4]).all(); assert (np.load('%t.sum.npy')[:, 0] == [4, 0, 9]).all(); assert (np.load('%t.max.npy')[:, 0] == [3, 0, 4]).all()"

// Lengths outside [0, N] are a run-time error.
// RUN: %python -c "import numpy as np; np.save('%t.len.npy', np.array([2, 6], np.int32))"
// RUN: not sluicec run %s --function=lengths --input lengths=%t.len.npy 2>&1 | FileCheck %s --check-prefix=LENGTH
// LENGTH: error: {{.*}}sluice.pool: lengths[{{.*}}] = {{.*}} out of range [0, N]

// lse (r = 2) of rows that hold infinities: every value -inf gives -inf,
// a +inf gives +inf, -inf next to finite values adds nothing.
// RUN: %python -c "import numpy as np; x = np.array([[-np.inf] * 3, [1, np.inf, 2], [-np.inf, 0, -np.inf]], np.float32); np.save('%t.inf.npy', np.repeat(x[:, :, None], 8, axis=2)); np.save('%t.ones.npy', np.ones((3, 3), np.bool_))"
// RUN: sluicec run %s --function=masked --check --input x=%t.inf.npy --input mask=%t.ones.npy --output lse=%t.lse.npy | FileCheck %s --implicit-check-not=FAILED
// RUN: %python -c "import numpy as np; l = np.load('%t.lse.npy')[:, 0]; assert l[0] == -np.inf and l[1] == np.inf and abs(l[2] - np.log(1 / 3) / 2) < 1e-6, l"

// A mask whose dims differ from x's is a run-time error.
// RUN: not sluicec run %s --function=mask_mismatch --dim B=4 --dim N=3 --dim M=5 2>&1 | FileCheck %s --check-prefix=MISMATCH
// RUN: not sluicec run %s --function=mask_mismatch --dim B=4 --dim N=3 --dim M=0 2>&1 | FileCheck %s --check-prefix=MISMATCH
// MISMATCH: error: {{.*}}sluice.pool: expects mask dim 1 ({{.*}}) to equal x dim 1

func.func @all_valid(%x: tensor<?x?x8xf32> {sluice.name = "x", sluice.dims = ["B", "N", ""]})
    -> (tensor<?x8xf32> {sluice.name = "sum"}, tensor<?x8xf32> {sluice.name = "mean"}, tensor<?x8xf32> {sluice.name = "max"}, tensor<?x8xf32> {sluice.name = "min"}, tensor<?x8xf32> {sluice.name = "gem"}, tensor<?x8xf32> {sluice.name = "lse"}, tensor<?x8xf32> {sluice.name = "first"}, tensor<?x8xf32> {sluice.name = "last"}) {
  %sum = sluice.pool %x {kind = #sluice.pool<sum>}
      : (tensor<?x?x8xf32>) -> tensor<?x8xf32>
  %mean = sluice.pool %x {kind = #sluice.pool<mean>}
      : (tensor<?x?x8xf32>) -> tensor<?x8xf32>
  %max = sluice.pool %x {kind = #sluice.pool<max>}
      : (tensor<?x?x8xf32>) -> tensor<?x8xf32>
  %min = sluice.pool %x {kind = #sluice.pool<min>}
      : (tensor<?x?x8xf32>) -> tensor<?x8xf32>
  %gem = sluice.pool %x {kind = #sluice.pool<gem>}
      : (tensor<?x?x8xf32>) -> tensor<?x8xf32>
  %lse = sluice.pool %x {kind = #sluice.pool<lse>, r = -1.5 : f32}
      : (tensor<?x?x8xf32>) -> tensor<?x8xf32>
  %first = sluice.pool %x {kind = #sluice.pool<first>}
      : (tensor<?x?x8xf32>) -> tensor<?x8xf32>
  %last = sluice.pool %x {kind = #sluice.pool<last>}
      : (tensor<?x?x8xf32>) -> tensor<?x8xf32>
  return %sum, %mean, %max, %min, %gem, %lse, %first, %last : tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>
}

func.func @masked(%x: tensor<?x?x8xf32> {sluice.name = "x", sluice.dims = ["B", "N", ""]},
    %m: tensor<?x?xi1> {sluice.name = "mask", sluice.dims = ["B", "N"]})
    -> (tensor<?x8xf32> {sluice.name = "sum"}, tensor<?x8xf32> {sluice.name = "mean"}, tensor<?x8xf32> {sluice.name = "max"}, tensor<?x8xf32> {sluice.name = "min"}, tensor<?x8xf32> {sluice.name = "gem"}, tensor<?x8xf32> {sluice.name = "lse"}, tensor<?x8xf32> {sluice.name = "first"}, tensor<?x8xf32> {sluice.name = "last"}) {
  %sum = sluice.pool %x mask(%m) {kind = #sluice.pool<sum>}
      : (tensor<?x?x8xf32>, tensor<?x?xi1>) -> tensor<?x8xf32>
  %mean = sluice.pool %x mask(%m) {kind = #sluice.pool<mean>}
      : (tensor<?x?x8xf32>, tensor<?x?xi1>) -> tensor<?x8xf32>
  %max = sluice.pool %x mask(%m) {kind = #sluice.pool<max>}
      : (tensor<?x?x8xf32>, tensor<?x?xi1>) -> tensor<?x8xf32>
  %min = sluice.pool %x mask(%m) {kind = #sluice.pool<min>}
      : (tensor<?x?x8xf32>, tensor<?x?xi1>) -> tensor<?x8xf32>
  %gem = sluice.pool %x mask(%m) {kind = #sluice.pool<gem>, p = 4.0 : f32, eps = 1.0e-3 : f32}
      : (tensor<?x?x8xf32>, tensor<?x?xi1>) -> tensor<?x8xf32>
  %lse = sluice.pool %x mask(%m) {kind = #sluice.pool<lse>, r = 2.0 : f32}
      : (tensor<?x?x8xf32>, tensor<?x?xi1>) -> tensor<?x8xf32>
  %first = sluice.pool %x mask(%m) {kind = #sluice.pool<first>}
      : (tensor<?x?x8xf32>, tensor<?x?xi1>) -> tensor<?x8xf32>
  %last = sluice.pool %x mask(%m) {kind = #sluice.pool<last>}
      : (tensor<?x?x8xf32>, tensor<?x?xi1>) -> tensor<?x8xf32>
  return %sum, %mean, %max, %min, %gem, %lse, %first, %last : tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>
}

func.func @masked_i8(%x: tensor<?x?x8xf32> {sluice.name = "x", sluice.dims = ["B", "N", ""]},
    %m: tensor<?x?xi8> {sluice.name = "mask", sluice.dims = ["B", "N"], sluice.range = array<i64: -2, 3>})
    -> (tensor<?x8xf32> {sluice.name = "sum"}, tensor<?x8xf32> {sluice.name = "mean"}, tensor<?x8xf32> {sluice.name = "max"}, tensor<?x8xf32> {sluice.name = "min"}, tensor<?x8xf32> {sluice.name = "gem"}, tensor<?x8xf32> {sluice.name = "lse"}, tensor<?x8xf32> {sluice.name = "first"}, tensor<?x8xf32> {sluice.name = "last"}) {
  %sum = sluice.pool %x mask(%m) {kind = #sluice.pool<sum>}
      : (tensor<?x?x8xf32>, tensor<?x?xi8>) -> tensor<?x8xf32>
  %mean = sluice.pool %x mask(%m) {kind = #sluice.pool<mean>}
      : (tensor<?x?x8xf32>, tensor<?x?xi8>) -> tensor<?x8xf32>
  %max = sluice.pool %x mask(%m) {kind = #sluice.pool<max>}
      : (tensor<?x?x8xf32>, tensor<?x?xi8>) -> tensor<?x8xf32>
  %min = sluice.pool %x mask(%m) {kind = #sluice.pool<min>}
      : (tensor<?x?x8xf32>, tensor<?x?xi8>) -> tensor<?x8xf32>
  %gem = sluice.pool %x mask(%m) {kind = #sluice.pool<gem>}
      : (tensor<?x?x8xf32>, tensor<?x?xi8>) -> tensor<?x8xf32>
  %lse = sluice.pool %x mask(%m) {kind = #sluice.pool<lse>, r = -1.5 : f32}
      : (tensor<?x?x8xf32>, tensor<?x?xi8>) -> tensor<?x8xf32>
  %first = sluice.pool %x mask(%m) {kind = #sluice.pool<first>}
      : (tensor<?x?x8xf32>, tensor<?x?xi8>) -> tensor<?x8xf32>
  %last = sluice.pool %x mask(%m) {kind = #sluice.pool<last>}
      : (tensor<?x?x8xf32>, tensor<?x?xi8>) -> tensor<?x8xf32>
  return %sum, %mean, %max, %min, %gem, %lse, %first, %last : tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>
}

func.func @no_valid(%x: tensor<?x?x8xf32> {sluice.name = "x", sluice.dims = ["B", "N", ""]},
    %m: tensor<?x?xi1> {sluice.name = "mask", sluice.dims = ["B", "N"], sluice.range = array<i64: 0, 1>})
    -> (tensor<?x8xf32> {sluice.name = "sum"}, tensor<?x8xf32> {sluice.name = "mean"}, tensor<?x8xf32> {sluice.name = "max"}, tensor<?x8xf32> {sluice.name = "min"}, tensor<?x8xf32> {sluice.name = "gem"}, tensor<?x8xf32> {sluice.name = "lse"}, tensor<?x8xf32> {sluice.name = "first"}, tensor<?x8xf32> {sluice.name = "last"}) {
  %sum = sluice.pool %x mask(%m) {kind = #sluice.pool<sum>}
      : (tensor<?x?x8xf32>, tensor<?x?xi1>) -> tensor<?x8xf32>
  %mean = sluice.pool %x mask(%m) {kind = #sluice.pool<mean>}
      : (tensor<?x?x8xf32>, tensor<?x?xi1>) -> tensor<?x8xf32>
  %max = sluice.pool %x mask(%m) {kind = #sluice.pool<max>}
      : (tensor<?x?x8xf32>, tensor<?x?xi1>) -> tensor<?x8xf32>
  %min = sluice.pool %x mask(%m) {kind = #sluice.pool<min>}
      : (tensor<?x?x8xf32>, tensor<?x?xi1>) -> tensor<?x8xf32>
  %gem = sluice.pool %x mask(%m) {kind = #sluice.pool<gem>, p = 4.0 : f32, eps = 1.0e-3 : f32}
      : (tensor<?x?x8xf32>, tensor<?x?xi1>) -> tensor<?x8xf32>
  %lse = sluice.pool %x mask(%m) {kind = #sluice.pool<lse>, r = 2.0 : f32}
      : (tensor<?x?x8xf32>, tensor<?x?xi1>) -> tensor<?x8xf32>
  %first = sluice.pool %x mask(%m) {kind = #sluice.pool<first>}
      : (tensor<?x?x8xf32>, tensor<?x?xi1>) -> tensor<?x8xf32>
  %last = sluice.pool %x mask(%m) {kind = #sluice.pool<last>}
      : (tensor<?x?x8xf32>, tensor<?x?xi1>) -> tensor<?x8xf32>
  return %sum, %mean, %max, %min, %gem, %lse, %first, %last : tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>
}

func.func @lengths(%x: tensor<?x5x8xf32> {sluice.name = "x", sluice.dims = ["B", "", ""]},
    %len: tensor<?xi32> {sluice.name = "lengths", sluice.dims = ["B"], sluice.range = array<i64: 0, 6>})
    -> (tensor<?x8xf32> {sluice.name = "sum"}, tensor<?x8xf32> {sluice.name = "mean"}, tensor<?x8xf32> {sluice.name = "max"}, tensor<?x8xf32> {sluice.name = "min"}, tensor<?x8xf32> {sluice.name = "gem"}, tensor<?x8xf32> {sluice.name = "lse"}, tensor<?x8xf32> {sluice.name = "first"}, tensor<?x8xf32> {sluice.name = "last"}) {
  %sum = sluice.pool %x lengths(%len) {kind = #sluice.pool<sum>}
      : (tensor<?x5x8xf32>, tensor<?xi32>) -> tensor<?x8xf32>
  %mean = sluice.pool %x lengths(%len) {kind = #sluice.pool<mean>}
      : (tensor<?x5x8xf32>, tensor<?xi32>) -> tensor<?x8xf32>
  %max = sluice.pool %x lengths(%len) {kind = #sluice.pool<max>}
      : (tensor<?x5x8xf32>, tensor<?xi32>) -> tensor<?x8xf32>
  %min = sluice.pool %x lengths(%len) {kind = #sluice.pool<min>}
      : (tensor<?x5x8xf32>, tensor<?xi32>) -> tensor<?x8xf32>
  %gem = sluice.pool %x lengths(%len) {kind = #sluice.pool<gem>, p = 4.0 : f32, eps = 1.0e-3 : f32}
      : (tensor<?x5x8xf32>, tensor<?xi32>) -> tensor<?x8xf32>
  %lse = sluice.pool %x lengths(%len) {kind = #sluice.pool<lse>, r = 2.0 : f32}
      : (tensor<?x5x8xf32>, tensor<?xi32>) -> tensor<?x8xf32>
  %first = sluice.pool %x lengths(%len) {kind = #sluice.pool<first>}
      : (tensor<?x5x8xf32>, tensor<?xi32>) -> tensor<?x8xf32>
  %last = sluice.pool %x lengths(%len) {kind = #sluice.pool<last>}
      : (tensor<?x5x8xf32>, tensor<?xi32>) -> tensor<?x8xf32>
  return %sum, %mean, %max, %min, %gem, %lse, %first, %last : tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>
}

func.func @group_gem(%x: tensor<?x?x8xf32> {sluice.name = "x", sluice.dims = ["B", "N", ""]},
    %m: tensor<?x?xi1> {sluice.name = "mask", sluice.dims = ["B", "N"]},
    %gp: tensor<4xf32> {sluice.name = "group_p", sluice.role = "weight"})
    -> (tensor<?x8xf32> {sluice.name = "gem"}) {
  %0 = sluice.pool %x mask(%m) group_p(%gp) {kind = #sluice.pool<gem>, groups = 4 : i64}
      : (tensor<?x?x8xf32>, tensor<?x?xi1>, tensor<4xf32>) -> tensor<?x8xf32>
  return %0 : tensor<?x8xf32>
}

func.func @mask_mismatch(%x: tensor<?x?x8xf32> {sluice.name = "x", sluice.dims = ["B", "N", ""]},
    %m: tensor<?x?xi1> {sluice.name = "mask", sluice.dims = ["B", "M"]})
    -> (tensor<?x8xf32> {sluice.name = "max"}) {
  %0 = sluice.pool %x mask(%m) {kind = #sluice.pool<max>}
      : (tensor<?x?x8xf32>, tensor<?x?xi1>) -> tensor<?x8xf32>
  return %0 : tensor<?x8xf32>
}
