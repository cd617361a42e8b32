"""Hostile functions: what code can see and do inside an execution environment, asserted from inside (needs root)."""
import base64
import json
import os
import uuid

import pytest

from conftest import Server
from invoke_support import ensure_role, wait_active, zip_of
from lambda_support import ROLE, unique

PROBE = r'''
import errno, json, os, signal, socket, time

def attempt(fn):
    try:
        fn()
        return "ok"
    except OSError as e:
        return errno.errorcode.get(e.errno, str(e.errno))

def read(path):
    with open(path, "rb") as f:
        f.read(1)

def write(path):
    with open(path, "w") as f:
        f.write("x")

def handler(event, context):
    status = dict(line.split(":", 1) for line in open("/proc/self/status").read().splitlines() if ":" in line)
    out = {
        "uid": os.getuid(), "euid": os.geteuid(), "gid": os.getgid(),
        "caps": {k: int(status[k].strip(), 16) for k in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb")},
        "no_new_privs": status["NoNewPrivs"].strip(),
        "pids": sorted(int(p) for p in os.listdir("/proc") if p.isdigit()),
        "hostname": socket.gethostname(),
        "cwd": os.getcwd(),
        "write_task": attempt(lambda: write("/var/task/probe")),
        "write_opt": attempt(lambda: write("/opt/probe")),
        "write_root": attempt(lambda: write("/probe")),
        "write_etc": attempt(lambda: write("/etc/probe")),
        "read": {p: attempt(lambda p=p: read(p)) for p in event.get("read", [])},
        "exists": {p: os.path.exists(p) for p in event.get("exists", [])},
        "signal": {str(p): attempt(lambda p=p: os.kill(p, 0)) for p in event.get("signal", [])},
        "tmp_before": sorted(os.listdir("/tmp")),
    }
    st = os.statvfs("/tmp")
    out["tmp_mb"] = st.f_blocks * st.f_frsize // (1 << 20)
    if event.get("mark"):
        write("/tmp/" + event["mark"])
    return out
'''

HOG = '''
def handler(event, context):
    hog = []
    for _ in range(event["mb"]):
        hog.append(bytearray(1 << 20))
    return len(hog)
'''


@pytest.fixture(scope="module")
def s():
    server = Server().start()
    yield server
    server.cleanup()


@pytest.fixture(scope="module")
def lam(s):
    client = s.client("lambda")
    ensure_role(client)
    return client


def deploy(lam, code, memory=128, storage=None, handler="index.handler"):
    name = unique("sbx")
    kw = {"EphemeralStorage": {"Size": storage}} if storage else {}
    lam.create_function(FunctionName=name, Runtime="python3.12", Role=ROLE, Handler=handler, MemorySize=memory,
                        Timeout=30, Code={"ZipFile": zip_of({"index.py": (code, False)})}, **kw)
    wait_active(lam, name)
    return name


def invoke(lam, name, event):
    r = lam.invoke(FunctionName=name, Payload=json.dumps(event).encode())
    body = json.loads(r["Payload"].read())
    return r.get("FunctionError"), body


def test_health_reports_the_sandbox_and_memory_enforcement(s):
    import urllib.request
    health = json.loads(urllib.request.urlopen(s.endpoint + "/_lambda-vpc/health").read())
    assert health["sandbox"]["environments"].startswith("isolated"), health
    assert health["sandbox"]["memoryLimit"].startswith("enforced"), health


