"""CloudFormation benchmark: the seed's `vpc-privatepublic.yaml` (VPC, subnets, IGW, NAT gateway + EIP, route tables,
gateway endpoints) from CreateStack to CREATE_COMPLETE on a release server started with `--nat-create-delay 0`.

Reports the server's time per run (first to last stack event, by the events' timestamps), the wall time of a client
polling DescribeStacks every 50 ms, and the wall time of the AWS CLI's own flow (`create-stack` then
`wait stack-create-complete`, whose waiter polls every 30 s); each stack is deleted again.

Usage: python3 benchmarks/cfn_stack.py [--binary .build/release/lambda-vpc] [--runs 5] [--cli-runs 1]
"""
import argparse
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request

import boto3
from botocore.config import Config

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
TEMPLATE = os.path.join(ROOT, "..", "shared", "seeds", "templates", "vpc-privatepublic.yaml")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(binary, data_dir, port):
    log = open(os.path.join(data_dir, "server.log"), "ab")
    proc = subprocess.Popen([binary, "serve", "--port", str(port), "--data-dir", data_dir, "--nat-create-delay", "0",
                             "--nat-delete-delay", "0", "--no-default-vpc"], stdout=log, stderr=log)
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/_lambda-vpc/health", timeout=1)
            return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("server did not start")


def server_seconds(cfn, name):
    events = cfn.describe_stack_events(StackName=name)["StackEvents"]
    stamps = [e["Timestamp"] for e in events]
    return (max(stamps) - min(stamps)).total_seconds()


def wait(cfn, name, target, poll=0.05):
    while True:
        status = cfn.describe_stacks(StackName=name)["Stacks"][0]["StackStatus"]
        if status == target:
            return
        if not status.endswith("_IN_PROGRESS"):
            raise RuntimeError(f"{name}: {status}")
        time.sleep(poll)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", "lambda-vpc"))
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--cli-runs", type=int, default=1)
    args = ap.parse_args()
    with open(TEMPLATE) as f:
        body = f.read()
    data_dir = tempfile.mkdtemp(prefix="lv-cfn-bench-")
    port = free_port()
    proc = start(args.binary, data_dir, port)
    endpoint = f"http://127.0.0.1:{port}"
    try:
        cfn = boto3.client("cloudformation", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test",
                           aws_secret_access_key="test", config=Config(retries={"max_attempts": 1}))
        server_times, wall_times = [], []
        for i in range(args.runs):
            name = f"bench-{i}"
            t0 = time.perf_counter()
            cfn.create_stack(StackName=name, TemplateBody=body)
            wait(cfn, name, "CREATE_COMPLETE")
            wall_times.append(time.perf_counter() - t0)
            server_times.append(server_seconds(cfn, name))
            cfn.delete_stack(StackName=name)
            cfn.get_waiter("stack_delete_complete").wait(StackName=name, WaiterConfig={"Delay": 1})
        env = dict(os.environ, AWS_ENDPOINT_URL=endpoint, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test",
                   AWS_DEFAULT_REGION="us-east-1")
        cli_times = []
        for i in range(args.cli_runs):
            name = f"bench-cli-{i}"
            t0 = time.perf_counter()
            subprocess.run(["aws", "cloudformation", "create-stack", "--stack-name", name, "--template-body",
                            "file://" + TEMPLATE], check=True, env=env, capture_output=True)
            subprocess.run(["aws", "cloudformation", "wait", "stack-create-complete", "--stack-name", name],
                           check=True, env=env)
            cli_times.append(time.perf_counter() - t0)
            cfn.delete_stack(StackName=name)
            cfn.get_waiter("stack_delete_complete").wait(StackName=name, WaiterConfig={"Delay": 1})

        def fmt(xs):
            xs = sorted(xs)
            return f"min {xs[0]:.3f} s, median {xs[len(xs) // 2]:.3f} s, max {xs[-1]:.3f} s"

        print(f"vpc-privatepublic.yaml, {args.runs} runs, --nat-create-delay 0")
        print(f"  server time (first to last stack event): {fmt(server_times)}")
        print(f"  client wall time, polling every 50 ms:   {fmt(wall_times)}")
        if cli_times:
            print(f"  AWS CLI create-stack + wait (30 s polls): {fmt(cli_times)}")
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
