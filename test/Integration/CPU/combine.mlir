// sluice.combine, both forms, compiled for the CPU and checked against the
// reference evaluator. Token-choice form (weights + keep) at the end of
// topk_gate -> route -> dispatch -> grouped_matmul: dropless, capacity drops
// with block padding (dropped slots have keep 0 and are absent), k = 1.
// Per-slot form (slot_weights + num_tokens): route's slots with k = 2 and
// per-slot weights computed from ys, and expert-choice slots (k = 1) where
// some tokens are taken by no expert. T = 0, 1, 7, 33 from one module.
// Hand-written inputs spell out the sums (a slot present with keep 0 may
// repeat; -1 rows are skipped); a kept slot that repeats or is missing and a
// slot out of range are run-time errors.

// RUN: sluicec run %s --function=dropless --random-weights --check --dim T=0 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=dropless --random-weights --check --dim T=1 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=dropless --random-weights --check --dim T=7 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=dropless --random-weights --check --dim T=33 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=capacity --random-weights --check --dim T=0 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=capacity --random-weights --check --dim T=1 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=capacity --random-weights --check --dim T=7 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=capacity --random-weights --check --dim T=33 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=k1 --random-weights --check --dim T=0 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=k1 --random-weights --check --dim T=1 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=k1 --random-weights --check --dim T=7 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=k1 --random-weights --check --dim T=33 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=per_slot --random-weights --check --dim T=0 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=per_slot --random-weights --check --dim T=1 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=per_slot --random-weights --check --dim T=7 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=per_slot --random-weights --check --dim T=33 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=expert_choice --random-weights --check --dim T=0 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=expert_choice --random-weights --check --dim T=1 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=expert_choice --random-weights --check --dim T=7 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=expert_choice --random-weights --check --dim T=33 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// CHECK: check y: ok

// Token-choice, T = 2, k = 2: slots 0 and 1 are kept (positions 2 and 4);
// slot 3 has keep 0 and appears twice. y[0] = 2 ys[2] + 0.5 ys[4], y[1] = 0.
// RUN: %python -c "import numpy as np; np.save('%t.ys.npy', np.arange(10, dtype=np.float32).reshape(5, 2)); np.save('%t.s.npy', np.array([3, -1, 0, 3, 1], np.int32)); np.save('%t.w.npy', np.array([[2, .5], [7, 7]], np.float32)); np.save('%t.k.npy', np.array([[1, 1], [0, 0]], np.int32))"
// RUN: sluicec run %s --function=given --check --input ys=%t.ys.npy --input slots=%t.s.npy --input weights=%t.w.npy --input keep=%t.k.npy --output y=%t.y.npy | FileCheck %s --implicit-check-not=FAILED
// RUN: %python -c "import numpy as np; y = np.load('%t.y.npy'); assert y.tolist() == [[12, 14.5], [0, 0]], y"

// A kept slot twice, a kept slot missing, a slot >= T*k.
// RUN: %python -c "import numpy as np; np.save('%t.twice.npy', np.array([3, 1, 0, 0, 1], np.int32)); np.save('%t.missing.npy', np.array([3, -1, 0, 3, -1], np.int32)); np.save('%t.range.npy', np.array([3, 4, 0, 3, 1], np.int32))"
// RUN: not sluicec run %s --function=given --input ys=%t.ys.npy --input slots=%t.twice.npy --input weights=%t.w.npy --input keep=%t.k.npy 2>&1 | FileCheck %s --check-prefix=TWICE
// RUN: not sluicec run %s --function=given --input ys=%t.ys.npy --input slots=%t.missing.npy --input weights=%t.w.npy --input keep=%t.k.npy 2>&1 | FileCheck %s --check-prefix=MISSING
// RUN: not sluicec run %s --function=given --input ys=%t.ys.npy --input slots=%t.range.npy --input weights=%t.w.npy --input keep=%t.k.npy 2>&1 | FileCheck %s --check-prefix=RANGE
// TWICE: error: {{.*}}sluice.combine: kept slot {{.*}} appears twice
// MISSING: error: {{.*}}sluice.combine: kept slot {{.*}} is missing from slots
// RANGE: error: {{.*}}sluice.combine: slot {{.*}} out of range [-1, T*k)

