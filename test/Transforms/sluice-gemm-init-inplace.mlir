// sluice.gemm's init is updated in place when it is another op's result
// that nothing reads afterwards (codegen/cpu/UkernelGemm.cpp,
// GemmBufferization): no second buffer, no copy. A function argument, an
// init read again later, or an init that is also the op's A operand is
// copied into a fresh result first.
// The IR right after one-shot-bufferize in the CPU pipeline:
// RUN: sluice-opt --sluice-cpu-pipeline -mlir-print-ir-after=one-shot-bufferize %s \
// RUN:   -o /dev/null 2>&1 | FileCheck %s

// CHECK-LABEL: func.func @chained
// CHECK: %[[Y0:.*]] = memref.alloc(%{{.*}}) {{.*}}: memref<?x8xf32>
// CHECK-NOT: memref.alloc(
// CHECK-NOT: memref.copy
// CHECK: return %[[Y0]]
func.func @chained(%x: tensor<?x4xf32>, %w: tensor<4x8xf32>, %u: tensor<?x2xf32>,
                   %b: tensor<2x8xf32>) -> tensor<?x8xf32> {
  %y0 = sluice.gemm %x, %w : (tensor<?x4xf32>, tensor<4x8xf32>) -> tensor<?x8xf32>
  %y = sluice.gemm %u, %b init(%y0) {accumulate}
      : (tensor<?x2xf32>, tensor<2x8xf32>, tensor<?x8xf32>) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}

// CHECK-LABEL: func.func @argument_init
// CHECK: %[[OUT:.*]] = memref.alloc(
// CHECK: memref.copy %arg2, %[[OUT]]
// CHECK: return %[[OUT]]
func.func @argument_init(%u: tensor<?x2xf32>, %b: tensor<2x8xf32>,
                         %c: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %y = sluice.gemm %u, %b init(%c) {accumulate}
      : (tensor<?x2xf32>, tensor<2x8xf32>, tensor<?x8xf32>) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}

// %y0 is returned too: the second GEMM works on a copy.
// CHECK-LABEL: func.func @init_read_later
// CHECK: %[[Y0:.*]] = memref.alloc(
// CHECK: %[[Y:.*]] = memref.alloc(
// CHECK: memref.copy %[[Y0]], %[[Y]]
// CHECK: return %[[Y0]], %[[Y]]
func.func @init_read_later(%x: tensor<?x4xf32>, %w: tensor<4x8xf32>, %u: tensor<?x2xf32>,
                           %b: tensor<2x8xf32>) -> (tensor<?x8xf32>, tensor<?x8xf32>) {
  %y0 = sluice.gemm %x, %w : (tensor<?x4xf32>, tensor<4x8xf32>) -> tensor<?x8xf32>
  %y = sluice.gemm %u, %b init(%y0) {accumulate}
      : (tensor<?x2xf32>, tensor<2x8xf32>, tensor<?x8xf32>) -> tensor<?x8xf32>
  return %y0, %y : tensor<?x8xf32>, tensor<?x8xf32>
}

// The init is also A: the kernel must read the old values, so it is copied.
// CHECK-LABEL: func.func @init_is_a
// CHECK: %[[H:.*]] = memref.alloc(
// CHECK: %[[OUT:.*]] = memref.alloc(
// CHECK: memref.copy %[[H]], %[[OUT]]
// CHECK: return %[[OUT]]
func.func @init_is_a(%x: tensor<?x8xf32>, %w: tensor<8x8xf32>, %v: tensor<8x8xf32>)
    -> tensor<?x8xf32> {
  %h = sluice.gemm %x, %w : (tensor<?x8xf32>, tensor<8x8xf32>) -> tensor<?x8xf32>
  %y = sluice.gemm %h, %v init(%h) {accumulate}
      : (tensor<?x8xf32>, tensor<8x8xf32>, tensor<?x8xf32>) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}
