"""The Lambda API through boto3 and the AWS CLI: shapes, defaults, errors, versions, aliases, tags, code download."""
import base64
import hashlib
import json
import os
import re
import tempfile
import urllib.request

import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, REGION, lambda_role, signed_request
from lambda_support import ROLE, create_function, make_zip, unique


@pytest.fixture
def lam(server):
    lambda_role(server)
    return server.client("lambda")


def arn(name, qualifier=None):
    a = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"
    return a + (f":{qualifier}" if qualifier else "")


def error_of(excinfo):
    e = excinfo.value.response
    return e["Error"]["Code"], e["Error"]["Message"], e["ResponseMetadata"]["HTTPStatusCode"]


def test_create_function_returns_pending_with_aws_defaults(lam):
    name = unique()
    zip_bytes = make_zip()
    out = create_function(lam, name, Code={"ZipFile": zip_bytes})
    assert out["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert out["ResponseMetadata"]["HTTPHeaders"]["x-amzn-requestid"]
    assert out["FunctionName"] == name
    assert out["FunctionArn"] == arn(name)
    assert out["State"] == "Pending"
    assert out["StateReason"] == "The function is being created."
    assert out["StateReasonCode"] == "Creating"
    assert "LastUpdateStatus" not in out
    assert "VpcConfig" not in out
    assert out["Timeout"] == 3 and out["MemorySize"] == 128
    assert out["Architectures"] == ["x86_64"]
    assert out["EphemeralStorage"] == {"Size": 512}
    assert out["TracingConfig"] == {"Mode": "PassThrough"}
    assert out["SnapStart"] == {"ApplyOn": "None", "OptimizationStatus": "Off"}
    assert out["LoggingConfig"] == {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}"}
    assert out["RuntimeVersionConfig"]["RuntimeVersionArn"].startswith(f"arn:aws:lambda:{REGION}::runtime:")
    assert out["PackageType"] == "Zip"
    assert out["Version"] == "$LATEST"
    assert out["Description"] == ""
    assert out["CodeSize"] == len(zip_bytes)
    assert out["CodeSha256"] == base64.b64encode(hashlib.sha256(zip_bytes).digest()).decode()
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000", out["LastModified"])
    assert re.fullmatch(r"[0-9a-f-]{36}", out["RevisionId"])


def test_waiter_then_get_function_is_active_and_code_downloads(lam):
    name = unique()
    zip_bytes = make_zip("print('hi')\n")
    created = create_function(lam, name, Code={"ZipFile": zip_bytes}, Tags={"team": "net"},
                              Environment={"Variables": {"STAGE": "1"}})
    lam.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 10})
    got = lam.get_function(FunctionName=name)
    conf = got["Configuration"]
    assert conf["State"] == "Active" and conf["LastUpdateStatus"] == "Successful"
    assert "StateReason" not in conf
    assert conf["RevisionId"] != created["RevisionId"]
    assert conf["Environment"] == {"Variables": {"STAGE": "1"}}
    assert got["Tags"] == {"team": "net"}
    assert got["Code"]["RepositoryType"] == "S3"
    with urllib.request.urlopen(got["Code"]["Location"]) as r:
        assert r.read() == zip_bytes


def test_names_partial_and_full_arns_and_qualifiers(lam):
    name = unique()
    create_function(lam, name)
    for ref in (name, f"{ACCOUNT}:function:{name}", arn(name)):
        assert lam.get_function_configuration(FunctionName=ref)["FunctionName"] == name
    assert lam.get_function_configuration(FunctionName=f"{name}:$LATEST")["FunctionArn"] == arn(name, "$LATEST")


def test_function_not_found_is_404_with_message_key(lam, server):
    with pytest.raises(ClientError) as e:
        lam.get_function(FunctionName="nope-nothing-here")
    assert error_of(e) == ("ResourceNotFoundException", f"Function not found: {arn('nope-nothing-here')}", 404)
    status, headers, body = signed_request(server, "lambda", "GET", "/2015-03-31/functions/nope-nothing-here")
    assert status == 404
    assert headers["x-amzn-ErrorType"] == "ResourceNotFoundException"
    assert json.loads(body) == {"Type": "User", "Message": f"Function not found: {arn('nope-nothing-here')}"}


