"""Regions: each is its own world (VPCs, functions, parameters, log groups), IAM is global, every region gets a
default VPC on first use, and data dirs from before regions existed keep their state in the region they served."""
import json
import os
import sqlite3
import subprocess
import time

import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, Server, call_error, lambda_role
from lambda_support import ROLE, create_function, make_network, make_zip, unique


@pytest.fixture(scope="module")
def regional():
    """A server that gives regions their default VPC, as `serve` does by default (no kernel: this module checks
    the control plane; the fabric tests cover the kernel)."""
    s = Server(default_vpc=True, extra_args=["--no-network"]).start()
    yield s
    s.cleanup()


def test_resources_stay_in_their_region(regional):
    east, west = regional.client("ec2", region_name="us-east-1"), regional.client("ec2", region_name="eu-west-1")
    vpc = west.create_vpc(CidrBlock="10.70.0.0/16")["Vpc"]["VpcId"]
    assert vpc in [v["VpcId"] for v in west.describe_vpcs()["Vpcs"]]
    assert vpc not in [v["VpcId"] for v in east.describe_vpcs()["Vpcs"]]
    # Naming it in another region is naming something that does not exist there.
    assert call_error(east.describe_vpcs, VpcIds=[vpc])[1] == "InvalidVpcID.NotFound"
    zones = [z["ZoneName"] for z in west.describe_availability_zones()["AvailabilityZones"]]
    assert zones == ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
    assert [z["ZoneId"] for z in west.describe_availability_zones()["AvailabilityZones"]] == ["euw1-az1", "euw1-az2", "euw1-az3"]
    subnet = west.create_subnet(VpcId=vpc, CidrBlock="10.70.1.0/24", AvailabilityZone="eu-west-1b")["Subnet"]
    assert subnet["SubnetArn"] == f"arn:aws:ec2:eu-west-1:{ACCOUNT}:subnet/{subnet['SubnetId']}"
    # A zone of another region is not one of this region's.
    code = call_error(west.create_subnet, VpcId=vpc, CidrBlock="10.70.2.0/24", AvailabilityZone="us-east-1a")[1]
    assert code == "InvalidParameterValue"


def test_functions_parameters_and_logs_are_regional_and_iam_is_global(regional):
    lambda_role(regional)  # IAM: created once, seen from every region
    name = unique("same-name")
    arns = {}
    for region in ("us-east-1", "ap-southeast-2"):
        lam = regional.client("lambda", region_name=region)
        arns[region] = create_function(lam, name)["FunctionArn"]
        assert arns[region] == f"arn:aws:lambda:{region}:{ACCOUNT}:function:{name}"
    tokyo = regional.client("lambda", region_name="ap-northeast-1")
    assert call_error(tokyo.get_function, FunctionName=name)[1] == "ResourceNotFoundException"
    regional.client("lambda", region_name="ap-southeast-2").delete_function(FunctionName=name)
    assert regional.client("lambda", region_name="us-east-1").get_function(FunctionName=name)["Configuration"]["FunctionArn"] \
        == arns["us-east-1"]
    # The same role ARN works in both regions: IAM is global.
    assert regional.client("iam", region_name="eu-central-1").get_role(RoleName="lambda-role")["Role"]["Arn"] == ROLE

    ssm_east, ssm_west = regional.client("ssm", region_name="us-east-1"), regional.client("ssm", region_name="us-west-2")
    pname = "/" + unique("param")
    ssm_west.put_parameter(Name=pname, Value="west", Type="String")
    assert ssm_west.get_parameter(Name=pname)["Parameter"]["ARN"] == f"arn:aws:ssm:us-west-2:{ACCOUNT}:parameter{pname}"
    assert call_error(ssm_east.get_parameter, Name=pname)[1] == "ParameterNotFound"

    logs_east, logs_west = regional.client("logs", region_name="us-east-1"), regional.client("logs", region_name="us-west-2")
    group = "/" + unique("group")
    logs_west.create_log_group(logGroupName=group)
    assert [g["logGroupName"] for g in logs_west.describe_log_groups(logGroupNamePrefix=group)["logGroups"]] == [group]
    assert logs_east.describe_log_groups(logGroupNamePrefix=group)["logGroups"] == []
    # The same name is free in another region.
    logs_east.create_log_group(logGroupName=group)
    arn = logs_west.describe_log_groups(logGroupNamePrefix=group)["logGroups"][0]["arn"]
    assert arn.startswith(f"arn:aws:logs:us-west-2:{ACCOUNT}:log-group:{group}")


