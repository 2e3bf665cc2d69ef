// Functions that launch no kernel on the CUDA target: top-k with k = 0 (the
// results are empty, nothing to compute) and a plain copy of the input.

func.func @k0(%x: tensor<?x16xf32> {sluice.name = "x", sluice.dims = ["T", ""]})
    -> (tensor<?x0xf32> {sluice.name = "values"}, tensor<?x0xi32> {sluice.name = "indices"}) {
  %v, %i = sluice.topk %x {k = 0 : i64} : (tensor<?x16xf32>) -> (tensor<?x0xf32>, tensor<?x0xi32>)
  return %v, %i : tensor<?x0xf32>, tensor<?x0xi32>
}

func.func @copy(%x: tensor<?x8xf32> {sluice.name = "x", sluice.dims = ["T", ""]})
    -> (tensor<?x8xf32> {sluice.name = "y"}) {
  return %x : tensor<?x8xf32>
}
