"""S3 with the AWS CLI (`aws s3 ...`), raw aws-chunked uploads, and objects surviving SIGTERM and kill -9."""
import base64
import datetime
import hashlib
import hmac
import os
import subprocess
import urllib.error
import urllib.request
import zlib

from conftest import Server


def cli(server, *args, check=True):
    p = subprocess.run(["aws", *args], capture_output=True, text=True, env=server.cli_env(), timeout=300)
    if check and p.returncode != 0:
        raise AssertionError(f"aws {' '.join(args)} failed ({p.returncode}): {p.stderr}")
    return p


def test_aws_s3_commands(server, tmp_path):
    bucket = f"cli-{os.urandom(4).hex()}"
    cli(server, "s3", "mb", f"s3://{bucket}")
    assert bucket in cli(server, "s3", "ls").stdout
    src = tmp_path / "src"
    (src / "sub").mkdir(parents=True)
    (src / "a.txt").write_text("alpha")
    (src / "sub" / "b.txt").write_text("beta")
    big = os.urandom(9 * 1024 * 1024)  # above the CLI's 8 MiB multipart threshold
    (src / "big.bin").write_bytes(big)
    cli(server, "s3", "cp", str(src / "a.txt"), f"s3://{bucket}/one/a.txt")
    cli(server, "s3", "sync", str(src), f"s3://{bucket}/tree")
    listing = cli(server, "s3", "ls", "--recursive", f"s3://{bucket}").stdout
    for key in ["one/a.txt", "tree/a.txt", "tree/sub/b.txt", "tree/big.bin"]:
        assert key in listing
    # A second sync has nothing to copy.
    assert cli(server, "s3", "sync", str(src), f"s3://{bucket}/tree").stdout.strip() == ""
    out = tmp_path / "out"
    cli(server, "s3", "sync", f"s3://{bucket}/tree", str(out))
    assert (out / "sub" / "b.txt").read_text() == "beta"
    assert (out / "big.bin").read_bytes() == big
    url = cli(server, "s3", "presign", f"s3://{bucket}/one/a.txt", "--expires-in", "60").stdout.strip()
    with urllib.request.urlopen(url, timeout=10) as r:
        assert r.read() == b"alpha"
    curl = subprocess.run(["curl", "-sf", url], capture_output=True, timeout=30)
    assert curl.returncode == 0 and curl.stdout == b"alpha"
    p = cli(server, "s3", "rb", f"s3://{bucket}", check=False)
    assert p.returncode != 0 and "BucketNotEmpty" in p.stderr
    cli(server, "s3", "rm", "--recursive", f"s3://{bucket}")
    cli(server, "s3", "rb", f"s3://{bucket}")
    assert bucket not in cli(server, "s3", "ls").stdout


def sign(key, msg):
    return hmac.new(key, msg.encode(), hashlib.sha256).digest()


def chunked_put(server, bucket, key, chunks, signed=True, secret="test", corrupt=None, trailer=True):
    """PUT with aws-chunked encoding: STREAMING-AWS4-HMAC-SHA256-PAYLOAD (chunk signatures) or
    STREAMING-UNSIGNED-PAYLOAD-TRAILER (a CRC32 trailer), built by hand as the Java/Go SDKs send it."""
    now = datetime.datetime.now(datetime.timezone.utc)
    amz_date, date = now.strftime("%Y%m%dT%H%M%SZ"), now.strftime("%Y%m%d")
    host = f"127.0.0.1:{server.port}"
    scope = f"{date}/us-east-1/s3/aws4_request"
    payload = b"".join(chunks)
    content_hash = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD" if signed else "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
    headers = {"host": host, "x-amz-content-sha256": content_hash, "x-amz-date": amz_date,
               "x-amz-decoded-content-length": str(len(payload)), "content-encoding": "aws-chunked"}
    crc = base64.b64encode((zlib.crc32(payload) & 0xFFFFFFFF).to_bytes(4, "big")).decode()
    if not signed and trailer:
        headers["x-amz-trailer"] = "x-amz-checksum-crc32"
    names = sorted(headers)
    canonical = "\n".join(["PUT", f"/{bucket}/{key}", "", "".join(f"{n}:{headers[n]}\n" for n in names), ";".join(names),
                           content_hash])
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    k = sign(sign(sign(sign(("AWS4" + secret).encode(), date), "us-east-1"), "s3"), "aws4_request")
    seed = hmac.new(k, to_sign.encode(), hashlib.sha256).hexdigest()
    body = b""
    prev = seed
    for i, c in enumerate(list(chunks) + [b""]):
        if signed:
            sts = "\n".join(["AWS4-HMAC-SHA256-PAYLOAD", amz_date, scope, prev, hashlib.sha256(b"").hexdigest(),
                             hashlib.sha256(c).hexdigest()])
            sig = hmac.new(k, sts.encode(), hashlib.sha256).hexdigest()
            if corrupt == i:
                sig = "0" * 64
            prev = sig
            body += f"{len(c):x};chunk-signature={sig}\r\n".encode() + c + b"\r\n"
        elif c:
            body += f"{len(c):x}\r\n".encode() + c + b"\r\n"
        else:
            body += b"0\r\n" + (f"x-amz-checksum-crc32:{crc}\r\n".encode() if trailer else b"") + b"\r\n"
    headers["authorization"] = (f"AWS4-HMAC-SHA256 Credential=test/{scope}, SignedHeaders={';'.join(names)}, "
                                f"Signature={seed}")
    req = urllib.request.Request(f"{server.endpoint}/{bucket}/{key}", data=body, method="PUT",
                                 headers={**headers, "content-length": str(len(body))})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def test_aws_chunked_uploads(server):
    s3 = server.client("s3")
    bucket = f"chunk-{os.urandom(4).hex()}"
    s3.create_bucket(Bucket=bucket)
    chunks = [os.urandom(65536), os.urandom(65536), os.urandom(1000)]
    status, headers, _ = chunked_put(server, bucket, "signed", chunks)
    assert status == 200, _
    assert s3.get_object(Bucket=bucket, Key="signed")["Body"].read() == b"".join(chunks)
    status, headers, _ = chunked_put(server, bucket, "trailer", chunks, signed=False)
    assert status == 200, _
    crc = base64.b64encode((zlib.crc32(b"".join(chunks)) & 0xFFFFFFFF).to_bytes(4, "big")).decode()
    assert headers.get("x-amz-checksum-crc32") == crc
    assert s3.get_object(Bucket=bucket, Key="trailer")["Body"].read() == b"".join(chunks)


