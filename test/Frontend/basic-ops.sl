# The basic ops lower to upstream dialects: linalg named ops and
# linalg.generic (arith / math bodies), tensor reshapes and slices;
# activations are sluice.glu(x, ones).
# RUN: sluicec compile %s --emit=mlir -o - | FileCheck %s

model basic(d = 16, h = 4)

weight w: f32[d, d]
weight g: f32[d]
weight b: f32[d]

# CHECK-LABEL: func.func @f(
func f {
  input x: f32[T, d]
  # CHECK: linalg.matmul
  a = matmul(x, w)
  # Broadcast: b is read with the trailing-dims map.
  # CHECK: linalg.generic {indexing_maps = [#[[ID:map[0-9]*]], #[[LAST:map[0-9]*]], #[[ID]]], iterator_types = ["parallel", "parallel"]}
  # CHECK: arith.addf
  c = a + b
  # A number operand is a constant in the body.
  # CHECK: linalg.generic
  # CHECK: arith.constant 5.000000e-01 : f32
  # CHECK: arith.mulf
  e = c * 0.5
  # CHECK: math.tanh
  # CHECK: math.exp
  # CHECK: math.log
  f = log(exp(tanh(e)))
  # CHECK: %[[ONES:.+]] = linalg.fill
  # CHECK: sluice.glu %{{.+}}, %[[ONES]] {act = #sluice.act<gelu>}
  s = gelu(f)
  # CHECK: sluice.glu %{{.+}}, %{{.+}} {act = #sluice.act<sigmoid>}
  s2 = sigmoid(s)
  # Softmax: max, exp(x - max), sum, divide.
  # CHECK: arith.constant 0xFF800000 : f32
  # CHECK: iterator_types = ["parallel", "reduction"]
  # CHECK: arith.maximumf
  # CHECK: arith.subf
  # CHECK: math.exp
  # CHECK: iterator_types = ["parallel", "reduction"]
  # CHECK: arith.addf
  # CHECK: arith.divf
  p = softmax(s2)
  # CHECK: math.rsqrt
  n = rmsnorm(p, g, eps = 1e-5)
  # CHECK: math.rsqrt
  n2 = layernorm(n, g, b)
  # CHECK: linalg.transpose ins(%{{.+}} : tensor<?x16xf32>) outs(%{{.+}} : tensor<16x?xf32>) permutation = [1, 0]
  t = transpose(n2)
  # CHECK: tensor.collapse_shape %{{.+}} {{\[\[}}0, 1]] : tensor<?x16xf32> into tensor<?xf32>
  # CHECK: tensor.expand_shape %{{.+}} {{\[\[}}0, 1, 2]] output_shape [%{{.+}}, 4, 4] : tensor<?xf32> into tensor<?x4x4xf32>
  r = reshape(n2, shape = [T, h, d / h])
  # CHECK: tensor.extract_slice %{{.+}}[0, 0] [%{{.+}}, 16] [1, 1]
  # CHECK: linalg.copy
  # CHECK: tensor.insert_slice
  # CHECK: tensor.extract_slice %{{.+}}[0, 16] [%{{.+}}, 16] [1, 1]
  # CHECK: linalg.copy
  # CHECK: tensor.insert_slice
  cc = concat(n2, x, axis = -1)
  # CHECK: tensor.extract_slice %{{.+}}[0, 8] [%{{.+}}, 4] [1, 1] : tensor<?x32xf32> to tensor<?x4xf32>
  # CHECK: linalg.copy
  sl = slice(cc, axis = 1, start = 8, end = 12)
  # An input, and a value returned twice (r2 is r), are returned as copies.
  r2 = r
  # CHECK: %[[C1:.+]] = linalg.copy ins(%arg0
  # CHECK: %[[C2:.+]] = linalg.copy
  # CHECK: return %{{.+}}, %{{.+}}, %{{.+}}, %[[C1]], %{{.+}}, %[[C2]] :
  output t, r, sl, x, cc, r2
}
