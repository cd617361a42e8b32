"""SSM Parameter Store as boto3, the AWS CLI and Terraform's aws_ssm_parameter use it: String, StringList and
SecureString parameters, versions and selectors, paths and paging, descriptions and filters, tags, labels, AWS's
errors (a refusal changes nothing), the public Amazon Linux AMI parameters, persistence across a restart, and
authorization under --enforce-iam."""
import json
import uuid

import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, REGION, Server, signed_request, user_client

ARN = f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter"
AL2023 = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"


def unique(prefix="/lv/test"):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def error_of(call, **kw):
    with pytest.raises(ClientError) as e:
        call(**kw)
    return e.value.response["Error"]["Code"], e.value.response["Error"]["Message"]


@pytest.fixture(scope="module")
def ssm(server):
    return server.client("ssm")


def test_put_get_versions_and_overwrite(ssm):
    name = unique()
    assert ssm.put_parameter(Name=name, Value="one", Type="String", Description="first")["Version"] == 1
    p = ssm.get_parameter(Name=name)["Parameter"]
    assert (p["Name"], p["Type"], p["Value"], p["Version"], p["DataType"]) == (name, "String", "one", 1, "text")
    assert p["ARN"] == ARN + name and p["LastModifiedDate"].year >= 2024
    assert error_of(ssm.put_parameter, Name=name, Value="two", Type="String") == (
        "ParameterAlreadyExists",
        "The parameter already exists. To overwrite this value, set the overwrite option in the request to true.")
    assert ssm.get_parameter(Name=name)["Parameter"]["Value"] == "one"
    # Overwrite without Type keeps the type; the description carries over.
    r = ssm.put_parameter(Name=name, Value="two", Overwrite=True)
    assert (r["Version"], r["Tier"]) == (2, "Standard")
    assert ssm.get_parameter(Name=name)["Parameter"]["Value"] == "two"
    old = ssm.get_parameter(Name=f"{name}:1")["Parameter"]
    assert (old["Value"], old["Version"], old["Selector"], old["Name"]) == ("one", 1, ":1", name)
    assert error_of(ssm.get_parameter, Name=f"{name}:7") == (
        "ParameterVersionNotFound", f"Systems Manager could not find version 7 of {name}. Verify the version and try again.")
    history = ssm.get_parameter_history(Name=name)["Parameters"]
    assert [(h["Version"], h["Value"], h.get("Description")) for h in history] == [(1, "one", "first"), (2, "two", "first")]
    # By ARN too.
    assert ssm.get_parameter(Name=ARN + name)["Parameter"]["Value"] == "two"


def test_string_list_and_secure_string(ssm):
    lst, sec = unique(), unique()
    ssm.put_parameter(Name=lst, Value="a,b,c", Type="StringList")
    assert ssm.get_parameter(Name=lst)["Parameter"]["Value"] == "a,b,c"
    ssm.put_parameter(Name=sec, Value="hunter2", Type="SecureString")
    hidden = ssm.get_parameter(Name=sec)["Parameter"]
    assert hidden["Type"] == "SecureString" and hidden["Value"] != "hunter2" and "hunter2" not in hidden["Value"]
    assert len(hidden["Value"]) > 40 and ssm.get_parameter(Name=sec)["Parameter"]["Value"] == hidden["Value"]
    assert ssm.get_parameter(Name=sec, WithDecryption=True)["Parameter"]["Value"] == "hunter2"
    got = ssm.get_parameters(Names=[sec], WithDecryption=True)["Parameters"]
    assert [g["Value"] for g in got] == ["hunter2"]
    meta = ssm.describe_parameters(ParameterFilters=[{"Key": "Name", "Values": [sec]}])["Parameters"]
    assert meta[0]["KeyId"] == "alias/aws/ssm" and "Value" not in meta[0]
    ssm.put_parameter(Name=unique(), Value="x", Type="SecureString", KeyId="alias/mine")
    assert error_of(ssm.put_parameter, Name=unique(), Value="x", Type="String", KeyId="alias/mine")[0] == "ValidationException"


