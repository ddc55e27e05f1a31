"""A hostile HTTP server on 127.0.0.1: it answers, but one byte at a time.

A uniquely named module (not conftest) so every test folder can import it.
`phase="headers"` trickles the status line itself (a hub that never finishes
answering a ping); `phase="body"` sends whole headers and then trickles an
endless body (a slow upstream feed). Either way the server never lets go
until it is closed; `requests` is set when the first request arrives.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Literal


class TricklingServer:
    def __init__(self, *, phase: Literal["headers", "body"], every: float = 0.5) -> None:
        self.stop = threading.Event()
        self.arrived = threading.Event()
        self.count = 0
        self.lock = threading.Lock()
        trickle = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                trickle.answer(self, phase, every)

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                trickle.answer(self, phase, every)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def answer(self, handler: BaseHTTPRequestHandler, phase: str, every: float) -> None:
        with self.lock:
            self.count += 1
        self.arrived.set()
        if phase == "headers":
            endless = b"HTTP/1.1 200 OK\r\nX-Slow: " + b"." * 10_000_000
        else:
            handler.wfile.write(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: 10000000\r\n\r\n"
            )
            endless = (
                b'<?xml version="1.0"?><rss version="2.0"><channel><title>slow</title>' + b" " * 10_000_000
            )
        try:
            for byte in endless:
                if self.stop.wait(every):
                    return
                handler.wfile.write(bytes([byte]))
                handler.wfile.flush()
        except (TimeoutError, BrokenPipeError, ConnectionResetError):
            pass  # the client gave up: what the test wanted

    def close(self) -> None:
        self.stop.set()
        self.server.shutdown()
        self.server.server_close()
