# Router auxiliary losses of a padded training batch: the load-balancing
# loss of Switch Transformers (Fedus et al., 2021,
# https://arxiv.org/abs/2101.03961; the Hugging Face
# load_balancing_loss_func form, not divided by k) and the router z-loss of
# ST-MoE (Zoph et al., 2022, https://arxiv.org/abs/2202.08906), both over the
# valid tokens only (mask = 1; padding rows are never read).
#
# Real shapes (ST-MoE-32B): d = 5120, experts = 64, k = 2; the losses are
# weighted 1e-2 and 1e-3 in the training objective.

model router_losses(d = 64, experts = 16, k = 2)

weight router: f32[d, experts]

func losses {
  input x: f32[T, d]
  input valid: i1[T]
  logits = matmul(x, router)
  _, idx = topk_gate(logits, k = k)
  balance = load_balance_loss(softmax(logits), idx, mask = valid)
  z = router_z_loss(logits, mask = valid)
  total = balance * 0.01 + z * 0.001
  output balance, z, total
}
