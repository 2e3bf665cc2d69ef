# Generalized-mean (GeM) pooling heads for image retrieval: Fine-tuning CNN
# Image Retrieval with No Human Annotation (Radenovic et al., 2018),
# https://arxiv.org/abs/1711.02512.
#
# GeM pools each channel over the spatial positions as
# (mean(max(x, eps)^p))^(1/p), between average (p = 1) and max (p -> inf)
# pooling; p = 3 is the paper's choice. Group GeM learns one exponent per
# group of channels (group_p[G], channels split into G contiguous groups).
# The features come as [B, H*W, C] (channels last), then a whitening
# projection.
#
# Real shapes (ResNet-101): C = 2048, H*W = 7*7 (or larger at test time),
# out = 2048.

model gem_heads(channels = 64, groups = 4, out = 32)

weight group_p: f32[groups]
weight whiten: f32[channels, out]

func gem {
  input features: f32[B, N, channels]
  g = pool(features, kind = gem, p = 3)
  y = matmul(g, whiten)
  output y
}

func group_gem {
  input features: f32[B, N, channels]
  g = pool(features, group_p = group_p, kind = gem, groups = groups)
  y = matmul(g, whiten)
  output y
}
