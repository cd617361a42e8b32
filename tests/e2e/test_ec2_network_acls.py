"""EC2 network ACLs: create, entries (ordered, stateless rules), associations, through boto3 and the AWS CLI."""
import pytest
from botocore.exceptions import ClientError


def error(excinfo):
    return excinfo.value.response["Error"]["Code"], excinfo.value.response["Error"]["Message"]


def test_network_acl_lifecycle(ec2):
    vpc = ec2.create_vpc(CidrBlock="10.60.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.60.1.0/24")["Subnet"]["SubnetId"]
    acl = ec2.create_network_acl(VpcId=vpc, TagSpecifications=[{"ResourceType": "network-acl", "Tags": [{"Key": "t", "Value": "db"}]}])["NetworkAcl"]
    acl_id = acl["NetworkAclId"]
    assert acl["IsDefault"] is False and acl["Associations"] == [] and acl["Tags"] == [{"Key": "t", "Value": "db"}]
    assert [(e["RuleNumber"], e["RuleAction"], e["Egress"]) for e in acl["Entries"]] == [(32767, "deny", True), (32767, "deny", False)]
    ec2.create_network_acl_entry(NetworkAclId=acl_id, RuleNumber=100, Protocol="6", RuleAction="allow", Egress=False,
                                 CidrBlock="10.60.0.0/16", PortRange={"From": 5432, "To": 5432})
    ec2.create_network_acl_entry(NetworkAclId=acl_id, RuleNumber=110, Protocol="1", RuleAction="allow", Egress=False,
                                 CidrBlock="0.0.0.0/0", IcmpTypeCode={"Type": -1, "Code": -1})
    with pytest.raises(ClientError) as e:
        ec2.create_network_acl_entry(NetworkAclId=acl_id, RuleNumber=100, Protocol="-1", RuleAction="deny", Egress=False,
                                     CidrBlock="0.0.0.0/0")
    assert error(e) == ("NetworkAclEntryAlreadyExists", "The network acl entry identified by 100 already exists.")
    entries = ec2.describe_network_acls(NetworkAclIds=[acl_id])["NetworkAcls"][0]["Entries"]
    ingress = [e for e in entries if not e["Egress"]]
    assert ingress[0] == {"CidrBlock": "10.60.0.0/16", "Egress": False, "PortRange": {"From": 5432, "To": 5432}, "Protocol": "6",
                          "RuleAction": "allow", "RuleNumber": 100}
    assert ingress[1]["IcmpTypeCode"] == {"Code": -1, "Type": -1}
    ec2.replace_network_acl_entry(NetworkAclId=acl_id, RuleNumber=100, Protocol="6", RuleAction="deny", Egress=False,
                                  CidrBlock="10.60.0.0/16", PortRange={"From": 5432, "To": 5432})
    got = ec2.describe_network_acls(Filters=[{"Name": "entry.rule-action", "Values": ["deny"]}, {"Name": "vpc-id", "Values": [vpc]},
                                             {"Name": "default", "Values": ["false"]}])["NetworkAcls"]
    assert [a["NetworkAclId"] for a in got] == [acl_id]
    ec2.delete_network_acl_entry(NetworkAclId=acl_id, RuleNumber=110, Egress=False)
    with pytest.raises(ClientError) as e:
        ec2.delete_network_acl_entry(NetworkAclId=acl_id, RuleNumber=110, Egress=False)
    assert error(e)[0] == "InvalidNetworkAclEntry.NotFound"

    default = ec2.describe_network_acls(Filters=[{"Name": "vpc-id", "Values": [vpc]}, {"Name": "default", "Values": ["true"]}])["NetworkAcls"][0]
    assoc = [a for a in default["Associations"] if a["SubnetId"] == subnet][0]["NetworkAclAssociationId"]
    new_assoc = ec2.replace_network_acl_association(AssociationId=assoc, NetworkAclId=acl_id)["NewAssociationId"]
    got = ec2.describe_network_acls(Filters=[{"Name": "association.subnet-id", "Values": [subnet]}])["NetworkAcls"]
    assert [a["NetworkAclId"] for a in got] == [acl_id] and got[0]["Associations"][0]["NetworkAclAssociationId"] == new_assoc
    with pytest.raises(ClientError) as e:
        ec2.delete_network_acl(NetworkAclId=acl_id)
    assert error(e) == ("DependencyViolation", f"The networkAcl '{acl_id}' has dependencies and cannot be deleted.")
    with pytest.raises(ClientError) as e:
        ec2.delete_network_acl(NetworkAclId=default["NetworkAclId"])
    assert error(e) == ("InvalidParameterValue", f"cannot delete default network ACL {default['NetworkAclId']}")
    ec2.replace_network_acl_association(AssociationId=new_assoc, NetworkAclId=default["NetworkAclId"])
    ec2.delete_network_acl(NetworkAclId=acl_id)
    with pytest.raises(ClientError) as e:
        ec2.describe_network_acls(NetworkAclIds=[acl_id])
    assert error(e)[0] == "InvalidNetworkAclID.NotFound"


def test_network_acl_cli(server, ec2):
    vpc = ec2.create_vpc(CidrBlock="10.61.0.0/16")["Vpc"]["VpcId"]
    _, out, _ = server.aws("ec2", "create-network-acl", "--vpc-id", vpc)
    acl = out["NetworkAcl"]["NetworkAclId"]
    server.aws("ec2", "create-network-acl-entry", "--network-acl-id", acl, "--rule-number", "100", "--protocol", "tcp",
               "--rule-action", "allow", "--ingress", "--cidr-block", "0.0.0.0/0", "--port-range", "From=80,To=80")
    _, out, _ = server.aws("ec2", "describe-network-acls", "--network-acl-ids", acl)
    assert [e["RuleNumber"] for e in out["NetworkAcls"][0]["Entries"] if not e["Egress"]] == [100, 32767]
    code, _, err = server.aws("ec2", "delete-network-acl-entry", "--network-acl-id", acl, "--rule-number", "7", "--ingress", check=False)
    assert code != 0 and "InvalidNetworkAclEntry.NotFound" in err
    server.aws("ec2", "delete-network-acl", "--network-acl-id", acl)
