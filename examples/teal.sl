# TEAL thresholded sparse MLP for decoding: Training-Free Activation
# Sparsity in Large Language Models (Liu et al., 2024),
# https://arxiv.org/abs/2408.14690.
#
# Activations below a per-tensor magnitude threshold are zeroed (tau is
# calibrated offline for a target sparsity, 40-50% in the paper), and the
# GEMVs skip the weight rows of zero inputs: the SwiGLU MLP's gate and up
# projections share the sparsified input, the down projection sparsifies
# the intermediate activations with its own threshold.
#
# Real shapes (Llama-3-8B): d = 4096, ffn = 14336; decoding is T = 1.

model teal(d = 64, ffn = 224)

weight w_gate: f32[d, ffn]
weight w_up: f32[d, ffn]
weight w_down: f32[ffn, d]

func mlp {
  input x: f32[T, d]
  g = sparse_matmul(x, w_gate, mode = threshold, tau = 0.5)
  u = sparse_matmul(x, w_up, mode = threshold, tau = 0.5)
  h = glu(g, u)
  y = sparse_matmul(h, w_down, mode = threshold, tau = 0.01)
  output y
}
