"""Helpers for the network tests: root checks, instance waits, console polling, the fabric's kernel objects."""
import os
import re
import subprocess
import time

from conftest import BINARY


def require_net_admin():
    """These tests need root with CAP_NET_ADMIN; they fail (never skip) without it."""
    with open("/proc/self/status") as f:
        caps = next(int(l.split()[1], 16) for l in f if l.startswith("CapEff:"))
    assert caps & (1 << 12), "the network tests need CAP_NET_ADMIN (run them as root)"


def fabric_tag(server, timeout=10):
    """The server's fabric instance tag, from the line it logs when the fabric starts."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        m = re.search(r"network fabric on: namespaces lv-([0-9a-f]+)-\*", server.log())
        if m:
            return m.group(1)
        time.sleep(0.05)
    raise AssertionError("the fabric did not start: " + server.log())


def namespaces(tag):
    out = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, check=True).stdout
    return sorted(l.split()[0] for l in out.splitlines() if l.startswith(f"lv-{tag}-"))


def instance_processes(server, instance_id):
    """Pids whose command line or working directory is the instance's (its script and everything it started)."""
    home = os.path.join(os.path.realpath(server.data_dir), "instances", instance_id)
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmd = f.read().decode(errors="replace")
            cwd = os.readlink(f"/proc/{entry}/cwd")
        except OSError:
            continue
        if home in cmd or cwd == home:
            pids.append(int(entry))
    return pids


def run_instance(ec2, subnet, groups, user_data):
    r = ec2.run_instances(ImageId="ami-lambdavpc", MinCount=1, MaxCount=1, SubnetId=subnet,
                          SecurityGroupIds=groups, UserData=user_data)
    return r["Instances"][0]["InstanceId"], r["Instances"][0]["PrivateIpAddress"]


def wait_running(ec2, instance_id, timeout=15):
    deadline = time.time() + timeout
    state = None
    while time.time() < deadline:
        state = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]["State"]["Name"]
        if state == "running":
            return
        time.sleep(0.05)
    raise AssertionError(f"{instance_id} is {state}, not running")


def console(ec2, instance_id):
    import base64
    out = ec2.get_console_output(InstanceId=instance_id).get("Output", "")
    # boto3 decodes the base64 for GetConsoleOutput; a raw base64 body would not contain newlines.
    if out and "\n" not in out:
        try:
            out = base64.b64decode(out).decode()
        except ValueError:
            pass
    return out


def wait_console(ec2, instance_id, predicate, timeout=15, what="output"):
    """Polls GetConsoleOutput until `predicate(lines)` holds; returns the lines."""
    deadline = time.time() + timeout
    lines = []
    while time.time() < deadline:
        lines = console(ec2, instance_id).splitlines()
        if predicate(lines):
            return lines
        time.sleep(0.1)
    raise AssertionError(f"{instance_id} never showed {what}; console:\n" + "\n".join(lines[-30:]))


def fetch_loop(target_ip, port=8080):
    """User data that connects to target:port again and again, one line per attempt: `attempt N ok|failed`."""
    return f"""#!/bin/sh
i=0
while true; do
  i=$((i+1))
  if curl -s -o /dev/null -m 1 --connect-timeout 1 http://{target_ip}:{port}/; then echo "attempt $i ok"; else echo "attempt $i failed"; fi
  sleep 0.2
done
"""


def doctor(server):
    return subprocess.run([BINARY, "doctor", "--data-dir", server.data_dir], capture_output=True, text=True, timeout=30)


def tag_for(data_dir):
    """The fabric tag a server derives from its data directory (FNV-1a of the absolute path, folded, 6 hex digits)."""
    h = 0xcbf29ce484222325
    for b in os.path.abspath(data_dir).encode():
        h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return f"{(h ^ (h >> 32)) & 0xFFFFFFFF:08x}"[:6]


def wait_for(predicate, what, timeout=10):
    """Polls `predicate` until it holds; fails the test naming `what` after `timeout` seconds."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")
