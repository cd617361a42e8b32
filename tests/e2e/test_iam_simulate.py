"""The policy simulator with the seed's six Lambda VPC policies and context entries, through boto3 and the AWS CLI."""
import json
import uuid

import pytest

from conftest import ACCOUNT


def doc(sid, effect, condition):
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": sid, "Action": ["lambda:CreateFunction", "lambda:UpdateFunctionConfiguration"],
        "Effect": effect, "Resource": "*", "Condition": condition}]})


ENFORCE_VPC = doc("EnforceVPCFunction", "Deny", {"Null": {"lambda:VpcIds": "true"}})
OUT_OF_VPC = doc("EnforceOutOfVPC", "Deny", {"StringEquals": {"lambda:VpcIds": ["vpc-1", "vpc-2"]}})
OUT_OF_SUBNET = doc("EnforceOutOfSubnet", "Deny", {"ForAnyValue:StringEquals": {"lambda:SubnetIds": ["subnet-1", "subnet-2"]}})
OUT_OF_SG = doc("EnforceOutOfSecurityGroups", "Deny", {"ForAnyValue:StringEquals": {"lambda:SecurityGroupIds": ["sg-1", "sg-2"]}})
STAY_IN_VPC = doc("EnforceStayInSpecificVpc", "Allow", {"StringEquals": {"lambda:VpcIds": ["vpc-1", "vpc-2"]}})
STAY_IN_SUBNETS = doc("EnforceStayInSpecificSubnets", "Allow", {"ForAllValues:StringEquals": {"lambda:SubnetIds": ["subnet-1", "subnet-2"]}})
STAY_IN_SG = doc("EnforceStayInSpecificSecurityGroup", "Allow", {"ForAllValues:StringEquals": {"lambda:SecurityGroupIds": ["sg-1", "sg-2"]}})
ALLOW_LAMBDA = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "lambda:*", "Resource": "*"}]})


def entry(key, values, typ):
    return {"ContextKeyName": key, "ContextKeyValues": values, "ContextKeyType": typ}


VPC_1 = [entry("lambda:VpcIds", ["vpc-1"], "string"), entry("lambda:SubnetIds", ["subnet-1"], "stringList"),
         entry("lambda:SecurityGroupIds", ["sg-1"], "stringList")]
VPC_9 = [entry("lambda:VpcIds", ["vpc-9"], "string"), entry("lambda:SubnetIds", ["subnet-9", "subnet-1"], "stringList"),
         entry("lambda:SecurityGroupIds", ["sg-9"], "stringList")]


@pytest.fixture
def iam(server):
    return server.client("iam")


@pytest.mark.parametrize("policies,context,decision", [
    ([ALLOW_LAMBDA, ENFORCE_VPC], [], "explicitDeny"),
    ([ALLOW_LAMBDA, ENFORCE_VPC], VPC_9, "allowed"),
    ([ALLOW_LAMBDA, OUT_OF_VPC], VPC_1, "explicitDeny"),
    ([ALLOW_LAMBDA, OUT_OF_VPC], VPC_9, "allowed"),
    ([ALLOW_LAMBDA, OUT_OF_SUBNET], VPC_9, "explicitDeny"),
    ([ALLOW_LAMBDA, OUT_OF_SUBNET], [], "allowed"),
    ([ALLOW_LAMBDA, OUT_OF_SG], VPC_1, "explicitDeny"),
    ([ALLOW_LAMBDA, OUT_OF_SG], VPC_9, "allowed"),
    ([STAY_IN_VPC], VPC_1, "allowed"),
    ([STAY_IN_VPC], VPC_9, "implicitDeny"),
    ([STAY_IN_VPC], [], "implicitDeny"),
    ([STAY_IN_SUBNETS], VPC_1, "allowed"),
    ([STAY_IN_SUBNETS], VPC_9, "implicitDeny"),
    ([STAY_IN_SG], VPC_1, "allowed"),
    ([STAY_IN_SG], VPC_9, "implicitDeny"),
])
def test_simulate_custom_policy_seed_policies(iam, policies, context, decision):
    r = iam.simulate_custom_policy(PolicyInputList=policies, ActionNames=["lambda:CreateFunction"], ContextEntries=context)
    [result] = r["EvaluationResults"]
    assert result["EvalActionName"] == "lambda:CreateFunction"
    assert result["EvalResourceName"] == "*"
    assert result["EvalDecision"] == decision


