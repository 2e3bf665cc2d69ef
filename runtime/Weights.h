//===- Weights.h - named tensor collections ---------------------*- C++ -*-===//
//
// The ordered name -> tensor map behind sluice_weights_t.
//
//===----------------------------------------------------------------------===//

#ifndef SLUICE_RUNTIME_WEIGHTS_H
#define SLUICE_RUNTIME_WEIGHTS_H

#include "sluice/runtime.h"

#include <string>
#include <unordered_map>
#include <vector>

/// Entries in insertion order; each holds a tensor reference.
struct sluice_weights {
  std::vector<std::string> names;
  std::vector<sluice_tensor_t *> tensors;
  std::unordered_map<std::string, size_t> index;

  ~sluice_weights();
  /// The tensor named `name`, or null.
  sluice_tensor_t *lookup(const std::string &name) const;
  /// Adds an entry, taking over one reference of `tensor`; false if the name
  /// is taken.
  bool insert(const std::string &name, sluice_tensor_t *tensor);
};

#endif // SLUICE_RUNTIME_WEIGHTS_H
