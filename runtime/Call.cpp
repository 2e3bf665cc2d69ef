//===- Call.cpp - binding and running compiled functions ------------------===//
//
// sluice_call_*: binding with dtype / rank / static-size / symbol checks,
// building the memref descriptors of docs/abi.md, calling the entry point
// with a run-error slot installed, and reading outputs.
//
//===----------------------------------------------------------------------===//

#include "runtime/Call.h"
#include "runtime/Invoke.h"
#include "runtime/Status.h"
#include "runtime/Tensor.h"
#include "runtime/Weights.h"

#include "sluice/ukernels.h"

#include <cinttypes>
#include <cstring>
#include <new>

using namespace sluice::rt;

sluice_call::~sluice_call() {
  releaseOutputs();
  for (sluice_tensor_t *tensor : bound)
    sluice_tensor_free(tensor);
  sluice_module_free(module);
}

void sluice_call::releaseOutputs() {
  for (sluice_tensor_t *tensor : outputs)
    sluice_tensor_free(tensor);
  outputs.clear();
  outputSymbols.clear();
}

std::map<std::string, int64_t>
sluice::rt::inputSymbols(const sluice_call_t *call) {
  std::map<std::string, int64_t> values;
  for (size_t i = 0; i < call->bound.size(); ++i) {
    const sluice_tensor_t *tensor = call->bound[i];
    if (!tensor)
      continue;
    const sluice_param &param = call->function->inputs[i];
    for (int64_t k = 0; k < param.rank; ++k)
      if (param.sizes[k] < 0)
        values.emplace(param.symbols[k], tensor->shape[k]);
  }
  return values;
}

