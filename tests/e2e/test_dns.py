"""The Amazon-provided resolver (issue 13, part 1): functions and instances resolve AWS service names to the service
edge, instances' private names inside their own VPC only, internet hosts by the name given to `internet run`, and
nothing else (NXDOMAIN at once). Checked with the resolver a function really uses (`/etc/resolv.conf` and glibc's
getaddrinfo), with raw queries over UDP and TCP, and with `dig` from inside the namespaces."""
import json
import shutil
import subprocess
import time

import pytest

from conftest import BINARY, Server
from invoke_support import deploy, invoke, zip_of
from network_support import fabric_tag, namespaces, require_net_admin, run_instance, wait_console, wait_for, wait_running

# The edge addresses a user sees (ServiceEdge: 198.18.<region slot>.<service index + 1>; us-east-1 is slot 14,
# eu-west-1 slot 5, the global slot 0; sts is service 3, s3 7, dynamodb 8).
STS_US_EAST_1 = "198.18.14.3"
S3_GLOBAL = "198.18.0.7"
S3_US_EAST_1 = "198.18.14.7"
DYNAMODB_EU_WEST_1 = "198.18.5.8"

# Resolves names with getaddrinfo (what every SDK does) and sends raw queries over UDP or TCP; times each.
PROBE = r'''
import random, socket, struct, time

def encode(name, qtype):
    qid = random.randrange(65536)
    labels = b"".join(bytes([len(l)]) + l.encode() for l in name.rstrip(".").split("."))
    return qid, struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0) + labels + b"\0" + struct.pack(">HH", qtype, 1)

def read_name(m, i):
    labels, jumped, end = [], False, None
    while True:
        n = m[i]
        if n & 0xC0 == 0xC0:
            if end is None:
                end = i + 2
            i = (n & 0x3F) << 8 | m[i + 1]
            continue
        if n == 0:
            return ".".join(labels), (end if end is not None else i + 1)
        labels.append(m[i + 1:i + 1 + n].decode())
        i += 1 + n

def parse(m, qid):
    rid, flags, qd, an, ns, ar = struct.unpack(">HHHHHH", m[:12])
    assert rid == qid, (rid, qid)
    i = 12
    for _ in range(qd):
        _, i = read_name(m, i)
        i += 4
    answers = []
    for _ in range(an):
        owner, i = read_name(m, i)
        rtype, rclass, ttl, length = struct.unpack(">HHIH", m[i:i + 10])
        i += 10
        data = m[i:i + length]
        if rtype == 1:
            answers.append(socket.inet_ntoa(data))
        elif rtype in (5, 12):
            answers.append(("CNAME " if rtype == 5 else "PTR ") + read_name(m, i)[0])
        i += length
    return {"rcode": flags & 0xF, "tc": bool(flags & 0x200), "answers": answers, "authority": ns}

def query(server, name, qtype=1, tcp=False, timeout=1.0):
    qid, q = encode(name, qtype)
    if tcp:
        s = socket.create_connection((server, 53), timeout=timeout)
        try:
            s.sendall(struct.pack(">H", len(q)) + q)
            buf = b""
            while len(buf) < 2 or len(buf) < 2 + struct.unpack(">H", buf[:2])[0]:
                chunk = s.recv(4096)
                if not chunk:
                    raise OSError("connection closed")
                buf += chunk
            return parse(buf[2:], qid)
        finally:
            s.close()
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(timeout)
    try:
        s.sendto(q, (server, 53))
        return parse(s.recvfrom(4096)[0], qid)
    finally:
        s.close()

def handler(event, context):
    out = {"resolv": open("/etc/resolv.conf").read(), "lookups": {}, "queries": []}
    for name in event.get("names", []):
        t = time.monotonic()
        try:
            r = {"addresses": sorted({ai[4][0] for ai in socket.getaddrinfo(name, 443)})}
        except socket.gaierror as e:
            r = {"error": e.args[0], "message": str(e)}
        r["seconds"] = time.monotonic() - t
        out["lookups"][name] = r
    for q in event.get("queries", []):
        t = time.monotonic()
        try:
            r = query(**q)
        except (OSError, AssertionError) as e:
            r = {"error": str(e) or type(e).__name__}
        r["seconds"] = time.monotonic() - t
        out["queries"].append(r)
    return out
'''

EAI_NONAME = -2  # socket.EAI_NONAME: the name does not exist (NXDOMAIN)
EAI_AGAIN = -3  # socket.EAI_AGAIN: no answer


