// Models for the CUDA tests: shapes that are not multiples of the tile or
// warp sizes (E = 40 and 256, K = 70 / 72, N = 40, D = 200), so every
// schedule runs partial tiles, several k steps, several lanes per token.

// DeepSeekMoE-style softmax gate over 40 experts (2 experts per lane), k = 6.
func.func @moe_gate(%l: tensor<?x40xf32> {sluice.name = "logits", sluice.dims = ["T", ""]})
    -> (tensor<?x6xf32> {sluice.name = "weights"}, tensor<?x6xi32> {sluice.name = "indices"}) {
  %w, %i = sluice.topk_gate %l {k = 6 : i64, renormalize = true, temperature = 0.8 : f32}
      : (tensor<?x40xf32>) -> (tensor<?x6xf32>, tensor<?x6xi32>)
  return %w, %i : tensor<?x6xf32>, tensor<?x6xi32>
}

// DeepSeek-V3: 256 experts, sigmoid, bias, 8 groups / 4 kept (top2_sum), k = 8.
func.func @v3_gate(%l: tensor<?x256xf32> {sluice.name = "logits", sluice.dims = ["T", ""]},
                   %b: tensor<256xf32> {sluice.name = "bias", sluice.role = "weight"})
    -> (tensor<?x8xf32> {sluice.name = "weights"}, tensor<?x8xi32> {sluice.name = "indices"}) {
  %w, %i = sluice.topk_gate %l bias(%b) {k = 8 : i64, score = #sluice.score<sigmoid>,
      groups = 8 : i64, topk_groups = 4 : i64, group_score = #sluice.group_score<top2_sum>,
      renormalize = true, scale = 2.5 : f32}
      : (tensor<?x256xf32>, tensor<256xf32>) -> (tensor<?x8xf32>, tensor<?x8xi32>)
  return %w, %i : tensor<?x8xf32>, tensor<?x8xi32>
}

