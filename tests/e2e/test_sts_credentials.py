"""STS temporary credentials: AssumeRole (trust policy, durations, errors), GetSessionToken, GetCallerIdentity with
the credentials, their session token and expiry; under `--enforce-iam` the assumed role's policies decide; Lambda
hands each function its execution role's credentials."""
import json
import re
import sqlite3
import time
import urllib.error
import urllib.request

import boto3
import pytest
from botocore.config import Config

from conftest import ACCOUNT, REGION, Server, call_error, lambda_role
from invoke_support import deploy, invoke

ACCOUNT_TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"}]})


def temp_client(server, service, creds, token=True):
    return boto3.client(service, endpoint_url=server.endpoint, region_name=REGION,
                        aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                        aws_session_token=creds["SessionToken"] if token is True else (token or None),
                        config=Config(retries={"max_attempts": 1}))


def make_role(server, name, trust=ACCOUNT_TRUST, **kw):
    return server.client("iam").create_role(RoleName=name, AssumeRolePolicyDocument=trust, **kw)["Role"]


def test_assume_role_with_boto3_gives_credentials_that_are_the_assumed_role(server):
    role = make_role(server, "sts-app")
    r = server.client("sts").assume_role(RoleArn=role["Arn"], RoleSessionName="alice@example.com", DurationSeconds=900)
    creds = r["Credentials"]
    assert creds["AccessKeyId"].startswith("ASIA") and len(creds["AccessKeyId"]) == 20
    assert len(creds["SecretAccessKey"]) == 40 and len(creds["SessionToken"]) > 100
    left = (creds["Expiration"].timestamp() - time.time())
    assert 880 < left <= 901, left
    assert r["AssumedRoleUser"] == {"AssumedRoleId": role["RoleId"] + ":alice@example.com",
                                    "Arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/sts-app/alice@example.com"}
    assert "PackedPolicySize" not in r
    ident = temp_client(server, "sts", creds).get_caller_identity()
    assert ident["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/sts-app/alice@example.com"
    assert ident["UserId"] == role["RoleId"] + ":alice@example.com"
    assert ident["Account"] == ACCOUNT
    # Session policies and tags: their packed size is reported.
    r = server.client("sts").assume_role(
        RoleArn=role["Arn"], RoleSessionName="narrow",
        Policy=json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ec2:Describe*", "Resource": "*"}]}))
    assert 0 < r["PackedPolicySize"] <= 100


def test_assume_role_with_the_cli(server):
    role = make_role(server, "sts-cli")
    _, out, _ = server.aws("sts", "assume-role", "--role-arn", role["Arn"], "--role-session-name", "cli-session")
    creds = out["Credentials"]
    assert out["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/sts-cli/cli-session"
    _, ident, _ = server.aws("sts", "get-caller-identity", AWS_ACCESS_KEY_ID=creds["AccessKeyId"],
                             AWS_SECRET_ACCESS_KEY=creds["SecretAccessKey"], AWS_SESSION_TOKEN=creds["SessionToken"])
    assert ident["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/sts-cli/cli-session"
    code, _, err = server.aws("sts", "assume-role", "--role-arn", role["Arn"], "--role-session-name", "cli",
                              "--duration-seconds", "50000", check=False)
    assert code != 0
    assert ("An error occurred (ValidationError) when calling the AssumeRole operation: 1 validation error detected: "
            "Value '50000' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 43200") in err


def test_assume_role_errors(server):
    sts = server.client("sts")
    role = make_role(server, "sts-short", MaxSessionDuration=3600)
    assert call_error(sts.assume_role, RoleArn=role["Arn"], RoleSessionName="s1", DurationSeconds=7200) == (
        400, "ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
    assert call_error(sts.assume_role, RoleArn=role["Arn"], RoleSessionName="has space") == (
        400, "ValidationError", "1 validation error detected: Value 'has space' at 'roleSessionName' failed to satisfy "
                                "constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*")
    # A role that trusts only a user, and one that does not exist: the same refusal.
    only_bob = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/bob"}, "Action": "sts:AssumeRole"}]})
    untrusting = make_role(server, "sts-bob-only", trust=only_bob)
    assert call_error(sts.assume_role, RoleArn=untrusting["Arn"], RoleSessionName="s1") == (
        403, "AccessDenied", f"User: arn:aws:iam::{ACCOUNT}:root is not authorized to perform: sts:AssumeRole on resource: "
                             f"arn:aws:iam::{ACCOUNT}:role/sts-bob-only")
    assert call_error(sts.assume_role, RoleArn=f"arn:aws:iam::{ACCOUNT}:role/no-such-role", RoleSessionName="s1") == (
        403, "AccessDenied", f"User: arn:aws:iam::{ACCOUNT}:root is not authorized to perform: sts:AssumeRole on resource: "
                             f"arn:aws:iam::{ACCOUNT}:role/no-such-role")
    # A Lambda execution role trusts only lambda.amazonaws.com.
    lam_role = lambda_role(server, vpc=False)
    status, code, _ = call_error(sts.assume_role, RoleArn=lam_role, RoleSessionName="s1")
    assert (status, code) == (403, "AccessDenied")


def test_session_token_must_match_the_credentials(server):
    role = make_role(server, "sts-token")
    creds = server.client("sts").assume_role(RoleArn=role["Arn"], RoleSessionName="t1")["Credentials"]
    invalid = (403, "InvalidClientTokenId", "The security token included in the request is invalid.")
    assert call_error(temp_client(server, "sts", creds, token=False).get_caller_identity) == invalid
    assert call_error(temp_client(server, "sts", creds, token=creds["SessionToken"][:-4] + "AAAA").get_caller_identity) == invalid
    assert call_error(temp_client(server, "iam", creds, token="nonsense").list_roles) == invalid
    # Presigned: the token travels in the query.
    url = temp_client(server, "sts", creds).generate_presigned_url("get_caller_identity", ExpiresIn=300)
    assert "X-Amz-Security-Token=" in url
    with urllib.request.urlopen(url, timeout=10) as r:
        assert f"<Arn>arn:aws:sts::{ACCOUNT}:assumed-role/sts-token/t1</Arn>" in r.read().decode()
    without = re.sub(r"&X-Amz-Security-Token=[^&]*", "", url)
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(without, timeout=10)
    assert e.value.code == 403 and b"<Code>InvalidClientTokenId</Code>" in e.value.read()
    # Session credentials cannot ask for another session token.
    assert call_error(temp_client(server, "sts", creds).get_session_token) == (
        403, "AccessDenied", "Cannot call GetSessionToken with session credentials")


def test_get_session_token_of_the_root(server):
    creds = server.client("sts").get_session_token(DurationSeconds=7200)["Credentials"]
    assert creds["AccessKeyId"].startswith("ASIA")
    # The root's session lasts at most an hour.
    assert creds["Expiration"].timestamp() - time.time() <= 3601
    assert temp_client(server, "sts", creds).get_caller_identity()["Arn"] == f"arn:aws:iam::{ACCOUNT}:root"


def expire_session(server, access_key_id):
    """Moves a stored session's expiry into the past while the server is stopped (the store is one SQLite file)."""
    db = sqlite3.connect(f"{server.data_dir}/state.sqlite")
    (body,) = db.execute("SELECT body FROM records WHERE kind = 'sts.session' AND id = ?", (access_key_id,)).fetchone()
    record = json.loads(body)
    record["expiration"] = int(time.time() * 1000) - 60_000
    db.execute("UPDATE records SET body = ? WHERE kind = 'sts.session' AND id = ?", (json.dumps(record), access_key_id))
    db.commit()
    db.close()


def test_sessions_survive_a_restart_and_expire(fresh_server):
    role = make_role(fresh_server, "sts-durable")
    creds = fresh_server.client("sts").assume_role(RoleArn=role["Arn"], RoleSessionName="d1")["Credentials"]
    fresh_server.restart()
    assert temp_client(fresh_server, "sts", creds).get_caller_identity()["Arn"].endswith(":assumed-role/sts-durable/d1")
    fresh_server.stop()
    expire_session(fresh_server, creds["AccessKeyId"])
    fresh_server.start()
    assert call_error(temp_client(fresh_server, "sts", creds).get_caller_identity) == (
        403, "ExpiredToken", "The security token included in the request is expired")
    status, code, _ = call_error(temp_client(fresh_server, "ec2", creds).describe_vpcs)
    assert (status, code) == (400, "RequestExpired")
    status, code, msg = call_error(temp_client(fresh_server, "lambda", creds).list_functions)
    assert (status, code, msg) == (403, "ExpiredTokenException", "The security token included in the request is expired")


@pytest.fixture
def enforced():
    s = Server(extra_args=["--enforce-iam"]).start()
    yield s
    s.cleanup()


def test_enforced_the_assumed_roles_policies_decide(enforced):
    iam = enforced.client("iam")
    role = make_role(enforced, "reader")
    iam.put_role_policy(RoleName="reader", PolicyName="describe", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["ec2:DescribeVpcs", "ec2:DescribeSubnets"], "Resource": "*"}]}))
    iam.create_user(UserName="dev")
    key = iam.create_access_key(UserName="dev")["AccessKey"]
    dev_sts = enforced.client("sts", key=key["AccessKeyId"], secret=key["SecretAccessKey"])
    # The account is trusted, but the user's own policies do not allow sts:AssumeRole yet.
    assert call_error(dev_sts.assume_role, RoleArn=role["Arn"], RoleSessionName="dev-session") == (
        403, "AccessDenied", f"User: arn:aws:iam::{ACCOUNT}:user/dev is not authorized to perform: sts:AssumeRole on resource: {role['Arn']}")
    iam.put_user_policy(UserName="dev", PolicyName="assume", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": role["Arn"]}]}))
    creds = dev_sts.assume_role(RoleArn=role["Arn"], RoleSessionName="dev-session")["Credentials"]
    session_arn = f"arn:aws:sts::{ACCOUNT}:assumed-role/reader/dev-session"
    ec2 = temp_client(enforced, "ec2", creds)
    assert isinstance(ec2.describe_vpcs()["Vpcs"], list)
    status, code, msg = call_error(ec2.create_vpc, CidrBlock="10.9.0.0/16")
    assert (status, code) == (403, "UnauthorizedOperation")
    assert (f"User: {session_arn} is not authorized to perform: ec2:CreateVpc on resource: "
            f"arn:aws:ec2:{REGION}:{ACCOUNT}:vpc/* because no identity-based policy allows the ec2:CreateVpc action") in msg
    assert call_error(temp_client(enforced, "iam", creds).list_users) == (
        403, "AccessDenied", f"User: {session_arn} is not authorized to perform: iam:ListUsers on resource: "
                             f"arn:aws:iam::{ACCOUNT}:user/ because no identity-based policy allows the iam:ListUsers action")
    assert temp_client(enforced, "sts", creds).get_caller_identity()["Arn"] == session_arn
    # A session policy narrows the role: DescribeVpcs is no longer allowed to this session.
    narrow = dev_sts.assume_role(RoleArn=role["Arn"], RoleSessionName="narrow", Policy=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ec2:DescribeSubnets", "Resource": "*"}]}))["Credentials"]
    assert isinstance(temp_client(enforced, "ec2", narrow).describe_subnets()["Subnets"], list)
    status, code, msg = call_error(temp_client(enforced, "ec2", narrow).describe_vpcs)
    assert (status, code) == (403, "UnauthorizedOperation")
    assert f"User: arn:aws:sts::{ACCOUNT}:assumed-role/reader/narrow is not authorized to perform: ec2:DescribeVpcs" in msg
    # A policy added to the role applies to its sessions at once.
    iam.put_role_policy(RoleName="reader", PolicyName="vpcs", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ec2:CreateVpc", "Resource": "*"}]}))
    assert ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"].startswith("vpc-")
    # The signature is verified against the session's secret.
    wrong = dict(creds, SecretAccessKey="x" * 40)
    status, code, _ = call_error(temp_client(enforced, "sts", wrong).get_caller_identity)
    assert (status, code) == (403, "SignatureDoesNotMatch")


CREDENTIAL_VARS = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"]


def test_a_function_runs_with_its_execution_roles_credentials(server):
    lam = server.client("lambda")
    name = deploy(lam)
    _, payload = invoke(lam, name, {"env": CREDENTIAL_VARS})
    env = json.loads(payload)["env"]
    assert env["AWS_ACCESS_KEY_ID"].startswith("ASIA") and len(env["AWS_ACCESS_KEY_ID"]) == 20
    assert env["AWS_SESSION_TOKEN"]
    # Calls made with them are the function's role session.
    creds = {"AccessKeyId": env["AWS_ACCESS_KEY_ID"], "SecretAccessKey": env["AWS_SECRET_ACCESS_KEY"],
             "SessionToken": env["AWS_SESSION_TOKEN"]}
    ident = temp_client(server, "sts", creds).get_caller_identity()
    assert ident["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/lambda-role/{name}"
    role_id = server.client("iam").get_role(RoleName="lambda-role")["Role"]["RoleId"]
    assert ident["UserId"] == f"{role_id}:{name}"
    # A warm environment keeps the same credentials.
    _, again = invoke(lam, name, {"env": CREDENTIAL_VARS})
    assert json.loads(again)["env"] == env


def test_a_functions_credentials_carry_its_role_policies_when_enforced(enforced):
    lam = enforced.client("lambda")
    name = deploy(lam)
    _, payload = invoke(lam, name, {"env": CREDENTIAL_VARS})
    env = json.loads(payload)["env"]
    creds = {"AccessKeyId": env["AWS_ACCESS_KEY_ID"], "SecretAccessKey": env["AWS_SECRET_ACCESS_KEY"],
             "SessionToken": env["AWS_SESSION_TOKEN"]}
    # AWSLambdaVPCAccessExecutionRole allows DescribeNetworkInterfaces, not DescribeVpcs.
    ec2 = temp_client(enforced, "ec2", creds)
    assert isinstance(ec2.describe_network_interfaces()["NetworkInterfaces"], list)
    status, code, msg = call_error(ec2.describe_vpcs)
    assert (status, code) == (403, "UnauthorizedOperation")
    assert f"User: arn:aws:sts::{ACCOUNT}:assumed-role/lambda-role/{name} is not authorized to perform: ec2:DescribeVpcs" in msg
