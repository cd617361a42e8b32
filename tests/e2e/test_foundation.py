"""The server itself: health, STS, protocol-level errors, through real clients."""
import json
import urllib.request

import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, signed_request


def test_health_reports_version_uptime_and_isolation(server):
    with urllib.request.urlopen(server.endpoint + "/_lambda-vpc/health") as r:
        body = json.loads(r.read())
    assert r.status == 200
    assert body["status"] == "ok"
    assert body["version"]
    assert body["uptimeSeconds"] >= 0
    assert isinstance(body["networkIsolation"], bool)


def test_get_caller_identity_boto3(sts):
    ident = sts.get_caller_identity()
    assert ident["Account"] == ACCOUNT
    assert ident["Arn"] == f"arn:aws:iam::{ACCOUNT}:root"


def test_get_caller_identity_cli(server):
    _, out, _ = server.aws("sts", "get-caller-identity")
    assert out["Account"] == ACCOUNT


def test_unknown_ec2_action_is_invalid_action(server):
    status, _, body = signed_request(server, "ec2", body=b"Action=DescribeFooBars&Version=2016-11-15")
    assert status == 400
    assert b"<Code>InvalidAction</Code>" in body


def test_unsigned_request_gets_missing_authentication_token(server):
    req = urllib.request.Request(server.endpoint + "/", data=b"Action=DescribeVpcs&Version=2016-11-15", method="POST")
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(req)
    assert e.value.code == 401
    assert b"<Code>MissingAuthenticationToken</Code>" in e.value.read()
