"""Issue 6 budget: 100 VPC functions in 10 subnets up and Active in <= 5 s, through the API, against a release server
started with --eni-create-delay 0ms (run as root, so the network fabric really builds every ENI namespace).

Two shapes, each on a fresh server:
  shared   - every function has the same 10 subnets and security group: Hyperplane shares one ENI per subnet (10 ENIs)
  distinct - function i has subnet i % 10 and a security group of its own: one ENI per function (100 ENIs)
The clock starts before the first CreateFunction and stops when GetFunctionConfiguration says Active for all 100.

Usage: python3 benchmarks/vpc_functions_active.py [--binary .build/release/lambda-vpc] [--functions 100] [--runs 3]
"""
import argparse
import concurrent.futures
import io
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import zipfile

import boto3
from botocore.config import Config


def readable(name):
    """A zip entry readable by all, as `zip` stores it (Lambda's sandbox user must be able to read the code)."""
    info = zipfile.ZipInfo(name)
    info.external_attr = 0o100644 << 16
    return info

TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def client(endpoint, service):
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test",
                        aws_secret_access_key="test", config=Config(retries={"total_max_attempts": 1},
                                                                     max_pool_connections=16))


def code_zip():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(readable("index.py"), "def handler(e, c):\n    return e\n")
    return buf.getvalue()


class Server:
    def __init__(self, binary):
        self.data = tempfile.mkdtemp(prefix="lv-vpcbench-")
        port = free_port()
        self.endpoint = f"http://127.0.0.1:{port}"
        self.proc = subprocess.Popen([binary, "serve", "--port", str(port), "--data-dir", self.data, "--log-level", "error",
                                      "--eni-create-delay", "0ms"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 30
        while True:
            try:
                self.health = json.loads(urllib.request.urlopen(self.endpoint + "/_lambda-vpc/health", timeout=1).read() or b"{}")
                break
            except (OSError, ValueError):
                if time.time() > deadline or self.proc.poll() is not None:
                    self.stop()
                    raise RuntimeError("lambda-vpc did not start")
                time.sleep(0.1)

    def stop(self):
        # SIGTERM: the server removes every namespace it made.
        self.proc.terminate()
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        shutil.rmtree(self.data, ignore_errors=True)


def run_once(binary, functions, shape):
    server = Server(binary)
    try:
        ep = server.endpoint
        iam, ec2, lam = client(ep, "iam"), client(ep, "ec2"), client(ep, "lambda")
        role = iam.create_role(RoleName="vpc-bench", AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
        iam.attach_role_policy(RoleName="vpc-bench",
                               PolicyArn="arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole")
        vpc = ec2.create_vpc(CidrBlock="10.77.0.0/16")["Vpc"]["VpcId"]
        subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.77.{i}.0/24")["Subnet"]["SubnetId"] for i in range(10)]
        if shape == "shared":
            sg = ec2.create_security_group(VpcId=vpc, GroupName="fn", Description="functions")["GroupId"]
            configs = [{"SubnetIds": subnets, "SecurityGroupIds": [sg]}] * functions
        else:
            configs = []
            for i in range(functions):
                sg = ec2.create_security_group(VpcId=vpc, GroupName=f"fn-{i}", Description="function")["GroupId"]
                configs.append({"SubnetIds": [subnets[i % 10]], "SecurityGroupIds": [sg]})
        code = code_zip()

        def create(i):
            lam.create_function(FunctionName=f"vpc-fn-{i}", Runtime="python3.12", Handler="index.handler", Role=role,
                                Code={"ZipFile": code}, VpcConfig=configs[i])

        t0 = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            list(pool.map(create, range(functions)))
        created = time.perf_counter() - t0
        pending = set(range(functions))
        while pending:
            for i in list(pending):
                state = lam.get_function_configuration(FunctionName=f"vpc-fn-{i}")["State"]
                if state == "Active":
                    pending.discard(i)
                elif state == "Failed":
                    raise RuntimeError(f"vpc-fn-{i} failed")
            if time.perf_counter() - t0 > 120:
                raise RuntimeError(f"{len(pending)} functions still not Active after 120 s")
        total = time.perf_counter() - t0
        enis = len(ec2.describe_network_interfaces()["NetworkInterfaces"])
        return total, created, enis, server.health
    finally:
        server.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=".build/release/lambda-vpc")
    ap.add_argument("--functions", type=int, default=100)
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    if os.geteuid() != 0:
        print("note: not root, so the network fabric is off and no namespace is built", file=sys.stderr)
    print("load average at start:", os.getloadavg())
    for shape in ("shared", "distinct"):
        totals = []
        for _ in range(a.runs):
            total, created, enis, health = run_once(a.binary, a.functions, shape)
            totals.append(total)
            print(f"{shape:8s} {a.functions} functions, {enis} ENIs: all Active in {total * 1000:7.0f} ms "
                  f"(CreateFunction calls done at {created * 1000:.0f} ms); health {json.dumps(health)[:120]}")
        verdict = "within" if statistics.median(totals) <= 5 else "OVER"
        print(f"{shape:8s} median {statistics.median(totals) * 1000:7.0f} ms (budget 5000 ms: {verdict})")
    print("load average at end:", os.getloadavg())


if __name__ == "__main__":
    main()