namespace {
/// Checks `tensor` against input `index` and against the other bound inputs.
sluice_status_t checkBinding(const sluice_call_t *call, size_t index,
                             const sluice_tensor_t *tensor) {
  const sluice_function &fn = *call->function;
  const sluice_param &param = fn.inputs[index];
  const char *fname = fn.name.c_str(), *name = param.name.c_str();
  if (tensor->dtype != param.dtype)
    return failf(SLUICE_ERROR_DTYPE, "%s: input '%s' has dtype %s, expected %s",
                 fname, name, sluice_dtype_name(tensor->dtype),
                 sluice_dtype_name(param.dtype));
  std::string actual = shapeToString(tensor->rank, tensor->shape);
  if (tensor->rank != param.rank)
    return failf(SLUICE_ERROR_SHAPE,
                 "%s: input '%s' has rank %" PRId64 " (shape %s), expected "
                 "rank %" PRId64 " (%s)",
                 fname, name, tensor->rank, actual.c_str(), param.rank,
                 param.dimsToString().c_str());
  for (int64_t k = 0; k < param.rank; ++k) {
    int64_t size = tensor->shape[k];
    if (param.sizes[k] >= 0) {
      if (size != param.sizes[k])
        return failf(SLUICE_ERROR_SHAPE,
                     "%s: input '%s' dim %" PRId64 " is %" PRId64
                     ", expected %" PRId64 " (shape %s, expected %s)",
                     fname, name, k, size, param.sizes[k], actual.c_str(),
                     param.dimsToString().c_str());
      continue;
    }
    const std::string &symbol = param.symbols[k];
    // Earlier dims of this tensor, then the other bound inputs.
    for (int64_t j = 0; j < k; ++j)
      if (param.sizes[j] < 0 && param.symbols[j] == symbol &&
          tensor->shape[j] != size)
        return failf(SLUICE_ERROR_SHAPE,
                     "%s: input '%s' dims %" PRId64 " and %" PRId64
                     " share symbol '%s' but are %" PRId64 " and %" PRId64,
                     fname, name, j, k, symbol.c_str(), tensor->shape[j], size);
    for (size_t other = 0; other < call->bound.size(); ++other) {
      const sluice_tensor_t *otherTensor = call->bound[other];
      if (other == index || !otherTensor)
        continue;
      const sluice_param &otherParam = fn.inputs[other];
      for (int64_t j = 0; j < otherParam.rank; ++j)
        if (otherParam.sizes[j] < 0 && otherParam.symbols[j] == symbol &&
            otherTensor->shape[j] != size)
          return failf(SLUICE_ERROR_SHAPE,
                       "%s: input '%s' dim %" PRId64 " (%s) is %" PRId64
                       ", but input '%s' has %s = %" PRId64,
                       fname, name, k, symbol.c_str(), size,
                       otherParam.name.c_str(), symbol.c_str(),
                       otherTensor->shape[j]);
    }
  }
  return SLUICE_OK;
}

/// The weight tensor bound to operand `o` of a prepack entry, when its
/// f32 data holds every element the entry reads ((n - 1) matrices of
/// `groupStride` apart, K rows of `ld`, `cols` columns from `offset`).
const float *prepackOperand(const sluice_call_t *call,
                            const sluice_prepack::Operand &o, int64_t n,
                            int64_t K, int64_t cols) {
  const sluice_tensor_t *t = call->bound[o.input];
  if (!t || t->dtype != SLUICE_DTYPE_F32 ||
      call->function->inputs[o.input].role != SLUICE_ROLE_WEIGHT)
    return nullptr;
  int64_t last, a, b;
  if (__builtin_mul_overflow(n - 1, o.groupStride, &a) ||
      __builtin_mul_overflow(K - 1, o.ld, &b) ||
      __builtin_add_overflow(a, b, &last) ||
      __builtin_add_overflow(last, o.offset, &last) ||
      __builtin_add_overflow(last, cols, &last) ||
      last > static_cast<int64_t>(t->numElements))
    return nullptr;
  return static_cast<const float *>(t->data) + o.offset;
}

/// Packs the GEMM operands the compiler listed for this function
/// (`prepack` lines) that read input `index`, once all their weights are
/// bound (docs/abi.md, "Prepacked weights"). Only under the at-bind policy;
/// an entry whose tensors are too small for it is left to the calls.
void prepackAfterBind(sluice_call_t *call, size_t index) {
  if (sluice_uk_weights_policy() != SLUICE_UK_PREPACK_AT_BIND)
    return;
  static const int32_t kGrouped[1] = {0}; // group_rows is only tested non-null
  for (const sluice_prepack &pp : call->function->prepacks) {
    if (!pp.reads(static_cast<int64_t>(index)))
      continue;
    sluice_uk_gemm_args a;
    std::memset(&a, 0, sizeof(a));
    a.K = pp.K;
    a.N = pp.N;
    a.M = 1;
    a.groups = pp.groups;
    a.group_rows = pp.groups > 1 ? kGrouped : nullptr;
    // Each operand present in the line: its data (n matrices of `cols`
    // columns), row stride and matrix stride; false when its tensor does
    // not qualify.
    auto take = [&](const sluice_prepack::Operand &o, int64_t n, int64_t cols,
                    const float *&ptr, int64_t &ld, int64_t &gs) {
      if (o.input < 0)
        return true;
      ptr = prepackOperand(call, o, n, pp.K, cols);
      ld = o.ld;
      gs = o.groupStride;
      return ptr != nullptr;
    };
    // The packed copies are keyed by b: a line without routed groups
    // (b_groups = 0) is left to the calls.
    int64_t routed = pp.bs.input >= 0 ? pp.bGroups : pp.groups;
    if (routed <= 0 ||
        !take(pp.b, routed, pp.N, a.b, a.ldb, a.b_group_stride) ||
        !take(pp.b2, routed, pp.N, a.b2, a.ldb2, a.b2_group_stride))
      continue;
    int64_t chunks = pp.groups - pp.bGroups;
    if (pp.bs.input >= 0 && chunks > 0) {
      int64_t mats = (chunks + pp.split - 1) / pp.split;
      a.b_groups = pp.bGroups;
      a.bs_split = pp.split;
      if (!take(pp.bs, mats, pp.split * pp.N, a.bs, a.ldbs,
                a.bs_group_stride) ||
          !take(pp.bs2, mats, pp.split * pp.N, a.bs2, a.ldbs2,
                a.bs2_group_stride))
        continue;
    }
    sluice_uk_gemm_prepack(&a);
  }
}

sluice_status_t bindAt(sluice_call_t *call, size_t index,
                       sluice_tensor_t *tensor) {
  sluice_status_t status = checkBinding(call, index, tensor);
  if (status != SLUICE_OK)
    return status;
  sluice_tensor_retain(tensor);
  sluice_tensor_free(call->bound[index]);
  call->bound[index] = tensor;
  // Weights may be packed once by the GEMM micro-kernel (docs/abi.md,
  // "Prepacked weights"); the tensor unregisters itself when freed.
  if (call->function->inputs[index].role == SLUICE_ROLE_WEIGHT &&
      tensor->dtype == SLUICE_DTYPE_F32)
    sluice::rt::registerWeight(tensor);
  prepackAfterBind(call, index);
  return SLUICE_OK;
}

/// Writes a descriptor for `tensor` at `words` (allocated == aligned, offset
/// 0, row-major strides).
void fillDescriptor(int64_t *words, const sluice_tensor_t *tensor) {
  int64_t rank = tensor->rank;
  words[0] = static_cast<int64_t>(reinterpret_cast<intptr_t>(tensor->data));
  words[1] = words[0];
  words[2] = 0;
  int64_t stride = 1;
  for (int64_t k = rank - 1; k >= 0; --k) {
    words[3 + k] = tensor->shape[k];
    words[3 + rank + k] = stride;
    // Saturate: only an empty tensor can get here with an overflow.
    if (__builtin_mul_overflow(
            stride, tensor->shape[k] > 0 ? tensor->shape[k] : 1, &stride))
      stride = INT64_MAX;
  }
}
} // namespace

