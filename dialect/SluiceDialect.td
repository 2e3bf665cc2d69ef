//===- SluiceDialect.td - the sluice dialect ---------------*- tablegen -*-===//
//
// Conditional computation for neural networks: gating, mixture-of-experts
// routing, pooling, low-rank adapters and sparse activations.
//
//===----------------------------------------------------------------------===//

#ifndef SLUICE_DIALECT_TD
#define SLUICE_DIALECT_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"

def Sluice_Dialect : Dialect {
  let name = "sluice";
  let cppNamespace = "::mlir::sluice";
  let summary = "Conditional computation: gating, MoE routing, pooling, "
                "low-rank adapters, sparse activations";
  let description = [{
    The `sluice` dialect holds the v1 op set of Sluice. Ops work on ranked
    tensors with static weight shapes and dynamic (`?`) token, batch and
    sequence dimensions. Element types are f32 for values and i32 for index
    tensors; masks are any integer type (nonzero = valid).

    The semantics of every op are those of the Sluice op specification: the
    contract the reference evaluator, the CPU and the CUDA backends implement.
  }];
  let useDefaultAttributePrinterParser = 1;
  let hasConstantMaterializer = 0;
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::tensor::TensorDialect"
  ];
}

class Sluice_Op<string mnemonic, list<Trait> traits = []>
    : Op<Sluice_Dialect, mnemonic, traits>;

#endif // SLUICE_DIALECT_TD
