"""The six example policies of Lambda's "Using IAM condition keys for VPC settings" (configuration-vpc), enforced on a
`--enforce-iam` server for a user calling with its own access key, through boto3 and the AWS CLI; the simulator,
given the same condition keys, decides as the enforcer did."""
import json
import os
import tempfile

import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, REGION, Server, lambda_role
from lambda_support import make_network, make_zip, unique

ACTIONS = ["lambda:CreateFunction", "lambda:UpdateFunctionConfiguration"]


def statement(sid, effect, operator, key, values):
    return {"Sid": sid, "Action": ACTIONS, "Effect": effect, "Resource": "*", "Condition": {operator: {key: values}}}


# The seed's policies, with its placeholder ids (vpc-1, subnet-1, sg-1...) standing for ids this server made.
SEED = {
    "EnforceVPCFunction": lambda n: statement("EnforceVPCFunction", "Deny", "Null", "lambda:VpcIds", "true"),
    "EnforceOutOfVPC": lambda n: statement("EnforceOutOfVPC", "Deny", "StringEquals", "lambda:VpcIds", [n.vpc1, n.vpc2]),
    "EnforceOutOfSubnet": lambda n: statement("EnforceOutOfSubnet", "Deny", "ForAnyValue:StringEquals",
                                              "lambda:SubnetIds", [n.subnet1, n.subnet2]),
    "EnforceOutOfSecurityGroups": lambda n: statement("EnforceOutOfSecurityGroups", "Deny", "ForAnyValue:StringEquals",
                                                      "lambda:SecurityGroupIds", [n.sg1, n.sg2]),
    "EnforceStayInSpecificVpc": lambda n: statement("EnforceStayInSpecificVpc", "Allow", "StringEquals",
                                                    "lambda:VpcIds", [n.vpc1, n.vpc2]),
    "EnforceStayInSpecificSubnets": lambda n: statement("EnforceStayInSpecificSubnets", "Allow", "ForAllValues:StringEquals",
                                                        "lambda:SubnetIds", [n.subnet1, n.subnet2]),
    "EnforceStayInSpecificSecurityGroup": lambda n: statement("EnforceStayInSpecificSecurityGroup", "Allow",
                                                              "ForAllValues:StringEquals", "lambda:SecurityGroupIds",
                                                              [n.sg1, n.sg2]),
}


class Network:
    """Three VPCs: 1 (subnets 1 and 1b, groups 1 and 1b), 2 (subnet 2, group 2) and 3 (subnet 3, group 3)."""

    def __init__(self, ec2):
        self.vpc1, (self.subnet1, self.subnet1b), (self.sg1, self.sg1b) = make_network(
            ec2, "10.61.0.0/16", ("10.61.1.0/24", "10.61.2.0/24"), groups=2)
        self.vpc2, (self.subnet2,), (self.sg2,) = make_network(ec2, "10.62.0.0/16", ("10.62.1.0/24",))
        self.vpc3, (self.subnet3,), (self.sg3,) = make_network(ec2, "10.63.0.0/16", ("10.63.1.0/24",))
        self.vpc_of = {self.subnet1: self.vpc1, self.subnet1b: self.vpc1, self.subnet2: self.vpc2, self.subnet3: self.vpc3}


@pytest.fixture(scope="module")
def world():
    s = Server(extra_args=["--enforce-iam", "--eni-create-delay", "0ms"]).start()
    role = lambda_role(s)
    net = Network(s.client("ec2"))
    yield s, role, net
    s.cleanup()


