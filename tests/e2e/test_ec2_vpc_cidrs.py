"""Secondary IPv4 and Amazon-provided IPv6 blocks of VPCs, and subnets' IPv6 blocks, through boto3 and the AWS CLI."""
import ipaddress
import sys
import re

from conftest import ACCOUNT, REGION, Server, call_error, user_client


def vpc_of(ec2, vid):
    return ec2.describe_vpcs(VpcIds=[vid])["Vpcs"][0]


def test_secondary_ipv4_block_lifecycle(ec2):
    vid = ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
    primary = vpc_of(ec2, vid)["CidrBlockAssociationSet"][0]["AssociationId"]
    out = ec2.associate_vpc_cidr_block(VpcId=vid, CidrBlock="10.41.0.0/16")
    assoc = out["CidrBlockAssociation"]
    assert out["VpcId"] == vid and re.fullmatch(r"vpc-cidr-assoc-[0-9a-f]{17}", assoc["AssociationId"])
    assert assoc["CidrBlock"] == "10.41.0.0/16" and assoc["CidrBlockState"]["State"] == "associating"
    vpc = vpc_of(ec2, vid)
    assert vpc["CidrBlock"] == "10.40.0.0/16", "the primary block stays the VPC's CidrBlock"
    assert [(a["AssociationId"], a["CidrBlock"], a["CidrBlockState"]["State"]) for a in vpc["CidrBlockAssociationSet"]] == [
        (primary, "10.40.0.0/16", "associated"), (assoc["AssociationId"], "10.41.0.0/16", "associated")]

    # Filters: the association filter sees the secondary block; `cidr` is the primary block only, as EC2 documents it.
    found = ec2.describe_vpcs(Filters=[{"Name": "cidr-block-association.cidr-block", "Values": ["10.41.0.0/16"]}])["Vpcs"]
    assert [v["VpcId"] for v in found] == [vid]
    found = ec2.describe_vpcs(Filters=[{"Name": "cidr-block-association.association-id", "Values": [assoc["AssociationId"]]}])["Vpcs"]
    assert [v["VpcId"] for v in found] == [vid]
    assert ec2.describe_vpcs(Filters=[{"Name": "cidr", "Values": ["10.41.0.0/16"]}])["Vpcs"] == []

    # Every route table of the VPC gets a local route for the block; new tables start with both.
    main = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vid]}])["RouteTables"][0]
    assert {(r["DestinationCidrBlock"], r["GatewayId"]) for r in main["Routes"]} == {("10.40.0.0/16", "local"), ("10.41.0.0/16", "local")}
    new_table = ec2.create_route_table(VpcId=vid)["RouteTable"]
    assert [r["DestinationCidrBlock"] for r in new_table["Routes"]] == ["10.40.0.0/16", "10.41.0.0/16"]

    # A subnet may use the secondary block, not a range outside every block.
    sub = ec2.create_subnet(VpcId=vid, CidrBlock="10.41.3.0/24")["Subnet"]
    assert sub["CidrBlock"] == "10.41.3.0/24" and sub["AvailableIpAddressCount"] == 251
    assert call_error(ec2.create_subnet, VpcId=vid, CidrBlock="10.42.0.0/24")[1:] == (
        "InvalidSubnet.Range", "The CIDR '10.42.0.0/24' is invalid.")

    # A block holding a subnet stays; the primary block never goes; unknown ids are named.
    assert call_error(ec2.disassociate_vpc_cidr_block, AssociationId=assoc["AssociationId"])[1:] == (
        "InvalidCidrBlock.InUse", f"The vpc {vid} currently has a subnet within CIDR block 10.41.0.0/16")
    status, code, msg = call_error(ec2.disassociate_vpc_cidr_block, AssociationId=primary)
    assert (status, code) == (400, "OperationNotPermitted") and primary in msg and "primary IPv4 CIDR block" in msg
    assert call_error(ec2.disassociate_vpc_cidr_block, AssociationId="vpc-cidr-assoc-0123456789abcdef0")[1:] == (
        "InvalidVpcCidrBlockAssociationID.NotFound", "The vpc CIDR block association ID 'vpc-cidr-assoc-0123456789abcdef0' does not exist")

    ec2.delete_subnet(SubnetId=sub["SubnetId"])
    out = ec2.disassociate_vpc_cidr_block(AssociationId=assoc["AssociationId"])
    assert out["VpcId"] == vid and out["CidrBlockAssociation"]["CidrBlockState"]["State"] == "disassociating"
    assert [a["CidrBlock"] for a in vpc_of(ec2, vid)["CidrBlockAssociationSet"]] == ["10.40.0.0/16"]
    tables = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vid]}])["RouteTables"]
    assert all([r["DestinationCidrBlock"] for r in t["Routes"]] == ["10.40.0.0/16"] for t in tables)
    assert ec2.describe_vpcs(Filters=[{"Name": "cidr-block-association.cidr-block", "Values": ["10.41.0.0/16"]}])["Vpcs"] == []