def test_get_parameters_reports_unknown_names(ssm):
    a = unique()
    ssm.put_parameter(Name=a, Value="1", Type="String")
    r = ssm.get_parameters(Names=[a, "/lv/none-such", f"{a}:9"])
    assert [p["Name"] for p in r["Parameters"]] == [a]
    assert sorted(r["InvalidParameters"]) == sorted(["/lv/none-such", f"{a}:9"])
    code, msg = error_of(ssm.get_parameters, Names=[f"/n{i}" for i in range(11)])
    assert code == "ValidationException" and "less than or equal to 10" in msg


def test_bad_names_and_values_are_refused_and_change_nothing(ssm):
    for bad in ("has space", "bad*char", "/a//b"):
        assert error_of(ssm.put_parameter, Name=bad, Value="v", Type="String")[0] == "ValidationException"
    assert error_of(ssm.put_parameter, Name="a/b", Value="v", Type="String") == (
        "ValidationException", "Parameter name must be a fully qualified name.")
    assert error_of(ssm.put_parameter, Name="awsthing", Value="v", Type="String")[0] == "ValidationException"
    assert error_of(ssm.put_parameter, Name="/ssm/x", Value="v", Type="String")[0] == "ValidationException"
    deep = "/" + "/".join(f"l{i}" for i in range(16))
    assert error_of(ssm.put_parameter, Name=deep, Value="v", Type="String")[0] == "HierarchyLevelLimitExceededException"
    ssm.put_parameter(Name="/" + "/".join(f"l{i}" for i in range(15)), Value="v", Type="String")
    assert error_of(ssm.put_parameter, Name=unique(), Value="v") == (
        "ValidationException", "A parameter type is required when you create a parameter.")
    name = unique()
    assert error_of(ssm.put_parameter, Name=name, Value="v", Type="String", Tags=[{"Key": "a", "Value": "b"}],
                    Overwrite=True)[0] == "ValidationException"
    assert error_of(ssm.put_parameter, Name=name, Value="abc", Type="String", AllowedPattern="^\\d+$") == (
        "ParameterPatternMismatchException", "Parameter value, cannot be validated against allowedPattern: ^\\d+$")
    assert error_of(ssm.put_parameter, Name=name, Value="x" * 4097, Type="String")[0] == "ValidationException"
    assert error_of(ssm.get_parameter, Name=name)[0] == "ParameterNotFound"
    ssm.put_parameter(Name=name, Value="123", Type="String", AllowedPattern="^\\d+$")
    # The stored pattern still judges a later value.
    assert error_of(ssm.put_parameter, Name=name, Value="abc", Overwrite=True)[0] == "ParameterPatternMismatchException"
    assert ssm.get_parameter(Name=name)["Parameter"]["Version"] == 1
    assert ssm.put_parameter(Name=name, Value="1" * 5000, Overwrite=True, Tier="Advanced")["Tier"] == "Advanced"
    # An empty AllowedPattern (Terraform's aws_ssm_parameter sends one) is no pattern, and clears a stored one.
    ssm.put_parameter(Name=name, Value="abc", Overwrite=True, AllowedPattern="")
    assert "AllowedPattern" not in ssm.describe_parameters(ParameterFilters=[{"Key": "Name", "Values": [name]}])["Parameters"][0]


