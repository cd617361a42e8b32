"""The demo's VPC function: reads the customers table of the PostgreSQL instance named by DB_HOST.

It speaks PostgreSQL's wire protocol (v3, trust authentication, simple query) itself, so the deployment package
is this one file, as a Lambda function without layers would be.
"""
import os
import socket
import struct


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


def query(host, sql, user="postgres", database="postgres", timeout=3.0):
    """Rows of `sql` as lists of strings (None for NULL)."""
    with socket.create_connection((host, 5432), timeout=timeout) as sock:
        params = f"user\0{user}\0database\0{database}\0\0".encode()
        sock.sendall(struct.pack("!II", len(params) + 8, 196608) + params)
        rows = []
        while True:
            kind, body = _read_message(sock)
            if kind == b"E":
                raise RuntimeError("database error: " + body.decode(errors="replace"))
            if kind == b"R" and struct.unpack("!I", body[:4])[0] != 0:
                raise RuntimeError("the database asked for a password")
            if kind == b"Z":
                break
        sock.sendall(_message(b"Q", sql.encode() + b"\0"))
        while True:
            kind, body = _read_message(sock)
            if kind == b"E":
                raise RuntimeError("database error: " + body.decode(errors="replace"))
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
    rows = query(host, "select id, name from customers order by id")
    return {"database": host, "customers": [{"id": int(r[0]), "name": r[1]} for r in rows]}
