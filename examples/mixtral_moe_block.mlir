// A Mixtral-style sparse MoE FFN block, scaled to the "Mixtral-like" shapes
// of bench/ (d = 1024, F = 3584, E = 8 experts, top-2).
//
// Mixtral of Experts (Jiang et al., 2024): softmax router, top-2 experts per
// token, the two weights renormalized to sum to 1, SwiGLU experts.
//
// Run it on the CPU with random weights, checked against the reference
// evaluator:
//   sluicec run examples/mixtral_moe_block.mlir --random-weights --check --dim T=4
// See it decomposed into the fusion-ready routing primitives
// (route / dispatch / grouped_matmul / glu / combine):
//   sluice-opt examples/mixtral_moe_block.mlir --sluice-decompose-pipeline

func.func @mixtral_moe_block(
    %x: tensor<?x1024xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %w_router: tensor<1024x8xf32> {sluice.name = "w_router", sluice.role = "weight"},
    %w_gate: tensor<8x1024x3584xf32> {sluice.name = "w_gate", sluice.role = "weight"},
    %w_up: tensor<8x1024x3584xf32> {sluice.name = "w_up", sluice.role = "weight"},
    %w_down: tensor<8x3584x1024xf32> {sluice.name = "w_down", sluice.role = "weight"})
    -> (tensor<?x1024xf32> {sluice.name = "y", sluice.dims = ["T", ""]}) {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %t = tensor.dim %x, %c0 : tensor<?x1024xf32>
  // Router logits [T, E].
  %init = tensor.empty(%t) : tensor<?x8xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%init : tensor<?x8xf32>) -> tensor<?x8xf32>
  %logits = linalg.matmul ins(%x, %w_router : tensor<?x1024xf32>, tensor<1024x8xf32>)
                          outs(%acc : tensor<?x8xf32>) -> tensor<?x8xf32>
  // Softmax, top-2, renormalize (Mixtral / Qwen3-MoE convention).
  %weights, %experts = sluice.topk_gate %logits {k = 2 : i64, renormalize = true}
      : (tensor<?x8xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  // SwiGLU experts, weighted sum over the two choices.
  %y = sluice.moe %x, %weights, %experts gate(%w_gate) up(%w_up) down(%w_down)
      : (tensor<?x1024xf32>, tensor<?x2xf32>, tensor<?x2xi32>,
         tensor<8x1024x3584xf32>, tensor<8x1024x3584xf32>,
         tensor<8x3584x1024xf32>) -> tensor<?x1024xf32>
  return %y : tensor<?x1024xf32>
}