def test_invoke_runs_in_the_functions_region(regional):
    lambda_role(regional)
    lam = regional.client("lambda", region_name="eu-north-1")
    name = unique("where")
    body = "import os\ndef handler(event, context):\n    return {'region': os.environ['AWS_REGION'], 'arn': context.invoked_function_arn}\n"
    create_function(lam, name, Code={"ZipFile": make_zip(body)})
    lam.get_waiter("function_active_v2").wait(FunctionName=name)
    out = json.loads(lam.invoke(FunctionName=name)["Payload"].read())
    assert out == {"region": "eu-north-1", "arn": f"arn:aws:lambda:eu-north-1:{ACCOUNT}:function:{name}"}
    logs = regional.client("logs", region_name="eu-north-1")
    deadline = time.time() + 10
    while time.time() < deadline and not logs.describe_log_streams(logGroupName=f"/aws/lambda/{name}").get("logStreams"):
        time.sleep(0.2)
    assert logs.describe_log_streams(logGroupName=f"/aws/lambda/{name}")["logStreams"]
    assert regional.client("logs", region_name="us-east-1").describe_log_groups(logGroupNamePrefix=f"/aws/lambda/{name}")["logGroups"] == []


def test_unknown_region_is_refused(regional):
    calls = [("ec2", "describe_vpcs", "AuthFailure"), ("lambda", "list_functions", "InvalidSignatureException"),
             ("ssm", "describe_parameters", None), ("logs", "describe_log_groups", None)]
    for service, operation, code in calls:
        with pytest.raises(ClientError) as e:
            getattr(regional.client(service, region_name="xx-nowhere-1"), operation)()
        assert "Credential should be scoped to a valid region, not 'xx-nowhere-1'" in e.value.response["Error"]["Message"]
        if code:
            assert e.value.response["Error"]["Code"] == code
    # Global services do not care which region signed.
    assert regional.client("iam", region_name="xx-nowhere-1").list_roles()["Roles"] is not None


