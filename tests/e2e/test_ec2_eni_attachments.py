"""AttachNetworkInterface / DetachNetworkInterface / ModifyNetworkInterfaceAttribute(Attachment) through boto3 and the
AWS CLI: secondary interfaces in DescribeInstances, EC2's errors (each refused call changes nothing), termination, and
persistence across a restart."""
import time

import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, call_error

UNKNOWN_ENI = "eni-0123456789abcdef0"
UNKNOWN_INSTANCE = "i-0123456789abcdef0"
UNKNOWN_ATTACHMENT = "eni-attach-0123456789abcdef0"


def wait_state(ec2, iid, state, timeout=15):
    deadline = time.time() + timeout
    while time.time() < deadline:
        inst = ec2.describe_instances(InstanceIds=[iid])["Reservations"][0]["Instances"][0]
        if inst["State"]["Name"] == state:
            return inst
        time.sleep(0.05)
    raise AssertionError(f"{iid} never reached {state}: {inst['State']}")


def setup_network(ec2, second_octet):
    vpc = ec2.create_vpc(CidrBlock=f"10.{second_octet}.0.0/16")["Vpc"]["VpcId"]
    subnet_a = ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.{second_octet}.1.0/24", AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    subnet_b = ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.{second_octet}.2.0/24", AvailabilityZone="us-east-1b")["Subnet"]["SubnetId"]
    return vpc, subnet_a, subnet_b


def launch(ec2, subnet, instance_type="t3.small"):
    iid = ec2.run_instances(ImageId="ami-lambdavpc", InstanceType=instance_type, MinCount=1, MaxCount=1,
                            SubnetId=subnet)["Instances"][0]["InstanceId"]
    return wait_state(ec2, iid, "running")


def new_eni(ec2, subnet):
    return ec2.create_network_interface(SubnetId=subnet)["NetworkInterface"]["NetworkInterfaceId"]


def eni(ec2, eni_id):
    return ec2.describe_network_interfaces(NetworkInterfaceIds=[eni_id])["NetworkInterfaces"][0]


def instance_nics(ec2, iid):
    inst = ec2.describe_instances(InstanceIds=[iid])["Reservations"][0]["Instances"][0]
    return [(n["NetworkInterfaceId"], n["Attachment"]["DeviceIndex"]) for n in inst["NetworkInterfaces"]]


