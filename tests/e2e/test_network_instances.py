"""Instances on the real network fabric: user data runs in the instance's namespace, security groups and VPC
boundaries are enforced by the kernel, checked with real connections between instances."""
import json
import os
import subprocess
import sys
import time
import urllib.request

import pytest

import conftest
from conftest import Server
from network_support import (doctor, fabric_tag, fetch_loop, instance_processes, namespaces, require_net_admin,
                             run_instance, tag_for, wait_console, wait_running)

PY = sys.executable
HTTP_SERVER = f"#!/bin/sh\n{PY} -u -m http.server 8080 --bind 0.0.0.0\n"


@pytest.fixture(scope="module")
def net_server():
    require_net_admin()
    s = Server().start()
    yield s
    s.cleanup()


def ok_after(n):
    return lambda lines: any(l.endswith(" ok") for l in lines[n:])


def test_security_groups_vpcs_and_terminate(net_server):
    ec2 = net_server.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.61.0.0/16")["Vpc"]["VpcId"]
    sub1 = ec2.create_subnet(VpcId=vpc, CidrBlock="10.61.1.0/24")["Subnet"]["SubnetId"]
    sub2 = ec2.create_subnet(VpcId=vpc, CidrBlock="10.61.2.0/24")["Subnet"]["SubnetId"]
    db = ec2.create_security_group(GroupName="db", Description="db", VpcId=vpc)["GroupId"]
    app = ec2.create_security_group(GroupName="app", Description="app", VpcId=vpc)["GroupId"]
    other = ec2.create_security_group(GroupName="other", Description="other", VpcId=vpc)["GroupId"]
    from_app = [{"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080, "UserIdGroupPairs": [{"GroupId": app}]}]
    ec2.authorize_security_group_ingress(GroupId=db, IpPermissions=from_app)
    # A rule admitting the second VPC's range: only the VPC boundary can stop that traffic.
    ec2.authorize_security_group_ingress(GroupId=db, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080, "IpRanges": [{"CidrIp": "10.62.0.0/16"}]}])

    a, a_ip = run_instance(ec2, sub1, [db], HTTP_SERVER)
    b, _ = run_instance(ec2, sub2, [app], fetch_loop(a_ip))
    c, _ = run_instance(ec2, sub2, [other], fetch_loop(a_ip))
    vpc2 = ec2.create_vpc(CidrBlock="10.62.0.0/16")["Vpc"]["VpcId"]
    sub3 = ec2.create_subnet(VpcId=vpc2, CidrBlock="10.62.1.0/24")["Subnet"]["SubnetId"]
    open_sg = ec2.create_security_group(GroupName="open", Description="open", VpcId=vpc2)["GroupId"]
    d, _ = run_instance(ec2, sub3, [open_sg], fetch_loop(a_ip))
    for i in (a, b, c, d):
        wait_running(ec2, i)

    # B (group app) reaches A's port 8080; A's console (the http.server log) shows B's request.
    wait_console(ec2, b, ok_after(0), what="a successful fetch")
    a_log = wait_console(ec2, a, lambda ls: any('"GET / HTTP/1.1" 200' in l for l in ls), what="a served request")
    assert any(l.startswith("10.61.2.") for l in a_log), a_log

    # C (group other) and D (another VPC) never get through: each attempt times out.
    for blocked in (c, d):
        lines = wait_console(ec2, blocked, lambda ls: len(ls) >= 3, what="three attempts")
        assert lines[:3] == ["attempt 1 failed", "attempt 2 failed", "attempt 3 failed"], lines

    # Revoking the rule closes the port for B's next connections.
    ec2.revoke_security_group_ingress(GroupId=db, IpPermissions=from_app)
    seen = len(wait_console(ec2, b, lambda ls: True))
    lines = wait_console(ec2, b, lambda ls: len(ls) >= seen + 3 and all(l.endswith(" failed") for l in ls[-2:]),
                         what="failed attempts after the revoke")
    assert lines[-1].endswith(" failed"), lines

    # Authorizing it again opens it again.
    ec2.authorize_security_group_ingress(GroupId=db, IpPermissions=from_app)
    seen = len(wait_console(ec2, b, lambda ls: True))
    wait_console(ec2, b, ok_after(seen), what="a fetch after re-authorizing")

    # Terminating A ends its processes; B's attempts fail from then on.
    assert instance_processes(net_server, a)
    ec2.terminate_instances(InstanceIds=[a])
    deadline = time.time() + 10
    while instance_processes(net_server, a) and time.time() < deadline:
        time.sleep(0.05)
    assert instance_processes(net_server, a) == []
    ec2.terminate_instances(InstanceIds=[b, c, d])
    deadline = time.time() + 10
    while any(instance_processes(net_server, i) for i in (b, c, d)) and time.time() < deadline:
        time.sleep(0.05)
    assert [instance_processes(net_server, i) for i in (b, c, d)] == [[], [], []]


