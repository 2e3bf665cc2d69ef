// sluice.segment_pool compiled for the CPU and checked against the reference
// evaluator, every kind (sum, mean, max, min, gem, lse, first, last) as one
// output each. The packed rows and their offsets come from routing: x
// dispatched to 6 experts by topk_gate + route (block 1 and block 3, whose
// padding rows are 0), segment e = the rows of expert e, so segments are
// empty whenever an expert gets no token (all of them at T = 0), for
// T = 0, 1, 7, 33 from one module. Hand-written offsets put empty segments
// first, in the middle and last; group GeM takes a group_p per channel group;
// offsets that do not start at 0, go down, or miss the row count are
// run-time errors.

// RUN: sluicec run %s --function=routed --check --dim T=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=routed --check --dim T=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=routed --check --dim T=7 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=routed --check --dim T=33 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=routed_padded --check --dim T=0 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=routed_padded --check --dim T=1 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=routed_padded --check --dim T=7 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=routed_padded --check --dim T=33 | FileCheck %s --implicit-check-not=FAILED
// CHECK: check sum: ok
// CHECK: check mean: ok
// CHECK: check max: ok
// CHECK: check min: ok
// CHECK: check gem: ok
// CHECK: check lse: ok
// CHECK: check first: ok
// CHECK: check last: ok

// RUN: %python -c "import numpy as np; np.save('%t.o.npy', np.array([0, 0, 2, 2, 5, 6, 6], np.int32)); np.save('%t.gp.npy', np.array([3, 1.5], np.float32)); np.save('%t.x.npy', np.arange(48, dtype=np.float32).reshape(6, 8) - 20)"
// RUN: sluicec run %s --function=given --check --input offsets=%t.o.npy --input group_p=%t.gp.npy --dim N=6 | FileCheck %s --check-prefix=GIVEN --implicit-check-not=FAILED
// RUN: sluicec run %s --function=given --check --input offsets=%t.o.npy --input group_p=%t.gp.npy --input x=%t.x.npy --output sum=%t.sum.npy --output last=%t.last.npy | FileCheck %s --check-prefix=GIVEN --implicit-check-not=FAILED
// RUN: %python -c "import numpy as np; x = np.arange(48).reshape(6, 8) - 20; s = np.load('%t.sum.npy'); assert (s == [0 * x[0], x[0] + x[1], 0 * x[0], x[2] + x[3] + x[4], x[5], 0 * x[0]]).all(), s; l = np.load('%t.last.npy'); assert (l[:, 0] == [0, -12, 0, 12, 20, 0]).all(), l"
// GIVEN: check sum: ok
// GIVEN: check gem: ok
// GIVEN: check last: ok
// RUN: %python -c "import numpy as np; np.save('%t.o1.npy', np.array([1, 2, 2, 3, 5, 6, 6], np.int32)); np.save('%t.o2.npy', np.array([0, 3, 2, 3, 5, 6, 6], np.int32)); np.save('%t.o3.npy', np.array([0, 1, 2, 3, 4, 5, 5], np.int32))"
// RUN: not sluicec run %s --function=given --input offsets=%t.o1.npy --input group_p=%t.gp.npy --dim N=6 2>&1 | FileCheck %s --check-prefix=START
// RUN: not sluicec run %s --function=given --input offsets=%t.o2.npy --input group_p=%t.gp.npy --dim N=6 2>&1 | FileCheck %s --check-prefix=DOWN
// RUN: not sluicec run %s --function=given --input offsets=%t.o3.npy --input group_p=%t.gp.npy --dim N=6 2>&1 | FileCheck %s --check-prefix=END
// START: error: {{.*}}sluice.segment_pool: offsets must start at 0
// DOWN: error: {{.*}}sluice.segment_pool: offsets must be nondecreasing
// END: error: {{.*}}sluice.segment_pool: offsets must end at the row count

// Offsets of dynamic length: B = len - 1 segments; an empty offsets operand
// is a run-time error.
// RUN: %python -c "import numpy as np; np.save('%t.dyn.npy', np.array([0, 2, 2, 6], np.int32)); np.save('%t.empty.npy', np.zeros((0,), np.int32))"
// RUN: sluicec run %s --function=dynamic_offsets --check --input offsets=%t.dyn.npy --dim N=6 | FileCheck %s --check-prefix=DYN --implicit-check-not=FAILED
// RUN: not sluicec run %s --function=dynamic_offsets --input offsets=%t.empty.npy --dim N=6 2>&1 | FileCheck %s --check-prefix=EMPTY
// DYN: check mean: ok
// EMPTY: error: {{.*}}sluice.segment_pool: offsets must have at least one entry

