"""EC2 key pairs (Create with real key material and AWS's fingerprints, Import, Describe, Delete) and launch
templates (versions, $Latest/$Default, default changes, deletes, RunInstances from a template), through boto3 and
the AWS CLI, errors included; both persist across a restart; `--enforce-iam` authorizes them on their ARNs."""
import base64
import hashlib
import json
import os
import subprocess
import tempfile
import time

import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, Server

AL2023_X86 = "al2023-ami-2023.6.20241212.0-kernel-6.1-x86_64"


def error(excinfo):
    return excinfo.value.response["Error"]["Code"], excinfo.value.response["Error"]["Message"]


def sh(cmd, data=None):
    return subprocess.run(cmd, shell=True, input=data, capture_output=True, check=True).stdout


@pytest.fixture
def workdir():
    d = tempfile.mkdtemp(prefix="lv-keys-")
    yield d
    subprocess.run(["rm", "-rf", d])


def write_private(workdir, name, material):
    path = os.path.join(workdir, name)
    with open(path, "w") as f:
        f.write(material + "\n")
    os.chmod(path, 0o600)
    return path


def test_create_rsa_key_pair_material_and_fingerprint(ec2, server, workdir):
    created = ec2.create_key_pair(KeyName="rsa-one", TagSpecifications=[
        {"ResourceType": "key-pair", "Tags": [{"Key": "team", "Value": "db"}]}])
    assert created["KeyName"] == "rsa-one" and created["KeyPairId"].startswith("key-") and len(created["KeyPairId"]) == 21
    assert created["KeyMaterial"].startswith("-----BEGIN RSA PRIVATE KEY-----")
    assert created["Tags"] == [{"Key": "team", "Value": "db"}]
    path = write_private(workdir, "rsa-one.pem", created["KeyMaterial"])
    # AWS's documented recipe for keys EC2 created: SHA-1 of the private key's PKCS#8 DER.
    der = sh(f"openssl pkcs8 -in {path} -inform PEM -outform DER -topk8 -nocrypt")
    assert created["KeyFingerprint"] == ":".join(f"{b:02x}" for b in hashlib.sha1(der).digest())
    public = sh(f"ssh-keygen -y -f {path}").decode().split()
    described = ec2.describe_key_pairs(KeyNames=["rsa-one"], IncludePublicKey=True)["KeyPairs"][0]
    assert described["KeyPairId"] == created["KeyPairId"] and described["KeyType"] == "rsa"
    assert described["KeyFingerprint"] == created["KeyFingerprint"] and described["PublicKey"].split()[:2] == public[:2]
    assert "KeyMaterial" not in described and described["Tags"] == [{"Key": "team", "Value": "db"}]
    assert abs(described["CreateTime"].timestamp() - time.time()) < 300
    with pytest.raises(ClientError) as e:
        ec2.create_key_pair(KeyName="rsa-one")
    assert error(e) == ("InvalidKeyPair.Duplicate", "The keypair 'rsa-one' already exists.")
    ec2.delete_key_pair(KeyName="rsa-one")
    with pytest.raises(ClientError) as e:
        ec2.describe_key_pairs(KeyNames=["rsa-one"])
    assert error(e) == ("InvalidKeyPair.NotFound", "The key pair 'rsa-one' does not exist")


def test_create_ed25519_key_pair_through_the_cli(server, ec2, workdir):
    _, out, _ = server.aws("ec2", "create-key-pair", "--key-name", "ed-one", "--key-type", "ed25519")
    assert out["KeyMaterial"].startswith("-----BEGIN OPENSSH PRIVATE KEY-----")
    path = write_private(workdir, "ed-one", out["KeyMaterial"])
    blob = base64.b64decode(sh(f"ssh-keygen -y -f {path}").decode().split()[1])
    assert out["KeyFingerprint"] == base64.b64encode(hashlib.sha256(blob).digest()).decode()
    # ssh-keygen shows the same digest, unpadded.
    assert sh(f"ssh-keygen -l -f {path}").decode().split()[1] == "SHA256:" + out["KeyFingerprint"].rstrip("=")
    _, listed, _ = server.aws("ec2", "describe-key-pairs", "--filters", "Name=key-type,Values=ed25519")
    assert [k["KeyName"] for k in listed["KeyPairs"]] == ["ed-one"]
    server.aws("ec2", "delete-key-pair", "--key-pair-id", out["KeyPairId"])
    code, _, err = server.aws("ec2", "describe-key-pairs", "--key-names", "ed-one", check=False)
    assert code != 0 and "InvalidKeyPair.NotFound" in err


