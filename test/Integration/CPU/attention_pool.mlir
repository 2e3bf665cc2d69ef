// sluice.attention_pool compiled for the CPU and checked against the
// reference evaluator: kind dot with one head and with 4 heads (head-major
// columns, scores scaled by 1/sqrt(D/h)), kind featurewise (AttSets: a
// softmax per feature over x w), each without a mask, with an i1 / i8 mask,
// and with nothing valid (every output 0), for B = 0, 1, 7, 33 and
// N = 0, 1, 4 from one module. Hand-written inputs with a zero query / zero
// w (uniform attention: the mean of the valid rows) put NaN in a masked row.

// RUN: sluicec run %s --function=dot --random-weights --check --dim B=0 --dim N=4 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=dot --random-weights --check --dim B=1 --dim N=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=dot --random-weights --check --dim B=1 --dim N=4 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=dot --random-weights --check --dim B=7 --dim N=4 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=dot --random-weights --check --dim B=33 --dim N=3 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=dot --random-weights --check --dim B=3 --dim N=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=dot_heads_masked --random-weights --check --dim B=0 --dim N=4 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=dot_heads_masked --random-weights --check --dim B=1 --dim N=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=dot_heads_masked --random-weights --check --dim B=1 --dim N=4 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=dot_heads_masked --random-weights --check --dim B=7 --dim N=4 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=dot_heads_masked --random-weights --check --dim B=33 --dim N=3 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=dot_heads_masked --random-weights --check --dim B=3 --dim N=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=dot_none_valid --random-weights --check --dim B=0 --dim N=4 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=dot_none_valid --random-weights --check --dim B=1 --dim N=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=dot_none_valid --random-weights --check --dim B=1 --dim N=4 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=dot_none_valid --random-weights --check --dim B=7 --dim N=4 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=dot_none_valid --random-weights --check --dim B=33 --dim N=3 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=dot_none_valid --random-weights --check --dim B=3 --dim N=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=featurewise --random-weights --check --dim B=0 --dim N=4 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=featurewise --random-weights --check --dim B=1 --dim N=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=featurewise --random-weights --check --dim B=1 --dim N=4 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=featurewise --random-weights --check --dim B=7 --dim N=4 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=featurewise --random-weights --check --dim B=33 --dim N=3 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=featurewise --random-weights --check --dim B=3 --dim N=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=featurewise_masked --random-weights --check --dim B=0 --dim N=4 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=featurewise_masked --random-weights --check --dim B=1 --dim N=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=featurewise_masked --random-weights --check --dim B=1 --dim N=4 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=featurewise_masked --random-weights --check --dim B=7 --dim N=4 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=featurewise_masked --random-weights --check --dim B=33 --dim N=3 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=featurewise_masked --random-weights --check --dim B=3 --dim N=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=featurewise_none_valid --random-weights --check --dim B=0 --dim N=4 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=featurewise_none_valid --random-weights --check --dim B=1 --dim N=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=featurewise_none_valid --random-weights --check --dim B=1 --dim N=4 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=featurewise_none_valid --random-weights --check --dim B=7 --dim N=4 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=featurewise_none_valid --random-weights --check --dim B=33 --dim N=3 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=featurewise_none_valid --random-weights --check --dim B=3 --dim N=0 | FileCheck %s --implicit-check-not=FAILED
// CHECK: check out: ok

// Row 0: valid rows 0 and 2 (mean [2, 4, 6, 8]); row 1: nothing valid.
// RUN: %python -c "import numpy as np; x = np.array([[[1, 2, 3, 4], [np.nan] * 4, [3, 6, 9, 12]], [[5] * 4, [6] * 4, [7] * 4]], np.float32); np.save('%t.x.npy', x); np.save('%t.m.npy', np.array([[1, 0, 1], [0, 0, 0]], np.bool_)); np.save('%t.q.npy', np.zeros((1, 4), np.float32)); np.save('%t.w.npy', np.zeros((4, 4), np.float32))"
// RUN: sluicec run %s --function=dot_small --check --input x=%t.x.npy --input mask=%t.m.npy --input q=%t.q.npy --output out=%t.dot.npy | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=featurewise_small --check --input x=%t.x.npy --input mask=%t.m.npy --input w=%t.w.npy --output out=%t.fw.npy | FileCheck %s --implicit-check-not=FAILED
// RUN: %python -c "import numpy as np; want = [[[2, 4, 6, 8]], [[0, 0, 0, 0]]]; assert np.allclose(np.load('%t.dot.npy'), want); assert np.allclose(np.load('%t.fw.npy'), want)"

