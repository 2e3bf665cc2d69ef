// Router GEMM + softmax top-8 over 64 experts (OLMoE gating): fused into
// sluice.router_gate (one sluice_uk_router_gate call).
func.func @gating(%x: tensor<?x2048xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
                  %router: tensor<2048x64xf32> {sluice.name = "router", sluice.role = "weight"})
    -> (tensor<?x8xf32> {sluice.name = "weights", sluice.dims = ["T", ""]},
        tensor<?x8xi32> {sluice.name = "experts", sluice.dims = ["T", ""]}) {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %t = tensor.dim %x, %c0 : tensor<?x2048xf32>
  %init = tensor.empty(%t) : tensor<?x64xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%init : tensor<?x64xf32>) -> tensor<?x64xf32>
  %logits = linalg.matmul ins(%x, %router : tensor<?x2048xf32>, tensor<2048x64xf32>)
                          outs(%acc : tensor<?x64xf32>) -> tensor<?x64xf32>
  %w, %i = sluice.topk_gate %logits {k = 8 : i64}
      : (tensor<?x64xf32>) -> (tensor<?x8xf32>, tensor<?x8xi32>)
  return %w, %i : tensor<?x8xf32>, tensor<?x8xi32>
}

// The same gate with the logits returned as well: sluice-fuse-router-topk
// leaves it unfused (sluice.gemm writes the [T, 64] logits, topk_gate's
// per-token loops read them back), the baseline of the fused path in the
// same run.
func.func @gating_unfused(%x: tensor<?x2048xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
                          %router: tensor<2048x64xf32> {sluice.name = "router", sluice.role = "weight"})
    -> (tensor<?x8xf32> {sluice.name = "weights", sluice.dims = ["T", ""]},
        tensor<?x8xi32> {sluice.name = "experts", sluice.dims = ["T", ""]},
        tensor<?x64xf32> {sluice.name = "logits", sluice.dims = ["T", ""]}) {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %t = tensor.dim %x, %c0 : tensor<?x2048xf32>
  %init = tensor.empty(%t) : tensor<?x64xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%init : tensor<?x64xf32>) -> tensor<?x64xf32>
  %logits = linalg.matmul ins(%x, %router : tensor<?x2048xf32>, tensor<2048x64xf32>)
                          outs(%acc : tensor<?x64xf32>) -> tensor<?x64xf32>
  %w, %i = sluice.topk_gate %logits {k = 8 : i64}
      : (tensor<?x64xf32>) -> (tensor<?x8xf32>, tensor<?x8xi32>)
  return %w, %i, %logits : tensor<?x8xf32>, tensor<?x8xi32>, tensor<?x64xf32>
}
