// RUN: sluice-opt %s --split-input-file --verify-diagnostics --sluice-cuda-host-prepare | FileCheck %s

// With --target=cuda every buffer of host code is device memory (the fake
// driver keeps it in host memory, so a host access would go unnoticed in
// the tests): reading or writing one on the host is a compile-time error.

func.func @host_load(%x: memref<?xf32>) -> f32 {
  %c0 = arith.constant 0 : index
  // expected-error @+1 {{'memref.load' op accesses a device buffer in host code: with --target=cuda, host code may only allocate, free, reshape, copy or return buffers and pass them to kernels}}
  %v = memref.load %x[%c0] : memref<?xf32>
  return %v : f32
}

// -----

func.func @host_store(%n: index) -> memref<?xf32> {
  %c0 = arith.constant 0 : index
  %one = arith.constant 1.0 : f32
  %b = memref.alloc(%n) : memref<?xf32>
  %v = memref.subview %b[1] [2] [1] : memref<?xf32> to memref<2xf32, strided<[1], offset: 1>>
  // expected-error @+1 {{'memref.store' op accesses a device buffer in host code}}
  memref.store %one, %v[%c0] : memref<2xf32, strided<[1], offset: 1>>
  return %b : memref<?xf32>
}

// -----

func.func @host_linalg(%x: memref<4xf32>) {
  %zero = arith.constant 0.0 : f32
  // expected-error @+1 {{'linalg.fill' op accesses a device buffer in host code}}
  linalg.fill ins(%zero : f32) outs(%x : memref<4xf32>)
  return
}

// -----

func.func @strided_copy(%x: memref<4x4xf32>) -> memref<4x2xf32> {
  %s = memref.subview %x[0, 0] [4, 2] [1, 1] : memref<4x4xf32> to memref<4x2xf32, strided<[4, 1]>>
  %b = memref.alloc() : memref<4x2xf32>
  // expected-error @+1 {{'memref.copy' op copies a strided device buffer in host code (only contiguous copies are lowered for --target=cuda)}}
  memref.copy %s, %b : memref<4x2xf32, strided<[4, 1]>> to memref<4x2xf32>
  return %b : memref<4x2xf32>
}

// -----

// Host-local scratch (memref.alloca) may be read and written; device
// buffers allocated, reshaped, copied and returned; every return of a
// public function is preceded by the device-error check.
// CHECK-LABEL: func.func @allowed(
func.func @allowed(%x: memref<?x1x8xf32>) -> (memref<?x8xf32>, index) {
  %c0 = arith.constant 0 : index
  %s = memref.alloca() : memref<1xindex>
  memref.store %c0, %s[%c0] : memref<1xindex>
  %v = memref.load %s[%c0] : memref<1xindex>
  %f = memref.collapse_shape %x [[0], [1, 2]] : memref<?x1x8xf32> into memref<?x8xf32>
  %n = memref.dim %f, %c0 : memref<?x8xf32>
  %b = memref.alloc(%n) : memref<?x8xf32>
  // CHECK: %[[BYTES:.*]] = arith.muli
  // CHECK: %[[DST:.*]] = memref.extract_aligned_pointer_as_index %[[B:.*]] : memref<?x8xf32>
  // CHECK: call @sluice_rt_cuda_copy(%{{.*}}, %{{.*}}, %{{.*}}) : (!llvm.ptr, !llvm.ptr, i64) -> ()
  memref.copy %f, %b : memref<?x8xf32> to memref<?x8xf32>
  // CHECK: %[[SLOT:.*]] = llvm.mlir.addressof @__sluice_cuda_module
  // CHECK: call @sluice_rt_cuda_finish(%[[SLOT]], %{{.*}}, %{{.*}})
  // CHECK-NEXT: return
  return %b, %v : memref<?x8xf32>, index
}

// -----

// The sites of device errors become a table for sluice_rt_cuda_finish.
module attributes {sluice.device_error_sites = ["m.mlir:1:2: sluice.x: bad {0}", "m.mlir:3:4: sluice.y: {0} of {1}"]} {
  // CHECK: llvm.mlir.global internal constant @__sluice_cuda_error_sites_0("m.mlir:1:2: sluice.x: bad {0}\00")
  // CHECK: llvm.mlir.global internal constant @__sluice_cuda_error_sites_1("m.mlir:3:4: sluice.y: {0} of {1}\00")
  // CHECK: llvm.mlir.global internal constant @__sluice_cuda_error_sites() {{.*}} : !llvm.array<2 x ptr>
  // CHECK-LABEL: func.func @f(
  // CHECK: %[[T:.*]] = llvm.mlir.addressof @__sluice_cuda_error_sites : !llvm.ptr
  // CHECK: %[[N:.*]] = arith.constant 2 : i64
  // CHECK: call @sluice_rt_cuda_finish(%{{.*}}, %[[T]], %[[N]])
  func.func @f() {
    return
  }
}
