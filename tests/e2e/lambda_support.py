"""Helpers for the Lambda end-to-end tests: deployment packages and VPC fixtures built through the real clients."""
import io
import uuid
import zipfile

ROLE = "arn:aws:iam::123456789012:role/lambda-role"


def make_zip(body="def handler(event, context):\n    return event\n", name="index.py"):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        # As `zip` stores a file created with the usual umask: readable by all. Lambda's sandbox user needs that
        # (writestr's default, 0600, gives "Permission denied" on AWS too).
        info = zipfile.ZipInfo(name)
        info.external_attr = (0o100644) << 16
        z.writestr(info, body)
    return buf.getvalue()


def unique(prefix="fn"):
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def create_function(lam, name, vpc=None, **kw):
    args = dict(FunctionName=name, Runtime="python3.12", Handler="index.handler", Role=ROLE,
                Code={"ZipFile": make_zip()})
    if vpc is not None:
        args["VpcConfig"] = vpc
    args.update(kw)
    return lam.create_function(**args)


def make_network(ec2, cidr="10.20.0.0/16", subnet_cidrs=("10.20.1.0/24",), groups=1):
    """A VPC with subnets and security groups created through EC2's API."""
    vpc = ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=c)["Subnet"]["SubnetId"] for c in subnet_cidrs]
    sgs = [ec2.create_security_group(VpcId=vpc, GroupName=unique("grp"), Description="lambda test")["GroupId"]
           for _ in range(groups)]
    return vpc, subnets, sgs


def lambda_enis(ec2, subnet=None):
    filters = [{"Name": "interface-type", "Values": ["lambda"]}]
    if subnet:
        filters.append({"Name": "subnet-id", "Values": [subnet]})
    return ec2.describe_network_interfaces(Filters=filters)["NetworkInterfaces"]
