// sluice.load_balance_loss compiled for the CPU and checked against the
// reference evaluator: probs from a softmax gate with its top-k indices
// (k = 2, k = 1, k = E), random probs and ids, an i1 mask and an i8 mask, a
// mask with nothing valid (loss 0), for T = 0 (loss 0), 1, 7, 33 from one
// module. Hand-written inputs check E * sum_e (c_e / T') P_e, not divided by
// k, and that masked rows are not read (their ids may be out of range).

// RUN: sluicec run %s --function=gate_k2 --check --dim T=0 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=gate_k2 --check --dim T=1 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=gate_k2 --check --dim T=7 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=gate_k2 --check --dim T=33 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=gate_k1 --check --dim T=0 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=gate_k1 --check --dim T=1 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=gate_k1 --check --dim T=7 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=gate_k1 --check --dim T=33 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=gate_k_all --check --dim T=0 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=gate_k_all --check --dim T=1 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=gate_k_all --check --dim T=7 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=gate_k_all --check --dim T=33 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=random_ids --check --dim T=0 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=random_ids --check --dim T=1 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=random_ids --check --dim T=7 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=random_ids --check --dim T=33 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=mask_i1 --check --dim T=0 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=mask_i1 --check --dim T=1 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=mask_i1 --check --dim T=7 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=mask_i1 --check --dim T=33 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=mask_i8 --check --dim T=0 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=mask_i8 --check --dim T=1 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=mask_i8 --check --dim T=7 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=mask_i8 --check --dim T=33 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=mask_none_valid --check --dim T=0 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=mask_none_valid --check --dim T=1 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=mask_none_valid --check --dim T=7 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=mask_none_valid --check --dim T=33 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// CHECK: check loss: ok

// T' = 2 valid rows of 3 (row 1 is masked and holds an id of 99 and NaN
// probs), E = 2, k = 2: c = [3, 1], P = [0.7, 0.3]:
// loss = 2 * (3/2 * 0.7 + 1/2 * 0.3) = 2.4.
// RUN: %python -c "import numpy as np; np.save('%t.p.npy', np.array([[.6, .4], [np.nan, np.nan], [.8, .2]], np.float32)); np.save('%t.i.npy', np.array([[0, 1], [99, -5], [0, 0]], np.int32)); np.save('%t.m.npy', np.array([1, 0, 1], np.int8))"
// RUN: sluicec run %s --function=given --check --input probs=%t.p.npy --input indices=%t.i.npy --input mask=%t.m.npy --output loss=%t.l.npy | FileCheck %s --implicit-check-not=FAILED
// RUN: %python -c "import numpy as np; l = np.load('%t.l.npy'); assert abs(l - 2.4) < 1e-5, l"

// A mask of another length is a run-time error.
// RUN: not sluicec run %s --function=mask_mismatch --dim T=7 --dim U=8 2>&1 | FileCheck %s --check-prefix=MASK
// MASK: error: {{.*}}sluice.load_balance_loss: expects mask dim 0 (8) to equal probs dim 0 (7)

