"""The EC2 modify calls Terraform makes: ModifySubnetAttribute, ModifySecurityGroupRules and the rule-description
updates, through boto3 and the AWS CLI, with their errors; and Lambda's GetFunctionCodeSigningConfig."""
import pytest
from botocore.exceptions import ClientError

from lambda_support import ROLE, make_zip, unique


def error(excinfo):
    return excinfo.value.response["Error"]["Code"], excinfo.value.response["Error"]["Message"]


@pytest.fixture
def subnet(ec2):
    vpc = ec2.create_vpc(CidrBlock="10.70.0.0/16")["Vpc"]["VpcId"]
    return ec2.create_subnet(VpcId=vpc, CidrBlock="10.70.1.0/24")["Subnet"]["SubnetId"]


def describe(ec2, subnet):
    return ec2.describe_subnets(SubnetIds=[subnet])["Subnets"][0]


def test_modify_subnet_attribute_one_at_a_time(server, ec2, subnet):
    s = describe(ec2, subnet)
    assert s["MapPublicIpOnLaunch"] is False and s["EnableDns64"] is False
    assert s["PrivateDnsNameOptionsOnLaunch"] == {"HostnameType": "ip-name", "EnableResourceNameDnsARecord": False,
                                                  "EnableResourceNameDnsAAAARecord": False}
    ec2.modify_subnet_attribute(SubnetId=subnet, MapPublicIpOnLaunch={"Value": True})
    ec2.modify_subnet_attribute(SubnetId=subnet, EnableDns64={"Value": True})
    ec2.modify_subnet_attribute(SubnetId=subnet, PrivateDnsHostnameTypeOnLaunch="resource-name")
    ec2.modify_subnet_attribute(SubnetId=subnet, EnableResourceNameDnsARecordOnLaunch={"Value": True})
    server.aws("ec2", "modify-subnet-attribute", "--subnet-id", subnet, "--enable-lni-at-device-index", "1")
    s = describe(ec2, subnet)
    assert s["MapPublicIpOnLaunch"] is True and s["EnableDns64"] is True and s["EnableLniAtDeviceIndex"] == 1
    assert s["PrivateDnsNameOptionsOnLaunch"]["HostnameType"] == "resource-name"
    assert s["PrivateDnsNameOptionsOnLaunch"]["EnableResourceNameDnsARecord"] is True
    # The filter follows the attribute.
    found = ec2.describe_subnets(Filters=[{"Name": "map-public-ip-on-launch", "Values": ["true"]}])["Subnets"]
    assert subnet in [x["SubnetId"] for x in found]
    server.aws("ec2", "modify-subnet-attribute", "--subnet-id", subnet, "--no-map-public-ip-on-launch")
    server.aws("ec2", "modify-subnet-attribute", "--subnet-id", subnet, "--disable-lni-at-device-index")
    s = describe(ec2, subnet)
    assert s["MapPublicIpOnLaunch"] is False and "EnableLniAtDeviceIndex" not in s


def test_modify_subnet_attribute_errors_change_nothing(server, ec2, subnet):
    with pytest.raises(ClientError) as e:
        ec2.modify_subnet_attribute(SubnetId="subnet-0000000000000000a", MapPublicIpOnLaunch={"Value": True})
    assert error(e)[0] == "InvalidSubnetID.NotFound"
    with pytest.raises(ClientError) as e:
        ec2.modify_subnet_attribute(SubnetId=subnet, MapPublicIpOnLaunch={"Value": True}, EnableDns64={"Value": True})
    assert error(e)[0] == "InvalidParameterCombination"
    with pytest.raises(ClientError) as e:
        ec2.modify_subnet_attribute(SubnetId=subnet)
    assert error(e)[0] == "MissingParameter"
    with pytest.raises(ClientError) as e:
        ec2.modify_subnet_attribute(SubnetId=subnet, PrivateDnsHostnameTypeOnLaunch="dns-name")
    assert error(e)[0] == "InvalidParameterValue"
    s = describe(ec2, subnet)
    assert s["MapPublicIpOnLaunch"] is False and s["EnableDns64"] is False
    assert s["PrivateDnsNameOptionsOnLaunch"]["HostnameType"] == "ip-name"


@pytest.fixture
def groups(ec2):
    vpc = ec2.create_vpc(CidrBlock="10.71.0.0/16")["Vpc"]["VpcId"]
    app = ec2.create_security_group(GroupName="app", Description="app", VpcId=vpc)["GroupId"]
    db = ec2.create_security_group(GroupName="db", Description="db", VpcId=vpc)["GroupId"]
    return app, db


def rules(ec2, group, egress=False):
    out = ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [group]}])["SecurityGroupRules"]
    return [r for r in out if r["IsEgress"] == egress]


