"""EC2 network interfaces, tags, filters and pagination through boto3 and the AWS CLI."""
import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, REGION, signed_request


def error(excinfo):
    return excinfo.value.response["Error"]["Code"], excinfo.value.response["Error"]["Message"]


@pytest.fixture
def net(ec2):
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.7.0/28")["Subnet"]["SubnetId"]
    sg = ec2.create_security_group(GroupName="eni", Description="e", VpcId=vpc)["GroupId"]
    return vpc, subnet, sg


def test_create_describe_delete_network_interface(ec2, net):
    vpc, subnet, sg = net
    eni = ec2.create_network_interface(SubnetId=subnet, Groups=[sg], Description="mine",
                                       TagSpecifications=[{"ResourceType": "network-interface",
                                                           "Tags": [{"Key": "role", "Value": "db"}]}])["NetworkInterface"]
    assert eni["PrivateIpAddress"] == "10.0.7.4"
    assert eni["Status"] == "available" and eni["InterfaceType"] == "interface" and eni["RequesterManaged"] is False
    assert eni["Groups"] == [{"GroupId": sg, "GroupName": "eni"}] and eni["VpcId"] == vpc and eni["OwnerId"] == ACCOUNT
    assert eni["PrivateIpAddresses"] == [{"Primary": True, "PrivateIpAddress": "10.0.7.4", "PrivateDnsName": "ip-10-0-7-4.ec2.internal"}]
    assert eni["TagSet"] == [{"Key": "role", "Value": "db"}]
    second = ec2.create_network_interface(SubnetId=subnet)["NetworkInterface"]
    assert second["PrivateIpAddress"] == "10.0.7.5"
    assert second["Groups"][0]["GroupName"] == "default"
    assert ec2.describe_subnets(SubnetIds=[subnet])["Subnets"][0]["AvailableIpAddressCount"] == 9
    got = ec2.describe_network_interfaces(Filters=[{"Name": "tag:role", "Values": ["d*"]}])["NetworkInterfaces"]
    assert [g["NetworkInterfaceId"] for g in got] == [eni["NetworkInterfaceId"]]
    got = ec2.describe_network_interfaces(Filters=[{"Name": "subnet-id", "Values": [subnet]},
                                                   {"Name": "private-ip-address", "Values": ["10.0.7.5"]}])["NetworkInterfaces"]
    assert [g["NetworkInterfaceId"] for g in got] == [second["NetworkInterfaceId"]]
    with pytest.raises(ClientError) as e:
        ec2.delete_subnet(SubnetId=subnet)
    assert error(e) == ("DependencyViolation", f"The subnet '{subnet}' has dependencies and cannot be deleted.")
    with pytest.raises(ClientError) as e:
        ec2.delete_security_group(GroupId=sg)
    assert error(e)[0] == "DependencyViolation"
    with pytest.raises(ClientError) as e:
        ec2.delete_vpc(VpcId=vpc)
    assert error(e)[0] == "DependencyViolation"
    ec2.delete_network_interface(NetworkInterfaceId=eni["NetworkInterfaceId"])
    ec2.delete_network_interface(NetworkInterfaceId=second["NetworkInterfaceId"])
    with pytest.raises(ClientError) as e:
        ec2.delete_network_interface(NetworkInterfaceId=eni["NetworkInterfaceId"])
    assert error(e) == ("InvalidNetworkInterfaceID.NotFound", f"The networkInterface ID '{eni['NetworkInterfaceId']}' does not exist")
    ec2.delete_subnet(SubnetId=subnet)


def test_subnet_runs_out_of_addresses(ec2, net):
    _, subnet, _ = net
    addrs = [ec2.create_network_interface(SubnetId=subnet)["NetworkInterface"]["PrivateIpAddress"] for _ in range(11)]
    assert addrs == [f"10.0.7.{i}" for i in range(4, 15)]
    with pytest.raises(ClientError) as e:
        ec2.create_network_interface(SubnetId=subnet)
    assert error(e)[0] == "InsufficientFreeAddressesInSubnet"
    assert ec2.describe_subnets(SubnetIds=[subnet])["Subnets"][0]["AvailableIpAddressCount"] == 0


def test_explicit_private_ip(ec2, net):
    _, subnet, _ = net
    assert ec2.create_network_interface(SubnetId=subnet, PrivateIpAddress="10.0.7.10")["NetworkInterface"]["PrivateIpAddress"] == "10.0.7.10"
    with pytest.raises(ClientError) as e:
        ec2.create_network_interface(SubnetId=subnet, PrivateIpAddress="10.0.7.10")
    assert error(e)[0] == "InvalidIPAddress.InUse"
    with pytest.raises(ClientError) as e:
        ec2.create_network_interface(SubnetId=subnet, PrivateIpAddress="10.0.8.10")
    assert error(e)[0] == "InvalidParameterValue"


