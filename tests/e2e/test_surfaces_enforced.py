"""Under `serve --enforce-iam`, every surface admits only the callers AWS would: the CloudWatch Logs API is authorized,
code downloads need GetFunction's expiring link, the internet-hosts endpoint answers only the signed root, and a
signature counts only for the service, region and body it was made for."""
import datetime
import hashlib
import html
import hmac
import json
import urllib.error
import urllib.parse
import urllib.request

import pytest
from botocore.exceptions import ClientError

from conftest import Server, call_error as error_of
from lambda_support import create_function, unique


@pytest.fixture(scope="module")
def enforced():
    s = Server(extra_args=["--enforce-iam", "--skip-role-checks"]).start()
    yield s
    s.cleanup()


def user_with_key(server, name, policy=None):
    iam = server.client("iam")
    iam.create_user(UserName=name)
    if policy:
        iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=json.dumps(policy))
    k = iam.create_access_key(UserName=name)["AccessKey"]
    return k["AccessKeyId"], k["SecretAccessKey"]


def signed_request(endpoint, method, path, body, service, key="test", secret="test", region="us-east-1",
                   payload_hash=None, content_type="application/x-www-form-urlencoded; charset=utf-8"):
    """A SigV4 header-signed request built by hand, so a test can choose the scope and the payload hash."""
    host = urllib.parse.urlparse(endpoint).netloc
    now = datetime.datetime.now(datetime.timezone.utc)
    amz_date, day = now.strftime("%Y%m%dT%H%M%SZ"), now.strftime("%Y%m%d")
    payload_hash = payload_hash or hashlib.sha256(body).hexdigest()
    headers = {"content-type": content_type, "host": host, "x-amz-content-sha256": payload_hash, "x-amz-date": amz_date}
    names = sorted(headers)
    canonical = "\n".join([method, path, "", *(f"{n}:{headers[n]}" for n in names), "", ";".join(names), payload_hash])
    scope = f"{day}/{region}/{service}/aws4_request"
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    k = ("AWS4" + secret).encode()
    for part in (day, region, service, "aws4_request"):
        k = hmac.new(k, part.encode(), hashlib.sha256).digest()
    signature = hmac.new(k, to_sign.encode(), hashlib.sha256).hexdigest()
    headers["authorization"] = (f"AWS4-HMAC-SHA256 Credential={key}/{scope}, SignedHeaders={';'.join(names)}, "
                                f"Signature={signature}")
    return headers


def send(endpoint, method, path, body, headers):
    req = urllib.request.Request(endpoint + path, data=body if body else None, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def test_logs_api_is_authorized_per_log_group(enforced):
    key, secret = user_with_key(enforced, "nologs")
    status, code, msg = error_of(enforced.client("logs", key=key, secret=secret).describe_log_groups)
    assert (status, code) == (403, "AccessDeniedException")
    assert "is not authorized to perform: logs:DescribeLogGroups" in msg and ":user/nologs" in msg
    status, code, msg = error_of(enforced.client("logs", key=key, secret=secret).get_log_events,
                                 logGroupName="/aws/lambda/other", logStreamName="s")
    assert code == "AccessDeniedException"
    assert "logs:GetLogEvents on resource: arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/other:log-stream:s" in msg

    mine = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "logs:*",
                                                    "Resource": "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/mine:*"}]}
    key, secret = user_with_key(enforced, "mylogs", mine)
    logs = enforced.client("logs", key=key, secret=secret)
    # Admitted to its own group: the answer is the service's (no such group yet), not a denial.
    assert error_of(logs.describe_log_streams, logGroupName="/aws/lambda/mine")[1] == "ResourceNotFoundException"
    assert error_of(logs.describe_log_streams, logGroupName="/aws/lambda/theirs")[1] == "AccessDeniedException"
    # The root reads everything.
    assert "logGroups" in enforced.client("logs").describe_log_groups()


