"""The simulated internet: hosts started with `lambda-vpc internet run`, reached from instances through an internet
gateway (Elastic IPs, 1:1) or a NAT gateway, and reaching instances only by Elastic IP where security groups allow."""
import os
import re
import subprocess
import sys
import time

import pytest

from conftest import BINARY, Server
from network_support import doctor, fetch_loop, namespaces, require_net_admin, run_instance, tag_for, wait_console, wait_for, wait_running

PY = sys.executable
HOST = "203.0.113.10"


@pytest.fixture(scope="module")
def net():
    require_net_admin()
    s = Server(extra_args=["--nat-create-delay", "100ms", "--nat-delete-delay", "100ms"]).start()
    yield s
    s.cleanup()
    for ns in namespaces(tag_for(s.data_dir)):
        subprocess.run(["ip", "netns", "del", ns], check=False)


def internet_run(server, address, *command, log=None):
    """Starts `lambda-vpc internet run` in the background; its output goes to `log` (a path)."""
    out = open(log, "w") if log else subprocess.DEVNULL
    return subprocess.Popen([BINARY, "internet", "run", "--endpoint", server.endpoint, "--address", address, "--", *command],
                            stdout=out, stderr=subprocess.STDOUT)


def running_in(ns, program):
    """True when a process running `program` is in namespace `ns` (the server's own `ip -n` calls pass through too)."""
    r = subprocess.run(["ip", "netns", "pids", ns], capture_output=True, text=True)
    for pid in r.stdout.split() if r.returncode == 0 else []:
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if f.read().split(b"\0")[0] == program.encode():
                    return True
        except OSError:
            pass
    return False


def read(path):
    with open(path) as f:
        return f.read()


def requesters(path):
    """Client addresses in an http.server log."""
    return re.findall(r"^(\d+\.\d+\.\d+\.\d+) - - .*\"GET / HTTP/1.1\" 200", read(path), re.M)


def ok_after(n):
    return lambda lines: any(l.endswith(" ok") for l in lines[n:])


def failing(n, count=3):
    """At least `count` attempts after the first `n` lines, the last `count` of them failed."""
    return lambda lines: len(lines) >= n + count and all(l.endswith(" failed") for l in lines[-count:])


def lines_now(ec2, i):
    return len(wait_console(ec2, i, lambda ls: True))


