"""S3 buckets and objects through boto3 against a real server: what a user sees."""
import base64
import hashlib
import os
import urllib.error
import urllib.request
import zlib

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from conftest import call_error


@pytest.fixture
def s3(server):
    return server.client("s3")


def unique(name):
    return f"{name}-{os.urandom(4).hex()}"


@pytest.fixture
def bucket(s3):
    name = unique("bkt")
    s3.create_bucket(Bucket=name)
    yield name
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=name):
        for v in page.get("Versions", []) + page.get("DeleteMarkers", []):
            s3.delete_object(Bucket=name, Key=v["Key"], VersionId=v["VersionId"])
    for u in s3.list_multipart_uploads(Bucket=name).get("Uploads", []):
        s3.abort_multipart_upload(Bucket=name, Key=u["Key"], UploadId=u["UploadId"])
    s3.delete_bucket(Bucket=name)


def test_bucket_lifecycle(s3):
    name = unique("life")
    s3.create_bucket(Bucket=name)
    assert s3.head_bucket(Bucket=name)["ResponseMetadata"]["HTTPHeaders"]["x-amz-bucket-region"] == "us-east-1"
    assert name in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    assert s3.get_bucket_location(Bucket=name)["LocationConstraint"] is None
    # us-east-1 answers a repeated create by the owner with success.
    s3.create_bucket(Bucket=name)
    s3.put_object(Bucket=name, Key="k", Body=b"x")
    status, code, _ = call_error(s3.delete_bucket, Bucket=name)
    assert (status, code) == (409, "BucketNotEmpty")
    s3.delete_object(Bucket=name, Key="k")
    s3.delete_bucket(Bucket=name)
    status, code, _ = call_error(s3.head_bucket, Bucket=name)
    assert status == 404
    status, code, _ = call_error(s3.list_objects_v2, Bucket=name)
    assert (status, code) == (404, "NoSuchBucket")


def test_location_constraints(server):
    west = server.client("s3", region_name="eu-west-1")
    name = unique("west")
    status, code, _ = call_error(west.create_bucket, Bucket=name)
    assert (status, code) == (400, "IllegalLocationConstraintException")
    status, code, _ = call_error(west.create_bucket, Bucket=name,
                                 CreateBucketConfiguration={"LocationConstraint": "eu-central-1"})
    assert (status, code) == (400, "IllegalLocationConstraintException")
    west.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    assert west.get_bucket_location(Bucket=name)["LocationConstraint"] == "eu-west-1"
    status, code, _ = call_error(west.create_bucket, Bucket=name,
                                 CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    assert (status, code) == (409, "BucketAlreadyOwnedByYou")
    east = server.client("s3")
    status, code, _ = call_error(east.create_bucket, Bucket=unique("east"),
                                 CreateBucketConfiguration={"LocationConstraint": "us-east-1"})
    assert (status, code) == (400, "InvalidLocationConstraint")
    status, code, _ = call_error(east.create_bucket, Bucket="ab")
    assert (status, code) == (400, "InvalidBucketName")
    west.delete_bucket(Bucket=name)


def test_put_get_head_delete(s3, bucket):
    body = os.urandom(10_000)
    put = s3.put_object(Bucket=bucket, Key="dir/file.bin", Body=body, ContentType="application/x-test",
                        Metadata={"colour": "blue"})
    assert put["ETag"] == '"%s"' % hashlib.md5(body).hexdigest()
    got = s3.get_object(Bucket=bucket, Key="dir/file.bin")
    assert got["Body"].read() == body
    assert got["ContentType"] == "application/x-test"
    assert got["Metadata"] == {"colour": "blue"}
    assert got["ContentLength"] == len(body)
    head = s3.head_object(Bucket=bucket, Key="dir/file.bin")
    assert head["ContentLength"] == len(body) and head["ETag"] == put["ETag"]
    part = s3.get_object(Bucket=bucket, Key="dir/file.bin", Range="bytes=100-199")
    assert part["Body"].read() == body[100:200]
    assert part["ContentRange"] == f"bytes 100-199/{len(body)}"
    tail = s3.get_object(Bucket=bucket, Key="dir/file.bin", Range="bytes=-10")
    assert tail["Body"].read() == body[-10:]
    status, code, _ = call_error(s3.get_object, Bucket=bucket, Key="dir/file.bin", Range="bytes=20000-")
    assert (status, code) == (416, "InvalidRange")
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=bucket, Key="dir/file.bin", IfNoneMatch=put["ETag"])
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 304
    status, code, _ = call_error(s3.get_object, Bucket=bucket, Key="dir/file.bin", IfMatch='"0000"')
    assert (status, code) == (412, "PreconditionFailed")
    s3.delete_object(Bucket=bucket, Key="dir/file.bin")
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=bucket, Key="dir/file.bin")
    assert e.value.response["Error"]["Code"] == "NoSuchKey"
    assert e.value.response["Error"]["Key"] == "dir/file.bin"
    status, _, _ = call_error(s3.head_object, Bucket=bucket, Key="dir/file.bin")
    assert status == 404
    # Deleting what is not there succeeds, as on S3.
    s3.delete_object(Bucket=bucket, Key="never")


