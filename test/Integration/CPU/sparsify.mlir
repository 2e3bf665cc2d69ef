// sluice.sparsify compiled for the CPU and checked against the reference
// evaluator (x[T, 16]), for T = 0, 1, 7, 33 from one module:
//   threshold        keep |x| > 0.5 (TEAL / CATS)
//   threshold_none   tau 1e30: nothing kept
//   threshold_all    tau -1: everything kept
//   topk             the 4 largest |x| per row
//   topk_none        k = 0: nothing kept
//   topk_all_dyn     k = 16 on x[T, N] with N = 16 at run time: everything
//                    kept (a static k = N folds away, see folded_to_argument.mlir)
//   wina             the 5 largest |x_n| * wnorm[n] (WINA)
//   wina_none        k = 0
// Hand-written rows check ties of |x| (lower index first), that NaN is never
// kept by a threshold and is last in top-k, and WINA's weighting.
// Wide rows (N = 4096; the radix selection's four 8-bit passes): random
// values, and values from a handful of levels with -0, +0 and NaN, so that
// long runs of equal keys straddle the k-th largest.

// RUN: sluicec run %s --function=wide_topk --check --dim T=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=wide_topk --check --seed=4 --dim T=5 | FileCheck %s --implicit-check-not=FAILED
// RUN: %python -c "import numpy as np; r = np.random.default_rng(3); x = r.choice(np.array([0.0, -0.0, 1.0, -1.0, 2.0, -2.5, np.nan], np.float32), size=(3, 4096)).astype(np.float32); np.save('%t.ties.npy', x)"
// RUN: sluicec run %s --function=wide_topk --check --input x=%t.ties.npy | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=wide_topk_small_k --check --input x=%t.ties.npy | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=wide_topk_small_k --check --seed=9 --dim T=4 | FileCheck %s --implicit-check-not=FAILED

// RUN: sluicec run %s --function=threshold --random-weights --check --dim T=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=threshold --random-weights --check --dim T=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=threshold --random-weights --check --dim T=7 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=threshold --random-weights --check --dim T=33 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=threshold_none --random-weights --check --dim T=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=threshold_none --random-weights --check --dim T=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=threshold_none --random-weights --check --dim T=7 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=threshold_none --random-weights --check --dim T=33 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=threshold_all --random-weights --check --dim T=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=threshold_all --random-weights --check --dim T=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=threshold_all --random-weights --check --dim T=7 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=threshold_all --random-weights --check --dim T=33 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=topk --random-weights --check --dim T=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=topk --random-weights --check --dim T=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=topk --random-weights --check --dim T=7 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=topk --random-weights --check --dim T=33 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=topk_none --random-weights --check --dim T=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=topk_none --random-weights --check --dim T=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=topk_none --random-weights --check --dim T=7 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=topk_none --random-weights --check --dim T=33 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=wina --random-weights --check --dim T=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=wina --random-weights --check --dim T=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=wina --random-weights --check --dim T=7 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=wina --random-weights --check --dim T=33 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=wina_none --random-weights --check --dim T=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=wina_none --random-weights --check --dim T=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=wina_none --random-weights --check --dim T=7 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=wina_none --random-weights --check --dim T=33 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=topk_all_dyn --random-weights --check --dim T=0 --dim N=16 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=topk_all_dyn --random-weights --check --dim T=1 --dim N=16 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=topk_all_dyn --random-weights --check --dim T=7 --dim N=16 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=topk_all_dyn --random-weights --check --dim T=33 --dim N=16 | FileCheck %s --implicit-check-not=FAILED
// CHECK: check out: ok

// Row 0 ties |x| = 0.5 at 1, 2 and 4: top-2 keeps 1 and 2. Row 1 has NaN at
// 0: top-2 keeps 3 (-4) and 2 (3), threshold 0.5 keeps 1, 2, 3. WINA with
// wnorm [1, 1, 1, 4, 0, 8] keeps the two largest |x| * wnorm: row 0 keeps
// 3 (0.25 * 4 = 1) and 1 (0.5, tied with 2); row 1 keeps 3 (16) and 2 (3).
// RUN: %python -c "import numpy as np; np.save('%t.x.npy', np.array([[0.25, -0.5, 0.5, 0.25, 0.5, 0], [np.nan, 1, 3, -4, 0.5, 0]], np.float32)); np.save('%t.n.npy', np.array([1, 1, 1, 4, 0, 8], np.float32))"
// RUN: sluicec run %s --function=small_topk --check --input x=%t.x.npy --output out=%t.topk.npy | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=small_threshold --check --input x=%t.x.npy --output out=%t.thr.npy | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=small_wina --check --input x=%t.x.npy --input wnorm=%t.n.npy --output out=%t.wina.npy | FileCheck %s --implicit-check-not=FAILED
// RUN: %python -c "import numpy as np; assert np.load('%t.topk.npy').tolist() == [[0, -0.5, 0.5, 0, 0, 0], [0, 0, 3, -4, 0, 0]]; assert np.load('%t.thr.npy').tolist() == [[0, 0, 0, 0, 0, 0], [0, 1, 3, -4, 0, 0]]; w = np.load('%t.wina.npy'); assert w.tolist() == [[0, -0.5, 0, 0.25, 0, 0], [0, 0, 3, -4, 0, 0]], w"

// k above a dynamic row length is a run-time error.
// RUN: not sluicec run %s --function=topk_all_dyn --dim T=2 --dim N=3 2>&1 | FileCheck %s --check-prefix=BIGK
// BIGK: error: {{.*}}sluice.sparsify: k = {{.*}} exceeds the inputs per row

