# Mixtral 8x7B sparse MoE block: Mixtral of Experts (Jiang et al., 2024),
# https://arxiv.org/abs/2401.04088; Hugging Face MixtralSparseMoeBlock.
#
# A linear router scores 8 experts per token; softmax, top-2, and the two
# weights renormalized to sum to 1; SwiGLU experts (w1 = gate, w3 = up,
# w2 = down), weighted sum over the two choices.
#
# Real shapes: d = 4096, ffn = 14336, experts = 8, k = 2. The defaults are
# small so that the tests run fast; set the real ones with
#   sluicec run examples/mixtral.sl --param d=4096 --param ffn=14336 ...
# Run it checked against the reference evaluator:
#   sluicec run examples/mixtral.sl --random-weights --check --dim T=16

model mixtral(d = 64, ffn = 224, experts = 8, k = 2)

weight router: f32[d, experts]
weight w_gate: f32[experts, d, ffn]
weight w_up: f32[experts, d, ffn]
weight w_down: f32[experts, ffn, d]

func forward {
  input x: f32[T, d]
  logits = matmul(x, router)
  w, idx = topk_gate(logits, k = k, score = softmax, renormalize = true)
  y = moe(x, w, idx, w_gate = w_gate, w_up = w_up, w_down = w_down)
  output y: f32[T, d]
}
