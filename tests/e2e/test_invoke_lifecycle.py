"""Server lifecycle with running functions: SIGTERM ends every execution environment (and its namespace)."""
import json
import os
import subprocess
import time

from conftest import Server
from invoke_support import deploy, invoke


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is gone for our purposes.
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split()[2] != "Z"
    except OSError:
        return False


def runtime_children(server_pid):
    """Host pids of the server's runtime processes (each is PID 1 of its own namespace, so it cannot tell its own)."""
    pids = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmd = f.read()
        except (OSError, ValueError, IndexError):
            continue
        if ppid == server_pid and b"awslambdaric" in cmd:
            pids.add(int(entry))
    return pids


def namespaces(server):
    """The `lv-env-*` namespaces in the kernel that this server's ledger names (other servers, e.g. another test
    worker's, have their own)."""
    ledger = os.path.join(server.data_dir, "sandbox", "netns")
    mine = set(os.listdir(ledger)) if os.path.isdir(ledger) else set()
    p = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True)
    return {line.split()[0] for line in p.stdout.splitlines() if line.startswith("lv-env-") and line.split()[0] in mine}


def test_sigterm_removes_every_environment():
    s = Server().start()
    try:
        lam = s.client("lambda")
        isolated = json.loads(__import__("urllib.request").request.urlopen(s.endpoint + "/_lambda-vpc/health").read())["networkIsolation"]
        assert not (isolated and namespaces(s)), "a fresh server has no environment yet"
        name = deploy(lam)
        invoke(lam, name, {})
        pids = runtime_children(s.pid)
        assert len(pids) == 1 and all(alive(p) for p in pids)
        if isolated:
            created = namespaces(s)
            assert created
        assert s.stop() == 0
        deadline = time.time() + 5
        while any(alive(p) for p in pids) and time.time() < deadline:
            time.sleep(0.05)
        assert not any(alive(p) for p in pids)
        if isolated:
            # The ledger names may go with the namespaces: ask the kernel about the names seen while running.
            out = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
            assert not created & {line.split()[0] for line in out.splitlines() if line}
    finally:
        s.cleanup()
