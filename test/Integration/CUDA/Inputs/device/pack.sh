#!/bin/bash
#===- pack.sh - a kit to run the device tests on a GPU machine ------------===#
#
# Builds a sluicec with MLIR / LLVM linked statically (build-static,
# -DSLUICE_LINK_LLVM_STATIC=ON) and packs what the REQUIRES: cuda-device
# tests need on a machine that has a GPU and a driver but no LLVM 22:
# sluicec (stripped, xz), the runtime, the fake driver, FileCheck / not /
# count / lit, libz3 (FileCheck's), the lit site config. About 28 MiB.
#
#   bash test/Integration/CUDA/Inputs/device/pack.sh [.devpack]
#   (copy the checkout with .devpack to the GPU machine, then there:)
#   bash .devpack/run-device.sh [TESTS...]     # lit on the device tests
#   python3 .devpack/sweep.py sanitize|plain   # every run under memcheck
#
# The kit expects the checkout at /work/main on both machines (run-device.sh
# links it there): the site config and sluicec's archive paths are absolute.
# docs/cuda-runtime.md, "Running the device tests on a GPU machine".
#===------------------------------------------------------------------------===#
set -euo pipefail
cd "$(dirname "$0")/../../../../.."
OUT=${1:-.devpack}
B=build-static
if [ ! -f $B/build.ninja ]; then
  cmake -G Ninja -S . -B $B -DCMAKE_BUILD_TYPE=Release -DSLUICE_LINK_LLVM_STATIC=ON \
    -DLLVM_USE_LINKER=lld -DCMAKE_EXE_LINKER_FLAGS=-Wl,--gc-sections \
    -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-22/bin/lit
fi
ninja -C $B -j2 sluicec sluice-cuda-status sluice_fake_cuda
rm -rf "$OUT"; mkdir -p "$OUT/llvm-bin"
strip -o "$OUT/sluicec" $B/bin/sluicec && xz -T2 -6 "$OUT/sluicec"
cp $B/lib/libsluice_runtime.so $B/lib/libsluice_runtime_static.a \
   $B/lib/libsluice_ukernels.a $B/bin/sluice-cuda-status \
   $B/test/Unit/Runtime/libsluice_fake_cuda.so $B/test/lit.site.cfg.py "$OUT/"
cp /usr/lib/llvm-22/bin/{FileCheck,not,count,lit} "$OUT/llvm-bin/"
cp -r /usr/lib/llvm-22/utils/lit "$OUT/lit"
find "$OUT/lit" -name __pycache__ -prune -exec rm -rf {} +
xz -T2 -6 -c /lib/x86_64-linux-gnu/libz3.so.4 > "$OUT/libz3.so.4.xz"
D=test/Integration/CUDA/Inputs/device
cp $D/run-device.sh $D/sweep.py $D/sanitize.sh $D/torch_moe_gpu.py "$OUT/"
du -sh "$OUT"
