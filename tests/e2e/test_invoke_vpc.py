"""A VPC function runs once its Hyperplane ENIs exist (network wiring of the environment is the fabric's concern)."""
import json

from conftest import Server
from invoke_support import deploy, invoke
from lambda_support import make_network


def test_vpc_function_invokes_after_becoming_active():
    s = Server(extra_args=["--eni-create-delay", "0ms"]).start()
    try:
        lam = s.client("lambda")
        _, subnets, sgs = make_network(s.client("ec2"))
        name = deploy(lam, VpcConfig={"SubnetIds": subnets, "SecurityGroupIds": sgs})
        r, body = invoke(lam, name, {"vpc": True})
        assert r["StatusCode"] == 200 and "FunctionError" not in r
        assert json.loads(body)["event"] == {"vpc": True}
    finally:
        s.cleanup()
