//===- Results.cpp - turning result descriptors into outputs --------------===//
//
// Ownership of result buffers (docs/abi.md): a result's `allocated` pointer
// is the caller's to free() unless it equals the `allocated` pointer of an
// argument (a returned argument) or of an earlier result. Owned contiguous
// buffers are adopted by the output tensor; everything else is copied into
// a fresh row-major tensor. On any failure every owned buffer is freed once.
//
//===----------------------------------------------------------------------===//

#include "runtime/Call.h"
#include "runtime/Status.h"
#include "runtime/Tensor.h"

#include <cinttypes>
#include <cstdlib>
#include <cstring>

using namespace sluice::rt;

namespace {
/// A view of one result descriptor.
struct ResultView {
  char *allocated;
  char *aligned;
  int64_t offset;
  const int64_t *sizes;
  const int64_t *strides;
  /// The caller frees `allocated` (not an argument, not an earlier result).
  bool owned;
  /// An output tensor took over `allocated`.
  bool adopted;
};

char *asPointer(int64_t word) {
  return reinterpret_cast<char *>(static_cast<intptr_t>(word));
}

/// Whether the view is row-major contiguous (dims of size 1 may have any
/// stride).
bool isContiguous(const ResultView &view, int64_t rank) {
  int64_t expected = 1;
  for (int64_t k = rank - 1; k >= 0; --k) {
    if (view.sizes[k] != 1 && view.strides[k] != expected)
      return false;
    expected *= view.sizes[k];
  }
  return true;
}

/// Copies a strided view into the row-major `dst`.
void stridedCopy(const ResultView &view, int64_t rank, size_t elementSize,
                 char *dst, int64_t numElements) {
  if (numElements == 0)
    return;
  const char *base =
      view.aligned + view.offset * static_cast<int64_t>(elementSize);
  if (rank == 0) {
    std::memcpy(dst, base, elementSize);
    return;
  }
  int64_t index[SLUICE_MAX_RANK] = {};
  int64_t inner = view.sizes[rank - 1];
  bool innerContiguous = view.strides[rank - 1] == 1;
  int64_t rows = numElements / inner;
  for (int64_t row = 0; row < rows; ++row) {
    int64_t offset = 0;
    for (int64_t k = 0; k < rank - 1; ++k)
      offset += index[k] * view.strides[k];
    const char *src = base + offset * static_cast<int64_t>(elementSize);
    if (innerContiguous) {
      std::memcpy(dst, src, inner * elementSize);
      dst += inner * elementSize;
    } else {
      for (int64_t i = 0; i < inner; ++i, dst += elementSize)
        std::memcpy(dst,
                    src + i * view.strides[rank - 1] *
                              static_cast<int64_t>(elementSize),
                    elementSize);
    }
    for (int64_t k = rank - 2; k >= 0; --k) {
      if (++index[k] < view.sizes[k])
        break;
      index[k] = 0;
    }
  }
}
} // namespace

sluice_status_t sluice::rt::collectResults(sluice_call_t *call,
                                           const int64_t *results,
                                           const char *runError) {
  const sluice_function &fn = *call->function;
  const char *fname = fn.name.c_str();
  size_t numResults = fn.outputs.size();
  std::vector<ResultView> views(numResults);
  size_t cursor = 0;
  for (size_t j = 0; j < numResults; ++j) {
    const int64_t *words = results + cursor;
    int64_t rank = fn.outputs[j].rank;
    ResultView &view = views[j];
    view.allocated = asPointer(words[0]);
    view.aligned = asPointer(words[1]);
    view.offset = words[2];
    view.sizes = words + 3;
    view.strides = words + 3 + rank;
    view.adopted = false;
    view.owned = view.allocated != nullptr;
    for (size_t i = 0; view.owned && i < call->bound.size(); ++i)
      if (view.allocated == call->bound[i]->data)
        view.owned = false;
    for (size_t i = 0; view.owned && i < j; ++i)
      if (view.allocated == views[i].allocated)
        view.owned = false;
    cursor += descriptorWords(rank);
  }

  std::vector<sluice_tensor_t *> outputs;
  auto cleanup = [&](sluice_status_t status, const std::string &message) {
    for (sluice_tensor_t *tensor : outputs)
      sluice_tensor_free(tensor);
    for (ResultView &view : views)
      if (view.owned && !view.adopted)
        std::free(view.allocated);
    return fail(status, message);
  };
  if (runError)
    return cleanup(SLUICE_ERROR_RUNTIME, format("%s: %s", fname, runError));

  std::map<std::string, int64_t> symbols = inputSymbols(call);
  std::map<std::string, int64_t> dataDependent;
  for (size_t j = 0; j < numResults; ++j) {
    const sluice_param &param = fn.outputs[j];
    ResultView &view = views[j];
    const char *name = param.name.c_str();
    for (int64_t k = 0; k < param.rank; ++k) {
      int64_t size = view.sizes[k];
      if (size < 0)
        return cleanup(SLUICE_ERROR_RUNTIME,
                       format("%s: output '%s' dim %" PRId64
                              " has negative size %" PRId64,
                              fname, name, k, size));
      int64_t expected = param.sizes[k];
      const char *source = "the signature";
      if (expected < 0) {
        auto it = symbols.find(param.symbols[k]);
        if (it != symbols.end()) {
          expected = it->second;
          source = "the inputs";
        } else {
          // Data-dependent: the first output that has it sets it.
          auto inserted = dataDependent.emplace(param.symbols[k], size);
          expected = inserted.first->second;
          source = "an earlier output";
        }
      }
      if (size != expected)
        return cleanup(SLUICE_ERROR_RUNTIME,
                       format("%s: output '%s' dim %" PRId64 " is %" PRId64
                              " but %s says %" PRId64 " (%s)",
                              fname, name, k, size, source, expected,
                              param.dimsToString().c_str()));
    }
    int64_t numElements;
    size_t numBytes;
    size_t elementSize = sluice_dtype_size(param.dtype);
    if (!computeSize(param.rank, view.sizes, elementSize, numElements,
                     numBytes))
      return cleanup(SLUICE_ERROR_RUNTIME,
                     format("%s: output '%s' has an oversized shape %s", fname,
                            name,
                            shapeToString(param.rank, view.sizes).c_str()));
    if (numElements > 0 && !view.aligned)
      return cleanup(
          SLUICE_ERROR_RUNTIME,
          format("%s: output '%s' has no data (null pointer)", fname, name));
    sluice_tensor_t *tensor = nullptr;
    sluice_status_t status;
    if (view.owned && numElements > 0 && isContiguous(view, param.rank)) {
      char *data =
          view.aligned + view.offset * static_cast<int64_t>(elementSize);
      status = adoptBuffer(param.dtype, param.rank, view.sizes, view.allocated,
                           data, fname, &tensor);
      if (status == SLUICE_OK)
        view.adopted = true;
    } else {
      status = createTensorUninit(param.dtype, param.rank, view.sizes, fname,
                                  &tensor);
      if (status == SLUICE_OK)
        stridedCopy(view, param.rank, elementSize,
                    static_cast<char *>(tensor->data), numElements);
    }
    if (status != SLUICE_OK)
      return cleanup(status, sluice_last_error());
    outputs.push_back(tensor);
  }
  for (ResultView &view : views)
    if (view.owned && !view.adopted)
      std::free(view.allocated);
  call->outputs = std::move(outputs);
  call->outputSymbols = std::move(dataDependent);
  return SLUICE_OK;
}
