model m(d = 8, e = 4)
weight r: f32[d, e]
func f {
  input x: f32[T, d]
  y = arange(n = 0)
  z = arange(n = 5, start = T, step = T)
  output y, z
}