// Per-slot, k = 2, num_tokens = 3: token 0 gets slots 1 and 0, token 2
// slots 4 and 5, token 1 nothing: y = [ys[0] + 2 ys[3], 0, ys[2] / 2 - ys[4]].
// RUN: %python -c "import numpy as np; np.save('%t.ps.npy', np.array([1, -1, 4, 0, 5], np.int32)); np.save('%t.psw.npy', np.array([1, 9, .5, 2, -1], np.float32)); np.save('%t.pbad.npy', np.array([1, -1, 6, 0, 5], np.int32))"
// RUN: sluicec run %s --function=given_per_slot --check --input ys=%t.ys.npy --input slots=%t.ps.npy --input slot_weights=%t.psw.npy --output y=%t.py.npy | FileCheck %s --implicit-check-not=FAILED
// RUN: %python -c "import numpy as np; y = np.load('%t.py.npy'); assert y.tolist() == [[12, 15], [0, 0], [-6, -6.5]], y"
// RUN: not sluicec run %s --function=given_per_slot --input ys=%t.ys.npy --input slots=%t.pbad.npy --input slot_weights=%t.psw.npy 2>&1 | FileCheck %s --check-prefix=PERSLOT
// PERSLOT: error: {{.*}}sluice.combine: slot {{.*}} out of range [-1, T*k)

// Operands whose slot or token counts differ at run time are an error.
// RUN: not sluicec run %s --function=mismatch_keep --dim P=4 --dim T=3 --dim U=2 2>&1 | FileCheck %s --check-prefix=KEEP
// RUN: not sluicec run %s --function=mismatch_per_slot --dim P=4 --dim Q=5 2>&1 | FileCheck %s --check-prefix=PERSLOTDIM
// KEEP: error: {{.*}}sluice.combine: expects keep dim 0 (2) to equal weights dim 0 (3)
// PERSLOTDIM: error: {{.*}}sluice.combine: expects slot_weights dim 0 (5) to equal ys dim 0 (4)