def test_chunk_signatures_verified_under_enforce_iam():
    s = Server(extra_args=["--enforce-iam"]).start()
    try:
        from botocore.config import Config
        # The root's key, as the server prints in its defaults (test/test unless configured).
        s3 = s.client("s3")
        bucket = f"enf-{os.urandom(4).hex()}"
        s3.create_bucket(Bucket=bucket)
        chunks = [os.urandom(70000), os.urandom(100)]
        status, _, body = chunked_put(s, bucket, "good", chunks)
        assert status == 200, body
        status, _, body = chunked_put(s, bucket, "bad", chunks, corrupt=1)
        assert status == 403 and b"<Code>SignatureDoesNotMatch</Code>" in body
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
        assert keys == ["good"]
        # Presigned URLs (version 2, the default, and version 4) verify; an altered one is refused.
        v4 = s.client("s3", config=Config(signature_version="s3v4"))
        for client in (s3, v4):
            url = client.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "good"}, ExpiresIn=60)
            with urllib.request.urlopen(url, timeout=10) as r:
                assert r.read() == b"".join(chunks)
            try:
                urllib.request.urlopen(url.replace("/good", "/bad"), timeout=10)
                raise AssertionError("an altered URL was accepted")
            except urllib.error.HTTPError as e:
                assert e.code == 403 and b"<Code>SignatureDoesNotMatch</Code>" in e.read()
    finally:
        s.cleanup()


def test_objects_survive_sigterm_and_kill9(fresh_server):
    s3 = fresh_server.client("s3")
    s3.create_bucket(Bucket="durable")
    s3.put_bucket_versioning(Bucket="durable", VersioningConfiguration={"Status": "Enabled"})
    bodies = {f"k{i}": os.urandom(1000 + i) for i in range(20)}
    for k, b in bodies.items():
        s3.put_object(Bucket="durable", Key=k, Body=b)
    fresh_server.restart()
    s3 = fresh_server.client("s3")
    for k, b in bodies.items():
        assert s3.get_object(Bucket="durable", Key=k)["Body"].read() == b
    # Small objects keep their bytes in their rows (one group commit for concurrent PUTs), larger ones in files:
    # both kinds, put concurrently, are all there after kill -9 once acknowledged.
    more = {f"m{i}": os.urandom(5000 if i % 2 else 100_000) for i in range(20)}
    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda kv: s3.put_object(Bucket="durable", Key=kv[0], Body=kv[1]), more.items()))
    fresh_server.kill9()
    fresh_server.start()
    s3 = fresh_server.client("s3")
    for k, b in {**bodies, **more}.items():
        assert s3.get_object(Bucket="durable", Key=k)["Body"].read() == b
    assert s3.get_bucket_versioning(Bucket="durable")["Status"] == "Enabled"
    # Nothing left behind in the upload area, and no file without its row: only the large objects have files.
    objects_dir = os.path.join(fresh_server.data_dir, "s3", "objects")
    files = sum(len(fs) for _, _, fs in os.walk(objects_dir))
    assert files == sum(1 for b in more.values() if len(b) > 64 * 1024) == 10
    assert os.listdir(os.path.join(fresh_server.data_dir, "s3", "incoming")) == []
