// sluice.spatial_pyramid_pool compiled for the CPU and checked against the
// reference evaluator: levels [4, 2, 1] with max (the default) and avg on
// 5x7 maps (uneven, overlapping bins), a single level [3] with avg, levels
// larger than the map ([4, 3] on 2x3: bins repeat rows and columns), and
// dynamic C, H, W, for B = 0, 1, 7, 33 from one module. A hand-written 2x2
// map checks the C-major, level-order layout.

// RUN: sluicec run %s --function=max_421 --check --dim B=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=max_421 --check --dim B=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=max_421 --check --dim B=7 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=max_421 --check --dim B=33 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=avg_421 --check --dim B=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=avg_421 --check --dim B=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=avg_421 --check --dim B=7 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=avg_421 --check --dim B=33 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=avg_3 --check --dim B=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=avg_3 --check --dim B=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=avg_3 --check --dim B=7 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=avg_3 --check --dim B=33 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=max_tiny --check --dim B=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=max_tiny --check --dim B=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=max_tiny --check --dim B=7 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=max_tiny --check --dim B=33 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=dynamic --check --dim B=0 --dim C=2 --dim H=4 --dim W=4 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=dynamic --check --dim B=1 --dim C=1 --dim H=1 --dim W=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=dynamic --check --dim B=7 --dim C=3 --dim H=2 --dim W=9 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=dynamic --check --dim B=33 --dim C=2 --dim H=6 --dim W=5 | FileCheck %s --implicit-check-not=FAILED
// CHECK: check out: ok

// Channel 0 is [[1, 2], [3, 4]], channel 1 ten times that; levels [1, 2]:
// [max c0, max c1, c0 bins, c1 bins] = [4, 40, 1, 2, 3, 4, 10, 20, 30, 40].
// RUN: %python -c "import numpy as np; c = np.array([[1, 2], [3, 4]], np.float32); np.save('%t.x.npy', np.stack([c, 10 * c])[None])"
// RUN: sluicec run %s --function=layout --check --input x=%t.x.npy --output out=%t.out.npy | FileCheck %s --implicit-check-not=FAILED
// RUN: %python -c "import numpy as np; o = np.load('%t.out.npy'); assert o.tolist() == [[4, 40, 1, 2, 3, 4, 10, 20, 30, 40]], o"

// A dynamic H or W of 0 is a run-time error.
// RUN: not sluicec run %s --function=dynamic --dim B=2 --dim C=2 --dim H=0 --dim W=3 2>&1 | FileCheck %s --check-prefix=EMPTY
// EMPTY: error: {{.*}}sluice.spatial_pyramid_pool: expects H >= 1, got

func.func @max_421(%x: tensor<?x3x5x7xf32> {sluice.name = "x", sluice.dims = ["B", "", "", ""]})
    -> (tensor<?x63xf32> {sluice.name = "out"}) {
  %0 = sluice.spatial_pyramid_pool %x {levels = array<i64: 4, 2, 1>} : (tensor<?x3x5x7xf32>) -> tensor<?x63xf32>
  return %0 : tensor<?x63xf32>
}

func.func @avg_421(%x: tensor<?x3x5x7xf32> {sluice.name = "x", sluice.dims = ["B", "", "", ""]})
    -> (tensor<?x63xf32> {sluice.name = "out"}) {
  %0 = sluice.spatial_pyramid_pool %x {levels = array<i64: 4, 2, 1>, kind = #sluice.spatial_pool<avg>} : (tensor<?x3x5x7xf32>) -> tensor<?x63xf32>
  return %0 : tensor<?x63xf32>
}

func.func @avg_3(%x: tensor<?x3x5x7xf32> {sluice.name = "x", sluice.dims = ["B", "", "", ""]})
    -> (tensor<?x27xf32> {sluice.name = "out"}) {
  %0 = sluice.spatial_pyramid_pool %x {levels = array<i64: 3>, kind = #sluice.spatial_pool<avg>} : (tensor<?x3x5x7xf32>) -> tensor<?x27xf32>
  return %0 : tensor<?x27xf32>
}

func.func @max_tiny(%x: tensor<?x2x2x3xf32> {sluice.name = "x", sluice.dims = ["B", "", "", ""]})
    -> (tensor<?x50xf32> {sluice.name = "out"}) {
  %0 = sluice.spatial_pyramid_pool %x {levels = array<i64: 4, 3>, kind = #sluice.spatial_pool<max>} : (tensor<?x2x2x3xf32>) -> tensor<?x50xf32>
  return %0 : tensor<?x50xf32>
}

func.func @dynamic(%x: tensor<?x?x?x?xf32> {sluice.name = "x", sluice.dims = ["B", "C", "H", "W"]})
    -> (tensor<?x?xf32> {sluice.name = "out"}) {
  %0 = sluice.spatial_pyramid_pool %x {levels = array<i64: 2, 1, 3>, kind = #sluice.spatial_pool<avg>} : (tensor<?x?x?x?xf32>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

func.func @layout(%x: tensor<?x2x2x2xf32> {sluice.name = "x", sluice.dims = ["B", "", "", ""]})
    -> (tensor<?x10xf32> {sluice.name = "out"}) {
  %0 = sluice.spatial_pyramid_pool %x {levels = array<i64: 1, 2>} : (tensor<?x2x2x2xf32>) -> tensor<?x10xf32>
  return %0 : tensor<?x10xf32>
}
