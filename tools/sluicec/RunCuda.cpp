//===- RunCuda.cpp - sluicec run --target=cuda ----------------------------===//
//
// Checks the CUDA device through the runtime (sluice_cuda_status) and, when
// there is none, says which of no driver / stub library / no device /
// unavailable / bad driver on one line with a nonzero exit. Running a model
// on the device waits for the CUDA lowering (issue 6, item 7).
//
//===----------------------------------------------------------------------===//

#include "Run.h"

#include "sluice/runtime.h"

#include "llvm/Support/raw_ostream.h"

int sluicec::runModelCuda(const RunOptions &opts) {
  char message[1024];
  sluice_cuda_status_t status = sluice_cuda_status(message, sizeof(message));
  if (status != SLUICE_CUDA_OK) {
    llvm::errs() << "sluicec: error: cuda: " << message << "\n";
    return 1;
  }
  llvm::errs() << "sluicec: error: cuda: running '" << opts.model
               << "' on the CUDA device is not implemented yet (the device "
                  "is usable: "
               << message << ")\n";
  return 1;
}