def test_a_function_runs_unprivileged_in_its_own_namespaces(s, lam):
    other = deploy(lam, "def handler(e, c):\n    return 1\n")
    other_code = lam.get_function(FunctionName=other)["Configuration"]["CodeSha256"]
    tasks = os.path.join(s.data_dir, "tasks")
    invoke(lam, other, {})  # unpacks the other function's code on the host
    other_dirs = [os.path.join(tasks, d) for d in os.listdir(tasks)]
    assert other_dirs, "the other function's code is unpacked on the host"
    host_marker = f"/tmp/lv-e2e-host-{uuid.uuid4().hex}"
    open(host_marker, "w").close()
    try:
        name = deploy(lam, PROBE)
        err, out = invoke(lam, name, {
            "read": ["/etc/shadow", os.path.join(s.data_dir, "state.sqlite"), f"/proc/{s.pid}/environ",
                     os.path.join(other_dirs[0], "index.py")],
            "exists": [s.data_dir, tasks, host_marker, "/root/.bash_history", "/home", other_dirs[0],
                       "/var/task/index.py", "/var/runtime"],
            "signal": [s.pid, 1],
        })
    finally:
        os.unlink(host_marker)
    assert err is None, out
    assert out["uid"] != 0 and out["euid"] != 0 and out["gid"] != 0
    assert out["caps"] == {"CapInh": 0, "CapPrm": 0, "CapEff": 0, "CapBnd": 0, "CapAmb": 0}
    assert out["no_new_privs"] == "1"
    assert out["cwd"] == "/var/task"
    assert out["write_task"] == "EROFS" and out["write_opt"] == "EROFS" and out["write_root"] == "EROFS"
    assert out["write_etc"] == "EROFS"
    # Nothing of the host: not the data dir, another function's code, shadow passwords or the server's /proc.
    assert all(result != "ok" for result in out["read"].values()), out["read"]
    assert out["exists"][s.data_dir] is False and out["exists"][tasks] is False
    assert out["exists"][host_marker] is False and out["exists"][other_dirs[0]] is False
    assert out["exists"]["/root/.bash_history"] is False
    assert out["exists"]["/var/task/index.py"] is True
    # Only its own processes: the runtime is PID 1 of its namespace; the server's pid means nothing there.
    assert out["pids"] == [1], out["pids"]
    assert out["signal"][str(s.pid)] == "ESRCH"
    assert out["hostname"] != os.uname().nodename
    assert other_code  # the other function stays deployed and untouched
    assert invoke(lam, other, {}) == (None, 1)


def test_tmp_is_private_per_environment_and_sized_by_ephemeral_storage(s, lam):
    name = deploy(lam, PROBE, storage=1024)
    cfg = lam.get_function_configuration(FunctionName=name)
    assert cfg["EphemeralStorage"] == {"Size": 1024}
    mark = f"mark-{uuid.uuid4().hex}"
    err, first = invoke(lam, name, {"mark": mark})
    assert err is None
    assert first["tmp_mb"] == 1024
    # The same (warm) environment keeps its /tmp, as on Lambda.
    _, warm = invoke(lam, name, {})
    assert mark in warm["tmp_before"]
    # Another function's environment does not see it, nor does the host.
    other = deploy(lam, PROBE)
    _, seen = invoke(lam, other, {})
    assert mark not in seen["tmp_before"]
    assert seen["tmp_mb"] == 512
    assert not os.path.exists("/tmp/" + mark)


def test_memory_size_is_enforced_and_reported_as_runtime_out_of_memory(s, lam):
    name = deploy(lam, HOG, memory=128)
    err, body = invoke(lam, name, {"mb": 32})
    assert (err, body) == (None, 32)
    r = lam.invoke(FunctionName=name, Payload=json.dumps({"mb": 400}).encode(), LogType="Tail")
    body = json.loads(r["Payload"].read())
    assert r["FunctionError"] == "Unhandled"
    assert body["errorType"] == "Runtime.OutOfMemory", body
    assert body["errorMessage"].startswith("RequestId: ") and "Runtime exited with error: signal: killed" in body["errorMessage"]
    tail = base64.b64decode(r["LogResult"]).decode()
    assert "Error Type: Runtime.OutOfMemory" in tail
    assert "Max Memory Used: 12" in tail or "Max Memory Used: 128 MB" in tail
    # The next invocation gets a fresh environment.
    assert invoke(lam, name, {"mb": 8}) == (None, 8)


def test_code_without_read_permission_fails_as_on_lambda(s, lam):
    import io
    import zipfile
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("index.py", "def handler(e, c):\n    return 1\n")  # stored 0600: unreadable to the sandbox user
    name = unique("sbx")
    lam.create_function(FunctionName=name, Runtime="python3.12", Role=ROLE, Handler="index.handler",
                        Code={"ZipFile": buf.getvalue()})
    wait_active(lam, name)
    err, body = invoke(lam, name, {})
    assert err == "Unhandled"
    assert "Permission denied" in json.dumps(body), body