// A mask of another shape, and x with a dynamic feature count other than
// q's, are run-time errors.
// RUN: not sluicec run %s --function=mask_mismatch --random-weights --dim B=3 --dim N=4 --dim M=2 2>&1 | FileCheck %s --check-prefix=MASK
// RUN: not sluicec run %s --function=features --random-weights --dim B=3 --dim N=4 --dim D=4 2>&1 | FileCheck %s --check-prefix=FEATURES
// RUN: sluicec run %s --function=features --random-weights --check --dim B=3 --dim N=4 --dim D=8 | FileCheck %s --implicit-check-not=FAILED
// MASK: error: {{.*}}sluice.attention_pool: expects mask dim 1 (2) to equal x dim 1 (4)
// FEATURES: error: {{.*}}sluice.attention_pool: expects x dim 2 (4) to equal w dim 0 (8)

func.func @dot(%x: tensor<?x?x8xf32> {sluice.name = "x", sluice.dims = ["B", "N", ""]},
    %q: tensor<2x8xf32> {sluice.name = "q", sluice.role = "weight"})
    -> (tensor<?x2x8xf32> {sluice.name = "out"}) {
  %0 = sluice.attention_pool %x, %q
      : (tensor<?x?x8xf32>, tensor<2x8xf32>) -> tensor<?x2x8xf32>
  return %0 : tensor<?x2x8xf32>
}

func.func @dot_heads_masked(%x: tensor<?x?x8xf32> {sluice.name = "x", sluice.dims = ["B", "N", ""]},
    %q: tensor<3x8xf32> {sluice.name = "q", sluice.role = "weight"},
    %m: tensor<?x?xi1> {sluice.name = "mask", sluice.dims = ["B", "N"]})
    -> (tensor<?x3x8xf32> {sluice.name = "out"}) {
  %0 = sluice.attention_pool %x, %q mask(%m) {heads = 4 : i64}
      : (tensor<?x?x8xf32>, tensor<3x8xf32>, tensor<?x?xi1>) -> tensor<?x3x8xf32>
  return %0 : tensor<?x3x8xf32>
}

func.func @dot_none_valid(%x: tensor<?x?x8xf32> {sluice.name = "x", sluice.dims = ["B", "N", ""]},
    %q: tensor<2x8xf32> {sluice.name = "q", sluice.role = "weight"},
    %m: tensor<?x?xi1> {sluice.name = "mask", sluice.dims = ["B", "N"], sluice.range = array<i64: 0, 1>})
    -> (tensor<?x2x8xf32> {sluice.name = "out"}) {
  %0 = sluice.attention_pool %x, %q mask(%m) {heads = 2 : i64}
      : (tensor<?x?x8xf32>, tensor<2x8xf32>, tensor<?x?xi1>) -> tensor<?x2x8xf32>
  return %0 : tensor<?x2x8xf32>
}

