# Factorised low-rank MLP: PELA: Learning Parameter-Efficient Models with
# Low-Rank Approximation (Guo et al., 2023), https://arxiv.org/abs/2310.10700,
# and WeLore (Jaiswal et al., 2024), https://arxiv.org/abs/2407.11239.
#
# Each weight W[K, N] of an MLP is replaced by U[K, r] V[r, N] (and kept
# factorised at inference): y = ((x U1) V1 + b1 -> GELU) U2 V2 + b2.
#
# Real shapes follow the factorised model (e.g. a ViT-B MLP: d = 768,
# ffn = 3072) with the rank chosen per layer.

model lowrank(d = 64, ffn = 256, rank = 16)

weight u1: f32[d, rank]
weight v1: f32[rank, ffn]
weight b1: f32[ffn]
weight u2: f32[ffn, rank]
weight v2: f32[rank, d]
weight b2: f32[d]

func mlp {
  input x: f32[T, d]
  h = gelu(lowrank_matmul(x, u1, v1, bias = b1))
  y = lowrank_matmul(h, u2, v2, bias = b2)
  output y
}
