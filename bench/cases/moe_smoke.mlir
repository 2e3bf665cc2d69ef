// moe_smoke: router GEMM, softmax top-2 (renormalized), SwiGLU experts.
func.func @moe_smoke(
    %x: tensor<?x64xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %router: tensor<64x8xf32> {sluice.name = "router", sluice.role = "weight"},
    %wg: tensor<8x64x96xf32> {sluice.name = "w_gate", sluice.role = "weight"},
    %wu: tensor<8x64x96xf32> {sluice.name = "w_up", sluice.role = "weight"},
    %wd: tensor<8x96x64xf32> {sluice.name = "w_down", sluice.role = "weight"})
    -> (tensor<?x64xf32> {sluice.name = "y", sluice.dims = ["T", ""]}) {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %t = tensor.dim %x, %c0 : tensor<?x64xf32>
  %init = tensor.empty(%t) : tensor<?x8xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%init : tensor<?x8xf32>) -> tensor<?x8xf32>
  %logits = linalg.matmul ins(%x, %router : tensor<?x64xf32>, tensor<64x8xf32>)
                          outs(%acc : tensor<?x8xf32>) -> tensor<?x8xf32>
  %w, %i = sluice.topk_gate %logits {k = 2 : i64, renormalize = true}
      : (tensor<?x8xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  %y = sluice.moe %x, %w, %i gate(%wg) up(%wu) down(%wd)
      : (tensor<?x64xf32>, tensor<?x2xf32>, tensor<?x2xi32>, tensor<8x64x96xf32>,
         tensor<8x64x96xf32>, tensor<8x96x64xf32>) -> tensor<?x64xf32>
  return %y : tensor<?x64xf32>
}
