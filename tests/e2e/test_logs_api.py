"""Log groups and streams made through the CloudWatch Logs API (what Terraform's aws_cloudwatch_log_group and the CLI's
`aws logs create-log-group` / `put-log-events` do), with boto3 and the AWS CLI: AWS's shapes and errors, retention,
tags, persistence across a restart, functions' logs landing in a pre-created group, and authorization."""
import json
import os
import time
import uuid

import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, REGION, Server, user_client
from invoke_support import deploy, invoke

GROUP_ARN = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:"


def unique(prefix="/lv/test"):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def error_of(call, **kw):
    with pytest.raises(ClientError) as e:
        call(**kw)
    return e.value.response["Error"]["Code"], e.value.response["Error"]["Message"]


def now_ms():
    return int(time.time() * 1000)


def group(logs, name):
    found = [g for g in logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"] if g["logGroupName"] == name]
    return found[0] if found else None


@pytest.fixture(scope="module")
def logs(server):
    return server.client("logs")


def test_create_describe_delete_group_with_boto3(logs):
    name = unique()
    assert logs.create_log_group(logGroupName=name, tags={"team": "net", "env": "test"}, kmsKeyId="alias/k",
                                 logGroupClass="STANDARD")["ResponseMetadata"]["HTTPStatusCode"] == 200
    g = group(logs, name)
    assert g["arn"] == GROUP_ARN + name + ":*" and g["logGroupArn"] == GROUP_ARN + name
    assert g["storedBytes"] == 0 and g["kmsKeyId"] == "alias/k" and g["logGroupClass"] == "STANDARD"
    assert abs(g["creationTime"] - now_ms()) < 60_000 and "retentionInDays" not in g
    assert error_of(logs.create_log_group, logGroupName=name) == (
        "ResourceAlreadyExistsException", "The specified log group already exists")
    assert logs.list_tags_for_resource(resourceArn=GROUP_ARN + name)["tags"] == {"team": "net", "env": "test"}
    assert logs.list_tags_log_group(logGroupName=name)["tags"] == {"team": "net", "env": "test"}
    logs.delete_log_group(logGroupName=name)
    assert group(logs, name) is None
    assert error_of(logs.delete_log_group, logGroupName=name) == (
        "ResourceNotFoundException", "The specified log group does not exist.")


def test_bad_input_is_refused_and_changes_nothing(logs):
    code, msg = error_of(logs.create_log_group, logGroupName="bad name!")
    assert code == "InvalidParameterException" and "logGroupName" in msg
    assert "bad name!" not in [g["logGroupName"] for g in logs.describe_log_groups()["logGroups"]]
    name = unique()
    logs.create_log_group(logGroupName=name)
    code, msg = error_of(logs.put_retention_policy, logGroupName=name, retentionInDays=2)
    assert code == "InvalidParameterException" and "retentionInDays" in msg and "[1, 3, 5, 7, 14, 30" in msg
    assert "retentionInDays" not in group(logs, name)
    assert error_of(logs.put_retention_policy, logGroupName=unique(), retentionInDays=7)[0] == "ResourceNotFoundException"
    assert error_of(logs.tag_resource, resourceArn=GROUP_ARN + name, tags={"aws:reserved": "x"})[0] == "InvalidParameterException"
    # DescribeLogGroups' `arn` (with `:*`) is not the ARN TagResource takes.
    assert error_of(logs.tag_resource, resourceArn=GROUP_ARN + name + ":*", tags={"a": "b"})[0] == "ResourceNotFoundException"
    assert logs.list_tags_for_resource(resourceArn=GROUP_ARN + name)["tags"] == {}
    assert error_of(logs.create_log_stream, logGroupName=unique(), logStreamName="s") == (
        "ResourceNotFoundException", "The specified log group does not exist.")
    assert error_of(logs.create_log_stream, logGroupName=name, logStreamName="a:b")[0] == "InvalidParameterException"


def test_tags_by_arn_and_by_name(logs):
    name = unique()
    logs.create_log_group(logGroupName=name)
    arn = GROUP_ARN + name
    logs.tag_resource(resourceArn=arn, tags={"a": "1", "b": "2"})
    logs.tag_log_group(logGroupName=name, tags={"b": "3", "c": "4"})
    assert logs.list_tags_for_resource(resourceArn=arn)["tags"] == {"a": "1", "b": "3", "c": "4"}
    logs.untag_resource(resourceArn=arn, tagKeys=["a"])
    logs.untag_log_group(logGroupName=name, tags=["c"])
    assert logs.list_tags_log_group(logGroupName=name)["tags"] == {"b": "3"}
    assert error_of(logs.list_tags_for_resource, resourceArn=GROUP_ARN + unique())[0] == "ResourceNotFoundException"
    code, _ = error_of(logs.tag_resource, resourceArn=arn, tags={f"k{i}": "v" for i in range(50)})
    assert code == "TooManyTagsException"
    assert logs.list_tags_for_resource(resourceArn=arn)["tags"] == {"b": "3"}


def test_streams_and_put_log_events(logs):
    name = unique()
    logs.create_log_group(logGroupName=name)
    logs.create_log_stream(logGroupName=name, logStreamName="app/1")
    assert error_of(logs.create_log_stream, logGroupName=name, logStreamName="app/1") == (
        "ResourceAlreadyExistsException", "The specified log stream already exists")
    t = now_ms()
    out = logs.put_log_events(logGroupName=name, logStreamName="app/1",
                              logEvents=[{"timestamp": t - 1000, "message": "first"}, {"timestamp": t, "message": "second"}])
    assert "rejectedLogEventsInfo" not in out and out["nextSequenceToken"]
    # The sequence token is ignored, as AWS does today.
    logs.put_log_events(logGroupName=name, logStreamName="app/1", sequenceToken="bogus",
                        logEvents=[{"timestamp": t + 1, "message": "third"}])
    events = logs.get_log_events(logGroupName=name, logStreamName="app/1", startFromHead=True)["events"]
    assert [e["message"] for e in events] == ["first", "second", "third"]
    assert events[0]["timestamp"] == t - 1000 and abs(events[0]["ingestionTime"] - now_ms()) < 60_000
    out = logs.put_log_events(logGroupName=name, logStreamName="app/1", logEvents=[
        {"timestamp": t - 20 * 86_400_000, "message": "too old"}, {"timestamp": t + 2, "message": "kept"},
        {"timestamp": t + 5 * 3_600_000, "message": "too new"}])
    assert out["rejectedLogEventsInfo"] == {"tooOldLogEventEndIndex": 0, "tooNewLogEventStartIndex": 2}
    events = logs.get_log_events(logGroupName=name, logStreamName="app/1", startFromHead=True)["events"]
    assert [e["message"] for e in events] == ["first", "second", "third", "kept"]
    code, msg = error_of(logs.put_log_events, logGroupName=name, logStreamName="app/1",
                         logEvents=[{"timestamp": t, "message": "b"}, {"timestamp": t - 5, "message": "a"}])
    assert code == "InvalidParameterException" and "chronological order" in msg
    assert error_of(logs.put_log_events, logGroupName=name, logStreamName="none",
                    logEvents=[{"timestamp": t, "message": "x"}]) == (
        "ResourceNotFoundException", "The specified log stream does not exist.")
    stream = logs.describe_log_streams(logGroupName=name)["logStreams"][0]
    assert stream["logStreamName"] == "app/1" and stream["lastEventTimestamp"] == t + 2
    assert group(logs, name)["storedBytes"] > 0
    logs.delete_log_stream(logGroupName=name, logStreamName="app/1")
    assert logs.describe_log_streams(logGroupName=name)["logStreams"] == []
    assert error_of(logs.delete_log_stream, logGroupName=name, logStreamName="app/1")[0] == "ResourceNotFoundException"


def test_retention_is_applied(server, logs):
    name = unique()
    logs.create_log_group(logGroupName=name)
    logs.create_log_stream(logGroupName=name, logStreamName="s")
    day = 86_400_000
    t = now_ms()
    # One batch may not span more than 24 hours.
    code, msg = error_of(logs.put_log_events, logGroupName=name, logStreamName="s", logEvents=[
        {"timestamp": t - 10 * day, "message": "ten days old"}, {"timestamp": t - 2 * day, "message": "two days old"}])
    assert code == "InvalidParameterException" and "cannot span more than 24 hours" in msg
    logs.put_log_events(logGroupName=name, logStreamName="s", logEvents=[{"timestamp": t - 10 * day, "message": "ten days old"}])
    logs.put_log_events(logGroupName=name, logStreamName="s", logEvents=[{"timestamp": t - 2 * day, "message": "two days old"}])
    logs.put_retention_policy(logGroupName=name, retentionInDays=5)
    assert group(logs, name)["retentionInDays"] == 5
    messages = [e["message"] for e in logs.filter_log_events(logGroupName=name)["events"]]
    assert messages == ["two days old"]
    # Past the retention now: rejected as expired, not stored.
    out = logs.put_log_events(logGroupName=name, logStreamName="s",
                              logEvents=[{"timestamp": t - 7 * day, "message": "expired"}, {"timestamp": t, "message": "now"}])
    assert out["rejectedLogEventsInfo"] == {"expiredLogEventEndIndex": 0}
    # Pruned from disk by the periodic sweep.
    stream_file = os.path.join(server.data_dir, "logs", REGION, name.replace("/", "%2F"), "s.log")
    deadline = time.time() + 40
    while time.time() < deadline and b"ten days old" in open(stream_file, "rb").read():
        time.sleep(0.5)
    content = open(stream_file, "rb").read()
    assert b"ten days old" not in content and b"two days old" in content and b"now" in content
    logs.delete_retention_policy(logGroupName=name)
    assert "retentionInDays" not in group(logs, name)


def test_describe_log_groups_paging_prefix_and_pattern(logs):
    base = unique("/lv/page")
    names = [f"{base}/{c}" for c in "dcba"]
    for n in names:
        logs.create_log_group(logGroupName=n)
    pages = list(logs.get_paginator("describe_log_groups").paginate(logGroupNamePrefix=base, PaginationConfig={"PageSize": 3}))
    assert len(pages) == 2
    assert [g["logGroupName"] for p in pages for g in p["logGroups"]] == sorted(names)
    found = logs.describe_log_groups(logGroupNamePattern=base.split("/")[-1] + "/c")["logGroups"]
    assert found == [{"logGroupName": f"{base}/c", "creationTime": found[0]["creationTime"], "arn": GROUP_ARN + f"{base}/c:*"}]
    code, _ = error_of(logs.describe_log_groups, logGroupNamePrefix=base, logGroupNamePattern="x")
    assert code == "InvalidParameterException"


def test_cli_create_tag_retention_put_and_delete(server):
    name = unique("/lv/cli")
    server.aws("logs", "create-log-group", "--log-group-name", name, "--tags", "owner=cli")
    server.aws("logs", "put-retention-policy", "--log-group-name", name, "--retention-in-days", "30")
    server.aws("logs", "tag-resource", "--resource-arn", GROUP_ARN + name, "--tags", "stage=dev")
    _, tags, _ = server.aws("logs", "list-tags-for-resource", "--resource-arn", GROUP_ARN + name)
    assert tags == {"tags": {"owner": "cli", "stage": "dev"}}
    _, out, _ = server.aws("logs", "describe-log-groups", "--log-group-name-prefix", name)
    assert [(g["logGroupName"], g["retentionInDays"]) for g in out["logGroups"]] == [(name, 30)]
    server.aws("logs", "create-log-stream", "--log-group-name", name, "--log-stream-name", "cli-stream")
    _, put, _ = server.aws("logs", "put-log-events", "--log-group-name", name, "--log-stream-name", "cli-stream",
                           "--log-events", f"timestamp={now_ms()},message=hello from the cli")
    assert "rejectedLogEventsInfo" not in put
    _, events, _ = server.aws("logs", "get-log-events", "--log-group-name", name, "--log-stream-name", "cli-stream")
    assert [e["message"] for e in events["events"]] == ["hello from the cli"]
    code, _, err = server.aws("logs", "create-log-group", "--log-group-name", name, check=False)
    assert code != 0 and "ResourceAlreadyExistsException" in err and "The specified log group already exists" in err
    code, _, err = server.aws("logs", "put-retention-policy", "--log-group-name", name, "--retention-in-days", "4", check=False)
    assert code != 0 and "InvalidParameterException" in err
    server.aws("logs", "delete-log-group", "--log-group-name", name)
    code, _, err = server.aws("logs", "delete-log-group", "--log-group-name", name, check=False)
    assert code != 0 and "ResourceNotFoundException" in err and "The specified log group does not exist." in err


def test_function_logs_land_in_a_pre_created_group(server, logs):
    lam = server.client("lambda")
    fn = f"logs-pre-{uuid.uuid4().hex[:8]}"
    name = f"/aws/lambda/{fn}"
    logs.create_log_group(logGroupName=name, tags={"by": "terraform"})
    logs.put_retention_policy(logGroupName=name, retentionInDays=14)
    created = group(logs, name)["creationTime"]
    deploy(lam, name=fn)
    rid = invoke(lam, fn, {"marker": "pre-created"})[0]["ResponseMetadata"]["RequestId"]
    messages = [e["message"] for e in logs.filter_log_events(logGroupName=name)["events"]]
    assert any(m.startswith(f"START RequestId: {rid}") for m in messages)
    assert any("MARK pre-created" in m for m in messages)
    g = group(logs, name)
    assert g["creationTime"] == created and g["retentionInDays"] == 14 and g["storedBytes"] > 0
    assert logs.list_tags_log_group(logGroupName=name)["tags"] == {"by": "terraform"}
    # Both kinds listed, in name order.
    listed = [x["logGroupName"] for x in logs.describe_log_groups(logGroupNamePrefix="/aws/lambda/")["logGroups"]]
    assert name in listed and listed == sorted(listed)


def test_groups_persist_across_restart(fresh_server):
    logs = fresh_server.client("logs")
    name = unique("/lv/persist")
    logs.create_log_group(logGroupName=name, tags={"k": "v"}, kmsKeyId="alias/persist")
    logs.put_retention_policy(logGroupName=name, retentionInDays=90)
    empty = unique("/lv/persist-empty")
    logs.create_log_group(logGroupName=empty)
    logs.create_log_stream(logGroupName=name, logStreamName="s")
    logs.put_log_events(logGroupName=name, logStreamName="s", logEvents=[{"timestamp": now_ms(), "message": "kept"}])
    before = group(logs, name)
    fresh_server.restart()
    logs = fresh_server.client("logs")
    after = group(logs, name)
    assert after == before and after["retentionInDays"] == 90 and after["kmsKeyId"] == "alias/persist"
    assert group(logs, empty) is not None
    assert logs.list_tags_for_resource(resourceArn=GROUP_ARN + name)["tags"] == {"k": "v"}
    assert [e["message"] for e in logs.get_log_events(logGroupName=name, logStreamName="s")["events"]] == ["kept"]
    logs.delete_log_group(logGroupName=name)
    fresh_server.restart()
    assert group(fresh_server.client("logs"), name) is None


@pytest.fixture(scope="module")
def enforced():
    s = Server(extra_args=["--enforce-iam", "--skip-role-checks"]).start()
    yield s
    s.cleanup()


def user_logs_client(server, user, policy=None):
    return user_client(server, "logs", user, policy)


def test_writes_are_authorized_under_enforce_iam(enforced):
    root = enforced.client("logs")
    root.create_log_group(logGroupName="/app/theirs")
    nobody = user_logs_client(enforced, "logs-nobody")
    code, msg = error_of(nobody.create_log_group, logGroupName="/app/x")
    assert code == "AccessDeniedException"
    assert f"logs:CreateLogGroup on resource: {GROUP_ARN}/app/x:*" in msg
    code, msg = error_of(nobody.tag_resource, resourceArn=GROUP_ARN + "/app/theirs", tags={"a": "b"})
    assert code == "AccessDeniedException" and f"logs:TagResource on resource: {GROUP_ARN}/app/theirs" in msg
    code, msg = error_of(nobody.put_log_events, logGroupName="/app/theirs", logStreamName="s",
                         logEvents=[{"timestamp": now_ms(), "message": "x"}])
    assert code == "AccessDeniedException" and f"logs:PutLogEvents on resource: {GROUP_ARN}/app/theirs:log-stream:s" in msg
    for call, kw in ((nobody.delete_log_group, {"logGroupName": "/app/theirs"}),
                     (nobody.put_retention_policy, {"logGroupName": "/app/theirs", "retentionInDays": 1})):
        assert error_of(call, **kw)[0] == "AccessDeniedException"
    # Nothing the denied caller tried changed anything.
    assert root.list_tags_for_resource(resourceArn=GROUP_ARN + "/app/theirs")["tags"] == {}
    assert "retentionInDays" not in group(root, "/app/theirs")

    mine = user_logs_client(enforced, "logs-mine", {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "logs:*", "Resource": [f"{GROUP_ARN}/app/mine:*", f"{GROUP_ARN}/app/mine"]}]})
    mine.create_log_group(logGroupName="/app/mine")
    mine.tag_resource(resourceArn=GROUP_ARN + "/app/mine", tags={"a": "b"})
    mine.create_log_stream(logGroupName="/app/mine", logStreamName="s")
    mine.put_log_events(logGroupName="/app/mine", logStreamName="s", logEvents=[{"timestamp": now_ms(), "message": "ok"}])
    assert error_of(mine.create_log_group, logGroupName="/app/other")[0] == "AccessDeniedException"
    assert root.list_tags_log_group(logGroupName="/app/mine")["tags"] == {"a": "b"}
