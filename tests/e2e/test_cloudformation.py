"""CloudFormation: the seed's create-stack.sh (aws cloudformation deploy) for both sample templates, outputs and exports,
gateway endpoints with their routes, deletion leaving nothing; rollback of a failing resource; AWS's validation
errors; a second stack importing the first one's exports."""
import glob
import json
import os
import shutil
import subprocess
import tempfile
import time

import pytest
from botocore.exceptions import ClientError

from conftest import ROOT, Server

SEEDS = os.path.join(os.path.dirname(ROOT), "shared", "seeds", "templates")


@pytest.fixture(scope="module")
def cfn_server():
    s = Server(extra_args=["--nat-create-delay", "0", "--nat-delete-delay", "0", "--eni-release-after", "1s"], default_vpc=True).start()
    yield s
    s.cleanup()


@pytest.fixture(scope="module")
def seeds():
    """A copy of the seed's templates directory, the two templates renamed to `.yml` as create-stack.sh reads them."""
    if not os.path.isdir(SEEDS):
        # CI has ../shared beside the clone: there a missing seed is a failure, not a skip.
        (pytest.fail if os.environ.get("CI") else pytest.skip)(f"the seed's templates are not at {SEEDS}")
    d = tempfile.mkdtemp(prefix="lv-cfn-seeds-")
    for f in glob.glob(os.path.join(SEEDS, "*")):
        shutil.copy(f, d)
    for name in ("vpc-private", "vpc-privatepublic"):
        os.rename(os.path.join(d, name + ".yaml"), os.path.join(d, name + ".yml"))
    yield d
    shutil.rmtree(d, ignore_errors=True)


def create_stack_sh(server, seeds, name):
    p = subprocess.run(["bash", "create-stack.sh", name], cwd=seeds, env=server.cli_env(), capture_output=True, text=True,
                       timeout=300)
    assert p.returncode == 0, p.stdout + p.stderr + server.log()
    return p.stdout


def deploy(server, path, name, *args):
    p = subprocess.run(["aws", "cloudformation", "deploy", "--template-file", str(path), "--stack-name", name, *args],
                       env=server.cli_env(), capture_output=True, text=True, timeout=300)
    if p.returncode != 0:
        events = server.client("cloudformation").describe_stack_events(StackName=name)["StackEvents"]
        reasons = [(e["LogicalResourceId"], e["ResourceStatus"], e.get("ResourceStatusReason")) for e in events if "FAILED" in e["ResourceStatus"]]
        raise AssertionError(p.stdout + p.stderr + repr(reasons))
    return p.stdout


def stack(cfn, name):
    return cfn.describe_stacks(StackName=name)["Stacks"][0]


def outputs(s):
    return {o["OutputKey"]: o for o in s.get("Outputs", [])}


def settled(cfn, name, timeout=60):
    """The stack once it is no longer in progress (the create waiter fails on a rollback, and the rollback waiter is
    for updates)."""
    deadline = time.time() + timeout
    while True:
        s = stack(cfn, name)
        if not s["StackStatus"].endswith("_IN_PROGRESS") or time.time() > deadline:
            return s
        time.sleep(0.2)


def delete_and_wait(cfn, name):
    cfn.delete_stack(StackName=name)
    cfn.get_waiter("stack_delete_complete").wait(StackName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 120})


def only_default_vpc(ec2):
    vpcs = ec2.describe_vpcs()["Vpcs"]
    assert [v["IsDefault"] for v in vpcs] == [True], vpcs
    default = vpcs[0]["VpcId"]
    assert all(s["VpcId"] == default for s in ec2.describe_subnets()["Subnets"])
    assert ec2.describe_vpc_endpoints()["VpcEndpoints"] == []
    assert [n for n in ec2.describe_nat_gateways()["NatGateways"] if n["State"] != "deleted"] == []
    assert ec2.describe_addresses()["Addresses"] == []
    assert ec2.describe_internet_gateways()["InternetGateways"] == [] or all(
        a["VpcId"] == default for g in ec2.describe_internet_gateways()["InternetGateways"] for a in g["Attachments"])


