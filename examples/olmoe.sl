# OLMoE-1B-7B MoE block: OLMoE: Open Mixture-of-Experts Language Models
# (Muennighoff et al., 2024), https://arxiv.org/abs/2409.02060;
# Hugging Face OlmoeSparseMoeBlock.
#
# 64 fine-grained SwiGLU experts, 8 active per token: softmax over the 64
# router logits, top-8, weights NOT renormalized (norm_topk_prob = false).
# The router's auxiliary losses (load balancing, router z-loss) are outputs
# of `train_losses`.
#
# Real shapes: d = 2048, ffn = 1024, experts = 64, k = 8 (the defaults keep
# the 64 experts and top-8 but shrink d and ffn).

model olmoe(d = 64, ffn = 32, experts = 64, k = 8)

weight router: f32[d, experts]
weight w_gate: f32[experts, d, ffn]
weight w_up: f32[experts, d, ffn]
weight w_down: f32[experts, ffn, d]

func forward {
  input x: f32[T, d]
  logits = matmul(x, router)
  w, idx = topk_gate(logits, k = k)
  y = moe(x, w, idx, w_gate, w_up, w_down)
  output y
}

func train_losses {
  input x: f32[T, d]
  logits = matmul(x, router)
  _, idx = topk_gate(logits, k = k)
  balance = load_balance_loss(softmax(logits), idx)
  z = router_z_loss(logits)
  output balance, z
}
