// A sluice.moe whose number of FFN experts is dynamic (`?`): the spec gives
// weights static shapes, and the CPU lowering rejects it with an error
// (used by ../moe.mlir).
func.func @dynamic_experts(%x: tensor<?x8xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %w: tensor<?x2xf32> {sluice.name = "weights", sluice.dims = ["T", ""]},
    %i: tensor<?x2xi32> {sluice.name = "indices", sluice.dims = ["T", ""], sluice.range = array<i64: 0, 4>},
    %wg: tensor<?x8x12xf32> {sluice.name = "w_gate", sluice.dims = ["E", "", ""]},
    %wd: tensor<?x12x8xf32> {sluice.name = "w_down", sluice.dims = ["E", "", ""]})
    -> (tensor<?x8xf32> {sluice.name = "y"}) {
  %y = sluice.moe %x, %w, %i gate(%wg) down(%wd) {capacity = 2 : i64, renormalize_kept = true}
      : (tensor<?x8xf32>, tensor<?x2xf32>, tensor<?x2xi32>, tensor<?x8x12xf32>, tensor<?x12x8xf32>) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}