def test_seed_templates_deploy_and_delete(cfn_server, seeds):
    cfn, ec2 = cfn_server.client("cloudformation"), cfn_server.client("ec2")
    out = create_stack_sh(cfn_server, seeds, "vpc-private")
    assert "Successfully created/updated stack - lambda-vpc-private" in out
    create_stack_sh(cfn_server, seeds, "vpc-privatepublic")

    private = stack(cfn, "lambda-vpc-private")
    assert private["StackStatus"] == "CREATE_COMPLETE"
    o = outputs(private)
    vpc_id = o["privateVPCID"]["OutputValue"]
    vpc = ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"][0]
    assert vpc["CidrBlock"] == "172.31.0.0/16"
    assert {"Key": "Name", "Value": "lambda-vpc-private"} in vpc["Tags"]
    default_sg = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc_id]},
                                                       {"Name": "group-name", "Values": ["default"]}])["SecurityGroups"][0]
    assert o["privateVPCSecurityGroup"]["OutputValue"] == default_sg["GroupId"]
    assert o["privateVPCSecurityGroup"]["ExportName"] == "lambda-vpc-private-vpc-sg"
    subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Subnets"]
    assert sorted(s["CidrBlock"] for s in subnets) == ["172.31.2.0/24", "172.31.3.0/24"]
    assert sorted(s["AvailabilityZone"] for s in subnets) == ["us-east-1a", "us-east-1b"]

    exports = {e["Name"]: e["Value"] for e in cfn.list_exports()["Exports"]}
    assert exports["lambda-vpc-private-vpc"] == vpc_id
    assert exports["lambda-vpc-privatepublic-vpc-sg"] == outputs(stack(cfn, "lambda-vpc-privatepublic"))["privateVPCSecurityGroup"]["OutputValue"]
    assert len([e for e in exports if e.startswith("lambda-vpc-privatepublic-")]) == 5

    # The gateway endpoints exist and route: the private route table sends each service's prefix list to its endpoint.
    endpoints = ec2.describe_vpc_endpoints(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["VpcEndpoints"]
    assert sorted(e["ServiceName"] for e in endpoints) == ["com.amazonaws.us-east-1.dynamodb", "com.amazonaws.us-east-1.s3"]
    by_id = {e["VpcEndpointId"]: e for e in endpoints}
    for e in endpoints:
        assert e["VpcEndpointType"] == "Gateway" and e["State"] == "available"
        assert '"s3:*"' in e["PolicyDocument"] or '"dynamodb:*"' in e["PolicyDocument"]
    table = ec2.describe_route_tables(RouteTableIds=endpoints[0]["RouteTableIds"])["RouteTables"][0]
    routed = {r["GatewayId"] for r in table["Routes"] if "DestinationPrefixListId" in r}
    assert routed == set(by_id)

    pp = stack(cfn, "lambda-vpc-privatepublic")
    assert pp["StackStatus"] == "CREATE_COMPLETE"
    pp_vpc = outputs(pp)["pubPrivateVPCID"]["OutputValue"]
    nats = [n for n in ec2.describe_nat_gateways()["NatGateways"] if n["VpcId"] == pp_vpc]
    assert [n["State"] for n in nats] == ["available"]
    tables = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [pp_vpc]}])["RouteTables"]
    defaults = {r.get("NatGatewayId") or r.get("GatewayId") for t in tables for r in t["Routes"]
                if r.get("DestinationCidrBlock") == "0.0.0.0/0"}
    assert nats[0]["NatGatewayId"] in defaults and any(g.startswith("igw-") for g in defaults)
    resources = cfn.list_stack_resources(StackName="lambda-vpc-privatepublic")["StackResourceSummaries"]
    assert len(resources) == 17 and {r["ResourceStatus"] for r in resources} == {"CREATE_COMPLETE"}
    events = cfn.describe_stack_events(StackName="lambda-vpc-privatepublic")["StackEvents"]
    assert events[0]["ResourceStatus"] == "CREATE_COMPLETE" and events[0]["LogicalResourceId"] == "lambda-vpc-privatepublic"
    assert any(e["LogicalResourceId"] == "natGateway" and e.get("ResourceStatusReason") == "Resource creation Initiated" for e in events)

    delete_and_wait(cfn, "lambda-vpc-privatepublic")
    delete_and_wait(cfn, "lambda-vpc-private")
    only_default_vpc(ec2)
    listed = {s["StackName"]: s["StackStatus"] for s in cfn.list_stacks()["StackSummaries"]}
    assert listed["lambda-vpc-private"] == "DELETE_COMPLETE"
    with pytest.raises(ClientError) as e:
        cfn.describe_stacks(StackName="lambda-vpc-private")
    assert e.value.response["Error"]["Message"] == "Stack with id lambda-vpc-private does not exist"


FAILING = """
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.20.0.0/16}
  Good:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref Vpc, CidrBlock: 10.20.1.0/24}
  Bad:
    Type: AWS::EC2::Subnet
    Metadata: {cfn-lint: {config: {ignore_checks: [E3059]}}}
    Properties: {VpcId: !Ref Vpc, CidrBlock: 10.99.1.0/24}
"""


def test_failing_resource_rolls_back(cfn_server):
    cfn, ec2 = cfn_server.client("cloudformation"), cfn_server.client("ec2")
    cfn.create_stack(StackName="broken", TemplateBody=FAILING)
    s = settled(cfn, "broken")
    assert s["StackStatus"] == "ROLLBACK_COMPLETE"
    events = cfn.describe_stack_events(StackName="broken")["StackEvents"]
    rollback = [e for e in events if e["ResourceStatus"] == "ROLLBACK_IN_PROGRESS"][0]
    assert rollback["ResourceStatusReason"] == "The following resource(s) failed to create: [Bad]. Rollback requested by user."
    failed = [e for e in events if e["ResourceStatus"] == "CREATE_FAILED"]
    assert failed[0]["LogicalResourceId"] == "Bad" and "10.99.1.0/24" in failed[0]["ResourceStatusReason"]
    assert "HandlerErrorCode: InvalidRequest" in failed[0]["ResourceStatusReason"]
    assert {e["ResourceStatus"] for e in events if e["LogicalResourceId"] == "Vpc"} >= {"DELETE_COMPLETE"}
    assert [v for v in ec2.describe_vpcs()["Vpcs"] if not v["IsDefault"]] == []
    delete_and_wait(cfn, "broken")


def test_validation_errors(cfn_server):
    cfn = cfn_server.client("cloudformation")

    def error(**kw):
        with pytest.raises(ClientError) as e:
            cfn.create_stack(StackName="invalid", **kw)
        return e.value.response["Error"]

    e = error(TemplateBody="Resources:\n  A: {Type: AWS::EC2::VPC, Properties: {CidrBlock: !Ref Nope}}")
    assert (e["Code"], e["Message"]) == ("ValidationError", "Template format error: Unresolved resource dependencies [Nope] in the Resources block of the template")
    e = error(TemplateBody="Resources:\n  A: {Type: AWS::EC2::VPC, Properties: {X: !GetAtt B.Id}}\n  B: {Type: AWS::EC2::VPC, Properties: {X: !Ref A}}")
    assert e["Message"] == "Circular dependency between resources: [A, B]"
    e = error(TemplateBody="Resources:\n  R: {Type: AWS::IAM::Role, Properties: {RoleName: r, AssumeRolePolicyDocument: {}}}")
    assert (e["Code"], e["Message"]) == ("InsufficientCapabilitiesException", "Requires capabilities : [CAPABILITY_NAMED_IAM]")
    e = error(TemplateBody="Parameters:\n  P: {Type: String, AllowedValues: [a, b]}\nResources:\n  A: {Type: AWS::EC2::VPC, Properties: {CidrBlock: 10.0.0.0/16}}",
              Parameters=[{"ParameterKey": "P", "ParameterValue": "c"}])
    assert e["Message"] == "Parameter 'P' must be one of AllowedValues"
    with pytest.raises(ClientError) as v:
        cfn.validate_template(TemplateBody="Description: x")
    assert v.value.response["Error"]["Message"] == "Template format error: At least one Resources member must be defined."
    ok = cfn.validate_template(TemplateBody="Parameters:\n  P: {Type: String, Default: a}\nResources:\n  R: {Type: AWS::IAM::Role}")
    assert ok["Capabilities"] == ["CAPABILITY_IAM"] and ok["Parameters"][0]["ParameterKey"] == "P"
    assert stack_names(cfn) == [n for n in stack_names(cfn) if n != "invalid"]


