"""Lambda resource-based policies: AddPermission, GetPolicy, RemovePermission through boto3 and the AWS CLI, with their
errors, kept across a restart, and enforced under --enforce-iam for Invoke by a user whose identity policies do not
allow it."""
import json

import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, REGION, Server, call_error as error_of
from invoke_support import deploy, invoke
from lambda_support import create_function, unique
from invoke_support import ensure_role

FN_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:"


def test_add_get_remove_permission_with_service_and_account_principals(lam):
    fn = unique("perm")
    create_function(lam, fn)
    r = lam.add_permission(FunctionName=fn, StatementId="s3-invoke", Action="lambda:InvokeFunction",
                           Principal="s3.amazonaws.com", SourceArn="arn:aws:s3:::my-bucket", SourceAccount=ACCOUNT)
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert json.loads(r["Statement"]) == {
        "Sid": "s3-invoke", "Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"},
        "Action": "lambda:InvokeFunction", "Resource": FN_ARN + fn,
        "Condition": {"StringEquals": {"AWS:SourceAccount": ACCOUNT}, "ArnLike": {"AWS:SourceArn": "arn:aws:s3:::my-bucket"}}}
    lam.add_permission(FunctionName=fn, StatementId="acct", Action="lambda:GetFunction", Principal=ACCOUNT)
    lam.add_permission(FunctionName=fn, StatementId="url", Action="lambda:InvokeFunctionUrl", Principal="*",
                       FunctionUrlAuthType="NONE")
    got = lam.get_policy(FunctionName=fn)
    policy = json.loads(got["Policy"])
    assert policy["Version"] == "2012-10-17" and policy["Id"] == "default"
    assert [s["Sid"] for s in policy["Statement"]] == ["s3-invoke", "acct", "url"]
    assert policy["Statement"][1]["Principal"] == {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}
    assert policy["Statement"][2]["Principal"] == "*"
    assert policy["Statement"][2]["Condition"] == {"StringEquals": {"lambda:FunctionUrlAuthType": "NONE"}}
    assert got["RevisionId"]

    lam.remove_permission(FunctionName=fn, StatementId="acct")
    assert [s["Sid"] for s in json.loads(lam.get_policy(FunctionName=fn)["Policy"])["Statement"]] == ["s3-invoke", "url"]
    lam.remove_permission(FunctionName=fn, StatementId="s3-invoke")
    lam.remove_permission(FunctionName=fn, StatementId="url")
    assert error_of(lam.get_policy, FunctionName=fn) == (
        404, "ResourceNotFoundException", "The resource you requested does not exist.")


def test_policies_are_per_qualifier(lam):
    fn = unique("perm")
    create_function(lam, fn, Publish=True)
    lam.create_alias(FunctionName=fn, Name="live", FunctionVersion="1")
    r = lam.add_permission(FunctionName=fn, Qualifier="live", StatementId="a", Action="lambda:InvokeFunction",
                           Principal="events.amazonaws.com")
    assert json.loads(r["Statement"])["Resource"] == FN_ARN + fn + ":live"
    assert error_of(lam.get_policy, FunctionName=fn)[1] == "ResourceNotFoundException"
    assert json.loads(lam.get_policy(FunctionName=fn + ":live")["Policy"])["Statement"][0]["Sid"] == "a"
    # Deleting the alias takes its policy with it.
    lam.delete_alias(FunctionName=fn, Name="live")
    lam.create_alias(FunctionName=fn, Name="live", FunctionVersion="1")
    assert error_of(lam.get_policy, FunctionName=fn, Qualifier="live")[1] == "ResourceNotFoundException"


