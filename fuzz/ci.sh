#!/usr/bin/env bash
# The short fuzz run for CI: builds every target, then fuzzes each for FUZZ_CI_SECONDS (20) from its seed corpus.
# Prints one `TARGET: N inputs run, K crashes, E exec/s` line per target and the build time; exits 1 when any
# target found a crash (its input is kept under fuzz/.build/work/TARGET/artifacts/).
set -uo pipefail
FUZZ_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
seconds="${FUZZ_CI_SECONDS:-20}"
t0=$SECONDS
"$FUZZ_DIR/build.sh" || { echo "fuzz: build failed" >&2; exit 2; }
echo "fuzz: build took $((SECONDS - t0)) s"
failed=0
for f in "$FUZZ_DIR"/targets/*.swift; do
    "$FUZZ_DIR/run.sh" "$(basename "$f" .swift)" "$seconds" || failed=1
done
echo "fuzz: total $((SECONDS - t0)) s"
exit "$failed"
