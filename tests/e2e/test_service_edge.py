"""The service edge: "public AWS" at 198.18.0.0/15 on the simulated internet. Functions reach it over HTTPS with the
SDK's defaults (the data dir's CA is trusted through the standard bundle paths and variables), through the lambda
network without VpcConfig and through a NAT gateway from a VPC; a private subnet without a way out times out. Under
--enforce-iam a policy condition on aws:SourceIp sees the NAT gateway's Elastic IP.

Until the DNS resolver lands, the function code maps AWS's names to their edge addresses itself (a getaddrinfo
wrapper inside the test function, nothing in the server): the rest is the SDK's default endpoint and TLS checks."""
import functools
import importlib
import io
import json
import os
import sys
import time
import zipfile

import pytest

from conftest import ACCOUNT, REGION, Server, lambda_role
from invoke_support import wait_active
from lambda_support import unique
from network_support import (doctor, fabric_tag, namespaces, require_net_admin, run_instance, wait_console, wait_for,
                             wait_running)

# ServiceEdge.swift: 198.18.<region slot>.<service index + 1>; us-east-1 is slot 14 (AWSRegions.all), ec2 is
# service 0, sts 2, lambda 3.
EDGE = {"ec2": "198.18.14.1", "sts": "198.18.14.3", "lambda": "198.18.14.4"}

EDGE_FUNCTION = """
import json, os, socket, time
EDGE = %s
_real = socket.getaddrinfo
def _edge_names(host, *args, **kw):
    # Stands in for the VPC's DNS resolver: sts.us-east-1.amazonaws.com -> its edge address.
    service = str(host).split(".")[0]
    if str(host).endswith(".amazonaws.com") and service in EDGE:
        host = EDGE[service]
    return _real(host, *args, **kw)
socket.getaddrinfo = _edge_names

import boto3, botocore.config

def handler(event, context):
    if event.get("probe"):
        s = socket.socket(); s.settimeout(event["probe"])
        began = time.time()
        try:
            s.connect((EDGE["sts"], 443)); return {"connected": True}
        except OSError as e:
            return {"connected": False, "error": str(e) or type(e).__name__, "seconds": time.time() - began}
        finally:
            s.close()
    creds = {}
    if event.get("key"):
        creds = dict(aws_access_key_id=event["key"], aws_secret_access_key=event["secret"], aws_session_token=None)
    cfg = botocore.config.Config(retries={"max_attempts": 1}, connect_timeout=2, read_timeout=5)
    out = {"env": {k: os.environ.get(k) for k in ("AWS_CA_BUNDLE", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "NODE_EXTRA_CA_CERTS")}}
    with open("/etc/ssl/certs/ca-certificates.crt") as f:
        out["system_bundle"] = f.read()
    try:
        if event.get("call") == "ec2":
            url = "http://ec2.us-east-1.amazonaws.com" if event.get("scheme") == "http" else None
            ec2 = boto3.client("ec2", config=cfg, endpoint_url=url, **creds)
            out["vpcs"] = len(ec2.describe_vpcs()["Vpcs"])
        else:
            sts = boto3.client("sts", config=cfg, **creds)
            out["identity"] = sts.get_caller_identity()
            out["identity"].pop("ResponseMetadata")
            out["url"] = sts.meta.endpoint_url
            plain = boto3.client("sts", config=cfg, endpoint_url="http://" + EDGE["sts"], **creds)
            out["plain"] = plain.get_caller_identity()["Account"]
            import urllib.request, urllib.error
            try:
                urllib.request.urlopen("http://" + EDGE["sts"] + "/_lambda-vpc/health", timeout=3)
                out["internal"] = "answered"
            except urllib.error.HTTPError as e:
                out["internal"] = e.code
    except Exception as e:
        out["error"] = type(e).__name__ + ": " + str(e)
    return out
""" % json.dumps(EDGE)


