# Every generated op carries the .sl location of the call it comes from
# (the upstream ops of a basic op included); nothing is left unknown.
# RUN: sluicec compile %s --emit=mlir --mlir-print-debuginfo -o - | FileCheck %s
# CHECK-NOT: loc(unknown)

model locations(d = 8, experts = 4)
weight router: f32[d, experts]

func f {
  input x: f32[T, d]
  # CHECK-DAG: loc("{{.*}}locations.sl":[[@LINE+1]]:12)
  logits = matmul(x, router)
  # CHECK-DAG: loc("{{.*}}locations.sl":[[@LINE+1]]:12)
  w, idx = topk_gate(softmax(logits), k = 2)
  # CHECK-DAG: loc("{{.*}}locations.sl":[[@LINE-1]]:22)
  # CHECK-DAG: loc("{{.*}}locations.sl":[[@LINE+1]]:7)
  y = w * 2.0
  # CHECK-DAG: loc("{{.*}}locations.sl":[[@LINE+1]]:10)
  output y
}
