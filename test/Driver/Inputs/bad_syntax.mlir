func.func @f(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %y = sluice.glu %x, %x : tensor<?x8xf32
  return %y : tensor<?x8xf32>
}
