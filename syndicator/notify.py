"""The notify stage: WebSub publish pings for the feeds a run changed.

WebSub §7 leaves the publisher→hub ping undefined; the de-facto form every
public hub accepts is a form POST of `hub.mode=publish` and `hub.url=<topic>`.
Pings run after the files are in place, concurrently, each attempt with
timeouts and a few retries, under one overall deadline that is enforced, not
merely checked: when it passes (or a shutdown cancels the stage) every open
hub connection is shut down, so a hub trickling its answer one byte at a time
cannot keep a ping, its thread or the process alive. A failing or hanging hub
never fails a publish: its outcome is recorded, and the store keeps the
failed pings so that the next run sends them again.

The pings use http.client rather than requests because the deadline needs
the socket of every connection, from the TCP connect on (a TLS handshake can
be trickled too); proxies from the environment (`https_proxy`…) are honoured
as requests honoured them.
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import logging
import queue
import socket
import ssl
import threading
import time
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import unquote, urlencode, urlsplit

from syndicator import __version__
from syndicator.redact import public_url

logger = logging.getLogger(__name__)

USER_AGENT = f"syndicator/{__version__} (WebSub publisher)"
TIMEOUT = 5.0  # seconds, for connecting and for each read
ATTEMPTS = 3
BACKOFF = 0.5  # seconds, doubled after each failed attempt
DEADLINE_TIMEOUTS = 4  # the whole stage ends after this many timeouts, answered or not
WORKERS = 8  # pings in flight at once
JOIN_GRACE = 2.0  # seconds for the ping threads to end once their connections are shut


@dataclass(frozen=True)
class Ping:
    hub: str
    topic: str  # the feed's public URL
    ok: bool
    status: int | None  # the hub's HTTP status, None when it never answered
    attempts: int
    error: str = ""

    def __str__(self) -> str:
        outcome = "ok" if self.ok else f"failed ({self.error or self.status})"
        return f"{public_url(self.hub)} ← {self.topic}: {outcome} after {self.attempts} attempt(s)"


class _Cutoff:
    """The stage's deadline, enforced: once fired, every tracked connection is shut down.

    A worker tracks its socket's descriptor as soon as the TCP connection is
    made and stops tracking it before closing it, both under the lock, so the
    cutoff never touches a descriptor that was closed (and perhaps reused).
    """

    def __init__(self, ends: float) -> None:
        self._lock = threading.Lock()
        self._fds: set[int] = set()
        self.fired = threading.Event()
        self.ends = ends  # time.monotonic() of the deadline

    def left(self) -> float:
        """Seconds to the deadline (a little above 0 once it passed: the cutoff does the rest)."""
        return max(0.01, self.ends - time.monotonic())

    def track(self, sock: socket.socket) -> bool:
        """False when the cutoff has already fired: the caller must not use the socket."""
        with self._lock:
            if self.fired.is_set():
                return False
            self._fds.add(sock.fileno())
            return True

    def untrack(self, fd: int) -> None:
        with self._lock:
            self._fds.discard(fd)

    def fire(self) -> None:
        with self._lock:
            self.fired.set()
            for fd in self._fds:
                # shutdown() wakes a thread blocked in recv/send on this socket
                # (it sees end of file); the descriptor stays its owner's to close.
                view = socket.socket(fileno=fd)
                try:
                    with contextlib.suppress(OSError):
                        view.shutdown(socket.SHUT_RDWR)
                finally:
                    view.detach()


class _Stopped(Exception):
    """The deadline passed or a shutdown came while a ping was under way."""


def _post(hub: str, topic: str, *, timeout: float, cutoff: _Cutoff) -> int:
    """One attempt: the hub's HTTP status (the body is not read)."""
    parts = urlsplit(hub)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    proxy = None if urllib.request.proxy_bypass(host) else urllib.request.getproxies().get(parts.scheme)
    connect_to = (host, port)
    if proxy:
        proxied = urlsplit(proxy if "://" in proxy else f"http://{proxy}")
        connect_to = (proxied.hostname or "", proxied.port or 80)
        if parts.scheme == "http":
            target = hub  # a plain-HTTP proxy takes the absolute URI
    # Until the socket is tracked only its own timeout bounds the connect: never past the deadline.
    sock = socket.create_connection(connect_to, timeout=min(timeout, cutoff.left()))
    sock.settimeout(timeout)
    fd = sock.fileno()
    if not cutoff.track(sock):
        sock.close()
        raise _Stopped
    conn: http.client.HTTPConnection | None = None
    try:
        if parts.scheme == "https":
            if proxy:
                _tunnel(sock, host, port)
            sock = ssl.create_default_context().wrap_socket(sock, server_hostname=host)
        conn = http.client.HTTPConnection(host, port, timeout=timeout)
        conn.sock = sock
        headers = {
            "Host": parts.netloc.rsplit("@", 1)[-1],
            "Content-Type": "application/x-www-form-urlencoded",
            "User-Agent": USER_AGENT,
        }
        if parts.username is not None:  # https://user:password@hub/ is basic authentication
            pair = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
            headers["Authorization"] = "Basic " + base64.b64encode(pair.encode("utf-8")).decode("ascii")
        body = urlencode({"hub.mode": "publish", "hub.url": topic})
        conn.request("POST", target, body=body, headers=headers)
        status = conn.getresponse().status
        if cutoff.fired.is_set():
            # The shutdown reads as end of file, which http.client takes for the
            # end of the headers: an answer cut off this way is no answer.
            raise ConnectionAbortedError("cut off by the deadline")
        return status
    finally:
        cutoff.untrack(fd)
        if conn is not None:
            conn.close()
        sock.close()


