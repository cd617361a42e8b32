"""LoggingConfig (format, levels, custom log group), TracingConfig, DeadLetterConfig and EphemeralStorage through boto3
and the AWS CLI: stored, returned, validated with Lambda's errors, kept across a restart, and honoured where Lambda
honours them (the logs go to the configured group; JSON format makes the platform lines JSON and the runtime's logging
JSON)."""
import json
import time

import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, REGION, call_error as error_of
from invoke_support import deploy, ensure_role, invoke, wait_active, zip_of
from lambda_support import ROLE, unique

LOGGER = """
import logging
def handler(event, context):
    print("plain print " + event.get("tag", ""))
    logging.getLogger().info("app info " + event.get("tag", ""))
    return "ok"
"""


def messages(logs, group, wait_for=None):
    deadline = time.time() + 10
    while True:
        try:
            out = [e["message"] for e in logs.filter_log_events(logGroupName=group)["events"]]
        except logs.exceptions.ResourceNotFoundException:
            out = []
        if wait_for is None or any(wait_for in m for m in out) or time.time() > deadline:
            return out
        time.sleep(0.1)


def test_defaults_returned(lam):
    fn = deploy(lam)
    c = lam.get_function_configuration(FunctionName=fn)
    assert c["LoggingConfig"] == {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{fn}"}
    assert c["TracingConfig"] == {"Mode": "PassThrough"}
    assert "DeadLetterConfig" not in c and c["EphemeralStorage"] == {"Size": 512}


def test_custom_log_group_receives_logs(server, lam):
    group = "/custom/" + unique("grp")
    fn = deploy(lam, LoggingConfig={"LogFormat": "Text", "LogGroup": group})
    assert lam.get_function_configuration(FunctionName=fn)["LoggingConfig"] == {"LogFormat": "Text", "LogGroup": group}
    r, _ = invoke(lam, fn, {"marker": "to-custom"})
    logs = server.client("logs")
    got = messages(logs, group, wait_for="MARK to-custom")
    assert any(m.startswith("START RequestId: " + r["ResponseMetadata"]["RequestId"]) for m in got)
    assert any("MARK to-custom" in m for m in got)
    assert messages(logs, f"/aws/lambda/{fn}") == []
    # The variable the runtime sees names the group too.
    out = json.loads(invoke(lam, fn, {"env": ["AWS_LAMBDA_LOG_GROUP_NAME"]})[1])
    assert out["env"]["AWS_LAMBDA_LOG_GROUP_NAME"] == group


def test_json_format(server, lam):
    fn = unique("json")
    lam.create_function(FunctionName=fn, Runtime="python3.12", Handler="index.handler", Role=ROLE,
                        Code={"ZipFile": zip_of({"index.py": (LOGGER, False)})}, LoggingConfig={"LogFormat": "JSON"})
    wait_active(lam, fn)
    c = lam.get_function_configuration(FunctionName=fn)["LoggingConfig"]
    assert c == {"LogFormat": "JSON", "ApplicationLogLevel": "INFO", "SystemLogLevel": "INFO", "LogGroup": f"/aws/lambda/{fn}"}
    r, payload = invoke(lam, fn, {"tag": "j1"})
    rid = r["ResponseMetadata"]["RequestId"]
    got = messages(server.client("logs"), f"/aws/lambda/{fn}", wait_for="platform.report")
    parsed = [json.loads(m) for m in got if m.startswith("{")]
    types = [p.get("type") for p in parsed]
    assert "platform.start" in types and "platform.report" in types
    start = next(p for p in parsed if p.get("type") == "platform.start")
    assert start["record"] == {"requestId": rid, "version": "$LATEST"} and start["time"].endswith("Z")
    report = next(p for p in parsed if p.get("type") == "platform.report")
    assert report["record"]["requestId"] == rid and report["record"]["metrics"]["memorySizeMB"] == 128
    assert not any(m.startswith("START RequestId") for m in got)
    # awslambdaric logs JSON itself once told the format.
    app = [p for p in parsed if p.get("message") == "app info j1"]
    assert app and app[0]["level"] == "INFO" and app[0]["requestId"] == rid
    # WARN: the application's INFO and the platform's INFO events are left out.
    lam.update_function_configuration(FunctionName=fn, LoggingConfig={"ApplicationLogLevel": "WARN", "SystemLogLevel": "WARN"})
    wait_active(lam, fn)
    invoke(lam, fn, {"tag": "j2"})
    time.sleep(0.5)
    got = messages(server.client("logs"), f"/aws/lambda/{fn}")
    assert not any("app info j2" in m for m in got)
    assert any("plain print j2" in m for m in got)
    assert sum('"platform.start"' in m for m in got) == 1


def test_tracing_dead_letter_ephemeral(lam):
    dlq = f"arn:aws:sqs:{REGION}:{ACCOUNT}:dlq"
    fn = deploy(lam, TracingConfig={"Mode": "Active"}, DeadLetterConfig={"TargetArn": dlq}, EphemeralStorage={"Size": 1024})
    c = lam.get_function_configuration(FunctionName=fn)
    assert c["TracingConfig"] == {"Mode": "Active"} and c["DeadLetterConfig"] == {"TargetArn": dlq}
    assert c["EphemeralStorage"] == {"Size": 1024}
    lam.update_function_configuration(FunctionName=fn, TracingConfig={"Mode": "PassThrough"}, DeadLetterConfig={"TargetArn": ""})
    c = lam.get_function_configuration(FunctionName=fn)
    assert c["TracingConfig"] == {"Mode": "PassThrough"} and "DeadLetterConfig" not in c


def test_errors_change_nothing(lam):
    fn = deploy(lam, LoggingConfig={"LogFormat": "Text", "LogGroup": "/g/one"})
    status, code, msg = error_of(lam.update_function_configuration, FunctionName=fn, LoggingConfig={"LogFormat": "XML"})
    assert (status, code) == (400, "ValidationException") and "loggingConfig.logFormat" in msg
    status, code, msg = error_of(lam.update_function_configuration, FunctionName=fn, LoggingConfig={"LogGroup": "bad group!"})
    assert (status, code) == (400, "ValidationException") and "loggingConfig.logGroup" in msg
    status, code, _ = error_of(lam.update_function_configuration, FunctionName=fn, TracingConfig={"Mode": "Sometimes"})
    assert (status, code) == (400, "ValidationException")
    status, code, _ = error_of(lam.update_function_configuration, FunctionName=fn,
                               LoggingConfig={"LogFormat": "Text", "ApplicationLogLevel": "DEBUG"})
    assert (status, code) == (400, "InvalidParameterValueException")
    c = lam.get_function_configuration(FunctionName=fn)
    assert c["LoggingConfig"] == {"LogFormat": "Text", "LogGroup": "/g/one"} and c["TracingConfig"] == {"Mode": "PassThrough"}


def test_cli_and_restart(fresh_server):
    lam = fresh_server.client("lambda")
    ensure_role(lam)
    fn = deploy(lam)
    _, out, _ = fresh_server.aws("lambda", "update-function-configuration", "--function-name", fn,
                                 "--logging-config", "LogFormat=JSON,LogGroup=/cli/group,ApplicationLogLevel=DEBUG",
                                 "--tracing-config", "Mode=Active",
                                 "--dead-letter-config", f"TargetArn=arn:aws:sns:{REGION}:{ACCOUNT}:topic")
    assert out["LoggingConfig"] == {"LogFormat": "JSON", "ApplicationLogLevel": "DEBUG", "SystemLogLevel": "INFO",
                                    "LogGroup": "/cli/group"}
    rc, _, err = fresh_server.aws("lambda", "update-function-configuration", "--function-name", fn,
                                  "--tracing-config", "Mode=Never", check=False)
    assert rc != 0 and "ValidationException" in err
    fresh_server.restart()
    _, c, _ = fresh_server.aws("lambda", "get-function-configuration", "--function-name", fn)
    assert c["LoggingConfig"]["LogGroup"] == "/cli/group" and c["TracingConfig"] == {"Mode": "Active"}
    assert c["DeadLetterConfig"] == {"TargetArn": f"arn:aws:sns:{REGION}:{ACCOUNT}:topic"}
