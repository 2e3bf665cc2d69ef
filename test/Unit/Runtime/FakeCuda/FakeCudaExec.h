//===- FakeCudaExec.h - the fake driver runs generated kernels --*- C++ -*-===//
//
// The CPU build of the generated GPU kernels (sluicec --target=cuda
// --emit=fake-kernels), loaded from SLUICE_FAKE_CUDA_KERNELS, executed
// block by block with every thread of a block a fiber (ucontext): barriers
// and warp shuffles switch fibers until every thread of the block (warp)
// has arrived; a barrier or shuffle only part of them reach is an error.
//
//===----------------------------------------------------------------------===//

#ifndef SLUICE_TEST_FAKECUDAEXEC_H
#define SLUICE_TEST_FAKECUDAEXEC_H

#include "FakeCuda.h"

#include <cstdint>
#include <string>
#include <vector>

namespace fakecuda {

/// A kernel of a fake-kernels shared object.
struct GeneratedKernel {
  fake_cuda_generated_kernel_fn fn = nullptr;
  /// {1, #params, #shared, block x, y, z, param bytes..., shared bytes...}
  const int64_t *sig = nullptr;

  int64_t numParams() const { return sig[1]; }
  int64_t numShared() const { return sig[2]; }
  uint32_t paramBytes(int64_t i) const { return uint32_t(sig[6 + i]); }
  int64_t sharedBytes(int64_t j) const { return sig[6 + sig[1] + j]; }
};

/// Loads the shared objects of `paths` (':'-separated); false with `why`.
bool loadGeneratedKernels(const std::string &paths, std::vector<void *> &libs,
                          std::string &why);

/// Looks `name` up in `libs`; false if no library defines it.
bool findGeneratedKernel(const std::vector<void *> &libs,
                         const std::string &name, GeneratedKernel &out);

/// Checks the launch against the kernel's signature: parameter sizes (the
/// image's own list), the block size it was compiled for, shared memory.
bool checkGeneratedLaunch(const GeneratedKernel &k,
                          const std::vector<uint32_t> &imageSizes,
                          const uint32_t block[3], std::string &why);

/// Runs every block of the grid (in order, or last block and last thread
/// first with `reverse`) with `params`; false with `why` on a divergent
/// barrier or shuffle.
bool runGeneratedKernel(const GeneratedKernel &k, const uint32_t grid[3],
                        const uint32_t block[3], void **params, bool reverse,
                        std::string &why);

} // namespace fakecuda

#endif // SLUICE_TEST_FAKECUDAEXEC_H
