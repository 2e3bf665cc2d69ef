// GeM pooling's clamp max(x, eps) keeps NaN in the vectorized loop: a NaN
// at a valid position makes its feature NaN, values below eps (negative, -0, -inf) are clamped to eps, and
// every other feature matches a numpy oracle of the spec's formula
// (mean(max(x, eps)^3))^(1/3) to 1e-5 relative. 20 features: the vector
// loop and its tail.
// RUN: %python -c "import numpy as np; r = np.random.default_rng(3); x = r.uniform(-0.5, 2, (2, 5, 20)).astype(np.float32); x[0, 2, 3] = np.nan; x[1, 4, 19] = np.nan; x[0, 1, 5] = -np.inf; x[1, :, 7] = -0.0; x[1, 0, 8] = np.inf; np.save('%t.x.npy', x)"
// RUN: sluicec run %s --input x=%t.x.npy --output y=%t.y.npy
// RUN: %python -c "import numpy as np; x = np.load('%t.x.npy').astype(np.float64); y = np.load('%t.y.npy'); ref = np.mean(np.maximum(np.nan_to_num(x, nan=1.0), 1e-6) ** 3, axis=1) ** (1 / 3); nan = np.isnan(x).any(axis=1); assert (np.isnan(y) == nan).all(), y; ok = ~nan; assert np.allclose(y[ok], ref[ok], rtol=1e-5, atol=0), (y, ref); assert y[1, 8] == np.inf, y"

func.func @gem(%x: tensor<?x?x20xf32> {sluice.name = "x", sluice.dims = ["B", "N", ""]})
    -> (tensor<?x20xf32> {sluice.name = "y"}) {
  %y = sluice.pool %x {kind = #sluice.pool<gem>} : (tensor<?x?x20xf32>) -> tensor<?x20xf32>
  return %y : tensor<?x20xf32>
}
