"""S3 benchmark, lambda-vpc side by side with moto_server in one run (same client, same requests):
1 KB PutObject and GetObject requests per second (wrk, keep-alive), and one 1 GiB object PUT and GET with curl,
reporting MB/s and each server's resident-memory growth while it moves the object (sampled every 20 ms from
/proc/PID/status).

Usage: python3 benchmarks/s3_bench.py [--binary .build/release/lambda-vpc] [--duration 10] [--connections 16]
                                      [--big-mib 1024] [--skip-moto-big]
"""
import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

import boto3
from botocore.config import Config

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url, timeout=60):
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


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class RSSSampler:
    """The largest RSS of a process (and its children, for moto's reloader-less server it is one process) while
    running."""

    def __init__(self, pid):
        self.pid, self.peak, self.stop_flag = pid, 0, False
        self.base = rss_kib(pid)
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        while not self.stop_flag:
            try:
                self.peak = max(self.peak, rss_kib(self.pid))
            except OSError:
                return
            time.sleep(0.02)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop_flag = True
        self.thread.join()

    @property
    def growth_mib(self):
        return max(0, self.peak - self.base) / 1024


def s3_client(endpoint):
    return boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test",
                        aws_secret_access_key="test", config=Config(retries={"total_max_attempts": 1}))


def wrk(endpoint, method, duration, connections, threads=2):
    out = subprocess.run(["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency",
                          "-s", os.path.join(HERE, "s3_put_get.lua"), endpoint, "--", method, "bench", "1024", "1000"],
                         capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    p50 = re.search(r"^\s+50%\s+(\S+)", out, re.M)
    return rps, int(bad.group(1)) if bad else 0, errors.group(1) if errors else "", p50.group(1) if p50 else "?"


def auth_headers():
    amzdate = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    scope = f"{amzdate[:8]}/us-east-1/s3/aws4_request"
    return ["-H", f"X-Amz-Date: {amzdate}", "-H", "X-Amz-Content-Sha256: UNSIGNED-PAYLOAD", "-H", "Expect:",
            "-H", f"Authorization: AWS4-HMAC-SHA256 Credential=AKIDBENCHMARK0000000/{scope}, "
                  f"SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature={'0' * 64}"]


def curl(args):
    out = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code} %{time_total}", *auth_headers(), *args],
                         capture_output=True, text=True, check=True).stdout.split()
    return int(out[0]), float(out[1])


def big_object(endpoint, pid, path, size):
    with RSSSampler(pid) as put_rss:
        status, put_s = curl(["-T", path, endpoint + "/bench/big"])
    assert status == 200, f"PUT answered {status}"
    with RSSSampler(pid) as get_rss:
        status, get_s = curl([endpoint + "/bench/big"])
    assert status == 200, f"GET answered {status}"
    mb = size / 1e6
    return {"put_mb_s": mb / put_s, "get_mb_s": mb / get_s, "put_rss_mib": put_rss.growth_mib, "get_rss_mib": get_rss.growth_mib}


def main():
    ap = argparse.ArgumentParser()
    default_bin = os.path.join(ROOT, ".build", "release", "lambda-vpc")
    if not os.path.exists(default_bin):
        default_bin = os.path.join(ROOT, ".build", "debug", "lambda-vpc")
    ap.add_argument("--binary", default=default_bin)
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--rounds", type=int, default=3,
                    help="PUT/GET rounds, the servers taking turns; each figure is the median of its rounds")
    ap.add_argument("--big-mib", type=int, default=1024)
    ap.add_argument("--skip-moto-big", action="store_true", help="moto holds a PUT body in memory; skip its 1 GiB run")
    args = ap.parse_args()

    data = tempfile.mkdtemp(prefix="lv-s3-bench-")
    servers = {}
    try:
        port = free_port()
        lv = subprocess.Popen([args.binary, "serve", "--port", str(port), "--data-dir", os.path.join(data, "lv"), "--no-network"],
                              stdout=subprocess.DEVNULL, stderr=open(os.path.join(data, "lv.log"), "w"))
        servers["lambda-vpc"] = (f"http://127.0.0.1:{port}", lv)
        mport = free_port()
        moto = subprocess.Popen([shutil.which("moto_server") or "moto_server", "-H", "127.0.0.1", "-p", str(mport)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        servers["moto"] = (f"http://127.0.0.1:{mport}", moto)
        wait_http(f"http://127.0.0.1:{port}/_lambda-vpc/health")
        wait_http(f"http://127.0.0.1:{mport}/")
        for name, (endpoint, _) in servers.items():
            s3_client(endpoint).create_bucket(Bucket="bench")
            s3_client(endpoint).put_object(Bucket="bench", Key="obj-0", Body=b"x" * 1024)

        print(f"binary: {args.binary}")
        print(f"wrk: 2 threads, {args.connections} connections, {args.duration} s each; 1 KiB objects, PUT over 1000 keys")
        # The servers take turns, round after round, so a slow moment of this shared machine falls on both; each
        # figure is the median of its rounds.
        rounds = {name: [] for name in servers}
        for r in range(args.rounds):
            for name, (endpoint, _) in servers.items():
                put = wrk(endpoint, "PUT", args.duration, args.connections)
                get = wrk(endpoint, "GET", args.duration, args.connections)
                rounds[name].append((put, get))
                print(f"round {r + 1} {name:>11}: PUT {put[0]:9.0f} req/s (p50 {put[3]}, non-2xx {put[1]}"
                      f"{', ' + put[2] if put[2] else ''})   GET {get[0]:9.0f} req/s (p50 {get[3]}, non-2xx {get[1]}"
                      f"{', ' + get[2] if get[2] else ''})")
            lvp, lvg = rounds["lambda-vpc"][-1]
            mp, mg = rounds["moto"][-1]
            print(f"round {r + 1} ratio lambda-vpc/moto: PUT {lvp[0] / mp[0]:.1f}x  GET {lvg[0] / mg[0]:.1f}x")
        med = {name: (statistics.median(p[0] for p, _ in rs), statistics.median(g[0] for _, g in rs)) for name, rs in rounds.items()}
        for name, (p, g) in med.items():
            print(f"median {name:>11}: PUT {p:9.0f} req/s   GET {g:9.0f} req/s")
        print(f"ratio of medians lambda-vpc/moto: PUT {med['lambda-vpc'][0] / med['moto'][0]:.1f}x  "
              f"GET {med['lambda-vpc'][1] / med['moto'][1]:.1f}x")
        # Each round's two servers ran a minute apart at most: the median of the rounds' own ratios.
        pairs = list(zip(rounds["lambda-vpc"], rounds["moto"]))
        print(f"median of the rounds' ratios: PUT {statistics.median(a[0][0] / b[0][0] for a, b in pairs):.1f}x  "
              f"GET {statistics.median(a[1][0] / b[1][0] for a, b in pairs):.1f}x")

        size = args.big_mib * 1024 * 1024
        big = os.path.join(data, "big.bin")
        with open(big, "wb") as f:
            block = os.urandom(1024 * 1024)
            for _ in range(args.big_mib):
                f.write(block)
        for name, (endpoint, proc) in servers.items():
            if name == "moto" and args.skip_moto_big:
                continue
            r = big_object(endpoint, proc.pid, big, size)
            print(f"{name:>11}: {args.big_mib} MiB PUT {r['put_mb_s']:7.0f} MB/s (RSS +{r['put_rss_mib']:.0f} MiB)"
                  f"   GET {r['get_mb_s']:7.0f} MB/s (RSS +{r['get_rss_mib']:.0f} MiB)")
    finally:
        for _, proc in servers.values():
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
