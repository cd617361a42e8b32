#!/usr/bin/env bash
# Where a small PUT's CPU goes: runs the server (`--no-network`), makes a bucket, warms up for 3 s, then runs wrk PUT
# (1 KiB, 16 connections, 8 s, s3_put_get.lua) and prints the rate and each busy thread's CPU in % of one core
# (from /proc/PID/task/*/stat), e.g. the two event loops and the S3 committer.
#   benchmarks/s3_put_threads.sh .build/release/lambda-vpc [PORT]
set -euo pipefail
BIN="$(realpath "${1:?usage: s3_put_threads.sh BINARY [PORT]}")"
PORT="${2:-4723}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
D="$(mktemp -d /tmp/lv-s3-threads.XXXXXX)"
"$BIN" serve --port "$PORT" --data-dir "$D/data" --no-network >"$D/log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$D"' EXIT
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$PORT/_lambda-vpc/health" && break; sleep 0.2; done
AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=y aws --endpoint-url "http://127.0.0.1:$PORT" --region us-east-1 s3 mb s3://bench >/dev/null
cd "$HERE"
wrk -t2 -c16 -d3s -s s3_put_get.lua "http://127.0.0.1:$PORT/" -- PUT bench 1024 1000 >/dev/null
snap() { for t in /proc/$PID/task/*; do echo "$(basename "$t") $(tr ' ' _ <"$t/comm") $(awk '{print $14+$15}' "$t/stat")"; done | sort; }
snap >"$D/a"
wrk -t2 -c16 -d8s -s s3_put_get.lua "http://127.0.0.1:$PORT/" -- PUT bench 1024 1000 | grep -E "Requests/sec"
snap >"$D/b"
# clock ticks are 1/100 s: ticks / 8 s = % of one core
join "$D/a" "$D/b" | awk '{d=$5-$3; if (d>20) printf "%s %s %.0f%%\n", $1, $2, d/8}'
