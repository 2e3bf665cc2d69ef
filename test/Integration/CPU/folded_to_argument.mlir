// Ops that the canonicalizer folds so that a function returns its argument
// (or a reshape of it) unchanged: adaptive_pool to the input's own size,
// sparsify keeping every input (topk / wina with k = N), pool over a static
// unit set dimension. Each must still compile and match the reference.
//
// (Returning an argument makes the buffer-deallocation pipeline insert
// bufferization.clone; the CPU pipeline lowers it with
// convert-bufferization-to-memref.)

// RUN: sluicec run %s --function=adaptive_identity --random-weights --check --dim B=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=adaptive_identity --random-weights --check --dim B=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=adaptive_identity --random-weights --check --dim B=7 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=adaptive_identity --random-weights --check --dim B=33 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=sparsify_topk_all --random-weights --check --dim T=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=sparsify_topk_all --random-weights --check --dim T=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=sparsify_topk_all --random-weights --check --dim T=7 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=sparsify_topk_all --random-weights --check --dim T=33 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=sparsify_wina_all --random-weights --check --dim T=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=sparsify_wina_all --random-weights --check --dim T=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=sparsify_wina_all --random-weights --check --dim T=7 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=sparsify_wina_all --random-weights --check --dim T=33 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=pool_unit_set --random-weights --check --dim B=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=pool_unit_set --random-weights --check --dim B=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=pool_unit_set --random-weights --check --dim B=7 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=pool_unit_set --random-weights --check --dim B=33 | FileCheck %s --implicit-check-not=FAILED
// CHECK: check out: ok

func.func @adaptive_identity(%x: tensor<?x3x5x7xf32> {sluice.name = "x", sluice.dims = ["B", "", "", ""]})
    -> (tensor<?x3x5x7xf32> {sluice.name = "out"}) {
  %0 = sluice.adaptive_pool %x {kind = #sluice.spatial_pool<max>, output_size = array<i64: 5, 7>}
      : (tensor<?x3x5x7xf32>) -> tensor<?x3x5x7xf32>
  return %0 : tensor<?x3x5x7xf32>
}

func.func @sparsify_topk_all(%x: tensor<?x16xf32> {sluice.name = "x", sluice.dims = ["T", ""]})
    -> (tensor<?x16xf32> {sluice.name = "out"}) {
  %0 = sluice.sparsify %x {mode = #sluice.sparsify<topk>, k = 16 : i64} : (tensor<?x16xf32>) -> tensor<?x16xf32>
  return %0 : tensor<?x16xf32>
}

func.func @sparsify_wina_all(%x: tensor<?x16xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %n: tensor<16xf32> {sluice.name = "wnorm", sluice.role = "weight"})
    -> (tensor<?x16xf32> {sluice.name = "out"}) {
  %0 = sluice.sparsify %x wnorm(%n) {mode = #sluice.sparsify<wina>, k = 16 : i64}
      : (tensor<?x16xf32>, tensor<16xf32>) -> tensor<?x16xf32>
  return %0 : tensor<?x16xf32>
}

func.func @pool_unit_set(%x: tensor<?x1x8xf32> {sluice.name = "x", sluice.dims = ["B", "", ""]})
    -> (tensor<?x8xf32> {sluice.name = "out"}) {
  %0 = sluice.pool %x {kind = #sluice.pool<mean>} : (tensor<?x1x8xf32>) -> tensor<?x8xf32>
  return %0 : tensor<?x8xf32>
}
