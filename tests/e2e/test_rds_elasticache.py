"""RDS and ElastiCache inside the VPC with real engines (issue 16): the seed's two tutorials ("Configuring a Lambda
function to access Amazon RDS / Amazon ElastiCache in an Amazon VPC") run verbatim through the AWS CLI; python
functions whose zips are built here with `pip install --target` reach MariaDB (for `--engine MySQL`) and memcached
through their ENIs in the default VPC, a function outside the database's security group times out, and the rows
survive a server restart."""
import base64
import io
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
import zipfile

import pytest
from botocore.config import Config

from conftest import Server
from invoke_support import ensure_role, wait_active
from lambda_support import ROLE, unique
from network_support import fabric_tag, require_net_admin

MYSQL_APP = r'''
import json, os, pymysql

def handler(event, context):
    try:
        conn = pymysql.connect(host=os.environ["RDS_HOST"], user=os.environ["USER_NAME"], passwd=os.environ["PASSWORD"],
                               db=os.environ["DB_NAME"], connect_timeout=int(os.environ.get("CONNECT_TIMEOUT", "5")))
    except pymysql.MySQLError as e:
        return {"error": str(e)}
    with conn.cursor() as cur:
        if event.get("write", True):
            cur.execute("create table if not exists Employee ( EmpID  int NOT NULL, Name varchar(255) NOT NULL, PRIMARY KEY (EmpID))")
            cur.execute('insert into Employee (EmpID, Name) values(1, "Joe") on duplicate key update Name = Name')
            cur.execute('insert into Employee (EmpID, Name) values(2, "Bob") on duplicate key update Name = Name')
            cur.execute('insert into Employee (EmpID, Name) values(3, "Mary") on duplicate key update Name = Name')
            conn.commit()
        cur.execute("select * from Employee order by EmpID")
        rows = [list(r) for r in cur]
    conn.close()
    return {"rows": rows}
'''

MEMCACHED_APP = r'''
import os, uuid
from pymemcache.client.base import Client

def handler(event, context):
    client = Client((os.environ["ELASTICACHE_HOST"], 11211), connect_timeout=5, timeout=5)
    key = "key-" + uuid.uuid4().hex
    value = uuid.uuid4().hex
    client.set(key, value)
    fetched = client.get(key)
    return {"set": value, "got": fetched.decode() if fetched else None}
'''

MEMCACHED_NODES_APP = r'''
from pymemcache.client.base import Client

import time

def handler(event, context):
    out, took = {}, {}
    for host in event["hosts"]:
        started = time.time()
        try:
            client = Client((host, 11211), connect_timeout=3, timeout=3)
            if event.get("set"):
                client.set(event["key"], host)
            got = client.get(event["key"])
            out[host] = got.decode() if got else None
        except Exception as e:
            out[host] = "error: %s %s" % (type(e).__name__, e)
        took[host] = round(time.time() - started, 2)
    print("seconds per host", took)
    return out
'''

REDIS_APP = r'''
import os, socket

def command(s, *parts):
    s.sendall(("*%d\r\n" % len(parts) + "".join("$%d\r\n%s\r\n" % (len(p), p) for p in parts)).encode())
    return s.recv(1024).decode()

def handler(event, context):
    try:
        with socket.create_connection((os.environ["REDIS_HOST"], 6379), timeout=3) as s:
            return {"ping": command(s, "PING"), "set": command(s, "SET", "k", "v1"), "get": command(s, "GET", "k")}
    except OSError as e:
        return {"error": str(e)}
'''

REDIS_REPLICATION_APP = r'''
import socket, time

def command(host, *parts):
    with socket.create_connection((host, 6379), timeout=3) as s:
        s.sendall(("*%d\r\n" % len(parts) + "".join("$%d\r\n%s\r\n" % (len(p), p) for p in parts)).encode())
        return s.recv(4096).decode()

def handler(event, context):
    out = {"set": command(event["primary"], "SET", event["key"], event["value"]), "read": {}}
    for host in event["readers"]:
        deadline = time.time() + 10
        while True:
            got = command(host, "GET", event["key"])
            if event["value"] in got or time.time() > deadline:
                break
            time.sleep(0.2)
        out["read"][host] = got
    out["replica_write"] = command(event["readers"][-1], "SET", "other", "v")
    return out
'''

PROBE_APP = r'''
import socket
def handler(event, context):
    try:
        address = socket.gethostbyname(event["name"])
    except OSError as e:
        return {"error": str(e)}
    try:
        socket.create_connection((address, event["port"]), timeout=3).close()
        return {"address": address, "connected": True}
    except OSError as e:
        return {"address": address, "connected": False, "why": str(e)}
'''

RESOLVE_APP = r'''
import socket
def handler(event, context):
    try:
        return {"address": socket.gethostbyname(event["name"])}
    except OSError as e:
        return {"error": str(e)}
'''