def test_import_key_pair(ec2, server, workdir):
    key = os.path.join(workdir, "imported")
    sh(f"ssh-keygen -q -t rsa -b 2048 -N '' -C me@host -f {key}")
    with open(key + ".pub", "rb") as f:
        material = f.read()
    imported = ec2.import_key_pair(KeyName="imported-rsa", PublicKeyMaterial=material)
    # AWS's recipe for imported RSA keys: MD5 of the public key's SubjectPublicKeyInfo DER.
    spki = sh(f"ssh-keygen -e -m PKCS8 -f {key}.pub | openssl pkey -pubin -outform DER")
    assert imported["KeyFingerprint"] == ":".join(f"{b:02x}" for b in hashlib.md5(spki).digest())
    assert imported["KeyPairId"].startswith("key-")
    ed = os.path.join(workdir, "imported-ed")
    sh(f"ssh-keygen -q -t ed25519 -N '' -f {ed}")
    _, out, _ = server.aws("ec2", "import-key-pair", "--key-name", "imported-ed", "--public-key-material", f"fileb://{ed}.pub")
    blob = base64.b64decode(open(ed + ".pub").read().split()[1])
    assert out["KeyFingerprint"] == base64.b64encode(hashlib.sha256(blob).digest()).decode()
    with pytest.raises(ClientError) as e:
        ec2.import_key_pair(KeyName="bad", PublicKeyMaterial=b"ssh-rsa not-a-key")
    assert error(e) == ("InvalidKey.Format", "Key is not in valid OpenSSH public key format")
    with pytest.raises(ClientError) as e:
        ec2.import_key_pair(KeyName="imported-rsa", PublicKeyMaterial=material)
    assert error(e)[0] == "InvalidKeyPair.Duplicate"
    by_tag_filter = ec2.describe_key_pairs(Filters=[{"Name": "key-name", "Values": ["imported-*"]}])["KeyPairs"]
    assert sorted(k["KeyName"] for k in by_tag_filter) == ["imported-ed", "imported-rsa"]
    # Deleting a name that does not exist succeeds, as on EC2.
    assert ec2.delete_key_pair(KeyName="never-was")["Return"] is True
    for name in ("imported-rsa", "imported-ed"):
        ec2.delete_key_pair(KeyName=name)


@pytest.fixture
def net(ec2):
    vpc = ec2.create_vpc(CidrBlock="10.93.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.93.1.0/24")["Subnet"]["SubnetId"]
    sg = ec2.create_security_group(GroupName="lt-web", Description="web", VpcId=vpc)["GroupId"]
    return vpc, subnet, sg


def al2023(ec2):
    return ec2.describe_images(Owners=["amazon"], Filters=[{"Name": "name", "Values": [AL2023_X86]}])["Images"][0]["ImageId"]


def test_run_instances_key_name_must_exist(ec2, net):
    _, subnet, _ = net
    with pytest.raises(ClientError) as e:
        ec2.run_instances(ImageId=al2023(ec2), MinCount=1, MaxCount=1, SubnetId=subnet, KeyName="missing-key")
    assert error(e) == ("InvalidKeyPair.NotFound", "The key pair 'missing-key' does not exist")
    ec2.create_key_pair(KeyName="run-key", KeyType="ed25519")
    i = ec2.run_instances(ImageId=al2023(ec2), MinCount=1, MaxCount=1, SubnetId=subnet, KeyName="run-key")["Instances"][0]
    assert i["KeyName"] == "run-key"
    ec2.terminate_instances(InstanceIds=[i["InstanceId"]])
    ec2.delete_key_pair(KeyName="run-key")


