// SwiGLU MLP (d = 4096, F = 11008) with sparse inputs to all three projections
// (TEAL-style: top-k of |x| per row at 0%, 50% and 90% sparsity).
func.func @mlp_dense(%x: tensor<?x4096xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %wg: tensor<4096x11008xf32> {sluice.name = "w_gate", sluice.role = "weight"},
    %wu: tensor<4096x11008xf32> {sluice.name = "w_up", sluice.role = "weight"},
    %wd: tensor<11008x4096xf32> {sluice.name = "w_down", sluice.role = "weight"})
    -> (tensor<?x4096xf32> {sluice.name = "y", sluice.dims = ["T", ""]}) {
  %g = sluice.sparse_matmul %x, %wg {mode = #sluice.sparsify<topk>, k = 4096 : i64} : (tensor<?x4096xf32>, tensor<4096x11008xf32>) -> tensor<?x11008xf32>
  %u = sluice.sparse_matmul %x, %wu {mode = #sluice.sparsify<topk>, k = 4096 : i64} : (tensor<?x4096xf32>, tensor<4096x11008xf32>) -> tensor<?x11008xf32>
  %h = sluice.glu %g, %u : tensor<?x11008xf32>
  %y = sluice.sparse_matmul %h, %wd {mode = #sluice.sparsify<topk>, k = 11008 : i64} : (tensor<?x11008xf32>, tensor<11008x4096xf32>) -> tensor<?x4096xf32>
  return %y : tensor<?x4096xf32>
}
func.func @mlp_sparse50(%x: tensor<?x4096xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %wg: tensor<4096x11008xf32> {sluice.name = "w_gate", sluice.role = "weight"},
    %wu: tensor<4096x11008xf32> {sluice.name = "w_up", sluice.role = "weight"},
    %wd: tensor<11008x4096xf32> {sluice.name = "w_down", sluice.role = "weight"})
    -> (tensor<?x4096xf32> {sluice.name = "y", sluice.dims = ["T", ""]}) {
  %g = sluice.sparse_matmul %x, %wg {mode = #sluice.sparsify<topk>, k = 2048 : i64} : (tensor<?x4096xf32>, tensor<4096x11008xf32>) -> tensor<?x11008xf32>
  %u = sluice.sparse_matmul %x, %wu {mode = #sluice.sparsify<topk>, k = 2048 : i64} : (tensor<?x4096xf32>, tensor<4096x11008xf32>) -> tensor<?x11008xf32>
  %h = sluice.glu %g, %u : tensor<?x11008xf32>
  %y = sluice.sparse_matmul %h, %wd {mode = #sluice.sparsify<topk>, k = 5504 : i64} : (tensor<?x11008xf32>, tensor<11008x4096xf32>) -> tensor<?x4096xf32>
  return %y : tensor<?x4096xf32>
}
func.func @mlp_sparse90(%x: tensor<?x4096xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %wg: tensor<4096x11008xf32> {sluice.name = "w_gate", sluice.role = "weight"},
    %wu: tensor<4096x11008xf32> {sluice.name = "w_up", sluice.role = "weight"},
    %wd: tensor<11008x4096xf32> {sluice.name = "w_down", sluice.role = "weight"})
    -> (tensor<?x4096xf32> {sluice.name = "y", sluice.dims = ["T", ""]}) {
  %g = sluice.sparse_matmul %x, %wg {mode = #sluice.sparsify<topk>, k = 410 : i64} : (tensor<?x4096xf32>, tensor<4096x11008xf32>) -> tensor<?x11008xf32>
  %u = sluice.sparse_matmul %x, %wu {mode = #sluice.sparsify<topk>, k = 410 : i64} : (tensor<?x4096xf32>, tensor<4096x11008xf32>) -> tensor<?x11008xf32>
  %h = sluice.glu %g, %u : tensor<?x11008xf32>
  %y = sluice.sparse_matmul %h, %wd {mode = #sluice.sparsify<topk>, k = 1101 : i64} : (tensor<?x11008xf32>, tensor<11008x4096xf32>) -> tensor<?x4096xf32>
  return %y : tensor<?x4096xf32>
}