def test_code_download_needs_getfunctions_expiring_link(enforced):
    lam = enforced.client("lambda")
    name = unique("code")
    create_function(lam, name)
    location = lam.get_function(FunctionName=name)["Code"]["Location"]
    parsed = urllib.parse.urlparse(location)
    # An S3 presigned URL in Lambda's own bucket, as AWS hands out: SigV4 in the query, ten minutes.
    account = json.loads(urllib.request.urlopen(enforced.endpoint + "/_lambda-vpc/health").read())["accountId"]
    assert parsed.path.startswith(f"/awslambda-us-east-1-tasks/snapshots/{account}/")
    assert parsed.path.split("/")[-1].startswith(name + "-")
    query = urllib.parse.parse_qs(parsed.query)
    assert set(query) == {"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders",
                          "X-Amz-Signature"}
    assert query["X-Amz-Expires"] == ["600"] and query["X-Amz-SignedHeaders"] == ["host"]
    assert query["X-Amz-Credential"][0].endswith("/us-east-1/s3/aws4_request")
    signed_at = datetime.datetime.strptime(query["X-Amz-Date"][0], "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.timezone.utc)
    assert abs((datetime.datetime.now(datetime.timezone.utc) - signed_at).total_seconds()) < 10
    with urllib.request.urlopen(location) as r:
        assert r.status == 200 and r.read()[:2] == b"PK"
    bare = location.split("?")[0]
    altered = [(bare, b"<Code>AccessDenied</Code>"),
               (location.replace("X-Amz-Signature=", "X-Amz-Signature=0"), b"<Code>SignatureDoesNotMatch</Code>"),
               (location.replace("X-Amz-Expires=600", "X-Amz-Expires=6000"), b"<Code>SignatureDoesNotMatch</Code>")]
    for url, code in altered:
        with pytest.raises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(url)
        assert e.value.code == 403
        assert code in e.value.read()


def test_internet_hosts_endpoint_answers_only_the_signed_root(enforced):
    path = "/_lambda-vpc/internet/hosts"
    status, body = send(enforced.endpoint, "GET", path, b"", {})
    assert status == 403 and "signed with the account root" in json.loads(body)["message"]
    key, secret = user_with_key(enforced, "notroot", {"Version": "2012-10-17",
                                                      "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
    status, body = send(enforced.endpoint, "POST", path, b'{"address": "203.0.113.77"}',
                        signed_request(enforced.endpoint, "POST", path, b'{"address": "203.0.113.77"}', "lambda-vpc",
                                       key=key, secret=secret, content_type="application/json"))
    assert status == 403 and "only the account root" in json.loads(body)["message"]
    status, body = send(enforced.endpoint, "GET", path, b"",
                        signed_request(enforced.endpoint, "GET", path, b"", "lambda-vpc", secret="wrong"))
    assert status == 403
    status, body = send(enforced.endpoint, "GET", path, b"", signed_request(enforced.endpoint, "GET", path, b"", "lambda-vpc"))
    assert status == 200 and json.loads(body) == {"hosts": []}


def test_unsigned_payload_is_refused_outside_s3(enforced):
    describe = b"Action=DescribeVpcs&Version=2016-11-15"
    headers = signed_request(enforced.endpoint, "POST", "/", describe, "ec2", payload_hash="UNSIGNED-PAYLOAD")
    status, body = send(enforced.endpoint, "POST", "/", describe, headers)
    assert status == 401 and "<Code>AuthFailure</Code>" in body
    # The captured signature carrying another body changes nothing.
    create = b"Action=CreateVpc&Version=2016-11-15&CidrBlock=10.77.0.0/16"
    status, body = send(enforced.endpoint, "POST", "/", create, headers)
    assert status == 401 and "<Code>AuthFailure</Code>" in body
    assert [v for v in enforced.client("ec2").describe_vpcs()["Vpcs"] if v["CidrBlock"] == "10.77.0.0/16"] == []
    # Signed over the body's own hash, the same request is answered.
    status, body = send(enforced.endpoint, "POST", "/", describe, signed_request(enforced.endpoint, "POST", "/", describe, "ec2"))
    assert status == 200 and "<DescribeVpcsResponse" in body


def test_signature_scoped_to_another_service_or_region_is_refused(enforced):
    describe = b"Action=DescribeVpcs&Version=2016-11-15"
    # A service this endpoint neither answers nor forwards: the request is EC2's, wrongly scoped.
    status, body = send(enforced.endpoint, "POST", "/", describe, signed_request(enforced.endpoint, "POST", "/", describe, "glacier"))
    assert status == 401 and "<Code>AuthFailure</Code>" in body
    assert "Credential should be scoped to correct service: 'ec2'." in html.unescape(body)
    # Every AWS region is served; a region AWS does not have is not.
    assert enforced.client("ec2", region_name="us-west-2").describe_vpcs()["Vpcs"] == []
    status, code, msg = error_of(enforced.client("ec2", region_name="us-nowhere-9").describe_vpcs)
    assert (status, code) == (401, "AuthFailure")
    assert msg.startswith("Credential should be scoped to a valid region, not 'us-nowhere-9'.")
    status, code, msg = error_of(enforced.client("lambda", region_name="eu-nowhere-1").list_functions)
    assert (status, code) == (403, "InvalidSignatureException")
    assert msg.startswith("Credential should be scoped to a valid region, not 'eu-nowhere-1'.")
    # IAM and STS are global.
    assert enforced.client("sts", region_name="eu-west-1").get_caller_identity()["Account"] == "123456789012"