def test_stopped_instance_keeps_console_and_restarts_script(net_server):
    ec2 = net_server.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.63.0.0/16")["Vpc"]["VpcId"]
    sub = ec2.create_subnet(VpcId=vpc, CidrBlock="10.63.1.0/24")["Subnet"]["SubnetId"]
    sg = ec2.create_security_group(GroupName="s", Description="s", VpcId=vpc)["GroupId"]
    i, ip = run_instance(ec2, sub, [sg], "echo started on $(ip -4 -o addr show eth0 | awk '{print $4}')\nsleep 600\n")
    wait_running(ec2, i)
    wait_console(ec2, i, lambda ls: ls == [f"started on {ip}/24"], what="its own address")
    ec2.stop_instances(InstanceIds=[i])
    deadline = time.time() + 10
    while instance_processes(net_server, i) and time.time() < deadline:
        time.sleep(0.05)
    assert instance_processes(net_server, i) == []
    ec2.start_instances(InstanceIds=[i])
    wait_running(ec2, i)
    wait_console(ec2, i, lambda ls: ls == [f"started on {ip}/24"] * 2, what="a second start")
    _, out, _ = net_server.aws("ec2", "get-console-output", "--instance-id", i)
    assert out["Output"].splitlines() == [f"started on {ip}/24"] * 2
    ec2.terminate_instances(InstanceIds=[i])


def test_user_data_gets_an_environment_of_its_own(net_server):
    """Nothing of the server's environment (here the tests' own, credentials and all) reaches an instance."""
    assert "PYTEST_CURRENT_TEST" in os.environ
    ec2 = net_server.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.64.0.0/16")["Vpc"]["VpcId"]
    sub = ec2.create_subnet(VpcId=vpc, CidrBlock="10.64.1.0/24")["Subnet"]["SubnetId"]
    sg = ec2.create_security_group(GroupName="e", Description="e", VpcId=vpc)["GroupId"]
    script = f"#!{PY}\nimport json, os\nprint(json.dumps(dict(os.environ), sort_keys=True))\nprint('cwd', os.getcwd())\n"
    i, _ = run_instance(ec2, sub, [sg], script)
    wait_running(ec2, i)
    lines = wait_console(ec2, i, lambda ls: any(l.startswith("cwd ") for l in ls), what="its environment")
    env = json.loads(lines[0])
    home = os.path.join(os.path.realpath(net_server.data_dir), "instances", i)
    bundle = "/etc/ssl/certs/ca-certificates.crt"  # the data dir's CA bundle, shown over the host's (service edge)
    assert env == {"HOME": home, "PWD": home, "LANG": "C.UTF-8",
                   "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                   "AWS_CA_BUNDLE": bundle, "SSL_CERT_FILE": bundle, "REQUESTS_CA_BUNDLE": bundle,
                   "NODE_EXTRA_CA_CERTS": bundle}, env
    assert lines[1] == f"cwd {home}"
    ec2.terminate_instances(InstanceIds=[i])


