// sluice.sparse_matmul compiled for the CPU and checked against the
// reference evaluator (x[T, 16], w[16, 12]), for T = 0, 1, 7, 33 from one
// module (T = 1 is the decode case):
//   threshold        inputs with |x| > 0.3
//   threshold_none   tau 1e30: y = 0
//   topk             the 5 largest |x| per row
//   topk_none        k = 0: y = 0
//   topk_all         k = N: y = x w
//   wina             WINA with a given wnorm
//   wina_computed    WINA with wnorm computed from w (row L2 norms)
// A hand-written case checks which rows of w contribute.

// RUN: sluicec run %s --function=threshold --random-weights --check --dim T=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=threshold --random-weights --check --dim T=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=threshold --random-weights --check --dim T=7 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=threshold --random-weights --check --dim T=33 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=threshold_none --random-weights --check --dim T=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=threshold_none --random-weights --check --dim T=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=threshold_none --random-weights --check --dim T=7 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=threshold_none --random-weights --check --dim T=33 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=topk --random-weights --check --dim T=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=topk --random-weights --check --dim T=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=topk --random-weights --check --dim T=7 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=topk --random-weights --check --dim T=33 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=topk_none --random-weights --check --dim T=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=topk_none --random-weights --check --dim T=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=topk_none --random-weights --check --dim T=7 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=topk_none --random-weights --check --dim T=33 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=topk_all --random-weights --check --dim T=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=topk_all --random-weights --check --dim T=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=topk_all --random-weights --check --dim T=7 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=topk_all --random-weights --check --dim T=33 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=wina --random-weights --check --dim T=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=wina --random-weights --check --dim T=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=wina --random-weights --check --dim T=7 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=wina --random-weights --check --dim T=33 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=wina_computed --random-weights --check --dim T=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=wina_computed --random-weights --check --dim T=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=wina_computed --random-weights --check --dim T=7 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=wina_computed --random-weights --check --dim T=33 | FileCheck %s --implicit-check-not=FAILED
// CHECK: check y: ok

// x = [[1, -3, 2], [0.5, 0, 0]], w = rows [1, 0], [0, 1], [10, 10]; top-2:
// row 0 keeps inputs 1 and 2: [20, 17]; row 1 keeps 0 (and 1, which is 0):
// [0.5, 0]. WINA without wnorm (norms [1, 1, 14.1]) keeps 2 and 1 in row 0.
// RUN: %python -c "import numpy as np; np.save('%t.x.npy', np.array([[1, -3, 2], [0.5, 0, 0]], np.float32)); np.save('%t.w.npy', np.array([[1, 0], [0, 1], [10, 10]], np.float32))"
// RUN: sluicec run %s --function=small --check --input x=%t.x.npy --input w=%t.w.npy --output y=%t.y.npy | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=small_wina --check --input x=%t.x.npy --input w=%t.w.npy --output y=%t.yw.npy | FileCheck %s --implicit-check-not=FAILED
// RUN: %python -c "import numpy as np; assert np.load('%t.y.npy').tolist() == [[20, 17], [0.5, 0]]; assert np.load('%t.yw.npy').tolist() == [[20, 17], [0.5, 0]]"

// A selected input that is 0 reads no row of w: top-2 of [0.5, 0, 0] takes
// inputs 0 and 1, and row 1 of w (inf, NaN) must not turn y into NaN.
// RUN: %python -c "import numpy as np; np.save('%t.x0.npy', np.array([[0.5, 0, 0]], np.float32)); np.save('%t.winf.npy', np.array([[1, 0], [np.inf, np.nan], [0, 0]], np.float32))"
// RUN: sluicec run %s --function=small --check --input x=%t.x0.npy --input w=%t.winf.npy --output y=%t.y0.npy | FileCheck %s --implicit-check-not=FAILED
// RUN: %python -c "import numpy as np; y = np.load('%t.y0.npy'); assert y.tolist() == [[0.5, 0]], y"

// k above a dynamic row length, and a wnorm of another length, are run-time
// errors.
// RUN: sluicec run %s --function=dynamic --random-weights --check --dim T=7 --dim N=16 | FileCheck %s --implicit-check-not=FAILED
// RUN: not sluicec run %s --function=dynamic --random-weights --dim T=7 --dim N=3 2>&1 | FileCheck %s --check-prefix=BIGK
// RUN: not sluicec run %s --function=wnorm_mismatch --random-weights --dim T=2 --dim N=5 2>&1 | FileCheck %s --check-prefix=WNORM
// BIGK: error: {{.*}}sluice.sparse_matmul: k = {{.*}} exceeds the inputs per row
// WNORM: error: {{.*}}sluice.sparse_matmul: expects wnorm dim 0 (5) to equal x dim 1 (4)

