"""RDS and ElastiCache benchmark (issue 16): create → available for PostgreSQL, MySQL (MariaDB) and memcached, and a
warm function's query round trip to MySQL through its ENI against the same query from the database's own namespace
(the host side of the fabric: no veth, router or firewall on the way). Needs root (network namespaces).

Usage: sudo python3 benchmarks/rds_bench.py [--binary .build/debug/lambda-vpc] [--queries 500]
Targets: create → available ≤ 10 s (postgres, mysql), ≤ 2 s (memcached); function p50 − host p50 ≤ 1 ms.
"""
import argparse
import io
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))

from botocore.config import Config  # noqa: E402

from conftest import Server  # noqa: E402
from invoke_support import ensure_role, wait_active  # noqa: E402
from lambda_support import ROLE  # noqa: E402

# Runs `n` SELECTs on one connection and returns each round trip in milliseconds.
CLIENT = r'''
import json, socket, sys, time, pymysql
def rounds(host, n):
    conn = pymysql.connect(host=host, user="username", passwd="password", db="ExampleDB", connect_timeout=5)
    out = []
    with conn.cursor() as cur:
        for _ in range(n + 20):
            t = time.perf_counter()
            cur.execute("SELECT 1")
            cur.fetchall()
            out.append((time.perf_counter() - t) * 1000)
    conn.close()
    return out[20:]

def handler(event, context):
    return {"ip": socket.gethostbyname(event["host"]), "ms": rounds(event["host"], event["n"])}

if __name__ == "__main__":
    print(json.dumps(rounds(sys.argv[1], int(sys.argv[2]))))
'''


def pip_target(requirement):
    d = tempfile.mkdtemp(prefix="lv-bench-pip-")
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--target", d,
                    requirement], check=True)
    return d


def zip_dir(d, app):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        info = zipfile.ZipInfo("app.py")
        info.external_attr = 0o100644 << 16
        z.writestr(info, app)
        for root, _, files in os.walk(d):
            for f in files:
                p = os.path.join(root, f)
                z.write(p, os.path.relpath(p, d))
    return buf.getvalue()


def timed_db(rds, **kw):
    start = time.time()
    rds.create_db_instance(**kw)
    while rds.describe_db_instances(DBInstanceIdentifier=kw["DBInstanceIdentifier"])["DBInstances"][0]["DBInstanceStatus"] != "available":
        time.sleep(0.05)
    return time.time() - start


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=os.path.join(ROOT, ".build", "debug", "lambda-vpc"))
    ap.add_argument("--queries", type=int, default=500)
    args = ap.parse_args()
    os.environ["LAMBDA_VPC_BIN"] = args.binary
    import conftest
    conftest.BINARY = args.binary

    server = Server(default_vpc=True).start()
    results = {}
    try:
        rds = server.client("rds")
        common = dict(DBInstanceClass="db.t3.micro", MasterUsername="username", MasterUserPassword="password",
                      DBName="ExampleDB")
        results["postgres_create_to_available_s"] = timed_db(rds, DBInstanceIdentifier="pg", Engine="postgres",
                                                             AllocatedStorage=20, **common)
        results["mysql_create_to_available_s"] = timed_db(rds, DBInstanceIdentifier="my", Engine="mysql",
                                                          AllocatedStorage=5, **common)
        cache = server.client("elasticache")
        start = time.time()
        cache.create_cache_cluster(CacheClusterId="mc", CacheNodeType="cache.t3.micro", Engine="memcached", NumCacheNodes=1)
        while cache.describe_cache_clusters(CacheClusterId="mc")["CacheClusters"][0]["CacheClusterStatus"] != "available":
            time.sleep(0.02)
        results["memcached_create_to_available_s"] = time.time() - start

        db = rds.describe_db_instances(DBInstanceIdentifier="my")["DBInstances"][0]
        ec2 = server.client("ec2")
        address = db["Endpoint"]["Address"]
        target = pip_target("pymysql")
        vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
        subnets = [s["SubnetId"] for s in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"]]
        sg = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc]},
                                                   {"Name": "group-name", "Values": ["default"]}])["SecurityGroups"][0]["GroupId"]
        lam = server.client("lambda", config=Config(retries={"max_attempts": 1}, read_timeout=300))
        ensure_role(lam)
        lam.create_function(FunctionName="bench", Runtime="python3.12", Handler="app.handler", Role=ROLE, Timeout=120,
                            MemorySize=1024, Code={"ZipFile": zip_dir(target, CLIENT)},
                            VpcConfig={"SubnetIds": subnets, "SecurityGroupIds": [sg]})
        wait_active(lam, "bench", timeout=60)
        event = json.dumps({"host": address, "n": args.queries}).encode()
        lam.invoke(FunctionName="bench", Payload=event)  # cold start
        answer = json.loads(lam.invoke(FunctionName="bench", Payload=event)["Payload"].read())
        function_ms, private_ip = answer["ms"], answer["ip"]

        # The same client in the database's own namespace, to its private address.
        m = re.search(r"engine rds/us-east-1/my \(mariadb\) starting in (\S+)", server.log())
        namespace = m.group(1) if m else None
        script = os.path.join(target, "app.py")
        with open(script, "w") as f:
            f.write(CLIENT)
        out = subprocess.run(["ip", "netns", "exec", namespace, sys.executable, script, private_ip, str(args.queries)],
                             capture_output=True, text=True, check=True, env=dict(os.environ, PYTHONPATH=target)).stdout
        host_ms = json.loads(out)
        results["function_query_p50_ms"] = statistics.median(function_ms)
        results["same_namespace_query_p50_ms"] = statistics.median(host_ms)
        results["eni_path_overhead_p50_ms"] = results["function_query_p50_ms"] - results["same_namespace_query_p50_ms"]
    finally:
        server.cleanup()
    for k, v in results.items():
        print(f"{k:36s} {v:8.3f}")
    ok = (results.get("postgres_create_to_available_s", 99) <= 10 and results.get("mysql_create_to_available_s", 99) <= 10
          and results.get("memcached_create_to_available_s", 99) <= 2 and results.get("eni_path_overhead_p50_ms", 99) <= 1)
    print("targets met" if ok else "targets NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
