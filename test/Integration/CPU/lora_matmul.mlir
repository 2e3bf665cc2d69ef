// sluice.lora_matmul compiled for the CPU and checked against the reference
// evaluator (x[T, 16], w[16, 12], rank 6), for T = 0, 1, 7, 33 from one
// module:
//   plain          x w + scale ((x a) b), scale 2
//   bias_gates_r   bias and a fixed gate per rank, rank_gates[r] (SoRA)
//   gates_tr       per-token rank gates rank_gates[T, r] (SMoRA)
//   active_rank    active_rank 4 of 6 (DyLoRA nested prefix) with a bias
//   active_gates   active_rank 2 with rank_gates[T, r] (only the first 2 read)
//   active_full    active_rank = r with rank_gates[r]
//   scale_zero     scale 0 (the update vanishes: x w + bias)
//   active_zero    active_rank 0 (likewise, with rank_gates[T, r] unread)
// A hand-written rank-2 case checks gates and the active prefix.

// RUN: sluicec run %s --function=plain --random-weights --check --dim T=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=plain --random-weights --check --dim T=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=plain --random-weights --check --dim T=7 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=plain --random-weights --check --dim T=33 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=bias_gates_r --random-weights --check --dim T=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=bias_gates_r --random-weights --check --dim T=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=bias_gates_r --random-weights --check --dim T=7 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=bias_gates_r --random-weights --check --dim T=33 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=gates_tr --random-weights --check --dim T=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=gates_tr --random-weights --check --dim T=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=gates_tr --random-weights --check --dim T=7 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=gates_tr --random-weights --check --dim T=33 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=active_rank --random-weights --check --dim T=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=active_rank --random-weights --check --dim T=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=active_rank --random-weights --check --dim T=7 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=active_rank --random-weights --check --dim T=33 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=active_gates --random-weights --check --dim T=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=active_gates --random-weights --check --dim T=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=active_gates --random-weights --check --dim T=7 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=active_gates --random-weights --check --dim T=33 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=active_full --random-weights --check --dim T=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=active_full --random-weights --check --dim T=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=active_full --random-weights --check --dim T=7 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=active_full --random-weights --check --dim T=33 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=scale_zero --random-weights --check --dim T=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=scale_zero --random-weights --check --dim T=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=scale_zero --random-weights --check --dim T=7 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=scale_zero --random-weights --check --dim T=33 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=active_zero --random-weights --check --dim T=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=active_zero --random-weights --check --dim T=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=active_zero --random-weights --check --dim T=7 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=active_zero --random-weights --check --dim T=33 | FileCheck %s --implicit-check-not=FAILED
// CHECK: check y: ok

// x = [1, 1], w = 0, a = [[1, 10], [1, 10]] (x a = [2, 20]), b = [[1], [100]],
// gates [[1, 1], [0.5, 0.25]]: y = [2 + 2000, 1 + 500]; with active_rank 1:
// [2, 1].
// RUN: %python -c "import numpy as np; np.save('%t.x.npy', np.ones((2, 2), np.float32)); np.save('%t.w.npy', np.zeros((2, 1), np.float32)); np.save('%t.a.npy', np.array([[1, 10], [1, 10]], np.float32)); np.save('%t.b.npy', np.array([[1], [100]], np.float32)); np.save('%t.g.npy', np.array([[1, 1], [.5, .25]], np.float32))"
// RUN: sluicec run %s --function=small --check --input x=%t.x.npy --input w=%t.w.npy --input a=%t.a.npy --input b=%t.b.npy --input g=%t.g.npy --output y=%t.y.npy | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=small_active --check --input x=%t.x.npy --input w=%t.w.npy --input a=%t.a.npy --input b=%t.b.npy --input g=%t.g.npy --output y=%t.y1.npy | FileCheck %s --implicit-check-not=FAILED
// RUN: %python -c "import numpy as np; assert np.load('%t.y.npy').tolist() == [[2002], [501]]; assert np.load('%t.y1.npy').tolist() == [[2], [1]]"

