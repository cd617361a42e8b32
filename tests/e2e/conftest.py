"""Fixtures for the end-to-end tests: a real lambda-vpc server process and real AWS clients (boto3, the AWS CLI)."""
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINARY = os.environ.get("LAMBDA_VPC_BIN", os.path.join(ROOT, ".build", "debug", "lambda-vpc"))
ACCOUNT = "123456789012"
REGION = "us-east-1"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One lambda-vpc process on a free port with its own data dir; stopped by its pid."""

    def __init__(self, data_dir=None, extra_args=(), env=None, default_vpc=False):
        self.data_dir = data_dir or tempfile.mkdtemp(prefix="lv-e2e-")
        # Most tests count what they made: their servers start without regions' default VPCs unless they ask.
        self.extra_args = list(extra_args) + ([] if default_vpc else ["--no-default-vpc"])
        self.env = env  # the server's whole environment; None inherits the tests' own
        self.port = free_port()
        self.proc = None
        self.log_path = os.path.join(self.data_dir, "server.log")

    @property
    def endpoint(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [BINARY, "serve", "--port", str(self.port), "--data-dir", self.data_dir] + self.extra_args,
            stdout=log, stderr=log, env=self.env)
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}: {self.log()}")
            try:
                with urllib.request.urlopen(self.endpoint + "/_lambda-vpc/health", timeout=1) as r:
                    if r.status == 200:
                        return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("server did not become healthy: " + self.log())

    def stop(self, sig=signal.SIGTERM, timeout=15):
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, sig)
            self.proc.wait(timeout=timeout)
        return self.proc.returncode if self.proc else None

    def kill9(self):
        return self.stop(signal.SIGKILL)

    def restart(self):
        self.stop()
        return self.start()

    def log(self):
        try:
            with open(self.log_path, "r", errors="replace") as f:
                return f.read()[-4000:]
        except OSError:
            return ""

    def client(self, service, **kw):
        """A boto3 client for this server; `key`/`secret` pick the credentials, `config` replaces the no-retry one."""
        return boto3.client(service, endpoint_url=self.endpoint, region_name=kw.pop("region_name", REGION),
                            aws_access_key_id=kw.pop("key", "test"), aws_secret_access_key=kw.pop("secret", "test"),
                            config=kw.pop("config", Config(retries={"max_attempts": 1})), **kw)

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    def healthy(self):
        """True when the process is alive and its health endpoint answers 200."""
        if not self.proc or self.proc.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(self.endpoint + "/_lambda-vpc/health", timeout=5) as r:
                return r.status == 200
        except OSError:
            return False

    def cli_env(self, **extra):
        env = dict(os.environ)
        env.update({"AWS_ENDPOINT_URL": self.endpoint, "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
                    "AWS_DEFAULT_REGION": REGION, "AWS_PAGER": "", "AWS_MAX_ATTEMPTS": "1"})
        env.update(extra)
        return env

    def aws(self, *args, check=True, **env):
        """Runs the AWS CLI against this server; returns (exit code, parsed JSON or None, stderr)."""
        p = subprocess.run(["aws", *args, "--output", "json"], capture_output=True, text=True,
                           env=self.cli_env(**env), timeout=120)
        out = json.loads(p.stdout) if p.stdout.strip() else None
        if check and p.returncode != 0:
            raise AssertionError(f"aws {' '.join(args)} failed ({p.returncode}): {p.stderr}")
        return p.returncode, out, p.stderr

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.data_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def server():
    """A server shared by tests that do not restart it."""
    s = Server().start()
    yield s
    s.cleanup()


@pytest.fixture
def fresh_server():
    """A server of the test's own, for tests that restart or kill it."""
    s = Server().start()
    yield s
    s.cleanup()


@pytest.fixture
def ec2(server):
    return server.client("ec2")


@pytest.fixture
def sts(server):
    return server.client("sts")


def signed_request(server, service, method="POST", path="/", body=b"", headers=None, key="test", secret="test"):
    """Sends a SigV4-signed raw request (for inputs no SDK would send); returns (status, headers, body bytes)."""
    import urllib.error
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    hdrs = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"} if service != "lambda" else {}
    hdrs.update(headers or {})
    req = AWSRequest(method=method, url=server.endpoint + path, data=body, headers=hdrs)
    SigV4Auth(Credentials(key, secret), service, REGION).add_auth(req)
    prepared = req.prepare()
    r = urllib.request.Request(prepared.url, data=prepared.body or None, headers=dict(prepared.headers), method=method)
    try:
        with urllib.request.urlopen(r, timeout=30) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


LAMBDA_TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


def lambda_role(server, vpc=True, name=None):
    """An execution role Lambda accepts (trusts lambda.amazonaws.com; AWSLambdaVPCAccessExecutionRole attached when
    `vpc`, else AWSLambdaBasicExecutionRole), created once per server through IAM's API; returns its ARN."""
    name = name or ("lambda-role" if vpc else "lambda-basic-role")
    iam = server.client("iam")
    try:
        arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=LAMBDA_TRUST)["Role"]["Arn"]
    except iam.exceptions.EntityAlreadyExistsException:
        return iam.get_role(RoleName=name)["Role"]["Arn"]
    policy = "service-role/AWSLambdaVPCAccessExecutionRole" if vpc else "service-role/AWSLambdaBasicExecutionRole"
    iam.attach_role_policy(RoleName=name, PolicyArn=f"arn:aws:iam::aws:policy/{policy}")
    return arn


def call_error(call, **kw):
    """(HTTP status, error code, message) of a boto3 call expected to fail."""
    with pytest.raises(ClientError) as e:
        call(**kw)
    err = e.value.response["Error"]
    return e.value.response["ResponseMetadata"]["HTTPStatusCode"], err["Code"], err["Message"]


@pytest.fixture
def lam(server):
    """The shared server's Lambda client, with the execution role `lambda_support.ROLE` names in place."""
    lambda_role(server)
    return server.client("lambda")


def user_client(server, service, user, policy=None):
    """A client of `service` signed with a new IAM user's key, the user given `policy` (inline) when one is passed."""
    iam = server.client("iam")
    iam.create_user(UserName=user)
    if policy:
        iam.put_user_policy(UserName=user, PolicyName="p", PolicyDocument=json.dumps(policy))
    k = iam.create_access_key(UserName=user)["AccessKey"]
    return server.client(service, key=k["AccessKeyId"], secret=k["SecretAccessKey"])
