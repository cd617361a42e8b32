"""IMDSv2 at 169.254.169.254 inside each instance's namespace: a token from PUT /latest/api/token, then metadata,
the instance identity document and, for an instance with an instance profile, its role's credentials. The user
data asks with curl and writes what it got into its home directory (`<data-dir>/instances/<id>/`), read here."""
import json
import os
import subprocess
import sys
import time

import boto3
import pytest
from botocore.config import Config

from conftest import ACCOUNT, REGION, Server, call_error
from network_support import fabric_tag, namespaces, require_net_admin, wait_console, wait_running

EC2_TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})

ASK_IMDS = """#!/bin/sh
M=http://169.254.169.254
echo "without token: $(curl -s -o /dev/null -w '%{http_code}' $M/latest/meta-data/instance-id)"
T=$(curl -s -X PUT -H "X-aws-ec2-metadata-token-ttl-seconds: 300" $M/latest/api/token)
echo "no ttl: $(curl -s -o /dev/null -w '%{http_code}' -X PUT $M/latest/api/token)"
get() { curl -s -H "X-aws-ec2-metadata-token: $T" "$M$1"; }
code() { curl -s -o /dev/null -w '%{http_code}' -H "X-aws-ec2-metadata-token: $T" "$M$1"; }
for p in instance-id ami-id instance-type local-ipv4 mac hostname placement/availability-zone placement/region; do
  echo "$p=$(get /latest/meta-data/$p)" >> meta.txt
done
get /latest/meta-data/ > listing.txt
get /latest/dynamic/instance-identity/document > identity.json
echo "iam-info: $(code /latest/meta-data/iam/info)"
ROLE=$(curl -sf -H "X-aws-ec2-metadata-token: $T" $M/latest/meta-data/iam/security-credentials/)
if [ -n "$ROLE" ]; then
  get /latest/meta-data/iam/info > iam-info.json
  get "/latest/meta-data/iam/security-credentials/$ROLE" > credentials.json
  echo "role: $ROLE"
fi
echo imds-done
"""


@pytest.fixture(scope="module")
def net_server():
    require_net_admin()
    s = Server().start()
    yield s
    s.cleanup()


def network(ec2, cidr):
    vpc = ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock=cidr.replace("0.0/16", "1.0/24"))["Subnet"]["SubnetId"]
    return vpc, subnet


def home(server, instance_id, name):
    with open(os.path.join(server.data_dir, "instances", instance_id, name)) as f:
        return f.read()


