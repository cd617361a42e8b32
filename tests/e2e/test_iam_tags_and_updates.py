"""Role, policy and user tags, UpdateRole and UpdateRoleDescription, and optional fields left out when not set,
through boto3 and the AWS CLI."""
import json
import urllib.parse
import uuid
import xml.etree.ElementTree as ET

import pytest
from botocore.exceptions import ClientError

from conftest import signed_request, call_error as error_of

TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
DOC = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "logs:*", "Resource": "*"}]}
NS = {"i": "https://iam.amazonaws.com/doc/2010-05-08/"}


def uniq(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def iam(server):
    return server.client("iam")


def raw(server, **params):
    status, _, body = signed_request(server, "iam", body=urllib.parse.urlencode({"Version": "2010-05-08", **params}).encode())
    return status, ET.fromstring(body)


def test_role_tags(iam):
    name = uniq("tagged-role")
    made = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST),
                           Tags=[{"Key": "env", "Value": "dev"}])["Role"]
    assert made["Tags"] == [{"Key": "env", "Value": "dev"}]
    assert iam.get_role(RoleName=name)["Role"]["Tags"] == [{"Key": "env", "Value": "dev"}]
    listed = [r for r in iam.list_roles()["Roles"] if r["RoleName"] == name]
    assert len(listed) == 1 and "Tags" not in listed[0]  # ListRoles leaves tags out, as IAM's does

    iam.tag_role(RoleName=name, Tags=[{"Key": "Env", "Value": "prod"}, {"Key": "team", "Value": "red"}, {"Key": "cost", "Value": ""}])
    assert iam.list_role_tags(RoleName=name)["Tags"] == [
        {"Key": "Env", "Value": "prod"}, {"Key": "team", "Value": "red"}, {"Key": "cost", "Value": ""}]
    page = iam.list_role_tags(RoleName=name, MaxItems=2)
    assert page["IsTruncated"] is True and len(page["Tags"]) == 2
    assert iam.list_role_tags(RoleName=name, MaxItems=2, Marker=page["Marker"])["Tags"] == [{"Key": "cost", "Value": ""}]
    iam.untag_role(RoleName=name, TagKeys=["ENV", "cost", "never-there"])
    assert iam.get_role(RoleName=name)["Role"]["Tags"] == [{"Key": "team", "Value": "red"}]
    iam.untag_role(RoleName=name, TagKeys=["team"])
    assert "Tags" not in iam.get_role(RoleName=name)["Role"]
    assert iam.list_role_tags(RoleName=name) | {"ResponseMetadata": None} == {
        "Tags": [], "IsTruncated": False, "ResponseMetadata": None}


def test_tag_errors_change_nothing(server, iam):
    name = uniq("strict-role")
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST), Tags=[{"Key": "a", "Value": "1"}])
    assert error_of(iam.tag_role, RoleName=name, Tags=[{"Key": "x", "Value": "1"}, {"Key": "X", "Value": "2"}]) == (
        400, "InvalidInput", "Duplicate tag keys found. Please note that Tag keys are case insensitive.")
    status, code, msg = error_of(iam.tag_role, RoleName=name, Tags=[{"Key": "k" * 129, "Value": "v"}])
    assert (status, code) == (400, "ValidationError") and "tags.1.member.key" in msg
    assert error_of(iam.tag_role, RoleName=name, Tags=[{"Key": "bad*key", "Value": "v"}])[1] == "ValidationError"
    status, code, _ = error_of(iam.tag_role, RoleName=name, Tags=[{"Key": f"k{i}", "Value": ""} for i in range(51)])
    assert (status, code) == (400, "ValidationError")
    iam.tag_role(RoleName=name, Tags=[{"Key": f"k{i}", "Value": ""} for i in range(49)])
    assert error_of(iam.tag_role, RoleName=name, Tags=[{"Key": "one-more", "Value": ""}]) == (
        409, "LimitExceeded", "Cannot exceed quota for TagsPerRole: 50")
    iam.tag_role(RoleName=name, Tags=[{"Key": "A", "Value": "replaced"}])  # replacing at 50 is not adding
    tags = iam.list_role_tags(RoleName=name)["Tags"]
    assert len(tags) == 50 and tags[0] == {"Key": "A", "Value": "replaced"}
    ghost = uniq("ghost")
    assert error_of(iam.tag_role, RoleName=ghost, Tags=[{"Key": "a", "Value": "b"}]) == (
        404, "NoSuchEntity", f"The role with name {ghost} cannot be found.")
    assert error_of(iam.untag_role, RoleName=ghost, TagKeys=["a"])[1] == "NoSuchEntity"
    assert error_of(iam.list_role_tags, RoleName=ghost)[1] == "NoSuchEntity"
    # TagRole without Tags, as an SDK that skips client-side validation might send it.
    status, doc = raw(server, Action="TagRole", RoleName=name)
    assert status == 400 and doc.find("i:Error/i:Code", NS).text == "ValidationError"
    assert "Value null at 'tags'" in doc.find("i:Error/i:Message", NS).text


