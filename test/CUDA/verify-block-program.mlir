// The block-program rules (sluice-verify-block-program): a barrier is the
// boundary between two thread phases, so nothing may put one in divergent
// code or a thread-dependent loop.
// RUN: sluice-opt %s -split-input-file -verify-diagnostics --sluice-verify-block-program | FileCheck %s

// A valid program: phases at top level and in a block-uniform loop whose
// bound is read from memory at block level, a warp collective between them.
// CHECK-LABEL: func.func @valid
func.func @valid(%n: memref<?xi32>, %out: memref<?xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %g = memref.dim %out, %c0 : memref<?xf32>
  scf.forall (%b) in (%g) {
    %s = memref.alloca() : memref<64xf32, #gpu.address_space<workgroup>>
    scf.forall (%t) in (64) {
      %z = arith.constant 0.0 : f32
      memref.store %z, %s[%t] : memref<64xf32, #gpu.address_space<workgroup>>
    } {mapping = [#gpu.thread<x>]}
    %bound = memref.load %n[%b] : memref<?xi32>
    %ub = arith.index_cast %bound : i32 to index
    scf.for %i = %c0 to %ub step %c1 {
      scf.forall (%t) in (64) {
        %v = memref.load %s[%t] : memref<64xf32, #gpu.address_space<workgroup>>
        %w = arith.addf %v, %v : f32
        memref.store %w, %s[%t] : memref<64xf32, #gpu.address_space<workgroup>>
      } {mapping = [#gpu.thread<x>]}
    }
    sluice_gpu.warp_reduce addf %s : memref<64xf32, #gpu.address_space<workgroup>>
    %r = memref.load %s[%c0] : memref<64xf32, #gpu.address_space<workgroup>>
    memref.store %r, %out[%b] : memref<?xf32>
  } {mapping = [#gpu.block<x>]}
  return
}

// -----

func.func @barrier(%g: index) {
  scf.forall (%b) in (%g) {
    scf.forall (%t) in (64) {
      // expected-error @below {{GPU ops (barriers, thread/block ids, shuffles) are not written in a block program}}
      gpu.barrier
    } {mapping = [#gpu.thread<x>]}
  } {mapping = [#gpu.block<x>]}
  return
}

// -----

func.func @thread_id(%g: index, %out: memref<?xindex>) {
  scf.forall (%b) in (%g) {
    // expected-error @below {{GPU ops (barriers, thread/block ids, shuffles) are not written in a block program}}
    %t = gpu.thread_id x
    memref.store %t, %out[%b] : memref<?xindex>
  } {mapping = [#gpu.block<x>]}
  return
}

// -----

// A phase inside a phase is a barrier in divergent code.
func.func @nested_phase(%g: index, %c: i1) {
  scf.forall (%b) in (%g) {
    scf.forall (%t) in (64) {
      scf.if %c {
        // expected-error @below {{a thread phase cannot be nested in another thread phase}}
        scf.forall (%u) in (32) {
        } {mapping = [#gpu.thread<x>]}
      }
    } {mapping = [#gpu.thread<x>]}
  } {mapping = [#gpu.block<x>]}
  return
}

// -----

// A while loop's trip count is not known to be block-uniform.
func.func @while_phase(%g: index, %c: i1) {
  scf.forall (%b) in (%g) {
    scf.while : () -> () {
      scf.condition(%c)
    } do {
      // expected-error @below {{a thread phase can only be nested in block-uniform scf.for / scf.if, not in scf.while}}
      scf.forall (%u) in (32) {
      } {mapping = [#gpu.thread<x>]}
      scf.yield
    }
  } {mapping = [#gpu.block<x>]}
  return
}

// -----

func.func @warp_in_phase(%g: index) {
  scf.forall (%b) in (%g) {
    %s = memref.alloca() : memref<32xf32, #gpu.address_space<workgroup>>
    scf.forall (%t) in (32) {
      // expected-error @below {{a warp collective is a block-level statement, not part of a thread phase}}
      sluice_gpu.warp_reduce addf %s : memref<32xf32, #gpu.address_space<workgroup>>
    } {mapping = [#gpu.thread<x>]}
  } {mapping = [#gpu.block<x>]}
  return
}

// -----

func.func @shared_in_loop(%g: index, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.forall (%b) in (%g) {
    scf.for %i = %c0 to %n step %c1 {
      // expected-error @below {{a workgroup buffer must be a static allocation directly in the block body}}
      %s = memref.alloca() : memref<32xf32, #gpu.address_space<workgroup>>
    }
  } {mapping = [#gpu.block<x>]}
  return
}

// -----

func.func @dynamic_phase(%g: index, %n: index) {
  scf.forall (%b) in (%g) {
    // expected-error @below {{a thread phase must be a 1-D normalized forall with a static thread count}}
    scf.forall (%u) in (%n) {
    } {mapping = [#gpu.thread<x>]}
  } {mapping = [#gpu.block<x>]}
  return
}

// -----

func.func @phase_outside(%n: index) {
  // expected-error @below {{a thread phase must be inside a block forall}}
  scf.forall (%u) in (32) {
  } {mapping = [#gpu.thread<x>]}
  return
}

// -----

func.func @unmapped(%g: index) {
  scf.forall (%b) in (%g) {
    // expected-error @below {{a forall in a block program must be mapped to #gpu.thread}}
    scf.forall (%u) in (32) {
    }
  } {mapping = [#gpu.block<x>]}
  return
}