def test_launch_template_versions_and_run_instances(ec2, server, net):
    vpc, subnet, sg = net
    image = al2023(ec2)
    ec2.create_key_pair(KeyName="lt-key", KeyType="ed25519")
    user_data = base64.b64encode(b"#!/bin/sh\necho from-template\n").decode()
    created = ec2.create_launch_template(
        LaunchTemplateName="web", VersionDescription="first",
        LaunchTemplateData={"ImageId": image, "InstanceType": "t3.small", "KeyName": "lt-key", "UserData": user_data,
                            "SecurityGroupIds": [sg], "MetadataOptions": {"HttpTokens": "required"},
                            "TagSpecifications": [{"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": "web"}]}]},
        TagSpecifications=[{"ResourceType": "launch-template", "Tags": [{"Key": "env", "Value": "test"}]}])["LaunchTemplate"]
    lt = created["LaunchTemplateId"]
    assert lt.startswith("lt-") and created["DefaultVersionNumber"] == 1 and created["LatestVersionNumber"] == 1
    assert created["CreatedBy"] == f"arn:aws:iam::{ACCOUNT}:root" and created["Tags"] == [{"Key": "env", "Value": "test"}]
    with pytest.raises(ClientError) as e:
        ec2.create_launch_template(LaunchTemplateName="web", LaunchTemplateData={"InstanceType": "t3.micro"})
    assert error(e) == ("InvalidLaunchTemplateName.AlreadyExistsException", "Launch template name already in use.")
    with pytest.raises(ClientError) as e:
        ec2.create_launch_template(LaunchTemplateName="bad name!", LaunchTemplateData={"InstanceType": "t3.micro"})
    assert error(e)[0] == "InvalidLaunchTemplateName.MalformedException"

    v2 = ec2.create_launch_template_version(LaunchTemplateId=lt, SourceVersion="1", VersionDescription="bigger",
                                            LaunchTemplateData={"InstanceType": "m5.large"})["LaunchTemplateVersion"]
    assert v2["VersionNumber"] == 2 and v2["DefaultVersion"] is False
    assert v2["LaunchTemplateData"]["InstanceType"] == "m5.large" and v2["LaunchTemplateData"]["ImageId"] == image
    assert v2["LaunchTemplateData"]["SecurityGroupIds"] == [sg] and v2["LaunchTemplateData"]["KeyName"] == "lt-key"
    v3 = ec2.create_launch_template_version(LaunchTemplateName="web", LaunchTemplateData={
        "InstanceType": "c5.large", "NetworkInterfaces": [{"DeviceIndex": 0, "SubnetId": subnet, "Groups": [sg]}]})
    assert v3["LaunchTemplateVersion"]["VersionNumber"] == 3 and "ImageId" not in v3["LaunchTemplateVersion"]["LaunchTemplateData"]

    latest = ec2.describe_launch_template_versions(LaunchTemplateId=lt, Versions=["$Latest"])["LaunchTemplateVersions"]
    assert [v["VersionNumber"] for v in latest] == [3]
    default = ec2.describe_launch_template_versions(LaunchTemplateName="web", Versions=["$Default"])["LaunchTemplateVersions"]
    assert [(v["VersionNumber"], v["DefaultVersion"], v["VersionDescription"]) for v in default] == [(1, True, "first")]
    data = default[0]["LaunchTemplateData"]
    assert data["UserData"] == user_data and data["MetadataOptions"]["HttpTokens"] == "required"
    assert data["TagSpecifications"] == [{"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": "web"}]}]
    every = ec2.describe_launch_template_versions(LaunchTemplateId=lt)["LaunchTemplateVersions"]
    assert [v["VersionNumber"] for v in every] == [3, 2, 1]
    with pytest.raises(ClientError) as e:
        ec2.describe_launch_template_versions(LaunchTemplateId=lt, Versions=["9"])
    assert error(e) == ("InvalidLaunchTemplateId.VersionNotFound",
                        f"Could not find launch template version 9 for launch template ID {lt}.")

    modified = ec2.modify_launch_template(LaunchTemplateId=lt, DefaultVersion="2")["LaunchTemplate"]
    assert modified["DefaultVersionNumber"] == 2 and modified["LatestVersionNumber"] == 3

    # Version $Default (2): the template's image, type, key, user data, groups; the request's subnet.
    r = ec2.run_instances(MinCount=1, MaxCount=1, SubnetId=subnet, LaunchTemplate={"LaunchTemplateName": "web"})
    i = r["Instances"][0]
    assert (i["ImageId"], i["InstanceType"], i["KeyName"]) == (image, "m5.large", "lt-key")
    assert [g["GroupId"] for g in i["SecurityGroups"]] == [sg] and i["SubnetId"] == subnet
    tags = {t["Key"]: t["Value"] for t in i["Tags"]}
    assert tags == {"Name": "web", "aws:ec2launchtemplate:id": lt, "aws:ec2launchtemplate:version": "2"}
    # Request parameters win over the template's; version 3 brings the subnet through its network interface.
    r2 = ec2.run_instances(MinCount=1, MaxCount=1, ImageId=image, InstanceType="t3.medium",
                           LaunchTemplate={"LaunchTemplateId": lt, "Version": "3"})["Instances"][0]
    assert r2["InstanceType"] == "t3.medium" and r2["SubnetId"] == subnet and r2["ImageId"] == image
    with pytest.raises(ClientError) as e:
        ec2.run_instances(MinCount=1, MaxCount=1, SubnetId=subnet, LaunchTemplate={"LaunchTemplateId": lt, "Version": "7"})
    assert error(e)[0] == "InvalidLaunchTemplateId.VersionNotFound"
    with pytest.raises(ClientError) as e:
        ec2.run_instances(MinCount=1, MaxCount=1, SubnetId=subnet, LaunchTemplate={"LaunchTemplateName": "nope"})
    assert error(e)[0] == "InvalidLaunchTemplateName.NotFoundException"
    ec2.terminate_instances(InstanceIds=[i["InstanceId"], r2["InstanceId"]])

    deleted = ec2.delete_launch_template_versions(LaunchTemplateId=lt, Versions=["1", "2", "8"])
    assert [v["VersionNumber"] for v in deleted["SuccessfullyDeletedLaunchTemplateVersions"]] == [1]
    failed = {v["VersionNumber"]: v["ResponseError"]["Code"] for v in deleted["UnsuccessfullyDeletedLaunchTemplateVersions"]}
    assert failed == {2: "unexpectedError", 8: "launchTemplateVersionDoesNotExist"}
    listed = ec2.describe_launch_templates(Filters=[{"Name": "tag:env", "Values": ["test"]}])["LaunchTemplates"]
    assert [(t["LaunchTemplateId"], t["DefaultVersionNumber"], t["LatestVersionNumber"]) for t in listed] == [(lt, 2, 3)]
    assert ec2.delete_launch_template(LaunchTemplateName="web")["LaunchTemplate"]["LaunchTemplateId"] == lt
    with pytest.raises(ClientError) as e:
        ec2.describe_launch_templates(LaunchTemplateIds=[lt])
    assert error(e) == ("InvalidLaunchTemplateId.NotFound", f"The specified launch template, with template ID {lt}, does not exist.")
    with pytest.raises(ClientError) as e:
        ec2.describe_launch_templates(LaunchTemplateNames=["web"])
    assert error(e)[0] == "InvalidLaunchTemplateName.NotFoundException"
    with pytest.raises(ClientError) as e:
        ec2.describe_launch_templates(LaunchTemplateIds=["lt-bad"])
    assert error(e)[0] == "InvalidLaunchTemplateId.Malformed"
    ec2.delete_key_pair(KeyName="lt-key")