def test_empty_object_and_odd_keys(s3, bucket):
    for key in ["empty", "with space/and+plus", "ünïcödé/κλειδί", "a%2Fb", "x?y=z&w"]:
        s3.put_object(Bucket=bucket, Key=key, Body=b"" if key == "empty" else key.encode())
        assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == (b"" if key == "empty" else key.encode())
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]]
    assert keys == sorted(keys, key=lambda k: k.encode())
    assert set(keys) == {"empty", "with space/and+plus", "ünïcödé/κλειδί", "a%2Fb", "x?y=z&w"}


def test_conditional_writes(s3, bucket):
    first = s3.put_object(Bucket=bucket, Key="once", Body=b"1", IfNoneMatch="*")
    status, code, _ = call_error(s3.put_object, Bucket=bucket, Key="once", Body=b"2", IfNoneMatch="*")
    assert (status, code) == (412, "PreconditionFailed")
    status, code, _ = call_error(s3.put_object, Bucket=bucket, Key="once", Body=b"2", IfMatch='"ffff"')
    assert (status, code) == (412, "PreconditionFailed")
    s3.put_object(Bucket=bucket, Key="once", Body=b"3", IfMatch=first["ETag"])
    assert s3.get_object(Bucket=bucket, Key="once")["Body"].read() == b"3"
    status, code, _ = call_error(s3.put_object, Bucket=bucket, Key="absent", Body=b"2", IfMatch='"ffff"')
    assert (status, code) == (404, "NoSuchKey")


def test_checksums(s3, bucket):
    body = b"checksum me" * 1000
    sha = base64.b64encode(hashlib.sha256(body).digest()).decode()
    put = s3.put_object(Bucket=bucket, Key="c", Body=body, ChecksumAlgorithm="SHA256")
    assert put["ChecksumSHA256"] == sha
    head = s3.head_object(Bucket=bucket, Key="c", ChecksumMode="ENABLED")
    assert head["ChecksumSHA256"] == sha
    crc = base64.b64encode((zlib.crc32(body) & 0xFFFFFFFF).to_bytes(4, "big")).decode()
    put = s3.put_object(Bucket=bucket, Key="crc", Body=body, ChecksumCRC32=crc)
    assert put["ChecksumCRC32"] == crc
    wrong = base64.b64encode(b"\0\0\0\1").decode()
    status, code, _ = call_error(s3.put_object, Bucket=bucket, Key="bad", Body=body, ChecksumCRC32=wrong)
    assert (status, code) == (400, "BadDigest")
    md5 = base64.b64encode(hashlib.md5(b"other").digest()).decode()
    status, code, _ = call_error(s3.put_object, Bucket=bucket, Key="bad", Body=body, ContentMD5=md5)
    assert (status, code) == (400, "BadDigest")
    status, _, _ = call_error(s3.head_object, Bucket=bucket, Key="bad")
    assert status == 404


def crc64nvme(data):
    """CRC-64/NVME, bit by bit (the test's own reference, independent of the server's tables)."""
    crc = 0xFFFFFFFFFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x9A6C9329AC4BC9B5 if crc & 1 else crc >> 1
    return base64.b64encode((crc ^ 0xFFFFFFFFFFFFFFFF).to_bytes(8, "big")).decode()


