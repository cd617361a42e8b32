"""IAM instance profiles through boto3 and the AWS CLI: lifecycle, the one-role quota, listings and paging, tags,
IAM's errors, persistence across a restart, and authorization under --enforce-iam."""
import json
import re
import uuid

import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, Server, call_error as error_of

TRUST_EC2 = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}


def uniq(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def iam(server):
    return server.client("iam")


def make_role(iam, name, **kw):
    return iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST_EC2), **kw)["Role"]


def test_instance_profile_lifecycle_with_a_role(iam):
    name, role = uniq("web"), uniq("web-role")
    made = iam.create_instance_profile(InstanceProfileName=name, Path="/app/")["InstanceProfile"]
    assert re.fullmatch(r"AIPA[A-Z0-9]{17}", made["InstanceProfileId"])
    assert made["Arn"] == f"arn:aws:iam::{ACCOUNT}:instance-profile/app/{name}"
    assert (made["Path"], made["InstanceProfileName"], made["Roles"]) == ("/app/", name, [])
    assert "Tags" not in made
    r = make_role(iam, role, Description="for web hosts")
    iam.add_role_to_instance_profile(InstanceProfileName=name, RoleName=role)

    got = iam.get_instance_profile(InstanceProfileName=name)["InstanceProfile"]
    assert got["InstanceProfileId"] == made["InstanceProfileId"]
    assert [x["RoleName"] for x in got["Roles"]] == [role]
    inside = got["Roles"][0]
    assert (inside["Arn"], inside["RoleId"], inside["Path"]) == (r["Arn"], r["RoleId"], "/")
    assert inside["AssumeRolePolicyDocument"] == TRUST_EC2
    assert inside["Description"] == "for web hosts"

    listed = iam.list_instance_profiles_for_role(RoleName=role)
    assert [p["InstanceProfileName"] for p in listed["InstanceProfiles"]] == [name]
    assert listed["IsTruncated"] is False

    # The role cannot go while a profile holds it, nor the profile while it holds a role: what Terraform's
    # aws_iam_role destroy relies on (it lists the role's profiles and removes the role from each first).
    assert error_of(iam.delete_role, RoleName=role) == (
        409, "DeleteConflict", "Cannot delete entity, must remove roles from instance profile first.")
    assert error_of(iam.delete_instance_profile, InstanceProfileName=name) == (
        409, "DeleteConflict", "Cannot delete entity, must remove roles from instance profile first.")
    iam.remove_role_from_instance_profile(InstanceProfileName=name, RoleName=role)
    assert iam.list_instance_profiles_for_role(RoleName=role)["InstanceProfiles"] == []
    assert iam.get_instance_profile(InstanceProfileName=name)["InstanceProfile"]["Roles"] == []
    iam.delete_role(RoleName=role)
    iam.delete_instance_profile(InstanceProfileName=name)
    assert error_of(iam.get_instance_profile, InstanceProfileName=name) == (
        404, "NoSuchEntity", f"Instance Profile {name} cannot be found.")
    assert error_of(iam.delete_instance_profile, InstanceProfileName=name)[:2] == (404, "NoSuchEntity")


def test_instance_profile_errors_change_nothing(iam):
    name, a, b = uniq("ip"), uniq("role-a"), uniq("role-b")
    iam.create_instance_profile(InstanceProfileName=name)
    assert error_of(iam.create_instance_profile, InstanceProfileName=name) == (
        409, "EntityAlreadyExists", f"Instance Profile {name} already exists.")
    assert error_of(iam.create_instance_profile, InstanceProfileName=name.upper())[1] == "EntityAlreadyExists"
    status, code, msg = error_of(iam.create_instance_profile, InstanceProfileName="bad name!")
    assert (status, code) == (400, "ValidationError") and "regular expression pattern" in msg

    ghost = uniq("ghost")
    assert error_of(iam.add_role_to_instance_profile, InstanceProfileName=name, RoleName=ghost) == (
        404, "NoSuchEntity", f"The role with name {ghost} cannot be found.")
    assert error_of(iam.add_role_to_instance_profile, InstanceProfileName=ghost, RoleName=a) == (
        404, "NoSuchEntity", f"Instance Profile {ghost} cannot be found.")
    assert error_of(iam.list_instance_profiles_for_role, RoleName=ghost) == (
        404, "NoSuchEntity", f"The role with name {ghost} cannot be found.")

    make_role(iam, a)
    make_role(iam, b)
    iam.add_role_to_instance_profile(InstanceProfileName=name, RoleName=a)
    quota = (409, "LimitExceeded", "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1")
    assert error_of(iam.add_role_to_instance_profile, InstanceProfileName=name, RoleName=b) == quota
    assert error_of(iam.add_role_to_instance_profile, InstanceProfileName=name, RoleName=a) == quota
    assert error_of(iam.remove_role_from_instance_profile, InstanceProfileName=name, RoleName=b)[:2] == (404, "NoSuchEntity")
    roles = iam.get_instance_profile(InstanceProfileName=name)["InstanceProfile"]["Roles"]
    assert [x["RoleName"] for x in roles] == [a]
    assert iam.list_instance_profiles_for_role(RoleName=b)["InstanceProfiles"] == []


