#!/usr/bin/env bash
#===- .ci/example.sh - README's first command: set up and run the example ---===#
#
# Installs the dependencies, builds Sluice and runs the main job: compile the
# example Mixtral-style MoE block for this CPU, run it on 4 tokens with
# random weights, and check it against the reference evaluator.
#
#===------------------------------------------------------------------------===#
set -euo pipefail
cd "$(dirname "$0")/.."

bash .ci/build.sh --target sluicec --target sluice-opt
BIN="${SLUICE_BUILD_DIR:-build}/bin"
echo "== sluicec run examples/mixtral_moe_block.mlir --random-weights --check --dim T=4"
"$BIN/sluicec" run examples/mixtral_moe_block.mlir --random-weights --check --dim T=4