def test_launch_templates_through_the_cli(server, ec2, net):
    _, subnet, sg = net
    data = json.dumps({"ImageId": al2023(ec2), "InstanceType": "t3.micro", "SecurityGroupIds": [sg]})
    _, out, _ = server.aws("ec2", "create-launch-template", "--launch-template-name", "cli-lt", "--launch-template-data", data)
    lt = out["LaunchTemplate"]["LaunchTemplateId"]
    server.aws("ec2", "create-launch-template-version", "--launch-template-id", lt, "--source-version", "$Latest",
               "--launch-template-data", '{"InstanceType": "t3.small"}')
    _, out, _ = server.aws("ec2", "describe-launch-template-versions", "--launch-template-name", "cli-lt",
                           "--versions", "$Latest", "$Default")
    assert sorted((v["VersionNumber"], v["LaunchTemplateData"]["InstanceType"]) for v in out["LaunchTemplateVersions"]) == [
        (1, "t3.micro"), (2, "t3.small")]
    server.aws("ec2", "modify-launch-template", "--launch-template-id", lt, "--default-version", "2")
    _, out, _ = server.aws("ec2", "run-instances", "--launch-template", f"LaunchTemplateId={lt}", "--subnet-id", subnet,
                           "--count", "1")
    inst = out["Instances"][0]
    assert inst["InstanceType"] == "t3.small"
    server.aws("ec2", "terminate-instances", "--instance-ids", inst["InstanceId"])
    code, _, err = server.aws("ec2", "create-launch-template", "--launch-template-name", "cli-lt",
                              "--launch-template-data", data, check=False)
    assert code != 0 and "InvalidLaunchTemplateName.AlreadyExistsException" in err
    server.aws("ec2", "delete-launch-template", "--launch-template-id", lt)
    code, _, err = server.aws("ec2", "describe-launch-templates", "--launch-template-ids", lt, check=False)
    assert code != 0 and "InvalidLaunchTemplateId.NotFound" in err


