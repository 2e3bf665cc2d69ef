# Qwen1.5-MoE-A2.7B MoE block: Qwen1.5-MoE: Matching 7B Model Performance
# with 1/3 Activated Parameters (Qwen Team, 2024),
# https://qwenlm.github.io/blog/qwen-moe/; Hugging Face Qwen2MoeSparseMoeBlock.
#
# 60 fine-grained routed experts, softmax over the router logits, top-4
# without renormalization; plus a shared SwiGLU expert whose output is
# scaled per token by sigmoid(x . shared_expert_gate) (a gated shared
# expert).
#
# Real shapes: d = 2048, ffn = 1408, experts = 60, k = 4, shared_ffn = 5632.

model qwen_moe(d = 64, ffn = 32, experts = 60, k = 4, shared_ffn = 128)

weight router: f32[d, experts]
weight w_gate: f32[experts, d, ffn]
weight w_up: f32[experts, d, ffn]
weight w_down: f32[experts, ffn, d]
weight shared_expert_gate_proj: f32[1, d, shared_ffn]
weight shared_expert_up_proj: f32[1, d, shared_ffn]
weight shared_expert_down_proj: f32[1, shared_ffn, d]
weight shared_expert_gate: f32[1, d]

func forward {
  input x: f32[T, d]
  w, idx = topk_gate(matmul(x, router), k = k)
  y = moe(x, w, idx, w_gate, w_up, w_down,
          shared_gate = shared_expert_gate_proj,
          shared_up = shared_expert_up_proj,
          shared_down = shared_expert_down_proj,
          shared_gate_w = shared_expert_gate)
  output y
}