def test_crc64nvme_checksums(s3, bucket):
    assert crc64nvme(b"123456789") == base64.b64encode(bytes.fromhex("ae8b14860a799888")).decode()
    # A small body (kept in its row) and a large one (streamed to a file) are both checked and kept.
    for key, body in (("small", os.urandom(3000)), ("large", os.urandom(70_000))):
        value = crc64nvme(body)
        put = s3.put_object(Bucket=bucket, Key=key, Body=body, ChecksumCRC64NVME=value)
        assert put["ChecksumCRC64NVME"] == value
        head = s3.head_object(Bucket=bucket, Key=key, ChecksumMode="ENABLED")
        assert head["ChecksumCRC64NVME"] == value and head["ChecksumType"] == "FULL_OBJECT"
        assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == body
    wrong = base64.b64encode(b"\0" * 8).decode()
    status, code, _ = call_error(s3.put_object, Bucket=bucket, Key="bad64", Body=b"x" * 100, ChecksumCRC64NVME=wrong)
    assert (status, code) == (400, "BadDigest")
    status, code, _ = call_error(s3.put_object, Bucket=bucket, Key="bad64", Body=b"x" * 100, ChecksumCRC64NVME="AAAA")
    assert (status, code) == (400, "InvalidRequest")


def test_listing_prefix_delimiter_pagination(s3, bucket):
    keys = ["a/1", "a/2", "a/b/3", "b/1", "c", "d"]
    for k in keys:
        s3.put_object(Bucket=bucket, Key=k, Body=k.encode())
    top = s3.list_objects_v2(Bucket=bucket, Delimiter="/")
    assert [p["Prefix"] for p in top["CommonPrefixes"]] == ["a/", "b/"]
    assert [o["Key"] for o in top["Contents"]] == ["c", "d"]
    assert top["KeyCount"] == 4
    sub = s3.list_objects_v2(Bucket=bucket, Prefix="a/", Delimiter="/")
    assert [o["Key"] for o in sub["Contents"]] == ["a/1", "a/2"]
    assert [p["Prefix"] for p in sub["CommonPrefixes"]] == ["a/b/"]
    seen = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, PaginationConfig={"PageSize": 2}):
        assert page["KeyCount"] <= 2
        seen += [o["Key"] for o in page.get("Contents", [])]
    assert seen == keys
    paged = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Delimiter="/", PaginationConfig={"PageSize": 1}):
        paged += [p["Prefix"] for p in page.get("CommonPrefixes", [])] + [o["Key"] for o in page.get("Contents", [])]
    assert paged == ["a/", "b/", "c", "d"]
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, StartAfter="b/1")["Contents"]] == ["c", "d"]
    v1 = s3.list_objects(Bucket=bucket, Marker="a/b/3", MaxKeys=2)
    assert [o["Key"] for o in v1["Contents"]] == ["b/1", "c"] and v1["IsTruncated"]
    v1seen = []
    for page in s3.get_paginator("list_objects").paginate(Bucket=bucket, PaginationConfig={"PageSize": 4}):
        v1seen += [o["Key"] for o in page.get("Contents", [])]
    assert v1seen == keys
    status, code, _ = call_error(s3.list_objects_v2, Bucket=bucket, ContinuationToken="!!!")
    assert (status, code) == (400, "InvalidArgument")


