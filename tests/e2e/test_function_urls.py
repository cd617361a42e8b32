"""Function URLs: the configuration operations (boto3 and the AWS CLI, errors, persistence) and real HTTP requests to
a URL in both local forms (Host `<id>.lambda-url.<region>.on.aws` and `/_lambda-vpc/url/<id>/...`), with NONE and
AWS_IAM auth and CORS."""
import base64
import http.client
import json
import re
import urllib.error
import urllib.request

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from conftest import ACCOUNT, REGION, Server, signed_request, call_error as error_of
from invoke_support import ensure_role, wait_active, zip_of
from lambda_support import ROLE, unique

URL_HANDLER = r'''
import base64, json
def handler(event, context):
    mode = (event.get("queryStringParameters") or {}).get("mode")
    if mode == "fail":
        raise ValueError("boom")
    if mode == "plain":
        return {"hello": "world"}
    if mode == "custom":
        return {"statusCode": 201, "headers": {"x-custom": "yes", "content-type": "text/plain"},
                "cookies": ["a=1", "b=2; Path=/"], "body": "created"}
    if mode == "binary":
        return {"statusCode": 200, "headers": {"content-type": "application/octet-stream"},
                "body": base64.b64encode(b"\x00\x01\xff").decode(), "isBase64Encoded": True}
    return {"statusCode": 200, "headers": {"content-type": "application/json"}, "body": json.dumps(event)}
'''
URL_RE = re.compile(r"^https://([a-z0-9]{32})\.lambda-url\." + REGION + r"\.on\.aws/$")
FN_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:"


def url_function(lam):
    ensure_role(lam)
    name = unique("url")
    lam.create_function(FunctionName=name, Runtime="python3.12", Handler="index.handler", Role=ROLE, Timeout=5,
                        Code={"ZipFile": zip_of({"index.py": (URL_HANDLER, False)})})
    wait_active(lam, name)
    return name


def allow_public(lam, name, qualifier=None):
    args = dict(FunctionName=name, StatementId="public-url", Action="lambda:InvokeFunctionUrl", Principal="*",
                FunctionUrlAuthType="NONE")
    if qualifier:
        args["Qualifier"] = qualifier
    lam.add_permission(**args)


def url_id(config):
    m = URL_RE.match(config["FunctionUrl"])
    assert m, config["FunctionUrl"]
    return m.group(1)


def call_url(server, uid, path="/", method="GET", body=None, headers=None, host_form=None):
    """One request to the URL: the path form, or with `host_form` ('on.aws' or 'localhost') the Host form.
    Returns (status, HTTPMessage, body bytes)."""
    hdrs = dict(headers or {})
    if host_form:
        hdrs["Host"] = f"{uid}.lambda-url.{REGION}.{host_form}"
        target = path
    else:
        target = f"/_lambda-vpc/url/{uid}{path}"
    c = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    c.request(method, target, body=body, headers=hdrs)
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, r.msg, data


