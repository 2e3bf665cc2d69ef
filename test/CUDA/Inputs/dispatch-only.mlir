// sluice.dispatch alone (report-error-run.test): the slots are an input.
func.func @given(%x: tensor<?x4xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %s: tensor<?xi32> {sluice.name = "slots", sluice.dims = ["P"]})
    -> (tensor<?x4xf32> {sluice.name = "xs"}) {
  %xs = sluice.dispatch %x, %s {k = 2 : i64} : (tensor<?x4xf32>, tensor<?xi32>) -> tensor<?x4xf32>
  return %xs : tensor<?x4xf32>
}
