#!/usr/bin/env bash
# Instructions per request of enforcement-bench's two paths, counted by valgrind (callgrind): unlike CPU time on a
# shared VM, the count does not move with the machine's load. Valgrind's CPU has no SHA extensions, so BoringSSL hashes
# with its AVX code there (about 17k of the enforced path's instructions; far fewer with SHA-NI on real hardware).
# Usage: benchmarks/enforcement-bench/instructions.sh [binary]   (needs valgrind: apt-get install valgrind)
set -euo pipefail
bin=${1:-.build/release/enforcement-bench}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Valgrind 3.19 cannot read the Swift toolchain's DWARF 5; the symbol table is all it needs.
cp "$bin" "$work/bench" && strip -g "$work/bench"
count() {  # instructions inside the path's function over `$2` rounds of 8000 requests
    valgrind --tool=callgrind --callgrind-out-file="$work/out" --toggle-collect="$1" "$work/bench" "$2" >/dev/null 2>"$work/log"
    grep -oE "Collected : [0-9]+" "$work/log" | grep -oE "[0-9]+$"
}
for path in trust enforce; do
    symbol=$(nm "$work/bench" | grep -oE "\\\$s17enforcement_bench[0-9]+${path}ySb7AWSWire11WireRequestVF$")
    # Two rounds less one: the first request of a key builds its cached entry, which steady state never pays.
    one=$(count "$symbol" 1)
    two=$(count "$symbol" 2)
    echo "$path: $(((two - one) / 8000)) instructions per request"
done