def test_list_instance_profiles_by_path_and_pages(iam):
    path = f"/{uniq('team')}/"
    names = sorted(uniq("p") for _ in range(3))
    for n in names:
        iam.create_instance_profile(InstanceProfileName=n, Path=path, Tags=[{"Key": "k", "Value": "v"}])
    iam.create_instance_profile(InstanceProfileName=uniq("elsewhere"))
    everything = iam.list_instance_profiles(PathPrefix=path)
    assert [p["InstanceProfileName"] for p in everything["InstanceProfiles"]] == names
    assert all("Tags" not in p for p in everything["InstanceProfiles"])  # listings leave tags out, as IAM's do
    first = iam.list_instance_profiles(PathPrefix=path, MaxItems=2)
    assert first["IsTruncated"] is True and len(first["InstanceProfiles"]) == 2
    rest = iam.list_instance_profiles(PathPrefix=path, MaxItems=2, Marker=first["Marker"])
    assert rest["IsTruncated"] is False and "Marker" not in rest
    assert [p["InstanceProfileName"] for p in first["InstanceProfiles"] + rest["InstanceProfiles"]] == names
    paged = [p["InstanceProfileName"] for page in iam.get_paginator("list_instance_profiles").paginate(
        PathPrefix=path, PaginationConfig={"PageSize": 1}) for p in page["InstanceProfiles"]]
    assert paged == names


def test_instance_profile_tags(iam):
    name = uniq("tagged")
    made = iam.create_instance_profile(InstanceProfileName=name, Tags=[{"Key": "env", "Value": "dev"}])["InstanceProfile"]
    assert made["Tags"] == [{"Key": "env", "Value": "dev"}]
    iam.tag_instance_profile(InstanceProfileName=name, Tags=[{"Key": "ENV", "Value": "prod"}, {"Key": "team", "Value": "red"}])
    assert iam.list_instance_profile_tags(InstanceProfileName=name)["Tags"] == [
        {"Key": "ENV", "Value": "prod"}, {"Key": "team", "Value": "red"}]
    assert iam.get_instance_profile(InstanceProfileName=name)["InstanceProfile"]["Tags"][1] == {"Key": "team", "Value": "red"}
    iam.untag_instance_profile(InstanceProfileName=name, TagKeys=["env", "absent"])
    assert iam.list_instance_profile_tags(InstanceProfileName=name)["Tags"] == [{"Key": "team", "Value": "red"}]
    ghost = uniq("ghost")
    assert error_of(iam.tag_instance_profile, InstanceProfileName=ghost, Tags=[{"Key": "a", "Value": "b"}]) == (
        404, "NoSuchEntity", f"Instance Profile {ghost} cannot be found.")
    assert error_of(iam.list_instance_profile_tags, InstanceProfileName=ghost)[1] == "NoSuchEntity"


def test_instance_profiles_through_the_cli(server):
    name, role = uniq("cli-ip"), uniq("cli-role")
    _, out, _ = server.aws("iam", "create-instance-profile", "--instance-profile-name", name, "--tags", "Key=owner,Value=cli")
    assert out["InstanceProfile"]["InstanceProfileId"].startswith("AIPA")
    server.aws("iam", "create-role", "--role-name", role, "--assume-role-policy-document", json.dumps(TRUST_EC2))
    server.aws("iam", "add-role-to-instance-profile", "--instance-profile-name", name, "--role-name", role)
    _, got, _ = server.aws("iam", "get-instance-profile", "--instance-profile-name", name)
    assert [r["RoleName"] for r in got["InstanceProfile"]["Roles"]] == [role]
    _, listed, _ = server.aws("iam", "list-instance-profiles-for-role", "--role-name", role)
    assert [p["InstanceProfileName"] for p in listed["InstanceProfiles"]] == [name]
    _, tags, _ = server.aws("iam", "list-instance-profile-tags", "--instance-profile-name", name)
    assert tags["Tags"] == [{"Key": "owner", "Value": "cli"}]
    code, _, err = server.aws("iam", "delete-role", "--role-name", role, check=False)
    assert code != 0 and "DeleteConflict" in err and "must remove roles from instance profile first" in err
    server.aws("iam", "remove-role-from-instance-profile", "--instance-profile-name", name, "--role-name", role)
    server.aws("iam", "delete-instance-profile", "--instance-profile-name", name)
    code, _, err = server.aws("iam", "get-instance-profile", "--instance-profile-name", name, check=False)
    assert code != 0 and f"(NoSuchEntity) when calling the GetInstanceProfile operation: Instance Profile {name} cannot be found." in err