def test_internet_and_nat_gateways(net, tmp_path):
    tag = tag_for(net.data_dir)
    ec2 = net.client("ec2")
    log = str(tmp_path / "host.log")
    host = internet_run(net, HOST, PY, "-u", "-m", "http.server", "80", "--bind", "0.0.0.0", log=log)
    try:
        wait_for(lambda: f"lv-{tag}-host-203-0-113-10" in namespaces(tag), "the host namespace")
        vpc = ec2.create_vpc(CidrBlock="10.71.0.0/16")["Vpc"]["VpcId"]
        public = ec2.create_subnet(VpcId=vpc, CidrBlock="10.71.1.0/24")["Subnet"]["SubnetId"]
        private = ec2.create_subnet(VpcId=vpc, CidrBlock="10.71.2.0/24")["Subnet"]["SubnetId"]
        igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
        ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
        rtb = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
        ec2.associate_route_table(RouteTableId=rtb, SubnetId=public)
        ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
        main = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc]}, {"Name": "association.main", "Values": ["true"]}])
        main_rtb = main["RouteTables"][0]["RouteTableId"]
        sg = ec2.create_security_group(GroupName="out", Description="out", VpcId=vpc)["GroupId"]

        # A: public subnet with an Elastic IP. B: public subnet without. C: private subnet.
        a, _ = run_instance(ec2, public, [sg], fetch_loop(HOST, 80))
        b, _ = run_instance(ec2, public, [sg], fetch_loop(HOST, 80))
        c, c_ip = run_instance(ec2, private, [sg], fetch_loop(HOST, 80))
        eip = ec2.allocate_address(Domain="vpc")
        ec2.associate_address(AllocationId=eip["AllocationId"], InstanceId=a)
        for i in (a, b, c):
            wait_running(ec2, i)

        wait_console(ec2, a, ok_after(0), what="a fetch through the internet gateway")
        wait_for(lambda: eip["PublicIp"] in requesters(log), "the host to see A's Elastic IP")
        assert set(requesters(log)) == {eip["PublicIp"]}, read(log)
        for blocked in (b, c):
            lines = wait_console(ec2, blocked, lambda ls: len(ls) >= 3, what="three attempts")
            assert lines[:3] == ["attempt 1 failed", "attempt 2 failed", "attempt 3 failed"], lines

        # `doctor`, which does not know the server's hosts, finds the kernel as the store (and the hosts) want it.
        report = doctor(net)
        assert report.returncode == 0 and f"lv-{tag}-inet" in report.stdout, report.stdout + report.stderr

        # A NAT gateway in the public subnet and a route to it: C gets out, seen as the NAT's Elastic IP.
        nat_eip = ec2.allocate_address(Domain="vpc")
        nat = ec2.create_nat_gateway(SubnetId=public, AllocationId=nat_eip["AllocationId"])["NatGateway"]["NatGatewayId"]
        wait_for(lambda: ec2.describe_nat_gateways(NatGatewayIds=[nat])["NatGateways"][0]["State"] == "available",
                 "the NAT gateway")
        ec2.create_route(RouteTableId=main_rtb, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat)
        seen = lines_now(ec2, c)
        wait_console(ec2, c, ok_after(seen), what="a fetch through the NAT gateway")
        wait_for(lambda: nat_eip["PublicIp"] in requesters(log), "the host to see the NAT's Elastic IP")
        assert c_ip not in read(log)
        # B, in the public subnet without an Elastic IP, still cannot get out.
        assert not any(l.endswith(" ok") for l in wait_console(ec2, b, lambda ls: True))

        # Deleting the NAT route cuts C off again.
        ec2.delete_route(RouteTableId=main_rtb, DestinationCidrBlock="0.0.0.0/0")
        seen = lines_now(ec2, c)
        wait_console(ec2, c, failing(seen), what="failed attempts after deleting the NAT route")

        # Deleting the internet gateway route cuts A off, although it keeps its Elastic IP.
        ec2.delete_route(RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0")
        seen = lines_now(ec2, a)
        wait_console(ec2, a, failing(seen), what="failed attempts after deleting the IGW route")
        ec2.terminate_instances(InstanceIds=[a, b, c])
        ec2.delete_nat_gateway(NatGatewayId=nat)
    finally:
        host.terminate()
        host.wait(timeout=10)
    # The host is removed once its command exits.
    wait_for(lambda: f"lv-{tag}-host-203-0-113-10" not in namespaces(tag), "the host namespace to go")


PROBE = """
import socket, sys
results = []
for target in sys.argv[1:]:
    try:
        socket.create_connection((target, 8080), timeout=1).close()
        results.append(target + " open")
    except OSError:
        results.append(target + " closed")
print("\\n".join(results))
sys.exit(3)
"""


def test_vpc_hosts_reachable_from_the_internet_only_by_elastic_ip_and_security_group(net, tmp_path):
    tag = tag_for(net.data_dir)
    ec2 = net.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.72.0.0/16")["Vpc"]["VpcId"]
    sub = ec2.create_subnet(VpcId=vpc, CidrBlock="10.72.1.0/24")["Subnet"]["SubnetId"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    main = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["RouteTables"][0]["RouteTableId"]
    ec2.create_route(RouteTableId=main, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    web = ec2.create_security_group(GroupName="web", Description="web", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=web, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    closed = ec2.create_security_group(GroupName="closed", Description="closed", VpcId=vpc)["GroupId"]
    server = f"#!/bin/sh\n{PY} -u -m http.server 8080 --bind 0.0.0.0\n"
    open_eip, open_ip = run_instance(ec2, sub, [web], server)
    shut_eip, _ = run_instance(ec2, sub, [closed], server)
    no_eip, no_eip_ip = run_instance(ec2, sub, [web], server)
    ips = {}
    for inst in (open_eip, shut_eip):
        a = ec2.allocate_address(Domain="vpc")
        ec2.associate_address(AllocationId=a["AllocationId"], InstanceId=inst)
        ips[inst] = a["PublicIp"]
    for inst in (open_eip, shut_eip, no_eip):
        wait_running(ec2, inst)
    wait_console(ec2, open_eip, lambda ls: any("Serving HTTP" in l for l in ls), what="its server")

    targets = [ips[open_eip], ips[shut_eip], no_eip_ip, open_ip]
    log = str(tmp_path / "probe.log")
    probe = internet_run(net, "198.51.100.20", PY, "-c", PROBE, *targets, log=log)
    assert probe.wait(timeout=30) == 3, read(log)
    assert read(log).splitlines() == [f"{ips[open_eip]} open", f"{ips[shut_eip]} closed", f"{no_eip_ip} closed",
                                      f"{open_ip} closed"], read(log)
    # The host is gone once the command exited.
    wait_for(lambda: f"lv-{tag}-host-198-51-100-20" not in namespaces(tag), "the host namespace to go")
    ec2.terminate_instances(InstanceIds=[open_eip, shut_eip, no_eip])


def test_internet_run_rejects_bad_and_taken_addresses(net, tmp_path):
    for bad, message in [("10.0.0.1", "not in the simulated internet's host ranges"), ("203.0.113.0", "network or broadcast"),
                         ("nonsense", "not an IPv4 address")]:
        r = subprocess.run([BINARY, "internet", "run", "--endpoint", net.endpoint, "--address", bad, "--", "true"],
                           capture_output=True, text=True, timeout=10)
        assert r.returncode != 0 and message in r.stderr, r.stderr
    tag = tag_for(net.data_dir)
    first = internet_run(net, "203.0.113.30", "sleep", "30")
    try:
        wait_for(lambda: f"lv-{tag}-host-203-0-113-30" in namespaces(tag), "the first host")
        r = subprocess.run([BINARY, "internet", "run", "--endpoint", net.endpoint, "--address", "203.0.113.30", "--", "true"],
                           capture_output=True, text=True, timeout=10)
        assert r.returncode == 1 and "203.0.113.30 is already used by another internet host" in r.stderr, r.stderr
    finally:
        first.terminate()
        first.wait(timeout=10)


def test_server_sigterm_ends_hosts_and_removes_them():
    require_net_admin()
    s = Server().start()
    tag = tag_for(s.data_dir)
    try:
        log = os.path.join(s.data_dir, "internet-run.log")
        host = internet_run(s, "203.0.113.40", "sleep", "600", log=log)
        wait_for(lambda: running_in(f"lv-{tag}-host-203-0-113-40", "sleep"), "the command to run in the host")
        assert f"lv-{tag}-inet" in namespaces(tag)
        assert s.stop() == 0
        # The server ended the command: `internet run` exits with its status (killed by SIGKILL).
        assert host.wait(timeout=10) == 128 + 9, read(log)
        assert namespaces(tag) == []
    finally:
        s.cleanup()
        for ns in namespaces(tag):
            subprocess.run(["ip", "netns", "del", ns], check=False)


def test_restart_after_kill9_ends_and_removes_the_old_hosts():
    require_net_admin()
    s = Server().start()
    tag = tag_for(s.data_dir)
    try:
        host = internet_run(s, "198.51.100.50", "sleep", "600")
        ns = f"lv-{tag}-host-198-51-100-50"
        wait_for(lambda: running_in(ns, "sleep"), "the command to run in the host")
        s.kill9()
        assert ns in namespaces(tag) and host.poll() is None, "kill -9 leaves the host running"
        s.start()
        # The new server does not know the host: it ends its command and removes its namespace, and the core.
        assert host.wait(timeout=15) == 128 + 9
        wait_for(lambda: namespaces(tag) == [], "the old host and core to go", timeout=15)
        assert s.stop() == 0
    finally:
        s.cleanup()
        for ns in namespaces(tag):
            subprocess.run(["ip", "netns", "del", ns], check=False)
