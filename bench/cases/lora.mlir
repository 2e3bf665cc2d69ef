// LoRA fused into the base GEMM: d = 4096, r = 16.
func.func @lora(%x: tensor<?x4096xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
                %w: tensor<4096x4096xf32> {sluice.name = "w", sluice.role = "weight"},
                %a: tensor<4096x16xf32> {sluice.name = "a", sluice.role = "weight"},
                %b: tensor<16x4096xf32> {sluice.name = "b", sluice.role = "weight"})
    -> (tensor<?x4096xf32> {sluice.name = "y", sluice.dims = ["T", ""]}) {
  %y = sluice.lora_matmul %x, %w, %a, %b {scale = 2.0 : f32}
      : (tensor<?x4096xf32>, tensor<4096x4096xf32>, tensor<4096x16xf32>, tensor<16x4096xf32>) -> tensor<?x4096xf32>
  return %y : tensor<?x4096xf32>
}

// The base GEMM alone (LoRA's target: <= 3% on top of this).
func.func @lora_base(%x: tensor<?x4096xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
                     %w: tensor<4096x4096xf32> {sluice.name = "w", sluice.role = "weight"})
    -> (tensor<?x4096xf32> {sluice.name = "y", sluice.dims = ["T", ""]}) {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %t = tensor.dim %x, %c0 : tensor<?x4096xf32>
  %init = tensor.empty(%t) : tensor<?x4096xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%init : tensor<?x4096xf32>) -> tensor<?x4096xf32>
  %y = linalg.matmul ins(%x, %w : tensor<?x4096xf32>, tensor<4096x4096xf32>)
                     outs(%acc : tensor<?x4096xf32>) -> tensor<?x4096xf32>
  return %y : tensor<?x4096xf32>
}
