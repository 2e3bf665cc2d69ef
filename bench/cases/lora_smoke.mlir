// lora_smoke: the LoRA case at tiny shapes (d = 64, r = 4) for the smoke
// mode's paired ratio (LoRA over its base GEMM, measured interleaved).
func.func @lora_smoke(%x: tensor<?x64xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
                      %w: tensor<64x64xf32> {sluice.name = "w", sluice.role = "weight"},
                      %a: tensor<64x4xf32> {sluice.name = "a", sluice.role = "weight"},
                      %b: tensor<4x64xf32> {sluice.name = "b", sluice.role = "weight"})
    -> (tensor<?x64xf32> {sluice.name = "y", sluice.dims = ["T", ""]}) {
  %y = sluice.lora_matmul %x, %w, %a, %b {scale = 2.0 : f32}
      : (tensor<?x64xf32>, tensor<64x64xf32>, tensor<64x4xf32>, tensor<4x64xf32>) -> tensor<?x64xf32>
  return %y : tensor<?x64xf32>
}

// The base GEMM alone.
func.func @lora_smoke_base(%x: tensor<?x64xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
                           %w: tensor<64x64xf32> {sluice.name = "w", sluice.role = "weight"})
    -> (tensor<?x64xf32> {sluice.name = "y", sluice.dims = ["T", ""]}) {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %t = tensor.dim %x, %c0 : tensor<?x64xf32>
  %init = tensor.empty(%t) : tensor<?x64xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%init : tensor<?x64xf32>) -> tensor<?x64xf32>
  %y = linalg.matmul ins(%x, %w : tensor<?x64xf32>, tensor<64x64xf32>)
                     outs(%acc : tensor<?x64xf32>) -> tensor<?x64xf32>
  return %y : tensor<?x64xf32>
}
