"""State survives the server's end: a clean SIGTERM stop, and `kill -9` in the middle of writes.
Also how the process stops: SIGTERM/SIGINT end it within seconds with exit code 0."""
import http.client
import os
import signal
import threading
import time

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

WRITER_THREADS = 4
# One attempt per call: a retried create could be acknowledged twice or hide a lost write.
NO_RETRY = Config(retries={"total_max_attempts": 1, "mode": "standard"}, connect_timeout=5, read_timeout=30)


def by_id(items, key):
    return {item[key]: item for item in items}


def test_clean_restart_serves_exactly_the_same_vpcs(fresh_server):
    ec2 = fresh_server.client("ec2")
    created = [ec2.create_vpc(CidrBlock=f"10.{i}.0.0/16")["Vpc"]["VpcId"] for i in range(5)]
    dedicated = ec2.create_vpc(CidrBlock="172.16.0.0/20", InstanceTenancy="dedicated")["Vpc"]["VpcId"]
    before = by_id(ec2.describe_vpcs()["Vpcs"], "VpcId")

    assert fresh_server.stop(signal.SIGTERM) == 0
    fresh_server.start()

    after = by_id(fresh_server.client("ec2").describe_vpcs()["Vpcs"], "VpcId")
    assert set(created + [dedicated]) <= set(after)
    assert after == before
    assert after[dedicated]["InstanceTenancy"] == "dedicated"
    assert after[dedicated]["CidrBlock"] == "172.16.0.0/20"


