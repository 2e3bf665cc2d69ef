//===- Module.h - loaded compiled modules -----------------------*- C++ -*-===//
//
// The object behind sluice_module_t: the dlopen handle, the signature text
// and the parsed functions with their resolved entry points. Calls hold a
// reference, so the shared object stays loaded while any call is alive.
//
//===----------------------------------------------------------------------===//

#ifndef SLUICE_RUNTIME_MODULE_H
#define SLUICE_RUNTIME_MODULE_H

#include "runtime/Signature.h"

#include <atomic>
#include <string>
#include <vector>

struct sluice_module {
  std::atomic<int64_t> refCount{1};
  void *handle = nullptr;
  std::string path;
  std::string signature;
  std::vector<sluice_function> functions;

  ~sluice_module();
};

namespace sluice {
namespace rt {

/// Takes one more reference to `module`.
void retainModule(sluice_module_t *module);

} // namespace rt
} // namespace sluice

#endif // SLUICE_RUNTIME_MODULE_H
