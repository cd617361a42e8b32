"""Lambda and EC2 under IAM: every operation authorized with its action and resource, iam:PassRole on the execution
role, and Lambda's execution-role checks (in every mode unless --skip-role-checks)."""
import json
import time

import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, LAMBDA_TRUST, REGION, Server, lambda_role, call_error as error_of
from lambda_support import create_function, make_network, unique

FN_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:"


@pytest.fixture(scope="module")
def enforced():
    s = Server(extra_args=["--enforce-iam", "--eni-create-delay", "0ms"]).start()
    yield s
    s.cleanup()


def user(server, *statements):
    iam = server.client("iam")
    name = unique("u")
    iam.create_user(UserName=name)
    if statements:
        iam.put_user_policy(UserName=name, PolicyName="p",
                            PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": list(statements)}))
    k = iam.create_access_key(UserName=name)["AccessKey"]
    return name, k["AccessKeyId"], k["SecretAccessKey"]


def denied(user_name, action, resource, explicit=False):
    why = "with an explicit deny in an identity-based policy" if explicit else \
        f"because no identity-based policy allows the {action} action"
    return f"User: arn:aws:iam::{ACCOUNT}:user/{user_name} is not authorized to perform: {action} on resource: {resource} {why}"


def allow(action, resource="*", **condition):
    s = {"Effect": "Allow", "Action": action, "Resource": resource}
    if condition:
        s["Condition"] = condition
    return s


def test_each_lambda_operation_names_its_action_and_resource(enforced):
    role = lambda_role(enforced, vpc=False)
    fn = unique("ops")
    create_function(enforced.client("lambda"), fn, Role=role, Publish=True)
    name, key, secret = user(enforced)
    lam = enforced.client("lambda", key=key, secret=secret)
    cases = [
        (lam.get_function, dict(FunctionName=fn), "lambda:GetFunction", FN_ARN + fn),
        (lam.get_function, dict(FunctionName=fn, Qualifier="1"), "lambda:GetFunction", FN_ARN + fn + ":1"),
        (lam.get_function_configuration, dict(FunctionName=fn), "lambda:GetFunctionConfiguration", FN_ARN + fn),
        (lam.list_functions, {}, "lambda:ListFunctions", "*"),
        (lam.get_account_settings, {}, "lambda:GetAccountSettings", "*"),
        (lam.list_versions_by_function, dict(FunctionName=fn), "lambda:ListVersionsByFunction", FN_ARN + fn),
        (lam.publish_version, dict(FunctionName=fn), "lambda:PublishVersion", FN_ARN + fn),
        (lam.list_aliases, dict(FunctionName=fn), "lambda:ListAliases", FN_ARN + fn),
        (lam.create_alias, dict(FunctionName=fn, Name="live", FunctionVersion="1"), "lambda:CreateAlias", FN_ARN + fn),
        (lam.update_function_code, dict(FunctionName=fn, ZipFile=b"PK\x05\x06" + b"\0" * 18), "lambda:UpdateFunctionCode",
         FN_ARN + fn),
        (lam.update_function_configuration, dict(FunctionName=fn, Description="x"), "lambda:UpdateFunctionConfiguration",
         FN_ARN + fn),
        (lam.invoke, dict(FunctionName=fn, Qualifier="1"), "lambda:InvokeFunction", FN_ARN + fn + ":1"),
        (lam.list_tags, dict(Resource=FN_ARN + fn), "lambda:ListTags", FN_ARN + fn),
        (lam.tag_resource, dict(Resource=FN_ARN + fn, Tags={"a": "b"}), "lambda:TagResource", FN_ARN + fn),
        (lam.untag_resource, dict(Resource=FN_ARN + fn, TagKeys=["a"]), "lambda:UntagResource", FN_ARN + fn),
        (lam.delete_function, dict(FunctionName=fn, Qualifier="1"), "lambda:DeleteFunction", FN_ARN + fn + ":1"),
    ]
    for call, kw, action, resource in cases:
        assert error_of(call, **kw) == (403, "AccessDeniedException", denied(name, action, resource)), action
    # Nothing changed.
    assert enforced.client("lambda").list_versions_by_function(FunctionName=fn)["Versions"][-1]["Version"] == "1"
    assert enforced.client("lambda").get_function(FunctionName=fn).get("Tags") is None


def test_an_allowed_user_works_and_resource_arns_match(enforced):
    role = lambda_role(enforced, vpc=False)
    fn = unique("mine")
    create_function(enforced.client("lambda"), fn, Role=role)
    name, key, secret = user(enforced, allow(["lambda:GetFunction", "lambda:GetFunctionConfiguration"], FN_ARN + "mine-*"))
    lam = enforced.client("lambda", key=key, secret=secret)
    assert lam.get_function(FunctionName=fn)["Configuration"]["FunctionName"] == fn
    other = unique("other")
    create_function(enforced.client("lambda"), other, Role=role)
    assert error_of(lam.get_function_configuration, FunctionName=other)[2] == denied(
        name, "lambda:GetFunctionConfiguration", FN_ARN + other)


def test_create_function_needs_pass_role_with_passed_to_service(enforced):
    role = lambda_role(enforced, vpc=False)
    name, key, secret = user(enforced, allow("lambda:CreateFunction"))
    lam = enforced.client("lambda", key=key, secret=secret)
    fn = unique("pass")
    assert error_of(create_function, lam=lam, name=fn, Role=role) == (
        403, "AccessDeniedException", denied(name, "iam:PassRole", role))
    # PassRole only to another service does not do.
    name2, key2, secret2 = user(enforced, allow("lambda:CreateFunction"),
                                allow("iam:PassRole", role, StringEquals={"iam:PassedToService": "ec2.amazonaws.com"}))
    lam2 = enforced.client("lambda", key=key2, secret=secret2)
    assert error_of(create_function, lam=lam2, name=fn, Role=role)[2] == denied(name2, "iam:PassRole", role)
    _, key3, secret3 = user(enforced, allow("lambda:CreateFunction"),
                            allow("iam:PassRole", role, StringEquals={"iam:PassedToService": "lambda.amazonaws.com"}))
    create_function(enforced.client("lambda", key=key3, secret=secret3), fn, Role=role)
    # Changing the role needs PassRole on the new one; keeping it does not.
    other_role = lambda_role(enforced, vpc=False, name=unique("r"))
    lam3 = enforced.client("lambda", key=key3, secret=secret3)
    _, key4, secret4 = user(enforced, allow("lambda:UpdateFunctionConfiguration"))
    lam4 = enforced.client("lambda", key=key4, secret=secret4)
    enforced.client("lambda").get_waiter("function_active_v2").wait(FunctionName=fn)
    lam4.update_function_configuration(FunctionName=fn, Role=role, Description="same role")
    enforced.client("lambda").get_waiter("function_updated_v2").wait(FunctionName=fn)
    status, code, msg = error_of(lam4.update_function_configuration, FunctionName=fn, Role=other_role)
    assert (status, code) == (403, "AccessDeniedException") and "iam:PassRole on resource: " + other_role in msg
    assert lam3 is not None


def test_request_tags_are_condition_keys(enforced):
    role = lambda_role(enforced, vpc=False)
    name, key, secret = user(enforced, allow("iam:PassRole", role),
                             allow("lambda:CreateFunction", StringEquals={"aws:RequestTag/team": "blue"},
                                   **{"ForAllValues:StringEquals": {"aws:TagKeys": ["team"]}}))
    lam = enforced.client("lambda", key=key, secret=secret)
    fn = unique("tag")
    assert error_of(create_function, lam=lam, name=fn, Role=role, Tags={"team": "red"})[2] == denied(
        name, "lambda:CreateFunction", FN_ARN + fn)
    assert error_of(create_function, lam=lam, name=fn, Role=role, Tags={"team": "blue", "x": "y"})[1] == "AccessDeniedException"
    create_function(lam, fn, Role=role, Tags={"team": "blue"})


def test_ec2_operations_are_authorized_with_ec2s_error(enforced):
    name, key, secret = user(enforced, allow("ec2:Describe*"),
                             allow("ec2:CreateVpc", "*", StringEquals={"aws:RequestTag/env": "dev"}))
    ec2 = enforced.client("ec2", key=key, secret=secret)
    assert isinstance(ec2.describe_vpcs()["Vpcs"], list)
    status, code, msg = error_of(ec2.create_vpc, CidrBlock="10.9.0.0/16")
    assert (status, code) == (403, "UnauthorizedOperation")
    assert msg == "You are not authorized to perform this operation. " + denied(
        name, "ec2:CreateVpc", f"arn:aws:ec2:{REGION}:{ACCOUNT}:vpc/*")
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16", TagSpecifications=[
        {"ResourceType": "vpc", "Tags": [{"Key": "env", "Value": "dev"}]}])["Vpc"]["VpcId"]
    status, code, msg = error_of(ec2.delete_vpc, VpcId=vpc)
    assert code == "UnauthorizedOperation" and f"ec2:DeleteVpc on resource: arn:aws:ec2:{REGION}:{ACCOUNT}:vpc/{vpc}" in msg
    # A denied DryRun says so instead of DryRunOperation.
    assert error_of(ec2.delete_vpc, VpcId=vpc, DryRun=True)[1] == "UnauthorizedOperation"
    assert error_of(ec2.describe_vpcs, DryRun=True)[1] == "DryRunOperation"
    assert [v["VpcId"] for v in enforced.client("ec2").describe_vpcs(VpcIds=[vpc])["Vpcs"]] == [vpc]


