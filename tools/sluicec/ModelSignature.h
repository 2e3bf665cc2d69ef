//===- ModelSignature.h - the signature of a model's functions --*- C++ -*-===//
//
// What `sluicec info` prints and what a compiled module carries as its
// `sluice_signature` text (docs/abi.md): per public function, its inputs and
// outputs with names, dtypes, static or symbolic dims, roles and generation
// hints, read from the function type and `sluice.*` argument attributes.
//
//===----------------------------------------------------------------------===//

#ifndef SLUICE_TOOLS_SLUICEC_MODELSIGNATURE_H
#define SLUICE_TOOLS_SLUICEC_MODELSIGNATURE_H

#include "mlir/IR/BuiltinOps.h"

#include <optional>
#include <string>
#include <vector>

namespace sluicec {

struct TensorSig {
  std::string name;
  std::string dtype;             ///< f32, i32, i64, i8, i1
  std::vector<std::string> dims; ///< decimal size or symbol
  bool weight = false;
  std::optional<std::pair<int64_t, int64_t>> range; ///< [lo, hi)
};

struct FunctionSig {
  std::string name;
  std::vector<TensorSig> inputs, outputs;
  /// `prepack` lines (docs/abi.md): the GEMMs on weights the lowering
  /// found, packed by the runtime when the weights are bound.
  std::vector<std::string> prepack;
};

struct ModelSig {
  std::vector<FunctionSig> functions;
  /// The docs/abi.md text form.
  std::string text() const;
  /// A human-readable listing (`sluicec info`).
  std::string pretty() const;
};

/// Moves the lowering's `sluice.prepack` module attribute (function, line
/// pairs) into the functions' `prepack` lines.
void takePrepackLines(mlir::ModuleOp module, ModelSig &sig);

/// Reads the signature of every public function of `module`. Emits an error
/// (at the argument's function) and returns nullopt for a type the ABI does
/// not carry.
std::optional<ModelSig> extractSignature(mlir::ModuleOp module);

} // namespace sluicec

#endif // SLUICE_TOOLS_SLUICEC_MODELSIGNATURE_H
