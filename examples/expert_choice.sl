# Expert-choice routing: Mixture-of-Experts with Expert Choice Routing
# (Zhou et al., 2022), https://arxiv.org/abs/2202.09368.
#
# Each expert picks its top-C tokens (C = capacity_factor * T / E) instead of
# each token picking experts: perfect load balance, a variable number of
# experts per token. Built from the routing primitives: the chosen tokens
# are the slots (k = 1), expert e owns slots [e*C, (e+1)*C), the gate
# weights are the slot weights; SwiGLU experts as grouped GEMMs.
#
# The paper's main setting is capacity_factor = 2 (EC-CF2), 64 experts per
# MoE layer; the defaults use 8 small experts (set d, ffn, experts with
# --param).

model expert_choice(d = 64, ffn = 64, experts = 8)

weight router: f32[d, experts]
weight w_gate: f32[experts, d, ffn]
weight w_up: f32[experts, d, ffn]
weight w_down: f32[experts, ffn, d]

func forward {
  input x: f32[T, d]
  gate, tokens: i32[experts, C] = expert_choice_gate(matmul(x, router),
                                                     capacity_factor = 2.0)
  slots = reshape(tokens, shape = [experts * C])
  offsets = arange(n = experts + 1, step = C)
  xs = dispatch(x, slots, k = 1)
  h = glu(grouped_matmul(xs, w_gate, offsets), grouped_matmul(xs, w_up, offsets))
  ys = grouped_matmul(h, w_down, offsets)
  y = combine(ys, slots, reshape(gate, shape = [-1]), num_tokens = T, k = 1)
  output y
}