def test_execution_role_checks_in_the_default_mode(server):
    lam, iam, ec2 = server.client("lambda"), server.client("iam"), server.client("ec2")
    _, subnets, sgs = make_network(ec2, "10.77.0.0/16", ("10.77.1.0/24",))
    fn = unique("role")
    missing = f"arn:aws:iam::{ACCOUNT}:role/{unique('nosuch')}"
    assert error_of(create_function, lam=lam, name=fn, Role=missing) == (
        400, "InvalidParameterValueException", "The role defined for the function cannot be assumed by Lambda.")
    ec2_trust = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
    wrong = iam.create_role(RoleName=unique("ec2trust"), AssumeRolePolicyDocument=ec2_trust)["Role"]["Arn"]
    assert error_of(create_function, lam=lam, name=fn, Role=wrong)[2] == "The role defined for the function cannot be assumed by Lambda."
    basic = lambda_role(server, vpc=False)
    create_function(lam, fn, Role=basic)
    vpc = {"SubnetIds": subnets, "SecurityGroupIds": sgs}
    assert error_of(create_function, lam=lam, name=unique("role"), Role=basic, VpcConfig=vpc) == (
        400, "InvalidParameterValueException",
        "The provided execution role does not have permissions to call CreateNetworkInterface on EC2")
    # The first missing action is named.
    partial = iam.create_role(RoleName=unique("partial"), AssumeRolePolicyDocument=LAMBDA_TRUST)["Role"]
    iam.put_role_policy(RoleName=partial["RoleName"], PolicyName="p", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [allow(["ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface"])]}))
    assert error_of(create_function, lam=lam, name=unique("role"), Role=partial["Arn"], VpcConfig=vpc)[2] == (
        "The provided execution role does not have permissions to call DescribeNetworkInterfaces on EC2")
    # VPC validation comes first (item 7 follows the VPC checks).
    assert error_of(create_function, lam=lam, name=unique("role"), Role=basic,
                    VpcConfig={"SubnetIds": subnets, "SecurityGroupIds": ["sg-0000000000000000f"]})[2].startswith(
        "Error occurred while DescribeSecurityGroups.")
    # Adding a VPC to a function whose role cannot create ENIs is refused too, and changes nothing.
    server.client("lambda").get_waiter("function_active_v2").wait(FunctionName=fn)
    assert error_of(lam.update_function_configuration, FunctionName=fn, VpcConfig=vpc)[2] == (
        "The provided execution role does not have permissions to call CreateNetworkInterface on EC2")
    assert error_of(lam.update_function_configuration, FunctionName=fn, Role=wrong)[2] == (
        "The role defined for the function cannot be assumed by Lambda.")
    cfg = lam.get_function_configuration(FunctionName=fn)
    assert cfg["Role"] == basic and "VpcConfig" not in cfg
    lam.update_function_configuration(FunctionName=fn, Role=lambda_role(server), VpcConfig=vpc)