// Dynamic shapes: rank_gates[T, r] with its own token count, and an a / b of
// dynamic rank below active_rank, are run-time errors; a matching dynamic
// rank runs.
// RUN: sluicec run %s --function=dynamic_rank --random-weights --check --dim T=7 --dim R=6 | FileCheck %s --implicit-check-not=FAILED
// RUN: not sluicec run %s --function=dynamic_rank --random-weights --dim T=7 --dim R=3 2>&1 | FileCheck %s --check-prefix=ACTIVE
// RUN: not sluicec run %s --function=gates_mismatch --random-weights --dim T=7 --dim U=3 2>&1 | FileCheck %s --check-prefix=GATES
// ACTIVE: error: {{.*}}sluice.lora_matmul: active_rank 4 exceeds the rank of a, 3
// GATES: error: {{.*}}sluice.lora_matmul: expects rank_gates dim 0 (3) to equal x dim 0 (7)

// The fused path (sluice-fuse-lora): x a and the base GEMM with its
// low-rank epilogue are two sluice_uk_gemm calls per function; scale 0 and
// active_rank 0 leave the base GEMM alone (one call); a dynamic rank keeps
// the scalar lowering.
// RUN: sluicec compile %s --emit=mlir-lowered -o %t.lowered.mlir
// RUN: FileCheck %s --check-prefix=FUSED --input-file %t.lowered.mlir
// FUSED-LABEL: llvm.func @plain(
// FUSED-COUNT-2: llvm.call @sluice_uk_gemm
// FUSED-LABEL: llvm.func @bias_gates_r(
// FUSED-COUNT-2: llvm.call @sluice_uk_gemm
// FUSED-LABEL: llvm.func @gates_tr(
// FUSED-COUNT-2: llvm.call @sluice_uk_gemm
// FUSED-LABEL: llvm.func @active_rank(
// FUSED-COUNT-2: llvm.call @sluice_uk_gemm
// FUSED-LABEL: llvm.func @active_gates(
// FUSED-COUNT-2: llvm.call @sluice_uk_gemm
// FUSED-LABEL: llvm.func @active_full(
// FUSED-COUNT-2: llvm.call @sluice_uk_gemm
// FUSED-LABEL: llvm.func @scale_zero(
// FUSED-COUNT-1: llvm.call @sluice_uk_gemm
// FUSED-LABEL: llvm.func @active_zero(
// FUSED-COUNT-1: llvm.call @sluice_uk_gemm
// FUSED-LABEL: llvm.func @dynamic_rank(
// FUSED-NOT: llvm.call @sluice_uk_gemm
// FUSED-LABEL: llvm.func @gates_mismatch(
// FUSED-COUNT-2: llvm.call @sluice_uk_gemm

func.func @plain(%x: tensor<?x16xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %w: tensor<16x12xf32> {sluice.name = "w", sluice.role = "weight"},
    %a: tensor<16x6xf32> {sluice.name = "a", sluice.role = "weight"},
    %b: tensor<6x12xf32> {sluice.name = "b", sluice.role = "weight"})
    -> (tensor<?x12xf32> {sluice.name = "y"}) {
  %y = sluice.lora_matmul %x, %w, %a, %b {scale = 2.0 : f32}
      : (tensor<?x16xf32>, tensor<16x12xf32>, tensor<16x6xf32>, tensor<6x12xf32>) -> tensor<?x12xf32>
  return %y : tensor<?x12xf32>
}

func.func @bias_gates_r(%x: tensor<?x16xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %w: tensor<16x12xf32> {sluice.name = "w", sluice.role = "weight"},
    %a: tensor<16x6xf32> {sluice.name = "a", sluice.role = "weight"},
    %b: tensor<6x12xf32> {sluice.name = "b", sluice.role = "weight"},
    %bias: tensor<12xf32> {sluice.name = "bias", sluice.role = "weight"},
    %g: tensor<6xf32> {sluice.name = "rank_gates", sluice.role = "weight"})
    -> (tensor<?x12xf32> {sluice.name = "y"}) {
  %y = sluice.lora_matmul %x, %w, %a, %b bias(%bias) rank_gates(%g) {scale = 0.5 : f32}
      : (tensor<?x16xf32>, tensor<16x12xf32>, tensor<16x6xf32>, tensor<6x12xf32>, tensor<12xf32>, tensor<6xf32>) -> tensor<?x12xf32>
  return %y : tensor<?x12xf32>
}