def make_user(server, role, seed_sid, net):
    """A user with the seed policy; deny examples also get an Allow for Lambda, as they only restrict one."""
    iam = server.client("iam")
    name = unique("dev")
    iam.create_user(UserName=name)
    statements = [SEED[seed_sid](net),
                  {"Effect": "Allow", "Action": "iam:PassRole", "Resource": role},
                  {"Effect": "Allow", "Action": ["lambda:Get*", "lambda:List*", "ec2:Describe*"], "Resource": "*"}]
    if statements[0]["Effect"] == "Deny":
        statements.append({"Effect": "Allow", "Action": "lambda:*", "Resource": "*"})
    iam.put_user_policy(UserName=name, PolicyName=seed_sid,
                        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": statements}))
    k = iam.create_access_key(UserName=name)["AccessKey"]
    return name, k["AccessKeyId"], k["SecretAccessKey"]


def denial(user, action, fn, explicit):
    why = "with an explicit deny in an identity-based policy" if explicit else \
        f"because no identity-based policy allows the {action} action"
    return (f"User: arn:aws:iam::{ACCOUNT}:user/{user} is not authorized to perform: {action} on resource: "
            f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{fn} {why}")


def create_boto3(server, key, secret, role, name, vpc):
    lam = server.client("lambda", key=key, secret=secret)
    args = dict(FunctionName=name, Runtime="python3.12", Handler="index.handler", Role=role, Code={"ZipFile": make_zip()})
    if vpc is not None:
        args["VpcConfig"] = {"SubnetIds": vpc[0], "SecurityGroupIds": vpc[1]}
    try:
        lam.create_function(**args)
        return None
    except ClientError as e:
        return e.response["ResponseMetadata"]["HTTPStatusCode"], e.response["Error"]["Code"], e.response["Error"]["Message"]


def create_cli(server, key, secret, role, name, vpc):
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "function.zip")
        with open(path, "wb") as f:
            f.write(make_zip())
        args = ["lambda", "create-function", "--function-name", name, "--runtime", "python3.12", "--handler",
                "index.handler", "--zip-file", f"fileb://{path}", "--role", role]
        if vpc is not None:
            lists = [f"[{','.join(ids)}]" if not ids else ','.join(ids) for ids in vpc]
            args += ["--vpc-config", f"SubnetIds={lists[0]},SecurityGroupIds={lists[1]}"]
        code, _, err = server.aws(*args, check=False, AWS_ACCESS_KEY_ID=key, AWS_SECRET_ACCESS_KEY=secret)
    return None if code == 0 else err.strip()


def simulate(server, user, net, vpc, action="lambda:CreateFunction"):
    entries = []
    if vpc is not None and vpc[0]:
        entries = [
            {"ContextKeyName": "lambda:VpcIds", "ContextKeyValues": [net.vpc_of[vpc[0][0]]], "ContextKeyType": "string"},
            {"ContextKeyName": "lambda:SubnetIds", "ContextKeyValues": vpc[0], "ContextKeyType": "stringList"},
            {"ContextKeyName": "lambda:SecurityGroupIds", "ContextKeyValues": vpc[1], "ContextKeyType": "stringList"},
        ]
    r = server.client("iam").simulate_principal_policy(
        PolicySourceArn=f"arn:aws:iam::{ACCOUNT}:user/{user}", ActionNames=[action], ContextEntries=entries)
    return r["EvaluationResults"][0]["EvalDecision"]


def check(world, sid, allowed, denied):
    """Each call in `allowed` succeeds and each in `denied` is refused with Lambda's AccessDeniedException, through
    boto3 and the CLI; the simulator agrees in every case. A call is (subnets, groups), or None for no VpcConfig."""
    server, role, net = world
    user, key, secret = make_user(server, role, sid, net)
    explicit = SEED[sid](net)["Effect"] == "Deny"
    for vpc in allowed:
        assert create_boto3(server, key, secret, role, unique("ok"), vpc) is None, (sid, vpc)
        assert create_cli(server, key, secret, role, unique("okcli"), vpc) is None, (sid, vpc)
        assert simulate(server, user, net, vpc) == "allowed", (sid, vpc)
    for vpc in denied:
        fn = unique("no")
        assert create_boto3(server, key, secret, role, fn, vpc) == (
            403, "AccessDeniedException", denial(user, "lambda:CreateFunction", fn, explicit)), (sid, vpc)
        fn = unique("nocli")
        err = create_cli(server, key, secret, role, fn, vpc)
        assert err == ("An error occurred (AccessDeniedException) when calling the CreateFunction operation: "
                       + denial(user, "lambda:CreateFunction", fn, explicit)), (sid, vpc)
        assert simulate(server, user, net, vpc) == ("explicitDeny" if explicit else "implicitDeny"), (sid, vpc)
    # Nothing was created by a denied call.
    names = {f["FunctionName"] for f in server.client("lambda").list_functions(MaxItems=1000)["Functions"]}
    assert not any(n.startswith("no-") or n.startswith("nocli-") for n in names)
    return user, key, secret


def test_enforce_vpc_function(world):
    _, _, net = world
    check(world, "EnforceVPCFunction",
          allowed=[([net.subnet1], [net.sg1]), ([net.subnet3], [net.sg3])],
          denied=[None, ([], [])])


def test_deny_specific_vpcs(world):
    _, _, net = world
    check(world, "EnforceOutOfVPC",
          allowed=[None, ([net.subnet3], [net.sg3])],
          denied=[([net.subnet1], [net.sg1]), ([net.subnet2], [net.sg2])])


def test_deny_specific_subnets(world):
    _, _, net = world
    check(world, "EnforceOutOfSubnet",
          allowed=[None, ([net.subnet1b], [net.sg1]), ([net.subnet3], [net.sg3])],
          denied=[([net.subnet1], [net.sg1]), ([net.subnet1b, net.subnet1], [net.sg1]), ([net.subnet2], [net.sg2])])


def test_deny_specific_security_groups(world):
    _, _, net = world
    check(world, "EnforceOutOfSecurityGroups",
          allowed=[None, ([net.subnet1], [net.sg1b]), ([net.subnet3], [net.sg3])],
          denied=[([net.subnet1], [net.sg1]), ([net.subnet1], [net.sg1b, net.sg1]), ([net.subnet2], [net.sg2])])


def test_allow_only_specific_vpcs(world):
    _, _, net = world
    # Without VpcConfig the key is absent, and StringEquals on an absent key does not match: no Allow.
    check(world, "EnforceStayInSpecificVpc",
          allowed=[([net.subnet1], [net.sg1]), ([net.subnet2], [net.sg2])],
          denied=[([net.subnet3], [net.sg3]), None])


def test_allow_only_specific_subnets(world):
    _, _, net = world
    # ForAllValues holds for an absent key (AWS's empty-set rule): a function outside any VPC is allowed too.
    check(world, "EnforceStayInSpecificSubnets",
          allowed=[([net.subnet1], [net.sg1]), ([net.subnet2], [net.sg2]), None],
          denied=[([net.subnet1, net.subnet1b], [net.sg1]), ([net.subnet3], [net.sg3])])


def test_allow_only_specific_security_groups(world):
    _, _, net = world
    check(world, "EnforceStayInSpecificSecurityGroup",
          allowed=[([net.subnet1], [net.sg1]), ([net.subnet2], [net.sg2]), None],
          denied=[([net.subnet1], [net.sg1, net.sg1b]), ([net.subnet3], [net.sg3])])


def test_update_function_configuration_under_enforce_vpc_function(world):
    """UpdateFunctionConfiguration carries the VPC keys of the configuration the function will have: the request's
    VpcConfig, else the function's current one (docs/IAM.md). So a VPC function can be updated without repeating its
    VpcConfig, while detaching it or updating a function outside any VPC is denied."""
    server, role, net = world
    user, key, secret = make_user(server, role, "EnforceVPCFunction", net)
    lam = server.client("lambda", key=key, secret=secret)
    fn = unique("upd")
    assert create_boto3(server, key, secret, role, fn, ([net.subnet1], [net.sg1])) is None
    server.client("lambda").get_waiter("function_active_v2").wait(FunctionName=fn)
    lam.update_function_configuration(FunctionName=fn, Description="no VpcConfig in this request")
    server.client("lambda").get_waiter("function_updated_v2").wait(FunctionName=fn)
    code, _, err = server.aws("lambda", "update-function-configuration", "--function-name", fn,
                              "--vpc-config", "SubnetIds=[],SecurityGroupIds=[]", check=False,
                              AWS_ACCESS_KEY_ID=key, AWS_SECRET_ACCESS_KEY=secret)
    assert code != 0
    assert ("An error occurred (AccessDeniedException) when calling the UpdateFunctionConfiguration operation: "
            + denial(user, "lambda:UpdateFunctionConfiguration", fn, True)) == err.strip()
    assert server.client("lambda").get_function_configuration(FunctionName=fn)["VpcConfig"]["SubnetIds"] == [net.subnet1]
    assert simulate(server, user, net, None, "lambda:UpdateFunctionConfiguration") == "explicitDeny"
    assert simulate(server, user, net, ([net.subnet1], [net.sg1]), "lambda:UpdateFunctionConfiguration") == "allowed"
