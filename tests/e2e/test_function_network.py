"""Functions on the real network fabric: a VPC function's environments sit behind its Hyperplane ENI, so security
groups, VPC boundaries and the ENI's address apply to them exactly as to an instance; a function without VpcConfig
reaches no VPC. Checked with real TCP connections from inside the functions to servers running as instance user data."""
import json
import os
import subprocess
import sys
import threading
import time

import pytest

from conftest import Server
from invoke_support import deploy, invoke, wait_active, zip_of
from lambda_support import lambda_enis
from network_support import doctor, fabric_tag, namespaces, require_net_admin, run_instance, wait_console, wait_for, wait_running

PY = sys.executable
PORTS = (8080, 8081, 8082)

# Accepts on every port and answers with the address the connection came from, then closes.
ECHO_PEER = f"""#!{PY} -u
import socket, threading
def serve(port):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port))
    s.listen(64)
    while True:
        c, addr = s.accept()
        c.sendall(addr[0].encode())
        c.close()
for p in {PORTS!r}:
    threading.Thread(target=serve, args=(p,)).start()
print("listening", flush=True)
"""

# Connects to event host:port with a short timeout; reports what the server said (the peer address it saw) or why not.
PROBE = """
import socket, time
def handler(event, context):
    s = socket.socket()
    s.settimeout(event.get("timeout", 0.5))
    try:
        s.connect((event["host"], event["port"]))
        seen = s.recv(64).decode()
        result = {"connected": True, "seen": seen}
    except OSError as e:
        result = {"connected": False, "error": str(e) or type(e).__name__}
    finally:
        s.close()
    time.sleep(event.get("hold", 0))
    return result
"""

TIMED_OUT = {"connected": False, "error": "timed out"}


class Net:
    """One server, two VPCs, their instances and functions, shared by the module's tests."""


