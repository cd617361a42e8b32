"""SAM, `aws cloudformation package`/`deploy` and CDK through CloudFormation: what a team deploying Lambda functions in
a VPC runs, against a real server."""
import json
import os
import shutil
import subprocess
import sys
import textwrap
import time

import pytest

from conftest import ROOT, Server
from lambda_support import make_network, unique

SAM_VENV = os.environ.get("LV_SAM_VENV", "/opt/lv-tools/sam")
CDK_VENV = os.environ.get("LV_CDK_VENV", "/opt/lv-tools/cdk")


@pytest.fixture(scope="module")
def server():
    s = Server().start()
    yield s
    s.cleanup()


def wait_stack(cfn, name, timeout=180):
    deadline = time.time() + timeout
    while time.time() < deadline:
        stack = cfn.describe_stacks(StackName=name)["Stacks"][0]
        if not stack["StackStatus"].endswith("_IN_PROGRESS"):
            return stack
        time.sleep(0.5)
    raise AssertionError(f"{name} still in progress")


def outputs(stack):
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


def logged(server, function, needle, timeout=60):
    logs = server.client("logs")
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            events = logs.filter_log_events(logGroupName=f"/aws/lambda/{function}")["events"]
        except Exception:
            events = []
        lines = [e["message"] for e in events if needle in e["message"]]
        if lines:
            return lines
        time.sleep(0.5)
    raise AssertionError(f"{function} never logged {needle!r}")


def lint_clean(path):
    """cfn-lint (installed with the test dependencies) finds nothing in the template."""
    p = subprocess.run(["cfn-lint", str(path)], capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stdout + p.stderr


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(textwrap.dedent(text))


def test_cloudformation_package_and_deploy_with_local_code(server, tmp_path):
    s3 = server.client("s3")
    bucket = unique("artifacts")
    s3.create_bucket(Bucket=bucket)
    write(str(tmp_path / "src" / "index.py"), """
        def handler(event, context):
            return {"packaged": True, "got": event}
        """)
    write(str(tmp_path / "template.yaml"), """
        AWSTemplateFormatVersion: '2010-09-09'
        Resources:
          Role:
            Type: AWS::IAM::Role
            Properties:
              AssumeRolePolicyDocument:
                Version: '2012-10-17'
                Statement:
                  - Effect: Allow
                    Principal: {Service: lambda.amazonaws.com}
                    Action: sts:AssumeRole
              ManagedPolicyArns: [arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]
          Fn:
            Type: AWS::Lambda::Function
            Properties:
              Runtime: python3.12
              Handler: index.handler
              Role: !GetAtt Role.Arn
              Code: ./src
        Outputs:
          FunctionName:
            Value: !Ref Fn
        """)
    env = server.cli_env()
    packaged = str(tmp_path / "packaged.yaml")
    subprocess.run(["aws", "cloudformation", "package", "--template-file", str(tmp_path / "template.yaml"),
                    "--s3-bucket", bucket, "--output-template-file", packaged], check=True, env=env, timeout=120)
    with open(packaged) as f:
        assert f"S3Bucket: {bucket}" in f.read(), "package rewrote the local code to an object in the bucket"
    lint_clean(packaged)
    name = unique("pkg")
    p = subprocess.run(["aws", "cloudformation", "deploy", "--template-file", packaged, "--stack-name", name,
                        "--capabilities", "CAPABILITY_IAM"], capture_output=True, text=True, env=env, timeout=300)
    assert p.returncode == 0, p.stdout + p.stderr
    cfn = server.client("cloudformation")
    stack = cfn.describe_stacks(StackName=name)["Stacks"][0]
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    fn = outputs(stack)["FunctionName"]
    out = server.client("lambda").invoke(FunctionName=fn, Payload=b'{"a": 1}')
    assert json.loads(out["Payload"].read()) == {"packaged": True, "got": {"a": 1}}
    cfn.delete_stack(StackName=name)
    cfn.get_waiter("stack_delete_complete").wait(StackName=name, WaiterConfig={"Delay": 1})
    assert fn not in [f["FunctionName"] for f in server.client("lambda").list_functions()["Functions"]]


def test_sam_deploy_function_in_a_vpc_with_a_layer_and_an_s3_event(server, tmp_path):
    sam = os.path.join(SAM_VENV, "bin", "sam")
    if not os.path.exists(sam):
        if os.environ.get("CI"):
            pytest.fail(f"aws-sam-cli is not installed at {SAM_VENV} (scripts/common.sh installs it)")
        pytest.skip(f"aws-sam-cli is not installed at {SAM_VENV}: scripts/test.sh installs it")
    ec2 = server.client("ec2")
    _, subnets, sgs = make_network(ec2, cidr="10.61.0.0/16", subnet_cidrs=("10.61.1.0/24", "10.61.2.0/24"))
    s3 = server.client("s3")
    artifacts = unique("sam-artifacts")
    s3.create_bucket(Bucket=artifacts)
    write(str(tmp_path / "layer" / "python" / "greeting.py"), """
        WORD = "from-the-layer"
        """)
    write(str(tmp_path / "src" / "app.py"), """
        import greeting

        def handler(event, context):
            for record in event.get("Records", []):
                print("object-created", record["s3"]["object"]["key"], greeting.WORD)
            return {"word": greeting.WORD}
        """)
    write(str(tmp_path / "template.yaml"), """
        AWSTemplateFormatVersion: '2010-09-09'
        Transform: AWS::Serverless-2016-10-31
        Parameters:
          SubnetIds:
            Type: List<AWS::EC2::Subnet::Id>
          SecurityGroupId:
            Type: AWS::EC2::SecurityGroup::Id
        Resources:
          Uploads:
            Type: AWS::S3::Bucket
          Shared:
            Type: AWS::Serverless::LayerVersion
            Properties:
              ContentUri: layer/
              CompatibleRuntimes: [python3.12]
          Handler:
            Type: AWS::Serverless::Function
            Properties:
              Runtime: python3.12
              Handler: app.handler
              CodeUri: src/
              Layers: [!Ref Shared]
              VpcConfig:
                SubnetIds: !Ref SubnetIds
                SecurityGroupIds: [!Ref SecurityGroupId]
              Events:
                Upload:
                  Type: S3
                  Properties:
                    Bucket: !Ref Uploads
                    Events: s3:ObjectCreated:*
        Outputs:
          FunctionName:
            Value: !Ref Handler
          BucketName:
            Value: !Ref Uploads
        """)
    lint_clean(tmp_path / "template.yaml")
    name = unique("sam")
    env = server.cli_env(SAM_CLI_TELEMETRY="0")
    p = subprocess.run([sam, "deploy", "--template-file", "template.yaml", "--stack-name", name, "--s3-bucket", artifacts,
                        "--capabilities", "CAPABILITY_IAM", "--no-confirm-changeset", "--region", "us-east-1",
                        "--parameter-overrides", f"SubnetIds={','.join(subnets)}", f"SecurityGroupId={sgs[0]}"],
                       cwd=str(tmp_path), capture_output=True, text=True, env=env, timeout=600)
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-3000:]
    cfn = server.client("cloudformation")
    stack = cfn.describe_stacks(StackName=name)["Stacks"][0]
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    out = outputs(stack)
    lam = server.client("lambda")
    config = lam.get_function_configuration(FunctionName=out["FunctionName"])
    assert config["VpcConfig"]["SubnetIds"] and sorted(config["VpcConfig"]["SubnetIds"]) == sorted(subnets)
    assert config["State"] == "Active" and len(config["Layers"]) == 1
    # The event source: an object created in the template's bucket runs the function once with S3's event.
    s3.put_object(Bucket=out["BucketName"], Key="incoming/photo.jpg", Body=b"jpeg")
    lines = logged(server, out["FunctionName"], "object-created")
    assert "incoming/photo.jpg from-the-layer" in lines[0]
    s3.delete_object(Bucket=out["BucketName"], Key="incoming/photo.jpg")
    cfn.delete_stack(StackName=name)
    cfn.get_waiter("stack_delete_complete").wait(StackName=name, WaiterConfig={"Delay": 1})
    assert out["FunctionName"] not in [f["FunctionName"] for f in lam.list_functions()["Functions"]]


