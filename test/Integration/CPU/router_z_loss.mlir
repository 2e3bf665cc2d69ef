// sluice.router_z_loss compiled for the CPU and checked against the
// reference evaluator: mean over valid tokens of logsumexp(logits)^2, without
// a mask, with an i1 mask and an i8 mask, and with nothing valid (0), for
// T = 0 (0), 1, 7, 33 from one module. Hand-written inputs check the value
// and that masked rows (here NaN and +inf) are not read.

// RUN: sluicec run %s --function=plain --check --dim T=0 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=plain --check --dim T=1 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=plain --check --dim T=7 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=plain --check --dim T=33 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
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
// RUN: sluicec run %s --function=large --check --dim T=0 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=large --check --dim T=1 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=large --check --dim T=7 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=large --check --dim T=33 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// CHECK: check loss: ok

// Rows [0, 0] (lse = log 2) and [log 3, 0] (lse = log 4) are valid:
// loss = (log(2)^2 + log(4)^2) / 2 = 2.5 log(2)^2.
// RUN: %python -c "import numpy as np; np.save('%t.l.npy', np.array([[0, 0], [np.nan, np.inf], [np.log(3), 0]], np.float32)); np.save('%t.m.npy', np.array([1, 0, 1], np.bool_))"
// RUN: sluicec run %s --function=given --check --input logits=%t.l.npy --input mask=%t.m.npy --output loss=%t.out.npy | FileCheck %s --implicit-check-not=FAILED
// RUN: %python -c "import numpy as np; l = np.load('%t.out.npy'); assert abs(l - 2.5 * np.log(2) ** 2) < 1e-5, l"

// A row with a +inf logit (lse +inf) or only -inf logits (lse -inf) makes
// the loss +inf, not NaN.
// RUN: %python -c "import numpy as np; np.save('%t.inf.npy', np.array([[0, np.inf], [-np.inf, -np.inf], [0, 0]], np.float32)); np.save('%t.m3.npy', np.array([1, 0, 1], np.bool_)); np.save('%t.m2.npy', np.array([0, 1, 1], np.bool_))"
// RUN: sluicec run %s --function=given --check --input logits=%t.inf.npy --input mask=%t.m3.npy --output loss=%t.l1.npy | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=given --check --input logits=%t.inf.npy --input mask=%t.m2.npy --output loss=%t.l2.npy | FileCheck %s --implicit-check-not=FAILED
// RUN: %python -c "import numpy as np; assert np.load('%t.l1.npy') == np.inf and np.load('%t.l2.npy') == np.inf"

// A mask of another length is a run-time error.
// RUN: not sluicec run %s --function=mask_mismatch --dim T=7 --dim U=6 2>&1 | FileCheck %s --check-prefix=MISMATCH
// MISMATCH: error: {{.*}}sluice.router_z_loss: expects mask dim 0 ({{.*}}) to equal logits dim 0

func.func @plain(%l: tensor<?x8xf32> {sluice.name = "logits", sluice.dims = ["T", ""]})
    -> (tensor<f32> {sluice.name = "loss"}) {
  %loss = sluice.router_z_loss %l : (tensor<?x8xf32>) -> tensor<f32>
  return %loss : tensor<f32>
}

func.func @mask_i1(%l: tensor<?x8xf32> {sluice.name = "logits", sluice.dims = ["T", ""]},
                   %m: tensor<?xi1> {sluice.name = "mask", sluice.dims = ["T"]})
    -> (tensor<f32> {sluice.name = "loss"}) {
  %loss = sluice.router_z_loss %l mask(%m) : (tensor<?x8xf32>, tensor<?xi1>) -> tensor<f32>
  return %loss : tensor<f32>
}

func.func @mask_i8(%l: tensor<?x8xf32> {sluice.name = "logits", sluice.dims = ["T", ""]},
                   %m: tensor<?xi8> {sluice.name = "mask", sluice.dims = ["T"], sluice.range = array<i64: 0, 3>})
    -> (tensor<f32> {sluice.name = "loss"}) {
  %loss = sluice.router_z_loss %l mask(%m) : (tensor<?x8xf32>, tensor<?xi8>) -> tensor<f32>
  return %loss : tensor<f32>
}

func.func @mask_none_valid(%l: tensor<?x8xf32> {sluice.name = "logits", sluice.dims = ["T", ""]},
                           %m: tensor<?xi1> {sluice.name = "mask", sluice.dims = ["T"], sluice.range = array<i64: 0, 1>})
    -> (tensor<f32> {sluice.name = "loss"}) {
  %loss = sluice.router_z_loss %l mask(%m) : (tensor<?x8xf32>, tensor<?xi1>) -> tensor<f32>
  return %loss : tensor<f32>
}

// Logits scaled by 100 (a linalg.mul with a constant): the max-subtracted
// logsumexp must not overflow.
func.func @large(%l: tensor<?x8xf32> {sluice.name = "logits", sluice.dims = ["T", ""]})
    -> (tensor<f32> {sluice.name = "loss"}) {
  %c0 = arith.constant 0 : index
  %t = tensor.dim %l, %c0 : tensor<?x8xf32>
  %hundred = arith.constant 100.0 : f32
  %e = tensor.empty(%t) : tensor<?x8xf32>
  %s = linalg.fill ins(%hundred : f32) outs(%e : tensor<?x8xf32>) -> tensor<?x8xf32>
  %e2 = tensor.empty(%t) : tensor<?x8xf32>
  %big = linalg.mul ins(%l, %s : tensor<?x8xf32>, tensor<?x8xf32>) outs(%e2 : tensor<?x8xf32>) -> tensor<?x8xf32>
  %loss = sluice.router_z_loss %big : (tensor<?x8xf32>) -> tensor<f32>
  return %loss : tensor<f32>
}

func.func @given(%l: tensor<?x2xf32> {sluice.name = "logits", sluice.dims = ["T", ""]},
                 %m: tensor<?xi1> {sluice.name = "mask", sluice.dims = ["T"]})
    -> (tensor<f32> {sluice.name = "loss"}) {
  %loss = sluice.router_z_loss %l mask(%m) : (tensor<?x2xf32>, tensor<?xi1>) -> tensor<f32>
  return %loss : tensor<f32>
}

func.func @mask_mismatch(%l: tensor<?x8xf32> {sluice.name = "logits", sluice.dims = ["T", ""]},
                         %m: tensor<?xi1> {sluice.name = "mask", sluice.dims = ["U"]})
    -> (tensor<f32> {sluice.name = "loss"}) {
  %loss = sluice.router_z_loss %l mask(%m) : (tensor<?x8xf32>, tensor<?xi1>) -> tensor<f32>
  return %loss : tensor<f32>
}
