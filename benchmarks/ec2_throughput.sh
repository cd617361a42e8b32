#!/usr/bin/env bash
# EC2 Query API throughput, lambda-vpc vs moto_server, side by side in one run on this machine:
#   DescribeSubnets (a VPC with 8 subnets, filtered by vpc-id) and DescribeVpcs, over keep-alive HTTP with wrk,
#   and lambda-vpc's own no-op GET /_lambda-vpc/health as its HTTP floor.
# Prints every figure and ratio and writes them to benchmarks/results/ec2_throughput-<time>/.
# Targets on a 2-core machine: lambda-vpc >= 50x moto for each operation, and >= 40% of its HTTP floor.
#
#   benchmarks/ec2_throughput.sh
#   BENCH_DURATION=30s BENCH_CONNECTIONS=64 benchmarks/ec2_throughput.sh
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$LV_ROOT"

lv_ensure_dependencies
bench_build_release
bench_open_results ec2_throughput

start_lambda_vpc
start_moto

lv_say "creating a VPC with 8 subnets on each server"
LV_VPC="$(python3 "$BENCH_DIR/setup_vpc.py" "$LV_URL" 8)"
MOTO_VPC="$(python3 "$BENCH_DIR/setup_vpc.py" "$MOTO_URL" 8)"
echo "lambda-vpc: $LV_VPC   moto: $MOTO_VPC"

subnets_body() { echo "Action=DescribeSubnets&Version=2016-11-15&Filter.1.Name=vpc-id&Filter.1.Value.1=$1"; }
VPCS_BODY="Action=DescribeVpcs&Version=2016-11-15"

lv_say "checking one sample response of each request"
check_sample "lambda-vpc DescribeSubnets" "$LV_URL" "$(subnets_body "$LV_VPC")" "<subnetSet>" "10.20.7.0/24"
check_sample "moto DescribeSubnets" "$MOTO_URL" "$(subnets_body "$MOTO_VPC")" "<subnetSet>" "10.20.7.0/24"
check_sample "lambda-vpc DescribeVpcs" "$LV_URL" "$VPCS_BODY" "<vpcSet>" "$LV_VPC"
check_sample "moto DescribeVpcs" "$MOTO_URL" "$VPCS_BODY" "<vpcSet>" "$MOTO_VPC"

lv_say "measuring with wrk -t$BENCH_THREADS -c$BENCH_CONNECTIONS -d$BENCH_DURATION (after a $BENCH_WARMUP warm-up each)"
FLOOR="$(wrk_rps lv-health "$LV_URL/_lambda-vpc/health")";                         echo "lambda-vpc GET /_lambda-vpc/health: $FLOOR req/s"
LV_SUBNETS="$(wrk_rps lv-describe-subnets "$LV_URL/" "$(subnets_body "$LV_VPC")")"; echo "lambda-vpc DescribeSubnets:         $LV_SUBNETS req/s"
LV_VPCS="$(wrk_rps lv-describe-vpcs "$LV_URL/" "$VPCS_BODY")";                      echo "lambda-vpc DescribeVpcs:            $LV_VPCS req/s"
MOTO_SUBNETS="$(wrk_rps moto-describe-subnets "$MOTO_URL/" "$(subnets_body "$MOTO_VPC")")"; echo "moto DescribeSubnets:               $MOTO_SUBNETS req/s"
MOTO_VPCS="$(wrk_rps moto-describe-vpcs "$MOTO_URL/" "$VPCS_BODY")";                echo "moto DescribeVpcs:                  $MOTO_VPCS req/s"

SUBNETS_X="$(ratio "$LV_SUBNETS" "$MOTO_SUBNETS")"
VPCS_X="$(ratio "$LV_VPCS" "$MOTO_VPCS")"
SUBNETS_FLOOR="$(awk -v a="$LV_SUBNETS" -v b="$FLOOR" 'BEGIN { printf "%.0f", 100 * a / b }')"
VPCS_FLOOR="$(awk -v a="$LV_VPCS" -v b="$FLOOR" 'BEGIN { printf "%.0f", 100 * a / b }')"

{
    echo "EC2 throughput, $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, wrk -t$BENCH_THREADS -c$BENCH_CONNECTIONS -d$BENCH_DURATION, keep-alive"
    echo "lambda-vpc $(git -C "$LV_ROOT" rev-parse --short HEAD 2>/dev/null || echo '?') (release) vs moto_server $(python3 -c 'import moto; print(moto.__version__)')"
    echo
    printf '%-34s %12s %12s %10s %10s\n' "operation (req/s)" "lambda-vpc" "moto" "ratio" "of floor"
    printf '%-34s %12.0f %12s %10s %10s\n' "GET /_lambda-vpc/health (floor)" "$FLOOR" "-" "-" "100%"
    printf '%-34s %12.0f %12.0f %9sx %9s%%\n' "DescribeSubnets (8, by vpc-id)" "$LV_SUBNETS" "$MOTO_SUBNETS" "$SUBNETS_X" "$SUBNETS_FLOOR"
    printf '%-34s %12.0f %12.0f %9sx %9s%%\n' "DescribeVpcs" "$LV_VPCS" "$MOTO_VPCS" "$VPCS_X" "$VPCS_FLOOR"
    echo
    echo "target >= 50x moto:          DescribeSubnets $(verdict "$SUBNETS_X" 50), DescribeVpcs $(verdict "$VPCS_X" 50)"
    echo "target >= 40% of HTTP floor: DescribeSubnets $(verdict "$SUBNETS_FLOOR" 40), DescribeVpcs $(verdict "$VPCS_FLOOR" 40)"
} | tee "$BENCH_RUN_DIR/summary.txt"

cat >"$BENCH_RUN_DIR/summary.json" <<JSON
{"floor_rps": $FLOOR,
 "lambda_vpc": {"DescribeSubnets": $LV_SUBNETS, "DescribeVpcs": $LV_VPCS},
 "moto": {"DescribeSubnets": $MOTO_SUBNETS, "DescribeVpcs": $MOTO_VPCS},
 "ratio": {"DescribeSubnets": $SUBNETS_X, "DescribeVpcs": $VPCS_X},
 "percent_of_floor": {"DescribeSubnets": $SUBNETS_FLOOR, "DescribeVpcs": $VPCS_FLOOR},
 "wrk": {"threads": $BENCH_THREADS, "connections": $BENCH_CONNECTIONS, "duration": "$BENCH_DURATION"}}
JSON
echo "results: $BENCH_RUN_DIR"

if bench_invalid; then
    lv_die "some measurements saw non-2xx responses or socket errors (above): the figures are not valid"
fi
