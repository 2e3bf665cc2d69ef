// A linalg op outside the generic CUDA mapping: its output is not indexed by
// exactly the parallel loops (a constant index), so no thread owns an
// output element (driver.test, lower-ops.mlir).
#id = affine_map<(d0) -> (d0)>
#first = affine_map<(d0) -> (0)>
func.func @unscheduled(%x: tensor<?xf32> {sluice.name = "x", sluice.dims = ["N"]},
    %o: tensor<1xf32> {sluice.name = "o"}) -> (tensor<1xf32> {sluice.name = "y"}) {
  %r = linalg.generic {indexing_maps = [#id, #first], iterator_types = ["reduction"]}
      ins(%x : tensor<?xf32>) outs(%o : tensor<1xf32>) {
  ^bb0(%a: f32, %b: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<1xf32>
  return %r : tensor<1xf32>
}
