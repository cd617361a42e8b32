"""S3 event notifications to Lambda: refused unless the function's resource policy allows s3.amazonaws.com; then an
object created (or removed) under the filter runs the function once, asynchronously, with AWS's event shape."""
import json
import os
import time

from conftest import call_error
from invoke_support import deploy, zip_of

PRINT_EVENT = "import json\ndef handler(event, context):\n    print('EVENT ' + json.dumps(event))\n    return 1\n"


def events_logged(server, name):
    logs = server.client("logs")
    try:
        out = logs.filter_log_events(logGroupName=f"/aws/lambda/{name}")["events"]
    except logs.exceptions.ResourceNotFoundException:
        return []
    return [json.loads(e["message"].strip()[len("EVENT "):]) for e in out if e["message"].startswith("EVENT ")]


def wait_events(server, name, count, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        got = events_logged(server, name)
        if len(got) >= count:
            return got
        time.sleep(0.1)
    return events_logged(server, name)


def test_object_events_reach_the_subscribed_function(server):
    lam, s3 = server.client("lambda"), server.client("s3")
    name = deploy(lam, Code={"ZipFile": zip_of({"index.py": (PRINT_EVENT, False)})}, Handler="index.handler")
    arn = lam.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
    bucket = f"events-{os.urandom(4).hex()}"
    s3.create_bucket(Bucket=bucket)
    config = {"LambdaFunctionConfigurations": [{
        "Id": "uploads", "LambdaFunctionArn": arn, "Events": ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"],
        "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "in/"}, {"Name": "suffix", "Value": ".txt"}]}}}]}
    status, code, _ = call_error(s3.put_bucket_notification_configuration, Bucket=bucket, NotificationConfiguration=config)
    assert (status, code) == (400, "InvalidArgument")
    lam.add_permission(FunctionName=name, StatementId="s3", Action="lambda:InvokeFunction", Principal="s3.amazonaws.com",
                       SourceArn=f"arn:aws:s3:::{bucket}")
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration=config)
    got = s3.get_bucket_notification_configuration(Bucket=bucket)["LambdaFunctionConfigurations"]
    assert got[0]["LambdaFunctionArn"] == arn and got[0]["Id"] == "uploads"
    s3.put_object(Bucket=bucket, Key="in/skip.bin", Body=b"no")
    s3.put_object(Bucket=bucket, Key="other/a.txt", Body=b"no")
    s3.put_object(Bucket=bucket, Key="in/a b.txt", Body=b"hello")
    events = wait_events(server, name, 1)
    assert len(events) == 1
    record = events[0]["Records"][0]
    assert record["eventSource"] == "aws:s3" and record["eventName"] == "ObjectCreated:Put"
    assert record["s3"]["bucket"]["name"] == bucket and record["s3"]["configurationId"] == "uploads"
    assert record["s3"]["object"]["key"] == "in/a%20b.txt" and record["s3"]["object"]["size"] == 5
    s3.delete_object(Bucket=bucket, Key="in/a b.txt")
    events = wait_events(server, name, 2)
    assert [e["Records"][0]["eventName"] for e in events] == ["ObjectCreated:Put", "ObjectRemoved:Delete"]
    time.sleep(0.5)
    assert len(events_logged(server, name)) == 2, "each event runs the function once"
