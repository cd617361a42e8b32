"""EC2 route tables, routes, associations and internet gateways through boto3 and the AWS CLI."""
import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT


def error(excinfo):
    return excinfo.value.response["Error"]["Code"], excinfo.value.response["Error"]["Message"]


@pytest.fixture
def net(ec2):
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.20.1.0/24")["Subnet"]["SubnetId"]
    main = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc]},
                                              {"Name": "association.main", "Values": ["true"]}])["RouteTables"][0]["RouteTableId"]
    return vpc, subnet, main


def test_internet_gateway_lifecycle(ec2, net):
    vpc, _, _ = net
    igw = ec2.create_internet_gateway(TagSpecifications=[{"ResourceType": "internet-gateway",
                                                          "Tags": [{"Key": "Name", "Value": "edge"}]}])["InternetGateway"]
    igw_id = igw["InternetGatewayId"]
    assert igw_id.startswith("igw-") and igw["Attachments"] == [] and igw["OwnerId"] == ACCOUNT
    assert igw["Tags"] == [{"Key": "Name", "Value": "edge"}]
    ec2.attach_internet_gateway(InternetGatewayId=igw_id, VpcId=vpc)
    got = ec2.describe_internet_gateways(Filters=[{"Name": "attachment.vpc-id", "Values": [vpc]}])["InternetGateways"]
    assert [g["InternetGatewayId"] for g in got] == [igw_id]
    assert got[0]["Attachments"] == [{"State": "available", "VpcId": vpc}]
    assert [g["InternetGatewayId"] for g in ec2.describe_internet_gateways(
        Filters=[{"Name": "tag:Name", "Values": ["ed*"]}, {"Name": "internet-gateway-id", "Values": [igw_id]}])["InternetGateways"]] == [igw_id]

    with pytest.raises(ClientError) as e:
        ec2.attach_internet_gateway(InternetGatewayId=igw_id, VpcId=vpc)
    assert error(e) == ("Resource.AlreadyAssociated", f"resource {igw_id} is already attached to network {vpc}")
    second = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    with pytest.raises(ClientError) as e:
        ec2.attach_internet_gateway(InternetGatewayId=second, VpcId=vpc)
    assert error(e)[0] == "Resource.AlreadyAssociated"
    with pytest.raises(ClientError) as e:
        ec2.detach_internet_gateway(InternetGatewayId=second, VpcId=vpc)
    assert error(e) == ("Gateway.NotAttached", f"resource {second} is not attached to network {vpc}")
    with pytest.raises(ClientError) as e:
        ec2.delete_internet_gateway(InternetGatewayId=igw_id)
    assert error(e) == ("DependencyViolation", f"The internetGateway '{igw_id}' has dependencies and cannot be deleted.")
    with pytest.raises(ClientError) as e:
        ec2.delete_vpc(VpcId=vpc)
    assert error(e) == ("DependencyViolation", f"The vpc '{vpc}' has dependencies and cannot be deleted.")
    with pytest.raises(ClientError) as e:
        ec2.attach_internet_gateway(InternetGatewayId=igw_id, VpcId=vpc, DryRun=True)
    assert error(e)[0] == "Resource.AlreadyAssociated"

    ec2.detach_internet_gateway(InternetGatewayId=igw_id, VpcId=vpc)
    ec2.delete_internet_gateway(InternetGatewayId=igw_id)
    ec2.delete_internet_gateway(InternetGatewayId=second)
    with pytest.raises(ClientError) as e:
        ec2.describe_internet_gateways(InternetGatewayIds=[igw_id])
    assert error(e) == ("InvalidInternetGatewayID.NotFound", f"The internetGateway ID '{igw_id}' does not exist")


def test_internet_gateway_cli(server, net):
    vpc, _, main = net
    _, out, _ = server.aws("ec2", "create-internet-gateway")
    igw = out["InternetGateway"]["InternetGatewayId"]
    server.aws("ec2", "attach-internet-gateway", "--internet-gateway-id", igw, "--vpc-id", vpc)
    _, out, _ = server.aws("ec2", "describe-internet-gateways", "--internet-gateway-ids", igw)
    assert out["InternetGateways"][0]["Attachments"] == [{"State": "available", "VpcId": vpc}]
    server.aws("ec2", "create-route", "--route-table-id", main, "--destination-cidr-block", "0.0.0.0/0", "--gateway-id", igw)
    code, _, err = server.aws("ec2", "delete-internet-gateway", "--internet-gateway-id", igw, check=False)
    assert code != 0 and "DependencyViolation" in err
    server.aws("ec2", "detach-internet-gateway", "--internet-gateway-id", igw, "--vpc-id", vpc)
    _, out, _ = server.aws("ec2", "describe-route-tables", "--route-table-ids", main)
    route = [r for r in out["RouteTables"][0]["Routes"] if r["DestinationCidrBlock"] == "0.0.0.0/0"][0]
    assert route == {"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": igw, "Origin": "CreateRoute", "State": "blackhole"}
    server.aws("ec2", "delete-route", "--route-table-id", main, "--destination-cidr-block", "0.0.0.0/0")
    server.aws("ec2", "delete-internet-gateway", "--internet-gateway-id", igw)