def test_key_pairs_and_templates_survive_restart(fresh_server):
    ec2 = fresh_server.client("ec2")
    key = ec2.create_key_pair(KeyName="kept", KeyType="ed25519")
    lt = ec2.create_launch_template(LaunchTemplateName="kept-lt", LaunchTemplateData={"InstanceType": "t3.micro",
                                                                                      "KeyName": "kept"})
    lt_id = lt["LaunchTemplate"]["LaunchTemplateId"]
    ec2.create_launch_template_version(LaunchTemplateId=lt_id, LaunchTemplateData={"InstanceType": "c5.large"})
    ec2.modify_launch_template(LaunchTemplateId=lt_id, DefaultVersion="2")
    fresh_server.restart()
    ec2 = fresh_server.client("ec2")
    kept = ec2.describe_key_pairs(KeyNames=["kept"])["KeyPairs"][0]
    assert (kept["KeyPairId"], kept["KeyFingerprint"], kept["KeyType"]) == (key["KeyPairId"], key["KeyFingerprint"], "ed25519")
    t = ec2.describe_launch_templates(LaunchTemplateNames=["kept-lt"])["LaunchTemplates"][0]
    assert (t["LaunchTemplateId"], t["DefaultVersionNumber"], t["LatestVersionNumber"]) == (lt_id, 2, 2)
    versions = ec2.describe_launch_template_versions(LaunchTemplateId=lt_id)["LaunchTemplateVersions"]
    assert [(v["VersionNumber"], v["LaunchTemplateData"]["InstanceType"]) for v in versions] == [(2, "c5.large"), (1, "t3.micro")]
    with pytest.raises(ClientError) as e:
        ec2.create_key_pair(KeyName="kept")
    assert error(e)[0] == "InvalidKeyPair.Duplicate"


def test_enforce_iam_authorizes_key_pairs_templates_and_catalogs():
    s = Server(extra_args=["--enforce-iam"]).start()
    try:
        iam = s.client("iam")
        iam.create_user(UserName="ops")
        policy = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["ec2:DescribeRegions", "ec2:DescribeKeyPairs"], "Resource": "*"},
            {"Effect": "Allow", "Action": ["ec2:CreateKeyPair", "ec2:DeleteKeyPair"],
             "Resource": f"arn:aws:ec2:us-east-1:{ACCOUNT}:key-pair/ops-*"},
            {"Effect": "Allow", "Action": "ec2:CreateLaunchTemplate", "Resource": "*"}]}
        iam.put_user_policy(UserName="ops", PolicyName="p", PolicyDocument=json.dumps(policy))
        k = iam.create_access_key(UserName="ops")["AccessKey"]
        ec2 = s.client("ec2", key=k["AccessKeyId"], secret=k["SecretAccessKey"])
        assert ec2.describe_regions()["Regions"]
        assert ec2.create_key_pair(KeyName="ops-1", KeyType="ed25519")["KeyName"] == "ops-1"
        for call, kw in [(ec2.create_key_pair, {"KeyName": "other"}), (ec2.describe_images, {}),
                         (ec2.describe_instance_types, {}), (ec2.describe_launch_templates, {}),
                         (ec2.describe_account_attributes, {})]:
            with pytest.raises(ClientError) as e:
                call(**kw)
            assert error(e)[0] == "UnauthorizedOperation", call
        lt = ec2.create_launch_template(LaunchTemplateName="ops-lt", LaunchTemplateData={"InstanceType": "t3.micro"})
        with pytest.raises(ClientError) as e:
            ec2.delete_launch_template(LaunchTemplateId=lt["LaunchTemplate"]["LaunchTemplateId"])
        assert error(e)[0] == "UnauthorizedOperation"
        assert f"on resource: arn:aws:ec2:us-east-1:{ACCOUNT}:launch-template/" + lt["LaunchTemplate"]["LaunchTemplateId"] in error(e)[1]
        ec2.delete_key_pair(KeyName="ops-1")
        assert s.client("ec2").describe_key_pairs()["KeyPairs"] == []
    finally:
        s.cleanup()
