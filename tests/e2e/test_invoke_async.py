"""Event invocations: 202, durable queue, delivery, retries with back-off, EventInvokeConfig, surviving kill -9."""
import json
import os
import uuid
import time

import pytest
from botocore.exceptions import ClientError

from conftest import Server
from invoke_support import deploy


@pytest.fixture(scope="module")
def fast():
    """A server whose Event retries wait 100 ms then 200 ms (AWS: about 1 then 2 minutes)."""
    s = Server(extra_args=["--async-retry-delays", "100ms,200ms"]).start()
    yield s
    s.cleanup()


@pytest.fixture(scope="module")
def lam(fast):
    return fast.client("lambda")


def marker_path(name):
    """A token the function prints in its log (`MARK <token> <request id> <time>`) when an event carries it."""
    return f"{name}:{uuid.uuid4().hex}"


def marker_lines(server, token):
    name = token.split(":")[0]
    logs = server.client("logs")
    try:
        events = logs.filter_log_events(logGroupName=f"/aws/lambda/{name}")["events"]
    except logs.exceptions.ResourceNotFoundException:
        return []
    prefix = f"MARK {token} "
    return [e["message"].strip()[len(prefix):] for e in events if e["message"].startswith(prefix)]


def wait_lines(server, token, count, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        lines = marker_lines(server, token)
        if len(lines) >= count:
            return lines
        time.sleep(0.05)
    return marker_lines(server, token)


def test_event_is_202_and_delivered(fast, lam):
    name = deploy(lam)
    path = marker_path(name)
    r = lam.invoke(FunctionName=name, InvocationType="Event", Payload=json.dumps({"marker": path}).encode())
    assert r["StatusCode"] == 202
    assert r["Payload"].read() == b""
    lines = wait_lines(fast, path, 1)
    assert len(lines) == 1
    assert lines[0].split()[0] == r["ResponseMetadata"]["RequestId"]
    time.sleep(0.5)
    assert len(marker_lines(fast, path)) == 1, "a successful event is delivered once"


def test_cli_event_invoke(fast, lam):
    name = deploy(lam)
    path = marker_path(name)
    _, out, _ = fast.aws("lambda", "invoke", "--function-name", name, "--invocation-type", "Event",
                         "--payload", json.dumps({"marker": path}), "/dev/null")
    assert out == {"StatusCode": 202}
    assert len(wait_lines(fast, path, 1)) == 1


def test_failed_event_is_retried_twice_with_back_off(fast, lam):
    name = deploy(lam)
    path = marker_path(name)
    r = lam.invoke(FunctionName=name, InvocationType="Event", Payload=json.dumps({"marker": path, "fail": "x"}).encode())
    lines = wait_lines(fast, path, 3)
    time.sleep(1)
    lines = marker_lines(fast, path)
    assert len(lines) == 3, lines
    ids = {l.split()[0] for l in lines}
    assert ids == {r["ResponseMetadata"]["RequestId"]}
    times = [float(l.split()[1]) for l in lines]
    assert times[1] - times[0] >= 0.1
    assert times[2] - times[1] >= 0.2


def test_maximum_retry_attempts_zero_means_one_attempt(fast, lam):
    name = deploy(lam)
    cfg = lam.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=0)
    assert cfg["MaximumRetryAttempts"] == 0
    assert cfg["FunctionArn"] == f"arn:aws:lambda:us-east-1:123456789012:function:{name}:$LATEST"
    path = marker_path(name)
    lam.invoke(FunctionName=name, InvocationType="Event", Payload=json.dumps({"marker": path, "fail": "x"}).encode())
    wait_lines(fast, path, 1)
    time.sleep(1)
    assert len(marker_lines(fast, path)) == 1


def test_event_invoke_config_put_get_update_delete(lam):
    name = deploy(lam)
    with pytest.raises(ClientError) as e:
        lam.get_function_event_invoke_config(FunctionName=name)
    assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"
    lam.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=1, MaximumEventAgeInSeconds=120)
    got = lam.get_function_event_invoke_config(FunctionName=name)
    assert got["MaximumRetryAttempts"] == 1 and got["MaximumEventAgeInSeconds"] == 120
    updated = lam.update_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=2)
    assert updated["MaximumRetryAttempts"] == 2 and updated["MaximumEventAgeInSeconds"] == 120
    replaced = lam.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=0)
    assert replaced["MaximumRetryAttempts"] == 0 and "MaximumEventAgeInSeconds" not in replaced
    lam.delete_function_event_invoke_config(FunctionName=name)
    with pytest.raises(ClientError):
        lam.get_function_event_invoke_config(FunctionName=name)


def test_event_invoke_config_limits(fast):
    name = deploy(fast.client("lambda"))
    code, _, err = fast.aws("lambda", "put-function-event-invoke-config", "--function-name", name,
                            "--maximum-retry-attempts", "3", check=False)
    assert code != 0
    assert "ValidationException" in err
    assert "Value '3' at 'maximumRetryAttempts' failed to satisfy constraint: Member must have value less than or equal to 2" in err


def test_pending_event_survives_kill_9():
    s = Server(extra_args=["--async-retry-delays", "100ms,200ms"]).start()
    try:
        lam = s.client("lambda")
        name = deploy(lam)
        done = marker_path(name)
        r = lam.invoke(FunctionName=name, InvocationType="Event",
                       Payload=json.dumps({"sleep": 1.5, "marker": done}).encode())
        request_id = r["ResponseMetadata"]["RequestId"]
        # Killed while the event is queued or running (its log is written only when the invocation ends).
        time.sleep(0.5)
        assert marker_lines(s, done) == []
        s.kill9()
        s.start()
        # Delivered by the new server (at least once) with the same request id.
        assert request_id in [l.split()[0] for l in wait_lines(s, done, 1)]
    finally:
        s.cleanup()


def test_throttled_event_waits_and_is_delivered_when_concurrency_frees(fast, lam):
    name = deploy(lam)
    lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=0)
    path = marker_path(name)
    r = lam.invoke(FunctionName=name, InvocationType="Event", Payload=json.dumps({"marker": path}).encode())
    assert r["StatusCode"] == 202
    time.sleep(0.8)
    assert marker_lines(fast, path) == []
    lam.delete_function_concurrency(FunctionName=name)
    lines = wait_lines(fast, path, 1)
    assert [l.split()[0] for l in lines] == [r["ResponseMetadata"]["RequestId"]]
