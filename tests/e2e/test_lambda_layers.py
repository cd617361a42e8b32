"""Layers through boto3 and the AWS CLI: PublishLayerVersion, Get (by name and by ARN), List, Delete, their errors;
functions referencing layers (AWS's checks), the layers merged read-only at /opt in order inside the environment, and
everything kept across a restart."""
import base64
import json
import os
import tempfile
import urllib.request

import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, REGION, call_error as error_of
from invoke_support import deploy, ensure_role, invoke, wait_active, zip_of
from lambda_support import ROLE, unique

LAYER_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:layer:"

READER = """
import json, os
def handler(event, context):
    import mylib
    out = {"greeting": mylib.greet(), "mylib": mylib.__file__, "path": os.environ.get("PYTHONPATH")}
    out["files"] = {p: open(p).read() for p in event.get("read", []) if os.path.exists(p)}
    try:
        open("/opt/written", "w").write("x")
        out["write"] = "allowed"
    except OSError as e:
        out["write"] = e.__class__.__name__ + ":" + str(e.errno)
    return out
"""


def layer_zip(files):
    return zip_of({k: (v, False) for k, v in files.items()})


def test_publish_get_list_delete(lam, server):
    name = unique("lay")
    body = layer_zip({"python/mylib.py": "def greet():\n    return 'hi'\n"})
    v1 = lam.publish_layer_version(LayerName=name, Content={"ZipFile": body}, Description="first",
                                   CompatibleRuntimes=["python3.12", "python3.11"], CompatibleArchitectures=["x86_64"],
                                   LicenseInfo="MIT")
    assert v1["LayerArn"] == LAYER_ARN + name
    assert v1["LayerVersionArn"] == LAYER_ARN + name + ":1" and v1["Version"] == 1
    assert v1["Content"]["CodeSize"] == len(body)
    assert v1["Content"]["CodeSha256"] == base64.b64encode(__import__("hashlib").sha256(body).digest()).decode()
    assert v1["CompatibleRuntimes"] == ["python3.12", "python3.11"] and v1["LicenseInfo"] == "MIT"
    assert v1["Description"] == "first" and v1["CreatedDate"].endswith("+0000")
    # The presigned location downloads the archive itself.
    with urllib.request.urlopen(v1["Content"]["Location"], timeout=10) as r:
        assert r.read() == body
    v2 = lam.publish_layer_version(LayerName=LAYER_ARN + name, Content={"ZipFile": body}, CompatibleRuntimes=["nodejs20.x"])
    assert v2["Version"] == 2

    got = lam.get_layer_version(LayerName=name, VersionNumber=1)
    assert got["LayerVersionArn"] == v1["LayerVersionArn"] and got["Content"]["CodeSha256"] == v1["Content"]["CodeSha256"]
    by_arn = lam.get_layer_version_by_arn(Arn=v2["LayerVersionArn"])
    assert by_arn["Version"] == 2 and by_arn["CompatibleRuntimes"] == ["nodejs20.x"]

    versions = lam.list_layer_versions(LayerName=name)["LayerVersions"]
    assert [v["Version"] for v in versions] == [2, 1]
    assert [v["Version"] for v in lam.list_layer_versions(LayerName=name, CompatibleRuntime="python3.12")["LayerVersions"]] == [1]
    layers = {l["LayerName"]: l for l in lam.list_layers()["Layers"]}
    assert layers[name]["LatestMatchingVersion"]["Version"] == 2 and layers[name]["LayerArn"] == LAYER_ARN + name
    py = {l["LayerName"]: l for l in lam.list_layers(CompatibleRuntime="python3.12")["Layers"]}
    assert py[name]["LatestMatchingVersion"]["Version"] == 1

    lam.delete_layer_version(LayerName=name, VersionNumber=2)
    lam.delete_layer_version(LayerName=name, VersionNumber=2)  # again: 204, as on AWS
    assert [v["Version"] for v in lam.list_layer_versions(LayerName=name)["LayerVersions"]] == [1]
    assert error_of(lam.get_layer_version, LayerName=name, VersionNumber=2) == (
        404, "ResourceNotFoundException", "The resource you requested does not exist.")
    # Numbers are never reused.
    assert lam.publish_layer_version(LayerName=name, Content={"ZipFile": body})["Version"] == 3


