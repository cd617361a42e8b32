"""Real Terraform (1.11.4, hashicorp/aws 5.100.0 from the machine's filesystem mirror) against the server: apply a VPC
function's whole stack (with an SSM parameter read by a data source), a second plan shows no changes, destroy leaves nothing in the store or the kernel."""
import json
import os
import shutil
import subprocess
import zipfile

import pytest

from conftest import Server
from network_support import fabric_tag, namespaces, require_net_admin

HERE = os.path.dirname(os.path.abspath(__file__))
MIRROR_ROOTS = ["/opt", "/usr/local/share", "/usr/share", "/usr/local/lib", "/var/lib", os.path.expanduser("~")]


def provider_mirror():
    """The folder that holds `registry.terraform.io/hashicorp/aws` (the machine's filesystem mirror)."""
    for root in MIRROR_ROOTS:
        for dirpath, dirnames, _ in os.walk(root):
            if os.path.isdir(os.path.join(dirpath, "registry.terraform.io", "hashicorp", "aws")):
                return dirpath
            if dirpath.count(os.sep) - root.count(os.sep) >= 3:
                dirnames[:] = []
            dirnames[:] = [d for d in dirnames if not d.startswith(".") or d == ".terraform.d"]
    return None


@pytest.fixture(scope="module")
def terraform(tmp_path_factory):
    binary = shutil.which("terraform")
    mirror = provider_mirror()
    if binary is None or mirror is None:
        # Our machines and CI's have both: there this is a failure, elsewhere a skip that says why.
        why = "terraform is not on PATH" if binary is None else "no folder holds registry.terraform.io/hashicorp/aws"
        if os.environ.get("CI"):
            pytest.fail(why)
        pytest.skip(why)
    home = tmp_path_factory.mktemp("tf-home")
    config = home / "cli.tfrc"
    config.write_text(f'''provider_installation {{
  filesystem_mirror {{
    path    = "{mirror}"
    include = ["registry.terraform.io/hashicorp/*"]
  }}
  direct {{
    exclude = ["*/*"]
  }}
}}
''')
    env = dict(os.environ, TF_CLI_CONFIG_FILE=str(config), TF_IN_AUTOMATION="1", CHECKPOINT_DISABLE="1")

    def run(workdir, *args, check=True):
        p = subprocess.run([binary, *args, "-no-color"], cwd=workdir, env=env, capture_output=True, text=True, timeout=900)
        if check and p.returncode != 0:
            raise AssertionError(f"terraform {' '.join(args)} exited {p.returncode}:\n{p.stdout[-4000:]}\n{p.stderr[-4000:]}")
        return p
    return run


def package(path):
    with zipfile.ZipFile(path, "w") as z:
        info = zipfile.ZipInfo("index.py")
        info.external_attr = 0o100644 << 16
        z.writestr(info, "import os\ndef handler(event, context):\n    return {'stage': os.environ['STAGE'], 'event': event}\n")


def test_apply_plan_no_changes_destroy(terraform, tmp_path):
    require_net_admin()
    s = Server(extra_args=["--eni-create-delay", "0ms"]).start()
    try:
        tag = fabric_tag(s)
        work = tmp_path / "stack"
        work.mkdir()
        shutil.copy(os.path.join(HERE, "terraform", "vpc_function.tf"), work / "main.tf")
        package(work / "fn.zip")
        variables = ["-var", f"endpoint={s.endpoint}", "-var", f"package={work / 'fn.zip'}"]
        terraform(work, "init", "-input=false")
        terraform(work, "apply", "-auto-approve", "-input=false", *variables)
        outputs = json.loads(terraform(work, "output", "-json").stdout)
        assert outputs["function_arn"]["value"] == "arn:aws:lambda:us-east-1:123456789012:function:tf-fn"
        images = s.client("ec2").describe_images(Owners=["amazon"])["Images"]
        assert outputs["al2023_image"]["value"] in [i["ImageId"] for i in images]

        # What Terraform made is real: the function runs in the VPC, its log group has Terraform's settings.
        lam = s.client("lambda")
        cfg = lam.get_function_configuration(FunctionName="tf-fn")
        assert cfg["State"] == "Active" and cfg["VpcConfig"]["VpcId"] == outputs["vpc_id"]["value"]
        r = lam.invoke(FunctionName="tf-fn", Payload=b'{"hello": "terraform"}')
        assert json.loads(r["Payload"].read()) == {"stage": "test", "event": {"hello": "terraform"}}
        group = s.client("logs").describe_log_groups(logGroupNamePrefix="/aws/lambda/tf-fn")["logGroups"][0]
        assert group["retentionInDays"] == 7
        assert namespaces(tag), "the VPC is built in the kernel"

        # No drift on any attribute.
        plan = terraform(work, "plan", "-detailed-exitcode", "-input=false", *variables, check=False)
        assert plan.returncode == 0, plan.stdout[-6000:]

        terraform(work, "destroy", "-auto-approve", "-input=false", *variables)
        ec2 = s.client("ec2")
        assert ec2.describe_vpcs(Filters=[{"Name": "cidr", "Values": ["10.20.0.0/16"]}])["Vpcs"] == []
        assert ec2.describe_addresses()["Addresses"] == []
        assert [n for n in ec2.describe_nat_gateways()["NatGateways"] if n["State"] not in ("deleted",)] == []
        assert ec2.describe_network_interfaces()["NetworkInterfaces"] == []
        assert lam.list_functions()["Functions"] == []
        assert [r["RoleName"] for r in s.client("iam").list_roles()["Roles"] if r["RoleName"] == "tf-fn-role"] == []
        assert s.client("logs").describe_log_groups(logGroupNamePrefix="/aws/lambda/tf-fn")["logGroups"] == []
        assert s.client("ssm").describe_parameters()["Parameters"] == []
        assert namespaces(tag) == [], "nothing is left in the kernel"
        ledger = os.path.join(s.data_dir, "sandbox", "netns")
        assert not os.path.isdir(ledger) or os.listdir(ledger) == []
    finally:
        s.cleanup()
