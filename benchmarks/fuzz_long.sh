#!/usr/bin/env bash
# The long fuzz run: every parser target under libFuzzer for FUZZ_SECONDS each (600), continuing the working
# corpus of earlier runs (fuzz/.build/work/TARGET/corpus). Prints per target
#   TARGET: N inputs run, K crashes, E exec/s
# and a total; exits 1 when any target found a crash. One target only: benchmarks/fuzz_long.sh TARGET.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds="${FUZZ_SECONDS:-600}"
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    for f in "$ROOT"/fuzz/targets/*.swift; do targets+=("$(basename "$f" .swift)"); done
fi
t0=$SECONDS
"$ROOT/fuzz/build.sh" "${targets[@]}" || { echo "fuzz: build failed" >&2; exit 2; }
echo "fuzz: build took $((SECONDS - t0)) s; ${#targets[@]} targets × ${seconds} s"
failed=0 total=0
for t in "${targets[@]}"; do
    line=$("$ROOT/fuzz/run.sh" "$t" "$seconds") || failed=1
    echo "$line"
    n=$(sed -n 's/^[^:]*: \([0-9]*\) inputs run.*/\1/p' <<<"$line"); total=$((total + ${n:-0}))
done
echo "fuzz: $total inputs run in total, $((SECONDS - t0)) s"
exit "$failed"
