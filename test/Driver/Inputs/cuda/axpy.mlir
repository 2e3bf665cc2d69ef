// sluice_test_axpy of test/Unit/Runtime/Inputs/cuda/kernels.ptx written as
// a gpu.func over strided memrefs, lowered to PTX by upstream MLIR
// (convert-gpu-to-nvvm, default memref calling convention) in
// cuda-upstream-abi.test: out[i] = alpha * x[i] + y[i] for i < size(out).
module attributes {gpu.container_module} {
  gpu.module @kernels {
    gpu.func @sluice_test_axpy(%x: memref<?xf32, strided<[?], offset: ?>>,
                               %y: memref<?xf32, strided<[?], offset: ?>>,
                               %alpha: f32,
                               %o: memref<?xf32, strided<[?], offset: ?>>) kernel {
      %c0 = arith.constant 0 : index
      %bid = gpu.block_id x
      %bdim = gpu.block_dim x
      %tid = gpu.thread_id x
      %base = arith.muli %bid, %bdim : index
      %i = arith.addi %base, %tid : index
      %n = memref.dim %o, %c0 : memref<?xf32, strided<[?], offset: ?>>
      %inside = arith.cmpi slt, %i, %n : index
      scf.if %inside {
        %a = memref.load %x[%i] : memref<?xf32, strided<[?], offset: ?>>
        %b = memref.load %y[%i] : memref<?xf32, strided<[?], offset: ?>>
        %m = arith.mulf %alpha, %a : f32
        %s = arith.addf %m, %b : f32
        memref.store %s, %o[%i] : memref<?xf32, strided<[?], offset: ?>>
      }
      gpu.return
    }
  }
}
