// RUN: sluice-opt %s -split-input-file -verify-diagnostics


func.func @bad_size(%g: index) {
  scf.forall (%b) in (%g) {
    %s = memref.alloca() : memref<48xf32, #gpu.address_space<workgroup>>
    // expected-error @below {{expects a buffer of whole warps (a multiple of 32), got 48}}
    sluice_gpu.warp_reduce addf %s : memref<48xf32, #gpu.address_space<workgroup>>
  } {mapping = [#gpu.block<x>]}
  return
}

// -----

func.func @bad_type(%g: index) {
  scf.forall (%b) in (%g) {
    %s = memref.alloca() : memref<32xi64, #gpu.address_space<workgroup>>
    // expected-error @below {{expects f32 elements for addf, got 'i64'}}
    sluice_gpu.warp_reduce addf %s : memref<32xi64, #gpu.address_space<workgroup>>
  } {mapping = [#gpu.block<x>]}
  return
}
