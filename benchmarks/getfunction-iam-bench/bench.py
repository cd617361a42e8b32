#!/usr/bin/env python3
"""GetFunction throughput with wrk, without and with `--enforce-iam`, in one run.

With enforcement the requests are signed by an IAM user's own key (the root key skips policy evaluation), so every
request is SigV4-verified and authorized against the user's policies. As real clients do, every request carries its own
signature: wrk cycles through `--requests` distinct GetFunction requests pre-signed by botocore, over `--functions`
function names, each with its own X-Amz-Date seconds (spread around now, inside SigV4's 15-minute window), so no two
requests in a cycle share a canonical request. Both servers get the same mix (the default mode signed with the root key
test/test). 200 of the requests are checked before measuring, and any non-2xx answer during a round fails the run.

Rounds are short and alternate between the two servers, so that each pair of rounds runs under much the same outside
load (on a shared VM the machine's speed drifts by 20-30% over minutes); the median of the pairs is the steady figure.

Usage: benchmarks/getfunction-iam-bench/bench.py [--duration 3] [--rounds 15] [--connections 16] [--threads 2]
       [--policies 10] [--functions 8] [--requests 8000]
Binary: $LAMBDA_VPC_BIN, else .build/release/lambda-vpc, else .build/debug/lambda-vpc."""
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
import urllib.parse
import urllib.request
import zipfile
from datetime import datetime, timedelta, timezone
from unittest import mock

import boto3
import botocore.auth
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials


def readable(name):
    """A zip entry readable by all, as `zip` stores it (Lambda's sandbox user must be able to read the code)."""
    info = zipfile.ZipInfo(name)
    info.external_attr = 0o100644 << 16
    return info

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
REGION, ACCOUNT = "us-east-1", "123456789012"
TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}


