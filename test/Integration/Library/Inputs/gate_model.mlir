// A model with two functions for the C consumer test.
func.func @gate(%logits: tensor<?x4xf32> {sluice.name = "logits", sluice.dims = ["T", ""]})
    -> (tensor<?x2xf32> {sluice.name = "weights"}, tensor<?x2xi32> {sluice.name = "experts"}) {
  %w, %i = sluice.topk_gate %logits {k = 2 : i64, renormalize = true}
      : (tensor<?x4xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  return %w, %i : tensor<?x2xf32>, tensor<?x2xi32>
}

func.func @lowrank(%x: tensor<?x3xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
                   %u: tensor<3x2xf32> {sluice.name = "u", sluice.role = "weight"},
                   %v: tensor<2x3xf32> {sluice.name = "v", sluice.role = "weight"})
    -> (tensor<?x3xf32> {sluice.name = "y"}) {
  %y = sluice.lowrank_matmul %x, %u, %v
      : (tensor<?x3xf32>, tensor<3x2xf32>, tensor<2x3xf32>) -> tensor<?x3xf32>
  return %y : tensor<?x3xf32>
}

func.func @route(%idx: tensor<?x2xi32> {sluice.name = "idx", sluice.dims = ["T", ""]},
                 %w: tensor<?x2xf32> {sluice.name = "w", sluice.dims = ["T", ""]})
    -> (tensor<?xi32> {sluice.name = "slots"}) {
  %c, %o, %s, %k = sluice.route %idx, %w {num_experts = 4 : i64}
      : (tensor<?x2xi32>, tensor<?x2xf32>) -> (tensor<4xi32>, tensor<5xi32>, tensor<?xi32>, tensor<?x2xi32>)
  return %s : tensor<?xi32>
}

// Fused into sluice.gemm calls: without the runtime they run the library's
// own sluice_uk_gemm loops (grouped, gathered, scattered, low-rank).
func.func @multi_lora(%x: tensor<?x1xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
                      %ids: tensor<?x2xi32> {sluice.name = "ids", sluice.dims = ["T", ""]},
                      %g: tensor<?x2xf32> {sluice.name = "gates", sluice.dims = ["T", ""]})
    -> (tensor<?x1xf32> {sluice.name = "y"}) {
  %w = arith.constant dense<0.0> : tensor<1x1xf32>
  %a = arith.constant dense<1.0> : tensor<3x1x1xf32>
  %b = arith.constant dense<[[[1.0]], [[2.0]], [[3.0]]]> : tensor<3x1x1xf32>
  %s = arith.constant dense<[1.0, 10.0, 100.0]> : tensor<3xf32>
  %y = sluice.multi_lora_matmul %x, %w, %a, %b, %ids gates(%g) scales(%s)
      : (tensor<?x1xf32>, tensor<1x1xf32>, tensor<3x1x1xf32>, tensor<3x1x1xf32>, tensor<?x2xi32>, tensor<?x2xf32>, tensor<3xf32>) -> tensor<?x1xf32>
  return %y : tensor<?x1xf32>
}

func.func @lora(%x: tensor<?x2xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
                %a: tensor<2x2xf32> {sluice.name = "a", sluice.role = "weight"},
                %b: tensor<2x1xf32> {sluice.name = "b", sluice.role = "weight"},
                %g: tensor<?x2xf32> {sluice.name = "g", sluice.dims = ["T", ""]})
    -> (tensor<?x1xf32> {sluice.name = "y"}) {
  %w = arith.constant dense<0.0> : tensor<2x1xf32>
  %y = sluice.lora_matmul %x, %w, %a, %b rank_gates(%g)
      : (tensor<?x2xf32>, tensor<2x1xf32>, tensor<2x2xf32>, tensor<2x1xf32>, tensor<?x2xf32>) -> tensor<?x1xf32>
  return %y : tensor<?x1xf32>
}
