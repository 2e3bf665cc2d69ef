//===- FakeCudaImage.h - module images the fake driver accepts --*- C++ -*-===//
//
// Validation of the image given to the fake cuModuleLoadData: a cubin (ELF,
// e_machine 190, the SM in e_flags), a fatbin (magic 0xBA55ED50, its ELF
// and PTX entries) or PTX text (.version / .target / .entry headers).
//
//===----------------------------------------------------------------------===//

#ifndef SLUICE_TEST_FAKECUDAIMAGE_H
#define SLUICE_TEST_FAKECUDAIMAGE_H

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace fakecuda {

/// A kernel's parameters: from a PTX .entry list (laid out by the driver's
/// rule, each at the next multiple of its size) or from a cubin's
/// .nv.info.<kernel> EIATTR_KPARAM_INFO records (as ptxas laid them out).
struct KernelInfo {
  bool paramsKnown = false;
  std::vector<uint32_t> sizes;
  std::vector<uint32_t> offsets;
};

/// What the image holds for the device.
struct Image {
  std::string kind; ///< "cubin", "fatbin" or "ptx"
  int sm = 0;       ///< the SM it was made for
  std::map<std::string, KernelInfo> kernels;
  bool kernelsKnown = true; ///< false for a compressed fatbin PTX entry
  /// Module-scope device variables (cuModuleGetGlobal) and their sizes:
  /// global STT_OBJECT symbols of a cubin, `.global` declarations of PTX.
  std::map<std::string, uint64_t> globals;
};

/// Offsets of parameters of `sizes` in the parameter buffer: each at the
/// next multiple of its size (8 at most).
std::vector<uint32_t> layoutParams(const std::vector<uint32_t> &sizes);

/// Checks `image` for a device of compute capability `deviceSm` (90 for
/// sm_90) whose driver supports PTX ISA up to `maxPtx` (major * 10 + minor).
/// Returns 0 and fills `out`, or the CUresult a driver gives: 200 (invalid
/// image), 209 (no binary for this GPU), 218 (invalid PTX) or 222 (PTX newer
/// than the driver).
int loadImage(const void *image, int deviceSm, int maxPtx, Image &out,
              std::string &why);

} // namespace fakecuda

#endif // SLUICE_TEST_FAKECUDAIMAGE_H