def test_layer_errors(lam):
    body = layer_zip({"a.txt": "a"})
    status, code, msg = error_of(lam.publish_layer_version, LayerName="bad name!", Content={"ZipFile": body})
    assert (status, code) == (400, "ValidationException") and "at 'layerName' failed to satisfy constraint" in msg
    status, code, msg = error_of(lam.publish_layer_version, LayerName=unique("lay"), Content={"ZipFile": b"not a zip"})
    assert (status, code) == (400, "InvalidParameterValueException") and "Could not unzip" in msg
    status, code, msg = error_of(lam.publish_layer_version, LayerName=unique("lay"), Content={"ZipFile": body},
                                 CompatibleRuntimes=["cobol"])
    assert (status, code) == (400, "ValidationException") and "compatibleRuntimes" in msg
    assert error_of(lam.get_layer_version_by_arn, Arn=LAYER_ARN + "nothing:1")[:2] == (404, "ResourceNotFoundException")
    status, code, msg = error_of(lam.get_layer_version_by_arn, Arn="arn:aws:lambda:x")
    assert (status, code) == (400, "ValidationException") and "at 'arn'" in msg
    assert lam.list_layer_versions(LayerName=unique("none"))["LayerVersions"] == []


def test_function_layers_checks(lam):
    name = unique("lay")
    arn = lam.publish_layer_version(LayerName=name, Content={"ZipFile": layer_zip({"x": "1"})})["LayerVersionArn"]
    fn = deploy(lam, Layers=[arn])
    c = lam.get_function_configuration(FunctionName=fn)
    assert c["Layers"] == [{"Arn": arn, "CodeSize": c["Layers"][0]["CodeSize"]}] and c["Layers"][0]["CodeSize"] > 0
    missing = LAYER_ARN + name + ":9"
    assert error_of(lam.update_function_configuration, FunctionName=fn, Layers=[missing]) == (
        400, "InvalidParameterValueException", f"Layer version {missing} does not exist.")
    status, code, msg = error_of(lam.update_function_configuration, FunctionName=fn, Layers=[arn] * 6)
    assert (status, code, msg) == (400, "InvalidParameterValueException", "Cannot reference more than 5 layers.")
    v2 = lam.publish_layer_version(LayerName=name, Content={"ZipFile": layer_zip({"x": "2"})})["LayerVersionArn"]
    status, code, msg = error_of(lam.update_function_configuration, FunctionName=fn, Layers=[arn, v2])
    assert (status, code) == (400, "InvalidParameterValueException") and "same layer" in msg
    status, code, msg = error_of(lam.update_function_configuration, FunctionName=fn, Layers=["not-an-arn"])
    assert (status, code) == (400, "ValidationException") and "at 'layers'" in msg
    # Refused updates changed nothing.
    assert lam.get_function_configuration(FunctionName=fn)["Layers"][0]["Arn"] == arn
    wait_active(lam, fn)
    lam.update_function_configuration(FunctionName=fn, Layers=[])
    assert "Layers" not in lam.get_function_configuration(FunctionName=fn)


def test_layers_at_opt_in_order_read_only(lam):
    base = unique("base")
    over = unique("over")
    a = lam.publish_layer_version(LayerName=base, Content={"ZipFile": layer_zip({
        "python/mylib.py": "def greet():\n    return 'from base'\n",
        "data/shared.txt": "base", "data/only-base.txt": "kept"})})["LayerVersionArn"]
    b = lam.publish_layer_version(LayerName=over, Content={"ZipFile": layer_zip({
        "python/mylib.py": "def greet():\n    return 'from over'\n", "data/shared.txt": "over"})})["LayerVersionArn"]
    fn = unique("opt")
    lam.create_function(FunctionName=fn, Runtime="python3.12", Handler="index.handler", Role=ROLE,
                        Code={"ZipFile": zip_of({"index.py": (READER, False)})}, Layers=[a, b])
    wait_active(lam, fn)
    event = {"read": ["/opt/data/shared.txt", "/opt/data/only-base.txt"]}
    r, payload = invoke(lam, fn, event)
    out = json.loads(payload)
    assert "FunctionError" not in r, payload
    assert out["greeting"] == "from over" and out["mylib"] == "/opt/python/mylib.py"
    assert out["files"] == {"/opt/data/shared.txt": "over", "/opt/data/only-base.txt": "kept"}
    assert out["write"] in ("OSError:30", "PermissionError:13")  # EROFS (or EACCES): /opt is read-only
    # The other order: the base layer wins.
    wait_active(lam, fn)
    lam.update_function_configuration(FunctionName=fn, Layers=[b, a])
    wait_active(lam, fn)
    out = json.loads(invoke(lam, fn, event)[1])
    assert out["greeting"] == "from base" and out["files"]["/opt/data/shared.txt"] == "base"
    # Deleting a layer version leaves the functions using it working.
    lam.delete_layer_version(LayerName=base, VersionNumber=1)
    lam.delete_layer_version(LayerName=over, VersionNumber=1)
    out = json.loads(invoke(lam, fn, event)[1])
    assert out["greeting"] == "from base"


