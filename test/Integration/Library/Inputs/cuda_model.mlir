// The model of the CUDA library consumer (cuda-consumer.test): a SwiGLU
// (one row-parallel kernel) and masked-free pooling with two outputs (two
// kernels).
func.func @swiglu(%g: tensor<?x16xf32> {sluice.name = "gate", sluice.dims = ["T", ""]},
    %u: tensor<?x16xf32> {sluice.name = "up", sluice.dims = ["T", ""]})
    -> (tensor<?x16xf32> {sluice.name = "out"}) {
  %0 = sluice.glu %g, %u : tensor<?x16xf32>
  return %0 : tensor<?x16xf32>
}

func.func @pool(%x: tensor<?x?x8xf32> {sluice.name = "x", sluice.dims = ["B", "N", ""]})
    -> (tensor<?x8xf32> {sluice.name = "sum"}, tensor<?x8xf32> {sluice.name = "max"}) {
  %sum = sluice.pool %x {kind = #sluice.pool<sum>} : (tensor<?x?x8xf32>) -> tensor<?x8xf32>
  %max = sluice.pool %x {kind = #sluice.pool<max>} : (tensor<?x?x8xf32>) -> tensor<?x8xf32>
  return %sum, %max : tensor<?x8xf32>, tensor<?x8xf32>
}
