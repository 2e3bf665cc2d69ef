//===- CudaModule.cpp - CUDA module images and launches -------------------===//
//
// Module images (checked for truncation before the driver, which is given no
// size, reads them) and launches that expand memref arguments into the
// kernel ABI of the CUDA lowering (docs/cuda-runtime.md).
//
//===----------------------------------------------------------------------===//

#include "runtime/FileIO.h"
#include "runtime/Status.h"
#include "runtime/cuda/CudaDriver.h"

#include <cstring>
#include <new>
#include <string>
#include <vector>

using namespace sluice::rt;
using namespace sluice::rt::cuda;

namespace {

/// The most parameter bytes a launch may pass (CUDA 12.1+ on Volta and
/// newer; older drivers reject more than 4096 themselves).
constexpr size_t kMaxParamBytes = 32764;

uint32_t readLE32(const uint8_t *p) {
  return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 |
         uint32_t(p[3]) << 24;
}
uint64_t readLE64(const uint8_t *p) {
  return uint64_t(readLE32(p)) | uint64_t(readLE32(p + 4)) << 32;
}
uint16_t readLE16(const uint8_t *p) { return uint16_t(p[0] | p[1] << 8); }

/// Checks that the driver, which is given no size, stays inside `size`
/// bytes: an ELF's headers and sections, a fatbin's declared length.
/// Returns an empty string when the image is fine (or is text).
std::string checkImageBounds(const uint8_t *p, size_t size) {
  if (size >= 4 && std::memcmp(p,
                               "\x7f"
                               "ELF",
                               4) == 0) {
    if (size < 64 || p[4] != 2 || p[5] != 1)
      return format("ELF image of %zu bytes is truncated or not 64-bit "
                    "little-endian",
                    size);
    uint64_t phoff = readLE64(p + 32), shoff = readLE64(p + 40);
    uint16_t phentsize = readLE16(p + 54), phnum = readLE16(p + 56);
    uint16_t shentsize = readLE16(p + 58), shnum = readLE16(p + 60);
    if (phoff > size || uint64_t(phentsize) * phnum > size - phoff)
      return format("ELF program headers end beyond the %zu-byte image", size);
    if (shoff > size || uint64_t(shentsize) * shnum > size - shoff)
      return format("ELF section headers end beyond the %zu-byte image", size);
    if (shnum && shentsize < 64)
      return "ELF section header size is too small";
    for (uint16_t i = 0; i < shnum; ++i) {
      const uint8_t *sh = p + shoff + uint64_t(i) * shentsize;
      uint32_t type = readLE32(sh + 4);
      uint64_t off = readLE64(sh + 24), len = readLE64(sh + 32);
      if (type != 8 /*SHT_NOBITS*/ && (off > size || len > size - off))
        return format("ELF section %u ends beyond the %zu-byte image", i, size);
    }
    return std::string();
  }
  if (size >= 4 && readLE32(p) == 0xBA55ED50u) {
    if (size < 16)
      return format("fatbin header truncated (%zu bytes)", size);
    uint64_t header = readLE16(p + 6), body = readLE64(p + 8);
    if (header > size || body > size - header)
      return format("fatbin declares %llu bytes, the image has %zu",
                    (unsigned long long)(header + body), size);
    return std::string();
  }
  return std::string();
}

/// Expands the arguments into 8-byte slots, one per kernel parameter.
sluice_status_t packArgs(const char *fn, const sluice_cuda_arg_t *args,
                         int64_t numArgs, std::vector<uint64_t> &slots,
                         size_t &paramBytes) {
  paramBytes = 0;
  auto add4 = [&](uint32_t bits) {
    paramBytes = (paramBytes + 3) & ~size_t(3);
    paramBytes += 4;
    slots.push_back(
        bits); // little-endian: the value is the slot's first 4 bytes
  };
  auto add8 = [&](uint64_t bits) {
    paramBytes = (paramBytes + 7) & ~size_t(7);
    paramBytes += 8;
    slots.push_back(bits);
  };
  for (int64_t i = 0; i < numArgs; ++i) {
    const sluice_cuda_arg_t &a = args[i];
    switch (a.kind) {
    case SLUICE_CUDA_ARG_MEMREF: {
      if (a.rank < 0 || a.rank > SLUICE_MAX_RANK)
        return failf(SLUICE_ERROR_INVALID_ARGUMENT,
                     "%s: argument %lld: memref rank %d is not in [0, %d]", fn,
                     (long long)i, a.rank, SLUICE_MAX_RANK);
      if (a.rank > 0 && !a.sizes)
        return failf(SLUICE_ERROR_INVALID_ARGUMENT,
                     "%s: argument %lld: memref of rank %d has no sizes", fn,
                     (long long)i, a.rank);
      add8(a.allocated);
      add8(a.aligned);
      add8(uint64_t(a.offset));
      for (int32_t k = 0; k < a.rank; ++k) {
        if (a.sizes[k] < 0)
          return failf(SLUICE_ERROR_INVALID_ARGUMENT,
                       "%s: argument %lld: memref size %d is negative (%lld)",
                       fn, (long long)i, k, (long long)a.sizes[k]);
        add8(uint64_t(a.sizes[k]));
      }
      // Row-major strides unless given (checked against overflow).
      int64_t stride = 1;
      std::vector<int64_t> rowMajor(size_t(a.rank), 0);
      for (int32_t k = a.rank - 1; k >= 0; --k) {
        rowMajor[size_t(k)] = stride;
        if (a.sizes[k] > 0 &&
            __builtin_mul_overflow(stride, a.sizes[k], &stride))
          return failf(SLUICE_ERROR_INVALID_ARGUMENT,
                       "%s: argument %lld: memref sizes overflow int64", fn,
                       (long long)i);
      }
      for (int32_t k = 0; k < a.rank; ++k)
        add8(uint64_t(a.strides ? a.strides[k] : rowMajor[size_t(k)]));
      break;
    }
    case SLUICE_CUDA_ARG_I32:
      add4(uint32_t(a.i64));
      break;
    case SLUICE_CUDA_ARG_I64:
      add8(uint64_t(a.i64));
      break;
    case SLUICE_CUDA_ARG_F32: {
      uint32_t bits;
      std::memcpy(&bits, &a.f32, 4);
      add4(bits);
      break;
    }
    case SLUICE_CUDA_ARG_PTR:
      add8(a.ptr);
      break;
    default:
      return failf(SLUICE_ERROR_INVALID_ARGUMENT,
                   "%s: argument %lld has unknown kind %d", fn, (long long)i,
                   int(a.kind));
    }
    if (paramBytes > kMaxParamBytes)
      return failf(SLUICE_ERROR_INVALID_ARGUMENT,
                   "%s: the arguments need more than %zu parameter bytes", fn,
                   kMaxParamBytes);
  }
  return SLUICE_OK;
}

} // namespace