CDK_APP = """
import json, sys
import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2, aws_lambda as lambda_
from constructs import Construct

class Stack(cdk.Stack):
    def __init__(self, scope: Construct, id: str, **kw):
        super().__init__(scope, id, **kw)
        vpc = ec2.Vpc(self, "Net", ip_addresses=ec2.IpAddresses.cidr("10.62.0.0/16"), max_azs=2, nat_gateways=0,
                      subnet_configuration=[ec2.SubnetConfiguration(name="app", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED,
                                                                    cidr_mask=24)])
        fn = lambda_.Function(self, "Fn", runtime=lambda_.Runtime.PYTHON_3_12, handler="index.handler",
                              code=lambda_.Code.from_inline("def handler(event, context):\\n    return {'cdk': True}\\n"),
                              vpc=vpc)
        cdk.CfnOutput(self, "FunctionName", value=fn.function_name)

app = cdk.App(outdir=sys.argv[1])
# Environment-agnostic (no account/region): the zones are `Fn::GetAZs`, resolved by CloudFormation at deploy time,
# where an explicit environment would need the CDK CLI's context lookups.
Stack(app, "CdkVpcFunction", synthesizer=cdk.LegacyStackSynthesizer())
app.synth()
"""


def test_a_cdk_synthesized_function_in_a_vpc_deploys(server, tmp_path):
    python = os.path.join(CDK_VENV, "bin", "python")
    if not os.path.exists(python):
        if os.environ.get("CI"):
            pytest.fail(f"aws-cdk-lib is not installed at {CDK_VENV} (scripts/common.sh installs it)")
        pytest.skip(f"aws-cdk-lib is not installed at {CDK_VENV}: scripts/test.sh installs it")
    app = tmp_path / "app.py"
    app.write_text(CDK_APP)
    out_dir = tmp_path / "cdk.out"
    subprocess.run([python, str(app), str(out_dir)], check=True, timeout=600, cwd=str(tmp_path))
    template = (out_dir / "CdkVpcFunction.template.json").read_text()
    name = unique("cdk")
    cfn = server.client("cloudformation")
    cfn.create_stack(StackName=name, TemplateBody=template, Capabilities=["CAPABILITY_IAM"])
    stack = wait_stack(cfn, name)
    reasons = [e.get("ResourceStatusReason") for e in cfn.describe_stack_events(StackName=name)["StackEvents"]
               if e["ResourceStatus"].endswith("FAILED")]
    assert stack["StackStatus"] == "CREATE_COMPLETE", reasons
    fn = outputs(stack)["FunctionName"]
    lam = server.client("lambda")
    assert lam.get_function_configuration(FunctionName=fn)["VpcConfig"]["VpcId"]
    assert json.loads(lam.invoke(FunctionName=fn)["Payload"].read()) == {"cdk": True}
    cfn.delete_stack(StackName=name)
    cfn.get_waiter("stack_delete_complete").wait(StackName=name, WaiterConfig={"Delay": 1})
