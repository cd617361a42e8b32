"""IAM users, access keys, roles, groups and inline policies through boto3 and the AWS CLI, with IAM's errors."""
import json
import re
import urllib.parse
import uuid
import xml.etree.ElementTree as ET

import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, signed_request

TRUST_LAMBDA = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
ALLOW_DESCRIBE = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ec2:Describe*", "Resource": "*"}]}


def uniq(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def iam(server):
    return server.client("iam")


def error_of(call, *args, **kw):
    with pytest.raises(ClientError) as e:
        call(*args, **kw)
    err = e.value.response["Error"]
    return e.value.response["ResponseMetadata"]["HTTPStatusCode"], err["Code"], err["Message"]


def test_user_lifecycle_and_ids(iam):
    name = uniq("dev")
    u = iam.create_user(UserName=name, Path="/team/")["User"]
    assert u["UserName"] == name
    assert u["Path"] == "/team/"
    assert u["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/team/{name}"
    assert re.fullmatch(r"AIDA[A-Z0-9]{17}", u["UserId"])
    got = iam.get_user(UserName=name)["User"]
    assert got["UserId"] == u["UserId"]
    assert name in [x["UserName"] for x in iam.list_users()["Users"]]
    assert name in [x["UserName"] for x in iam.list_users(PathPrefix="/team/")["Users"]]
    assert name not in [x["UserName"] for x in iam.list_users(PathPrefix="/other/")["Users"]]
    iam.delete_user(UserName=name)
    assert error_of(iam.get_user, UserName=name) == (404, "NoSuchEntity", f"The user with name {name} cannot be found.")


def test_user_errors(iam):
    name = uniq("dup")
    iam.create_user(UserName=name)
    assert error_of(iam.create_user, UserName=name) == (409, "EntityAlreadyExists", f"User with name {name} already exists.")
    assert error_of(iam.create_user, UserName=name.upper())[1] == "EntityAlreadyExists"
    status, code, msg = error_of(iam.create_user, UserName="bad name!")
    assert (status, code) == (400, "ValidationError")
    assert "Member must satisfy regular expression pattern" in msg
    assert error_of(iam.delete_user, UserName=uniq("ghost"))[1] == "NoSuchEntity"


def test_access_keys(iam):
    name = uniq("keys")
    iam.create_user(UserName=name)
    k = iam.create_access_key(UserName=name)["AccessKey"]
    assert re.fullmatch(r"AKIA[A-Z0-9]{16}", k["AccessKeyId"])
    assert len(k["SecretAccessKey"]) == 40
    assert k["Status"] == "Active"
    iam.create_access_key(UserName=name)
    assert error_of(iam.create_access_key, UserName=name) == (409, "LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: 2")
    keys = iam.list_access_keys(UserName=name)["AccessKeyMetadata"]
    assert len(keys) == 2 and all("SecretAccessKey" not in x for x in keys)
    iam.update_access_key(UserName=name, AccessKeyId=k["AccessKeyId"], Status="Inactive")
    statuses = {x["AccessKeyId"]: x["Status"] for x in iam.list_access_keys(UserName=name)["AccessKeyMetadata"]}
    assert statuses[k["AccessKeyId"]] == "Inactive"
    assert error_of(iam.delete_user, UserName=name) == (409, "DeleteConflict", "Cannot delete entity, must delete access keys first.")
    for x in keys:
        iam.delete_access_key(UserName=name, AccessKeyId=x["AccessKeyId"])
    assert error_of(iam.delete_access_key, UserName=name, AccessKeyId=k["AccessKeyId"])[1] == "NoSuchEntity"
    iam.delete_user(UserName=name)


def test_roles(iam):
    name = uniq("role")
    r = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST_LAMBDA),
                        Description="runs functions", MaxSessionDuration=7200, Path="/service-role/")["Role"]
    assert re.fullmatch(r"AROA[A-Z0-9]{17}", r["RoleId"])
    assert r["Arn"] == f"arn:aws:iam::{ACCOUNT}:role/service-role/{name}"
    got = iam.get_role(RoleName=name)["Role"]
    assert got["AssumeRolePolicyDocument"] == TRUST_LAMBDA  # botocore decodes IAM's URL-encoded document
    assert got["Description"] == "runs functions"
    assert got["MaxSessionDuration"] == 7200
    assert name in [x["RoleName"] for x in iam.list_roles()["Roles"]]
    new_trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": ["lambda.amazonaws.com", "edgelambda.amazonaws.com"]}, "Action": "sts:AssumeRole"}]}
    iam.update_assume_role_policy(RoleName=name, PolicyDocument=json.dumps(new_trust))
    assert iam.get_role(RoleName=name)["Role"]["AssumeRolePolicyDocument"] == new_trust
    assert error_of(iam.create_role, RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST_LAMBDA)) == (
        409, "EntityAlreadyExists", f"Role with name {name} already exists.")
    iam.delete_role(RoleName=name)
    assert error_of(iam.get_role, RoleName=name) == (404, "NoSuchEntity", f"The role with name {name} cannot be found.")