func.func @routed(%l: tensor<?x6xf32> {sluice.name = "logits", sluice.dims = ["T", ""]},
    %x: tensor<?x8xf32> {sluice.name = "x", sluice.dims = ["T", ""]})
    -> (tensor<6x8xf32> {sluice.name = "sum"}, tensor<6x8xf32> {sluice.name = "mean"}, tensor<6x8xf32> {sluice.name = "max"}, tensor<6x8xf32> {sluice.name = "min"}, tensor<6x8xf32> {sluice.name = "gem"}, tensor<6x8xf32> {sluice.name = "lse"}, tensor<6x8xf32> {sluice.name = "first"}, tensor<6x8xf32> {sluice.name = "last"}) {
  %w, %i = sluice.topk_gate %l {k = 2 : i64}
      : (tensor<?x6xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  %c, %o, %s, %keep = sluice.route %i, %w {num_experts = 6 : i64}
      : (tensor<?x2xi32>, tensor<?x2xf32>) -> (tensor<6xi32>, tensor<7xi32>, tensor<?xi32>, tensor<?x2xi32>)
  %xs = sluice.dispatch %x, %s {k = 2 : i64} : (tensor<?x8xf32>, tensor<?xi32>) -> tensor<?x8xf32>
  %sum = sluice.segment_pool %xs, %o {kind = #sluice.pool<sum>}
      : (tensor<?x8xf32>, tensor<7xi32>) -> tensor<6x8xf32>
  %mean = sluice.segment_pool %xs, %o {kind = #sluice.pool<mean>}
      : (tensor<?x8xf32>, tensor<7xi32>) -> tensor<6x8xf32>
  %max = sluice.segment_pool %xs, %o {kind = #sluice.pool<max>}
      : (tensor<?x8xf32>, tensor<7xi32>) -> tensor<6x8xf32>
  %min = sluice.segment_pool %xs, %o {kind = #sluice.pool<min>}
      : (tensor<?x8xf32>, tensor<7xi32>) -> tensor<6x8xf32>
  %gem = sluice.segment_pool %xs, %o {kind = #sluice.pool<gem>, p = 2.0 : f32}
      : (tensor<?x8xf32>, tensor<7xi32>) -> tensor<6x8xf32>
  %lse = sluice.segment_pool %xs, %o {kind = #sluice.pool<lse>, r = 0.5 : f32}
      : (tensor<?x8xf32>, tensor<7xi32>) -> tensor<6x8xf32>
  %first = sluice.segment_pool %xs, %o {kind = #sluice.pool<first>}
      : (tensor<?x8xf32>, tensor<7xi32>) -> tensor<6x8xf32>
  %last = sluice.segment_pool %xs, %o {kind = #sluice.pool<last>}
      : (tensor<?x8xf32>, tensor<7xi32>) -> tensor<6x8xf32>
  return %sum, %mean, %max, %min, %gem, %lse, %first, %last : tensor<6x8xf32>, tensor<6x8xf32>, tensor<6x8xf32>, tensor<6x8xf32>, tensor<6x8xf32>, tensor<6x8xf32>, tensor<6x8xf32>, tensor<6x8xf32>
}

func.func @routed_padded(%l: tensor<?x6xf32> {sluice.name = "logits", sluice.dims = ["T", ""]},
    %x: tensor<?x8xf32> {sluice.name = "x", sluice.dims = ["T", ""]})
    -> (tensor<6x8xf32> {sluice.name = "sum"}, tensor<6x8xf32> {sluice.name = "mean"}, tensor<6x8xf32> {sluice.name = "max"}, tensor<6x8xf32> {sluice.name = "min"}, tensor<6x8xf32> {sluice.name = "gem"}, tensor<6x8xf32> {sluice.name = "lse"}, tensor<6x8xf32> {sluice.name = "first"}, tensor<6x8xf32> {sluice.name = "last"}) {
  %w, %i = sluice.topk_gate %l {k = 2 : i64}
      : (tensor<?x6xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  %c, %o, %s, %keep = sluice.route %i, %w {num_experts = 6 : i64, block = 3 : i64}
      : (tensor<?x2xi32>, tensor<?x2xf32>) -> (tensor<6xi32>, tensor<7xi32>, tensor<?xi32>, tensor<?x2xi32>)
  %xs = sluice.dispatch %x, %s {k = 2 : i64} : (tensor<?x8xf32>, tensor<?xi32>) -> tensor<?x8xf32>
  %sum = sluice.segment_pool %xs, %o {kind = #sluice.pool<sum>}
      : (tensor<?x8xf32>, tensor<7xi32>) -> tensor<6x8xf32>
  %mean = sluice.segment_pool %xs, %o {kind = #sluice.pool<mean>}
      : (tensor<?x8xf32>, tensor<7xi32>) -> tensor<6x8xf32>
  %max = sluice.segment_pool %xs, %o {kind = #sluice.pool<max>}
      : (tensor<?x8xf32>, tensor<7xi32>) -> tensor<6x8xf32>
  %min = sluice.segment_pool %xs, %o {kind = #sluice.pool<min>}
      : (tensor<?x8xf32>, tensor<7xi32>) -> tensor<6x8xf32>
  %gem = sluice.segment_pool %xs, %o {kind = #sluice.pool<gem>, p = 2.0 : f32}
      : (tensor<?x8xf32>, tensor<7xi32>) -> tensor<6x8xf32>
  %lse = sluice.segment_pool %xs, %o {kind = #sluice.pool<lse>, r = 0.5 : f32}
      : (tensor<?x8xf32>, tensor<7xi32>) -> tensor<6x8xf32>
  %first = sluice.segment_pool %xs, %o {kind = #sluice.pool<first>}
      : (tensor<?x8xf32>, tensor<7xi32>) -> tensor<6x8xf32>
  %last = sluice.segment_pool %xs, %o {kind = #sluice.pool<last>}
      : (tensor<?x8xf32>, tensor<7xi32>) -> tensor<6x8xf32>
  return %sum, %mean, %max, %min, %gem, %lse, %first, %last : tensor<6x8xf32>, tensor<6x8xf32>, tensor<6x8xf32>, tensor<6x8xf32>, tensor<6x8xf32>, tensor<6x8xf32>, tensor<6x8xf32>, tensor<6x8xf32>
}

func.func @given(%x: tensor<?x8xf32> {sluice.name = "x", sluice.dims = ["N", ""]},
    %o: tensor<7xi32> {sluice.name = "offsets"},
    %gp: tensor<2xf32> {sluice.name = "group_p"})
    -> (tensor<6x8xf32> {sluice.name = "sum"}, tensor<6x8xf32> {sluice.name = "mean"}, tensor<6x8xf32> {sluice.name = "max"}, tensor<6x8xf32> {sluice.name = "min"}, tensor<6x8xf32> {sluice.name = "gem"}, tensor<6x8xf32> {sluice.name = "lse"}, tensor<6x8xf32> {sluice.name = "first"}, tensor<6x8xf32> {sluice.name = "last"}) {
  %sum = sluice.segment_pool %x, %o {kind = #sluice.pool<sum>}
      : (tensor<?x8xf32>, tensor<7xi32>) -> tensor<6x8xf32>
  %mean = sluice.segment_pool %x, %o {kind = #sluice.pool<mean>}
      : (tensor<?x8xf32>, tensor<7xi32>) -> tensor<6x8xf32>
  %max = sluice.segment_pool %x, %o {kind = #sluice.pool<max>}
      : (tensor<?x8xf32>, tensor<7xi32>) -> tensor<6x8xf32>
  %min = sluice.segment_pool %x, %o {kind = #sluice.pool<min>}
      : (tensor<?x8xf32>, tensor<7xi32>) -> tensor<6x8xf32>
  %gem = sluice.segment_pool %x, %o group_p(%gp) {kind = #sluice.pool<gem>, groups = 2 : i64}
      : (tensor<?x8xf32>, tensor<7xi32>, tensor<2xf32>) -> tensor<6x8xf32>
  %lse = sluice.segment_pool %x, %o {kind = #sluice.pool<lse>, r = 0.5 : f32}
      : (tensor<?x8xf32>, tensor<7xi32>) -> tensor<6x8xf32>
  %first = sluice.segment_pool %x, %o {kind = #sluice.pool<first>}
      : (tensor<?x8xf32>, tensor<7xi32>) -> tensor<6x8xf32>
  %last = sluice.segment_pool %x, %o {kind = #sluice.pool<last>}
      : (tensor<?x8xf32>, tensor<7xi32>) -> tensor<6x8xf32>
  return %sum, %mean, %max, %min, %gem, %lse, %first, %last : tensor<6x8xf32>, tensor<6x8xf32>, tensor<6x8xf32>, tensor<6x8xf32>, tensor<6x8xf32>, tensor<6x8xf32>, tensor<6x8xf32>, tensor<6x8xf32>
}

func.func @dynamic_offsets(%x: tensor<?x8xf32> {sluice.name = "x", sluice.dims = ["N", ""]},
    %o: tensor<?xi32> {sluice.name = "offsets", sluice.dims = ["B1"]})
    -> (tensor<?x8xf32> {sluice.name = "mean"}) {
  %0 = sluice.segment_pool %x, %o {kind = #sluice.pool<mean>}
      : (tensor<?x8xf32>, tensor<?xi32>) -> tensor<?x8xf32>
  return %0 : tensor<?x8xf32>
}