def test_secondary_ipv4_block_errors_change_nothing(ec2):
    vid = ec2.create_vpc(CidrBlock="10.50.0.0/16")["Vpc"]["VpcId"]
    for cidr in ("10.50.128.0/17", "10.0.0.0/8"):
        assert call_error(ec2.associate_vpc_cidr_block, VpcId=vid, CidrBlock=cidr)[1:] == (
            "InvalidVpc.Range", f"The CIDR '{cidr}' is invalid.")
    assert call_error(ec2.associate_vpc_cidr_block, VpcId=vid, CidrBlock="10.51.0.0/29")[1] == "InvalidVpc.Range"
    code, msg = call_error(ec2.associate_vpc_cidr_block, VpcId=vid, CidrBlock="192.168.0.0/16")[1:]
    assert code == "InvalidVpc.Range" and "restricted" in msg
    assert call_error(ec2.associate_vpc_cidr_block, VpcId=vid, CidrBlock="10.51.0.0/33")[1] == "InvalidParameterValue"
    assert call_error(ec2.associate_vpc_cidr_block, VpcId="vpc-0123456789abcdef0", CidrBlock="10.51.0.0/16")[1] == "InvalidVpcID.NotFound"
    assert len(vpc_of(ec2, vid)["CidrBlockAssociationSet"]) == 1
    # A publicly routable block is allowed next to a private one; five IPv4 blocks in all.
    for cidr in ("10.51.0.0/16", "10.52.0.0/16", "100.64.0.0/16", "10.53.0.0/24"):
        ec2.associate_vpc_cidr_block(VpcId=vid, CidrBlock=cidr)
    assert call_error(ec2.associate_vpc_cidr_block, VpcId=vid, CidrBlock="10.54.0.0/16")[1:] == (
        "CidrLimitExceeded", f"This network '{vid}' has met its maximum number of allowed CIDRs: 5")
    assert len(vpc_of(ec2, vid)["CidrBlockAssociationSet"]) == 5