def test_cli_layers(server, lam):
    name = unique("clilay")
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "layer.zip")
        with open(path, "wb") as f:
            f.write(layer_zip({"python/mylib.py": "def greet():\n    return 'cli'\n"}))
        _, out, _ = server.aws("lambda", "publish-layer-version", "--layer-name", name, "--zip-file", "fileb://" + path,
                               "--compatible-runtimes", "python3.12")
    assert out["LayerVersionArn"] == LAYER_ARN + name + ":1"
    _, got, _ = server.aws("lambda", "get-layer-version-by-arn", "--arn", out["LayerVersionArn"])
    assert got["CompatibleRuntimes"] == ["python3.12"]
    _, listed, _ = server.aws("lambda", "list-layer-versions", "--layer-name", name)
    assert [v["Version"] for v in listed["LayerVersions"]] == [1]
    _, layers, _ = server.aws("lambda", "list-layers", "--compatible-runtime", "python3.12")
    assert name in [l["LayerName"] for l in layers["Layers"]]
    rc, _, err = server.aws("lambda", "get-layer-version", "--layer-name", name, "--version-number", "5", check=False)
    assert rc != 0 and "ResourceNotFoundException" in err
    server.aws("lambda", "delete-layer-version", "--layer-name", name, "--version-number", "1")
    _, listed, _ = server.aws("lambda", "list-layer-versions", "--layer-name", name)
    assert listed["LayerVersions"] == []


def test_layers_survive_restart(fresh_server):
    lam = fresh_server.client("lambda")
    ensure_role(lam)
    name = unique("keep")
    arn = lam.publish_layer_version(LayerName=name, Content={"ZipFile": layer_zip({
        "python/mylib.py": "def greet():\n    return 'kept'\n"})})["LayerVersionArn"]
    fn = unique("keepfn")
    lam.create_function(FunctionName=fn, Runtime="python3.12", Handler="index.handler", Role=ROLE,
                        Code={"ZipFile": zip_of({"index.py": (READER, False)})}, Layers=[arn])
    fresh_server.restart()
    lam = fresh_server.client("lambda")
    assert lam.get_layer_version_by_arn(Arn=arn)["Version"] == 1
    assert lam.get_function_configuration(FunctionName=fn)["Layers"][0]["Arn"] == arn
    assert lam.publish_layer_version(LayerName=name, Content={"ZipFile": layer_zip({"x": "y"})})["Version"] == 2
    wait_active(lam, fn)
    out = json.loads(invoke(lam, fn, {})[1])
    assert out["greeting"] == "kept"


def test_layer_version_policy(lam, server):
    name = unique("pol")
    lam.publish_layer_version(LayerName=name, Content={"ZipFile": layer_zip({"x": "1"})})
    assert error_of(lam.get_layer_version_policy, LayerName=name, VersionNumber=1) == (
        404, "ResourceNotFoundException", "No policy is associated with the given resource.")
    added = lam.add_layer_version_permission(LayerName=name, VersionNumber=1, StatementId="xaccount",
                                             Action="lambda:GetLayerVersion", Principal="210987654321")
    assert json.loads(added["Statement"]) == {
        "Sid": "xaccount", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::210987654321:root"},
        "Action": "lambda:GetLayerVersion", "Resource": LAYER_ARN + name + ":1"}
    status, code, _ = error_of(lam.add_layer_version_permission, LayerName=name, VersionNumber=1, StatementId="xaccount",
                               Action="lambda:GetLayerVersion", Principal="*")
    assert (status, code) == (409, "ResourceConflictException")
    status, code, msg = error_of(lam.add_layer_version_permission, LayerName=name, VersionNumber=1, StatementId="s2",
                                 Action="lambda:InvokeFunction", Principal="*")
    assert (status, code) == (400, "ValidationException") and "at 'action'" in msg
    _, out, _ = server.aws("lambda", "add-layer-version-permission", "--layer-name", name, "--version-number", "1",
                           "--statement-id", "everyone", "--action", "lambda:GetLayerVersion", "--principal", "*",
                           "--organization-id", "o-abcdefghij")
    assert json.loads(out["Statement"])["Condition"] == {"StringEquals": {"aws:PrincipalOrgID": "o-abcdefghij"}}
    policy = lam.get_layer_version_policy(LayerName=name, VersionNumber=1)
    assert [s["Sid"] for s in json.loads(policy["Policy"])["Statement"]] == ["xaccount", "everyone"]
    assert policy["RevisionId"] == out["RevisionId"]
    lam.remove_layer_version_permission(LayerName=name, VersionNumber=1, StatementId="xaccount")
    assert error_of(lam.remove_layer_version_permission, LayerName=name, VersionNumber=1, StatementId="xaccount")[:2] == (
        404, "ResourceNotFoundException")
    policy = lam.get_layer_version_policy(LayerName=name, VersionNumber=1)
    assert [s["Sid"] for s in json.loads(policy["Policy"])["Statement"]] == ["everyone"]
    assert error_of(lam.add_layer_version_permission, LayerName=name, VersionNumber=7, StatementId="a",
                    Action="lambda:GetLayerVersion", Principal="*")[:2] == (404, "ResourceNotFoundException")


