model m(d = 8, e = 4)
weight r: f32[d, e]
func f {
  input x: f32[]
  y = reshape(x, shape = [1, 1, 1])
  z = reshape(y, shape = [])
  output z
}
