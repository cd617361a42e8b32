"""Server memory under unsigned large POSTs: RSS before, at its peak and after N parallel unsigned POSTs that each
declare and send a B MB body (as the issue's report did), against a server started with `--enforce-iam` (bodies of
untrusted heads capped at 64 KiB and refused at once) and, for contrast, without it (every body read to its end).

Usage: python3 benchmarks/early_refusal_memory.py [--binary .build/debug/lambda-vpc] [--clients 16] [--mb 60]
       [--modes enforced,open]
"""
import argparse
import concurrent.futures
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.request


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        return next(int(l.split()[1]) for l in f if l.startswith("VmRSS:"))


def unsigned_post(port, size):
    """Head, then the whole body (a client that writes before it reads), then the answer's status line."""
    with socket.create_connection(("127.0.0.1", port), timeout=120) as s:
        s.sendall(b"POST /2015-03-31/functions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                  b"Content-Length: %d\r\n\r\n" % size)
        block = b"x" * (1 << 20)
        try:
            for _ in range(size >> 20):
                s.sendall(block)
        except (BrokenPipeError, ConnectionResetError):
            pass
        data = b""
        try:
            while b"\r\n" not in data:
                chunk = s.recv(4096)
                if not chunk:
                    break
                data += chunk
        except ConnectionResetError:
            pass
        return data.split(b"\r\n", 1)[0].decode() or "(reset)"


def run(binary, enforced, clients, mb):
    data = tempfile.mkdtemp(prefix="lv-bench-")
    port = free_port()
    args = [binary, "serve", "--port", str(port), "--data-dir", data, "--log-level", "error"]
    if enforced:
        args += ["--enforce-iam", "--skip-role-checks"]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 30
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/_lambda-vpc/health", timeout=1).read()
                break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.05)
        time.sleep(0.5)
        before = rss_kib(proc.pid)
        peak = [before]
        stop = threading.Event()

        def sample():
            while not stop.is_set():
                peak[0] = max(peak[0], rss_kib(proc.pid))
                time.sleep(0.005)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        started = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(clients) as pool:
            answers = list(pool.map(lambda _: unsigned_post(port, mb << 20), range(clients)))
        seconds = time.monotonic() - started
        time.sleep(0.5)
        stop.set()
        sampler.join()
        after = rss_kib(proc.pid)
        label = "--enforce-iam" if enforced else "without --enforce-iam"
        print(f"{label:>22}: {clients} x {mb} MB unsigned POSTs in {seconds:.2f} s; RSS before {before / 1024:.0f} MiB, "
              f"peak {peak[0] / 1024:.0f} MiB (+{(peak[0] - before) / 1024:.0f}), after {after / 1024:.0f} MiB; "
              f"answers: {sorted(set(answers))}")
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=15)
        shutil.rmtree(data, ignore_errors=True)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--binary", default=os.path.join(os.path.dirname(__file__), "..", ".build", "debug", "lambda-vpc"))
    p.add_argument("--clients", type=int, default=16)
    p.add_argument("--mb", type=int, default=60)
    p.add_argument("--modes", default="enforced,open")
    a = p.parse_args()
    for mode in a.modes.split(","):
        run(a.binary, mode == "enforced", a.clients, a.mb)


if __name__ == "__main__":
    main()