func.func @gate_k2(%l: tensor<?x8xf32> {sluice.name = "logits", sluice.dims = ["T", ""]})
    -> (tensor<f32> {sluice.name = "loss"}) {
  %w, %i = sluice.topk_gate %l {k = 2 : i64} : (tensor<?x8xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  %p, %pi = sluice.topk_gate %l {k = 8 : i64, temperature = 1.5 : f32} : (tensor<?x8xf32>) -> (tensor<?x8xf32>, tensor<?x8xi32>)
  %loss = sluice.load_balance_loss %p, %i : (tensor<?x8xf32>, tensor<?x2xi32>) -> tensor<f32>
  return %loss : tensor<f32>
}

func.func @gate_k1(%l: tensor<?x4xf32> {sluice.name = "logits", sluice.dims = ["T", ""]},
                   %p: tensor<?x4xf32> {sluice.name = "probs", sluice.dims = ["T", ""]})
    -> (tensor<f32> {sluice.name = "loss"}) {
  %w, %i = sluice.topk_gate %l {k = 1 : i64} : (tensor<?x4xf32>) -> (tensor<?x1xf32>, tensor<?x1xi32>)
  %loss = sluice.load_balance_loss %p, %i : (tensor<?x4xf32>, tensor<?x1xi32>) -> tensor<f32>
  return %loss : tensor<f32>
}

func.func @gate_k_all(%l: tensor<?x4xf32> {sluice.name = "logits", sluice.dims = ["T", ""]},
                      %p: tensor<?x4xf32> {sluice.name = "probs", sluice.dims = ["T", ""]})
    -> (tensor<f32> {sluice.name = "loss"}) {
  %w, %i = sluice.topk_gate %l {k = 4 : i64, score = #sluice.score<sigmoid>} : (tensor<?x4xf32>) -> (tensor<?x4xf32>, tensor<?x4xi32>)
  %loss = sluice.load_balance_loss %p, %i : (tensor<?x4xf32>, tensor<?x4xi32>) -> tensor<f32>
  return %loss : tensor<f32>
}

func.func @random_ids(%p: tensor<?x6xf32> {sluice.name = "probs", sluice.dims = ["T", ""]},
                  %i: tensor<?x3xi32> {sluice.name = "indices", sluice.dims = ["T", ""], sluice.range = array<i64: 0, 6>})
    -> (tensor<f32> {sluice.name = "loss"}) {
  %loss = sluice.load_balance_loss %p, %i : (tensor<?x6xf32>, tensor<?x3xi32>) -> tensor<f32>
  return %loss : tensor<f32>
}

func.func @mask_i1(%p: tensor<?x6xf32> {sluice.name = "probs", sluice.dims = ["T", ""]},
                   %i: tensor<?x2xi32> {sluice.name = "indices", sluice.dims = ["T", ""], sluice.range = array<i64: 0, 6>},
                   %m: tensor<?xi1> {sluice.name = "mask", sluice.dims = ["T"]})
    -> (tensor<f32> {sluice.name = "loss"}) {
  %loss = sluice.load_balance_loss %p, %i mask(%m) : (tensor<?x6xf32>, tensor<?x2xi32>, tensor<?xi1>) -> tensor<f32>
  return %loss : tensor<f32>
}

func.func @mask_i8(%p: tensor<?x6xf32> {sluice.name = "probs", sluice.dims = ["T", ""]},
                   %i: tensor<?x2xi32> {sluice.name = "indices", sluice.dims = ["T", ""], sluice.range = array<i64: 0, 6>},
                   %m: tensor<?xi8> {sluice.name = "mask", sluice.dims = ["T"], sluice.range = array<i64: -2, 3>})
    -> (tensor<f32> {sluice.name = "loss"}) {
  %loss = sluice.load_balance_loss %p, %i mask(%m) : (tensor<?x6xf32>, tensor<?x2xi32>, tensor<?xi8>) -> tensor<f32>
  return %loss : tensor<f32>
}

func.func @mask_none_valid(%p: tensor<?x6xf32> {sluice.name = "probs", sluice.dims = ["T", ""]},
                           %i: tensor<?x2xi32> {sluice.name = "indices", sluice.dims = ["T", ""], sluice.range = array<i64: 0, 6>},
                           %m: tensor<?xi1> {sluice.name = "mask", sluice.dims = ["T"], sluice.range = array<i64: 0, 1>})
    -> (tensor<f32> {sluice.name = "loss"}) {
  %loss = sluice.load_balance_loss %p, %i mask(%m) : (tensor<?x6xf32>, tensor<?x2xi32>, tensor<?xi1>) -> tensor<f32>
  return %loss : tensor<f32>
}

func.func @given(%p: tensor<?x2xf32> {sluice.name = "probs", sluice.dims = ["T", ""]},
                 %i: tensor<?x2xi32> {sluice.name = "indices", sluice.dims = ["T", ""]},
                 %m: tensor<?xi8> {sluice.name = "mask", sluice.dims = ["T"]})
    -> (tensor<f32> {sluice.name = "loss"}) {
  %loss = sluice.load_balance_loss %p, %i mask(%m) : (tensor<?x2xf32>, tensor<?x2xi32>, tensor<?xi8>) -> tensor<f32>
  return %loss : tensor<f32>
}

func.func @mask_mismatch(%p: tensor<?x6xf32> {sluice.name = "probs", sluice.dims = ["T", ""]},
                         %i: tensor<?x2xi32> {sluice.name = "indices", sluice.dims = ["T", ""], sluice.range = array<i64: 0, 6>},
                         %m: tensor<?xi1> {sluice.name = "mask", sluice.dims = ["U"]})
    -> (tensor<f32> {sluice.name = "loss"}) {
  %loss = sluice.load_balance_loss %p, %i mask(%m) : (tensor<?x6xf32>, tensor<?x2xi32>, tensor<?xi1>) -> tensor<f32>
  return %loss : tensor<f32>
}