func.func @threshold(%x: tensor<?x16xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %w: tensor<16x12xf32> {sluice.name = "w", sluice.role = "weight"})
    -> (tensor<?x12xf32> {sluice.name = "y"}) {
  %0 = sluice.sparse_matmul %x, %w {mode = #sluice.sparsify<threshold>, tau = 0.3 : f32} : (tensor<?x16xf32>, tensor<16x12xf32>) -> tensor<?x12xf32>
  return %0 : tensor<?x12xf32>
}

func.func @threshold_none(%x: tensor<?x16xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %w: tensor<16x12xf32> {sluice.name = "w", sluice.role = "weight"})
    -> (tensor<?x12xf32> {sluice.name = "y"}) {
  %0 = sluice.sparse_matmul %x, %w {mode = #sluice.sparsify<threshold>, tau = 1.0e30 : f32} : (tensor<?x16xf32>, tensor<16x12xf32>) -> tensor<?x12xf32>
  return %0 : tensor<?x12xf32>
}

func.func @topk(%x: tensor<?x16xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %w: tensor<16x12xf32> {sluice.name = "w", sluice.role = "weight"})
    -> (tensor<?x12xf32> {sluice.name = "y"}) {
  %0 = sluice.sparse_matmul %x, %w {mode = #sluice.sparsify<topk>, k = 5 : i64} : (tensor<?x16xf32>, tensor<16x12xf32>) -> tensor<?x12xf32>
  return %0 : tensor<?x12xf32>
}

func.func @topk_none(%x: tensor<?x16xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %w: tensor<16x12xf32> {sluice.name = "w", sluice.role = "weight"})
    -> (tensor<?x12xf32> {sluice.name = "y"}) {
  %0 = sluice.sparse_matmul %x, %w {mode = #sluice.sparsify<topk>, k = 0 : i64} : (tensor<?x16xf32>, tensor<16x12xf32>) -> tensor<?x12xf32>
  return %0 : tensor<?x12xf32>
}

func.func @topk_all(%x: tensor<?x16xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %w: tensor<16x12xf32> {sluice.name = "w", sluice.role = "weight"})
    -> (tensor<?x12xf32> {sluice.name = "y"}) {
  %0 = sluice.sparse_matmul %x, %w {mode = #sluice.sparsify<topk>, k = 16 : i64} : (tensor<?x16xf32>, tensor<16x12xf32>) -> tensor<?x12xf32>
  return %0 : tensor<?x12xf32>
}

func.func @wina(%x: tensor<?x16xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %w: tensor<16x12xf32> {sluice.name = "w", sluice.role = "weight"},
    %n: tensor<16xf32> {sluice.name = "wnorm", sluice.role = "weight"})
    -> (tensor<?x12xf32> {sluice.name = "y"}) {
  %0 = sluice.sparse_matmul %x, %w wnorm(%n) {mode = #sluice.sparsify<wina>, k = 6 : i64} : (tensor<?x16xf32>, tensor<16x12xf32>, tensor<16xf32>) -> tensor<?x12xf32>
  return %0 : tensor<?x12xf32>
}

func.func @wina_computed(%x: tensor<?x16xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %w: tensor<16x12xf32> {sluice.name = "w", sluice.role = "weight"})
    -> (tensor<?x12xf32> {sluice.name = "y"}) {
  %0 = sluice.sparse_matmul %x, %w {mode = #sluice.sparsify<wina>, k = 6 : i64} : (tensor<?x16xf32>, tensor<16x12xf32>) -> tensor<?x12xf32>
  return %0 : tensor<?x12xf32>
}

func.func @small(%x: tensor<?x3xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %w: tensor<3x2xf32> {sluice.name = "w"})
    -> (tensor<?x2xf32> {sluice.name = "y"}) {
  %0 = sluice.sparse_matmul %x, %w {mode = #sluice.sparsify<topk>, k = 2 : i64} : (tensor<?x3xf32>, tensor<3x2xf32>) -> tensor<?x2xf32>
  return %0 : tensor<?x2xf32>
}

func.func @small_wina(%x: tensor<?x3xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %w: tensor<3x2xf32> {sluice.name = "w"})
    -> (tensor<?x2xf32> {sluice.name = "y"}) {
  %0 = sluice.sparse_matmul %x, %w {mode = #sluice.sparsify<wina>, k = 2 : i64} : (tensor<?x3xf32>, tensor<3x2xf32>) -> tensor<?x2xf32>
  return %0 : tensor<?x2xf32>
}

func.func @dynamic(%x: tensor<?x?xf32> {sluice.name = "x", sluice.dims = ["T", "N"]},
    %w: tensor<?x6xf32> {sluice.name = "w", sluice.dims = ["N", ""]})
    -> (tensor<?x6xf32> {sluice.name = "y"}) {
  %0 = sluice.sparse_matmul %x, %w {mode = #sluice.sparsify<wina>, k = 4 : i64} : (tensor<?x?xf32>, tensor<?x6xf32>) -> tensor<?x6xf32>
  return %0 : tensor<?x6xf32>
}

func.func @wnorm_mismatch(%x: tensor<?x4xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %w: tensor<4x6xf32> {sluice.name = "w", sluice.role = "weight"},
    %n: tensor<?xf32> {sluice.name = "wnorm", sluice.dims = ["N"]})
    -> (tensor<?x6xf32> {sluice.name = "y"}) {
  %0 = sluice.sparse_matmul %x, %w wnorm(%n) {mode = #sluice.sparsify<wina>, k = 2 : i64} : (tensor<?x4xf32>, tensor<4x6xf32>, tensor<?xf32>) -> tensor<?x6xf32>
  return %0 : tensor<?x6xf32>
}