def test_by_path_recursive_filters_and_paging(ssm):
    root = unique("/lv/tree")
    for n in range(12):
        ssm.put_parameter(Name=f"{root}/p{n:02d}", Value=str(n), Type="SecureString" if n % 2 else "String")
    ssm.put_parameter(Name=f"{root}/sub/deep", Value="d", Type="String")
    first = ssm.get_parameters_by_path(Path=root)
    assert len(first["Parameters"]) == 10 and "NextToken" in first
    rest = ssm.get_parameters_by_path(Path=root, NextToken=first["NextToken"])
    names = [p["Name"] for p in first["Parameters"] + rest["Parameters"]]
    assert names == [f"{root}/p{n:02d}" for n in range(12)] and "NextToken" not in rest
    every = [p["Name"] for page in ssm.get_paginator("get_parameters_by_path").paginate(Path=root, Recursive=True)
             for p in page["Parameters"]]
    assert f"{root}/sub/deep" in every and len(every) == 13
    secure = ssm.get_parameters_by_path(Path=root, ParameterFilters=[{"Key": "Type", "Values": ["SecureString"]}],
                                        WithDecryption=True)["Parameters"]
    assert {p["Value"] for p in secure} <= {str(n) for n in range(1, 12, 2)} and len(secure) == 6
    code, _ = error_of(ssm.get_parameters_by_path, Path=root, MaxResults=11)
    assert code == "ValidationException"
    assert error_of(ssm.get_parameters_by_path, Path=root, ParameterFilters=[{"Key": "Name", "Values": ["x"]}])[0] == "InvalidFilterKey"
    assert error_of(ssm.get_parameters_by_path, Path="no-slash")[0] == "ValidationException"


def test_describe_parameters_filters_and_paging(ssm):
    root = unique("/lv/desc")
    for n in range(7):
        ssm.put_parameter(Name=f"{root}/d{n}", Value="v", Type="StringList" if n < 3 else "String")
    got = ssm.describe_parameters(ParameterFilters=[{"Key": "Name", "Option": "BeginsWith", "Values": [root + "/"]}],
                                  MaxResults=5)
    assert len(got["Parameters"]) == 5 and "NextToken" in got
    more = ssm.describe_parameters(ParameterFilters=[{"Key": "Name", "Option": "BeginsWith", "Values": [root + "/"]}],
                                   MaxResults=5, NextToken=got["NextToken"])
    assert [p["Name"] for p in got["Parameters"] + more["Parameters"]] == [f"{root}/d{n}" for n in range(7)]
    lists = ssm.describe_parameters(ParameterFilters=[{"Key": "Path", "Values": [root]},
                                                      {"Key": "Type", "Values": ["StringList"]}])["Parameters"]
    assert [p["Name"] for p in lists] == [f"{root}/d{n}" for n in range(3)]
    assert error_of(ssm.describe_parameters, MaxResults=51)[0] == "ValidationException"
    assert error_of(ssm.describe_parameters, ParameterFilters=[{"Key": "Type", "Values": ["Nope"]}])[0] in (
        "InvalidFilterValue", "InvalidFilterOption")
    assert error_of(ssm.describe_parameters, NextToken="not-a-token!")[0] == "InvalidNextToken"
    # Public parameters are not the account's: not listed.
    assert not [p for p in ssm.describe_parameters(MaxResults=50)["Parameters"] if p["Name"].startswith("/aws/")]


def test_delete_and_delete_parameters(ssm):
    a, b = unique(), unique()
    ssm.put_parameter(Name=a, Value="1", Type="String")
    ssm.put_parameter(Name=b, Value="2", Type="String")
    ssm.delete_parameter(Name=a)
    assert error_of(ssm.get_parameter, Name=a)[0] == "ParameterNotFound"
    assert error_of(ssm.delete_parameter, Name=a)[0] == "ParameterNotFound"
    r = ssm.delete_parameters(Names=[b, a])
    assert r["DeletedParameters"] == [b] and r["InvalidParameters"] == [a]