def test_permission_errors(lam):
    fn = unique("perm")
    create_function(lam, fn)
    lam.add_permission(FunctionName=fn, StatementId="one", Action="lambda:InvokeFunction", Principal=ACCOUNT)
    assert error_of(lam.add_permission, FunctionName=fn, StatementId="one", Action="lambda:InvokeFunction",
                    Principal=ACCOUNT) == (409, "ResourceConflictException",
                                           "The statement id (one) provided already exists. Please provide a new statement id, "
                                           "or remove the existing statement.")
    assert error_of(lam.add_permission, FunctionName="nope-" + fn, StatementId="x", Action="lambda:InvokeFunction",
                    Principal=ACCOUNT) == (404, "ResourceNotFoundException", f"Function not found: {FN_ARN}nope-{fn}")
    assert error_of(lam.add_permission, FunctionName=fn, Qualifier="9", StatementId="x", Action="lambda:InvokeFunction",
                    Principal=ACCOUNT) == (404, "ResourceNotFoundException", f"Function not found: {FN_ARN}{fn}:9")
    status, code, msg = error_of(lam.add_permission, FunctionName=fn, StatementId="x", Action="InvokeFunction",
                                 Principal=ACCOUNT)
    assert (status, code) == (400, "ValidationException") and "at 'action' failed to satisfy constraint" in msg
    assert error_of(lam.add_permission, FunctionName=fn, StatementId="x", Action="lambda:InvokeFunction",
                    Principal="not-a-principal") == (
        400, "InvalidParameterValueException", "The provided principal was invalid. Please check the principal and try again.")
    assert error_of(lam.add_permission, FunctionName=fn, StatementId="x", Action="lambda:InvokeFunction",
                    Principal=ACCOUNT, RevisionId="stale")[:2] == (412, "PreconditionFailedException")
    rev = lam.get_policy(FunctionName=fn)["RevisionId"]
    lam.add_permission(FunctionName=fn, StatementId="two", Action="lambda:InvokeFunction", Principal=ACCOUNT, RevisionId=rev)
    assert error_of(lam.remove_permission, FunctionName=fn, StatementId="missing") == (
        404, "ResourceNotFoundException", "Statement missing is not found in resource policy.")
    assert error_of(lam.remove_permission, FunctionName=fn, StatementId="one", RevisionId=rev)[:2] == (
        412, "PreconditionFailedException")
    # None of the refused requests changed the policy.
    assert [s["Sid"] for s in json.loads(lam.get_policy(FunctionName=fn)["Policy"])["Statement"]] == ["one", "two"]


def test_permissions_through_the_cli(server, lam):
    fn = unique("perm")
    create_function(lam, fn)
    _, out, _ = server.aws("lambda", "add-permission", "--function-name", fn, "--statement-id", "sns",
                           "--action", "lambda:InvokeFunction", "--principal", "sns.amazonaws.com",
                           "--source-arn", f"arn:aws:sns:{REGION}:{ACCOUNT}:topic")
    assert json.loads(out["Statement"])["Principal"] == {"Service": "sns.amazonaws.com"}
    _, out, _ = server.aws("lambda", "get-policy", "--function-name", fn)
    assert json.loads(out["Policy"])["Statement"][0]["Condition"]["ArnLike"]["AWS:SourceArn"] == f"arn:aws:sns:{REGION}:{ACCOUNT}:topic"
    rc, _, err = server.aws("lambda", "add-permission", "--function-name", fn, "--statement-id", "sns",
                            "--action", "lambda:InvokeFunction", "--principal", "sns.amazonaws.com", check=False)
    assert rc != 0 and "ResourceConflictException" in err and "The statement id (sns) provided already exists" in err
    server.aws("lambda", "remove-permission", "--function-name", fn, "--statement-id", "sns")
    rc, _, err = server.aws("lambda", "get-policy", "--function-name", fn, check=False)
    assert rc != 0 and "ResourceNotFoundException" in err and "The resource you requested does not exist." in err


def test_policy_survives_restart_and_goes_with_the_function(fresh_server):
    lam = fresh_server.client("lambda")
    ensure_role(lam)
    fn = unique("perm")
    create_function(lam, fn)
    lam.add_permission(FunctionName=fn, StatementId="keep", Action="lambda:InvokeFunction", Principal="s3.amazonaws.com")
    before = lam.get_policy(FunctionName=fn)
    fresh_server.restart()
    lam = fresh_server.client("lambda")
    after = lam.get_policy(FunctionName=fn)
    assert after["Policy"] == before["Policy"] and after["RevisionId"] == before["RevisionId"]
    lam.delete_function(FunctionName=fn)
    create_function(lam, fn)
    assert error_of(lam.get_policy, FunctionName=fn)[1] == "ResourceNotFoundException"