def test_modify_security_group_rules_replaces_a_rule_in_place(server, ec2, groups):
    app, db = groups
    added = ec2.authorize_security_group_ingress(GroupId=db, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "IpRanges": [{"CidrIp": "10.71.0.0/24"}]}])
    rule_id = added["SecurityGroupRules"][0]["SecurityGroupRuleId"]
    ec2.modify_security_group_rules(GroupId=db, SecurityGroupRules=[{
        "SecurityGroupRuleId": rule_id,
        "SecurityGroupRule": {"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5433, "ReferencedGroupId": app,
                              "Description": "from app"}}])
    (r,) = rules(ec2, db)
    assert r["SecurityGroupRuleId"] == rule_id
    assert (r["FromPort"], r["ToPort"], r["ReferencedGroupInfo"]["GroupId"], r["Description"]) == (5432, 5433, app, "from app")
    assert "CidrIpv4" not in r
    perms = ec2.describe_security_groups(GroupIds=[db])["SecurityGroups"][0]["IpPermissions"]
    assert perms[0]["UserIdGroupPairs"][0]["GroupId"] == app and perms[0]["ToPort"] == 5433
    # The CLI, then errors: an unknown rule, a rule of another group, a duplicate of another rule.
    server.aws("ec2", "modify-security-group-rules", "--group-id", db, "--security-group-rules",
               f"SecurityGroupRuleId={rule_id},SecurityGroupRule={{IpProtocol=tcp,FromPort=5432,ToPort=5432,CidrIpv4=10.71.1.0/24}}")
    (r,) = rules(ec2, db)
    assert (r["ToPort"], r["CidrIpv4"]) == (5432, "10.71.1.0/24")
    with pytest.raises(ClientError) as e:
        ec2.modify_security_group_rules(GroupId=db, SecurityGroupRules=[{
            "SecurityGroupRuleId": "sgr-0000000000000000a", "SecurityGroupRule": {"IpProtocol": "-1", "CidrIpv4": "0.0.0.0/0"}}])
    assert error(e)[0] == "InvalidSecurityGroupRuleId.NotFound"
    (app_egress,) = rules(ec2, app, egress=True)
    with pytest.raises(ClientError) as e:
        ec2.modify_security_group_rules(GroupId=db, SecurityGroupRules=[{
            "SecurityGroupRuleId": app_egress["SecurityGroupRuleId"],
            "SecurityGroupRule": {"IpProtocol": "-1", "CidrIpv4": "0.0.0.0/0"}}])
    assert error(e)[0] == "InvalidSecurityGroupRuleId.NotFound"
    ec2.authorize_security_group_ingress(GroupId=db, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "10.71.2.0/24"}]}])
    with pytest.raises(ClientError) as e:
        ec2.modify_security_group_rules(GroupId=db, SecurityGroupRules=[{
            "SecurityGroupRuleId": rule_id,
            "SecurityGroupRule": {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIpv4": "10.71.2.0/24"}}])
    assert error(e)[0] == "InvalidPermission.Duplicate"
    assert sorted((r["FromPort"], r.get("CidrIpv4")) for r in rules(ec2, db)) == [(22, "10.71.2.0/24"), (5432, "10.71.1.0/24")]


def test_update_rule_descriptions_by_id_and_by_permission(server, ec2, groups):
    app, db = groups
    ec2.authorize_security_group_ingress(GroupId=db, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "UserIdGroupPairs": [{"GroupId": app}]}])
    ec2.update_security_group_rule_descriptions_ingress(GroupId=db, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "UserIdGroupPairs": [{"GroupId": app, "Description": "pg"}]}])
    (r,) = rules(ec2, db)
    assert r["Description"] == "pg"
    (egress,) = rules(ec2, app, egress=True)
    server.aws("ec2", "update-security-group-rule-descriptions-egress", "--group-id", app, "--security-group-rule-descriptions",
               f"SecurityGroupRuleId={egress['SecurityGroupRuleId']},Description=out")
    assert rules(ec2, app, egress=True)[0]["Description"] == "out"
    with pytest.raises(ClientError) as e:
        ec2.update_security_group_rule_descriptions_ingress(GroupId=db, IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "IpRanges": [{"CidrIp": "10.0.0.0/8", "Description": "x"}]}])
    assert error(e)[0] == "InvalidPermission.NotFound"
    assert rules(ec2, db)[0]["Description"] == "pg"


def test_get_function_code_signing_config(server):
    from invoke_support import ensure_role
    lam = server.client("lambda")
    ensure_role(lam)
    name = unique("csc")
    lam.create_function(FunctionName=name, Runtime="python3.12", Role=ROLE, Handler="index.handler",
                        Code={"ZipFile": make_zip()})
    out = lam.get_function_code_signing_config(FunctionName=name)
    assert (out["FunctionName"], out["CodeSigningConfigArn"]) == (name, "")
    _, cli, _ = server.aws("lambda", "get-function-code-signing-config", "--function-name", name)
    assert cli == {"CodeSigningConfigArn": "", "FunctionName": name}
    with pytest.raises(ClientError) as e:
        lam.get_function_code_signing_config(FunctionName="nope")
    assert error(e)[0] == "ResourceNotFoundException"
