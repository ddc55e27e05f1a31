"""A real HTTP server on 127.0.0.1 serving fixtures, for the remote source kinds.

A uniquely named module (not conftest), so test files can import Reply and LocalWeb.

Routes answer with fixed replies (or a sequence of them, the last repeated),
honour If-None-Match for replies that carry an ETag, can hang, and record
every request they see (path, headers, how many were in flight at once).
"""

from __future__ import annotations

import socket
import ssl
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).parent / "fixtures"


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/plain"
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None  # a request with this If-None-Match gets 304
    hang: float = 0.0  # seconds before answering (cut short when the server stops)
    length: bool = True  # send Content-Length; without it the body ends when the connection closes


@dataclass(frozen=True)
class Seen:
    path: str
    headers: dict[str, str]  # lower-case names
    scheme: str = "http"  # "https" when the request came over TLS


class _Server(ThreadingHTTPServer):
    """With a TLS context, one port answers both http:// and https:// (told apart by the first byte)."""

    context: ssl.SSLContext | None = None

    def get_request(self) -> tuple[socket.socket, Any]:
        sock, address = super().get_request()
        if self.context is not None:
            sock.settimeout(5)
            if sock.recv(1, socket.MSG_PEEK) == b"\x16":  # a TLS handshake record
                sock = self.context.wrap_socket(sock, server_side=True)
            sock.settimeout(None)
        return sock, address


class LocalWeb:
    def __init__(self, tls: tuple[Path, Path] | None = None) -> None:
        self.routes: dict[str, list[Reply]] = {}
        self.seen: list[Seen] = []
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.in_flight = 0
        self.most_in_flight = 0
        web = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                web.answer(self)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = _Server(("127.0.0.1", 0), Handler)
        if tls is not None:
            self.server.context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            self.server.context.load_cert_chain(*tls)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def url(self, path: str, host: str = "127.0.0.1", scheme: str = "http") -> str:
        return f"{scheme}://{host}:{self.port}{path}"

    def serve(self, path: str, *replies: Reply) -> str:
        self.routes[path] = list(replies)
        return self.url(path)

    def fixture(self, path: str, name: str, content_type: str, **kwargs: object) -> str:
        """A fixture file; `BASE` in it becomes this server's URL."""
        body = (FIXTURES / name).read_bytes().replace(b"BASE", self.url("").encode())
        return self.serve(path, Reply(body=body, content_type=content_type, **kwargs))  # type: ignore[arg-type]

    def hits(self, path: str) -> list[Seen]:
        return [s for s in self.seen if s.path == path]

    def answer(self, handler: BaseHTTPRequestHandler) -> None:
        headers = {k.lower(): v for k, v in handler.headers.items()}
        with self.lock:
            scheme = "https" if isinstance(handler.connection, ssl.SSLSocket) else "http"
            self.seen.append(Seen(handler.path, headers, scheme))
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
            replies = self.routes.get(handler.path) or self.routes.get(handler.path.split("?", 1)[0])
            reply = (replies.pop(0) if len(replies) > 1 else replies[0]) if replies else Reply(404, b"nope")
        try:
            if reply.hang:
                self.stop.wait(reply.hang)
            with self.lock:
                self.in_flight -= 1  # answering: the client may now release its slot
            if reply.etag and headers.get("if-none-match") == reply.etag:
                handler.send_response(304)
                handler.send_header("ETag", reply.etag)
                handler.end_headers()
                return
            handler.send_response(reply.status)
            handler.send_header("Content-Type", reply.content_type)
            if reply.length:
                handler.send_header("Content-Length", str(len(reply.body)))
            if reply.etag:
                handler.send_header("ETag", reply.etag)
            for name, value in reply.headers.items():
                handler.send_header(name, value.replace("BASE", self.url("")))
            handler.end_headers()
            handler.wfile.write(reply.body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout or a size limit): what the test wanted

    def close(self) -> None:
        self.stop.set()
        self.server.shutdown()
        self.server.server_close()


class HostileWeb:
    """A raw TCP server on 127.0.0.1 that never finishes an answer.

    `/trickle-headers` sends a status line, then one header byte at a time;
    `/trickle-body` sends headers promising a large body, then one byte at a
    time; `/endless` sends a body without a length that never ends. Each
    byte comes well within any read timeout, so only a total deadline stops
    the client.
    """

    def __init__(self, every: float = 0.3, tls: tuple[Path, Path] | None = None) -> None:
        self.every = every
        self.context: ssl.SSLContext | None = None
        if tls is not None:  # https:// only: the handshake happens in the answering thread
            self.context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            self.context.load_cert_chain(*tls)
        self.stop = threading.Event()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.1)
        self.port = self.listener.getsockname()[1]
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"{'https' if self.context else 'http'}://127.0.0.1:{self.port}{path}"

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        if self.context is not None:
            try:
                conn = self.context.wrap_socket(conn, server_side=True)
            except OSError:
                conn.close()
                return
        with conn:
            request = b""
            while b"\r\n\r\n" not in request:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                request += chunk
            path = request.split(b" ", 2)[1].decode()
            try:
                if path.startswith("/trickle-headers"):
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nX-Slow: ")
                    self._drip(conn, b"a")
                elif path.startswith("/trickle-body"):
                    conn.sendall(
                        b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n"
                        b"Content-Length: 10000000\r\n\r\n<rss>"
                    )
                    self._drip(conn, b" ")
                else:
                    conn.sendall(
                        b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nConnection: close\r\n\r\n"
                    )
                    conn.sendall(b"<rss><channel>")
                    self._drip(conn, b"<!-- more -->" * 10)
            except OSError:
                return  # the client hung up: what the test wanted

    def _drip(self, conn: socket.socket, piece: bytes) -> None:
        while not self.stop.wait(self.every):
            conn.sendall(piece)

    def close(self) -> None:
        self.stop.set()
        self.listener.close()
