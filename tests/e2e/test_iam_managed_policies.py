"""Managed policies: AWS managed catalog, customer policies with versions, attachments, and their errors."""
import json
import uuid

import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, call_error as error_of

DOC = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "lambda:Get*", "Resource": "*"}]}
TRUST_LAMBDA = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
VPC_ROLE = "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"


def uniq(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def iam(server):
    return server.client("iam")


def test_aws_managed_policies_are_listed_with_real_documents(iam):
    aws = {p["PolicyName"]: p for p in iam.list_policies(Scope="AWS", MaxItems=1000)["Policies"]}
    for name in ["AWSLambdaVPCAccessExecutionRole", "AWSLambdaBasicExecutionRole", "AWSLambda_FullAccess",
                 "AWSLambda_ReadOnlyAccess", "AmazonEC2ReadOnlyAccess", "AdministratorAccess", "IAMFullAccess"]:
        assert name in aws
    assert aws["AWSLambdaVPCAccessExecutionRole"]["Arn"] == VPC_ROLE
    assert aws["AWSLambdaVPCAccessExecutionRole"]["Path"] == "/service-role/"
    assert aws["AdministratorAccess"]["Arn"] == "arn:aws:iam::aws:policy/AdministratorAccess"
    pol = iam.get_policy(PolicyArn=VPC_ROLE)["Policy"]
    version = iam.get_policy_version(PolicyArn=VPC_ROLE, VersionId=pol["DefaultVersionId"])["PolicyVersion"]
    st = version["Document"]["Statement"][0]
    assert st["Sid"] == "AWSLambdaVPCAccessExecutionPermissions"
    for action in ["ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DeleteNetworkInterface",
                   "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"]:
        assert action in st["Action"]
    basic = iam.get_policy_version(PolicyArn="arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
                                   VersionId="v1")["PolicyVersion"]["Document"]
    assert basic["Statement"][0]["Action"] == ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]


def test_customer_policy_versions(iam):
    name = uniq("pol")
    p = iam.create_policy(PolicyName=name, PolicyDocument=json.dumps(DOC), Description="read lambda")["Policy"]
    arn = p["Arn"]
    assert arn == f"arn:aws:iam::{ACCOUNT}:policy/{name}"
    assert p["PolicyId"].startswith("ANPA") and len(p["PolicyId"]) == 21
    assert p["DefaultVersionId"] == "v1" and p["AttachmentCount"] == 0
    assert error_of(iam.create_policy, PolicyName=name, PolicyDocument=json.dumps(DOC)) == (
        409, "EntityAlreadyExists", f"A policy called {name} already exists. Duplicate names are not allowed.")
    for i in range(2, 6):
        v = iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(DOC), SetAsDefault=(i == 3))["PolicyVersion"]
        assert v["VersionId"] == f"v{i}"
    assert iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"] == "v3"
    assert error_of(iam.create_policy_version, PolicyArn=arn, PolicyDocument=json.dumps(DOC)) == (
        409, "LimitExceeded",
        "A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.")
    versions = iam.list_policy_versions(PolicyArn=arn)["Versions"]
    assert sorted(v["VersionId"] for v in versions) == ["v1", "v2", "v3", "v4", "v5"]
    assert [v["VersionId"] for v in versions if v["IsDefaultVersion"]] == ["v3"]
    assert error_of(iam.delete_policy_version, PolicyArn=arn, VersionId="v3") == (
        409, "DeleteConflict", "Cannot delete the default version of a policy.")
    status, code, _ = error_of(iam.delete_policy, PolicyArn=arn)
    assert (status, code) == (409, "DeleteConflict")
    for v in ["v1", "v2", "v4", "v5"]:
        iam.delete_policy_version(PolicyArn=arn, VersionId=v)
    assert error_of(iam.get_policy_version, PolicyArn=arn, VersionId="v1")[1] == "NoSuchEntity"
    iam.delete_policy(PolicyArn=arn)
    assert error_of(iam.get_policy, PolicyArn=arn) == (404, "NoSuchEntity", f"Policy {arn} was not found.")