def package(app, requirement=None):
    """The function's zip: `app` as `app.py` plus `requirement` installed with `pip install --target`."""
    with tempfile.TemporaryDirectory() as d:
        if requirement:
            subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                            "--target", d, requirement], check=True, timeout=300)
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            info = zipfile.ZipInfo("app.py")
            info.external_attr = 0o100644 << 16
            z.writestr(info, app)
            for root, _, files in os.walk(d):
                for f in files:
                    path = os.path.join(root, f)
                    z.write(path, os.path.relpath(path, d))
        return buf.getvalue()


@pytest.fixture(scope="module")
def srv():
    require_net_admin()
    s = Server(default_vpc=True).start()
    yield s
    s.cleanup()


def cli(srv, *args, check=True):
    # The CLI v1 pins RDS's us-east-1 endpoint to rds.amazonaws.com whatever AWS_ENDPOINT_URL says: name it.
    return srv.aws(*args, "--endpoint-url", srv.endpoint, check=check)


def default_network(srv):
    ec2 = srv.client("ec2")
    vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    subnets = [s["SubnetId"] for s in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"]]
    sg = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc]},
                                               {"Name": "group-name", "Values": ["default"]}])["SecurityGroups"][0]["GroupId"]
    return vpc, subnets, sg


def create_function(srv, name, zip_bytes, subnets=None, groups=None, env=None, timeout=15):
    lam = srv.client("lambda", config=Config(retries={"max_attempts": 1}, read_timeout=120))
    ensure_role(lam)
    args = dict(FunctionName=name, Runtime="python3.12", Handler="app.handler", Role=ROLE, Code={"ZipFile": zip_bytes},
                Timeout=timeout, Environment={"Variables": env or {}})
    if subnets:
        args["VpcConfig"] = {"SubnetIds": subnets, "SecurityGroupIds": groups}
    lam.create_function(**args)
    wait_active(lam, name, timeout=60)
    return lam


def invoke(lam, name, event=None):
    r = lam.invoke(FunctionName=name, Payload=json.dumps(event or {}).encode())
    return r.get("FunctionError"), json.loads(r["Payload"].read() or b"null")


def wait_db(srv, identifier, timeout=120):
    rds = srv.client("rds")
    rds.get_waiter("db_instance_available").wait(DBInstanceIdentifier=identifier,
                                                  WaiterConfig={"Delay": 1, "MaxAttempts": timeout})
    return rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]