def test_duplicate_create_is_conflict(lam):
    name = unique()
    create_function(lam, name)
    with pytest.raises(ClientError) as e:
        create_function(lam, name)
    assert error_of(e) == ("ResourceConflictException", f"Function already exist: {name}", 409)


def test_validation_errors(lam):
    with pytest.raises(ClientError) as e:
        create_function(lam, unique(), Timeout=901)
    assert error_of(e) == ("ValidationException", "1 validation error detected: Value '901' at 'timeout' failed to satisfy constraint: Member must have value less than or equal to 900", 400)
    with pytest.raises(ClientError) as e:
        create_function(lam, unique(), MemorySize=20000)
    assert error_of(e)[0] == "ValidationException"
    with pytest.raises(ClientError) as e:
        create_function(lam, "bad name!")
    code, msg, status = error_of(e)
    assert (code, status) == ("ValidationException", 400)
    assert msg.startswith("1 validation error detected: Value 'bad name!' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: ")


def test_bad_runtime_and_bad_zip(lam):
    with pytest.raises(ClientError) as e:
        create_function(lam, unique(), Runtime="python9.9")
    code, msg, status = error_of(e)
    assert (code, status) == ("InvalidParameterValueException", 400)
    assert msg.startswith("Value python9.9 at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: [")
    # A runtime Lambda has deprecated is refused with its own message, on create and on update.
    with pytest.raises(ClientError) as e:
        create_function(lam, unique(), Runtime="python3.8")
    assert error_of(e) == ("InvalidParameterValueException",
                           "The runtime parameter of python3.8 is no longer supported for creating or updating AWS Lambda "
                           "functions. We recommend you use the new runtime (python3.14) while creating or updating functions.",
                           400)
    name = unique()
    create_function(lam, name)
    with pytest.raises(ClientError) as e:
        lam.update_function_configuration(FunctionName=name, Runtime="nodejs16.x")
    assert "The runtime parameter of nodejs16.x is no longer supported" in error_of(e)[1]
    assert lam.get_function_configuration(FunctionName=name)["Runtime"] == "python3.12"
    with pytest.raises(ClientError) as e:
        create_function(lam, unique(), Code={"ZipFile": b"this is not a zip"})
    assert error_of(e) == ("InvalidParameterValueException",
                           "Could not unzip uploaded file. Please check your file, then try to upload again.", 400)


def test_malformed_json_body(server):
    status, headers, body = signed_request(server, "lambda", "POST", "/2015-03-31/functions", body=b"{not json",
                                           headers={"Content-Type": "application/json"})
    assert status == 400
    assert headers["x-amzn-ErrorType"] == "InvalidRequestContentException"
    assert json.loads(body)["message"].startswith("Could not parse request body into json")


def test_unknown_path_is_unknown_operation(server):
    status, headers, _ = signed_request(server, "lambda", "GET", "/2015-03-31/nothing")
    assert status == 404
    assert headers["x-amzn-ErrorType"] == "UnknownOperationException"


def test_update_configuration_in_progress_then_successful(lam):
    name = unique()
    create_function(lam, name)
    lam.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 10})
    out = lam.update_function_configuration(FunctionName=name, Timeout=30, Description="d")
    assert out["LastUpdateStatus"] == "InProgress"
    assert out["LastUpdateStatusReasonCode"] == "Creating"
    assert out["Timeout"] == 30
    lam.get_waiter("function_updated_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 10})
    assert lam.get_function_configuration(FunctionName=name)["LastUpdateStatus"] == "Successful"


def test_revision_precondition(lam):
    name = unique()
    create_function(lam, name)
    lam.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 10})
    with pytest.raises(ClientError) as e:
        lam.update_function_configuration(FunctionName=name, Timeout=5, RevisionId="00000000-0000-0000-0000-000000000000")
    assert error_of(e)[0::2] == ("PreconditionFailedException", 412)
    assert lam.get_function_configuration(FunctionName=name)["Timeout"] == 3