def snapshot(ec2, vpc, iid):
    enis = ec2.describe_network_interfaces(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["NetworkInterfaces"]
    return sorted((n["NetworkInterfaceId"], n["Status"], n.get("Attachment")) for n in enis), instance_nics(ec2, iid)


def test_attach_detach_with_boto3(ec2):
    vpc, subnet_a, subnet_b = setup_network(ec2, 61)
    inst = launch(ec2, subnet_a)
    iid = inst["InstanceId"]
    primary = inst["NetworkInterfaces"][0]
    eni1, eni2, eni3, eni_b = new_eni(ec2, subnet_a), new_eni(ec2, subnet_a), new_eni(ec2, subnet_a), new_eni(ec2, subnet_b)

    r = ec2.attach_network_interface(NetworkInterfaceId=eni1, InstanceId=iid, DeviceIndex=1)
    att1 = r["AttachmentId"]
    assert att1.startswith("eni-attach-") and r["NetworkCardIndex"] == 0
    n = eni(ec2, eni1)
    assert n["Status"] == "in-use"
    a = n["Attachment"]
    assert (a["AttachmentId"], a["InstanceId"], a["InstanceOwnerId"], a["DeviceIndex"], a["Status"], a["DeleteOnTermination"]) == \
        (att1, iid, ACCOUNT, 1, "attached", False)
    assert "AttachTime" in a
    assert instance_nics(ec2, iid) == [(primary["NetworkInterfaceId"], 0), (eni1, 1)]
    got = ec2.describe_instances(Filters=[{"Name": "network-interface.network-interface-id", "Values": [eni1]}])
    assert [i["InstanceId"] for r in got["Reservations"] for i in r["Instances"]] == [iid]
    got = ec2.describe_network_interfaces(Filters=[{"Name": "attachment.instance-id", "Values": [iid]}])["NetworkInterfaces"]
    assert sorted(x["NetworkInterfaceId"] for x in got) == sorted([primary["NetworkInterfaceId"], eni1])

    # A NAT gateway's interface is an `ela-attach` one, as Lambda's are.
    nat = ec2.create_nat_gateway(SubnetId=subnet_a, ConnectivityType="private")["NatGateway"]
    nat_eni = nat["NatGatewayAddresses"][0]["NetworkInterfaceId"]
    nat_attachment = eni(ec2, nat_eni)["Attachment"]["AttachmentId"]

    before = snapshot(ec2, vpc, iid)
    refusals = [
        (dict(NetworkInterfaceId=eni1, InstanceId=iid, DeviceIndex=2),
         "InvalidNetworkInterface.InUse", f"Interface: [{eni1}] in use."),
        (dict(NetworkInterfaceId=primary["NetworkInterfaceId"], InstanceId=iid, DeviceIndex=2),
         "InvalidNetworkInterface.InUse", f"Interface: [{primary['NetworkInterfaceId']}] in use."),
        (dict(NetworkInterfaceId=eni2, InstanceId=iid, DeviceIndex=1),
         "InvalidParameterValue", f"Instance '{iid}' already has an interface attached at device index '1'."),
        (dict(NetworkInterfaceId=eni2, InstanceId=iid, DeviceIndex=0),
         "InvalidParameterValue", f"Instance '{iid}' already has an interface attached at device index '0'."),
        (dict(NetworkInterfaceId=eni_b, InstanceId=iid, DeviceIndex=2), "InvalidParameterCombination", None),
        (dict(NetworkInterfaceId=UNKNOWN_ENI, InstanceId=iid, DeviceIndex=2),
         "InvalidNetworkInterfaceID.NotFound", f"The networkInterface ID '{UNKNOWN_ENI}' does not exist"),
        (dict(NetworkInterfaceId=eni2, InstanceId=UNKNOWN_INSTANCE, DeviceIndex=2),
         "InvalidInstanceID.NotFound", f"The instance ID '{UNKNOWN_INSTANCE}' does not exist"),
        (dict(NetworkInterfaceId="eni-nothex", InstanceId=iid, DeviceIndex=2), "InvalidNetworkInterfaceID.Malformed", None),
        (dict(NetworkInterfaceId=eni2, InstanceId=iid, DeviceIndex=-1), "InvalidParameterValue", None),
        (dict(NetworkInterfaceId=nat_eni, InstanceId=iid, DeviceIndex=2),
         "OperationNotPermitted", "You are not allowed to manage 'ela-attach' attachments."),
    ]
    for kw, code, message in refusals:
        status, got_code, got_message = call_error(ec2.attach_network_interface, **kw)
        assert (status, got_code) == (400, code), kw
        if message:
            assert got_message == message, kw
    for att, code, message in [
        (primary["Attachment"]["AttachmentId"], "OperationNotPermitted", "The network interface at device index 0 cannot be detached."),
        (UNKNOWN_ATTACHMENT, "InvalidAttachmentID.NotFound", None),
        (nat_attachment, "OperationNotPermitted", "You are not allowed to manage 'ela-attach' attachments."),
    ]:
        status, got_code, got_message = call_error(ec2.detach_network_interface, AttachmentId=att)
        assert (status, got_code) == (400, code), att
        if message:
            assert got_message == message
    assert call_error(ec2.attach_network_interface, NetworkInterfaceId=eni2, InstanceId=iid, DeviceIndex=2, DryRun=True)[1] == \
        "DryRunOperation"
    assert call_error(ec2.detach_network_interface, AttachmentId=att1, DryRun=True)[1] == "DryRunOperation"
    assert snapshot(ec2, vpc, iid) == before

    # t3.small takes three interfaces: the primary and two more.
    att2 = ec2.attach_network_interface(NetworkInterfaceId=eni2, InstanceId=iid, DeviceIndex=2)["AttachmentId"]
    before = snapshot(ec2, vpc, iid)
    status, code, message = call_error(ec2.attach_network_interface, NetworkInterfaceId=eni3, InstanceId=iid, DeviceIndex=3)
    assert (code, message) == ("AttachmentLimitExceeded", "Interface count 4 exceeds the limit for t3.small")
    assert snapshot(ec2, vpc, iid) == before
    assert instance_nics(ec2, iid) == [(primary["NetworkInterfaceId"], 0), (eni1, 1), (eni2, 2)]

    ec2.detach_network_interface(AttachmentId=att2, Force=True)
    n = eni(ec2, eni2)
    assert n["Status"] == "available" and "Attachment" not in n
    assert instance_nics(ec2, iid) == [(primary["NetworkInterfaceId"], 0), (eni1, 1)]
    assert call_error(ec2.detach_network_interface, AttachmentId=att2)[1] == "InvalidAttachmentID.NotFound"
    # The freed device index takes another interface; a detached interface can be deleted.
    ec2.attach_network_interface(NetworkInterfaceId=eni3, InstanceId=iid, DeviceIndex=2)
    ec2.delete_network_interface(NetworkInterfaceId=eni2)


def test_modify_delete_on_termination_and_terminate(ec2):
    vpc, subnet_a, _ = setup_network(ec2, 62)
    inst = launch(ec2, subnet_a)
    iid = inst["InstanceId"]
    primary_id = inst["NetworkInterfaces"][0]["NetworkInterfaceId"]
    keep, drop = new_eni(ec2, subnet_a), new_eni(ec2, subnet_a)
    ec2.attach_network_interface(NetworkInterfaceId=keep, InstanceId=iid, DeviceIndex=1)
    drop_att = ec2.attach_network_interface(NetworkInterfaceId=drop, InstanceId=iid, DeviceIndex=2)["AttachmentId"]

    ec2.modify_network_interface_attribute(NetworkInterfaceId=drop,
                                           Attachment={"AttachmentId": drop_att, "DeleteOnTermination": True})
    assert eni(ec2, drop)["Attachment"]["DeleteOnTermination"] is True
    before = snapshot(ec2, vpc, iid)
    code = call_error(ec2.modify_network_interface_attribute, NetworkInterfaceId=keep,
                      Attachment={"AttachmentId": drop_att, "DeleteOnTermination": True})[1]
    assert code == "InvalidParameterValue"
    code = call_error(ec2.modify_network_interface_attribute, NetworkInterfaceId=keep,
                      Attachment={"AttachmentId": UNKNOWN_ATTACHMENT, "DeleteOnTermination": True})[1]
    assert code == "InvalidAttachmentID.NotFound"
    assert snapshot(ec2, vpc, iid) == before
    ec2.modify_network_interface_attribute(NetworkInterfaceId=keep, Description={"Value": "kept"})
    assert eni(ec2, keep)["Description"] == "kept"

    ec2.stop_instances(InstanceIds=[iid])
    wait_state(ec2, iid, "stopped")
    assert instance_nics(ec2, iid) == [(primary_id, 0), (keep, 1), (drop, 2)]
    ec2.terminate_instances(InstanceIds=[iid])
    wait_state(ec2, iid, "terminated")
    left = {n["NetworkInterfaceId"]: n for n in
            ec2.describe_network_interfaces(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["NetworkInterfaces"]}
    assert set(left) == {keep}
    assert left[keep]["Status"] == "available" and "Attachment" not in left[keep]
    assert call_error(ec2.attach_network_interface, NetworkInterfaceId=keep, InstanceId=iid, DeviceIndex=1)[1] == \
        "IncorrectInstanceState"
    assert eni(ec2, keep)["Status"] == "available"


def test_cli_attach_detach_and_restart(fresh_server):
    ec2 = fresh_server.client("ec2")
    vpc, subnet_a, _ = setup_network(ec2, 63)
    iid = launch(ec2, subnet_a)["InstanceId"]
    eni_id = new_eni(ec2, subnet_a)

    _, out, _ = fresh_server.aws("ec2", "attach-network-interface", "--network-interface-id", eni_id,
                                 "--instance-id", iid, "--device-index", "1")
    att = out["AttachmentId"]
    assert att.startswith("eni-attach-") and out["NetworkCardIndex"] == 0
    _, out, _ = fresh_server.aws("ec2", "modify-network-interface-attribute", "--network-interface-id", eni_id,
                                 "--attachment", f"AttachmentId={att},DeleteOnTermination=true")
    rc, _, err = fresh_server.aws("ec2", "attach-network-interface", "--network-interface-id", eni_id,
                                  "--instance-id", iid, "--device-index", "2", check=False)
    assert rc != 0 and "InvalidNetworkInterface.InUse" in err and f"Interface: [{eni_id}] in use." in err

    fresh_server.restart()
    ec2 = fresh_server.client("ec2")
    _, out, _ = fresh_server.aws("ec2", "describe-network-interfaces", "--network-interface-ids", eni_id)
    a = out["NetworkInterfaces"][0]["Attachment"]
    assert (a["AttachmentId"], a["InstanceId"], a["DeviceIndex"], a["DeleteOnTermination"]) == (att, iid, 1, True)
    _, out, _ = fresh_server.aws("ec2", "describe-instances", "--instance-ids", iid)
    nics = out["Reservations"][0]["Instances"][0]["NetworkInterfaces"]
    assert [(n["NetworkInterfaceId"], n["Attachment"]["DeviceIndex"]) for n in nics][1:] == [(eni_id, 1)]

    rc, _, err = fresh_server.aws("ec2", "detach-network-interface", "--attachment-id",
                                  nics[0]["Attachment"]["AttachmentId"], check=False)
    assert rc != 0 and "The network interface at device index 0 cannot be detached." in err
    fresh_server.aws("ec2", "detach-network-interface", "--attachment-id", att, "--force")
    fresh_server.restart()
    ec2 = fresh_server.client("ec2")
    n = eni(ec2, eni_id)
    assert n["Status"] == "available" and "Attachment" not in n
    assert len(instance_nics(ec2, iid)) == 1


def test_detach_is_authorized_on_the_interface():
    """Under --enforce-iam, DetachNetworkInterface is `ec2:DetachNetworkInterface` on the interface holding the attachment."""
    from conftest import Server, user_client
    s = Server(extra_args=["--enforce-iam"]).start()
    try:
        admin = s.client("ec2")
        _, subnet_a, _ = setup_network(admin, 64)
        iid = launch(admin, subnet_a)["InstanceId"]
        allowed, other = new_eni(admin, subnet_a), new_eni(admin, subnet_a)
        att = admin.attach_network_interface(NetworkInterfaceId=allowed, InstanceId=iid, DeviceIndex=1)["AttachmentId"]
        other_att = admin.attach_network_interface(NetworkInterfaceId=other, InstanceId=iid, DeviceIndex=2)["AttachmentId"]
        arn = f"arn:aws:ec2:us-east-1:{ACCOUNT}:network-interface/{allowed}"
        user = user_client(s, "ec2", "detacher", {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "ec2:DetachNetworkInterface", "Resource": arn}]})
        status, code, _ = call_error(user.detach_network_interface, AttachmentId=other_att)
        assert (status, code) == (403, "UnauthorizedOperation")
        assert eni(admin, other)["Status"] == "in-use"
        user.detach_network_interface(AttachmentId=att)
        assert eni(admin, allowed)["Status"] == "available"
    finally:
        s.cleanup()
