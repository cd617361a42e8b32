"""DNS answer latency of the VPC resolver, as a client in a VPC sees it: a server is started, a VPC with one subnet
and one ENI is created, and a client inside the ENI's namespace (where an instance runs) asks the VPC's resolver at
base + 2 one query at a time, over UDP and over one TCP connection, timing each round trip (client included).
Three kinds of question: an AWS service name, the ENI's own private name, and a name that does not exist.

Needs root (network namespaces). Usage:
  python3 benchmarks/dns_bench.py [--binary .build/release/lambda-vpc] [--queries 20000]
"""
import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import boto3
from botocore.config import Config

CLIENT = r'''
import socket, struct, sys, time
server, count, tcp = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "tcp"
names = sys.argv[4:]
def query(qid, name):
    labels = b"".join(bytes([len(l)]) + l.encode() for l in name.split("."))
    return struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0) + labels + b"\0\0\1\0\1"
for name in names:
    if tcp:
        s = socket.create_connection((server, 53))
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    else:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.connect((server, 53))
    s.settimeout(2)
    samples = []
    rcode = None
    for i in range(count):
        q = query(i & 0xFFFF, name)
        t = time.perf_counter_ns()
        if tcp:
            s.sendall(struct.pack(">H", len(q)) + q)
            buf = b""
            while len(buf) < 2 or len(buf) < 2 + struct.unpack(">H", buf[:2])[0]:
                buf += s.recv(4096)
            m = buf[2:]
        else:
            s.send(q)
            m = s.recv(4096)
        samples.append(time.perf_counter_ns() - t)
        assert m[:2] == q[:2]
        rcode = m[3] & 0xF
    s.close()
    samples.sort()
    pick = lambda p: samples[min(len(samples) - 1, int(p * len(samples)))] / 1000
    print("%-5s %-45s rcode %d  p50 %7.1f us  p90 %7.1f us  p99 %7.1f us  %7.0f queries/s" % (
        "tcp" if tcp else "udp", name, rcode, pick(0.5), pick(0.9), pick(0.99), len(samples) / (sum(samples) / 1e9)))
'''


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fnv_short(text):
    """FabricNames.shortHash (namespace names)."""
    h = 0xcbf29ce484222325
    for b in text.encode():
        h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return f"{(h ^ (h >> 32)) & 0xFFFFFFFF:08x}"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--binary", default=os.path.join(os.path.dirname(__file__), "..", ".build", "release", "lambda-vpc"))
    p.add_argument("--queries", type=int, default=20000)
    a = p.parse_args()
    if os.geteuid() != 0:
        sys.exit("dns_bench needs root: the client runs in a network namespace")
    data = tempfile.mkdtemp(prefix="lv-dns-bench-")
    port = free_port()
    log = open(os.path.join(data, "server.log"), "w")
    proc = subprocess.Popen([a.binary, "serve", "--port", str(port), "--data-dir", data], stdout=log, stderr=log)
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
        tag = None
        while tag is None and time.time() < deadline:
            m = re.search(r"network fabric on: namespaces lv-([0-9a-f]+)-\*", open(log.name).read())
            tag = m and m.group(1)
            time.sleep(0.05)
        assert tag, "the network fabric did not start (root, CAP_NET_ADMIN, without --no-network)"
        ec2 = boto3.client("ec2", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                           aws_access_key_id="test", aws_secret_access_key="test", config=Config(retries={"max_attempts": 1}))
        vpc = ec2.create_vpc(CidrBlock="10.91.0.0/16")["Vpc"]["VpcId"]
        ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.91.1.0/24")["Subnet"]["SubnetId"]
        eni = ec2.create_network_interface(SubnetId=subnet)["NetworkInterface"]
        ns = f"lv-{tag}-eni-{fnv_short(eni['NetworkInterfaceId'])}"
        private = "ip-" + eni["PrivateIpAddress"].replace(".", "-") + ".ec2.internal"
        names = ["sts.us-east-1.amazonaws.com", private, "nope.example"]
        # Wait for the namespace and the resolver.
        while time.time() < deadline:
            probe = subprocess.run(["ip", "netns", "exec", ns, sys.executable, "-c", CLIENT, "10.91.0.2", "1", "udp", names[0]],
                                   capture_output=True, text=True)
            if probe.returncode == 0:
                break
            time.sleep(0.1)
        print(f"binary {a.binary}; client: python3 in {ns}, resolver 10.91.0.2; {a.queries} sequential queries each")
        for transport in ("udp", "tcp"):
            r = subprocess.run(["ip", "netns", "exec", ns, sys.executable, "-c", CLIENT, "10.91.0.2", str(a.queries),
                                transport, *names], capture_output=True, text=True)
            sys.stdout.write(r.stdout)
            if r.returncode != 0:
                sys.exit(r.stderr)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
