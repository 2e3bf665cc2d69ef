// sluice.route compiled for the CPU and checked against the reference
// evaluator (counts, offsets, slots and keep, all exact): dropless routing,
// block padding, a capacity under each drop policy (by_order, by_choice,
// by_weight), by_weight with every weight tied (ties by ascending slot),
// k = 1 and k = E, and random expert ids with repeats, for T = 0, 1, 7, 33
// from one module. A hand-written case spells out the kept slots of each
// policy; an expert id out of range is a run-time error.

// RUN: sluicec run %s --function=dropless --check --dim T=0 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=dropless --check --dim T=1 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=dropless --check --dim T=7 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=dropless --check --dim T=33 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=block4 --check --dim T=0 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=block4 --check --dim T=1 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=block4 --check --dim T=7 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=block4 --check --dim T=33 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=by_order --check --dim T=0 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=by_order --check --dim T=1 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=by_order --check --dim T=7 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=by_order --check --dim T=33 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=by_choice --check --dim T=0 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=by_choice --check --dim T=1 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=by_choice --check --dim T=7 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=by_choice --check --dim T=33 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=by_weight --check --dim T=0 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=by_weight --check --dim T=1 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=by_weight --check --dim T=7 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=by_weight --check --dim T=33 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=tied_weights --check --dim T=0 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=tied_weights --check --dim T=1 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=tied_weights --check --dim T=7 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=tied_weights --check --dim T=33 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=k1 --check --dim T=0 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=k1 --check --dim T=1 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=k1 --check --dim T=7 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=k1 --check --dim T=33 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=k_all --check --dim T=0 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=k_all --check --dim T=1 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=k_all --check --dim T=7 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=k_all --check --dim T=33 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=random_ids --check --dim T=0 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=random_ids --check --dim T=1 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=random_ids --check --dim T=7 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// RUN: sluicec run %s --function=random_ids --check --dim T=33 | FileCheck %s --check-prefix=CHECK --implicit-check-not=FAILED
// CHECK: check counts: ok
// CHECK: check offsets: ok
// CHECK: check slots: ok
// CHECK: check keep: ok

// Hand-checked: T = 4, k = 2, E = 3, capacity 2. Expert 0's candidates are
// slots 0 (w .1), 3 (.4), 4 (.3), 6 (.8); expert 1's 1 (.9), 2 (.6), 7 (.2);
// expert 2's 5. by_order keeps 0, 3 | 1, 2 | 5; by_choice (every first
// choice first) 0, 4 | 1, 2 | 5; by_weight 3, 6 | 1, 2 | 5, here with block 2.
// RUN: %python -c "import numpy as np; np.save('%t.idx.npy', np.array([[0,1], [1,0], [0,2], [0,1]], np.int32)); np.save('%t.w.npy', np.array([[.1,.9], [.6,.4], [.3,.7], [.8,.2]], np.float32))"
// RUN: sluicec run %s --function=small_by_order --check --input indices=%t.idx.npy --input weights=%t.w.npy --output slots=%t.s1.npy --output offsets=%t.o1.npy | FileCheck %s --implicit-check-not=FAILED
// RUN: %python -c "import numpy as np; assert np.load('%t.s1.npy').tolist() == [0,3,1,2,5]; assert np.load('%t.o1.npy').tolist() == [0,2,4,5]"
// RUN: sluicec run %s --function=small_by_choice --check --input indices=%t.idx.npy --input weights=%t.w.npy --output slots=%t.s2.npy --output keep=%t.k2.npy | FileCheck %s --implicit-check-not=FAILED
// RUN: %python -c "import numpy as np; assert np.load('%t.s2.npy').tolist() == [0,4,1,2,5]; assert np.load('%t.k2.npy').tolist() == [[1,1], [1,0], [1,1], [0,0]]"
// RUN: sluicec run %s --function=small_by_weight --check --input indices=%t.idx.npy --input weights=%t.w.npy --output slots=%t.s3.npy --output offsets=%t.o3.npy --output counts=%t.c3.npy | FileCheck %s --implicit-check-not=FAILED
// RUN: %python -c "import numpy as np; assert np.load('%t.s3.npy').tolist() == [3,6,1,2,5,-1]; assert np.load('%t.o3.npy').tolist() == [0,2,4,6]; assert np.load('%t.c3.npy').tolist() == [2,2,1]"

// An expert id outside [0, E) is a run-time error.
// RUN: %python -c "import numpy as np; np.save('%t.bad.npy', np.array([[0,1], [3,0]], np.int32)); np.save('%t.badw.npy', np.ones((2, 2), np.float32))"
// RUN: not sluicec run %s --function=small_by_order --input indices=%t.bad.npy --input weights=%t.badw.npy 2>&1 | FileCheck %s --check-prefix=BAD
// BAD: error: {{.*}}sluice.route: expert index {{.*}} out of range [0, 3)