@pytest.fixture(scope="module")
def enforced():
    s = Server(extra_args=["--enforce-iam", "--eni-create-delay", "0ms"]).start()
    yield s
    s.cleanup()


def new_user(server, statements=()):
    iam = server.client("iam")
    name = unique("u")
    arn = iam.create_user(UserName=name)["User"]["Arn"]
    if statements:
        iam.put_user_policy(UserName=name, PolicyName="p",
                            PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": list(statements)}))
    k = iam.create_access_key(UserName=name)["AccessKey"]
    return arn, server.client("lambda", key=k["AccessKeyId"], secret=k["SecretAccessKey"])


def test_resource_policy_lets_a_user_invoke_under_enforce_iam(enforced):
    root = enforced.client("lambda")
    fn = deploy(root)
    arn, lam = new_user(enforced)
    denied = (f"User: {arn} is not authorized to perform: lambda:InvokeFunction on resource: {FN_ARN}{fn} "
              "because no identity-based policy allows the lambda:InvokeFunction action")
    assert error_of(lam.invoke, FunctionName=fn) == (403, "AccessDeniedException", denied)

    # A service principal or the account itself grants a user nothing.
    root.add_permission(FunctionName=fn, StatementId="svc", Action="lambda:InvokeFunction", Principal="s3.amazonaws.com")
    root.add_permission(FunctionName=fn, StatementId="acct", Action="lambda:InvokeFunction", Principal=ACCOUNT)
    assert error_of(lam.invoke, FunctionName=fn)[1] == "AccessDeniedException"

    root.add_permission(FunctionName=fn, StatementId="user", Action="lambda:InvokeFunction", Principal=arn)
    r, payload = invoke(lam, fn, {"hello": "policy"})
    assert r["StatusCode"] == 200 and json.loads(payload)["event"] == {"hello": "policy"}
    # Only the action the statement names: GetFunction stays denied.
    assert error_of(lam.get_function, FunctionName=fn)[1] == "AccessDeniedException"
    # The unqualified policy does not cover a version.
    root.publish_version(FunctionName=fn)
    assert error_of(lam.invoke, FunctionName=fn, Qualifier="1")[1] == "AccessDeniedException"

    root.remove_permission(FunctionName=fn, StatementId="user")
    assert error_of(lam.invoke, FunctionName=fn) == (403, "AccessDeniedException", denied)


def test_identity_deny_wins_over_resource_policy(enforced):
    root = enforced.client("lambda")
    fn = deploy(root)
    arn, lam = new_user(enforced, [{"Effect": "Deny", "Action": "lambda:InvokeFunction", "Resource": "*"}])
    root.add_permission(FunctionName=fn, StatementId="user", Action="lambda:*", Principal=arn)
    assert error_of(lam.invoke, FunctionName=fn) == (
        403, "AccessDeniedException",
        f"User: {arn} is not authorized to perform: lambda:InvokeFunction on resource: {FN_ARN}{fn} "
        "with an explicit deny in an identity-based policy")
    # `lambda:*` in the statement covers the other actions on the function.
    assert lam.get_function_configuration(FunctionName=fn)["FunctionName"] == fn


def test_adding_a_permission_needs_lambda_add_permission_under_enforce_iam(enforced):
    root = enforced.client("lambda")
    fn = unique("perm")
    ensure_role(root)
    create_function(root, fn)
    arn, lam = new_user(enforced, [{"Effect": "Allow", "Action": "lambda:GetPolicy", "Resource": "*"}])
    status, code, msg = error_of(lam.add_permission, FunctionName=fn, StatementId="x", Action="lambda:InvokeFunction",
                                 Principal=arn)
    assert (status, code) == (403, "AccessDeniedException") and "lambda:AddPermission" in msg
    assert error_of(lam.get_policy, FunctionName=fn)[1] == "ResourceNotFoundException"