def test_amazon_ipv6_blocks_and_subnet_ipv6(ec2):
    vid = ec2.create_vpc(CidrBlock="10.60.0.0/16")["Vpc"]["VpcId"]
    other = ec2.create_vpc(CidrBlock="10.61.0.0/16")["Vpc"]["VpcId"]
    out = ec2.associate_vpc_cidr_block(VpcId=vid, AmazonProvidedIpv6CidrBlock=True)
    a6 = out["Ipv6CidrBlockAssociation"]
    assert a6["AssociationId"].startswith("vpc-cidr-assoc-") and a6["Ipv6CidrBlockState"]["State"] == "associating"
    block = ipaddress.IPv6Network(a6["Ipv6CidrBlock"])
    assert block.prefixlen == 56 and str(block) == a6["Ipv6CidrBlock"], "a canonical /56"
    assert block.subnet_of(ipaddress.IPv6Network("2600:1f18::/32"))
    assert a6["NetworkBorderGroup"] == REGION
    theirs = ec2.associate_vpc_cidr_block(VpcId=other, AmazonProvidedIpv6CidrBlock=True,
                                          Ipv6CidrBlockNetworkBorderGroup=REGION)["Ipv6CidrBlockAssociation"]
    assert theirs["Ipv6CidrBlock"] != a6["Ipv6CidrBlock"], "each VPC its own block"
    [shown] = vpc_of(ec2, vid)["Ipv6CidrBlockAssociationSet"]
    assert shown == {"AssociationId": a6["AssociationId"], "Ipv6CidrBlock": a6["Ipv6CidrBlock"],
                     "Ipv6CidrBlockState": {"State": "associated"}, "NetworkBorderGroup": REGION, "Ipv6Pool": "Amazon",
                     "Ipv6AddressAttribute": "public", "IpSource": "amazon"}
    found = ec2.describe_vpcs(Filters=[{"Name": "ipv6-cidr-block-association.ipv6-cidr-block", "Values": [a6["Ipv6CidrBlock"]]}])
    assert [v["VpcId"] for v in found["Vpcs"]] == [vid]
    assert "Ipv6CidrBlockAssociationSet" not in vpc_of(ec2, ec2.create_vpc(CidrBlock="10.62.0.0/16")["Vpc"]["VpcId"])
    born = ec2.create_vpc(CidrBlock="10.63.0.0/16", AmazonProvidedIpv6CidrBlock=True)["Vpc"]
    [b6] = born["Ipv6CidrBlockAssociationSet"]
    assert ipaddress.IPv6Network(b6["Ipv6CidrBlock"]).prefixlen == 56 and b6["Ipv6CidrBlock"] not in (a6["Ipv6CidrBlock"], theirs["Ipv6CidrBlock"])

    nets = list(block.subnets(new_prefix=64))
    first = ec2.create_subnet(VpcId=vid, CidrBlock="10.60.1.0/24", Ipv6CidrBlock=str(nets[1]))["Subnet"]
    [s6] = first["Ipv6CidrBlockAssociationSet"]
    assert s6["Ipv6CidrBlock"] == str(nets[1]) and s6["AssociationId"].startswith("subnet-cidr-assoc-")
    assert s6["Ipv6CidrBlockState"]["State"] == "associated"
    plain = ec2.create_subnet(VpcId=vid, CidrBlock="10.60.2.0/24")["Subnet"]
    assert plain["Ipv6CidrBlockAssociationSet"] == []
    # Outside the VPC's /56, not a /64, or another subnet's block.
    outside = ipaddress.IPv6Network(theirs["Ipv6CidrBlock"]).subnets(new_prefix=64).__next__()
    for bad in (str(outside), str(next(block.subnets(new_prefix=60)))):
        assert call_error(ec2.associate_subnet_cidr_block, SubnetId=plain["SubnetId"], Ipv6CidrBlock=bad)[1:] == (
            "InvalidSubnet.Range", f"The CIDR '{bad}' is invalid.")
    assert call_error(ec2.associate_subnet_cidr_block, SubnetId=plain["SubnetId"], Ipv6CidrBlock=str(nets[1]))[1] == "InvalidSubnet.Conflict"
    assert call_error(ec2.associate_subnet_cidr_block, SubnetId=plain["SubnetId"], Ipv6CidrBlock="not-a-cidr")[1] == "InvalidParameterValue"
    got = ec2.associate_subnet_cidr_block(SubnetId=plain["SubnetId"], Ipv6CidrBlock=str(nets[2]))
    assert got["SubnetId"] == plain["SubnetId"] and got["Ipv6CidrBlockAssociation"]["Ipv6CidrBlock"] == str(nets[2])
    assert call_error(ec2.associate_subnet_cidr_block, SubnetId=plain["SubnetId"], Ipv6CidrBlock=str(nets[3]))[1] == "InvalidParameterValue"
    found = ec2.describe_subnets(Filters=[{"Name": "ipv6-cidr-block-association.ipv6-cidr-block", "Values": [str(nets[2])]}])
    assert [s["SubnetId"] for s in found["Subnets"]] == [plain["SubnetId"]]

    # The VPC's block stays while subnets use it; a subnet assigning IPv6 on creation keeps its block.
    assert call_error(ec2.disassociate_vpc_cidr_block, AssociationId=a6["AssociationId"])[1] == "InvalidCidrBlock.InUse"
    ec2.modify_subnet_attribute(SubnetId=first["SubnetId"], AssignIpv6AddressOnCreation={"Value": True})
    assert call_error(ec2.disassociate_subnet_cidr_block, AssociationId=s6["AssociationId"])[1] == "InvalidCidrBlock.InUse"
    ec2.modify_subnet_attribute(SubnetId=first["SubnetId"], AssignIpv6AddressOnCreation={"Value": False})
    gone = ec2.disassociate_subnet_cidr_block(AssociationId=s6["AssociationId"])
    assert gone["SubnetId"] == first["SubnetId"] and gone["Ipv6CidrBlockAssociation"]["Ipv6CidrBlockState"]["State"] == "disassociating"
    assert ec2.describe_subnets(SubnetIds=[first["SubnetId"]])["Subnets"][0]["Ipv6CidrBlockAssociationSet"] == []
    assert call_error(ec2.disassociate_subnet_cidr_block, AssociationId=s6["AssociationId"])[1] == "InvalidSubnetCidrBlockAssociationID.NotFound"
    ec2.disassociate_subnet_cidr_block(AssociationId=got["Ipv6CidrBlockAssociation"]["AssociationId"])
    out = ec2.disassociate_vpc_cidr_block(AssociationId=a6["AssociationId"])
    assert out["Ipv6CidrBlockAssociation"]["Ipv6CidrBlockState"]["State"] == "disassociating"
    assert "Ipv6CidrBlockAssociationSet" not in vpc_of(ec2, vid)