func.func @threshold(%x: tensor<?x16xf32> {sluice.name = "x", sluice.dims = ["T", ""]})
    -> (tensor<?x16xf32> {sluice.name = "out"}) {
  %0 = sluice.sparsify %x {mode = #sluice.sparsify<threshold>, tau = 0.5 : f32} : (tensor<?x16xf32>) -> tensor<?x16xf32>
  return %0 : tensor<?x16xf32>
}

func.func @threshold_none(%x: tensor<?x16xf32> {sluice.name = "x", sluice.dims = ["T", ""]})
    -> (tensor<?x16xf32> {sluice.name = "out"}) {
  %0 = sluice.sparsify %x {mode = #sluice.sparsify<threshold>, tau = 1.0e30 : f32} : (tensor<?x16xf32>) -> tensor<?x16xf32>
  return %0 : tensor<?x16xf32>
}

func.func @threshold_all(%x: tensor<?x16xf32> {sluice.name = "x", sluice.dims = ["T", ""]})
    -> (tensor<?x16xf32> {sluice.name = "out"}) {
  %0 = sluice.sparsify %x {mode = #sluice.sparsify<threshold>, tau = -1.0 : f32} : (tensor<?x16xf32>) -> tensor<?x16xf32>
  return %0 : tensor<?x16xf32>
}

func.func @topk(%x: tensor<?x16xf32> {sluice.name = "x", sluice.dims = ["T", ""]})
    -> (tensor<?x16xf32> {sluice.name = "out"}) {
  %0 = sluice.sparsify %x {mode = #sluice.sparsify<topk>, k = 4 : i64} : (tensor<?x16xf32>) -> tensor<?x16xf32>
  return %0 : tensor<?x16xf32>
}

func.func @topk_none(%x: tensor<?x16xf32> {sluice.name = "x", sluice.dims = ["T", ""]})
    -> (tensor<?x16xf32> {sluice.name = "out"}) {
  %0 = sluice.sparsify %x {mode = #sluice.sparsify<topk>, k = 0 : i64} : (tensor<?x16xf32>) -> tensor<?x16xf32>
  return %0 : tensor<?x16xf32>
}

func.func @topk_all_dyn(%x: tensor<?x?xf32> {sluice.name = "x", sluice.dims = ["T", "N"]})
    -> (tensor<?x?xf32> {sluice.name = "out"}) {
  %0 = sluice.sparsify %x {mode = #sluice.sparsify<topk>, k = 16 : i64} : (tensor<?x?xf32>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

func.func @wina(%x: tensor<?x16xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %n: tensor<16xf32> {sluice.name = "wnorm", sluice.role = "weight"})
    -> (tensor<?x16xf32> {sluice.name = "out"}) {
  %0 = sluice.sparsify %x wnorm(%n) {mode = #sluice.sparsify<wina>, k = 5 : i64} : (tensor<?x16xf32>, tensor<16xf32>) -> tensor<?x16xf32>
  return %0 : tensor<?x16xf32>
}

func.func @wina_none(%x: tensor<?x16xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %n: tensor<16xf32> {sluice.name = "wnorm", sluice.role = "weight"})
    -> (tensor<?x16xf32> {sluice.name = "out"}) {
  %0 = sluice.sparsify %x wnorm(%n) {mode = #sluice.sparsify<wina>, k = 0 : i64} : (tensor<?x16xf32>, tensor<16xf32>) -> tensor<?x16xf32>
  return %0 : tensor<?x16xf32>
}

func.func @small_topk(%x: tensor<?x6xf32> {sluice.name = "x", sluice.dims = ["T", ""]})
    -> (tensor<?x6xf32> {sluice.name = "out"}) {
  %0 = sluice.sparsify %x {mode = #sluice.sparsify<topk>, k = 2 : i64} : (tensor<?x6xf32>) -> tensor<?x6xf32>
  return %0 : tensor<?x6xf32>
}

func.func @small_threshold(%x: tensor<?x6xf32> {sluice.name = "x", sluice.dims = ["T", ""]})
    -> (tensor<?x6xf32> {sluice.name = "out"}) {
  %0 = sluice.sparsify %x {mode = #sluice.sparsify<threshold>, tau = 0.5 : f32} : (tensor<?x6xf32>) -> tensor<?x6xf32>
  return %0 : tensor<?x6xf32>
}

func.func @small_wina(%x: tensor<?x6xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %n: tensor<6xf32> {sluice.name = "wnorm"})
    -> (tensor<?x6xf32> {sluice.name = "out"}) {
  %0 = sluice.sparsify %x wnorm(%n) {mode = #sluice.sparsify<wina>, k = 2 : i64} : (tensor<?x6xf32>, tensor<6xf32>) -> tensor<?x6xf32>
  return %0 : tensor<?x6xf32>
}

func.func @wide_topk(%x: tensor<?x4096xf32> {sluice.name = "x", sluice.dims = ["T", ""]})
    -> (tensor<?x4096xf32> {sluice.name = "out", sluice.dims = ["T", ""]}) {
  %y = sluice.sparsify %x {mode = #sluice.sparsify<topk>, k = 2048 : i64}
      : (tensor<?x4096xf32>) -> tensor<?x4096xf32>
  return %y : tensor<?x4096xf32>
}

func.func @wide_topk_small_k(%x: tensor<?x4096xf32> {sluice.name = "x", sluice.dims = ["T", ""]})
    -> (tensor<?x4096xf32> {sluice.name = "out", sluice.dims = ["T", ""]}) {
  %y = sluice.sparsify %x {mode = #sluice.sparsify<topk>, k = 410 : i64}
      : (tensor<?x4096xf32>) -> tensor<?x4096xf32>
  return %y : tensor<?x4096xf32>
}
