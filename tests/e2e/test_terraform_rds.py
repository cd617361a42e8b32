"""Real Terraform against RDS and ElastiCache (issue 16): `aws_db_subnet_group`, `aws_db_instance`,
`aws_elasticache_subnet_group` and `aws_elasticache_cluster` (of two memcached nodes) apply with real engines behind them, a second plan shows
no changes, and destroy leaves no record, interface or engine directory behind."""
import json
import os
import shutil

from conftest import Server
from network_support import require_net_admin
from test_terraform import terraform  # noqa: F401  (the fixture)

HERE = os.path.dirname(os.path.abspath(__file__))


def test_rds_and_elasticache_apply_plan_no_changes_destroy(terraform, tmp_path):  # noqa: F811
    require_net_admin()
    s = Server(default_vpc=True).start()
    try:
        shutil.copy(os.path.join(HERE, "terraform", "rds_stack.tf"), tmp_path / "main.tf")
        variables = ["-var", f"endpoint={s.endpoint}"]
        terraform(tmp_path, "init", "-input=false")
        terraform(tmp_path, "apply", "-auto-approve", "-input=false", *variables)
        outputs = json.loads(terraform(tmp_path, "output", "-json").stdout)
        assert outputs["db_address"]["value"].startswith("tf-postgres.c")
        assert outputs["cache_address"]["value"].startswith("tf-memcached.") and ".0001.use1." in outputs["cache_address"]["value"]
        assert [a.split(".")[2] for a in outputs["cache_addresses"]["value"]] == ["0001", "0002"]
        db = s.client("rds").describe_db_instances(DBInstanceIdentifier="tf-postgres")["DBInstances"][0]
        assert db["DBInstanceStatus"] == "available" and db["DBSubnetGroup"]["DBSubnetGroupName"] == "tf-db"
        assert db["TagList"] == [{"Key": "Team", "Value": "data"}]
        assert os.path.isfile(os.path.join(s.data_dir, "rds", "us-east-1", "tf-postgres", "pgdata", "PG_VERSION"))

        plan = terraform(tmp_path, "plan", "-detailed-exitcode", "-input=false", *variables, check=False)
        assert plan.returncode == 0, plan.stdout[-6000:]

        terraform(tmp_path, "destroy", "-auto-approve", "-input=false", *variables)
        assert s.client("rds").describe_db_instances()["DBInstances"] == []
        assert s.client("rds").describe_db_subnet_groups()["DBSubnetGroups"] == []
        assert s.client("elasticache").describe_cache_clusters()["CacheClusters"] == []
        assert s.client("ec2").describe_network_interfaces()["NetworkInterfaces"] == []
        assert os.listdir(os.path.join(s.data_dir, "rds", "us-east-1")) == []
        assert os.listdir(os.path.join(s.data_dir, "elasticache", "us-east-1")) == []
    finally:
        s.cleanup()


def test_redis_replication_group_apply_plan_no_changes_destroy(terraform, tmp_path):  # noqa: F811
    require_net_admin()
    s = Server(default_vpc=True).start()
    try:
        shutil.copy(os.path.join(HERE, "terraform", "redis_replication.tf"), tmp_path / "main.tf")
        variables = ["-var", f"endpoint={s.endpoint}"]
        terraform(tmp_path, "init", "-input=false")
        terraform(tmp_path, "apply", "-auto-approve", "-input=false", *variables)
        outputs = json.loads(terraform(tmp_path, "output", "-json").stdout)
        assert outputs["primary"]["value"].startswith("tf-redis.") and outputs["reader"]["value"].startswith("tf-redis-ro.")
        assert sorted(outputs["members"]["value"]) == ["tf-redis-001", "tf-redis-002"]

        plan = terraform(tmp_path, "plan", "-detailed-exitcode", "-input=false", *variables, check=False)
        assert plan.returncode == 0, plan.stdout[-6000:]

        terraform(tmp_path, "destroy", "-auto-approve", "-input=false", *variables)
        assert s.client("elasticache").describe_replication_groups()["ReplicationGroups"] == []
        assert s.client("elasticache").describe_cache_clusters()["CacheClusters"] == []
        assert s.client("ec2").describe_network_interfaces()["NetworkInterfaces"] == []
    finally:
        s.cleanup()