def test_copy_tagging_delete_objects(s3, bucket):
    s3.put_object(Bucket=bucket, Key="src", Body=b"source", Metadata={"m": "1"}, Tagging="t1=v1")
    copy = s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "src"})
    assert copy["CopyObjectResult"]["ETag"] == '"%s"' % hashlib.md5(b"source").hexdigest()
    got = s3.get_object(Bucket=bucket, Key="dst")
    assert got["Body"].read() == b"source" and got["Metadata"] == {"m": "1"}
    s3.copy_object(Bucket=bucket, Key="dst2", CopySource=f"{bucket}/src", MetadataDirective="REPLACE", Metadata={"m": "2"})
    assert s3.head_object(Bucket=bucket, Key="dst2")["Metadata"] == {"m": "2"}
    status, code, _ = call_error(s3.copy_object, Bucket=bucket, Key="src", CopySource={"Bucket": bucket, "Key": "src"})
    assert (status, code) == (400, "InvalidRequest")
    status, code, _ = call_error(s3.copy_object, Bucket=bucket, Key="x", CopySource={"Bucket": bucket, "Key": "nope"})
    assert (status, code) == (404, "NoSuchKey")
    assert s3.get_object_tagging(Bucket=bucket, Key="src")["TagSet"] == [{"Key": "t1", "Value": "v1"}]
    s3.put_object_tagging(Bucket=bucket, Key="src", Tagging={"TagSet": [{"Key": "a", "Value": "b"}]})
    assert s3.get_object_tagging(Bucket=bucket, Key="src")["TagSet"] == [{"Key": "a", "Value": "b"}]
    out = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "src"}, {"Key": "dst"}, {"Key": "missing"}]})
    assert sorted(d["Key"] for d in out["Deleted"]) == ["dst", "missing", "src"]
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == ["dst2"]


def test_multipart_by_hand(s3, bucket):
    up = s3.create_multipart_upload(Bucket=bucket, Key="mp", Metadata={"k": "v"})
    uid = up["UploadId"]
    p1 = os.urandom(5 * 1024 * 1024)
    p2 = b"tail" * 1000
    e1 = s3.upload_part(Bucket=bucket, Key="mp", UploadId=uid, PartNumber=1, Body=p1)["ETag"]
    e2 = s3.upload_part(Bucket=bucket, Key="mp", UploadId=uid, PartNumber=2, Body=p2)["ETag"]
    assert [p["PartNumber"] for p in s3.list_parts(Bucket=bucket, Key="mp", UploadId=uid)["Parts"]] == [1, 2]
    assert [u["UploadId"] for u in s3.list_multipart_uploads(Bucket=bucket)["Uploads"]] == [uid]
    status, code, _ = call_error(s3.complete_multipart_upload, Bucket=bucket, Key="mp", UploadId=uid,
                                 MultipartUpload={"Parts": [{"PartNumber": 2, "ETag": e2}, {"PartNumber": 1, "ETag": e1}]})
    assert (status, code) == (400, "InvalidPartOrder")
    status, code, _ = call_error(s3.complete_multipart_upload, Bucket=bucket, Key="mp", UploadId=uid,
                                 MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": '"00"'}]})
    assert (status, code) == (400, "InvalidPart")
    done = s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=uid,
                                        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": e1}, {"PartNumber": 2, "ETag": e2}]})
    md5s = hashlib.md5(p1).digest() + hashlib.md5(p2).digest()
    assert done["ETag"] == '"%s-2"' % hashlib.md5(md5s).hexdigest()
    got = s3.get_object(Bucket=bucket, Key="mp")
    assert got["Body"].read() == p1 + p2 and got["Metadata"] == {"k": "v"}
    status, code, _ = call_error(s3.list_parts, Bucket=bucket, Key="mp", UploadId=uid)
    assert (status, code) == (404, "NoSuchUpload")
    # A part smaller than 5 MiB before the last is refused; UploadPartCopy takes a range of an object.
    up2 = s3.create_multipart_upload(Bucket=bucket, Key="mp2")["UploadId"]
    small = s3.upload_part(Bucket=bucket, Key="mp2", UploadId=up2, PartNumber=1, Body=b"small")["ETag"]
    copied = s3.upload_part_copy(Bucket=bucket, Key="mp2", UploadId=up2, PartNumber=2,
                                 CopySource={"Bucket": bucket, "Key": "mp"}, CopySourceRange="bytes=0-9")
    status, code, _ = call_error(s3.complete_multipart_upload, Bucket=bucket, Key="mp2", UploadId=up2,
                                 MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": small},
                                                            {"PartNumber": 2, "ETag": copied["CopyPartResult"]["ETag"]}]})
    assert (status, code) == (400, "EntityTooSmall")
    s3.abort_multipart_upload(Bucket=bucket, Key="mp2", UploadId=up2)
    status, code, _ = call_error(s3.abort_multipart_upload, Bucket=bucket, Key="mp2", UploadId=up2)
    assert (status, code) == (404, "NoSuchUpload")


