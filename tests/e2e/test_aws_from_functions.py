"""AWS from inside functions, with unmodified code and the SDK's defaults (no endpoint_url, no name mapping): the VPC
resolver names the services, the edge answers them over HTTPS, the function runs with its role's temporary
credentials, and DynamoDB, SQS, Secrets Manager and S3 are forwarded to the service backend. A private subnet without
a way out times out on connect, as on AWS; a NAT gateway route opens it."""
import json
import time

import pytest

from conftest import ACCOUNT, Server, lambda_role
from invoke_support import wait_active
from lambda_support import make_zip, unique
from network_support import require_net_admin
from test_service_edge import add_nat, private_network

FUNCTION = """
import time, boto3, botocore.config, botocore.exceptions

def handler(event, context):
    cfg = botocore.config.Config(connect_timeout=event.get("connect_timeout", 10), retries={"max_attempts": 1})
    began = time.time()
    try:
        arn = boto3.client("sts", config=cfg).get_caller_identity()["Arn"]
    except botocore.exceptions.BotoCoreError as e:
        return {"error": type(e).__name__, "seconds": time.time() - began}
    out = {"arn": arn}
    if event.get("putitem"):
        boto3.client("dynamodb", config=cfg).put_item(TableName=event["putitem"], Item={"k": {"S": "x"}})
        return {"put": True}
    if not event.get("everything"):
        return out
    suffix = context.aws_request_id[:8]
    ddb = boto3.client("dynamodb", config=cfg)
    ddb.create_table(TableName="t-" + suffix, AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}], BillingMode="PAY_PER_REQUEST")
    ddb.put_item(TableName="t-" + suffix, Item={"k": {"S": "a"}, "v": {"S": "from a function"}})
    out["dynamodb"] = ddb.get_item(TableName="t-" + suffix, Key={"k": {"S": "a"}})["Item"]["v"]["S"]
    sqs = boto3.client("sqs", config=cfg)
    url = sqs.create_queue(QueueName="q-" + suffix)["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="queued")
    out["sqs"] = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1)["Messages"][0]["Body"]
    sm = boto3.client("secretsmanager", config=cfg)
    sm.create_secret(Name="s-" + suffix, SecretString="hush")
    out["secretsmanager"] = sm.get_secret_value(SecretId="s-" + suffix)["SecretString"]
    s3 = boto3.client("s3", config=cfg)
    s3.create_bucket(Bucket="b-" + suffix)
    s3.put_object(Bucket="b-" + suffix, Key="k.txt", Body=b"stored")
    out["s3"] = s3.get_object(Bucket="b-" + suffix, Key="k.txt")["Body"].read().decode()
    return out
"""


@pytest.fixture(scope="module")
def server():
    require_net_admin()
    s = Server(extra_args=["--eni-create-delay", "0ms", "--nat-create-delay", "100ms"]).start()
    yield s
    s.cleanup()


def deploy(lam, role, vpc=None):
    name = unique("aws")
    args = dict(FunctionName=name, Runtime="python3.12", Handler="index.handler", Role=role, Timeout=30, MemorySize=512,
                Code={"ZipFile": make_zip(FUNCTION)})
    if vpc:
        args["VpcConfig"] = vpc
    lam.create_function(**args)
    wait_active(lam, name)
    return name


def call(lam, name, event):
    r = lam.invoke(FunctionName=name, Payload=json.dumps(event).encode())
    body = json.loads(r["Payload"].read())
    assert "FunctionError" not in r, body
    return body


def test_a_function_without_vpc_config_uses_aws_with_its_role(server):
    lam = server.client("lambda")
    role = lambda_role(server, vpc=False)
    name = deploy(lam, role)
    out = call(lam, name, {"everything": True})
    assert out == {"arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/lambda-basic-role/{name}", "dynamodb": "from a function",
                   "sqs": "queued", "secretsmanager": "hush", "s3": "stored"}


def test_a_private_subnet_times_out_until_a_nat_route_exists(server):
    ec2, lam = server.client("ec2"), server.client("lambda")
    vpc, public, private, sg, private_rtb = private_network(ec2)
    name = deploy(lam, lambda_role(server), vpc={"SubnetIds": [private], "SecurityGroupIds": [sg]})
    out = call(lam, name, {"connect_timeout": 2})
    assert out["error"] == "ConnectTimeoutError" and out["seconds"] >= 1.5, out
    add_nat(ec2, vpc, public, private_rtb)
    deadline = time.time() + 20
    while True:
        out = call(lam, name, {"connect_timeout": 2})
        if "arn" in out or time.time() > deadline:
            break
        time.sleep(0.5)
    assert out == {"arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/lambda-role/{name}"}


def test_under_enforced_iam_the_functions_role_decides():
    require_net_admin()
    s = Server(extra_args=["--eni-create-delay", "0ms", "--enforce-iam"]).start()
    try:
        lam = s.client("lambda")
        s.client("dynamodb").create_table(TableName="orders", AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
                                          KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}], BillingMode="PAY_PER_REQUEST")
        name = deploy(lam, lambda_role(s, vpc=False))
        # The role has only AWSLambdaBasicExecutionRole: its identity works, PutItem is refused by the server.
        assert call(lam, name, {}) == {"arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/lambda-basic-role/{name}"}
        r = lam.invoke(FunctionName=name, Payload=json.dumps({"putitem": "orders"}).encode())
        body = json.loads(r["Payload"].read())
        assert r.get("FunctionError") == "Unhandled" and body["errorType"] == "ClientError", body
        assert "AccessDeniedException" in body["errorMessage"]
        assert (f"User: arn:aws:sts::{ACCOUNT}:assumed-role/lambda-basic-role/{name} is not authorized to perform: "
                f"dynamodb:PutItem on resource: arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/orders because no "
                "identity-based policy allows the dynamodb:PutItem action") in body["errorMessage"]
        # Given the permission, the same call goes through.
        s.client("iam").put_role_policy(RoleName="lambda-basic-role", PolicyName="orders", PolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "dynamodb:PutItem",
                                                    "Resource": f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/orders"}]}))
        assert call(lam, name, {"putitem": "orders"}) == {"put": True}
    finally:
        s.cleanup()
