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

// GeM pooling of an elementwise producer x * scale[d] + bias[d] (a
// linalg.generic with broadcasts): sluice-fuse-pool-producers evaluates it inside the pooling loop (one read of x).
func.func @pool_gem_affine(%x: tensor<?x?x1024xf32> {sluice.name = "x", sluice.dims = ["B", "N", ""]},
                     %m: tensor<?x?xi1> {sluice.name = "mask", sluice.dims = ["B", "N"], sluice.range = array<i64: 1, 2>},
                     %scale: tensor<1024xf32> {sluice.name = "scale", sluice.role = "weight"},
                     %bias: tensor<1024xf32> {sluice.name = "bias", sluice.role = "weight"})
    -> (tensor<?x1024xf32> {sluice.name = "y", sluice.dims = ["B", ""]}) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %b = tensor.dim %x, %c0 : tensor<?x?x1024xf32>
  %n = tensor.dim %x, %c1 : tensor<?x?x1024xf32>
  %e = tensor.empty(%b, %n) : tensor<?x?x1024xf32>
  %v = linalg.generic {indexing_maps = [affine_map<(b, n, d) -> (b, n, d)>, affine_map<(b, n, d) -> (d)>, affine_map<(b, n, d) -> (d)>, affine_map<(b, n, d) -> (b, n, d)>], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x, %scale, %bias : tensor<?x?x1024xf32>, tensor<1024xf32>, tensor<1024xf32>) outs(%e : tensor<?x?x1024xf32>) {
  ^bb0(%a: f32, %s: f32, %c: f32, %o: f32):
    %t = arith.mulf %a, %s : f32
    %r = arith.addf %t, %c : f32
    linalg.yield %r : f32
  } -> tensor<?x?x1024xf32>
  %y = sluice.pool %v mask(%m) {kind = #sluice.pool<gem>}
      : (tensor<?x?x1024xf32>, tensor<?x?xi1>) -> tensor<?x1024xf32>
  return %y : tensor<?x1024xf32>
}

// GeM pooling of an elementwise producer x * scale[d] + bias[d] (a
// linalg.generic with broadcasts) left unfused (sluice.no_fuse): the [B, N, D] intermediate is written, then pooled.
func.func @pool_gem_affine_unfused(%x: tensor<?x?x1024xf32> {sluice.name = "x", sluice.dims = ["B", "N", ""]},
                     %m: tensor<?x?xi1> {sluice.name = "mask", sluice.dims = ["B", "N"], sluice.range = array<i64: 1, 2>},
                     %scale: tensor<1024xf32> {sluice.name = "scale", sluice.role = "weight"},
                     %bias: tensor<1024xf32> {sluice.name = "bias", sluice.role = "weight"})
    -> (tensor<?x1024xf32> {sluice.name = "y", sluice.dims = ["B", ""]}) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %b = tensor.dim %x, %c0 : tensor<?x?x1024xf32>
  %n = tensor.dim %x, %c1 : tensor<?x?x1024xf32>
  %e = tensor.empty(%b, %n) : tensor<?x?x1024xf32>
  %v = linalg.generic {indexing_maps = [affine_map<(b, n, d) -> (b, n, d)>, affine_map<(b, n, d) -> (d)>, affine_map<(b, n, d) -> (d)>, affine_map<(b, n, d) -> (b, n, d)>], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x, %scale, %bias : tensor<?x?x1024xf32>, tensor<1024xf32>, tensor<1024xf32>) outs(%e : tensor<?x?x1024xf32>) {
  ^bb0(%a: f32, %s: f32, %c: f32, %o: f32):
    %t = arith.mulf %a, %s : f32
    %r = arith.addf %t, %c : f32
    linalg.yield %r : f32
  } -> tensor<?x?x1024xf32>
  %y = sluice.pool %v mask(%m) {kind = #sluice.pool<gem>, sluice.no_fuse}
      : (tensor<?x?x1024xf32>, tensor<?x?xi1>) -> tensor<?x1024xf32>
  return %y : tensor<?x1024xf32>
}