def test_policy_tags_and_absent_description(iam):
    name = uniq("pol")
    arn = iam.create_policy(PolicyName=name, PolicyDocument=json.dumps(DOC), Tags=[{"Key": "owner", "Value": "me"}])["Policy"]["Arn"]
    got = iam.get_policy(PolicyArn=arn)["Policy"]
    assert "Description" not in got
    assert got["Tags"] == [{"Key": "owner", "Value": "me"}]
    iam.tag_policy(PolicyArn=arn, Tags=[{"Key": "cost", "Value": "7"}])
    assert iam.list_policy_tags(PolicyArn=arn)["Tags"] == [{"Key": "owner", "Value": "me"}, {"Key": "cost", "Value": "7"}]
    iam.untag_policy(PolicyArn=arn, TagKeys=["OWNER"])
    assert iam.get_policy(PolicyArn=arn)["Policy"]["Tags"] == [{"Key": "cost", "Value": "7"}]

    described = iam.create_policy(PolicyName=uniq("pol"), PolicyDocument=json.dumps(DOC), Description="logs",
                                  Tags=[{"Key": "k", "Value": "v"}])["Policy"]["Arn"]
    assert iam.get_policy(PolicyArn=described)["Policy"]["Description"] == "logs"
    listed = {p["Arn"]: p for p in iam.list_policies(Scope="Local")["Policies"]}
    assert "Description" not in listed[described] and "Tags" not in listed[described]  # as IAM's ListPolicies
    empty = iam.create_policy(PolicyName=uniq("pol"), PolicyDocument=json.dumps(DOC), Description="")["Policy"]["Arn"]
    assert "Description" not in iam.get_policy(PolicyArn=empty)["Policy"]

    missing = arn.replace(name, uniq("ghost"))
    assert error_of(iam.tag_policy, PolicyArn=missing, Tags=[{"Key": "a", "Value": "b"}]) == (
        404, "NoSuchEntity", f"Policy {missing} was not found.")
    assert error_of(iam.list_policy_tags, PolicyArn=missing)[1] == "NoSuchEntity"
    aws_managed = "arn:aws:iam::aws:policy/AWSLambda_ReadOnlyAccess"
    assert iam.list_policy_tags(PolicyArn=aws_managed)["Tags"] == []
    assert error_of(iam.tag_policy, PolicyArn=aws_managed, Tags=[{"Key": "a", "Value": "b"}])[:2] == (400, "InvalidInput")


def test_user_tags(iam):
    name = uniq("tagged-user")
    iam.create_user(UserName=name, Tags=[{"Key": "dept", "Value": "it"}])
    iam.tag_user(UserName=name, Tags=[{"Key": "site", "Value": "b"}])
    assert iam.list_user_tags(UserName=name)["Tags"] == [{"Key": "dept", "Value": "it"}, {"Key": "site", "Value": "b"}]
    iam.untag_user(UserName=name, TagKeys=["dept"])
    assert iam.get_user(UserName=name)["User"]["Tags"] == [{"Key": "site", "Value": "b"}]
    assert all("Tags" not in u for u in iam.list_users()["Users"])


