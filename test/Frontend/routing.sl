# Round trip of the routing ops: route / dispatch / grouped_matmul / combine
# (both forms), moe with shared and zero-computation experts, the router
# losses; data-dependent dims get their own symbols (P, C).
# RUN: sluicec compile %s --emit=mlir -o - | FileCheck %s

model routing(d = 16, ffn = 24, experts = 4, k = 2, shared = 2, zero = 1, copy = 1, const = 2)

weight router: f32[d, experts]
weight w_gate: f32[experts, d, ffn]
weight w_up: f32[experts, d, ffn]
weight w_down: f32[experts, ffn, d]

# CHECK-LABEL: func.func @primitives(
# CHECK-SAME: -> (tensor<?x16xf32> {sluice.dims = ["T", ""], sluice.name = "y"}, tensor<4xi32> {sluice.name = "counts"}, tensor<?xi32> {sluice.dims = ["P"], sluice.name = "slots"}, tensor<f32> {sluice.name = "lb"}, tensor<f32> {sluice.name = "z"})
func primitives {
  input x: f32[T, d]
  input m: i1[T]
  logits = matmul(x, router)
  w, idx = topk_gate(logits, k = k)
  # CHECK: %[[C:.+]], %[[O:.+]], %[[S:.+]], %[[K:.+]] = sluice.route %{{.+}}, %{{.+}} {block = 4 : i64, capacity = 3 : i64, drop = #sluice.drop<by_choice>, num_experts = 4 : i64} : (tensor<?x2xi32>, tensor<?x2xf32>) -> (tensor<4xi32>, tensor<5xi32>, tensor<?xi32>, tensor<?x2xi32>)
  counts, offsets, slots, keep = route(idx, w, num_experts = experts, block = 4,
                                       capacity = 3, drop = by_choice)
  # CHECK: %[[XS:.+]] = sluice.dispatch %{{.+}}, %[[S]] {k = 2 : i64} : (tensor<?x16xf32>, tensor<?xi32>) -> tensor<?x16xf32>
  xs = dispatch(x, slots, k = k)
  # CHECK: %[[H:.+]] = sluice.grouped_matmul %[[XS]], %{{.+}}, %[[O]] : (tensor<?x16xf32>, tensor<4x16x24xf32>, tensor<5xi32>) -> tensor<?x24xf32>
  h = grouped_matmul(xs, w_gate, offsets)
  # CHECK: %[[YS:.+]] = sluice.grouped_matmul %{{.+}}, %{{.+}}, %[[O]] : (tensor<?x24xf32>, tensor<4x24x16xf32>, tensor<5xi32>) -> tensor<?x16xf32>
  ys = grouped_matmul(glu(h, h), w_down, offsets)
  # CHECK: sluice.combine %[[YS]], %[[S]], %{{.+}} keep(%[[K]]) : (tensor<?x16xf32>, tensor<?xi32>, tensor<?x2xf32>, tensor<?x2xi32>) -> tensor<?x16xf32>
  y = combine(ys, slots, w, keep = keep)
  # CHECK: sluice.load_balance_loss %{{.+}}, %{{.+}} mask(%{{.+}}) : (tensor<?x4xf32>, tensor<?x2xi32>, tensor<?xi1>) -> tensor<f32>
  lb = load_balance_loss(softmax(logits), idx, mask = m)
  # CHECK: sluice.router_z_loss %{{.+}} : (tensor<?x4xf32>) -> tensor<f32>
  z = router_z_loss(logits)
  output y, counts, slots, lb, z
}

# Expert choice: the capacity C is a dim named by the annotation, used by
# reshape and arange; combine's per-slot form reads num_tokens = T.
# CHECK-LABEL: func.func @expert_choice(
func expert_choice {
  input x: f32[T, d]
  # CHECK: %[[W:.+]], %[[TOK:.+]] = sluice.expert_choice_gate %{{.+}} {capacity = 2 : i64}
  cw, tok: i32[experts, C] = expert_choice_gate(matmul(x, router), capacity = 2)
  # CHECK: %[[FLAT:.+]] = tensor.collapse_shape %[[TOK]] {{\[\[}}0, 1]] : tensor<4x?xi32> into tensor<?xi32>
  slots = reshape(tok, shape = [experts * C])
  # CHECK-NOT: tensor.expand_shape
  # CHECK: %[[CD:.+]] = tensor.dim %{{.+}}, %c1
  # CHECK: linalg.generic
  # CHECK: linalg.index 0
  # CHECK: arith.muli %{{.+}}, %[[CD]]
  offsets = arange(n = experts + 1, step = C)
  ys = grouped_matmul(dispatch(x, slots, k = 1), w_gate, offsets)
  # CHECK: %[[T:.+]] = tensor.dim %arg0, %c0
  # CHECK: sluice.combine %{{.+}}, %{{.+}}, %{{.+}} tokens(%[[T]]) {k = 1 : i64} : (tensor<?x24xf32>, tensor<?xi32>, tensor<?xf32>, index) -> tensor<?x24xf32>
  y = combine(ys, slots, reshape(cw, shape = [-1]), num_tokens = T, k = 1)
  output y
}

# CHECK-LABEL: func.func @blocks(
func blocks {
  input x: f32[T, d]
  weight s_gate: f32[shared, d, ffn]
  weight s_up: f32[shared, d, ffn]
  weight s_down: f32[shared, ffn, d]
  weight s_gw: f32[shared, d]
  weight wc: f32[const, d, 2]
  weight v: f32[const, d]
  weight router2: f32[d, experts + zero + copy + const]
  w, idx = topk_gate(matmul(x, router), k = k, renormalize = true)
  # CHECK: sluice.moe %{{.+}}, %{{.+}}, %{{.+}} gate(%{{.+}}) up(%{{.+}}) down(%{{.+}}) shared_gate(%{{.+}}) shared_up(%{{.+}}) shared_down(%{{.+}}) shared_gate_w(%{{.+}}) {act = #sluice.act<gelu>, capacity = 2 : i64, drop = #sluice.drop<by_weight>, renormalize_kept = true}
  y = moe(x, w, idx, w_gate, w_up, w_down, shared_gate = s_gate, shared_up = s_up,
          shared_down = s_down, shared_gate_w = s_gw, act = gelu, capacity = 2,
          drop = by_weight, renormalize_kept = true)
  w2, idx2 = topk_gate(matmul(y, router2), k = k)
  # CHECK: sluice.moe %{{.+}}, %{{.+}}, %{{.+}} gate(%{{.+}}) down(%{{.+}}) const_wc(%{{.+}}) const_v(%{{.+}}) {num_const = 2 : i64, num_copy = 1 : i64, num_zero = 1 : i64} : (tensor<?x16xf32>, tensor<?x2xf32>, tensor<?x2xi32>, tensor<4x16x24xf32>, tensor<4x24x16xf32>, tensor<2x16x2xf32>, tensor<2x16xf32>) -> tensor<?x16xf32>
  y2 = moe(y, w2, idx2, w_gate = w_gate, w_down = w_down, num_zero = zero,
           num_copy = copy, num_const = const, const_wc = wc, const_v = v)
  output y2
}