def signed(server, uid, path="/", method="GET", body=b"", key="test", secret="test"):
    """The path form, SigV4-signed for `lambda` with urllib."""
    req = AWSRequest(method=method, url=f"{server.endpoint}/_lambda-vpc/url/{uid}{path}", data=body)
    SigV4Auth(Credentials(key, secret), "lambda", REGION).add_auth(req)
    p = req.prepare()
    r = urllib.request.Request(p.url, data=p.body or None, headers=dict(p.headers), method=method)
    try:
        with urllib.request.urlopen(r, timeout=30) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def test_config_operations_and_errors_through_boto3(server):
    lam = server.client("lambda")
    name = url_function(lam)
    c = lam.create_function_url_config(FunctionName=name, AuthType="NONE")
    assert c["ResponseMetadata"]["HTTPStatusCode"] == 201
    uid = url_id(c)
    assert c["FunctionArn"] == FN_ARN + name and c["AuthType"] == "NONE" and c["InvokeMode"] == "BUFFERED"
    assert "CreationTime" in c
    status, code, msg = error_of(lam.create_function_url_config, FunctionName=name, AuthType="AWS_IAM")
    assert (status, code) == (409, "ResourceConflictException")
    assert msg == f"Failed to create function url config for [functionArn = {FN_ARN}{name}]. Error message:  FunctionUrlConfig exists for this Lambda function"

    # The local form rides along in the raw answer (botocore drops members outside the model).
    status, _, raw = signed_request(server, "lambda", "GET", f"/2021-10-31/functions/{name}/url")
    assert status == 200
    assert json.loads(raw)["LocalFunctionUrl"] == f"http://127.0.0.1:{server.port}/_lambda-vpc/url/{uid}/"
    got = lam.get_function_url_config(FunctionName=name)
    assert got["FunctionUrl"] == c["FunctionUrl"] and got["LastModifiedTime"] and got["CreationTime"] == c["CreationTime"]
    cors = {"AllowOrigins": ["https://example.com"], "AllowMethods": ["GET", "POST"], "AllowHeaders": ["x-test"],
            "ExposeHeaders": ["x-custom"], "MaxAge": 300, "AllowCredentials": True}
    up = lam.update_function_url_config(FunctionName=name, AuthType="AWS_IAM", Cors=cors, InvokeMode="RESPONSE_STREAM")
    assert up["AuthType"] == "AWS_IAM" and up["Cors"] == cors and up["InvokeMode"] == "RESPONSE_STREAM"
    assert up["FunctionUrl"] == c["FunctionUrl"] and up["CreationTime"] == c["CreationTime"]
    # Members left out keep their values.
    again = lam.update_function_url_config(FunctionName=name, InvokeMode="BUFFERED")
    assert again["AuthType"] == "AWS_IAM" and again["Cors"] == cors

    # An alias has its own URL; $LATEST and version numbers are refused by the model's pattern.
    v = lam.publish_version(FunctionName=name)["Version"]
    lam.create_alias(FunctionName=name, Name="live", FunctionVersion=v)
    a = lam.create_function_url_config(FunctionName=name, Qualifier="live", AuthType="NONE")
    assert a["FunctionArn"] == f"{FN_ARN}{name}:live" and url_id(a) != uid
    listed = lam.list_function_url_configs(FunctionName=name)["FunctionUrlConfigs"]
    assert sorted(x["FunctionArn"] for x in listed) == [FN_ARN + name, f"{FN_ARN}{name}:live"]
    page = lam.list_function_url_configs(FunctionName=name, MaxItems=1)
    assert len(page["FunctionUrlConfigs"]) == 1 and page["NextMarker"]
    for qual in ("$LATEST", v):
        status, code, msg = error_of(lam.get_function_url_config, FunctionName=name, Qualifier=qual)
        assert (status, code) == (400, "ValidationException")
        assert f"Value '{qual}' at 'qualifier' failed to satisfy constraint" in msg
    status, code, msg = error_of(lam.create_function_url_config, FunctionName=name, Qualifier="nope", AuthType="NONE")
    assert (status, code, msg) == (404, "ResourceNotFoundException", f"Function not found: {FN_ARN}{name}:nope")
    status, code, msg = error_of(lam.create_function_url_config, FunctionName=unique("missing"), AuthType="NONE")
    assert (status, code) == (404, "ResourceNotFoundException")
    status, code, msg = error_of(lam.update_function_url_config, FunctionName=name, AuthType="OPEN")
    assert (status, code) == (400, "ValidationException") and "[AWS_IAM, NONE]" in msg
    status, code, msg = error_of(lam.update_function_url_config, FunctionName=name, Cors={"MaxAge": 90000})
    assert (status, code) == (400, "ValidationException") and "cors.maxAge" in msg
    assert lam.get_function_url_config(FunctionName=name)["AuthType"] == "AWS_IAM"  # refused updates changed nothing

    # Deleting the alias removes its URL; DeleteFunctionUrlConfig the function's; deleting the function all.
    lam.delete_alias(FunctionName=name, Name="live")
    assert [x["FunctionArn"] for x in lam.list_function_url_configs(FunctionName=name)["FunctionUrlConfigs"]] == [FN_ARN + name]
    assert lam.delete_function_url_config(FunctionName=name)["ResponseMetadata"]["HTTPStatusCode"] == 204
    status, code, msg = error_of(lam.get_function_url_config, FunctionName=name)
    assert (status, code, msg) == (404, "ResourceNotFoundException", "The resource you requested does not exist.")
    assert error_of(lam.delete_function_url_config, FunctionName=name)[1] == "ResourceNotFoundException"
    lam.create_function_url_config(FunctionName=name, AuthType="NONE")
    lam.delete_function(FunctionName=name)
    url_function_again = lam.create_function(FunctionName=name, Runtime="python3.12", Handler="index.handler", Role=ROLE,
                                             Code={"ZipFile": zip_of({"index.py": (URL_HANDLER, False)})})
    assert url_function_again["FunctionName"] == name
    assert lam.list_function_url_configs(FunctionName=name)["FunctionUrlConfigs"] == []
    status, _, _ = call_url(server, uid)
    assert status == 404