def test_imds_gives_metadata_and_the_instance_profiles_credentials(net_server):
    iam, ec2 = net_server.client("iam"), net_server.client("ec2")
    iam.create_role(RoleName="web-role", AssumeRolePolicyDocument=EC2_TRUST)
    profile = iam.create_instance_profile(InstanceProfileName="web-profile")["InstanceProfile"]
    iam.add_role_to_instance_profile(InstanceProfileName="web-profile", RoleName="web-role")
    _, subnet = network(ec2, "10.71.0.0/16")
    r = ec2.run_instances(ImageId="ami-lambdavpc", MinCount=1, MaxCount=1, SubnetId=subnet, UserData=ASK_IMDS,
                          IamInstanceProfile={"Name": "web-profile"})["Instances"][0]
    instance_id = r["InstanceId"]
    assert r["IamInstanceProfile"] == {"Arn": profile["Arn"], "Id": profile["InstanceProfileId"]}
    described = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]
    assert described["IamInstanceProfile"] == {"Arn": profile["Arn"], "Id": profile["InstanceProfileId"]}
    wait_running(ec2, instance_id)
    lines = wait_console(ec2, instance_id, lambda ls: "imds-done" in ls, what="the IMDS script's end")
    assert "without token: 401" in lines, lines
    assert "no ttl: 400" in lines, lines
    assert "iam-info: 200" in lines and "role: web-role" in lines, lines

    meta = dict(l.split("=", 1) for l in home(net_server, instance_id, "meta.txt").splitlines())
    ip = r["PrivateIpAddress"]
    assert meta == {"instance-id": instance_id, "ami-id": "ami-lambdavpc", "instance-type": r["InstanceType"],
                    "local-ipv4": ip, "mac": r["NetworkInterfaces"][0]["MacAddress"],
                    "hostname": "ip-" + ip.replace(".", "-") + ".ec2.internal",
                    "placement/availability-zone": r["Placement"]["AvailabilityZone"], "placement/region": REGION}
    assert "iam/" in home(net_server, instance_id, "listing.txt").splitlines()
    identity = json.loads(home(net_server, instance_id, "identity.json"))
    assert (identity["instanceId"], identity["accountId"], identity["region"], identity["privateIp"]) == (
        instance_id, ACCOUNT, REGION, ip)
    info = json.loads(home(net_server, instance_id, "iam-info.json"))
    assert (info["Code"], info["InstanceProfileArn"], info["InstanceProfileId"]) == (
        "Success", profile["Arn"], profile["InstanceProfileId"])

    creds = json.loads(home(net_server, instance_id, "credentials.json"))
    assert (creds["Code"], creds["Type"]) == ("Success", "AWS-HMAC")
    assert creds["AccessKeyId"].startswith("ASIA") and creds["Token"] and creds["Expiration"].endswith("Z")
    # The credentials are the role's session named after the instance.
    sts = boto3.client("sts", endpoint_url=net_server.endpoint, region_name=REGION, aws_access_key_id=creds["AccessKeyId"],
                       aws_secret_access_key=creds["SecretAccessKey"], aws_session_token=creds["Token"],
                       config=Config(retries={"max_attempts": 1}))
    assert sts.get_caller_identity()["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/web-role/{instance_id}"

    ec2.terminate_instances(InstanceIds=[instance_id])


SDK_CREDENTIALS = f"""#!/bin/sh
{sys.executable} -c '
import botocore.session
c = botocore.session.get_session().get_credentials()
print("sdk", c.method, c.access_key[:4], bool(c.token))
with open("sdk-credentials.txt", "w") as f:
    f.write(" ".join([c.access_key, c.secret_key, c.token]))
'
echo sdk-done
"""


def test_an_sdk_with_default_settings_finds_the_role_credentials(net_server):
    """botocore's default credential chain, with nothing in the environment or home, ends at IMDSv2 (method iam-role)."""
    iam, ec2 = net_server.client("iam"), net_server.client("ec2")
    iam.create_role(RoleName="sdk-role", AssumeRolePolicyDocument=EC2_TRUST)
    iam.create_instance_profile(InstanceProfileName="sdk-profile")
    iam.add_role_to_instance_profile(InstanceProfileName="sdk-profile", RoleName="sdk-role")
    _, subnet = network(ec2, "10.76.0.0/16")
    instance_id = ec2.run_instances(ImageId="ami-lambdavpc", MinCount=1, MaxCount=1, SubnetId=subnet, UserData=SDK_CREDENTIALS,
                                    IamInstanceProfile={"Name": "sdk-profile"})["Instances"][0]["InstanceId"]
    wait_running(ec2, instance_id)
    lines = wait_console(ec2, instance_id, lambda ls: "sdk-done" in ls, timeout=30, what="the SDK script's end")
    assert "sdk iam-role ASIA True" in lines, lines
    key, secret, token = home(net_server, instance_id, "sdk-credentials.txt").split(" ")
    sts = boto3.client("sts", endpoint_url=net_server.endpoint, region_name=REGION, aws_access_key_id=key,
                       aws_secret_access_key=secret, aws_session_token=token, config=Config(retries={"max_attempts": 1}))
    assert sts.get_caller_identity()["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/sdk-role/{instance_id}"
    ec2.terminate_instances(InstanceIds=[instance_id])


def test_without_an_instance_profile_there_is_no_iam_metadata(net_server):
    ec2 = net_server.client("ec2")
    _, subnet = network(ec2, "10.72.0.0/16")
    instance_id = ec2.run_instances(ImageId="ami-lambdavpc", MinCount=1, MaxCount=1, SubnetId=subnet,
                                    UserData=ASK_IMDS)["Instances"][0]["InstanceId"]
    wait_running(ec2, instance_id)
    lines = wait_console(ec2, instance_id, lambda ls: "imds-done" in ls, what="the IMDS script's end")
    assert "iam-info: 404" in lines, lines
    assert not any(l.startswith("role:") for l in lines), lines
    assert "iam/" not in home(net_server, instance_id, "listing.txt").splitlines()
    assert home(net_server, instance_id, "meta.txt").splitlines()[0] == f"instance-id={instance_id}"
    # Stopping the instance removes the metadata route from its namespace (every ENI namespace is checked: the
    # other test's instance was terminated, so none may hold the route).
    tag = fabric_tag(net_server)
    assert any(metadata_route(ns) for ns in namespaces(tag) if "-eni-" in ns)
    ec2.stop_instances(InstanceIds=[instance_id])
    deadline = time.time() + 15
    while time.time() < deadline:
        if ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]["State"]["Name"] == "stopped":
            break
        time.sleep(0.1)
    assert [ns for ns in namespaces(tag) if "-eni-" in ns and metadata_route(ns)] == []


def metadata_route(namespace):
    out = subprocess.run(["ip", "-n", namespace, "route", "show", "table", "local"], capture_output=True, text=True).stdout
    return "169.254.169.254" in out


def test_run_instances_refuses_an_unknown_instance_profile(net_server):
    ec2 = net_server.client("ec2")
    _, subnet = network(ec2, "10.73.0.0/16")
    assert call_error(ec2.run_instances, ImageId="ami-lambdavpc", MinCount=1, MaxCount=1, SubnetId=subnet,
                      IamInstanceProfile={"Name": "nope"}) == (
        400, "InvalidParameterValue", "Value (nope) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name")
    arn = f"arn:aws:iam::{ACCOUNT}:instance-profile/nope"
    assert call_error(ec2.run_instances, ImageId="ami-lambdavpc", MinCount=1, MaxCount=1, SubnetId=subnet,
                      IamInstanceProfile={"Arn": arn}) == (
        400, "InvalidParameterValue", f"Value ({arn}) for parameter iamInstanceProfile.arn is invalid. Invalid IAM Instance Profile ARN")


def test_instance_profile_associations(net_server):
    iam, ec2 = net_server.client("iam"), net_server.client("ec2")
    first = iam.create_instance_profile(InstanceProfileName="assoc-a")["InstanceProfile"]
    second = iam.create_instance_profile(InstanceProfileName="assoc-b")["InstanceProfile"]
    _, subnet = network(ec2, "10.74.0.0/16")
    instance_id = ec2.run_instances(ImageId="ami-lambdavpc", MinCount=1, MaxCount=1, SubnetId=subnet)["Instances"][0]["InstanceId"]
    assert "IamInstanceProfile" not in ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]
    a = ec2.associate_iam_instance_profile(InstanceId=instance_id, IamInstanceProfile={"Name": "assoc-a"})["IamInstanceProfileAssociation"]
    assert a["AssociationId"].startswith("iip-assoc-") and a["State"] == "associating"
    assert a["IamInstanceProfile"] == {"Arn": first["Arn"], "Id": first["InstanceProfileId"]}
    assert call_error(ec2.associate_iam_instance_profile, InstanceId=instance_id, IamInstanceProfile={"Arn": second["Arn"]}) == (
        400, "IncorrectState", f"There is an existing association for instance {instance_id}")
    listed = ec2.describe_iam_instance_profile_associations(Filters=[{"Name": "instance-id", "Values": [instance_id]}])
    assert [(x["AssociationId"], x["State"]) for x in listed["IamInstanceProfileAssociations"]] == [(a["AssociationId"], "associated")]
    r = ec2.replace_iam_instance_profile_association(AssociationId=a["AssociationId"], IamInstanceProfile={"Name": "assoc-b"})
    b = r["IamInstanceProfileAssociation"]
    assert b["IamInstanceProfile"]["Arn"] == second["Arn"]
    described = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]
    assert described["IamInstanceProfile"] == {"Arn": second["Arn"], "Id": second["InstanceProfileId"]}
    gone = ec2.disassociate_iam_instance_profile(AssociationId=b["AssociationId"])["IamInstanceProfileAssociation"]
    assert gone["State"] == "disassociating"
    assert ec2.describe_iam_instance_profile_associations(
        Filters=[{"Name": "instance-id", "Values": [instance_id]}])["IamInstanceProfileAssociations"] == []
    assert call_error(ec2.disassociate_iam_instance_profile, AssociationId=b["AssociationId"]) == (
        400, "InvalidAssociationID.NotFound", f"An association with ID {b['AssociationId']} does not exist.")
    ec2.terminate_instances(InstanceIds=[instance_id])


