// sluice.topk_gate compiled for the CPU and checked against the reference
// evaluator: every score function, renormalize / scale / temperature,
// k = 1 and k = E, DeepSeek-V2 (max) and DeepSeek-V3 (sigmoid, bias,
// top2_sum) group-limited selection, for T = 0, 1, 7, 33 from one module.
// Ties, NaN and -inf keys use hand-written inputs whose expected picks are
// spelled out below (common selection order: ties by the lower index, NaN
// last, experts of dropped groups after every kept expert).

// Mixtral / Qwen3-MoE: softmax, renormalize.
// RUN: sluicec run %s --function=mixtral --check --dim T=0 | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED
// RUN: sluicec run %s --function=mixtral --check --dim T=1 | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED
// RUN: sluicec run %s --function=mixtral --check --dim T=7 | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED
// RUN: sluicec run %s --function=mixtral --check --dim T=33 | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED
// Tokens run in parallel on the runtime pool (per-token scratch on each
// iteration's stack): the same results with 2 threads.
// RUN: sluicec run %s --function=mixtral --check --threads=2 --dim T=97 | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED

// k = 1, softmax without renormalize (OLMoE / DeepSeekMoE style), temperature.
// RUN: sluicec run %s --function=k1 --check --dim T=0 | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED
// RUN: sluicec run %s --function=k1 --check --dim T=1 | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED
// RUN: sluicec run %s --function=k1 --check --dim T=7 | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED
// RUN: sluicec run %s --function=k1 --check --dim T=33 | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED

// k = E: every expert, sorted.
// RUN: sluicec run %s --function=k_all --check --dim T=0 | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED
// RUN: sluicec run %s --function=k_all --check --dim T=1 | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED
// RUN: sluicec run %s --function=k_all --check --dim T=7 | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED
// RUN: sluicec run %s --function=k_all --check --dim T=33 | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED

// Sigmoid scores, renormalize, scale.
// RUN: sluicec run %s --function=sigmoid --check --dim T=0 | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED
// RUN: sluicec run %s --function=sigmoid --check --dim T=1 | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED
// RUN: sluicec run %s --function=sigmoid --check --dim T=7 | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED
// RUN: sluicec run %s --function=sigmoid --check --dim T=33 | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED

// softmax_topk with a temperature; score none with a scale.
// RUN: sluicec run %s --function=softmax_topk --check --dim T=0 | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED
// RUN: sluicec run %s --function=softmax_topk --check --dim T=1 | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED
// RUN: sluicec run %s --function=softmax_topk --check --dim T=7 | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED
// RUN: sluicec run %s --function=softmax_topk --check --dim T=33 | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED
// RUN: sluicec run %s --function=none --check --dim T=0 | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED
// RUN: sluicec run %s --function=none --check --dim T=1 | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED
// RUN: sluicec run %s --function=none --check --dim T=7 | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED
// RUN: sluicec run %s --function=none --check --dim T=33 | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED

// DeepSeek-V3: sigmoid, selection bias, groups 4 / topk_groups 2, top2_sum,
// renormalize, scale 2.5.
// RUN: sluicec run %s --function=deepseek_v3 --random-weights --check --dim T=0 | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED
// RUN: sluicec run %s --function=deepseek_v3 --random-weights --check --dim T=1 | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED
// RUN: sluicec run %s --function=deepseek_v3 --random-weights --check --dim T=7 | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED
// RUN: sluicec run %s --function=deepseek_v3 --random-weights --check --dim T=33 | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED
// RUN: sluicec run %s --function=deepseek_v3 --random-weights=5 --seed=3 --check --dim T=33 | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED
// RUN: sluicec run %s --function=deepseek_v3 --random-weights --check --threads=2 --dim T=97 | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED

// DeepSeek-V2: softmax, groups 4 / topk_groups 3, max, scale 16.
// RUN: sluicec run %s --function=deepseek_v2 --check --dim T=0 | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED
// RUN: sluicec run %s --function=deepseek_v2 --check --dim T=1 | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED
// RUN: sluicec run %s --function=deepseek_v2 --check --dim T=7 | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED
// RUN: sluicec run %s --function=deepseek_v2 --check --dim T=33 | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED

// GATE: check weights: ok
// GATE: check indices: ok

// Ties: equal softmax scores are taken in index order.
// RUN: %python -c "import numpy as np; np.save('%t.ties.npy', np.array([[0,0,0,0,0,0,0,0], [1,2,2,1,0,2,0,1], [-1,-1,3,3,-1,3,-1,3]], np.float32))"
// RUN: sluicec run %s --function=ties --check --input logits=%t.ties.npy --output indices=%t.ties.idx.npy | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED
// RUN: %python -c "import numpy as np; i = np.load('%t.ties.idx.npy'); assert (i == [[0,1,2], [1,2,5], [2,3,5]]).all(), i"