def binary():
    if os.environ.get("LAMBDA_VPC_BIN"):
        return os.environ["LAMBDA_VPC_BIN"]
    for kind in ("release", "debug"):
        p = os.path.join(ROOT, ".build", kind, "lambda-vpc")
        if os.path.exists(p):
            return p
    sys.exit("build lambda-vpc first")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(args):
    port, data = free_port(), tempfile.mkdtemp(prefix="lv-bench-")
    proc = subprocess.Popen([binary(), "serve", "--port", str(port), "--data-dir", data, "--log-level", "error"] + args,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(300):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/_lambda-vpc/health", timeout=1)
            return proc, port, data
        except OSError:
            time.sleep(0.05)
    proc.kill()
    sys.exit("server did not start")


def client(port, service, key="test", secret="test"):
    return boto3.client(service, endpoint_url=f"http://127.0.0.1:{port}", region_name=REGION, aws_access_key_id=key,
                        aws_secret_access_key=secret, config=Config(retries={"max_attempts": 1}))


def setup(port, policies, functions):
    """`functions` functions, and a user whose `policies` attached managed policies of 10 statements each allow
    GetFunction in the last."""
    iam, lam = client(port, "iam"), client(port, "lambda")
    role = iam.create_role(RoleName="bench-role", AssumeRolePolicyDocument=json.dumps(TRUST))["Role"]["Arn"]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(readable("index.py"), "def handler(e, c):\n    return e\n")
    for f in range(functions):
        lam.create_function(FunctionName=f"bench-{f}", Runtime="python3.12", Handler="index.handler", Role=role,
                            Code={"ZipFile": buf.getvalue()})
    for f in range(functions):
        lam.get_waiter("function_active_v2").wait(FunctionName=f"bench-{f}")
    iam.create_user(UserName="bench")
    for p in range(policies):
        statements = [{"Sid": f"S{p}x{i}", "Effect": "Allow", "Action": [f"lambda:List{i}*", "ec2:Describe*"],
                       "Resource": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:other-{i}-*",
                       "Condition": {"StringEquals": {"aws:RequestedRegion": REGION}}} for i in range(9)]
        statements.append({"Sid": f"S{p}get", "Effect": "Allow", "Action": "lambda:GetFunction",
                           "Resource": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:bench*",
                           "Condition": {"IpAddress": {"aws:SourceIp": "127.0.0.0/8"}}})
        arn = iam.create_policy(PolicyName=f"bench-{p}",
                                PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": statements}))["Policy"]["Arn"]
        iam.attach_user_policy(UserName="bench", PolicyArn=arn)
    k = iam.create_access_key(UserName="bench")["AccessKey"]
    return k["AccessKeyId"], k["SecretAccessKey"]


def signed_requests(port, key, secret, functions, count):
    """`count` GetFunction requests, each signed by botocore at its own second (spread evenly around now, well inside
    the 15-minute window) for one of the functions: no two alike."""
    per_function = -(-count // functions)
    now = datetime.now(timezone.utc).replace(microsecond=0)
    out = []
    for i in range(count):
        f, k = i % functions, i // functions
        when = now + timedelta(seconds=k - per_function // 2)
        url = f"http://127.0.0.1:{port}/2015-03-31/functions/bench-{f}"
        req = AWSRequest(method="GET", url=url, headers={})
        with mock.patch.object(botocore.auth, "get_current_datetime", lambda *a, **k: when.replace(tzinfo=None)):
            SigV4Auth(Credentials(key, secret), "lambda", REGION).add_auth(req)
        headers = dict(req.prepare().headers.items())
        headers["Host"] = f"127.0.0.1:{port}"
        out.append((url, headers))
    assert len({h["Authorization"] for _, h in out}) == count, "signatures repeat"
    return out


def lua_script(requests, path):
    """A wrk script cycling through the requests (each thread from its own offset), formatted once at start."""
    def q(s):
        return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'
    with open(path, "w") as f:
        f.write("local raw = {\n")
        for url, headers in requests:
            path_part = urllib.parse.urlsplit(url).path
            f.write("  {" + q(path_part) + ", {" + ", ".join(f"[{q(k)}] = {q(v)}" for k, v in headers.items()) + "}},\n")
        f.write("}\n")
        f.write("""local formatted, i = {}, 0
local threads = 0
function setup(thread) thread:set("offset", threads * 7919); threads = threads + 1 end
function init(args)
  for k, r in ipairs(raw) do formatted[k] = wrk.format("GET", r[1], r[2]) end
  i = (offset or 0) % #formatted
end
function request()
  i = i % #formatted + 1
  return formatted[i]
end
""")


def check(url, headers):
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=5) as r:
        assert r.status == 200, r.status


def cpu_seconds(pid):
    """User + system CPU time of a process, all threads, from /proc."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wrk(url, lua, args, pid):
    """Requests per second, average latency, and the server's CPU time per request (microseconds)."""
    before = cpu_seconds(pid)
    out = subprocess.run(["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}s", "-s", lua, url],
                         capture_output=True, text=True).stdout
    cpu = cpu_seconds(pid) - before
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    count = int(re.search(r"(\d+) requests in", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non2xx:
        sys.exit(f"wrk saw {non2xx.group(1)} errors:\n{out}")
    latency = re.search(r"Latency\s+(\S+)", out).group(1)
    return rps, latency, cpu * 1e6 / count


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--duration", type=int, default=3)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--policies", type=int, default=10)
    ap.add_argument("--rounds", type=int, default=15, help="alternating rounds per mode")
    ap.add_argument("--functions", type=int, default=8, help="function names the requests cycle through")
    ap.add_argument("--requests", type=int, default=8000, help="distinct signed requests wrk cycles through")
    args = ap.parse_args()
    # Request times spread over +-(requests / functions / 2) seconds must stay inside the 15-minute window for the run.
    if -(-args.requests // args.functions) > 1000:
        sys.exit("at most 1000 requests per function (their times must fit SigV4's window for the whole run)")
    work = tempfile.mkdtemp(prefix="lv-bench-lua-")
    servers = {}
    try:
        for mode, extra in (("off", []), ("on", ["--enforce-iam"])):
            proc, port, data = start(extra)
            key, secret = setup(port, args.policies, args.functions)
            if mode == "off":
                key, secret = "test", "test"
            servers[mode] = (proc, data, port, key, secret)
        # Signed last, so the spread of request times stays centred on the measured rounds.
        for mode in ("off", "on"):
            proc, data, port, key, secret = servers[mode]
            requests = signed_requests(port, key, secret, args.functions, args.requests)
            for url, headers in requests[::max(1, len(requests) // 200)]:
                check(url, headers)
            lua = os.path.join(work, f"{mode}.lua")
            lua_script(requests, lua)
            servers[mode] = (proc, data, requests[0][0], lua)
        results = {"off": [], "on": []}
        for _ in range(args.rounds):
            for mode in ("off", "on"):
                proc, _, url, lua = servers[mode]
                results[mode].append(wrk(url, lua, args, proc.pid))
        best = {m: max(r, key=lambda x: x[0]) for m, r in results.items()}
        # CPU per request barely moves with other processes' load, unlike throughput: the steadier figure.
        cpu = {m: min(x[2] for x in r) for m, r in results.items()}
        print(f"binary: {binary()}")
        print(f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s, GET GetFunction cycling through "
              f"{args.requests} distinct signed requests over {args.functions} functions, best of {args.rounds}")
        for m in ("off", "on"):
            print(f"  enforce-iam {m:3}: {best[m][0]:10.0f} req/s  (avg latency {best[m][1]}; rounds: "
                  + ", ".join(f"{r:.0f}" for r, _, _ in results[m]) + f"); server CPU {cpu[m]:.1f} us/request (rounds: "
                  + ", ".join(f"{c:.1f}" for _, _, c in results[m]) + ")")
        # Each off round and the on round right after it ran under much the same outside load: the median of the pairs
        # is the figure to read; the best rounds of each mode may come from different minutes.
        pairs = sorted((1 - on[0] / off[0]) * 100 for off, on in zip(results["off"], results["on"]))
        cpu_pairs = sorted((on[2] - off[2]) for off, on in zip(results["off"], results["on"]))
        print(f"  enforcement cost: {statistics.median(pairs):.1f}% of throughput, median of {len(pairs)} adjacent round pairs "
              f"(target <= 15%; user with {args.policies} policies x 10 statements)")
        print(f"    pairs: {', '.join(f'{p:.1f}' for p in pairs)}")
        cost = (1 - best["on"][0] / best["off"][0]) * 100
        print(f"  best round of each mode: {cost:.1f}%")
        print(f"  server CPU added per request: median of pairs +{statistics.median(cpu_pairs):.1f} us "
              f"(best rounds {cpu['off']:.1f} -> {cpu['on']:.1f} us)")
    finally:
        for proc, data, _, _ in servers.values():
            proc.terminate()
            proc.wait(timeout=15)
            shutil.rmtree(data, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
