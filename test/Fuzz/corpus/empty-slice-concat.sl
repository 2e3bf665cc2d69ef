model m(d = 8, e = 4)
weight r: f32[d, e]
func f {
  input x: f32[T, d]
  y = slice(x, axis = -1, start = 8, end = 8)
  z = concat(y, y, axis = 1)
  output z
}
