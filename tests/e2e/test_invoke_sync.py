"""Invoke (RequestResponse, DryRun) running real code: python, provided and node functions through boto3 and the AWS CLI."""
import base64
import json
import os
import tempfile
from concurrent.futures import ThreadPoolExecutor

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from invoke_support import deploy, invoke, wait_active, zip_of, PY_ECHO


@pytest.fixture(scope="module")
def lam(server):
    return server.client("lambda")


@pytest.fixture(scope="module")
def echo(lam):
    return deploy(lam, env={"FOO": "bar"})


def test_python_returns_the_handlers_value_raw(lam, echo):
    r, body = invoke(lam, echo, {"x": 1})
    assert r["StatusCode"] == 200
    assert r["ExecutedVersion"] == "$LATEST"
    assert "FunctionError" not in r
    out = json.loads(body)
    assert out["event"] == {"x": 1}
    assert out["function"] == echo and out["version"] == "$LATEST" and out["memory"] == "128"
    assert out["arn"] == f"arn:aws:lambda:us-east-1:123456789012:function:{echo}"


def test_cli_invoke_writes_the_payload_file(server, echo):
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "out.json")
        # AWS CLI v1 sends --payload as given (v2 would need --cli-binary-format raw-in-base64-out).
        _, out, _ = server.aws("lambda", "invoke", "--function-name", echo, "--payload", '{"x":1}', path)
        assert out == {"StatusCode": 200, "ExecutedVersion": "$LATEST"}
        assert json.load(open(path))["event"] == {"x": 1}


def test_invoke_without_a_payload_gives_the_handler_an_empty_object(server, lam, echo):
    r = lam.invoke(FunctionName=echo)
    assert "FunctionError" not in r
    assert json.loads(r["Payload"].read())["event"] == {}
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "out.json")
        _, out, _ = server.aws("lambda", "invoke", "--function-name", echo, path)
        assert out == {"StatusCode": 200, "ExecutedVersion": "$LATEST"}
        assert json.load(open(path))["event"] == {}


def test_cli_log_tail_is_base64_of_the_invocations_log(server, echo):
    with tempfile.TemporaryDirectory() as d:
        _, out, _ = server.aws("lambda", "invoke", "--function-name", echo, "--payload", '{"y":2}', "--log-type", "Tail",
                               os.path.join(d, "out.json"))
        log = base64.b64decode(out["LogResult"]).decode()
        assert "START RequestId: " in log and "Version: $LATEST" in log
        assert "event {'y': 2}" in log
        assert "END RequestId: " in log and "REPORT RequestId: " in log and "Billed Duration: " in log
        assert len(base64.b64decode(out["LogResult"])) <= 4096


def test_environment_as_seen_inside(lam, echo):
    _, body = invoke(lam, echo, {"env": ["FOO", "AWS_LAMBDA_FUNCTION_NAME", "AWS_REGION", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
                                         "AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_LOG_GROUP_NAME", "_HANDLER",
                                         "AWS_LAMBDA_RUNTIME_API", "AWS_EXECUTION_ENV"]})
    env = json.loads(body)["env"]
    assert env["FOO"] == "bar"
    assert env["AWS_LAMBDA_FUNCTION_NAME"] == echo
    assert env["AWS_REGION"] == "us-east-1"
    assert env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "128"
    assert env["AWS_LAMBDA_FUNCTION_VERSION"] == "$LATEST"
    assert env["AWS_LAMBDA_LOG_GROUP_NAME"] == f"/aws/lambda/{echo}"
    assert env["_HANDLER"] == "index.handler"
    assert env["AWS_EXECUTION_ENV"] == "AWS_Lambda_python3.12"
    assert env["AWS_LAMBDA_RUNTIME_API"]


def test_handler_error_is_unhandled_with_awss_payload(lam, echo):
    r, body = invoke(lam, echo, {"fail": "bad"})
    assert r["StatusCode"] == 200
    assert r["FunctionError"] == "Unhandled"
    err = json.loads(body)
    assert err["errorType"] == "ValueError"
    assert err["errorMessage"] == "boom: bad"
    assert isinstance(err["stackTrace"], list)


def test_timeout_discards_the_environment(lam):
    name = deploy(lam, timeout=1)
    r, body = invoke(lam, name, {"sleep": 3})
    assert r["FunctionError"] == "Unhandled"
    err = json.loads(body)
    assert err["errorType"] == "Sandbox.Timedout"
    assert err["errorMessage"].endswith("Error: Task timed out after 1.00 seconds")
    r, body = invoke(lam, name, {"x": 1})
    assert "FunctionError" not in r and json.loads(body)["event"] == {"x": 1}


def test_runtime_that_exits_gives_exit_error_then_a_fresh_environment(lam):
    name = deploy(lam)
    _, first = invoke(lam, name, {})
    r, body = invoke(lam, name, {"exit": True})
    assert r["FunctionError"] == "Unhandled"
    err = json.loads(body)
    assert err["errorType"] == "Runtime.ExitError"
    assert "Runtime exited with error: exit status 3" in err["errorMessage"]
    _, after = invoke(lam, name, {})
    assert json.loads(after)["environment"] != json.loads(first)["environment"]