def test_config_operations_through_the_cli(server):
    lam = server.client("lambda")
    name = url_function(lam)
    _, c, _ = server.aws("lambda", "create-function-url-config", "--function-name", name, "--auth-type", "NONE",
                         "--cors", "AllowOrigins=https://a.example,AllowMethods=GET")
    assert URL_RE.match(c["FunctionUrl"]) and c["Cors"] == {"AllowOrigins": ["https://a.example"], "AllowMethods": ["GET"]}
    _, got, _ = server.aws("lambda", "get-function-url-config", "--function-name", name)
    assert got["FunctionUrl"] == c["FunctionUrl"] and got["AuthType"] == "NONE"
    _, up, _ = server.aws("lambda", "update-function-url-config", "--function-name", name, "--auth-type", "AWS_IAM")
    assert up["AuthType"] == "AWS_IAM"
    _, listed, _ = server.aws("lambda", "list-function-url-configs", "--function-name", name)
    assert [x["FunctionUrl"] for x in listed["FunctionUrlConfigs"]] == [c["FunctionUrl"]]
    rc, _, err = server.aws("lambda", "create-function-url-config", "--function-name", name, "--auth-type", "NONE",
                            check=False)
    assert rc != 0 and "ResourceConflictException" in err
    server.aws("lambda", "delete-function-url-config", "--function-name", name)
    rc, _, err = server.aws("lambda", "get-function-url-config", "--function-name", name, check=False)
    assert rc != 0 and "ResourceNotFoundException" in err and "The resource you requested does not exist." in err


def test_config_and_url_survive_a_restart(fresh_server):
    lam = fresh_server.client("lambda")
    name = url_function(lam)
    c = lam.create_function_url_config(FunctionName=name, AuthType="NONE", Cors={"AllowOrigins": ["*"]})
    allow_public(lam, name)
    fresh_server.restart()
    lam = fresh_server.client("lambda")
    got = lam.get_function_url_config(FunctionName=name)
    assert (got["FunctionUrl"], got["CreationTime"], got["Cors"]) == (c["FunctionUrl"], c["CreationTime"], {"AllowOrigins": ["*"]})
    status, headers, body = call_url(fresh_server, url_id(c), "/?mode=plain", headers={"Origin": "https://x.example"})
    assert status == 200 and json.loads(body) == {"hello": "world"}
    assert headers["Access-Control-Allow-Origin"] == "*"


@pytest.fixture(scope="module")
def public_url(server):
    lam = server.client("lambda")
    name = url_function(lam)
    c = lam.create_function_url_config(FunctionName=name, AuthType="NONE")
    return lam, name, url_id(c)


