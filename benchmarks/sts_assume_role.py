"""AssumeRole server time: many AssumeRole calls over one keep-alive connection, against the health endpoint on the
same connection as the HTTP floor, in the same run (and GetCallerIdentity, a signed STS request that writes nothing). Server time ≈ AssumeRole's latency minus the floor's (each
AssumeRole writes its session to the store: one SQLite commit). Two modes: the default (the root assumes a role that
trusts the account) and `--enforce-iam` (an IAM user whose identity policy allows sts:AssumeRole; the signature is
verified, the trust and identity policies are evaluated). The request is signed once and replayed (its time stays
within SigV4's five minutes), so the client does no signing in the timed loop.

Usage: python3 benchmarks/sts_assume_role.py [--binary .build/release/lambda-vpc] [--requests 2000] [--modes open,enforced]
"""
import argparse
import http.client
import json
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
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

ACCOUNT = "123456789012"
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"}]})


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def signed(port, key, secret, body):
    req = AWSRequest(method="POST", url=f"http://127.0.0.1:{port}/", data=body,
                     headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    SigV4Auth(Credentials(key, secret), "sts", "us-east-1").add_auth(req)
    return dict(req.prepare().headers)


def timed(conn, method, path, body=None, headers=None, n=1000):
    out = []
    for _ in range(n):
        t = time.perf_counter()
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        data = r.read()
        out.append(time.perf_counter() - t)
        if r.status != 200:
            raise SystemExit(f"{method} {path}: {r.status} {data[:300]!r}")
    return out


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p))] * 1e6


def run(binary, enforced, n):
    data = tempfile.mkdtemp(prefix="lv-bench-sts-")
    port = free_port()
    args = [binary, "serve", "--port", str(port), "--data-dir", data, "--log-level", "error", "--no-network"]
    if enforced:
        args.append("--enforce-iam")
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/_lambda-vpc/health", timeout=1)
                break
            except OSError:
                time.sleep(0.05)
        iam = boto3.client("iam", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                           aws_access_key_id="test", aws_secret_access_key="test")
        arn = iam.create_role(RoleName="bench", AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
        key, secret = "test", "test"
        if enforced:
            iam.create_user(UserName="bench")
            iam.put_user_policy(UserName="bench", PolicyName="assume", PolicyDocument=json.dumps({
                "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": arn}]}))
            k = iam.create_access_key(UserName="bench")["AccessKey"]
            key, secret = k["AccessKeyId"], k["SecretAccessKey"]
        body = f"Action=AssumeRole&Version=2011-06-15&RoleArn={arn}&RoleSessionName=bench&DurationSeconds=900"
        headers = signed(port, key, secret, body)
        ident_body = "Action=GetCallerIdentity&Version=2011-06-15"
        ident_headers = signed(port, key, secret, ident_body)
        conn = http.client.HTTPConnection("127.0.0.1", port)
        timed(conn, "GET", "/_lambda-vpc/health", n=200)
        timed(conn, "POST", "/", body, headers, n=200)
        # Interleaved blocks, so all three see the same machine load.
        floor, assume, ident = [], [], []
        for _ in range(10):
            floor += timed(conn, "GET", "/_lambda-vpc/health", n=n // 10)
            assume += timed(conn, "POST", "/", body, headers, n=n // 10)
            ident += timed(conn, "POST", "/", ident_body, ident_headers, n=n // 10)
        return floor, assume, ident
    finally:
        os.kill(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
        shutil.rmtree(data, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=".build/release/lambda-vpc")
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--modes", default="open,enforced")
    a = ap.parse_args()
    for mode in a.modes.split(","):
        floor, assume, ident = run(a.binary, mode == "enforced", a.requests)
        f50, a50, i50 = (statistics.median(x) * 1e6 for x in (floor, assume, ident))
        print(f"{mode:9s} health p50 {f50:5.0f} µs | GetCallerIdentity p50 {i50:5.0f} µs | AssumeRole p50 {a50:5.0f} µs "
              f"p99 {pct(assume, .99):6.0f} µs | AssumeRole server time p50 ≈ {a50 - f50:4.0f} µs")


if __name__ == "__main__":
    main()
