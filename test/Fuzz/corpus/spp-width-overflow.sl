model m(c = 2147483647)
func f {
  input x: f32[B, c, 4, 4]
  y = spatial_pyramid_pool(x, levels = [4096, 4096, 4096, 4096, 4096, 4096, 4096, 4096, 4096, 4096, 4096, 4096, 4096, 4096, 4096, 4096, 4096, 4096])
  output y
}
