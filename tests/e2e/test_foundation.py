"""The server itself: health, STS, protocol-level errors, through real clients."""
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request

import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, BINARY, ROOT, Server, free_port, signed_request


def test_health_reports_version_uptime_and_isolation(server):
    with urllib.request.urlopen(server.endpoint + "/_lambda-vpc/health") as r:
        body = json.loads(r.read())
    assert r.status == 200
    assert body["status"] == "ok"
    assert body["version"]
    assert body["uptimeSeconds"] >= 0
    assert isinstance(body["networkIsolation"], bool)


def test_get_caller_identity_boto3(sts):
    ident = sts.get_caller_identity()
    assert ident["Account"] == ACCOUNT
    assert ident["Arn"] == f"arn:aws:iam::{ACCOUNT}:root"


def test_get_caller_identity_cli(server):
    _, out, _ = server.aws("sts", "get-caller-identity")
    assert out["Account"] == ACCOUNT


def test_unknown_ec2_action_is_invalid_action(server):
    status, _, body = signed_request(server, "ec2", body=b"Action=DescribeFooBars&Version=2016-11-15")
    assert status == 400
    assert b"<Code>InvalidAction</Code>" in body


def test_unsigned_request_gets_missing_authentication_token(server):
    req = urllib.request.Request(server.endpoint + "/", data=b"Action=DescribeVpcs&Version=2016-11-15", method="POST")
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(req)
    assert e.value.code == 401
    assert b"<Code>MissingAuthenticationToken</Code>" in e.value.read()


# --- The command line: help documents every flag, and every flag has its environment variable ---



CONTRACT_FLAGS = {  # flag: (environment variable, default) — the CLI contract other tooling relies on
    "--host": ("LAMBDA_VPC_HOST", "127.0.0.1"),
    "--port": ("LAMBDA_VPC_PORT", "4599"),
    "--data-dir": ("LAMBDA_VPC_DATA_DIR", "./.lambda-vpc"),
    "--account-id": ("LAMBDA_VPC_ACCOUNT_ID", "123456789012"),
    "--region": ("LAMBDA_VPC_REGION", "us-east-1"),
}


def help_text(*args):
    p = subprocess.run([BINARY, *args, "--help"], capture_output=True, text=True, timeout=30)
    assert p.returncode == 0, p.stderr
    return p.stdout + p.stderr


def serve_flags():
    """Each `serve` flag with the text of its help entry, read from `lambda-vpc serve --help`."""
    flags, current = {}, None
    for line in help_text("serve").splitlines():
        m = re.match(r"^ {2}(?:-\w, )?(--[a-z0-9-]+)", line)
        if m:
            current = m.group(1)
            flags[current] = line
        elif current and line.startswith("    "):
            flags[current] += " " + line.strip()
        else:
            current = None
    flags.pop("--help", None)
    flags.pop("--version", None)
    return flags


def test_top_level_help_names_the_serve_command_and_the_endpoint():
    text = help_text()
    assert "serve" in text
    assert "AWS_ENDPOINT_URL" in text


def test_serve_help_documents_every_contract_flag_with_its_variable_and_default():
    flags = serve_flags()
    for flag, (env, default) in CONTRACT_FLAGS.items():
        assert flag in flags, f"{flag} missing from serve --help"
        assert env in flags[flag], f"{flag}: no {env} in its help"
        assert default in flags[flag], f"{flag}: default {default} not in its help"


def test_every_serve_flag_names_its_environment_variable():
    for flag, text in serve_flags().items():
        expected = "LAMBDA_VPC_" + flag[2:].upper().replace("-", "_")
        assert f"[env: {expected}]" in text, f"{flag}: its help should say [env: {expected}]: {text}"


def test_readme_flag_table_matches_serve_help():
    with open(os.path.join(ROOT, "README.md")) as f:
        rows = re.findall(r"^\|\s*`(--[a-z0-9-]+)[^`]*`\s*\|\s*`(LAMBDA_VPC_[A-Z0-9_]+)`", f.read(), re.M)
    readme = dict(rows)
    flags = serve_flags()
    assert set(readme) == set(flags), "README's flag table and `serve --help` list different flags"
    for flag, env in readme.items():
        assert env in flags[flag]