// weights with their own token count are a run-time error.
// RUN: not sluicec run %s --function=weights_mismatch --dim T=7 --dim U=6 2>&1 | FileCheck %s --check-prefix=WEIGHTS
// WEIGHTS: error: {{.*}}sluice.route: expects weights dim 0 (6) to equal indices dim 0 (7)

func.func @dropless(%l: tensor<?x8xf32> {sluice.name = "logits", sluice.dims = ["T", ""]})
    -> (tensor<8xi32> {sluice.name = "counts"}, tensor<9xi32> {sluice.name = "offsets"},
        tensor<?xi32> {sluice.name = "slots"}, tensor<?x2xi32> {sluice.name = "keep"}) {
  %w, %i = sluice.topk_gate %l {k = 2 : i64, renormalize = true}
      : (tensor<?x8xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  %c, %o, %s, %keep = sluice.route %i, %w {num_experts = 8 : i64}
      : (tensor<?x2xi32>, tensor<?x2xf32>) -> (tensor<8xi32>, tensor<9xi32>, tensor<?xi32>, tensor<?x2xi32>)
  return %c, %o, %s, %keep : tensor<8xi32>, tensor<9xi32>, tensor<?xi32>, tensor<?x2xi32>
}

func.func @block4(%l: tensor<?x8xf32> {sluice.name = "logits", sluice.dims = ["T", ""]})
    -> (tensor<8xi32> {sluice.name = "counts"}, tensor<9xi32> {sluice.name = "offsets"},
        tensor<?xi32> {sluice.name = "slots"}, tensor<?x2xi32> {sluice.name = "keep"}) {
  %w, %i = sluice.topk_gate %l {k = 2 : i64, renormalize = true}
      : (tensor<?x8xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  %c, %o, %s, %keep = sluice.route %i, %w {num_experts = 8 : i64, block = 4 : i64}
      : (tensor<?x2xi32>, tensor<?x2xf32>) -> (tensor<8xi32>, tensor<9xi32>, tensor<?xi32>, tensor<?x2xi32>)
  return %c, %o, %s, %keep : tensor<8xi32>, tensor<9xi32>, tensor<?xi32>, tensor<?x2xi32>
}

func.func @by_order(%l: tensor<?x4xf32> {sluice.name = "logits", sluice.dims = ["T", ""]})
    -> (tensor<4xi32> {sluice.name = "counts"}, tensor<5xi32> {sluice.name = "offsets"},
        tensor<?xi32> {sluice.name = "slots"}, tensor<?x2xi32> {sluice.name = "keep"}) {
  %w, %i = sluice.topk_gate %l {k = 2 : i64, renormalize = true}
      : (tensor<?x4xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  %c, %o, %s, %keep = sluice.route %i, %w {num_experts = 4 : i64, capacity = 3 : i64}
      : (tensor<?x2xi32>, tensor<?x2xf32>) -> (tensor<4xi32>, tensor<5xi32>, tensor<?xi32>, tensor<?x2xi32>)
  return %c, %o, %s, %keep : tensor<4xi32>, tensor<5xi32>, tensor<?xi32>, tensor<?x2xi32>
}

func.func @by_choice(%l: tensor<?x4xf32> {sluice.name = "logits", sluice.dims = ["T", ""]})
    -> (tensor<4xi32> {sluice.name = "counts"}, tensor<5xi32> {sluice.name = "offsets"},
        tensor<?xi32> {sluice.name = "slots"}, tensor<?x2xi32> {sluice.name = "keep"}) {
  %w, %i = sluice.topk_gate %l {k = 2 : i64, renormalize = true}
      : (tensor<?x4xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  %c, %o, %s, %keep = sluice.route %i, %w {num_experts = 4 : i64, capacity = 3 : i64, drop = #sluice.drop<by_choice>}
      : (tensor<?x2xi32>, tensor<?x2xf32>) -> (tensor<4xi32>, tensor<5xi32>, tensor<?xi32>, tensor<?x2xi32>)
  return %c, %o, %s, %keep : tensor<4xi32>, tensor<5xi32>, tensor<?xi32>, tensor<?x2xi32>
}

func.func @by_weight(%l: tensor<?x4xf32> {sluice.name = "logits", sluice.dims = ["T", ""]})
    -> (tensor<4xi32> {sluice.name = "counts"}, tensor<5xi32> {sluice.name = "offsets"},
        tensor<?xi32> {sluice.name = "slots"}, tensor<?x2xi32> {sluice.name = "keep"}) {
  %w, %i = sluice.topk_gate %l {k = 2 : i64, renormalize = true}
      : (tensor<?x4xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  %c, %o, %s, %keep = sluice.route %i, %w {num_experts = 4 : i64, capacity = 3 : i64, block = 2 : i64, drop = #sluice.drop<by_weight>}
      : (tensor<?x2xi32>, tensor<?x2xf32>) -> (tensor<4xi32>, tensor<5xi32>, tensor<?xi32>, tensor<?x2xi32>)
  return %c, %o, %s, %keep : tensor<4xi32>, tensor<5xi32>, tensor<?xi32>, tensor<?x2xi32>
}

func.func @k1(%l: tensor<?x4xf32> {sluice.name = "logits", sluice.dims = ["T", ""]})
    -> (tensor<4xi32> {sluice.name = "counts"}, tensor<5xi32> {sluice.name = "offsets"},
        tensor<?xi32> {sluice.name = "slots"}, tensor<?x1xi32> {sluice.name = "keep"}) {
  %w, %i = sluice.topk_gate %l {k = 1 : i64, renormalize = true}
      : (tensor<?x4xf32>) -> (tensor<?x1xf32>, tensor<?x1xi32>)
  %c, %o, %s, %keep = sluice.route %i, %w {num_experts = 4 : i64, capacity = 4 : i64, drop = #sluice.drop<by_choice>, block = 3 : i64}
      : (tensor<?x1xi32>, tensor<?x1xf32>) -> (tensor<4xi32>, tensor<5xi32>, tensor<?xi32>, tensor<?x1xi32>)
  return %c, %o, %s, %keep : tensor<4xi32>, tensor<5xi32>, tensor<?xi32>, tensor<?x1xi32>
}

func.func @k_all(%l: tensor<?x4xf32> {sluice.name = "logits", sluice.dims = ["T", ""]})
    -> (tensor<4xi32> {sluice.name = "counts"}, tensor<5xi32> {sluice.name = "offsets"},
        tensor<?xi32> {sluice.name = "slots"}, tensor<?x4xi32> {sluice.name = "keep"}) {
  %w, %i = sluice.topk_gate %l {k = 4 : i64, renormalize = true}
      : (tensor<?x4xf32>) -> (tensor<?x4xf32>, tensor<?x4xi32>)
  %c, %o, %s, %keep = sluice.route %i, %w {num_experts = 4 : i64, capacity = 5 : i64, drop = #sluice.drop<by_choice>}
      : (tensor<?x4xi32>, tensor<?x4xf32>) -> (tensor<4xi32>, tensor<5xi32>, tensor<?xi32>, tensor<?x4xi32>)
  return %c, %o, %s, %keep : tensor<4xi32>, tensor<5xi32>, tensor<?xi32>, tensor<?x4xi32>
}

func.func @tied_weights(%l: tensor<?x4xf32> {sluice.name = "logits", sluice.dims = ["T", ""]})
    -> (tensor<4xi32> {sluice.name = "counts"}, tensor<5xi32> {sluice.name = "offsets"},
        tensor<?xi32> {sluice.name = "slots"}, tensor<?x2xi32> {sluice.name = "keep"}) {
  %w0, %i = sluice.topk_gate %l {k = 2 : i64}
      : (tensor<?x4xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  %c0 = arith.constant 0 : index
  %half = arith.constant 0.5 : f32
  %t = tensor.dim %l, %c0 : tensor<?x4xf32>
  %e = tensor.empty(%t) : tensor<?x2xf32>
  %w = linalg.fill ins(%half : f32) outs(%e : tensor<?x2xf32>) -> tensor<?x2xf32>
  %c, %o, %s, %keep = sluice.route %i, %w {num_experts = 4 : i64, capacity = 3 : i64, drop = #sluice.drop<by_weight>}
      : (tensor<?x2xi32>, tensor<?x2xf32>) -> (tensor<4xi32>, tensor<5xi32>, tensor<?xi32>, tensor<?x2xi32>)
  return %c, %o, %s, %keep : tensor<4xi32>, tensor<5xi32>, tensor<?xi32>, tensor<?x2xi32>
}

func.func @random_ids(%i: tensor<?x3xi32> {sluice.name = "indices", sluice.dims = ["T", ""], sluice.range = array<i64: 0, 4>},
                      %w: tensor<?x3xf32> {sluice.name = "weights", sluice.dims = ["T", ""]})
    -> (tensor<4xi32> {sluice.name = "counts"}, tensor<5xi32> {sluice.name = "offsets"},
        tensor<?xi32> {sluice.name = "slots"}, tensor<?x3xi32> {sluice.name = "keep"}) {
  %c, %o, %s, %keep = sluice.route %i, %w {num_experts = 4 : i64, capacity = 5 : i64, block = 2 : i64, drop = #sluice.drop<by_weight>}
      : (tensor<?x3xi32>, tensor<?x3xf32>) -> (tensor<4xi32>, tensor<5xi32>, tensor<?xi32>, tensor<?x3xi32>)
  return %c, %o, %s, %keep : tensor<4xi32>, tensor<5xi32>, tensor<?xi32>, tensor<?x3xi32>
}

func.func @small_by_order(%i: tensor<?x2xi32> {sluice.name = "indices", sluice.dims = ["T", ""]},
                      %w: tensor<?x2xf32> {sluice.name = "weights", sluice.dims = ["T", ""]})
    -> (tensor<3xi32> {sluice.name = "counts"}, tensor<4xi32> {sluice.name = "offsets"},
        tensor<?xi32> {sluice.name = "slots"}, tensor<?x2xi32> {sluice.name = "keep"}) {
  %c, %o, %s, %keep = sluice.route %i, %w {num_experts = 3 : i64, capacity = 2 : i64}
      : (tensor<?x2xi32>, tensor<?x2xf32>) -> (tensor<3xi32>, tensor<4xi32>, tensor<?xi32>, tensor<?x2xi32>)
  return %c, %o, %s, %keep : tensor<3xi32>, tensor<4xi32>, tensor<?xi32>, tensor<?x2xi32>
}

func.func @small_by_choice(%i: tensor<?x2xi32> {sluice.name = "indices", sluice.dims = ["T", ""]},
                      %w: tensor<?x2xf32> {sluice.name = "weights", sluice.dims = ["T", ""]})
    -> (tensor<3xi32> {sluice.name = "counts"}, tensor<4xi32> {sluice.name = "offsets"},
        tensor<?xi32> {sluice.name = "slots"}, tensor<?x2xi32> {sluice.name = "keep"}) {
  %c, %o, %s, %keep = sluice.route %i, %w {num_experts = 3 : i64, capacity = 2 : i64, drop = #sluice.drop<by_choice>}
      : (tensor<?x2xi32>, tensor<?x2xf32>) -> (tensor<3xi32>, tensor<4xi32>, tensor<?xi32>, tensor<?x2xi32>)
  return %c, %o, %s, %keep : tensor<3xi32>, tensor<4xi32>, tensor<?xi32>, tensor<?x2xi32>
}

func.func @small_by_weight(%i: tensor<?x2xi32> {sluice.name = "indices", sluice.dims = ["T", ""]},
                      %w: tensor<?x2xf32> {sluice.name = "weights", sluice.dims = ["T", ""]})
    -> (tensor<3xi32> {sluice.name = "counts"}, tensor<4xi32> {sluice.name = "offsets"},
        tensor<?xi32> {sluice.name = "slots"}, tensor<?x2xi32> {sluice.name = "keep"}) {
  %c, %o, %s, %keep = sluice.route %i, %w {num_experts = 3 : i64, capacity = 2 : i64, drop = #sluice.drop<by_weight>, block = 2 : i64}
      : (tensor<?x2xi32>, tensor<?x2xf32>) -> (tensor<3xi32>, tensor<4xi32>, tensor<?xi32>, tensor<?x2xi32>)
  return %c, %o, %s, %keep : tensor<3xi32>, tensor<4xi32>, tensor<?xi32>, tensor<?x2xi32>
}

func.func @weights_mismatch(%i: tensor<?x2xi32> {sluice.name = "indices", sluice.dims = ["T", ""], sluice.range = array<i64: 0, 4>},
                            %w: tensor<?x2xf32> {sluice.name = "weights", sluice.dims = ["U", ""]})
    -> (tensor<4xi32> {sluice.name = "counts"}, tensor<5xi32> {sluice.name = "offsets"},
        tensor<?xi32> {sluice.name = "slots"}, tensor<?x2xi32> {sluice.name = "keep"}) {
  %c, %o, %s, %keep = sluice.route %i, %w {num_experts = 4 : i64, capacity = 2 : i64, drop = #sluice.drop<by_weight>}
      : (tensor<?x2xi32>, tensor<?x2xf32>) -> (tensor<4xi32>, tensor<5xi32>, tensor<?xi32>, tensor<?x2xi32>)
  return %c, %o, %s, %keep : tensor<4xi32>, tensor<5xi32>, tensor<?xi32>, tensor<?x2xi32>
}
