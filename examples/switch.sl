# Switch Transformer FFN layer: Switch Transformers: Scaling to Trillion
# Parameter Models with Simple and Efficient Sparsity (Fedus et al., 2021),
# https://arxiv.org/abs/2101.03961; Hugging Face SwitchTransformersSparseMLP.
#
# Top-1 routing: softmax over the experts, each token goes to its best
# expert, scaled by that probability. Every expert keeps at most `capacity`
# tokens (expert capacity = capacity_factor * T / E), in token order; the
# dropped tokens get 0 (the residual connection carries them). Experts are
# plain ReLU MLPs (no gated unit). The load-balancing loss is an output.
#
# Real shapes (Switch-Base): d = 768, ffn = 3072, experts = 128,
# capacity = 1.25 * tokens / experts.

model switch(d = 64, ffn = 128, experts = 8, capacity = 2)

weight router: f32[d, experts]
weight wi: f32[experts, d, ffn]
weight wo: f32[experts, ffn, d]

func forward {
  input x: f32[T, d]
  logits = matmul(x, router)
  w, idx = topk_gate(logits, k = 1)
  y = moe(x, w, idx, w_gate = wi, w_down = wo, act = relu,
          capacity = capacity, drop = by_order)
  aux = load_balance_loss(softmax(logits), idx)
  output y, aux
}
