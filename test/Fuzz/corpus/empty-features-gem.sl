model m(d = 8, e = 4)
weight r: f32[d, e]
func f {
  input x: f32[B, N, 0]
  y = pool(x, kind = gem, groups = 3)
  output y
}
