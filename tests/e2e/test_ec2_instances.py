"""EC2 instances: RunInstances, Describe, Stop/Start/Terminate, GetConsoleOutput, through boto3 and the AWS CLI."""
import time

import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT


def error(excinfo):
    return excinfo.value.response["Error"]["Code"], excinfo.value.response["Error"]["Message"]


@pytest.fixture
def net(ec2):
    vpc = ec2.create_vpc(CidrBlock="10.50.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.50.2.0/24")["Subnet"]["SubnetId"]
    sg = ec2.create_security_group(GroupName="db", Description="db", VpcId=vpc)["GroupId"]
    return vpc, subnet, sg


def wait_state(ec2, ids, state, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        got = [i for r in ec2.describe_instances(InstanceIds=ids)["Reservations"] for i in r["Instances"]]
        if all(i["State"]["Name"] == state for i in got):
            return got
        time.sleep(0.05)
    raise AssertionError(f"{ids} never reached {state}: {[i['State'] for i in got]}")


def test_run_describe_stop_start_terminate(ec2, net):
    vpc, subnet, sg = net
    r = ec2.run_instances(ImageId="ami-lambdavpc", InstanceType="t3.micro", MinCount=2, MaxCount=2, SubnetId=subnet,
                          SecurityGroupIds=[sg], UserData="#!/bin/sh\necho hello\n",
                          TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": "db"}]}])
    assert r["ReservationId"].startswith("r-") and r["OwnerId"] == ACCOUNT
    instances = r["Instances"]
    assert [i["State"] for i in instances] == [{"Code": 0, "Name": "pending"}] * 2
    assert [i["AmiLaunchIndex"] for i in instances] == [0, 1]
    first = instances[0]
    assert first["InstanceId"].startswith("i-") and first["ImageId"] == "ami-lambdavpc" and first["InstanceType"] == "t3.micro"
    assert first["SubnetId"] == subnet and first["VpcId"] == vpc and first["PrivateIpAddress"] == "10.50.2.4"
    assert first["PrivateDnsName"] == "ip-10-50-2-4.ec2.internal"
    assert first["SecurityGroups"] == [{"GroupId": sg, "GroupName": "db"}]
    assert first["Placement"]["AvailabilityZone"] == "us-east-1a" and first["Tags"] == [{"Key": "Name", "Value": "db"}]
    nic = first["NetworkInterfaces"][0]
    assert nic["Attachment"]["AttachmentId"].startswith("eni-attach-") and nic["Attachment"]["DeleteOnTermination"] is True
    assert nic["Attachment"]["DeviceIndex"] == 0 and nic["InterfaceType"] == "interface" and nic["PrivateIpAddress"] == "10.50.2.4"
    eni = ec2.describe_network_interfaces(NetworkInterfaceIds=[nic["NetworkInterfaceId"]])["NetworkInterfaces"][0]
    assert eni["Attachment"]["InstanceId"] == first["InstanceId"] and eni["Status"] == "in-use"
    ids = [i["InstanceId"] for i in instances]

    running = wait_state(ec2, ids, "running")
    assert {i["State"]["Code"] for i in running} == {16}
    for name, value in [("instance-id", ids[0]), ("subnet-id", subnet), ("vpc-id", vpc), ("private-ip-address", "10.50.2.4"),
                        ("tag:Name", "db"), ("instance-state-name", "running")]:
        got = ec2.describe_instances(Filters=[{"Name": name, "Values": [value]}, {"Name": "instance-id", "Values": [ids[0]]}])
        assert [i["InstanceId"] for r in got["Reservations"] for i in r["Instances"]] == [ids[0]], name
    status = ec2.describe_instance_status(InstanceIds=ids)["InstanceStatuses"]
    assert sorted(s["InstanceId"] for s in status) == sorted(ids) and status[0]["InstanceState"] == {"Code": 16, "Name": "running"}
    assert ec2.get_console_output(InstanceId=ids[0])["InstanceId"] == ids[0]

    stopping = ec2.stop_instances(InstanceIds=[ids[0]])["StoppingInstances"]
    assert stopping == [{"InstanceId": ids[0], "CurrentState": {"Code": 64, "Name": "stopping"},
                         "PreviousState": {"Code": 16, "Name": "running"}}]
    stopped = wait_state(ec2, [ids[0]], "stopped")[0]
    assert stopped["StateReason"]["Code"] == "Client.UserInitiatedShutdown" and stopped["StateTransitionReason"].startswith("User initiated (")
    assert stopped["PrivateIpAddress"] == "10.50.2.4"
    ec2.start_instances(InstanceIds=[ids[0]])
    wait_state(ec2, [ids[0]], "running")

    with pytest.raises(ClientError) as e:
        ec2.delete_security_group(GroupId=sg)
    assert error(e)[0] == "DependencyViolation"
    with pytest.raises(ClientError) as e:
        ec2.delete_network_interface(NetworkInterfaceId=nic["NetworkInterfaceId"])
    assert error(e)[0] == "InvalidNetworkInterface.InUse"
    terminating = ec2.terminate_instances(InstanceIds=ids)["TerminatingInstances"]
    assert {t["CurrentState"]["Name"] for t in terminating} == {"shutting-down"}
    wait_state(ec2, ids, "terminated")
    with pytest.raises(ClientError) as e:
        ec2.describe_network_interfaces(NetworkInterfaceIds=[nic["NetworkInterfaceId"]])
    assert error(e)[0] == "InvalidNetworkInterfaceID.NotFound"
    with pytest.raises(ClientError) as e:
        ec2.start_instances(InstanceIds=[ids[0]])
    assert error(e) == ("IncorrectInstanceState", f"The instance '{ids[0]}' is not in a state from which it can be started.")
    with pytest.raises(ClientError) as e:
        ec2.stop_instances(InstanceIds=[ids[0]])
    assert error(e) == ("IncorrectInstanceState", f"The instance '{ids[0]}' is not in a state from which it can be stopped.")
    ec2.delete_security_group(GroupId=sg)
    ec2.delete_subnet(SubnetId=subnet)


def test_run_instances_errors(ec2, net):
    _, subnet, _ = net
    with pytest.raises(ClientError) as e:
        ec2.run_instances(MinCount=1, MaxCount=1, ImageId="ami-lambdavpc")
    assert error(e) == ("VPCIdNotSpecified", "No default VPC for this user")
    with pytest.raises(ClientError) as e:
        ec2.run_instances(MinCount=1, MaxCount=1, SubnetId="subnet-0123456789abcdef0")
    assert error(e) == ("InvalidSubnetID.NotFound", "The subnet ID 'subnet-0123456789abcdef0' does not exist")
    with pytest.raises(ClientError) as e:
        ec2.run_instances(MinCount=1, MaxCount=1, SubnetId=subnet, SecurityGroupIds=["sg-0123456789abcdef0"])
    assert error(e)[0] == "InvalidGroup.NotFound"
    with pytest.raises(ClientError) as e:
        ec2.run_instances(MinCount=1, MaxCount=1, SubnetId=subnet, InstanceType="nonsense")
    assert error(e) == ("InvalidParameterValue", "Invalid value 'nonsense' for InstanceType.")
    with pytest.raises(ClientError) as e:
        ec2.run_instances(MinCount=1, MaxCount=1, SubnetId=subnet, DryRun=True)
    assert error(e)[0] == "DryRunOperation"
    with pytest.raises(ClientError) as e:
        ec2.describe_instances(InstanceIds=["i-0123456789abcdef0"])
    assert error(e) == ("InvalidInstanceID.NotFound", "The instance ID 'i-0123456789abcdef0' does not exist")
    with pytest.raises(ClientError) as e:
        ec2.terminate_instances(InstanceIds=["i-bad"])
    assert error(e)[0] == "InvalidInstanceID.Malformed"
    with pytest.raises(ClientError) as e:
        ec2.get_console_output(InstanceId="i-0123456789abcdef0")
    assert error(e)[0] == "InvalidInstanceID.NotFound"
    assert ec2.describe_instances(Filters=[{"Name": "subnet-id", "Values": [subnet]}])["Reservations"] == []


def test_private_ip_and_small_subnet(ec2, net):
    vpc, _, _ = net
    small = ec2.create_subnet(VpcId=vpc, CidrBlock="10.50.9.0/28")["Subnet"]["SubnetId"]
    one = ec2.run_instances(MinCount=1, MaxCount=1, SubnetId=small, PrivateIpAddress="10.50.9.10")["Instances"][0]
    assert one["PrivateIpAddress"] == "10.50.9.10"
    with pytest.raises(ClientError) as e:
        ec2.run_instances(MinCount=1, MaxCount=1, SubnetId=small, PrivateIpAddress="10.50.9.10")
    assert error(e)[0] == "InvalidIPAddress.InUse"
    # 11 assignable addresses, one taken: MaxCount is trimmed to what fits, MinCount must fit.
    with pytest.raises(ClientError) as e:
        ec2.run_instances(MinCount=11, MaxCount=11, SubnetId=small)
    assert error(e)[0] == "InsufficientFreeAddressesInSubnet"
    many = ec2.run_instances(MinCount=1, MaxCount=15, SubnetId=small)["Instances"]
    assert len(many) == 10
    ec2.terminate_instances(InstanceIds=[one["InstanceId"]] + [i["InstanceId"] for i in many])
    wait_state(ec2, [one["InstanceId"]] + [i["InstanceId"] for i in many], "terminated")
    assert ec2.describe_subnets(SubnetIds=[small])["Subnets"][0]["AvailableIpAddressCount"] == 11


def test_instance_elastic_ip_and_route(ec2, net):
    vpc, subnet, _ = net
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    inst = ec2.run_instances(MinCount=1, MaxCount=1, SubnetId=subnet)["Instances"][0]["InstanceId"]
    wait_state(ec2, [inst], "running")
    alloc = ec2.allocate_address(Domain="vpc")
    assoc = ec2.associate_address(AllocationId=alloc["AllocationId"], InstanceId=inst)["AssociationId"]
    got = ec2.describe_instances(InstanceIds=[inst])["Reservations"][0]["Instances"][0]
    assert got["PublicIpAddress"] == alloc["PublicIp"]
    assert got["NetworkInterfaces"][0]["Association"]["PublicIp"] == alloc["PublicIp"]
    assert ec2.describe_addresses(Filters=[{"Name": "instance-id", "Values": [inst]}])["Addresses"][0]["AssociationId"] == assoc
    rtb = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="192.168.0.0/16", InstanceId=inst)
    route = ec2.describe_route_tables(RouteTableIds=[rtb])["RouteTables"][0]["Routes"][1]
    assert route["InstanceId"] == inst and route["State"] == "active" and route["InstanceOwnerId"] == ACCOUNT
    ec2.terminate_instances(InstanceIds=[inst])
    wait_state(ec2, [inst], "terminated")
    assert "AssociationId" not in ec2.describe_addresses(AllocationIds=[alloc["AllocationId"]])["Addresses"][0]
    route = ec2.describe_route_tables(RouteTableIds=[rtb])["RouteTables"][0]["Routes"][1]
    assert route["State"] == "blackhole"
    ec2.create_tags(Resources=[inst], Tags=[{"Key": "gone", "Value": "yes"}])
    tags = ec2.describe_tags(Filters=[{"Name": "resource-id", "Values": [inst]}])["Tags"]
    assert tags == [{"Key": "gone", "ResourceId": inst, "ResourceType": "instance", "Value": "yes"}]
    ec2.release_address(AllocationId=alloc["AllocationId"])


def test_instances_cli(server, net):
    _, subnet, sg = net
    _, out, _ = server.aws("ec2", "run-instances", "--image-id", "ami-lambdavpc", "--subnet-id", subnet,
                           "--security-group-ids", sg, "--user-data", "echo hi", "--count", "1",
                           "--tag-specifications", "ResourceType=instance,Tags=[{Key=app,Value=pg}]")
    inst = out["Instances"][0]["InstanceId"]
    server.aws("ec2", "wait", "instance-running", "--instance-ids", inst)
    _, out, _ = server.aws("ec2", "describe-instances", "--filters", "Name=tag:app,Values=pg", f"Name=subnet-id,Values={subnet}")
    assert [i["InstanceId"] for r in out["Reservations"] for i in r["Instances"]] == [inst]
    _, out, _ = server.aws("ec2", "get-console-output", "--instance-id", inst)
    assert out["InstanceId"] == inst
    server.aws("ec2", "stop-instances", "--instance-ids", inst)
    server.aws("ec2", "wait", "instance-stopped", "--instance-ids", inst)
    server.aws("ec2", "start-instances", "--instance-ids", inst)
    server.aws("ec2", "wait", "instance-running", "--instance-ids", inst)
    _, out, _ = server.aws("ec2", "terminate-instances", "--instance-ids", inst)
    assert out["TerminatingInstances"][0]["CurrentState"]["Name"] == "shutting-down"
    server.aws("ec2", "wait", "instance-terminated", "--instance-ids", inst)
    code, _, err = server.aws("ec2", "start-instances", "--instance-ids", inst, check=False)
    assert code != 0 and "IncorrectInstanceState" in err


def test_instances_survive_restart(fresh_server):
    ec2 = fresh_server.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.51.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.51.0.0/24")["Subnet"]["SubnetId"]
    running = ec2.run_instances(MinCount=1, MaxCount=1, SubnetId=subnet)["Instances"][0]["InstanceId"]
    stopped = ec2.run_instances(MinCount=1, MaxCount=1, SubnetId=subnet)["Instances"][0]["InstanceId"]
    wait_state(ec2, [running, stopped], "running")
    ec2.stop_instances(InstanceIds=[stopped])
    wait_state(ec2, [stopped], "stopped")
    before = ec2.describe_instances(InstanceIds=[running, stopped])["Reservations"]
    fresh_server.kill9()
    fresh_server.start()
    ec2 = fresh_server.client("ec2")
    assert ec2.describe_instances(InstanceIds=[running, stopped])["Reservations"] == before
    ec2.terminate_instances(InstanceIds=[running, stopped])
    wait_state(ec2, [running, stopped], "terminated")
