"""What the service edge adds to a call: p50 of STS GetCallerIdentity from a VPC function (private subnet, NAT gateway,
through the simulated internet to the edge) against the same call on the host endpoint from the host. Both sides
use boto3 with one kept-alive connection, so the SDK's own cost is in both and the difference is the path: the
function's veth, its ENI's NAT and security groups, the VPC router, the NAT gateway, the IGW, the internet core,
the edge namespace, and for HTTPS the TLS record layer.

Needs root (the network fabric). Usage:
  python3 benchmarks/edge_latency.py [--binary .build/debug/lambda-vpc] [--calls 400] [--rounds 3]
"""
import argparse
import importlib
import io
import json
import os
import shutil
import signal
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

EDGE_STS = "198.18.14.3"  # ServiceEdge: us-east-1 (slot 14), sts (index 2)

FUNCTION = """
import socket, time, boto3, botocore.config
_real = socket.getaddrinfo
def _edge(host, *a, **kw):
    # No DNS resolver yet: the STS name resolves to its edge address here (what the VPC's resolver will answer).
    return _real("%s" if host == "sts.us-east-1.amazonaws.com" else host, *a, **kw)
socket.getaddrinfo = _edge

def handler(event, context):
    cfg = botocore.config.Config(retries={"max_attempts": 1})
    out = {}
    for scheme in ("http", "https"):
        # HTTPS is the SDK's default endpoint, verified against the bundle AWS_CA_BUNDLE names.
        url = None if scheme == "https" else "http://sts.us-east-1.amazonaws.com"
        sts = boto3.client("sts", endpoint_url=url, config=cfg, region_name="us-east-1")
        sts.get_caller_identity()
        times = []
        for _ in range(event["calls"]):
            t = time.perf_counter(); sts.get_caller_identity(); times.append(time.perf_counter() - t)
        out[scheme] = times
    return out
""" % EDGE_STS


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def zipped(text):
    """index.py with boto3 and its dependencies from this Python's site-packages (the runtimes' interpreters here
    have no boto3), botocore's models cut to STS."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        info = zipfile.ZipInfo("index.py")
        info.external_attr = 0o100644 << 16  # readable by the function's user
        z.writestr(info, text)
        for name in ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six"):
            path = importlib.import_module(name).__file__
            if os.path.basename(path) != "__init__.py":
                z.write(path, os.path.basename(path))
                continue
            root = os.path.dirname(path)
            for d, _, files in os.walk(root):
                rel = os.path.relpath(d, os.path.dirname(root))
                parts = rel.split(os.sep)
                if "__pycache__" in parts or (parts[:2] == ["botocore", "data"] and len(parts) > 2 and parts[2] != "sts"):
                    continue
                for f in files:
                    if not f.endswith(".pyc"):
                        z.write(os.path.join(d, f), os.path.join(rel, f))
    return buf.getvalue()


def wait(pred, what, timeout=30):
    end = time.time() + timeout
    while time.time() < end:
        if pred():
            return
        time.sleep(0.05)
    raise SystemExit("timed out waiting for " + what)


def p50_ms(samples):
    return statistics.median(samples) * 1000


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=".build/debug/lambda-vpc")
    ap.add_argument("--calls", type=int, default=400)
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args()
    data = tempfile.mkdtemp(prefix="lv-edge-bench-")
    port = free_port()
    log = open(os.path.join(data, "server.log"), "ab")
    proc = subprocess.Popen([a.binary, "serve", "--port", str(port), "--data-dir", data, "--eni-create-delay", "0ms",
                             "--nat-create-delay", "100ms"], stdout=log, stderr=log)
    try:
        endpoint = f"http://127.0.0.1:{port}"
        wait(lambda: urllib.request.urlopen(endpoint + "/_lambda-vpc/health", timeout=1).status == 200, "the server")
        kw = dict(endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test",
                  config=Config(retries={"max_attempts": 1}))
        ec2, lam, iam, sts = (boto3.client(s, **kw) for s in ("ec2", "lambda", "iam", "sts"))
        trust = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                                                                      "Action": "sts:AssumeRole"}]})
        role = iam.create_role(RoleName="bench", AssumeRolePolicyDocument=trust)["Role"]["Arn"]
        iam.attach_role_policy(RoleName="bench", PolicyArn="arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole")
        vpc = ec2.create_vpc(CidrBlock="10.93.0.0/16")["Vpc"]["VpcId"]
        public = ec2.create_subnet(VpcId=vpc, CidrBlock="10.93.1.0/24")["Subnet"]["SubnetId"]
        private = ec2.create_subnet(VpcId=vpc, CidrBlock="10.93.2.0/24")["Subnet"]["SubnetId"]
        sg = ec2.create_security_group(VpcId=vpc, GroupName="fn", Description="bench")["GroupId"]
        igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
        ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
        pub_rtb = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
        ec2.associate_route_table(RouteTableId=pub_rtb, SubnetId=public)
        ec2.create_route(RouteTableId=pub_rtb, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
        eip = ec2.allocate_address(Domain="vpc")
        nat = ec2.create_nat_gateway(SubnetId=public, AllocationId=eip["AllocationId"])["NatGateway"]["NatGatewayId"]
        wait(lambda: ec2.describe_nat_gateways(NatGatewayIds=[nat])["NatGateways"][0]["State"] == "available", "the NAT")
        priv_rtb = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
        ec2.associate_route_table(RouteTableId=priv_rtb, SubnetId=private)
        ec2.create_route(RouteTableId=priv_rtb, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat)
        lam.create_function(FunctionName="edge-bench", Runtime="python3.12", Handler="index.handler", Role=role, Timeout=120,
                            MemorySize=1024, Code={"ZipFile": zipped(FUNCTION)},
                            VpcConfig={"SubnetIds": [private], "SecurityGroupIds": [sg]})
        wait(lambda: lam.get_function_configuration(FunctionName="edge-bench")["State"] == "Active", "the function")

        host, edge_http, edge_https = [], [], []
        for _ in range(a.rounds):
            r = lam.invoke(FunctionName="edge-bench", Payload=json.dumps({"calls": a.calls}).encode())
            out = json.loads(r["Payload"].read())
            if "FunctionError" in r:
                raise SystemExit(f"function failed: {out}")
            edge_http += out["http"]
            edge_https += out["https"]
            sts.get_caller_identity()
            for _ in range(a.calls):
                t = time.perf_counter(); sts.get_caller_identity(); host.append(time.perf_counter() - t)
        h, e, s = p50_ms(host), p50_ms(edge_http), p50_ms(edge_https)
        print(f"GetCallerIdentity p50 over {len(host)} calls each (boto3, kept-alive connection):")
        print(f"  host endpoint (HTTP, from the host)              {h:.3f} ms")
        print(f"  edge HTTP  (VPC function -> NAT -> IGW -> edge)  {e:.3f} ms   added {e - h:+.3f} ms")
        print(f"  edge HTTPS (same path, TLS)                      {s:.3f} ms   added {s - h:+.3f} ms")
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