def test_a_none_url_needs_the_public_permission(server, public_url):
    lam, name, uid = public_url
    if not any(s for s in _policy(lam, name) if s["Sid"] == "public-url"):
        status, _, body = call_url(server, uid, "/?mode=plain")
        assert status == 403 and json.loads(body) == {"Message": "Forbidden"}
        allow_public(lam, name)
    status, _, body = call_url(server, uid, "/?mode=plain")
    assert status == 200 and json.loads(body) == {"hello": "world"}


def _policy(lam, name):
    try:
        return json.loads(lam.get_policy(FunctionName=name)["Policy"])["Statement"]
    except ClientError:
        return []


@pytest.mark.parametrize("form", [None, "on.aws", "localhost"])
def test_get_with_query_headers_and_cookies_becomes_the_v2_event(server, public_url, form):
    lam, name, uid = public_url
    if not _policy(lam, name):
        allow_public(lam, name)
    status, headers, body = call_url(server, uid, "/some/path%20x?a=1&a=2&b=x%20y", host_form=form,
                                 headers={"X-Test": "t1", "Cookie": "c1=v1; c2=v2", "User-Agent": "furl-test"})
    assert status == 200, body
    assert headers["Content-Type"] == "application/json"
    e = json.loads(body)
    assert e["version"] == "2.0" and e["routeKey"] == "$default"
    assert e["rawPath"] == "/some/path%20x" and e["rawQueryString"] == "a=1&a=2&b=x%20y"
    assert e["queryStringParameters"] == {"a": "1,2", "b": "x y"}
    assert e["headers"]["x-test"] == "t1" and "cookie" not in e["headers"]
    assert e["cookies"] == ["c1=v1", "c2=v2"]
    assert e["isBase64Encoded"] is False and "body" not in e
    rc = e["requestContext"]
    domain = f"{uid}.lambda-url.{REGION}.{form or 'on.aws'}"
    assert rc["apiId"] == uid and rc["domainPrefix"] == uid and rc["domainName"] == domain
    assert rc["accountId"] == "anonymous" and rc["stage"] == "$default" and rc["routeKey"] == "$default"
    assert rc["http"] == {"method": "GET", "path": "/some/path x", "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1",
                          "userAgent": "furl-test"}
    assert re.match(r"^\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d \+0000$", rc["time"]) and rc["timeEpoch"] > 1.6e12
    assert headers["x-amzn-RequestId"] == rc["requestId"]


def test_post_bodies_and_what_the_function_answers(server, public_url):
    lam, name, uid = public_url
    if not _policy(lam, name):
        allow_public(lam, name)
    status, _, body = call_url(server, uid, "/items", "POST", body=json.dumps({"k": "v"}).encode(),
                           headers={"Content-Type": "application/json"})
    e = json.loads(body)
    assert status == 200 and e["body"] == '{"k": "v"}' and e["isBase64Encoded"] is False
    assert e["requestContext"]["http"]["method"] == "POST"
    raw = bytes(range(256))
    status, _, body = call_url(server, uid, "/bin", "POST", body=raw, headers={"Content-Type": "application/octet-stream"})
    e = json.loads(body)
    assert status == 200 and e["isBase64Encoded"] is True and base64.b64decode(e["body"]) == raw

    status, headers, body = call_url(server, uid, "/?mode=custom")
    assert (status, body) == (201, b"created")
    assert headers["x-custom"] == "yes" and headers["Content-Type"] == "text/plain"
    assert headers.get_all("Set-Cookie") == ["a=1", "b=2; Path=/"]
    status, headers, body = call_url(server, uid, "/?mode=plain")
    assert status == 200 and headers["Content-Type"] == "application/json" and json.loads(body) == {"hello": "world"}
    status, headers, body = call_url(server, uid, "/?mode=binary")
    assert status == 200 and body == b"\x00\x01\xff" and headers["Content-Type"] == "application/octet-stream"
    status, _, body = call_url(server, uid, "/?mode=fail")
    assert status == 502 and json.loads(body) == {"Message": "Internal Server Error"}
    status, _, body = call_url(server, "a" * 32, "/")
    assert status == 404


