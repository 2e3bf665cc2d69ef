# Routing primitives and expert-choice routing built from them, compiled for
# the CPU and checked against the reference evaluator for two token counts.
# RUN: sluicec run %s --random-weights --check --dim T=1 | FileCheck %s
# RUN: sluicec run %s --random-weights --check --dim T=9 | FileCheck %s
# RUN: sluicec run %s --function expert_choice --random-weights --check --dim T=2 | FileCheck %s --check-prefix=EC
# RUN: sluicec run %s --function expert_choice --random-weights --check --dim T=11 | FileCheck %s --check-prefix=EC
# CHECK: check y: ok
# CHECK: check counts: ok
# CHECK: check lb: ok
# CHECK: check z: ok
# EC: check y: ok

model routing(d = 16, ffn = 24, experts = 4, k = 2)

weight router: f32[d, experts]
weight w_gate: f32[experts, d, ffn]
weight w_up: f32[experts, d, ffn]
weight w_down: f32[experts, ffn, d]

func primitives {
  input x: f32[T, d]
  logits = matmul(x, router)
  w, idx = topk_gate(logits, k = k, renormalize = true)
  counts, offsets, slots, keep = route(idx, w, num_experts = experts, block = 4,
                                       capacity = 3, drop = by_choice)
  xs = dispatch(x, slots, k = k)
  h = glu(grouped_matmul(xs, w_gate, offsets), grouped_matmul(xs, w_up, offsets))
  y = combine(grouped_matmul(h, w_down, offsets), slots, w, keep = keep)
  lb = load_balance_loss(softmax(logits), idx)
  z = router_z_loss(logits)
  output y, counts, lb, z
}

func expert_choice {
  input x: f32[T, d]
  cw, tok: i32[experts, C] = expert_choice_gate(matmul(x, router), capacity = 3)
  slots = reshape(tok, shape = [experts * C])
  offsets = arange(n = experts + 1, step = C)
  xs = dispatch(x, slots, k = 1)
  h = glu(grouped_matmul(xs, w_gate, offsets), grouped_matmul(xs, w_up, offsets))
  ys = grouped_matmul(h, w_down, offsets)
  y = combine(ys, slots, reshape(cw, shape = [-1]), num_tokens = T, k = 1)
  output y
}
