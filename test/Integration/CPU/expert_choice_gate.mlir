// sluice.expert_choice_gate compiled for the CPU and checked against the
// reference evaluator: a fixed capacity (clamped to T, so C = 0 at T = 0),
// a capacity_factor (C = ceil(T * cf / E)), a capacity above T, ties between
// tokens (lower token first), and the composition the spec describes
// (slots = tokens flattened, k = 1, offsets[e] = e*C) through dispatch,
// grouped_matmul and the per-slot combine.

// RUN: sluicec run %s --function=capacity --check --dim T=0 | FileCheck %s --check-prefix=C0 --implicit-check-not=FAILED
// RUN: sluicec run %s --function=capacity --check --dim T=1 | FileCheck %s --check-prefix=C1 --implicit-check-not=FAILED
// RUN: sluicec run %s --function=capacity --check --dim T=7 | FileCheck %s --check-prefix=C3 --implicit-check-not=FAILED
// RUN: sluicec run %s --function=capacity --check --dim T=33 | FileCheck %s --check-prefix=C3 --implicit-check-not=FAILED
// C0: output weights: f32[8, 0]
// C1: output weights: f32[8, 1]
// C3: output weights: f32[8, 3]
// C0: check weights: ok
// C0: check tokens: ok
// C1: check weights: ok
// C1: check tokens: ok
// C3: check weights: ok
// C3: check tokens: ok

// capacity_factor 1.25 with E = 8: C = ceil(T * 1.25 / 8) = 0, 1, 2, 6.
// RUN: sluicec run %s --function=factor --check --dim T=0 | FileCheck %s --check-prefix=F0 --implicit-check-not=FAILED
// RUN: sluicec run %s --function=factor --check --dim T=1 | FileCheck %s --check-prefix=F1 --implicit-check-not=FAILED
// RUN: sluicec run %s --function=factor --check --dim T=7 | FileCheck %s --check-prefix=F2 --implicit-check-not=FAILED
// RUN: sluicec run %s --function=factor --check --dim T=33 | FileCheck %s --check-prefix=F6 --implicit-check-not=FAILED
// capacity_factor 3.0 with E = 2 (C > T, clamped): C = T.
// RUN: sluicec run %s --function=factor_big --check --dim T=0 | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED
// RUN: sluicec run %s --function=factor_big --check --dim T=1 | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED
// RUN: sluicec run %s --function=factor_big --check --dim T=7 | FileCheck %s --check-prefix=BIG7 --implicit-check-not=FAILED
// RUN: sluicec run %s --function=factor_big --check --dim T=33 | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED
// F0: output weights: f32[8, 0]
// F1: output weights: f32[8, 1]
// F2: output weights: f32[8, 2]
// F6: output weights: f32[8, 6]
// BIG7: output weights: f32[2, 7]
// F0: check weights: ok
// F1: check weights: ok
// F2: check weights: ok
// F6: check weights: ok
// BIG7: check weights: ok

// A capacity above T keeps every token for every expert (C = T).
// RUN: sluicec run %s --function=capacity_big --check --dim T=0 | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED
// RUN: sluicec run %s --function=capacity_big --check --dim T=1 | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED
// RUN: sluicec run %s --function=capacity_big --check --dim T=7 | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED
// RUN: sluicec run %s --function=capacity_big --check --dim T=33 | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED
// GATE: check weights: ok
// GATE: check tokens: ok

// Ties: tokens 0, 2 and 3 have equal rows, so each expert's equal scores
// are taken in token order; token 1 wins expert 3 alone.
// RUN: %python -c "import numpy as np; np.save('%t.ties.npy', np.array([[1,1,0,0], [0,0,0,5], [1,1,0,0], [1,1,0,0]], np.float32))"
// RUN: sluicec run %s --function=ties --check --input logits=%t.ties.npy --output tokens=%t.ties.tok.npy | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED
// RUN: %python -c "import numpy as np; i = np.load('%t.ties.tok.npy'); assert (i == [[0,2], [0,2], [0,2], [1,0]]).all(), i"