def test_cors_preflight_and_response_headers(server):
    lam = server.client("lambda")
    name = url_function(lam)
    uid = url_id(lam.create_function_url_config(
        FunctionName=name, AuthType="NONE",
        Cors={"AllowOrigins": ["https://example.com"], "AllowMethods": ["GET", "POST"], "AllowHeaders": ["x-test"],
              "ExposeHeaders": ["x-custom"], "MaxAge": 300}))
    allow_public(lam, name)
    status, headers, body = call_url(server, uid, "/anything", "OPTIONS",
                                 headers={"Origin": "https://example.com", "Access-Control-Request-Method": "POST"})
    assert status == 200 and body == b""
    assert headers["Access-Control-Allow-Origin"] == "https://example.com"
    assert headers["Access-Control-Allow-Methods"] == "GET,POST" and headers["Access-Control-Allow-Headers"] == "x-test"
    assert headers["Access-Control-Max-Age"] == "300"
    status, headers, _ = call_url(server, uid, "/?mode=custom", headers={"Origin": "https://example.com"})
    assert status == 201 and headers["Access-Control-Allow-Origin"] == "https://example.com"
    assert headers["Access-Control-Expose-Headers"] == "x-custom"
    status, headers, _ = call_url(server, uid, "/?mode=custom", headers={"Origin": "https://evil.example"})
    assert status == 201 and "Access-Control-Allow-Origin" not in headers
    status, headers, _ = call_url(server, uid, "/", "OPTIONS",
                              headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"})
    assert status == 200 and "Access-Control-Allow-Origin" not in headers


def test_aws_iam_url_under_enforcement():
    s = Server(extra_args=["--enforce-iam"]).start()
    try:
        lam = s.client("lambda")
        name = url_function(lam)
        uid = url_id(lam.create_function_url_config(FunctionName=name, AuthType="AWS_IAM"))
        iam = s.client("iam")
        keys = {}
        for who, statements in (("allowed", [{"Effect": "Allow", "Action": "lambda:InvokeFunctionUrl",
                                              "Resource": FN_ARN + name,
                                              "Condition": {"StringEquals": {"lambda:FunctionUrlAuthType": "AWS_IAM"}}}]),
                                ("other", [{"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": "*"}])):
            user = unique(who)
            iam.create_user(UserName=user)
            iam.put_user_policy(UserName=user, PolicyName="p",
                                PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": statements}))
            k = iam.create_access_key(UserName=user)["AccessKey"]
            keys[who] = (user, k["AccessKeyId"], k["SecretAccessKey"])
        status, _, body = call_url(s, uid, "/?mode=plain")
        assert status == 403 and json.loads(body) == {"Message": "Forbidden"}
        user, key, secret = keys["allowed"]
        status, body = signed(s, uid, "/who", key=key, secret=secret)
        assert status == 200, body
        rc = json.loads(body)["requestContext"]
        assert rc["accountId"] == ACCOUNT and rc["authorizer"]["iam"]["userArn"] == f"arn:aws:iam::{ACCOUNT}:user/{user}"
        assert rc["authorizer"]["iam"]["accessKey"] == key
        status, body = signed(s, uid, "/", "POST", body=b'{"x":1}', key=key, secret=secret)
        assert status == 200
        _, key2, secret2 = keys["other"]
        status, body = signed(s, uid, "/", key=key2, secret=secret2)
        assert status == 403 and json.loads(body) == {"Message": "Forbidden"}
        status, body = signed(s, uid, "/", key=key, secret="wrong-secret")
        assert status == 403
        # The function's resource policy can grant it as well.
        lam.add_permission(FunctionName=name, StatementId="other-url", Action="lambda:InvokeFunctionUrl",
                           Principal=f"arn:aws:iam::{ACCOUNT}:user/{keys['other'][0]}", FunctionUrlAuthType="AWS_IAM")
        status, _ = signed(s, uid, "/", key=key2, secret=secret2)
        assert status == 200
    finally:
        s.cleanup()
