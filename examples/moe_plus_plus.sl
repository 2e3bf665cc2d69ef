# MoE++ block: MoE++: Accelerating Mixture-of-Experts Methods with
# Zero-Computation Experts (Jin et al., 2024), https://arxiv.org/abs/2410.07348.
#
# Besides the FFN experts, the router chooses among zero experts (output 0:
# discard), copy experts (output x: skip) and constant experts (output
# a1 * x + a2 * v, [a1, a2] = softmax(x Wc)), which never touch the expert
# GEMMs. Gating residuals: the router adds the previous layer's logits.
#
# The paper's MoE++ 7B/(16+4)E has 16 FFN experts and 4 zero-computation
# experts (1 zero, 1 copy, 2 constant), top-2, at the hidden and FFN sizes of
# its 7B model. The defaults keep that expert mix with small dims (set d and
# ffn with --param).

model moe_plus_plus(d = 64, ffn = 48, ffn_experts = 16, zero = 1, copy = 1,
                    const = 2, k = 2)

weight router: f32[d, ffn_experts + zero + copy + const]
weight w_gate: f32[ffn_experts, d, ffn]
weight w_up: f32[ffn_experts, d, ffn]
weight w_down: f32[ffn_experts, ffn, d]
weight const_wc: f32[const, d, 2]
weight const_v: f32[const, d]

func forward {
  input x: f32[T, d]
  input prev_logits: f32[T, ffn_experts + zero + copy + const]
  logits = matmul(x, router) + prev_logits
  w, idx = topk_gate(logits, k = k)
  y = moe(x, w, idx, w_gate, w_up, w_down, num_zero = zero, num_copy = copy,
          num_const = const, const_wc = const_wc, const_v = const_v)
  output y, logits
}
