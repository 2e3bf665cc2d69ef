model warnings(d = 16, experts = 4)

weight w: f32[d, d]
func f {
  input x: f32[expert, d]
  weight b: f32[d]
  y = matmul(x, w)
  output y
}
