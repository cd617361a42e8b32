"""Interface VPC endpoints in the kernel: a VPC function in a private subnet without NAT reaches SQS through an
interface endpoint with private DNS (the SDK's default name resolves to the endpoint's ENI inside the VPC), the
endpoint's security group decides who reaches it, its policy decides what may be done through it (whether or not
IAM is enforced), and services without an endpoint still time out."""
import json
import time

import pytest

from conftest import ACCOUNT, Server, lambda_role
from invoke_support import wait_active
from lambda_support import make_zip, unique
from network_support import require_net_admin, wait_for
from test_service_edge import private_network

FUNCTION = """
import boto3, botocore.config, botocore.exceptions

def handler(event, context):
    cfg = botocore.config.Config(connect_timeout=2, read_timeout=10, retries={"max_attempts": 1})
    try:
        if event["do"] == "sts":
            return {"ok": boto3.client("sts", config=cfg).get_caller_identity()["Arn"]}
        sqs = boto3.client("sqs", config=cfg)
        url = sqs.create_queue(QueueName="through-endpoint")["QueueUrl"]
        sqs.send_message(QueueUrl=url, MessageBody="via vpce")
        return {"ok": sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1)["Messages"][0]["Body"]}
    except botocore.exceptions.ClientError as e:
        return {"code": e.response["Error"]["Code"], "message": e.response["Error"]["Message"]}
    except botocore.exceptions.BotoCoreError as e:
        return {"error": type(e).__name__}
"""


@pytest.fixture(scope="module")
def server():
    require_net_admin()
    s = Server(extra_args=["--eni-create-delay", "0ms", "--nat-create-delay", "100ms"]).start()
    yield s
    s.cleanup()


def call(lam, name, event):
    r = lam.invoke(FunctionName=name, Payload=json.dumps(event).encode())
    body = json.loads(r["Payload"].read())
    assert "FunctionError" not in r, body
    return body


def test_interface_endpoint_with_private_dns_its_security_group_and_policy(server):
    ec2, lam = server.client("ec2"), server.client("lambda")
    vpc, _, private, fn_sg, _ = private_network(ec2)
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    endpoint_sg = ec2.create_security_group(VpcId=vpc, GroupName=unique("vpce"), Description="443 from functions")["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=endpoint_sg, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "UserIdGroupPairs": [{"GroupId": fn_sg}]}])
    name = unique("vpce-fn")
    lam.create_function(FunctionName=name, Runtime="python3.12", Handler="index.handler", Role=lambda_role(server),
                        Timeout=30, MemorySize=512, Code={"ZipFile": make_zip(FUNCTION)},
                        VpcConfig={"SubnetIds": [private], "SecurityGroupIds": [fn_sg]})
    wait_active(lam, name)

    # No way out yet: SQS times out like everything else.
    assert call(lam, name, {"do": "sqs"}) == {"error": "ConnectTimeoutError"}
    endpoint = ec2.create_vpc_endpoint(VpcEndpointType="Interface", VpcId=vpc, ServiceName="com.amazonaws.us-east-1.sqs",
                                       SubnetIds=[private], SecurityGroupIds=[endpoint_sg],
                                       PrivateDnsEnabled=True)["VpcEndpoint"]["VpcEndpointId"]
    wait_for(lambda: ec2.describe_vpc_endpoints(VpcEndpointIds=[endpoint])["VpcEndpoints"][0]["State"] == "available",
             "the endpoint to be available")
    deadline = time.time() + 20
    while time.time() < deadline:
        out = call(lam, name, {"do": "sqs"})
        if "ok" in out:
            break
        time.sleep(0.5)
    assert out == {"ok": "via vpce"}
    # Other services still have no way out.
    assert call(lam, name, {"do": "sts"}) == {"error": "ConnectTimeoutError"}

    # The endpoint's policy applies to what comes through it (IAM is not enforced on this server).
    deny_send = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"},
        {"Effect": "Deny", "Principal": "*", "Action": "sqs:SendMessage", "Resource": "*"}]}
    ec2.modify_vpc_endpoint(VpcEndpointId=endpoint, PolicyDocument=json.dumps(deny_send))
    out = call(lam, name, {"do": "sqs"})
    assert out["code"] == "AccessDenied" or out["code"] == "AccessDeniedException", out
    assert out["message"] == (f"User: arn:aws:sts::{ACCOUNT}:assumed-role/lambda-role/{name} is not authorized to perform: "
                              f"sqs:SendMessage on resource: arn:aws:sqs:us-east-1:{ACCOUNT}:through-endpoint because of an "
                              "explicit deny in a VPC endpoint policy")
    ec2.modify_vpc_endpoint(VpcEndpointId=endpoint, ResetPolicy=True)
    assert call(lam, name, {"do": "sqs"}) == {"ok": "via vpce"}

    # Without 443 from the function's group the endpoint is out of reach: a timeout, not a refusal.
    ec2.revoke_security_group_ingress(GroupId=endpoint_sg, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "UserIdGroupPairs": [{"GroupId": fn_sg}]}])
    deadline = time.time() + 10
    while time.time() < deadline:
        out = call(lam, name, {"do": "sqs"})
        if out.get("error"):
            break
        time.sleep(0.5)
    assert out == {"error": "ConnectTimeoutError"}