def test_rds_tutorial_mysql_function_reads_rows_security_groups_and_restart(srv):
    vpc, subnets, default_sg = default_network(srv)
    cli(srv, "rds", "create-db-instance", "--db-name", "ExampleDB", "--engine", "MySQL",
        "--db-instance-identifier", "MySQLForLambdaTest", "--backup-retention-period", "3",
        "--db-instance-class", "db.t2.micro", "--allocated-storage", "5", "--no-publicly-accessible",
        "--master-username", "username", "--master-user-password", "password")
    started = time.time()
    db = wait_db(srv, "MySQLForLambdaTest")
    print(f"mysql create -> available: {time.time() - started:.1f}s")
    _, out, _ = cli(srv, "rds", "describe-db-instances")
    described = out["DBInstances"][0]
    assert described["DBInstanceIdentifier"] == "mysqlforlambdatest"
    assert described["DBInstanceStatus"] == "available"
    endpoint = described["Endpoint"]["Address"]
    assert endpoint.startswith("mysqlforlambdatest.c") and endpoint.endswith(".us-east-1.rds.amazonaws.com")
    assert described["Endpoint"]["Port"] == 3306
    assert described["DBSubnetGroup"]["DBSubnetGroupName"] == "default"
    assert described["DBSubnetGroup"]["VpcId"] == vpc
    assert [g["VpcSecurityGroupId"] for g in described["VpcSecurityGroups"]] == [default_sg]
    enis = srv.client("ec2").describe_network_interfaces(
        Filters=[{"Name": "description", "Values": ["RDSNetworkInterface"]}])["NetworkInterfaces"]
    assert len(enis) == 1 and enis[0]["RequesterId"] == "amazon-rds" and enis[0]["RequesterManaged"]
    assert enis[0]["Groups"][0]["GroupId"] == default_sg

    zip_bytes = package(MYSQL_APP, "pymysql")
    env = {"RDS_HOST": endpoint, "USER_NAME": "username", "PASSWORD": "password", "DB_NAME": "ExampleDB"}
    lam = create_function(srv, "CreateTableAddRecordsAndRead", zip_bytes, subnets, [default_sg], env)
    error, result = invoke(lam, "CreateTableAddRecordsAndRead")
    assert error is None and result == {"rows": [[1, "Joe"], [2, "Bob"], [3, "Mary"]]}, result

    # A function whose security group the database's does not admit: the connection times out.
    outsider = srv.client("ec2").create_security_group(GroupName=unique("outsider"), Description="not admitted",
                                                       VpcId=vpc)["GroupId"]
    create_function(srv, "OutsiderReader", zip_bytes, subnets, [outsider], dict(env, CONNECT_TIMEOUT="3"))
    begun = time.time()
    error, result = invoke(lam, "OutsiderReader", {"write": False})
    assert error is None and "timed out" in result.get("error", ""), result
    assert time.time() - begun >= 2.5

    # The name resolves only inside the VPC.
    create_function(srv, "OutsideResolver", package(RESOLVE_APP))
    _, result = invoke(lam, "OutsideResolver", {"name": endpoint})
    assert "error" in result, result

    # The rows survive a restart: the engine is started again from the data dir.
    srv.restart()
    assert read_rows(lam) == [[1, "Joe"], [2, "Bob"], [3, "Mary"]]

    # The engine is supervised: killed, it is started again.
    pids = engine_pids(srv, "rds/us-east-1/mysqlforlambdatest")
    assert pids
    for pid in pids:
        os.kill(pid, signal.SIGKILL)
    assert read_rows(lam) == [[1, "Joe"], [2, "Bob"], [3, "Mary"]]
    assert engine_pids(srv, "rds/us-east-1/mysqlforlambdatest") != pids

    # After the server's kill -9 the next server takes the engine over.
    srv.kill9()
    srv.start()
    assert read_rows(lam) == [[1, "Joe"], [2, "Bob"], [3, "Mary"]]

    # Stopping the server stops the engine.
    srv.stop()
    assert not engine_pids(srv, "rds/us-east-1/mysqlforlambdatest")
    srv.start()

    # A snapshot, and a new instance restored from it with the same rows.
    rds = srv.client("rds")
    rds.create_db_snapshot(DBInstanceIdentifier="MySQLForLambdaTest", DBSnapshotIdentifier="tutorial-rows")
    assert rds.describe_db_instances(DBInstanceIdentifier="mysqlforlambdatest")["DBInstances"][0]["DBInstanceStatus"] == "backing-up"
    rds.get_waiter("db_snapshot_available").wait(DBSnapshotIdentifier="tutorial-rows", WaiterConfig={"Delay": 1, "MaxAttempts": 60})
    wait_db(srv, "mysqlforlambdatest")
    rds.restore_db_instance_from_db_snapshot(DBInstanceIdentifier="restored", DBSnapshotIdentifier="tutorial-rows")
    restored = wait_db(srv, "restored")
    assert restored["MasterUsername"] == "username" and restored["DBName"] == "ExampleDB"
    create_function(srv, "ReadRestored", zip_bytes, subnets, [default_sg], dict(env, RDS_HOST=restored["Endpoint"]["Address"]))
    error, result = invoke(lam, "ReadRestored", {"write": False})
    assert error is None and result == {"rows": [[1, "Joe"], [2, "Bob"], [3, "Mary"]]}, result
    # Deleted with a final snapshot: the snapshot outlives the instance.
    rds.delete_db_instance(DBInstanceIdentifier="restored", FinalDBSnapshotIdentifier="restored-final")
    rds.get_waiter("db_instance_deleted").wait(DBInstanceIdentifier="restored", WaiterConfig={"Delay": 1, "MaxAttempts": 60})
    final = rds.describe_db_snapshots(DBSnapshotIdentifier="restored-final")["DBSnapshots"][0]
    assert final["Status"] == "available" and final["DBInstanceIdentifier"] == "restored"
    rds.delete_db_snapshot(DBSnapshotIdentifier="restored-final")


def read_rows(lam, timeout=120):
    deadline = time.time() + timeout
    while True:
        error, result = invoke(lam, "CreateTableAddRecordsAndRead", {"write": False})
        if error is None and "rows" in result:
            return result["rows"]
        assert time.time() < deadline, result
        time.sleep(0.5)


def engine_pids(srv, key):
    """Pids of the engine whose directory is `<data-dir>/<key>` (its command line names it)."""
    home = os.path.join(os.path.realpath(srv.data_dir), key)
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    if (home + "/").encode() in f.read():
                        pids.append(int(entry))
            except OSError:
                pass
    return sorted(pids)


def test_elasticache_tutorial_memcached_function_sets_and_gets(srv):
    vpc, subnets, default_sg = default_network(srv)
    cli(srv, "elasticache", "create-cache-cluster", "--cache-cluster-id", "ClusterForLambdaTest",
        "--cache-node-type", "cache.t3.medium", "--engine", "memcached", "--num-cache-nodes", "1",
        "--security-group-ids", default_sg)
    started = time.time()
    srv.client("elasticache").get_waiter("cache_cluster_available").wait(
        CacheClusterId="clusterforlambdatest", WaiterConfig={"Delay": 1, "MaxAttempts": 60})
    print(f"memcached create -> available: {time.time() - started:.1f}s")
    _, out, _ = cli(srv, "elasticache", "describe-cache-clusters", "--show-cache-node-info")
    cluster = out["CacheClusters"][0]
    assert cluster["CacheClusterId"] == "clusterforlambdatest" and cluster["CacheClusterStatus"] == "available"
    node = cluster["CacheNodes"][0]
    assert node["CacheNodeId"] == "0001" and node["Endpoint"]["Port"] == 11211
    assert node["Endpoint"]["Address"].startswith("clusterforlambdatest.") and ".0001.use1.cache.amazonaws.com" in node["Endpoint"]["Address"]
    assert ".cfg.use1.cache.amazonaws.com" in cluster["ConfigurationEndpoint"]["Address"]
    assert cluster["SecurityGroups"] == [{"SecurityGroupId": default_sg, "Status": "active"}]

    lam = create_function(srv, "AccessMemCache", package(MEMCACHED_APP, "pymemcache"), subnets, [default_sg],
                          {"ELASTICACHE_HOST": node["Endpoint"]["Address"]})
    error, result = invoke(lam, "AccessMemCache")
    assert error is None and result["got"] == result["set"], result

    cli(srv, "elasticache", "delete-cache-cluster", "--cache-cluster-id", "ClusterForLambdaTest")
    srv.client("elasticache").get_waiter("cache_cluster_deleted").wait(
        CacheClusterId="clusterforlambdatest", WaiterConfig={"Delay": 1, "MaxAttempts": 30})


