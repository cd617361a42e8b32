"""What the service edge adds to a call: p50 of STS GetCallerIdentity from a VPC function (private subnet, NAT gateway,
through the simulated internet to the edge) against the same call on the host endpoint from the host. Both sides
run the same loop (one signed request, one kept-alive connection, http.client, the same Python version), and the
host's loop runs in the function environment's own cgroups so that both get the same CPU share on a busy machine:
the difference is the path (the function's veth, its ENI's NAT and security groups, the VPC router, the NAT
gateway, the IGW, the internet core, the edge namespace), the edge's origin lookup and, for HTTPS, TLS.

Needs root (the network fabric). Usage:
  python3 benchmarks/edge_latency.py [--binary .build/debug/lambda-vpc] [--calls 400] [--rounds 3]
"""
import argparse
import glob
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
STS_NAME = "sts.us-east-1.amazonaws.com"

# One signed GetCallerIdentity sent again and again on one kept-alive connection, timed per round trip: the same
# code measures the edge (inside the function) and the host endpoint (on the host).
LOOP = """
import http.client, socket, ssl, time
_real = socket.getaddrinfo
def _edge(host, *a, **kw):
    # No DNS resolver yet: the STS name resolves to its edge address here, as the VPC's resolver will answer.
    return _real("%s" if host == "%s" else host, *a, **kw)
socket.getaddrinfo = _edge

def run(host, port, secure, headers, body, calls):
    if secure:
        # Verified against the bundle SSL_CERT_FILE names (the data dir's CA), for the name, by SNI.
        c = http.client.HTTPSConnection(host, port, context=ssl.create_default_context())
    else:
        c = http.client.HTTPConnection(host, port)
    times = []
    for i in range(calls + 20):
        t = time.perf_counter()
        c.request("POST", "/", body=body, headers=headers)
        r = c.getresponse()
        data = r.read()
        if r.status != 200:
            raise RuntimeError(data)
        if i >= 20:
            times.append(time.perf_counter() - t)
    c.close()
    return times
""" % (EDGE_STS, STS_NAME)

FUNCTION = LOOP + """
def handler(event, context):
    h = event["headers"]
    return {"http": run(event["host"], 80, False, h, event["body"], event["calls"]),
            "https": run(event["host"], 443, True, h, event["body"], event["calls"])}
"""

HOST_SIDE = LOOP + """
import json, sys
a = json.loads(sys.stdin.read())
print(json.dumps(run("127.0.0.1", a["port"], False, a["headers"], a["body"], a["calls"])))
"""


def signed_get_caller_identity(host):
    """Headers and body of a GetCallerIdentity signed for `host` (the server checks no signature by default, but the
    request is what an SDK sends)."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    body = "Action=GetCallerIdentity&Version=2011-06-15"
    req = AWSRequest(method="POST", url=f"http://{host}/", data=body,
                     headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8", "Host": host})
    SigV4Auth(Credentials("test", "test"), "sts", "us-east-1").add_auth(req)
    return dict(req.headers.items()), body


def host_side(python, port, headers, body, calls, server_pid):
    """Runs the loop against the host endpoint in the function environment's own cgroups (same CPU share under
    load as the function), with the function's Python version."""
    p = subprocess.Popen([python, "-c", HOST_SIDE], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    joined = 0
    for procs in glob.glob(f"/sys/fs/cgroup/*/lv-sandbox/lv-env-{server_pid}-*/cgroup.procs") + \
            glob.glob(f"/sys/fs/cgroup/lv-sandbox/lv-env-{server_pid}-*/cgroup.procs"):
        with open(procs, "w") as f:
            f.write(str(p.pid))
        joined += 1
    out, _ = p.communicate(json.dumps({"port": port, "headers": headers, "body": body, "calls": calls}))
    if p.returncode != 0:
        raise SystemExit("host loop failed")
    return json.loads(out), joined


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def zipped(text):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        info = zipfile.ZipInfo("index.py")
        info.external_attr = 0o100644 << 16  # readable by the function's user
        z.writestr(info, text)
    return buf.getvalue()


def wait(pred, what, timeout=30):
    end = time.time() + timeout
    while time.time() < end:
        try:
            if pred():
                return
        except OSError:
            pass
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

        interp = next((p for p in sorted(glob.glob("/root/.pyenv/versions/3.12*/bin/python3.12"), reverse=True)), sys.executable)
        edge_headers, body = signed_get_caller_identity(STS_NAME)
        host_headers, _ = signed_get_caller_identity(f"127.0.0.1:{port}")
        host, edge_http, edge_https, joined = [], [], [], 0
        for _ in range(a.rounds):
            event = {"host": STS_NAME, "headers": edge_headers, "body": body, "calls": a.calls}
            r = lam.invoke(FunctionName="edge-bench", Payload=json.dumps(event).encode())
            out = json.loads(r["Payload"].read())
            if "FunctionError" in r:
                raise SystemExit(f"function failed: {out}")
            edge_http += out["http"]
            edge_https += out["https"]
            times, joined = host_side(interp, port, host_headers, body, a.calls, proc.pid)
            host += times
        h, e, s = p50_ms(host), p50_ms(edge_http), p50_ms(edge_https)
        print(f"GetCallerIdentity p50 over {len(host)} calls each (one kept-alive connection, {a.rounds} interleaved rounds;")
        print(f"  host loop in the function's cgroups: {joined > 0}, Python {os.path.basename(interp)} on both sides):")
        print(f"  host endpoint (HTTP, from the host)              {h:.3f} ms")
        print(f"  edge HTTP  (VPC function -> NAT -> IGW -> edge)  {e:.3f} ms   added {e - h:+.3f} ms")
        print(f"  edge HTTPS (same path, TLS, verified by name)    {s:.3f} ms   added {s - h:+.3f} ms")
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
