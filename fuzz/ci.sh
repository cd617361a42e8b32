#!/usr/bin/env bash
# The short fuzz run for CI: builds every target, then fuzzes each for FUZZ_CI_SECONDS (20) from its seed corpus,
# FUZZ_CI_JOBS (one per core) at a time: each target is one process, so two cores fuzz two targets in the same 20 s.
# Prints one `TARGET: N inputs run, K crashes, E exec/s` line per target and the build time; exits 1 when any
# target found a crash (its input is kept under fuzz/.build/work/TARGET/artifacts/).
set -uo pipefail
FUZZ_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
seconds="${FUZZ_CI_SECONDS:-20}"
t0=$SECONDS
"$FUZZ_DIR/build.sh" || { echo "fuzz: build failed" >&2; exit 2; }
echo "fuzz: build took $((SECONDS - t0)) s"
jobs="${FUZZ_CI_JOBS:-$(nproc)}"
results="$(mktemp -d)"
trap 'rm -rf "$results"' EXIT
running=0
for f in "$FUZZ_DIR"/targets/*.swift; do
    target="$(basename "$f" .swift)"
    ( "$FUZZ_DIR/run.sh" "$target" "$seconds" || echo failed >"$results/$target" ) &
    running=$((running + 1))
    if [ "$running" -ge "$jobs" ]; then wait -n; running=$((running - 1)); fi
done
wait
failed=0
[ -n "$(ls -A "$results")" ] && failed=1
echo "fuzz: total $((SECONDS - t0)) s"
exit "$failed"
