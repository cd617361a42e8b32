#!/usr/bin/env bash
# The newcomer's first command: installs what lambda-vpc needs, builds it, starts `lambda-vpc serve` on
# 127.0.0.1:4599 with a throw-away data dir, and walks through the shape of AWS's "Lambda + RDS in a VPC" tutorial
# with the real AWS CLI, showing each command and its answer: an RDS PostgreSQL in the private subnets, a VPC
# function that reads it, the same function cut off by a security-group change, a function that reads S3 through a
# gateway endpoint with no NAT, and a function that reaches an internet host only once a NAT gateway routes it there. Needs root (the VPC is made of network namespaces and
# nftables). It cleans up after itself; the server is always stopped at the end.
#
#   scripts/demo.sh                   # run everything
#   LAMBDA_VPC_PORT=4600 scripts/demo.sh
#   LV_DEMO_KEEP=1 scripts/demo.sh    # keep the data dir afterwards
#   LV_DEMO_BIN=.build/debug/lambda-vpc scripts/demo.sh   # use that binary, build nothing (the e2e test does this)
#
# To add to the scenario, write a `step_...` function below and add its name to STEPS.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$LV_ROOT"

PORT="${LAMBDA_VPC_PORT:-4599}"
ENDPOINT="http://127.0.0.1:$PORT"
BIN="${LV_DEMO_BIN:-$LV_ROOT/.build/release/lambda-vpc}"
DATA_DIR="$(mktemp -d /tmp/lambda-vpc-demo.XXXXXX)"
ASSETS="$LV_ROOT/scripts/demo-assets"
SERVER_PID=""
WEB_PID=""
LAST=""   # the JSON the last shown command printed

cleanup() {
    local rc=$?
    lv_stop_pid "$WEB_PID"
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
    # Unused Hyperplane ENIs go after 2 s instead of AWS's minutes, so the clean-up need not wait.
    "$BIN" serve --host 127.0.0.1 --port "$PORT" --data-dir "$DATA_DIR" --eni-release-after 2s \
        >>"$DATA_DIR/server.log" 2>&1 &
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

step_network() {
    lv_say "a VPC shaped like the RDS tutorial's: two private subnets (two AZs) and a public one"
    show aws ec2 create-vpc --cidr-block 10.0.0.0/16
    VPC_ID="$(field 'r["Vpc"]["VpcId"]')"
    show aws ec2 create-subnet --vpc-id "$VPC_ID" --cidr-block 10.0.1.0/24 --availability-zone us-east-1a
    PRIVATE_A="$(field 'r["Subnet"]["SubnetId"]')"
    show aws ec2 create-subnet --vpc-id "$VPC_ID" --cidr-block 10.0.2.0/24 --availability-zone us-east-1b
    PRIVATE_B="$(field 'r["Subnet"]["SubnetId"]')"
    show aws ec2 create-subnet --vpc-id "$VPC_ID" --cidr-block 10.0.0.0/24 --availability-zone us-east-1a
    PUBLIC="$(field 'r["Subnet"]["SubnetId"]')"
}

step_security_groups() {
    lv_say "security groups: the database accepts PostgreSQL from the function's group only"
    show aws ec2 create-security-group --group-name lambda --description "Lambda functions" --vpc-id "$VPC_ID"
    LAMBDA_SG="$(field 'r["GroupId"]')"
    show aws ec2 create-security-group --group-name db --description "database" --vpc-id "$VPC_ID"
    DB_SG="$(field 'r["GroupId"]')"
    show aws ec2 authorize-security-group-ingress --group-id "$DB_SG" --protocol tcp --port 5432 --source-group "$LAMBDA_SG"
}

step_restart() {
    lv_say "restart the server: everything is still there"
    stop_server
    start_server
    show aws ec2 describe-subnets --filters "Name=vpc-id,Values=$VPC_ID" --query 'Subnets[].[SubnetId,CidrBlock,AvailabilityZone]'
    expect "$PRIVATE_A"; expect "$PRIVATE_B"; expect "$PUBLIC"
    show aws ec2 describe-security-groups --group-ids "$DB_SG" --query 'SecurityGroups[0].IpPermissions'
    expect "$LAMBDA_SG"
}

step_database() {
    lv_say "a real PostgreSQL from RDS in the two private subnets, behind the database's security group"
    show aws rds create-db-subnet-group --endpoint-url "$ENDPOINT" --db-subnet-group-name demo-private \
        --db-subnet-group-description "the private subnets" --subnet-ids "$PRIVATE_A" "$PRIVATE_B" \
        --query 'DBSubnetGroup.[DBSubnetGroupName,VpcId]' --output text
    show aws rds create-db-instance --endpoint-url "$ENDPOINT" --db-instance-identifier demo-db --engine postgres \
        --db-instance-class db.t3.micro --allocated-storage 20 --master-username demo --master-user-password demo-password \
        --db-name shop --db-subnet-group-name demo-private --vpc-security-group-ids "$DB_SG" --no-publicly-accessible \
        --query 'DBInstance.[DBInstanceIdentifier,Engine,DBInstanceStatus]' --output text
    expect "creating"
    # `aws rds wait db-instance-available` polls every 30 s, as AWS's waiter does; the demo looks more often.
    local i
    for i in $(seq 1 120); do
        [ "$(aws rds describe-db-instances --endpoint-url "$ENDPOINT" --db-instance-identifier demo-db \
            --query 'DBInstances[0].DBInstanceStatus' --output text)" = available ] && break
        sleep 0.5
    done
    show aws rds describe-db-instances --endpoint-url "$ENDPOINT" --db-instance-identifier demo-db \
        --query 'DBInstances[0].[DBInstanceStatus,Endpoint.Address,Endpoint.Port]' --output text
    expect "available"
    DB_HOST="$(cut -f2 <<<"$LAST")"
}

step_role() {
    lv_say "an execution role that may manage the function's network interfaces"
    show aws iam create-role --role-name demo-vpc-function --query Role.Arn --output text \
        --assume-role-policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}'
    ROLE_ARN="$LAST"
    show aws iam attach-role-policy --role-name demo-vpc-function \
        --policy-arn arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole
}

