//===- FakeCudaLaunch.cpp - launch one kernel through the runtime's C API --===//
//
// sluice-fake-cuda-launch: a test helper (docs/cuda-runtime.md) that loads
// a module image with sluice_cuda_module_load_file, makes device buffers,
// copies the inputs, launches one kernel with the memref kernel ABI
// (sluice_cuda_launch), synchronizes, copies the outputs back and compares
// each with a reference .npy. Run with SLUICE_CUDA_DRIVER pointing at the
// fake driver and SLUICE_FAKE_CUDA_KERNELS at the kernels' CPU build, the
// generated kernel itself runs on the CPU.
//
//   sluice-fake-cuda-launch [--offset N] [--tolerance T] IMAGE KERNEL
//       GX,GY,GZ BX,BY,BZ ARG...
//   ARG: in:FILE.npy    an input memref of the array's rank (row-major)
//        ref:FILE.npy   an output memref of FILE's shape and dtype, filled
//                       with 0xff bytes before the launch and compared with
//                       FILE after it (floats: |a - b| <= T * max(1, |b|),
//                       NaN only where FILE has NaN; other dtypes exactly)
//        i64:N  i32:N  f32:X   scalars
//   --offset N places every memref at element N of its buffer as a view
//   (allocated = the buffer, aligned = N elements into it), so kernels must
//   address through `aligned`. (The descriptor's offset field stays 0: the
//   kernels' memrefs have the identity layout, whose offset is statically
//   0, so they never read it.)
//
// Prints one line per output and exits 0 when all match; 1 on a mismatch
// or any error (with sluice_last_error()).
//
//===----------------------------------------------------------------------===//

#include "sluice/runtime.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

int fail(const std::string &what) {
  std::fprintf(stderr, "sluice-fake-cuda-launch: error: %s: %s\n",
               what.c_str(), sluice_last_error());
  return 1;
}

bool parseDims(const char *s, uint32_t out[3]) {
  return std::sscanf(s, "%u,%u,%u", &out[0], &out[1], &out[2]) == 3;
}

struct Memref {
  sluice_tensor_t *host = nullptr; // the .npy (input, or the reference)
  sluice_cuda_buffer_t *buffer = nullptr;
  std::vector<int64_t> sizes;
  bool output = false;
  std::string file;
};

/// Compares `got` with `want` (same dtype and shape); prints the result.
bool compare(const Memref &m, const std::vector<unsigned char> &got,
             double tol) {
  sluice_dtype_t dt = sluice_tensor_dtype(m.host);
  int64_t n = sluice_tensor_num_elements(m.host);
  const void *want = sluice_tensor_data(m.host);
  int64_t bad = 0, first = -1;
  double worst = 0;
  for (int64_t i = 0; i < n; ++i) {
    bool ok;
    if (dt == SLUICE_DTYPE_F32) {
      float a, b;
      std::memcpy(&a, got.data() + 4 * i, 4);
      b = static_cast<const float *>(want)[i];
      if (std::isnan(b) || std::isnan(a)) {
        ok = std::isnan(a) && std::isnan(b);
      } else {
        double d = std::fabs(double(a) - double(b));
        double lim = tol * std::max(1.0, std::fabs(double(b)));
        ok = d <= lim || (std::isinf(b) && a == b);
        if (!std::isinf(b))
          worst = std::max(worst, d / std::max(1.0, std::fabs(double(b))));
      }
    } else {
      size_t es = sluice_dtype_size(dt);
      ok = std::memcmp(got.data() + es * i,
                       static_cast<const unsigned char *>(want) + es * i,
                       es) == 0;
    }
    if (!ok && bad++ == 0)
      first = i;
  }
  if (bad) {
    std::printf("MISMATCH %s: %lld of %lld elements differ, first at %lld\n",
                m.file.c_str(), (long long)bad, (long long)n,
                (long long)first);
    return false;
  }
  std::printf("match %s: %lld elements (%s, largest relative difference "
              "%.3g)\n",
              m.file.c_str(), (long long)n, sluice_dtype_name(dt), worst);
  return true;
}

} // namespace