def test_cli_and_persistence_across_restart(fresh_server):
    s = fresh_server
    _, out, _ = s.aws("ec2", "create-vpc", "--cidr-block", "10.70.0.0/16")
    vid = out["Vpc"]["VpcId"]
    _, out, _ = s.aws("ec2", "associate-vpc-cidr-block", "--vpc-id", vid, "--cidr-block", "10.71.0.0/16")
    v4 = out["CidrBlockAssociation"]["AssociationId"]
    _, out, _ = s.aws("ec2", "associate-vpc-cidr-block", "--vpc-id", vid, "--amazon-provided-ipv6-cidr-block")
    v6 = out["Ipv6CidrBlockAssociation"]
    net = str(next(ipaddress.IPv6Network(v6["Ipv6CidrBlock"]).subnets(new_prefix=64)))
    _, out, _ = s.aws("ec2", "create-subnet", "--vpc-id", vid, "--cidr-block", "10.71.1.0/24", "--ipv6-cidr-block", net)
    sid = out["Subnet"]["SubnetId"]
    code, _, err = s.aws("ec2", "disassociate-vpc-cidr-block", "--association-id", v4, check=False)
    assert code != 0 and "InvalidCidrBlock.InUse" in err

    s.restart()
    _, out, _ = s.aws("ec2", "describe-vpcs", "--vpc-ids", vid)
    vpc = out["Vpcs"][0]
    assert [a["CidrBlock"] for a in vpc["CidrBlockAssociationSet"]] == ["10.70.0.0/16", "10.71.0.0/16"]
    assert [a["Ipv6CidrBlock"] for a in vpc["Ipv6CidrBlockAssociationSet"]] == [v6["Ipv6CidrBlock"]]
    _, out, _ = s.aws("ec2", "describe-subnets", "--subnet-ids", sid)
    assert [a["Ipv6CidrBlock"] for a in out["Subnets"][0]["Ipv6CidrBlockAssociationSet"]] == [net]
    _, out, _ = s.aws("ec2", "describe-vpcs", "--filters", "Name=cidr-block-association.cidr-block,Values=10.71.0.0/16")
    assert [v["VpcId"] for v in out["Vpcs"]] == [vid]