def test_role_losing_eni_permissions_fails_next_provisioning():
    """The role is checked when the function's network is provisioned: losing the ENI permissions while the
    function is Pending fails it with StateReasonCode InsufficientRolePermissions."""
    s = Server(extra_args=["--eni-create-delay", "3s"]).start()
    try:
        lam, iam = s.client("lambda"), s.client("iam")
        role = lambda_role(s, name="shrinking")
        _, subnets, sgs = make_network(s.client("ec2"), "10.78.0.0/16", ("10.78.1.0/24",))
        fn = unique("shrink")
        assert create_function(lam, fn, Role=role, VpcConfig={"SubnetIds": subnets, "SecurityGroupIds": sgs})["State"] == "Pending"
        iam.detach_role_policy(RoleName="shrinking",
                               PolicyArn="arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole")
        deadline = time.time() + 20
        while time.time() < deadline:
            cfg = lam.get_function_configuration(FunctionName=fn)
            if cfg["State"] != "Pending":
                break
            time.sleep(0.2)
        assert (cfg["State"], cfg["StateReasonCode"]) == ("Failed", "InsufficientRolePermissions")
        assert cfg["StateReason"] == "The provided execution role does not have permissions to call CreateNetworkInterface on EC2"
        assert [e for e in s.client("ec2").describe_network_interfaces()["NetworkInterfaces"]
                if e["InterfaceType"] == "lambda"] == []
    finally:
        s.cleanup()


def test_skip_role_checks_accepts_any_role():
    s = Server(extra_args=["--skip-role-checks"]).start()
    try:
        lam = s.client("lambda")
        _, subnets, sgs = make_network(s.client("ec2"))
        out = create_function(lam, unique("any"), Role=f"arn:aws:iam::{ACCOUNT}:role/made-up",
                              VpcConfig={"SubnetIds": subnets, "SecurityGroupIds": sgs})
        assert out["Role"] == f"arn:aws:iam::{ACCOUNT}:role/made-up"
        lam.get_waiter("function_active_v2").wait(FunctionName=out["FunctionName"])
    finally:
        s.cleanup()
