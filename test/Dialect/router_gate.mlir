// sluice.router_gate (SluiceKernelOps.td): round trip with every attribute
// and the verifier's rules (topk_gate's attribute rules, x / w / bias /
// result shapes).
// RUN: sluice-opt %s -split-input-file -verify-diagnostics | FileCheck %s

// CHECK-LABEL: func.func @all
// CHECK: sluice.router_gate %{{.*}}, %{{.*}} bias(%{{.*}}) {group_score = #sluice.group_score<top2_sum>, groups = 4 : i64, k = 4 : i64, renormalize = true, scale = 2.500000e+00 : f32, score = #sluice.score<sigmoid>, temperature = 5.000000e-01 : f32, topk_groups = 2 : i64} : (tensor<?x32xf32>, tensor<32x16xf32>, tensor<16xf32>) -> (tensor<?x4xf32>, tensor<?x4xi32>)
func.func @all(%x: tensor<?x32xf32>, %w: tensor<32x16xf32>, %b: tensor<16xf32>) -> (tensor<?x4xf32>, tensor<?x4xi32>) {
  %g, %i = sluice.router_gate %x, %w bias(%b) {k = 4 : i64, score = #sluice.score<sigmoid>,
      groups = 4 : i64, topk_groups = 2 : i64, group_score = #sluice.group_score<top2_sum>,
      renormalize = true, scale = 2.5 : f32, temperature = 0.5 : f32}
      : (tensor<?x32xf32>, tensor<32x16xf32>, tensor<16xf32>) -> (tensor<?x4xf32>, tensor<?x4xi32>)
  return %g, %i : tensor<?x4xf32>, tensor<?x4xi32>
}

// -----

func.func @hidden(%x: tensor<?x32xf32>, %w: tensor<30x16xf32>) -> tensor<?x2xi32> {
  // expected-error @+1 {{expects the hidden size to match: x dim 1 is 32 but w dim 0 is 30}}
  %g, %i = sluice.router_gate %x, %w {k = 2 : i64}
      : (tensor<?x32xf32>, tensor<30x16xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  return %i : tensor<?x2xi32>
}

// -----

func.func @dynamic_w(%x: tensor<?x?xf32>, %w: tensor<?x16xf32>) -> tensor<?x2xi32> {
  // expected-error @+1 {{expects a static hidden size (dim 0 of w)}}
  %g, %i = sluice.router_gate %x, %w {k = 2 : i64}
      : (tensor<?x?xf32>, tensor<?x16xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  return %i : tensor<?x2xi32>
}

// -----

func.func @k_too_big(%x: tensor<?x32xf32>, %w: tensor<32x16xf32>) -> tensor<?x20xi32> {
  // expected-error @+1 {{expects k <= number of experts (16), got 20}}
  %g, %i = sluice.router_gate %x, %w {k = 20 : i64}
      : (tensor<?x32xf32>, tensor<32x16xf32>) -> (tensor<?x20xf32>, tensor<?x20xi32>)
  return %i : tensor<?x20xi32>
}

// -----

func.func @bias_size(%x: tensor<?x32xf32>, %w: tensor<32x16xf32>, %b: tensor<8xf32>) -> tensor<?x2xi32> {
  // expected-error @+1 {{expects the number of experts to match: w dim 1 is 16 but bias dim 0 is 8}}
  %g, %i = sluice.router_gate %x, %w bias(%b) {k = 2 : i64}
      : (tensor<?x32xf32>, tensor<32x16xf32>, tensor<8xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  return %i : tensor<?x2xi32>
}

// -----

func.func @groups(%x: tensor<?x32xf32>, %w: tensor<32x16xf32>) -> tensor<?x2xi32> {
  // expected-error @+1 {{expects the number of experts (16) to be divisible by groups (3)}}
  %g, %i = sluice.router_gate %x, %w {k = 2 : i64, groups = 3 : i64}
      : (tensor<?x32xf32>, tensor<32x16xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  return %i : tensor<?x2xi32>
}

// -----

func.func @result_shape(%x: tensor<?x32xf32>, %w: tensor<32x16xf32>) -> tensor<?x3xi32> {
  // expected-error @+1 {{expects results of shape [?, 2], got 'tensor<?x3xi32>'}}
  %g, %i = sluice.router_gate %x, %w {k = 2 : i64}
      : (tensor<?x32xf32>, tensor<32x16xf32>) -> (tensor<?x2xf32>, tensor<?x3xi32>)
  return %i : tensor<?x3xi32>
}
