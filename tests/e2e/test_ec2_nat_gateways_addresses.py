"""Elastic IPs and NAT gateways (pending → available → deleting → deleted) through boto3 and the AWS CLI."""
import time

import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, Server


def error(excinfo):
    return excinfo.value.response["Error"]["Code"], excinfo.value.response["Error"]["Message"]


@pytest.fixture(scope="module")
def natserver():
    """A server whose NAT gateways provision in 0.3 s, so tests watch the states change without waiting long."""
    s = Server(extra_args=["--nat-create-delay", "300ms", "--nat-delete-delay", "300ms"]).start()
    yield s
    s.cleanup()


@pytest.fixture
def ec2(natserver):
    return natserver.client("ec2")


@pytest.fixture
def public_net(ec2):
    vpc = ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.40.0.0/24")["Subnet"]["SubnetId"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    return vpc, subnet, igw


def wait_state(ec2, nat, state, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        got = ec2.describe_nat_gateways(NatGatewayIds=[nat])["NatGateways"][0]
        if got["State"] == state:
            return got
        time.sleep(0.05)
    raise AssertionError(f"{nat} never reached {state}: {got}")


def test_allocate_describe_release(ec2):
    a = ec2.allocate_address(Domain="vpc", TagSpecifications=[{"ResourceType": "elastic-ip", "Tags": [{"Key": "k", "Value": "v"}]}])
    assert a["AllocationId"].startswith("eipalloc-") and a["Domain"] == "vpc"
    assert a["PublicIp"].startswith("192.88.99.") and a["PublicIpv4Pool"] == "amazon"
    got = ec2.describe_addresses(AllocationIds=[a["AllocationId"]])["Addresses"]
    assert got == [{"PublicIp": a["PublicIp"], "AllocationId": a["AllocationId"], "Domain": "vpc", "Tags": [{"Key": "k", "Value": "v"}],
                    "PublicIpv4Pool": "amazon", "NetworkBorderGroup": "us-east-1"}]
    for name, value in [("public-ip", a["PublicIp"]), ("allocation-id", a["AllocationId"]), ("domain", "vpc"), ("tag:k", "v")]:
        assert [x["AllocationId"] for x in ec2.describe_addresses(Filters=[{"Name": name, "Values": [value]},
                                                                         {"Name": "allocation-id", "Values": [a["AllocationId"]]}])["Addresses"]] == [a["AllocationId"]]
    assert ec2.describe_addresses(PublicIps=[a["PublicIp"]])["Addresses"][0]["AllocationId"] == a["AllocationId"]
    types = {t["ResourceType"] for t in ec2.describe_tags(Filters=[{"Name": "resource-id", "Values": [a["AllocationId"]]}])["Tags"]}
    assert types == {"elastic-ip"}
    ec2.release_address(AllocationId=a["AllocationId"])
    with pytest.raises(ClientError) as e:
        ec2.release_address(AllocationId=a["AllocationId"])
    assert error(e) == ("InvalidAllocationID.NotFound", f"The allocation ID '{a['AllocationId']}' does not exist")
    with pytest.raises(ClientError) as e:
        ec2.describe_addresses(PublicIps=["192.88.99.77"])
    assert error(e) == ("InvalidAddress.NotFound", "Address '192.88.99.77' not found.")
    with pytest.raises(ClientError) as e:
        ec2.release_address(AllocationId="eipalloc-nope")
    assert error(e)[0] == "InvalidAllocationID.Malformed"


def test_associate_address_with_interface(ec2, public_net):
    vpc, subnet, igw = public_net
    eni = ec2.create_network_interface(SubnetId=subnet)["NetworkInterface"]
    a = ec2.allocate_address(Domain="vpc")
    assoc = ec2.associate_address(AllocationId=a["AllocationId"], NetworkInterfaceId=eni["NetworkInterfaceId"])["AssociationId"]
    assert assoc.startswith("eipassoc-")
    got = ec2.describe_addresses(Filters=[{"Name": "network-interface-id", "Values": [eni["NetworkInterfaceId"]]}])["Addresses"][0]
    assert got["AssociationId"] == assoc and got["PrivateIpAddress"] == eni["PrivateIpAddress"]
    assert got["NetworkInterfaceOwnerId"] == ACCOUNT
    shown = ec2.describe_network_interfaces(NetworkInterfaceIds=[eni["NetworkInterfaceId"]])["NetworkInterfaces"][0]
    assert shown["Association"]["PublicIp"] == a["PublicIp"] and shown["Association"]["AllocationId"] == a["AllocationId"]
    with pytest.raises(ClientError) as e:
        ec2.release_address(AllocationId=a["AllocationId"])
    assert error(e)[0] == "InvalidIPAddress.InUse"
    with pytest.raises(ClientError) as e:
        ec2.detach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    assert error(e)[0] == "DependencyViolation"
    other = ec2.create_network_interface(SubnetId=subnet)["NetworkInterface"]["NetworkInterfaceId"]
    with pytest.raises(ClientError) as e:
        ec2.associate_address(AllocationId=a["AllocationId"], NetworkInterfaceId=other, AllowReassociation=False)
    assert error(e) == ("Resource.AlreadyAssociated", f"resource {a['AllocationId']} is already associated with associate-id {assoc}")
    ec2.disassociate_address(AssociationId=assoc)
    with pytest.raises(ClientError) as e:
        ec2.disassociate_address(AssociationId=assoc)
    assert error(e) == ("InvalidAssociationID.NotFound", f"The association ID '{assoc}' does not exist")
    ec2.release_address(AllocationId=a["AllocationId"])


def test_nat_gateway_lifecycle(ec2, public_net):
    vpc, subnet, igw = public_net
    alloc = ec2.allocate_address(Domain="vpc")
    created = ec2.create_nat_gateway(SubnetId=subnet, AllocationId=alloc["AllocationId"],
                                     TagSpecifications=[{"ResourceType": "natgateway", "Tags": [{"Key": "Name", "Value": "egress"}]}])["NatGateway"]
    nat = created["NatGatewayId"]
    assert nat.startswith("nat-") and created["State"] == "pending" and created["ConnectivityType"] == "public"
    assert created["SubnetId"] == subnet and created["VpcId"] == vpc and created["Tags"] == [{"Key": "Name", "Value": "egress"}]
    address = created["NatGatewayAddresses"][0]
    assert address["AllocationId"] == alloc["AllocationId"] and address["PublicIp"] == alloc["PublicIp"]
    assert address["PrivateIp"] == "10.40.0.4" and address["NetworkInterfaceId"].startswith("eni-")
    eni = ec2.describe_network_interfaces(NetworkInterfaceIds=[address["NetworkInterfaceId"]])["NetworkInterfaces"][0]
    assert eni["InterfaceType"] == "nat_gateway" and eni["RequesterManaged"] is True
    assert eni["Description"] == f"Interface for NAT Gateway {nat}" and eni["PrivateIpAddress"] == "10.40.0.4"
    eip = ec2.describe_addresses(AllocationIds=[alloc["AllocationId"]])["Addresses"][0]
    assert eip["NetworkInterfaceId"] == eni["NetworkInterfaceId"] and eip["PrivateIpAddress"] == "10.40.0.4"
    with pytest.raises(ClientError) as e:
        ec2.create_nat_gateway(SubnetId=subnet, AllocationId=alloc["AllocationId"])
    assert error(e) == ("Resource.AlreadyAssociated", f"Elastic IP address [{alloc['AllocationId']}] is already associated")
    with pytest.raises(ClientError) as e:
        ec2.release_address(AllocationId=alloc["AllocationId"])
    assert error(e)[0] == "InvalidIPAddress.InUse"
    with pytest.raises(ClientError) as e:
        ec2.delete_network_interface(NetworkInterfaceId=eni["NetworkInterfaceId"])
    assert error(e)[0] == "OperationNotPermitted"

    tags = ec2.describe_tags(Filters=[{"Name": "resource-id", "Values": [nat]}])["Tags"]
    assert tags == [{"Key": "Name", "ResourceId": nat, "ResourceType": "natgateway", "Value": "egress"}]
    available = wait_state(ec2, nat, "available")
    assert available["NatGatewayAddresses"][0]["Status"] == "succeeded"
    for name, value in [("state", "available"), ("subnet-id", subnet), ("vpc-id", vpc), ("tag:Name", "egress"), ("nat-gateway-id", nat)]:
        got = ec2.describe_nat_gateways(Filter=[{"Name": name, "Values": [value]}, {"Name": "vpc-id", "Values": [vpc]}])["NatGateways"]
        assert [g["NatGatewayId"] for g in got] == [nat], name

    main = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["RouteTables"][0]["RouteTableId"]
    ec2.create_route(RouteTableId=main, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat)
    got = ec2.describe_route_tables(Filters=[{"Name": "route.nat-gateway-id", "Values": [nat]}])["RouteTables"]
    assert [t["RouteTableId"] for t in got] == [main]
    route = [r for r in got[0]["Routes"] if r["DestinationCidrBlock"] == "0.0.0.0/0"][0]
    assert route == {"DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": nat, "Origin": "CreateRoute", "State": "active"}
    with pytest.raises(ClientError) as e:
        ec2.delete_subnet(SubnetId=subnet)
    assert error(e)[0] == "DependencyViolation"

    assert ec2.delete_nat_gateway(NatGatewayId=nat)["NatGatewayId"] == nat
    assert ec2.describe_nat_gateways(NatGatewayIds=[nat])["NatGateways"][0]["State"] in ("deleting", "deleted")
    deleted = wait_state(ec2, nat, "deleted")
    assert "DeleteTime" in deleted
    with pytest.raises(ClientError) as e:
        ec2.describe_network_interfaces(NetworkInterfaceIds=[eni["NetworkInterfaceId"]])
    assert error(e)[0] == "InvalidNetworkInterfaceID.NotFound"
    route = [r for r in ec2.describe_route_tables(RouteTableIds=[main])["RouteTables"][0]["Routes"] if r["DestinationCidrBlock"] == "0.0.0.0/0"][0]
    assert route["State"] == "blackhole"
    with pytest.raises(ClientError) as e:
        ec2.delete_nat_gateway(NatGatewayId=nat)
    assert error(e) == ("NatGatewayNotFound", f"The Nat Gateway {nat} was not found")
    assert "AssociationId" not in ec2.describe_addresses(AllocationIds=[alloc["AllocationId"]])["Addresses"][0]
    ec2.release_address(AllocationId=alloc["AllocationId"])
    ec2.delete_route(RouteTableId=main, DestinationCidrBlock="0.0.0.0/0")
    ec2.delete_subnet(SubnetId=subnet)


def test_nat_gateway_errors(ec2, public_net):
    _, subnet, _ = public_net
    with pytest.raises(ClientError) as e:
        ec2.create_nat_gateway(SubnetId=subnet, AllocationId="eipalloc-0123456789abcdef0")
    assert error(e) == ("InvalidAllocationID.NotFound", "The allocation ID 'eipalloc-0123456789abcdef0' does not exist")
    with pytest.raises(ClientError) as e:
        ec2.create_nat_gateway(SubnetId="subnet-0123456789abcdef0", ConnectivityType="private")
    assert error(e)[0] == "InvalidSubnetID.NotFound"
    with pytest.raises(ClientError) as e:
        ec2.describe_nat_gateways(NatGatewayIds=["nat-0123456789abcdef0"])
    assert error(e) == ("NatGatewayNotFound", "The Nat Gateway nat-0123456789abcdef0 was not found")
    with pytest.raises(ClientError) as e:
        ec2.create_nat_gateway(SubnetId=subnet, ConnectivityType="private", DryRun=True)
    assert error(e)[0] == "DryRunOperation"
    assert ec2.describe_nat_gateways(Filter=[{"Name": "subnet-id", "Values": [subnet]}])["NatGateways"] == []


def test_public_nat_without_internet_gateway_fails(ec2):
    vpc = ec2.create_vpc(CidrBlock="10.41.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.41.0.0/24")["Subnet"]["SubnetId"]
    alloc = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=subnet, AllocationId=alloc)["NatGateway"]["NatGatewayId"]
    failed = wait_state(ec2, nat, "failed")
    assert failed["FailureCode"] == "Gateway.NotAttached"
    assert failed["FailureMessage"] == f"Network {vpc} has no Internet gateway attached"
    ec2.release_address(AllocationId=alloc)