@pytest.fixture(scope="module")
def net():
    require_net_admin()
    s = Server(extra_args=["--eni-create-delay", "0ms"]).start()
    n = Net()
    n.server, n.tag = s, fabric_tag(s)
    ec2, lam = s.client("ec2"), s.client("lambda")
    n.ec2, n.lam = ec2, lam
    vpc = ec2.create_vpc(CidrBlock="10.71.0.0/16")["Vpc"]["VpcId"]
    db_sub, sub_a, sub_b = (ec2.create_subnet(VpcId=vpc, CidrBlock=c)["Subnet"]["SubnetId"]
                            for c in ("10.71.1.0/24", "10.71.2.0/24", "10.71.3.0/24"))
    n.db_sg, n.fn_sg, n.other_sg = (ec2.create_security_group(GroupName=g, Description=g, VpcId=vpc)["GroupId"]
                                    for g in ("db", "fn", "other"))
    n.from_fn = [{"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080, "UserIdGroupPairs": [{"GroupId": n.fn_sg}]}]
    ec2.authorize_security_group_ingress(GroupId=n.db_sg, IpPermissions=n.from_fn + [
        {"IpProtocol": "tcp", "FromPort": 8081, "ToPort": 8081, "IpRanges": [{"CidrIp": "10.71.2.0/24"}]},
        # The second VPC's range is admitted too: only the VPC boundary can stop that traffic.
        {"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080, "IpRanges": [{"CidrIp": "10.72.0.0/16"}]}])
    # No egress at all on the database: its replies pass only because security groups are stateful.
    ec2.revoke_security_group_egress(GroupId=n.db_sg, IpPermissions=[{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    n.db, n.db_ip = run_instance(ec2, db_sub, [n.db_sg], ECHO_PEER)

    vpc2 = ec2.create_vpc(CidrBlock="10.72.0.0/16")["Vpc"]["VpcId"]
    sub2 = ec2.create_subnet(VpcId=vpc2, CidrBlock="10.72.1.0/24")["Subnet"]["SubnetId"]
    open_sg = ec2.create_security_group(GroupName="open", Description="open", VpcId=vpc2)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=open_sg, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    n.far, n.far_ip = run_instance(ec2, sub2, [open_sg], ECHO_PEER)

    code = {"ZipFile": zip_of({"index.py": (PROBE, False)})}
    n.app = deploy(lam, Code=code, VpcConfig={"SubnetIds": [sub_a, sub_b], "SecurityGroupIds": [n.fn_sg]})
    n.other = deploy(lam, Code=code, VpcConfig={"SubnetIds": [sub_a], "SecurityGroupIds": [n.other_sg]})
    n.outside = deploy(lam, Code=code, VpcConfig={"SubnetIds": [sub2], "SecurityGroupIds": [open_sg]})
    n.plain = deploy(lam, Code=code)
    n.app_ips = sorted(e["PrivateIpAddress"] for e in lambda_enis(ec2) if e["Groups"][0]["GroupId"] == n.fn_sg)
    assert len(n.app_ips) == 2, n.app_ips
    for i in (n.db, n.far):
        wait_running(ec2, i)
        wait_console(ec2, i, lambda ls: "listening" in ls, what="its server listening")
    yield n
    s.cleanup()


def probe(n, function, host, port, **kw):
    r, body = invoke(n.lam, function, {"host": host, "port": port, **kw})
    assert r["StatusCode"] == 200 and "FunctionError" not in r, body
    return json.loads(body)


def rulesets(n):
    """The security-group rulesets loaded in the kernel, one text for all of this server's ENI namespaces."""
    out = []
    for ns in namespaces(n.tag):
        if "-eni-" in ns:
            out.append(subprocess.run(["ip", "netns", "exec", ns, "nft", "list", "table", "inet", "lv_sg"],
                                      capture_output=True, text=True).stdout)
    return "\n".join(out)


def wait_kernel(n, rule_ids, present, timeout=10):
    """Waits until the fabric has (or no longer has) the security-group rules `rule_ids` in the kernel."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        text = rulesets(n)
        if all((f'"{r}"' in text) == present for r in rule_ids):
            return
        time.sleep(0.02)
    raise AssertionError(f"rules {rule_ids} never {'appeared' if present else 'went away'} in the kernel")


def rule_ids(n, group, egress=False):
    rules = n.ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [group]}])["SecurityGroupRules"]
    return [r["SecurityGroupRuleId"] for r in rules if r["IsEgress"] == egress]


def test_admitted_port_answers_the_enis_address(net):
    # The database admits the function's group on 8080 and has no egress rule: a stateful reply, seen from the ENI.
    r = probe(net, net.app, net.db_ip, 8080)
    assert r["connected"] is True, r
    assert r["seen"] in net.app_ips


def concurrently(n, function, event, count=2):
    """Invokes `count` times at once (each call holds its environment a while, so each runs in its own)."""
    results = [None] * count

    def call(i):
        _, body = invoke(n.server.client("lambda"), function, {**event, "hold": 0.6})
        results[i] = json.loads(body)

    threads = [threading.Thread(target=call, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_concurrent_environments_spread_over_the_subnets_enis(net):
    results = concurrently(net, net.app, {"host": net.db_ip, "port": 8080})
    assert sorted(r.get("seen") for r in results) == net.app_ips, results


def test_port_no_rule_admits_times_out(net):
    assert probe(net, net.app, net.db_ip, 8082) == TIMED_OUT


def test_group_reference_admits_members_only_and_cidr_rule_admits_the_subnet(net):
    # `other` is not in the referenced group: 8080 stays shut; its ENI is in 10.71.2.0/24, which 8081 admits.
    assert probe(net, net.other, net.db_ip, 8080) == TIMED_OUT
    r = probe(net, net.other, net.db_ip, 8081)
    assert r["connected"] is True and r["seen"].startswith("10.71.2."), r
    # `app` has an environment behind each of its ENIs: only the one in 10.71.2.0/24 gets through on 8081.
    results = concurrently(net, net.app, {"host": net.db_ip, "port": 8081})
    through = [r for r in results if r["connected"]]
    assert len(through) == 1 and through[0]["seen"].startswith("10.71.2."), results
    assert [r for r in results if not r["connected"]] == [TIMED_OUT], results


def test_revoked_ingress_times_out_on_the_next_invoke_and_authorizing_restores_it(net):
    assert probe(net, net.app, net.db_ip, 8080)["connected"] is True
    before = set(rule_ids(net, net.db_sg))
    net.ec2.revoke_security_group_ingress(GroupId=net.db_sg, IpPermissions=net.from_fn)
    gone = before - set(rule_ids(net, net.db_sg))
    assert len(gone) == 1
    wait_kernel(net, gone, present=False)
    assert probe(net, net.app, net.db_ip, 8080) == TIMED_OUT
    added = net.ec2.authorize_security_group_ingress(GroupId=net.db_sg, IpPermissions=net.from_fn)["SecurityGroupRules"]
    wait_kernel(net, [r["SecurityGroupRuleId"] for r in added], present=True)
    assert probe(net, net.app, net.db_ip, 8080)["connected"] is True


def test_removed_egress_rule_blocks_the_function(net):
    everything = [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]
    egress = rule_ids(net, net.fn_sg, egress=True)
    net.ec2.revoke_security_group_egress(GroupId=net.fn_sg, IpPermissions=everything)
    wait_kernel(net, egress, present=False)
    assert probe(net, net.app, net.db_ip, 8080) == TIMED_OUT
    # An egress rule for just that port lets it out again.
    added = net.ec2.authorize_security_group_egress(GroupId=net.fn_sg, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080, "IpRanges": [{"CidrIp": "10.71.1.0/24"}]}])["SecurityGroupRules"]
    wait_kernel(net, [r["SecurityGroupRuleId"] for r in added], present=True)
    assert probe(net, net.app, net.db_ip, 8080)["connected"] is True
    net.ec2.authorize_security_group_egress(GroupId=net.fn_sg, IpPermissions=everything)


def test_function_without_vpc_config_reaches_no_vpc(net):
    r = probe(net, net.plain, net.db_ip, 8080)
    assert r["connected"] is False, r


def test_two_vpcs_are_isolated(net):
    # The outside function reaches its own VPC's server...
    r = probe(net, net.outside, net.far_ip, 8080)
    assert r["connected"] is True and r["seen"].startswith("10.72.1."), r
    # ...but not the database, although the database admits its whole range; nor does app reach the other VPC.
    assert probe(net, net.outside, net.db_ip, 8080)["connected"] is False
    assert probe(net, net.app, net.far_ip, 8080)["connected"] is False


# --- environments never leak their links --------------------------------------------------------------------------

def environment_namespaces(server):
    """This server's `lv-env-*` namespaces that exist in the kernel (its ledger names them)."""
    ledger = os.path.join(server.data_dir, "sandbox", "netns")
    mine = set(os.listdir(ledger)) if os.path.isdir(ledger) else set()
    out = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, check=True).stdout
    return sorted(l.split()[0] for l in out.splitlines() if l.split()[0] in mine)


def environment_ports(tag):
    """Per namespace of the fabric, its environment links (`lv-x-*`)."""
    ports = {}
    for ns in namespaces(tag):
        out = subprocess.run(["ip", "-n", ns, "-o", "link", "show"], capture_output=True, text=True).stdout
        found = [l.split(":")[1].strip().split("@")[0] for l in out.splitlines() if ": lv-x-" in l]
        if found:
            ports[ns] = len(found)
    return ports


def test_environments_detach_when_they_end_and_nothing_is_left_behind():
    require_net_admin()
    s = Server(extra_args=["--eni-create-delay", "0ms"]).start()
    tag = fabric_tag(s)
    try:
        ec2, lam = s.client("ec2"), s.client("lambda")
        vpc = ec2.create_vpc(CidrBlock="10.73.0.0/16")["Vpc"]["VpcId"]
        sub = ec2.create_subnet(VpcId=vpc, CidrBlock="10.73.1.0/24")["Subnet"]["SubnetId"]
        sg = ec2.create_security_group(GroupName="f", Description="f", VpcId=vpc)["GroupId"]
        fn = deploy(lam, timeout=1, VpcConfig={"SubnetIds": [sub], "SecurityGroupIds": [sg]})
        plain = deploy(lam)
        eni_ns = [ns for ns in namespaces(tag) if "-eni-" in ns]
        assert len(eni_ns) == 1, namespaces(tag)

        def attached(ports):
            return lambda: environment_ports(tag) == ports and len(environment_namespaces(s)) == sum(ports.values())

        invoke(lam, fn, {})
        wait_for(attached({eni_ns[0]: 1}), "one environment behind the ENI")
        # A crash ends the environment: its namespace and its link in the ENI's namespace go.
        r, _ = invoke(lam, fn, {"exit": True})
        assert r.get("FunctionError") == "Unhandled"
        wait_for(attached({}), f"no environment after the crash: {environment_ports(tag)}")
        # So does a timeout.
        r, body = invoke(lam, fn, {"sleep": 3})
        assert b"Task timed out" in body, body
        wait_for(attached({}), f"no environment after the timeout: {environment_ports(tag)}")
        # A configuration change drops the warm environment of the old configuration.
        invoke(lam, fn, {})
        lam.update_function_configuration(FunctionName=fn, Environment={"Variables": {"GEN": "2"}})
        wait_active(lam, fn)
        invoke(lam, fn, {})
        wait_for(attached({eni_ns[0]: 1}), f"only the new environment: {environment_ports(tag)}")
        # A function without VpcConfig joins the Lambda-owned network, never an ENI.
        invoke(lam, plain, {})
        wait_for(attached({eni_ns[0]: 1, f"lv-{tag}-lambda": 1}), f"one environment each: {environment_ports(tag)}")

        # kill -9 leaves environments behind; the restart removes them and every link they had.
        left = environment_namespaces(s)
        assert len(left) == 2
        s.kill9()
        s.start()
        wait_for(lambda: environment_namespaces(s) == [] and environment_ports(tag) == {}
                 and namespaces(tag) == sorted(eni_ns + [ns for ns in namespaces(tag) if "-vpc-" in ns]),
                 f"leftovers after the restart: {namespaces(tag)} {environment_ports(tag)}")
        assert not any(os.path.exists("/run/netns/" + ns) for ns in left)
        report = doctor(s)
        assert report.returncode == 0, report.stdout + report.stderr
        r, body = invoke(lam, fn, {"n": 1})
        assert json.loads(body)["event"] == {"n": 1}
        invoke(lam, plain, {})
        assert len(environment_namespaces(s)) == 2

        # SIGTERM: no namespace of this server is left, environments included.
        left = environment_namespaces(s)
        assert s.stop() == 0
        assert namespaces(tag) == []
        assert not any(os.path.exists("/run/netns/" + ns) for ns in left)
    finally:
        s.cleanup()
        for ns in namespaces(tag):
            subprocess.run(["ip", "netns", "del", ns], check=False)