// NaN keys last (after -inf) with score none; with groups, a kept group's
// -inf and NaN experts still rank before every expert of a dropped group,
// and a NaN / -inf group value ranks last (top2_sum).
// RUN: %python -c "import numpy as np; np.save('%t.nan.npy', np.array([[9,-np.inf,8,np.nan,1,2,3,4], [np.nan,1,-np.inf,2,3,3,0,0], [5,5,5,5,5,5,5,5]], np.float32))"
// RUN: sluicec run %s --function=nan_none --check --input logits=%t.nan.npy --output indices=%t.nan.idx.npy | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED
// RUN: %python -c "import numpy as np; i = np.load('%t.nan.idx.npy'); assert (i == [[0,2,7,6,5,4,1,3], [4,5,3,1,6,7,2,0], [0,1,2,3,4,5,6,7]]).all(), i"
// RUN: sluicec run %s --function=nan_groups_max --check --input logits=%t.nan.npy --output indices=%t.nanmax.idx.npy | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED
// RUN: %python -c "import numpy as np; i = np.load('%t.nanmax.idx.npy'); assert (i == [[0,2,1,3], [4,5,3,2], [0,1,2,3]]).all(), i"
// RUN: sluicec run %s --function=nan_groups_top2 --check --input logits=%t.nan.npy --output indices=%t.nantop2.idx.npy | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED
// RUN: %python -c "import numpy as np; i = np.load('%t.nantop2.idx.npy'); assert (i == [[7,6,5,4], [4,5,6,7], [0,1,2,3]]).all(), i"

// A bias of dynamic length must have E entries (run-time error otherwise).
// RUN: sluicec run %s --function=bias_dynamic --check --dim T=7 --dim E=8 | FileCheck %s --check-prefix=GATE --implicit-check-not=FAILED
// RUN: not sluicec run %s --function=bias_dynamic --dim T=7 --dim E=3 2>&1 | FileCheck %s --check-prefix=BIAS
// BIAS: error: {{.*}}sluice.topk_gate: expects bias dim 0 ({{.*}}) to equal logits dim 1

