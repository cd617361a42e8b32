# The benchmark harness, shared by every benchmarks/*.sh: start lambda-vpc (release) and moto_server side by side
# on free loopback ports, send the same requests to both with wrk over keep-alive connections, and check that
# every measured response was a success. Source it; it defines functions and settings only.
#
# Settings (environment): BENCH_THREADS (2), BENCH_CONNECTIONS (32), BENCH_DURATION (10s), BENCH_WARMUP (2s).

source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/../scripts/common.sh"

BENCH_DIR="$LV_ROOT/benchmarks"
BENCH_THREADS="${BENCH_THREADS:-2}"
BENCH_CONNECTIONS="${BENCH_CONNECTIONS:-32}"
BENCH_DURATION="${BENCH_DURATION:-10s}"
BENCH_WARMUP="${BENCH_WARMUP:-2s}"
BENCH_AMZDATE="$(date -u +%Y%m%dT%H%M%SZ)"
BENCH_RUN_ID="$(date -u +%Y%m%dT%H%M%SZ)"
BENCH_RESULTS="$BENCH_DIR/results"
BENCH_TMP="$(mktemp -d /tmp/lambda-vpc-bench.XXXXXX)"
BENCH_PIDS=()

LV_PID=""; LV_URL=""; MOTO_PID=""; MOTO_URL=""

bench_cleanup() {
    local pid
    for pid in "${BENCH_PIDS[@]}"; do lv_stop_pid "$pid" 5; done
    rm -rf "$BENCH_TMP"
}
trap bench_cleanup EXIT

bench_free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

bench_build_release() {
    # LV_BENCH_BINARY=/path/to/lambda-vpc measures that build instead (before/after comparisons);
    # LV_BENCH_SERVE_ARGS adds flags to its `serve` (e.g. --no-default-vpc, which older builds do not know).
    if [ -n "${LV_BENCH_BINARY:-}" ]; then lv_say "using $LV_BENCH_BINARY"; return; fi
    lv_say "building lambda-vpc (release)"
    swift build -c release --product lambda-vpc
}

# Starts the release lambda-vpc on a free port with a temp data dir; sets LV_PID and LV_URL.
start_lambda_vpc() {
    local port; port="$(bench_free_port)"
    local dir="$BENCH_TMP/lambda-vpc-data"
    mkdir -p "$dir"
    "${LV_BENCH_BINARY:-$LV_ROOT/.build/release/lambda-vpc}" serve --host 127.0.0.1 --port "$port" --data-dir "$dir" \
        --log-level warning ${LV_BENCH_SERVE_ARGS:-} >"$BENCH_TMP/lambda-vpc.log" 2>&1 &
    LV_PID=$!; BENCH_PIDS+=("$LV_PID"); LV_URL="http://127.0.0.1:$port"
    lv_wait_healthy "$LV_URL" "$LV_PID" || { cat "$BENCH_TMP/lambda-vpc.log" >&2; lv_die "lambda-vpc did not start"; }
    lv_say "lambda-vpc (pid $LV_PID) on $LV_URL"
}

# Starts moto_server on a free port; sets MOTO_PID and MOTO_URL.
start_moto() {
    local port; port="$(bench_free_port)"
    moto_server -H 127.0.0.1 -p "$port" >"$BENCH_TMP/moto.log" 2>&1 &
    MOTO_PID=$!; BENCH_PIDS+=("$MOTO_PID"); MOTO_URL="http://127.0.0.1:$port"
    local i
    for i in $(seq 1 300); do
        kill -0 "$MOTO_PID" 2>/dev/null || { cat "$BENCH_TMP/moto.log" >&2; lv_die "moto_server exited"; }
        [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$MOTO_URL/moto-api/" 2>/dev/null)" = 200 ] && break
        sleep 0.1
    done
    [ "$i" -lt 300 ] || lv_die "moto_server did not start"
    lv_say "moto_server $(python3 -c 'import moto; print(moto.__version__)') (pid $MOTO_PID) on $MOTO_URL"
}

