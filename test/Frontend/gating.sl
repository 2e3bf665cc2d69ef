# Round trip of the gating ops: the sluice ops, their attributes and the
# inferred result types, with parameters folded into the shapes.
# RUN: sluicec compile %s --emit=mlir -o - | FileCheck %s

model gating(d = 32, experts = 8, k = 2, heads = 4)

weight router: f32[d, experts]
weight bias: f32[experts]

# CHECK-LABEL: func.func @gates(
# CHECK-SAME: %[[X:.+]]: tensor<?x32xf32> {sluice.dims = ["T", ""], sluice.name = "x"}
# CHECK-SAME: %[[R:.+]]: tensor<32x8xf32> {sluice.name = "router", sluice.role = "weight"}
# CHECK-SAME: %[[B:.+]]: tensor<8xf32> {sluice.name = "bias", sluice.role = "weight"}
# CHECK-SAME: -> (tensor<?x2xf32> {sluice.dims = ["T", ""], sluice.name = "w"}, tensor<?x4xi32> {sluice.dims = ["T", ""], sluice.name = "i2"},
func gates {
  input x: f32[T, d]
  # CHECK: %[[L:.+]] = linalg.matmul ins(%[[X]], %[[R]] : tensor<?x32xf32>, tensor<32x8xf32>)
  logits = matmul(x, router)
  # CHECK: sluice.topk_gate %[[L]] {k = 2 : i64, renormalize = true} : (tensor<?x8xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  w, i = topk_gate(logits, k = k, score = softmax, renormalize = true)
  # CHECK: sluice.topk_gate %[[L]] bias(%[[B]]) {group_score = #sluice.group_score<top2_sum>, groups = 4 : i64, k = 4 : i64, renormalize = true, scale = 2.500000e+00 : f32, score = #sluice.score<sigmoid>, topk_groups = 2 : i64}
  w2, i2 = topk_gate(logits, bias = bias, k = k * 2, score = sigmoid, groups = 4,
                     topk_groups = 2, group_score = top2_sum, renormalize = true,
                     scale = 2.5)
  # CHECK: sluice.topk_gate %[[L]] {k = 1 : i64, score = #sluice.score<softmax_topk>, temperature = 5.000000e-01 : f32}
  w3, i3 = topk_gate(logits, k = 1, score = softmax_topk, temperature = 1 / 2)
  # CHECK: sluice.expert_choice_gate %[[L]] {capacity = 3 : i64} : (tensor<?x8xf32>) -> (tensor<8x?xf32>, tensor<8x?xi32>)
  cw, ct = expert_choice_gate(logits, capacity = 3)
  # CHECK: sluice.expert_choice_gate %[[L]] {capacity_factor = 1.250000e+00 : f32}
  cw2, ct2 = expert_choice_gate(logits, capacity_factor = 1.25)
  output w, i2, cw, ct2
}

# CHECK-LABEL: func.func @glus(
func glus {
  input x: f32[T, heads * 8]
  input g: f32[T, heads]
  # CHECK: sluice.glu %{{.+}}, %{{.+}} : tensor<?x32xf32>
  a = glu(x, x)
  # CHECK: sluice.glu %{{.+}}, %{{.+}} {act = #sluice.act<gelu_tanh>} : tensor<?x32xf32>
  b = glu(a, x, act = gelu_tanh)
  # CHECK: sluice.sigmoid_gate %{{.+}}, %{{.+}} : tensor<?x32xf32>, tensor<?x4xf32>
  c = sigmoid_gate(b, g)
  # CHECK: sluice.sigmoid_gate %{{.+}}, %{{.+}} : tensor<?x32xf32>, tensor<?x32xf32>
  e = sigmoid_gate(c, x)
  output e
}
