"""EC2's account-wide reads and catalogs: DescribeRegions, DescribeAccountAttributes, DescribeAddressesAttribute,
the retired ClassicLink reads, DescribeImages (and RunInstances from those images), DescribeInstanceTypes; through
boto3 and the AWS CLI, errors included."""
import pytest
from botocore.exceptions import ClientError

AL2023_X86 = "al2023-ami-2023.6.20241212.0-kernel-6.1-x86_64"


def error(excinfo):
    return excinfo.value.response["Error"]["Code"], excinfo.value.response["Error"]["Message"]


def test_describe_regions(ec2, server):
    regions = {r["RegionName"]: r for r in ec2.describe_regions()["Regions"]}
    assert regions["us-east-1"] == {"RegionName": "us-east-1", "Endpoint": "ec2.us-east-1.amazonaws.com",
                                    "OptInStatus": "opt-in-not-required"}
    assert "eu-west-1" in regions and "af-south-1" not in regions and len(regions) == 17
    everything = {r["RegionName"]: r["OptInStatus"] for r in ec2.describe_regions(AllRegions=True)["Regions"]}
    assert everything["af-south-1"] == "not-opted-in" and everything["us-west-2"] == "opt-in-not-required"
    assert len(everything) > len(regions)
    named = ec2.describe_regions(RegionNames=["eu-west-1", "ap-east-1"])["Regions"]
    assert sorted(r["RegionName"] for r in named) == ["ap-east-1", "eu-west-1"]
    filtered = ec2.describe_regions(AllRegions=True, Filters=[{"Name": "opt-in-status", "Values": ["not-opted-in"]},
                                                              {"Name": "region-name", "Values": ["me-*"]}])["Regions"]
    assert sorted(r["RegionName"] for r in filtered) == ["me-central-1", "me-south-1"]
    with pytest.raises(ClientError) as e:
        ec2.describe_regions(RegionNames=["mars-north-1"])
    assert error(e)[0] == "InvalidParameterValue" and "mars-north-1" in error(e)[1]
    with pytest.raises(ClientError) as e:
        ec2.describe_regions(Filters=[{"Name": "nonsense", "Values": ["x"]}])
    assert error(e) == ("InvalidParameterValue", "The filter 'nonsense' is invalid")
    _, out, _ = server.aws("ec2", "describe-regions", "--all-regions", "--region-names", "us-west-2")
    assert out["Regions"] == [{"Endpoint": "ec2.us-west-2.amazonaws.com", "RegionName": "us-west-2",
                               "OptInStatus": "opt-in-not-required"}]


def test_describe_account_attributes(ec2, server):
    got = {a["AttributeName"]: [v["AttributeValue"] for v in a["AttributeValues"]]
           for a in ec2.describe_account_attributes()["AccountAttributes"]}
    assert got == {"supported-platforms": ["VPC"], "default-vpc": ["none"], "max-instances": ["20"],
                   "vpc-max-security-groups-per-interface": ["5"], "max-elastic-ips": ["5"], "vpc-max-elastic-ips": ["5"]}
    one = ec2.describe_account_attributes(AttributeNames=["default-vpc"])["AccountAttributes"]
    assert one == [{"AttributeName": "default-vpc", "AttributeValues": [{"AttributeValue": "none"}]}]
    _, out, _ = server.aws("ec2", "describe-account-attributes", "--attribute-names", "supported-platforms")
    assert out["AccountAttributes"] == [{"AttributeName": "supported-platforms", "AttributeValues": [{"AttributeValue": "VPC"}]}]
    code, _, err = server.aws("ec2", "describe-account-attributes", "--attribute-names", "nonsense", check=False)
    assert code != 0 and "InvalidParameterValue" in err


