// sluice.grouped_matmul compiled for the CPU and checked against the
// reference evaluator: rows and offsets from route + dispatch (dropless,
// block padding, capacity drops that leave experts empty, a single expert),
// for T = 0, 1, 7, 33 from one module; hand-written offsets with empty
// segments at the start, middle and end; offsets that do not start at 0, go
// down, or do not end at the row count are run-time errors.

// RUN: sluicec run %s --function=dropless --random-weights --check --dim T=0 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=dropless --random-weights --check --dim T=1 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=dropless --random-weights --check --dim T=7 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=dropless --random-weights --check --dim T=33 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=padded --random-weights --check --dim T=0 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=padded --random-weights --check --dim T=1 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=padded --random-weights --check --dim T=7 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=padded --random-weights --check --dim T=33 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=capacity --random-weights --check --dim T=0 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=capacity --random-weights --check --dim T=1 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=capacity --random-weights --check --dim T=7 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=capacity --random-weights --check --dim T=33 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=one_expert --random-weights --check --dim T=0 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=one_expert --random-weights --check --dim T=1 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=one_expert --random-weights --check --dim T=7 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=one_expert --random-weights --check --dim T=33 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// CHECK: check ys: ok

// RUN: %python -c "import numpy as np; np.save('%t.o.npy', np.array([0, 0, 3, 3, 5, 5], np.int32)); np.save('%t.nz.npy', np.array([1, 1, 3, 3, 5, 5], np.int32)); np.save('%t.down.npy', np.array([0, 3, 2, 4, 5, 5], np.int32)); np.save('%t.end.npy', np.array([0, 1, 2, 3, 4, 4], np.int32))"
// RUN: sluicec run %s --function=given --random-weights --check --input offsets=%t.o.npy --dim P=5 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=given --random-weights --check --input offsets=%t.end.npy --dim P=4 | FileCheck %s --implicit-check-not=FAILED
// RUN: not sluicec run %s --function=given --random-weights --input offsets=%t.nz.npy --dim P=5 2>&1 | FileCheck %s --check-prefix=START
// RUN: not sluicec run %s --function=given --random-weights --input offsets=%t.down.npy --dim P=5 2>&1 | FileCheck %s --check-prefix=DOWN
// RUN: not sluicec run %s --function=given --random-weights --input offsets=%t.end.npy --dim P=5 2>&1 | FileCheck %s --check-prefix=END
// START: error: {{.*}}sluice.grouped_matmul: offsets must start at 0
// DOWN: error: {{.*}}sluice.grouped_matmul: offsets must be nondecreasing
// END: error: {{.*}}sluice.grouped_matmul: offsets must end at the row count

// Offsets of dynamic length must have E + 1 entries (run-time error
// otherwise, also for an empty one).
// RUN: %python -c "import numpy as np; np.save('%t.dyn.npy', np.array([0, 1, 1, 4, 4, 5], np.int32)); np.save('%t.short.npy', np.array([0, 2, 5], np.int32)); np.save('%t.empty.npy', np.zeros((0,), np.int32))"
// RUN: sluicec run %s --function=dynamic_offsets --random-weights --check --input offsets=%t.dyn.npy --dim P=5 | FileCheck %s --implicit-check-not=FAILED
// RUN: not sluicec run %s --function=dynamic_offsets --random-weights --input offsets=%t.short.npy --dim P=5 2>&1 | FileCheck %s --check-prefix=LENGTH
// RUN: not sluicec run %s --function=dynamic_offsets --random-weights --input offsets=%t.empty.npy --dim P=5 2>&1 | FileCheck %s --check-prefix=LENGTH
// LENGTH: error: {{.*}}sluice.grouped_matmul: expects offsets dim 0 ({{.*}}) to equal w dim 0 (+1) (6)

