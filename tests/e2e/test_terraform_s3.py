"""Terraform (hashicorp/aws 5.100.0, filesystem mirror) with S3: a versioned bucket with a policy and tags, an object
holding a package, a function created from it with s3_bucket/s3_key; a second plan has no changes; destroy leaves
no bucket."""
import json
import os
import shutil

from conftest import Server
from test_terraform import HERE, package, terraform  # noqa: F401 (the fixture)


def test_s3_stack_apply_plan_destroy(terraform, tmp_path):  # noqa: F811
    s = Server().start()
    try:
        work = tmp_path / "s3stack"
        work.mkdir()
        shutil.copy(os.path.join(HERE, "terraform", "s3_stack.tf"), work / "main.tf")
        package(work / "fn.zip")
        variables = ["-var", f"endpoint={s.endpoint}", "-var", f"package={work / 'fn.zip'}"]
        terraform(work, "init", "-input=false")
        terraform(work, "apply", "-auto-approve", "-input=false", *variables)
        outputs = json.loads(terraform(work, "output", "-json").stdout)
        s3 = s.client("s3")
        assert s3.get_bucket_versioning(Bucket="tf-artifacts")["Status"] == "Enabled"
        assert outputs["object_version"]["value"] == s3.head_object(Bucket="tf-artifacts", Key="functions/fn.zip")["VersionId"]
        assert json.loads(s3.get_bucket_policy(Bucket="tf-artifacts")["Policy"])["Statement"][0]["Sid"] == "DenyInsecureDeletes"
        assert s3.get_bucket_tagging(Bucket="tf-artifacts")["TagSet"] == [{"Key": "team", "Value": "platform"}]
        lam = s.client("lambda")
        r = lam.invoke(FunctionName="tf-s3-fn", Payload=b'{"from": "s3"}')
        assert json.loads(r["Payload"].read()) == {"stage": "s3", "event": {"from": "s3"}}

        plan = terraform(work, "plan", "-detailed-exitcode", "-input=false", *variables, check=False)
        assert plan.returncode == 0, plan.stdout[-6000:]

        terraform(work, "destroy", "-auto-approve", "-input=false", *variables)
        assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == []
        assert lam.list_functions()["Functions"] == []
    finally:
        s.cleanup()