func.func @gates_tr(%x: tensor<?x16xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %w: tensor<16x12xf32> {sluice.name = "w", sluice.role = "weight"},
    %a: tensor<16x6xf32> {sluice.name = "a", sluice.role = "weight"},
    %b: tensor<6x12xf32> {sluice.name = "b", sluice.role = "weight"},
    %g: tensor<?x6xf32> {sluice.name = "rank_gates", sluice.dims = ["T", ""]})
    -> (tensor<?x12xf32> {sluice.name = "y"}) {
  %y = sluice.lora_matmul %x, %w, %a, %b rank_gates(%g)
      : (tensor<?x16xf32>, tensor<16x12xf32>, tensor<16x6xf32>, tensor<6x12xf32>, tensor<?x6xf32>) -> tensor<?x12xf32>
  return %y : tensor<?x12xf32>
}

func.func @active_rank(%x: tensor<?x16xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %w: tensor<16x12xf32> {sluice.name = "w", sluice.role = "weight"},
    %a: tensor<16x6xf32> {sluice.name = "a", sluice.role = "weight"},
    %b: tensor<6x12xf32> {sluice.name = "b", sluice.role = "weight"},
    %bias: tensor<12xf32> {sluice.name = "bias", sluice.role = "weight"})
    -> (tensor<?x12xf32> {sluice.name = "y"}) {
  %y = sluice.lora_matmul %x, %w, %a, %b bias(%bias) {active_rank = 4 : i64, scale = 4.0 : f32}
      : (tensor<?x16xf32>, tensor<16x12xf32>, tensor<16x6xf32>, tensor<6x12xf32>, tensor<12xf32>) -> tensor<?x12xf32>
  return %y : tensor<?x12xf32>
}

func.func @active_gates(%x: tensor<?x16xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %w: tensor<16x12xf32> {sluice.name = "w", sluice.role = "weight"},
    %a: tensor<16x6xf32> {sluice.name = "a", sluice.role = "weight"},
    %b: tensor<6x12xf32> {sluice.name = "b", sluice.role = "weight"},
    %g: tensor<?x6xf32> {sluice.name = "rank_gates", sluice.dims = ["T", ""]})
    -> (tensor<?x12xf32> {sluice.name = "y"}) {
  %y = sluice.lora_matmul %x, %w, %a, %b rank_gates(%g) {active_rank = 2 : i64}
      : (tensor<?x16xf32>, tensor<16x12xf32>, tensor<16x6xf32>, tensor<6x12xf32>, tensor<?x6xf32>) -> tensor<?x12xf32>
  return %y : tensor<?x12xf32>
}

func.func @active_full(%x: tensor<?x16xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %w: tensor<16x12xf32> {sluice.name = "w", sluice.role = "weight"},
    %a: tensor<16x6xf32> {sluice.name = "a", sluice.role = "weight"},
    %b: tensor<6x12xf32> {sluice.name = "b", sluice.role = "weight"},
    %bias: tensor<12xf32> {sluice.name = "bias", sluice.role = "weight"},
    %g: tensor<6xf32> {sluice.name = "rank_gates", sluice.role = "weight"})
    -> (tensor<?x12xf32> {sluice.name = "y"}) {
  %y = sluice.lora_matmul %x, %w, %a, %b bias(%bias) rank_gates(%g) {active_rank = 6 : i64}
      : (tensor<?x16xf32>, tensor<16x12xf32>, tensor<16x6xf32>, tensor<6x12xf32>, tensor<12xf32>, tensor<6xf32>) -> tensor<?x12xf32>
  return %y : tensor<?x12xf32>
}

func.func @scale_zero(%x: tensor<?x16xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %w: tensor<16x12xf32> {sluice.name = "w", sluice.role = "weight"},
    %a: tensor<16x6xf32> {sluice.name = "a", sluice.role = "weight"},
    %b: tensor<6x12xf32> {sluice.name = "b", sluice.role = "weight"},
    %bias: tensor<12xf32> {sluice.name = "bias", sluice.role = "weight"})
    -> (tensor<?x12xf32> {sluice.name = "y"}) {
  %y = sluice.lora_matmul %x, %w, %a, %b bias(%bias) {scale = 0.0 : f32}
      : (tensor<?x16xf32>, tensor<16x12xf32>, tensor<16x6xf32>, tensor<6x12xf32>, tensor<12xf32>) -> tensor<?x12xf32>
  return %y : tensor<?x12xf32>
}

