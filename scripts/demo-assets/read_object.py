"""The demo's third VPC function: reads an S3 object with boto3's defaults (no endpoint URL: the VPC's resolver and
route tables decide where S3 is)."""
import os

import boto3
import botocore.config


def handler(event, context):
    s3 = boto3.client("s3", config=botocore.config.Config(connect_timeout=3, retries={"max_attempts": 1}))
    body = s3.get_object(Bucket=os.environ["BUCKET"], Key=os.environ["KEY"])["Body"].read().decode()
    return {"bucket": os.environ["BUCKET"], "key": os.environ["KEY"], "body": body}