def test_default_vpc_shape(regional):
    ec2 = regional.client("ec2", region_name="us-west-2")
    vpcs = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"]
    assert len(vpcs) == 1
    vpc = vpcs[0]
    assert vpc["CidrBlock"] == "172.31.0.0/16" and vpc["IsDefault"] is True and vpc["State"] == "available"
    subnets = sorted(ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])["Subnets"],
                     key=lambda s: s["AvailabilityZone"])
    assert [(s["AvailabilityZone"], s["CidrBlock"], s["DefaultForAz"], s["MapPublicIpOnLaunch"]) for s in subnets] == [
        ("us-west-2a", "172.31.0.0/20", True, True), ("us-west-2b", "172.31.16.0/20", True, True),
        ("us-west-2c", "172.31.32.0/20", True, True), ("us-west-2d", "172.31.48.0/20", True, True)]
    assert {s["SubnetId"] for s in ec2.describe_subnets(Filters=[{"Name": "default-for-az", "Values": ["true"]}])["Subnets"]} \
        == {s["SubnetId"] for s in subnets}
    igws = ec2.describe_internet_gateways(Filters=[{"Name": "attachment.vpc-id", "Values": [vpc["VpcId"]]}])["InternetGateways"]
    assert len(igws) == 1
    main = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]},
                                              {"Name": "association.main", "Values": ["true"]}])["RouteTables"][0]
    routes = {r["DestinationCidrBlock"]: r["GatewayId"] for r in main["Routes"]}
    assert routes == {"172.31.0.0/16": "local", "0.0.0.0/0": igws[0]["InternetGatewayId"]}
    groups = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])["SecurityGroups"]
    assert [g["GroupName"] for g in groups] == ["default"]
    acls = ec2.describe_network_acls(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])["NetworkAcls"]
    assert len(acls) == 1 and acls[0]["IsDefault"] and {a["SubnetId"] for a in acls[0]["Associations"]} == {s["SubnetId"] for s in subnets}
    attrs = ec2.describe_account_attributes(AttributeNames=["default-vpc"])["AccountAttributes"]
    assert attrs[0]["AttributeValues"] == [{"AttributeValue": vpc["VpcId"]}]
    assert ec2.describe_vpc_attribute(VpcId=vpc["VpcId"], Attribute="enableDnsHostnames")["EnableDnsHostnames"]["Value"] is True
    assert call_error(ec2.create_default_vpc)[1:] == (
        "DefaultVpcAlreadyExists", "A Default VPC already exists for this account in this region.")
    # Requests that name no VPC or subnet use the default VPC, as on AWS.
    sg = ec2.create_security_group(GroupName=unique("in-default"), Description="no VpcId given")["GroupId"]
    assert ec2.describe_security_groups(GroupIds=[sg])["SecurityGroups"][0]["VpcId"] == vpc["VpcId"]
    image = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    inst = ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1, InstanceType="t3.micro",
                             Placement={"AvailabilityZone": "us-west-2c"})["Instances"][0]
    assert inst["SubnetId"] == subnets[2]["SubnetId"] and inst["VpcId"] == vpc["VpcId"]
    ec2.terminate_instances(InstanceIds=[inst["InstanceId"]])


def test_deleted_default_vpc_stays_deleted_until_create_default_vpc():
    s = Server(default_vpc=True, extra_args=["--no-network"]).start()
    try:
        ec2 = s.client("ec2", region_name="ca-central-1")
        vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
        # As on AWS, the default VPC goes only once what is in it is gone.
        assert call_error(ec2.delete_vpc, VpcId=vpc)[1] == "DependencyViolation"
        for sub in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"]:
            ec2.delete_subnet(SubnetId=sub["SubnetId"])
        for igw in ec2.describe_internet_gateways(Filters=[{"Name": "attachment.vpc-id", "Values": [vpc]}])["InternetGateways"]:
            ec2.detach_internet_gateway(InternetGatewayId=igw["InternetGatewayId"], VpcId=vpc)
            ec2.delete_internet_gateway(InternetGatewayId=igw["InternetGatewayId"])
        ec2.delete_vpc(VpcId=vpc)
        assert call_error(ec2.create_default_subnet, AvailabilityZone="ca-central-1a")[1] == "DefaultVpcDoesNotExist"
        s.restart()
        ec2 = s.client("ec2", region_name="ca-central-1")
        assert ec2.describe_vpcs()["Vpcs"] == []
        assert ec2.describe_account_attributes(AttributeNames=["default-vpc"])["AccountAttributes"][0]["AttributeValues"] \
            == [{"AttributeValue": "none"}]
        # A security group needs a VPC now.
        assert call_error(ec2.create_security_group, GroupName="x", Description="x")[1] == "VPCIdNotSpecified"
        made = ec2.create_default_vpc()["Vpc"]
        assert made["IsDefault"] and made["CidrBlock"] == "172.31.0.0/16"
        subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [made["VpcId"]]}])["Subnets"]
        assert sorted(x["AvailabilityZone"] for x in subnets) == ["ca-central-1a", "ca-central-1b", "ca-central-1c"]
        one = subnets[0]
        ec2.delete_subnet(SubnetId=one["SubnetId"])
        back = ec2.create_default_subnet(AvailabilityZone=one["AvailabilityZone"])["Subnet"]
        assert (back["CidrBlock"], back["DefaultForAz"], back["MapPublicIpOnLaunch"]) == (one["CidrBlock"], True, True)
        assert call_error(ec2.create_default_subnet, AvailabilityZone=one["AvailabilityZone"])[1] \
            == "DefaultSubnetAlreadyExistsInAvailabilityZone"
    finally:
        s.cleanup()


