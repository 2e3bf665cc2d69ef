//===- Call.h - calls of compiled functions ---------------------*- C++ -*-===//
//
// The object behind sluice_call_t: the bound inputs, the symbol values they
// imply, the scratch memory for descriptors, and the outputs of the last
// run; plus the conversion of result descriptors into output tensors.
//
//===----------------------------------------------------------------------===//

#ifndef SLUICE_RUNTIME_CALL_H
#define SLUICE_RUNTIME_CALL_H

#include "runtime/Module.h"

#include <map>
#include <string>
#include <vector>

struct sluice_call {
  sluice_module_t *module = nullptr;
  const sluice_function *function = nullptr;
  /// One reference per bound input (null: not bound).
  std::vector<sluice_tensor_t *> bound;
  /// Outputs of the last successful run (one reference each).
  std::vector<sluice_tensor_t *> outputs;
  /// Symbols whose values only the last run's outputs gave.
  std::map<std::string, int64_t> outputSymbols;
  /// Descriptor words (arguments, then results), reused across runs.
  std::vector<int64_t> descriptorWords;
  std::vector<void *> args;

  ~sluice_call();
  void releaseOutputs();
};

namespace sluice {
namespace rt {

/// Size in 8-byte words of a rank-`rank` memref descriptor.
inline size_t descriptorWords(int64_t rank) {
  return 3 + 2 * static_cast<size_t>(rank);
}

/// The symbol values implied by the bound inputs (all consistent: binding
/// checks it).
std::map<std::string, int64_t> inputSymbols(const sluice_call_t *call);

/// Turns the result descriptors in `results` into output tensors (adopting
/// or copying module buffers, freeing what the caller owns per docs/abi.md)
/// and checks their shapes against the signature. `runError` non-null means
/// the compiled code reported that error: every owned buffer is freed and
/// the run fails with it.
sluice_status_t collectResults(sluice_call_t *call, const int64_t *results,
                               const char *runError);

} // namespace rt
} // namespace sluice

#endif // SLUICE_RUNTIME_CALL_H
