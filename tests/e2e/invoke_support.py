"""Helpers for the Invoke end-to-end tests: deployment packages of each runtime, waiting for Active, invoking."""
import io
import json
import time
import zipfile

import boto3

from conftest import LAMBDA_TRUST
from lambda_support import ROLE, unique

PY_ECHO = """
import os, time, uuid
# One value per execution environment (every environment's runtime is PID 1 of its own PID namespace).
ENVIRONMENT = uuid.uuid4().hex
def handler(event, context):
    print("event", event)
    if event.get("sleep"):
        time.sleep(event["sleep"])
    if event.get("marker"):
        # A function cannot write to the host; tests read this line back through CloudWatch Logs.
        print("MARK %s %s %.3f" % (event["marker"], context.aws_request_id, time.time()))
    if event.get("fail"):
        raise ValueError("boom: " + str(event["fail"]))
    if event.get("exit"):
        os._exit(3)
    if event.get("big"):
        return "x" * event["big"]
    return {"event": event, "environment": ENVIRONMENT, "env": {k: os.environ.get(k) for k in event.get("env", [])},
            "function": context.function_name, "version": context.function_version,
            "arn": context.invoked_function_arn, "memory": context.memory_limit_in_mb}
"""

SHELL_BOOTSTRAP = """#!/bin/sh
set -eu
API="http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
HEADERS="$(mktemp)"
while true; do
  EVENT="$(curl -sS -D "$HEADERS" "$API/invocation/next")"
  ID="$(grep -i '^Lambda-Runtime-Aws-Request-Id:' "$HEADERS" | tr -d '\\r' | cut -d' ' -f2)"
  echo "shell handling $ID"
  curl -sS -X POST "$API/invocation/$ID/response" -d "{\\"shell\\":$EVENT,\\"handler\\":\\"$_HANDLER\\",\\"greeting\\":\\"${GREETING:-none}\\"}" >/dev/null
done
"""

NODE_HANDLER = """
exports.handler = async (event, context) => {
  console.log('node got', JSON.stringify(event));
  if (event.fail) { throw new TypeError('node boom'); }
  return { node: event, fn: context.functionName, greeting: process.env.GREETING || null };
};
"""


def zip_of(files):
    """files: {name: (text, executable)}."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, (text, executable) in files.items():
            info = zipfile.ZipInfo(name)
            info.external_attr = ((0o755 if executable else 0o644) | 0o100000) << 16
            z.writestr(info, text)
    return buf.getvalue()


PACKAGES = {
    "python3.12": ("index.handler", lambda: zip_of({"index.py": (PY_ECHO, False)})),
    "provided.al2023": ("function.handler", lambda: zip_of({"bootstrap": (SHELL_BOOTSTRAP, True)})),
    "nodejs20.x": ("index.handler", lambda: zip_of({"index.js": (NODE_HANDLER, False)})),
}


def wait_active(lam, name, qualifier=None, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        args = {"FunctionName": name}
        if qualifier:
            args["Qualifier"] = qualifier
        c = lam.get_function_configuration(**args)
        if c["State"] == "Active" and c.get("LastUpdateStatus") in (None, "Successful"):
            return c
        time.sleep(0.05)
    raise AssertionError(f"{name} did not become Active")


def ensure_role(lam):
    """The execution role `ROLE` names, created through the same server's IAM API if it is not there yet: CreateFunction
    checks that the role exists and trusts Lambda, as AWS does."""
    iam = boto3.client("iam", endpoint_url=lam.meta.endpoint_url, region_name=lam.meta.region_name,
                       aws_access_key_id="test", aws_secret_access_key="test")
    try:
        iam.create_role(RoleName="lambda-role", AssumeRolePolicyDocument=LAMBDA_TRUST)
    except iam.exceptions.EntityAlreadyExistsException:
        return
    iam.attach_role_policy(RoleName="lambda-role",
                           PolicyArn="arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole")


def deploy(lam, runtime="python3.12", name=None, timeout=3, env=None, **kw):
    """Creates a function of `runtime` from the packages above and waits until it is Active; returns its name."""
    ensure_role(lam)
    name = name or unique("inv")
    handler, package = PACKAGES[runtime]
    args = dict(FunctionName=name, Runtime=runtime, Handler=handler, Role=ROLE, Code={"ZipFile": package()},
                Timeout=timeout)
    if env:
        args["Environment"] = {"Variables": env}
    args.update(kw)
    lam.create_function(**args)
    wait_active(lam, name)
    return name


def invoke(lam, name, event=None, **kw):
    """Invokes synchronously; returns (response, payload bytes)."""
    r = lam.invoke(FunctionName=name, Payload=json.dumps(event if event is not None else {}).encode(), **kw)
    return r, r["Payload"].read()