def test_describe_addresses_attribute(ec2, server):
    alloc = ec2.allocate_address(Domain="vpc")
    try:
        got = ec2.describe_addresses_attribute(AllocationIds=[alloc["AllocationId"]], Attribute="domain-name")["Addresses"]
        # No PTR record is set, so the address comes back bare (Terraform's aws_eip reads ptr_record as "").
        assert got == [{"PublicIp": alloc["PublicIp"], "AllocationId": alloc["AllocationId"]}]
        listed = ec2.describe_addresses_attribute(Attribute="domain-name")["Addresses"]
        assert alloc["AllocationId"] in [a["AllocationId"] for a in listed]
        with pytest.raises(ClientError) as e:
            ec2.describe_addresses_attribute(AllocationIds=["eipalloc-0123456789abcdef0"], Attribute="domain-name")
        assert error(e)[0] == "InvalidAllocationID.NotFound"
        _, out, _ = server.aws("ec2", "describe-addresses-attribute", "--allocation-ids", alloc["AllocationId"],
                               "--attribute", "domain-name")
        assert out["Addresses"] == [{"PublicIp": alloc["PublicIp"], "AllocationId": alloc["AllocationId"]}]
    finally:
        ec2.release_address(AllocationId=alloc["AllocationId"])


def test_classic_link_reads_are_unsupported_as_on_aws(ec2, server):
    vpc = ec2.create_vpc(CidrBlock="10.91.0.0/16")["Vpc"]["VpcId"]
    for call in (ec2.describe_vpc_classic_link, ec2.describe_vpc_classic_link_dns_support):
        with pytest.raises(ClientError) as e:
            call(VpcIds=[vpc])
        assert error(e) == ("UnsupportedOperation", "The functionality you requested is not available in this region.")
    code, _, err = server.aws("ec2", "describe-vpc-classic-link", "--vpc-ids", vpc, check=False)
    assert code != 0 and "UnsupportedOperation" in err
    ec2.delete_vpc(VpcId=vpc)


def test_describe_images(ec2, server):
    found = ec2.describe_images(Owners=["amazon"], Filters=[{"Name": "name", "Values": ["al2023-ami-2023.*-x86_64"]}])["Images"]
    assert len(found) == 1
    image = found[0]
    assert image["Name"] == AL2023_X86 and image["ImageId"].startswith("ami-") and len(image["ImageId"]) == 21
    assert image["OwnerId"] == "137112412989" and image["ImageOwnerAlias"] == "amazon" and image["Public"] is True
    assert image["Architecture"] == "x86_64" and image["State"] == "available" and image["RootDeviceName"] == "/dev/xvda"
    assert image["BlockDeviceMappings"][0]["Ebs"]["VolumeType"] == "gp3" and image["PlatformDetails"] == "Linux/UNIX"
    al2023 = image["ImageId"]
    arm = ec2.describe_images(Filters=[{"Name": "architecture", "Values": ["arm64"]},
                                       {"Name": "owner-alias", "Values": ["amazon"]}])["Images"]
    assert sorted(i["Name"].split("-")[0] for i in arm) == ["al2023", "amzn2"]
    assert [i["ImageId"] for i in ec2.describe_images(ImageIds=[al2023])["Images"]] == [al2023]
    assert [i["ImageId"] for i in ec2.describe_images(Filters=[{"Name": "image-id", "Values": [al2023]}])["Images"]] == [al2023]
    assert ec2.describe_images(Owners=["self"])["Images"] == []
    assert len(ec2.describe_images(ExecutableUsers=["all"])["Images"]) == 4
    amzn2 = ec2.describe_images(Owners=["137112412989"], Filters=[{"Name": "name", "Values": ["amzn2-ami-kernel-5.10-hvm-*-x86_64-gp2"]}])
    assert len(amzn2["Images"]) == 1
    with pytest.raises(ClientError) as e:
        ec2.describe_images(ImageIds=["ami-0123456789abcdef0"])
    assert error(e) == ("InvalidAMIID.NotFound", "The image id '[ami-0123456789abcdef0]' does not exist")
    with pytest.raises(ClientError) as e:
        ec2.describe_images(ImageIds=["ami-nope"])
    assert error(e)[0] == "InvalidAMIID.Malformed"
    _, out, _ = server.aws("ec2", "describe-images", "--owners", "amazon", "--filters",
                           "Name=name,Values=al2023-ami-2023.*-arm64", "--query", "Images[].[ImageId,Architecture]")
    assert len(out) == 1 and out[0][1] == "arm64"


