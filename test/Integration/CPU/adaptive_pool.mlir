// sluice.adaptive_pool compiled for the CPU and checked against the
// reference evaluator, avg and max, with PyTorch's adaptive bins
// [floor(i*H/OH), ceil((i+1)*H/OH)): overlapping bins (5x7 -> 3x3), outputs
// larger than the input (5x7 -> 7x9, bins repeat rows), a 1x1 output (global
// pooling), and dynamic H and W in {1, 2, 3, 6, 13} (3x3 -> 3x3 is the
// identity at run time; a static identity folds away, see
// folded_to_argument.mlir), for B = 0, 1, 7, 33 from one module. A
// hand-written 1x5 row checks the bins of 5 -> 3: [0, 2), [1, 4), [3, 5).

// RUN: sluicec run %s --function=avg_3x3 --check --dim B=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=avg_3x3 --check --dim B=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=avg_3x3 --check --dim B=7 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=avg_3x3 --check --dim B=33 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=max_3x3 --check --dim B=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=max_3x3 --check --dim B=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=max_3x3 --check --dim B=7 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=max_3x3 --check --dim B=33 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=avg_7x9 --check --dim B=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=avg_7x9 --check --dim B=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=avg_7x9 --check --dim B=7 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=avg_7x9 --check --dim B=33 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=max_7x9 --check --dim B=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=max_7x9 --check --dim B=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=max_7x9 --check --dim B=7 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=max_7x9 --check --dim B=33 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=avg_1x1 --check --dim B=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=avg_1x1 --check --dim B=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=avg_1x1 --check --dim B=7 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=avg_1x1 --check --dim B=33 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=max_1x1 --check --dim B=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=max_1x1 --check --dim B=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=max_1x1 --check --dim B=7 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=max_1x1 --check --dim B=33 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=dyn_avg --check --dim B=0 --dim C=2 --dim H=4 --dim W=4 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=dyn_avg --check --dim B=1 --dim C=2 --dim H=1 --dim W=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=dyn_avg --check --dim B=7 --dim C=2 --dim H=2 --dim W=13 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=dyn_avg --check --dim B=33 --dim C=2 --dim H=6 --dim W=5 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=dyn_avg --check --dim B=2 --dim C=2 --dim H=13 --dim W=2 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=dyn_avg --check --dim B=3 --dim C=2 --dim H=3 --dim W=3 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=dyn_max --check --dim B=0 --dim C=2 --dim H=4 --dim W=4 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=dyn_max --check --dim B=1 --dim C=2 --dim H=1 --dim W=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=dyn_max --check --dim B=7 --dim C=2 --dim H=2 --dim W=13 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=dyn_max --check --dim B=33 --dim C=2 --dim H=6 --dim W=5 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=dyn_max --check --dim B=2 --dim C=2 --dim H=13 --dim W=2 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=dyn_max --check --dim B=3 --dim C=2 --dim H=3 --dim W=3 | FileCheck %s --implicit-check-not=FAILED
// CHECK: check out: ok

// RUN: %python -c "import numpy as np; np.save('%t.x.npy', np.array([1, 2, 4, 8, 16], np.float32).reshape(1, 1, 1, 5))"
// RUN: sluicec run %s --function=dyn_avg --check --input x=%t.x.npy --output out=%t.avg.npy | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=dyn_max --check --input x=%t.x.npy --output out=%t.max.npy | FileCheck %s --implicit-check-not=FAILED
// RUN: %python -c "import numpy as np; a = np.load('%t.avg.npy'); m = np.load('%t.max.npy'); assert a.shape == (1, 1, 3, 3) and np.allclose(a[0, 0], [[1.5, 14 / 3, 12]] * 3), a; assert (m[0, 0] == [[2, 8, 16]] * 3).all(), m"

// A dynamic H or W of 0 is a run-time error (bins would be empty).
// RUN: not sluicec run %s --function=dyn_avg --dim B=2 --dim C=2 --dim H=0 --dim W=3 2>&1 | FileCheck %s --check-prefix=EMPTYH
// RUN: not sluicec run %s --function=dyn_max --dim B=2 --dim C=2 --dim H=3 --dim W=0 2>&1 | FileCheck %s --check-prefix=EMPTYW
// EMPTYH: error: {{.*}}sluice.adaptive_pool: expects H >= 1, got
// EMPTYW: error: {{.*}}sluice.adaptive_pool: expects W >= 1, got

