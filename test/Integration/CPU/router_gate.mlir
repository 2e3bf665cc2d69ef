// Router GEMM + topk_gate fused into sluice.router_gate (sluice-fuse-router-
// topk in sluice-cpu-pipeline), compiled for the CPU and checked against the
// reference evaluator, which interprets the unfused matmul + topk_gate:
// every score function, renormalize / scale / temperature, k = 1 and k = E,
// DeepSeek-V2 (max) and DeepSeek-V3 (sigmoid, bias, top2_sum) groups, E = 8
// (one zero-padded panel), 24 (a full panel and a padded one) and 64 (the
// OLMoE router, vector scores), hidden sizes across several K blocks, for
// T = 0, 1, 7, 33 and a large T on 2 threads (token blocks on the pool),
// and one token of a d = 2048 router on 2 threads (K split on the pool).
// Ties, NaN and infinities come from hand-written x and w whose expected
// picks are spelled out below.

// Each function is one sluice_uk_router_gate call and no sluice_uk_gemm.
// RUN: sluicec compile %s --emit=mlir-lowered -o - | FileCheck %s --check-prefix=FUSED
// FUSED-LABEL: llvm.func @mixtral(
// FUSED-NOT: llvm.call @sluice_uk_gemm(
// FUSED: llvm.call @sluice_uk_router_gate(
// FUSED-NOT: llvm.call @sluice_uk_gemm(
// FUSED-LABEL: llvm.func @olmoe(
// FUSED-NOT: llvm.call @sluice_uk_gemm(
// FUSED: llvm.call @sluice_uk_router_gate(
// FUSED-NOT: llvm.call @sluice_uk_gemm(
// FUSED-LABEL: llvm.func @logits_too(
// FUSED-NOT: llvm.call @sluice_uk_router_gate(
// FUSED: llvm.call @sluice_uk_gemm(
// FUSED-NOT: llvm.call @sluice_uk_router_gate(
// FUSED: llvm.return

// RUN: sluicec run %s --function=mixtral --random-weights --check --dim T=0 | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED
// RUN: sluicec run %s --function=mixtral --random-weights --check --dim T=1 | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED
// RUN: sluicec run %s --function=mixtral --random-weights --check --dim T=7 | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED
// RUN: sluicec run %s --function=mixtral --random-weights --check --dim T=33 | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED
// RUN: sluicec run %s --function=mixtral --random-weights --check --threads=2 --dim T=1000 | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED

// OLMoE: E = 64, k = 8, softmax without renormalize.
// RUN: sluicec run %s --function=olmoe --random-weights --check --dim T=0 | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED
// RUN: sluicec run %s --function=olmoe --random-weights --check --dim T=1 | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED
// RUN: sluicec run %s --function=olmoe --random-weights --check --dim T=7 | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED
// RUN: sluicec run %s --function=olmoe --random-weights --check --dim T=33 | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED
// RUN: sluicec run %s --function=olmoe --random-weights --check --threads=2 --dim T=500 | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED

// The gating case of bench/ (d = 2048, E = 64, k = 8): one token on 2
// threads splits K between them (partial logits added by the caller).
// RUN: sluicec run %s --function=gating --random-weights --check --threads=2 --dim T=1 | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED
// RUN: sluicec run %s --function=gating --random-weights --check --threads=1 --dim T=1 | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED
// RUN: sluicec run %s --function=gating --random-weights --check --threads=2 --dim T=3 | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED

// k = 1 with a temperature; k = E.
// RUN: sluicec run %s --function=k1 --random-weights --check --dim T=0 | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED
// RUN: sluicec run %s --function=k1 --random-weights --check --dim T=1 | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED
// RUN: sluicec run %s --function=k1 --random-weights --check --dim T=7 | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED
// RUN: sluicec run %s --function=k1 --random-weights --check --dim T=33 | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED
// RUN: sluicec run %s --function=k_all --random-weights --check --dim T=0 | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED
// RUN: sluicec run %s --function=k_all --random-weights --check --dim T=1 | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED
// RUN: sluicec run %s --function=k_all --random-weights --check --dim T=7 | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED
// RUN: sluicec run %s --function=k_all --random-weights --check --dim T=33 | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED

// Sigmoid, renormalize, scale (E = 24: one full and one padded panel).
// RUN: sluicec run %s --function=sigmoid --random-weights --check --dim T=0 | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED
// RUN: sluicec run %s --function=sigmoid --random-weights --check --dim T=1 | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED
// RUN: sluicec run %s --function=sigmoid --random-weights --check --dim T=7 | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED
// RUN: sluicec run %s --function=sigmoid --random-weights --check --dim T=33 | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED
// RUN: sluicec run %s --function=sigmoid --random-weights --check --threads=2 --dim T=700 | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED

// softmax_topk with a temperature; score none with a scale.
// RUN: sluicec run %s --function=softmax_topk --random-weights --check --dim T=0 | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED
// RUN: sluicec run %s --function=softmax_topk --random-weights --check --dim T=1 | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED
// RUN: sluicec run %s --function=softmax_topk --random-weights --check --dim T=7 | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED
// RUN: sluicec run %s --function=softmax_topk --random-weights --check --dim T=33 | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED
// RUN: sluicec run %s --function=none --random-weights --check --dim T=0 | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED
// RUN: sluicec run %s --function=none --random-weights --check --dim T=1 | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED
// RUN: sluicec run %s --function=none --random-weights --check --dim T=7 | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED
// RUN: sluicec run %s --function=none --random-weights --check --dim T=33 | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED

// DeepSeek-V3: sigmoid, selection bias, groups 8 / topk_groups 4, top2_sum,
// renormalize, scale 2.5, E = 64.
// RUN: sluicec run %s --function=deepseek_v3 --random-weights --check --dim T=0 | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED
// RUN: sluicec run %s --function=deepseek_v3 --random-weights --check --dim T=1 | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED
// RUN: sluicec run %s --function=deepseek_v3 --random-weights --check --dim T=7 | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED
// RUN: sluicec run %s --function=deepseek_v3 --random-weights --check --dim T=33 | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED
// RUN: sluicec run %s --function=deepseek_v3 --random-weights=5 --seed=3 --check --threads=2 --dim T=600 | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED

// DeepSeek-V2: softmax, groups 4 / topk_groups 3, max, scale 16.
// RUN: sluicec run %s --function=deepseek_v2 --random-weights --check --dim T=0 | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED
// RUN: sluicec run %s --function=deepseek_v2 --random-weights --check --dim T=1 | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED
// RUN: sluicec run %s --function=deepseek_v2 --random-weights --check --dim T=7 | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED
// RUN: sluicec run %s --function=deepseek_v2 --random-weights --check --dim T=33 | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED

// The logits are returned too: not fused (sluice.gemm + topk_gate), same results.
// RUN: sluicec run %s --function=logits_too --random-weights --check --dim T=7 | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED

// GATE: check weights: ok
// GATE: check indices: ok

// Ties: x = the 8 x 8 identity, so logits = w (exact). Rows 0-2 of w hold
// the tie patterns of topk_gate.mlir: equal scores are taken in index order.
// RUN: %python -c "import numpy as np; np.save('%t.eye.npy', np.eye(8, dtype=np.float32)[:3]); w = np.zeros((8, 8), np.float32); w[:3] = [[0,0,0,0,0,0,0,0], [1,2,2,1,0,2,0,1], [-1,-1,3,3,-1,3,-1,3]]; np.save('%t.ties.npy', w)"
// RUN: sluicec run %s --function=ties --check --input x=%t.eye.npy --input w=%t.ties.npy --output indices=%t.ties.idx.npy | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED
// RUN: %python -c "import numpy as np; i = np.load('%t.ties.idx.npy'); assert (i == [[0,1,2], [1,2,5], [2,3,5]]).all(), i"