class Net:
    """One server: VPC A (hostnames on, an instance, a function whose group allows no egress at all), VPC B
    (hostnames on, a function), VPC C (a function, for turning DNS support off), and a function without VpcConfig."""


def vpc_with_function(n, cidr, subnet_cidr, hostnames, name, revoke_egress=False):
    ec2 = n.ec2
    vpc = ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
    if hostnames:
        ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock=subnet_cidr)["Subnet"]["SubnetId"]
    sg = ec2.create_security_group(GroupName=name, Description=name, VpcId=vpc)["GroupId"]
    if revoke_egress:
        ec2.revoke_security_group_egress(GroupId=sg, IpPermissions=[{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    fn = deploy(n.lam, Code={"ZipFile": zip_of({"index.py": (PROBE, False)})}, Timeout=30,
                VpcConfig={"SubnetIds": [subnet], "SecurityGroupIds": [sg]})
    return vpc, subnet, sg, fn


@pytest.fixture(scope="module")
def net():
    require_net_admin()
    s = Server(extra_args=["--eni-create-delay", "0ms"]).start()
    n = Net()
    n.server, n.tag = s, fabric_tag(s)
    n.ec2, n.lam = s.client("ec2"), s.client("lambda")
    # VPC A's subnet holds the resolver's 10.81.0.2 (reached on the link); VPC B's does not (reached by the gateway).
    n.vpc_a, n.sub_a, n.sg_a, n.fn_a = vpc_with_function(n, "10.81.0.0/16", "10.81.0.0/24", True, "a", revoke_egress=True)
    n.vpc_b, _, _, n.fn_b = vpc_with_function(n, "10.82.0.0/16", "10.82.1.0/24", True, "b")
    n.vpc_c, _, _, n.fn_c = vpc_with_function(n, "10.83.0.0/16", "10.83.1.0/24", False, "c")
    # Code of its own, so deleting it retires its environments (see the last test).
    n.plain = deploy(n.lam, Code={"ZipFile": zip_of({"index.py": (PROBE + "# without VpcConfig\n", False)})}, Timeout=30)
    # The instance resolves with its own resolv.conf: a service name, then its own name, short (the search domain)
    # and in full.
    n.instance, n.instance_ip = run_instance(n.ec2, n.sub_a, [n.sg_a], """#!/bin/sh
cat /etc/resolv.conf
echo "sts=$(getent ahostsv4 sts.us-east-1.amazonaws.com | head -1)"
echo "short=$(getent ahostsv4 $(hostname) | head -1)"
echo "full=$(getent ahostsv4 $(hostname).ec2.internal | head -1)"
echo "nope=$(getent ahostsv4 nope.example || echo none)"
echo done
exec sleep 1000
""")
    wait_running(n.ec2, n.instance)
    n.instance_name = "ip-" + n.instance_ip.replace(".", "-") + ".ec2.internal"
    yield n
    s.cleanup()
    assert namespaces(n.tag) == [], "the server's stop leaves no namespace (and no resolver socket holding one)"


def probe(n, function, **event):
    r, body = invoke(n.lam, function, event)
    assert r["StatusCode"] == 200 and "FunctionError" not in r, body
    return json.loads(body)


def lookup(n, function, *names):
    return probe(n, function, names=list(names))["lookups"]


def queries(n, function, *qs):
    return probe(n, function, queries=list(qs))["queries"]


def test_functions_resolve_service_names_to_the_edge_and_unknown_names_fail_at_once(net):
    for fn in (net.plain, net.fn_a, net.fn_b):
        r = probe(net, fn, names=["sts.us-east-1.amazonaws.com", "s3.amazonaws.com", "dynamodb.eu-west-1.amazonaws.com",
                                  "my-bucket.s3.us-east-1.amazonaws.com", "STS.US-EAST-1.AMAZONAWS.COM", "nope.example",
                                  "sts.nowhere-9.amazonaws.com"])
        # Every function reads the link-local resolver from its /etc/resolv.conf (fn_a's group allows no egress:
        # security groups do not filter the Amazon DNS server).
        assert r["resolv"] == "nameserver 169.254.169.253\n"
        got = r["lookups"]
        assert got["sts.us-east-1.amazonaws.com"]["addresses"] == [STS_US_EAST_1], got
        assert got["STS.US-EAST-1.AMAZONAWS.COM"]["addresses"] == [STS_US_EAST_1]
        assert got["s3.amazonaws.com"]["addresses"] == [S3_GLOBAL]
        assert got["dynamodb.eu-west-1.amazonaws.com"]["addresses"] == [DYNAMODB_EU_WEST_1]
        assert got["my-bucket.s3.us-east-1.amazonaws.com"]["addresses"] == [S3_US_EAST_1]
        for missing in ("nope.example", "sts.nowhere-9.amazonaws.com"):
            assert got[missing]["error"] == EAI_NONAME, got[missing]
            assert got[missing]["seconds"] < 1, got[missing]
        assert got["sts.us-east-1.amazonaws.com"]["seconds"] < 1


def test_raw_queries_over_udp_and_tcp_at_both_resolver_addresses(net):
    qs = []
    for server in ("10.81.0.2", "169.254.169.253"):
        for tcp in (False, True):
            qs += [{"server": server, "name": "sts.us-east-1.amazonaws.com", "tcp": tcp},
                   {"server": server, "name": "nope.example", "tcp": tcp},
                   {"server": server, "name": "b.s3.amazonaws.com", "tcp": tcp}]
    results = queries(net, net.fn_a, *qs)
    assert all("error" not in r for r in results), results
    for i in range(0, len(results), 3):
        ok, nx, cname = results[i:i + 3]
        assert (ok["rcode"], ok["answers"]) == (0, [STS_US_EAST_1]), ok
        assert (nx["rcode"], nx["answers"], nx["authority"]) == (3, [], 1), nx
        assert (cname["rcode"], cname["answers"]) == (0, ["CNAME s3.amazonaws.com", S3_GLOBAL]), cname
    # Across the router from another subnet, too.
    for tcp in (False, True):
        r = queries(net, net.fn_b, {"server": "10.82.0.2", "name": "sts.us-east-1.amazonaws.com", "tcp": tcp})[0]
        assert (r["rcode"], r["answers"]) == (0, [STS_US_EAST_1]), r
    # The lambda network's resolver answers over both transports too.
    for tcp in (False, True):
        r = queries(net, net.plain, {"server": "169.254.169.253", "name": "sts.amazonaws.com", "tcp": tcp})[0]
        assert (r["rcode"], r["answers"]) == (0, ["198.18.0.3"]), r


def test_instance_private_name_resolves_inside_its_vpc_only(net):
    name = net.instance_name
    assert lookup(net, net.fn_a, name)[name]["addresses"] == [net.instance_ip]
    reverse = ".".join(reversed(net.instance_ip.split("."))) + ".in-addr.arpa"
    ptr = queries(net, net.fn_a, {"server": "10.81.0.2", "name": reverse, "qtype": 12})[0]
    assert (ptr["rcode"], ptr["answers"]) == (0, ["PTR " + name]), ptr
    for other in (net.fn_b, net.plain):
        r = lookup(net, other, name)[name]
        assert r["error"] == EAI_NONAME and r["seconds"] < 1, r
    # The name exists only while the VPC has enableDnsHostnames.
    net.ec2.modify_vpc_attribute(VpcId=net.vpc_a, EnableDnsHostnames={"Value": False})
    try:
        assert lookup(net, net.fn_a, name)[name]["error"] == EAI_NONAME
    finally:
        net.ec2.modify_vpc_attribute(VpcId=net.vpc_a, EnableDnsHostnames={"Value": True})
    assert lookup(net, net.fn_a, name)[name]["addresses"] == [net.instance_ip]


def test_instance_uses_its_vpc_resolver_and_search_domain(net):
    lines = wait_console(net.ec2, net.instance, lambda ls: "done" in ls, what="its lookups")
    assert lines[:3] == ["options timeout:2 attempts:5", "search ec2.internal", "nameserver 10.81.0.2"], lines
    assert next(l for l in lines if l.startswith("sts=")).split()[0] == "sts=" + STS_US_EAST_1
    assert next(l for l in lines if l.startswith("short=")).split()[0] == "short=" + net.instance_ip
    assert next(l for l in lines if l.startswith("full=")).split()[0] == "full=" + net.instance_ip
    assert "nope=none" in lines


def test_without_dns_support_nothing_answers(net):
    name = "sts.us-east-1.amazonaws.com"
    assert lookup(net, net.fn_c, name)[name]["addresses"] == [STS_US_EAST_1]
    net.ec2.modify_vpc_attribute(VpcId=net.vpc_c, EnableDnsSupport={"Value": False})
    try:
        def silent():
            r = queries(net, net.fn_c, {"server": "169.254.169.253", "name": name, "timeout": 0.5})[0]
            return r.get("error") == "timed out"
        wait_for(silent, "the resolver of a VPC without DNS support to go silent")
        r = queries(net, net.fn_c, {"server": "10.83.0.2", "name": name, "timeout": 0.5},
                    {"server": "10.83.0.2", "name": name, "tcp": True, "timeout": 0.5})
        assert [q.get("error") for q in r] == ["timed out", "timed out"], r
        got = lookup(net, net.fn_c, name)[name]
        # glibc gives up after its timeouts: a temporary failure, not a name that does not exist.
        assert got["error"] == EAI_AGAIN and got["seconds"] >= 5, got
    finally:
        net.ec2.modify_vpc_attribute(VpcId=net.vpc_c, EnableDnsSupport={"Value": True})
    wait_for(lambda: "addresses" in lookup(net, net.fn_c, name)[name], "the resolver to answer again")
    # Another VPC's resolver was never affected.
    assert lookup(net, net.fn_b, name)[name]["addresses"] == [STS_US_EAST_1]


def test_internet_hosts_resolve_by_their_name_while_they_run(net):
    host = subprocess.Popen([BINARY, "internet", "run", "--endpoint", net.server.endpoint, "--address", "203.0.113.77",
                             "--name", "www.example.test", "--", "sleep", "300"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: lookup(net, net.plain, "www.example.test")["www.example.test"].get("addresses") == ["203.0.113.77"],
                 "the host's name to resolve")
        assert lookup(net, net.fn_b, "WWW.example.TEST")["WWW.example.TEST"]["addresses"] == ["203.0.113.77"]
    finally:
        host.terminate()
        host.wait(timeout=15)
    r = lookup(net, net.plain, "www.example.test")["www.example.test"]
    assert r["error"] == EAI_NONAME, r
    # A name the resolver answers itself is refused.
    bad = subprocess.run([BINARY, "internet", "run", "--endpoint", net.server.endpoint, "--address", "203.0.113.78",
                          "--name", "sts.us-east-1.amazonaws.com", "--", "true"], capture_output=True, text=True)
    assert bad.returncode != 0 and "which the VPC resolver answers itself" in bad.stderr, bad.stderr


def test_dig_against_the_vpc_resolver(net):
    dig = shutil.which("dig")
    assert dig, "dig is needed (scripts/common.sh installs dnsutils)"
    router = f"lv-{net.tag}-vpc-" + fnv_short(net.vpc_b)
    for transport in ("+notcp", "+tcp"):
        out = subprocess.run(["ip", "netns", "exec", router, dig, "@10.82.0.2", "sts.us-east-1.amazonaws.com", transport,
                              "+time=1", "+tries=1"], capture_output=True, text=True, timeout=10).stdout
        assert "status: NOERROR" in out and f"sts.us-east-1.amazonaws.com. 60 IN A {STS_US_EAST_1}" in out.replace("\t", " "), out
        out = subprocess.run(["ip", "netns", "exec", router, dig, "@169.254.169.253", "nope.example", transport,
                              "+time=1", "+tries=1", "+edns=0"], capture_output=True, text=True, timeout=10).stdout
        assert "status: NXDOMAIN" in out and "EDNS: version: 0" in out and "SOA" in out, out
    # dig's own answer for a private name of another VPC: nothing.
    out = subprocess.run(["ip", "netns", "exec", router, dig, "@10.82.0.2", net.instance_name, "+time=1", "+tries=1"],
                         capture_output=True, text=True, timeout=10).stdout
    assert "status: NXDOMAIN" in out, out


def fnv_short(text):
    """FabricNames.shortHash: 8 hex digits of FNV-1a 64, folded."""
    h = 0xcbf29ce484222325
    for b in text.encode():
        h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return f"{(h ^ (h >> 32)) & 0xFFFFFFFF:08x}"


def test_lambda_network_rebuilt_answers_again(net):
    """Last: it deletes the function without VpcConfig."""
    name = "sts.us-east-1.amazonaws.com"
    assert lookup(net, net.plain, name)[name]["addresses"] == [STS_US_EAST_1]
    lambda_ns = f"lv-{net.tag}-lambda"
    # Its last environment gone, the lambda network (and its resolver's sockets) goes away; the next cold start
    # builds it again under the same name, which a socket left open there would have prevented.
    net.lam.delete_function(FunctionName=net.plain)
    wait_for(lambda: lambda_ns not in namespaces(net.tag), "the lambda network to be removed", timeout=20)
    again = deploy(net.lam, Code={"ZipFile": zip_of({"index.py": (PROBE + "# again\n", False)})}, Timeout=30)
    assert lookup(net, again, name)[name]["addresses"] == [STS_US_EAST_1]
    assert lambda_ns in namespaces(net.tag)
