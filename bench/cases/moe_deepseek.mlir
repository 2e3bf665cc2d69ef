// moe_deepseek: DeepSeek-style block: sigmoid scores + correction bias,
// 8 groups scored by their top-2 sum, top-4 groups, top-6 of E = 64,
// SwiGLU experts F = 1408, 2 shared experts.
func.func @moe_deepseek(
    %x: tensor<?x2048xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %router: tensor<2048x64xf32> {sluice.name = "router", sluice.role = "weight"},
    %bias: tensor<64xf32> {sluice.name = "bias", sluice.role = "weight"},
    %wg: tensor<64x2048x1408xf32> {sluice.name = "w_gate", sluice.role = "weight"},
    %wu: tensor<64x2048x1408xf32> {sluice.name = "w_up", sluice.role = "weight"},
    %wd: tensor<64x1408x2048xf32> {sluice.name = "w_down", sluice.role = "weight"},
    %sg: tensor<2x2048x1408xf32> {sluice.name = "s_gate", sluice.role = "weight"},
    %su: tensor<2x2048x1408xf32> {sluice.name = "s_up", sluice.role = "weight"},
    %sd: tensor<2x1408x2048xf32> {sluice.name = "s_down", sluice.role = "weight"})
    -> (tensor<?x2048xf32> {sluice.name = "y", sluice.dims = ["T", ""]}) {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %t = tensor.dim %x, %c0 : tensor<?x2048xf32>
  %init = tensor.empty(%t) : tensor<?x64xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%init : tensor<?x64xf32>) -> tensor<?x64xf32>
  %logits = linalg.matmul ins(%x, %router : tensor<?x2048xf32>, tensor<2048x64xf32>)
                          outs(%acc : tensor<?x64xf32>) -> tensor<?x64xf32>
  %w, %i = sluice.topk_gate %logits bias(%bias)
      {k = 6 : i64, score = #sluice.score<sigmoid>, groups = 8 : i64, topk_groups = 4 : i64,
       group_score = #sluice.group_score<top2_sum>, renormalize = true}
      : (tensor<?x64xf32>, tensor<64xf32>) -> (tensor<?x6xf32>, tensor<?x6xi32>)
  %y = sluice.moe %x, %w, %i gate(%wg) up(%wu) down(%wd)
         shared_gate(%sg) shared_up(%su) shared_down(%sd)
      : (tensor<?x2048xf32>, tensor<?x6xf32>, tensor<?x6xi32>, tensor<64x2048x1408xf32>,
         tensor<64x2048x1408xf32>, tensor<64x1408x2048xf32>, tensor<2x2048x1408xf32>,
         tensor<2x2048x1408xf32>, tensor<2x1408x2048xf32>) -> tensor<?x2048xf32>
  return %y : tensor<?x2048xf32>
}

// The same block with its shared experts as their own pair of GEMM calls
// (sluice.no_fuse: the baseline of the shared-experts fusion,
// docs/fusion.md), timed in the same run.
func.func @moe_deepseek_unfused_shared(
    %x: tensor<?x2048xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %router: tensor<2048x64xf32> {sluice.name = "router", sluice.role = "weight"},
    %bias: tensor<64xf32> {sluice.name = "bias", sluice.role = "weight"},
    %wg: tensor<64x2048x1408xf32> {sluice.name = "w_gate", sluice.role = "weight"},
    %wu: tensor<64x2048x1408xf32> {sluice.name = "w_up", sluice.role = "weight"},
    %wd: tensor<64x1408x2048xf32> {sluice.name = "w_down", sluice.role = "weight"},
    %sg: tensor<2x2048x1408xf32> {sluice.name = "s_gate", sluice.role = "weight"},
    %su: tensor<2x2048x1408xf32> {sluice.name = "s_up", sluice.role = "weight"},
    %sd: tensor<2x1408x2048xf32> {sluice.name = "s_down", sluice.role = "weight"})
    -> (tensor<?x2048xf32> {sluice.name = "y", sluice.dims = ["T", ""]}) {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %t = tensor.dim %x, %c0 : tensor<?x2048xf32>
  %init = tensor.empty(%t) : tensor<?x64xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%init : tensor<?x64xf32>) -> tensor<?x64xf32>
  %logits = linalg.matmul ins(%x, %router : tensor<?x2048xf32>, tensor<2048x64xf32>)
                          outs(%acc : tensor<?x64xf32>) -> tensor<?x64xf32>
  %w, %i = sluice.topk_gate %logits bias(%bias)
      {k = 6 : i64, score = #sluice.score<sigmoid>, groups = 8 : i64, topk_groups = 4 : i64,
       group_score = #sluice.group_score<top2_sum>, renormalize = true}
      : (tensor<?x64xf32>, tensor<64xf32>) -> (tensor<?x6xf32>, tensor<?x6xi32>)
  %y = sluice.moe %x, %w, %i gate(%wg) up(%wu) down(%wd)
         shared_gate(%sg) shared_up(%su) shared_down(%sd) {sluice.no_fuse}
      : (tensor<?x2048xf32>, tensor<?x6xf32>, tensor<?x6xi32>, tensor<64x2048x1408xf32>,
         tensor<64x2048x1408xf32>, tensor<64x1408x2048xf32>, tensor<2x2048x1408xf32>,
         tensor<2x2048x1408xf32>, tensor<2x1408x2048xf32>) -> tensor<?x2048xf32>
  return %y : tensor<?x2048xf32>
}
