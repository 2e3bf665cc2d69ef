// sluice.sparse_matmul through the CPU micro-kernel sluice_uk_sparse_matmul
// at shapes that reach every path of it, against the reference evaluator
// (default tolerance 1e-4 relative; the kernel sums each output in the same
// ascending order with fused multiply-adds): x[T, 300], w[300, 203]
// (rows > the kernel's 128-row blocks; 203 columns: 8-wide strips and a
// masked 3-column tail, two column items on the pool with 2 threads).
// T = 1 (one-token loop), 2, 8 (one full tile), 9 and 33 (a 1-token and
// partial tail tile), on 1 and 2 threads:
//   topk       150 of 300 per row (rows kept by only some tokens: blends)
//   topk_all   every input (every row full: plain FMA strips)
//   threshold  |x| > 1.5 (few rows)
// RUN: sluicec run %s --function=topk --random-weights --check --dim T=1 --threads=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=topk --random-weights --check --dim T=1 --threads=2 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=topk --random-weights --check --dim T=2 --threads=2 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=topk --random-weights --check --dim T=8 --threads=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=topk --random-weights --check --dim T=8 --threads=2 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=topk --random-weights --check --dim T=9 --threads=2 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=topk --random-weights --check --dim T=33 --threads=2 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=topk_all --random-weights --check --dim T=1 --threads=2 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=topk_all --random-weights --check --dim T=8 --threads=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=topk_all --random-weights --check --dim T=8 --threads=2 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=topk_all --random-weights --check --dim T=33 --threads=2 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=threshold --random-weights --check --dim T=1 --threads=2 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=threshold --random-weights --check --dim T=9 --threads=2 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=threshold --random-weights --check --dim T=0 --threads=2 | FileCheck %s --implicit-check-not=FAILED
// CHECK: check y: ok

// The CPU pipeline (sluice-opt --sluice-cpu-pipeline) makes each tile's
// accumulation one kernel call.
// RUN: sluice-opt %s --sluice-cpu-pipeline | FileCheck %s --check-prefix=IR
// IR: llvm.func @sluice_uk_sparse_matmul(i64)
// IR-LABEL: llvm.func @topk(
// IR: llvm.call @sluice_uk_sparse_matmul(
// IR-LABEL: llvm.func @topk_all(
// IR: llvm.call @sluice_uk_sparse_matmul(

// A row of w kept by one token of a tile is not added to the others: token
// 0 keeps only input 0, token 1 keeps input 1, whose row is [inf, nan].
// RUN: %python -c "import numpy as np; np.save('%t.x.npy', np.array([[0.5, 0, 0], [0, 2, 0]], np.float32)); np.save('%t.w.npy', np.array([[1, 0], [np.inf, np.nan], [0, 0]], np.float32))"
// RUN: sluicec run %s --function=small --input x=%t.x.npy --input w=%t.w.npy --output y=%t.y.npy
// RUN: %python -c "import numpy as np; y = np.load('%t.y.npy'); assert y[0].tolist() == [0.5, 0], y; assert y[1][0] == np.inf and np.isnan(y[1][1]), y"

// A kept NaN input is nonzero: with k = N every input is kept, the NaN
// makes its token's y NaN and the other token of the tile stays finite.
// RUN: %python -c "import numpy as np; np.save('%t.xn.npy', np.array([[np.nan, 1, 0], [1, 1, 1]], np.float32)); np.save('%t.wn.npy', np.array([[1, 2], [3, 4], [5, 6]], np.float32))"
// RUN: sluicec run %s --function=small_all --input x=%t.xn.npy --input w=%t.wn.npy --output y=%t.yn.npy
// RUN: %python -c "import numpy as np; y = np.load('%t.yn.npy'); assert np.isnan(y[0]).all(), y; assert y[1].tolist() == [9, 12], y"

func.func @topk(%x: tensor<?x300xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %w: tensor<300x203xf32> {sluice.name = "w", sluice.role = "weight"})
    -> (tensor<?x203xf32> {sluice.name = "y"}) {
  %0 = sluice.sparse_matmul %x, %w {mode = #sluice.sparsify<topk>, k = 150 : i64} : (tensor<?x300xf32>, tensor<300x203xf32>) -> tensor<?x203xf32>
  return %0 : tensor<?x203xf32>
}

func.func @topk_all(%x: tensor<?x300xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %w: tensor<300x203xf32> {sluice.name = "w", sluice.role = "weight"})
    -> (tensor<?x203xf32> {sluice.name = "y"}) {
  %0 = sluice.sparse_matmul %x, %w {mode = #sluice.sparsify<topk>, k = 300 : i64} : (tensor<?x300xf32>, tensor<300x203xf32>) -> tensor<?x203xf32>
  return %0 : tensor<?x203xf32>
}

func.func @threshold(%x: tensor<?x300xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %w: tensor<300x203xf32> {sluice.name = "w", sluice.role = "weight"})
    -> (tensor<?x203xf32> {sluice.name = "y"}) {
  %0 = sluice.sparse_matmul %x, %w {mode = #sluice.sparsify<threshold>, tau = 1.5 : f32} : (tensor<?x300xf32>, tensor<300x203xf32>) -> tensor<?x203xf32>
  return %0 : tensor<?x203xf32>
}

func.func @small(%x: tensor<?x3xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %w: tensor<3x2xf32> {sluice.name = "w"})
    -> (tensor<?x2xf32> {sluice.name = "y"}) {
  %0 = sluice.sparse_matmul %x, %w {mode = #sluice.sparsify<topk>, k = 1 : i64} : (tensor<?x3xf32>, tensor<3x2xf32>) -> tensor<?x2xf32>
  return %0 : tensor<?x2xf32>
}

func.func @small_all(%x: tensor<?x3xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %w: tensor<3x2xf32> {sluice.name = "w"})
    -> (tensor<?x2xf32> {sluice.name = "y"}) {
  %0 = sluice.sparse_matmul %x, %w {mode = #sluice.sparsify<topk>, k = 3 : i64} : (tensor<?x3xf32>, tensor<3x2xf32>) -> tensor<?x2xf32>
  return %0 : tensor<?x2xf32>
}