def test_run_instances_accepts_public_images_only(ec2):
    al2023 = ec2.describe_images(Owners=["amazon"], Filters=[{"Name": "name", "Values": [AL2023_X86]}])["Images"][0]["ImageId"]
    vpc = ec2.create_vpc(CidrBlock="10.92.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.92.1.0/24")["Subnet"]["SubnetId"]
    with pytest.raises(ClientError) as e:
        ec2.run_instances(ImageId="ami-0123456789abcdef0", MinCount=1, MaxCount=1, SubnetId=subnet)
    assert error(e) == ("InvalidAMIID.NotFound", "The image id '[ami-0123456789abcdef0]' does not exist")
    with pytest.raises(ClientError) as e:
        ec2.run_instances(ImageId="not-an-image", MinCount=1, MaxCount=1, SubnetId=subnet)
    assert error(e)[0] == "InvalidAMIID.Malformed"
    instance = ec2.run_instances(ImageId=al2023, InstanceType="t3.micro", MinCount=1, MaxCount=1, SubnetId=subnet)["Instances"][0]
    assert instance["ImageId"] == al2023
    described = ec2.describe_instances(InstanceIds=[instance["InstanceId"]])["Reservations"][0]["Instances"][0]
    assert described["ImageId"] == al2023
    ec2.terminate_instances(InstanceIds=[instance["InstanceId"]])


def test_describe_instance_types(ec2, server):
    t3 = ec2.describe_instance_types(InstanceTypes=["t3.micro"])["InstanceTypes"]
    assert len(t3) == 1
    t = t3[0]
    assert t["InstanceType"] == "t3.micro" and t["VCpuInfo"]["DefaultVCpus"] == 2 and t["MemoryInfo"]["SizeInMiB"] == 1024
    assert t["NetworkInfo"]["NetworkPerformance"] == "Up to 5 Gigabit" and t["NetworkInfo"]["MaximumNetworkInterfaces"] == 2
    assert t["ProcessorInfo"]["SupportedArchitectures"] == ["x86_64"] and t["BurstablePerformanceSupported"] is True
    names = sorted(i["InstanceType"] for i in ec2.describe_instance_types()["InstanceTypes"])
    assert {"t3.micro", "t3.small", "t3.medium", "m5.large", "c5.large"} <= set(names)
    memory = {i["InstanceType"]: i["MemoryInfo"]["SizeInMiB"] for i in
              ec2.describe_instance_types(InstanceTypes=["m5.large", "c5.large", "t3.medium"])["InstanceTypes"]}
    assert memory == {"m5.large": 8192, "c5.large": 4096, "t3.medium": 4096}
    arm = ec2.describe_instance_types(Filters=[{"Name": "processor-info.supported-architecture", "Values": ["arm64"]}])
    assert [i["InstanceType"] for i in arm["InstanceTypes"]] == ["t4g.micro"]
    with pytest.raises(ClientError) as e:
        ec2.describe_instance_types(InstanceTypes=["t3.micro", "x9.huge"])
    assert error(e) == ("InvalidInstanceType", "The following supplied instance types do not exist: [x9.huge]")
    _, out, _ = server.aws("ec2", "describe-instance-types", "--instance-types", "c5.large",
                           "--query", "InstanceTypes[0].[VCpuInfo.DefaultVCpus,MemoryInfo.SizeInMiB]")
    assert out == [2, 4096]
    code, _, err = server.aws("ec2", "describe-instance-types", "--instance-types", "x9.huge", check=False)
    assert code != 0 and "InvalidInstanceType" in err
