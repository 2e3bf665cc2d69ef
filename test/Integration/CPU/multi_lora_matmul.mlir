// sluice.multi_lora_matmul compiled for the CPU and checked against the
// reference evaluator (x[T, 16], w[16, 12], L = 4 adapters of rank 3), for
// T = 0, 1, 7, 33 from one module:
//   serving        m = 1, ids in [-1, L) (-1 = no adapter), attr scale 0.5
//                  (Punica / S-LoRA multi-tenant serving)
//   gates_scales   m = 2 with gates, per-adapter scales and a bias
//                  (PHATGOOSE-style routing among LoRA experts)
//   gates_only     m = 3 with gates, ids in [-1, L) (repeats allowed)
//   no_adapter     every id -1: x w + bias
// A hand-written case checks the sum; an id >= L is a run-time error.

// RUN: sluicec run %s --function=serving --random-weights --check --dim T=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=serving --random-weights --check --dim T=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=serving --random-weights --check --dim T=7 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=serving --random-weights --check --dim T=33 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=gates_scales --random-weights --check --dim T=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=gates_scales --random-weights --check --dim T=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=gates_scales --random-weights --check --dim T=7 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=gates_scales --random-weights --check --dim T=33 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=gates_only --random-weights --check --dim T=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=gates_only --random-weights --check --dim T=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=gates_only --random-weights --check --dim T=7 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=gates_only --random-weights --check --dim T=33 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=no_adapter --random-weights --check --dim T=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=no_adapter --random-weights --check --dim T=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=no_adapter --random-weights --check --dim T=7 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=no_adapter --random-weights --check --dim T=33 | FileCheck %s --implicit-check-not=FAILED
// CHECK: check y: ok

// x = [1], w = [0], a[l] = [[1]], b[l] = [[l + 1]], scales [1, 10, 100]:
// token 0: ids [2, -1] gates [0.5, 9] -> 150; token 1: ids [0, 1] gates
// [1, 2] -> 1 + 40 = 41; token 2: ids [-1, -1] -> 0.
// RUN: %python -c "import numpy as np; np.save('%t.x.npy', np.ones((3, 1), np.float32)); np.save('%t.ids.npy', np.array([[2, -1], [0, 1], [-1, -1]], np.int32)); np.save('%t.g.npy', np.array([[.5, 9], [1, 2], [3, 3]], np.float32)); np.save('%t.bad.npy', np.array([[2, 3], [0, 1], [-1, -1]], np.int32))"
// RUN: sluicec run %s --function=small --check --input x=%t.x.npy --input ids=%t.ids.npy --input gates=%t.g.npy --output y=%t.y.npy | FileCheck %s --implicit-check-not=FAILED
// RUN: %python -c "import numpy as np; y = np.load('%t.y.npy'); assert y.tolist() == [[150], [41], [0]], y"
// RUN: not sluicec run %s --function=small --input x=%t.x.npy --input ids=%t.bad.npy --input gates=%t.g.npy 2>&1 | FileCheck %s --check-prefix=BAD
// BAD: error: {{.*}}sluice.multi_lora_matmul: adapter id {{.*}} out of range [-1, L)

// ids with their own token count are a run-time error.
// RUN: not sluicec run %s --function=ids_mismatch --random-weights --dim T=7 --dim U=9 2>&1 | FileCheck %s --check-prefix=IDS
// IDS: error: {{.*}}sluice.multi_lora_matmul: expects ids dim 0 (9) to equal x dim 0 (7)

// The fused path (sluice-fuse-lora, SGMV): the base GEMM, the gathered
// grouped x a[id] and the scattered grouped b[id] accumulation are three
// sluice_uk_gemm calls per function.
// RUN: sluicec compile %s --emit=mlir-lowered -o %t.lowered.mlir
// RUN: FileCheck %s --check-prefix=FUSED --input-file %t.lowered.mlir
// FUSED-LABEL: llvm.func @serving(
// FUSED-COUNT-3: llvm.call @sluice_uk_gemm
// FUSED-LABEL: llvm.func @gates_scales(
// FUSED-COUNT-3: llvm.call @sluice_uk_gemm
// FUSED-LABEL: llvm.func @gates_only(
// FUSED-COUNT-3: llvm.call @sluice_uk_gemm
// FUSED-LABEL: llvm.func @no_adapter(
// FUSED-COUNT-3: llvm.call @sluice_uk_gemm
// FUSED-LABEL: llvm.func @small(
// FUSED-COUNT-3: llvm.call @sluice_uk_gemm
// FUSED-LABEL: llvm.func @ids_mismatch(
// FUSED-COUNT-3: llvm.call @sluice_uk_gemm

func.func @serving(%x: tensor<?x16xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %w: tensor<16x12xf32> {sluice.name = "w", sluice.role = "weight"},
    %a: tensor<4x16x3xf32> {sluice.name = "a", sluice.role = "weight"},
    %b: tensor<4x3x12xf32> {sluice.name = "b", sluice.role = "weight"},
    %ids: tensor<?x1xi32> {sluice.name = "ids", sluice.dims = ["T", ""], sluice.range = array<i64: -1, 4>})
    -> (tensor<?x12xf32> {sluice.name = "y"}) {
  %y = sluice.multi_lora_matmul %x, %w, %a, %b, %ids {scale = 0.5 : f32}
      : (tensor<?x16xf32>, tensor<16x12xf32>, tensor<4x16x3xf32>, tensor<4x3x12xf32>, tensor<?x1xi32>) -> tensor<?x12xf32>
  return %y : tensor<?x12xf32>
}