GATEWAY_FUNCTION = """
import boto3, botocore.config, botocore.exceptions

def handler(event, context):
    cfg = botocore.config.Config(connect_timeout=2, read_timeout=10, retries={"max_attempts": 1})
    try:
        if event["do"] == "ddb":
            return {"ok": boto3.client("dynamodb", config=cfg).list_tables()["TableNames"]}
        s3 = boto3.client("s3", config=cfg)
        if event["do"] == "put":
            try:
                s3.create_bucket(Bucket=event["bucket"])
            except botocore.exceptions.ClientError as e:
                if e.response["Error"]["Code"] not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                    raise
            s3.put_object(Bucket=event["bucket"], Key="k", Body=event["body"].encode())
            return {"ok": "put"}
        return {"ok": s3.get_object(Bucket=event["bucket"], Key="k")["Body"].read().decode()}
    except botocore.exceptions.ClientError as e:
        return {"code": e.response["Error"]["Code"], "message": e.response["Error"]["Message"]}
    except botocore.exceptions.BotoCoreError as e:
        return {"error": type(e).__name__}
"""


def test_gateway_endpoints_route_s3_and_dynamodb_and_apply_their_policy(server):
    ec2, lam = server.client("ec2"), server.client("lambda")
    vpc, _, private, fn_sg, private_rtb = private_network(ec2)
    name = unique("gw-fn")
    lam.create_function(FunctionName=name, Runtime="python3.12", Handler="index.handler", Role=lambda_role(server),
                        Timeout=30, MemorySize=512, Code={"ZipFile": make_zip(GATEWAY_FUNCTION)},
                        VpcConfig={"SubnetIds": [private], "SecurityGroupIds": [fn_sg]})
    wait_active(lam, name)
    bucket = unique("gw-bucket")
    assert call(lam, name, {"do": "put", "bucket": bucket, "body": "x"}) == {"error": "ConnectTimeoutError"}

    s3_endpoint = ec2.create_vpc_endpoint(VpcId=vpc, ServiceName="com.amazonaws.us-east-1.s3",
                                          RouteTableIds=[private_rtb])["VpcEndpoint"]["VpcEndpointId"]

    def settled(event, want_ok):
        deadline = time.time() + 20
        while True:
            out = call(lam, name, event)
            if ("ok" in out) == want_ok or time.time() > deadline:
                return out
            time.sleep(0.5)

    assert settled({"do": "put", "bucket": bucket, "body": "through the gateway"}, True) == {"ok": "put"}
    assert call(lam, name, {"do": "get", "bucket": bucket}) == {"ok": "through the gateway"}
    # S3 only: DynamoDB has no route yet.
    assert call(lam, name, {"do": "ddb"}) == {"error": "ConnectTimeoutError"}
    ec2.create_vpc_endpoint(VpcId=vpc, ServiceName="com.amazonaws.us-east-1.dynamodb", RouteTableIds=[private_rtb])
    assert "ok" in settled({"do": "ddb"}, True)

    # The S3 endpoint's policy denies PutObject: puts are refused through it, gets still work.
    deny_put = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"},
        {"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "*"}]}
    ec2.modify_vpc_endpoint(VpcEndpointId=s3_endpoint, PolicyDocument=json.dumps(deny_put))
    out = call(lam, name, {"do": "put", "bucket": bucket, "body": "refused"})
    assert out["code"] == "AccessDenied" and "explicit deny in a VPC endpoint policy" in out["message"], out
    assert call(lam, name, {"do": "get", "bucket": bucket}) == {"ok": "through the gateway"}
    # Without the endpoint, S3 is out of reach again.
    ec2.delete_vpc_endpoints(VpcEndpointIds=[s3_endpoint])
    assert settled({"do": "get", "bucket": bucket}, False) == {"error": "ConnectTimeoutError"}


def test_bucket_policy_admits_only_the_endpoint_path(server):
    ec2, lam, s3 = server.client("ec2"), server.client("lambda"), server.client("s3")
    vpc, _, private, fn_sg, private_rtb = private_network(ec2)
    name = unique("vpce-only")
    lam.create_function(FunctionName=name, Runtime="python3.12", Handler="index.handler", Role=lambda_role(server),
                        Timeout=30, MemorySize=512, Code={"ZipFile": make_zip(GATEWAY_FUNCTION)},
                        VpcConfig={"SubnetIds": [private], "SecurityGroupIds": [fn_sg]})
    wait_active(lam, name)
    endpoint = ec2.create_vpc_endpoint(VpcId=vpc, ServiceName="com.amazonaws.us-east-1.s3",
                                       RouteTableIds=[private_rtb])["VpcEndpoint"]["VpcEndpointId"]
    bucket = unique("vpce-only")
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="k", Body=b"only through my endpoint")
    # The classic VPC pattern: deny everything that does not come through this endpoint (applies without --enforce-iam).
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "OnlyThroughVpce", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
        "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
        "Condition": {"StringNotEquals": {"aws:SourceVpce": endpoint}}}]}))
    with pytest.raises(Exception) as refused:
        s3.get_object(Bucket=bucket, Key="k")
    assert refused.value.response["Error"]["Code"] == "AccessDenied"
    deadline = time.time() + 20
    while True:
        out = call(lam, name, {"do": "get", "bucket": bucket})
        if "ok" in out or time.time() > deadline:
            break
        time.sleep(0.5)
    assert out == {"ok": "only through my endpoint"}
