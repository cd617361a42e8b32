"""The demo's VPC function: reads the customers table of the RDS PostgreSQL instance named by DB_HOST (creating and
filling it on first use).

It speaks PostgreSQL's wire protocol (v3, SCRAM-SHA-256 authentication as RDS asks for, simple query) itself, so the
deployment package is this one file, as a Lambda function without layers would be.
"""
import base64
import hashlib
import hmac
import os
import socket
import struct

SETUP = """
create table if not exists customers (id int primary key, name text not null);
insert into customers values (1, 'Ada Lovelace'), (2, 'Grace Hopper'), (3, 'Alan Turing') on conflict do nothing;
"""


def _message(kind, payload):
    return kind + struct.pack("!I", len(payload) + 4) + payload


def _read_exact(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise ConnectionError("the database closed the connection")
        data += chunk
    return data


def _read_message(sock):
    kind = _read_exact(sock, 1)
    (length,) = struct.unpack("!I", _read_exact(sock, 4))
    return kind, _read_exact(sock, length - 4)


def _scram(sock, password, first_body):
    """SCRAM-SHA-256 (RFC 7677) over PostgreSQL's SASL messages, from the server's AuthenticationSASL on."""
    if b"SCRAM-SHA-256" not in first_body:
        raise RuntimeError("the database offers no SCRAM-SHA-256")
    nonce = base64.b64encode(os.urandom(18)).decode()
    client_first_bare = f"n=,r={nonce}"
    initial = ("n,," + client_first_bare).encode()
    sock.sendall(_message(b"p", b"SCRAM-SHA-256\0" + struct.pack("!I", len(initial)) + initial))
    kind, body = _read_message(sock)
    if kind != b"R" or struct.unpack("!I", body[:4])[0] != 11:
        raise RuntimeError("unexpected answer to the SCRAM first message")
    server_first = body[4:].decode()
    attrs = dict(part.split("=", 1) for part in server_first.split(","))
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), base64.b64decode(attrs["s"]), int(attrs["i"]))
    client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
    stored_key = hashlib.sha256(client_key).digest()
    without_proof = f"c=biws,r={attrs['r']}"
    auth_message = f"{client_first_bare},{server_first},{without_proof}".encode()
    signature = hmac.new(stored_key, auth_message, hashlib.sha256).digest()
    proof = base64.b64encode(bytes(a ^ b for a, b in zip(client_key, signature))).decode()
    sock.sendall(_message(b"p", f"{without_proof},p={proof}".encode()))


def query(host, sql, user, password, database, timeout=3.0):
    """Rows of the last statement of `sql` as lists of strings (None for NULL)."""
    with socket.create_connection((host, 5432), timeout=timeout) as sock:
        params = f"user\0{user}\0database\0{database}\0\0".encode()
        sock.sendall(struct.pack("!II", len(params) + 8, 196608) + params)
        while True:
            kind, body = _read_message(sock)
            if kind == b"E":
                raise RuntimeError("database error: " + body.decode(errors="replace"))
            if kind == b"R":
                code = struct.unpack("!I", body[:4])[0]
                if code == 10:
                    _scram(sock, password, body[4:])
                elif code not in (0, 12):
                    raise RuntimeError(f"unsupported authentication request {code}")
            if kind == b"Z":
                break
        sock.sendall(_message(b"Q", sql.encode() + b"\0"))
        rows = []
        while True:
            kind, body = _read_message(sock)
            if kind == b"E":
                raise RuntimeError("database error: " + body.decode(errors="replace"))
            if kind == b"T":
                rows = []
            if kind == b"D":
                (count,) = struct.unpack("!H", body[:2])
                pos, row = 2, []
                for _ in range(count):
                    (size,) = struct.unpack("!i", body[pos:pos + 4])
                    pos += 4
                    if size < 0:
                        row.append(None)
                    else:
                        row.append(body[pos:pos + size].decode())
                        pos += size
                rows.append(row)
            if kind == b"Z":
                return rows


def handler(event, context):
    host = os.environ["DB_HOST"]
    rows = query(host, SETUP + "select id, name from customers order by id", os.environ["DB_USER"],
                 os.environ["DB_PASSWORD"], os.environ["DB_NAME"])
    return {"database": host, "customers": [{"id": int(r[0]), "name": r[1]} for r in rows]}
