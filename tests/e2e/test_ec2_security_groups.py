"""EC2 security groups and their rules through boto3 and the AWS CLI."""
import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, REGION, signed_request


def error(excinfo):
    return excinfo.value.response["Error"]["Code"], excinfo.value.response["Error"]["Message"]


@pytest.fixture
def vpc(ec2):
    return ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]


def default_group(ec2, vpc):
    return ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc]},
                                                 {"Name": "group-name", "Values": ["default"]}])["SecurityGroups"][0]["GroupId"]


def test_create_security_group_has_one_egress_rule(ec2, vpc):
    out = ec2.create_security_group(GroupName="web", Description="web tier", VpcId=vpc,
                                    TagSpecifications=[{"ResourceType": "security-group", "Tags": [{"Key": "t", "Value": "1"}]}])
    gid = out["GroupId"]
    assert gid.startswith("sg-") and out["SecurityGroupArn"] == f"arn:aws:ec2:{REGION}:{ACCOUNT}:security-group/{gid}"
    assert out["Tags"] == [{"Key": "t", "Value": "1"}]
    sg = ec2.describe_security_groups(GroupIds=[gid])["SecurityGroups"][0]
    assert sg["GroupName"] == "web" and sg["Description"] == "web tier" and sg["VpcId"] == vpc and sg["OwnerId"] == ACCOUNT
    assert sg["IpPermissions"] == []
    assert sg["IpPermissionsEgress"] == [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}], "Ipv6Ranges": [],
                                          "PrefixListIds": [], "UserIdGroupPairs": []}]
    rules = ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [gid]}])["SecurityGroupRules"]
    assert len(rules) == 1 and rules[0]["IsEgress"] is True and rules[0]["SecurityGroupRuleId"].startswith("sgr-")
    assert rules[0]["CidrIpv4"] == "0.0.0.0/0" and rules[0]["FromPort"] == -1 and rules[0]["IpProtocol"] == "-1"


def test_create_security_group_errors(ec2, vpc):
    ec2.create_security_group(GroupName="dup", Description="d", VpcId=vpc)
    with pytest.raises(ClientError) as e:
        ec2.create_security_group(GroupName="dup", Description="d", VpcId=vpc)
    assert error(e) == ("InvalidGroup.Duplicate", f"The security group 'dup' already exists for VPC '{vpc}'")
    with pytest.raises(ClientError) as e:
        ec2.create_security_group(GroupName="default", Description="d", VpcId=vpc)
    assert error(e)[0] == "InvalidGroup.Reserved"
    with pytest.raises(ClientError) as e:
        ec2.create_security_group(GroupName="x", Description="d", VpcId="vpc-0123456789abcdef0")
    assert error(e)[0] == "InvalidVpcID.NotFound"


def test_authorize_rules_grouped_and_duplicates(ec2, vpc):
    gid = ec2.create_security_group(GroupName="db", Description="db", VpcId=vpc)["GroupId"]
    app = ec2.create_security_group(GroupName="app", Description="app", VpcId=vpc)["GroupId"]
    out = ec2.authorize_security_group_ingress(GroupId=gid, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "10.0.0.0/16", "Description": "ssh"},
                                                                         {"CidrIp": "192.168.0.0/24"}]},
        {"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "UserIdGroupPairs": [{"GroupId": app, "Description": "app"}]},
        {"IpProtocol": "icmp", "FromPort": 8, "ToPort": -1, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
    ])
    assert out["Return"] is True and len(out["SecurityGroupRules"]) == 4
    r0 = out["SecurityGroupRules"][0]
    assert r0["GroupId"] == gid and r0["IsEgress"] is False and r0["CidrIpv4"] == "10.0.0.0/16" and r0["Description"] == "ssh"
    assert out["SecurityGroupRules"][2]["ReferencedGroupInfo"] == {"GroupId": app, "UserId": ACCOUNT}
    perms = ec2.describe_security_groups(GroupIds=[gid])["SecurityGroups"][0]["IpPermissions"]
    assert perms[0] == {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "UserIdGroupPairs": [], "Ipv6Ranges": [], "PrefixListIds": [],
                        "IpRanges": [{"CidrIp": "10.0.0.0/16", "Description": "ssh"}, {"CidrIp": "192.168.0.0/24"}]}
    assert perms[1]["UserIdGroupPairs"] == [{"GroupId": app, "UserId": ACCOUNT, "Description": "app"}]
    assert perms[2]["IpProtocol"] == "icmp" and perms[2]["FromPort"] == 8 and perms[2]["ToPort"] == -1
    with pytest.raises(ClientError) as e:
        ec2.authorize_security_group_ingress(GroupId=gid, IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "10.0.0.0/16"}]}])
    assert error(e) == ("InvalidPermission.Duplicate",
                        'the specified rule "peer: 10.0.0.0/16, TCP, from port: 22, to port: 22, ALLOW" already exists')
    with pytest.raises(ClientError) as e:
        ec2.authorize_security_group_ingress(GroupId=gid, IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 1, "ToPort": 1, "UserIdGroupPairs": [{"GroupId": "sg-0123456789abcdef0"}]}])
    assert error(e) == ("InvalidGroup.NotFound", "The security group 'sg-0123456789abcdef0' does not exist")
    with pytest.raises(ClientError) as e:
        ec2.authorize_security_group_ingress(GroupId=gid, IpPermissions=[
            {"IpProtocol": "bogus", "FromPort": 1, "ToPort": 1, "IpRanges": [{"CidrIp": "1.2.3.4/32"}]}])
    assert error(e)[0] == "InvalidParameterValue"
    with pytest.raises(ClientError) as e:
        ec2.authorize_security_group_ingress(GroupId=gid, IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 100, "ToPort": 70000, "IpRanges": [{"CidrIp": "1.2.3.4/32"}]}])
    assert error(e)[0] == "InvalidParameterValue"
    with pytest.raises(ClientError) as e:
        ec2.authorize_security_group_ingress(GroupId="sg-zz", IpPermissions=[
            {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "1.2.3.4/32"}]}])
    assert error(e)[0] == "InvalidGroupId.Malformed"
    # Nothing from the failed calls was stored.
    assert len(ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [gid]}])["SecurityGroupRules"]) == 5


