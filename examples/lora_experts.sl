# Mixture of LoRA experts: each token routes to its top-2 of L LoRA
# adapters with softmax gates, as in PHATGOOSE (Muqeeth et al., 2024,
# https://arxiv.org/abs/2402.05859) and MoLE / MixLoRA-style layers.
#
# y = x w + sum_j g[t,j] * (x a[e_j]) b[e_j]: a frozen base projection plus
# the gated adapters chosen by a small router; the adapter ids come from
# topk_gate, so the compiler checks that the router scores exactly the L
# adapters.
#
# Real shapes follow the base model (d, n of the adapted projection); the
# number of adapters is the number of contributed experts, k = 2.

model lora_experts(d = 64, n = 64, adapters = 8, rank = 8, k = 2)

weight w: f32[d, n]
weight router: f32[d, adapters]
weight lora_a: f32[adapters, d, rank]
weight lora_b: f32[adapters, rank, n]

func forward {
  input x: f32[T, d]
  gates, ids = topk_gate(matmul(x, router), k = k, renormalize = true)
  y = multi_lora_matmul(x, w, lora_a, lora_b, ids, gates = gates)
  output y
}