def stack_names(cfn):
    return [s["StackName"] for s in cfn.describe_stacks()["Stacks"]]


NETWORK = """
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.30.0.0/16}
Outputs:
  VpcId:
    Value: !Ref Vpc
    Export: {Name: !Sub "${AWS::StackName}-vpc"}
"""

IMPORTER = """
Parameters:
  Network: {Type: String, Default: net}
Resources:
  Subnet:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: {"Fn::ImportValue": !Sub "${Network}-vpc"}
      CidrBlock: !Select [0, !Cidr [10.30.0.0/16, 2, 8]]
      AvailabilityZone: !Select [1, !GetAZs ""]
  Group:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: from an import
      VpcId: !ImportValue net-vpc
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 10.30.0.0/16}
Outputs:
  Subnet:
    Value: !Ref Subnet
"""


def test_import_value_second_stack(cfn_server):
    cfn, ec2 = cfn_server.client("cloudformation"), cfn_server.client("ec2")
    cfn.create_stack(StackName="net", TemplateBody=NETWORK)
    cfn.get_waiter("stack_create_complete").wait(StackName="net", WaiterConfig={"Delay": 1, "MaxAttempts": 60})
    cfn.create_stack(StackName="app", TemplateBody=IMPORTER)
    cfn.get_waiter("stack_create_complete").wait(StackName="app", WaiterConfig={"Delay": 1, "MaxAttempts": 60})
    vpc = outputs(stack(cfn, "net"))["VpcId"]["OutputValue"]
    subnet = ec2.describe_subnets(SubnetIds=[outputs(stack(cfn, "app"))["Subnet"]["OutputValue"]])["Subnets"][0]
    assert (subnet["VpcId"], subnet["CidrBlock"], subnet["AvailabilityZone"]) == (vpc, "10.30.0.0/24", "us-east-1b")
    assert cfn.list_imports(ExportName="net-vpc")["Imports"] == ["app"]

    # An update may not remove an export another stack imports: it rolls back.
    cfn.update_stack(StackName="net", TemplateBody=NETWORK.replace('    Export: {Name: !Sub "${AWS::StackName}-vpc"}\n', ""))
    s = settled(cfn, "net")
    assert s["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"
    events = cfn.describe_stack_events(StackName="net")["StackEvents"]
    assert [e["ResourceStatusReason"] for e in events if e["ResourceStatus"] == "UPDATE_ROLLBACK_IN_PROGRESS"] == [
        "Cannot delete export net-vpc as it is in use by app"]
    assert outputs(s)["VpcId"]["ExportName"] == "net-vpc"

    cfn.delete_stack(StackName="net")
    for _ in range(100):
        s = stack(cfn, "net")
        if s["StackStatus"] != "DELETE_IN_PROGRESS":
            break
        time.sleep(0.1)
    assert s["StackStatus"] == "DELETE_FAILED"
    assert s["StackStatusReason"] == "Export net-vpc cannot be deleted as it is in use by app"

    delete_and_wait(cfn, "app")
    delete_and_wait(cfn, "net")
    assert [v for v in ec2.describe_vpcs()["Vpcs"] if not v["IsDefault"]] == []


FUNCTION_STACK = """
Parameters:
  Network: {Type: String, Default: fnnet}
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - {Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: "sts:AssumeRole"}
      ManagedPolicyArns:
        - arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole
  Group:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: function
      VpcId: {"Fn::ImportValue": !Sub "${Network}-vpc"}
  Subnet:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: {"Fn::ImportValue": !Sub "${Network}-vpc"}
      CidrBlock: 10.30.5.0/24
      AvailabilityZone: !Select [0, !GetAZs ""]
  Logs:
    Type: AWS::Logs::LogGroup
    Properties: {RetentionInDays: 7}
  Bucket:
    Type: AWS::S3::Bucket
  Setting:
    Type: AWS::SSM::Parameter
    Properties: {Type: String, Value: !Ref Bucket}
  Function:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: !GetAtt Role.Arn
      Environment: {Variables: {BUCKET: !Ref Bucket, SETTING: !Ref Setting}}
      VpcConfig:
        SubnetIds: [!Ref Subnet]
        SecurityGroupIds: [!Ref Group]
      Code:
        ZipFile: |
          import os
          def handler(event, context):
              return {"bucket": os.environ["BUCKET"], "event": event}
  Alias:
    Type: AWS::Lambda::Alias
    Properties: {FunctionName: !Ref Function, FunctionVersion: !GetAtt Version.Version, Name: live}
  Version:
    Type: AWS::Lambda::Version
    Properties: {FunctionName: !Ref Function}
  Permission:
    Type: AWS::Lambda::Permission
    Properties: {FunctionName: !Ref Function, Action: "lambda:InvokeFunction", Principal: s3.amazonaws.com,
                  SourceArn: !GetAtt Bucket.Arn, SourceAccount: !Ref AWS::AccountId}
Outputs:
  Function: {Value: !GetAtt Function.Arn}
  Alias: {Value: !Ref Alias}
  LogGroup: {Value: !GetAtt Logs.Arn}
"""


def test_function_in_a_vpc_stack(cfn_server):
    cfn, lam = cfn_server.client("cloudformation"), cfn_server.client("lambda")
    cfn.create_stack(StackName="fnnet", TemplateBody=NETWORK)
    assert settled(cfn, "fnnet")["StackStatus"] == "CREATE_COMPLETE"
    with pytest.raises(ClientError) as e:
        cfn.create_stack(StackName="fn", TemplateBody=FUNCTION_STACK)
    assert e.value.response["Error"]["Message"] == "Requires capabilities : [CAPABILITY_IAM]"
    cfn.create_stack(StackName="fn", TemplateBody=FUNCTION_STACK, Capabilities=["CAPABILITY_IAM"])
    s = settled(cfn, "fn")
    reasons = [e.get("ResourceStatusReason") for e in cfn.describe_stack_events(StackName="fn")["StackEvents"] if "FAILED" in e["ResourceStatus"]]
    assert s["StackStatus"] == "CREATE_COMPLETE", reasons
    o = outputs(s)
    fn = lam.get_function_configuration(FunctionName=o["Function"]["OutputValue"])
    assert fn["State"] == "Active" and fn["VpcConfig"]["SubnetIds"]
    assert o["Alias"]["OutputValue"].endswith(":live")
    out = lam.invoke(FunctionName=o["Function"]["OutputValue"], Payload=b'{"a": 1}')
    assert out["StatusCode"] == 200

    # Moving the function to another subnet is an in-place update that waits for Lambda's update to finish.
    moved = FUNCTION_STACK.replace("SubnetIds: [!Ref Subnet]", "SubnetIds: [!Ref Other]").replace(
        "  Logs:\n", "  Other:\n    Type: AWS::EC2::Subnet\n    Properties:\n      VpcId: {\"Fn::ImportValue\": !Sub \"${Network}-vpc\"}\n"
                   "      CidrBlock: 10.30.6.0/24\n  Logs:\n")
    cfn.update_stack(StackName="fn", TemplateBody=moved, Capabilities=["CAPABILITY_IAM"])
    s = settled(cfn, "fn")
    assert s["StackStatus"] == "UPDATE_COMPLETE", s
    other = cfn.describe_stack_resource(StackName="fn", LogicalResourceId="Other")["StackResourceDetail"]["PhysicalResourceId"]
    fn = lam.get_function_configuration(FunctionName=o["Function"]["OutputValue"])
    assert fn["VpcConfig"]["SubnetIds"] == [other] and fn["LastUpdateStatus"] == "Successful"
    # The function's Hyperplane ENI moved with it: one in the new subnet.
    enis = cfn_server.client("ec2").describe_network_interfaces(Filters=[
        {"Name": "interface-type", "Values": ["lambda"]}, {"Name": "subnet-id", "Values": [other]}])["NetworkInterfaces"]
    assert enis and enis[0]["Status"] == "in-use", enis
    assert outputs(s)["Function"]["OutputValue"] == o["Function"]["OutputValue"]
    delete_and_wait(cfn, "fn")
    with pytest.raises(ClientError):
        lam.get_function(FunctionName=o["Function"]["OutputValue"])
    delete_and_wait(cfn, "fnnet")


UPDATABLE = """
Parameters:
  SubnetCidr: {Type: String, Default: 10.40.1.0/24}
  Owner: {Type: String, Default: alice}
  Broken: {Type: String, Default: "no"}
Conditions:
  Break: !Equals [!Ref Broken, "yes"]
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: 10.40.0.0/16
      Tags: [{Key: Owner, Value: !Ref Owner}]
  Subnet:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref Vpc, CidrBlock: !Ref SubnetCidr}
  Extra:
    Type: AWS::EC2::Subnet
    Condition: Break
    Metadata: {cfn-lint: {config: {ignore_checks: [E3059]}}}
    Properties: {VpcId: !Ref Vpc, CidrBlock: 10.99.0.0/24}
Outputs:
  Subnet: {Value: !Ref Subnet}
  Vpc: {Value: !Ref Vpc}
"""


def test_updates_in_place_replace_and_roll_back(cfn_server, tmp_path):
    cfn, ec2 = cfn_server.client("cloudformation"), cfn_server.client("ec2")
    path = tmp_path / "updatable.yml"
    path.write_text(UPDATABLE)
    deploy(cfn_server, path, "upd")
    first = outputs(stack(cfn, "upd"))
    vpc = first["Vpc"]["OutputValue"]

    # A tag changes in place; a new CIDR replaces the subnet, and the old one is deleted in the cleanup phase.
    deploy(cfn_server, path, "upd", "--parameter-overrides", "Owner=bob", "SubnetCidr=10.40.2.0/24")
    s = stack(cfn, "upd")
    assert s["StackStatus"] == "UPDATE_COMPLETE"
    second = outputs(s)
    assert second["Vpc"]["OutputValue"] == vpc
    assert {"Key": "Owner", "Value": "bob"} in ec2.describe_vpcs(VpcIds=[vpc])["Vpcs"][0]["Tags"]
    new_subnet = second["Subnet"]["OutputValue"]
    assert new_subnet != first["Subnet"]["OutputValue"]
    assert [x["SubnetId"] for x in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"]] == [new_subnet]
    statuses = [e["ResourceStatus"] for e in cfn.describe_stack_events(StackName="upd")["StackEvents"]]
    assert "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS" in statuses

    # The same template and parameters: no change set to execute.
    cs = cfn.create_change_set(StackName="upd", ChangeSetName="same", TemplateBody=UPDATABLE, ChangeSetType="UPDATE",
                               Parameters=[{"ParameterKey": k, "UsePreviousValue": True} for k in ("SubnetCidr", "Owner", "Broken")])
    d = cfn.describe_change_set(ChangeSetName=cs["Id"])
    assert (d["Status"], d["ExecutionStatus"]) == ("FAILED", "UNAVAILABLE")
    assert d["StatusReason"] == "The submitted information didn't contain changes. Submit different information to create a change set."
    with pytest.raises(ClientError) as e:
        cfn.update_stack(StackName="upd", UsePreviousTemplate=True,
                         Parameters=[{"ParameterKey": k, "UsePreviousValue": True} for k in ("SubnetCidr", "Owner", "Broken")])
    assert e.value.response["Error"]["Message"] == "No updates are to be performed."

    # A change set shows what an update does.
    cs = cfn.create_change_set(StackName="upd", ChangeSetName="owner", TemplateBody=UPDATABLE, ChangeSetType="UPDATE",
                               Parameters=[{"ParameterKey": "Owner", "ParameterValue": "carol"},
                                           {"ParameterKey": "SubnetCidr", "UsePreviousValue": True},
                                           {"ParameterKey": "Broken", "UsePreviousValue": True}])
    changes = cfn.describe_change_set(ChangeSetName="owner", StackName="upd")["Changes"]
    assert [(c["ResourceChange"]["Action"], c["ResourceChange"]["LogicalResourceId"]) for c in changes] == [("Modify", "Vpc")]
    cfn.delete_change_set(ChangeSetName="owner", StackName="upd")
    names = [c["ChangeSetName"] for c in cfn.list_change_sets(StackName="upd")["Summaries"]]
    assert "same" in names and "owner" not in names

    # An update whose new resource fails rolls back to the previous template and parameters.
    cfn.update_stack(StackName="upd", UsePreviousTemplate=True,
                     Parameters=[{"ParameterKey": "Broken", "ParameterValue": "yes"}, {"ParameterKey": "Owner", "ParameterValue": "dave"},
                                 {"ParameterKey": "SubnetCidr", "UsePreviousValue": True}])
    s = settled(cfn, "upd")
    assert s["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE", s
    assert {p["ParameterKey"]: p["ParameterValue"] for p in s["Parameters"]}["Owner"] == "bob"
    assert {"Key": "Owner", "Value": "bob"} in ec2.describe_vpcs(VpcIds=[vpc])["Vpcs"][0]["Tags"]
    assert [x["SubnetId"] for x in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"]] == [new_subnet]
    assert {r["LogicalResourceId"] for r in cfn.list_stack_resources(StackName="upd")["StackResourceSummaries"]} == {"Vpc", "Subnet"}
    assert cfn.get_template(StackName="upd")["TemplateBody"] == UPDATABLE
    delete_and_wait(cfn, "upd")


def test_template_url_from_s3(cfn_server):
    cfn, s3 = cfn_server.client("cloudformation"), cfn_server.client("s3")
    s3.create_bucket(Bucket="cfn-templates")
    s3.put_object(Bucket="cfn-templates", Key="net.yaml", Body=NETWORK.encode())
    url = "https://cfn-templates.s3.amazonaws.com/net.yaml"
    summary = cfn.get_template_summary(TemplateURL=url)
    assert summary["ResourceTypes"] == ["AWS::EC2::VPC"]
    cfn.create_stack(StackName="fromurl", TemplateURL=url, Tags=[{"Key": "team", "Value": "net"}])
    s = settled(cfn, "fromurl")
    assert s["StackStatus"] == "CREATE_COMPLETE" and s["Tags"] == [{"Key": "team", "Value": "net"}]
    assert cfn.get_template(StackName="fromurl")["TemplateBody"] == NETWORK
    cfn.update_termination_protection(StackName="fromurl", EnableTerminationProtection=True)
    with pytest.raises(ClientError) as e:
        cfn.delete_stack(StackName="fromurl")
    assert e.value.response["Error"]["Message"] == "Stack [fromurl] cannot be deleted while TerminationProtection is enabled"
    cfn.update_termination_protection(StackName="fromurl", EnableTerminationProtection=False)
    delete_and_wait(cfn, "fromurl")
    s3.delete_object(Bucket="cfn-templates", Key="net.yaml")
    s3.delete_bucket(Bucket="cfn-templates")


def test_deployment_survives_a_restart(tmp_path):
    s = Server(extra_args=["--nat-create-delay", "2s", "--nat-delete-delay", "0"], default_vpc=True).start()
    try:
        cfn = s.client("cloudformation")
        cfn.create_stack(StackName="pp", TemplateBody=open(os.path.join(SEEDS, "vpc-privatepublic.yaml")).read())
        deadline = time.time() + 10
        while time.time() < deadline:
            events = cfn.describe_stack_events(StackName="pp")["StackEvents"]
            if any(e["LogicalResourceId"] == "natGateway" and e.get("ResourceStatusReason") == "Resource creation Initiated" for e in events):
                break
            time.sleep(0.05)
        assert stack(cfn, "pp")["StackStatus"] == "CREATE_IN_PROGRESS"
        s.kill9()
        s.start()
        cfn = s.client("cloudformation")
        final = settled(cfn, "pp", timeout=30)
        assert final["StackStatus"] == "CREATE_COMPLETE"
        assert len(cfn.list_stack_resources(StackName="pp")["StackResourceSummaries"]) == 17
        delete_and_wait(cfn, "pp")
        only_default_vpc(s.client("ec2"))
    finally:
        s.cleanup()


READER = """
Parameters:
  Network: {Type: String, Default: lambda-vpc-private}
  Bucket: {Type: String}
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - {Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: "sts:AssumeRole"}
      ManagedPolicyArns:
        - arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole
      Policies:
        - PolicyName: read-the-bucket
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - {Effect: Allow, Action: "s3:GetObject", Resource: !Sub "arn:aws:s3:::${Bucket}/*"}
  Reader:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Timeout: 30
      MemorySize: 512
      Role: !GetAtt Role.Arn
      Environment: {Variables: {BUCKET: !Ref Bucket}}
      VpcConfig:
        SubnetIds:
          - {"Fn::ImportValue": !Sub "${Network}-subnet-a"}
          - {"Fn::ImportValue": !Sub "${Network}-subnet-b"}
        SecurityGroupIds:
          - {"Fn::ImportValue": !Sub "${Network}-vpc-sg"}
      Code:
        ZipFile: |
          import os, boto3, botocore.config, botocore.exceptions
          def handler(event, context):
              cfg = botocore.config.Config(connect_timeout=2, read_timeout=10, retries={"max_attempts": 1})
              try:
                  if event.get("do") == "sts":
                      return {"ok": boto3.client("sts", config=cfg).get_caller_identity()["Arn"]}
                  body = boto3.client("s3", config=cfg).get_object(Bucket=os.environ["BUCKET"], Key="hello.txt")["Body"].read()
                  return {"ok": body.decode()}
              except botocore.exceptions.BotoCoreError as e:
                  return {"error": type(e).__name__}
Outputs:
  Reader: {Value: !Ref Reader}
"""


def test_function_in_the_seed_vpc_reads_s3_through_its_endpoint(seeds, tmp_path):
    from network_support import require_net_admin
    require_net_admin()
    s = Server(extra_args=["--eni-create-delay", "0ms", "--nat-create-delay", "0", "--eni-release-after", "1s"], default_vpc=True).start()
    try:
        cfn, lam, s3 = s.client("cloudformation"), s.client("lambda"), s.client("s3")
        create_stack_sh(s, seeds, "vpc-private")
        s3.create_bucket(Bucket="seed-vpc-data")
        s3.put_object(Bucket="seed-vpc-data", Key="hello.txt", Body=b"through the gateway endpoint")
        path = tmp_path / "reader.yml"
        path.write_text(READER)
        deploy(s, path, "reader", "--capabilities", "CAPABILITY_IAM", "--parameter-overrides", "Bucket=seed-vpc-data")
        name = outputs(stack(cfn, "reader"))["Reader"]["OutputValue"]
        assert cfn.list_imports(ExportName="lambda-vpc-private-subnet-a")["Imports"] == ["reader"]

        def call(event):
            r = lam.invoke(FunctionName=name, Payload=json.dumps(event).encode())
            body = json.loads(r["Payload"].read())
            assert "FunctionError" not in r, body
            return body
        deadline = time.time() + 30
        while time.time() < deadline:
            out = call({})
            if "ok" in out:
                break
            time.sleep(0.5)
        assert out == {"ok": "through the gateway endpoint"}
        # No NAT and no other endpoint: STS is out of reach.
        assert call({"do": "sts"}) == {"error": "ConnectTimeoutError"}

        # The network stack cannot go while the function's stack imports it; in order, both go and leave nothing.
        cfn.delete_stack(StackName="lambda-vpc-private")
        assert settled(cfn, "lambda-vpc-private")["StackStatus"] == "DELETE_FAILED"
        delete_and_wait(cfn, "reader")
        delete_and_wait(cfn, "lambda-vpc-private")
        only_default_vpc(s.client("ec2"))
        assert s.client("ec2").describe_network_interfaces(Filters=[{"Name": "description", "Values": ["AWS Lambda VPC ENI*"]}])["NetworkInterfaces"] == []
        s3.delete_object(Bucket="seed-vpc-data", Key="hello.txt")
        s3.delete_bucket(Bucket="seed-vpc-data")
    finally:
        s.cleanup()


MORE_TYPES = """
Parameters:
  Image:
    Type: AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>
    Default: /aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.50.0.0/16, EnableDnsHostnames: true}
  Subnet:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref Vpc, CidrBlock: 10.50.1.0/24, AvailabilityZone: !Select [0, !GetAZs ""]}
  Acl:
    Type: AWS::EC2::NetworkAcl
    Properties: {VpcId: !Ref Vpc}
  AclEntry:
    Type: AWS::EC2::NetworkAclEntry
    Properties: {NetworkAclId: !Ref Acl, RuleNumber: 100, Protocol: 6, RuleAction: allow, CidrBlock: 0.0.0.0/0,
                 PortRange: {From: 443, To: 443}}
  AclAssociation:
    Type: AWS::EC2::SubnetNetworkAclAssociation
    Properties: {SubnetId: !Ref Subnet, NetworkAclId: !Ref Acl}
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - {Effect: Allow, Principal: {Service: ec2.amazonaws.com}, Action: "sts:AssumeRole"}
  ReadPolicy:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      Roles: [!Ref Role]
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - {Effect: Allow, Action: "s3:GetObject", Resource: "*"}
  InlinePolicy:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: describe
      Roles: [!Ref Role]
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - {Effect: Allow, Action: "ec2:DescribeVpcs", Resource: "*"}
  Profile:
    Type: AWS::IAM::InstanceProfile
    Properties: {Roles: [!Ref Role]}
  Server:
    Type: AWS::EC2::Instance
    DependsOn: AclAssociation
    Properties: {ImageId: !Ref Image, InstanceType: t3.micro, SubnetId: !Ref Subnet, IamInstanceProfile: !Ref Profile}
  CDKMetadata:
    Type: AWS::CDK::Metadata
    Properties: {Analytics: "v2:deflate64:H4sIAAAAAAAA/zPSMzQ30DNQTCwv1k1OydbNyUzSqw4uSUzO1nFOy/MvLSkoLanVyctPSdXLKtYvMzLQMzQHKskqzszULSrNK8nMTdULBgA1Qy3OQQAAAA=="}
  Bucket:
    Type: AWS::S3::Bucket
  BucketPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref Bucket
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - {Effect: Allow, Principal: {AWS: !GetAtt Role.Arn}, Action: "s3:GetObject", Resource: !Sub "${Bucket.Arn}/*"}
Outputs:
  Server: {Value: !Ref Server}
  PrivateIp: {Value: !GetAtt Server.PrivateIp}
  Policy: {Value: !Ref ReadPolicy}
  Acl: {Value: !Ref Acl}
  Subnet: {Value: !Ref Subnet}
  Bucket: {Value: !Ref Bucket}
"""


def test_more_resource_types(cfn_server):
    cfn, ec2, iam, s3 = (cfn_server.client(n) for n in ("cloudformation", "ec2", "iam", "s3"))
    cfn.create_stack(StackName="more", TemplateBody=MORE_TYPES, Capabilities=["CAPABILITY_IAM"])
    s = settled(cfn, "more")
    reasons = [e.get("ResourceStatusReason") for e in cfn.describe_stack_events(StackName="more")["StackEvents"] if "FAILED" in e["ResourceStatus"]]
    assert s["StackStatus"] == "CREATE_COMPLETE", reasons
    assert s["Parameters"][0]["ResolvedValue"].startswith("ami-")
    o = {k: v["OutputValue"] for k, v in outputs(s).items()}
    instance = ec2.describe_instances(InstanceIds=[o["Server"]])["Reservations"][0]["Instances"][0]
    assert instance["State"]["Name"] == "running" and instance["PrivateIpAddress"] == o["PrivateIp"]
    assert instance["ImageId"] == s["Parameters"][0]["ResolvedValue"]
    acl = ec2.describe_network_acls(NetworkAclIds=[o["Acl"]])["NetworkAcls"][0]
    assert [a["SubnetId"] for a in acl["Associations"]] == [o["Subnet"]]
    assert any(e["RuleNumber"] == 100 and e["PortRange"] == {"From": 443, "To": 443} for e in acl["Entries"])
    role = cfn.describe_stack_resource(StackName="more", LogicalResourceId="Role")["StackResourceDetail"]["PhysicalResourceId"]
    assert [p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]] == [o["Policy"]]
    assert iam.list_role_policies(RoleName=role)["PolicyNames"] == ["describe"]
    assert role in s3.get_bucket_policy(Bucket=o["Bucket"])["Policy"]
    delete_and_wait(cfn, "more")
    assert ec2.describe_instances(InstanceIds=[o["Server"]])["Reservations"][0]["Instances"][0]["State"]["Name"] == "terminated"
    with pytest.raises(ClientError):
        iam.get_role(RoleName=role)
    assert [v for v in ec2.describe_vpcs()["Vpcs"] if not v["IsDefault"]] == []


SAM_APP = """
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Hello:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      InlineCode: |
        def handler(event, context):
            return {"hello": event}
Outputs:
  Fn: {Value: !Ref Hello}
"""


def test_sam_transform_through_deploy(cfn_server, tmp_path):
    cfn = cfn_server.client("cloudformation")
    cfn.validate_template(TemplateBody=SAM_APP)
    path = tmp_path / "sam.yml"
    path.write_text(SAM_APP)
    deploy(cfn_server, path, "sam", "--capabilities", "CAPABILITY_IAM")
    s = stack(cfn, "sam")
    assert s["StackStatus"] == "CREATE_COMPLETE"
    types = {r["LogicalResourceId"]: r["ResourceType"] for r in cfn.list_stack_resources(StackName="sam")["StackResourceSummaries"]}
    assert types == {"Hello": "AWS::Lambda::Function", "HelloRole": "AWS::IAM::Role"}
    assert "AWS::Serverless::Function" in cfn.get_template(StackName="sam", TemplateStage="Original")["TemplateBody"]
    assert "AWS::Serverless::Function" not in cfn.get_template(StackName="sam", TemplateStage="Processed")["TemplateBody"]
    r = cfn_server.client("lambda").invoke(FunctionName=outputs(s)["Fn"]["OutputValue"], Payload=b'{"x": 1}')
    assert json.loads(r["Payload"].read()) == {"hello": {"x": 1}}
    delete_and_wait(cfn, "sam")


FORWARDED = """
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
      KeySchema: [{AttributeName: id, KeyType: HASH}]
  Queue:
    Type: AWS::SQS::Queue
    Properties: {VisibilityTimeout: 45}
  Topic:
    Type: AWS::SNS::Topic
    Properties: {DisplayName: alerts}
  Secret:
    Type: AWS::SecretsManager::Secret
    Properties:
      GenerateSecretString: {SecretStringTemplate: '{"username": "app"}', GenerateStringKey: password, PasswordLength: 20}
Outputs:
  Table: {Value: !Ref Table}
  TableArn: {Value: !GetAtt Table.Arn}
  Queue: {Value: !Ref Queue}
  QueueArn: {Value: !GetAtt Queue.Arn}
  Topic: {Value: !Ref Topic}
  Secret: {Value: !Ref Secret}
"""


def test_forwarded_service_resources(cfn_server):
    cfn = cfn_server.client("cloudformation")
    cfn.create_stack(StackName="fwd", TemplateBody=FORWARDED)
    s = settled(cfn, "fwd", timeout=120)
    reasons = [e.get("ResourceStatusReason") for e in cfn.describe_stack_events(StackName="fwd")["StackEvents"] if "FAILED" in e["ResourceStatus"]]
    assert s["StackStatus"] == "CREATE_COMPLETE", reasons
    o = {k: v["OutputValue"] for k, v in outputs(s).items()}
    ddb, sqs, sns, sm = (cfn_server.client(n) for n in ("dynamodb", "sqs", "sns", "secretsmanager"))
    assert ddb.describe_table(TableName=o["Table"])["Table"]["TableArn"] == o["TableArn"]
    assert sqs.get_queue_attributes(QueueUrl=o["Queue"], AttributeNames=["VisibilityTimeout"])["Attributes"]["VisibilityTimeout"] == "45"
    assert o["QueueArn"].endswith(":" + o["Queue"].rsplit("/", 1)[1])
    assert sns.get_topic_attributes(TopicArn=o["Topic"])["Attributes"]["DisplayName"] == "alerts"
    secret = json.loads(sm.get_secret_value(SecretId=o["Secret"])["SecretString"])
    assert secret["username"] == "app" and len(secret["password"]) == 20
    delete_and_wait(cfn, "fwd")
    with pytest.raises(ClientError):
        ddb.describe_table(TableName=o["Table"])


def test_the_engine_acts_as_the_caller_under_enforce_iam():
    from conftest import user_client
    s = Server(extra_args=["--enforce-iam"]).start()
    try:
        policy = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["cloudformation:*", "ec2:CreateVpc", "ec2:DeleteVpc", "ec2:Describe*", "ec2:CreateTags"],
             "Resource": "*"}]}
        cfn = user_client(s, "cloudformation", "deployer", policy)
        cfn.create_stack(StackName="limited", TemplateBody=FAILING.replace("10.99.1.0/24", "10.20.2.0/24"))
        final = settled(cfn, "limited")
        assert final["StackStatus"] == "ROLLBACK_COMPLETE"
        events = cfn.describe_stack_events(StackName="limited")["StackEvents"]
        failed = {e["LogicalResourceId"]: e["ResourceStatusReason"] for e in events if e["ResourceStatus"] == "CREATE_FAILED"}
        assert "not authorized to perform: ec2:CreateSubnet" in failed["Good"]
        assert "arn:aws:iam::123456789012:user/deployer" in failed["Good"]
        assert s.client("ec2").describe_vpcs()["Vpcs"] == []
        with pytest.raises(ClientError) as e:
            user_client(s, "cloudformation", "reader", {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "cloudformation:Describe*", "Resource": "*"}]}).create_stack(
                StackName="denied", TemplateBody=NETWORK)
        assert e.value.response["Error"]["Code"] == "AccessDenied"
        assert "cloudformation:CreateStack" in e.value.response["Error"]["Message"]
    finally:
        s.cleanup()