func.func @dropless(%l: tensor<?x8xf32> {sluice.name = "logits", sluice.dims = ["T", ""]},
    %x: tensor<?x6xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %wg: tensor<8x6x5xf32> {sluice.name = "w", sluice.role = "weight"},
    %v: tensor<5x1xf32> {sluice.name = "v", sluice.role = "weight"})
    -> (tensor<?x5xf32> {sluice.name = "y"}) {
  %w, %i = sluice.topk_gate %l {k = 2 : i64, renormalize = true}
      : (tensor<?x8xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  %c, %o, %s, %keep = sluice.route %i, %w {num_experts = 8 : i64}
      : (tensor<?x2xi32>, tensor<?x2xf32>) -> (tensor<8xi32>, tensor<9xi32>, tensor<?xi32>, tensor<?x2xi32>)
  %xs = sluice.dispatch %x, %s {k = 2 : i64} : (tensor<?x6xf32>, tensor<?xi32>) -> tensor<?x6xf32>
  %ys = sluice.grouped_matmul %xs, %wg, %o : (tensor<?x6xf32>, tensor<8x6x5xf32>, tensor<9xi32>) -> tensor<?x5xf32>
  %y = sluice.combine %ys, %s, %w keep(%keep)
      : (tensor<?x5xf32>, tensor<?xi32>, tensor<?x2xf32>, tensor<?x2xi32>) -> tensor<?x5xf32>
  return %y : tensor<?x5xf32>
}

func.func @capacity(%l: tensor<?x4xf32> {sluice.name = "logits", sluice.dims = ["T", ""]},
    %x: tensor<?x6xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %wg: tensor<4x6x5xf32> {sluice.name = "w", sluice.role = "weight"},
    %v: tensor<5x1xf32> {sluice.name = "v", sluice.role = "weight"})
    -> (tensor<?x5xf32> {sluice.name = "y"}) {
  %w, %i = sluice.topk_gate %l {k = 2 : i64, renormalize = true}
      : (tensor<?x4xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  %c, %o, %s, %keep = sluice.route %i, %w {num_experts = 4 : i64, capacity = 2 : i64, block = 2 : i64, drop = #sluice.drop<by_weight>}
      : (tensor<?x2xi32>, tensor<?x2xf32>) -> (tensor<4xi32>, tensor<5xi32>, tensor<?xi32>, tensor<?x2xi32>)
  %xs = sluice.dispatch %x, %s {k = 2 : i64} : (tensor<?x6xf32>, tensor<?xi32>) -> tensor<?x6xf32>
  %ys = sluice.grouped_matmul %xs, %wg, %o : (tensor<?x6xf32>, tensor<4x6x5xf32>, tensor<5xi32>) -> tensor<?x5xf32>
  %y = sluice.combine %ys, %s, %w keep(%keep)
      : (tensor<?x5xf32>, tensor<?xi32>, tensor<?x2xf32>, tensor<?x2xi32>) -> tensor<?x5xf32>
  return %y : tensor<?x5xf32>
}

func.func @k1(%l: tensor<?x4xf32> {sluice.name = "logits", sluice.dims = ["T", ""]},
    %x: tensor<?x6xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %wg: tensor<4x6x5xf32> {sluice.name = "w", sluice.role = "weight"},
    %v: tensor<5x1xf32> {sluice.name = "v", sluice.role = "weight"})
    -> (tensor<?x5xf32> {sluice.name = "y"}) {
  %w, %i = sluice.topk_gate %l {k = 1 : i64, renormalize = true}
      : (tensor<?x4xf32>) -> (tensor<?x1xf32>, tensor<?x1xi32>)
  %c, %o, %s, %keep = sluice.route %i, %w {num_experts = 4 : i64, capacity = 3 : i64}
      : (tensor<?x1xi32>, tensor<?x1xf32>) -> (tensor<4xi32>, tensor<5xi32>, tensor<?xi32>, tensor<?x1xi32>)
  %xs = sluice.dispatch %x, %s {k = 1 : i64} : (tensor<?x6xf32>, tensor<?xi32>) -> tensor<?x6xf32>
  %ys = sluice.grouped_matmul %xs, %wg, %o : (tensor<?x6xf32>, tensor<4x6x5xf32>, tensor<5xi32>) -> tensor<?x5xf32>
  %y = sluice.combine %ys, %s, %w keep(%keep)
      : (tensor<?x5xf32>, tensor<?xi32>, tensor<?x1xf32>, tensor<?x1xi32>) -> tensor<?x5xf32>
  return %y : tensor<?x5xf32>
}

func.func @per_slot(%l: tensor<?x4xf32> {sluice.name = "logits", sluice.dims = ["T", ""]},
    %x: tensor<?x6xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %wg: tensor<4x6x5xf32> {sluice.name = "w", sluice.role = "weight"},
    %v: tensor<5x1xf32> {sluice.name = "v", sluice.role = "weight"})
    -> (tensor<?x5xf32> {sluice.name = "y"}) {
  %w, %i = sluice.topk_gate %l {k = 2 : i64, renormalize = true}
      : (tensor<?x4xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  %c, %o, %s, %keep = sluice.route %i, %w {num_experts = 4 : i64, block = 2 : i64}
      : (tensor<?x2xi32>, tensor<?x2xf32>) -> (tensor<4xi32>, tensor<5xi32>, tensor<?xi32>, tensor<?x2xi32>)
  %xs = sluice.dispatch %x, %s {k = 2 : i64} : (tensor<?x6xf32>, tensor<?xi32>) -> tensor<?x6xf32>
  %ys = sluice.grouped_matmul %xs, %wg, %o : (tensor<?x6xf32>, tensor<4x6x5xf32>, tensor<5xi32>) -> tensor<?x5xf32>
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %p = tensor.dim %ys, %c0 : tensor<?x5xf32>
  %e = tensor.empty(%p) : tensor<?x1xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<?x1xf32>) -> tensor<?x1xf32>
  %sw1 = linalg.matmul ins(%ys, %v : tensor<?x5xf32>, tensor<5x1xf32>) outs(%f : tensor<?x1xf32>) -> tensor<?x1xf32>
  %sw = tensor.collapse_shape %sw1 [[0, 1]] : tensor<?x1xf32> into tensor<?xf32>
  %n = tensor.dim %x, %c0 : tensor<?x6xf32>
  %y = sluice.combine %ys, %s, %sw tokens(%n) {k = 2 : i64}
      : (tensor<?x5xf32>, tensor<?xi32>, tensor<?xf32>, index) -> tensor<?x5xf32>
  return %y : tensor<?x5xf32>
}

func.func @expert_choice(%l: tensor<?x4xf32> {sluice.name = "logits", sluice.dims = ["T", ""]},
    %x: tensor<?x6xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %wx: tensor<6x5xf32> {sluice.name = "w", sluice.role = "weight"})
    -> (tensor<?x5xf32> {sluice.name = "y"}) {
  %w, %t = sluice.expert_choice_gate %l {capacity_factor = 0.5 : f32}
      : (tensor<?x4xf32>) -> (tensor<4x?xf32>, tensor<4x?xi32>)
  %slots = tensor.collapse_shape %t [[0, 1]] : tensor<4x?xi32> into tensor<?xi32>
  %sw = tensor.collapse_shape %w [[0, 1]] : tensor<4x?xf32> into tensor<?xf32>
  %xs = sluice.dispatch %x, %slots {k = 1 : i64} : (tensor<?x6xf32>, tensor<?xi32>) -> tensor<?x6xf32>
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %p = tensor.dim %xs, %c0 : tensor<?x6xf32>
  %e = tensor.empty(%p) : tensor<?x5xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<?x5xf32>) -> tensor<?x5xf32>
  %ys = linalg.matmul ins(%xs, %wx : tensor<?x6xf32>, tensor<6x5xf32>) outs(%f : tensor<?x5xf32>) -> tensor<?x5xf32>
  %n = tensor.dim %x, %c0 : tensor<?x6xf32>
  %y = sluice.combine %ys, %slots, %sw tokens(%n) {k = 1 : i64}
      : (tensor<?x5xf32>, tensor<?xi32>, tensor<?xf32>, index) -> tensor<?x5xf32>
  return %y : tensor<?x5xf32>
}

func.func @given(%ys: tensor<?x2xf32> {sluice.name = "ys", sluice.dims = ["P", ""]},
    %s: tensor<?xi32> {sluice.name = "slots", sluice.dims = ["P"]},
    %w: tensor<?x2xf32> {sluice.name = "weights", sluice.dims = ["T", ""]},
    %keep: tensor<?x2xi32> {sluice.name = "keep", sluice.dims = ["T", ""]})
    -> (tensor<?x2xf32> {sluice.name = "y"}) {
  %y = sluice.combine %ys, %s, %w keep(%keep)
      : (tensor<?x2xf32>, tensor<?xi32>, tensor<?x2xf32>, tensor<?x2xi32>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}

func.func @given_per_slot(%ys: tensor<?x2xf32> {sluice.name = "ys", sluice.dims = ["P", ""]},
    %s: tensor<?xi32> {sluice.name = "slots", sluice.dims = ["P"]},
    %sw: tensor<?xf32> {sluice.name = "slot_weights", sluice.dims = ["P"]})
    -> (tensor<?x2xf32> {sluice.name = "y"}) {
  %n = arith.constant 3 : index
  %y = sluice.combine %ys, %s, %sw tokens(%n) {k = 2 : i64}
      : (tensor<?x2xf32>, tensor<?xi32>, tensor<?xf32>, index) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}

func.func @mismatch_keep(%ys: tensor<?x2xf32> {sluice.name = "ys", sluice.dims = ["P", ""]},
    %s: tensor<?xi32> {sluice.name = "slots", sluice.dims = ["P"], sluice.range = array<i64: -1, 0>},
    %w: tensor<?x2xf32> {sluice.name = "weights", sluice.dims = ["T", ""]},
    %keep: tensor<?x2xi32> {sluice.name = "keep", sluice.dims = ["U", ""]})
    -> (tensor<?x2xf32> {sluice.name = "y"}) {
  %y = sluice.combine %ys, %s, %w keep(%keep)
      : (tensor<?x2xf32>, tensor<?xi32>, tensor<?x2xf32>, tensor<?x2xi32>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}

func.func @mismatch_per_slot(%ys: tensor<?x2xf32> {sluice.name = "ys", sluice.dims = ["P", ""]},
    %s: tensor<?xi32> {sluice.name = "slots", sluice.dims = ["P"], sluice.range = array<i64: -1, 6>},
    %sw: tensor<?xf32> {sluice.name = "slot_weights", sluice.dims = ["Q"]})
    -> (tensor<?x2xf32> {sluice.name = "y"}) {
  %n = arith.constant 3 : index
  %y = sluice.combine %ys, %s, %sw tokens(%n) {k = 2 : i64}
      : (tensor<?x2xf32>, tensor<?xi32>, tensor<?xf32>, index) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}
