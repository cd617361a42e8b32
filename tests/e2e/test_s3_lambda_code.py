"""Lambda code from S3: CreateFunction, UpdateFunctionCode and PublishLayerVersion with S3Bucket/S3Key/S3ObjectVersion,
and Lambda's wording of S3's errors."""
import base64
import hashlib
import os

from conftest import call_error
from lambda_support import ROLE, make_zip, unique


def test_function_and_layer_code_from_s3(server, lam):
    s3 = server.client("s3")
    bucket = f"code-{os.urandom(4).hex()}"
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    v1 = make_zip("def handler(event, context):\n    return {'v': 1}\n")
    v2 = make_zip("def handler(event, context):\n    return {'v': 2}\n")
    first = s3.put_object(Bucket=bucket, Key="fn.zip", Body=v1)["VersionId"]
    s3.put_object(Bucket=bucket, Key="fn.zip", Body=v2)
    name = unique()
    created = lam.create_function(FunctionName=name, Runtime="python3.12", Role=ROLE, Handler="index.handler",
                                  Code={"S3Bucket": bucket, "S3Key": "fn.zip", "S3ObjectVersion": first})
    assert created["CodeSha256"] == base64.b64encode(hashlib.sha256(v1).digest()).decode()
    assert created["CodeSize"] == len(v1)
    updated = lam.update_function_code(FunctionName=name, S3Bucket=bucket, S3Key="fn.zip")
    assert updated["CodeSha256"] == base64.b64encode(hashlib.sha256(v2).digest()).decode()
    layer = lam.publish_layer_version(LayerName=unique("layer"), Content={"S3Bucket": bucket, "S3Key": "fn.zip"})
    assert layer["Content"]["CodeSha256"] == base64.b64encode(hashlib.sha256(v2).digest()).decode()

    status, code, message = call_error(lam.create_function, FunctionName=unique(), Runtime="python3.12", Role=ROLE,
                                       Handler="index.handler", Code={"S3Bucket": "no-such-bucket-here", "S3Key": "fn.zip"})
    assert (status, code) == (400, "InvalidParameterValueException")
    assert message == ("Error occurred while GetObject. S3 Error Code: NoSuchBucket. "
                       "S3 Error Message: The specified bucket does not exist")
    status, code, message = call_error(lam.update_function_code, FunctionName=name, S3Bucket=bucket, S3Key="missing.zip")
    assert (status, code) == (400, "InvalidParameterValueException")
    assert message == ("Error occurred while GetObject. S3 Error Code: NoSuchKey. "
                       "S3 Error Message: The specified key does not exist.")
    s3.put_object(Bucket=bucket, Key="not-a.zip", Body=b"plain text")
    status, code, _ = call_error(lam.update_function_code, FunctionName=name, S3Bucket=bucket, S3Key="not-a.zip")
    assert (status, code) == (400, "InvalidParameterValueException")
    west = server.client("s3", region_name="eu-west-1")
    far = f"far-{os.urandom(4).hex()}"
    west.create_bucket(Bucket=far, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    west.put_object(Bucket=far, Key="fn.zip", Body=v1)
    status, code, message = call_error(lam.update_function_code, FunctionName=name, S3Bucket=far, S3Key="fn.zip")
    assert (status, code) == (400, "InvalidParameterValueException")
    assert "PermanentRedirect" in message and "eu-west-1" in message