def test_attach_detach_list_for_users_roles_groups(iam):
    user, role, group = uniq("u"), uniq("r"), uniq("g")
    iam.create_user(UserName=user)
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(TRUST_LAMBDA))
    iam.create_group(GroupName=group)
    arn = iam.create_policy(PolicyName=uniq("att"), PolicyDocument=json.dumps(DOC))["Policy"]["Arn"]
    iam.attach_user_policy(UserName=user, PolicyArn=arn)
    iam.attach_role_policy(RoleName=role, PolicyArn=VPC_ROLE)
    iam.attach_role_policy(RoleName=role, PolicyArn=arn)
    iam.attach_group_policy(GroupName=group, PolicyArn=arn)
    assert [p["PolicyArn"] for p in iam.list_attached_user_policies(UserName=user)["AttachedPolicies"]] == [arn]
    assert [p["PolicyName"] for p in iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]][0] == "AWSLambdaVPCAccessExecutionRole"
    assert [p["PolicyArn"] for p in iam.list_attached_group_policies(GroupName=group)["AttachedPolicies"]] == [arn]
    assert iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"] == 3
    attached = [p["Arn"] for p in iam.list_policies(OnlyAttached=True, Scope="Local")["Policies"]]
    assert arn in attached
    assert VPC_ROLE in [p["Arn"] for p in iam.list_policies(OnlyAttached=True, Scope="AWS")["Policies"]]
    assert error_of(iam.delete_policy, PolicyArn=arn) == (409, "DeleteConflict", "Cannot delete a policy attached to entities.")
    assert error_of(iam.delete_user, UserName=user) == (409, "DeleteConflict", "Cannot delete entity, must detach all policies first.")
    assert error_of(iam.delete_role, RoleName=role) == (409, "DeleteConflict", "Cannot delete entity, must detach all policies first.")
    missing = f"arn:aws:iam::{ACCOUNT}:policy/does-not-exist"
    assert error_of(iam.attach_user_policy, UserName=user, PolicyArn=missing) == (
        404, "NoSuchEntity", f"Policy {missing} does not exist or is not attachable.")
    assert error_of(iam.attach_role_policy, RoleName=uniq("ghost"), PolicyArn=arn)[1] == "NoSuchEntity"
    iam.detach_user_policy(UserName=user, PolicyArn=arn)
    iam.detach_role_policy(RoleName=role, PolicyArn=arn)
    iam.detach_role_policy(RoleName=role, PolicyArn=VPC_ROLE)
    iam.detach_group_policy(GroupName=group, PolicyArn=arn)
    assert error_of(iam.detach_user_policy, UserName=user, PolicyArn=arn) == (404, "NoSuchEntity", f"Policy {arn} was not found.")
    iam.delete_policy(PolicyArn=arn)
    iam.delete_user(UserName=user)
    iam.delete_role(RoleName=role)
    iam.delete_group(GroupName=group)


def test_cli_managed_policy_listing(server):
    _, out, _ = server.aws("iam", "list-policies", "--scope", "AWS")
    names = [p["PolicyName"] for p in out["Policies"]]
    assert "AWSLambdaBasicExecutionRole" in names and "IAMFullAccess" in names
    _, got, _ = server.aws("iam", "get-policy-version", "--policy-arn", "arn:aws:iam::aws:policy/AdministratorAccess",
                           "--version-id", "v1")
    assert got["PolicyVersion"]["Document"]["Statement"][0]["Action"] == "*"


def test_list_entities_for_policy(iam):
    user, role = uniq("ent-u"), uniq("ent-r")
    iam.create_user(UserName=user)
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(TRUST_LAMBDA))
    arn = iam.create_policy(PolicyName=uniq("ent"), PolicyDocument=json.dumps(DOC))["Policy"]["Arn"]
    iam.attach_user_policy(UserName=user, PolicyArn=arn)
    iam.attach_role_policy(RoleName=role, PolicyArn=arn)
    r = iam.list_entities_for_policy(PolicyArn=arn)
    assert [u["UserName"] for u in r["PolicyUsers"]] == [user]
    assert [x["RoleName"] for x in r["PolicyRoles"]] == [role]
    assert r["PolicyGroups"] == []
    assert iam.list_entities_for_policy(PolicyArn=arn, EntityFilter="Role")["PolicyUsers"] == []


def test_policy_size_quotas(iam):
    big = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": [f"lambda:Action{i:04d}" for i in range(400)], "Resource": "*"}]}
    assert error_of(iam.create_policy, PolicyName=uniq("big"), PolicyDocument=json.dumps(big)) == (
        409, "LimitExceeded", "Cannot exceed quota for PolicySize: 6144")
    big_trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": [f"svc{i:03d}.amazonaws.com" for i in range(120)]}, "Action": "sts:AssumeRole"}]}
    assert error_of(iam.create_role, RoleName=uniq("big"), AssumeRolePolicyDocument=json.dumps(big_trust)) == (
        409, "LimitExceeded", "Cannot exceed quota for ACLSizePerRole: 2048")