// NaN and infinities through the GEMM: x > 0, so a NaN in column e of w
// makes logit e NaN, a -inf makes it -inf, a +inf +inf, for every token;
// a NaN in x makes the whole row NaN. Score none, k = E: NaN last, -inf
// just before; softmax: a row with +inf or NaN is all NaN.
// RUN: %python -c "import numpy as np; x = np.ones((3, 4), np.float32); x[2, 1] = np.nan; np.save('%t.nx.npy', x); w = np.tile(np.arange(8, dtype=np.float32), (4, 1)) * 0.25; w[0, 3] = np.nan; w[1, 5] = -np.inf; np.save('%t.nw.npy', w)"
// RUN: sluicec run %s --function=nan_none --check --input x=%t.nx.npy --input w=%t.nw.npy --output indices=%t.nan.idx.npy | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED
// RUN: %python -c "import numpy as np; i = np.load('%t.nan.idx.npy'); assert (i[:2] == [[7,6,4,2,1,0,5,3]] * 2).all() and (i[2] == range(8)).all(), i"
// RUN: sluicec run %s --function=nan_softmax --check --input x=%t.nx.npy --input w=%t.nw.npy --output weights=%t.nans.w.npy | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED
// RUN: %python -c "import numpy as np; w = np.load('%t.nans.w.npy'); assert np.isnan(w).all(), w"
// With groups 4 / topk 2 (top2_sum): group 1 (experts 2, 3: 3 is NaN) and
// group 2 (experts 4, 5: 5 is -inf) have NaN / -inf values and rank last.
// RUN: sluicec run %s --function=nan_groups --check --input x=%t.nx.npy --input w=%t.nw.npy --output indices=%t.nang.idx.npy | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED
// RUN: %python -c "import numpy as np; i = np.load('%t.nang.idx.npy'); assert (i[:2] == [[7,6,1,0]] * 2).all() and (i[2] == [0,1,2,3]).all(), i"

func.func @mixtral(%x: tensor<?x32xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
                   %r: tensor<32x8xf32> {sluice.name = "router", sluice.role = "weight"})
    -> (tensor<?x2xf32> {sluice.name = "weights"}, tensor<?x2xi32> {sluice.name = "indices"}) {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %t = tensor.dim %x, %c0 : tensor<?x32xf32>
  %e = tensor.empty(%t) : tensor<?x8xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<?x8xf32>) -> tensor<?x8xf32>
  %l = linalg.matmul ins(%x, %r : tensor<?x32xf32>, tensor<32x8xf32>) outs(%z : tensor<?x8xf32>) -> tensor<?x8xf32>
  %w, %i = sluice.topk_gate %l {k = 2 : i64, renormalize = true}
      : (tensor<?x8xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  return %w, %i : tensor<?x2xf32>, tensor<?x2xi32>
}

func.func @olmoe(%x: tensor<?x300xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
                 %r: tensor<300x64xf32> {sluice.name = "router", sluice.role = "weight"})
    -> (tensor<?x8xf32> {sluice.name = "weights"}, tensor<?x8xi32> {sluice.name = "indices"}) {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %t = tensor.dim %x, %c0 : tensor<?x300xf32>
  %e = tensor.empty(%t) : tensor<?x64xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<?x64xf32>) -> tensor<?x64xf32>
  %l = linalg.matmul ins(%x, %r : tensor<?x300xf32>, tensor<300x64xf32>) outs(%z : tensor<?x64xf32>) -> tensor<?x64xf32>
  %w, %i = sluice.topk_gate %l {k = 8 : i64}
      : (tensor<?x64xf32>) -> (tensor<?x8xf32>, tensor<?x8xi32>)
  return %w, %i : tensor<?x8xf32>, tensor<?x8xi32>
}

func.func @gating(%x: tensor<?x2048xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
                  %r: tensor<2048x64xf32> {sluice.name = "router", sluice.role = "weight"})
    -> (tensor<?x8xf32> {sluice.name = "weights"}, tensor<?x8xi32> {sluice.name = "indices"}) {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %t = tensor.dim %x, %c0 : tensor<?x2048xf32>
  %e = tensor.empty(%t) : tensor<?x64xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<?x64xf32>) -> tensor<?x64xf32>
  %l = linalg.matmul ins(%x, %r : tensor<?x2048xf32>, tensor<2048x64xf32>) outs(%z : tensor<?x64xf32>) -> tensor<?x64xf32>
  %w, %i = sluice.topk_gate %l {k = 8 : i64, renormalize = true}
      : (tensor<?x64xf32>) -> (tensor<?x8xf32>, tensor<?x8xi32>)
  return %w, %i : tensor<?x8xf32>, tensor<?x8xi32>
}

