"""Creates a VPC with N subnets on an EC2 endpoint (lambda-vpc or moto) and prints the VPC id.

python3 setup_vpc.py ENDPOINT [SUBNETS]
"""
import sys

import boto3


def main():
    endpoint = sys.argv[1]
    subnets = int(sys.argv[2]) if len(sys.argv) > 2 else 8
    ec2 = boto3.client("ec2", endpoint_url=endpoint, region_name="us-east-1",
                       aws_access_key_id="test", aws_secret_access_key="test")
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    zones = ["us-east-1a", "us-east-1b", "us-east-1c"]
    for i in range(subnets):
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.20.{i}.0/24", AvailabilityZone=zones[i % len(zones)])
    found = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"]
    if len(found) != subnets:
        sys.exit(f"{endpoint}: expected {subnets} subnets in {vpc}, DescribeSubnets returned {len(found)}")
    print(vpc)


if __name__ == "__main__":
    main()