// Expert-choice MoE: dispatch (k = 1), a shared GEMM, per-slot combine.
// RUN: sluicec run %s --function=ec_shared --random-weights --check --dim T=0 | FileCheck %s --check-prefix=MOE --implicit-check-not=FAILED
// RUN: sluicec run %s --function=ec_shared --random-weights --check --dim T=1 | FileCheck %s --check-prefix=MOE --implicit-check-not=FAILED
// RUN: sluicec run %s --function=ec_shared --random-weights --check --dim T=7 | FileCheck %s --check-prefix=MOE --implicit-check-not=FAILED
// RUN: sluicec run %s --function=ec_shared --random-weights --check --dim T=33 | FileCheck %s --check-prefix=MOE --implicit-check-not=FAILED
// Expert-choice MoE with per-expert weights: offsets = e * C with C = 4
// (T >= 4); below that C < 4 and the offsets no longer end at the row count,
// a run-time error of grouped_matmul.
// RUN: sluicec run %s --function=ec_grouped --random-weights --check --dim T=7 | FileCheck %s --check-prefix=MOE --implicit-check-not=FAILED
// RUN: sluicec run %s --function=ec_grouped --random-weights --check --dim T=33 | FileCheck %s --check-prefix=MOE --implicit-check-not=FAILED
// RUN: not sluicec run %s --function=ec_grouped --random-weights --check --dim T=1 2>&1 | FileCheck %s --check-prefix=OFFSETS
// MOE: check y: ok
// OFFSETS: error: {{.*}}sluice.grouped_matmul: offsets must end at the row count

// C is computed in f64 from the f32 capacity_factor: 0.3f is
// 0.30000001192..., so T = 10, E = 3 gives ceil(1.0000000397) = 2 (not 1).
// RUN: sluicec run %s --function=factor_rounding --check --dim T=10 | FileCheck %s --check-prefix=ROUND --implicit-check-not=FAILED
// ROUND: output weights: f32[3, 2]
// ROUND: check tokens: ok

func.func @capacity(%l: tensor<?x8xf32> {sluice.name = "logits", sluice.dims = ["T", ""]})
    -> (tensor<8x?xf32> {sluice.name = "weights"}, tensor<8x?xi32> {sluice.name = "tokens"}) {
  %w, %t = sluice.expert_choice_gate %l {capacity = 3 : i64}
      : (tensor<?x8xf32>) -> (tensor<8x?xf32>, tensor<8x?xi32>)
  return %w, %t : tensor<8x?xf32>, tensor<8x?xi32>
}

func.func @factor(%l: tensor<?x8xf32> {sluice.name = "logits", sluice.dims = ["T", ""]})
    -> (tensor<8x?xf32> {sluice.name = "weights"}, tensor<8x?xi32> {sluice.name = "tokens"}) {
  %w, %t = sluice.expert_choice_gate %l {capacity_factor = 1.25 : f32}
      : (tensor<?x8xf32>) -> (tensor<8x?xf32>, tensor<8x?xi32>)
  return %w, %t : tensor<8x?xf32>, tensor<8x?xi32>
}

func.func @factor_big(%l: tensor<?x2xf32> {sluice.name = "logits", sluice.dims = ["T", ""]})
    -> (tensor<2x?xf32> {sluice.name = "weights"}, tensor<2x?xi32> {sluice.name = "tokens"}) {
  %w, %t = sluice.expert_choice_gate %l {capacity_factor = 3.0 : f32}
      : (tensor<?x2xf32>) -> (tensor<2x?xf32>, tensor<2x?xi32>)
  return %w, %t : tensor<2x?xf32>, tensor<2x?xi32>
}

func.func @capacity_big(%l: tensor<?x4xf32> {sluice.name = "logits", sluice.dims = ["T", ""]})
    -> (tensor<4x?xf32> {sluice.name = "weights"}, tensor<4x?xi32> {sluice.name = "tokens"}) {
  %w, %t = sluice.expert_choice_gate %l {capacity = 64 : i64}
      : (tensor<?x4xf32>) -> (tensor<4x?xf32>, tensor<4x?xi32>)
  return %w, %t : tensor<4x?xf32>, tensor<4x?xi32>
}