def test_tags_and_labels(ssm):
    name = unique()
    ssm.put_parameter(Name=name, Value="v", Type="String", Tags=[{"Key": "team", "Value": "net"}])
    ssm.add_tags_to_resource(ResourceType="Parameter", ResourceId=name, Tags=[{"Key": "env", "Value": "dev"}])
    assert ssm.list_tags_for_resource(ResourceType="Parameter", ResourceId=name)["TagList"] == [
        {"Key": "env", "Value": "dev"}, {"Key": "team", "Value": "net"}]
    ssm.remove_tags_from_resource(ResourceType="Parameter", ResourceId=name, TagKeys=["team"])
    assert ssm.list_tags_for_resource(ResourceType="Parameter", ResourceId=name)["TagList"] == [{"Key": "env", "Value": "dev"}]
    assert error_of(ssm.list_tags_for_resource, ResourceType="Parameter", ResourceId=unique())[0] == "InvalidResourceId"
    tagged = ssm.describe_parameters(ParameterFilters=[{"Key": "tag:env", "Values": ["dev"]}])["Parameters"]
    assert name in [p["Name"] for p in tagged]
    ssm.put_parameter(Name=name, Value="v2", Overwrite=True)
    r = ssm.label_parameter_version(Name=name, ParameterVersion=1, Labels=["stable", "9bad"])
    assert r == {**r, "InvalidLabels": ["9bad"], "ParameterVersion": 1}
    assert ssm.get_parameter(Name=f"{name}:stable")["Parameter"]["Value"] == "v"
    ssm.label_parameter_version(Name=name, Labels=["stable"])  # moves to the latest
    assert ssm.get_parameter(Name=f"{name}:stable")["Parameter"]["Value"] == "v2"
    assert [h["Labels"] for h in ssm.get_parameter_history(Name=name)["Parameters"]] == [[], ["stable"]]


def test_public_amazon_linux_parameters(ssm):
    p = ssm.get_parameter(Name=AL2023)["Parameter"]
    assert p["Value"].startswith("ami-") and len(p["Value"]) == 21 and p["Type"] == "String"
    assert p["ARN"] == f"arn:aws:ssm:{REGION}::parameter{AL2023}"
    arm = ssm.get_parameter(Name="/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64")["Parameter"]["Value"]
    al2 = ssm.get_parameters(Names=["/aws/service/ami-amazon-linux-latest/amzn2-ami-hvm-x86_64-gp2"])["Parameters"][0]["Value"]
    assert len({p["Value"], arm, al2}) == 3
    listed = {x["Name"]: x["Value"] for x in
              ssm.get_parameters_by_path(Path="/aws/service/ami-amazon-linux-latest")["Parameters"]}
    assert listed[AL2023] == p["Value"]
    assert error_of(ssm.put_parameter, Name=AL2023, Value="ami-12345678", Type="String", Overwrite=True) == (
        "AccessDeniedException", f"No access to reserved parameter name: {AL2023}.")
    assert error_of(ssm.delete_parameter, Name=AL2023)[0] == "AccessDeniedException"
    assert ssm.get_parameter(Name=AL2023)["Parameter"]["Value"] == p["Value"]


