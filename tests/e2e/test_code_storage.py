"""Deployment packages on disk: a package whose directory lies about its size is stopped at Lambda's 250 MB unzipped
limit while unpacking (never stored past it), and zips and unpacked code go once no function version uses them."""
import hashlib
import os
import struct
import threading
import time
import urllib.request
import zlib

import pytest
from botocore.exceptions import ClientError

from conftest import Server
from invoke_support import PY_ECHO, ensure_role, invoke, wait_active, zip_of
from lambda_support import ROLE, unique

LIMIT_MESSAGE = "Unzipped size must be smaller than 262144000 bytes"


@pytest.fixture(scope="module")
def s():
    server = Server().start()
    yield server
    server.cleanup()


@pytest.fixture(scope="module")
def lam(s):
    client = s.client("lambda")
    ensure_role(client)
    return client


def lying_zip(real_size=300_000_000, declared=1000):
    """index.py plus zeros.bin: deflated from `real_size` zero bytes, declared as `declared` bytes in both headers."""
    entries = [("index.py", b"def handler(event, context):\n    return 1\n", None)]
    deflater = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk = b"\0" * (1 << 20)
    parts, crc, left = [], 0, real_size
    while left:
        piece = chunk[:min(left, len(chunk))]
        parts.append(deflater.compress(piece))
        crc = zlib.crc32(piece, crc)
        left -= len(piece)
    parts.append(deflater.flush())
    entries.append(("zeros.bin", b"".join(parts), (crc, declared)))
    out, central = bytearray(), bytearray()
    for name, data, lie in entries:
        if lie is None:
            crc, size, method, payload = zlib.crc32(data), len(data), 0, data
        else:
            (crc, size), method, payload = lie, 8, data
        offset = len(out)
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0x5A21, crc, len(payload), size, len(name), 0)
        out += name.encode() + payload
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 0x0314, 20, 0, method, 0, 0x5A21, crc, len(payload),
                               size, len(name), 0, 0, 0, 0, 0o100644 << 16, offset)
        central += name.encode()
    out += central + struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(central),
                                 len(out), 0)
    return bytes(out)


def disk_usage(path):
    total = 0
    for root, _, files in os.walk(path):
        for f in files:
            try:
                total += os.lstat(os.path.join(root, f)).st_blocks * 512
            except OSError:
                pass
    return total


def task_entries(s, sha):
    tasks = os.path.join(s.data_dir, "tasks")
    return [n for n in os.listdir(tasks) if n.startswith(sha)] if os.path.isdir(tasks) else []


def test_a_package_that_lies_about_its_size_fails_at_invoke_with_lambdas_error_and_leaves_nothing(s, lam):
    bomb = lying_zip()
    assert len(bomb) < 1_000_000
    sha = hashlib.sha256(bomb).hexdigest()
    name = unique("liar")
    # The directory declares about 1 KB: CreateFunction cannot know better without inflating.
    lam.create_function(FunctionName=name, Runtime="python3.12", Handler="index.handler", Role=ROLE,
                        Code={"ZipFile": bomb})
    wait_active(lam, name)
    before = disk_usage(s.data_dir)
    peak = [before]
    done = threading.Event()

    def watch():
        while not done.is_set():
            peak[0] = max(peak[0], disk_usage(s.data_dir))
            time.sleep(0.01)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        started = time.time()
        with pytest.raises(ClientError) as e:
            invoke(lam, name)
        elapsed = time.time() - started
    finally:
        done.set()
        watcher.join()
    assert e.value.response["Error"]["Code"] == "InvalidParameterValueException"
    assert e.value.response["Error"]["Message"] == LIMIT_MESSAGE
    assert task_entries(s, sha) == []
    after = disk_usage(s.data_dir)
    # The package stops at its declared size: the data dir grows by kilobytes (logs), never by the inflated size.
    assert peak[0] - before < 262_144_000
    assert after - before < 10_000_000, (before, after)
    assert elapsed < 30
    # Every later attempt gives the same answer; nothing accumulates.
    with pytest.raises(ClientError) as e:
        invoke(lam, name)
    assert e.value.response["Error"]["Message"] == LIMIT_MESSAGE
    assert task_entries(s, sha) == []
    lam.delete_function(FunctionName=name)


def package(variant):
    return zip_of({"index.py": (PY_ECHO + f"\n# variant {variant}\n", False)})


def stored(s, sha):
    """(zip exists, unpacked directory exists) in the data dir."""
    return (os.path.exists(os.path.join(s.data_dir, "code", sha + ".zip")),
            os.path.isdir(os.path.join(s.data_dir, "tasks", sha)))


def wait_for(check, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return check()


def works(lam, name, qualifier=None):
    kw = {"Qualifier": qualifier} if qualifier else {}
    r, body = invoke(lam, name, {"ping": 1}, **kw)
    assert "FunctionError" not in r, body
    return body


def download(lam, name, qualifier=None):
    kw = {"Qualifier": qualifier} if qualifier else {}
    url = lam.get_function(FunctionName=name, **kw)["Code"]["Location"]
    with urllib.request.urlopen(url, timeout=10) as r:
        return r.read()


def test_code_no_version_uses_is_removed_and_shared_code_keeps_working(s, lam):
    tag = unique("v")
    shared, newer, versioned = package(tag + "shared"), package(tag + "newer"), package(tag + "versioned")
    sha_shared, sha_newer, sha_versioned = (hashlib.sha256(z).hexdigest() for z in (shared, newer, versioned))
    a, b, c = unique("code-a"), unique("code-b"), unique("code-c")
    for name, code in ((a, shared), (b, shared), (c, versioned)):
        lam.create_function(FunctionName=name, Runtime="python3.12", Handler="index.handler", Role=ROLE,
                            Code={"ZipFile": code})
    for name in (a, b, c):
        wait_active(lam, name)
        works(lam, name)
    assert stored(s, sha_shared) == (True, True)

    # A and B share the code: deleting A (while its environment is warm) leaves it to B.
    lam.delete_function(FunctionName=a)
    time.sleep(0.5)
    assert stored(s, sha_shared) == (True, True)
    works(lam, b)
    assert download(lam, b) == shared

    # B moves to new code: nothing uses the old one any more.
    lam.update_function_code(FunctionName=b, ZipFile=newer)
    wait_active(lam, b)
    assert wait_for(lambda: stored(s, sha_shared) == (False, False)), stored(s, sha_shared)
    assert works(lam, b)
    assert download(lam, b) == newer

    # C's code lives on in version 1 after $LATEST moves to B's code; deleting the version lets it go.
    v1 = lam.publish_version(FunctionName=c)["Version"]
    wait_active(lam, c, qualifier=v1)
    works(lam, c, v1)
    lam.update_function_code(FunctionName=c, ZipFile=newer)
    wait_active(lam, c)
    time.sleep(0.5)
    assert stored(s, sha_versioned)[0]
    assert download(lam, c, v1) == versioned
    works(lam, c, v1)
    lam.delete_function(FunctionName=c, Qualifier=v1)
    assert wait_for(lambda: stored(s, sha_versioned) == (False, False)), stored(s, sha_versioned)

    # B and C now share the newer code: deleting B keeps C running it.
    works(lam, c)
    lam.delete_function(FunctionName=b)
    time.sleep(0.5)
    assert stored(s, sha_newer) == (True, True)
    works(lam, c)
    assert download(lam, c) == newer
    lam.delete_function(FunctionName=c)
    assert wait_for(lambda: stored(s, sha_newer) == (False, False)), stored(s, sha_newer)
    with pytest.raises(ClientError):
        lam.get_function(FunctionName=c)
