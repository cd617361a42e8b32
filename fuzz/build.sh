#!/usr/bin/env bash
# Builds the libFuzzer targets: fuzz/build.sh [TARGET...] (default: all). Binaries land in fuzz/.build/bin/.
#
# The parsers are compiled straight from Sources/ with `swiftc -sanitize=fuzzer` (coverage-instrumented, -O,
# -enable-testing so a target can reach internal entry points), each module as the same-named module the
# package builds, so their `import` lines stand unchanged. Only the files the parsers need are compiled:
# that keeps swift-crypto (BoringSSL) out, which would cost minutes of build for code no parser runs.
set -euo pipefail
FUZZ_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$FUZZ_DIR/.." && pwd)"
OUT="$FUZZ_DIR/.build"
MODS="$OUT/modules"
BIN="$OUT/bin"
mkdir -p "$MODS" "$BIN"
if ! command -v swiftc >/dev/null && [ -x /opt/swift/usr/bin/swiftc ]; then export PATH="/opt/swift/usr/bin:$PATH"; fi

FLAGS=(-O -sanitize=fuzzer -enable-testing -swift-version 6 -parse-as-library)
S="$ROOT/Sources"

# AWSWire without its signing half (SigV4Crypto, SigningKeyCache, SigV4Signer, SigV4Verifier import Crypto).
AWSWIRE=(AWSError ByteWriter CivilTime FormDecoding QueryParameters SigV4Authorization SigV4Canonical
         SigV4Timestamp WireMessage DeferredResponse XMLWriter StreamedBody AWSChunkedDecoder XMLTree CRC32 SigV4Scope)
# ControlPlane: the Lambda request readers and the zip directory reader.
CONTROLPLANE=(Lambda/JSONBody Lambda/FunctionSettings Lambda/LambdaErrors Lambda/VpcConfigValidator
              Lambda/JSONWriter Lambda/ZipArchive Lambda/LambdaRuntimes Lambda/LayerArns)

module() {   # module NAME FILE...: one instrumented object and .swiftmodule, rebuilt when a source is newer
    local name="$1"; shift
    local obj="$MODS/$name.o" f stale=0
    [ -f "$obj" ] || stale=1
    for f in "$@"; do [ "$f" -nt "$obj" ] && stale=1; done
    [ "$stale" -eq 0 ] && return 0
    echo "building module $name ($# files)" >&2
    swiftc "${FLAGS[@]}" -wmo -c -module-name "$name" -I "$MODS" \
        -emit-module -emit-module-path "$MODS/$name.swiftmodule" "$@" -o "$obj"
}

module AWSWire $(printf "$S/AWSWire/%s.swift " "${AWSWIRE[@]}")
module CloudModel "$S"/CloudModel/*.swift
module IAMPolicy "$S"/IAMPolicy/*.swift
module ControlPlane $(printf "$S/ControlPlane/%s.swift " "${CONTROLPLANE[@]}")
# DNS: the resolver's message codec and zones (pure; the listeners live in Server).
module DNS "$S"/DNS/*.swift

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    for f in "$FUZZ_DIR"/targets/*.swift; do targets+=("$(basename "$f" .swift)"); done
fi
for t in "${targets[@]}"; do
    src="$FUZZ_DIR/targets/$t.swift"
    [ -f "$src" ] || { echo "no fuzz target $t (fuzz/targets/$t.swift)" >&2; exit 2; }
    if [ ! -x "$BIN/$t" ] || [ "$src" -nt "$BIN/$t" ] || [ -n "$(find "$MODS" -name '*.o' -newer "$BIN/$t")" ]; then
        echo "linking fuzz target $t" >&2
        swiftc "${FLAGS[@]}" -module-name "fuzz_$t" -I "$MODS" "$src" "$MODS"/*.o -o "$BIN/$t"
    fi
done
