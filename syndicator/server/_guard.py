"""The connection limits waitress lacks: a request deadline and a per-client cap.

waitress closes a connection only when it has been *idle* for
``channel_timeout``. A slowloris client is never idle: it sends one header
line every few seconds and never finishes its request, so a few hundred of
them hold every connection slot and real readers wait in the kernel's backlog
until the attack stops. Three rules, enforced in the server's own loop, end
that:

- **Request deadline.** A request must arrive whole (request line, headers
  and the small body a GET may carry) within ``request_timeout`` seconds of
  its first byte, and the first request within that time of the connection
  being accepted; otherwise the connection is closed. The deadline is
  checked each time the loop polls the connection, which waitress does at
  least once a second (``asyncore_loop_timeout``), so it is enforced, not
  merely noted. Keep-alive time between requests stays under
  ``channel_timeout``, and a request being answered is never cut.
- **Per-client cap.** One address holds at most ``per_client`` connections.
  One more takes the place of that address's own connection that has waited
  longest for its request (or idled longest), so a client whose closed
  connections the loop has not yet noticed is not turned away; when all of
  them are being answered, it is answered ``503`` and closed at once, before
  it costs a buffer. Feed readers use one to six connections; behind a
  reverse proxy every client shares the proxy's address, so the cap is set
  to 0 (off) there.
- **Eviction at the limit.** When ``connection_limit`` connections are open,
  a new one takes the slot of the connection that has waited longest for its
  request to arrive (else of the longest-idle keep-alive connection), so a
  slowloris spread over many addresses delays a real reader by at most one
  connection set-up; when every open connection is being answered, the new
  one gets ``503``.
  waitress's own limit, which stops accepting and leaves new clients in the
  backlog, sits above ours and is never reached.

The rules are hooked in through waitress's extension point, the server's
``channel_class``; the counters live on the class made for one server, so two
servers in one process (the tests, the daemon) never share them. One more
change: waitress accepts one connection per turn of its loop, and each turn
polls every open connection, so 600 attackers queued in the backlog ahead of
a reader cost 600 turns (over a second) before the reader is even accepted;
:func:`guard` makes the listener take up to ``_ACCEPT_BATCH`` per turn.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
import types
from collections import Counter
from typing import Any, ClassVar, Final

from waitress.channel import HTTPChannel

from syndicator.server._keepalive import KeepAliveTask

logger = logging.getLogger(__name__)

# Sent to a connection refused by the cap or the limit; it asks nothing of the
# application and is written with one non-blocking send, never buffered.
_BUSY: Final = (
    b"HTTP/1.1 503 Service Unavailable\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n"
    b"Content-Length: 5\r\n"
    b"Retry-After: 5\r\n"
    b"Connection: close\r\n\r\n"
    b"busy\n"
)


class GuardedChannel(HTTPChannel):  # type: ignore[misc]  # waitress ships no types
    """A waitress channel under the three rules of this module.

    Subclassed once per server by :func:`guarded_channel_class`, which sets
    the class variables below.
    """

    task_class = KeepAliveTask  # a 304 keeps its connection (see _keepalive)
    request_timeout: ClassVar[float]
    per_client: ClassVar[int]  # 0: no cap
    connection_limit: ClassVar[int]
    clients: ClassVar[Counter[str]]
    # Every open channel of this server, for eviction; the loop thread owns it.
    open_channels: ClassVar[set[GuardedChannel]]
    lock: ClassVar[threading.Lock]
    # waitress's own: close on the next loop turn; requests being answered;
    # bytes waiting to be sent; time.time() of the last read or write.
    will_close: bool
    requests: list[Any]
    total_outbufs_len: int
    last_activity: float
    close_when_flushed: bool
    adj: Any

    def __init__(self, server: Any, sock: Any, addr: Any, adj: Any, map: Any = None) -> None:
        # The first request's clock starts at accept: a client that connects
        # and says nothing holds a slot no longer than one that says too little.
        self.waiting_since: float | None = time.monotonic()
        self.client = str(addr[0]) if isinstance(addr, tuple) and addr else ""
        self.counted = False
        super().__init__(server, sock, addr, adj, map)
        with self.lock:
            self.clients[self.client] += 1
            self.counted = True
            over_cap = self.per_client > 0 and self.clients[self.client] > self.per_client
        if over_cap and not self._evict_one(client=self.client):
            self._refuse("per-client-limit")
            return
        if len(self.open_channels) >= self.connection_limit and not self._evict_one():
            self._refuse("connection-limit")
            return
        self.open_channels.add(self)

    def _refuse(self, reason: str) -> None:
        _note(reason, self.client)
        # The client may be gone or its buffer full; closing is answer enough then.
        with contextlib.suppress(OSError):
            self.socket.send(_BUSY)
        self.handle_close()

    def _evict_one(self, client: str | None = None) -> bool:
        """Close one connection (of ``client``, or of anyone) not being answered; False if none.

        First the connection that has waited longest for its request to
        arrive (a slowloris), else the keep-alive connection idle the longest:
        RFC 9112 §9.5 lets a server close an idle persistent connection at any
        time, and the client opens a new one. A connection whose answer is
        being made or sent is never cut.
        """
        waiting: list[GuardedChannel] = []
        idle: list[GuardedChannel] = []
        for channel in self.open_channels:
            if channel.will_close or channel.requests or channel.total_outbufs_len:
                continue
            if client is not None and channel.client != client:
                continue
            (waiting if channel.waiting_since is not None else idle).append(channel)
        if waiting:
            oldest = min(waiting, key=lambda channel: channel.waiting_since or 0.0)
        elif idle:
            oldest = min(idle, key=lambda channel: float(channel.last_activity))
        else:
            return False
        _note("evicted-at-per-client-limit" if client else "evicted-at-connection-limit", oldest.client)
        # Closed by its own handle_write on the next loop turn, not here: the
        # loop may still hold its descriptor in this turn's ready list.
        oldest.will_close = True
        self.open_channels.discard(oldest)
        return True

    def received(self, data: bytes) -> bool:
        if self.request is None and self.waiting_since is None and data:
            self.waiting_since = time.monotonic()  # the first bytes of a new request
        done: bool = super().received(data)
        if self.request is None:
            # Every request begun has arrived whole (or the bytes were a bare
            # CRLF between requests): the next one's clock starts with its bytes.
            self.waiting_since = None
        return done

    def readable(self) -> bool:
        started = self.waiting_since
        if started is not None and time.monotonic() - started > self.request_timeout:
            if not self.will_close:
                _note("request-timeout", self.client)
                self.will_close = True  # handle_write closes it on this very loop turn
            return False
        readable: bool = super().readable()
        return readable

    def writable(self) -> bool:
        # A request being answered flushes its own output as it writes it
        # (waitress's write_soon, in the worker thread); the loop takes over once
        # the answer is done, or when the worker waits for its output to drain
        # below the high watermark. Polled for writing in between, the channel
        # is always ready, the loop's flush cannot take the lock the worker holds,
        # and the loop spins, holding the interpreter lock the worker needs to
        # finish: 64 readers of a 500 KB feed got 60 answers a second, not 1,200.
        if self.requests and not (self.will_close or self.close_when_flushed):
            return bool(self.total_outbufs_len > self.adj.outbuf_high_watermark)
        writable: bool = super().writable()
        return writable

    def del_channel(self, map: Any = None) -> None:
        super().del_channel(map)
        self.open_channels.discard(self)
        with self.lock:
            if self.counted:
                self.counted = False
                self.clients[self.client] -= 1
                if self.clients[self.client] <= 0:
                    del self.clients[self.client]


_ACCEPT_BATCH: Final = 64  # connections accepted per turn of the loop


def guard(listener: Any, channel_class: type[GuardedChannel]) -> None:
    """Put one waitress listening server under the rules of this module."""
    listener.channel_class = channel_class
    listener.handle_accept = types.MethodType(_accept_batch, listener)


def _accept_batch(listener: Any) -> None:
    """waitress's ``handle_accept``, taking every waiting connection up to a batch.

    ``accept`` returns None once the backlog is empty (EWOULDBLOCK) or when
    the client already left (ECONNABORTED); other errors end the batch, as
    they end waitress's own single accept.
    """
    for _ in range(_ACCEPT_BATCH):
        try:
            pair = listener.accept()
        except OSError:
            return
        if pair is None:
            return
        conn, addr = pair
        try:
            listener.set_socket_options(conn)
        except OSError:
            conn.close()  # gone before we got to it
            continue
        listener.channel_class(listener, conn, listener.fix_addr(addr), listener.adj, map=listener._map)


# One warning per reason every _NOTE_SECONDS, with the count since the last
# one: an attack makes thousands of these a second, and the log must stay useful.
_NOTE_SECONDS: Final = 10.0
_notes: Counter[str] = Counter()
_notes_lock = threading.Lock()
_last_note = [0.0]


def _note(reason: str, client: str) -> None:
    now = time.monotonic()
    with _notes_lock:
        _notes[reason] += 1
        if now - _last_note[0] < _NOTE_SECONDS:
            return
        _last_note[0] = now
        counts = " ".join(f"{name}={count}" for name, count in sorted(_notes.items()))
        _notes.clear()
    logger.warning("connections closed by the server limits %s last_client=%s", counts, client)


def guarded_channel_class(
    *, request_timeout: float, per_client: int, connection_limit: int
) -> type[GuardedChannel]:
    """A channel class, with its own counters, for one server."""
    return type(
        "GuardedChannel",
        (GuardedChannel,),
        {
            "request_timeout": request_timeout,
            "per_client": per_client,
            "connection_limit": connection_limit,
            "clients": Counter(),
            "open_channels": set(),
            "lock": threading.Lock(),
        },
    )
