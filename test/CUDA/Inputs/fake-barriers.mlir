// Hand-written kernels for test/CUDA/fake-barriers.test: barriers and warp
// shuffles the fake CUDA driver must execute with GPU semantics, and the
// mistakes only it can show without a GPU (a barrier or a shuffle that only
// part of the block reaches, a missing barrier). Block = 128 threads, each
// writes out[block * 128 + thread].
module attributes {gpu.container_module} {
  gpu.module @sluice_kernels {
    // Thread t stores t in shared memory, barrier, reads entry 127 - t.
    gpu.func @with_barrier(%out: memref<?xi32>)
        workgroup(%s : memref<128xi32, #gpu.address_space<workgroup>>)
        kernel attributes {known_block_size = array<i32: 128, 1, 1>} {
      %t = gpu.thread_id x
      %b = gpu.block_id x
      %c127 = arith.constant 127 : index
      %c128 = arith.constant 128 : index
      %v = arith.index_cast %t : index to i32
      memref.store %v, %s[%t] : memref<128xi32, #gpu.address_space<workgroup>>
      gpu.barrier
      %r = arith.subi %c127, %t : index
      %w = memref.load %s[%r] : memref<128xi32, #gpu.address_space<workgroup>>
      %base = arith.muli %b, %c128 : index
      %o = arith.addi %base, %t : index
      memref.store %w, %out[%o] : memref<?xi32>
      gpu.return
    }
    // The same without the barrier: a race the fake's fiber order exposes.
    gpu.func @missing_barrier(%out: memref<?xi32>)
        workgroup(%s : memref<128xi32, #gpu.address_space<workgroup>>)
        kernel attributes {known_block_size = array<i32: 128, 1, 1>} {
      %t = gpu.thread_id x
      %b = gpu.block_id x
      %c127 = arith.constant 127 : index
      %c128 = arith.constant 128 : index
      %v = arith.index_cast %t : index to i32
      memref.store %v, %s[%t] : memref<128xi32, #gpu.address_space<workgroup>>
      %r = arith.subi %c127, %t : index
      %w = memref.load %s[%r] : memref<128xi32, #gpu.address_space<workgroup>>
      %base = arith.muli %b, %c128 : index
      %o = arith.addi %base, %t : index
      memref.store %w, %out[%o] : memref<?xi32>
      gpu.return
    }
    // Only threads 0..63 reach the barrier.
    gpu.func @divergent_barrier(%out: memref<?xi32>)
        kernel attributes {known_block_size = array<i32: 128, 1, 1>} {
      %t = gpu.thread_id x
      %b = gpu.block_id x
      %c64 = arith.constant 64 : index
      %c128 = arith.constant 128 : index
      %lt = arith.cmpi ult, %t, %c64 : index
      scf.if %lt {
        gpu.barrier
      }
      %v = arith.index_cast %t : index to i32
      %base = arith.muli %b, %c128 : index
      %o = arith.addi %base, %t : index
      memref.store %v, %out[%o] : memref<?xi32>
      gpu.return
    }
    // out = t xor 5 from a butterfly shuffle (xor 5 within the warp).
    gpu.func @shuffle_xor(%out: memref<?xi32>)
        kernel attributes {known_block_size = array<i32: 128, 1, 1>} {
      %t = gpu.thread_id x
      %b = gpu.block_id x
      %c128 = arith.constant 128 : index
      %c5 = arith.constant 5 : i32
      %c32 = arith.constant 32 : i32
      %v = arith.index_cast %t : index to i32
      %r, %ok = gpu.shuffle xor %v, %c5, %c32 : i32
      %base = arith.muli %b, %c128 : index
      %o = arith.addi %base, %t : index
      memref.store %r, %out[%o] : memref<?xi32>
      gpu.return
    }
    // Only lanes 0..15 of each warp shuffle.
    gpu.func @divergent_shuffle(%out: memref<?xi32>)
        kernel attributes {known_block_size = array<i32: 128, 1, 1>} {
      %t = gpu.thread_id x
      %b = gpu.block_id x
      %c16 = arith.constant 16 : index
      %c32i = arith.constant 32 : index
      %c128 = arith.constant 128 : index
      %c1 = arith.constant 1 : i32
      %c32 = arith.constant 32 : i32
      %lane = arith.remui %t, %c32i : index
      %lt = arith.cmpi ult, %lane, %c16 : index
      %v = arith.index_cast %t : index to i32
      %r = scf.if %lt -> i32 {
        %s, %ok = gpu.shuffle xor %v, %c1, %c32 : i32
        scf.yield %s : i32
      } else {
        scf.yield %v : i32
      }
      %base = arith.muli %b, %c128 : index
      %o = arith.addi %base, %t : index
      memref.store %r, %out[%o] : memref<?xi32>
      gpu.return
    }
  }
}
