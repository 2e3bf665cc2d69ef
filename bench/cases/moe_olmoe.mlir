// moe_olmoe: router GEMM, softmax top-8, SwiGLU experts.
func.func @moe_olmoe(
    %x: tensor<?x2048xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %router: tensor<2048x64xf32> {sluice.name = "router", sluice.role = "weight"},
    %wg: tensor<64x2048x1024xf32> {sluice.name = "w_gate", sluice.role = "weight"},
    %wu: tensor<64x2048x1024xf32> {sluice.name = "w_up", sluice.role = "weight"},
    %wd: tensor<64x1024x2048xf32> {sluice.name = "w_down", sluice.role = "weight"})
    -> (tensor<?x2048xf32> {sluice.name = "y", sluice.dims = ["T", ""]}) {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %t = tensor.dim %x, %c0 : tensor<?x2048xf32>
  %init = tensor.empty(%t) : tensor<?x64xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%init : tensor<?x64xf32>) -> tensor<?x64xf32>
  %logits = linalg.matmul ins(%x, %router : tensor<?x2048xf32>, tensor<2048x64xf32>)
                          outs(%acc : tensor<?x64xf32>) -> tensor<?x64xf32>
  %w, %i = sluice.topk_gate %logits {k = 8 : i64}
      : (tensor<?x64xf32>) -> (tensor<?x8xf32>, tensor<?x8xi32>)
  %y = sluice.moe %x, %w, %i gate(%wg) up(%wu) down(%wd)
      : (tensor<?x2048xf32>, tensor<?x8xf32>, tensor<?x8xi32>, tensor<64x2048x1024xf32>,
         tensor<64x2048x1024xf32>, tensor<64x1024x2048xf32>) -> tensor<?x2048xf32>
  return %y : tensor<?x2048xf32>
}