func.func @k1(%x: tensor<?x16xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
              %r: tensor<16x8xf32> {sluice.name = "router", sluice.role = "weight"})
    -> (tensor<?x1xf32> {sluice.name = "weights"}, tensor<?x1xi32> {sluice.name = "indices"}) {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %t = tensor.dim %x, %c0 : tensor<?x16xf32>
  %e = tensor.empty(%t) : tensor<?x8xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<?x8xf32>) -> tensor<?x8xf32>
  %l = linalg.matmul ins(%x, %r : tensor<?x16xf32>, tensor<16x8xf32>) outs(%z : tensor<?x8xf32>) -> tensor<?x8xf32>
  %w, %i = sluice.topk_gate %l {k = 1 : i64, temperature = 0.7 : f32}
      : (tensor<?x8xf32>) -> (tensor<?x1xf32>, tensor<?x1xi32>)
  return %w, %i : tensor<?x1xf32>, tensor<?x1xi32>
}

func.func @k_all(%x: tensor<?x16xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
                 %r: tensor<16x8xf32> {sluice.name = "router", sluice.role = "weight"})
    -> (tensor<?x8xf32> {sluice.name = "weights"}, tensor<?x8xi32> {sluice.name = "indices"}) {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %t = tensor.dim %x, %c0 : tensor<?x16xf32>
  %e = tensor.empty(%t) : tensor<?x8xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<?x8xf32>) -> tensor<?x8xf32>
  %l = linalg.matmul ins(%x, %r : tensor<?x16xf32>, tensor<16x8xf32>) outs(%z : tensor<?x8xf32>) -> tensor<?x8xf32>
  %w, %i = sluice.topk_gate %l {k = 8 : i64, renormalize = true}
      : (tensor<?x8xf32>) -> (tensor<?x8xf32>, tensor<?x8xi32>)
  return %w, %i : tensor<?x8xf32>, tensor<?x8xi32>
}

func.func @sigmoid(%x: tensor<?x40xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
                   %r: tensor<40x24xf32> {sluice.name = "router", sluice.role = "weight"})
    -> (tensor<?x3xf32> {sluice.name = "weights"}, tensor<?x3xi32> {sluice.name = "indices"}) {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %t = tensor.dim %x, %c0 : tensor<?x40xf32>
  %e = tensor.empty(%t) : tensor<?x24xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<?x24xf32>) -> tensor<?x24xf32>
  %l = linalg.matmul ins(%x, %r : tensor<?x40xf32>, tensor<40x24xf32>) outs(%z : tensor<?x24xf32>) -> tensor<?x24xf32>
  %w, %i = sluice.topk_gate %l {k = 3 : i64, score = #sluice.score<sigmoid>,
      renormalize = true, scale = 1.5 : f32}
      : (tensor<?x24xf32>) -> (tensor<?x3xf32>, tensor<?x3xi32>)
  return %w, %i : tensor<?x3xf32>, tensor<?x3xi32>
}

func.func @softmax_topk(%x: tensor<?x16xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
                        %r: tensor<16x8xf32> {sluice.name = "router", sluice.role = "weight"})
    -> (tensor<?x4xf32> {sluice.name = "weights"}, tensor<?x4xi32> {sluice.name = "indices"}) {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %t = tensor.dim %x, %c0 : tensor<?x16xf32>
  %e = tensor.empty(%t) : tensor<?x8xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<?x8xf32>) -> tensor<?x8xf32>
  %l = linalg.matmul ins(%x, %r : tensor<?x16xf32>, tensor<16x8xf32>) outs(%z : tensor<?x8xf32>) -> tensor<?x8xf32>
  %w, %i = sluice.topk_gate %l {k = 4 : i64, score = #sluice.score<softmax_topk>,
      temperature = 0.5 : f32}
      : (tensor<?x8xf32>) -> (tensor<?x4xf32>, tensor<?x4xi32>)
  return %w, %i : tensor<?x4xf32>, tensor<?x4xi32>
}

