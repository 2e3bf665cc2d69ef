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