func.func @mixtral(%l: tensor<?x8xf32> {sluice.name = "logits", sluice.dims = ["T", ""]})
    -> (tensor<?x2xf32> {sluice.name = "weights"}, tensor<?x2xi32> {sluice.name = "indices"}) {
  %w, %i = sluice.topk_gate %l {k = 2 : i64, renormalize = true}
      : (tensor<?x8xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  return %w, %i : tensor<?x2xf32>, tensor<?x2xi32>
}

func.func @k1(%l: tensor<?x8xf32> {sluice.name = "logits", sluice.dims = ["T", ""]})
    -> (tensor<?x1xf32> {sluice.name = "weights"}, tensor<?x1xi32> {sluice.name = "indices"}) {
  %w, %i = sluice.topk_gate %l {k = 1 : i64, temperature = 0.7 : f32}
      : (tensor<?x8xf32>) -> (tensor<?x1xf32>, tensor<?x1xi32>)
  return %w, %i : tensor<?x1xf32>, tensor<?x1xi32>
}

func.func @k_all(%l: tensor<?x8xf32> {sluice.name = "logits", sluice.dims = ["T", ""]})
    -> (tensor<?x8xf32> {sluice.name = "weights"}, tensor<?x8xi32> {sluice.name = "indices"}) {
  %w, %i = sluice.topk_gate %l {k = 8 : i64, renormalize = true}
      : (tensor<?x8xf32>) -> (tensor<?x8xf32>, tensor<?x8xi32>)
  return %w, %i : tensor<?x8xf32>, tensor<?x8xi32>
}

func.func @sigmoid(%l: tensor<?x8xf32> {sluice.name = "logits", sluice.dims = ["T", ""]})
    -> (tensor<?x3xf32> {sluice.name = "weights"}, tensor<?x3xi32> {sluice.name = "indices"}) {
  %w, %i = sluice.topk_gate %l {k = 3 : i64, score = #sluice.score<sigmoid>,
      renormalize = true, scale = 1.5 : f32}
      : (tensor<?x8xf32>) -> (tensor<?x3xf32>, tensor<?x3xi32>)
  return %w, %i : tensor<?x3xf32>, tensor<?x3xi32>
}

func.func @softmax_topk(%l: tensor<?x8xf32> {sluice.name = "logits", sluice.dims = ["T", ""]})
    -> (tensor<?x4xf32> {sluice.name = "weights"}, tensor<?x4xi32> {sluice.name = "indices"}) {
  %w, %i = sluice.topk_gate %l {k = 4 : i64, score = #sluice.score<softmax_topk>,
      temperature = 0.5 : f32}
      : (tensor<?x8xf32>) -> (tensor<?x4xf32>, tensor<?x4xi32>)
  return %w, %i : tensor<?x4xf32>, tensor<?x4xi32>
}

func.func @none(%l: tensor<?x8xf32> {sluice.name = "logits", sluice.dims = ["T", ""]})
    -> (tensor<?x3xf32> {sluice.name = "weights"}, tensor<?x3xi32> {sluice.name = "indices"}) {
  %w, %i = sluice.topk_gate %l {k = 3 : i64, score = #sluice.score<none>, scale = 0.5 : f32}
      : (tensor<?x8xf32>) -> (tensor<?x3xf32>, tensor<?x3xi32>)
  return %w, %i : tensor<?x3xf32>, tensor<?x3xi32>
}

func.func @deepseek_v3(%l: tensor<?x16xf32> {sluice.name = "logits", sluice.dims = ["T", ""]},
                       %b: tensor<16xf32> {sluice.name = "bias", sluice.role = "weight"})
    -> (tensor<?x4xf32> {sluice.name = "weights"}, tensor<?x4xi32> {sluice.name = "indices"}) {
  %w, %i = sluice.topk_gate %l bias(%b) {k = 4 : i64, score = #sluice.score<sigmoid>,
      groups = 4 : i64, topk_groups = 2 : i64, group_score = #sluice.group_score<top2_sum>,
      renormalize = true, scale = 2.5 : f32}
      : (tensor<?x16xf32>, tensor<16xf32>) -> (tensor<?x4xf32>, tensor<?x4xi32>)
  return %w, %i : tensor<?x4xf32>, tensor<?x4xi32>
}

func.func @deepseek_v2(%l: tensor<?x16xf32> {sluice.name = "logits", sluice.dims = ["T", ""]})
    -> (tensor<?x6xf32> {sluice.name = "weights"}, tensor<?x6xi32> {sluice.name = "indices"}) {
  %w, %i = sluice.topk_gate %l {k = 6 : i64, groups = 4 : i64, topk_groups = 3 : i64,
      scale = 16.0 : f32}
      : (tensor<?x16xf32>) -> (tensor<?x6xf32>, tensor<?x6xi32>)
  return %w, %i : tensor<?x6xf32>, tensor<?x6xi32>
}

func.func @ties(%l: tensor<?x8xf32> {sluice.name = "logits", sluice.dims = ["T", ""]})
    -> (tensor<?x3xf32> {sluice.name = "weights"}, tensor<?x3xi32> {sluice.name = "indices"}) {
  %w, %i = sluice.topk_gate %l {k = 3 : i64}
      : (tensor<?x8xf32>) -> (tensor<?x3xf32>, tensor<?x3xi32>)
  return %w, %i : tensor<?x3xf32>, tensor<?x3xi32>
}

func.func @nan_none(%l: tensor<?x8xf32> {sluice.name = "logits", sluice.dims = ["T", ""]})
    -> (tensor<?x8xf32> {sluice.name = "weights"}, tensor<?x8xi32> {sluice.name = "indices"}) {
  %w, %i = sluice.topk_gate %l {k = 8 : i64, score = #sluice.score<none>}
      : (tensor<?x8xf32>) -> (tensor<?x8xf32>, tensor<?x8xi32>)
  return %w, %i : tensor<?x8xf32>, tensor<?x8xi32>
}

func.func @nan_groups_max(%l: tensor<?x8xf32> {sluice.name = "logits", sluice.dims = ["T", ""]})
    -> (tensor<?x4xf32> {sluice.name = "weights"}, tensor<?x4xi32> {sluice.name = "indices"}) {
  %w, %i = sluice.topk_gate %l {k = 4 : i64, score = #sluice.score<none>,
      groups = 4 : i64, topk_groups = 2 : i64}
      : (tensor<?x8xf32>) -> (tensor<?x4xf32>, tensor<?x4xi32>)
  return %w, %i : tensor<?x4xf32>, tensor<?x4xi32>
}

func.func @nan_groups_top2(%l: tensor<?x8xf32> {sluice.name = "logits", sluice.dims = ["T", ""]})
    -> (tensor<?x4xf32> {sluice.name = "weights"}, tensor<?x4xi32> {sluice.name = "indices"}) {
  %w, %i = sluice.topk_gate %l {k = 4 : i64, score = #sluice.score<none>,
      groups = 4 : i64, topk_groups = 2 : i64, group_score = #sluice.group_score<top2_sum>}
      : (tensor<?x8xf32>) -> (tensor<?x4xf32>, tensor<?x4xi32>)
  return %w, %i : tensor<?x4xf32>, tensor<?x4xi32>
}

func.func @bias_dynamic(%l: tensor<?x8xf32> {sluice.name = "logits", sluice.dims = ["T", ""]},
                        %b: tensor<?xf32> {sluice.name = "bias", sluice.dims = ["E"]})
    -> (tensor<?x2xf32> {sluice.name = "weights"}, tensor<?x2xi32> {sluice.name = "indices"}) {
  %w, %i = sluice.topk_gate %l bias(%b) {k = 2 : i64, score = #sluice.score<sigmoid>}
      : (tensor<?x8xf32>, tensor<?xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  return %w, %i : tensor<?x2xf32>, tensor<?x2xi32>
}