func.func @avg_3x3(%x: tensor<?x3x5x7xf32> {sluice.name = "x", sluice.dims = ["B", "", "", ""]})
    -> (tensor<?x3x3x3xf32> {sluice.name = "out"}) {
  %0 = sluice.adaptive_pool %x {output_size = array<i64: 3, 3>} : (tensor<?x3x5x7xf32>) -> tensor<?x3x3x3xf32>
  return %0 : tensor<?x3x3x3xf32>
}

func.func @max_3x3(%x: tensor<?x3x5x7xf32> {sluice.name = "x", sluice.dims = ["B", "", "", ""]})
    -> (tensor<?x3x3x3xf32> {sluice.name = "out"}) {
  %0 = sluice.adaptive_pool %x {kind = #sluice.spatial_pool<max>, output_size = array<i64: 3, 3>} : (tensor<?x3x5x7xf32>) -> tensor<?x3x3x3xf32>
  return %0 : tensor<?x3x3x3xf32>
}

func.func @avg_7x9(%x: tensor<?x3x5x7xf32> {sluice.name = "x", sluice.dims = ["B", "", "", ""]})
    -> (tensor<?x3x7x9xf32> {sluice.name = "out"}) {
  %0 = sluice.adaptive_pool %x {output_size = array<i64: 7, 9>} : (tensor<?x3x5x7xf32>) -> tensor<?x3x7x9xf32>
  return %0 : tensor<?x3x7x9xf32>
}

func.func @max_7x9(%x: tensor<?x3x5x7xf32> {sluice.name = "x", sluice.dims = ["B", "", "", ""]})
    -> (tensor<?x3x7x9xf32> {sluice.name = "out"}) {
  %0 = sluice.adaptive_pool %x {kind = #sluice.spatial_pool<max>, output_size = array<i64: 7, 9>} : (tensor<?x3x5x7xf32>) -> tensor<?x3x7x9xf32>
  return %0 : tensor<?x3x7x9xf32>
}

func.func @avg_1x1(%x: tensor<?x3x5x7xf32> {sluice.name = "x", sluice.dims = ["B", "", "", ""]})
    -> (tensor<?x3x1x1xf32> {sluice.name = "out"}) {
  %0 = sluice.adaptive_pool %x {output_size = array<i64: 1, 1>} : (tensor<?x3x5x7xf32>) -> tensor<?x3x1x1xf32>
  return %0 : tensor<?x3x1x1xf32>
}

func.func @max_1x1(%x: tensor<?x3x5x7xf32> {sluice.name = "x", sluice.dims = ["B", "", "", ""]})
    -> (tensor<?x3x1x1xf32> {sluice.name = "out"}) {
  %0 = sluice.adaptive_pool %x {kind = #sluice.spatial_pool<max>, output_size = array<i64: 1, 1>} : (tensor<?x3x5x7xf32>) -> tensor<?x3x1x1xf32>
  return %0 : tensor<?x3x1x1xf32>
}


func.func @dyn_avg(%x: tensor<?x?x?x?xf32> {sluice.name = "x", sluice.dims = ["B", "C", "H", "W"]})
    -> (tensor<?x?x3x3xf32> {sluice.name = "out"}) {
  %0 = sluice.adaptive_pool %x {output_size = array<i64: 3, 3>} : (tensor<?x?x?x?xf32>) -> tensor<?x?x3x3xf32>
  return %0 : tensor<?x?x3x3xf32>
}

func.func @dyn_max(%x: tensor<?x?x?x?xf32> {sluice.name = "x", sluice.dims = ["B", "C", "H", "W"]})
    -> (tensor<?x?x3x3xf32> {sluice.name = "out"}) {
  %0 = sluice.adaptive_pool %x {kind = #sluice.spatial_pool<max>, output_size = array<i64: 3, 3>} : (tensor<?x?x?x?xf32>) -> tensor<?x?x3x3xf32>
  return %0 : tensor<?x?x3x3xf32>
}