def test_legacy_flat_parameters(ec2, vpc):
    gid = ec2.create_security_group(GroupName="flat", Description="f", VpcId=vpc)["GroupId"]
    src = ec2.create_security_group(GroupName="src", Description="s", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=gid, IpProtocol="tcp", FromPort=80, ToPort=80, CidrIp="0.0.0.0/0")
    ec2.authorize_security_group_ingress(GroupId=gid, SourceSecurityGroupName="src")
    perms = ec2.describe_security_groups(GroupIds=[gid])["SecurityGroups"][0]["IpPermissions"]
    assert {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "IpRanges": [{"CidrIp": "0.0.0.0/0"}], "Ipv6Ranges": [],
            "PrefixListIds": [], "UserIdGroupPairs": []} in perms
    assert any(p["UserIdGroupPairs"] == [{"GroupId": src, "UserId": ACCOUNT}] for p in perms)
    ec2.revoke_security_group_ingress(GroupId=gid, IpProtocol="tcp", FromPort=80, ToPort=80, CidrIp="0.0.0.0/0")
    perms = ec2.describe_security_groups(GroupIds=[gid])["SecurityGroups"][0]["IpPermissions"]
    assert all(p["IpProtocol"] != "tcp" for p in perms)


def test_egress_authorize_and_revoke(ec2, vpc):
    gid = ec2.create_security_group(GroupName="eg", Description="e", VpcId=vpc)["GroupId"]
    ec2.revoke_security_group_egress(GroupId=gid, IpPermissions=[{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    assert ec2.describe_security_groups(GroupIds=[gid])["SecurityGroups"][0]["IpPermissionsEgress"] == []
    out = ec2.authorize_security_group_egress(GroupId=gid, IpPermissions=[
        {"IpProtocol": "udp", "FromPort": 53, "ToPort": 53, "IpRanges": [{"CidrIp": "10.0.0.2/32"}]}])
    rid = out["SecurityGroupRules"][0]["SecurityGroupRuleId"]
    assert out["SecurityGroupRules"][0]["IsEgress"] is True
    out = ec2.revoke_security_group_egress(GroupId=gid, SecurityGroupRuleIds=[rid])
    assert out["Return"] is True and out["RevokedSecurityGroupRules"][0]["SecurityGroupRuleId"] == rid
    assert ec2.describe_security_groups(GroupIds=[gid])["SecurityGroups"][0]["IpPermissionsEgress"] == []


def test_revoke_unknown_rule_reports_it(ec2, vpc):
    gid = ec2.create_security_group(GroupName="rv", Description="r", VpcId=vpc)["GroupId"]
    out = ec2.revoke_security_group_ingress(GroupId=gid, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}])
    assert out["Return"] is True
    assert out["UnknownIpPermissions"][0]["FromPort"] == 443
    assert out["UnknownIpPermissions"][0]["IpRanges"] == [{"CidrIp": "10.0.0.0/8"}]


def test_delete_security_group_rules(ec2, vpc):
    a = ec2.create_security_group(GroupName="a", Description="a", VpcId=vpc)["GroupId"]
    b = ec2.create_security_group(GroupName="b", Description="b", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=b, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "UserIdGroupPairs": [{"GroupId": a}]}])
    with pytest.raises(ClientError) as e:
        ec2.delete_security_group(GroupId=a)
    assert error(e) == ("DependencyViolation", f"resource {a} has a dependent object")
    with pytest.raises(ClientError) as e:
        ec2.delete_security_group(GroupId=default_group(ec2, vpc))
    assert error(e)[0] == "CannotDelete"
    out = ec2.delete_security_group(GroupId=b)
    assert out["Return"] is True and out["GroupId"] == b
    ec2.delete_security_group(GroupId=a)
    with pytest.raises(ClientError) as e:
        ec2.delete_security_group(GroupId=a)
    assert error(e) == ("InvalidGroup.NotFound", f"The security group '{a}' does not exist")
    assert ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [a, b]}])["SecurityGroupRules"] == []


