// A model function may be named like a C library function (`random`, `exp`):
// the compiled module must still call its own code.
//
// (Only the C-interface wrappers leave the object: the model's own functions
// are internal, so libc's `random` / `exp` cannot interpose them.)

// RUN: sluicec run %s --function=random --check --dim T=7 | FileCheck %s --implicit-check-not=FAILED
// RUN: sluicec run %s --function=exp --check --dim T=7 | FileCheck %s --implicit-check-not=FAILED
// CHECK: check loss: ok

func.func @random(%p: tensor<?x6xf32> {sluice.name = "probs", sluice.dims = ["T", ""]},
                  %i: tensor<?x3xi32> {sluice.name = "indices", sluice.dims = ["T", ""], sluice.range = array<i64: 0, 6>})
    -> (tensor<f32> {sluice.name = "loss"}) {
  %loss = sluice.load_balance_loss %p, %i : (tensor<?x6xf32>, tensor<?x3xi32>) -> tensor<f32>
  return %loss : tensor<f32>
}

func.func @exp(%l: tensor<?x8xf32> {sluice.name = "logits", sluice.dims = ["T", ""]})
    -> (tensor<f32> {sluice.name = "loss"}) {
  %loss = sluice.router_z_loss %l : (tensor<?x8xf32>) -> tensor<f32>
  return %loss : tensor<f32>
}
