//===- Gemm.cpp - sluice_uk_gemm ------------------------------------------===//
//
// Entry point of the GEMM micro-kernel. For now every case runs the
// reference loops; the packed, register-blocked kernels replace this.
//
//===----------------------------------------------------------------------===//

#include "sluice/ukernels.h"

extern "C" void sluice_uk_gemm(const sluice_uk_gemm_args *args) {
  sluice_uk_gemm_reference(args);
}