int main(int argc, char **argv) {
  int64_t offset = 0;
  double tol = 1e-4;
  int i = 1;
  for (; i + 1 < argc && argv[i][0] == '-' && argv[i][1] == '-'; i += 2) {
    if (!std::strcmp(argv[i], "--offset"))
      offset = std::atoll(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--tolerance"))
      tol = std::atof(argv[i + 1]);
    else
      break;
  }
  uint32_t grid[3], block[3];
  if (argc - i < 4 || !parseDims(argv[i + 2], grid) ||
      !parseDims(argv[i + 3], block)) {
    std::fprintf(stderr, "usage: sluice-fake-cuda-launch [--offset N] "
                         "[--tolerance T] IMAGE KERNEL GX,GY,GZ BX,BY,BZ "
                         "in:F.npy|ref:F.npy|i64:N|i32:N|f32:X ...\n");
    return 2;
  }
  const char *image = argv[i], *kernel = argv[i + 1];
  sluice_cuda_module_t *module = nullptr;
  if (sluice_cuda_module_load_file(image, &module) != SLUICE_OK)
    return fail(std::string("loading ") + image);

  std::vector<Memref> memrefs;
  std::vector<sluice_cuda_arg_t> args;
  std::vector<int> argMemref; // index into memrefs, or -1
  for (int a = i + 4; a < argc; ++a) {
    std::string s = argv[a];
    size_t colon = s.find(':');
    std::string kind = s.substr(0, colon), value = s.substr(colon + 1);
    if (colon == std::string::npos) {
      std::fprintf(stderr, "sluice-fake-cuda-launch: error: bad argument "
                           "'%s'\n", s.c_str());
      return 2;
    }
    if (kind == "in" || kind == "ref") {
      Memref m;
      m.output = kind == "ref";
      m.file = value;
      if (sluice_tensor_load_npy(value.c_str(), &m.host) != SLUICE_OK)
        return fail("reading " + value);
      const int64_t *shape = sluice_tensor_shape(m.host);
      m.sizes.assign(shape, shape + sluice_tensor_rank(m.host));
      size_t es = sluice_dtype_size(sluice_tensor_dtype(m.host));
      size_t bytes = sluice_tensor_num_bytes(m.host);
      size_t total = bytes ? bytes + size_t(offset) * es : 0;
      if (sluice_cuda_buffer_create(total, &m.buffer) != SLUICE_OK)
        return fail("buffer for " + value);
      if (bytes) {
        std::vector<unsigned char> init(total, 0xff);
        if (!m.output)
          std::memcpy(init.data() + offset * es, sluice_tensor_data(m.host),
                      bytes);
        if (sluice_cuda_copy_to_device(m.buffer, 0, init.data(), total) !=
            SLUICE_OK)
          return fail("copy of " + value);
      }
      argMemref.push_back(int(memrefs.size()));
      memrefs.push_back(std::move(m));
      args.push_back({}); // filled below, once `sizes` no longer moves
    } else if (kind == "i64") {
      args.push_back(sluice_cuda_arg_i64(std::atoll(value.c_str())));
      argMemref.push_back(-1);
    } else if (kind == "i32") {
      args.push_back(sluice_cuda_arg_i32(std::atoi(value.c_str())));
      argMemref.push_back(-1);
    } else if (kind == "f32") {
      args.push_back(sluice_cuda_arg_f32(std::strtof(value.c_str(), nullptr)));
      argMemref.push_back(-1);
    } else {
      std::fprintf(stderr, "sluice-fake-cuda-launch: error: unknown argument "
                           "kind '%s'\n", kind.c_str());
      return 2;
    }
  }
  for (size_t a = 0; a < args.size(); ++a)
    if (argMemref[a] >= 0) {
      Memref &m = memrefs[size_t(argMemref[a])];
      args[a] = sluice_cuda_arg_memref(m.buffer, 0, int32_t(m.sizes.size()),
                                       m.sizes.data(), nullptr);
      // A view: the kernels' memrefs have the identity layout (static
      // offset 0), so they ignore the descriptor's offset field; the view
      // starts at `aligned`, while `allocated` stays the buffer.
      if (sluice_cuda_buffer_size(m.buffer))
        args[a].aligned += uint64_t(offset) *
                           sluice_dtype_size(sluice_tensor_dtype(m.host));
    }
  if (sluice_cuda_launch(module, kernel, grid, block, 0, args.data(),
                         int64_t(args.size())) != SLUICE_OK)
    return fail(std::string("launching ") + kernel);
  if (sluice_cuda_synchronize() != SLUICE_OK)
    return fail(std::string("running ") + kernel);
  bool ok = true;
  for (Memref &m : memrefs) {
    if (!m.output)
      continue;
    size_t bytes = sluice_tensor_num_bytes(m.host);
    size_t es = sluice_dtype_size(sluice_tensor_dtype(m.host));
    std::vector<unsigned char> got(bytes);
    if (bytes && sluice_cuda_copy_to_host(got.data(), m.buffer, offset * es,
                                          bytes) != SLUICE_OK)
      return fail("copy back of " + m.file);
    ok &= compare(m, got, tol);
  }
  for (Memref &m : memrefs) {
    sluice_cuda_buffer_free(m.buffer);
    sluice_tensor_free(m.host);
  }
  sluice_cuda_module_free(module);
  return ok ? 0 : 1;
}