def test_nat_gateway_cli(natserver, public_net):
    _, subnet, _ = public_net
    _, out, _ = natserver.aws("ec2", "allocate-address", "--domain", "vpc")
    alloc = out["AllocationId"]
    _, out, _ = natserver.aws("ec2", "create-nat-gateway", "--subnet-id", subnet, "--allocation-id", alloc)
    nat = out["NatGateway"]["NatGatewayId"]
    assert out["NatGateway"]["State"] == "pending"
    natserver.aws("ec2", "wait", "nat-gateway-available", "--nat-gateway-ids", nat)
    _, out, _ = natserver.aws("ec2", "describe-nat-gateways", "--filter", f"Name=nat-gateway-id,Values={nat}")
    assert out["NatGateways"][0]["State"] == "available"
    _, out, _ = natserver.aws("ec2", "describe-addresses", "--public-ips", out["NatGateways"][0]["NatGatewayAddresses"][0]["PublicIp"])
    assert out["Addresses"][0]["AllocationId"] == alloc
    natserver.aws("ec2", "delete-nat-gateway", "--nat-gateway-id", nat)
    natserver.aws("ec2", "wait", "nat-gateway-deleted", "--nat-gateway-ids", nat)
    natserver.aws("ec2", "release-address", "--allocation-id", alloc)
    code, _, err = natserver.aws("ec2", "release-address", "--allocation-id", alloc, check=False)
    assert code != 0 and "InvalidAllocationID.NotFound" in err


def test_nat_gateway_survives_restart():
    s = Server(extra_args=["--nat-create-delay", "300ms", "--nat-delete-delay", "300ms"]).start()
    try:
        ec2 = s.client("ec2")
        vpc = ec2.create_vpc(CidrBlock="10.42.0.0/16")["Vpc"]["VpcId"]
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.42.0.0/24")["Subnet"]["SubnetId"]
        igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
        ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
        alloc = ec2.allocate_address(Domain="vpc")["AllocationId"]
        nat = ec2.create_nat_gateway(SubnetId=subnet, AllocationId=alloc)["NatGateway"]["NatGatewayId"]
        s.kill9()
        s.start()
        ec2 = s.client("ec2")
        # Still pending when killed: the restarted reconciler finishes the job.
        got = wait_state(ec2, nat, "available")
        assert got["NatGatewayAddresses"][0]["AllocationId"] == alloc
        s.restart()
        assert s.client("ec2").describe_nat_gateways(NatGatewayIds=[nat])["NatGateways"][0]["State"] == "available"
    finally:
        s.cleanup()