def test_an_instance_sees_its_own_processes_and_directory_only(net_server):
    """Root inside its instance, but its own PID, mount and UTS namespaces: no data dir, no other instance."""
    ec2 = net_server.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.65.0.0/16")["Vpc"]["VpcId"]
    sub = ec2.create_subnet(VpcId=vpc, CidrBlock="10.65.1.0/24")["Subnet"]["SubnetId"]
    sg = ec2.create_security_group(GroupName="iso", Description="iso", VpcId=vpc)["GroupId"]
    first, _ = run_instance(ec2, sub, [sg], "echo up\nsleep 600\n")
    wait_running(ec2, first)
    wait_console(ec2, first, lambda ls: ls == ["up"], what="the first instance")
    data = os.path.realpath(net_server.data_dir)
    host_marker = f"/tmp/lv-e2e-host-{os.getpid()}-{time.time_ns()}"
    open(host_marker, "w").close()
    script = f"""echo "host $(hostname)"
echo "uid $(id -u)"
echo "pids $(ls /proc | grep -E '^[0-9]+$' | tr '\\n' ' ')"
echo "data $(ls -A {data} | tr '\\n' ' ')"
echo "instances $(ls -A {data}/instances | tr '\\n' ' ')"
echo "netns $(ls -A /run/netns | wc -l)"
echo "marker $(test -e {host_marker} && echo visible || echo hidden)"
echo "state $(test -e {data}/state.sqlite && echo visible || echo hidden)"
echo "server $(kill -0 {net_server.pid} 2>/dev/null && echo signalled || echo unreachable)"
echo "home $(pwd)"
echo done
sleep 600
"""
    try:
        second, ip = run_instance(ec2, sub, [sg], script)
        wait_running(ec2, second)
        lines = wait_console(ec2, second, lambda ls: "done" in ls, what="its view")
    finally:
        os.unlink(host_marker)
    seen = dict(l.split(" ", 1) for l in lines if " " in l)
    assert seen["host"] == "ip-" + ip.replace(".", "-")
    assert seen["uid"] == "0"
    # The script is PID 1 of its namespace; everything else there is what it started.
    pids = [int(p) for p in seen["pids"].split()]
    assert 1 in pids and max(pids) < 50, pids
    assert seen["data"].split() == ["instances"]
    assert seen["instances"].split() == [second]
    assert seen["netns"] == "0"
    assert seen["marker"] == "hidden" and seen["state"] == "hidden"
    assert seen["server"] == "unreachable"
    assert seen["home"] == os.path.join(data, "instances", second)
    ec2.terminate_instances(InstanceIds=[first, second])


def fresh_run(lines):
    """The console shows a second run of the script (ticks from 1 again) that got to 3."""
    starts = [k for k, l in enumerate(lines) if l == "tick 1"]
    return len(starts) >= 2 and "tick 3" in lines[starts[-1]:]