def test_clean_restart_keeps_subnets_security_groups_rules_and_tags(fresh_server):
    ec2 = fresh_server.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.1.0.0/16",
                         TagSpecifications=[{"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": "kept"}]}])["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.1.{i}.0/24", AvailabilityZone=az)["Subnet"]["SubnetId"]
               for i, az in enumerate(["us-east-1a", "us-east-1b"])]
    app = ec2.create_security_group(GroupName="app", Description="app", VpcId=vpc)["GroupId"]
    db = ec2.create_security_group(GroupName="db", Description="db", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=db, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "UserIdGroupPairs": [{"GroupId": app}]}])
    ec2.create_tags(Resources=[subnets[0]], Tags=[{"Key": "tier", "Value": "private"}])

    def world(client):
        return (by_id(client.describe_vpcs(VpcIds=[vpc])["Vpcs"], "VpcId"),
                by_id(client.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"], "SubnetId"),
                by_id(client.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["SecurityGroups"],
                      "GroupId"))

    before = world(ec2)
    assert fresh_server.stop(signal.SIGTERM) == 0
    fresh_server.start()
    after = world(fresh_server.client("ec2"))

    assert after == before
    vpcs, subs, groups = after
    assert vpcs[vpc]["Tags"] == [{"Key": "Name", "Value": "kept"}]
    assert set(subnets) == set(subs)
    assert {"Key": "tier", "Value": "private"} in subs[subnets[0]]["Tags"]
    rule = groups[db]["IpPermissions"][0]
    assert (rule["IpProtocol"], rule["FromPort"], rule["ToPort"]) == ("tcp", 5432, 5432)
    assert [p["GroupId"] for p in rule["UserIdGroupPairs"]] == [app]


def run_writers(server, write_one, at_least, timeout=60):
    """Runs WRITER_THREADS threads calling write_one(client, thread, i) in a loop; once `at_least` writes were
    acknowledged, kills the server with SIGKILL while the writers are still sending. Returns the acknowledged
    results."""
    acked, lock, stop = [], threading.Lock(), threading.Event()
    unexpected = []

    def writer(n):
        client = server.client("ec2", config=NO_RETRY)
        i = 0
        while not stop.is_set():
            try:
                result = write_one(client, n, i)
            except (BotoCoreError, ConnectionError):
                return  # the server is gone: this write was never acknowledged
            except ClientError as e:  # an error answer before the kill is a bug, not a crash effect
                unexpected.append(e.response["Error"])
                return
            with lock:
                acked.append(result)
            i += 1

    threads = [threading.Thread(target=writer, args=(n,), daemon=True) for n in range(WRITER_THREADS)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + timeout
    while len(acked) < at_least and time.monotonic() < deadline and not unexpected:
        time.sleep(0.01)
    assert not unexpected, unexpected
    assert len(acked) >= at_least, f"only {len(acked)} writes in {timeout}s"
    alive = sum(t.is_alive() for t in threads)
    server.kill9()
    stop.set()
    for t in threads:
        t.join(timeout=60)
    assert alive == WRITER_THREADS, "a writer had stopped before the kill: the kill would not be mid-write"
    assert not unexpected, unexpected
    return list(acked)


def test_kill_9_during_create_vpc_loses_no_acknowledged_write(fresh_server):
    acked = run_writers(fresh_server,
                        lambda ec2, n, i: ec2.create_vpc(CidrBlock=f"10.{(n * 60 + i) % 256}.0.0/16")["Vpc"]["VpcId"],
                        at_least=40)
    fresh_server.start()
    ec2 = fresh_server.client("ec2")
    present = {v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]}
    lost = set(acked) - present
    assert not lost, f"{len(lost)} acknowledged CreateVpc lost after kill -9: {sorted(lost)[:5]}"
    # At most one write per writer was in flight: anything beyond that appeared from nowhere.
    assert len(present) <= len(acked) + WRITER_THREADS
    # And the server goes on normally on the recovered state.
    new = ec2.create_vpc(CidrBlock="192.168.0.0/16")["Vpc"]["VpcId"]
    assert new not in present
    assert [v["VpcId"] for v in ec2.describe_vpcs(VpcIds=[new])["Vpcs"]] == [new]


def test_kill_9_during_security_group_and_subnet_writes_loses_nothing_acknowledged(fresh_server):
    ec2 = fresh_server.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]

    def write(client, n, i):
        if i % 2 == 0:
            return "sg", client.create_security_group(GroupName=f"w{n}-{i}", Description="load", VpcId=vpc)["GroupId"]
        # /28 subnets, each thread in its own quarter of the VPC: 1024 per thread, never overlapping.
        base = n * 1024 + i // 2
        cidr = f"10.0.{base * 16 // 256}.{base * 16 % 256}/28"
        return "subnet", client.create_subnet(VpcId=vpc, CidrBlock=cidr)["Subnet"]["SubnetId"]

    acked = run_writers(fresh_server, write, at_least=60)
    fresh_server.start()
    ec2 = fresh_server.client("ec2")
    groups = {g["GroupId"] for g in ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["SecurityGroups"]}
    subnets = {s["SubnetId"] for s in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"]}
    assert {i for kind, i in acked if kind == "sg"} <= groups
    assert {i for kind, i in acked if kind == "subnet"} <= subnets
    # The VPC's default group plus one possibly unacknowledged write per writer at most.
    assert len(groups) + len(subnets) <= len(acked) + 1 + WRITER_THREADS
    # A VPC with subnets still refuses deletion after recovery: the dependency survived too.
    try:
        ec2.delete_vpc(VpcId=vpc)
        raise AssertionError("DeleteVpc of a VPC with subnets succeeded after restart")
    except ClientError as e:
        assert e.response["Error"]["Code"] == "DependencyViolation"


def test_sigterm_stops_within_seconds_with_exit_code_0_even_with_an_open_connection(fresh_server):
    # boto3 keeps connections alive between calls; an idle one must not hold the shutdown up.
    conn = http.client.HTTPConnection("127.0.0.1", fresh_server.port, timeout=10)
    conn.request("GET", "/_lambda-vpc/health")
    assert conn.getresponse().read()
    started = time.monotonic()
    os.kill(fresh_server.pid, signal.SIGTERM)
    code = fresh_server.proc.wait(timeout=30)
    elapsed = time.monotonic() - started
    conn.close()
    assert code == 0, fresh_server.log()
    assert elapsed < 5, f"SIGTERM took {elapsed:.1f}s"


def test_sigint_stops_with_exit_code_0_and_the_same_data_dir_starts_again(fresh_server):
    vpc = fresh_server.client("ec2").create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    started = time.monotonic()
    os.kill(fresh_server.pid, signal.SIGINT)
    assert fresh_server.proc.wait(timeout=30) == 0
    assert time.monotonic() - started < 5
    fresh_server.start()
    assert fresh_server.client("ec2").describe_vpcs(VpcIds=[vpc])["Vpcs"][0]["VpcId"] == vpc
