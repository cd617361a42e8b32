"""Invoke benchmark through the HTTP API with raw keep-alive connections (no boto3 on the hot path):
warm round trip of a no-op python function (p50/p99), warm invokes per second with 8 concurrent client processes,
and cold start (CreateFunction sent → first successful Invoke response) for python3.12 and provided.al2023.

Usage: python3 benchmarks/invoke_http.py [--binary .build/release/lambda-vpc] [--requests 2000] [--duration 10] [--cold 10]
"""
import argparse
import http.client
import io
import json
import multiprocessing
import os
import shutil
import socket
import statistics
import subprocess
import tempfile
import time
import urllib.request
import zipfile

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

ROLE = "arn:aws:iam::123456789012:role/lambda-role"
NOOP_PY = "def handler(event, context):\n    return None\n"
NOOP_SHELL = """#!/bin/sh
API="http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
H="$(mktemp)"
while true; do
  curl -sS -D "$H" -o /dev/null "$API/invocation/next"
  ID="$(grep -i '^Lambda-Runtime-Aws-Request-Id:' "$H" | tr -d '\\r' | cut -d' ' -f2)"
  curl -sS -X POST "$API/invocation/$ID/response" -d 'null' >/dev/null
done
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def package(files):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, (text, mode) in files.items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (mode | 0o100000) << 16
            z.writestr(info, text)
    return buf.getvalue()


def signed_headers(port, method, path, body):
    """SigV4 headers computed once: the server checks signatures only under --enforce-iam, so they can be reused."""
    req = AWSRequest(method=method, url=f"http://127.0.0.1:{port}{path}", data=body, headers={})
    SigV4Auth(Credentials("test", "test"), "lambda", "us-east-1").add_auth(req)
    return dict(req.prepare().headers)


def request(conn, port, method, path, body=b"", headers=None):
    h = headers or signed_headers(port, method, path, body)
    conn.request(method, path, body=body, headers=h)
    r = conn.getresponse()
    return r.status, r.read()


def create(port, name, runtime, handler, zip_bytes):
    import base64
    body = json.dumps({"FunctionName": name, "Runtime": runtime, "Handler": handler, "Role": ROLE,
                       "Code": {"ZipFile": base64.b64encode(zip_bytes).decode()}}).encode()
    conn = http.client.HTTPConnection("127.0.0.1", port)
    status, out = request(conn, port, "POST", "/2015-03-31/functions", body)
    assert status == 201, out
    return conn


def invoke_path(name):
    return f"/2015-03-31/functions/{name}/invocations"


def cold_start(port, runtime, handler, zip_bytes):
    """Milliseconds from sending CreateFunction to the first 200 from Invoke (retrying while Pending)."""
    name = f"cold-{runtime.replace('.', '-')}-{os.urandom(4).hex()}"
    start = time.perf_counter()
    conn = create(port, name, runtime, handler, zip_bytes)
    path = invoke_path(name)
    headers = signed_headers(port, "POST", path, b"{}")
    while True:
        status, body = request(conn, port, "POST", path, b"{}", headers)
        if status == 200:
            return (time.perf_counter() - start) * 1000
        if status != 409:
            raise RuntimeError(f"invoke answered {status}: {body[:200]}")


def client_loop(args):
    port, name, duration, out = args
    conn = http.client.HTTPConnection("127.0.0.1", port)
    path = invoke_path(name)
    headers = signed_headers(port, "POST", path, b"{}")
    request(conn, port, "POST", path, b"{}", headers)
    count = 0
    end = time.perf_counter() + duration
    while time.perf_counter() < end:
        status, _ = request(conn, port, "POST", path, b"{}", headers)
        if status != 200:
            raise RuntimeError(f"invoke answered {status}")
        count += 1
    return count


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=os.path.join(os.path.dirname(__file__), "..", ".build", "release", "lambda-vpc"))
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--duration", type=float, default=10)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--cold", type=int, default=10)
    a = ap.parse_args()

    data = tempfile.mkdtemp(prefix="lv-invoke-bench-")
    port = free_port()
    log = open(os.path.join(data, "server.log"), "wb")
    proc = subprocess.Popen([a.binary, "serve", "--port", str(port), "--data-dir", data, "--log-level", "warning",
                             "--skip-role-checks"],
                            stdout=log, stderr=log)
    try:
        deadline = time.time() + 30
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/_lambda-vpc/health", timeout=1)
                break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.05)

        py_zip = package({"index.py": (NOOP_PY, 0o644)})
        sh_zip = package({"bootstrap": (NOOP_SHELL, 0o755)})

        # Warm round trip, one client.
        name = "bench-noop"
        conn = create(port, name, "python3.12", "index.handler", py_zip)
        path = invoke_path(name)
        headers = signed_headers(port, "POST", path, b"{}")
        while request(conn, port, "POST", path, b"{}", headers)[0] != 200:
            pass
        for _ in range(200):
            request(conn, port, "POST", path, b"{}", headers)
        samples = []
        for _ in range(a.requests):
            t = time.perf_counter()
            status, _ = request(conn, port, "POST", path, b"{}", headers)
            samples.append((time.perf_counter() - t) * 1000)
            assert status == 200
        samples.sort()
        p50 = samples[len(samples) // 2]
        p99 = samples[int(len(samples) * 0.99) - 1]

        # Health endpoint round trip: the HTTP floor of this client on this machine.
        floor = []
        for _ in range(1000):
            t = time.perf_counter()
            conn.request("GET", "/_lambda-vpc/health")
            conn.getresponse().read()
            floor.append((time.perf_counter() - t) * 1000)
        floor.sort()

        # Throughput with N client processes, each on its own keep-alive connection.
        with multiprocessing.Pool(a.clients) as pool:
            counts = pool.map(client_loop, [(port, name, a.duration, None)] * a.clients)
        rate = sum(counts) / a.duration

        cold_py = sorted(cold_start(port, "python3.12", "index.handler", py_zip) for _ in range(a.cold))
        cold_sh = sorted(cold_start(port, "provided.al2023", "function.handler", sh_zip) for _ in range(a.cold))

        print(f"warm invoke round trip (python no-op, 1 client, {a.requests} requests): "
              f"p50 {p50:.3f} ms  p99 {p99:.3f} ms  (HTTP floor, health endpoint: p50 {floor[len(floor) // 2]:.3f} ms)")
        print(f"warm invokes/s with {a.clients} concurrent clients ({a.duration:.0f} s): {rate:,.0f}")
        print(f"cold start python3.12 (create → first response, {a.cold} runs): median {statistics.median(cold_py):.1f} ms  "
              f"min {cold_py[0]:.1f}  max {cold_py[-1]:.1f}")
        print(f"cold start provided.al2023 shell bootstrap ({a.cold} runs): median {statistics.median(cold_sh):.1f} ms  "
              f"min {cold_sh[0]:.1f}  max {cold_sh[-1]:.1f}")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