def short_hash(text):
    """FabricNames.shortHash: the 8 hex digits namespaces are named with."""
    h = 0xcbf29ce484222325
    for b in text.encode():
        h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return "%08x" % ((h ^ (h >> 32)) & 0xFFFFFFFF)


def namespace_pids(namespace):
    out = subprocess.run(["ip", "netns", "pids", namespace], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def cluster_interfaces(srv, cluster_id):
    return sorted((e["Description"], e["NetworkInterfaceId"]) for e in srv.client("ec2").describe_network_interfaces()["NetworkInterfaces"]
                  if e["Description"].startswith(f"ElastiCache {cluster_id}-"))


def wait_for(check, what, timeout=15):
    deadline = time.time() + timeout
    while not check():
        assert time.time() < deadline, what
        time.sleep(0.25)


def test_memcached_cluster_of_three_nodes_each_its_own_server_then_two_then_none(srv):
    vpc, subnets, default_sg = default_network(srv)
    cache = srv.client("elasticache")
    tag = fabric_tag(srv)
    cache.create_cache_cluster(CacheClusterId="Nodes", CacheNodeType="cache.t3.micro", Engine="memcached", NumCacheNodes=3,
                               AZMode="cross-az", SecurityGroupIds=[default_sg])
    cache.get_waiter("cache_cluster_available").wait(CacheClusterId="nodes", WaiterConfig={"Delay": 1, "MaxAttempts": 60})
    cluster = cache.describe_cache_clusters(CacheClusterId="nodes", ShowCacheNodeInfo=True)["CacheClusters"][0]
    nodes = cluster["CacheNodes"]
    assert [n["CacheNodeId"] for n in nodes] == ["0001", "0002", "0003"] and cluster["NumCacheNodes"] == 3
    assert all(n["CacheNodeStatus"] == "available" and n["ParameterGroupStatus"] == "in-sync" for n in nodes)
    assert len({n["CustomerAvailabilityZone"] for n in nodes}) == 3 and cluster["PreferredAvailabilityZone"] == "Multiple"
    hosts = [n["Endpoint"]["Address"] for n in nodes]
    assert [h.split(".")[2] for h in hosts] == ["0001", "0002", "0003"] and ".cfg." in cluster["ConfigurationEndpoint"]["Address"]
    enis = cluster_interfaces(srv, "nodes")
    assert [d for d, _ in enis] == ["ElastiCache nodes-0001", "ElastiCache nodes-0002", "ElastiCache nodes-0003"]
    spaces = {d[-4:]: f"lv-{tag}-eni-{short_hash(eni)}" for d, eni in enis}
    for ns in spaces.values():
        assert any(open(f"/proc/{p}/comm").read().strip() == "memcached" for p in namespace_pids(ns)), ns

    # Each name reaches its own server: the same key holds a different value on each node.
    # A generous timeout: a name that no longer exists may take the resolver's retries to fail on a busy machine.
    lam = create_function(srv, "MemcachedNodes", package(MEMCACHED_NODES_APP, "pymemcache"), subnets, [default_sg], timeout=60)
    error, result = invoke(lam, "MemcachedNodes", {"hosts": hosts, "key": "who", "set": True})
    assert error is None and result == {h: h for h in hosts}, result

    # Down to two, 0002 removed: its interface, server and name go; the others keep their data.
    cache.modify_cache_cluster(CacheClusterId="nodes", NumCacheNodes=2, CacheNodeIdsToRemove=["0002"], ApplyImmediately=True)
    cache.get_waiter("cache_cluster_available").wait(CacheClusterId="nodes", WaiterConfig={"Delay": 1, "MaxAttempts": 60})
    cluster = cache.describe_cache_clusters(CacheClusterId="nodes", ShowCacheNodeInfo=True)["CacheClusters"][0]
    assert [n["CacheNodeId"] for n in cluster["CacheNodes"]] == ["0001", "0003"] and cluster["NumCacheNodes"] == 2
    assert [d for d, _ in cluster_interfaces(srv, "nodes")] == ["ElastiCache nodes-0001", "ElastiCache nodes-0003"]
    wait_for(lambda: not os.path.exists("/run/netns/" + spaces["0002"]), "the removed node's namespace stays")
    # Known defect (in the closing note): on a busy machine the VPC resolver may not answer at all for a while after a
    # node is removed (every name fails with EAI_AGAIN, "Temporary failure"); the end state is what is asserted, within
    # a bounded wait. A removed name answers NXDOMAIN ("Name or service not known"), never "Temporary failure".
    deadline = time.time() + 120
    while True:
        r = lam.invoke(FunctionName="MemcachedNodes", Payload=json.dumps({"hosts": hosts, "key": "who"}).encode(), LogType="Tail")
        error, result = r.get("FunctionError"), json.loads(r["Payload"].read() or b"null")
        log = base64.b64decode(r.get("LogResult", "")).decode(errors="replace")
        unanswered = error is None and any("Temporary failure" in str(v) for v in result.values())
        if not unanswered or time.time() > deadline:
            break
        time.sleep(2)
    assert error is None and result[hosts[0]] == hosts[0] and result[hosts[2]] == hosts[2], (result, log)
    assert result[hosts[1]].startswith("error: gaierror"), result
    with pytest.raises(cache.exceptions.ClientError) as e:
        cache.modify_cache_cluster(CacheClusterId="nodes", NumCacheNodes=1, ApplyImmediately=True)
    assert e.value.response["Error"]["Code"] == "InvalidParameterCombination"

    cache.delete_cache_cluster(CacheClusterId="nodes")
    cache.get_waiter("cache_cluster_deleted").wait(CacheClusterId="nodes", WaiterConfig={"Delay": 1, "MaxAttempts": 30})
    assert cluster_interfaces(srv, "nodes") == []
    wait_for(lambda: not any(os.path.exists("/run/netns/" + ns) for ns in spaces.values()), "a node's namespace stays")
    assert not os.path.exists(os.path.join(srv.data_dir, "elasticache", "us-east-1", "nodes"))


def test_redis_replication_group_written_through_the_primary_read_from_the_replicas(srv):
    vpc, subnets, default_sg = default_network(srv)
    cache = srv.client("elasticache")
    group = cache.create_replication_group(ReplicationGroupId="Shop", ReplicationGroupDescription="carts", Engine="redis",
                                           CacheNodeType="cache.t3.micro", NumCacheClusters=3,
                                           SecurityGroupIds=[default_sg])["ReplicationGroup"]
    assert group["Status"] == "creating" and group["MemberClusters"] == ["shop-001", "shop-002", "shop-003"]
    cache.get_waiter("replication_group_available").wait(ReplicationGroupId="shop", WaiterConfig={"Delay": 1, "MaxAttempts": 60})
    group = cache.describe_replication_groups(ReplicationGroupId="shop")["ReplicationGroups"][0]
    node_group = group["NodeGroups"][0]
    primary, reader = node_group["PrimaryEndpoint"]["Address"], node_group["ReaderEndpoint"]["Address"]
    assert primary.startswith("shop.") and ".ng.0001.use1." in primary and reader.startswith("shop-ro.")
    roles = {m["CacheClusterId"]: m["CurrentRole"] for m in node_group["NodeGroupMembers"]}
    assert roles == {"shop-001": "primary", "shop-002": "replica", "shop-003": "replica"}
    replicas = [m["ReadEndpoint"]["Address"] for m in node_group["NodeGroupMembers"] if m["CurrentRole"] == "replica"]
    member = cache.describe_cache_clusters(CacheClusterId="shop-002", ShowCacheNodeInfo=True)["CacheClusters"][0]
    assert member["ReplicationGroupId"] == "shop" and member["Engine"] == "redis" and member["CacheClusterStatus"] == "available"

    lam = create_function(srv, "RedisReplication", package(REDIS_REPLICATION_APP), subnets, [default_sg])
    error, result = invoke(lam, "RedisReplication", {"primary": primary, "readers": [reader] + replicas, "key": "cart", "value": "3 apples"})
    assert error is None and result["set"] == "+OK\r\n", result
    assert all(got == "$8\r\n3 apples\r\n" for got in result["read"].values()), result
    assert result["replica_write"].startswith("-READONLY"), result

    # A replica added later syncs the data from the primary; decreasing removes the highest-numbered replica.
    cache.increase_replica_count(ReplicationGroupId="shop", NewReplicaCount=3, ApplyImmediately=True)
    cache.get_waiter("replication_group_available").wait(ReplicationGroupId="shop", WaiterConfig={"Delay": 1, "MaxAttempts": 60})
    added = cache.describe_cache_clusters(CacheClusterId="shop-004", ShowCacheNodeInfo=True)["CacheClusters"][0]
    address = added["CacheNodes"][0]["Endpoint"]["Address"]
    error, result = invoke(lam, "RedisReplication", {"primary": primary, "readers": [address], "key": "cart2", "value": "2 pears"})
    assert error is None and result["read"][address] == "$7\r\n2 pears\r\n", result
    group = cache.decrease_replica_count(ReplicationGroupId="shop", NewReplicaCount=1, ApplyImmediately=True)["ReplicationGroup"]
    assert group["MemberClusters"] == ["shop-001", "shop-002"]
    cache.get_waiter("replication_group_available").wait(ReplicationGroupId="shop", WaiterConfig={"Delay": 1, "MaxAttempts": 60})
    wait_for(lambda: len(cluster_interfaces(srv, "shop")) == 2, "removed replicas keep their interfaces")

    # After a server restart the members run again, the replica following the primary.
    srv.restart()
    deadline = time.time() + 60
    while True:
        error, result = invoke(lam, "RedisReplication", {"primary": primary, "readers": [replicas[0]], "key": "cart3", "value": "1 plum"})
        if error is None and result.get("read", {}).get(replicas[0]) == "$6\r\n1 plum\r\n" or time.time() > deadline:
            break
        time.sleep(1)
    assert error is None and result["read"][replicas[0]] == "$6\r\n1 plum\r\n", result

    with pytest.raises(cache.exceptions.ClientError) as e:
        cache.delete_cache_cluster(CacheClusterId="shop-001")
    assert e.value.response["Error"]["Code"] == "InvalidReplicationGroupState"
    cache.delete_replication_group(ReplicationGroupId="shop")
    cache.get_waiter("replication_group_deleted").wait(ReplicationGroupId="shop", WaiterConfig={"Delay": 1, "MaxAttempts": 60})
    assert cluster_interfaces(srv, "shop") == [] and cache.describe_cache_clusters()["CacheClusters"] == []


def test_postgres_lifecycle_and_rds_errors(srv):
    rds = srv.client("rds")
    ec2 = srv.client("ec2")

    def error(call, **kw):
        with pytest.raises(Exception) as e:
            call(**kw)
        return e.value.response["Error"]["Code"], e.value.response["Error"]["Message"]

    base = dict(DBInstanceClass="db.t3.micro", AllocatedStorage=20, MasterUsername="master", MasterUserPassword="secret123")
    assert error(rds.create_db_instance, DBInstanceIdentifier="x1", Engine="oracle-xx", **base) == \
        ("InvalidParameterValue", "Invalid DB engine")
    assert error(rds.create_db_instance, DBInstanceIdentifier="x1", Engine="postgres", **dict(base, AllocatedStorage=5)) == \
        ("InvalidParameterCombination", "Invalid storage size for engine name postgres and storage type gp2: 5")
    vpc, subnets, _ = default_network(srv)
    one_zone = [s for s in ec2.describe_subnets(SubnetIds=subnets)["Subnets"]][0]
    code, message = error(rds.create_db_subnet_group, DBSubnetGroupName="onezone", DBSubnetGroupDescription="d",
                          SubnetIds=[one_zone["SubnetId"]])
    assert code == "DBSubnetGroupDoesNotCoverEnoughAZs"
    assert message == ("The DB subnet group doesn't meet Availability Zone (AZ) coverage requirement. Current AZ coverage: "
                       f"{one_zone['AvailabilityZone']}. Add subnets to cover at least 2 AZs.")
    rds.create_db_subnet_group(DBSubnetGroupName="Two", DBSubnetGroupDescription="two zones", SubnetIds=subnets[:2])

    started = time.time()
    rds.create_db_instance(DBInstanceIdentifier="pg1", Engine="postgres", DBName="app", DBSubnetGroupName="two", **base)
    assert error(rds.create_db_instance, DBInstanceIdentifier="PG1", Engine="postgres", **base) == \
        ("DBInstanceAlreadyExists", "DB instance already exists")
    db = wait_db(srv, "pg1")
    print(f"postgres create -> available: {time.time() - started:.1f}s")
    assert db["Endpoint"]["Port"] == 5432 and db["DBSubnetGroup"]["DBSubnetGroupName"] == "two"
    arn = db["DBInstanceArn"]
    rds.add_tags_to_resource(ResourceName=arn, Tags=[{"Key": "team", "Value": "db"}])
    assert rds.list_tags_for_resource(ResourceName=arn)["TagList"] == [{"Key": "team", "Value": "db"}]

    rds.reboot_db_instance(DBInstanceIdentifier="pg1")
    wait_db(srv, "pg1")
    rds.stop_db_instance(DBInstanceIdentifier="pg1")
    deadline = time.time() + 30
    while rds.describe_db_instances(DBInstanceIdentifier="pg1")["DBInstances"][0]["DBInstanceStatus"] != "stopped":
        assert time.time() < deadline
        time.sleep(0.2)
    rds.start_db_instance(DBInstanceIdentifier="pg1")
    wait_db(srv, "pg1")

    assert error(rds.delete_db_instance, DBInstanceIdentifier="pg1") == \
        ("InvalidParameterCombination", "FinalDBSnapshotIdentifier is required unless SkipFinalSnapshot is specified.")
    assert error(rds.delete_db_subnet_group, DBSubnetGroupName="two")[0] == "InvalidDBSubnetGroupStateFault"
    rds.delete_db_instance(DBInstanceIdentifier="pg1", SkipFinalSnapshot=True)
    rds.get_waiter("db_instance_deleted").wait(DBInstanceIdentifier="pg1", WaiterConfig={"Delay": 1, "MaxAttempts": 30})
    assert error(rds.describe_db_instances, DBInstanceIdentifier="pg1") == ("DBInstanceNotFound", "DBInstance pg1 not found.")
    rds.delete_db_subnet_group(DBSubnetGroupName="two")
    assert not os.path.exists(os.path.join(srv.data_dir, "rds", "us-east-1", "pg1"))


def test_valkey_cluster_on_redis_server_and_modified_security_groups(srv):
    vpc, subnets, default_sg = default_network(srv)
    cache = srv.client("elasticache")
    cache.create_cache_cluster(CacheClusterId="sessions", CacheNodeType="cache.t3.micro", Engine="valkey", NumCacheNodes=1,
                               SecurityGroupIds=[default_sg])
    cache.get_waiter("cache_cluster_available").wait(CacheClusterId="sessions", WaiterConfig={"Delay": 1, "MaxAttempts": 60})
    cluster = cache.describe_cache_clusters(CacheClusterId="sessions", ShowCacheNodeInfo=True)["CacheClusters"][0]
    node = cluster["CacheNodes"][0]["Endpoint"]
    assert node["Port"] == 6379 and "ConfigurationEndpoint" not in cluster and cluster["Engine"] == "valkey"
    lam = create_function(srv, "RedisPing", package(REDIS_APP), subnets, [default_sg], {"REDIS_HOST": node["Address"]})
    error, result = invoke(lam, "RedisPing")
    assert error is None and result == {"ping": "+PONG\r\n", "set": "+OK\r\n", "get": "$2\r\nv1\r\n"}, result

    # Moved to a group that admits nobody, the node is out of the function's reach.
    closed = srv.client("ec2").create_security_group(GroupName=unique("closed"), Description="admits nobody",
                                                     VpcId=vpc)["GroupId"]
    cache.modify_cache_cluster(CacheClusterId="sessions", SecurityGroupIds=[closed], ApplyImmediately=True)
    cache.get_waiter("cache_cluster_available").wait(CacheClusterId="sessions", WaiterConfig={"Delay": 1, "MaxAttempts": 60})
    # A security group change reaches the kernel moments after the API answers (as on AWS, where it takes effect
    # within seconds): the function's connections time out from then on.
    deadline = time.time() + 20
    while True:
        error, result = invoke(lam, "RedisPing")
        if "timed out" in result.get("error", "") or time.time() > deadline:
            break
        time.sleep(0.5)
    assert error is None and "timed out" in result.get("error", ""), result


def test_rds_and_elasticache_are_authorized_per_action_and_resource():
    """Under --enforce-iam each operation is `rds:`/`elasticache:` Action on the resource's ARN, denied as Query's AccessDenied."""
    from conftest import call_error, user_client
    s = Server(extra_args=["--enforce-iam", "--no-network"]).start()
    try:
        rds = user_client(s, "rds", "reader", {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "rds:DescribeDBInstances", "Resource": "*"}]})
        assert rds.describe_db_instances()["DBInstances"] == []
        status, code, message = call_error(rds.create_db_instance, DBInstanceIdentifier="Denied", Engine="postgres",
                                           DBInstanceClass="db.t3.micro", AllocatedStorage=20, MasterUsername="m",
                                           MasterUserPassword="password1")
        assert (status, code) == (403, "AccessDenied")
        assert "rds:CreateDBInstance" in message and "arn:aws:rds:us-east-1:123456789012:db:denied" in message
        cache = s.client("elasticache", key=rds._request_signer._credentials.access_key,
                         secret=rds._request_signer._credentials.secret_key)
        status, code, message = call_error(cache.describe_cache_clusters)
        assert (status, code) == (403, "AccessDenied") and "elasticache:DescribeCacheClusters" in message
    finally:
        s.cleanup()


