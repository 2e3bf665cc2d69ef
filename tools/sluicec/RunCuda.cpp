//===- RunCuda.cpp - sluicec run --target=cuda: the device check ----------===//
//
// Checks the CUDA device through the runtime (sluice_cuda_status) and, when
// there is none, says which of no driver / stub library / no device /
// unavailable / bad driver on one line. Run.cpp then compiles the model with
// sluice-cuda-host-pipeline and runs it through sluice_cuda_call_run.
//
//===----------------------------------------------------------------------===//

#include "Run.h"

#include "sluice/runtime.h"

#include "llvm/Support/raw_ostream.h"

bool sluicec::checkCudaDevice(std::string &statusLine) {
  char message[1024];
  sluice_cuda_status_t status = sluice_cuda_status(message, sizeof(message));
  statusLine = message;
  if (status != SLUICE_CUDA_OK) {
    llvm::errs() << "sluicec: error: cuda: " << message << "\n";
    return false;
  }
  return true;
}
