#!/usr/bin/env bash
#===- bench/run.sh - the benchmark suite, side by side with its baselines ---===#
#
# Installs the baselines' packages (Debian's python3-torch and OpenBLAS),
# builds Sluice and runs bench/run.py with 1 and 2 threads. Extra arguments
# go to run.py (e.g. --filter MoE, --smoke).
#
# Measuring honestly: OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE are unset for the
# baselines (they pin OpenBLAS to slower kernels), and PyTorch's OpenMP
# threads wait passively so that 2 threads are not slower than 1.
#
#===------------------------------------------------------------------------===#
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
for p in python3-torch libopenblas0; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -q && $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
bash .ci/build.sh --target sluicec --target sluice_bench --target sluice_machine
unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE
export OMP_WAIT_POLICY=PASSIVE
exec /usr/bin/python3 bench/run.py "$@"