def test_network_interface_errors(ec2):
    with pytest.raises(ClientError) as e:
        ec2.describe_network_interfaces(NetworkInterfaceIds=["eni-0123456789abcdef0"])
    assert error(e) == ("InvalidNetworkInterfaceID.NotFound", "The networkInterface ID 'eni-0123456789abcdef0' does not exist")
    with pytest.raises(ClientError) as e:
        ec2.delete_network_interface(NetworkInterfaceId="eni-bad")
    assert error(e)[0] == "InvalidNetworkInterfaceID.Malformed"
    with pytest.raises(ClientError) as e:
        ec2.create_network_interface(SubnetId="subnet-0123456789abcdef0")
    assert error(e)[0] == "InvalidSubnetID.NotFound"


def test_tags_create_describe_delete(ec2, net):
    vpc, subnet, sg = net
    ec2.create_tags(Resources=[vpc, subnet, sg], Tags=[{"Key": "team", "Value": "core"}, {"Key": "env", "Value": "dev"}])
    tags = ec2.describe_tags(Filters=[{"Name": "resource-id", "Values": [vpc, subnet, sg]}])["Tags"]
    assert {(t["ResourceId"], t["ResourceType"], t["Key"], t["Value"]) for t in tags} == {
        (r, t, k, v) for r, t in ((vpc, "vpc"), (subnet, "subnet"), (sg, "security-group"))
        for k, v in (("team", "core"), ("env", "dev"))}
    got = ec2.describe_tags(Filters=[{"Name": "resource-type", "Values": ["subnet"]}, {"Name": "key", "Values": ["te*"]},
                                     {"Name": "resource-id", "Values": [subnet]}])["Tags"]
    assert got == [{"Key": "team", "ResourceId": subnet, "ResourceType": "subnet", "Value": "core"}]
    ec2.create_tags(Resources=[vpc], Tags=[{"Key": "team", "Value": "edge"}])
    assert {t["Key"]: t["Value"] for t in ec2.describe_vpcs(VpcIds=[vpc])["Vpcs"][0]["Tags"]} == {"team": "edge", "env": "dev"}
    ec2.delete_tags(Resources=[vpc], Tags=[{"Key": "team", "Value": "wrong"}])
    assert len(ec2.describe_vpcs(VpcIds=[vpc])["Vpcs"][0]["Tags"]) == 2
    ec2.delete_tags(Resources=[vpc], Tags=[{"Key": "team"}])
    assert ec2.describe_vpcs(VpcIds=[vpc])["Vpcs"][0]["Tags"] == [{"Key": "env", "Value": "dev"}]
    assert [v["VpcId"] for v in ec2.describe_vpcs(Filters=[{"Name": "tag-key", "Values": ["env"]},
                                                           {"Name": "vpc-id", "Values": [vpc]}])["Vpcs"]] == [vpc]
    with pytest.raises(ClientError) as e:
        ec2.create_tags(Resources=["subnet-0123456789abcdef0"], Tags=[{"Key": "a", "Value": "b"}])
    assert error(e)[0] == "InvalidSubnetID.NotFound"
    with pytest.raises(ClientError) as e:
        ec2.create_tags(Resources=[vpc, "sg-0123456789abcdef0"], Tags=[{"Key": "atomic", "Value": "b"}])
    assert error(e)[0] == "InvalidGroup.NotFound"
    assert all(t["Key"] != "atomic" for t in ec2.describe_vpcs(VpcIds=[vpc])["Vpcs"][0].get("Tags", []))
    with pytest.raises(ClientError) as e:
        ec2.create_tags(Resources=[vpc], Tags=[{"Key": "a", "Value": "b"}], DryRun=True)
    assert error(e)[0] == "DryRunOperation"


def test_rule_and_route_table_tags(ec2, net):
    vpc, _, sg = net
    out = ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 1, "ToPort": 2, "IpRanges": [{"CidrIp": "1.1.1.1/32"}]}],
        TagSpecifications=[{"ResourceType": "security-group-rule", "Tags": [{"Key": "r", "Value": "1"}]}])
    rid = out["SecurityGroupRules"][0]["SecurityGroupRuleId"]
    assert out["SecurityGroupRules"][0]["Tags"] == [{"Key": "r", "Value": "1"}]
    got = ec2.describe_security_group_rules(Filters=[{"Name": "tag:r", "Values": ["1"]}])["SecurityGroupRules"]
    assert [g["SecurityGroupRuleId"] for g in got] == [rid]
    rtb = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["RouteTables"][0]["RouteTableId"]
    ec2.create_tags(Resources=[rtb], Tags=[{"Key": "Name", "Value": "main"}])
    assert ec2.describe_route_tables(RouteTableIds=[rtb])["RouteTables"][0]["Tags"] == [{"Key": "Name", "Value": "main"}]