def test_update_code_publish_versions_and_aliases(lam):
    name = unique()
    create_function(lam, name)
    lam.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 10})
    v1 = lam.publish_version(FunctionName=name, Description="first")
    assert v1["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert v1["Version"] == "1" and v1["FunctionArn"] == arn(name, "1")
    new_zip = make_zip("x = 2\n")
    up = lam.update_function_code(FunctionName=name, ZipFile=new_zip)
    assert up["CodeSha256"] == base64.b64encode(hashlib.sha256(new_zip).digest()).decode()
    lam.get_waiter("function_updated_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 10})
    v2 = lam.publish_version(FunctionName=name)
    assert v2["Version"] == "2"
    versions = lam.list_versions_by_function(FunctionName=name)["Versions"]
    assert [v["Version"] for v in versions] == ["$LATEST", "1", "2"]
    assert lam.get_function_configuration(FunctionName=name, Qualifier="1")["CodeSha256"] == v1["CodeSha256"]

    alias = lam.create_alias(FunctionName=name, Name="live", FunctionVersion="1",
                             RoutingConfig={"AdditionalVersionWeights": {"2": 0.25}})
    assert alias["AliasArn"] == arn(name, "live")
    assert alias["RoutingConfig"] == {"AdditionalVersionWeights": {"2": 0.25}}
    assert lam.get_alias(FunctionName=name, Name="live")["FunctionVersion"] == "1"
    assert lam.get_function_configuration(FunctionName=f"{name}:live")["Version"] == "1"
    lam.update_alias(FunctionName=name, Name="live", FunctionVersion="2", RoutingConfig={"AdditionalVersionWeights": {}})
    assert [a["Name"] for a in lam.list_aliases(FunctionName=name)["Aliases"]] == ["live"]
    with pytest.raises(ClientError) as e:
        lam.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
    assert error_of(e) == ("ResourceConflictException", f"Alias already exists: {arn(name, 'live')}", 409)
    with pytest.raises(ClientError) as e:
        lam.delete_function(FunctionName=name, Qualifier="2")
    assert error_of(e)[0] == "ResourceConflictException"
    lam.delete_alias(FunctionName=name, Name="live")
    with pytest.raises(ClientError) as e:
        lam.get_alias(FunctionName=name, Name="live")
    assert error_of(e) == ("ResourceNotFoundException", f"Alias not found: {arn(name, 'live')}", 404)
    out = lam.delete_function(FunctionName=name, Qualifier="1")
    assert out["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert [v["Version"] for v in lam.list_versions_by_function(FunctionName=name)["Versions"]] == ["$LATEST", "2"]
    with pytest.raises(ClientError) as e:
        lam.delete_function(FunctionName=name, Qualifier="$LATEST")
    assert error_of(e)[0] == "InvalidParameterValueException"


def test_list_functions_paging_and_all_versions(lam):
    names = sorted(unique("page") for _ in range(3))
    for n in names:
        create_function(lam, n, Publish=True)
    seen = []
    marker = None
    while True:
        kw = {"MaxItems": 2}
        if marker:
            kw["Marker"] = marker
        page = lam.list_functions(**kw)
        assert len(page["Functions"]) <= 2
        seen += [f["FunctionName"] for f in page["Functions"]]
        marker = page.get("NextMarker")
        if not marker:
            break
    assert all(n in seen for n in names)
    assert len(seen) == len(set(seen))
    everything = [(f["FunctionName"], f["Version"]) for f in lam.list_functions(FunctionVersion="ALL", MaxItems=1000)["Functions"]]
    for n in names:
        assert (n, "$LATEST") in everything and (n, "1") in everything


def test_tags(lam):
    name = unique()
    create_function(lam, name)
    lam.tag_resource(Resource=arn(name), Tags={"a": "1", "b": "2"})
    lam.untag_resource(Resource=arn(name), TagKeys=["a"])
    assert lam.list_tags(Resource=arn(name))["Tags"] == {"b": "2"}
    with pytest.raises(ClientError) as e:
        lam.list_tags(Resource=arn("missing-fn"))
    assert error_of(e)[0] == "ResourceNotFoundException"


def test_account_settings(lam):
    out = lam.get_account_settings()
    assert out["AccountLimit"]["CodeSizeZipped"] == 52428800
    assert out["AccountLimit"]["ConcurrentExecutions"] == 1000
    assert out["AccountUsage"]["FunctionCount"] >= 0


def test_delete_function_then_not_found(lam):
    name = unique()
    create_function(lam, name)
    out = lam.delete_function(FunctionName=name)
    assert out["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as e:
        lam.get_function(FunctionName=name)
    assert error_of(e)[0] == "ResourceNotFoundException"


def test_invoke_gate(lam):
    name = unique()
    create_function(lam, name)
    lam.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 10})
    out = lam.invoke(FunctionName=name, InvocationType="DryRun")
    assert out["StatusCode"] == 204
    with pytest.raises(ClientError) as e:
        lam.invoke(FunctionName="missing-fn")
    assert error_of(e)[0::2] == ("ResourceNotFoundException", 404)


def test_cli_create_wait_get_update_delete(server):
    lambda_role(server)
    name = unique("cli")
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "function.zip")
        with open(path, "wb") as f:
            f.write(make_zip())
        _, out, _ = server.aws("lambda", "create-function", "--function-name", name, "--runtime", "python3.12",
                               "--handler", "index.handler", "--zip-file", f"fileb://{path}", "--role", ROLE)
    assert out["State"] == "Pending"
    server.aws("lambda", "wait", "function-active-v2", "--function-name", name)
    _, got, _ = server.aws("lambda", "get-function", "--function-name", name)
    assert got["Configuration"]["State"] == "Active"
    _, upd, _ = server.aws("lambda", "update-function-configuration", "--function-name", name, "--memory-size", "256")
    assert upd["MemorySize"] == 256 and upd["LastUpdateStatus"] == "InProgress"
    server.aws("lambda", "wait", "function-updated-v2", "--function-name", name)
    _, pub, _ = server.aws("lambda", "publish-version", "--function-name", name)
    server.aws("lambda", "wait", "published-version-active", "--function-name", name, "--qualifier", pub["Version"])
    code, _, err = server.aws("lambda", "get-function", "--function-name", "missing-cli-fn", check=False)
    assert code != 0
    assert "ResourceNotFoundException" in err and f"Function not found: {arn('missing-cli-fn')}" in err
    server.aws("lambda", "delete-function", "--function-name", name)


def test_code_that_unzips_past_250_mb_is_refused_and_nothing_changes(lam):
    """A 300 MB file of zeros deflates to a few hundred KB; Lambda refuses it by its unzipped size."""
    import io
    import zipfile
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("index.py", "def handler(event, context):\n    return 1\n")
        z.writestr("zeros.bin", b"\0" * 300_000_000)
    bomb = buf.getvalue()
    assert len(bomb) < 1_000_000
    name = unique("bomb")
    with pytest.raises(ClientError) as e:
        create_function(lam, name, Code={"ZipFile": bomb})
    assert e.value.response["Error"]["Code"] == "InvalidParameterValueException"
    assert e.value.response["Error"]["Message"] == "Unzipped size must be smaller than 262144000 bytes"
    assert name not in [f["FunctionName"] for f in lam.list_functions()["Functions"]]
    create_function(lam, name)
    with pytest.raises(ClientError) as e:
        lam.update_function_code(FunctionName=name, ZipFile=bomb)
    assert e.value.response["Error"]["Message"] == "Unzipped size must be smaller than 262144000 bytes"
