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


def namespaces():
    p = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True)
    return {line.split()[0] for line in p.stdout.splitlines() if line.startswith("lv-env-")}


def test_sigterm_removes_every_environment():
    s = Server().start()
    try:
        lam = s.client("lambda")
        isolated = json.loads(__import__("urllib.request").request.urlopen(s.endpoint + "/_lambda-vpc/health").read())["networkIsolation"]
        before = namespaces() if isolated else set()
        name = deploy(lam)
        pids = {json.loads(invoke(lam, name, {})[1])["pid"]}
        assert all(alive(p) for p in pids)
        if isolated:
            assert namespaces() - before
        assert s.stop() == 0
        deadline = time.time() + 5
        while any(alive(p) for p in pids) and time.time() < deadline:
            time.sleep(0.05)
        assert not any(alive(p) for p in pids)
        if isolated:
            assert not (namespaces() - before)
    finally:
        s.cleanup()
