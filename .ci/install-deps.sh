#!/usr/bin/env bash
#===- .ci/install-deps.sh - install Sluice's build and test dependencies ---===#
#
# Installs exactly what the build and the test suite need from Debian 12
# packages. Idempotent: when every package is already present it does nothing
# (no apt-get update, no network).
#
#===------------------------------------------------------------------------===#
set -euo pipefail

PKGS=(
  # LLVM/MLIR 22: headers, shared libs, CMake packages, lit/FileCheck.
  llvm-22-dev llvm-22-tools libmlir-22-dev mlir-22-tools
  # clang-22 builds the emitted objects and the fuzzers; its rt package carries
  # the sanitizer and libFuzzer runtimes.
  clang-22 libclang-rt-22-dev
  # Build tools.
  cmake ninja-build ccache g++
  # Unit tests.
  googletest libgtest-dev
  # Test helpers (Python serves tests only).
  python3 python3-numpy
)

missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PKGS[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
