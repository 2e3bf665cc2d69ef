# Multi-tenant LoRA serving: Punica: Multi-Tenant LoRA Serving (Chen et al.,
# 2023), https://arxiv.org/abs/2310.18547, and S-LoRA (Sheng et al., 2023),
# https://arxiv.org/abs/2311.03285.
#
# One batch mixes requests for different fine-tuned adapters of the same
# base model: token t adds scale * (x a[id]) b[id] of its request's adapter
# to the shared base GEMM (SGMV / BGMV); id -1 means the base model only.
# Here: the q projection of an attention layer with adapters of rank 16,
# scale = alpha / r.
#
# Real shapes (Llama-2-7B, Punica's setting): d = 4096, rank = 16,
# adapters = up to thousands resident.

model multi_lora(d = 64, n = 64, adapters = 4, rank = 16, alpha = 32)

weight w_q: f32[d, n]
weight lora_a: f32[adapters, d, rank]
weight lora_b: f32[adapters, rank, n]

func q_proj {
  input x: f32[T, d]
  input adapter: i32[T, 1] range(-1, adapters)
  y = multi_lora_matmul(x, w_q, lora_a, lora_b, adapter, scale = alpha / rank)
  output y
}