// softmax_topk (the sparse-softmax form) over 64 experts, k = 4.
func.func @topk_softmax(%l: tensor<?x64xf32> {sluice.name = "logits", sluice.dims = ["T", ""]})
    -> (tensor<?x4xf32> {sluice.name = "weights"}, tensor<?x4xi32> {sluice.name = "indices"}) {
  %w, %i = sluice.topk_gate %l {k = 4 : i64, score = #sluice.score<softmax_topk>}
      : (tensor<?x64xf32>) -> (tensor<?x4xf32>, tensor<?x4xi32>)
  return %w, %i : tensor<?x4xf32>, tensor<?x4xi32>
}

// A bias of dynamic length (checked against E = 64 on the host), sigmoid, k = 4.
func.func @gate_dynbias(%l: tensor<?x64xf32> {sluice.name = "logits", sluice.dims = ["T", ""]},
                        %b: tensor<?xf32> {sluice.name = "bias", sluice.dims = ["E"]})
    -> (tensor<?x4xf32> {sluice.name = "weights"}, tensor<?x4xi32> {sluice.name = "indices"}) {
  %w, %i = sluice.topk_gate %l bias(%b) {k = 4 : i64, score = #sluice.score<sigmoid>}
      : (tensor<?x64xf32>, tensor<?xf32>) -> (tensor<?x4xf32>, tensor<?x4xi32>)
  return %w, %i : tensor<?x4xf32>, tensor<?x4xi32>
}

// Grouped GEMM: 8 experts, K = 72 (3 k steps), N = 40 (2 column tiles).
func.func @gmm(%xs: tensor<?x72xf32> {sluice.name = "xs", sluice.dims = ["P", ""]},
    %w: tensor<8x72x40xf32> {sluice.name = "w", sluice.role = "weight"},
    %o: tensor<9xi32> {sluice.name = "offsets"})
    -> (tensor<?x40xf32> {sluice.name = "ys"}) {
  %ys = sluice.grouped_matmul %xs, %w, %o
      : (tensor<?x72xf32>, tensor<8x72x40xf32>, tensor<9xi32>) -> tensor<?x40xf32>
  return %ys : tensor<?x40xf32>
}

// LoRA: K = 70, N = 40, r = 5, bias, per-token rank gates, scale.
func.func @lora(%x: tensor<?x70xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %w: tensor<70x40xf32> {sluice.name = "w", sluice.role = "weight"},
    %a: tensor<70x5xf32> {sluice.name = "a", sluice.role = "weight"},
    %b: tensor<5x40xf32> {sluice.name = "b", sluice.role = "weight"},
    %bias: tensor<40xf32> {sluice.name = "bias", sluice.role = "weight"},
    %g: tensor<?x5xf32> {sluice.name = "rank_gates", sluice.dims = ["T", ""]})
    -> (tensor<?x40xf32> {sluice.name = "y"}) {
  %y = sluice.lora_matmul %x, %w, %a, %b bias(%bias) rank_gates(%g) {scale = 0.5 : f32}
      : (tensor<?x70xf32>, tensor<70x40xf32>, tensor<70x5xf32>, tensor<5x40xf32>, tensor<40xf32>, tensor<?x5xf32>) -> tensor<?x40xf32>
  return %y : tensor<?x40xf32>
}

// LoRA with a rank-16 adapter limited to active_rank 12, fixed gates.
func.func @lora_active(%x: tensor<?x64xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %w: tensor<64x96xf32> {sluice.name = "w", sluice.role = "weight"},
    %a: tensor<64x16xf32> {sluice.name = "a", sluice.role = "weight"},
    %b: tensor<16x96xf32> {sluice.name = "b", sluice.role = "weight"},
    %g: tensor<16xf32> {sluice.name = "rank_gates", sluice.role = "weight"})
    -> (tensor<?x96xf32> {sluice.name = "y"}) {
  %y = sluice.lora_matmul %x, %w, %a, %b rank_gates(%g) {active_rank = 12 : i64}
      : (tensor<?x64xf32>, tensor<64x96xf32>, tensor<64x16xf32>, tensor<16x96xf32>, tensor<16xf32>) -> tensor<?x96xf32>
  return %y : tensor<?x96xf32>
}

// LoRA with a dynamic rank R (a run-time loop bound: x a in 32-rank steps
// as a second tiled product), active_rank 40, bias, rank gates [R], scale.
func.func @lora_dynrank(%x: tensor<?x70xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %w: tensor<70x40xf32> {sluice.name = "w", sluice.role = "weight"},
    %a: tensor<70x?xf32> {sluice.name = "a", sluice.role = "weight", sluice.dims = ["", "R"]},
    %b: tensor<?x40xf32> {sluice.name = "b", sluice.role = "weight", sluice.dims = ["R", ""]},
    %bias: tensor<40xf32> {sluice.name = "bias", sluice.role = "weight"},
    %g: tensor<?xf32> {sluice.name = "rank_gates", sluice.dims = ["R"]})
    -> (tensor<?x40xf32> {sluice.name = "y"}) {
  %y = sluice.lora_matmul %x, %w, %a, %b bias(%bias) rank_gates(%g) {scale = 0.5 : f32, active_rank = 40 : i64}
      : (tensor<?x70xf32>, tensor<70x40xf32>, tensor<70x?xf32>, tensor<?x40xf32>, tensor<40xf32>, tensor<?xf32>) -> tensor<?x40xf32>
  return %y : tensor<?x40xf32>
}

// LoRA of static rank 150 (> 128: the rank-loop form), active_rank 140,
// per-token rank gates.
func.func @lora_bigrank(%x: tensor<?x20xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %w: tensor<20x36xf32> {sluice.name = "w", sluice.role = "weight"},
    %a: tensor<20x150xf32> {sluice.name = "a", sluice.role = "weight"},
    %b: tensor<150x36xf32> {sluice.name = "b", sluice.role = "weight"},
    %g: tensor<?x150xf32> {sluice.name = "rank_gates", sluice.dims = ["T", ""]})
    -> (tensor<?x36xf32> {sluice.name = "y"}) {
  %y = sluice.lora_matmul %x, %w, %a, %b rank_gates(%g) {scale = 0.25 : f32, active_rank = 140 : i64}
      : (tensor<?x20xf32>, tensor<20x36xf32>, tensor<20x150xf32>, tensor<150x36xf32>, tensor<?x150xf32>) -> tensor<?x36xf32>
  return %y : tensor<?x36xf32>
}

// Pooling over D = 200 features (two 128-thread column blocks).
func.func @pool_masked(%x: tensor<?x?x200xf32> {sluice.name = "x", sluice.dims = ["B", "N", ""]},
    %m: tensor<?x?xi1> {sluice.name = "mask", sluice.dims = ["B", "N"]})
    -> (tensor<?x200xf32> {sluice.name = "mean"}, tensor<?x200xf32> {sluice.name = "max"},
        tensor<?x200xf32> {sluice.name = "lse"}, tensor<?x200xf32> {sluice.name = "last"}) {
  %mean = sluice.pool %x mask(%m) {kind = #sluice.pool<mean>}
      : (tensor<?x?x200xf32>, tensor<?x?xi1>) -> tensor<?x200xf32>
  %max = sluice.pool %x mask(%m) {kind = #sluice.pool<max>}
      : (tensor<?x?x200xf32>, tensor<?x?xi1>) -> tensor<?x200xf32>
  %lse = sluice.pool %x mask(%m) {kind = #sluice.pool<lse>, r = -1.5 : f32}
      : (tensor<?x?x200xf32>, tensor<?x?xi1>) -> tensor<?x200xf32>
  %last = sluice.pool %x mask(%m) {kind = #sluice.pool<last>}
      : (tensor<?x?x200xf32>, tensor<?x?xi1>) -> tensor<?x200xf32>
  return %mean, %max, %lse, %last : tensor<?x200xf32>, tensor<?x200xf32>, tensor<?x200xf32>, tensor<?x200xf32>
}

// Group GeM with lengths (4 groups of 50 channels), sum, min and first.
func.func @pool_lengths(%x: tensor<?x9x200xf32> {sluice.name = "x", sluice.dims = ["B", "", ""]},
    %len: tensor<?xi32> {sluice.name = "lengths", sluice.dims = ["B"], sluice.range = array<i64: 0, 10>},
    %gp: tensor<4xf32> {sluice.name = "group_p"})
    -> (tensor<?x200xf32> {sluice.name = "gem"}, tensor<?x200xf32> {sluice.name = "sum"},
        tensor<?x200xf32> {sluice.name = "min"}, tensor<?x200xf32> {sluice.name = "first"}) {
  %gem = sluice.pool %x lengths(%len) group_p(%gp) {kind = #sluice.pool<gem>, groups = 4 : i64}
      : (tensor<?x9x200xf32>, tensor<?xi32>, tensor<4xf32>) -> tensor<?x200xf32>
  %sum = sluice.pool %x lengths(%len) {kind = #sluice.pool<sum>}
      : (tensor<?x9x200xf32>, tensor<?xi32>) -> tensor<?x200xf32>
  %min = sluice.pool %x lengths(%len) {kind = #sluice.pool<min>}
      : (tensor<?x9x200xf32>, tensor<?xi32>) -> tensor<?x200xf32>
  %first = sluice.pool %x lengths(%len) {kind = #sluice.pool<first>}
      : (tensor<?x9x200xf32>, tensor<?xi32>) -> tensor<?x200xf32>
  return %gem, %sum, %min, %first : tensor<?x200xf32>, tensor<?x200xf32>, tensor<?x200xf32>, tensor<?x200xf32>
}

// SwiGLU over F = 300 (3 column blocks), rank 3.
func.func @swiglu(%g: tensor<?x2x300xf32> {sluice.name = "gate", sluice.dims = ["T", "", ""]},
    %u: tensor<?x2x300xf32> {sluice.name = "up", sluice.dims = ["T", "", ""]})
    -> (tensor<?x2x300xf32> {sluice.name = "out"}) {
  %0 = sluice.glu %g, %u : tensor<?x2x300xf32>
  return %0 : tensor<?x2x300xf32>
}

// Head-wise sigmoid gate: 8 heads of 40 columns.
func.func @head_gate(%x: tensor<?x320xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %g: tensor<?x8xf32> {sluice.name = "g", sluice.dims = ["T", ""]})
    -> (tensor<?x320xf32> {sluice.name = "y"}) {
  %y = sluice.sigmoid_gate %x, %g : tensor<?x320xf32>, tensor<?x8xf32>
  return %y : tensor<?x320xf32>
}

// MoE dispatch of 200-wide rows (k = 2; slots as route makes them).
func.func @moe_dispatch(%x: tensor<?x200xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %s: tensor<?xi32> {sluice.name = "slots", sluice.dims = ["P"]})
    -> (tensor<?x200xf32> {sluice.name = "xs"}) {
  %xs = sluice.dispatch %x, %s {k = 2 : i64} : (tensor<?x200xf32>, tensor<?xi32>) -> tensor<?x200xf32>
  return %xs : tensor<?x200xf32>
}

// Route plan for 64 experts, k = 2, segments padded to 8, by_weight drops at
// capacity 5 (the rank kernel); route (by_choice, capacity 1) + dispatch +
// the token-choice combine over d = 200 (y = the kept weights times x).
func.func @moe_route(%i: tensor<?x2xi32> {sluice.name = "indices", sluice.dims = ["T", ""], sluice.range = array<i64: 0, 64>},
    %w: tensor<?x2xf32> {sluice.name = "weights", sluice.dims = ["T", ""]})
    -> (tensor<64xi32> {sluice.name = "counts"}, tensor<65xi32> {sluice.name = "offsets"},
        tensor<?xi32> {sluice.name = "slots"}, tensor<?x2xi32> {sluice.name = "keep"}) {
  %c, %o, %s, %keep = sluice.route %i, %w {num_experts = 64 : i64, block = 8 : i64, capacity = 5 : i64, drop = #sluice.drop<by_weight>}
      : (tensor<?x2xi32>, tensor<?x2xf32>) -> (tensor<64xi32>, tensor<65xi32>, tensor<?xi32>, tensor<?x2xi32>)
  return %c, %o, %s, %keep : tensor<64xi32>, tensor<65xi32>, tensor<?xi32>, tensor<?x2xi32>
}

func.func @moe_combine(%x: tensor<?x200xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %i: tensor<?x2xi32> {sluice.name = "indices", sluice.dims = ["T", ""], sluice.range = array<i64: 0, 64>},
    %w: tensor<?x2xf32> {sluice.name = "weights", sluice.dims = ["T", ""]})
    -> (tensor<?x200xf32> {sluice.name = "y"}) {
  %c, %o, %s, %keep = sluice.route %i, %w {num_experts = 64 : i64, block = 8 : i64, capacity = 1 : i64, drop = #sluice.drop<by_choice>}
      : (tensor<?x2xi32>, tensor<?x2xf32>) -> (tensor<64xi32>, tensor<65xi32>, tensor<?xi32>, tensor<?x2xi32>)
  %xs = sluice.dispatch %x, %s {k = 2 : i64} : (tensor<?x200xf32>, tensor<?xi32>) -> tensor<?x200xf32>
  %y = sluice.combine %xs, %s, %w keep(%keep)
      : (tensor<?x200xf32>, tensor<?xi32>, tensor<?x2xf32>, tensor<?x2xi32>) -> tensor<?x200xf32>
  return %y : tensor<?x200xf32>
}

// Expert-choice routing over 40 experts (capacity factor 2), its per-slot
// combine (k = 1) over d = 200.
func.func @ec_gate(%l: tensor<?x40xf32> {sluice.name = "logits", sluice.dims = ["T", ""]})
    -> (tensor<40x?xf32> {sluice.name = "weights"}, tensor<40x?xi32> {sluice.name = "tokens"}) {
  %w, %t = sluice.expert_choice_gate %l {capacity_factor = 2.0 : f32}
      : (tensor<?x40xf32>) -> (tensor<40x?xf32>, tensor<40x?xi32>)
  return %w, %t : tensor<40x?xf32>, tensor<40x?xi32>
}

func.func @ec_combine(%ys: tensor<?x200xf32> {sluice.name = "ys", sluice.dims = ["P", ""]},
    %s: tensor<?xi32> {sluice.name = "slots", sluice.dims = ["P"], sluice.range = array<i64: 0, 3>},
    %sw: tensor<?xf32> {sluice.name = "slot_weights", sluice.dims = ["P"]})
    -> (tensor<?x200xf32> {sluice.name = "y"}) {
  %n = arith.constant 3 : index
  %y = sluice.combine %ys, %s, %sw tokens(%n) {k = 1 : i64}
      : (tensor<?x200xf32>, tensor<?xi32>, tensor<?xf32>, index) -> tensor<?x200xf32>
  return %y : tensor<?x200xf32>
}

// Top-8 of 300 along the last dim, rank 3.
func.func @topk8(%x: tensor<?x3x300xf32> {sluice.name = "x", sluice.dims = ["T", "", ""]})
    -> (tensor<?x3x8xf32> {sluice.name = "values"}, tensor<?x3x8xi32> {sluice.name = "indices"}) {
  %v, %i = sluice.topk %x {k = 8 : i64} : (tensor<?x3x300xf32>) -> (tensor<?x3x8xf32>, tensor<?x3x8xi32>)
  return %v, %i : tensor<?x3x8xf32>, tensor<?x3x8xi32>
}

// The router losses over 40 experts, k = 6, masked.
func.func @losses(%l: tensor<?x40xf32> {sluice.name = "logits", sluice.dims = ["T", ""]},
    %p: tensor<?x40xf32> {sluice.name = "probs", sluice.dims = ["T", ""]},
    %i: tensor<?x6xi32> {sluice.name = "indices", sluice.dims = ["T", ""], sluice.range = array<i64: 0, 40>},
    %m: tensor<?xi1> {sluice.name = "mask", sluice.dims = ["T"]})
    -> (tensor<f32> {sluice.name = "lb"}, tensor<f32> {sluice.name = "z"}) {
  %lb = sluice.load_balance_loss %p, %i mask(%m) : (tensor<?x40xf32>, tensor<?x6xi32>, tensor<?xi1>) -> tensor<f32>
  %z = sluice.router_z_loss %l mask(%m) : (tensor<?x40xf32>, tensor<?xi1>) -> tensor<f32>
  return %lb, %z : tensor<f32>, tensor<f32>
}

// The generic linalg mapping: the router matmul (K = 200, N = 40) and a
// row softmax (decomposed into reductions and elementwise generics).
func.func @router(%x: tensor<?x200xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %w: tensor<200x40xf32> {sluice.name = "router", sluice.role = "weight"})
    -> (tensor<?x40xf32> {sluice.name = "probs"}) {
  %c0 = arith.constant 0 : index
  %t = tensor.dim %x, %c0 : tensor<?x200xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty(%t) : tensor<?x40xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<?x40xf32>) -> tensor<?x40xf32>
  %l = linalg.matmul ins(%x, %w : tensor<?x200xf32>, tensor<200x40xf32>) outs(%f : tensor<?x40xf32>) -> tensor<?x40xf32>
  %e2 = tensor.empty(%t) : tensor<?x40xf32>
  %p = linalg.softmax dimension(1) ins(%l : tensor<?x40xf32>) outs(%e2 : tensor<?x40xf32>) -> tensor<?x40xf32>
  return %p : tensor<?x40xf32>
}

// Multi-LoRA (SGMV): K = 70, N = 40, L = 5 adapters of rank 6, m = 2 slots,
// ids in [-1, 5), gates, per-adapter scales, bias.
func.func @multi_lora(%x: tensor<?x70xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %w: tensor<70x40xf32> {sluice.name = "w", sluice.role = "weight"},
    %a: tensor<5x70x6xf32> {sluice.name = "a", sluice.role = "weight"},
    %b: tensor<5x6x40xf32> {sluice.name = "b", sluice.role = "weight"},
    %ids: tensor<?x2xi32> {sluice.name = "ids", sluice.dims = ["T", ""], sluice.range = array<i64: -1, 5>},
    %g: tensor<?x2xf32> {sluice.name = "gates", sluice.dims = ["T", ""]},
    %s: tensor<5xf32> {sluice.name = "scales", sluice.role = "weight"},
    %bias: tensor<40xf32> {sluice.name = "bias", sluice.role = "weight"})
    -> (tensor<?x40xf32> {sluice.name = "y"}) {
  %y = sluice.multi_lora_matmul %x, %w, %a, %b, %ids gates(%g) scales(%s) bias(%bias)
      : (tensor<?x70xf32>, tensor<70x40xf32>, tensor<5x70x6xf32>, tensor<5x6x40xf32>, tensor<?x2xi32>, tensor<?x2xf32>, tensor<5xf32>, tensor<40xf32>) -> tensor<?x40xf32>
  return %y : tensor<?x40xf32>
}

// Low-rank linear: K = 70, r = 6, N = 40, bias.
func.func @lowrank(%x: tensor<?x70xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %u: tensor<70x6xf32> {sluice.name = "u", sluice.role = "weight"},
    %v: tensor<6x40xf32> {sluice.name = "v", sluice.role = "weight"},
    %bias: tensor<40xf32> {sluice.name = "bias", sluice.role = "weight"})
    -> (tensor<?x40xf32> {sluice.name = "y"}) {
  %y = sluice.lowrank_matmul %x, %u, %v bias(%bias)
      : (tensor<?x70xf32>, tensor<70x6xf32>, tensor<6x40xf32>, tensor<40xf32>) -> tensor<?x40xf32>
  return %y : tensor<?x40xf32>
}

// Top-k sparsification of 300-wide rows (two 256-input chunks), k = 37.
func.func @sparsify_topk(%x: tensor<?x300xf32> {sluice.name = "x", sluice.dims = ["T", ""]})
    -> (tensor<?x300xf32> {sluice.name = "out"}) {
  %0 = sluice.sparsify %x {mode = #sluice.sparsify<topk>, k = 37 : i64} : (tensor<?x300xf32>) -> tensor<?x300xf32>
  return %0 : tensor<?x300xf32>
}

// TEAL-style threshold sparsification.
func.func @sparsify_threshold(%x: tensor<?x300xf32> {sluice.name = "x", sluice.dims = ["T", ""]})
    -> (tensor<?x300xf32> {sluice.name = "out"}) {
  %0 = sluice.sparsify %x {mode = #sluice.sparsify<threshold>, tau = 0.5 : f32} : (tensor<?x300xf32>) -> tensor<?x300xf32>
  return %0 : tensor<?x300xf32>
}

// WINA sparse GEMM: N = 300 inputs, M = 200 outputs (two column blocks),
// k = 40, the row norms of w computed on the device.
func.func @sparse_wina(%x: tensor<?x300xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %w: tensor<300x200xf32> {sluice.name = "w", sluice.role = "weight"})
    -> (tensor<?x200xf32> {sluice.name = "y"}) {
  %y = sluice.sparse_matmul %x, %w {mode = #sluice.sparsify<wina>, k = 40 : i64}
      : (tensor<?x300xf32>, tensor<300x200xf32>) -> tensor<?x200xf32>
  return %y : tensor<?x200xf32>
}

// Segment pooling of packed rows (D = 200), 8 segments: GeM and LSE.
func.func @segments(%xs: tensor<?x200xf32> {sluice.name = "xs", sluice.dims = ["P", ""]},
    %o: tensor<9xi32> {sluice.name = "offsets"})
    -> (tensor<8x200xf32> {sluice.name = "gem"}, tensor<8x200xf32> {sluice.name = "lse"}) {
  %gem = sluice.segment_pool %xs, %o {kind = #sluice.pool<gem>, p = 2.5 : f32}
      : (tensor<?x200xf32>, tensor<9xi32>) -> tensor<8x200xf32>
  %lse = sluice.segment_pool %xs, %o {kind = #sluice.pool<lse>, r = 0.5 : f32}
      : (tensor<?x200xf32>, tensor<9xi32>) -> tensor<8x200xf32>
  return %gem, %lse : tensor<8x200xf32>, tensor<8x200xf32>
}

// Adaptive pooling of 7 x 11 maps to 3 x 4 (overlapping bins), and a
// pyramid of levels 1, 2, 4, 12 (12 x 12 = 144 bins: two 128-thread blocks).
func.func @spatial(%x: tensor<?x3x7x11xf32> {sluice.name = "x", sluice.dims = ["B", "", "", ""]})
    -> (tensor<?x3x3x4xf32> {sluice.name = "avg"}, tensor<?x495xf32> {sluice.name = "spp"}) {
  %avg = sluice.adaptive_pool %x {output_size = array<i64: 3, 4>}
      : (tensor<?x3x7x11xf32>) -> tensor<?x3x3x4xf32>
  %spp = sluice.spatial_pyramid_pool %x {levels = array<i64: 1, 2, 4, 12>}
      : (tensor<?x3x7x11xf32>) -> tensor<?x495xf32>
  return %avg, %spp : tensor<?x3x3x4xf32>, tensor<?x495xf32>
}

// Attention pooling: 3 queries x 2 heads of 100 features (a 128-thread
// block per (set, query, head)), masked; and featurewise over D = 40.
func.func @attn_pool(%x: tensor<?x?x200xf32> {sluice.name = "x", sluice.dims = ["B", "N", ""]},
    %q: tensor<3x200xf32> {sluice.name = "q", sluice.role = "weight"},
    %m: tensor<?x?xi1> {sluice.name = "mask", sluice.dims = ["B", "N"]},
    %xf: tensor<?x?x40xf32> {sluice.name = "xf", sluice.dims = ["B", "N", ""]},
    %wf: tensor<40x40xf32> {sluice.name = "wf", sluice.role = "weight"})
    -> (tensor<?x3x200xf32> {sluice.name = "dot"}, tensor<?x1x40xf32> {sluice.name = "fw"}) {
  %dot = sluice.attention_pool %x, %q mask(%m) {heads = 2 : i64}
      : (tensor<?x?x200xf32>, tensor<3x200xf32>, tensor<?x?xi1>) -> tensor<?x3x200xf32>
  %fw = sluice.attention_pool %xf, %wf {kind = #sluice.attention_pool<featurewise>}
      : (tensor<?x?x40xf32>, tensor<40x40xf32>) -> tensor<?x1x40xf32>
  return %dot, %fw : tensor<?x3x200xf32>, tensor<?x1x40xf32>
}
