# DeepSeek-V3 MoE block: DeepSeek-V3 Technical Report (DeepSeek-AI, 2024),
# https://arxiv.org/abs/2412.19437; Hugging Face DeepseekV3MoE / MoEGate.
#
# Sigmoid affinity scores; a learned per-expert bias (aux-loss-free load
# balancing, e_score_correction_bias) steers the selection only; the
# experts are split into 8 groups, each scored by the sum of its top-2
# biased scores, and only the best 4 groups are kept (node-limited
# routing); top-8 experts among them; the unbiased scores of the chosen
# experts are renormalized and scaled by routed_scaling_factor = 2.5. One
# always-on shared SwiGLU expert is added.
#
# Real shapes: d = 7168, ffn = 2048 (routed and shared), experts = 256,
# k = 8, groups = 8, topk_groups = 4, shared = 1. The defaults keep the
# routing (8 groups, top-4 groups, top-8) with 32 experts and small dims.

model deepseek_v3(d = 64, ffn = 32, experts = 32, k = 8, groups = 8,
                  topk_groups = 4, shared = 1, shared_ffn = 32)

weight router: f32[d, experts]
weight correction_bias: f32[experts]
weight w_gate: f32[experts, d, ffn]
weight w_up: f32[experts, d, ffn]
weight w_down: f32[experts, ffn, d]
weight s_gate: f32[shared, d, shared_ffn]
weight s_up: f32[shared, d, shared_ffn]
weight s_down: f32[shared, shared_ffn, d]

func forward {
  input x: f32[T, d]
  logits = matmul(x, router)
  w, idx = topk_gate(logits, bias = correction_bias, k = k, score = sigmoid,
                     groups = groups, topk_groups = topk_groups,
                     group_score = top2_sum, renormalize = true, scale = 2.5)
  y = moe(x, w, idx, w_gate, w_up, w_down, shared_gate = s_gate,
          shared_up = s_up, shared_down = s_down)
  output y
}
