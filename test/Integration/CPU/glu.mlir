// sluice.glu compiled for the CPU and checked against the reference
// evaluator: every activation (silu default, gelu erf form, gelu_tanh, relu,
// sigmoid) on [T, 16], and a rank-3 operand with two dynamic dims, for
// T = 0, 1, 7, 33 from one module.

// RUN: sluicec run %s --function=silu --check --dim T=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=silu --check --dim T=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=silu --check --dim T=7 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=silu --check --dim T=33 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=gelu --check --dim T=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=gelu --check --dim T=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=gelu --check --dim T=7 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=gelu --check --dim T=33 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=gelu_tanh --check --dim T=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=gelu_tanh --check --dim T=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=gelu_tanh --check --dim T=7 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=gelu_tanh --check --dim T=33 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=relu --check --dim T=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=relu --check --dim T=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=relu --check --dim T=7 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=relu --check --dim T=33 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=sigmoid --check --dim T=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=sigmoid --check --dim T=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=sigmoid --check --dim T=7 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=sigmoid --check --dim T=33 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=rank3 --check --dim B=3 --dim T=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=rank3 --check --dim B=3 --dim T=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=rank3 --check --dim B=3 --dim T=7 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=rank3 --check --dim B=3 --dim T=33 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=rank3 --check --dim B=0 --dim T=5 | FileCheck %s --implicit-check-not=FAILED
// CHECK: check out: ok

// Operands whose token counts differ at run time (different dim symbols):
// a run-time error, and no read past the smaller one.
// RUN: not sluicec run %s --function=mismatch --dim A=7 --dim B=3 2>&1 | FileCheck %s --check-prefix=MISMATCH
// RUN: not sluicec run %s --function=mismatch --dim A=0 --dim B=33 2>&1 | FileCheck %s --check-prefix=MISMATCH
// RUN: sluicec run %s --function=mismatch --check --dim A=5 --dim B=5 | FileCheck %s --implicit-check-not=FAILED
// MISMATCH: error: {{.*}}sluice.glu: expects up dim 0 ({{.*}}) to equal gate dim 0

func.func @silu(%g: tensor<?x16xf32> {sluice.name = "gate", sluice.dims = ["T", ""]},
    %u: tensor<?x16xf32> {sluice.name = "up", sluice.dims = ["T", ""]})
    -> (tensor<?x16xf32> {sluice.name = "out"}) {
  %0 = sluice.glu %g, %u : tensor<?x16xf32>
  return %0 : tensor<?x16xf32>
}

func.func @gelu(%g: tensor<?x16xf32> {sluice.name = "gate", sluice.dims = ["T", ""]},
    %u: tensor<?x16xf32> {sluice.name = "up", sluice.dims = ["T", ""]})
    -> (tensor<?x16xf32> {sluice.name = "out"}) {
  %0 = sluice.glu %g, %u {act = #sluice.act<gelu>} : tensor<?x16xf32>
  return %0 : tensor<?x16xf32>
}

func.func @gelu_tanh(%g: tensor<?x16xf32> {sluice.name = "gate", sluice.dims = ["T", ""]},
    %u: tensor<?x16xf32> {sluice.name = "up", sluice.dims = ["T", ""]})
    -> (tensor<?x16xf32> {sluice.name = "out"}) {
  %0 = sluice.glu %g, %u {act = #sluice.act<gelu_tanh>} : tensor<?x16xf32>
  return %0 : tensor<?x16xf32>
}

func.func @relu(%g: tensor<?x16xf32> {sluice.name = "gate", sluice.dims = ["T", ""]},
    %u: tensor<?x16xf32> {sluice.name = "up", sluice.dims = ["T", ""]})
    -> (tensor<?x16xf32> {sluice.name = "out"}) {
  %0 = sluice.glu %g, %u {act = #sluice.act<relu>} : tensor<?x16xf32>
  return %0 : tensor<?x16xf32>
}

func.func @sigmoid(%g: tensor<?x16xf32> {sluice.name = "gate", sluice.dims = ["T", ""]},
    %u: tensor<?x16xf32> {sluice.name = "up", sluice.dims = ["T", ""]})
    -> (tensor<?x16xf32> {sluice.name = "out"}) {
  %0 = sluice.glu %g, %u {act = #sluice.act<sigmoid>} : tensor<?x16xf32>
  return %0 : tensor<?x16xf32>
}

func.func @rank3(%g: tensor<?x?x8xf32> {sluice.name = "gate", sluice.dims = ["B", "T", ""]},
    %u: tensor<?x?x8xf32> {sluice.name = "up", sluice.dims = ["B", "T", ""]})
    -> (tensor<?x?x8xf32> {sluice.name = "out"}) {
  %0 = sluice.glu %g, %u {act = #sluice.act<gelu>} : tensor<?x?x8xf32>
  return %0 : tensor<?x?x8xf32>
}

func.func @mismatch(%g: tensor<?x8xf32> {sluice.name = "gate", sluice.dims = ["A", ""]},
    %u: tensor<?x8xf32> {sluice.name = "up", sluice.dims = ["B", ""]})
    -> (tensor<?x8xf32> {sluice.name = "out"}) {
  %0 = sluice.glu %g, %u : tensor<?x8xf32>
  return %0 : tensor<?x8xf32>
}
