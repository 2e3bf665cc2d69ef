//===- Weights.cpp - named tensor collections -----------------------------===//
//
// sluice_weights_* entry points.
//
//===----------------------------------------------------------------------===//

#include "runtime/Weights.h"
#include "runtime/Status.h"

#include <new>

using namespace sluice::rt;

sluice_weights::~sluice_weights() {
  for (sluice_tensor_t *tensor : tensors)
    sluice_tensor_free(tensor);
}

sluice_tensor_t *sluice_weights::lookup(const std::string &name) const {
  auto it = index.find(name);
  return it == index.end() ? nullptr : tensors[it->second];
}

bool sluice_weights::insert(const std::string &name, sluice_tensor_t *tensor) {
  if (!index.emplace(name, names.size()).second)
    return false;
  names.push_back(name);
  tensors.push_back(tensor);
  return true;
}

extern "C" {

SLUICE_API sluice_status_t sluice_weights_create(sluice_weights_t **out) {
  clearError();
  SLUICE_CHECK_ARG(out, "sluice_weights_create");
  *out = new (std::nothrow) sluice_weights();
  if (!*out)
    return fail(SLUICE_ERROR_OUT_OF_MEMORY, "sluice_weights_create: out of "
                                            "memory");
  return SLUICE_OK;
}

SLUICE_API void sluice_weights_free(sluice_weights_t *weights) {
  delete weights;
}

SLUICE_API sluice_status_t sluice_weights_add(sluice_weights_t *weights,
                                              const char *name,
                                              sluice_tensor_t *tensor) {
  clearError();
  SLUICE_CHECK_ARG(weights, "sluice_weights_add");
  SLUICE_CHECK_ARG(name, "sluice_weights_add");
  SLUICE_CHECK_ARG(tensor, "sluice_weights_add");
  if (weights->lookup(name))
    return failf(SLUICE_ERROR_INVALID_ARGUMENT,
                 "sluice_weights_add: duplicate name '%s'", name);
  sluice_tensor_retain(tensor);
  weights->insert(name, tensor);
  return SLUICE_OK;
}

SLUICE_API int64_t sluice_weights_count(const sluice_weights_t *weights) {
  return weights ? static_cast<int64_t>(weights->names.size()) : 0;
}

SLUICE_API const char *sluice_weights_name(const sluice_weights_t *weights,
                                           int64_t index) {
  if (!weights || index < 0 ||
      index >= static_cast<int64_t>(weights->names.size()))
    return nullptr;
  return weights->names[index].c_str();
}

SLUICE_API sluice_tensor_t *
sluice_weights_tensor(const sluice_weights_t *weights, int64_t index) {
  if (!weights || index < 0 ||
      index >= static_cast<int64_t>(weights->tensors.size()))
    return nullptr;
  return weights->tensors[index];
}

SLUICE_API sluice_status_t sluice_weights_get(const sluice_weights_t *weights,
                                              const char *name,
                                              sluice_tensor_t **out) {
  clearError();
  SLUICE_CHECK_ARG(weights, "sluice_weights_get");
  SLUICE_CHECK_ARG(name, "sluice_weights_get");
  SLUICE_CHECK_ARG(out, "sluice_weights_get");
  *out = weights->lookup(name);
  if (!*out)
    return failf(SLUICE_ERROR_NOT_FOUND,
                 "sluice_weights_get: no tensor named '%s'", name);
  return SLUICE_OK;
}

} // extern "C"
