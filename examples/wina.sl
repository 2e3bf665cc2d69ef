# WINA sparse MLP: WINA: Weight Informed Neuron Activation for Accelerating
# Large Language Model Inference (Chen et al., 2025),
# https://arxiv.org/abs/2505.19427.
#
# Keeps, per token, the k inputs with the largest |x_n| * ||W[n, :]||_2
# (activation magnitude weighted by the norm of the weight row it
# multiplies) and skips the other rows of W. The row norms are computed
# from the weights by sparse_matmul; `precomputed` passes them as a weight.
#
# Real shapes (Llama-3-8B): d = 4096, ffn = 14336, sparsity 25-65%.

model wina(d = 64, ffn = 224, k_in = 32, k_mid = 112)

weight w_gate: f32[d, ffn]
weight w_up: f32[d, ffn]
weight w_down: f32[ffn, d]
weight w_down_norms: f32[ffn]

func mlp {
  input x: f32[T, d]
  h = glu(sparse_matmul(x, w_gate, mode = wina, k = k_in),
          sparse_matmul(x, w_up, mode = wina, k = k_in))
  y = sparse_matmul(h, w_down, mode = wina, k = k_mid)
  output y
}

func precomputed {
  input h: f32[T, ffn]
  s = sparsify(h, wnorm = w_down_norms, mode = wina, k = k_mid)
  y = matmul(s, w_down)
  output y
}
