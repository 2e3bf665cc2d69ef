# DyLoRA nested-rank adapter: DyLoRA: Parameter-Efficient Tuning of
# Pre-trained Models using Dynamic Search-Free Low-Rank Adaptation
# (Valipour et al., 2023), https://arxiv.org/abs/2210.07558.
#
# Trained so that every prefix of the rank works, the adapter is served at
# an active rank b <= r chosen at deployment: only the first b columns of A
# and rows of B are used, scaled by alpha / b. The base GEMM and the
# adapter are fused (lora_matmul).
#
# Real shapes follow the adapted projection (e.g. RoBERTa-base: d = 768);
# choose the served rank with --param b=2.

model dylora(d = 64, n = 64, r = 8, b = 4, alpha = 16)

weight w: f32[d, n]
weight bias: f32[n]
weight lora_a: f32[d, r]
weight lora_b: f32[r, n]

func forward {
  input x: f32[T, d]
  y = lora_matmul(x, w, lora_a, lora_b, bias = bias, active_rank = b,
                  scale = alpha / b)
  output y
}
