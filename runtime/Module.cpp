//===- Module.cpp - loading compiled modules ------------------------------===//
//
// dlopen with RTLD_NOW (the runtime itself made RTLD_GLOBAL first, so that a
// module's imports of sluice_rt_* resolve), the ABI version check, the
// signature and the `_mlir_ciface_<name>` entry points; signature queries.
//
//===----------------------------------------------------------------------===//

#include "runtime/Module.h"
#include "runtime/Status.h"

#include <cerrno>
#include <cstring>
#include <dlfcn.h>
#include <memory>
#include <mutex>
#include <new>
#include <unistd.h>

using namespace sluice::rt;

namespace {
/// Re-opens the runtime library with RTLD_GLOBAL (once), for hosts that
/// dlopen'ed it privately (e.g. Python's ctypes): modules import sluice_rt_*.
void makeRuntimeGlobal() {
  static std::once_flag once;
  std::call_once(once, [] {
    Dl_info info;
    if (dladdr(reinterpret_cast<void *>(&sluice_rt_error), &info) &&
        info.dli_fname)
      (void)dlopen(info.dli_fname, RTLD_NOW | RTLD_GLOBAL | RTLD_NOLOAD);
  });
}

const char *dlErrorOr(const char *fallback) {
  const char *err = dlerror();
  return err ? err : fallback;
}
} // namespace

sluice_module::~sluice_module() {
  if (handle)
    dlclose(handle);
}

void sluice::rt::retainModule(sluice_module_t *module) {
  module->refCount.fetch_add(1, std::memory_order_relaxed);
}

