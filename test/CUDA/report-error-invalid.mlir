// RUN: sluice-opt %s --split-input-file --verify-diagnostics

func.func @three(%c: i1, %a: i64) {
  // expected-error @+1 {{takes at most two values, got 3}}
  sluice_gpu.report_error %c, "m" (%a, %a, %a)
  return
}
