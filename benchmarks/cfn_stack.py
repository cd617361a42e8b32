"""CloudFormation deployment time: the seed's vpc-privatepublic.yaml (17 resources, a NAT gateway waited for) to
CREATE_COMPLETE, and its deletion. A server is started with `--nat-create-delay 0`; each round creates the stack,
deletes it, and reports
  - server time: from the stack's first event (CREATE_IN_PROGRESS, User Initiated) to its CREATE_COMPLETE event,
  - API wall time: CreateStack until DescribeStacks shows CREATE_COMPLETE (polled every 10 ms),
  - CLI wall time: `aws cloudformation deploy` (change set, its waiter, execute, the stack waiter), once per run.

Usage:
  python3 benchmarks/cfn_stack.py [--binary .build/debug/lambda-vpc] [--rounds 10]
The seed's templates are read from ../shared/seeds/templates/ next to the repository.
"""
import argparse
import os
import shutil
import signal
import socket
import statistics
import subprocess
import tempfile
import time
import urllib.request

import boto3
from botocore.config import Config

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TEMPLATE = os.path.join(os.path.dirname(ROOT), "shared", "seeds", "templates", "vpc-privatepublic.yaml")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_status(cfn, stack_id, done):
    while True:
        s = cfn.describe_stacks(StackName=stack_id)["Stacks"][0]
        if s["StackStatus"] in done:
            return s
        if not s["StackStatus"].endswith("_IN_PROGRESS"):
            raise RuntimeError(f"{s['StackStatus']}: {s.get('StackStatusReason')}")
        time.sleep(0.01)


def server_seconds(cfn, stack_id, start_status, end_status):
    events = cfn.describe_stack_events(StackName=stack_id)["StackEvents"]
    own = [e for e in events if e["LogicalResourceId"] == e["StackName"]]
    start = min(e["Timestamp"] for e in own if e["ResourceStatus"] == start_status)
    end = max(e["Timestamp"] for e in own if e["ResourceStatus"] == end_status)
    return (end - start).total_seconds()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=os.path.join(ROOT, ".build", "debug", "lambda-vpc"))
    ap.add_argument("--rounds", type=int, default=10)
    args = ap.parse_args()
    body = open(TEMPLATE).read()
    data = tempfile.mkdtemp(prefix="lv-cfn-bench-")
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    log = open(os.path.join(data, "server.log"), "wb")
    proc = subprocess.Popen([args.binary, "serve", "--port", str(port), "--data-dir", data, "--nat-create-delay", "0",
                             "--nat-delete-delay", "0"], stdout=log, stderr=log)
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(endpoint + "/_lambda-vpc/health", timeout=1)
                break
            except OSError:
                time.sleep(0.05)
        cfn = boto3.client("cloudformation", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test",
                           aws_secret_access_key="test", config=Config(retries={"max_attempts": 1}))
        create_server, create_wall, delete_server, delete_wall = [], [], [], []
        for i in range(args.rounds):
            t0 = time.perf_counter()
            sid = cfn.create_stack(StackName=f"bench-{i}", TemplateBody=body)["StackId"]
            wait_status(cfn, sid, {"CREATE_COMPLETE"})
            create_wall.append(time.perf_counter() - t0)
            create_server.append(server_seconds(cfn, sid, "CREATE_IN_PROGRESS", "CREATE_COMPLETE"))
            t0 = time.perf_counter()
            cfn.delete_stack(StackName=sid)
            wait_status(cfn, sid, {"DELETE_COMPLETE"})
            delete_wall.append(time.perf_counter() - t0)
            delete_server.append(server_seconds(cfn, sid, "DELETE_IN_PROGRESS", "DELETE_COMPLETE"))

        work = tempfile.mkdtemp(prefix="lv-cfn-cli-")
        shutil.copy(TEMPLATE, os.path.join(work, "vpc-privatepublic.yml"))
        env = dict(os.environ, AWS_ENDPOINT_URL=endpoint, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test",
                   AWS_DEFAULT_REGION="us-east-1", AWS_PAGER="")
        t0 = time.perf_counter()
        subprocess.run(["aws", "cloudformation", "deploy", "--template-file", "vpc-privatepublic.yml", "--stack-name", "cli"],
                       cwd=work, env=env, check=True, capture_output=True)
        cli_wall = time.perf_counter() - t0
        cli_server = server_seconds(cfn, "cli", "CREATE_IN_PROGRESS", "CREATE_COMPLETE")
        shutil.rmtree(work, ignore_errors=True)

        def row(name, xs):
            xs = sorted(xs)
            print(f"{name:34s} median {statistics.median(xs) * 1000:8.1f} ms   min {xs[0] * 1000:8.1f}   max {xs[-1] * 1000:8.1f}")
        print(f"vpc-privatepublic.yaml, {args.rounds} rounds, {args.binary}")
        row("create: server (events)", create_server)
        row("create: API wall (10 ms polls)", create_wall)
        row("delete: server (events)", delete_server)
        row("delete: API wall (10 ms polls)", delete_wall)
        print(f"{'aws cloudformation deploy: wall':34s} {cli_wall * 1000:8.1f} ms (server {cli_server * 1000:.1f} ms)")
    finally:
        os.kill(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