@functools.lru_cache(maxsize=1)
def package_with_boto3():
    """index.py with boto3 and its dependencies from the tests' own site-packages (AWS's runtimes bring boto3, the
    interpreters here do not), botocore's models cut to the services called."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        info = zipfile.ZipInfo("index.py")
        info.external_attr = 0o100644 << 16  # readable by the function's user
        z.writestr(info, EDGE_FUNCTION)
        for name in ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six"):
            path = importlib.import_module(name).__file__
            if os.path.basename(path) != "__init__.py":
                z.write(path, os.path.basename(path))
                continue
            root = os.path.dirname(path)
            for d, _, files in os.walk(root):
                rel = os.path.relpath(d, os.path.dirname(root))
                parts = rel.split(os.sep)
                if "__pycache__" in parts or (parts[:2] == ["botocore", "data"] and len(parts) > 2
                                              and parts[2] not in ("sts", "ec2", "lambda")):
                    continue
                for f in files:
                    if not f.endswith(".pyc"):
                        z.write(os.path.join(d, f), os.path.join(rel, f))
    return buf.getvalue()


def deploy_edge_function(lam, role, vpc=None):
    name = unique("edge")
    args = dict(FunctionName=name, Runtime="python3.12", Handler="index.handler", Role=role, Timeout=15,
                MemorySize=512, Code={"ZipFile": package_with_boto3()})
    if vpc:
        args["VpcConfig"] = vpc
    lam.create_function(**args)
    wait_active(lam, name)
    return name


def call(lam, name, event):
    r = lam.invoke(FunctionName=name, Payload=json.dumps(event).encode())
    body = json.loads(r["Payload"].read())
    assert "FunctionError" not in r, body
    return body


def private_network(ec2):
    vpc = ec2.create_vpc(CidrBlock="10.91.0.0/16")["Vpc"]["VpcId"]
    public = ec2.create_subnet(VpcId=vpc, CidrBlock="10.91.1.0/24")["Subnet"]["SubnetId"]
    private = ec2.create_subnet(VpcId=vpc, CidrBlock="10.91.2.0/24")["Subnet"]["SubnetId"]
    sg = ec2.create_security_group(VpcId=vpc, GroupName=unique("fn"), Description="edge test")["GroupId"]
    private_rtb = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.associate_route_table(RouteTableId=private_rtb, SubnetId=private)
    return vpc, public, private, sg, private_rtb


def add_nat(ec2, vpc, public, private_rtb):
    """An internet gateway for the public subnet, a NAT gateway in it, and the private table's default route to it;
    returns the NAT's Elastic IP."""
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    public_rtb = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.associate_route_table(RouteTableId=public_rtb, SubnetId=public)
    ec2.create_route(RouteTableId=public_rtb, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    eip = ec2.allocate_address(Domain="vpc")
    nat = ec2.create_nat_gateway(SubnetId=public, AllocationId=eip["AllocationId"])["NatGateway"]["NatGatewayId"]
    wait_for(lambda: ec2.describe_nat_gateways(NatGatewayIds=[nat])["NatGateways"][0]["State"] == "available",
             "the NAT gateway to be available")
    ec2.create_route(RouteTableId=private_rtb, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat)
    return eip["PublicIp"]


@pytest.fixture(scope="module")
def edge_server():
    require_net_admin()
    s = Server(extra_args=["--eni-create-delay", "0ms", "--nat-create-delay", "100ms"]).start()
    yield s
    s.cleanup()


def test_a_function_without_vpc_config_calls_sts_over_https_with_sdk_defaults(edge_server):
    lam = edge_server.client("lambda")
    name = deploy_edge_function(lam, lambda_role(edge_server, vpc=False))
    out = call(lam, name, {})
    assert "error" not in out, out
    assert out["url"] == "https://sts.us-east-1.amazonaws.com", "the SDK's default endpoint"
    assert out["identity"]["Account"] == ACCOUNT and out["plain"] == ACCOUNT, "HTTPS on :443 and HTTP on :80"
    assert out["internal"] in (400, 403), f"the host endpoint's internal paths are not on public AWS: {out['internal']}"
    bundle = "/etc/ssl/certs/ca-certificates.crt"
    assert out["env"] == {k: bundle for k in ("AWS_CA_BUNDLE", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "NODE_EXTRA_CA_CERTS")}
    with open(os.path.join(edge_server.data_dir, "ca", "ca.pem")) as f:
        ca = f.read()
    with open(bundle) as f:
        host_bundle = f.read()
    assert ca.strip() in out["system_bundle"] and out["system_bundle"].startswith(host_bundle), \
        "the function's system bundle is the host's plus the data dir's CA"
    assert ca.strip() not in host_bundle, "the host's own trust store is untouched"
    # The host endpoint keeps serving everything.
    assert edge_server.client("sts").get_caller_identity()["Account"] == ACCOUNT
    tag = fabric_tag(edge_server)
    assert f"lv-{tag}-edge" in namespaces(tag)
    report = doctor(edge_server)
    assert report.returncode == 0 and "kernel matches the store" in report.stdout, report.stdout + report.stderr


NODE_FUNCTION = """
const https = require('https');
exports.handler = (event) => new Promise((resolve) => {
  // No DNS yet: connect to the edge address, verify the certificate for the STS name (SNI and name check).
  const req = https.request({host: event.address, servername: 'sts.us-east-1.amazonaws.com', path: '/', method: 'POST',
                             headers: {'Host': 'sts.us-east-1.amazonaws.com',
                                       'Content-Type': 'application/x-www-form-urlencoded'}}, (res) => {
    let body = '';
    res.on('data', (c) => body += c);
    res.on('end', () => resolve({status: res.statusCode, body: body.slice(0, 300)}));
  });
  req.on('error', (e) => resolve({error: e.code || String(e)}));
  req.end('Action=GetCallerIdentity&Version=2011-06-15');
});
"""


def test_node_trusts_the_edge_through_node_extra_ca_certs(edge_server):
    lam = edge_server.client("lambda")
    name = unique("node-edge")
    lam.create_function(FunctionName=name, Runtime="nodejs20.x", Handler="index.handler", Timeout=10,
                        Role=lambda_role(edge_server, vpc=False), Code={"ZipFile": node_package()})
    wait_active(lam, name)
    out = call(lam, name, {"address": EDGE["sts"]})
    # Unsigned, so STS refuses it: what matters is that the TLS handshake and certificate check passed.
    assert out.get("status") == 403 and "MissingAuthenticationToken" in out["body"], out


def node_package():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        info = zipfile.ZipInfo("index.js")
        info.external_attr = 0o100644 << 16
        z.writestr(info, NODE_FUNCTION)
    return buf.getvalue()


def test_the_ca_is_made_once_per_data_dir_and_the_edge_goes_with_the_server(edge_server):
    path = os.path.join(edge_server.data_dir, "ca", "ca.pem")
    with open(path) as f:
        before = f.read()
    assert oct(os.stat(os.path.join(edge_server.data_dir, "ca", "ca-key.pem")).st_mode & 0o777) == "0o600"
    tag = fabric_tag(edge_server)
    edge_server.stop()
    assert namespaces(tag) == [], "a stop removes the edge with the rest of the fabric"
    edge_server.start()
    with open(path) as f:
        assert f.read() == before, "a restart keeps the CA functions already trust"

    # After a kill -9 the next server listens in the edge again (the old one's sockets died with it).
    lam = edge_server.client("lambda")
    name = deploy_edge_function(lam, lambda_role(edge_server, vpc=False))
    assert "error" not in call(lam, name, {})
    assert f"lv-{tag}-edge" in namespaces(tag)
    edge_server.kill9()
    edge_server.start()
    out = call(lam, name, {})
    assert "error" not in out and out["identity"]["Account"] == ACCOUNT, out


def test_private_subnet_times_out_until_a_nat_gateway_route_exists(edge_server):
    ec2, lam = edge_server.client("ec2"), edge_server.client("lambda")
    vpc, public, private, sg, private_rtb = private_network(ec2)
    name = deploy_edge_function(lam, lambda_role(edge_server), vpc={"SubnetIds": [private], "SecurityGroupIds": [sg]})
    probe = call(lam, name, {"probe": 1.0})
    assert probe["connected"] is False and probe["error"] == "timed out" and probe["seconds"] >= 0.9, \
        f"a connect timeout, not a refusal: {probe}"

    add_nat(ec2, vpc, public, private_rtb)
    out = call(lam, name, {})
    assert "error" not in out, out
    assert out["identity"]["Account"] == ACCOUNT


INSTANCE_SCRIPT = """#!%s
import json, socket, boto3
_real = socket.getaddrinfo
socket.getaddrinfo = lambda host, *a, **kw: _real(%r if host == "sts.us-east-1.amazonaws.com" else host, *a, **kw)
with open("/etc/ssl/certs/ca-certificates.crt") as f:
    bundle = f.read()
try:
    who = boto3.client("sts", region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test").get_caller_identity()
    print("IDENTITY", who["Account"], flush=True)
except Exception as e:
    print("FAILED", type(e).__name__, e, flush=True)
print("BUNDLE", "lambda-vpc" in bundle, flush=True)
""" % (sys.executable, EDGE["sts"])


def test_an_instance_behind_a_nat_gateway_trusts_the_edge(edge_server):
    ec2 = edge_server.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.92.0.0/16")["Vpc"]["VpcId"]
    public = ec2.create_subnet(VpcId=vpc, CidrBlock="10.92.1.0/24")["Subnet"]["SubnetId"]
    private = ec2.create_subnet(VpcId=vpc, CidrBlock="10.92.2.0/24")["Subnet"]["SubnetId"]
    sg = ec2.create_security_group(VpcId=vpc, GroupName=unique("vm"), Description="edge test")["GroupId"]
    rtb = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.associate_route_table(RouteTableId=rtb, SubnetId=private)
    add_nat(ec2, vpc, public, rtb)
    i, _ = run_instance(ec2, private, [sg], INSTANCE_SCRIPT)
    wait_running(ec2, i)
    lines = wait_console(ec2, i, lambda ls: any(l.startswith("BUNDLE") for l in ls), what="the script's report")
    assert lines == [f"IDENTITY {ACCOUNT}", "BUNDLE True"], lines
    ec2.terminate_instances(InstanceIds=[i])


@pytest.fixture(scope="module")
def enforced_edge():
    require_net_admin()
    s = Server(extra_args=["--enforce-iam", "--eni-create-delay", "0ms", "--nat-create-delay", "100ms"]).start()
    yield s
    s.cleanup()


def test_source_ip_condition_sees_the_nat_gateways_elastic_ip(enforced_edge):
    ec2, lam, iam = enforced_edge.client("ec2"), enforced_edge.client("lambda"), enforced_edge.client("iam")
    vpc, public, private, sg, private_rtb = private_network(ec2)
    nat_ip = add_nat(ec2, vpc, public, private_rtb)
    user = unique("edge")
    iam.create_user(UserName=user)
    iam.put_user_policy(UserName=user, PolicyName="from-nat", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ec2:DescribeVpcs", "Resource": "*",
                                                "Condition": {"IpAddress": {"aws:SourceIp": f"{nat_ip}/32"}}}]}))
    k = iam.create_access_key(UserName=user)["AccessKey"]
    event = {"call": "ec2", "key": k["AccessKeyId"], "secret": k["SecretAccessKey"]}

    in_vpc = deploy_edge_function(lam, lambda_role(enforced_edge), vpc={"SubnetIds": [private], "SecurityGroupIds": [sg]})
    outside = deploy_edge_function(lam, lambda_role(enforced_edge, vpc=False))
    out = call(lam, in_vpc, event)
    assert out.get("vpcs", 0) >= 1 and "error" not in out, f"allowed from the NAT's Elastic IP {nat_ip}: {out}"
    denied = call(lam, outside, event)
    assert "UnauthorizedOperation" in denied.get("error", ""), f"the lambda network's address is not the NAT's: {denied}"
    host = enforced_edge.client("ec2", key=k["AccessKeyId"], secret=k["SecretAccessKey"])
    with pytest.raises(Exception) as e:
        host.describe_vpcs()
    assert "UnauthorizedOperation" in str(e.value), "nor is the host endpoint's"


def test_secure_transport_is_true_over_https_only(enforced_edge):
    lam, iam = enforced_edge.client("lambda"), enforced_edge.client("iam")
    user = unique("tls")
    iam.create_user(UserName=user)
    iam.put_user_policy(UserName=user, PolicyName="tls-only", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ec2:DescribeVpcs", "Resource": "*",
                                                "Condition": {"Bool": {"aws:SecureTransport": "true"}}}]}))
    k = iam.create_access_key(UserName=user)["AccessKey"]
    fn = deploy_edge_function(lam, lambda_role(enforced_edge, vpc=False))
    event = {"call": "ec2", "key": k["AccessKeyId"], "secret": k["SecretAccessKey"]}
    https = call(lam, fn, event)
    assert "error" not in https and "vpcs" in https, https
    plain = call(lam, fn, dict(event, scheme="http"))
    assert "UnauthorizedOperation" in plain.get("error", ""), f"port 80 is not secure transport: {plain}"
