"""VpcConfig through boto3 and the AWS CLI: AWS's validation order and messages, Hyperplane ENIs shared and released,
DependencyViolation, waiters, and a restart in the middle of Pending."""
import json
import time

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from conftest import Server, lambda_role
from lambda_support import ROLE, create_function, lambda_enis, make_network, make_zip, unique


@pytest.fixture
def fast_server():
    """ENIs appear at once and are released one second after their last user leaves."""
    s = Server(extra_args=["--eni-create-delay", "0ms", "--eni-release-after", "1s"]).start()
    lambda_role(s)
    yield s
    s.cleanup()


def error_of(excinfo):
    e = excinfo.value.response
    return e["Error"]["Code"], e["Error"]["Message"], e["ResponseMetadata"]["HTTPStatusCode"]


def wait_active(lam, name):
    lam.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 30})


def test_validation_order_and_messages(server):
    lam, ec2 = server.client("lambda"), server.client("ec2")
    lambda_role(server)
    vpc, (subnet,), (sg,) = make_network(ec2, "10.30.0.0/16", ("10.30.1.0/24",))
    cases = [
        ({"SubnetIds": [subnet], "SecurityGroupIds": ["bad-id"]}, "ValidationException",
         "1 validation error detected: Value '[bad-id]' at 'vpcConfig.securityGroupIds' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 1024, Member must have length greater than or equal to 0, Member must satisfy regular expression pattern: sg-[0-9a-zA-Z]*]"),
        ({"SubnetIds": [subnet], "SecurityGroupIds": [f"sg-{i}" for i in range(6)]}, "ValidationException",
         "1 validation error detected: Value '[sg-0, sg-1, sg-2, sg-3, sg-4, sg-5]' at 'vpcConfig.securityGroupIds' failed to satisfy constraint: Member must have length less than or equal to 5"),
        ({"SubnetIds": [subnet], "SecurityGroupIds": []}, "InvalidParameterValueException",
         "SubnetIds and SecurityIds must coexist or be both empty list."),
        ({"SubnetIds": ["subnet-00000000000000000"], "SecurityGroupIds": ["sg-00000000000000000"]}, "InvalidParameterValueException",
         "Error occurred while DescribeSecurityGroups. EC2 Error Code: InvalidGroup.NotFound. EC2 Error Message: The security group 'sg-00000000000000000' does not exist"),
        ({"SubnetIds": ["subnet-00000000000000000"], "SecurityGroupIds": [sg]}, "InvalidParameterValueException",
         "Error occurred while DescribeSubnets. EC2 Error Code: InvalidSubnetID.NotFound. EC2 Error Message: The subnet ID 'subnet-00000000000000000' does not exist"),
    ]
    for vpc_config, code, message in cases:
        name = unique()
        with pytest.raises(ClientError) as e:
            create_function(lam, name, vpc=vpc_config)
        assert error_of(e) == (code, message, 400)
        with pytest.raises(ClientError):
            lam.get_function(FunctionName=name)


def test_different_vpcs_and_dedicated_tenancy(server):
    lam, ec2 = server.client("lambda"), server.client("ec2")
    lambda_role(server)
    _, (subnet,), _ = make_network(ec2, "10.31.0.0/16", ("10.31.1.0/24",))
    _, _, (other_sg,) = make_network(ec2, "10.32.0.0/16", ("10.32.1.0/24",))
    with pytest.raises(ClientError) as e:
        create_function(lam, unique(), vpc={"SubnetIds": [subnet], "SecurityGroupIds": [other_sg]})
    assert error_of(e) == ("InvalidParameterValueException", "Security Groups are required to be in the same VPC", 400)
    dedicated = ec2.create_vpc(CidrBlock="10.33.0.0/16", InstanceTenancy="dedicated")["Vpc"]["VpcId"]
    dsub = ec2.create_subnet(VpcId=dedicated, CidrBlock="10.33.1.0/24")["Subnet"]["SubnetId"]
    dsg = ec2.create_security_group(VpcId=dedicated, GroupName=unique("grp"), Description="d")["GroupId"]
    with pytest.raises(ClientError) as e:
        create_function(lam, unique(), vpc={"SubnetIds": [dsub], "SecurityGroupIds": [dsg]})
    assert error_of(e)[0::2] == ("InvalidParameterValueException", 400)