def _tunnel(sock: socket.socket, host: str, port: int) -> None:
    """HTTP CONNECT through a proxy, on a socket the cutoff already tracks."""
    sock.sendall(f"CONNECT {host}:{port} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode("ascii"))
    answer = b""
    while b"\r\n\r\n" not in answer:
        chunk = sock.recv(4096)
        if not chunk or len(answer) > 65536:
            raise OSError("the proxy closed the tunnel")
        answer += chunk
    status = answer.split(b" ", 2)[1:2]
    if status != [b"200"]:
        raise OSError(f"the proxy refused the tunnel: {answer.splitlines()[0].decode('latin-1')}")


def ping_hub(hub: str, topic: str, *, timeout: float, cutoff: _Cutoff) -> Ping:
    delay = BACKOFF
    error = ""
    status: int | None = None
    attempt = 0
    for attempt in range(1, ATTEMPTS + 1):
        try:
            status = _post(hub, topic, timeout=timeout, cutoff=cutoff)
            if 200 <= status < 300:
                return Ping(hub, topic, True, status, attempt)
            error = f"HTTP {status}"
            if 400 <= status < 500 and status != 429:
                break  # the hub refuses this ping; asking again will not help
        except _Stopped:
            attempt -= 1  # never sent
            break
        except (OSError, http.client.HTTPException, ValueError) as e:
            if cutoff.fired.is_set():
                error = ""  # cut off by the deadline or a shutdown: the caller says which
                break
            error = type(e).__name__
        if cutoff.fired.is_set() or (attempt < ATTEMPTS and cutoff.fired.wait(delay)):
            break
        delay *= 2
    return Ping(hub, topic, False, status, attempt, error)


def notify_hubs(
    pairs: Sequence[tuple[str, str]],
    *,
    timeout: float = TIMEOUT,
    cancel: threading.Event | None = None,
) -> list[Ping]:
    """One ping per (hub, topic), in the order given; a ping not done by the
    deadline (DEADLINE_TIMEOUTS × timeout) or by a shutdown is a failed one.

    When this returns, no ping thread is left running (they are daemon threads
    besides, so even a host name that never resolves cannot hold up an exit).
    """
    if not pairs:
        return []
    deadline = DEADLINE_TIMEOUTS * timeout
    ends = time.monotonic() + deadline
    cutoff = _Cutoff(ends)
    work: queue.SimpleQueue[int] = queue.SimpleQueue()
    for index in range(len(pairs)):
        work.put(index)
    results: dict[int, Ping] = {}

    def worker() -> None:
        while not cutoff.fired.is_set():
            try:
                index = work.get_nowait()
            except queue.Empty:
                return
            hub, topic = pairs[index]
            results[index] = ping_hub(hub, topic, timeout=timeout, cutoff=cutoff)

    threads = [
        threading.Thread(target=worker, name=f"websub-{n}", daemon=True)
        for n in range(min(WORKERS, len(pairs)))
    ]
    for thread in threads:
        thread.start()
    why = f"no answer within {deadline:g}s"
    stop = cancel if cancel is not None else threading.Event()
    while any(t.is_alive() for t in threads):
        left = ends - time.monotonic()
        if left <= 0:
            break
        if stop.wait(min(left, 0.05)):
            why = "stopped by shutdown"
            break
    cutoff.fire()
    for thread in threads:
        thread.join(JOIN_GRACE)
    pings = []
    for index, (hub, topic) in enumerate(pairs):
        done = results.get(index)
        if done is None or (not done.ok and cutoff.fired.is_set() and not done.error):
            done = Ping(hub, topic, False, None, done.attempts if done else 0, why)
        pings.append(done)
    for ping in pings:
        (logger.info if ping.ok else logger.warning)("websub ping %s", ping)
    return pings
