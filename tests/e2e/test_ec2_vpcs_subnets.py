"""EC2 VPCs, subnets, availability zones, route tables and network ACLs through boto3 and the AWS CLI."""
import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, REGION, signed_request


def error(excinfo):
    return excinfo.value.response["Error"]["Code"], excinfo.value.response["Error"]["Message"]


def make_vpc(ec2, cidr="10.0.0.0/16", **kw):
    return ec2.create_vpc(CidrBlock=cidr, **kw)["Vpc"]["VpcId"]


def test_create_vpc_creates_main_route_table_default_acl_and_default_group(ec2):
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]
    assert vpc["State"] == "available" and vpc["CidrBlock"] == "10.0.0.0/16" and vpc["OwnerId"] == ACCOUNT
    assert vpc["InstanceTenancy"] == "default" and vpc["IsDefault"] is False
    vid = vpc["VpcId"]
    rts = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vid]}])["RouteTables"]
    assert len(rts) == 1
    assert rts[0]["Routes"] == [{"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local", "Origin": "CreateRouteTable", "State": "active"}]
    assoc = rts[0]["Associations"][0]
    assert assoc["Main"] is True and assoc["RouteTableAssociationId"].startswith("rtbassoc-")
    assert assoc["AssociationState"] == {"State": "associated"}
    acls = ec2.describe_network_acls(Filters=[{"Name": "vpc-id", "Values": [vid]}])["NetworkAcls"]
    assert len(acls) == 1 and acls[0]["IsDefault"] is True
    entries = {(e["RuleNumber"], e["Egress"], e["RuleAction"]) for e in acls[0]["Entries"]}
    assert entries == {(100, True, "allow"), (32767, True, "deny"), (100, False, "allow"), (32767, False, "deny")}
    sgs = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vid]}])["SecurityGroups"]
    assert len(sgs) == 1
    sg = sgs[0]
    assert sg["GroupName"] == "default" and sg["Description"] == "default VPC security group"
    assert sg["IpPermissions"] == [{"IpProtocol": "-1", "IpRanges": [], "Ipv6Ranges": [], "PrefixListIds": [],
                                    "UserIdGroupPairs": [{"GroupId": sg["GroupId"], "UserId": ACCOUNT}]}]
    assert sg["IpPermissionsEgress"] == [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}], "Ipv6Ranges": [],
                                          "PrefixListIds": [], "UserIdGroupPairs": []}]


def test_create_vpc_rejects_bad_ranges_and_tenancy(ec2):
    for cidr in ("10.0.0.0/8", "10.0.0.0/29"):
        with pytest.raises(ClientError) as e:
            ec2.create_vpc(CidrBlock=cidr)
        assert error(e) == ("InvalidVpc.Range", f"The CIDR '{cidr}' is invalid.")
    with pytest.raises(ClientError) as e:
        ec2.create_vpc(CidrBlock="10.0.0.0/33")
    assert error(e)[0] == "InvalidParameterValue"
    with pytest.raises(ClientError) as e:
        ec2.create_vpc(CidrBlock="10.0.0.0/16", InstanceTenancy="host")
    assert error(e)[0] == "InvalidParameterValue"


def test_dedicated_tenancy_and_tag_specifications(ec2):
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16", InstanceTenancy="dedicated",
                         TagSpecifications=[{"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": "ded"}]}])["Vpc"]
    assert vpc["InstanceTenancy"] == "dedicated"
    assert vpc["Tags"] == [{"Key": "Name", "Value": "ded"}]
    got = ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": ["ded"]}])["Vpcs"]
    assert [v["VpcId"] for v in got] == [vpc["VpcId"]]


def test_describe_vpcs_unknown_and_malformed_ids(ec2):
    with pytest.raises(ClientError) as e:
        ec2.describe_vpcs(VpcIds=["vpc-0123456789abcdef0"])
    assert error(e) == ("InvalidVpcID.NotFound", "The vpc ID 'vpc-0123456789abcdef0' does not exist")
    with pytest.raises(ClientError) as e:
        ec2.describe_vpcs(VpcIds=["vpc-zzz"])
    assert error(e) == ("InvalidVpcID.Malformed", 'Invalid id: "vpc-zzz"')


