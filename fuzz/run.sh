#!/usr/bin/env bash
# Builds one libFuzzer target and fuzzes it for a while:  fuzz/run.sh TARGET SECONDS
# Starts from the seed corpus fuzz/corpus/TARGET (never written to: new inputs go to a working corpus under
# fuzz/.build/work/TARGET, kept between runs). Prints
#   TARGET: N inputs run, K crashes, E exec/s
# and exits 1 when libFuzzer found a crash, a timeout (an input taking over FUZZ_TIMEOUT seconds, 10) or an input
# using more than FUZZ_RSS_MB (2048) of memory; the input is saved in fuzz/.build/work/TARGET/artifacts/ and
# replayed with `fuzz/.build/bin/TARGET FILE`. The full libFuzzer log is fuzz/.build/work/TARGET/fuzz.log.
set -uo pipefail
FUZZ_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
target="${1:?usage: fuzz/run.sh TARGET SECONDS}"
seconds="${2:?usage: fuzz/run.sh TARGET SECONDS}"

"$FUZZ_DIR/build.sh" "$target" || { echo "$target: build failed" >&2; exit 2; }

work="$FUZZ_DIR/.build/work/$target"
mkdir -p "$work/corpus" "$work/artifacts"
stamp="$work/.started"; : >"$stamp"
started=$SECONDS
dict=()
[ -f "$FUZZ_DIR/dict/$target.dict" ] && dict=(-dict="$FUZZ_DIR/dict/$target.dict")
# Swift's own backtracer would otherwise catch the trap first and libFuzzer would not save the input.
SWIFT_BACKTRACE=enable=no "$FUZZ_DIR/.build/bin/$target" "$work/corpus" "$FUZZ_DIR/corpus/$target" \
    -max_total_time="$seconds" -timeout="${FUZZ_TIMEOUT:-10}" -rss_limit_mb="${FUZZ_RSS_MB:-2048}" \
    -max_len="${FUZZ_MAX_LEN:-8192}" -print_final_stats=1 -artifact_prefix="$work/artifacts/" "${dict[@]}" \
    >"$work/fuzz.log" 2>&1
rc=$?

runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/fuzz.log" | tail -1)
runs=${runs:-0}
# libFuzzer's own figure is whole seconds of wall time and reads 0 for a run that ends within a second.
rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/fuzz.log" | tail -1)
if [ "${rate:-0}" -eq 0 ]; then rate=$(( runs / (SECONDS - started > 0 ? SECONDS - started : 1) )); fi
found=$(find "$work/artifacts" -type f -newer "$stamp")
crashes=$(printf '%s' "$found" | grep -c . || true)
echo "$target: $runs inputs run, $crashes crashes, $rate exec/s"
if [ "$crashes" -gt 0 ] || [ "$rc" -ne 0 ]; then
    grep -m1 -E 'ERROR: libFuzzer|Fatal error' "$work/fuzz.log" >&2
    [ -n "$found" ] && printf '  input: %s\n' $found >&2
    echo "  libFuzzer exited $rc; log: $work/fuzz.log" >&2
    exit 1
fi
