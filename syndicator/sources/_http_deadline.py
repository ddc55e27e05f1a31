"""The total deadline of one fetch, enforced rather than checked.

Per-read socket timeouts bound silence, not time: a server sending one byte
every few seconds, in the headers or the body, never trips them, and a
check made between chunks runs only when a chunk arrives. So every socket a
fetch opens or reuses is registered with a watchdog; when the fetch's budget
runs out, the watchdog shuts the socket down from its own thread, which
wakes the blocked read at once (connect, TLS handshake, headers and body
alike). The fetcher then reports the deadline, whatever error the dead
socket raised or even if the body seemed to end.

The registration hooks are urllib3 connection subclasses mounted through a
requests adapter: the only place below requests that this package touches.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import urllib3
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool


class Budget:
    """Seconds left for one fetch: its redirects, retries and pauses included.

    The clock starts when the first request may go (after the per-host
    slot), so waiting behind other fetches to the same host is not counted.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._start: float | None = None

    def begin(self) -> None:
        if self._start is None:
            self._start = time.monotonic()

    def remaining(self) -> float:
        if self._start is None:
            return self.seconds
        return self.seconds - (time.monotonic() - self._start)


class Watchdog:
    """Shuts down every socket registered with it once `seconds` have passed."""

    def __init__(self, seconds: float) -> None:
        self.fired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(max(seconds, 0.0), self._fire)
        self._timer.daemon = True  # never keeps a finished process alive

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            if self.fired:
                _shutdown(sock)
            else:
                self._sockets.append(sock)

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            for sock in self._sockets:
                _shutdown(sock)


def _shutdown(sock: socket.socket) -> None:
    # The plain socket's shutdown, even on an SSLSocket: it acts on the file
    # descriptor and leaves the TLS state to the thread that owns it.
    with contextlib.suppress(OSError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


_current = threading.local()  # the watchdog of the fetch running on this thread


@contextmanager
def watchdog(seconds: float) -> Iterator[Watchdog]:
    """Arm a watchdog for the requests this thread makes inside the block."""
    dog = Watchdog(seconds)
    previous = getattr(_current, "dog", None)
    _current.dog = dog
    dog._timer.start()
    try:
        yield dog
    finally:
        dog._timer.cancel()
        _current.dog = previous


def _register(sock: Any) -> None:
    dog = getattr(_current, "dog", None)
    if dog is not None and isinstance(sock, socket.socket):
        dog.watch(sock)


class _WatchedHTTPConnection(HTTPConnection):
    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        _register(sock)  # before the TLS handshake: a trickled handshake is cut too
        return sock

    def request(self, *args: Any, **kwargs: Any) -> None:
        if self.sock is not None:  # a kept-alive connection reused by this fetch
            _register(self.sock)
        super().request(*args, **kwargs)


class _WatchedHTTPSConnection(HTTPSConnection, _WatchedHTTPConnection):
    pass


class _WatchedHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


_POOLS = {"http": _WatchedHTTPConnectionPool, "https": _WatchedHTTPSConnectionPool}


class WatchedAdapter(HTTPAdapter):
    """requests' adapter, its connections registered with the thread's watchdog."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _POOLS

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> urllib3.ProxyManager:
        manager: urllib3.ProxyManager = super().proxy_manager_for(proxy, **proxy_kwargs)
        manager.pool_classes_by_scheme = _POOLS
        return manager
