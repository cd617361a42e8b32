"""Function logs through the CloudWatch Logs API (awsJson1_1, service `logs`) with the AWS CLI and boto3."""
import json
import time

import pytest

from conftest import signed_request
from invoke_support import deploy, invoke


@pytest.fixture(scope="module")
def lam(server):
    return server.client("lambda")


@pytest.fixture(scope="module")
def logged(lam):
    name = deploy(lam)
    ids = [invoke(lam, name, {"n": i})[0]["ResponseMetadata"]["RequestId"] for i in range(2)]
    invoke(lam, name, {"fail": "oops"})
    return name, ids


def test_cli_filter_log_events(server, logged):
    name, ids = logged
    _, out, _ = server.aws("logs", "filter-log-events", "--log-group-name", f"/aws/lambda/{name}")
    messages = [e["message"] for e in out["events"]]
    for rid in ids:
        assert any(m.startswith(f"START RequestId: {rid} Version: $LATEST") for m in messages)
        assert any(m.startswith(f"END RequestId: {rid}") for m in messages)
        assert any(m.startswith(f"REPORT RequestId: {rid}\tDuration: ") for m in messages)
    assert any("event {'n': 1}" in m for m in messages)
    assert any(e["logStreamName"].startswith(time.strftime("%Y/%m/%d/[$LATEST]", time.gmtime())) for e in out["events"])


def test_cli_filter_pattern(server, logged):
    name, _ = logged
    _, out, _ = server.aws("logs", "filter-log-events", "--log-group-name", f"/aws/lambda/{name}",
                           "--filter-pattern", "ValueError")
    assert out["events"] and all("ValueError" in e["message"] for e in out["events"])


def test_cli_describe_streams_and_get_log_events(server, logged):
    name, ids = logged
    _, streams, _ = server.aws("logs", "describe-log-streams", "--log-group-name", f"/aws/lambda/{name}")
    assert len(streams["logStreams"]) >= 1
    stream = streams["logStreams"][0]["logStreamName"]
    _, events, _ = server.aws("logs", "get-log-events", "--log-group-name", f"/aws/lambda/{name}",
                              "--log-stream-name", stream, "--start-from-head")
    assert any(e["message"].startswith("START RequestId: ") for e in events["events"])


def test_describe_log_groups_with_prefix(server, logged):
    name, _ = logged
    logs = server.client("logs")
    groups = logs.describe_log_groups(logGroupNamePrefix=f"/aws/lambda/{name}")["logGroups"]
    assert [g["logGroupName"] for g in groups] == [f"/aws/lambda/{name}"]


def test_unknown_group_is_awsjson_error(server):
    status, headers, body = signed_request(
        server, "logs", path="/", body=json.dumps({"logGroupName": "/aws/lambda/none-such"}).encode(),
        headers={"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "Logs_20140328.FilterLogEvents"})
    assert status == 400
    assert json.loads(body) == {"__type": "ResourceNotFoundException", "message": "The specified log group does not exist."}
    code, _, err = server.aws("logs", "filter-log-events", "--log-group-name", "/aws/lambda/none-such", check=False)
    assert code != 0 and "ResourceNotFoundException" in err and "The specified log group does not exist." in err