def test_publicly_accessible_instance_answers_outside_its_vpc(srv):
    """A publicly accessible instance (RDS's default in a VPC with an internet gateway) gets a public address: its name
    resolves to it outside the VPC and the internet gateway maps it, as its security group allows."""
    vpc, subnets, default_sg = default_network(srv)
    ec2, rds = srv.client("ec2"), srv.client("rds")
    open_sg = ec2.create_security_group(GroupName=unique("public-db"), Description="postgres from anywhere", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=open_sg, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    rds.create_db_instance(DBInstanceIdentifier="public-pg", Engine="postgres", DBInstanceClass="db.t3.micro",
                           AllocatedStorage=20, MasterUsername="master", MasterUserPassword="secret123",
                           VpcSecurityGroupIds=[open_sg])
    db = wait_db(srv, "public-pg")
    assert db["PubliclyAccessible"] is True
    lam = create_function(srv, "OutsideProbe", package(PROBE_APP))
    _, result = invoke(lam, "OutsideProbe", {"name": db["Endpoint"]["Address"], "port": 5432})
    assert result.get("connected") is True and result["address"].startswith("192.88.99."), result
    # Made private, the name no longer answers outside the VPC.
    rds.modify_db_instance(DBInstanceIdentifier="public-pg", PubliclyAccessible=False, ApplyImmediately=True)
    wait_db(srv, "public-pg")
    _, result = invoke(lam, "OutsideProbe", {"name": db["Endpoint"]["Address"], "port": 5432})
    assert "error" in result, result
    rds.delete_db_instance(DBInstanceIdentifier="public-pg", SkipFinalSnapshot=True)


STACK = """
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Subnets: {Type: "List<AWS::EC2::Subnet::Id>"}
  Vpc: {Type: String}
Resources:
  DbGroup:
    Type: AWS::EC2::SecurityGroup
    Properties: {GroupDescription: database, VpcId: !Ref Vpc}
  DbSubnets:
    Type: AWS::RDS::DBSubnetGroup
    Properties: {DBSubnetGroupDescription: stack subnets, SubnetIds: !Ref Subnets}
  Database:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
      DBInstanceClass: db.t3.micro
      AllocatedStorage: "20"
      MasterUsername: app
      MasterUserPassword: app-password
      DBName: app
      DBSubnetGroupName: !Ref DbSubnets
      VPCSecurityGroups: [!GetAtt DbGroup.GroupId]
      PubliclyAccessible: false
  CacheSubnets:
    Type: AWS::ElastiCache::SubnetGroup
    Properties: {Description: stack subnets, SubnetIds: !Ref Subnets}
  Cache:
    Type: AWS::ElastiCache::CacheCluster
    Properties:
      Engine: memcached
      CacheNodeType: cache.t3.micro
      NumCacheNodes: 2
      CacheSubnetGroupName: !Ref CacheSubnets
      VpcSecurityGroupIds: [!GetAtt DbGroup.GroupId]
  Redis:
    Type: AWS::ElastiCache::ReplicationGroup
    Properties:
      ReplicationGroupDescription: stack redis
      Engine: redis
      CacheNodeType: cache.t3.micro
      NumCacheClusters: 2
      CacheSubnetGroupName: !Ref CacheSubnets
Outputs:
  DbAddress: {Value: !GetAtt Database.Endpoint.Address}
  DbPort: {Value: !GetAtt Database.Endpoint.Port}
  CacheAddress: {Value: !GetAtt Cache.ConfigurationEndpoint.Address}
  RedisPrimary: {Value: !GetAtt Redis.PrimaryEndPoint.Address}
  RedisReader: {Value: !GetAtt Redis.ReaderEndPoint.Address}
  RedisReads: {Value: !Join [",", !GetAtt Redis.ReadEndPoint.Addresses.List]}
"""


def test_cloudformation_stack_of_rds_and_elasticache(srv):
    vpc, subnets, _ = default_network(srv)
    cfn = srv.client("cloudformation")
    cfn.create_stack(StackName="data", TemplateBody=STACK, Parameters=[
        {"ParameterKey": "Subnets", "ParameterValue": ",".join(subnets)}, {"ParameterKey": "Vpc", "ParameterValue": vpc}])
    cfn.get_waiter("stack_create_complete").wait(StackName="data", WaiterConfig={"Delay": 1, "MaxAttempts": 120})
    outputs = {o["OutputKey"]: o["OutputValue"] for o in cfn.describe_stacks(StackName="data")["Stacks"][0]["Outputs"]}
    assert outputs["DbAddress"].startswith("data-database-") and outputs["DbAddress"].endswith(".us-east-1.rds.amazonaws.com")
    assert outputs["DbPort"] == "5432" and ".cfg.use1.cache.amazonaws.com" in outputs["CacheAddress"]
    db_id = outputs["DbAddress"].split(".")[0]
    redis_id = outputs["RedisPrimary"].split(".")[0]
    assert redis_id.startswith("data-redis-") and outputs["RedisReader"].startswith(redis_id + "-ro.")
    assert [a.split(".")[0] for a in outputs["RedisReads"].split(",")] == [redis_id + "-001", redis_id + "-002"]
    cache_id = outputs["CacheAddress"].split(".")[0]
    nodes = srv.client("elasticache").describe_cache_clusters(CacheClusterId=cache_id, ShowCacheNodeInfo=True)["CacheClusters"][0]["CacheNodes"]
    assert [n["CacheNodeId"] for n in nodes] == ["0001", "0002"]
    assert srv.client("rds").describe_db_instances(DBInstanceIdentifier=db_id)["DBInstances"][0]["DBInstanceStatus"] == "available"
    cfn.delete_stack(StackName="data")
    cfn.get_waiter("stack_delete_complete").wait(StackName="data", WaiterConfig={"Delay": 1, "MaxAttempts": 120})
    assert [d for d in srv.client("rds").describe_db_instances()["DBInstances"] if d["DBInstanceIdentifier"] == db_id] == []
    assert [c for c in srv.client("elasticache").describe_cache_clusters()["CacheClusters"] if c["CacheClusterId"].startswith("data-")] == []
    assert srv.client("elasticache").describe_replication_groups()["ReplicationGroups"] == []
