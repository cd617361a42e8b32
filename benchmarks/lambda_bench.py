"""Lambda read-path benchmark: GetFunction and ListFunctions with 1,000 functions stored, requests per second with
wrk, lambda-vpc side by side with moto_server (same data, same client), plus the HTTP floor (health endpoint) and
Create → Active latency for a VPC function with --eni-create-delay 0ms.

Usage: python3 benchmarks/lambda_bench.py [--binary .build/release/lambda-vpc] [--functions 1000] [--duration 10]
"""
import argparse
import io
import os
import re
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
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials


def readable(name):
    """A zip entry readable by all, as `zip` stores it (Lambda's sandbox user must be able to read the code)."""
    info = zipfile.ZipInfo(name)
    info.external_attr = 0o100644 << 16
    return info

ROLE = "arn:aws:iam::123456789012:role/lambda-role"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


def client(endpoint, service):
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test",
                        aws_secret_access_key="test", config=Config(retries={"total_max_attempts": 1}))


def zip_bytes():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(readable("index.py"), "def handler(e, c):\n    return e\n")
    return buf.getvalue()


def populate(endpoint, n):
    lam = client(endpoint, "lambda")
    code = zip_bytes()
    for i in range(n):
        lam.create_function(FunctionName=f"bench-{i:04d}", Runtime="python3.12", Handler="index.handler", Role=ROLE,
                            Code={"ZipFile": code})


def signed_headers(endpoint, path):
    req = AWSRequest(method="GET", url=endpoint + path)
    SigV4Auth(Credentials("test", "test"), "lambda", "us-east-1").add_auth(req)
    return {k: v for k, v in req.headers.items()}


def wrk(endpoint, path, duration, headers=None, threads=2, connections=32):
    args = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{duration}s"]
    for k, v in (headers or {}).items():
        args += ["-H", f"{k}: {v}"]
    out = subprocess.run(args + [endpoint + path], capture_output=True, text=True).stdout
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise RuntimeError(f"wrk saw errors on {path}: {out}")
    return float(m.group(1)) if m else 0.0


def create_to_active_ms(endpoint, samples=30):
    lam, ec2 = client(endpoint, "lambda"), client(endpoint, "ec2")
    vpc = ec2.create_vpc(CidrBlock="10.99.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.99.1.0/24")["Subnet"]["SubnetId"]
    times = []
    code = zip_bytes()
    for i in range(samples):
        # A new security group each time, so every function needs a new ENI.
        sg = ec2.create_security_group(VpcId=vpc, GroupName=f"bench-grp-{i}", Description="b")["GroupId"]
        t0 = time.perf_counter()
        lam.create_function(FunctionName=f"vpc-{i}", Runtime="python3.12", Handler="index.handler", Role=ROLE,
                            Code={"ZipFile": code}, VpcConfig={"SubnetIds": [subnet], "SecurityGroupIds": [sg]})
        while lam.get_function_configuration(FunctionName=f"vpc-{i}")["State"] != "Active":
            pass
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def create_role(ep, vpc_access):
    iam = client(ep, "iam")
    iam.create_role(RoleName="lambda-role", AssumeRolePolicyDocument=
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}')
    if vpc_access:
        iam.attach_role_policy(RoleName="lambda-role",
                               PolicyArn="arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=".build/release/lambda-vpc")
    ap.add_argument("--functions", type=int, default=1000)
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--no-moto", action="store_true")
    a = ap.parse_args()

    results = {}
    data = tempfile.mkdtemp(prefix="lv-bench-")
    port = free_port()
    ep = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen([a.binary, "serve", "--port", str(port), "--data-dir", data, "--log-level", "error",
                             "--eni-create-delay", "0ms"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    procs = [proc]
    try:
        wait_http(ep + "/_lambda-vpc/health")
        # lambda-vpc checks the execution role (it must trust Lambda and, for VPC functions, allow the ENI calls).
        create_role(ep, vpc_access=True)
        populate(ep, a.functions)
        results["lambda-vpc floor (health)"] = wrk(ep, "/_lambda-vpc/health", a.duration)
        p = "/2015-03-31/functions/bench-0500"
        results["lambda-vpc GetFunction"] = wrk(ep, p, a.duration, signed_headers(ep, p))
        p = "/2015-03-31/functions"
        results["lambda-vpc ListFunctions"] = wrk(ep, p, a.duration, signed_headers(ep, p))
        results["lambda-vpc Create→Active median ms (VPC, 0ms delay)"] = create_to_active_ms(ep)
        if not a.no_moto and shutil.which("moto_server"):
            mport = free_port()
            mep = f"http://127.0.0.1:{mport}"
            moto = subprocess.Popen(["moto_server", "-p", str(mport)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            procs.append(moto)
            wait_http(mep + "/moto-api/")
            # moto checks that the execution role exists in its IAM.
            create_role(mep, vpc_access=False)
            populate(mep, a.functions)
            p = "/2015-03-31/functions/bench-0500"
            results["moto GetFunction"] = wrk(mep, p, a.duration, signed_headers(mep, p))
            p = "/2015-03-31/functions"
            results["moto ListFunctions"] = wrk(mep, p, a.duration, signed_headers(mep, p))
    finally:
        for pr in procs:
            pr.terminate()
            pr.wait(timeout=15)
        shutil.rmtree(data, ignore_errors=True)
    for k, v in results.items():
        print(f"{k:55s} {v:12.1f}")
    if "moto GetFunction" in results:
        print(f"GetFunction vs moto: {results['lambda-vpc GetFunction'] / max(results['moto GetFunction'], 1):.1f}x; "
              f"ListFunctions vs moto: {results['lambda-vpc ListFunctions'] / max(results['moto ListFunctions'], 1):.1f}x")
    floor = results["lambda-vpc floor (health)"]
    print(f"GetFunction = {100 * results['lambda-vpc GetFunction'] / floor:.0f}% of the HTTP floor; "
          f"ListFunctions = {100 * results['lambda-vpc ListFunctions'] / floor:.0f}% of the HTTP floor")


if __name__ == "__main__":
    sys.exit(main())
