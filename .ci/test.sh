#!/usr/bin/env bash
#===- .ci/test.sh - README's second command: set up and run every test -----===#
#
# Installs the dependencies, builds everything, runs the lit suite and the
# unit tests, and ends with one summary line "N passed, N failed, N skipped".
# Exits nonzero if anything failed.
#
#===------------------------------------------------------------------------===#
set -uo pipefail
cd "$(dirname "$0")/.."

bash .ci/build.sh || { echo "build failed"; echo "0 passed, 1 failed"; exit 1; }
BUILD_DIR=${SLUICE_BUILD_DIR:-build}
LOG_DIR="$BUILD_DIR/test-logs"
mkdir -p "$LOG_DIR"

echo "== lit suite"
/usr/lib/llvm-22/bin/lit -sv "$BUILD_DIR/test" 2>&1 | tee "$LOG_DIR/lit.log"
lit_rc=${PIPESTATUS[0]}

echo "== unit tests (ctest)"
ctest --test-dir "$BUILD_DIR" --output-on-failure 2>&1 | tee "$LOG_DIR/ctest.log"
ctest_rc=${PIPESTATUS[0]}

# One summary line over both runners.
# lit pads the names when several categories are listed ("Passed     : 90").
count() { grep -aoE "^ *$1 *: *[0-9]+" "$LOG_DIR/lit.log" | grep -oE '[0-9]+$' || echo 0; }
lit_pass=$(count Passed)
lit_fail=$(( $(count Failed) + $(count Unresolved) + $(count 'Timed Out') + $(count 'Unexpectedly Passed') ))
lit_skip=$(( $(count Unsupported) + $(count Skipped) + $(count 'Expectedly Failed') ))
ct_total=$(grep -aoE 'tests failed out of [0-9]+' "$LOG_DIR/ctest.log" | grep -oE '[0-9]+$' || echo 0)
ct_fail=$(grep -aoE '[0-9]+ tests failed out of' "$LOG_DIR/ctest.log" | grep -oE '^[0-9]+' || echo 0)
ct_skip=$(grep -acE '\*\*\*Skipped|Not Run' "$LOG_DIR/ctest.log" || true)
ct_pass=$(( ct_total - ct_fail - ct_skip ))
[ "$lit_rc" -ne 0 ] && [ "$lit_fail" -eq 0 ] && lit_fail=1
[ "$ctest_rc" -ne 0 ] && [ "$ct_fail" -eq 0 ] && ct_fail=1
echo "== summary: lit ${lit_pass} passed, ${lit_fail} failed, ${lit_skip} skipped; unit ${ct_pass} passed, ${ct_fail} failed, ${ct_skip} skipped"
echo "$(( lit_pass + ct_pass )) passed, $(( lit_fail + ct_fail )) failed, $(( lit_skip + ct_skip )) skipped"
[ "$lit_rc" -eq 0 ] && [ "$ctest_rc" -eq 0 ]
