//===- Run.h - sluicec run --------------------------------------*- C++ -*-===//

#ifndef SLUICE_TOOLS_SLUICEC_RUN_H
#define SLUICE_TOOLS_SLUICEC_RUN_H

#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/SourceMgr.h"

#include <string>
#include <vector>

namespace sluicec {

/// Where `sluicec run` runs the model.
enum class RunTarget { Cpu, Cuda };

struct RunOptions {
  std::string model;
  std::string function;
  std::string weightsFile;
  bool randomWeights = false;
  uint64_t weightSeed = 1;
  std::vector<std::string> inputs;  ///< NAME=FILE.npy
  std::vector<std::string> outputs; ///< NAME=FILE.npy
  std::vector<std::string> dims;    ///< SYMBOL=N
  std::vector<std::string> params;  ///< NAME=INT (.sl models)
  bool check = false;
  double tolerance = 1e-4;
  int threads = 0;
  unsigned seed = 0;
  unsigned repeat = 1;
  /// When weights are packed (SLUICE_UK_PREPACK_* of sluice/ukernels.h);
  /// -1: at bind with --repeat, else from the second call.
  int prepack = -1;
  RunTarget target = RunTarget::Cpu;
};

/// `sluicec run`: returns the process exit code.
int runModel(mlir::MLIRContext &ctx, llvm::SourceMgr &sourceMgr,
             const RunOptions &opts);

/// `sluicec run --target=cuda` (RunCuda.cpp): the device check. Without a
/// usable CUDA driver or device, prints one line saying which and returns
/// false; else `statusLine` is the device's status.
bool checkCudaDevice(std::string &statusLine);

} // namespace sluicec

#endif // SLUICE_TOOLS_SLUICEC_RUN_H