func.func @dropless(%l: tensor<?x8xf32> {sluice.name = "logits", sluice.dims = ["T", ""]},
    %x: tensor<?x6xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %wg: tensor<8x6x5xf32> {sluice.name = "w", sluice.role = "weight"})
    -> (tensor<?x5xf32> {sluice.name = "ys"}) {
  %w, %i = sluice.topk_gate %l {k = 2 : i64}
      : (tensor<?x8xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  %c, %o, %s, %keep = sluice.route %i, %w {num_experts = 8 : i64}
      : (tensor<?x2xi32>, tensor<?x2xf32>) -> (tensor<8xi32>, tensor<9xi32>, tensor<?xi32>, tensor<?x2xi32>)
  %xs = sluice.dispatch %x, %s {k = 2 : i64} : (tensor<?x6xf32>, tensor<?xi32>) -> tensor<?x6xf32>
  %ys = sluice.grouped_matmul %xs, %wg, %o : (tensor<?x6xf32>, tensor<8x6x5xf32>, tensor<9xi32>) -> tensor<?x5xf32>
  return %ys : tensor<?x5xf32>
}

func.func @padded(%l: tensor<?x8xf32> {sluice.name = "logits", sluice.dims = ["T", ""]},
    %x: tensor<?x6xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %wg: tensor<8x6x5xf32> {sluice.name = "w", sluice.role = "weight"})
    -> (tensor<?x5xf32> {sluice.name = "ys"}) {
  %w, %i = sluice.topk_gate %l {k = 2 : i64}
      : (tensor<?x8xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  %c, %o, %s, %keep = sluice.route %i, %w {num_experts = 8 : i64, block = 4 : i64}
      : (tensor<?x2xi32>, tensor<?x2xf32>) -> (tensor<8xi32>, tensor<9xi32>, tensor<?xi32>, tensor<?x2xi32>)
  %xs = sluice.dispatch %x, %s {k = 2 : i64} : (tensor<?x6xf32>, tensor<?xi32>) -> tensor<?x6xf32>
  %ys = sluice.grouped_matmul %xs, %wg, %o : (tensor<?x6xf32>, tensor<8x6x5xf32>, tensor<9xi32>) -> tensor<?x5xf32>
  return %ys : tensor<?x5xf32>
}

func.func @capacity(%l: tensor<?x8xf32> {sluice.name = "logits", sluice.dims = ["T", ""]},
    %x: tensor<?x6xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %wg: tensor<8x6x5xf32> {sluice.name = "w", sluice.role = "weight"})
    -> (tensor<?x5xf32> {sluice.name = "ys"}) {
  %w, %i = sluice.topk_gate %l {k = 2 : i64}
      : (tensor<?x8xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  %c, %o, %s, %keep = sluice.route %i, %w {num_experts = 8 : i64, capacity = 1 : i64, drop = #sluice.drop<by_choice>}
      : (tensor<?x2xi32>, tensor<?x2xf32>) -> (tensor<8xi32>, tensor<9xi32>, tensor<?xi32>, tensor<?x2xi32>)
  %xs = sluice.dispatch %x, %s {k = 2 : i64} : (tensor<?x6xf32>, tensor<?xi32>) -> tensor<?x6xf32>
  %ys = sluice.grouped_matmul %xs, %wg, %o : (tensor<?x6xf32>, tensor<8x6x5xf32>, tensor<9xi32>) -> tensor<?x5xf32>
  return %ys : tensor<?x5xf32>
}

func.func @one_expert(%l: tensor<?x1xf32> {sluice.name = "logits", sluice.dims = ["T", ""]},
    %x: tensor<?x6xf32> {sluice.name = "x", sluice.dims = ["T", ""]},
    %wg: tensor<1x6x5xf32> {sluice.name = "w", sluice.role = "weight"})
    -> (tensor<?x5xf32> {sluice.name = "ys"}) {
  %w, %i = sluice.topk_gate %l {k = 1 : i64, score = #sluice.score<sigmoid>}
      : (tensor<?x1xf32>) -> (tensor<?x1xf32>, tensor<?x1xi32>)
  %c, %o, %s, %keep = sluice.route %i, %w {num_experts = 1 : i64, block = 8 : i64}
      : (tensor<?x1xi32>, tensor<?x1xf32>) -> (tensor<1xi32>, tensor<2xi32>, tensor<?xi32>, tensor<?x1xi32>)
  %xs = sluice.dispatch %x, %s {k = 1 : i64} : (tensor<?x6xf32>, tensor<?xi32>) -> tensor<?x6xf32>
  %ys = sluice.grouped_matmul %xs, %wg, %o : (tensor<?x6xf32>, tensor<1x6x5xf32>, tensor<2xi32>) -> tensor<?x5xf32>
  return %ys : tensor<?x5xf32>
}

func.func @given(%xs: tensor<?x6xf32> {sluice.name = "xs", sluice.dims = ["P", ""]},
    %wg: tensor<5x6x5xf32> {sluice.name = "w", sluice.role = "weight"},
    %o: tensor<6xi32> {sluice.name = "offsets"})
    -> (tensor<?x5xf32> {sluice.name = "ys"}) {
  %ys = sluice.grouped_matmul %xs, %wg, %o : (tensor<?x6xf32>, tensor<5x6x5xf32>, tensor<6xi32>) -> tensor<?x5xf32>
  return %ys : tensor<?x5xf32>
}

func.func @dynamic_offsets(%xs: tensor<?x6xf32> {sluice.name = "xs", sluice.dims = ["P", ""]},
    %wg: tensor<5x6x5xf32> {sluice.name = "w", sluice.role = "weight"},
    %o: tensor<?xi32> {sluice.name = "offsets", sluice.dims = ["E1"]})
    -> (tensor<?x5xf32> {sluice.name = "ys"}) {
  %ys = sluice.grouped_matmul %xs, %wg, %o : (tensor<?x6xf32>, tensor<5x6x5xf32>, tensor<?xi32>) -> tensor<?x5xf32>
  return %ys : tensor<?x5xf32>
}
