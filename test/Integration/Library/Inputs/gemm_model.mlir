// A model whose code calls the sluice_uk_gemm micro-kernel, for the library
// test: a dense layer (bias + silu) large enough for the packed kernels.
func.func @dense(%x: tensor<?x40xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
                 %w: tensor<40x50xf32> {sluice.name = "w", sluice.role = "weight"},
                 %bias: tensor<50xf32> {sluice.name = "bias", sluice.role = "weight"})
    -> (tensor<?x50xf32> {sluice.name = "y"}) {
  %y = sluice.gemm %x, %w bias(%bias) {act = #sluice.act<silu>}
      : (tensor<?x40xf32>, tensor<40x50xf32>, tensor<50xf32>) -> tensor<?x50xf32>
  return %y : tensor<?x50xf32>
}
