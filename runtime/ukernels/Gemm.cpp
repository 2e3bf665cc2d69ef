//===- Gemm.cpp - sluice_uk_gemm ------------------------------------------===//
//
// Entry point of the GEMM micro-kernel. For now every case runs the
// reference loops; the packed, register-blocked kernels replace this.
//
//===----------------------------------------------------------------------===//

#include "sluice/ukernels.h"

static_assert(sizeof(sluice_uk_gemm_args) == SLUICE_UK_GEMM_FIELDS * 8,
              "compiled code fills sluice_uk_gemm_args as int64 fields");

extern "C" void sluice_uk_gemm(const sluice_uk_gemm_args *args) {
  sluice_uk_gemm_reference(args);
}
