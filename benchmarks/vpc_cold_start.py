"""Cold start of a Python VPC function whose Hyperplane ENI already exists (issue 6 budget: <= 150 ms).

Measured from the client, against a real server (root: the network fabric is on):
  create -> first response   CreateFunction (VpcConfig on an existing ENI), GetFunctionConfiguration until Active, Invoke
  cold invoke after drop     the function's only environment crashed (os._exit) and was removed; the next Invoke starts one
  warm invoke                for reference
The same cold invoke is measured for a function without VpcConfig (Lambda-owned network) and, for the cost of the
attachment itself, on a server started with --no-network (an environment namespace with loopback only). The server's
debug log gives the network's own share of each cold start (namespace creation, attachment to the ENI), and a bare
`python3 -c pass` the floor any Python cold start pays on this machine at this load.

Usage: sudo python3 benchmarks/vpc_cold_start.py [--binary .build/release/lambda-vpc] [--samples 20]
"""
import argparse
import io
import json
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
from botocore.config import Config


def readable(name):
    """A zip entry readable by all, as `zip` stores it (Lambda's sandbox user must be able to read the code)."""
    info = zipfile.ZipInfo(name)
    info.external_attr = 0o100644 << 16
    return info


HANDLER = """
import os
import re

def handler(event, context):
    if event.get("exit"):
        os._exit(3)
    return {"ok": True}
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def package():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(readable("index.py"), HANDLER)
    return buf.getvalue()


class Server:
    def __init__(self, binary, extra):
        self.dir = tempfile.mkdtemp(prefix="lv-bench-")
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.log = os.path.join(self.dir, "server.log")
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen([binary, "serve", "--port", str(self.port), "--data-dir", self.dir,
                                          "--eni-create-delay", "0ms", "--skip-role-checks", "--log-level", "debug"] + extra,
                                         stdout=log, stderr=log)
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                urllib.request.urlopen(self.endpoint + "/_lambda-vpc/health", timeout=1)
                break
            except OSError:
                time.sleep(0.05)
        cfg = Config(retries={"total_max_attempts": 1})
        kw = dict(endpoint_url=self.endpoint, region_name="us-east-1", aws_access_key_id="test",
                  aws_secret_access_key="test", config=cfg)
        self.ec2, self.lam = boto3.client("ec2", **kw), boto3.client("lambda", **kw)

    def environments(self):
        ledger = os.path.join(self.dir, "sandbox", "netns")
        return os.listdir(ledger) if os.path.isdir(ledger) else []

    def attach_timings(self):
        """(namespace ms, attach ms, target) of every environment the fabric attached, from the debug log."""
        out = []
        with open(self.log, errors="replace") as f:
            for line in f:
                m = re.search(r"attachMs=(\d+) namespaceMs=(\d+) .* attached to (\w+)", line)
                if m:
                    out.append((int(m.group(2)), int(m.group(1)), m.group(3)))
        return out

    def stop(self):
        self.proc.terminate()
        self.proc.wait(30)
        shutil.rmtree(self.dir, ignore_errors=True)


def ms(t0):
    return (time.perf_counter() - t0) * 1000


def create(lam, name, vpc):
    args = dict(FunctionName=name, Runtime="python3.12", Handler="index.handler",
                Role="arn:aws:iam::123456789012:role/lambda-role", Code={"ZipFile": package()})
    if vpc:
        args["VpcConfig"] = vpc
    lam.create_function(**args)


def wait_active(lam, name):
    while lam.get_function_configuration(FunctionName=name)["State"] != "Active":
        time.sleep(0.002)


def invoke(lam, name, event=None):
    r = lam.invoke(FunctionName=name, Payload=json.dumps(event or {}).encode())
    body = r["Payload"].read()
    return r, body


def cold_after_drop(s, name, samples):
    """Crash the only environment, wait until its namespace is gone, time the next invoke."""
    out = []
    for _ in range(samples):
        before = len(s.environments())
        invoke(s.lam, name, {"exit": True})
        while len(s.environments()) >= before:
            time.sleep(0.002)
        t0 = time.perf_counter()
        r, body = invoke(s.lam, name)
        out.append(ms(t0))
        assert json.loads(body) == {"ok": True}, body
    return out


def warm(s, name, samples):
    invoke(s.lam, name)
    out = []
    for _ in range(samples):
        t0 = time.perf_counter()
        invoke(s.lam, name)
        out.append(ms(t0))
    return out


def burst(s, name, count):
    """`count` invokes sent at once to a function with no environment: wall time until every one has answered, and
    how many environments the server started for them."""
    import threading
    cfg = Config(retries={"total_max_attempts": 1}, max_pool_connections=count)
    lam = boto3.client("lambda", endpoint_url=s.endpoint, region_name="us-east-1", aws_access_key_id="test",
                       aws_secret_access_key="test", config=cfg)
    before = len(s.environments())
    gate = threading.Barrier(count + 1)
    done, errors = [], []

    def one():
        gate.wait()
        try:
            r = lam.invoke(FunctionName=name, Payload=b"{}")
            body = json.loads(r["Payload"].read())
            (done if body == {"ok": True} else errors).append(body)
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(repr(e))

    threads = [threading.Thread(target=one) for _ in range(count)]
    for t in threads:
        t.start()
    gate.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    wall = ms(t0)
    assert not errors and len(done) == count, errors[:3]
    return wall, len(s.environments()) - before


def row(what, xs):
    xs = sorted(xs)
    p90 = xs[min(len(xs) - 1, int(len(xs) * 0.9))]
    return f"| {what} | {statistics.median(xs):.0f} ms | {p90:.0f} ms | {len(xs)} |"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=".build/release/lambda-vpc")
    ap.add_argument("--samples", type=int, default=20)
    ap.add_argument("--burst", type=int, default=50, help="concurrent cold invokes of one VPC function")
    a = ap.parse_args()
    rows = []

    s = Server(a.binary, [])
    try:
        vpc = s.ec2.create_vpc(CidrBlock="10.90.0.0/16")["Vpc"]["VpcId"]
        sub = s.ec2.create_subnet(VpcId=vpc, CidrBlock="10.90.1.0/24")["Subnet"]["SubnetId"]
        sg = s.ec2.create_security_group(GroupName="bench", Description="bench", VpcId=vpc)["GroupId"]
        vpc_config = {"SubnetIds": [sub], "SecurityGroupIds": [sg]}
        # The first function makes the ENI (and its namespace) that every later one shares.
        create(s.lam, "first", vpc_config)
        wait_active(s.lam, "first")
        invoke(s.lam, "first")

        created, to_active = [], []
        for i in range(a.samples):
            t0 = time.perf_counter()
            create(s.lam, f"f{i}", vpc_config)
            wait_active(s.lam, f"f{i}")
            to_active.append(ms(t0))
            r, body = invoke(s.lam, f"f{i}")
            created.append(ms(t0))
            assert json.loads(body) == {"ok": True}, body
        rows.append(row("VPC function: create -> first response", created))
        rows.append(row("  of which create -> Active", to_active))
        rows.append(row("VPC function: cold invoke after its environment was dropped", cold_after_drop(s, "first", a.samples)))
        rows.append(row("VPC function: warm invoke", warm(s, "first", a.samples)))
        create(s.lam, "burst", vpc_config)
        wait_active(s.lam, "burst")
        wall, started = burst(s, "burst", a.burst)
        rows.append(f"| {a.burst} concurrent cold invokes of one VPC function, all answered ({started} environments) "
                    f"| {wall:.0f} ms | - | 1 |")
        create(s.lam, "plain", None)
        wait_active(s.lam, "plain")
        invoke(s.lam, "plain")
        rows.append(row("no VpcConfig (Lambda network): cold invoke after drop", cold_after_drop(s, "plain", a.samples)))
        timings = s.attach_timings()
        eni = [t for t in timings if t[2] == "interface"]
        rows.append(row("  server side: create the environment namespace", [t[0] for t in timings]))
        rows.append(row("  server side: attach it to its Hyperplane ENI", [t[1] for t in eni]))
        rows.append(row("  server side: attach it to the Lambda network", [t[1] for t in timings if t[2] == "lambdaNetwork"]))
    finally:
        s.stop()

    s = Server(a.binary, ["--no-network"])
    try:
        create(s.lam, "plain", None)
        wait_active(s.lam, "plain")
        invoke(s.lam, "plain")
        rows.append(row("--no-network (namespace with loopback only): cold invoke after drop",
                        cold_after_drop(s, "plain", a.samples)))
    finally:
        s.stop()

    floor = []
    for _ in range(a.samples):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        floor.append(ms(t0))
    rows.append(row("floor: `python3 -c pass` on this machine now", floor))
    print("| what | median | p90 | samples |\n|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