def test_without_default_vpc_flag_regions_start_empty():
    s = Server(default_vpc=False, extra_args=["--no-network"]).start()
    try:
        for region in ("us-east-1", "sa-east-1"):
            assert s.client("ec2", region_name=region).describe_vpcs()["Vpcs"] == []
    finally:
        s.cleanup()


def test_cli_regions(regional):
    code, out, _ = regional.aws("ec2", "describe-vpcs", "--region", "ap-south-1", "--filters", "Name=is-default,Values=true")
    assert code == 0 and out["Vpcs"][0]["CidrBlock"] == "172.31.0.0/16"
    code, _, err = regional.aws("ec2", "describe-vpcs", "--region", "zz-moon-9", check=False)
    assert code != 0 and "AuthFailure" in err and "zz-moon-9" in err


def _to_v1(data_dir):
    """Turns a data dir back into the layout of servers from before regions: one records table without partitions,
    function logs directly under logs/."""
    db = sqlite3.connect(os.path.join(data_dir, "state.sqlite"))
    db.executescript("""
        CREATE TABLE records_v1 (kind TEXT NOT NULL, id TEXT NOT NULL, body BLOB NOT NULL, PRIMARY KEY (kind, id)) WITHOUT ROWID;
        INSERT INTO records_v1 SELECT kind, id, body FROM records;
        DROP TABLE records;
        ALTER TABLE records_v1 RENAME TO records;
        DELETE FROM grdb_migrations WHERE identifier = 'v2-partitions';
    """)
    db.commit()
    db.close()
    logs = os.path.join(data_dir, "logs")
    os.remove(os.path.join(logs, ".regional"))
    for region in os.listdir(logs):
        for group in os.listdir(os.path.join(logs, region)):
            os.rename(os.path.join(logs, region, group), os.path.join(logs, group))
        os.rmdir(os.path.join(logs, region))


def test_data_dir_from_before_regions_is_migrated_to_the_servers_region():
    s = Server(extra_args=["--no-network"]).start()
    try:
        ec2, logs = s.client("ec2"), s.client("logs")
        vpc = ec2.create_vpc(CidrBlock="10.80.0.0/16")["Vpc"]["VpcId"]
        lambda_role(s, name="kept")
        logs.create_log_group(logGroupName="/kept/group")
        logs.create_log_stream(logGroupName="/kept/group", logStreamName="s")
        logs.put_log_events(logGroupName="/kept/group", logStreamName="s",
                            logEvents=[{"timestamp": int(time.time() * 1000), "message": "before regions"}])
        s.stop()
        _to_v1(s.data_dir)
        # The old server answered for eu-west-3: its state is that region's.
        s.extra_args += ["--region", "eu-west-3"]
        s.start()
        west3, east1 = s.client("ec2", region_name="eu-west-3"), s.client("ec2", region_name="us-east-1")
        assert [v["VpcId"] for v in west3.describe_vpcs()["Vpcs"]] == [vpc]
        assert east1.describe_vpcs()["Vpcs"] == []
        assert s.client("iam", region_name="us-east-1").get_role(RoleName="kept")["Role"]["RoleName"] == "kept"
        events = s.client("logs", region_name="eu-west-3").get_log_events(logGroupName="/kept/group", logStreamName="s")["events"]
        assert [e["message"] for e in events] == ["before regions"]
        # Migrated once: a later restart with another --region keeps each region's own.
        s.stop()
        s.extra_args = s.extra_args[:-2] + ["--region", "us-east-1"]
        s.start()
        assert [v["VpcId"] for v in s.client("ec2", region_name="eu-west-3").describe_vpcs()["Vpcs"]] == [vpc]
        assert s.client("ec2", region_name="us-east-1").describe_vpcs()["Vpcs"] == []
    finally:
        s.cleanup()