def test_transfer_manager_100mb(server, s3, bucket, tmp_path):
    src = tmp_path / "big.bin"
    with open(src, "wb") as f:
        for _ in range(100):
            f.write(os.urandom(1024 * 1024))
    s3.upload_file(str(src), bucket, "big.bin")
    head = s3.head_object(Bucket=bucket, Key="big.bin")
    assert head["ContentLength"] == 100 * 1024 * 1024
    assert head["ETag"].endswith('-13"')  # 8 MiB parts
    dst = tmp_path / "back.bin"
    s3.download_file(bucket, "big.bin", str(dst))
    with open(src, "rb") as a, open(dst, "rb") as b:
        assert hashlib.sha256(a.read()).digest() == hashlib.sha256(b.read()).digest()


def test_presigned_urls(server, s3, bucket):
    put_url = s3.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "pre"}, ExpiresIn=60)
    req = urllib.request.Request(put_url, data=b"presigned body", method="PUT")
    with urllib.request.urlopen(req, timeout=10) as r:
        assert r.status == 200
    get_url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "pre"}, ExpiresIn=60)
    with urllib.request.urlopen(get_url, timeout=10) as r:
        assert r.read() == b"presigned body"
    # Expired URLs (version 2 and version 4) are refused even without --enforce-iam.
    import time
    v4 = server.client("s3", config=Config(signature_version="s3v4"))
    urls = [c.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "pre"}, ExpiresIn=1) for c in (s3, v4)]
    time.sleep(2.1)
    for url in urls:
        with pytest.raises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(url, timeout=10)
        assert e.value.code == 403 and b"<Code>AccessDenied</Code><Message>Request has expired</Message>" in e.value.read()


def test_versioning(s3, bucket):
    assert "Status" not in s3.get_bucket_versioning(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    v1 = s3.put_object(Bucket=bucket, Key="v", Body=b"one")["VersionId"]
    v2 = s3.put_object(Bucket=bucket, Key="v", Body=b"two")["VersionId"]
    assert v1 != v2
    assert s3.get_object(Bucket=bucket, Key="v")["Body"].read() == b"two"
    assert s3.get_object(Bucket=bucket, Key="v", VersionId=v1)["Body"].read() == b"one"
    marker = s3.delete_object(Bucket=bucket, Key="v")
    assert marker["DeleteMarker"] is True
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=bucket, Key="v")
    assert e.value.response["Error"]["Code"] == "NoSuchKey"
    versions = s3.list_object_versions(Bucket=bucket)
    assert [v["VersionId"] for v in versions["Versions"]] == [v2, v1]
    assert [m["VersionId"] for m in versions["DeleteMarkers"]] == [marker["VersionId"]]
    assert versions["DeleteMarkers"][0]["IsLatest"] is True
    paged = []
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket, PaginationConfig={"PageSize": 1}):
        paged += [(v["VersionId"], v["IsLatest"]) for v in page.get("Versions", []) + page.get("DeleteMarkers", [])]
    assert paged == [(marker["VersionId"], True), (v2, False), (v1, False)]
    s3.delete_object(Bucket=bucket, Key="v", VersionId=marker["VersionId"])
    assert s3.get_object(Bucket=bucket, Key="v")["Body"].read() == b"two"


def test_bucket_configuration(s3, bucket):
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": "team", "Value": "x"}]})
    assert s3.get_bucket_tagging(Bucket=bucket)["TagSet"] == [{"Key": "team", "Value": "x"}]
    s3.delete_bucket_tagging(Bucket=bucket)
    status, code, _ = call_error(s3.get_bucket_tagging, Bucket=bucket)
    assert (status, code) == (404, "NoSuchTagSet")
    enc = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]
    assert enc["Rules"][0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    status, code, _ = call_error(s3.get_bucket_policy, Bucket=bucket)
    assert (status, code) == (404, "NoSuchBucketPolicy")
    status, code, _ = call_error(s3.put_bucket_policy, Bucket=bucket, Policy="{not json")
    assert (status, code) == (400, "MalformedPolicy")
    policy = ('{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:DeleteBucket",'
              f'"Resource":"arn:aws:s3:::{bucket}"}}]}}')
    s3.put_bucket_policy(Bucket=bucket, Policy=policy)
    assert s3.get_bucket_policy(Bucket=bucket)["Policy"] == policy
    s3.delete_bucket_policy(Bucket=bucket)
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration={"BlockPublicAcls": True, "IgnorePublicAcls": True,
                                                                               "BlockPublicPolicy": True, "RestrictPublicBuckets": True})
    assert s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]["BlockPublicPolicy"] is True