def test_environment_variables_configure_the_server_and_flags_win_over_them():
    env = dict(os.environ, LAMBDA_VPC_ACCOUNT_ID="111122223333", LAMBDA_VPC_REGION="eu-west-1")
    s = Server(extra_args=["--account-id", "444455556666"], env=env).start()
    try:
        with urllib.request.urlopen(s.endpoint + "/_lambda-vpc/health") as r:
            health = json.loads(r.read())
        assert health["region"] == "eu-west-1"          # from LAMBDA_VPC_REGION
        assert health["accountId"] == "444455556666"   # the flag beats LAMBDA_VPC_ACCOUNT_ID
        assert s.client("sts").get_caller_identity()["Account"] == "444455556666"
    finally:
        s.cleanup()


def test_environment_alone_picks_the_port_and_data_dir():
    data_dir = tempfile.mkdtemp(prefix="lv-e2e-env-")
    port = free_port()
    env = dict(os.environ, LAMBDA_VPC_PORT=str(port), LAMBDA_VPC_DATA_DIR=data_dir)
    proc = subprocess.Popen([BINARY, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            cwd=tempfile.gettempdir())
    try:
        deadline = time.time() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_lambda-vpc/health", timeout=1) as r:
                    assert r.status == 200
                    break
            except OSError:
                assert proc.poll() is None and time.time() < deadline, "server did not come up from the environment"
                time.sleep(0.05)
        assert os.path.exists(os.path.join(data_dir, "state.sqlite"))
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0


def test_invalid_flag_values_are_refused_with_a_message():
    for args, words in [(["--account-id", "12ab"], "account-id"), (["--port", "70000"], "port"),
                        (["--log-level", "loud"], "log-level")]:
        p = subprocess.run([BINARY, "serve", "--data-dir", tempfile.mkdtemp(prefix="lv-e2e-bad-"), *args],
                           capture_output=True, text=True, timeout=30)
        assert p.returncode != 0
        assert words in p.stderr


# --- Bad input never crashes the server: each gets its protocol's error and the server stays healthy ---



def assert_still_serving(server):
    assert server.healthy(), server.log()
    assert server.client("sts").get_caller_identity()["Account"] == ACCOUNT


def ec2_error(status, body):
    """The code of an EC2 XML error envelope (and checks it is one)."""
    assert b"<Response><Errors><Error>" in body, body[:500]
    assert b"<RequestID>" in body
    assert 400 <= status < 500
    return re.search(rb"<Code>([^<]+)</Code>", body).group(1).decode()


def test_malformed_form_bodies_get_ec2_errors(server):
    bodies = [
        bytes(range(256)) * 8,                                                   # binary, not a form at all
        b"Action=Describe%ZZVpcs&Version=2016-11-15",                            # a broken escape in the action
        b"&&&===&%&%%=%",                                                       # only separators and stray escapes
        b"Action=&Version=2016-11-15",                                          # an empty action
    ]
    for body in bodies:
        status, _, answer = signed_request(server, "ec2", body=body)
        assert ec2_error(status, answer) in ("MissingAction", "InvalidAction"), answer
    assert_still_serving(server)


def test_odd_parameters_on_a_real_action_do_not_crash(server):
    odd = [
        b"Action=DescribeVpcs&Version=2016-11-15&VpcId.99999999999999999999=vpc-1",
        b"Action=DescribeVpcs&Version=2016-11-15&Filter.x.Name=vpc-id&Filter.1.Value.-1=a",
        b"Action=DescribeVpcs&Version=2016-11-15&VpcId.1=" + b"%FF%FE" * 1000,
        b"Action=CreateVpc&Version=2016-11-15&CidrBlock=10.0.0.0/99",
        b"Action=CreateVpc&Version=2016-11-15&CidrBlock=" + b"9" * 100000,
    ]
    for body in odd:
        status, _, answer = signed_request(server, "ec2", body=body)
        assert status < 500, answer[:500]
        if status != 200:
            ec2_error(status, answer)
    assert_still_serving(server)


def raw_request(server, method, path, body=b"", headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        conn.close()


GARBAGE_AUTH = ["garbage", "AWS4-HMAC-SHA256", "AWS4-HMAC-SHA256 Credential=abc, SignedHeaders=host, Signature=00",
                "AWS4-HMAC-SHA256 Credential=a/b/c/d/e/f/g", "AWS4-HMAC-SHA256 ,,,,==,= Cr\xe9dential=\xff", "Bearer x" * 2000]


def test_garbage_authorization_gets_ec2_incomplete_signature(server):
    for auth in GARBAGE_AUTH:
        status, _, body = raw_request(server, "POST", "/", b"Action=DescribeVpcs&Version=2016-11-15",
                                      {"Authorization": auth, "Content-Type": "application/x-www-form-urlencoded"})
        assert ec2_error(status, body) == "IncompleteSignature", (auth, body)
    assert_still_serving(server)


def test_garbage_authorization_gets_sts_query_error(server):
    for auth in GARBAGE_AUTH:
        status, _, body = raw_request(server, "POST", "/", b"Action=GetCallerIdentity&Version=2011-06-15",
                                      {"Authorization": auth, "Content-Type": "application/x-www-form-urlencoded"})
        assert 400 <= status < 500
        assert b"<ErrorResponse" in body and b"<Code>IncompleteSignature</Code>" in body, (auth, body)
    assert_still_serving(server)


def test_garbage_authorization_gets_lambda_json_error(server):
    for auth in GARBAGE_AUTH:
        status, headers, body = raw_request(server, "GET", "/2015-03-31/functions", headers={"Authorization": auth})
        assert 400 <= status < 500
        assert headers.get("x-amzn-errortype") == "IncompleteSignatureException", (auth, headers, body)
        assert "message" in json.loads(body) or "Message" in json.loads(body)
    assert_still_serving(server)


def test_body_over_the_cap_is_refused_with_413_and_the_server_stays_up(server):
    cap = 70 * 1024 * 1024
    chunk = b"x" * (1024 * 1024)
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
    conn.putrequest("POST", "/2015-03-31/functions")
    conn.putheader("Content-Type", "application/json")
    conn.putheader("Content-Length", str(cap + len(chunk)))
    conn.putheader("Authorization", "AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/lambda/aws4_request, "
                                    "SignedHeaders=host, Signature=" + "0" * 64)
    conn.endheaders()
    for _ in range(cap // len(chunk) + 1):
        conn.send(chunk)
    r = conn.getresponse()
    body = r.read()
    conn.close()
    assert r.status == 413
    assert r.getheader("x-amzn-ErrorType") == "RequestEntityTooLargeException"
    assert "Request must be smaller than" in json.loads(body)["message"]
    assert_still_serving(server)


@pytest.mark.parametrize("service,root", [("ec2", "Response"), ("iam", "ErrorResponse")])
def test_query_protocol_body_over_the_cap_is_refused_in_xml(server, service, root):
    """An EC2 or IAM client reads errors as XML: an oversized body gets the 413 in that envelope, not Lambda's JSON."""
    cap = 70 * 1024 * 1024
    chunk = b"Action=DescribeVpcs&" + b"x" * (1024 * 1024 - 20)
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
    conn.putrequest("POST", "/")
    conn.putheader("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
    conn.putheader("Content-Length", str(cap + len(chunk)))
    conn.putheader("Authorization", f"AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/{service}/aws4_request, "
                                    "SignedHeaders=host, Signature=" + "0" * 64)
    conn.endheaders()
    for _ in range(cap // len(chunk) + 1):
        conn.send(chunk)
    r = conn.getresponse()
    body = r.read().decode()
    conn.close()
    assert r.status == 413
    assert body.startswith("<?xml") and f"<{root}" in body, body
    assert "<Code>RequestEntityTooLarge</Code>" in body
    assert "Request must be smaller than" in body
    assert_still_serving(server)


def test_chunked_body_over_the_cap_is_refused_too(server):
    cap = 70 * 1024 * 1024
    chunk = b"y" * (1024 * 1024)
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
    conn.putrequest("POST", "/2015-03-31/functions")
    conn.putheader("Transfer-Encoding", "chunked")
    conn.putheader("Authorization", "AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/lambda/aws4_request, "
                                    "SignedHeaders=host, Signature=" + "0" * 64)
    conn.endheaders()
    for _ in range(cap // len(chunk) + 1):
        conn.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
    conn.send(b"0\r\n\r\n")
    r = conn.getresponse()
    r.read()
    conn.close()
    assert r.status == 413
    assert r.getheader("x-amzn-ErrorType") == "RequestEntityTooLargeException"
    assert_still_serving(server)


def test_truncated_and_broken_http_does_not_crash(server):
    for raw in [b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nAction=Desc",   # body cut short
                b"GARBAGE\r\n\r\n",
                b"GET /_lambda-vpc/health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 200000 + b"\r\n\r\n",
                b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(64)]:              # a TLS hello
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:
            try:
                s.sendall(raw)
                s.shutdown(socket.SHUT_WR)
                s.recv(65536)
            except OSError:
                pass  # the server may close on us; what matters is that it is still there
    assert_still_serving(server)
