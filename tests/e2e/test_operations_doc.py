"""docs/OPERATIONS.md is what the operation tables say: `lambda-vpc operations` prints it."""
import os
import subprocess

from conftest import BINARY

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_operations_doc_is_the_tables_output():
    out = subprocess.run([BINARY, "operations"], capture_output=True, text=True, check=True).stdout
    with open(os.path.join(ROOT, "docs", "OPERATIONS.md")) as f:
        assert f.read() == out, "docs/OPERATIONS.md is stale: run `lambda-vpc operations > docs/OPERATIONS.md`"
    lines = [l for l in out.splitlines() if l.startswith("| ") and not l.startswith("| service")]
    services = {l.split(" | ")[0].strip("| ") for l in lines}
    assert {"ec2", "iam", "lambda", "logs", "ssm", "sts"} <= services
    assert "Invoke" in out and "DescribeVpcs" in out and "PutParameter" in out
