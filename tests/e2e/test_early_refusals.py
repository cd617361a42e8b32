"""Refusals given before a request's body is read: under `serve --enforce-iam`, a caller the server would refuse
anyway may not make it buffer a large body, and bytes that are not HTTP get a 400 that says so."""
import concurrent.futures
import io
import os
import socket
import threading
import time
import zipfile

import pytest

from conftest import Server
from lambda_support import unique

SIXTY_MB = 60 * 1024 * 1024


@pytest.fixture(scope="module")
def enforced():
    s = Server(extra_args=["--enforce-iam", "--skip-role-checks"]).start()
    yield s
    s.cleanup()


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


class RssPeak:
    """The largest VmRSS of a process seen while the block runs, sampled every 5 ms."""

    def __init__(self, pid):
        self.pid, self.peak, self._stop = pid, 0, threading.Event()

    def __enter__(self):
        self.before = rss_kib(self.pid)
        self.peak = self.before
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_kib(self.pid))
            time.sleep(0.005)

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_kib(self.pid))


def read_response(sock, timeout=10):
    """Reads one answer (up to its Content-Length, or until the server closes); returns (status, headers with
    lower-cased names, body)."""
    sock.settimeout(timeout)
    data = b""
    headers, status = None, None
    while True:
        if headers is None and b"\r\n\r\n" in data:
            head, _, rest = data.partition(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            status = int(lines[0].split()[1])
            headers = {k.strip().lower(): v.strip() for k, v in (l.split(":", 1) for l in lines[1:] if ":" in l)}
        if headers is not None and len(data.partition(b"\r\n\r\n")[2]) >= int(headers.get("content-length", 1 << 62)):
            break
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            break
        if not chunk:
            break
        data += chunk
    assert headers is not None, f"no answer: {data!r}"
    return status, headers, data.partition(b"\r\n\r\n")[2]


def post_head_then_read(port, path, extra_headers=b"", declared=SIXTY_MB, sent=8192):
    """Sends a head declaring `declared` body bytes and only `sent` of them, then reads the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(b"POST " + path.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                  + extra_headers + b"Content-Length: " + str(declared).encode() + b"\r\n\r\n" + b"x" * sent)
        started = time.monotonic()
        status, headers, body = read_response(s)
        return status, headers, body, time.monotonic() - started


def test_unsigned_large_bodies_are_refused_before_they_are_read(enforced):
    with RssPeak(enforced.pid) as rss:
        with concurrent.futures.ThreadPoolExecutor(16) as pool:
            answers = list(pool.map(lambda _: post_head_then_read(enforced.port, "/2015-03-31/functions"), range(16)))
    for status, headers, body, seconds in answers:
        # Lambda's own answer to an unsigned request, in its REST-JSON envelope.
        assert (status, headers.get("x-amzn-errortype")) == (403, "MissingAuthenticationTokenException"), body
        assert b"Missing Authentication Token" in body and headers.get("x-amzn-requestid")
        assert headers.get("connection") == "close"
        assert seconds < 3, seconds
    grown_mib = (rss.peak - rss.before) / 1024
    assert grown_mib < 100, f"RSS grew {grown_mib:.0f} MiB"
    assert enforced.healthy()


def test_each_protocol_refuses_an_untrusted_large_body_in_its_own_terms(enforced):
    # EC2 (the Query protocol a bare `/` speaks): MissingAuthenticationToken in EC2's XML.
    status, headers, body, _ = post_head_then_read(enforced.port, "/")
    assert status == 401 and b"<Code>MissingAuthenticationToken</Code>" in body and b"<Response>" in body
    # A signature by a key the server does not know: Lambda's UnrecognizedClientException, EC2's AuthFailure.
    stranger = time.strftime("%Y%m%d", time.gmtime())
    auth = (b"Authorization: AWS4-HMAC-SHA256 Credential=AKIASTRANGER00000000/" + stranger.encode()
            + b"/us-east-1/%s/aws4_request, SignedHeaders=host;x-amz-date, Signature=" + b"0" * 64 + b"\r\n"
            + b"X-Amz-Date: " + time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()).encode() + b"\r\n")
    status, headers, body, _ = post_head_then_read(enforced.port, "/2015-03-31/functions", auth % b"lambda")
    assert (status, headers.get("x-amzn-errortype")) == (403, "UnrecognizedClientException")
    status, headers, body, _ = post_head_then_read(enforced.port, "/", auth % b"ec2")
    assert status == 401 and b"<Code>AuthFailure</Code>" in body
    # A chunked body is cut off once it passes the small limit, with the same answer.
    with socket.create_connection(("127.0.0.1", enforced.port), timeout=10) as s:
        s.sendall(b"POST /2015-03-31/functions HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n")
        chunk = b"y" * 32768
        for _ in range(3):
            s.sendall(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
        status, headers, body = read_response(s)
    assert (status, headers.get("x-amzn-errortype")) == (403, "MissingAuthenticationTokenException")


def test_a_client_that_sends_its_whole_body_first_still_reads_the_refusal(enforced):
    """As a simple HTTP client does: the rest of the body is taken and dropped, not met with a reset."""
    with socket.create_connection(("127.0.0.1", enforced.port), timeout=30) as s:
        s.sendall(b"POST /2015-03-31/functions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: %d\r\n\r\n" % (8 << 20))
        s.sendall(b"z" * (8 << 20))
        status, headers, body = read_response(s)
    assert (status, headers.get("x-amzn-errortype")) == (403, "MissingAuthenticationTokenException")


def test_a_small_unsigned_body_is_read_and_refused_as_before(enforced):
    status, headers, body, _ = post_head_then_read(enforced.port, "/2015-03-31/functions", declared=100, sent=100)
    assert (status, headers.get("x-amzn-errortype")) == (403, "MissingAuthenticationTokenException")


def test_without_enforcement_an_unsigned_large_body_is_refused_before_it_is_read(server):
    # The router refuses an unsigned request in either mode, so its body is not worth reading in either.
    status, headers, body, seconds = post_head_then_read(server.port, "/2015-03-31/functions")
    assert (status, headers.get("x-amzn-errortype")) == (403, "MissingAuthenticationTokenException") and seconds < 3
    # A readable signature is trusted without enforcement (any key works), so its body is read: a short one waits.
    stranger = time.strftime("%Y%m%d", time.gmtime())
    auth = (b"Authorization: AWS4-HMAC-SHA256 Credential=AKIASTRANGER00000000/" + stranger.encode()
            + b"/us-east-1/lambda/aws4_request, SignedHeaders=host;x-amz-date, Signature=" + b"0" * 64 + b"\r\n")
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:
        s.sendall(b"POST /2015-03-31/functions HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth
                  + b"Content-Length: %d\r\n\r\n" % (1 << 20) + b"x" * 8192)
        s.settimeout(1)
        with pytest.raises(TimeoutError):
            s.recv(1)


@pytest.mark.parametrize("raw", [
    b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: AWS4-HMAC-SHA256 \x01Credential=x\r\nContent-Length: 0\r\n\r\n",
    b"GARBAGE\x01 / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
], ids=["control-byte-in-authorization", "bad-request-line"])
def test_bytes_that_are_not_http_get_a_400_that_says_so(enforced, raw):
    with socket.create_connection(("127.0.0.1", enforced.port), timeout=10) as s:
        s.sendall(raw)
        status, headers, body = read_response(s)
    assert status == 400
    assert b"<Code>BadRequest</Code>" in body and headers.get("x-amzn-requestid")
    assert int(headers["content-length"]) == len(body) > 0
    assert enforced.healthy()


def test_a_signed_deployment_package_is_still_taken(enforced):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        z.writestr("index.py", "def handler(event, context):\n    return event\n")
        z.writestr("blob.bin", os.urandom(1 << 20))
    package = buf.getvalue()
    assert len(package) > 1 << 20
    lam = enforced.client("lambda")
    name = unique("big")
    created = lam.create_function(FunctionName=name, Runtime="python3.12", Handler="index.handler",
                                  Role="arn:aws:iam::123456789012:role/lambda-role", Code={"ZipFile": package})
    assert created["CodeSize"] == len(package)
    assert lam.get_function(FunctionName=name)["Configuration"]["CodeSize"] == len(package)
