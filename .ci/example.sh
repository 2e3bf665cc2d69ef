#!/usr/bin/env bash
#===- .ci/example.sh - README's first command: set up and run the example ---===#
#
# Installs the dependencies, builds Sluice and runs the main job: compile the
# Mixtral MoE block written in the model language (examples/mixtral.sl, at
# the bench's Mixtral-like sizes) for this CPU, run it on 4 tokens with
# random weights, and check it against the reference evaluator.
#
#===------------------------------------------------------------------------===#
set -euo pipefail
cd "$(dirname "$0")/.."

bash .ci/build.sh --target sluicec --target sluice-opt
BIN="${SLUICE_BUILD_DIR:-build}/bin"
ARGS=(examples/mixtral.sl --param d=1024 --param ffn=3584 --random-weights --check --dim T=4)
echo "== sluicec run ${ARGS[*]}"
"$BIN/sluicec" run "${ARGS[@]}"
