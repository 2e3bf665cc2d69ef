# Attention output gate: Gated Attention for Large Language Models:
# Non-linearity, Sparsity, and Attention-Sink-Free (Qiu et al., 2025),
# https://arxiv.org/abs/2505.06708.
#
# After scaled dot-product attention, each head's output is multiplied by a
# sigmoid gate computed from the layer input (the paper's best variant,
# G1: elementwise, query-dependent, after SDPA), then projected by W_o. The
# `headwise` function uses one gate per head (a cheaper variant).
#
# Real shapes are the attention layer's, e.g. for a Llama-style layer with
# d = 4096: heads = 32, head_dim = 128.

model gated_attention(d = 64, heads = 4, head_dim = 16)

weight w_gate: f32[d, heads * head_dim]
weight w_gate_head: f32[d, heads]
weight w_o: f32[heads * head_dim, d]

func elementwise {
  input x: f32[T, d]                        # the layer input (hidden states)
  input attn: f32[T, heads * head_dim]      # SDPA output, heads concatenated
  gated = sigmoid_gate(attn, matmul(x, w_gate))
  y = matmul(gated, w_o)
  output y
}

func headwise {
  input x: f32[T, d]
  input attn: f32[T, heads * head_dim]
  gated = sigmoid_gate(attn, matmul(x, w_gate_head))
  y = matmul(gated, w_o)
  output y
}
