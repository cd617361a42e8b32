"""Invoke benchmark through the HTTP API with raw keep-alive connections (no boto3 on the hot path):
warm round trip of a no-op python function (p50/p99), warm invokes per second with 8 concurrent client processes,
and cold start (CreateFunction sent → first successful Invoke response) for python3.12 and provided.al2023.

Usage: python3 benchmarks/invoke_http.py [--binary .build/release/lambda-vpc] [--requests 2000] [--duration 10] [--cold 10]
       [--phases warm,throughput,cold]
"""
import argparse
import http.client
import io
import json
import multiprocessing
import os
import re
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


def cpu_seconds(pid):
    """utime + stime of one process, in seconds (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except OSError:
        return 0.0


def children(pid):
    """The live processes whose parent is `pid` (the runtime processes the server started)."""
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                        out.append(int(entry))
            except (OSError, IndexError, ValueError):
                pass
    return out


def throughput(pool, port, name, clients, duration, server_pid):
    """Invokes/s with `clients` processes on their own connections, and the CPU spent per invoke by the server,
    the runtime processes and the clients (microseconds)."""
    before_runtimes = {p: cpu_seconds(p) for p in children(server_pid)}
    before_server = cpu_seconds(server_pid)
    wall = time.perf_counter()
    results = pool.map(client_loop, [(port, name, duration, None)] * clients)
    wall = time.perf_counter() - wall
    server = cpu_seconds(server_pid) - before_server
    runtimes = sum(cpu_seconds(p) - before_runtimes.get(p, 0.0) for p in children(server_pid))
    count = sum(c for c, _ in results)
    client_cpu = sum(t for _, t in results)
    per = lambda seconds: seconds / max(1, count) * 1e6
    return count / duration, per(server), per(runtimes), per(client_cpu), len(children(server_pid))


def client_loop(args):
    port, name, duration, out = args
    conn = http.client.HTTPConnection("127.0.0.1", port)
    path = invoke_path(name)
    headers = signed_headers(port, "POST", path, b"{}")
    request(conn, port, "POST", path, b"{}", headers)
    count = 0
    cpu = time.process_time()
    end = time.perf_counter() + duration
    while time.perf_counter() < end:
        status, _ = request(conn, port, "POST", path, b"{}", headers)
        if status != 200:
            raise RuntimeError(f"invoke answered {status}")
        count += 1
    return count, time.process_time() - cpu


def warm_round_trip(conn, port, name, requests):
    """p50 and p99 in ms of one client's sequential invokes, after a warm-up."""
    path = invoke_path(name)
    headers = signed_headers(port, "POST", path, b"{}")
    while request(conn, port, "POST", path, b"{}", headers)[0] != 200:
        pass
    for _ in range(200):
        request(conn, port, "POST", path, b"{}", headers)
    samples = []
    for _ in range(requests):
        t = time.perf_counter()
        status, _ = request(conn, port, "POST", path, b"{}", headers)
        samples.append((time.perf_counter() - t) * 1000)
        assert status == 200
    samples.sort()
    return samples[len(samples) // 2], samples[int(len(samples) * 0.99) - 1]


def wrk_throughput(port, name, clients, duration, server_pid, workdir):
    """Invokes/s with wrk (C, one keep-alive connection per client) as the load: the Python clients of `throughput`
    spend ~240 us of CPU per invoke on the same two cores, wrk a fraction of that. Every answer must be a 200."""
    path = invoke_path(name)
    headers = signed_headers(port, "POST", path, b"{}")
    script = os.path.join(workdir, f"invoke-{name}.lua")
    with open(script, "w") as f:
        f.write("wrk.method = 'POST'\nwrk.body = '{}'\n")
        for k, v in headers.items():
            if k.lower() not in ("host", "content-length"):
                f.write(f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}\n")
    url = f"http://127.0.0.1:{port}{path}"
    # One untimed second brings up the environments, as in `throughput`.
    subprocess.run(["wrk", "-t2", f"-c{clients}", "-d1s", "-s", script, url], capture_output=True, check=True)
    before_runtimes = {p: cpu_seconds(p) for p in children(server_pid)}
    before_server = cpu_seconds(server_pid)
    out = subprocess.run(["wrk", "-t2", f"-c{clients}", f"-d{duration:.0f}s", "-s", script, url],
                         capture_output=True, text=True, check=True).stdout
    server = cpu_seconds(server_pid) - before_server
    runtimes = sum(cpu_seconds(p) - before_runtimes.get(p, 0.0) for p in children(server_pid))
    assert "Non-2xx" not in out, out
    count = int(re.search(r"(\d+) requests in", out).group(1))
    per = lambda seconds: seconds / count * 1e6
    return count / duration, per(server), per(runtimes), len(children(server_pid))


def compile_noop_bootstrap(workdir):
    """benchmarks/noop_bootstrap.c built with cc, or None when there is no C compiler."""
    cc = shutil.which("cc") or shutil.which("gcc")
    if not cc:
        return None
    out = os.path.join(workdir, "noop_bootstrap")
    src = os.path.join(os.path.dirname(os.path.abspath(__file__)), "noop_bootstrap.c")
    subprocess.run([cc, "-O2", "-o", out, src], check=True)
    with open(out, "rb") as f:
        return f.read()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=os.path.join(os.path.dirname(__file__), "..", ".build", "release", "lambda-vpc"))
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--duration", type=float, default=10)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--cold", type=int, default=10)
    ap.add_argument("--phases", default="warm,throughput,wrk,cold", help="comma-separated subset of warm,throughput,wrk,cold")
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
        c_bin = compile_noop_bootstrap(data)
        c_zip = package({"bootstrap": (c_bin, 0o755)}) if c_bin else None
        phases = set(a.phases.split(","))

        name = "bench-noop"
        conn = create(port, name, "python3.12", "index.handler", py_zip)
        if c_zip:
            create(port, "bench-c", "provided.al2023", "none", c_zip)

        if "warm" in phases:
            p50, p99 = warm_round_trip(conn, port, name, a.requests)
            # Health endpoint round trip: the HTTP floor of this client on this machine.
            floor = []
            for _ in range(1000):
                t = time.perf_counter()
                conn.request("GET", "/_lambda-vpc/health")
                conn.getresponse().read()
                floor.append((time.perf_counter() - t) * 1000)
            floor.sort()
            print(f"warm invoke round trip (python no-op, 1 client, {a.requests} requests): "
                  f"p50 {p50:.3f} ms  p99 {p99:.3f} ms  (HTTP floor, health endpoint: p50 {floor[len(floor) // 2]:.3f} ms)")
            if c_zip:
                p50, p99 = warm_round_trip(conn, port, "bench-c", a.requests)
                print(f"warm invoke round trip (C no-op bootstrap, 1 client): p50 {p50:.3f} ms  p99 {p99:.3f} ms")

        if "throughput" in phases:
            # N client processes, each on its own keep-alive connection; one untimed round brings up the environments.
            with multiprocessing.Pool(a.clients) as pool:
                targets = [("python3.12 no-op", name)] + ([("C no-op bootstrap", "bench-c")] if c_zip else [])
                for label, fn in targets:
                    throughput(pool, port, fn, a.clients, 1, proc.pid)
                    rate, server, runtimes, clients, envs = throughput(pool, port, fn, a.clients, a.duration, proc.pid)
                    print(f"warm invokes/s, {a.clients} clients, {label} ({a.duration:.0f} s, {envs} environments): "
                          f"{rate:,.0f}   CPU per invoke: server {server:.0f} us, runtimes {runtimes:.0f} us, "
                          f"clients {clients:.0f} us")

        if "wrk" in phases and shutil.which("wrk"):
            targets = [("python3.12 no-op", name)] + ([("C no-op bootstrap", "bench-c")] if c_zip else [])
            for label, fn in targets:
                rate, server, runtimes, envs = wrk_throughput(port, fn, a.clients, a.duration, proc.pid, data)
                print(f"warm invokes/s, {a.clients} wrk connections, {label} ({a.duration:.0f} s, {envs} environments): "
                      f"{rate:,.0f}   CPU per invoke: server {server:.0f} us, runtimes {runtimes:.0f} us")

        if "cold" in phases:
            cold_py = sorted(cold_start(port, "python3.12", "index.handler", py_zip) for _ in range(a.cold))
            cold_sh = sorted(cold_start(port, "provided.al2023", "function.handler", sh_zip) for _ in range(a.cold))
            print(f"cold start python3.12 (create → first response, {a.cold} runs): median {statistics.median(cold_py):.1f} ms  "
                  f"min {cold_py[0]:.1f}  max {cold_py[-1]:.1f}")
            print(f"cold start provided.al2023 shell bootstrap ({a.cold} runs): median {statistics.median(cold_sh):.1f} ms  "
                  f"min {cold_sh[0]:.1f}  max {cold_sh[-1]:.1f}")
            if c_zip:
                cold_c = sorted(cold_start(port, "provided.al2023", "none", c_zip) for _ in range(a.cold))
                print(f"cold start provided.al2023 C bootstrap ({a.cold} runs): median {statistics.median(cold_c):.1f} ms  "
                      f"min {cold_c[0]:.1f}  max {cold_c[-1]:.1f}")
        print(f"uptime: {open('/proc/loadavg').read().split()[:3]}")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
