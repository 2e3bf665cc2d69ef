// sluice.topk compiled for the CPU and checked against the reference
// evaluator: k = 4, k = 1, k = N (a full sort), k = 0, largest = false,
// rank 3 (x[2, T, 16]) and rank 1 with a dynamic last dim, for
// T = 0, 1, 7, 33 from one module. Hand-written rows check ties (lower index
// first), NaN last in both directions, and +-inf; k above a dynamic last dim
// is a run-time error.

// RUN: sluicec run %s --function=k4 --random-weights --check --dim T=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=k4 --random-weights --check --dim T=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=k4 --random-weights --check --dim T=7 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=k4 --random-weights --check --dim T=33 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=k1 --random-weights --check --dim T=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=k1 --random-weights --check --dim T=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=k1 --random-weights --check --dim T=7 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=k1 --random-weights --check --dim T=33 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=k_all --random-weights --check --dim T=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=k_all --random-weights --check --dim T=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=k_all --random-weights --check --dim T=7 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=k_all --random-weights --check --dim T=33 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=k0 --random-weights --check --dim T=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=k0 --random-weights --check --dim T=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=k0 --random-weights --check --dim T=7 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=k0 --random-weights --check --dim T=33 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=smallest --random-weights --check --dim T=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=smallest --random-weights --check --dim T=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=smallest --random-weights --check --dim T=7 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=smallest --random-weights --check --dim T=33 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=rank3 --random-weights --check --dim T=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=rank3 --random-weights --check --dim T=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=rank3 --random-weights --check --dim T=7 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=rank3 --random-weights --check --dim T=33 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=rank1 --check --dim N=2 | FileCheck %s --check-prefix=RANK1 --implicit-check-not=FAILED
// RUN: sluicec run %s --function=rank1 --check --dim N=3 | FileCheck %s --check-prefix=RANK1 --implicit-check-not=FAILED
// RUN: sluicec run %s --function=rank1 --check --dim N=16 | FileCheck %s --check-prefix=RANK1 --implicit-check-not=FAILED
// CHECK: check values: ok
// CHECK: check indices: ok
// RANK1: check values: ok
// RANK1: check indices: ok

// RUN: %python -c "import numpy as np; np.save('%t.x.npy', np.array([[1, np.nan, -np.inf, 1, np.inf, 0], [2, 2, 2, 2, 2, 2], [np.nan, 5, np.nan, -1, 5, -1]], np.float32))"
// RUN: sluicec run %s --function=sort_largest --check --input x=%t.x.npy --output indices=%t.hi.npy | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=sort_smallest --check --input x=%t.x.npy --output indices=%t.lo.npy | FileCheck %s --implicit-check-not=FAILED
// RUN: %python -c "import numpy as np; assert np.load('%t.hi.npy').tolist() == [[4, 0, 3, 5, 2, 1], [0, 1, 2, 3, 4, 5], [1, 4, 3, 5, 0, 2]]; assert np.load('%t.lo.npy').tolist() == [[2, 5, 0, 3, 4, 1], [0, 1, 2, 3, 4, 5], [3, 5, 1, 4, 0, 2]]"
// RUN: not sluicec run %s --function=rank1_k4 --dim N=3 2>&1 | FileCheck %s --check-prefix=BIGK
// BIGK: error: {{.*}}sluice.topk: k = {{.*}} exceeds the size of the last dim

func.func @k4(%x: tensor<?x16xf32> {sluice.name = "x", sluice.dims = ["T", ""]})
    -> (tensor<?x4xf32> {sluice.name = "values"}, tensor<?x4xi32> {sluice.name = "indices"}) {
  %v, %i = sluice.topk %x {k = 4 : i64} : (tensor<?x16xf32>) -> (tensor<?x4xf32>, tensor<?x4xi32>)
  return %v, %i : tensor<?x4xf32>, tensor<?x4xi32>
}

func.func @k1(%x: tensor<?x16xf32> {sluice.name = "x", sluice.dims = ["T", ""]})
    -> (tensor<?x1xf32> {sluice.name = "values"}, tensor<?x1xi32> {sluice.name = "indices"}) {
  %v, %i = sluice.topk %x {k = 1 : i64} : (tensor<?x16xf32>) -> (tensor<?x1xf32>, tensor<?x1xi32>)
  return %v, %i : tensor<?x1xf32>, tensor<?x1xi32>
}