def test_security_group_filters(ec2, vpc):
    g = ec2.create_security_group(GroupName="filter-me", Description="pg", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=g, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 6543, "ToPort": 6543, "IpRanges": [{"CidrIp": "172.16.0.0/12"}]}])
    def ids(*filters):
        return [x["GroupId"] for x in ec2.describe_security_groups(Filters=list(filters))["SecurityGroups"]]
    assert ids({"Name": "ip-permission.from-port", "Values": ["6543"]}) == [g]
    assert ids({"Name": "ip-permission.cidr", "Values": ["172.16.*"]}, {"Name": "vpc-id", "Values": [vpc]}) == [g]
    assert ids({"Name": "group-name", "Values": ["filter-?e"]}) == [g]
    assert g not in ids({"Name": "egress.ip-permission.from-port", "Values": ["6543"]})


def test_cli_security_group_commands(server):
    _, out, _ = server.aws("ec2", "create-vpc", "--cidr-block", "10.30.0.0/16")
    vid = out["Vpc"]["VpcId"]
    _, out, _ = server.aws("ec2", "create-security-group", "--group-name", "pg", "--description", "postgres", "--vpc-id", vid)
    db = out["GroupId"]
    _, out, _ = server.aws("ec2", "create-security-group", "--group-name", "fn", "--description", "lambda", "--vpc-id", vid)
    fn = out["GroupId"]
    _, out, _ = server.aws("ec2", "authorize-security-group-ingress", "--group-id", db, "--protocol", "tcp", "--port", "5432",
                           "--source-group", fn)
    assert out["Return"] is True
    _, out, _ = server.aws("ec2", "authorize-security-group-ingress", "--group-id", db, "--ip-permissions",
                           "IpProtocol=tcp,FromPort=22,ToPort=22,IpRanges=[{CidrIp=10.30.0.0/16}]")
    _, out, _ = server.aws("ec2", "describe-security-groups", "--group-ids", db)
    perms = out["SecurityGroups"][0]["IpPermissions"]
    assert perms[0]["FromPort"] == 5432 and perms[0]["UserIdGroupPairs"][0]["GroupId"] == fn
    assert perms[1]["IpRanges"] == [{"CidrIp": "10.30.0.0/16"}]
    code, _, err = server.aws("ec2", "authorize-security-group-ingress", "--group-id", db, "--protocol", "tcp", "--port", "22",
                              "--cidr", "10.30.0.0/16", check=False)
    assert code != 0 and "InvalidPermission.Duplicate" in err
    code, _, err = server.aws("ec2", "delete-security-group", "--group-id", fn, check=False)
    assert code != 0 and "DependencyViolation" in err
    _, out, _ = server.aws("ec2", "describe-security-group-rules", "--filters", f"Name=group-id,Values={db}")
    assert len(out["SecurityGroupRules"]) == 3
    server.aws("ec2", "revoke-security-group-ingress", "--group-id", db, "--protocol", "tcp", "--port", "5432", "--source-group", fn)
    server.aws("ec2", "delete-security-group", "--group-id", fn)
    _, out, _ = server.aws("ec2", "describe-security-groups", "--filters", f"Name=vpc-id,Values={vid}")
    assert sorted(g["GroupName"] for g in out["SecurityGroups"]) == ["default", "pg"]
    code, _, err = server.aws("ec2", "delete-security-group", "--group-id", db, "--dry-run", check=False)
    assert code != 0 and "DryRunOperation" in err
