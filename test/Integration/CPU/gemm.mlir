// sluice.gemm (the micro-kernel op the fusion passes produce) compiled for
// the CPU and compared with a float64 numpy oracle of the op's definition
// (Inputs/gemm_ref.py): plain GEMM + bias + silu; gathered, grouped GLU
// (MoE gate/up with dispatch fused); scattered, scaled accumulation into an
// init (MoE down + combine fused); a per-group low-rank term (LoRA). Bad
// gather / scatter indices and group bounds are run-time errors.

// RUN: rm -rf %t && %python %S/Inputs/gemm_ref.py gen %t/plain plain
// RUN: sluicec run %s --function=plain --input a=%t/plain/a.npy --input b=%t/plain/b.npy --input bias=%t/plain/bias.npy --output out=%t/plain/out.npy
// RUN: %python %S/Inputs/gemm_ref.py check %t/plain plain | FileCheck %s --check-prefix=PLAIN
// PLAIN: plain: ok

// RUN: %python %S/Inputs/gemm_ref.py gen %t/glu glu
// RUN: sluicec run %s --function=glu --input a=%t/glu/a.npy --input b=%t/glu/b.npy --input up=%t/glu/up.npy --input groups=%t/glu/groups.npy --input slots=%t/glu/slots.npy --output out=%t/glu/out.npy
// RUN: %python %S/Inputs/gemm_ref.py check %t/glu glu | FileCheck %s --check-prefix=GLU
// GLU: glu: ok

// RUN: %python %S/Inputs/gemm_ref.py gen %t/scatter scatter
// RUN: sluicec run %s --function=scatter --input h=%t/scatter/h.npy --input b=%t/scatter/b.npy --input groups=%t/scatter/groups.npy --input slots=%t/scatter/slots.npy --input w=%t/scatter/w.npy --input init=%t/scatter/init.npy --output out=%t/scatter/out.npy
// RUN: %python %S/Inputs/gemm_ref.py check %t/scatter scatter | FileCheck %s --check-prefix=SCATTER
// SCATTER: scatter: ok

// RUN: %python %S/Inputs/gemm_ref.py gen %t/lowrank lowrank
// RUN: sluicec run %s --function=lowrank --input a=%t/lowrank/a.npy --input b=%t/lowrank/b.npy --input a2=%t/lowrank/a2.npy --input b3=%t/lowrank/b3.npy --input groups=%t/lowrank/groups.npy --output out=%t/lowrank/out.npy
// RUN: %python %S/Inputs/gemm_ref.py check %t/lowrank lowrank | FileCheck %s --check-prefix=LOWRANK
// LOWRANK: lowrank: ok

// Run-time errors: the kernel is not called, the message names the op.
// RUN: %python -c "import numpy as np; np.save('%t/bad_slots.npy', np.array([0, 3, -1, 8, 1, 2, 7, 6], np.int32)); np.save('%t/bad_groups.npy', np.array([0, 4, 3, 8], np.int32)); np.save('%t/big_scatter.npy', np.array([0, 3, -1, 5, 1, 2, 7, 9], np.int32))"
// RUN: not sluicec run %s --function=glu --input a=%t/glu/a.npy --input b=%t/glu/b.npy --input up=%t/glu/up.npy --input groups=%t/glu/groups.npy --input slots=%t/bad_slots.npy 2>&1 | FileCheck %s --check-prefix=GATHER
// GATHER: error: {{.*}}gemm.mlir:{{[0-9]+}}:{{[0-9]+}}: sluice.gemm: gather index 8 out of range at product row 3
// RUN: not sluicec run %s --function=glu --input a=%t/glu/a.npy --input b=%t/glu/b.npy --input up=%t/glu/up.npy --input groups=%t/bad_groups.npy --input slots=%t/glu/slots.npy 2>&1 | FileCheck %s --check-prefix=GROUPS
// GROUPS: error: {{.*}}sluice.gemm: group bounds must be nondecreasing within the product rows: group 1 ends at 3
// RUN: not sluicec run %s --function=scatter --input h=%t/scatter/h.npy --input b=%t/scatter/b.npy --input groups=%t/scatter/groups.npy --input slots=%t/big_scatter.npy --input w=%t/scatter/w.npy --input init=%t/scatter/init.npy 2>&1 | FileCheck %s --check-prefix=SCATTERERR
// SCATTERERR: error: {{.*}}sluice.gemm: scatter index 9 out of range at product row 7

func.func @plain(%a: tensor<5x7xf32> {sluice.name = "a"}, %b: tensor<7x9xf32> {sluice.name = "b"}, %bias: tensor<9xf32> {sluice.name = "bias"})
    -> (tensor<5x9xf32> {sluice.name = "out"}) {
  %y = sluice.gemm %a, %b bias(%bias) {act = #sluice.act<silu>}
      : (tensor<5x7xf32>, tensor<7x9xf32>, tensor<9xf32>) -> tensor<5x9xf32>
  return %y : tensor<5x9xf32>
}

func.func @glu(%a: tensor<4x6xf32> {sluice.name = "a"}, %b: tensor<3x6x5xf32> {sluice.name = "b"}, %up: tensor<3x6x5xf32> {sluice.name = "up"},
               %groups: tensor<4xi32> {sluice.name = "groups"}, %slots: tensor<8xi32> {sluice.name = "slots"})
    -> (tensor<8x5xf32> {sluice.name = "out"}) {
  %y = sluice.gemm %a, %b groups(%groups) gather(%slots) up(%up)
         {act = #sluice.act<silu>, a_div = 2 : i64}
      : (tensor<4x6xf32>, tensor<3x6x5xf32>, tensor<4xi32>, tensor<8xi32>,
         tensor<3x6x5xf32>) -> tensor<8x5xf32>
  return %y : tensor<8x5xf32>
}

func.func @scatter(%h: tensor<8x5xf32> {sluice.name = "h"}, %b: tensor<3x5x6xf32> {sluice.name = "b"}, %groups: tensor<4xi32> {sluice.name = "groups"},
                   %slots: tensor<8xi32> {sluice.name = "slots"}, %w: tensor<8xf32> {sluice.name = "w"}, %init: tensor<4x6xf32> {sluice.name = "init"})
    -> (tensor<4x6xf32> {sluice.name = "out"}) {
  %y = sluice.gemm %h, %b groups(%groups) scatter(%slots) scale(%w) init(%init)
         {c_div = 2 : i64, accumulate}
      : (tensor<8x5xf32>, tensor<3x5x6xf32>, tensor<4xi32>, tensor<8xi32>,
         tensor<8xf32>, tensor<4x6xf32>) -> tensor<4x6xf32>
  return %y : tensor<4x6xf32>
}

func.func @lowrank(%a: tensor<6x8xf32> {sluice.name = "a"}, %b: tensor<8x4xf32> {sluice.name = "b"}, %a2: tensor<6x3xf32> {sluice.name = "a2"},
                   %b3: tensor<3x3x4xf32> {sluice.name = "b3"}, %groups: tensor<4xi32> {sluice.name = "groups"})
    -> (tensor<6x4xf32> {sluice.name = "out"}) {
  %y = sluice.gemm %a, %b groups(%groups) lowrank(%a2, %b3) {act = #sluice.act<relu>}
      : (tensor<6x8xf32>, tensor<8x4xf32>, tensor<4xi32>, tensor<6x3xf32>,
         tensor<3x3x4xf32>) -> tensor<6x4xf32>
  return %y : tensor<6x4xf32>
}
