// sluice.gemm (SluiceKernelOps.td): round trip of every optional operand
// and the verifier's rules.
// RUN: sluice-opt %s -split-input-file -verify-diagnostics | FileCheck %s

// CHECK-LABEL: func.func @all
// CHECK: sluice.gemm %{{.*}}, %{{.*}} groups(%{{.*}}) gather(%{{.*}}) up(%{{.*}}) bias(%{{.*}}) lowrank(%{{.*}}, %{{.*}}) scatter(%{{.*}}) scale(%{{.*}}) rows(%{{.*}}) {a_div = 2 : i64, accumulate, act = #sluice.act<silu>, c_div = 2 : i64}
func.func @all(%a: tensor<?x6xf32>, %b: tensor<3x6x5xf32>, %g: tensor<4xi32>,
               %r: tensor<?xi32>, %bias: tensor<5xf32>, %a2: tensor<?x2xf32>,
               %b3: tensor<3x2x5xf32>, %w: tensor<?xf32>, %t: index) -> tensor<?x5xf32> {
  %y = sluice.gemm %a, %b groups(%g) gather(%r) up(%b) bias(%bias) lowrank(%a2, %b3)
         scatter(%r) scale(%w) rows(%t) {a_div = 2 : i64, c_div = 2 : i64, accumulate, act = #sluice.act<silu>}
      : (tensor<?x6xf32>, tensor<3x6x5xf32>, tensor<4xi32>, tensor<?xi32>, tensor<3x6x5xf32>,
         tensor<5xf32>, tensor<?x2xf32>, tensor<3x2x5xf32>, tensor<?xi32>, tensor<?xf32>, index) -> tensor<?x5xf32>
  return %y : tensor<?x5xf32>
}

// -----

func.func @contraction(%a: tensor<4x6xf32>, %b: tensor<7x5xf32>) -> tensor<4x5xf32> {
  // expected-error @+1 {{expects the contraction sizes to match: a dim 1 is 6 but b dim 0 is 7}}
  %y = sluice.gemm %a, %b : (tensor<4x6xf32>, tensor<7x5xf32>) -> tensor<4x5xf32>
  return %y : tensor<4x5xf32>
}

// -----

func.func @groups_missing(%a: tensor<4x6xf32>, %b: tensor<2x6x5xf32>) -> tensor<4x5xf32> {
  // expected-error @+1 {{expects groups(...) with a per-group b [G, K, N]}}
  %y = sluice.gemm %a, %b : (tensor<4x6xf32>, tensor<2x6x5xf32>) -> tensor<4x5xf32>
  return %y : tensor<4x5xf32>
}

// -----

func.func @groups_count(%a: tensor<4x6xf32>, %b: tensor<2x6x5xf32>, %g: tensor<4xi32>) -> tensor<4x5xf32> {
  // expected-error @+1 {{expects groups of shape [3] (one more than the groups of b)}}
  %y = sluice.gemm %a, %b groups(%g) : (tensor<4x6xf32>, tensor<2x6x5xf32>, tensor<4xi32>) -> tensor<4x5xf32>
  return %y : tensor<4x5xf32>
}

// -----

func.func @rows(%a: tensor<4x6xf32>, %b: tensor<6x5xf32>) -> tensor<3x5xf32> {
  // expected-error @+1 {{expects the product rows to match: result dim 0 is 3 but a dim 0 is 4}}
  %y = sluice.gemm %a, %b : (tensor<4x6xf32>, tensor<6x5xf32>) -> tensor<3x5xf32>
  return %y : tensor<3x5xf32>
}

// -----

func.func @scale_alone(%a: tensor<4x6xf32>, %b: tensor<6x5xf32>, %w: tensor<4xf32>) -> tensor<4x5xf32> {
  // expected-error @+1 {{expects scale(...) only with scatter(...)}}
  %y = sluice.gemm %a, %b scale(%w) : (tensor<4x6xf32>, tensor<6x5xf32>, tensor<4xf32>) -> tensor<4x5xf32>
  return %y : tensor<4x5xf32>
}

// -----

func.func @scatter_rows(%a: tensor<4x6xf32>, %b: tensor<6x5xf32>, %r: tensor<4xi32>) -> tensor<?x5xf32> {
  // expected-error @+1 {{expects rows(...) or init(...) for a scattered result with a dynamic row count}}
  %y = sluice.gemm %a, %b scatter(%r) : (tensor<4x6xf32>, tensor<6x5xf32>, tensor<4xi32>) -> tensor<?x5xf32>
  return %y : tensor<?x5xf32>
}

// -----

func.func @up_shape(%a: tensor<4x6xf32>, %b: tensor<6x5xf32>, %u: tensor<6x4xf32>) -> tensor<4x5xf32> {
  // expected-error @+1 {{expects the output sizes to match: b dim 1 is 5 but up dim 1 is 4}}
  %y = sluice.gemm %a, %b up(%u) : (tensor<4x6xf32>, tensor<6x5xf32>, tensor<6x4xf32>) -> tensor<4x5xf32>
  return %y : tensor<4x5xf32>
}

// -----

func.func @a_div(%a: tensor<4x6xf32>, %b: tensor<6x5xf32>) -> tensor<4x5xf32> {
  // expected-error @+1 {{expects a_div = 1 without gather(...)}}
  %y = sluice.gemm %a, %b {a_div = 2 : i64} : (tensor<4x6xf32>, tensor<6x5xf32>) -> tensor<4x5xf32>
  return %y : tensor<4x5xf32>
}

// -----

// A shared weight stack (routed + shared MoE experts in one call): groups
// = E + S * m + 1 with m = 12 / 4 chunks of each shared matrix.
// CHECK-LABEL: func.func @shared_stack
// CHECK: sluice.gemm %{{.*}}, %{{.*}} groups(%{{.*}}) gather(%{{.*}}) up(%{{.*}}) shared(%{{.*}}) shared_up(%{{.*}}) {a_div = 9 : i64}
func.func @shared_stack(%a: tensor<?x6xf32>, %b: tensor<3x6x4xf32>, %g: tensor<10xi32>,
                        %r: tensor<?xi32>, %bs: tensor<2x6x12xf32>) -> tensor<?x4xf32> {
  %y = sluice.gemm %a, %b groups(%g) gather(%r) up(%b) shared(%bs) shared_up(%bs) {a_div = 9 : i64}
      : (tensor<?x6xf32>, tensor<3x6x4xf32>, tensor<10xi32>, tensor<?xi32>, tensor<3x6x4xf32>,
         tensor<2x6x12xf32>, tensor<2x6x12xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}

// -----

func.func @shared_groups_count(%a: tensor<4x6xf32>, %b: tensor<3x6x4xf32>, %g: tensor<4xi32>,
                               %bs: tensor<2x6x12xf32>) -> tensor<4x4xf32> {
  // expected-error @+1 {{expects groups of shape [10] (one more than the groups of b)}}
  %y = sluice.gemm %a, %b groups(%g) shared(%bs)
      : (tensor<4x6xf32>, tensor<3x6x4xf32>, tensor<4xi32>, tensor<2x6x12xf32>) -> tensor<4x4xf32>
  return %y : tensor<4x4xf32>
}

// -----

func.func @shared_columns(%a: tensor<4x6xf32>, %b: tensor<3x6x4xf32>, %g: tensor<6xi32>,
                          %bs: tensor<2x6x10xf32>) -> tensor<4x4xf32> {
  // expected-error @+1 {{expects the columns of shared (10) to be a static multiple of b's (4)}}
  %y = sluice.gemm %a, %b groups(%g) shared(%bs)
      : (tensor<4x6xf32>, tensor<3x6x4xf32>, tensor<6xi32>, tensor<2x6x10xf32>) -> tensor<4x4xf32>
  return %y : tensor<4x4xf32>
}

// -----

func.func @shared_contraction(%a: tensor<4x6xf32>, %b: tensor<3x6x4xf32>, %g: tensor<6xi32>,
                              %bs: tensor<2x5x4xf32>) -> tensor<4x4xf32> {
  // expected-error @+1 {{expects the contraction sizes to match: b dim 1 is 6 but shared dim 1 is 5}}
  %y = sluice.gemm %a, %b groups(%g) shared(%bs)
      : (tensor<4x6xf32>, tensor<3x6x4xf32>, tensor<6xi32>, tensor<2x5x4xf32>) -> tensor<4x4xf32>
  return %y : tensor<4x4xf32>
}

// -----

func.func @shared_up_missing(%a: tensor<4x6xf32>, %b: tensor<3x6x4xf32>, %g: tensor<6xi32>,
                             %bs: tensor<2x6x4xf32>) -> tensor<4x4xf32> {
  // expected-error @+1 {{expects shared_up(...) exactly when up(...) is given}}
  %y = sluice.gemm %a, %b groups(%g) up(%b) shared(%bs)
      : (tensor<4x6xf32>, tensor<3x6x4xf32>, tensor<6xi32>, tensor<3x6x4xf32>, tensor<2x6x4xf32>) -> tensor<4x4xf32>
  return %y : tensor<4x4xf32>
}

// -----

func.func @shared_flat_b(%a: tensor<4x6xf32>, %b: tensor<6x4xf32>, %g: tensor<3xi32>,
                         %bs: tensor<2x6x4xf32>) -> tensor<4x4xf32> {
  // expected-error @+1 {{expects shared(...) only with a per-group b [E, K, N] and groups(...)}}
  %y = sluice.gemm %a, %b groups(%g) shared(%bs)
      : (tensor<4x6xf32>, tensor<6x4xf32>, tensor<3xi32>, tensor<2x6x4xf32>) -> tensor<4x4xf32>
  return %y : tensor<4x4xf32>
}