def test_instance_profiles_and_tags_survive_a_restart(fresh_server):
    iam = fresh_server.client("iam")
    role = make_role(iam, "keeper", Tags=[{"Key": "team", "Value": "blue"}])
    made = iam.create_instance_profile(InstanceProfileName="kept", Path="/p/", Tags=[{"Key": "k", "Value": "v"}])["InstanceProfile"]
    iam.add_role_to_instance_profile(InstanceProfileName="kept", RoleName="keeper")
    iam.update_role(RoleName="keeper", Description="updated", MaxSessionDuration=7200)
    policy = iam.create_policy(PolicyName="kept-policy", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "ec2:Describe*", "Resource": "*"}]}))["Policy"]["Arn"]
    iam.tag_policy(PolicyArn=policy, Tags=[{"Key": "cost", "Value": "42"}])

    fresh_server.restart()
    iam = fresh_server.client("iam")
    got = iam.get_instance_profile(InstanceProfileName="kept")["InstanceProfile"]
    assert (got["InstanceProfileId"], got["Arn"], got["Tags"]) == (made["InstanceProfileId"], made["Arn"], [{"Key": "k", "Value": "v"}])
    assert [r["RoleId"] for r in got["Roles"]] == [role["RoleId"]]
    assert [p["InstanceProfileName"] for p in iam.list_instance_profiles_for_role(RoleName="keeper")["InstanceProfiles"]] == ["kept"]
    r = iam.get_role(RoleName="keeper")["Role"]
    assert (r["Description"], r["MaxSessionDuration"], r["Tags"]) == ("updated", 7200, [{"Key": "team", "Value": "blue"}])
    assert iam.list_policy_tags(PolicyArn=policy)["Tags"] == [{"Key": "cost", "Value": "42"}]
    assert error_of(iam.delete_role, RoleName="keeper")[1] == "DeleteConflict"


@pytest.fixture
def enforced():
    s = Server(extra_args=["--enforce-iam"]).start()
    yield s
    s.cleanup()


def test_instance_profile_calls_are_authorized(enforced):
    root = enforced.client("iam")
    root.create_user(UserName="ops")
    key = root.create_access_key(UserName="ops")["AccessKey"]
    ops = enforced.client("iam", key=key["AccessKeyId"], secret=key["SecretAccessKey"])
    make_role(root, "app-role")
    root.create_instance_profile(InstanceProfileName="app", Path="/web/")

    def denied(action, resource):
        return (403, "AccessDenied", f"User: arn:aws:iam::{ACCOUNT}:user/ops is not authorized to perform: iam:{action} "
                f"on resource: {resource} because no identity-based policy allows the iam:{action} action")

    profile_arn = f"arn:aws:iam::{ACCOUNT}:instance-profile/web/app"
    assert error_of(ops.create_instance_profile, InstanceProfileName="mine") == denied(
        "CreateInstanceProfile", f"arn:aws:iam::{ACCOUNT}:instance-profile/mine")
    assert error_of(ops.add_role_to_instance_profile, InstanceProfileName="app", RoleName="app-role") == denied(
        "AddRoleToInstanceProfile", profile_arn)
    assert error_of(ops.list_instance_profiles_for_role, RoleName="app-role") == denied(
        "ListInstanceProfilesForRole", f"arn:aws:iam::{ACCOUNT}:role/app-role")
    assert error_of(ops.list_instance_profiles) == denied("ListInstanceProfiles", f"arn:aws:iam::{ACCOUNT}:instance-profile/")
    assert error_of(ops.tag_role, RoleName="app-role", Tags=[{"Key": "a", "Value": "b"}]) == denied(
        "TagRole", f"arn:aws:iam::{ACCOUNT}:role/app-role")
    assert root.get_instance_profile(InstanceProfileName="app")["InstanceProfile"]["Roles"] == []  # nothing changed

    root.put_user_policy(UserName="ops", PolicyName="profiles", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["iam:*InstanceProfile*"], "Resource": [
            f"arn:aws:iam::{ACCOUNT}:instance-profile/web/*", f"arn:aws:iam::{ACCOUNT}:role/app-role"]},
        {"Effect": "Allow", "Action": "iam:TagRole", "Resource": "*",
         "Condition": {"StringEquals": {"aws:RequestTag/team": "red"}}}]}))
    ops.add_role_to_instance_profile(InstanceProfileName="app", RoleName="app-role")
    assert [p["InstanceProfileName"] for p in ops.list_instance_profiles_for_role(RoleName="app-role")["InstanceProfiles"]] == ["app"]
    assert error_of(ops.create_instance_profile, InstanceProfileName="mine")[1] == "AccessDenied"  # outside /web/
    ops.create_instance_profile(InstanceProfileName="mine", Path="/web/")
    ops.tag_role(RoleName="app-role", Tags=[{"Key": "team", "Value": "red"}])
    assert error_of(ops.tag_role, RoleName="app-role", Tags=[{"Key": "team", "Value": "blue"}])[1] == "AccessDenied"
    assert root.list_role_tags(RoleName="app-role")["Tags"] == [{"Key": "team", "Value": "red"}]
