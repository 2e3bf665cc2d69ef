// sluice.dispatch compiled for the CPU and checked against the reference
// evaluator: slots from route (dropless with k = 2, block padding whose -1
// rows are 0, capacity drops, k = 1), for T = 0, 1, 7, 33 from one module.
// Hand-written slots spell out xs[p] = x[slots[p] / k]; a slot outside
// [-1, T*k) is a run-time error.

// RUN: sluicec run %s --function=dropless --check --dim T=0 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=dropless --check --dim T=1 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=dropless --check --dim T=7 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=dropless --check --dim T=33 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=padded --check --dim T=0 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=padded --check --dim T=1 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=padded --check --dim T=7 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=padded --check --dim T=33 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=capacity --check --dim T=0 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=capacity --check --dim T=1 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=capacity --check --dim T=7 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=capacity --check --dim T=33 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=k1 --check --dim T=0 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=k1 --check --dim T=1 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=k1 --check --dim T=7 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=k1 --check --dim T=33 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// CHECK: check xs: ok

// RUN: %python -c "import numpy as np; np.save('%t.x.npy', np.arange(12, dtype=np.float32).reshape(3, 4)); np.save('%t.s.npy', np.array([5, -1, 0, 1, -1, 2], np.int32))"
// RUN: sluicec run %s --function=given --check --input x=%t.x.npy --input slots=%t.s.npy --output xs=%t.xs.npy | FileCheck %s --implicit-check-not=FAILED
// RUN: %python -c "import numpy as np; x = np.load('%t.xs.npy'); assert x.tolist() == [[8,9,10,11], [0,0,0,0], [0,1,2,3], [0,1,2,3], [0,0,0,0], [4,5,6,7]], x"
// RUN: %python -c "import numpy as np; np.save('%t.bad.npy', np.array([0, 6], np.int32))"
// RUN: not sluicec run %s --function=given --input x=%t.x.npy --input slots=%t.bad.npy 2>&1 | FileCheck %s --check-prefix=BAD
// BAD: error: {{.*}}sluice.dispatch: slot {{.*}} out of range [-1, T*k)

func.func @dropless(%l: tensor<?x8xf32> {sluice.name = "logits", sluice.dims = ["T", ""]},
    %x: tensor<?x6xf32> {sluice.name = "x", sluice.dims = ["T", ""]})
    -> (tensor<?x6xf32> {sluice.name = "xs"}) {
  %w, %i = sluice.topk_gate %l {k = 2 : i64}
      : (tensor<?x8xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  %c, %o, %s, %keep = sluice.route %i, %w {num_experts = 8 : i64}
      : (tensor<?x2xi32>, tensor<?x2xf32>) -> (tensor<8xi32>, tensor<9xi32>, tensor<?xi32>, tensor<?x2xi32>)
  %xs = sluice.dispatch %x, %s {k = 2 : i64} : (tensor<?x6xf32>, tensor<?xi32>) -> tensor<?x6xf32>
  return %xs : tensor<?x6xf32>
}

func.func @padded(%l: tensor<?x8xf32> {sluice.name = "logits", sluice.dims = ["T", ""]},
    %x: tensor<?x6xf32> {sluice.name = "x", sluice.dims = ["T", ""]})
    -> (tensor<?x6xf32> {sluice.name = "xs"}) {
  %w, %i = sluice.topk_gate %l {k = 2 : i64}
      : (tensor<?x8xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  %c, %o, %s, %keep = sluice.route %i, %w {num_experts = 8 : i64, block = 4 : i64}
      : (tensor<?x2xi32>, tensor<?x2xf32>) -> (tensor<8xi32>, tensor<9xi32>, tensor<?xi32>, tensor<?x2xi32>)
  %xs = sluice.dispatch %x, %s {k = 2 : i64} : (tensor<?x6xf32>, tensor<?xi32>) -> tensor<?x6xf32>
  return %xs : tensor<?x6xf32>
}

func.func @capacity(%l: tensor<?x4xf32> {sluice.name = "logits", sluice.dims = ["T", ""]},
    %x: tensor<?x6xf32> {sluice.name = "x", sluice.dims = ["T", ""]})
    -> (tensor<?x6xf32> {sluice.name = "xs"}) {
  %w, %i = sluice.topk_gate %l {k = 2 : i64}
      : (tensor<?x4xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  %c, %o, %s, %keep = sluice.route %i, %w {num_experts = 4 : i64, capacity = 2 : i64, drop = #sluice.drop<by_weight>, block = 2 : i64}
      : (tensor<?x2xi32>, tensor<?x2xf32>) -> (tensor<4xi32>, tensor<5xi32>, tensor<?xi32>, tensor<?x2xi32>)
  %xs = sluice.dispatch %x, %s {k = 2 : i64} : (tensor<?x6xf32>, tensor<?xi32>) -> tensor<?x6xf32>
  return %xs : tensor<?x6xf32>
}

func.func @k1(%l: tensor<?x4xf32> {sluice.name = "logits", sluice.dims = ["T", ""]},
    %x: tensor<?x6xf32> {sluice.name = "x", sluice.dims = ["T", ""]})
    -> (tensor<?x6xf32> {sluice.name = "xs"}) {
  %w, %i = sluice.topk_gate %l {k = 1 : i64}
      : (tensor<?x4xf32>) -> (tensor<?x1xf32>, tensor<?x1xi32>)
  %c, %o, %s, %keep = sluice.route %i, %w {num_experts = 4 : i64}
      : (tensor<?x1xi32>, tensor<?x1xf32>) -> (tensor<4xi32>, tensor<5xi32>, tensor<?xi32>, tensor<?x1xi32>)
  %xs = sluice.dispatch %x, %s {k = 1 : i64} : (tensor<?x6xf32>, tensor<?xi32>) -> tensor<?x6xf32>
  return %xs : tensor<?x6xf32>
}

func.func @given(%x: tensor<?x4xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %s: tensor<?xi32> {sluice.name = "slots", sluice.dims = ["P"]})
    -> (tensor<?x4xf32> {sluice.name = "xs"}) {
  %xs = sluice.dispatch %x, %s {k = 2 : i64} : (tensor<?x4xf32>, tensor<?xi32>) -> tensor<?x4xf32>
  return %xs : tensor<?x4xf32>
}
