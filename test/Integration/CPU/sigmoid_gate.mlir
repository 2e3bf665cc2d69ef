// sluice.sigmoid_gate compiled for the CPU and checked against the reference
// evaluator: a per-head gate g[T, H] (head h owns columns [h*Dh, (h+1)*Dh)),
// an elementwise gate g[T, H*Dh], and a single head (H = 1), for
// T = 0, 1, 7, 33 from one module.

// RUN: sluicec run %s --function=heads --check --dim T=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=heads --check --dim T=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=heads --check --dim T=7 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=heads --check --dim T=33 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=elementwise --check --dim T=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=elementwise --check --dim T=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=elementwise --check --dim T=7 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=elementwise --check --dim T=33 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=one_head --check --dim T=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=one_head --check --dim T=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=one_head --check --dim T=7 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=one_head --check --dim T=33 | FileCheck %s --implicit-check-not=FAILED
// CHECK: check out: ok

// Hand-checked: head h of token 0 is scaled by sigmoid(g[0, h]); g = 0 gives
// 1/2, g = +-inf gives 1 / 0.
// RUN: %python -c "import numpy as np; np.save('%t.x.npy', np.ones((1, 8), np.float32)); np.save('%t.g.npy', np.array([[0, np.inf, -np.inf, np.log(3)]], np.float32))"
// RUN: sluicec run %s --function=heads_small --check --input x=%t.x.npy --input g=%t.g.npy --output out=%t.out.npy | FileCheck %s --implicit-check-not=FAILED
// RUN: %python -c "import numpy as np; o = np.load('%t.out.npy'); assert np.allclose(o, [[0.5, 0.5, 1, 1, 0, 0, 0.75, 0.75]]), o"

// Dynamic columns and heads: C a multiple of H (or C = H) runs; otherwise
// a run-time error; token counts that differ are an error too.
// RUN: sluicec run %s --function=dynamic --check --dim T=7 --dim C=12 --dim H=3 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=dynamic --check --dim T=7 --dim C=12 --dim H=12 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=dynamic --check --dim T=1 --dim C=0 --dim H=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: not sluicec run %s --function=dynamic --dim T=7 --dim C=12 --dim H=5 2>&1 | FileCheck %s --check-prefix=HEADS
// RUN: not sluicec run %s --function=dynamic --dim T=7 --dim C=12 --dim H=0 2>&1 | FileCheck %s --check-prefix=HEADS
// RUN: not sluicec run %s --function=tokens --dim T=7 --dim U=2 2>&1 | FileCheck %s --check-prefix=TOKENS
// HEADS: error: {{.*}}sluice.sigmoid_gate: expects the columns of x ({{.*}}) to be a multiple of the heads of g
// TOKENS: error: {{.*}}sluice.sigmoid_gate: expects g dim 0 ({{.*}}) to equal x dim 0

func.func @heads(%x: tensor<?x32xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
                 %g: tensor<?x4xf32> {sluice.name = "g", sluice.dims = ["T", ""]})
    -> (tensor<?x32xf32> {sluice.name = "out"}) {
  %0 = sluice.sigmoid_gate %x, %g : tensor<?x32xf32>, tensor<?x4xf32>
  return %0 : tensor<?x32xf32>
}

func.func @elementwise(%x: tensor<?x32xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
                       %g: tensor<?x32xf32> {sluice.name = "g", sluice.dims = ["T", ""]})
    -> (tensor<?x32xf32> {sluice.name = "out"}) {
  %0 = sluice.sigmoid_gate %x, %g : tensor<?x32xf32>, tensor<?x32xf32>
  return %0 : tensor<?x32xf32>
}

func.func @one_head(%x: tensor<?x12xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
                    %g: tensor<?x1xf32> {sluice.name = "g", sluice.dims = ["T", ""]})
    -> (tensor<?x12xf32> {sluice.name = "out"}) {
  %0 = sluice.sigmoid_gate %x, %g : tensor<?x12xf32>, tensor<?x1xf32>
  return %0 : tensor<?x12xf32>
}

func.func @heads_small(%x: tensor<?x8xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
                       %g: tensor<?x4xf32> {sluice.name = "g", sluice.dims = ["T", ""]})
    -> (tensor<?x8xf32> {sluice.name = "out"}) {
  %0 = sluice.sigmoid_gate %x, %g : tensor<?x8xf32>, tensor<?x4xf32>
  return %0 : tensor<?x8xf32>
}

func.func @dynamic(%x: tensor<?x?xf32> {sluice.name = "x", sluice.dims = ["T", "C"]},
                   %g: tensor<?x?xf32> {sluice.name = "g", sluice.dims = ["T", "H"]})
    -> (tensor<?x?xf32> {sluice.name = "out"}) {
  %0 = sluice.sigmoid_gate %x, %g : tensor<?x?xf32>, tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

func.func @tokens(%x: tensor<?x8xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
                  %g: tensor<?x2xf32> {sluice.name = "g", sluice.dims = ["U", ""]})
    -> (tensor<?x8xf32> {sluice.name = "out"}) {
  %0 = sluice.sigmoid_gate %x, %g : tensor<?x8xf32>, tensor<?x2xf32>
  return %0 : tensor<?x8xf32>
}
