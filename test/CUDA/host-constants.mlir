// RUN: sluice-opt %s --split-input-file --sluice-cuda-host-prepare | FileCheck %s

// Constants of host code (memref.get_global of a dense constant, e.g. the
// grouped_matmul offsets written in a model) live in host memory. With
// --target=cuda every buffer a kernel sees must be device memory: each such
// constant gets a device copy, uploaded at the start of the call and freed
// before each return (a real GPU faults on the host address; the fake driver
// keeps device memory in host memory and cannot tell).

memref.global "private" constant @offsets : memref<5xi32> = dense<[0, 4, 8, 12, 16]>
func.func private @kernel_like(memref<5xi32>)

// CHECK-LABEL: func.func @uses_constant
// CHECK: %[[G:.*]] = memref.get_global @offsets : memref<5xi32>
// CHECK: %[[D:.*]] = memref.alloc() : memref<5xi32>
// CHECK: %[[DI:.*]] = memref.extract_aligned_pointer_as_index %[[D]]
// CHECK: %[[GI:.*]] = memref.extract_aligned_pointer_as_index %[[G]]
// CHECK: %[[N:.*]] = arith.constant 20 : i64
// CHECK: call @sluice_rt_cuda_upload(%{{.*}}, %{{.*}}, %[[N]])
// CHECK: call @kernel_like(%[[D]])
// CHECK-NOT: @offsets
// CHECK: memref.dealloc %[[D]]
// CHECK: call @sluice_rt_cuda_finish
// CHECK-NEXT: return
func.func @uses_constant() {
  %g = memref.get_global @offsets : memref<5xi32>
  call @kernel_like(%g) : (memref<5xi32>) -> ()
  return
}

// -----

// A constant the call returns: the caller owns the device copy (no free).
memref.global "private" constant @table : memref<2x2xf32> = dense<[[1.0, 2.0], [3.0, 4.0]]>

// CHECK-LABEL: func.func @returns_constant
// CHECK: memref.get_global @table
// CHECK: %[[D:.*]] = memref.alloc() : memref<2x2xf32>
// CHECK: call @sluice_rt_cuda_upload
// CHECK-NOT: memref.dealloc
// CHECK: return %[[D]]
func.func @returns_constant() -> memref<2x2xf32> {
  %g = memref.get_global @table : memref<2x2xf32>
  return %g : memref<2x2xf32>
}
