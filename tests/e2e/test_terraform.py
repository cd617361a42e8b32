"""Real Terraform (1.11.4, hashicorp/aws 5.100.0 from the machine's filesystem mirror) against the server: apply a VPC
function's whole stack (with an SSM parameter read by a data source) in two regions at once, a second plan shows no
changes, destroy leaves nothing of it in the store or the kernel."""
import json
import os
import shutil
import time
import subprocess
import zipfile
from concurrent.futures import ThreadPoolExecutor

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


REGIONS = ("us-east-1", "eu-west-1")


def stack(terraform, s, tmp_path, region):
    """Applies the configuration in `region`, checks what it made, plans again (no changes) and destroys it."""
    work = tmp_path / region
    work.mkdir()
    shutil.copy(os.path.join(HERE, "terraform", "vpc_function.tf"), work / "main.tf")
    package(work / "fn.zip")
    variables = ["-var", f"endpoint={s.endpoint}", "-var", f"package={work / 'fn.zip'}", "-var", f"region={region}"]
    terraform(work, "init", "-input=false")
    terraform(work, "apply", "-auto-approve", "-input=false", *variables)
    outputs = json.loads(terraform(work, "output", "-json").stdout)
    assert outputs["function_arn"]["value"] == f"arn:aws:lambda:{region}:123456789012:function:tf-fn"
    images = s.client("ec2", region_name=region).describe_images(Owners=["amazon"])["Images"]
    assert outputs["al2023_image"]["value"] in [i["ImageId"] for i in images]

    # What Terraform made is real: the function runs in the VPC, its log group has Terraform's settings.
    lam = s.client("lambda", region_name=region)
    cfg = lam.get_function_configuration(FunctionName="tf-fn")
    assert cfg["State"] == "Active" and cfg["VpcConfig"]["VpcId"] == outputs["vpc_id"]["value"]
    r = lam.invoke(FunctionName="tf-fn", Payload=b'{"hello": "terraform"}')
    assert json.loads(r["Payload"].read()) == {"stage": "test", "event": {"hello": "terraform"}}
    group = s.client("logs", region_name=region).describe_log_groups(logGroupNamePrefix="/aws/lambda/tf-fn")["logGroups"][0]
    assert group["retentionInDays"] == 7

    # No drift on any attribute.
    plan = terraform(work, "plan", "-detailed-exitcode", "-input=false", *variables, check=False)
    assert plan.returncode == 0, plan.stdout[-6000:]
    return work, variables, outputs["vpc_id"]["value"]


def test_apply_plan_no_changes_destroy_in_two_regions_at_once(terraform, tmp_path):
    require_net_admin()
    # As `serve` runs by default: each region has its default VPC beside Terraform's.
    s = Server(default_vpc=True, extra_args=["--eni-create-delay", "0ms"]).start()
    try:
        tag = fabric_tag(s)
        # Both regions' default VPCs (made on first use) are in the kernel before Terraform starts: that is the baseline.
        for region in REGIONS:
            assert len(s.client("ec2", region_name=region).describe_vpcs()["Vpcs"]) == 1
        baseline = settled(lambda: namespaces(tag))
        assert baseline, "the default VPCs are built in the kernel"
        with ThreadPoolExecutor(len(REGIONS)) as pool:
            applied = dict(zip(REGIONS, pool.map(lambda r: stack(terraform, s, tmp_path, r), REGIONS)))
        # The same CIDR, names and function in both regions, each its own.
        vpcs = {r: applied[r][2] for r in REGIONS}
        assert len(set(vpcs.values())) == 2
        for r in REGIONS:
            other = [o for o in REGIONS if o != r][0]
            seen = [v["VpcId"] for v in s.client("ec2", region_name=r).describe_vpcs()["Vpcs"]]
            assert vpcs[r] in seen and vpcs[other] not in seen
        assert len(namespaces(tag)) > len(baseline), "Terraform's VPCs are built in the kernel"

        with ThreadPoolExecutor(len(REGIONS)) as pool:
            list(pool.map(lambda r: terraform(applied[r][0], "destroy", "-auto-approve", "-input=false", *applied[r][1]), REGIONS))
        for region in REGIONS:
            ec2 = s.client("ec2", region_name=region)
            # Only the region's default VPC is left, with nothing of Terraform's in it.
            assert [v["IsDefault"] for v in ec2.describe_vpcs()["Vpcs"]] == [True]
            assert ec2.describe_addresses()["Addresses"] == []
            assert [n for n in ec2.describe_nat_gateways()["NatGateways"] if n["State"] not in ("deleted",)] == []
            assert ec2.describe_network_interfaces()["NetworkInterfaces"] == []
            assert s.client("lambda", region_name=region).list_functions()["Functions"] == []
            logs = s.client("logs", region_name=region)
            assert logs.describe_log_groups(logGroupNamePrefix="/aws/lambda/tf-fn")["logGroups"] == []
            assert s.client("ssm", region_name=region).describe_parameters()["Parameters"] == []
        assert [r["RoleName"] for r in s.client("iam").list_roles()["Roles"] if r["RoleName"].startswith("tf-fn-role")] == []
        ledger = os.path.join(s.data_dir, "sandbox", "netns")
        assert not os.path.isdir(ledger) or os.listdir(ledger) == []
        assert settled(lambda: namespaces(tag)) == baseline, "nothing of Terraform's is left in the kernel"
    finally:
        s.cleanup()
    assert namespaces(tag) == []


def settled(read, quiet=1.0, timeout=30):
    """`read()` once it has not changed for `quiet` seconds (the fabric applies writes in the background)."""
    deadline = time.time() + timeout
    last, since = read(), time.time()
    while time.time() < deadline:
        time.sleep(0.2)
        now = read()
        if now != last:
            last, since = now, time.time()
        elif time.time() - since >= quiet:
            break
    return last