def test_node_layer_on_node_path(lam):
    arn = lam.publish_layer_version(LayerName=unique("node"), Content={"ZipFile": layer_zip({
        "nodejs/node_modules/greeter/index.js": "module.exports = () => 'node layer';\n"})})["LayerVersionArn"]
    fn = unique("nodefn")
    code = "exports.handler = async () => ({ greeting: require('greeter')() });\n"
    lam.create_function(FunctionName=fn, Runtime="nodejs20.x", Handler="index.handler", Role=ROLE,
                        Code={"ZipFile": zip_of({"index.js": (code, False)})}, Layers=[arn])
    wait_active(lam, fn)
    r, payload = invoke(lam, fn, {})
    assert "FunctionError" not in r, payload
    assert json.loads(payload) == {"greeting": "node layer"}


def big_zip(name, megabytes):
    import io
    import zipfile
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(name, b"\0" * (megabytes * 1024 * 1024))
    return buf.getvalue()


def test_unzipped_limit_counts_layers(lam):
    arn = lam.publish_layer_version(LayerName=unique("big"), Content={"ZipFile": big_zip("blob", 140)})["LayerVersionArn"]
    code = zip_of({"index.py": ("def handler(e, c):\n    return 1\n", False)})
    fn = unique("bigfn")
    args = dict(FunctionName=fn, Runtime="python3.12", Handler="index.handler", Role=ROLE)
    status, code_, msg = error_of(lam.create_function, Code={"ZipFile": big_zip("index.py", 130)}, Layers=[arn], **args)
    assert (status, code_) == (400, "InvalidParameterValueException")
    assert msg.startswith("Function code combined with layers exceeds the maximum allowed size of 262144000 bytes.")
    lam.create_function(Code={"ZipFile": code}, Layers=[arn], **args)
    wait_active(lam, fn)
    status, code_, msg = error_of(lam.update_function_code, FunctionName=fn, ZipFile=big_zip("index.py", 130))
    assert (status, code_) == (400, "InvalidParameterValueException") and "combined with layers" in msg
    assert lam.get_function_configuration(FunctionName=fn)["CodeSize"] == len(code)


def test_layer_operations_authorized_under_enforce_iam():
    from conftest import Server
    s = Server(extra_args=["--enforce-iam"]).start()
    try:
        iam = s.client("iam")
        iam.create_user(UserName="layeruser")
        k = iam.create_access_key(UserName="layeruser")["AccessKey"]
        name = unique("authz")
        s.client("lambda").publish_layer_version(LayerName=name, Content={"ZipFile": layer_zip({"x": "1"})})
        lam = s.client("lambda", key=k["AccessKeyId"], secret=k["SecretAccessKey"])
        layer = LAYER_ARN + name
        cases = [
            (lam.publish_layer_version, dict(LayerName=name, Content={"ZipFile": layer_zip({"y": "2"})}),
             "lambda:PublishLayerVersion", layer),
            (lam.list_layer_versions, dict(LayerName=name), "lambda:ListLayerVersions", layer),
            (lam.get_layer_version, dict(LayerName=name, VersionNumber=1), "lambda:GetLayerVersion", layer + ":1"),
            (lam.get_layer_version_by_arn, dict(Arn=layer + ":1"), "lambda:GetLayerVersion", layer + ":1"),
            (lam.delete_layer_version, dict(LayerName=name, VersionNumber=1), "lambda:DeleteLayerVersion", layer + ":1"),
            (lam.list_layers, {}, "lambda:ListLayers", "*"),
        ]
        for call, kw, action, resource in cases:
            status, code, msg = error_of(call, **kw)
            assert (status, code) == (403, "AccessDeniedException"), action
            assert f"perform: {action} on resource: {resource} " in msg, msg
        assert [v["Version"] for v in s.client("lambda").list_layer_versions(LayerName=name)["LayerVersions"]] == [1]
        iam.put_user_policy(UserName="layeruser", PolicyName="p", PolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "lambda:GetLayerVersion",
                                                    "Resource": layer + ":*"}]}))
        assert lam.get_layer_version(LayerName=name, VersionNumber=1)["Version"] == 1
    finally:
        s.cleanup()