def test_provided_shell_bootstrap(lam):
    name = deploy(lam, runtime="provided.al2023", env={"GREETING": "hi"})
    r, body = invoke(lam, name, {"a": [1, 2]})
    assert r["StatusCode"] == 200 and "FunctionError" not in r
    assert json.loads(body) == {"shell": {"a": [1, 2]}, "handler": "function.handler", "greeting": "hi"}


def test_node_function_and_its_error(lam):
    name = deploy(lam, runtime="nodejs20.x", env={"GREETING": "hello"})
    r, body = invoke(lam, name, {"n": 1})
    assert "FunctionError" not in r
    assert json.loads(body) == {"node": {"n": 1}, "fn": name, "greeting": "hello"}
    r, body = invoke(lam, name, {"fail": True})
    assert r["FunctionError"] == "Unhandled"
    err = json.loads(body)
    assert err["errorType"] == "TypeError" and err["errorMessage"] == "node boom"


def test_dry_run_is_204(lam, echo):
    r = lam.invoke(FunctionName=echo, InvocationType="DryRun")
    assert r["StatusCode"] == 204


def test_unknown_function_is_not_found(lam):
    with pytest.raises(ClientError) as e:
        lam.invoke(FunctionName="no-such-function", Payload=b"{}")
    assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_sync_payload_over_6_mb_is_413(lam, echo):
    with pytest.raises(ClientError) as e:
        lam.invoke(FunctionName=echo, Payload=b'"' + b"x" * 6_291_456 + b'"')
    assert e.value.response["Error"]["Code"] == "RequestTooLargeException"
    assert e.value.response["Error"]["Message"] == "Request must be smaller than 6291456 bytes for the Invoke operation"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 413


def test_async_payload_over_256_kb_is_413(lam, echo):
    with pytest.raises(ClientError) as e:
        lam.invoke(FunctionName=echo, InvocationType="Event", Payload=b'"' + b"x" * 262_144 + b'"')
    assert e.value.response["Error"]["Code"] == "RequestTooLargeException"
    assert e.value.response["Error"]["Message"] == "Request must be smaller than 262144 bytes for the InvokeAsync operation"


def test_response_over_6_mb_is_a_function_error(lam, echo):
    r, body = invoke(lam, echo, {"big": 6_400_000})
    assert r["FunctionError"] == "Unhandled"
    err = json.loads(body)
    assert err["errorType"] == "Function.ResponseSizeTooLarge"
    assert err["errorMessage"] == "Response payload size exceeded maximum allowed payload size (6291556 bytes)."


def test_updated_code_runs_at_once(lam):
    name = deploy(lam)
    invoke(lam, name, {})
    lam.update_function_code(FunctionName=name, ZipFile=zip_of({"index.py": ("def handler(e, c):\n    return 'v2'\n", False)}))
    wait_active(lam, name)
    _, body = invoke(lam, name, {})
    assert json.loads(body) == "v2"


def test_versions_and_weighted_alias_routing(lam):
    name = deploy(lam, env={"VER": "one"})
    v1 = lam.publish_version(FunctionName=name)["Version"]
    lam.update_function_configuration(FunctionName=name, Environment={"Variables": {"VER": "two"}})
    wait_active(lam, name)
    v2 = lam.publish_version(FunctionName=name)["Version"]
    r, body = invoke(lam, name, {"env": ["VER"]}, Qualifier=v1)
    assert r["ExecutedVersion"] == v1 and json.loads(body)["env"]["VER"] == "one"
    lam.create_alias(FunctionName=name, Name="live", FunctionVersion=v1, RoutingConfig={"AdditionalVersionWeights": {v2: 0.5}})
    seen = {}
    for _ in range(40):
        r, body = invoke(lam, f"{name}:live", {"env": ["VER"]})
        out = json.loads(body)
        assert out["version"] == r["ExecutedVersion"]
        assert out["arn"].endswith(f":function:{name}:live")
        seen[r["ExecutedVersion"]] = out["env"]["VER"]
    assert seen == {v1: "one", v2: "two"}


def test_fifty_parallel_invokes_use_several_environments(server, lam):
    name = deploy(lam)
    invoke(lam, name, {})
    wide = boto3.client("lambda", endpoint_url=server.endpoint, region_name="us-east-1", aws_access_key_id="test",
                        aws_secret_access_key="test", config=Config(retries={"max_attempts": 1}, max_pool_connections=50))

    def one(i):
        r, body = invoke(wide, name, {"i": i, "sleep": 0.3})
        return r["StatusCode"], json.loads(body)

    with ThreadPoolExecutor(max_workers=50) as pool:
        results = list(pool.map(one, range(50)))
    assert all(status == 200 for status, _ in results)
    assert sorted(out["event"]["i"] for _, out in results) == list(range(50))
    assert len({out["environment"] for _, out in results}) > 5
