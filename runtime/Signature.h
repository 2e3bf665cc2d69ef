//===- Signature.h - the signature text of compiled modules -----*- C++ -*-===//
//
// The parsed form of `sluice_signature` (docs/abi.md): functions, their
// inputs (role, range hint) and outputs, each with a dtype and dims that are
// static sizes or symbols. These are the objects behind sluice_function_t
// and sluice_param_t.
//
//===----------------------------------------------------------------------===//

#ifndef SLUICE_RUNTIME_SIGNATURE_H
#define SLUICE_RUNTIME_SIGNATURE_H

#include "sluice/runtime.h"

#include <string>
#include <vector>

/// One input or output of a function.
struct sluice_param {
  std::string name;
  sluice_dtype_t dtype = SLUICE_DTYPE_INVALID;
  sluice_role_t role = SLUICE_ROLE_INPUT;
  int64_t rank = 0;
  /// Per dim: the static size, or -1 for a symbol.
  std::vector<int64_t> sizes;
  /// Per dim: the symbol, or "" for a static size.
  std::vector<std::string> symbols;
  bool hasRange = false;
  int64_t rangeLo = 0, rangeHi = 0;

  /// "[T, 4]".
  std::string dimsToString() const;
};

/// A GEMM of the compiled code that reads weight inputs: the fields of
/// sluice_uk_gemm_args its packed copy is keyed by, each operand an input
/// and an element offset into it (a `prepack` line, docs/abi.md). The
/// runtime packs it when the weights are bound (sluice_uk_gemm_prepack).
struct sluice_prepack {
  struct Operand {
    int64_t input = -1; ///< index into the inputs; -1: absent
    int64_t offset = 0, ld = 0, groupStride = 0;
  };
  int64_t K = 0, N = 0, groups = 1;
  Operand b, b2;
  /// The shared stack (groups >= bGroups read bs / bs2, split in `split`
  /// N-column chunks); bs.input < 0 without one.
  Operand bs, bs2;
  int64_t bGroups = 0, split = 0;

  bool reads(int64_t input) const {
    return b.input == input || b2.input == input || bs.input == input ||
           bs2.input == input;
  }
};

/// One public function of a module.
struct sluice_function {
  std::string name;
  std::vector<sluice_param> inputs;
  std::vector<sluice_param> outputs;
  /// GEMMs on weights to pack when those are bound.
  std::vector<sluice_prepack> prepacks;
  /// `_mlir_ciface_<name>`, resolved at load time.
  void (*entry)() = nullptr;

  /// Index of input `name`, or -1.
  int64_t findInput(const std::string &inputName) const;
  /// Index of output `name`, or -1.
  int64_t findOutput(const std::string &outputName) const;
};

namespace sluice {
namespace rt {

/// The most arguments (results pointer included) a function may take.
constexpr size_t kMaxCallArgs = 1024;

/// Parses a signature text. On failure returns false with `error` naming the
/// line ("line 3: ...").
bool parseSignature(const char *text, std::vector<sluice_function> &out,
                    std::string &error);

} // namespace rt
} // namespace sluice

#endif // SLUICE_RUNTIME_SIGNATURE_H