extern "C" {

SLUICE_API sluice_status_t sluice_cuda_module_load_data(
    const void *image, size_t size, sluice_cuda_module_t **out) {
  const char *fn = "sluice_cuda_module_load_data";
  clearError();
  clearCudaStatus();
  SLUICE_CHECK_ARG(image, "sluice_cuda_module_load_data");
  SLUICE_CHECK_ARG(out, "sluice_cuda_module_load_data");
  *out = nullptr;
  const auto *bytes = static_cast<const uint8_t *>(image);
  if (size == 0) {
    setCudaStatus(SLUICE_CUDA_INVALID_IMAGE, 0);
    return fail(SLUICE_ERROR_FORMAT, "sluice_cuda_module_load_data: the image "
                                     "is empty");
  }
  std::string problem = checkImageBounds(bytes, size);
  if (!problem.empty()) {
    setCudaStatus(SLUICE_CUDA_INVALID_IMAGE, 0);
    return failf(SLUICE_ERROR_FORMAT, "%s: invalid image: %s", fn,
                 problem.c_str());
  }
  // PTX is read up to its NUL: make sure there is one inside our copy.
  std::string text;
  const void *data = image;
  bool binary = size >= 4 && (std::memcmp(bytes,
                                          "\x7f"
                                          "ELF",
                                          4) == 0 ||
                              readLE32(bytes) == 0xBA55ED50u);
  if (!binary && !std::memchr(bytes, 0, size)) {
    text.assign(reinterpret_cast<const char *>(bytes), size);
    data = text.c_str();
  }
  uint64_t generation;
  const DriverApi *api = acquire(fn, &generation);
  if (!api)
    return SLUICE_ERROR_DEVICE;
  auto *module = new (std::nothrow) sluice_cuda_module();
  if (!module)
    return fail(SLUICE_ERROR_OUT_OF_MEMORY,
                "sluice_cuda_module_load_data: out of memory");
  CUresult r = api->moduleLoadData(&module->module, data);
  if (r != CUDA_SUCCESS) {
    delete module;
    return failDriver(fn, "cuModuleLoadData", r);
  }
  module->generation = generation;
  *out = module;
  return SLUICE_OK;
}

SLUICE_API sluice_status_t
sluice_cuda_module_load_file(const char *path, sluice_cuda_module_t **out) {
  clearError();
  SLUICE_CHECK_ARG(path, "sluice_cuda_module_load_file");
  SLUICE_CHECK_ARG(out, "sluice_cuda_module_load_file");
  *out = nullptr;
  InputFile file;
  sluice_status_t s = file.open("sluice_cuda_module_load_file", path);
  if (s != SLUICE_OK)
    return s;
  if (file.size() > (uint64_t(1) << 30))
    return failf(SLUICE_ERROR_FORMAT,
                 "sluice_cuda_module_load_file: %s: %llu bytes is more than "
                 "a module image may have (1 GiB)",
                 path, (unsigned long long)file.size());
  std::string bytes(size_t(file.size()), '\0');
  s = file.readAt(0, &bytes[0], bytes.size(), "the module image");
  if (s != SLUICE_OK)
    return s;
  s = sluice_cuda_module_load_data(bytes.data(), bytes.size(), out);
  if (s != SLUICE_OK)
    return fail(s, std::string(sluice_last_error()) + " (" + path + ")");
  return SLUICE_OK;
}

SLUICE_API void sluice_cuda_module_free(sluice_cuda_module_t *module) {
  if (!module)
    return;
  if (module->module && !isStale(module->generation)) {
    if (const DriverApi *api = acquire("sluice_cuda_module_free", nullptr))
      api->moduleUnload(module->module);
    clearError();
    clearCudaStatus();
  }
  delete module;
}

SLUICE_API sluice_cuda_arg_t sluice_cuda_arg_memref(
    const sluice_cuda_buffer_t *buffer, int64_t offset, int32_t rank,
    const int64_t *sizes, const int64_t *strides) {
  sluice_cuda_arg_t a = {};
  a.kind = SLUICE_CUDA_ARG_MEMREF;
  a.allocated = a.aligned = buffer ? buffer->address : 0;
  a.offset = offset;
  a.rank = rank;
  a.sizes = sizes;
  a.strides = strides;
  return a;
}

SLUICE_API sluice_cuda_arg_t sluice_cuda_arg_i32(int32_t value) {
  sluice_cuda_arg_t a = {};
  a.kind = SLUICE_CUDA_ARG_I32;
  a.i64 = value;
  return a;
}

SLUICE_API sluice_cuda_arg_t sluice_cuda_arg_i64(int64_t value) {
  sluice_cuda_arg_t a = {};
  a.kind = SLUICE_CUDA_ARG_I64;
  a.i64 = value;
  return a;
}

SLUICE_API sluice_cuda_arg_t sluice_cuda_arg_f32(float value) {
  sluice_cuda_arg_t a = {};
  a.kind = SLUICE_CUDA_ARG_F32;
  a.f32 = value;
  return a;
}

SLUICE_API sluice_cuda_arg_t sluice_cuda_arg_ptr(uint64_t address) {
  sluice_cuda_arg_t a = {};
  a.kind = SLUICE_CUDA_ARG_PTR;
  a.ptr = address;
  return a;
}

SLUICE_API sluice_status_t sluice_cuda_launch(
    sluice_cuda_module_t *module, const char *kernel, const uint32_t grid[3],
    const uint32_t block[3], uint32_t sharedBytes,
    const sluice_cuda_arg_t *args, int64_t numArgs) {
  const char *fn = "sluice_cuda_launch";
  clearError();
  clearCudaStatus();
  SLUICE_CHECK_ARG(module, "sluice_cuda_launch");
  SLUICE_CHECK_ARG(kernel, "sluice_cuda_launch");
  SLUICE_CHECK_ARG(grid, "sluice_cuda_launch");
  SLUICE_CHECK_ARG(block, "sluice_cuda_launch");
  if (numArgs < 0 || (numArgs > 0 && !args))
    return failf(SLUICE_ERROR_INVALID_ARGUMENT, "%s: %lld arguments at %p", fn,
                 (long long)numArgs, static_cast<const void *>(args));
  if (isStale(module->generation))
    return staleHandle(fn, "the module");
  if (block[0] == 0 || block[1] == 0 || block[2] == 0)
    return failf(SLUICE_ERROR_INVALID_ARGUMENT,
                 "%s: %s: block %ux%ux%u has a zero dimension", fn, kernel,
                 block[0], block[1], block[2]);
  std::vector<uint64_t> slots;
  size_t paramBytes = 0;
  sluice_status_t s = packArgs(fn, args, numArgs, slots, paramBytes);
  if (s != SLUICE_OK)
    return s;
  const DriverApi *api = acquire(fn, nullptr);
  if (!api)
    return SLUICE_ERROR_DEVICE;
  CUfunction function = nullptr;
  {
    std::lock_guard<std::mutex> lock(module->mutex);
    auto it = module->functions.find(kernel);
    if (it != module->functions.end()) {
      function = it->second;
    } else {
      CUresult r = api->moduleGetFunction(&function, module->module, kernel);
      if (r != CUDA_SUCCESS)
        return failDriver(fn, "cuModuleGetFunction", r,
                          format("kernel '%s'", kernel));
      module->functions.emplace(kernel, function);
    }
  }
  if (grid[0] == 0 || grid[1] == 0 || grid[2] == 0)
    return SLUICE_OK; // an empty dynamic grid: nothing to run
  std::vector<void *> params(slots.size());
  for (size_t i = 0; i < slots.size(); ++i)
    params[i] = &slots[i];
  CUresult r = api->launchKernel(
      function, grid[0], grid[1], grid[2], block[0], block[1], block[2],
      sharedBytes, nullptr, params.empty() ? nullptr : params.data(), nullptr);
  if (r != CUDA_SUCCESS)
    return failDriver(fn, "cuLaunchKernel", r,
                      format("kernel '%s', grid %ux%ux%u, block %ux%ux%u, "
                             "%u shared bytes",
                             kernel, grid[0], grid[1], grid[2], block[0],
                             block[1], block[2], sharedBytes));
  return SLUICE_OK;
}

SLUICE_API sluice_status_t sluice_cuda_synchronize(void) {
  const char *fn = "sluice_cuda_synchronize";
  clearError();
  clearCudaStatus();
  const DriverApi *api = acquire(fn, nullptr);
  if (!api)
    return SLUICE_ERROR_DEVICE;
  CUresult r = api->ctxSynchronize();
  return r == CUDA_SUCCESS ? SLUICE_OK : failDriver(fn, "cuCtxSynchronize", r);
}

} // extern "C"
