"""Services the server does not implement (DynamoDB, SQS, SNS, Secrets Manager, KMS, ...) are forwarded to a backend
after the server has authenticated and authorized the call: by default a moto_server it starts on first use and
stops with itself, or the URL `--service-backend` names."""
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request

import pytest

from conftest import ACCOUNT, Server, call_error, free_port, user_client


@pytest.fixture(scope="module")
def served():
    s = Server(extra_args=["--no-network"]).start()
    yield s
    s.cleanup()


def backend_pid(server):
    with open(server.log_path) as f:
        for line in f:
            if "service backend: moto_server (pid " in line:
                return int(line.split("(pid ")[1].split(")")[0])
    return None


def test_dynamodb_sqs_secrets_sns_kms_through_the_server(served):
    ddb = served.client("dynamodb")
    table = ddb.create_table(TableName="orders", AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                             KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}], BillingMode="PAY_PER_REQUEST")
    assert table["TableDescription"]["TableArn"] == f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/orders"
    ddb.put_item(TableName="orders", Item={"id": {"S": "1"}, "total": {"N": "42"}})
    assert ddb.get_item(TableName="orders", Key={"id": {"S": "1"}})["Item"]["total"] == {"N": "42"}
    # The backend's own errors come back as they are.
    assert call_error(ddb.describe_table, TableName="missing")[1] == "ResourceNotFoundException"

    sqs = served.client("sqs")
    url = sqs.create_queue(QueueName="jobs")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="hello")
    assert [m["Body"] for m in sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1)["Messages"]] == ["hello"]

    secrets = served.client("secretsmanager")
    arn = secrets.create_secret(Name="db-password", SecretString="s3cret")["ARN"]
    assert arn.startswith(f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:db-password-")
    assert secrets.get_secret_value(SecretId="db-password")["SecretString"] == "s3cret"

    sns = served.client("sns")
    topic = sns.create_topic(Name="events")["TopicArn"]
    assert topic == f"arn:aws:sns:us-east-1:{ACCOUNT}:events"
    kms = served.client("kms")
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    blob = kms.encrypt(KeyId=key, Plaintext=b"x")["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"x"


def test_regions_reach_the_backend_as_signed(served):
    west = served.client("dynamodb", region_name="eu-west-1")
    west.create_table(TableName="west-only", AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                      KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}], BillingMode="PAY_PER_REQUEST")
    assert "west-only" in west.list_tables()["TableNames"]
    assert "west-only" not in served.client("dynamodb").list_tables()["TableNames"]


def test_cli_through_the_server(served):
    code, out, _ = served.aws("secretsmanager", "create-secret", "--name", "cli-secret", "--secret-string", "v")
    assert code == 0 and out["Name"] == "cli-secret"
    code, out, _ = served.aws("sqs", "create-queue", "--queue-name", "cli-queue", "--endpoint-url", served.endpoint)
    assert code == 0 and out["QueueUrl"].endswith("/cli-queue")


def test_unsigned_requests_are_refused_before_the_backend(served):
    req = urllib.request.Request(served.endpoint + "/", data=b"{}", method="POST",
                                 headers={"X-Amz-Target": "DynamoDB_20120810.ListTables",
                                          "Content-Type": "application/x-amz-json-1.0"})
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(req, timeout=10)
    assert e.value.code in (400, 403)


def test_enforced_iam_decides_before_forwarding():
    s = Server(extra_args=["--no-network", "--enforce-iam"]).start()
    try:
        root = s.client("dynamodb")
        root.create_table(TableName="guarded", AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                          KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}], BillingMode="PAY_PER_REQUEST")
        reader = user_client(s, "dynamodb", "reader", {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/guarded"}]})
        status, code, message = call_error(reader.put_item, TableName="guarded", Item={"id": {"S": "1"}})
        assert code == "AccessDeniedException"
        assert message == (f"User: arn:aws:iam::{ACCOUNT}:user/reader is not authorized to perform: dynamodb:PutItem on resource: "
                           f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/guarded because no identity-based policy allows the "
                           "dynamodb:PutItem action")
        # Nothing reached the backend.
        assert "Item" not in root.get_item(TableName="guarded", Key={"id": {"S": "1"}})
        assert "Item" not in reader.get_item(TableName="guarded", Key={"id": {"S": "1"}})
        sqs = user_client(s, "sqs", "nobody")
        assert call_error(sqs.list_queues)[1] in ("AccessDenied", "AccessDeniedException")
        # A key the server does not know is refused by the server, in DynamoDB's words.
        stranger = s.client("dynamodb", key="AKIAUNKNOWNUNKNOWN00", secret="x")
        assert call_error(stranger.list_tables)[1] == "UnrecognizedClientException"
    finally:
        s.cleanup()


def test_the_supervised_backend_stops_with_the_server():
    s = Server(extra_args=["--no-network"]).start()
    try:
        s.client("sns").list_topics()
        pid = backend_pid(s)
        assert pid and os.path.exists(f"/proc/{pid}")
        s.stop()
        deadline = time.time() + 10
        while time.time() < deadline and os.path.exists(f"/proc/{pid}") and "Z" not in open(f"/proc/{pid}/stat").read().split()[2]:
            time.sleep(0.1)
        assert not os.path.exists(f"/proc/{pid}") or open(f"/proc/{pid}/stat").read().split()[2] == "Z"
    finally:
        s.cleanup()


def test_service_backend_flag_forwards_to_that_url(tmp_path):
    port = free_port()
    moto = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/moto-api/", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        s = Server(extra_args=["--no-network", "--service-backend", f"http://127.0.0.1:{port}"]).start()
        try:
            s.client("sqs").create_queue(QueueName="external")
            import boto3
            direct = boto3.client("sqs", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                                  aws_access_key_id="test", aws_secret_access_key="test")
            assert any(u.endswith("/external") for u in direct.list_queues().get("QueueUrls", []))
            assert backend_pid(s) is None, "no moto_server of the server's own"
        finally:
            s.cleanup()
        bad = subprocess.run([os.environ.get("LAMBDA_VPC_BIN", os.path.join(os.path.dirname(__file__), "..", "..", ".build",
                                                                               "debug", "lambda-vpc")),
                              "serve", "--service-backend", "ftp://nowhere"], capture_output=True, text=True, timeout=30)
        assert bad.returncode != 0 and "--service-backend must be an http(s) URL" in bad.stderr
    finally:
        os.kill(moto.pid, signal.SIGTERM)
        moto.wait(timeout=10)


def test_the_supervised_backend_ends_after_a_kill_9_of_the_server():
    s = Server(extra_args=["--no-network"]).start()
    try:
        s.client("sns").list_topics()
        pid = backend_pid(s)
        assert pid and os.path.exists(f"/proc/{pid}")
        s.kill9()
        deadline = time.time() + 10
        while time.time() < deadline and os.path.exists(f"/proc/{pid}"):
            time.sleep(0.1)
        assert not os.path.exists(f"/proc/{pid}"), "moto_server outlived a killed server"
    finally:
        s.cleanup()
