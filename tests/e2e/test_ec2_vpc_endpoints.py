"""VPC endpoints through boto3 and the CLI: gateway endpoints put a route to their service's prefix list into route
tables, interface endpoints put a `vpc_endpoint` ENI into each subnet; the services, prefix lists, policies, states
(pending → available) and EC2's errors."""
import json
import time

import pytest

from conftest import ACCOUNT, REGION, call_error
from lambda_support import unique

FULL_ACCESS = {"Version": "2008-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}


@pytest.fixture
def network(ec2):
    vpc = ec2.create_vpc(CidrBlock="10.90.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.90.{i}.0/24", AvailabilityZone=f"{REGION}{z}")["Subnet"]["SubnetId"]
               for i, z in ((1, "a"), (2, "b"), (3, "a"))]
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    return vpc, subnets, table


def wait_state(ec2, endpoint, state, timeout=15):
    deadline = time.time() + timeout
    while time.time() < deadline:
        got = ec2.describe_vpc_endpoints(VpcEndpointIds=[endpoint])["VpcEndpoints"][0]
        if got["State"] == state:
            return got
        time.sleep(0.1)
    raise AssertionError(f"{endpoint} is {got['State']}, not {state}")


def test_gateway_endpoint_routes_to_the_services_prefix_list(ec2, network):
    vpc, _, table = network
    lists = {p["PrefixListName"]: p for p in ec2.describe_prefix_lists()["PrefixLists"]}
    assert set(lists) == {f"com.amazonaws.{REGION}.s3", f"com.amazonaws.{REGION}.dynamodb"}
    s3_list = lists[f"com.amazonaws.{REGION}.s3"]
    assert s3_list["PrefixListId"].startswith("pl-") and s3_list["Cidrs"][0].startswith("198.18.")
    managed = ec2.describe_managed_prefix_lists(PrefixListIds=[s3_list["PrefixListId"]])["PrefixLists"][0]
    assert (managed["OwnerId"], managed["State"], managed["AddressFamily"]) == ("AWS", "create-complete", "IPv4")
    entries = ec2.get_managed_prefix_list_entries(PrefixListId=s3_list["PrefixListId"])["Entries"]
    assert [e["Cidr"] for e in entries] == s3_list["Cidrs"]

    made = ec2.create_vpc_endpoint(VpcId=vpc, ServiceName=f"com.amazonaws.{REGION}.s3", RouteTableIds=[table],
                                   TagSpecifications=[{"ResourceType": "vpc-endpoint", "Tags": [{"Key": "Name", "Value": "s3"}]}])
    e = made["VpcEndpoint"]
    assert e["VpcEndpointId"].startswith("vpce-") and e["VpcEndpointType"] == "Gateway" and e["State"] == "available"
    assert e["RouteTableIds"] == [table] and e["SubnetIds"] == [] and e["Tags"] == [{"Key": "Name", "Value": "s3"}]
    assert json.loads(e["PolicyDocument"]) == FULL_ACCESS
    routes = ec2.describe_route_tables(RouteTableIds=[table])["RouteTables"][0]["Routes"]
    endpoint_routes = [r for r in routes if r.get("GatewayId") == e["VpcEndpointId"]]
    assert endpoint_routes == [{"DestinationPrefixListId": s3_list["PrefixListId"], "GatewayId": e["VpcEndpointId"],
                                "Origin": "CreateRoute", "State": "active"}]
    found = ec2.describe_route_tables(Filters=[{"Name": "route.destination-prefix-list-id", "Values": [s3_list["PrefixListId"]]}])
    assert [t["RouteTableId"] for t in found["RouteTables"]] == [table]

    # One route per service and table.
    status, code, message = call_error(ec2.create_vpc_endpoint, VpcId=vpc, ServiceName=f"com.amazonaws.{REGION}.s3",
                                       RouteTableIds=[table])
    assert code == "RouteAlreadyExists" and s3_list["PrefixListId"] in message
    # A policy of its own, then back to full access.
    deny_put = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"},
        {"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "*"}]}
    ec2.modify_vpc_endpoint(VpcEndpointId=e["VpcEndpointId"], PolicyDocument=json.dumps(deny_put))
    got = ec2.describe_vpc_endpoints(VpcEndpointIds=[e["VpcEndpointId"]])["VpcEndpoints"][0]
    assert json.loads(got["PolicyDocument"]) == deny_put
    ec2.modify_vpc_endpoint(VpcEndpointId=e["VpcEndpointId"], ResetPolicy=True)
    assert json.loads(ec2.describe_vpc_endpoints(VpcEndpointIds=[e["VpcEndpointId"]])["VpcEndpoints"][0]["PolicyDocument"]) \
        == FULL_ACCESS
    assert call_error(ec2.modify_vpc_endpoint, VpcEndpointId=e["VpcEndpointId"], PolicyDocument="{not json")[1] \
        == "MalformedPolicyDocument"

    # Route tables come and go with Modify.
    ec2.modify_vpc_endpoint(VpcEndpointId=e["VpcEndpointId"], RemoveRouteTableIds=[table])
    assert all(r.get("GatewayId") != e["VpcEndpointId"]
               for r in ec2.describe_route_tables(RouteTableIds=[table])["RouteTables"][0]["Routes"])
    ec2.modify_vpc_endpoint(VpcEndpointId=e["VpcEndpointId"], AddRouteTableIds=[table])
    assert ec2.describe_vpc_endpoints(VpcEndpointIds=[e["VpcEndpointId"]])["VpcEndpoints"][0]["RouteTableIds"] == [table]

    # A VPC with an endpoint cannot go; deleting the endpoint takes its routes with it.
    assert call_error(ec2.delete_vpc, VpcId=vpc)[1] == "DependencyViolation"
    out = ec2.delete_vpc_endpoints(VpcEndpointIds=[e["VpcEndpointId"], "vpce-0123456789abcdef0"])
    assert [u["ResourceId"] for u in out["Unsuccessful"]] == ["vpce-0123456789abcdef0"]
    assert out["Unsuccessful"][0]["Error"]["Code"] == "InvalidVpcEndpointId.NotFound"
    assert all(r.get("GatewayId") != e["VpcEndpointId"]
               for r in ec2.describe_route_tables(RouteTableIds=[table])["RouteTables"][0]["Routes"])
    assert call_error(ec2.describe_vpc_endpoints, VpcEndpointIds=[e["VpcEndpointId"]])[1:] == (
        "InvalidVpcEndpointId.NotFound", f"The Vpc Endpoint Id '{e['VpcEndpointId']}' does not exist")


def test_interface_endpoint_has_an_eni_per_subnet_and_becomes_available(ec2, network):
    vpc, subnets, _ = network
    sg = ec2.create_security_group(VpcId=vpc, GroupName=unique("sqs-endpoint"), Description="443 from functions")["GroupId"]
    service = f"com.amazonaws.{REGION}.sqs"
    # Private DNS needs the VPC to resolve and name hosts.
    assert call_error(ec2.create_vpc_endpoint, VpcEndpointType="Interface", VpcId=vpc, ServiceName=service,
                      SubnetIds=subnets[:1], SecurityGroupIds=[sg], PrivateDnsEnabled=True)[1] == "InvalidParameter"
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    # One subnet per zone.
    assert call_error(ec2.create_vpc_endpoint, VpcEndpointType="Interface", VpcId=vpc, ServiceName=service,
                      SubnetIds=[subnets[0], subnets[2]], SecurityGroupIds=[sg])[1] == "DuplicateSubnetsInSameZone"
    e = ec2.create_vpc_endpoint(VpcEndpointType="Interface", VpcId=vpc, ServiceName=service, SubnetIds=subnets[:2],
                                SecurityGroupIds=[sg], PrivateDnsEnabled=True)["VpcEndpoint"]
    assert e["State"] == "pending" and e["PrivateDnsEnabled"] is True
    assert e["Groups"] == [{"GroupId": sg, "GroupName": ec2.describe_security_groups(GroupIds=[sg])["SecurityGroups"][0]["GroupName"]}]
    names = [d["DnsName"] for d in e["DnsEntries"]]
    assert f"sqs.{REGION}.amazonaws.com" in names and any(n.endswith(f".sqs.{REGION}.vpce.amazonaws.com") for n in names)
    enis = ec2.describe_network_interfaces(NetworkInterfaceIds=e["NetworkInterfaceIds"])["NetworkInterfaces"]
    assert sorted(i["SubnetId"] for i in enis) == sorted(subnets[:2])
    for i in enis:
        assert i["InterfaceType"] == "vpc_endpoint" and i["RequesterManaged"] is True and i["Status"] == "in-use"
        assert i["Description"] == f"VPC Endpoint Interface {e['VpcEndpointId']}" and [g["GroupId"] for g in i["Groups"]] == [sg]
    got = wait_state(ec2, e["VpcEndpointId"], "available")
    assert got["SubnetIds"] == subnets[:2]
    # A second endpoint may not claim the same private name in this VPC.
    assert call_error(ec2.create_vpc_endpoint, VpcEndpointType="Interface", VpcId=vpc, ServiceName=service,
                      SubnetIds=subnets[2:], SecurityGroupIds=[sg], PrivateDnsEnabled=True)[1] == "InvalidParameter"
    # A subnet in the VPC is not a route table: an interface endpoint takes no route tables.
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    assert call_error(ec2.modify_vpc_endpoint, VpcEndpointId=e["VpcEndpointId"], AddRouteTableIds=[table])[1] == "InvalidParameter"
    # Groups change on the endpoint and its interfaces.
    other = ec2.create_security_group(VpcId=vpc, GroupName=unique("other"), Description="x")["GroupId"]
    ec2.modify_vpc_endpoint(VpcEndpointId=e["VpcEndpointId"], AddSecurityGroupIds=[other], RemoveSecurityGroupIds=[sg],
                            RemoveSubnetIds=[subnets[1]])
    enis = ec2.describe_network_interfaces(Filters=[{"Name": "vpc-id", "Values": [vpc]},
                                                    {"Name": "interface-type", "Values": ["vpc_endpoint"]}])["NetworkInterfaces"]
    assert [(i["SubnetId"], [g["GroupId"] for g in i["Groups"]]) for i in enis] == [(subnets[0], [other])]
    ec2.delete_vpc_endpoints(VpcEndpointIds=[e["VpcEndpointId"]])
    assert ec2.describe_network_interfaces(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["NetworkInterfaces"] == []


def test_endpoint_services_and_errors(ec2, network):
    vpc, subnets, table = network
    out = ec2.describe_vpc_endpoint_services()
    details = {d["ServiceName"]: d for d in out["ServiceDetails"]}
    assert set(out["ServiceNames"]) == set(details)
    for short in ("s3", "dynamodb", "sqs", "sts", "lambda", "secretsmanager", "ec2", "ssm", "logs"):
        assert f"com.amazonaws.{REGION}.{short}" in details
    assert [t["ServiceType"] for t in details[f"com.amazonaws.{REGION}.s3"]["ServiceType"]] == ["Gateway", "Interface"]
    assert [t["ServiceType"] for t in details[f"com.amazonaws.{REGION}.sqs"]["ServiceType"]] == ["Interface"]
    assert details[f"com.amazonaws.{REGION}.sqs"]["PrivateDnsName"] == f"sqs.{REGION}.amazonaws.com"
    gateways = ec2.describe_vpc_endpoint_services(Filters=[{"Name": "service-type", "Values": ["Gateway"]}])["ServiceNames"]
    assert sorted(gateways) == [f"com.amazonaws.{REGION}.dynamodb", f"com.amazonaws.{REGION}.s3"]
    assert call_error(ec2.describe_vpc_endpoint_services, ServiceNames=["com.amazonaws.nowhere.s3"])[1] == "InvalidServiceName"

    assert call_error(ec2.create_vpc_endpoint, VpcId=vpc, ServiceName=f"com.amazonaws.{REGION}.nosuch",
                      RouteTableIds=[table])[1:] == (
        "InvalidServiceName", f"The Vpc Endpoint Service 'com.amazonaws.{REGION}.nosuch' does not exist")
    # Another region's service is not this region's.
    assert call_error(ec2.create_vpc_endpoint, VpcId=vpc, ServiceName="com.amazonaws.eu-west-1.s3", RouteTableIds=[table])[1] \
        == "InvalidServiceName"
    assert call_error(ec2.create_vpc_endpoint, VpcId=vpc, ServiceName=f"com.amazonaws.{REGION}.sqs", RouteTableIds=[table])[1] \
        == "InvalidParameter"
    assert call_error(ec2.create_vpc_endpoint, VpcId=vpc, ServiceName=f"com.amazonaws.{REGION}.s3", SubnetIds=subnets[:1])[1] \
        == "InvalidParameter"
    assert call_error(ec2.describe_vpc_endpoints, VpcEndpointIds=["nope"])[1] == "InvalidVpcEndpointId.Malformed"
    assert call_error(ec2.create_vpc_endpoint, VpcId="vpc-0123456789abcdef0", ServiceName=f"com.amazonaws.{REGION}.s3")[1] \
        == "InvalidVpcID.NotFound"
    assert call_error(ec2.get_managed_prefix_list_entries, PrefixListId="pl-00000000")[1] == "InvalidPrefixListID.NotFound"
    # Nothing was made by the failures.
    assert ec2.describe_vpc_endpoints(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["VpcEndpoints"] == []


def test_cli_as_the_issue_shows(server, ec2, network):
    vpc, subnets, table = network
    code, out, _ = server.aws("ec2", "create-vpc-endpoint", "--vpc-id", vpc, "--service-name", f"com.amazonaws.{REGION}.s3",
                              "--route-table-ids", table)
    endpoint = out["VpcEndpoint"]["VpcEndpointId"]
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    sg = ec2.create_security_group(VpcId=vpc, GroupName=unique("cli"), Description="x")["GroupId"]
    code, out, _ = server.aws("ec2", "create-vpc-endpoint", "--vpc-id", vpc, "--vpc-endpoint-type", "Interface",
                              "--service-name", f"com.amazonaws.{REGION}.sqs", "--subnet-ids", subnets[0],
                              "--security-group-ids", sg, "--private-dns-enabled")
    interface = out["VpcEndpoint"]["VpcEndpointId"]
    code, out, _ = server.aws("ec2", "describe-vpc-endpoints", "--filters", f"Name=vpc-id,Values={vpc}")
    assert sorted((e["VpcEndpointId"], e["VpcEndpointType"]) for e in out["VpcEndpoints"]) == sorted(
        [(endpoint, "Gateway"), (interface, "Interface")])
    server.aws("ec2", "create-tags", "--resources", endpoint, "--tags", "Key=team,Value=data")
    code, out, _ = server.aws("ec2", "describe-tags", "--filters", f"Name=resource-id,Values={endpoint}")
    assert out["Tags"] == [{"Key": "team", "ResourceId": endpoint, "ResourceType": "vpc-endpoint", "Value": "data"}]
    code, out, _ = server.aws("ec2", "delete-vpc-endpoints", "--vpc-endpoint-ids", endpoint, interface)
    assert out["Unsuccessful"] == []


def test_endpoint_services_follow_the_region(server):
    west = server.client("ec2", region_name="eu-west-1")
    names = west.describe_vpc_endpoint_services(Filters=[{"Name": "service-type", "Values": ["Gateway"]}])["ServiceNames"]
    assert sorted(names) == ["com.amazonaws.eu-west-1.dynamodb", "com.amazonaws.eu-west-1.s3"]
    east_lists = {p["PrefixListId"] for p in server.client("ec2").describe_prefix_lists()["PrefixLists"]}
    west_lists = {p["PrefixListId"] for p in west.describe_prefix_lists()["PrefixLists"]}
    assert east_lists.isdisjoint(west_lists)
    arn = west.describe_managed_prefix_lists()["PrefixLists"][0]["PrefixListArn"]
    assert arn.startswith("arn:aws:ec2:eu-west-1:aws:prefix-list/pl-")
    assert ACCOUNT not in arn
