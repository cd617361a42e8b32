"""Each runtime runs on its own interpreter version, or the invoke says what the machine lacks; deprecated runtimes
are refused as Lambda refuses them (see test_lambda_api.py)."""
import glob
import json
import os
import shutil

import pytest

from invoke_support import ensure_role, wait_active, zip_of
from lambda_support import ROLE, unique

VERSION = "import sys, platform\ndef handler(e, c):\n    return {'version': platform.python_version(), 'exe': sys.executable}\n"


@pytest.fixture(scope="module")
def lam(server):
    client = server.client("lambda")
    ensure_role(client)
    return client


def interpreter_exists(minor):
    """What the server would find: python3.M on PATH (not a version manager's shim) or a pyenv 3.M.x."""
    on_path = [p for p in os.environ.get("PATH", "").split(":") if "/shims" not in p
               and os.access(os.path.join(p, f"python3.{minor}"), os.X_OK)]
    root = os.environ.get("PYENV_ROOT", os.path.expanduser("~/.pyenv"))
    return bool(on_path or glob.glob(f"{root}/versions/3.{minor}.*/bin/python3.{minor}"))


def deploy(lam, runtime, files, handler):
    name = unique("rt")
    lam.create_function(FunctionName=name, Runtime=runtime, Role=ROLE, Handler=handler, Code={"ZipFile": zip_of(files)})
    wait_active(lam, name)
    return name


def invoke(lam, name):
    r = lam.invoke(FunctionName=name, Payload=b"{}")
    return r.get("FunctionError"), json.loads(r["Payload"].read())


@pytest.mark.parametrize("minor", [12, 13, 14])
def test_python_runs_on_its_own_version_or_says_it_is_missing(lam, minor):
    name = deploy(lam, f"python3.{minor}", {"app.py": (VERSION, False)}, "app.handler")
    err, out = invoke(lam, name)
    if interpreter_exists(minor):
        assert err is None, out
        assert out["version"].startswith(f"3.{minor}."), out
    else:
        assert err == "Unhandled"
        assert out["errorType"] == "Runtime.Unavailable"
        assert f"python3.{minor}" in out["errorMessage"]


def test_java_is_accepted_but_says_what_it_lacks(lam):
    name = deploy(lam, "java17", {"x.txt": ("", False)}, "example.Handler::handleRequest")
    err, out = invoke(lam, name)
    assert err == "Unhandled"
    assert out["errorType"] == "Runtime.Unavailable"
    assert "no runtime interface client for java17" in out["errorMessage"]


def test_node_runs_only_on_its_own_major_version(lam):
    import subprocess
    node = shutil.which("node")
    major = subprocess.run([node, "--version"], capture_output=True, text=True).stdout.strip().lstrip("v").split(".")[0] if node else None
    code = "exports.handler = async () => ({ version: process.version });"
    for runtime in ["nodejs20.x", "nodejs24.x"]:
        name = deploy(lam, runtime, {"index.js": (code, False)}, "index.handler")
        err, out = invoke(lam, name)
        wanted = runtime[len("nodejs"):-2]
        if major == wanted or shutil.which(f"node{wanted}"):
            assert err is None and out["version"].startswith(f"v{wanted}."), out
        else:
            assert err == "Unhandled" and out["errorType"] == "Runtime.Unavailable"
            assert f"needs Node.js {wanted}" in out["errorMessage"]
