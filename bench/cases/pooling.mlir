// mean pooling over N of x[B, N, D].
func.func @pool_mean(%x: tensor<?x?x1024xf32> {sluice.name = "x", sluice.dims = ["B", "N", ""]},
                     %m: tensor<?x?xi1> {sluice.name = "mask", sluice.dims = ["B", "N"], sluice.range = array<i64: 1, 2>})
    -> (tensor<?x1024xf32> {sluice.name = "y", sluice.dims = ["B", ""]}) {
  %y = sluice.pool %x mask(%m) {kind = #sluice.pool<mean>}
      : (tensor<?x?x1024xf32>, tensor<?x?xi1>) -> tensor<?x1024xf32>
  return %y : tensor<?x1024xf32>
}

// max pooling over N of x[B, N, D].
func.func @pool_max(%x: tensor<?x?x1024xf32> {sluice.name = "x", sluice.dims = ["B", "N", ""]},
                     %m: tensor<?x?xi1> {sluice.name = "mask", sluice.dims = ["B", "N"], sluice.range = array<i64: 1, 2>})
    -> (tensor<?x1024xf32> {sluice.name = "y", sluice.dims = ["B", ""]}) {
  %y = sluice.pool %x mask(%m) {kind = #sluice.pool<max>}
      : (tensor<?x?x1024xf32>, tensor<?x?xi1>) -> tensor<?x1024xf32>
  return %y : tensor<?x1024xf32>
}

// gem pooling over N of x[B, N, D].
func.func @pool_gem(%x: tensor<?x?x1024xf32> {sluice.name = "x", sluice.dims = ["B", "N", ""]},
                     %m: tensor<?x?xi1> {sluice.name = "mask", sluice.dims = ["B", "N"], sluice.range = array<i64: 1, 2>})
    -> (tensor<?x1024xf32> {sluice.name = "y", sluice.dims = ["B", ""]}) {
  %y = sluice.pool %x mask(%m) {kind = #sluice.pool<gem>}
      : (tensor<?x?x1024xf32>, tensor<?x?xi1>) -> tensor<?x1024xf32>
  return %y : tensor<?x1024xf32>
}

// last pooling over N of x[B, N, D].
func.func @pool_last(%x: tensor<?x?x1024xf32> {sluice.name = "x", sluice.dims = ["B", "N", ""]},
                     %m: tensor<?x?xi1> {sluice.name = "mask", sluice.dims = ["B", "N"], sluice.range = array<i64: 1, 2>})
    -> (tensor<?x1024xf32> {sluice.name = "y", sluice.dims = ["B", ""]}) {
  %y = sluice.pool %x mask(%m) {kind = #sluice.pool<last>}
      : (tensor<?x?x1024xf32>, tensor<?x?xi1>) -> tensor<?x1024xf32>
  return %y : tensor<?x1024xf32>
}