def test_simulate_reports_matched_statements_and_missing_context(iam):
    r = iam.simulate_custom_policy(PolicyInputList=[ALLOW_LAMBDA, ENFORCE_VPC],
                                   ActionNames=["lambda:CreateFunction", "lambda:GetFunction"])
    create, get = r["EvaluationResults"]
    assert create["EvalDecision"] == "explicitDeny"
    assert [m["SourcePolicyId"] for m in create["MatchedStatements"]] == ["PolicyInputList.2"]
    assert create["MatchedStatements"][0]["StartPosition"]["Line"] == 1
    assert create["MissingContextValues"] == ["lambda:VpcIds"]
    assert get["EvalDecision"] == "allowed"
    assert [m["SourcePolicyId"] for m in get["MatchedStatements"]] == ["PolicyInputList.1"]
    stay = iam.simulate_custom_policy(PolicyInputList=[STAY_IN_VPC], ActionNames=["lambda:CreateFunction"])
    assert stay["EvaluationResults"][0]["MissingContextValues"] == ["lambda:VpcIds"]


def test_simulate_principal_policy_uses_user_group_and_attached_policies(iam):
    user, group = f"sim-{uuid.uuid4().hex[:8]}", f"simg-{uuid.uuid4().hex[:8]}"
    arn = iam.create_user(UserName=user)["User"]["Arn"]
    iam.put_user_policy(UserName=user, PolicyName="vpc-only", PolicyDocument=ENFORCE_VPC)
    iam.create_group(GroupName=group)
    iam.add_user_to_group(GroupName=group, UserName=user)
    iam.attach_group_policy(GroupName=group, PolicyArn="arn:aws:iam::aws:policy/AWSLambda_FullAccess")
    r = iam.simulate_principal_policy(PolicySourceArn=arn, ActionNames=["lambda:CreateFunction"])
    [res] = r["EvaluationResults"]
    assert res["EvalDecision"] == "explicitDeny"
    assert res["MatchedStatements"][0]["SourcePolicyId"] == "vpc-only"
    assert res["MatchedStatements"][0]["SourcePolicyType"] == "user"
    r = iam.simulate_principal_policy(PolicySourceArn=arn, ActionNames=["lambda:CreateFunction", "ec2:RunInstances"],
                                      ContextEntries=VPC_9)
    decisions = {x["EvalActionName"]: x["EvalDecision"] for x in r["EvaluationResults"]}
    assert decisions == {"lambda:CreateFunction": "allowed", "ec2:RunInstances": "implicitDeny"}
    allowed = [x for x in r["EvaluationResults"] if x["EvalActionName"] == "lambda:CreateFunction"][0]
    assert allowed["MatchedStatements"][0]["SourcePolicyType"] == "aws-managed"


def test_simulate_with_resource_arns(iam):
    policy = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "lambda:InvokeFunction",
                                                                 "Resource": f"arn:aws:lambda:*:{ACCOUNT}:function:team-*"}]})
    r = iam.simulate_custom_policy(PolicyInputList=[policy], ActionNames=["lambda:InvokeFunction"],
                                   ResourceArns=[f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:team-api",
                                                 f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:other"])
    assert [x["EvalDecision"] for x in r["EvaluationResults"]] == ["allowed", "implicitDeny"]


def test_cli_simulate_principal_policy_with_context_entries(server):
    iam = server.client("iam")
    user = f"cli-sim-{uuid.uuid4().hex[:8]}"
    arn = iam.create_user(UserName=user)["User"]["Arn"]
    iam.put_user_policy(UserName=user, PolicyName="allow", PolicyDocument=ALLOW_LAMBDA)
    iam.put_user_policy(UserName=user, PolicyName="deny-vpcs", PolicyDocument=OUT_OF_VPC)
    _, out, _ = server.aws("iam", "simulate-principal-policy", "--policy-source-arn", arn,
                           "--action-names", "lambda:CreateFunction",
                           "--context-entries", "ContextKeyName=lambda:VpcIds,ContextKeyValues=vpc-1,ContextKeyType=string")
    assert out["EvaluationResults"][0]["EvalDecision"] == "explicitDeny"
    _, out, _ = server.aws("iam", "simulate-principal-policy", "--policy-source-arn", arn,
                           "--action-names", "lambda:CreateFunction",
                           "--context-entries", "ContextKeyName=lambda:VpcIds,ContextKeyValues=vpc-3,ContextKeyType=string")
    assert out["EvaluationResults"][0]["EvalDecision"] == "allowed"


def test_cli_simulate_custom_policy_string_list(server):
    _, out, _ = server.aws("iam", "simulate-custom-policy", "--policy-input-list", STAY_IN_SUBNETS,
                           "--action-names", "lambda:CreateFunction",
                           "--context-entries",
                           "ContextKeyName=lambda:SubnetIds,ContextKeyValues=subnet-1,subnet-2,ContextKeyType=stringList")
    assert out["EvaluationResults"][0]["EvalDecision"] == "allowed"
    _, out, _ = server.aws("iam", "simulate-custom-policy", "--policy-input-list", STAY_IN_SUBNETS,
                           "--action-names", "lambda:CreateFunction",
                           "--context-entries",
                           "ContextKeyName=lambda:SubnetIds,ContextKeyValues=subnet-1,subnet-3,ContextKeyType=stringList")
    assert out["EvaluationResults"][0]["EvalDecision"] == "implicitDeny"