def test_subnet_lifecycle_and_address_count(ec2):
    vid = make_vpc(ec2, "10.1.0.0/16")
    sub = ec2.create_subnet(VpcId=vid, CidrBlock="10.1.1.0/24", AvailabilityZone=f"{REGION}b")["Subnet"]
    assert sub["AvailableIpAddressCount"] == 251
    assert sub["AvailabilityZone"] == f"{REGION}b" and sub["AvailabilityZoneId"] == "use1-az2"
    assert sub["SubnetArn"] == f"arn:aws:ec2:{REGION}:{ACCOUNT}:subnet/{sub['SubnetId']}"
    assert sub["State"] == "available" and sub["DefaultForAz"] is False and sub["MapPublicIpOnLaunch"] is False
    small = ec2.create_subnet(VpcId=vid, CidrBlock="10.1.2.0/28")["Subnet"]
    assert small["AvailableIpAddressCount"] == 11
    assert small["AvailabilityZone"] == f"{REGION}a"
    acl = ec2.describe_network_acls(Filters=[{"Name": "association.subnet-id", "Values": [small["SubnetId"]]}])["NetworkAcls"]
    assert len(acl) == 1 and acl[0]["VpcId"] == vid
    ec2.delete_subnet(SubnetId=small["SubnetId"])
    with pytest.raises(ClientError) as e:
        ec2.describe_subnets(SubnetIds=[small["SubnetId"]])
    assert error(e) == ("InvalidSubnetID.NotFound", f"The subnet ID '{small['SubnetId']}' does not exist")


def test_subnet_errors(ec2):
    vid = make_vpc(ec2, "10.0.0.0/16")
    ec2.create_subnet(VpcId=vid, CidrBlock="10.0.1.0/24")
    with pytest.raises(ClientError) as e:
        ec2.create_subnet(VpcId=vid, CidrBlock="10.0.1.0/24")
    assert error(e) == ("InvalidSubnet.Conflict", "The CIDR '10.0.1.0/24' conflicts with another subnet")
    with pytest.raises(ClientError) as e:
        ec2.create_subnet(VpcId=vid, CidrBlock="10.1.0.0/24")
    assert error(e) == ("InvalidSubnet.Range", "The CIDR '10.1.0.0/24' is invalid.")
    with pytest.raises(ClientError) as e:
        ec2.create_subnet(VpcId=vid, CidrBlock="10.0.2.0/29")
    assert error(e)[0] == "InvalidSubnet.Range"
    with pytest.raises(ClientError) as e:
        ec2.create_subnet(VpcId=vid, CidrBlock="10.0.3.0/24", AvailabilityZone="us-east-1z")
    code, msg = error(e)
    assert code == "InvalidParameterValue"
    assert msg.startswith("Value (us-east-1z) for parameter availabilityZone is invalid. Subnets can currently only be created in the following availability zones: us-east-1a, us-east-1b")
    with pytest.raises(ClientError) as e:
        ec2.create_subnet(VpcId="vpc-0123456789abcdef0", CidrBlock="10.0.3.0/24")
    assert error(e)[0] == "InvalidVpcID.NotFound"
    with pytest.raises(ClientError) as e:
        ec2.describe_subnets(SubnetIds=["subnet-nothex"])
    assert error(e)[0] == "InvalidSubnetID.Malformed"


def test_delete_vpc_with_subnet_is_refused_then_cleans_defaults(ec2):
    vid = make_vpc(ec2, "10.2.0.0/16")
    sid = ec2.create_subnet(VpcId=vid, CidrBlock="10.2.0.0/24")["Subnet"]["SubnetId"]
    with pytest.raises(ClientError) as e:
        ec2.delete_vpc(VpcId=vid)
    assert error(e) == ("DependencyViolation", f"The vpc '{vid}' has dependencies and cannot be deleted.")
    ec2.delete_subnet(SubnetId=sid)
    ec2.delete_vpc(VpcId=vid)
    for call, key in ((ec2.describe_route_tables, "RouteTables"), (ec2.describe_network_acls, "NetworkAcls"),
                      (ec2.describe_security_groups, "SecurityGroups")):
        assert call(Filters=[{"Name": "vpc-id", "Values": [vid]}])[key] == []
    with pytest.raises(ClientError) as e:
        ec2.delete_vpc(VpcId=vid)
    assert error(e)[0] == "InvalidVpcID.NotFound"