def test_enforce_iam_authorizes_disassociation_on_the_vpc():
    s = Server(extra_args=["--enforce-iam"]).start()
    try:
        ec2 = s.client("ec2")
        vid = ec2.create_vpc(CidrBlock="10.80.0.0/16")["Vpc"]["VpcId"]
        other = ec2.create_vpc(CidrBlock="10.82.0.0/16")["Vpc"]["VpcId"]
        mine = ec2.associate_vpc_cidr_block(VpcId=vid, CidrBlock="10.81.0.0/16")["CidrBlockAssociation"]["AssociationId"]
        theirs = ec2.associate_vpc_cidr_block(VpcId=other, CidrBlock="10.83.0.0/16")["CidrBlockAssociation"]["AssociationId"]
        user = user_client(s, "ec2", "cidr-user", {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["ec2:AssociateVpcCidrBlock", "ec2:DisassociateVpcCidrBlock"],
             "Resource": f"arn:aws:ec2:{REGION}:{ACCOUNT}:vpc/{vid}"}]})
        status, code, msg = call_error(user.disassociate_vpc_cidr_block, AssociationId=theirs)
        assert (status, code) == (403, "UnauthorizedOperation") and f"vpc/{other}" in msg
        assert call_error(user.associate_vpc_cidr_block, VpcId=other, CidrBlock="10.84.0.0/16")[1] == "UnauthorizedOperation"
        assert len(vpc_of(ec2, other)["CidrBlockAssociationSet"]) == 2
        user.disassociate_vpc_cidr_block(AssociationId=mine)
        assert len(vpc_of(ec2, vid)["CidrBlockAssociationSet"]) == 1
    finally:
        s.cleanup()


def test_instances_in_primary_and_secondary_blocks_reach_each_other():
    """On the kernel fabric, a subnet of a secondary block is routed like one of the primary block."""
    from network_support import fetch_loop, require_net_admin, run_instance, wait_console, wait_running
    require_net_admin()
    s = Server().start()
    try:
        ec2 = s.client("ec2")
        vid = ec2.create_vpc(CidrBlock="10.90.0.0/16")["Vpc"]["VpcId"]
        ec2.associate_vpc_cidr_block(VpcId=vid, CidrBlock="10.91.0.0/16")
        near = ec2.create_subnet(VpcId=vid, CidrBlock="10.90.1.0/24")["Subnet"]["SubnetId"]
        far = ec2.create_subnet(VpcId=vid, CidrBlock="10.91.1.0/24")["Subnet"]["SubnetId"]
        sg = ec2.create_security_group(GroupName="web", Description="web", VpcId=vid)["GroupId"]
        ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080, "IpRanges": [{"CidrIp": "10.90.0.0/15"}]}])
        server_script = f"#!/bin/sh\n{sys.executable} -u -m http.server 8080 --bind 0.0.0.0\n"
        a, a_ip = run_instance(ec2, near, [sg], server_script)
        b, b_ip = run_instance(ec2, far, [sg], server_script)
        c, _ = run_instance(ec2, far, [sg], fetch_loop(a_ip))
        d, _ = run_instance(ec2, near, [sg], fetch_loop(b_ip))
        for i in (a, b, c, d):
            wait_running(ec2, i)
        assert b_ip.startswith("10.91.1.")
        for i in (c, d):
            wait_console(ec2, i, lambda ls: any(l.endswith(" ok") for l in ls), what="a successful fetch across blocks")
    finally:
        s.cleanup()