# Shows an invocation: the CLI's answer, then the payload the function returned.
invoke() {
    show aws lambda invoke --function-name "$1" --payload '{}' "$DATA_DIR/out.json"
    printf '\033[36m$ cat out.json\033[0m\n'
    LAST="$(cat "$DATA_DIR/out.json")"; printf '%s\n' "$LAST"
}

step_reader() {
    lv_say "a Python function in both private subnets that queries the database"
    (cd "$ASSETS" && zip -q "$DATA_DIR/reader.zip" reader.py)
    show aws lambda create-function --function-name reader --runtime python3.12 --handler reader.handler \
        --role "$ROLE_ARN" --zip-file "fileb://$DATA_DIR/reader.zip" --timeout 10 \
        --vpc-config "SubnetIds=$PRIVATE_A,$PRIVATE_B,SecurityGroupIds=$LAMBDA_SG" \
        --environment "Variables={DB_HOST=$DB_HOST,DB_USER=demo,DB_PASSWORD=demo-password,DB_NAME=shop}" \
        --query '[FunctionName,State,StateReasonCode]' --output text
    expect "Pending"
    show aws lambda wait function-active-v2 --function-name reader
    show aws lambda get-function-configuration --function-name reader --query '[State,VpcConfig]'
    expect "Active"
    invoke reader
    expect "Grace Hopper"
}

step_revoke() {
    lv_say "revoke the database's rule: the next connection times out, as on AWS"
    show aws ec2 revoke-security-group-ingress --group-id "$DB_SG" --protocol tcp --port 5432 --source-group "$LAMBDA_SG"
    invoke reader
    expect "timed out"
    lv_say "allow it again: the function reads the database once more"
    show aws ec2 authorize-security-group-ingress --group-id "$DB_SG" --protocol tcp --port 5432 --source-group "$LAMBDA_SG"
    invoke reader
    expect "Ada Lovelace"
}