func.func @ties(%l: tensor<?x4xf32> {sluice.name = "logits", sluice.dims = ["T", ""]})
    -> (tensor<4x?xf32> {sluice.name = "weights"}, tensor<4x?xi32> {sluice.name = "tokens"}) {
  %w, %t = sluice.expert_choice_gate %l {capacity = 2 : i64}
      : (tensor<?x4xf32>) -> (tensor<4x?xf32>, tensor<4x?xi32>)
  return %w, %t : tensor<4x?xf32>, tensor<4x?xi32>
}

func.func @ec_shared(%l: tensor<?x4xf32> {sluice.name = "logits", sluice.dims = ["T", ""]},
                     %x: tensor<?x8xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
                     %wx: tensor<8x8xf32> {sluice.name = "w", sluice.role = "weight"})
    -> (tensor<?x8xf32> {sluice.name = "y"}) {
  %w, %t = sluice.expert_choice_gate %l {capacity_factor = 2.0 : f32}
      : (tensor<?x4xf32>) -> (tensor<4x?xf32>, tensor<4x?xi32>)
  %slots = tensor.collapse_shape %t [[0, 1]] : tensor<4x?xi32> into tensor<?xi32>
  %sw = tensor.collapse_shape %w [[0, 1]] : tensor<4x?xf32> into tensor<?xf32>
  %xs = sluice.dispatch %x, %slots {k = 1 : i64} : (tensor<?x8xf32>, tensor<?xi32>) -> tensor<?x8xf32>
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %p = tensor.dim %xs, %c0 : tensor<?x8xf32>
  %e = tensor.empty(%p) : tensor<?x8xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<?x8xf32>) -> tensor<?x8xf32>
  %ys = linalg.matmul ins(%xs, %wx : tensor<?x8xf32>, tensor<8x8xf32>) outs(%f : tensor<?x8xf32>) -> tensor<?x8xf32>
  %n = tensor.dim %x, %c0 : tensor<?x8xf32>
  %y = sluice.combine %ys, %slots, %sw tokens(%n) {k = 1 : i64}
      : (tensor<?x8xf32>, tensor<?xi32>, tensor<?xf32>, index) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}

func.func @ec_grouped(%l: tensor<?x4xf32> {sluice.name = "logits", sluice.dims = ["T", ""]},
                      %x: tensor<?x8xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
                      %we: tensor<4x8x8xf32> {sluice.name = "w", sluice.role = "weight"})
    -> (tensor<?x8xf32> {sluice.name = "y"}) {
  %w, %t = sluice.expert_choice_gate %l {capacity = 4 : i64}
      : (tensor<?x4xf32>) -> (tensor<4x?xf32>, tensor<4x?xi32>)
  %slots = tensor.collapse_shape %t [[0, 1]] : tensor<4x?xi32> into tensor<?xi32>
  %sw = tensor.collapse_shape %w [[0, 1]] : tensor<4x?xf32> into tensor<?xf32>
  %xs = sluice.dispatch %x, %slots {k = 1 : i64} : (tensor<?x8xf32>, tensor<?xi32>) -> tensor<?x8xf32>
  %offsets = arith.constant dense<[0, 4, 8, 12, 16]> : tensor<5xi32>
  %ys = sluice.grouped_matmul %xs, %we, %offsets
      : (tensor<?x8xf32>, tensor<4x8x8xf32>, tensor<5xi32>) -> tensor<?x8xf32>
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?x8xf32>
  %y = sluice.combine %ys, %slots, %sw tokens(%n) {k = 1 : i64}
      : (tensor<?x8xf32>, tensor<?xi32>, tensor<?xf32>, index) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}

func.func @factor_rounding(%l: tensor<?x3xf32> {sluice.name = "logits", sluice.dims = ["T", ""]})
    -> (tensor<3x?xf32> {sluice.name = "weights"}, tensor<3x?xi32> {sluice.name = "tokens"}) {
  %w, %t = sluice.expert_choice_gate %l {capacity_factor = 0.3 : f32}
      : (tensor<?x3xf32>) -> (tensor<3x?xf32>, tensor<3x?xi32>)
  return %w, %t : tensor<3x?xf32>, tensor<3x?xi32>
}
