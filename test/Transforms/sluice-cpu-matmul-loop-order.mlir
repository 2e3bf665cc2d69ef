// RUN: sluice-opt %s --sluice-cpu-matmul-loop-order | FileCheck %s
// RUN: sluice-opt %s --sluice-cpu-matmul-loop-order --convert-linalg-to-loops | FileCheck %s --check-prefix=LOOPS

// CHECK-DAG: #[[$A:.+]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[$B:.+]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[$C:.+]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-LABEL: func.func @mm
// CHECK: linalg.generic {indexing_maps = [#[[$A]], #[[$B]], #[[$C]]], iterator_types = ["parallel", "reduction", "parallel"]}
// CHECK-NOT: linalg.matmul
func.func @mm(%a: memref<?x64xf32>, %b: memref<64x32xf32>, %c: memref<?x32xf32>) {
  linalg.matmul ins(%a, %b : memref<?x64xf32>, memref<64x32xf32>) outs(%c : memref<?x32xf32>)
  return
}

// The innermost loop walks a row of B and of C.
// LOOPS-LABEL: func.func @mm
// LOOPS: scf.for %[[I:.+]] =
// LOOPS: scf.for %[[K:.+]] =
// LOOPS: scf.for %[[J:.+]] =
// LOOPS-DAG: memref.load %{{.+}}[%[[I]], %[[K]]]
// LOOPS-DAG: memref.load %{{.+}}[%[[K]], %[[J]]]
// LOOPS-DAG: memref.load %{{.+}}[%[[I]], %[[J]]]
// LOOPS: memref.store %{{.+}}, %{{.+}}[%[[I]], %[[J]]]
