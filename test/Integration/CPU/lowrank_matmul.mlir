// sluice.lowrank_matmul compiled for the CPU and checked against the
// reference evaluator: (x u) v with and without a bias, rank 1 and rank 8,
// for T = 0, 1, 7, 33 from one module, and a hand-written case.

// RUN: sluicec run %s --function=rank8 --random-weights --check --dim T=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=rank8 --random-weights --check --dim T=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=rank8 --random-weights --check --dim T=7 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=rank8 --random-weights --check --dim T=33 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=rank8_bias --random-weights --check --dim T=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=rank8_bias --random-weights --check --dim T=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=rank8_bias --random-weights --check --dim T=7 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=rank8_bias --random-weights --check --dim T=33 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=rank1_bias --random-weights --check --dim T=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=rank1_bias --random-weights --check --dim T=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=rank1_bias --random-weights --check --dim T=7 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=rank1_bias --random-weights --check --dim T=33 | FileCheck %s --implicit-check-not=FAILED
// CHECK: check y: ok

// x = [1, 2], u = [[1], [1]], v = [[1, -1]], bias [10, 20]: [13, 17].
// RUN: %python -c "import numpy as np; np.save('%t.x.npy', np.array([[1, 2]], np.float32)); np.save('%t.u.npy', np.ones((2, 1), np.float32)); np.save('%t.v.npy', np.array([[1, -1]], np.float32)); np.save('%t.b.npy', np.array([10, 20], np.float32))"
// RUN: sluicec run %s --function=small --check --input x=%t.x.npy --input u=%t.u.npy --input v=%t.v.npy --input bias=%t.b.npy --output y=%t.y.npy | FileCheck %s --implicit-check-not=FAILED
// RUN: %python -c "import numpy as np; y = np.load('%t.y.npy'); assert y.tolist() == [[13, 17]], y"

// x with a dynamic feature count must match u (run-time error otherwise).
// RUN: sluicec run %s --function=dynamic_k --random-weights --check --dim T=7 --dim K=24 | FileCheck %s --implicit-check-not=FAILED
// RUN: not sluicec run %s --function=dynamic_k --random-weights --dim T=7 --dim K=30 2>&1 | FileCheck %s --check-prefix=K
// K: error: {{.*}}sluice.lowrank_matmul: expects x dim 1 (30) to equal u dim 0 (24)

// The fused path (sluice-fuse-lora): two sluice_uk_gemm calls; a dynamic
// feature count keeps the scalar lowering.
// RUN: sluicec compile %s --emit=mlir-lowered -o %t.lowered.mlir
// RUN: FileCheck %s --check-prefix=FUSED --input-file %t.lowered.mlir
// FUSED-LABEL: llvm.func @rank8(
// FUSED-COUNT-2: llvm.call @sluice_uk_gemm
// FUSED-LABEL: llvm.func @rank8_bias(
// FUSED-COUNT-2: llvm.call @sluice_uk_gemm
// FUSED-LABEL: llvm.func @rank1_bias(
// FUSED-COUNT-2: llvm.call @sluice_uk_gemm
// FUSED-LABEL: llvm.func @small(
// FUSED-COUNT-2: llvm.call @sluice_uk_gemm
// FUSED-LABEL: llvm.func @dynamic_k(
// FUSED-NOT: llvm.call @sluice_uk_gemm

func.func @rank8(%x: tensor<?x24xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %u: tensor<24x8xf32> {sluice.name = "u", sluice.role = "weight"},
    %v: tensor<8x16xf32> {sluice.name = "v", sluice.role = "weight"})
    -> (tensor<?x16xf32> {sluice.name = "y"}) {
  %y = sluice.lowrank_matmul %x, %u, %v
      : (tensor<?x24xf32>, tensor<24x8xf32>, tensor<8x16xf32>) -> tensor<?x16xf32>
  return %y : tensor<?x16xf32>
}

func.func @rank8_bias(%x: tensor<?x24xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %u: tensor<24x8xf32> {sluice.name = "u", sluice.role = "weight"},
    %v: tensor<8x16xf32> {sluice.name = "v", sluice.role = "weight"},
    %bias: tensor<16xf32> {sluice.name = "bias", sluice.role = "weight"})
    -> (tensor<?x16xf32> {sluice.name = "y"}) {
  %y = sluice.lowrank_matmul %x, %u, %v bias(%bias)
      : (tensor<?x24xf32>, tensor<24x8xf32>, tensor<8x16xf32>, tensor<16xf32>) -> tensor<?x16xf32>
  return %y : tensor<?x16xf32>
}

func.func @rank1_bias(%x: tensor<?x12xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %u: tensor<12x1xf32> {sluice.name = "u", sluice.role = "weight"},
    %v: tensor<1x20xf32> {sluice.name = "v", sluice.role = "weight"},
    %bias: tensor<20xf32> {sluice.name = "bias", sluice.role = "weight"})
    -> (tensor<?x20xf32> {sluice.name = "y"}) {
  %y = sluice.lowrank_matmul %x, %u, %v bias(%bias)
      : (tensor<?x12xf32>, tensor<12x1xf32>, tensor<1x20xf32>, tensor<20xf32>) -> tensor<?x20xf32>
  return %y : tensor<?x20xf32>
}

func.func @small(%x: tensor<?x2xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %u: tensor<2x1xf32> {sluice.name = "u"},
    %v: tensor<1x2xf32> {sluice.name = "v"},
    %bias: tensor<2xf32> {sluice.name = "bias"})
    -> (tensor<?x2xf32> {sluice.name = "y"}) {
  %y = sluice.lowrank_matmul %x, %u, %v bias(%bias)
      : (tensor<?x2xf32>, tensor<2x1xf32>, tensor<1x2xf32>, tensor<2xf32>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}

func.func @dynamic_k(%x: tensor<?x?xf32> {sluice.name = "x", sluice.dims = ["T", "K"]},
    %u: tensor<24x8xf32> {sluice.name = "u", sluice.role = "weight"},
    %v: tensor<8x16xf32> {sluice.name = "v", sluice.role = "weight"})
    -> (tensor<?x16xf32> {sluice.name = "y"}) {
  %y = sluice.lowrank_matmul %x, %u, %v
      : (tensor<?x?xf32>, tensor<24x8xf32>, tensor<8x16xf32>) -> tensor<?x16xf32>
  return %y : tensor<?x16xf32>
}
