# Sentence-embedding heads over a padded batch of token states:
# - masked mean pooling, as E5 (Wang et al., 2022, "Text Embeddings by
#   Weakly-Supervised Contrastive Pre-training",
#   https://arxiv.org/abs/2212.03533) and Sentence-BERT;
# - last-token pooling, as E5-Mistral (Wang et al., 2023, "Improving Text
#   Embeddings with Large Language Models", https://arxiv.org/abs/2401.00368)
#   and GTE-Qwen: the state of the last valid token of each sequence.
# Padding positions (mask = 0) are never read; an empty row gives 0.
# A linear projection maps the states to the embedding size first.
#
# Real shapes: hidden = 1024 (E5-large) / 4096 (E5-Mistral), dim = hidden.

model embedding_head(hidden = 64, dim = 32)

weight proj: f32[hidden, dim]

func mean_embedding {
  input h: f32[B, N, hidden]
  input mask: i1[B, N]
  e = pool(matmul(h, proj), mask = mask, kind = mean)
  output e
}

func last_token_embedding {
  input h: f32[B, N, hidden]
  input mask: i1[B, N]
  e = pool(matmul(h, proj), mask = mask, kind = last)
  output e
}
