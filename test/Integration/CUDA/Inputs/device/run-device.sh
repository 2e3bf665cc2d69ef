#!/bin/bash
# (Made by pack.sh.) Runs the REQUIRES: cuda-device lit tests on the lent GPU machine with the
# statically linked sluicec built here (build-static), no LLVM install needed.
set -u
R=$PWD
if [ "$R" != /work/main ]; then mkdir -p /work; ln -sfn "$R" /work/main; fi
B=/work/main/build-static
mkdir -p $B/bin $B/lib $B/test/Unit/Runtime /usr/lib/llvm-22/bin /usr/lib/llvm-22/utils
xz -dc .devpack/sluicec.xz > $B/bin/sluicec && chmod +x $B/bin/sluicec
cp .devpack/sluice-cuda-status $B/bin/
cp .devpack/libsluice_runtime.so .devpack/libsluice_runtime_static.a .devpack/libsluice_ukernels.a $B/lib/
cp .devpack/libsluice_fake_cuda.so $B/test/Unit/Runtime/
cp .devpack/llvm-bin/* /usr/lib/llvm-22/bin/
cp -r .devpack/lit /usr/lib/llvm-22/utils/lit
xz -dc .devpack/libz3.so.4.xz > /usr/local/lib/libz3.so.4; ldconfig
PY=$(command -v python3)
sed "s|^config.python_executable = .*|config.python_executable = \"$PY\"|" .devpack/lit.site.cfg.py > $B/test/lit.site.cfg.py
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv
$B/bin/sluice-cuda-status; echo "probe rc=$?"
$B/bin/sluicec --version 2>&1 | head -2
cd /work/main
TESTS="${@:-test/Integration/CUDA}"
timeout 480 $PY /usr/lib/llvm-22/bin/lit -v -j16 --time-tests $(for t in $TESTS; do echo $B/${t#test/}; done | sed "s|$B/|$B/test/|") 2>&1 | tee ${OUT:-/tmp}/lit.log | grep -E '^(PASS|FAIL|UNSUP|XFAIL|UNRES|  Passed|  Failed|  Unsupp|Total)|Testing Time|cuda:' | head -80