def test_describe_availability_zones(ec2):
    zones = ec2.describe_availability_zones()["AvailabilityZones"]
    assert [z["ZoneName"] for z in zones] == [f"{REGION}{c}" for c in "abcdef"]
    z = zones[0]
    assert z["ZoneId"] == "use1-az1" and z["State"] == "available" and z["RegionName"] == REGION
    assert z["ZoneType"] == "availability-zone" and z["OptInStatus"] == "opt-in-not-required" and z["GroupName"]
    got = ec2.describe_availability_zones(Filters=[{"Name": "zone-id", "Values": ["use1-az3"]}])["AvailabilityZones"]
    assert [g["ZoneName"] for g in got] == [f"{REGION}c"]
    got = ec2.describe_availability_zones(ZoneNames=[f"{REGION}f"])["AvailabilityZones"]
    assert [g["ZoneId"] for g in got] == ["use1-az6"]


def test_dry_run_changes_nothing(ec2):
    before = len(ec2.describe_vpcs()["Vpcs"])
    with pytest.raises(ClientError) as e:
        ec2.create_vpc(CidrBlock="10.3.0.0/16", DryRun=True)
    assert error(e) == ("DryRunOperation", "Request would have succeeded, but DryRun flag is set.")
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 412
    assert len(ec2.describe_vpcs()["Vpcs"]) == before
    with pytest.raises(ClientError) as e:
        ec2.create_vpc(CidrBlock="10.3.0.0/8", DryRun=True)
    assert error(e)[0] == "InvalidVpc.Range"
    with pytest.raises(ClientError) as e:
        ec2.describe_subnets(DryRun=True)
    assert error(e)[0] == "DryRunOperation"


def test_cli_vpc_and_subnet_commands(server):
    _, out, _ = server.aws("ec2", "create-vpc", "--cidr-block", "10.20.0.0/16",
                           "--tag-specifications", "ResourceType=vpc,Tags=[{Key=env,Value=cli}]")
    vid = out["Vpc"]["VpcId"]
    _, out, _ = server.aws("ec2", "create-subnet", "--vpc-id", vid, "--cidr-block", "10.20.1.0/24",
                           "--availability-zone", "us-east-1c")
    sid = out["Subnet"]["SubnetId"]
    assert out["Subnet"]["AvailableIpAddressCount"] == 251
    _, out, _ = server.aws("ec2", "describe-subnets", "--filters", f"Name=vpc-id,Values={vid}")
    assert [s["SubnetId"] for s in out["Subnets"]] == [sid]
    _, out, _ = server.aws("ec2", "describe-vpcs", "--filters", "Name=tag:env,Values=cl?")
    assert vid in [v["VpcId"] for v in out["Vpcs"]]
    code, _, err = server.aws("ec2", "create-subnet", "--vpc-id", vid, "--cidr-block", "10.20.1.0/24", check=False)
    assert code != 0 and "InvalidSubnet.Conflict" in err
    code, _, err = server.aws("ec2", "delete-vpc", "--vpc-id", vid, check=False)
    assert code != 0 and "DependencyViolation" in err
    server.aws("ec2", "delete-subnet", "--subnet-id", sid)
    server.aws("ec2", "delete-vpc", "--vpc-id", vid)
    _, out, _ = server.aws("ec2", "describe-availability-zones")
    assert len(out["AvailabilityZones"]) == 6
    _, out, _ = server.aws("ec2", "describe-route-tables", "--filters", "Name=association.main,Values=true")
    assert all(any(a["Main"] for a in t["Associations"]) for t in out["RouteTables"])
    code, _, err = server.aws("ec2", "create-vpc", "--cidr-block", "10.21.0.0/16", "--dry-run", check=False)
    assert code != 0 and "DryRunOperation" in err


