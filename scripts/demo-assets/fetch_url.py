"""The demo's second VPC function: fetches a URL on the (simulated) internet."""
import os
import urllib.request


def handler(event, context):
    url = event.get("url") or os.environ["URL"]
    with urllib.request.urlopen(url, timeout=3) as response:
        return {"url": url, "status": response.status, "body": response.read().decode().strip()}