def test_enforced_an_instance_profile_needs_pass_role():
    s = Server(extra_args=["--enforce-iam"]).start()
    try:
        iam, root_ec2 = s.client("iam"), s.client("ec2")
        role = iam.create_role(RoleName="app-role", AssumeRolePolicyDocument=EC2_TRUST)["Role"]
        iam.create_instance_profile(InstanceProfileName="app-profile")
        iam.add_role_to_instance_profile(InstanceProfileName="app-profile", RoleName="app-role")
        _, subnet = network(root_ec2, "10.75.0.0/16")
        iam.create_user(UserName="ops")
        iam.put_user_policy(UserName="ops", PolicyName="ec2", PolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ec2:*", "Resource": "*"}]}))
        key = iam.create_access_key(UserName="ops")["AccessKey"]
        ec2 = s.client("ec2", key=key["AccessKeyId"], secret=key["SecretAccessKey"])
        status, code, msg = call_error(ec2.run_instances, ImageId="ami-lambdavpc", MinCount=1, MaxCount=1, SubnetId=subnet,
                                       IamInstanceProfile={"Name": "app-profile"})
        assert (status, code) == (403, "UnauthorizedOperation")
        assert (f"User: arn:aws:iam::{ACCOUNT}:user/ops is not authorized to perform: iam:PassRole on resource: {role['Arn']}"
                in msg), msg
        assert root_ec2.describe_instances()["Reservations"] == []
        iam.put_user_policy(UserName="ops", PolicyName="pass", PolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:PassRole", "Resource": role["Arn"],
                                                    "Condition": {"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}}}]}))
        instance_id = ec2.run_instances(ImageId="ami-lambdavpc", MinCount=1, MaxCount=1, SubnetId=subnet,
                                        IamInstanceProfile={"Name": "app-profile"})["Instances"][0]["InstanceId"]
        ec2.terminate_instances(InstanceIds=[instance_id])
    finally:
        s.cleanup()


CLI_IDENTITY = f"""#!/bin/sh
# The AWS CLI as on an instance: no keys anywhere, so its credential chain ends at IMDSv2; the VPC's resolver names
# STS, and the internet gateway with the instance's Elastic IP (associated just after launch) leads to the edge.
for i in $(seq 1 40); do
  {sys.executable} -m awscli sts get-caller-identity --region us-east-1 --query Arn --output text \\
      --cli-connect-timeout 2 > identity.txt 2> identity.err && break
  sleep 1
done
echo "cli-exit $?"
"""


def test_user_data_calls_sts_with_the_instance_profile_through_imds(net_server):
    iam, ec2 = net_server.client("iam"), net_server.client("ec2")
    iam.create_role(RoleName="cli-role", AssumeRolePolicyDocument=EC2_TRUST)
    iam.create_instance_profile(InstanceProfileName="cli-profile")
    iam.add_role_to_instance_profile(InstanceProfileName="cli-profile", RoleName="cli-role")
    vpc, subnet = network(ec2, "10.77.0.0/16")
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    table = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["RouteTables"][0]["RouteTableId"]
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    instance_id = ec2.run_instances(ImageId="ami-lambdavpc", MinCount=1, MaxCount=1, SubnetId=subnet, UserData=CLI_IDENTITY,
                                    IamInstanceProfile={"Name": "cli-profile"})["Instances"][0]["InstanceId"]
    wait_running(ec2, instance_id)
    eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
    ec2.associate_address(AllocationId=eip, InstanceId=instance_id)
    lines = wait_console(ec2, instance_id, lambda ls: any(l.startswith("cli-exit") for l in ls), timeout=90,
                         what="the CLI's exit")
    assert "cli-exit 0" in lines, (lines, home(net_server, instance_id, "identity.err"))
    assert home(net_server, instance_id, "identity.txt").strip() == f"arn:aws:sts::{ACCOUNT}:assumed-role/cli-role/{instance_id}"
    ec2.terminate_instances(InstanceIds=[instance_id])