func.func @none(%x: tensor<?x16xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
                %r: tensor<16x8xf32> {sluice.name = "router", sluice.role = "weight"})
    -> (tensor<?x3xf32> {sluice.name = "weights"}, tensor<?x3xi32> {sluice.name = "indices"}) {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %t = tensor.dim %x, %c0 : tensor<?x16xf32>
  %e = tensor.empty(%t) : tensor<?x8xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<?x8xf32>) -> tensor<?x8xf32>
  %l = linalg.matmul ins(%x, %r : tensor<?x16xf32>, tensor<16x8xf32>) outs(%z : tensor<?x8xf32>) -> tensor<?x8xf32>
  %w, %i = sluice.topk_gate %l {k = 3 : i64, score = #sluice.score<none>, scale = 0.5 : f32}
      : (tensor<?x8xf32>) -> (tensor<?x3xf32>, tensor<?x3xi32>)
  return %w, %i : tensor<?x3xf32>, tensor<?x3xi32>
}

func.func @deepseek_v3(%x: tensor<?x64xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
                       %r: tensor<64x64xf32> {sluice.name = "router", sluice.role = "weight"},
                       %b: tensor<64xf32> {sluice.name = "bias", sluice.role = "weight"})
    -> (tensor<?x6xf32> {sluice.name = "weights"}, tensor<?x6xi32> {sluice.name = "indices"}) {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %t = tensor.dim %x, %c0 : tensor<?x64xf32>
  %e = tensor.empty(%t) : tensor<?x64xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<?x64xf32>) -> tensor<?x64xf32>
  %l = linalg.matmul ins(%x, %r : tensor<?x64xf32>, tensor<64x64xf32>) outs(%z : tensor<?x64xf32>) -> tensor<?x64xf32>
  %w, %i = sluice.topk_gate %l bias(%b) {k = 6 : i64, score = #sluice.score<sigmoid>,
      groups = 8 : i64, topk_groups = 4 : i64, group_score = #sluice.group_score<top2_sum>,
      renormalize = true, scale = 2.5 : f32}
      : (tensor<?x64xf32>, tensor<64xf32>) -> (tensor<?x6xf32>, tensor<?x6xi32>)
  return %w, %i : tensor<?x6xf32>, tensor<?x6xi32>
}

func.func @deepseek_v2(%x: tensor<?x16xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
                       %r: tensor<16x16xf32> {sluice.name = "router", sluice.role = "weight"})
    -> (tensor<?x6xf32> {sluice.name = "weights"}, tensor<?x6xi32> {sluice.name = "indices"}) {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %t = tensor.dim %x, %c0 : tensor<?x16xf32>
  %e = tensor.empty(%t) : tensor<?x16xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<?x16xf32>) -> tensor<?x16xf32>
  %l = linalg.matmul ins(%x, %r : tensor<?x16xf32>, tensor<16x16xf32>) outs(%z : tensor<?x16xf32>) -> tensor<?x16xf32>
  %w, %i = sluice.topk_gate %l {k = 6 : i64, groups = 4 : i64, topk_groups = 3 : i64,
      scale = 16.0 : f32}
      : (tensor<?x16xf32>) -> (tensor<?x6xf32>, tensor<?x6xi32>)
  return %w, %i : tensor<?x6xf32>, tensor<?x6xi32>
}

func.func @logits_too(%x: tensor<?x16xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
                      %r: tensor<16x8xf32> {sluice.name = "router", sluice.role = "weight"})
    -> (tensor<?x2xf32> {sluice.name = "weights"}, tensor<?x2xi32> {sluice.name = "indices"},
        tensor<?x8xf32> {sluice.name = "logits"}) {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %t = tensor.dim %x, %c0 : tensor<?x16xf32>
  %e = tensor.empty(%t) : tensor<?x8xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<?x8xf32>) -> tensor<?x8xf32>
  %l = linalg.matmul ins(%x, %r : tensor<?x16xf32>, tensor<16x8xf32>) outs(%z : tensor<?x8xf32>) -> tensor<?x8xf32>
  %w, %i = sluice.topk_gate %l {k = 2 : i64}
      : (tensor<?x8xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  return %w, %i, %l : tensor<?x2xf32>, tensor<?x2xi32>, tensor<?x8xf32>
}

