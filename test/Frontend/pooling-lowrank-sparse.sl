# Round trip of the pooling, low-rank and sparse-activation ops.
# RUN: sluicec compile %s --emit=mlir -o - | FileCheck %s

model heads(d = 32, n = 48, r = 8, adapters = 3, groups = 4, queries = 2)

weight q: f32[queries, d]
weight fw: f32[d, d]
weight gp: f32[groups]
weight w: f32[d, n]
weight a: f32[d, r]
weight b: f32[r, n]
weight bias: f32[n]
weight la: f32[adapters, d, r]
weight lb: f32[adapters, r, n]
weight wn: f32[d]

# CHECK-LABEL: func.func @pools(
# CHECK-SAME: %{{.+}}: tensor<?x?x32xf32> {sluice.dims = ["B", "N", ""], sluice.name = "x"}
# CHECK-SAME: %{{.+}}: tensor<?xi32> {sluice.dims = ["B"], sluice.name = "len", sluice.range = array<i64: 0, 5>}
func pools {
  input x: f32[B, N, d]
  input m: i1[B, N]
  input len: i32[B] range(0, 5)
  # CHECK: sluice.pool %{{.+}} mask(%{{.+}}) {kind = #sluice.pool<mean>} : (tensor<?x?x32xf32>, tensor<?x?xi1>) -> tensor<?x32xf32>
  p1 = pool(x, mask = m, kind = mean)
  # CHECK: sluice.pool %{{.+}} lengths(%{{.+}}) {kind = #sluice.pool<last>} : (tensor<?x?x32xf32>, tensor<?xi32>) -> tensor<?x32xf32>
  p2 = pool(x, lengths = len, kind = last)
  # CHECK: sluice.pool %{{.+}} mask(%{{.+}}) group_p(%{{.+}}) {groups = 4 : i64, kind = #sluice.pool<gem>}
  p3 = pool(x, mask = m, group_p = gp, kind = gem, groups = groups)
  # CHECK: sluice.pool %{{.+}} {eps = 9.99999974E-5 : f32, kind = #sluice.pool<gem>, p = 2.000000e+00 : f32}
  p4 = pool(x, kind = gem, p = 2, eps = 1e-4)
  # CHECK: sluice.attention_pool %{{.+}}, %{{.+}} mask(%{{.+}}) {heads = 4 : i64} : (tensor<?x?x32xf32>, tensor<2x32xf32>, tensor<?x?xi1>) -> tensor<?x2x32xf32>
  a1 = attention_pool(x, q, mask = m, heads = 4)
  # CHECK: sluice.attention_pool %{{.+}}, %{{.+}} {kind = #sluice.attention_pool<featurewise>} : (tensor<?x?x32xf32>, tensor<32x32xf32>) -> tensor<?x1x32xf32>
  a2 = attention_pool(x, fw, kind = featurewise)
  output p1, p2, p3, p4, a1, a2
}

# CHECK-LABEL: func.func @spatial(
func spatial {
  input img: f32[B, 3, 13, 13]
  input rows: f32[R, d]
  input offsets: i32[5]
  # CHECK: sluice.adaptive_pool %{{.+}} {kind = #sluice.spatial_pool<max>, output_size = array<i64: 7, 5>} : (tensor<?x3x13x13xf32>) -> tensor<?x3x7x5xf32>
  s1 = adaptive_pool(img, output_size = [7, 5], kind = max)
  # 3 * (16 + 4 + 1) = 63
  # CHECK: sluice.spatial_pyramid_pool %{{.+}} {levels = array<i64: 4, 2, 1>} : (tensor<?x3x13x13xf32>) -> tensor<?x63xf32>
  s2 = spatial_pyramid_pool(img, levels = [4, 2, 1])
  # CHECK: sluice.segment_pool %{{.+}}, %{{.+}} {kind = #sluice.pool<lse>, r = 2.000000e+00 : f32} : (tensor<?x32xf32>, tensor<5xi32>) -> tensor<4x32xf32>
  s3 = segment_pool(rows, offsets, kind = lse, r = 2)
  output s1, s2, s3
}

# CHECK-LABEL: func.func @lowrank(
func lowrank {
  input x: f32[T, d]
  input ids: i32[T, 1] range(-1, 3)
  input ids2: i32[T, 2] range(0, 3)
  input g: f32[T, 2]
  input rg: f32[T, r]
  # CHECK: sluice.lora_matmul %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}} bias(%{{.+}}) {active_rank = 4 : i64, scale = 2.000000e+00 : f32} : (tensor<?x32xf32>, tensor<32x48xf32>, tensor<32x8xf32>, tensor<8x48xf32>, tensor<48xf32>) -> tensor<?x48xf32>
  y1 = lora_matmul(x, w, a, b, bias, scale = 16 / r, active_rank = r / 2)
  # CHECK: sluice.lora_matmul %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}} rank_gates(%{{.+}}) : (tensor<?x32xf32>, tensor<32x48xf32>, tensor<32x8xf32>, tensor<8x48xf32>, tensor<?x8xf32>) -> tensor<?x48xf32>
  y2 = lora_matmul(x, w, a, b, rank_gates = rg)
  # CHECK: sluice.multi_lora_matmul %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}} {scale = 5.000000e-01 : f32} : (tensor<?x32xf32>, tensor<32x48xf32>, tensor<3x32x8xf32>, tensor<3x8x48xf32>, tensor<?x1xi32>) -> tensor<?x48xf32>
  y3 = multi_lora_matmul(x, w, la, lb, ids, scale = 0.5)
  # CHECK: sluice.multi_lora_matmul %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}} gates(%{{.+}}) bias(%{{.+}})
  y4 = multi_lora_matmul(x, w, la, lb, ids2, gates = g, bias = bias)
  # CHECK: sluice.lowrank_matmul %{{.+}}, %{{.+}}, %{{.+}} : (tensor<?x32xf32>, tensor<32x8xf32>, tensor<8x48xf32>) -> tensor<?x48xf32>
  y5 = lowrank_matmul(x, a, b)
  output y1, y2, y3, y4, y5
}

# CHECK-LABEL: func.func @sparse(
func sparse {
  input x: f32[T, d]
  # CHECK: sluice.sparsify %{{.+}} {mode = #sluice.sparsify<threshold>, tau = 5.000000e-01 : f32}
  s1 = sparsify(x, mode = threshold, tau = 0.5)
  # CHECK: sluice.sparsify %{{.+}} wnorm(%{{.+}}) {k = 8 : i64, mode = #sluice.sparsify<wina>} : (tensor<?x32xf32>, tensor<32xf32>) -> tensor<?x32xf32>
  s2 = sparsify(s1, wnorm = wn, mode = wina, k = d / 4)
  # CHECK: sluice.sparse_matmul %{{.+}}, %{{.+}} {k = 4 : i64, mode = #sluice.sparsify<topk>} : (tensor<?x32xf32>, tensor<32x48xf32>) -> tensor<?x48xf32>
  m1 = sparse_matmul(s2, w, mode = topk, k = 4)
  # CHECK: sluice.topk %{{.+}} {k = 3 : i64, largest = false} : (tensor<?x48xf32>) -> (tensor<?x3xf32>, tensor<?x3xi32>)
  v, i = topk(m1, k = 3, largest = false)
  output v, i
}