def test_routes(ec2, net):
    vpc, subnet, main = net
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    loose = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    rt = ec2.create_route_table(VpcId=vpc, TagSpecifications=[{"ResourceType": "route-table",
                                                               "Tags": [{"Key": "tier", "Value": "public"}]}])["RouteTable"]
    rtb = rt["RouteTableId"]
    assert rt["Routes"] == [{"DestinationCidrBlock": "10.20.0.0/16", "GatewayId": "local", "Origin": "CreateRouteTable", "State": "active"}]
    assert rt["Associations"] == [] and rt["Tags"] == [{"Key": "tier", "Value": "public"}]
    assert ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)["Return"] is True
    with pytest.raises(ClientError) as e:
        ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    assert error(e) == ("RouteAlreadyExists", "The route identified by 0.0.0.0/0 already exists.")
    with pytest.raises(ClientError) as e:
        ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="172.16.0.0/12", GatewayId=loose)
    assert error(e) == ("InvalidParameterValue", f"route table {rtb} and network gateway {loose} belong to different networks")
    with pytest.raises(ClientError) as e:
        ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="172.16.0.0/12", GatewayId="igw-0123456789abcdef0")
    assert error(e) == ("InvalidGatewayID.NotFound", "The gateway ID 'igw-0123456789abcdef0' does not exist")
    with pytest.raises(ClientError) as e:
        ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="172.16.0.0/12", NatGatewayId="nat-0123456789abcdef0")
    assert error(e)[0] == "InvalidNatGatewayID.NotFound"
    with pytest.raises(ClientError) as e:
        ec2.delete_route(RouteTableId=rtb, DestinationCidrBlock="10.20.0.0/16")
    assert error(e) == ("InvalidParameterValue", f"cannot remove local route 10.20.0.0/16 in route table {rtb}")
    with pytest.raises(ClientError) as e:
        ec2.delete_route(RouteTableId=rtb, DestinationCidrBlock="192.0.2.0/24")
    assert error(e) == ("InvalidRoute.NotFound", "The route identified by 192.0.2.0/24 does not exist.")
    with pytest.raises(ClientError) as e:
        ec2.replace_route(RouteTableId=rtb, DestinationCidrBlock="192.0.2.0/24", GatewayId=igw)
    assert error(e) == ("InvalidRoute.NotFound", "There is no route defined for '192.0.2.0/24' in the route table. Use CreateRoute instead.")

    eni = ec2.create_network_interface(SubnetId=subnet)["NetworkInterface"]["NetworkInterfaceId"]
    ec2.replace_route(RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0", NetworkInterfaceId=eni)
    routes = ec2.describe_route_tables(RouteTableIds=[rtb])["RouteTables"][0]["Routes"]
    assert routes[1] == {"DestinationCidrBlock": "0.0.0.0/0", "NetworkInterfaceId": eni, "Origin": "CreateRoute", "State": "active"}
    found = ec2.describe_route_tables(Filters=[{"Name": "route.network-interface-id", "Values": [eni]}])["RouteTables"]
    assert [t["RouteTableId"] for t in found] == [rtb]
    ec2.replace_route(RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    for name, value in [("route.destination-cidr-block", "0.0.0.0/0"), ("route.gateway-id", igw), ("tag:tier", "public")]:
        got = ec2.describe_route_tables(Filters=[{"Name": name, "Values": [value]}, {"Name": "vpc-id", "Values": [vpc]}])["RouteTables"]
        assert [t["RouteTableId"] for t in got] == [rtb], name
    ec2.delete_route(RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0")
    assert len(ec2.describe_route_tables(RouteTableIds=[rtb])["RouteTables"][0]["Routes"]) == 1
    ec2.delete_network_interface(NetworkInterfaceId=eni)
    ec2.delete_route_table(RouteTableId=rtb)
    ec2.detach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    for g in (igw, loose):
        ec2.delete_internet_gateway(InternetGatewayId=g)


def test_associations_and_main_table(ec2, net):
    vpc, subnet, main = net
    rtb = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    assoc = ec2.associate_route_table(RouteTableId=rtb, SubnetId=subnet)
    assert assoc["AssociationId"].startswith("rtbassoc-") and assoc["AssociationState"] == {"State": "associated"}
    got = ec2.describe_route_tables(Filters=[{"Name": "association.subnet-id", "Values": [subnet]}])["RouteTables"]
    assert [t["RouteTableId"] for t in got] == [rtb]
    assert got[0]["Associations"] == [{"Main": False, "RouteTableAssociationId": assoc["AssociationId"], "RouteTableId": rtb,
                                       "SubnetId": subnet, "AssociationState": {"State": "associated"}}]
    with pytest.raises(ClientError) as e:
        ec2.associate_route_table(RouteTableId=main, SubnetId=subnet)
    assert error(e)[0] == "Resource.AlreadyAssociated"
    with pytest.raises(ClientError) as e:
        ec2.delete_route_table(RouteTableId=rtb)
    assert error(e) == ("DependencyViolation", f"The routeTable '{rtb}' has dependencies and cannot be deleted.")
    with pytest.raises(ClientError) as e:
        ec2.delete_route_table(RouteTableId=main)
    assert error(e) == ("DependencyViolation", f"The routeTable '{main}' has dependencies and cannot be deleted.")
    main_assoc = ec2.describe_route_tables(RouteTableIds=[main])["RouteTables"][0]["Associations"][0]["RouteTableAssociationId"]
    with pytest.raises(ClientError) as e:
        ec2.disassociate_route_table(AssociationId=main_assoc)
    assert error(e)[0] == "InvalidParameterValue"
    # Moving the subnet back to the main table, then making the custom table main.
    moved = ec2.replace_route_table_association(AssociationId=assoc["AssociationId"], RouteTableId=main)["NewAssociationId"]
    assert moved.startswith("rtbassoc-") and moved != assoc["AssociationId"]
    ec2.disassociate_route_table(AssociationId=moved)
    new_main = ec2.replace_route_table_association(AssociationId=main_assoc, RouteTableId=rtb)["NewAssociationId"]
    got = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc]}, {"Name": "association.main", "Values": ["true"]}])
    assert [t["RouteTableId"] for t in got["RouteTables"]] == [rtb]
    assert got["RouteTables"][0]["Associations"][0]["RouteTableAssociationId"] == new_main
    ec2.delete_route_table(RouteTableId=main)
    with pytest.raises(ClientError) as e:
        ec2.disassociate_route_table(AssociationId=moved)
    assert error(e) == ("InvalidAssociationID.NotFound", f"The association ID '{moved}' does not exist")