def test_update_role_and_description(server, iam):
    name = uniq("upd-role")
    created = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST))["Role"]
    assert "Description" not in created and "Description" not in iam.get_role(RoleName=name)["Role"]
    iam.update_role(RoleName=name, Description="first", MaxSessionDuration=10800)
    r = iam.get_role(RoleName=name)["Role"]
    assert (r["Description"], r["MaxSessionDuration"]) == ("first", 10800)
    iam.update_role(RoleName=name, MaxSessionDuration=3600)  # what the request leaves out stays
    r = iam.get_role(RoleName=name)["Role"]
    assert (r["Description"], r["MaxSessionDuration"]) == ("first", 3600)
    out = iam.update_role_description(RoleName=name, Description="second")["Role"]
    assert (out["RoleName"], out["Description"], out["RoleId"]) == (name, "second", created["RoleId"])
    iam.update_role(RoleName=name, Description="")
    assert "Description" not in iam.get_role(RoleName=name)["Role"]

    ghost = uniq("ghost")
    assert error_of(iam.update_role, RoleName=ghost, Description="x") == (
        404, "NoSuchEntity", f"The role with name {ghost} cannot be found.")
    assert error_of(iam.update_role_description, RoleName=ghost, Description="x")[1] == "NoSuchEntity"
    status, doc = raw(server, Action="UpdateRole", RoleName=name, MaxSessionDuration="43201", Description="nope")
    assert status == 400 and doc.find("i:Error/i:Code", NS).text == "ValidationError"
    status, _ = raw(server, Action="UpdateRole", RoleName=name, Description="x" * 1001)
    assert status == 400
    r = iam.get_role(RoleName=name)["Role"]
    assert "Description" not in r and r["MaxSessionDuration"] == 3600  # refused requests changed nothing


def test_tags_and_updates_through_the_cli(server):
    role = uniq("cli-role")
    server.aws("iam", "create-role", "--role-name", role, "--assume-role-policy-document", json.dumps(TRUST),
               "--tags", "Key=team,Value=red")
    server.aws("iam", "tag-role", "--role-name", role, "--tags", "Key=env,Value=dev")
    _, tags, _ = server.aws("iam", "list-role-tags", "--role-name", role)
    assert tags["Tags"] == [{"Key": "team", "Value": "red"}, {"Key": "env", "Value": "dev"}]  # the CLI pages, so no IsTruncated
    server.aws("iam", "untag-role", "--role-name", role, "--tag-keys", "team")
    server.aws("iam", "update-role", "--role-name", role, "--description", "from the cli", "--max-session-duration", "7200")
    _, out, _ = server.aws("iam", "update-role-description", "--role-name", role, "--description", "again")
    assert out["Role"]["Description"] == "again"
    _, got, _ = server.aws("iam", "get-role", "--role-name", role)
    assert (got["Role"]["Tags"], got["Role"]["MaxSessionDuration"]) == ([{"Key": "env", "Value": "dev"}], 7200)
    _, pol, _ = server.aws("iam", "create-policy", "--policy-name", uniq("cli-pol"), "--policy-document", json.dumps(DOC))
    arn = pol["Policy"]["Arn"]
    assert "Description" not in pol["Policy"]
    server.aws("iam", "tag-policy", "--policy-arn", arn, "--tags", "Key=a,Value=b")
    _, ptags, _ = server.aws("iam", "list-policy-tags", "--policy-arn", arn)
    assert ptags["Tags"] == [{"Key": "a", "Value": "b"}]
    code, _, err = server.aws("iam", "tag-role", "--role-name", role, "--tags", "Key=x,Value=1", "Key=X,Value=2", check=False)
    assert code != 0 and "(InvalidInput)" in err and "Tag keys are case insensitive" in err