def test_a_stack_role_acts_instead_of_the_caller_under_enforce_iam():
    from conftest import user_client
    s = Server(extra_args=["--enforce-iam"]).start()
    try:
        iam = s.client("iam")
        trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                         "Principal": {"Service": "cloudformation.amazonaws.com"}}]}
        role = iam.create_role(RoleName="cfn-deployer", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
        iam.put_role_policy(RoleName="cfn-deployer", PolicyName="vpcs", PolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["ec2:*"], "Resource": "*"}]}))
        lambda_trust = dict(trust, Statement=[dict(trust["Statement"][0], Principal={"Service": "lambda.amazonaws.com"})])
        other = iam.create_role(RoleName="not-for-cfn", AssumeRolePolicyDocument=json.dumps(lambda_trust))["Role"]["Arn"]
        # The caller may use CloudFormation but not EC2: with the role the stack is built, as the role's session.
        cfn = user_client(s, "cloudformation", "operator", {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["cloudformation:*", "iam:PassRole"], "Resource": "*"}]})
        cfn.create_stack(StackName="by-role", TemplateBody=NETWORK, RoleARN=role)
        final = settled(cfn, "by-role")
        assert final["StackStatus"] == "CREATE_COMPLETE" and final["RoleARN"] == role
        cfn.create_stack(StackName="by-caller", TemplateBody=NETWORK.replace("10.30.0.0/16", "10.31.0.0/16"))
        failed = [e["ResourceStatusReason"] for e in cfn.describe_stack_events(StackName="by-caller")["StackEvents"]
                  if e["ResourceStatus"] == "CREATE_FAILED"] if settled(cfn, "by-caller")["StackStatus"] == "ROLLBACK_COMPLETE" else []
        assert failed and "arn:aws:iam::123456789012:user/operator" in failed[0]
        for bad in (other, "arn:aws:iam::123456789012:role/missing"):
            with pytest.raises(ClientError) as e:
                cfn.create_stack(StackName="bad-role", TemplateBody=NETWORK, RoleARN=bad)
            assert e.value.response["Error"]["Message"] == f"Role {bad} is invalid or cannot be assumed"
        delete_and_wait(cfn, "by-role")
        assert s.client("ec2").describe_vpcs()["Vpcs"] == []
    finally:
        s.cleanup()


