# The basic ops compiled for the CPU agree with the reference evaluator,
# for two token counts.
# RUN: sluicec run %s --random-weights --check --dim T=1 | FileCheck %s
# RUN: sluicec run %s --random-weights --check --dim T=7 | FileCheck %s
# RUN: sluicec run %s --function heads --random-weights --check --dim B=3 --dim N=5 | FileCheck %s --check-prefix=HEADS
# CHECK: check y: ok
# CHECK: check m3: ok
# HEADS: check e: ok
# HEADS: check p: ok

model basic(d = 16, h = 4)

weight w: f32[d, d]
weight nw: f32[d]
weight nb: f32[d]

func block {
  input x: f32[T, d]
  a = matmul(x, w)
  b = a * 0.5 + x - 1
  c = exp(tanh(b)) / 2.0
  e = log(sigmoid(c) + 1.0)
  s = softmax(e)
  r = rmsnorm(s, nw, eps = 1e-5)
  l = layernorm(r, nw, nb)
  l2 = layernorm(l)
  t = transpose(transpose(l2))
  g = silu(t) + gelu(t) + relu(t) + gelu_tanh(t) - -t
  rs = reshape(g, shape = [T, h, d / h])
  rs2 = reshape(rs, shape = [-1, d])
  cc = concat(rs2, x, axis = 1)
  sl = slice(cc, axis = 1, start = 3, end = 3 + d)
  y = sl + nb
  m3 = matmul(rs, reshape(w, shape = [h, d * h]))
  output y, m3
}

# Batched 3-D activations: matmul over the last dim, softmax, norms, and a
# reshape to two dynamic dims (a gather).
func heads {
  input x: f32[B, N, d]
  e = softmax(matmul(x, w) / 4.0)
  flat = reshape(e, shape = [-1, d])
  p = layernorm(reshape(flat, shape = [B, N, d]), nw, nb, eps = 1e-6) * x
  output e, p
}