func.func @featurewise(%x: tensor<?x?x8xf32> {sluice.name = "x", sluice.dims = ["B", "N", ""]},
    %w: tensor<8x8xf32> {sluice.name = "w", sluice.role = "weight"})
    -> (tensor<?x1x8xf32> {sluice.name = "out"}) {
  %0 = sluice.attention_pool %x, %w {kind = #sluice.attention_pool<featurewise>}
      : (tensor<?x?x8xf32>, tensor<8x8xf32>) -> tensor<?x1x8xf32>
  return %0 : tensor<?x1x8xf32>
}

func.func @featurewise_masked(%x: tensor<?x?x8xf32> {sluice.name = "x", sluice.dims = ["B", "N", ""]},
    %w: tensor<8x8xf32> {sluice.name = "w", sluice.role = "weight"},
    %m: tensor<?x?xi8> {sluice.name = "mask", sluice.dims = ["B", "N"], sluice.range = array<i64: -1, 2>})
    -> (tensor<?x1x8xf32> {sluice.name = "out"}) {
  %0 = sluice.attention_pool %x, %w mask(%m) {kind = #sluice.attention_pool<featurewise>}
      : (tensor<?x?x8xf32>, tensor<8x8xf32>, tensor<?x?xi8>) -> tensor<?x1x8xf32>
  return %0 : tensor<?x1x8xf32>
}

func.func @featurewise_none_valid(%x: tensor<?x?x8xf32> {sluice.name = "x", sluice.dims = ["B", "N", ""]},
    %w: tensor<8x8xf32> {sluice.name = "w", sluice.role = "weight"},
    %m: tensor<?x?xi1> {sluice.name = "mask", sluice.dims = ["B", "N"], sluice.range = array<i64: 0, 1>})
    -> (tensor<?x1x8xf32> {sluice.name = "out"}) {
  %0 = sluice.attention_pool %x, %w mask(%m) {kind = #sluice.attention_pool<featurewise>}
      : (tensor<?x?x8xf32>, tensor<8x8xf32>, tensor<?x?xi1>) -> tensor<?x1x8xf32>
  return %0 : tensor<?x1x8xf32>
}

func.func @dot_small(%x: tensor<?x?x4xf32> {sluice.name = "x", sluice.dims = ["B", "N", ""]},
    %q: tensor<1x4xf32> {sluice.name = "q", sluice.role = "weight"},
    %m: tensor<?x?xi1> {sluice.name = "mask", sluice.dims = ["B", "N"]})
    -> (tensor<?x1x4xf32> {sluice.name = "out"}) {
  %0 = sluice.attention_pool %x, %q mask(%m) {heads = 2 : i64}
      : (tensor<?x?x4xf32>, tensor<1x4xf32>, tensor<?x?xi1>) -> tensor<?x1x4xf32>
  return %0 : tensor<?x1x4xf32>
}

func.func @featurewise_small(%x: tensor<?x?x4xf32> {sluice.name = "x", sluice.dims = ["B", "N", ""]},
    %w: tensor<4x4xf32> {sluice.name = "w", sluice.role = "weight"},
    %m: tensor<?x?xi1> {sluice.name = "mask", sluice.dims = ["B", "N"]})
    -> (tensor<?x1x4xf32> {sluice.name = "out"}) {
  %0 = sluice.attention_pool %x, %w mask(%m) {kind = #sluice.attention_pool<featurewise>}
      : (tensor<?x?x4xf32>, tensor<4x4xf32>, tensor<?x?xi1>) -> tensor<?x1x4xf32>
  return %0 : tensor<?x1x4xf32>
}

func.func @mask_mismatch(%x: tensor<?x?x8xf32> {sluice.name = "x", sluice.dims = ["B", "N", ""]},
    %q: tensor<2x8xf32> {sluice.name = "q", sluice.role = "weight"},
    %m: tensor<?x?xi1> {sluice.name = "mask", sluice.dims = ["B", "M"]})
    -> (tensor<?x2x8xf32> {sluice.name = "out"}) {
  %0 = sluice.attention_pool %x, %q mask(%m) {heads = 2 : i64}
      : (tensor<?x?x8xf32>, tensor<2x8xf32>, tensor<?x?xi1>) -> tensor<?x2x8xf32>
  return %0 : tensor<?x2x8xf32>
}

func.func @features(%x: tensor<?x?x?xf32> {sluice.name = "x", sluice.dims = ["B", "N", "D"]},
    %w: tensor<8x8xf32> {sluice.name = "w", sluice.role = "weight"})
    -> (tensor<?x1x?xf32> {sluice.name = "out"}) {
  %0 = sluice.attention_pool %x, %w {kind = #sluice.attention_pool<featurewise>}
      : (tensor<?x?x?xf32>, tensor<8x8xf32>) -> tensor<?x1x?xf32>
  return %0 : tensor<?x1x?xf32>
}
