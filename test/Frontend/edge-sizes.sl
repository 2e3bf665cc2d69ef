# Empty and unit sizes: an empty slice at the end of a dim, concat of empty
# tensors, rank-0 reshapes, arange with dynamic start / step, zero tokens.
# RUN: sluicec run %s --random-weights --check --dim T=3 | FileCheck %s
# RUN: sluicec run %s --random-weights --check --dim T=0 | FileCheck %s
# RUN: sluicec run %s --function scalar --check | FileCheck %s --check-prefix=SCALAR
# CHECK: check z: ok
# CHECK: check a: ok
# CHECK: check s: ok
# SCALAR: check z: ok

model edges(d = 8)

func f {
  input x: f32[T, d]
  y = slice(x, axis = -1, start = d, end = d)
  z = concat(y, y, x, axis = 1)
  a = arange(n = 5, start = T, step = T)
  s = softmax(slice(x, axis = 1, start = 0, end = 1))
  output z, a, s
}

func scalar {
  input x: f32[]
  y = reshape(x, shape = [1, 1, 1])
  z = reshape(y * 2.0, shape = [])
  output z
}
