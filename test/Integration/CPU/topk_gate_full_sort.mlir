// topk_gate selecting every expert with nothing else to apply (k = E,
// softmax, no bias / groups / renormalize / scale / temperature): the
// canonicalizer rewrites it to linalg.softmax + sluice.topk (a full sort).
// It must compile and match the reference; the spelled-out case checks the
// sort of equal scores (index order).
//
// (The CPU pipeline decomposes linalg.softmax with
// sluice-cpu-decompose-aggregates.)

// RUN: sluicec run %s --function=full_sort --check --dim T=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=full_sort --check --dim T=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=full_sort --check --dim T=7 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=full_sort --check --dim T=33 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=full_sort_none --check --dim T=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=full_sort_none --check --dim T=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=full_sort_none --check --dim T=7 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=full_sort_none --check --dim T=33 | FileCheck %s --implicit-check-not=FAILED
// RUN: %python -c "import numpy as np; np.save('%t.x.npy', np.array([[0, 0, 0, 0], [1, 3, 3, 2]], np.float32))"
// RUN: sluicec run %s --function=full_sort --check --input logits=%t.x.npy --output indices=%t.i.npy | FileCheck %s --implicit-check-not=FAILED
// RUN: %python -c "import numpy as np; assert np.load('%t.i.npy').tolist() == [[0, 1, 2, 3], [1, 2, 3, 0]]"
// CHECK: check weights: ok
// CHECK: check indices: ok

func.func @full_sort(%l: tensor<?x4xf32> {sluice.name = "logits", sluice.dims = ["T", ""]})
    -> (tensor<?x4xf32> {sluice.name = "weights"}, tensor<?x4xi32> {sluice.name = "indices"}) {
  %w, %i = sluice.topk_gate %l {k = 4 : i64} : (tensor<?x4xf32>) -> (tensor<?x4xf32>, tensor<?x4xi32>)
  return %w, %i : tensor<?x4xf32>, tensor<?x4xi32>
}

// score none folds to a plain sluice.topk (no softmax).
func.func @full_sort_none(%l: tensor<?x4xf32> {sluice.name = "logits", sluice.dims = ["T", ""]})
    -> (tensor<?x4xf32> {sluice.name = "weights"}, tensor<?x4xi32> {sluice.name = "indices"}) {
  %w, %i = sluice.topk_gate %l {k = 4 : i64, score = #sluice.score<none>} : (tensor<?x4xf32>) -> (tensor<?x4xf32>, tensor<?x4xi32>)
  return %w, %i : tensor<?x4xf32>, tensor<?x4xi32>
}
