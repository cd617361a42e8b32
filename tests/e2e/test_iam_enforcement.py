"""`serve --enforce-iam`: callers resolved from their access keys, IAM calls decided by their policies.
Every request's SigV4 signature is verified against the key's secret."""
import json

import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, Server, call_error as error_of


@pytest.fixture
def enforced():
    s = Server(extra_args=["--enforce-iam"]).start()
    yield s
    s.cleanup()


def user_with_key(server, name):
    iam = server.client("iam")
    iam.create_user(UserName=name)
    k = iam.create_access_key(UserName=name)["AccessKey"]
    return k["AccessKeyId"], k["SecretAccessKey"]


def test_unknown_access_key_is_refused_in_each_service_format(enforced):
    assert error_of(enforced.client("iam", key="AKIAUNKNOWNKEY000000").list_users) == (
        403, "InvalidClientTokenId", "The security token included in the request is invalid.")
    assert error_of(enforced.client("sts", key="AKIAUNKNOWNKEY000000").get_caller_identity) == (
        403, "InvalidClientTokenId", "The security token included in the request is invalid.")
    assert error_of(enforced.client("ec2", key="AKIAUNKNOWNKEY000000").describe_vpcs) == (
        401, "AuthFailure", "AWS was not able to validate the provided access credentials")


def test_wrong_secret_is_refused_in_each_service_format(enforced):
    status, code, msg = error_of(enforced.client("sts", secret="not-the-secret").get_caller_identity)
    assert (status, code) == (403, "SignatureDoesNotMatch")
    assert msg.startswith("The request signature we calculated does not match the signature you provided.")
    status, code, _ = error_of(enforced.client("iam", secret="not-the-secret").list_users)
    assert (status, code) == (403, "SignatureDoesNotMatch")
    assert error_of(enforced.client("ec2", secret="not-the-secret").describe_vpcs) == (
        401, "AuthFailure", "AWS was not able to validate the provided access credentials")


def test_user_with_wrong_secret_is_refused_and_right_secret_works(enforced):
    key, secret = user_with_key(enforced, "sigcheck")
    status, code, _ = error_of(enforced.client("sts", key=key, secret=secret + "x").get_caller_identity)
    assert (status, code) == (403, "SignatureDoesNotMatch")
    assert enforced.client("sts", key=key, secret=secret).get_caller_identity()["Arn"].endswith(":user/sigcheck")


def test_user_key_is_the_user(enforced):
    key, secret = user_with_key(enforced, "dev")
    ident = enforced.client("sts", key=key, secret=secret).get_caller_identity()
    assert ident["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/dev"
    assert ident["UserId"].startswith("AIDA")
    assert enforced.client("sts").get_caller_identity()["Arn"] == f"arn:aws:iam::{ACCOUNT}:root"


def test_iam_calls_follow_the_users_policies(enforced):
    key, secret = user_with_key(enforced, "dev")
    dev = enforced.client("iam", key=key, secret=secret)
    assert error_of(dev.list_users) == (
        403, "AccessDenied",
        f"User: arn:aws:iam::{ACCOUNT}:user/dev is not authorized to perform: iam:ListUsers on resource: "
        f"arn:aws:iam::{ACCOUNT}:user/ because no identity-based policy allows the iam:ListUsers action")
    root = enforced.client("iam")
    root.attach_user_policy(UserName="dev", PolicyArn="arn:aws:iam::aws:policy/IAMFullAccess")
    assert "dev" in [u["UserName"] for u in dev.list_users()["Users"]]
    dev.create_user(UserName="made-by-dev")
    root.put_user_policy(UserName="dev", PolicyName="no-deletes", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "iam:Delete*", "Resource": "*"}]}))
    assert error_of(dev.delete_user, UserName="made-by-dev") == (
        403, "AccessDenied",
        f"User: arn:aws:iam::{ACCOUNT}:user/dev is not authorized to perform: iam:DeleteUser on resource: "
        f"arn:aws:iam::{ACCOUNT}:user/made-by-dev with an explicit deny in an identity-based policy")
    assert root.get_user(UserName="made-by-dev")["User"]["UserName"] == "made-by-dev"  # the denied call changed nothing


def test_policy_variables_let_users_manage_their_own_keys(enforced):
    key, secret = user_with_key(enforced, "alice")
    user_with_key(enforced, "bob")
    enforced.client("iam").put_user_policy(UserName="alice", PolicyName="own-keys", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:*AccessKey*",
                                                "Resource": "arn:aws:iam::*:user/${aws:username}"}]}))
    alice = enforced.client("iam", key=key, secret=secret)
    assert [k["AccessKeyId"] for k in alice.list_access_keys()["AccessKeyMetadata"]] == [key]
    assert error_of(alice.list_access_keys, UserName="bob")[1] == "AccessDenied"


def test_inactive_key_is_refused(enforced):
    key, secret = user_with_key(enforced, "paused")
    enforced.client("iam").update_access_key(UserName="paused", AccessKeyId=key, Status="Inactive")
    assert error_of(enforced.client("sts", key=key, secret=secret).get_caller_identity)[1] == "InvalidClientTokenId"


def test_custom_root_credentials(monkeypatch):
    monkeypatch.setenv("LAMBDA_VPC_ENFORCE_IAM", "1")
    s = Server(extra_args=["--root-access-key-id", "AKIAROOTROOTROOT0000", "--root-secret-access-key", "s3cr3t"]).start()
    try:
        assert error_of(s.client("sts").get_caller_identity)[1] == "InvalidClientTokenId"
        root = s.client("sts", key="AKIAROOTROOTROOT0000", secret="s3cr3t")
        assert root.get_caller_identity()["Arn"] == f"arn:aws:iam::{ACCOUNT}:root"
    finally:
        s.cleanup()


def test_cli_denial_with_user_credentials(enforced):
    key, secret = user_with_key(enforced, "cli-dev")
    code, _, err = enforced.aws("iam", "list-roles", check=False, AWS_ACCESS_KEY_ID=key, AWS_SECRET_ACCESS_KEY=secret)
    assert code != 0
    assert "AccessDenied" in err
    assert (f"User: arn:aws:iam::{ACCOUNT}:user/cli-dev is not authorized to perform: iam:ListRoles on resource: "
            f"arn:aws:iam::{ACCOUNT}:role/ because no identity-based policy allows the iam:ListRoles action") in err
