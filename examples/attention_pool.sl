# Attention pooling heads over sets:
# - Pooling by Multihead Attention (PMA) of the Set Transformer (Lee et al.,
#   2019, https://arxiv.org/abs/1810.00825): learned seed vectors attend
#   over the set, per head;
# - AttSets (Yang et al., 2020, "Robust Attentional Aggregation of Deep
#   Feature Sets for Multi-view 3D Reconstruction",
#   https://arxiv.org/abs/1808.00758): feature-wise attention scores
#   softmax-normalized over the set, per feature.
# Padded set elements (mask = 0) are never read.
#
# Real shapes: D = 128..512, seeds = 1..4, heads = 4; N is the set size.

model attention_pool(D = 64, seeds = 2, heads = 4)

weight seed_queries: f32[seeds, D]
weight att_w: f32[D, D]

func pma {
  input x: f32[B, N, D]
  input mask: i1[B, N]
  y = attention_pool(x, seed_queries, mask = mask, heads = heads)
  output y
}

func attsets {
  input x: f32[B, N, D]
  y = attention_pool(x, att_w, kind = featurewise)
  output y
}