def test_everything_survives_restart(fresh_server):
    ec2 = fresh_server.client("ec2")
    vid = make_vpc(ec2, "10.5.0.0/16")
    sid = ec2.create_subnet(VpcId=vid, CidrBlock="10.5.1.0/24",
                            TagSpecifications=[{"ResourceType": "subnet", "Tags": [{"Key": "k", "Value": "v"}]}])["Subnet"]["SubnetId"]
    sg = ec2.create_security_group(GroupName="db", Description="db", VpcId=vid)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "IpRanges": [{"CidrIp": "10.5.0.0/16"}]}])
    eni = ec2.create_network_interface(SubnetId=sid, Groups=[sg])["NetworkInterface"]["NetworkInterfaceId"]
    before = {k: ec2.__getattribute__(f"describe_{k}")() for k in ("vpcs", "subnets", "security_groups", "network_interfaces",
                                                                  "route_tables", "network_acls", "tags", "security_group_rules")}
    fresh_server.restart()
    ec2 = fresh_server.client("ec2")
    after = {k: ec2.__getattribute__(f"describe_{k}")() for k in before}
    for k in before:
        before[k].pop("ResponseMetadata"); after[k].pop("ResponseMetadata")
        assert before[k] == after[k], k
    sub = ec2.describe_subnets(SubnetIds=[sid])["Subnets"][0]
    assert sub["AvailableIpAddressCount"] == 250
    assert ec2.describe_network_interfaces(NetworkInterfaceIds=[eni])["NetworkInterfaces"][0]["PrivateIpAddress"] == "10.5.1.4"


def test_unknown_filter_is_rejected(ec2):
    with pytest.raises(ClientError) as e:
        ec2.describe_vpcs(Filters=[{"Name": "foo", "Values": ["x"]}])
    assert error(e) == ("InvalidParameterValue", "The filter 'foo' is invalid")


def test_raw_request_without_vpc_cidr_is_missing_parameter(server):
    status, _, body = signed_request(server, "ec2", body=b"Action=CreateVpc&Version=2016-11-15")
    assert status == 400 and b"<Code>MissingParameter</Code>" in body


def test_vpc_attributes_read_and_change_one_at_a_time(server, ec2):
    vpc = make_vpc(ec2, "10.44.0.0/16")
    defaults = {a: ec2.describe_vpc_attribute(VpcId=vpc, Attribute=a)
                for a in ("enableDnsSupport", "enableDnsHostnames", "enableNetworkAddressUsageMetrics")}
    assert defaults["enableDnsSupport"]["EnableDnsSupport"] == {"Value": True}
    assert defaults["enableDnsHostnames"]["EnableDnsHostnames"] == {"Value": False}
    assert defaults["enableNetworkAddressUsageMetrics"]["EnableNetworkAddressUsageMetrics"] == {"Value": False}
    assert defaults["enableDnsSupport"]["VpcId"] == vpc

    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    # The AWS CLI, as Terraform's provider does it: one attribute per call.
    server.aws("ec2", "modify-vpc-attribute", "--vpc-id", vpc, "--no-enable-dns-support")
    _, out, _ = server.aws("ec2", "describe-vpc-attribute", "--vpc-id", vpc, "--attribute", "enableDnsHostnames")
    assert out == {"VpcId": vpc, "EnableDnsHostnames": {"Value": True}}
    assert ec2.describe_vpc_attribute(VpcId=vpc, Attribute="enableDnsSupport")["EnableDnsSupport"] == {"Value": False}

    with pytest.raises(ClientError) as e:
        ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsSupport={"Value": True}, EnableDnsHostnames={"Value": False})
    assert error(e) == ("InvalidParameterCombination",
                        "Fields for multiple attribute types specified: enableDnsSupport, enableDnsHostnames")
    assert ec2.describe_vpc_attribute(VpcId=vpc, Attribute="enableDnsHostnames")["EnableDnsHostnames"] == {"Value": True}
    with pytest.raises(ClientError) as e:
        ec2.modify_vpc_attribute(VpcId="vpc-0000000000000dead", EnableDnsSupport={"Value": True})
    assert error(e) == ("InvalidVpcID.NotFound", "The vpc ID 'vpc-0000000000000dead' does not exist")
    with pytest.raises(ClientError) as e:
        ec2.describe_vpc_attribute(VpcId=vpc, Attribute="enableDnsSomething")
    assert error(e) == ("InvalidParameterValue", "Value (enableDnsSomething) for parameter attribute is invalid. Unknown attribute.")
