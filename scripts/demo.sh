#!/usr/bin/env bash
# The newcomer's first command: installs what lambda-vpc needs, builds it, starts `lambda-vpc serve` on
# 127.0.0.1:4599 with a throw-away data dir, and walks through a VPC scenario with the real AWS CLI,
# showing each command and its answer. The server is always stopped at the end.
#
#   scripts/demo.sh                   # run everything
#   LAMBDA_VPC_PORT=4600 scripts/demo.sh
#   LV_DEMO_KEEP=1 scripts/demo.sh    # keep the data dir afterwards
#
# To add to the scenario, write a `step_...` function below and add its name to STEPS.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$LV_ROOT"

PORT="${LAMBDA_VPC_PORT:-4599}"
ENDPOINT="http://127.0.0.1:$PORT"
BIN="$LV_ROOT/.build/release/lambda-vpc"
DATA_DIR="$(mktemp -d /tmp/lambda-vpc-demo.XXXXXX)"
SERVER_PID=""
LAST=""   # the JSON the last shown command printed

cleanup() {
    local rc=$?
    if [ -n "$SERVER_PID" ]; then lv_stop_pid "$SERVER_PID"; fi
    if [ "$rc" -ne 0 ] && [ -f "$DATA_DIR/server.log" ]; then
        echo "--- last lines of the server log ($DATA_DIR/server.log) ---" >&2
        tail -n 30 "$DATA_DIR/server.log" >&2
    fi
    if [ -z "${LV_DEMO_KEEP:-}" ] && [ "$rc" -eq 0 ]; then rm -rf "$DATA_DIR"; else echo "data dir kept: $DATA_DIR" >&2; fi
    if [ "$rc" -eq 0 ]; then lv_say "demo finished; server stopped"; else lv_say "demo FAILED (exit $rc); server stopped"; fi
}
trap cleanup EXIT

start_server() {
    if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
        lv_die "port $PORT is already in use; choose another with LAMBDA_VPC_PORT=..."
    fi
    "$BIN" serve --host 127.0.0.1 --port "$PORT" --data-dir "$DATA_DIR" >>"$DATA_DIR/server.log" 2>&1 &
    SERVER_PID=$!
    lv_wait_healthy "$ENDPOINT" "$SERVER_PID" || lv_die "lambda-vpc did not become healthy"
    echo "lambda-vpc is serving on $ENDPOINT (pid $SERVER_PID, data dir $DATA_DIR)"
    echo "\$ curl $ENDPOINT/_lambda-vpc/health"
    curl -fsS "$ENDPOINT/_lambda-vpc/health"; echo
}

stop_server() {
    local pid="$SERVER_PID"
    SERVER_PID=""
    kill -TERM "$pid"
    local rc=0 i
    for i in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid"; lv_die "the server did not stop within 10 s of SIGTERM"; fi
    wait "$pid" || rc=$?
    echo "lambda-vpc (pid $pid) stopped on SIGTERM with exit code $rc"
    [ "$rc" -eq 0 ] || lv_die "the server did not stop cleanly"
}

# Shows a command, runs it, shows its output and keeps it in LAST. Fails the demo if the command fails.
show() {
    printf '\n\033[36m$ %s\033[0m\n' "$*"
    LAST="$("$@")"
    [ -z "$LAST" ] || printf '%s\n' "$LAST"
}

# Reads a value out of LAST with a Python expression over `r` (the parsed JSON), e.g. field 'r["Vpc"]["VpcId"]'.
field() {
    LAST_JSON="$LAST" python3 -c 'import json, os; r = json.loads(os.environ["LAST_JSON"]); print('"$1"')'
}

# Fails the demo unless LAST contains the text.
expect() {
    case "$LAST" in *"$1"*) ;; *) lv_die "expected to see '$1' in the output above" ;; esac
}

step_vpc() {
    lv_say "a VPC"
    show aws ec2 create-vpc --cidr-block 10.0.0.0/16
    VPC_ID="$(field 'r["Vpc"]["VpcId"]')"
}

step_subnets() {
    lv_say "two subnets in two availability zones"
    show aws ec2 create-subnet --vpc-id "$VPC_ID" --cidr-block 10.0.1.0/24 --availability-zone us-east-1a
    SUBNET_A="$(field 'r["Subnet"]["SubnetId"]')"
    show aws ec2 create-subnet --vpc-id "$VPC_ID" --cidr-block 10.0.2.0/24 --availability-zone us-east-1b
    SUBNET_B="$(field 'r["Subnet"]["SubnetId"]')"
}

step_security_groups() {
    lv_say "security groups: the database accepts PostgreSQL from the app group only"
    show aws ec2 create-security-group --group-name app --description "app servers" --vpc-id "$VPC_ID"
    APP_SG="$(field 'r["GroupId"]')"
    show aws ec2 create-security-group --group-name db --description "database" --vpc-id "$VPC_ID"
    DB_SG="$(field 'r["GroupId"]')"
    show aws ec2 authorize-security-group-ingress --group-id "$DB_SG" --protocol tcp --port 5432 --source-group "$APP_SG"
}

step_describe() {
    lv_say "reading it back"
    show aws ec2 describe-subnets --filters "Name=vpc-id,Values=$VPC_ID"
    expect "$SUBNET_A"; expect "$SUBNET_B"
    show aws ec2 describe-security-groups --filters "Name=vpc-id,Values=$VPC_ID"
    expect "$DB_SG"; expect "$APP_SG"
    show aws ec2 describe-availability-zones
}

step_identity() {
    lv_say "who am I"
    show aws sts get-caller-identity
}

step_restart() {
    lv_say "restart the server: everything is still there"
    stop_server
    start_server
    show aws ec2 describe-vpcs --vpc-ids "$VPC_ID"
    expect "$VPC_ID"
    show aws ec2 describe-subnets --subnet-ids "$SUBNET_A" "$SUBNET_B"
    expect "$SUBNET_A"; expect "$SUBNET_B"
    show aws ec2 describe-security-groups --group-ids "$DB_SG"
    expect "$APP_SG"   # the rule that names the app group survived too
}

# The scenario, in order; later features add their steps here.
STEPS=(step_vpc step_subnets step_security_groups step_describe step_identity step_restart)

lv_say "checking dependencies"
lv_ensure_dependencies
lv_say "building lambda-vpc (release)"
swift build -c release --product lambda-vpc
lv_say "starting lambda-vpc"
start_server

# What a user types in their own shell to talk to the server.
export AWS_ENDPOINT_URL="$ENDPOINT" AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1
export AWS_PAGER="" AWS_DEFAULT_OUTPUT=json
echo
echo "export AWS_ENDPOINT_URL=$ENDPOINT AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1"

for step in "${STEPS[@]}"; do "$step"; done