def test_sigterm_removes_everything_and_kill9_restart_reconciles():
    require_net_admin()
    s = Server().start()
    tag = tag_for(s.data_dir)
    try:
        assert fabric_tag(s) == tag
        ec2 = s.client("ec2")
        vpc = ec2.create_vpc(CidrBlock="10.64.0.0/16")["Vpc"]["VpcId"]
        sub = ec2.create_subnet(VpcId=vpc, CidrBlock="10.64.1.0/24")["Subnet"]["SubnetId"]
        sg = ec2.create_security_group(GroupName="t", Description="t", VpcId=vpc)["GroupId"]
        i, _ = run_instance(ec2, sub, [sg], "i=0\nwhile true; do i=$((i+1)); echo tick $i; sleep 0.2; done\n")
        # A quiet script does not die of a broken console pipe when the server is killed: the restart must end it.
        q, _ = run_instance(ec2, sub, [sg], "echo quiet\nsleep 600\n")
        wait_running(ec2, i)
        wait_running(ec2, q)
        wait_console(ec2, i, lambda ls: "tick 2" in ls, what="ticks")
        wait_console(ec2, q, lambda ls: ls == ["quiet"], what="its line")
        before = namespaces(tag)
        assert len(before) == 3, before  # the VPC router and the two instances' ENIs

        # kill -9 leaves everything behind; a stray namespace of ours appears meanwhile.
        s.kill9()
        subprocess.run(["ip", "netns", "add", f"lv-{tag}-eni-00000000"], check=True)
        s.start()
        deadline = time.time() + 15
        while time.time() < deadline and namespaces(tag) != before:
            time.sleep(0.1)
        assert namespaces(tag) == before
        report = None
        while time.time() < deadline:
            report = doctor(s)
            if report.returncode == 0:
                break
            time.sleep(0.2)
        assert report.returncode == 0 and "kernel matches the store" in report.stdout, report.stdout + report.stderr
        # The instance runs again, once: the old script was ended, the new one ticks from 1.
        wait_console(ec2, i, fresh_run, what="a fresh run")
        wait_console(ec2, q, lambda ls: ls == ["quiet", "quiet"], what="a second run")
        for inst in (i, q):
            scripts = [p for p in instance_processes(s, inst)
                       if "user-data" in open(f"/proc/{p}/cmdline", "rb").read().decode(errors="replace")]
            assert len(scripts) == 1, (inst, scripts)

        # SIGTERM: clean exit, no namespace and no instance process left.
        assert s.stop() == 0
        assert namespaces(tag) == []
        assert instance_processes(s, i) == [] and instance_processes(s, q) == []
    finally:
        s.cleanup()
        # Only after a failure above: leave the machine as clean as the test found it.
        for ns in namespaces(tag):
            subprocess.run(["ip", "netns", "del", ns], check=False)


@pytest.mark.parametrize("how", ["flag", "env"])
def test_no_network_builds_nothing_in_the_kernel(how):
    require_net_admin()
    s = Server(extra_args=["--no-network"]) if how == "flag" else Server(env={**os.environ, "LAMBDA_VPC_NO_NETWORK": "1"})
    s.start()
    try:
        tag = tag_for(s.data_dir)
        ec2 = s.client("ec2")
        vpc = ec2.create_vpc(CidrBlock="10.65.0.0/16")["Vpc"]["VpcId"]
        sub = ec2.create_subnet(VpcId=vpc, CidrBlock="10.65.1.0/24")["Subnet"]["SubnetId"]
        sg = ec2.create_security_group(GroupName="n", Description="n", VpcId=vpc)["GroupId"]
        i, _ = run_instance(ec2, sub, [sg], "echo should not run\n")
        wait_running(ec2, i)
        time.sleep(0.5)
        assert namespaces(tag) == []
        assert instance_processes(s, i) == []
        assert "network fabric off (--no-network)" in s.log()
        assert "network fabric on" not in s.log()
    finally:
        s.cleanup()


def test_without_net_admin_the_server_runs_with_a_warning(monkeypatch, tmp_path):
    require_net_admin()
    wrapper = tmp_path / "lambda-vpc"
    wrapper.write_text(f'#!/bin/sh\nexec setpriv --bounding-set -net_admin {conftest.BINARY} "$@"\n')
    wrapper.chmod(0o755)
    monkeypatch.setattr(conftest, "BINARY", str(wrapper))
    s = Server().start()
    try:
        with urllib.request.urlopen(s.endpoint + "/_lambda-vpc/health", timeout=5) as r:
            assert json.load(r)["networkIsolation"] is False
        ec2 = s.client("ec2")
        vpc = ec2.create_vpc(CidrBlock="10.66.0.0/16")["Vpc"]["VpcId"]
        sub = ec2.create_subnet(VpcId=vpc, CidrBlock="10.66.1.0/24")["Subnet"]["SubnetId"]
        sg = ec2.create_security_group(GroupName="w", Description="w", VpcId=vpc)["GroupId"]
        i, _ = run_instance(ec2, sub, [sg], "echo should not run\n")
        wait_running(ec2, i)
        assert namespaces(tag_for(s.data_dir)) == []
        assert s.log().count("no CAP_NET_ADMIN: VPC networks, security groups and instances are not created") == 1
        assert s.stop() == 0
    finally:
        s.cleanup()