step_s3_endpoint() {
    lv_say "a bucket with an object in it (S3 answers on the same endpoint)"
    show aws s3api create-bucket --bucket demo-reports --endpoint-url "$ENDPOINT"
    echo "quarterly report: all systems nominal" >"$DATA_DIR/report.txt"
    show aws s3api put-object --bucket demo-reports --key report.txt --body "$DATA_DIR/report.txt" --endpoint-url "$ENDPOINT"
    (cd "$ASSETS" && zip -q "$DATA_DIR/read_object.zip" read_object.py)
    show aws lambda create-function --function-name read-object --runtime python3.12 --handler read_object.handler \
        --role "$ROLE_ARN" --zip-file "fileb://$DATA_DIR/read_object.zip" --timeout 10 \
        --vpc-config "SubnetIds=$PRIVATE_A,$PRIVATE_B,SecurityGroupIds=$LAMBDA_SG" \
        --environment "Variables={BUCKET=demo-reports,KEY=report.txt}" --query '[FunctionName,State]' --output text
    show aws lambda wait function-active-v2 --function-name read-object
    lv_say "private subnets, no NAT gateway: S3 is out of reach (boto3's connect timeout)"
    invoke read-object
    expect "Connect timeout"
    lv_say "an S3 gateway endpoint on the private subnets' (main) route table: a route to S3's prefix list"
    show aws ec2 describe-route-tables --filters "Name=vpc-id,Values=$VPC_ID" "Name=association.main,Values=true" \
        --query 'RouteTables[0].RouteTableId' --output text
    MAIN_RT="$LAST"
    show aws ec2 create-vpc-endpoint --vpc-id "$VPC_ID" --service-name com.amazonaws.us-east-1.s3 --route-table-ids "$MAIN_RT" \
        --query 'VpcEndpoint.[VpcEndpointId,VpcEndpointType,State]' --output text
    S3_ENDPOINT="$(cut -f1 <<<"$LAST")"
    show aws ec2 describe-route-tables --route-table-ids "$MAIN_RT" \
        --query 'RouteTables[0].Routes[].[DestinationCidrBlock||DestinationPrefixListId,GatewayId]' --output text
    invoke read-object
    expect "all systems nominal"
}

step_internet() {
    lv_say "a web server on the (simulated) internet, at 203.0.113.10"
    mkdir -p "$DATA_DIR/www"
    echo "hello from 203.0.113.10" >"$DATA_DIR/www/index.html"
    echo "\$ lambda-vpc internet run --endpoint $ENDPOINT --address 203.0.113.10 -- python3 -m http.server 80 &"
    "$BIN" internet run --endpoint "$ENDPOINT" --address 203.0.113.10 -- \
        python3 -m http.server 80 --bind 203.0.113.10 --directory "$DATA_DIR/www" >>"$DATA_DIR/www.log" 2>&1 &
    WEB_PID=$!
    (cd "$ASSETS" && zip -q "$DATA_DIR/fetch.zip" fetch_url.py)
    show aws lambda create-function --function-name fetch-url --runtime python3.12 --handler fetch_url.handler \
        --role "$ROLE_ARN" --zip-file "fileb://$DATA_DIR/fetch.zip" --timeout 10 \
        --vpc-config "SubnetIds=$PRIVATE_A,$PRIVATE_B,SecurityGroupIds=$LAMBDA_SG" \
        --environment "Variables={URL=http://203.0.113.10/}" --query '[FunctionName,State]' --output text
    show aws lambda wait function-active-v2 --function-name fetch-url
    lv_say "private subnets without a NAT gateway: no way out"
    invoke fetch-url
    expect "timed out"

    lv_say "an internet gateway for the public subnet, and a NAT gateway in it"
    show aws ec2 create-internet-gateway --query InternetGateway.InternetGatewayId --output text
    IGW="$LAST"
    show aws ec2 attach-internet-gateway --internet-gateway-id "$IGW" --vpc-id "$VPC_ID"
    show aws ec2 create-route-table --vpc-id "$VPC_ID" --query RouteTable.RouteTableId --output text
    PUBLIC_RT="$LAST"
    show aws ec2 create-route --route-table-id "$PUBLIC_RT" --destination-cidr-block 0.0.0.0/0 --gateway-id "$IGW"
    show aws ec2 associate-route-table --route-table-id "$PUBLIC_RT" --subnet-id "$PUBLIC"
    show aws ec2 allocate-address --domain vpc --query '[AllocationId,PublicIp]' --output text
    EIP_ALLOC="$(cut -f1 <<<"$LAST")"; EIP="$(cut -f2 <<<"$LAST")"
    show aws ec2 create-nat-gateway --subnet-id "$PUBLIC" --allocation-id "$EIP_ALLOC" --query NatGateway.NatGatewayId --output text
    NAT="$LAST"
    show aws ec2 wait nat-gateway-available --nat-gateway-ids "$NAT"
    lv_say "the private subnets' (main) route table sends the internet to the NAT gateway"
    show aws ec2 describe-route-tables --filters "Name=vpc-id,Values=$VPC_ID" "Name=association.main,Values=true" \
        --query 'RouteTables[0].RouteTableId' --output text
    MAIN_RT="$LAST"
    show aws ec2 create-route --route-table-id "$MAIN_RT" --destination-cidr-block 0.0.0.0/0 --nat-gateway-id "$NAT"
    invoke fetch-url
    expect "hello from 203.0.113.10"
    lv_say "the web server saw the NAT gateway's Elastic IP ($EIP):"
    grep "GET / " "$DATA_DIR/www.log" | tail -n 1
    grep -q "^$EIP " "$DATA_DIR/www.log" || lv_die "the web server did not see $EIP"
}