extern "C" {

SLUICE_API sluice_status_t sluice_module_load(const char *path,
                                              sluice_module_t **out) {
  clearError();
  const char *fn = "sluice_module_load";
  SLUICE_CHECK_ARG(path, "sluice_module_load");
  SLUICE_CHECK_ARG(out, "sluice_module_load");
  *out = nullptr;
  if (access(path, R_OK) != 0) {
    int err = errno;
    return failf(err == ENOENT ? SLUICE_ERROR_NOT_FOUND : SLUICE_ERROR_IO,
                 "%s: %s: %s", fn, path, std::strerror(err));
  }
  makeRuntimeGlobal();
  std::unique_ptr<sluice_module> module(new (std::nothrow) sluice_module());
  if (!module)
    return failf(SLUICE_ERROR_OUT_OF_MEMORY, "%s: out of memory", fn);
  module->path = path;
  // Without a slash dlopen would search the library path instead.
  std::string openPath = std::strchr(path, '/') ? path : "./" + module->path;
  dlerror();
  module->handle = dlopen(openPath.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!module->handle)
    return failf(SLUICE_ERROR_FORMAT, "%s: %s: cannot load: %s", fn, path,
                 dlErrorOr("unknown dlopen error"));

  dlerror();
  void *versionSym = dlsym(module->handle, "sluice_abi_version");
  if (!versionSym)
    return failf(SLUICE_ERROR_FORMAT,
                 "%s: %s: no sluice_abi_version symbol (not a Sluice module)",
                 fn, path);
  int version = reinterpret_cast<int (*)()>(versionSym)();
  if (version != SLUICE_ABI_VERSION)
    return failf(SLUICE_ERROR_FORMAT,
                 "%s: %s: module ABI version %d, this runtime loads %d", fn,
                 path, version, SLUICE_ABI_VERSION);
  dlerror();
  const char *text =
      static_cast<const char *>(dlsym(module->handle, "sluice_signature"));
  if (!text)
    return failf(SLUICE_ERROR_FORMAT, "%s: %s: no sluice_signature symbol", fn,
                 path);
  module->signature = text;
  std::string error;
  if (!parseSignature(text, module->functions, error))
    return failf(SLUICE_ERROR_FORMAT, "%s: %s: bad signature: %s", fn, path,
                 error.c_str());
  for (sluice_function &function : module->functions) {
    std::string symbol = "_mlir_ciface_" + function.name;
    dlerror();
    void *entry = dlsym(module->handle, symbol.c_str());
    if (!entry)
      return failf(SLUICE_ERROR_FORMAT,
                   "%s: %s: function '%s' is in the signature but %s is not "
                   "exported",
                   fn, path, function.name.c_str(), symbol.c_str());
    function.entry = reinterpret_cast<void (*)()>(entry);
  }
  *out = module.release();
  return SLUICE_OK;
}

SLUICE_API void sluice_module_free(sluice_module_t *module) {
  if (module && module->refCount.fetch_sub(1, std::memory_order_acq_rel) == 1)
    delete module;
}

SLUICE_API const char *sluice_module_signature(const sluice_module_t *module) {
  return module ? module->signature.c_str() : nullptr;
}

SLUICE_API int64_t sluice_module_num_functions(const sluice_module_t *module) {
  return module ? static_cast<int64_t>(module->functions.size()) : 0;
}

SLUICE_API const sluice_function_t *
sluice_module_function(const sluice_module_t *module, int64_t index) {
  if (!module || index < 0 ||
      index >= static_cast<int64_t>(module->functions.size()))
    return nullptr;
  return &module->functions[index];
}

SLUICE_API sluice_status_t
sluice_module_find_function(const sluice_module_t *module, const char *name,
                            const sluice_function_t **out) {
  clearError();
  SLUICE_CHECK_ARG(module, "sluice_module_find_function");
  SLUICE_CHECK_ARG(name, "sluice_module_find_function");
  SLUICE_CHECK_ARG(out, "sluice_module_find_function");
  *out = nullptr;
  for (const sluice_function &function : module->functions)
    if (function.name == name) {
      *out = &function;
      return SLUICE_OK;
    }
  std::string known;
  for (const sluice_function &function : module->functions)
    known += (known.empty() ? "" : ", ") + function.name;
  return failf(SLUICE_ERROR_NOT_FOUND,
               "sluice_module_find_function: no function '%s' in %s "
               "(functions: %s)",
               name, module->path.c_str(), known.c_str());
}

SLUICE_API const char *sluice_function_name(const sluice_function_t *function) {
  return function ? function->name.c_str() : nullptr;
}

SLUICE_API int64_t
sluice_function_num_inputs(const sluice_function_t *function) {
  return function ? static_cast<int64_t>(function->inputs.size()) : 0;
}

SLUICE_API int64_t
sluice_function_num_outputs(const sluice_function_t *function) {
  return function ? static_cast<int64_t>(function->outputs.size()) : 0;
}

SLUICE_API const sluice_param_t *
sluice_function_input(const sluice_function_t *function, int64_t index) {
  if (!function || index < 0 ||
      index >= static_cast<int64_t>(function->inputs.size()))
    return nullptr;
  return &function->inputs[index];
}

SLUICE_API const sluice_param_t *
sluice_function_output(const sluice_function_t *function, int64_t index) {
  if (!function || index < 0 ||
      index >= static_cast<int64_t>(function->outputs.size()))
    return nullptr;
  return &function->outputs[index];
}

SLUICE_API const char *sluice_param_name(const sluice_param_t *param) {
  return param ? param->name.c_str() : nullptr;
}

SLUICE_API sluice_dtype_t sluice_param_dtype(const sluice_param_t *param) {
  return param ? param->dtype : SLUICE_DTYPE_INVALID;
}

SLUICE_API int64_t sluice_param_rank(const sluice_param_t *param) {
  return param ? param->rank : -1;
}

SLUICE_API int64_t sluice_param_dim_size(const sluice_param_t *param,
                                         int64_t dim) {
  if (!param || dim < 0 || dim >= param->rank)
    return -1;
  return param->sizes[dim];
}

SLUICE_API const char *sluice_param_dim_symbol(const sluice_param_t *param,
                                               int64_t dim) {
  if (!param || dim < 0 || dim >= param->rank || param->sizes[dim] >= 0)
    return nullptr;
  return param->symbols[dim].c_str();
}

SLUICE_API sluice_role_t sluice_param_role(const sluice_param_t *param) {
  return param ? param->role : SLUICE_ROLE_INPUT;
}

SLUICE_API int sluice_param_range(const sluice_param_t *param, int64_t *lo,
                                  int64_t *hi) {
  if (!param || !param->hasRange)
    return 0;
  if (lo)
    *lo = param->rangeLo;
  if (hi)
    *hi = param->rangeHi;
  return 1;
}

} // extern "C"