func.func @active_zero(%x: tensor<?x16xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %w: tensor<16x12xf32> {sluice.name = "w", sluice.role = "weight"},
    %a: tensor<16x6xf32> {sluice.name = "a", sluice.role = "weight"},
    %b: tensor<6x12xf32> {sluice.name = "b", sluice.role = "weight"},
    %g: tensor<?x6xf32> {sluice.name = "rank_gates", sluice.dims = ["T", ""]})
    -> (tensor<?x12xf32> {sluice.name = "y"}) {
  %y = sluice.lora_matmul %x, %w, %a, %b rank_gates(%g) {active_rank = 0 : i64}
      : (tensor<?x16xf32>, tensor<16x12xf32>, tensor<16x6xf32>, tensor<6x12xf32>, tensor<?x6xf32>) -> tensor<?x12xf32>
  return %y : tensor<?x12xf32>
}

func.func @small(%x: tensor<?x2xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %w: tensor<2x1xf32> {sluice.name = "w"}, %a: tensor<2x2xf32> {sluice.name = "a"},
    %b: tensor<2x1xf32> {sluice.name = "b"}, %g: tensor<?x2xf32> {sluice.name = "g", sluice.dims = ["T", ""]})
    -> (tensor<?x1xf32> {sluice.name = "y"}) {
  %y = sluice.lora_matmul %x, %w, %a, %b rank_gates(%g)
      : (tensor<?x2xf32>, tensor<2x1xf32>, tensor<2x2xf32>, tensor<2x1xf32>, tensor<?x2xf32>) -> tensor<?x1xf32>
  return %y : tensor<?x1xf32>
}

func.func @small_active(%x: tensor<?x2xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %w: tensor<2x1xf32> {sluice.name = "w"}, %a: tensor<2x2xf32> {sluice.name = "a"},
    %b: tensor<2x1xf32> {sluice.name = "b"}, %g: tensor<?x2xf32> {sluice.name = "g", sluice.dims = ["T", ""]})
    -> (tensor<?x1xf32> {sluice.name = "y"}) {
  %y = sluice.lora_matmul %x, %w, %a, %b rank_gates(%g) {active_rank = 1 : i64}
      : (tensor<?x2xf32>, tensor<2x1xf32>, tensor<2x2xf32>, tensor<2x1xf32>, tensor<?x2xf32>) -> tensor<?x1xf32>
  return %y : tensor<?x1xf32>
}

func.func @dynamic_rank(%x: tensor<?x16xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %w: tensor<16x12xf32> {sluice.name = "w", sluice.role = "weight"},
    %a: tensor<16x?xf32> {sluice.name = "a", sluice.role = "weight", sluice.dims = ["", "R"]},
    %b: tensor<?x12xf32> {sluice.name = "b", sluice.role = "weight", sluice.dims = ["R", ""]})
    -> (tensor<?x12xf32> {sluice.name = "y"}) {
  %y = sluice.lora_matmul %x, %w, %a, %b {active_rank = 4 : i64}
      : (tensor<?x16xf32>, tensor<16x12xf32>, tensor<16x?xf32>, tensor<?x12xf32>) -> tensor<?x12xf32>
  return %y : tensor<?x12xf32>
}

func.func @gates_mismatch(%x: tensor<?x16xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %w: tensor<16x12xf32> {sluice.name = "w", sluice.role = "weight"},
    %a: tensor<16x6xf32> {sluice.name = "a", sluice.role = "weight"},
    %b: tensor<6x12xf32> {sluice.name = "b", sluice.role = "weight"},
    %g: tensor<?x6xf32> {sluice.name = "rank_gates", sluice.dims = ["U", ""]})
    -> (tensor<?x12xf32> {sluice.name = "y"}) {
  %y = sluice.lora_matmul %x, %w, %a, %b rank_gates(%g)
      : (tensor<?x16xf32>, tensor<16x12xf32>, tensor<16x6xf32>, tensor<6x12xf32>, tensor<?x6xf32>) -> tensor<?x12xf32>
  return %y : tensor<?x12xf32>
}
