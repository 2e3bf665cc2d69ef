# A small MoE block for the driver tests.
model moe_block(d = 16, ffn = 32, experts = 4, k = 2)

weight router: f32[d, experts]
weight w_gate: f32[experts, d, ffn]
weight w_up: f32[experts, d, ffn]
weight w_down: f32[experts, ffn, d]
weight unused: f32[d]

func forward {
  input x: f32[T, d]
  logits = matmul(x, router)
  w, idx = topk_gate(logits, k = k, renormalize = true)
  y = moe(x, w, idx, w_gate, w_up, w_down)
  output y: f32[T, d]
}

func router_only {
  input x: f32[T, d]
  input ids: i32[T, 1] range(0, 4)
  probs = softmax(matmul(x, router))
  loss = load_balance_loss(probs, ids)
  output probs, loss
}
