"""Bucket policies: explicit denies bind every caller (with or without --enforce-iam); under --enforce-iam a policy
allow admits an IAM user with no identity policy, as a resource policy does on AWS."""
import json
import os

import pytest

from conftest import Server, call_error


def policy(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def test_deny_statements_apply_without_enforcement(server):
    s3 = server.client("s3")
    bucket = f"pol-{os.urandom(4).hex()}"
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="public/a", Body=b"a")
    s3.put_object(Bucket=bucket, Key="secret/b", Body=b"b")
    s3.put_bucket_policy(Bucket=bucket, Policy=policy(
        {"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/secret/*"},
        {"Effect": "Deny", "Principal": "*", "Action": "s3:ListBucket", "Resource": f"arn:aws:s3:::{bucket}",
         "Condition": {"StringLike": {"s3:prefix": "secret/*"}}},
        {"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{bucket}/*",
         "Condition": {"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}},
    ))
    assert s3.get_object(Bucket=bucket, Key="public/a")["Body"].read() == b"a"
    status, code, message = call_error(s3.get_object, Bucket=bucket, Key="secret/b")
    assert (status, code) == (403, "AccessDenied")
    assert "explicit deny in a resource-based policy" in message or "explicit deny" in message
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix="public/")["Contents"]] == ["public/a"]
    status, code, _ = call_error(s3.list_objects_v2, Bucket=bucket, Prefix="secret/")
    assert (status, code) == (403, "AccessDenied")
    # The caller is on 127.0.0.1, outside 10.0.0.0/8: writes are refused.
    status, code, _ = call_error(s3.put_object, Bucket=bucket, Key="public/c", Body=b"c")
    assert (status, code) == (403, "AccessDenied")
    out = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "public/a"}]})
    assert [d["Key"] for d in out["Deleted"]] == ["public/a"]
    s3.delete_bucket_policy(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="public/c", Body=b"c")
    assert s3.get_object(Bucket=bucket, Key="secret/b")["Body"].read() == b"b"


@pytest.fixture
def enforced():
    s = Server(extra_args=["--enforce-iam"]).start()
    yield s
    s.cleanup()


def test_bucket_policy_allows_a_user_without_identity_policy(enforced):
    iam = enforced.client("iam")
    iam.create_user(UserName="reader")
    k = iam.create_access_key(UserName="reader")["AccessKey"]
    arn = iam.get_user(UserName="reader")["User"]["Arn"]
    root = enforced.client("s3")
    bucket = f"enf-{os.urandom(4).hex()}"
    root.create_bucket(Bucket=bucket)
    root.put_object(Bucket=bucket, Key="doc", Body=b"hello")
    user = enforced.client("s3", key=k["AccessKeyId"], secret=k["SecretAccessKey"])
    status, code, message = call_error(user.get_object, Bucket=bucket, Key="doc")
    assert (status, code) == (403, "AccessDenied")
    assert f"User: {arn} is not authorized to perform: s3:GetObject" in message
    root.put_bucket_policy(Bucket=bucket, Policy=policy(
        {"Effect": "Allow", "Principal": {"AWS": arn}, "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"}))
    assert user.get_object(Bucket=bucket, Key="doc")["Body"].read() == b"hello"
    status, code, _ = call_error(user.put_object, Bucket=bucket, Key="doc", Body=b"x")
    assert (status, code) == (403, "AccessDenied")
    # An identity allow with a bucket-policy deny: the deny wins.
    iam.put_user_policy(UserName="reader", PolicyName="all-s3", PolicyDocument=policy(
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}))
    user.put_object(Bucket=bucket, Key="doc2", Body=b"x")
    root.put_bucket_policy(Bucket=bucket, Policy=policy(
        {"Effect": "Deny", "Principal": {"AWS": arn}, "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{bucket}/*"}))
    status, code, _ = call_error(user.put_object, Bucket=bucket, Key="doc3", Body=b"x")
    assert (status, code) == (403, "AccessDenied")
    # Policies survive a restart.
    enforced.restart()
    user = enforced.client("s3", key=k["AccessKeyId"], secret=k["SecretAccessKey"])
    status, code, _ = call_error(user.put_object, Bucket=bucket, Key="doc3", Body=b"x")
    assert (status, code) == (403, "AccessDenied")
    assert user.get_object(Bucket=bucket, Key="doc2")["Body"].read() == b"x"
