// RUN: sluice-opt --sluice-cpu-abi %s | FileCheck %s
// RUN: sluice-opt --sluice-cpu-abi \
// RUN:   --one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" %s \
// RUN:   | FileCheck %s --check-prefix=BUF

// Weight arguments are never written by compiled code (the GEMM kernel
// keeps packed copies of weights between runs, docs/abi.md "Prepacked
// weights"): sluice-cpu-abi marks them bufferization.writable = false, so a
// destructive update of a weight bufferizes into a fresh buffer, while an
// input may still be updated in place.

// CHECK-LABEL: func.func @update(
// CHECK-SAME: %{{.*}}: tensor<4x8xf32> {bufferization.writable = false},
// CHECK-SAME: %{{.*}}: tensor<4x8xf32>)
// CHECK-SAME: attributes {llvm.emit_c_interface}
// CHECK-NOT: sluice.role

// BUF-LABEL: func.func @update(
// BUF-SAME: %[[W:[^:]*]]: memref<4x8xf32>, %[[X:[^:]*]]: memref<4x8xf32>)
// BUF: %[[NEW:.*]] = memref.alloc() {{.*}}: memref<4x8xf32>
// BUF: linalg.fill ins(%{{.*}} : f32) outs(%[[NEW]] : memref<4x8xf32>)
// BUF: linalg.fill ins(%{{.*}} : f32) outs(%[[X]] : memref<4x8xf32>)
// BUF: return %[[NEW]], %[[X]]
func.func @update(%w: tensor<4x8xf32> {sluice.name = "w", sluice.role = "weight"},
                  %x: tensor<4x8xf32> {sluice.name = "x"})
    -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  %c = arith.constant 1.0 : f32
  %a = linalg.fill ins(%c : f32) outs(%w : tensor<4x8xf32>) -> tensor<4x8xf32>
  %b = linalg.fill ins(%c : f32) outs(%x : tensor<4x8xf32>) -> tensor<4x8xf32>
  return %a, %b : tensor<4x8xf32>, tensor<4x8xf32>
}
