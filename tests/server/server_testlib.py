"""Helpers shared by the server tests: raw sockets and exact-header requests."""

from __future__ import annotations

import http.client
import socket
from collections.abc import Callable

from syndicator.server import RunningServer

SECRET = b"SECRET-BESIDE-THE-FEEDS-DIRECTORY"

ServerFactory = Callable[..., RunningServer]


def fetch(
    server: RunningServer, path: str, method: str = "GET", headers: dict[str, str] | None = None
) -> tuple[http.client.HTTPResponse, bytes]:
    """A request with exactly the given headers (no implicit Accept-Encoding)."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        connection.request(method, path, headers=headers or {})
        response = connection.getresponse()
        return response, response.read()
    finally:
        connection.close()


def raw_request(port: int, data: bytes, timeout: float = 10.0) -> bytes:
    """Sends bytes as they are (no client normalising the path) and reads to close."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(data)
        chunks: list[bytes] = []
        while True:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            chunks.append(chunk)
    return b"".join(chunks)


def raw_get(port: int, target: str | bytes) -> tuple[int, bytes]:
    """The status code and full response of a GET for a request target sent verbatim."""
    if isinstance(target, str):
        target = target.encode("latin-1")
    response = raw_request(
        port, b"GET " + target + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    status_line = response.split(b"\r\n", 1)[0]
    return int(status_line.split()[1]), response
