"""`syndicator serve` under slowloris and a flood, on loopback: readers are still answered.

A real `serve` process; attackers connect from other loopback addresses
(127.0.0.2 and up reach a server on 127.0.0.1 on Linux), so the per-client cap
sees them as the other clients they would be, and the real reader on
127.0.0.1 is a client of its own.
"""

from __future__ import annotations

import contextlib
import resource
import selectors
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

REQUEST_TIMEOUT = 2  # server.request_timeout in the test configuration
PER_CLIENT = 20  # server.connections_per_client
DEADLINE_MARGIN = 5.0  # the loop checks deadlines every second; the machine is shared
READER_BOUND = 1.0  # seconds a real reader may wait for its feed during an attack


@pytest.fixture(autouse=True)
def enough_descriptors() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 4096 if hard == resource.RLIM_INFINITY else min(4096, hard)
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    """The base URL of a `syndicator serve` process serving a small feeds folder."""
    site = tmp_path / "site"
    (site / "out").mkdir(parents=True)
    feed = b'<?xml version="1.0"?><rss version="2.0"><channel><title>Home</title></channel></rss>\n'
    (site / "out" / "rss.xml").write_bytes(feed)
    (site / "syndicator.toml").write_text(
        '[site]\ntitle = "Home"\nbase_url = "https://example.org/"\n\n'
        '[output]\ndirectory = "out"\n\n'
        f"[server]\nrequest_timeout = {REQUEST_TIMEOUT}\nconnections_per_client = {PER_CLIENT}\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "syndicator", "serve", "--config", "syndicator.toml", "--port", "0"],
        cwd=site,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stderr is not None
        line = ""
        while "serving" not in line:
            line = process.stderr.readline()
            assert line, "serve exited before serving"
        # Drain the log so the server never blocks on a full pipe.
        threading.Thread(target=process.stderr.read, daemon=True).start()
        yield line.split("url=", 1)[1].strip()
    finally:
        process.terminate()
        process.wait(timeout=10)


@dataclass
class SlowClients:
    """Connections that send one header line a second and never end their request.

    Closes are watched from the first connection on (each connect is followed
    by a look at the ones already open), so the time from a connection to the
    server's close of it is what the server did, not how long the client took
    to open the other 599 on a busy machine.
    """

    port: int
    sockets: dict[socket.socket, float] = field(default_factory=dict)  # → when it connected
    closed_after: list[float] = field(default_factory=list)  # seconds from connect to the server's close
    stop: threading.Event = field(default_factory=threading.Event)
    selector: selectors.BaseSelector = field(default_factory=selectors.DefaultSelector)

    def connect(self, source: str, count: int) -> None:
        for _ in range(count):
            sock = socket.create_connection(("127.0.0.1", self.port), timeout=10, source_address=(source, 0))
            sock.sendall(b"GET /rss.xml HTTP/1.1\r\nHost: x\r\n")
            sock.setblocking(False)
            self.sockets[sock] = time.monotonic()
            self.selector.register(sock, selectors.EVENT_READ)
            self.note_closes(timeout=0)

    def note_closes(self, timeout: float) -> None:
        """Record every connection the server has closed (or answered 503) by now."""
        for key, _ in self.selector.select(timeout=timeout):
            sock = key.fileobj
            assert isinstance(sock, socket.socket)
            try:
                data = sock.recv(65536)
            except BlockingIOError:
                continue
            except OSError:
                data = b""
            if not data or data.startswith(b"HTTP/1.1 503"):
                self.closed_after.append(time.monotonic() - self.sockets.pop(sock))
                self.selector.unregister(sock)
                sock.close()

    def run(self) -> None:
        """Trickle a header line to every open connection each second; note when each is closed."""
        next_line = time.monotonic() + 1.0
        while self.sockets and not self.stop.is_set():
            self.note_closes(timeout=0.1)
            if time.monotonic() >= next_line:
                next_line += 1.0
                for sock in list(self.sockets):
                    # A socket closed by the server fails here; the read side reports it.
                    with contextlib.suppress(OSError):
                        sock.send(b"X-Slow: 1\r\n")
        self.selector.close()
        for sock in self.sockets:
            sock.close()


def read_feed_repeatedly(url: str, seconds: float) -> list[float]:
    """A real reader from 127.0.0.1: the feed, again and again; how long each took."""
    took: list[float] = []
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        start = time.monotonic()
        response = requests.get(url + "/rss.xml", timeout=10)
        took.append(time.monotonic() - start)
        assert response.status_code == 200
        time.sleep(0.2)
    return took


def flood(url: str, source: str, stop: threading.Event, counts: list[int]) -> None:
    """As many requests as one keep-alive connection carries, until told to stop."""
    with requests.Session() as session:
        session.mount("http://", _SourceAdapter(source))
        n = 0
        while not stop.is_set():
            try:
                session.get(url + "/rss.xml", timeout=10)
                n += 1
            except requests.RequestException:
                time.sleep(0.05)  # its connection gave way to the cap: try again
        counts.append(n)


class _SourceAdapter(requests.adapters.HTTPAdapter):
    """Connections from a chosen loopback address."""

    def __init__(self, source: str) -> None:
        self._source = source
        super().__init__()

    def init_poolmanager(self, *args: object, **kwargs: object) -> None:
        kwargs["source_address"] = (self._source, 0)
        super().init_poolmanager(*args, **kwargs)  # type: ignore[arg-type]


def test_slowloris_and_a_flood_from_one_address_leave_readers_answered(served: str) -> None:
    port = int(served.rsplit(":", 1)[1])
    slow = SlowClients(port)
    slow.connect("127.0.0.2", 600)
    trickling = threading.Thread(target=slow.run)
    trickling.start()
    stop_flood = threading.Event()
    counts: list[int] = []
    flooders = [
        threading.Thread(target=flood, args=(served, "127.0.0.3", stop_flood, counts)) for _ in range(30)
    ]
    for thread in flooders:
        thread.start()
    try:
        took = read_feed_repeatedly(served, REQUEST_TIMEOUT + DEADLINE_MARGIN)
    finally:
        stop_flood.set()
        for thread in flooders:
            thread.join(timeout=30)
        trickling.join(timeout=30)
        slow.stop.set()
    assert max(took) < READER_BOUND, took
    # The cap: most of the 600 were closed before any deadline (without it, none
    # would be; all but PER_CLIENT on a quiet machine, fewer when the loop is slow), ...
    early = sum(1 for seconds in slow.closed_after if seconds < REQUEST_TIMEOUT)
    assert early >= (600 - PER_CLIENT) * 0.8, early
    # ... and the deadline closed the rest, though none of them was ever idle.
    assert len(slow.closed_after) == 600
    assert max(slow.closed_after) < REQUEST_TIMEOUT + DEADLINE_MARGIN
    assert sum(counts) > 0  # the flood was answered too


def test_slowloris_from_many_addresses_is_evicted_for_readers(served: str) -> None:
    """600 stalled connections from 30 addresses, each under the cap: past the
    connection limit (500) the stalled ones give way, and all are closed by the deadline."""
    port = int(served.rsplit(":", 1)[1])
    slow = SlowClients(port)
    for n in range(30):
        slow.connect(f"127.0.1.{n + 1}", PER_CLIENT)
    trickling = threading.Thread(target=slow.run)
    trickling.start()
    try:
        took = read_feed_repeatedly(served, REQUEST_TIMEOUT + DEADLINE_MARGIN)
    finally:
        trickling.join(timeout=30)
        slow.stop.set()
    assert max(took) < READER_BOUND, took
    assert len(slow.closed_after) == 600
    assert max(slow.closed_after) < REQUEST_TIMEOUT + DEADLINE_MARGIN