func.func @gates_scales(%x: tensor<?x16xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %w: tensor<16x12xf32> {sluice.name = "w", sluice.role = "weight"},
    %a: tensor<4x16x3xf32> {sluice.name = "a", sluice.role = "weight"},
    %b: tensor<4x3x12xf32> {sluice.name = "b", sluice.role = "weight"},
    %ids: tensor<?x2xi32> {sluice.name = "ids", sluice.dims = ["T", ""], sluice.range = array<i64: -1, 4>},
    %g: tensor<?x2xf32> {sluice.name = "gates", sluice.dims = ["T", ""]},
    %s: tensor<4xf32> {sluice.name = "scales", sluice.role = "weight"},
    %bias: tensor<12xf32> {sluice.name = "bias", sluice.role = "weight"})
    -> (tensor<?x12xf32> {sluice.name = "y"}) {
  %y = sluice.multi_lora_matmul %x, %w, %a, %b, %ids gates(%g) scales(%s) bias(%bias)
      : (tensor<?x16xf32>, tensor<16x12xf32>, tensor<4x16x3xf32>, tensor<4x3x12xf32>, tensor<?x2xi32>, tensor<?x2xf32>, tensor<4xf32>, tensor<12xf32>) -> tensor<?x12xf32>
  return %y : tensor<?x12xf32>
}

func.func @gates_only(%x: tensor<?x16xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %w: tensor<16x12xf32> {sluice.name = "w", sluice.role = "weight"},
    %a: tensor<4x16x3xf32> {sluice.name = "a", sluice.role = "weight"},
    %b: tensor<4x3x12xf32> {sluice.name = "b", sluice.role = "weight"},
    %ids: tensor<?x3xi32> {sluice.name = "ids", sluice.dims = ["T", ""], sluice.range = array<i64: -1, 4>},
    %g: tensor<?x3xf32> {sluice.name = "gates", sluice.dims = ["T", ""]})
    -> (tensor<?x12xf32> {sluice.name = "y"}) {
  %y = sluice.multi_lora_matmul %x, %w, %a, %b, %ids gates(%g)
      : (tensor<?x16xf32>, tensor<16x12xf32>, tensor<4x16x3xf32>, tensor<4x3x12xf32>, tensor<?x3xi32>, tensor<?x3xf32>) -> tensor<?x12xf32>
  return %y : tensor<?x12xf32>
}

func.func @no_adapter(%x: tensor<?x16xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %w: tensor<16x12xf32> {sluice.name = "w", sluice.role = "weight"},
    %a: tensor<4x16x3xf32> {sluice.name = "a", sluice.role = "weight"},
    %b: tensor<4x3x12xf32> {sluice.name = "b", sluice.role = "weight"},
    %ids: tensor<?x1xi32> {sluice.name = "ids", sluice.dims = ["T", ""], sluice.range = array<i64: -1, 0>},
    %bias: tensor<12xf32> {sluice.name = "bias", sluice.role = "weight"})
    -> (tensor<?x12xf32> {sluice.name = "y"}) {
  %y = sluice.multi_lora_matmul %x, %w, %a, %b, %ids bias(%bias)
      : (tensor<?x16xf32>, tensor<16x12xf32>, tensor<4x16x3xf32>, tensor<4x3x12xf32>, tensor<?x1xi32>, tensor<12xf32>) -> tensor<?x12xf32>
  return %y : tensor<?x12xf32>
}

func.func @small(%x: tensor<?x1xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %ids: tensor<?x2xi32> {sluice.name = "ids", sluice.dims = ["T", ""]},
    %g: tensor<?x2xf32> {sluice.name = "gates", sluice.dims = ["T", ""]})
    -> (tensor<?x1xf32> {sluice.name = "y"}) {
  %w = arith.constant dense<0.0> : tensor<1x1xf32>
  %a = arith.constant dense<1.0> : tensor<3x1x1xf32>
  %b = arith.constant dense<[[[1.0]], [[2.0]], [[3.0]]]> : tensor<3x1x1xf32>
  %s = arith.constant dense<[1.0, 10.0, 100.0]> : tensor<3xf32>
  %y = sluice.multi_lora_matmul %x, %w, %a, %b, %ids gates(%g) scales(%s)
      : (tensor<?x1xf32>, tensor<1x1xf32>, tensor<3x1x1xf32>, tensor<3x1x1xf32>, tensor<?x2xi32>, tensor<?x2xf32>, tensor<3xf32>) -> tensor<?x1xf32>
  return %y : tensor<?x1xf32>
}

func.func @ids_mismatch(%x: tensor<?x16xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %w: tensor<16x12xf32> {sluice.name = "w", sluice.role = "weight"},
    %a: tensor<4x16x3xf32> {sluice.name = "a", sluice.role = "weight"},
    %b: tensor<4x3x12xf32> {sluice.name = "b", sluice.role = "weight"},
    %ids: tensor<?x1xi32> {sluice.name = "ids", sluice.dims = ["U", ""], sluice.range = array<i64: -1, 4>})
    -> (tensor<?x12xf32> {sluice.name = "y"}) {
  %y = sluice.multi_lora_matmul %x, %w, %a, %b, %ids
      : (tensor<?x16xf32>, tensor<16x12xf32>, tensor<4x16x3xf32>, tensor<4x3x12xf32>, tensor<?x1xi32>) -> tensor<?x12xf32>
  return %y : tensor<?x12xf32>
}