def test_role_trust_policy_validation(iam):
    name = uniq("badrole")
    assert error_of(iam.create_role, RoleName=name, AssumeRolePolicyDocument="{nope") == (
        400, "MalformedPolicyDocument", "This policy contains invalid Json")
    no_principal = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole"}]}
    assert error_of(iam.create_role, RoleName=name, AssumeRolePolicyDocument=json.dumps(no_principal))[2] == "Missing required field Principal"
    assert error_of(iam.get_role, RoleName=name)[1] == "NoSuchEntity"  # nothing was created


def test_max_session_duration_is_checked_by_the_server(server):
    # boto3 checks the minimum itself, so send what another SDK might.
    body = urllib.parse.urlencode({"Action": "CreateRole", "Version": "2010-05-08", "RoleName": uniq("short"),
                                   "AssumeRolePolicyDocument": json.dumps(TRUST_LAMBDA), "MaxSessionDuration": "60"})
    status, _, text = signed_request(server, "iam", body=body.encode())
    assert status == 400
    ns = {"i": "https://iam.amazonaws.com/doc/2010-05-08/"}
    err = ET.fromstring(text).find("i:Error", ns)
    assert err.findtext("i:Code", namespaces=ns) == "ValidationError"
    assert err.findtext("i:Message", namespaces=ns) == (
        "1 validation error detected: Value '60' at 'maxSessionDuration' failed to satisfy constraint: "
        "Member must have value greater than or equal to 3600")


def test_inline_policies_for_users_roles_groups(iam):
    user, role, group = uniq("u"), uniq("r"), uniq("g")
    iam.create_user(UserName=user)
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(TRUST_LAMBDA))
    iam.create_group(GroupName=group)
    doc = json.dumps(ALLOW_DESCRIBE)
    iam.put_user_policy(UserName=user, PolicyName="describe", PolicyDocument=doc)
    iam.put_role_policy(RoleName=role, PolicyName="describe", PolicyDocument=doc)
    iam.put_group_policy(GroupName=group, PolicyName="describe", PolicyDocument=doc)
    assert iam.get_user_policy(UserName=user, PolicyName="describe")["PolicyDocument"] == ALLOW_DESCRIBE
    assert iam.get_role_policy(RoleName=role, PolicyName="describe")["PolicyDocument"] == ALLOW_DESCRIBE
    assert iam.get_group_policy(GroupName=group, PolicyName="describe")["PolicyDocument"] == ALLOW_DESCRIBE
    assert iam.list_user_policies(UserName=user)["PolicyNames"] == ["describe"]
    assert iam.list_role_policies(RoleName=role)["PolicyNames"] == ["describe"]
    assert iam.list_group_policies(GroupName=group)["PolicyNames"] == ["describe"]
    assert error_of(iam.delete_user, UserName=user) == (409, "DeleteConflict", "Cannot delete entity, must delete policies first.")
    assert error_of(iam.delete_role, RoleName=role) == (409, "DeleteConflict", "Cannot delete entity, must delete policies first.")
    assert error_of(iam.get_user_policy, UserName=user, PolicyName="nope") == (
        404, "NoSuchEntity", "The user policy with name nope cannot be found.")
    assert error_of(iam.get_role_policy, RoleName=role, PolicyName="nope")[2] == "The role policy with name nope cannot be found."
    iam.delete_user_policy(UserName=user, PolicyName="describe")
    iam.delete_role_policy(RoleName=role, PolicyName="describe")
    iam.delete_group_policy(GroupName=group, PolicyName="describe")
    assert iam.list_user_policies(UserName=user)["PolicyNames"] == []
    iam.delete_user(UserName=user)
    iam.delete_role(RoleName=role)
    iam.delete_group(GroupName=group)


@pytest.mark.parametrize("doc,message", [
    ("{not json", "This policy contains invalid Json"),
    (json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Resource": "*"}]}), "Policy statement must contain actions."),
    (json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*"}]}), "Policy statement must contain resources."),
    (json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "GetObject", "Resource": "*"}]}),
     "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."),
    (json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Permit", "Action": "s3:*", "Resource": "*"}]}),
     "The policy failed legacy parsing"),
    (json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*",
                                                          "Condition": {"StringEqualsSometimes": {"aws:username": "x"}}}]}),
     "Policy has an invalid condition operator"),
    (json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"}]}),
     "Policy document should not specify a principal."),
])
def test_malformed_policy_documents(iam, doc, message):
    user = uniq("mal")
    iam.create_user(UserName=user)
    assert error_of(iam.put_user_policy, UserName=user, PolicyName="p", PolicyDocument=doc) == (400, "MalformedPolicyDocument", message)
    assert iam.list_user_policies(UserName=user)["PolicyNames"] == []
    iam.delete_user(UserName=user)