def test_raw_requests_get_awsjson_errors(server):
    status, headers, body = signed_request(server, "ssm", body=b"{not json", headers={
        "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "AmazonSSM.GetParameter"})
    assert status == 400 and json.loads(body)["__type"] == "SerializationException"
    status, _, body = signed_request(server, "ssm", body=b"{}", headers={
        "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "AmazonSSM.NoSuchThing"})
    assert status == 400 and json.loads(body)["__type"] == "UnknownOperationException"
    status, _, body = signed_request(server, "ssm", body=b"{}", headers={
        "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "AmazonSSM.GetParameter"})
    assert status == 400 and json.loads(body)["__type"] == "ValidationException"


def test_aws_cli(server):
    name = unique()
    server.aws("ssm", "put-parameter", "--name", name, "--value", "from-cli", "--type", "String")
    _, out, _ = server.aws("ssm", "get-parameter", "--name", name)
    assert out["Parameter"]["Value"] == "from-cli"
    _, out, _ = server.aws("ssm", "get-parameter", "--name", AL2023, "--query", "Parameter.Value")
    assert out.startswith("ami-")
    code, _, err = server.aws("ssm", "put-parameter", "--name", name, "--value", "again", "--type", "String", check=False)
    assert code != 0 and "ParameterAlreadyExists" in err
    server.aws("ssm", "delete-parameter", "--name", name)
    code, _, err = server.aws("ssm", "get-parameter", "--name", name, check=False)
    assert code != 0 and "ParameterNotFound" in err


def test_parameters_survive_a_restart(fresh_server):
    ssm = fresh_server.client("ssm")
    ssm.put_parameter(Name="/keep/me", Value="v1", Type="String", Tags=[{"Key": "k", "Value": "v"}])
    ssm.put_parameter(Name="/keep/me", Value="v2", Overwrite=True)
    ssm.put_parameter(Name="/keep/secret", Value="s3cr3t", Type="SecureString")
    ssm.label_parameter_version(Name="/keep/me", ParameterVersion=1, Labels=["first"])
    fresh_server.restart()
    ssm = fresh_server.client("ssm")
    assert ssm.get_parameter(Name="/keep/me")["Parameter"]["Version"] == 2
    assert ssm.get_parameter(Name="/keep/me:first")["Parameter"]["Value"] == "v1"
    assert ssm.get_parameter(Name="/keep/secret", WithDecryption=True)["Parameter"]["Value"] == "s3cr3t"
    assert ssm.list_tags_for_resource(ResourceType="Parameter", ResourceId="/keep/me")["TagList"] == [{"Key": "k", "Value": "v"}]
    assert ssm.put_parameter(Name="/keep/me", Value="v3", Overwrite=True)["Version"] == 3


@pytest.fixture(scope="module")
def enforced():
    s = Server(extra_args=["--enforce-iam", "--skip-role-checks"]).start()
    yield s
    s.cleanup()


def user_ssm_client(server, user, policy=None):
    return user_client(server, "ssm", user, policy)


def test_operations_are_authorized_under_enforce_iam(enforced):
    root = enforced.client("ssm")
    root.put_parameter(Name="/theirs/db", Value="pw", Type="SecureString")
    nobody = user_ssm_client(enforced, "ssm-nobody")
    code, msg = error_of(nobody.get_parameter, Name="/theirs/db", WithDecryption=True)
    assert code == "AccessDeniedException"
    assert f"ssm:GetParameter on resource: {ARN}/theirs/db" in msg and "ssm-nobody" in msg
    code, msg = error_of(nobody.put_parameter, Name="/theirs/db", Value="stolen", Type="String", Overwrite=True)
    assert code == "AccessDeniedException" and "ssm:PutParameter" in msg
    assert error_of(nobody.delete_parameter, Name="/theirs/db")[0] == "AccessDeniedException"
    assert error_of(nobody.describe_parameters)[0] == "AccessDeniedException"
    assert root.get_parameter(Name="/theirs/db", WithDecryption=True)["Parameter"]["Value"] == "pw"

    mine = user_ssm_client(enforced, "ssm-mine", {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["ssm:PutParameter", "ssm:GetParameter*"], "Resource": f"{ARN}/mine/*"}]})
    mine.put_parameter(Name="/mine/x", Value="ok", Type="String")
    assert mine.get_parameter(Name="/mine/x")["Parameter"]["Value"] == "ok"
    assert mine.get_parameters_by_path(Path="/mine/x")["Parameters"] == []
    assert error_of(mine.get_parameter, Name="/theirs/db")[0] == "AccessDeniedException"
    # Tagging at creation also needs ssm:AddTagsToResource.
    code, msg = error_of(mine.put_parameter, Name="/mine/y", Value="v", Type="String", Tags=[{"Key": "a", "Value": "b"}])
    assert code == "AccessDeniedException" and "ssm:AddTagsToResource" in msg
    assert error_of(root.get_parameter, Name="/mine/y")[0] == "ParameterNotFound"