def test_pagination_with_boto3_paginators(ec2):
    vpc = ec2.create_vpc(CidrBlock="10.99.0.0/16")["Vpc"]["VpcId"]
    made = sorted(ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.99.{i}.0/24")["Subnet"]["SubnetId"] for i in range(12))
    pages = list(ec2.get_paginator("describe_subnets").paginate(Filters=[{"Name": "vpc-id", "Values": [vpc]}],
                                                                PaginationConfig={"PageSize": 5}))
    assert [len(p["Subnets"]) for p in pages] == [5, 5, 2]
    assert [s["SubnetId"] for p in pages for s in p["Subnets"]] == made
    assert "NextToken" not in pages[-1]
    all_vpcs = [v["VpcId"] for p in ec2.get_paginator("describe_vpcs").paginate(PaginationConfig={"PageSize": 5}) for v in p["Vpcs"]]
    assert all_vpcs == sorted(all_vpcs) and vpc in all_vpcs
    groups = [g for p in ec2.get_paginator("describe_security_groups").paginate(PaginationConfig={"PageSize": 5})
              for g in p["SecurityGroups"]]
    assert len(groups) == len(ec2.describe_security_groups()["SecurityGroups"])


def test_max_results_out_of_range_raw(server):
    # botocore refuses these client-side, so they go out as raw signed requests.
    status, _, body = signed_request(server, "ec2", body=b"Action=DescribeSubnets&Version=2016-11-15&MaxResults=3")
    assert status == 400 and b"<Code>InvalidParameterValue</Code>" in body
    assert b"Value ( 3 ) for parameter maxResults is invalid. Expecting a value greater than 5." in body
    status, _, body = signed_request(server, "ec2", body=b"Action=DescribeVpcs&Version=2016-11-15&MaxResults=1001")
    assert status == 400 and b"Expecting a value less than 1000." in body


def test_bad_next_token(ec2):
    with pytest.raises(ClientError) as e:
        ec2.describe_subnets(NextToken="garbage!")
    assert error(e)[0] == "InvalidPaginationToken"


def test_cli_pagination_and_enis(server):
    _, out, _ = server.aws("ec2", "create-vpc", "--cidr-block", "10.98.0.0/16")
    vid = out["Vpc"]["VpcId"]
    for i in range(7):
        server.aws("ec2", "create-subnet", "--vpc-id", vid, "--cidr-block", f"10.98.{i}.0/24")
    _, out, _ = server.aws("ec2", "describe-subnets", "--filters", f"Name=vpc-id,Values={vid}", "--page-size", "5")
    assert len(out["Subnets"]) == 7
    _, out, _ = server.aws("ec2", "describe-subnets", "--filters", f"Name=vpc-id,Values={vid}", "--max-items", "3")
    assert len(out["Subnets"]) == 3 and out["NextToken"]
    _, rest, _ = server.aws("ec2", "describe-subnets", "--filters", f"Name=vpc-id,Values={vid}", "--starting-token", out["NextToken"])
    assert len(rest["Subnets"]) == 4
    assert not {s["SubnetId"] for s in out["Subnets"]} & {s["SubnetId"] for s in rest["Subnets"]}
    sid = rest["Subnets"][0]["SubnetId"]
    _, out, _ = server.aws("ec2", "create-network-interface", "--subnet-id", sid, "--description", "cli")
    eni = out["NetworkInterface"]["NetworkInterfaceId"]
    _, out, _ = server.aws("ec2", "describe-network-interfaces", "--filters", "Name=description,Values=cl*", f"Name=vpc-id,Values={vid}")
    assert [n["NetworkInterfaceId"] for n in out["NetworkInterfaces"]] == [eni]
    server.aws("ec2", "create-tags", "--resources", eni, "--tags", "Key=a,Value=b")
    _, out, _ = server.aws("ec2", "describe-tags", "--filters", f"Name=resource-id,Values={eni}")
    assert out["Tags"] == [{"Key": "a", "ResourceId": eni, "ResourceType": "network-interface", "Value": "b"}]
    server.aws("ec2", "delete-tags", "--resources", eni, "--tags", "Key=a")
    server.aws("ec2", "delete-network-interface", "--network-interface-id", eni)
    code, _, err = server.aws("ec2", "delete-network-interface", "--network-interface-id", eni, check=False)
    assert code != 0 and "InvalidNetworkInterfaceID.NotFound" in err
    _, out, _ = server.aws("ec2", "describe-network-acls", "--filters", f"Name=vpc-id,Values={vid}")
    assert len(out["NetworkAcls"][0]["Associations"]) == 7
