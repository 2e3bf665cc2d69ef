#!/usr/bin/env bash
#===- .ci/build.sh - configure and build Sluice ----------------------------===#
#
# Installs the dependencies (no-op when present), configures build/ with
# Debian's LLVM/MLIR 22 and builds every target. Extra arguments are passed
# to `cmake --build` (e.g. `--target sluice-opt`).
#
#===------------------------------------------------------------------------===#
set -euo pipefail
cd "$(dirname "$0")/.."

bash .ci/install-deps.sh
BUILD_DIR=${SLUICE_BUILD_DIR:-build}
JOBS=${SLUICE_JOBS:-$(nproc)}
cmake -G Ninja -S . -B "$BUILD_DIR" \
  -DCMAKE_BUILD_TYPE=Release \
  -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir \
  -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-22/bin/lit > /dev/null
cmake --build "$BUILD_DIR" -j "$JOBS" "$@"