step_cleanup() {
    lv_say "cleaning up"
    show aws lambda delete-function --function-name reader
    show aws lambda delete-function --function-name fetch-url
    show aws lambda delete-function --function-name read-object
    show aws ec2 delete-vpc-endpoints --vpc-endpoint-ids "$S3_ENDPOINT"
    show aws rds delete-db-instance --endpoint-url "$ENDPOINT" --db-instance-identifier demo-db --skip-final-snapshot \
        --query 'DBInstance.DBInstanceStatus' --output text
    show aws ec2 delete-nat-gateway --nat-gateway-id "$NAT" --query NatGatewayId --output text
    show aws ec2 wait nat-gateway-deleted --nat-gateway-ids "$NAT"
    show aws ec2 release-address --allocation-id "$EIP_ALLOC"
    show aws ec2 detach-internet-gateway --internet-gateway-id "$IGW" --vpc-id "$VPC_ID"
    show aws ec2 delete-internet-gateway --internet-gateway-id "$IGW"
    local i
    for i in $(seq 1 100); do
        [ "$(aws rds describe-db-instances --endpoint-url "$ENDPOINT" --query 'length(DBInstances)')" = 0 ] && break
        sleep 0.2
    done
    show aws rds delete-db-subnet-group --endpoint-url "$ENDPOINT" --db-subnet-group-name demo-private
    # The Hyperplane ENIs go once no function uses them (--eni-release-after); the subnets can go after them.
    for i in $(seq 1 100); do
        [ "$(aws ec2 describe-network-interfaces --filters "Name=vpc-id,Values=$VPC_ID" --query 'length(NetworkInterfaces)')" = 0 ] && break
        sleep 0.2
    done
    show aws ec2 delete-subnet --subnet-id "$PRIVATE_A"
    show aws ec2 delete-subnet --subnet-id "$PRIVATE_B"
    show aws ec2 delete-subnet --subnet-id "$PUBLIC"
    show aws ec2 delete-route-table --route-table-id "$PUBLIC_RT"
    show aws ec2 delete-security-group --group-id "$DB_SG"
    show aws ec2 delete-security-group --group-id "$LAMBDA_SG"
    show aws ec2 delete-vpc --vpc-id "$VPC_ID"
    lv_stop_pid "$WEB_PID"; WEB_PID=""
    stop_server
    local tag; tag="$(sed -n 's/.*network fabric on: namespaces lv-\([0-9a-f]*\)-\*.*/\1/p' "$DATA_DIR/server.log" | head -n 1)"
    echo "\$ ip netns list | grep -c '^lv-$tag-'    # this server's namespaces"
    local left; left="$(ip netns list | grep -c "^lv-$tag-" || true)"
    echo "$left"
    [ "$left" = 0 ] || lv_die "namespaces were left behind"
}

# The scenario, in order.
STEPS=(step_network step_security_groups step_restart step_database step_role step_reader step_revoke step_s3_endpoint step_internet
       step_cleanup)

[ "$(id -u)" -eq 0 ] || lv_die "the demo builds VPCs out of network namespaces and nftables: run it as root"
lv_say "checking dependencies"
lv_ensure_dependencies
if [ -z "${LV_DEMO_BIN:-}" ]; then
    lv_say "building lambda-vpc (release)"
    swift build -c release --product lambda-vpc
fi
lv_say "starting lambda-vpc"
start_server

# What a user types in their own shell to talk to the server.
export AWS_ENDPOINT_URL="$ENDPOINT" AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1
export AWS_PAGER="" AWS_DEFAULT_OUTPUT=json
echo
echo "export AWS_ENDPOINT_URL=$ENDPOINT AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1"

for step in "${STEPS[@]}"; do "$step"; done