def _raw(server, method, url, body=b"", headers=None, sign=True):
    """A request to `url` (whose host may be virtual) sent to the server's socket; SigV4-signed for s3 unless not."""
    import http.client
    import urllib.parse
    from botocore.auth import S3SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    hdrs = dict(headers or {})
    if sign:
        req = AWSRequest(method=method, url=url, data=body, headers=hdrs)
        S3SigV4Auth(Credentials("test", "test"), "s3", "us-east-1").add_auth(req)
        hdrs = dict(req.headers)
    u = urllib.parse.urlsplit(url)
    hdrs["Host"] = u.netloc
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    conn.request(method, u.path + (("?" + u.query) if u.query else ""), body=body or None, headers=hdrs)
    r = conn.getresponse()
    return r.status, dict(r.getheaders()), r.read()


def test_virtual_hosted_and_anonymous(server, s3, bucket):
    host = f"{bucket}.s3.localhost:{server.port}"
    status, _, _ = _raw(server, "PUT", f"http://{host}/v/key.txt", body=b"virtual")
    assert status == 200
    assert s3.get_object(Bucket=bucket, Key="v/key.txt")["Body"].read() == b"virtual"
    status, _, body = _raw(server, "GET", f"http://{bucket}.s3.us-east-1.amazonaws.com/v/key.txt")
    assert (status, body) == (200, b"virtual")
    status, _, body = _raw(server, "GET", f"http://{host}/?list-type=2")
    assert status == 200 and b"<Key>v/key.txt</Key>" in body
    # Unsigned: anonymous, refused with S3's error document.
    status, _, body = _raw(server, "GET", f"http://{host}/v/key.txt", sign=False)
    assert status == 403 and b"<Code>AccessDenied</Code>" in body
    # A policy open to everyone admits anonymous reads (of what it names only); a public access block that
    # restricts public buckets shuts them again.
    s3.put_bucket_policy(Bucket=bucket, Policy=('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*",'
                                                f'"Action":"s3:GetObject","Resource":"arn:aws:s3:::{bucket}/v/*"}}]}}'))
    status, _, body = _raw(server, "GET", f"http://{host}/v/key.txt", sign=False)
    assert (status, body) == (200, b"virtual")
    status, _, body = _raw(server, "PUT", f"http://{host}/v/anon.txt", body=b"x", sign=False)
    assert status == 403 and b"<Code>AccessDenied</Code>" in body
    status, _, body = _raw(server, "GET", f"http://{host}/?list-type=2", sign=False)
    assert status == 403
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration={"RestrictPublicBuckets": True})
    status, _, body = _raw(server, "GET", f"http://{host}/v/key.txt", sign=False)
    assert status == 403 and b"<Code>AccessDenied</Code>" in body
    s3.delete_public_access_block(Bucket=bucket)
    s3.delete_bucket_policy(Bucket=bucket)
    status, headers, body = _raw(server, "GET", f"http://{host}/missing")
    assert status == 404 and b"<Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>missing</Key>" in body
    assert headers.get("x-amz-request-id") and b"<RequestId>" in body
    status, _, body = _raw(server, "POST", f"http://{host}/?delete", body=b"<Delete><Object><Key>x</Key></Delete>",
                           headers={"Content-MD5": "xx"})
    assert status == 400 and b"<Code>MalformedXML</Code>" in body
    status, _, body = _raw(server, "GET", f"http://{host}/?acl")
    assert status == 501 and b"<Code>NotImplemented</Code>" in body