func.func @ties(%x: tensor<?x8xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
                %r: tensor<8x8xf32> {sluice.name = "w"})
    -> (tensor<?x3xf32> {sluice.name = "weights"}, tensor<?x3xi32> {sluice.name = "indices"}) {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %t = tensor.dim %x, %c0 : tensor<?x8xf32>
  %e = tensor.empty(%t) : tensor<?x8xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<?x8xf32>) -> tensor<?x8xf32>
  %l = linalg.matmul ins(%x, %r : tensor<?x8xf32>, tensor<8x8xf32>) outs(%z : tensor<?x8xf32>) -> tensor<?x8xf32>
  %w, %i = sluice.topk_gate %l {k = 3 : i64}
      : (tensor<?x8xf32>) -> (tensor<?x3xf32>, tensor<?x3xi32>)
  return %w, %i : tensor<?x3xf32>, tensor<?x3xi32>
}

func.func @nan_none(%x: tensor<?x4xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
                    %r: tensor<4x8xf32> {sluice.name = "w"})
    -> (tensor<?x8xf32> {sluice.name = "weights"}, tensor<?x8xi32> {sluice.name = "indices"}) {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %t = tensor.dim %x, %c0 : tensor<?x4xf32>
  %e = tensor.empty(%t) : tensor<?x8xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<?x8xf32>) -> tensor<?x8xf32>
  %l = linalg.matmul ins(%x, %r : tensor<?x4xf32>, tensor<4x8xf32>) outs(%z : tensor<?x8xf32>) -> tensor<?x8xf32>
  %w, %i = sluice.topk_gate %l {k = 8 : i64, score = #sluice.score<none>}
      : (tensor<?x8xf32>) -> (tensor<?x8xf32>, tensor<?x8xi32>)
  return %w, %i : tensor<?x8xf32>, tensor<?x8xi32>
}

func.func @nan_softmax(%x: tensor<?x4xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
                       %r: tensor<4x8xf32> {sluice.name = "w"})
    -> (tensor<?x3xf32> {sluice.name = "weights"}, tensor<?x3xi32> {sluice.name = "indices"}) {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %t = tensor.dim %x, %c0 : tensor<?x4xf32>
  %e = tensor.empty(%t) : tensor<?x8xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<?x8xf32>) -> tensor<?x8xf32>
  %l = linalg.matmul ins(%x, %r : tensor<?x4xf32>, tensor<4x8xf32>) outs(%z : tensor<?x8xf32>) -> tensor<?x8xf32>
  %w, %i = sluice.topk_gate %l {k = 3 : i64, renormalize = true}
      : (tensor<?x8xf32>) -> (tensor<?x3xf32>, tensor<?x3xi32>)
  return %w, %i : tensor<?x3xf32>, tensor<?x3xi32>
}

func.func @nan_groups(%x: tensor<?x4xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
                      %r: tensor<4x8xf32> {sluice.name = "w"})
    -> (tensor<?x4xf32> {sluice.name = "weights"}, tensor<?x4xi32> {sluice.name = "indices"}) {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %t = tensor.dim %x, %c0 : tensor<?x4xf32>
  %e = tensor.empty(%t) : tensor<?x8xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<?x8xf32>) -> tensor<?x8xf32>
  %l = linalg.matmul ins(%x, %r : tensor<?x4xf32>, tensor<4x8xf32>) outs(%z : tensor<?x8xf32>) -> tensor<?x8xf32>
  %w, %i = sluice.topk_gate %l {k = 4 : i64, score = #sluice.score<none>,
      groups = 4 : i64, topk_groups = 2 : i64, group_score = #sluice.group_score<top2_sum>}
      : (tensor<?x8xf32>) -> (tensor<?x4xf32>, tensor<?x4xi32>)
  return %w, %i : tensor<?x4xf32>, tensor<?x4xi32>
}