func.func @k_all(%x: tensor<?x16xf32> {sluice.name = "x", sluice.dims = ["T", ""]})
    -> (tensor<?x16xf32> {sluice.name = "values"}, tensor<?x16xi32> {sluice.name = "indices"}) {
  %v, %i = sluice.topk %x {k = 16 : i64} : (tensor<?x16xf32>) -> (tensor<?x16xf32>, tensor<?x16xi32>)
  return %v, %i : tensor<?x16xf32>, tensor<?x16xi32>
}

func.func @k0(%x: tensor<?x16xf32> {sluice.name = "x", sluice.dims = ["T", ""]})
    -> (tensor<?x0xf32> {sluice.name = "values"}, tensor<?x0xi32> {sluice.name = "indices"}) {
  %v, %i = sluice.topk %x {k = 0 : i64} : (tensor<?x16xf32>) -> (tensor<?x0xf32>, tensor<?x0xi32>)
  return %v, %i : tensor<?x0xf32>, tensor<?x0xi32>
}

func.func @smallest(%x: tensor<?x16xf32> {sluice.name = "x", sluice.dims = ["T", ""]})
    -> (tensor<?x3xf32> {sluice.name = "values"}, tensor<?x3xi32> {sluice.name = "indices"}) {
  %v, %i = sluice.topk %x {k = 3 : i64, largest = false} : (tensor<?x16xf32>) -> (tensor<?x3xf32>, tensor<?x3xi32>)
  return %v, %i : tensor<?x3xf32>, tensor<?x3xi32>
}

func.func @rank3(%x: tensor<2x?x16xf32> {sluice.name = "x", sluice.dims = ["", "T", ""]})
    -> (tensor<2x?x5xf32> {sluice.name = "values"}, tensor<2x?x5xi32> {sluice.name = "indices"}) {
  %v, %i = sluice.topk %x {k = 5 : i64} : (tensor<2x?x16xf32>) -> (tensor<2x?x5xf32>, tensor<2x?x5xi32>)
  return %v, %i : tensor<2x?x5xf32>, tensor<2x?x5xi32>
}

func.func @rank1(%x: tensor<?xf32> {sluice.name = "x", sluice.dims = ["N"]})
    -> (tensor<2xf32> {sluice.name = "values"}, tensor<2xi32> {sluice.name = "indices"}) {
  %v, %i = sluice.topk %x {k = 2 : i64, largest = false} : (tensor<?xf32>) -> (tensor<2xf32>, tensor<2xi32>)
  return %v, %i : tensor<2xf32>, tensor<2xi32>
}

func.func @rank1_k4(%x: tensor<?xf32> {sluice.name = "x", sluice.dims = ["N"]})
    -> (tensor<4xf32> {sluice.name = "values"}, tensor<4xi32> {sluice.name = "indices"}) {
  %v, %i = sluice.topk %x {k = 4 : i64} : (tensor<?xf32>) -> (tensor<4xf32>, tensor<4xi32>)
  return %v, %i : tensor<4xf32>, tensor<4xi32>
}

func.func @sort_largest(%x: tensor<?x6xf32> {sluice.name = "x", sluice.dims = ["T", ""]})
    -> (tensor<?x6xf32> {sluice.name = "values"}, tensor<?x6xi32> {sluice.name = "indices"}) {
  %v, %i = sluice.topk %x {k = 6 : i64} : (tensor<?x6xf32>) -> (tensor<?x6xf32>, tensor<?x6xi32>)
  return %v, %i : tensor<?x6xf32>, tensor<?x6xi32>
}

func.func @sort_smallest(%x: tensor<?x6xf32> {sluice.name = "x", sluice.dims = ["T", ""]})
    -> (tensor<?x6xf32> {sluice.name = "values"}, tensor<?x6xi32> {sluice.name = "indices"}) {
  %v, %i = sluice.topk %x {k = 6 : i64, largest = false} : (tensor<?x6xf32>) -> (tensor<?x6xf32>, tensor<?x6xi32>)
  return %v, %i : tensor<?x6xf32>, tensor<?x6xi32>
}
