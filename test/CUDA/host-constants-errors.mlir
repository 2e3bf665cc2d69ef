// RUN: sluice-opt %s --sluice-cuda-host-prepare --verify-diagnostics

// A host constant the device copy cannot be made for (it is uploaded as one
// contiguous block of its static size, test/CUDA/host-constants.mlir): a
// strided layout is an error naming the op, not a silent wrong copy.

memref.global "private" constant @strided : memref<2xi32, strided<[2]>> = dense<[0, 4]>
func.func private @kernel_like(memref<2xi32, strided<[2]>>)

func.func @uses_strided() {
  // expected-error @+1 {{is a host constant of a non-contiguous or dynamic type (not lowered for --target=cuda)}}
  %g = memref.get_global @strided : memref<2xi32, strided<[2]>>
  call @kernel_like(%g) : (memref<2xi32, strided<[2]>>) -> ()
  return
}