extern "C" {

SLUICE_API sluice_status_t sluice_call_create(sluice_module_t *module,
                                              const char *function,
                                              sluice_call_t **out) {
  clearError();
  SLUICE_CHECK_ARG(module, "sluice_call_create");
  SLUICE_CHECK_ARG(function, "sluice_call_create");
  SLUICE_CHECK_ARG(out, "sluice_call_create");
  *out = nullptr;
  const sluice_function_t *fn;
  sluice_status_t status = sluice_module_find_function(module, function, &fn);
  if (status != SLUICE_OK)
    return status;
  auto *call = new (std::nothrow) sluice_call();
  if (!call)
    return fail(SLUICE_ERROR_OUT_OF_MEMORY,
                "sluice_call_create: out of memory");
  retainModule(module);
  call->module = module;
  call->function = fn;
  call->bound.assign(fn->inputs.size(), nullptr);
  size_t words = 0;
  for (const sluice_param &param : fn->inputs)
    words += descriptorWords(param.rank);
  for (const sluice_param &param : fn->outputs)
    words += descriptorWords(param.rank);
  call->descriptorWords.assign(words, 0);
  call->args.reserve(fn->inputs.size() + 1);
  *out = call;
  return SLUICE_OK;
}

SLUICE_API void sluice_call_free(sluice_call_t *call) { delete call; }

SLUICE_API const sluice_function_t *
sluice_call_function(const sluice_call_t *call) {
  return call ? call->function : nullptr;
}

SLUICE_API sluice_status_t sluice_call_bind(sluice_call_t *call,
                                            const char *name,
                                            sluice_tensor_t *tensor) {
  clearError();
  SLUICE_CHECK_ARG(call, "sluice_call_bind");
  SLUICE_CHECK_ARG(name, "sluice_call_bind");
  SLUICE_CHECK_ARG(tensor, "sluice_call_bind");
  int64_t index = call->function->findInput(name);
  if (index < 0) {
    std::string known;
    for (const sluice_param &param : call->function->inputs)
      known += (known.empty() ? "" : ", ") + param.name;
    return failf(SLUICE_ERROR_NOT_FOUND, "%s: no input named '%s' (inputs: %s)",
                 call->function->name.c_str(), name, known.c_str());
  }
  return bindAt(call, static_cast<size_t>(index), tensor);
}

SLUICE_API sluice_status_t sluice_call_bind_index(sluice_call_t *call,
                                                  int64_t index,
                                                  sluice_tensor_t *tensor) {
  clearError();
  SLUICE_CHECK_ARG(call, "sluice_call_bind_index");
  SLUICE_CHECK_ARG(tensor, "sluice_call_bind_index");
  int64_t count = static_cast<int64_t>(call->bound.size());
  if (index < 0 || index >= count)
    return failf(SLUICE_ERROR_INVALID_ARGUMENT,
                 "%s: input index %" PRId64 " is out of range [0, %" PRId64 ")",
                 call->function->name.c_str(), index, count);
  return bindAt(call, static_cast<size_t>(index), tensor);
}

SLUICE_API sluice_status_t sluice_call_bind_weights(
    sluice_call_t *call, const sluice_weights_t *weights, int64_t *num_bound) {
  clearError();
  SLUICE_CHECK_ARG(call, "sluice_call_bind_weights");
  SLUICE_CHECK_ARG(weights, "sluice_call_bind_weights");
  int64_t count = 0;
  if (num_bound)
    *num_bound = 0;
  for (size_t i = 0; i < call->function->inputs.size(); ++i) {
    sluice_tensor_t *tensor = weights->lookup(call->function->inputs[i].name);
    if (!tensor)
      continue;
    sluice_status_t status = bindAt(call, i, tensor);
    if (status != SLUICE_OK)
      return status;
    ++count;
  }
  if (num_bound)
    *num_bound = count;
  return SLUICE_OK;
}

SLUICE_API sluice_status_t sluice_call_symbol(const sluice_call_t *call,
                                              const char *symbol,
                                              int64_t *value) {
  clearError();
  SLUICE_CHECK_ARG(call, "sluice_call_symbol");
  SLUICE_CHECK_ARG(symbol, "sluice_call_symbol");
  SLUICE_CHECK_ARG(value, "sluice_call_symbol");
  std::map<std::string, int64_t> values = inputSymbols(call);
  auto it = values.find(symbol);
  if (it != values.end()) {
    *value = it->second;
    return SLUICE_OK;
  }
  auto out = call->outputSymbols.find(symbol);
  if (out != call->outputSymbols.end()) {
    *value = out->second;
    return SLUICE_OK;
  }
  return failf(SLUICE_ERROR_NOT_FOUND,
               "%s: symbol '%s' has no value (no bound input or output of "
               "the last run has it)",
               call->function->name.c_str(), symbol);
}

SLUICE_API sluice_status_t sluice_call_run(sluice_call_t *call) {
  clearError();
  SLUICE_CHECK_ARG(call, "sluice_call_run");
  const sluice_function &fn = *call->function;
  call->releaseOutputs();
  std::string missing;
  for (size_t i = 0; i < fn.inputs.size(); ++i)
    if (!call->bound[i])
      missing += std::string(missing.empty() ? "" : ", ") + "'" +
                 fn.inputs[i].name + "'" +
                 (fn.inputs[i].role == SLUICE_ROLE_WEIGHT ? " (weight)" : "");
  if (!missing.empty())
    return failf(SLUICE_ERROR_INVALID_ARGUMENT, "%s: unbound input%s %s",
                 fn.name.c_str(),
                 missing.find(',') == std::string::npos ? "" : "s",
                 missing.c_str());

  int64_t *words = call->descriptorWords.data();
  call->args.clear();
  size_t cursor = 0;
  for (size_t i = 0; i < fn.inputs.size(); ++i) {
    fillDescriptor(words + cursor, call->bound[i]);
    call->args.push_back(words + cursor);
    cursor += descriptorWords(fn.inputs[i].rank);
  }
  int64_t *results = words + cursor;
  std::memset(results, 0,
              (call->descriptorWords.size() - cursor) * sizeof(int64_t));
  if (!fn.outputs.empty())
    call->args.insert(call->args.begin(), results);

  RunErrorSlot slot;
  {
    ScopedRunErrorSlot scope(&slot);
    invokePointerArgs(fn.entry, call->args.data(), call->args.size());
  }
  return collectResults(call, results,
                        slot.raised() ? slot.message().c_str() : nullptr);
}

SLUICE_API int64_t sluice_call_num_outputs(const sluice_call_t *call) {
  return call ? static_cast<int64_t>(call->function->outputs.size()) : 0;
}

SLUICE_API sluice_status_t sluice_call_output(const sluice_call_t *call,
                                              int64_t index,
                                              sluice_tensor_t **out) {
  clearError();
  SLUICE_CHECK_ARG(call, "sluice_call_output");
  SLUICE_CHECK_ARG(out, "sluice_call_output");
  *out = nullptr;
  int64_t count = static_cast<int64_t>(call->function->outputs.size());
  if (index < 0 || index >= count)
    return failf(SLUICE_ERROR_INVALID_ARGUMENT,
                 "%s: output index %" PRId64 " is out of range [0, %" PRId64
                 ")",
                 call->function->name.c_str(), index, count);
  if (call->outputs.empty())
    return failf(SLUICE_ERROR_INVALID_ARGUMENT,
                 "%s: no outputs: the call has not run successfully",
                 call->function->name.c_str());
  *out = call->outputs[index];
  return SLUICE_OK;
}

SLUICE_API sluice_status_t sluice_call_output_by_name(const sluice_call_t *call,
                                                      const char *name,
                                                      sluice_tensor_t **out) {
  clearError();
  SLUICE_CHECK_ARG(call, "sluice_call_output_by_name");
  SLUICE_CHECK_ARG(name, "sluice_call_output_by_name");
  SLUICE_CHECK_ARG(out, "sluice_call_output_by_name");
  *out = nullptr;
  int64_t index = call->function->findOutput(name);
  if (index < 0) {
    std::string known;
    for (const sluice_param &param : call->function->outputs)
      known += (known.empty() ? "" : ", ") + param.name;
    return failf(SLUICE_ERROR_NOT_FOUND,
                 "%s: no output named '%s' (outputs: %s)",
                 call->function->name.c_str(), name, known.c_str());
  }
  return sluice_call_output(call, index, out);
}

} // extern "C"
