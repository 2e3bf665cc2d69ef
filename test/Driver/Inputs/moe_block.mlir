// A small MoE block with named inputs, weights and symbolic dims (driver tests).
func.func @moe_block(%x: tensor<?x8xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
                     %idx: tensor<?x2xi32> {sluice.name = "experts", sluice.dims = ["T", ""], sluice.range = array<i64: 0, 4>},
                     %w: tensor<?x2xf32> {sluice.name = "weights", sluice.dims = ["T", ""]},
                     %wg: tensor<4x8x16xf32> {sluice.name = "w_gate", sluice.role = "weight"},
                     %wd: tensor<4x16x8xf32> {sluice.name = "w_down", sluice.role = "weight"})
    -> (tensor<?x8xf32> {sluice.name = "y", sluice.dims = ["T", ""]}) {
  %y = sluice.moe %x, %w, %idx gate(%wg) down(%wd)
      : (tensor<?x8xf32>, tensor<?x2xf32>, tensor<?x2xi32>, tensor<4x8x16xf32>, tensor<4x16x8xf32>) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}
