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
