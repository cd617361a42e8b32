"""The README's first command, end to end: scripts/demo.sh with the built (debug) binary, as a newcomer runs it."""
import os
import signal
import subprocess

from conftest import BINARY, ROOT, free_port
from network_support import require_net_admin


def test_demo_runs_the_rds_tutorial_shape_and_cleans_up():
    require_net_admin()
    env = dict(os.environ, LV_DEMO_BIN=BINARY, LAMBDA_VPC_PORT=str(free_port()))
    # Its own process group: if it runs out of time, the server and internet host it started go with it (by pgid).
    demo = subprocess.Popen(["bash", os.path.join(ROOT, "scripts", "demo.sh")], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        stdout, stderr = demo.communicate(timeout=300)
    except subprocess.TimeoutExpired:
        os.killpg(demo.pid, signal.SIGTERM)
        stdout, stderr = demo.communicate(timeout=30)
    run = subprocess.CompletedProcess(demo.args, demo.returncode, stdout, stderr)
    out = run.stdout + run.stderr
    assert run.returncode == 0, out[-6000:]
    # What the demo shows a user: the function reads the database, is cut off by the revoked rule, reads it again,
    # reads S3 through a gateway endpoint (no NAT), reaches the internet host only through the NAT gateway, and
    # nothing of the server is left in the kernel.
    for text in ["Grace Hopper", "timed out", "Connect timeout", "all systems nominal", "hello from 203.0.113.10",
                 "demo finished; server stopped"]:
        assert text in out, f"missing {text!r} in the demo's output:\n{out[-6000:]}"
    assert out.index("timed out") < out.index("Connect timeout") < out.index("all systems nominal") \
        < out.index("hello from 203.0.113.10")
    # The database instance's user data switches to the postgres user inside the instance's own directory.
    assert "could not change directory" not in out and "Permission denied" not in out, out[-6000:]