def test_vpc_config_derived_kept_and_detached(fast_server):
    lam, ec2 = fast_server.client("lambda"), fast_server.client("ec2")
    lambda_role(fast_server)
    vpc, subnets, (sg,) = make_network(ec2, "10.34.0.0/16", ("10.34.1.0/24", "10.34.2.0/24"))
    name = unique()
    out = create_function(lam, name, vpc={"SubnetIds": subnets, "SecurityGroupIds": [sg]})
    assert out["VpcConfig"] == {"SubnetIds": subnets, "SecurityGroupIds": [sg], "VpcId": vpc, "Ipv6AllowedForDualStack": False}
    wait_active(lam, name)
    assert len(lambda_enis(ec2, subnets[0])) == 1 and len(lambda_enis(ec2, subnets[1])) == 1
    lam.update_function_configuration(FunctionName=name, Timeout=10)
    lam.get_waiter("function_updated_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 30})
    assert lam.get_function_configuration(FunctionName=name)["VpcConfig"]["VpcId"] == vpc
    lam.update_function_configuration(FunctionName=name, VpcConfig={"SubnetIds": [], "SecurityGroupIds": []})
    lam.get_waiter("function_updated_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 30})
    assert lam.get_function_configuration(FunctionName=name)["VpcConfig"] == {
        "SubnetIds": [], "SecurityGroupIds": [], "VpcId": "", "Ipv6AllowedForDualStack": False}


def test_two_functions_share_one_eni_which_is_released_after_both_are_gone(fast_server):
    lam, ec2 = fast_server.client("lambda"), fast_server.client("ec2")
    lambda_role(fast_server)
    vpc, (subnet,), (sg,) = make_network(ec2, "10.35.0.0/16", ("10.35.1.0/24",))
    before = ec2.describe_subnets(SubnetIds=[subnet])["Subnets"][0]["AvailableIpAddressCount"]
    a, b = unique("a"), unique("b")
    create_function(lam, a, vpc={"SubnetIds": [subnet], "SecurityGroupIds": [sg]})
    wait_active(lam, a)
    create_function(lam, b, vpc={"SubnetIds": [subnet], "SecurityGroupIds": [sg]})
    wait_active(lam, b)
    enis = lambda_enis(ec2, subnet)
    assert len(enis) == 1
    eni = enis[0]
    assert eni["InterfaceType"] == "lambda"
    assert eni["Description"].startswith(f"AWS Lambda VPC ENI-{a}-")
    assert eni["RequesterManaged"] is True
    assert eni["Status"] == "in-use"
    assert eni["Attachment"]["AttachmentId"].startswith("ela-attach-")
    assert eni["PrivateIpAddress"] == "10.35.1.4"
    assert [g["GroupId"] for g in eni["Groups"]] == [sg]
    after = ec2.describe_subnets(SubnetIds=[subnet])["Subnets"][0]["AvailableIpAddressCount"]
    assert after == before - 1

    with pytest.raises(ClientError) as e:
        ec2.delete_network_interface(NetworkInterfaceId=eni["NetworkInterfaceId"])
    assert e.value.response["Error"]["Code"] in ("OperationNotPermitted", "InvalidParameterValue", "AuthFailure")
    with pytest.raises(ClientError) as e:
        ec2.delete_subnet(SubnetId=subnet)
    assert e.value.response["Error"]["Code"] == "DependencyViolation"
    with pytest.raises(ClientError) as e:
        ec2.delete_security_group(GroupId=sg)
    assert e.value.response["Error"]["Code"] == "DependencyViolation"

    lam.delete_function(FunctionName=a)
    time.sleep(1.5)
    assert len(lambda_enis(ec2, subnet)) == 1, "b still uses the ENI"
    lam.delete_function(FunctionName=b)
    deadline = time.time() + 5
    while lambda_enis(ec2, subnet) and time.time() < deadline:
        time.sleep(0.2)
    assert lambda_enis(ec2, subnet) == []
    ec2.delete_security_group(GroupId=sg)
    ec2.delete_subnet(SubnetId=subnet)


def test_an_unused_eni_goes_available_and_can_be_deleted_as_terraform_does():
    """Released ENIs are detached (`available`) during the grace period, as on AWS: Terraform waits for that state and
    deletes them itself before it removes the subnet; a function that comes back within the grace period gets it again."""
    s = Server(extra_args=["--eni-create-delay", "0ms", "--eni-release-after", "600s"]).start()
    try:
        lam, ec2 = s.client("lambda"), s.client("ec2")
        lambda_role(s)
        _, (subnet,), (sg,) = make_network(ec2, "10.37.0.0/16", ("10.37.1.0/24",))
        vpc_config = {"SubnetIds": [subnet], "SecurityGroupIds": [sg]}
        a = unique("a")
        create_function(lam, a, vpc=vpc_config)
        wait_active(lam, a)
        lam.delete_function(FunctionName=a)
        deadline = time.time() + 5
        while lambda_enis(ec2, subnet)[0]["Status"] != "available" and time.time() < deadline:
            time.sleep(0.1)
        eni = lambda_enis(ec2, subnet)[0]
        assert eni["Status"] == "available" and "Attachment" not in eni
        # Back within the grace period: the same interface is attached again.
        b = unique("b")
        create_function(lam, b, vpc=vpc_config)
        wait_active(lam, b)
        again = lambda_enis(ec2, subnet)
        assert [e["NetworkInterfaceId"] for e in again] == [eni["NetworkInterfaceId"]]
        assert again[0]["Status"] == "in-use" and again[0]["Attachment"]["AttachmentId"].startswith("ela-attach-")
        lam.delete_function(FunctionName=b)
        deadline = time.time() + 5
        while lambda_enis(ec2, subnet)[0]["Status"] != "available" and time.time() < deadline:
            time.sleep(0.1)
        ec2.delete_network_interface(NetworkInterfaceId=eni["NetworkInterfaceId"])
        assert lambda_enis(ec2, subnet) == []
        ec2.delete_security_group(GroupId=sg)
        ec2.delete_subnet(SubnetId=subnet)
    finally:
        s.cleanup()


def test_pending_refuses_updates_with_aws_409(server):
    lam, ec2 = server.client("lambda"), server.client("ec2")
    lambda_role(server)
    _, (subnet,), (sg,) = make_network(ec2, "10.36.0.0/16", ("10.36.1.0/24",))
    name = unique()
    create_function(lam, name, vpc={"SubnetIds": [subnet], "SecurityGroupIds": [sg]})
    with pytest.raises(ClientError) as e:
        lam.update_function_configuration(FunctionName=name, Timeout=9)
    assert error_of(e) == ("ResourceConflictException",
                           f"The operation cannot be performed at this time. The resource arn:aws:lambda:us-east-1:123456789012:function:{name} is currently in the following state: 'Pending'. StateReasonCode: 'Creating'", 409)
    with pytest.raises(ClientError) as e:
        lam.invoke(FunctionName=name)
    assert error_of(e) == ("ResourceConflictException",
                           "The operation cannot be performed at this time. The function is currently in the following state: Pending", 409)
    wait_active(lam, name)


def test_cli_vpc_config_and_waiter(server):
    ec2 = server.client("ec2")
    lambda_role(server)
    vpc, (subnet,), (sg,) = make_network(ec2, "10.37.0.0/16", ("10.37.1.0/24",))
    import os, tempfile
    name = unique("cli")
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "function.zip")
        with open(path, "wb") as f:
            f.write(make_zip())
        _, out, _ = server.aws("lambda", "create-function", "--function-name", name, "--runtime", "python3.12",
                               "--handler", "index.handler", "--zip-file", f"fileb://{path}", "--role", ROLE,
                               "--vpc-config", f"SubnetIds={subnet},SecurityGroupIds={sg}")
        assert out["State"] == "Pending" and out["VpcConfig"]["VpcId"] == vpc
        server.aws("lambda", "wait", "function-active-v2", "--function-name", name)
        _, enis, _ = server.aws("ec2", "describe-network-interfaces", "--filters", "Name=interface-type,Values=lambda",
                                f"Name=subnet-id,Values={subnet}")
        assert len(enis["NetworkInterfaces"]) == 1
        _, upd, _ = server.aws("lambda", "update-function-configuration", "--function-name", name,
                               "--vpc-config", "SubnetIds=[],SecurityGroupIds=[]")
        assert upd["VpcConfig"]["VpcId"] == ""
        server.aws("lambda", "wait", "function-updated-v2", "--function-name", name)
        code, _, err = server.aws("lambda", "create-function", "--function-name", unique("cli"), "--runtime", "python3.12",
                                  "--handler", "index.handler", "--zip-file", f"fileb://{path}", "--role", ROLE,
                                  "--vpc-config", json.dumps({"SubnetIds": [subnet], "SecurityGroupIds": []}), check=False)
        assert code != 0 and "SubnetIds and SecurityIds must coexist or be both empty list." in err


def test_restart_in_the_middle_of_pending_ends_active():
    s = Server(extra_args=["--eni-create-delay", "3s"]).start()
    lambda_role(s)
    try:
        lam, ec2 = s.client("lambda"), s.client("ec2")
        lambda_role(s)
        _, (subnet,), (sg,) = make_network(ec2, "10.38.0.0/16", ("10.38.1.0/24",))
        name = unique()
        create_function(lam, name, vpc={"SubnetIds": [subnet], "SecurityGroupIds": [sg]})
        s.restart()
        lam = s.client("lambda")
        assert lam.get_function(FunctionName=name)["Configuration"]["State"] == "Pending"
        wait_active(lam, name)
        assert len(lambda_enis(s.client("ec2"), subnet)) == 1
    finally:
        s.cleanup()


def test_idle_function_goes_inactive_and_invoke_brings_it_back():
    s = Server(extra_args=["--eni-create-delay", "0ms", "--eni-release-after", "0ms", "--idle-after", "4s"]).start()
    lambda_role(s)
    try:
        # The 502 is retryable for botocore: one attempt only, so the test sees the first answer.
        lam = boto3.client("lambda", endpoint_url=s.endpoint, region_name="us-east-1", aws_access_key_id="test",
                           aws_secret_access_key="test", config=Config(retries={"total_max_attempts": 1}))
        ec2 = s.client("ec2")
        _, (subnet,), (sg,) = make_network(ec2, "10.39.0.0/16", ("10.39.1.0/24",))
        name = unique()
        create_function(lam, name, vpc={"SubnetIds": [subnet], "SecurityGroupIds": [sg]})
        wait_active(lam, name)
        deadline = time.time() + 15
        while lam.get_function(FunctionName=name)["Configuration"]["State"] != "Inactive" and time.time() < deadline:
            time.sleep(0.2)
        conf = lam.get_function(FunctionName=name)["Configuration"]
        assert conf["State"] == "Inactive" and conf["StateReasonCode"] == "Idle"
        assert lambda_enis(ec2, subnet) == []
        with pytest.raises(ClientError) as e:
            lam.invoke(FunctionName=name)
        assert error_of(e) == ("ResourceNotReadyException",
                               "The function is inactive and its VPC connection is no longer available. Wait for the VPC connection to reestablish and try again.", 502)
        wait_active(lam, name)
        assert len(lambda_enis(ec2, subnet)) == 1
    finally:
        s.cleanup()