def test_route_table_cli(server, net):
    vpc, subnet, _ = net
    _, out, _ = server.aws("ec2", "create-route-table", "--vpc-id", vpc)
    rtb = out["RouteTable"]["RouteTableId"]
    _, out, _ = server.aws("ec2", "associate-route-table", "--route-table-id", rtb, "--subnet-id", subnet)
    assoc = out["AssociationId"]
    _, out, _ = server.aws("ec2", "describe-route-tables", "--filters", f"Name=association.route-table-association-id,Values={assoc}")
    assert [t["RouteTableId"] for t in out["RouteTables"]] == [rtb]
    code, _, err = server.aws("ec2", "delete-route-table", "--route-table-id", rtb, check=False)
    assert code != 0 and "DependencyViolation" in err
    server.aws("ec2", "disassociate-route-table", "--association-id", assoc)
    server.aws("ec2", "delete-route-table", "--route-table-id", rtb)
    code, _, err = server.aws("ec2", "describe-route-tables", "--route-table-ids", rtb, check=False)
    assert code != 0 and "InvalidRouteTableID.NotFound" in err


def test_describe_tags_for_gateways_and_tables(ec2, net):
    vpc, _, _ = net
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    rtb = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_tags(Resources=[igw, rtb], Tags=[{"Key": "team", "Value": "net"}])
    got = ec2.describe_tags(Filters=[{"Name": "resource-id", "Values": [igw, rtb]}])["Tags"]
    assert sorted((t["ResourceType"], t["ResourceId"]) for t in got) == sorted([("internet-gateway", igw), ("route-table", rtb)])
    ec2.delete_route_table(RouteTableId=rtb)
    ec2.delete_internet_gateway(InternetGatewayId=igw)


def test_survives_restart(fresh_server):
    ec2 = fresh_server.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.30.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.30.1.0/24")["Subnet"]["SubnetId"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    rtb = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    ec2.associate_route_table(RouteTableId=rtb, SubnetId=subnet)
    before = ec2.describe_route_tables(RouteTableIds=[rtb])["RouteTables"]
    fresh_server.kill9()
    fresh_server.start()
    ec2 = fresh_server.client("ec2")
    assert ec2.describe_route_tables(RouteTableIds=[rtb])["RouteTables"] == before
    assert ec2.describe_internet_gateways(InternetGatewayIds=[igw])["InternetGateways"][0]["Attachments"] == [{"State": "available", "VpcId": vpc}]
