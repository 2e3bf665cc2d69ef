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

/// What the image holds for the device: its kernels, and for PTX entries
/// the byte size of every parameter.
struct Image {
  std::string kind; ///< "cubin", "fatbin" or "ptx"
  int sm = 0;       ///< the SM it was made for
  /// Kernel names; for PTX the sizes of its parameters, for cubins empty
  /// (the fake does not decode .nv.info: tests register the sizes).
  std::map<std::string, std::vector<uint32_t>> kernels;
  bool kernelsKnown = true; ///< false for a compressed fatbin PTX entry
  bool paramsKnown = false; ///< true for PTX
};

/// Checks `image` for a device of compute capability `deviceSm` (90 for
/// sm_90) whose driver supports PTX ISA up to `maxPtx` (major * 10 + minor).
/// Returns 0 and fills `out`, or the CUresult a driver gives: 200 (invalid
/// image), 209 (no binary for this GPU), 218 (invalid PTX) or 222 (PTX newer
/// than the driver).
int loadImage(const void *image, int deviceSm, int maxPtx, Image &out,
              std::string &why);

} // namespace fakecuda

#endif // SLUICE_TEST_FAKECUDAIMAGE_H