# Sends one Query request the way the wrk script does and prints the response status and body.
query_once() {   # query_once URL BODY [SERVICE]
    local url="$1" body="$2" service="${3:-ec2}"
    curl -sS -o "$BENCH_TMP/sample.body" -w '%{http_code}' -X POST "$url/" \
        -H "Content-Type: application/x-www-form-urlencoded; charset=utf-8" -H "X-Amz-Date: $BENCH_AMZDATE" \
        -H "Authorization: AWS4-HMAC-SHA256 Credential=AKIDBENCHMARK0000000/${BENCH_AMZDATE:0:8}/us-east-1/$service/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=$(printf '0%.0s' $(seq 1 64))" \
        --data-binary "$body"
}

# Checks that a request succeeds and that its answer contains every given text, before it is measured.
check_sample() {   # check_sample LABEL URL BODY TEXT...
    local label="$1" url="$2" body="$3"; shift 3
    local status; status="$(query_once "$url" "$body")"
    local ok=1 t
    [ "$status" = 200 ] || ok=0
    for t in "$@"; do grep -q -- "$t" "$BENCH_TMP/sample.body" || ok=0; done
    if [ "$ok" -ne 1 ]; then
        echo "sample $label: HTTP $status, expected 200 containing: $*" >&2
        head -c 2000 "$BENCH_TMP/sample.body" >&2; echo >&2
        lv_die "the sample request for $label failed; measuring it would measure errors"
    fi
    echo "sample $label: HTTP 200, $(wc -c <"$BENCH_TMP/sample.body") bytes, contains: $*"
}

# Runs wrk (after a warm-up) and prints the requests/s; marks the run invalid if any response was not 2xx
# or any socket error happened, and prints those. The raw wrk output goes to $BENCH_TMP/wrk-LABEL.txt.
wrk_rps() {   # wrk_rps LABEL URL [BODY [SERVICE]]  (a BODY makes it a signed Query POST; none is a plain GET)
    local label="$1" url="$2" body="${3:-}" service="${4:-ec2}"
    local script=()
    if [ -n "$body" ]; then script=(-s "$BENCH_DIR/aws_query.lua"); fi
    local args=("${script[@]}" "$url")
    if [ -n "$body" ]; then args+=(-- "$body" "$service" "$BENCH_AMZDATE"); fi
    wrk -t"$BENCH_THREADS" -c"$BENCH_CONNECTIONS" -d"$BENCH_WARMUP" --timeout 10s "${args[@]}" >/dev/null 2>&1 || true
    local out="$BENCH_TMP/wrk-$label.txt"
    wrk -t"$BENCH_THREADS" -c"$BENCH_CONNECTIONS" -d"$BENCH_DURATION" --timeout 10s --latency "${args[@]}" >"$out" 2>&1 \
        || { cat "$out" >&2; lv_die "wrk failed for $label"; }
    cp "$out" "$BENCH_RUN_DIR/wrk-$label.txt"
    local rps; rps="$(awk '/^Requests\/sec:/ {print $2}' "$out")"
    [ -n "$rps" ] || { cat "$out" >&2; lv_die "no Requests/sec in wrk's output for $label"; }
    local bad; bad="$(grep -E 'Non-2xx or 3xx responses|Socket errors' "$out" || true)"
    if [ -n "$bad" ]; then
        echo "$label: $bad" | tr '\n' ' ' >>"$BENCH_TMP/invalid"; echo >>"$BENCH_TMP/invalid"
        echo "ERRORS in $label: $bad" | tr '\n' ' ' >&2; echo >&2
    fi
    echo "$rps"
}

# True when some measurement saw errors, which makes it worthless; prints them.
bench_invalid() { [ -s "$BENCH_TMP/invalid" ] && cat "$BENCH_TMP/invalid" >&2; }

# Prints a / b with the given number of decimals.
ratio() { awk -v a="$1" -v b="$2" -v d="${3:-1}" 'BEGIN { if (b == 0) print "inf"; else printf "%.*f\n", d, a / b }'; }

# Prints "met" or "MISSED" for value >= target.
verdict() { awk -v v="$1" -v t="$2" 'BEGIN { print (v + 0 >= t + 0) ? "met" : "MISSED" }'; }

# Opens this run's results folder (benchmarks/results/NAME-RUNID/) and sets BENCH_RUN_DIR.
bench_open_results() {   # bench_open_results NAME
    BENCH_RUN_DIR="$BENCH_RESULTS/$1-$BENCH_RUN_ID"
    mkdir -p "$BENCH_RUN_DIR"
}
