// Folds and canonicalizations of the sluice dialect.
// RUN: sluice-opt %s -canonicalize -split-input-file -allow-unregistered-dialect | FileCheck %s

// sparsify keeping every input is the identity.
// CHECK-LABEL: func.func @sparsify_keep_all
// CHECK-SAME: (%[[X:.+]]: tensor<?x16xf32>, %[[N:.+]]: tensor<16xf32>)
// CHECK-NOT: sluice.sparsify
// CHECK: return %[[X]], %[[X]]
func.func @sparsify_keep_all(%x: tensor<?x16xf32>, %n: tensor<16xf32>)
    -> (tensor<?x16xf32>, tensor<?x16xf32>) {
  %0 = sluice.sparsify %x {mode = #sluice.sparsify<topk>, k = 16 : i64}
      : (tensor<?x16xf32>) -> tensor<?x16xf32>
  %1 = sluice.sparsify %x wnorm(%n) {mode = #sluice.sparsify<wina>, k = 16 : i64}
      : (tensor<?x16xf32>, tensor<16xf32>) -> tensor<?x16xf32>
  return %0, %1 : tensor<?x16xf32>, tensor<?x16xf32>
}

// -----

// Keeping fewer than N, or thresholding (NaN never passes |x| > tau), stays.
// CHECK-LABEL: func.func @sparsify_keep_some
// CHECK: sluice.sparsify %{{.+}} {k = 15 : i64, mode = #sluice.sparsify<topk>}
// CHECK: sluice.sparsify %{{.+}} {mode = #sluice.sparsify<threshold>, tau = -1.000000e+00 : f32}
func.func @sparsify_keep_some(%x: tensor<?x16xf32>) -> (tensor<?x16xf32>, tensor<?x16xf32>) {
  %0 = sluice.sparsify %x {mode = #sluice.sparsify<topk>, k = 15 : i64}
      : (tensor<?x16xf32>) -> tensor<?x16xf32>
  %1 = sluice.sparsify %x {mode = #sluice.sparsify<threshold>, tau = -1.0 : f32}
      : (tensor<?x16xf32>) -> tensor<?x16xf32>
  return %0, %1 : tensor<?x16xf32>, tensor<?x16xf32>
}

// -----

// adaptive_pool to the input's own size has one element per bin.
// CHECK-LABEL: func.func @adaptive_pool_same_size
// CHECK-SAME: (%[[X:.+]]: tensor<?x8x5x7xf32>)
// CHECK-NEXT: %[[Y:.+]] = sluice.adaptive_pool %[[X]] {output_size = array<i64: 3, 7>}
// CHECK-NEXT: return %[[X]], %[[Y]]
func.func @adaptive_pool_same_size(%x: tensor<?x8x5x7xf32>)
    -> (tensor<?x8x5x7xf32>, tensor<?x8x3x7xf32>) {
  %0 = sluice.adaptive_pool %x {kind = #sluice.spatial_pool<max>, output_size = array<i64: 5, 7>}
      : (tensor<?x8x5x7xf32>) -> tensor<?x8x5x7xf32>
  %1 = sluice.adaptive_pool %x {output_size = array<i64: 3, 7>}
      : (tensor<?x8x5x7xf32>) -> tensor<?x8x3x7xf32>
  return %0, %1 : tensor<?x8x5x7xf32>, tensor<?x8x3x7xf32>
}

// -----

// Pooling over a static unit set dimension is a reshape.
// CHECK-LABEL: func.func @pool_unit_set
// CHECK-SAME: (%[[X:.+]]: tensor<?x1x32xf32>
// CHECK: %[[R0:.+]] = tensor.collapse_shape %[[X]] {{\[}}[0], [1, 2]] : tensor<?x1x32xf32> into tensor<?x32xf32>
// CHECK: %[[R1:.+]] = tensor.collapse_shape %[[X]] {{\[}}[0], [1, 2]]
// CHECK: %[[R2:.+]] = tensor.collapse_shape %[[X]] {{\[}}[0], [1, 2]]
// CHECK-NOT: sluice.pool
// CHECK: return %[[R0]], %[[R1]], %[[R2]]
func.func @pool_unit_set(%x: tensor<?x1x32xf32>)
    -> (tensor<?x32xf32>, tensor<?x32xf32>, tensor<?x32xf32>) {
  %0 = sluice.pool %x {kind = #sluice.pool<mean>} : (tensor<?x1x32xf32>) -> tensor<?x32xf32>
  %1 = sluice.pool %x {kind = #sluice.pool<max>} : (tensor<?x1x32xf32>) -> tensor<?x32xf32>
  %2 = sluice.pool %x {kind = #sluice.pool<last>} : (tensor<?x1x32xf32>) -> tensor<?x32xf32>
  return %0, %1, %2 : tensor<?x32xf32>, tensor<?x32xf32>, tensor<?x32xf32>
}

// -----

// GeM clamps at eps, LSE rounds, and a mask may empty the row: they stay.
// CHECK-LABEL: func.func @pool_unit_set_kept
// CHECK: sluice.pool %{{.+}} {kind = #sluice.pool<gem>}
// CHECK: sluice.pool %{{.+}} {kind = #sluice.pool<lse>}
// CHECK: sluice.pool %{{.+}} mask(%{{.+}}) {kind = #sluice.pool<sum>}
// CHECK-NOT: tensor.collapse_shape
func.func @pool_unit_set_kept(%x: tensor<?x1x32xf32>, %m: tensor<?x1xi1>)
    -> (tensor<?x32xf32>, tensor<?x32xf32>, tensor<?x32xf32>) {
  %0 = sluice.pool %x {kind = #sluice.pool<gem>} : (tensor<?x1x32xf32>) -> tensor<?x32xf32>
  %1 = sluice.pool %x {kind = #sluice.pool<lse>} : (tensor<?x1x32xf32>) -> tensor<?x32xf32>
  %2 = sluice.pool %x mask(%m) {kind = #sluice.pool<sum>}
      : (tensor<?x1x32xf32>, tensor<?x1xi1>) -> tensor<?x32xf32>
  return %0, %1, %2 : tensor<?x32xf32>, tensor<?x32xf32>, tensor<?x32xf32>
}

// -----

// lora_matmul with scale 0 is the base GEMM.
// CHECK-LABEL: func.func @lora_scale_zero
// CHECK-SAME: (%[[X:.+]]: tensor<?x64xf32>, %[[W:.+]]: tensor<64x32xf32>
// CHECK-DAG: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK-DAG: %[[T:.+]] = tensor.dim %[[X]], %{{.+}} : tensor<?x64xf32>
// CHECK: %[[E:.+]] = tensor.empty(%[[T]]) : tensor<?x32xf32>
// CHECK: %[[F:.+]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[E]] : tensor<?x32xf32>)
// CHECK: %[[M:.+]] = linalg.matmul ins(%[[X]], %[[W]] : tensor<?x64xf32>, tensor<64x32xf32>) outs(%[[F]] : tensor<?x32xf32>)
// CHECK-NOT: sluice.lora_matmul
// CHECK: return %[[M]]
func.func @lora_scale_zero(%x: tensor<?x64xf32>, %w: tensor<64x32xf32>,
                           %a: tensor<64x8xf32>, %b: tensor<8x32xf32>) -> tensor<?x32xf32> {
  %0 = sluice.lora_matmul %x, %w, %a, %b {scale = 0.0 : f32}
      : (tensor<?x64xf32>, tensor<64x32xf32>, tensor<64x8xf32>, tensor<8x32xf32>) -> tensor<?x32xf32>
  return %0 : tensor<?x32xf32>
}

// -----

// active_rank 0 leaves the base GEMM; the bias initialises the accumulator.
// CHECK-LABEL: func.func @lora_rank_zero_bias
// CHECK-SAME: (%[[X:.+]]: tensor<4x64xf32>, %[[W:.+]]: tensor<64x32xf32>, %{{.+}}: tensor<64x8xf32>, %{{.+}}: tensor<8x32xf32>, %[[BIAS:.+]]: tensor<32xf32>)
// CHECK: %[[E:.+]] = tensor.empty() : tensor<4x32xf32>
// CHECK: %[[B:.+]] = linalg.broadcast ins(%[[BIAS]] : tensor<32xf32>) outs(%[[E]] : tensor<4x32xf32>) dimensions = [0]
// CHECK: %[[M:.+]] = linalg.matmul ins(%[[X]], %[[W]] : tensor<4x64xf32>, tensor<64x32xf32>) outs(%[[B]] : tensor<4x32xf32>)
// CHECK: return %[[M]]
func.func @lora_rank_zero_bias(%x: tensor<4x64xf32>, %w: tensor<64x32xf32>,
                               %a: tensor<64x8xf32>, %b: tensor<8x32xf32>,
                               %bias: tensor<32xf32>) -> tensor<4x32xf32> {
  %0 = sluice.lora_matmul %x, %w, %a, %b bias(%bias) {active_rank = 0 : i64, scale = 2.0 : f32}
      : (tensor<4x64xf32>, tensor<64x32xf32>, tensor<64x8xf32>, tensor<8x32xf32>,
         tensor<32xf32>) -> tensor<4x32xf32>
  return %0 : tensor<4x32xf32>
}

// -----

// A live update stays.
// CHECK-LABEL: func.func @lora_live
// CHECK: sluice.lora_matmul
// CHECK-NOT: linalg.matmul
func.func @lora_live(%x: tensor<?x64xf32>, %w: tensor<64x32xf32>,
                     %a: tensor<64x8xf32>, %b: tensor<8x32xf32>) -> tensor<?x32xf32> {
  %0 = sluice.lora_matmul %x, %w, %a, %b {scale = 1.0e-30 : f32}
      : (tensor<?x64xf32>, tensor<64x32xf32>, tensor<64x8xf32>, tensor<8x32xf32>) -> tensor<?x32xf32>
  return %0 : tensor<?x32xf32>
}

// -----

// topk_gate selecting every expert with raw scores is a sort of the logits.
// CHECK-LABEL: func.func @gate_all_experts_none
// CHECK-SAME: (%[[L:.+]]: tensor<?x4xf32>)
// CHECK: %[[V:.+]], %[[I:.+]] = sluice.topk %[[L]] {k = 4 : i64} : (tensor<?x4xf32>) -> (tensor<?x4xf32>, tensor<?x4xi32>)
// CHECK-NOT: sluice.topk_gate
// CHECK: return %[[V]], %[[I]]
func.func @gate_all_experts_none(%l: tensor<?x4xf32>) -> (tensor<?x4xf32>, tensor<?x4xi32>) {
  %w, %i = sluice.topk_gate %l {k = 4 : i64, score = #sluice.score<none>}
      : (tensor<?x4xf32>) -> (tensor<?x4xf32>, tensor<?x4xi32>)
  return %w, %i : tensor<?x4xf32>, tensor<?x4xi32>
}

// -----

// ... and with softmax scores a sort of the softmax.
// CHECK-LABEL: func.func @gate_all_experts_softmax
// CHECK-SAME: (%[[L:.+]]: tensor<?x4xf32>)
// CHECK: %[[S:.+]] = linalg.softmax dimension(1) ins(%[[L]] : tensor<?x4xf32>) outs(%{{.+}} : tensor<?x4xf32>) -> tensor<?x4xf32>
// CHECK: %[[V:.+]], %[[I:.+]] = sluice.topk %[[S]] {k = 4 : i64}
// CHECK: return %[[V]], %[[I]]
func.func @gate_all_experts_softmax(%l: tensor<?x4xf32>) -> (tensor<?x4xf32>, tensor<?x4xi32>) {
  %w, %i = sluice.topk_gate %l {k = 4 : i64}
      : (tensor<?x4xf32>) -> (tensor<?x4xf32>, tensor<?x4xi32>)
  return %w, %i : tensor<?x4xf32>, tensor<?x4xi32>
}

// -----

// Renormalization, bias, fewer than E experts or sigmoid scores keep the gate.
// CHECK-LABEL: func.func @gate_kept
// CHECK-COUNT-4: sluice.topk_gate
// CHECK-NOT: sluice.topk {
func.func @gate_kept(%l: tensor<?x4xf32>, %b: tensor<4xf32>) -> (tensor<?x4xf32>, tensor<?x4xi32>) {
  %w0, %i0 = sluice.topk_gate %l {k = 4 : i64, renormalize = true}
      : (tensor<?x4xf32>) -> (tensor<?x4xf32>, tensor<?x4xi32>)
  %w1, %i1 = sluice.topk_gate %l bias(%b) {k = 4 : i64}
      : (tensor<?x4xf32>, tensor<4xf32>) -> (tensor<?x4xf32>, tensor<?x4xi32>)
  %w2, %i2 = sluice.topk_gate %l {k = 3 : i64}
      : (tensor<?x4xf32>) -> (tensor<?x3xf32>, tensor<?x3xi32>)
  %w3, %i3 = sluice.topk_gate %l {k = 4 : i64, score = #sluice.score<sigmoid>}
      : (tensor<?x4xf32>) -> (tensor<?x4xf32>, tensor<?x4xi32>)
  "test.use"(%w0, %i0, %w1, %i1, %w2, %i2, %w3, %i3) : (tensor<?x4xf32>, tensor<?x4xi32>, tensor<?x4xf32>, tensor<?x4xi32>, tensor<?x3xf32>, tensor<?x3xi32>, tensor<?x4xf32>, tensor<?x4xi32>) -> ()
  return %w0, %i0 : tensor<?x4xf32>, tensor<?x4xi32>
}