def test_deletion_policy_retain(cfn_server):
    cfn, ec2 = cfn_server.client("cloudformation"), cfn_server.client("ec2")
    cfn.create_stack(StackName="keep", TemplateBody=NETWORK.replace("    Type: AWS::EC2::VPC\n", "    Type: AWS::EC2::VPC\n    DeletionPolicy: Retain\n"))
    vpc = outputs(settled(cfn, "keep"))["VpcId"]["OutputValue"]
    delete_and_wait(cfn, "keep")
    assert ec2.describe_vpcs(VpcIds=[vpc])["Vpcs"][0]["VpcId"] == vpc
    events = cfn.describe_stack_events(StackName=[s for s in cfn.list_stacks()["StackSummaries"] if s["StackName"] == "keep"][0]["StackId"])
    assert "DELETE_SKIPPED" in [e["ResourceStatus"] for e in events["StackEvents"] if e["LogicalResourceId"] == "Vpc"]
    ec2.delete_vpc(VpcId=vpc)


PACKAGED = """
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - {Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: "sts:AssumeRole"}
  Packaged:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      Role: !GetAtt Role.Arn
      Code: ./src
Outputs:
  Fn: {Value: !Ref Packaged}
"""


def test_package_then_deploy_local_code(cfn_server, tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text("def handler(event, context):\n    return {'packaged': True}\n")
    (tmp_path / "template.yml").write_text(PACKAGED)
    cfn_server.client("s3").create_bucket(Bucket="cfn-artifacts")
    p = subprocess.run(["aws", "cloudformation", "package", "--template-file", "template.yml", "--s3-bucket", "cfn-artifacts",
                        "--output-template-file", "packaged.yml"], cwd=tmp_path, env=cfn_server.cli_env(), capture_output=True,
                       text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert "S3Bucket: cfn-artifacts" in (tmp_path / "packaged.yml").read_text()
    deploy(cfn_server, tmp_path / "packaged.yml", "packaged", "--capabilities", "CAPABILITY_IAM")
    cfn, lam = cfn_server.client("cloudformation"), cfn_server.client("lambda")
    fn = outputs(stack(cfn, "packaged"))["Fn"]["OutputValue"]
    r = lam.invoke(FunctionName=fn, Payload=b"{}")
    assert json.loads(r["Payload"].read()) == {"packaged": True}
    delete_and_wait(cfn, "packaged")


def test_the_test_templates_are_cfn_lint_clean(tmp_path):
    assert shutil.which("cfn-lint"), "cfn-lint is installed with the test dependencies (scripts/common.sh)"
    names = ["FAILING", "NETWORK", "IMPORTER", "FUNCTION_STACK", "UPDATABLE", "READER", "MORE_TYPES", "FORWARDED"]
    for n in names:
        (tmp_path / f"{n}.yaml").write_text(globals()[n])
    p = subprocess.run(["cfn-lint", *[str(tmp_path / f"{n}.yaml") for n in names]], capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stdout + p.stderr
