#!/usr/bin/env bash
#===- .ci/example.sh - README's first command: set up and run the example ---===#
#
# Installs the dependencies, builds Sluice and runs the main job on the
# example MoE block: sluice-opt decomposes the block into the fusion-ready
# routing primitives and prints the IR.
#
#===------------------------------------------------------------------------===#
set -euo pipefail
cd "$(dirname "$0")/.."

bash .ci/build.sh --target sluice-opt
echo "== sluice-opt examples/mixtral_moe_block.mlir --sluice-decompose-pipeline"
"${SLUICE_BUILD_DIR:-build}/bin/sluice-opt" examples/mixtral_moe_block.mlir \
  --sluice-decompose-pipeline
