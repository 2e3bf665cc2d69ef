func.func @f(%l: tensor<?x64xf32>) -> (tensor<?x80xf32>, tensor<?x80xi32>) {
  %w, %i = sluice.topk_gate %l {k = 80 : i64} : (tensor<?x64xf32>) -> (tensor<?x80xf32>, tensor<?x80xi32>)
  return %w, %i : tensor<?x80xf32>, tensor<?x80xi32>
}