def test_groups_and_membership(iam):
    group, user = uniq("grp"), uniq("member")
    g = iam.create_group(GroupName=group)["Group"]
    assert re.fullmatch(r"AGPA[A-Z0-9]{17}", g["GroupId"])
    iam.create_user(UserName=user)
    iam.add_user_to_group(GroupName=group, UserName=user)
    got = iam.get_group(GroupName=group)
    assert got["Group"]["GroupName"] == group
    assert [u["UserName"] for u in got["Users"]] == [user]
    assert [x["GroupName"] for x in iam.list_groups_for_user(UserName=user)["Groups"]] == [group]
    assert group in [x["GroupName"] for x in iam.list_groups()["Groups"]]
    assert error_of(iam.delete_group, GroupName=group) == (409, "DeleteConflict", "Cannot delete entity, must remove users from group first.")
    assert error_of(iam.create_group, GroupName=group) == (409, "EntityAlreadyExists", f"Group with name {group} already exists.")
    iam.remove_user_from_group(GroupName=group, UserName=user)
    assert iam.get_group(GroupName=group)["Users"] == []
    iam.delete_group(GroupName=group)
    assert error_of(iam.get_group, GroupName=group) == (404, "NoSuchEntity", f"The group with name {group} cannot be found.")
    iam.delete_user(UserName=user)


def test_cli_user_and_key_flow(server):
    name = uniq("cli")
    _, out, _ = server.aws("iam", "create-user", "--user-name", name)
    assert out["User"]["UserName"] == name
    _, key, _ = server.aws("iam", "create-access-key", "--user-name", name)
    assert key["AccessKey"]["AccessKeyId"].startswith("AKIA")
    _, listed, _ = server.aws("iam", "list-access-keys", "--user-name", name)
    assert [k["AccessKeyId"] for k in listed["AccessKeyMetadata"]] == [key["AccessKey"]["AccessKeyId"]]
    code, _, err = server.aws("iam", "delete-user", "--user-name", name, check=False)
    assert code != 0 and "DeleteConflict" in err
    server.aws("iam", "delete-access-key", "--user-name", name, "--access-key-id", key["AccessKey"]["AccessKeyId"])
    server.aws("iam", "delete-user", "--user-name", name)
    code, _, err = server.aws("iam", "get-user", "--user-name", name, check=False)
    assert code != 0 and "NoSuchEntity" in err and f"The user with name {name} cannot be found." in err


def test_error_envelope_is_iam_xml(server):
    status, _, body = signed_request(server, "iam", body=b"Action=GetUser&Version=2010-05-08&UserName=nobody-here")
    assert status == 404
    text = body.decode()
    assert '<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error>' in text
    assert "<Type>Sender</Type><Code>NoSuchEntity</Code>" in text
    status, _, body = signed_request(server, "iam", body=b"Action=ListUsers&Version=2010-05-08")
    assert status == 200
    assert body.decode().startswith('<ListUsersResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ListUsersResult>')


def test_state_survives_restart(fresh_server):
    iam = fresh_server.client("iam")
    iam.create_user(UserName="persist")
    key = iam.create_access_key(UserName="persist")["AccessKey"]
    iam.put_user_policy(UserName="persist", PolicyName="p", PolicyDocument=json.dumps(ALLOW_DESCRIBE))
    iam.create_role(RoleName="persist-role", AssumeRolePolicyDocument=json.dumps(TRUST_LAMBDA))
    arn = iam.create_policy(PolicyName="persist-pol", PolicyDocument=json.dumps(ALLOW_DESCRIBE))["Policy"]["Arn"]
    iam.attach_role_policy(RoleName="persist-role", PolicyArn=arn)
    iam.create_group(GroupName="persist-group")
    iam.add_user_to_group(GroupName="persist-group", UserName="persist")
    fresh_server.kill9()
    fresh_server.start()
    iam = fresh_server.client("iam")
    assert iam.get_user(UserName="persist")["User"]["UserName"] == "persist"
    assert [k["AccessKeyId"] for k in iam.list_access_keys(UserName="persist")["AccessKeyMetadata"]] == [key["AccessKeyId"]]
    assert iam.get_user_policy(UserName="persist", PolicyName="p")["PolicyDocument"] == ALLOW_DESCRIBE
    assert [p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName="persist-role")["AttachedPolicies"]] == [arn]
    assert iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"] == 1
    assert [u["UserName"] for u in iam.get_group(GroupName="persist-group")["Users"]] == ["persist"]
