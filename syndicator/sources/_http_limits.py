"""Per-host politeness for one run: how many requests may be in flight to a
host, how far apart they start, and what its robots.txt (RFC 9309) allows.

The gate does not fetch; it is handed the fetcher's `fetch` to read
robots.txt, so it needs neither requests nor a session.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

from syndicator.errors import FetchError
from syndicator.sources._http_answers import Response
from syndicator.sources.http_options import HttpOptions

ROBOTS_TOKEN = "syndicator"  # the product token robots.txt groups match (RFC 9309 §2.2.1)
_ROBOTS_MAX_BYTES = 500 * 1024  # RFC 9309 §2.5: parse at least the first 500 KiB

Fetch = Callable[[str, HttpOptions, Mapping[str, str]], Response]


class _Robots(RobotFileParser):
    """RobotFileParser with the two flags its stubs leave out (set for 4xx and 5xx answers)."""

    allow_all: bool
    disallow_all: bool


class _Host:
    def __init__(self, slots: int) -> None:
        self.slots = threading.BoundedSemaphore(slots)
        self.lock = threading.Lock()
        self.next_start = 0.0  # monotonic time before which no request starts
        self.crawl_delay = 0.0  # from robots.txt


class HostGate:
    """Slots, spacing and robots.txt answers per host, shared by a run's threads."""

    def __init__(self) -> None:
        self._hosts: dict[str, _Host] = {}
        self._robots: dict[str, _Robots] = {}
        self._lock = threading.Lock()

    @contextmanager
    def slot(self, host: str, options: HttpOptions) -> Iterator[None]:
        """At most `per_host` requests in flight to a host, starting `delay` seconds apart."""
        with self._lock:
            state = self._hosts.get(host)
            if state is None:
                state = self._hosts[host] = _Host(options.per_host)
        with state.slots:
            with state.lock:
                gap = max(options.delay, state.crawl_delay)
                start = max(time.monotonic(), state.next_start)
                state.next_start = start + gap
            pause = start - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            yield

    def allowed(self, url: str, options: HttpOptions, fetch: Fetch) -> bool:
        """RFC 9309: may `pages` fetch this URL? robots.txt read once per host and run."""
        if not options.robots:
            return True
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        with self._lock:
            parser = self._robots.get(origin)
        if parser is None:
            parser = self._read_robots(origin, options, fetch)
            with self._lock:
                self._robots[origin] = parser
        return parser.can_fetch(ROBOTS_TOKEN, url)

    def _read_robots(self, origin: str, options: HttpOptions, fetch: Fetch) -> _Robots:
        parser = _Robots(origin + "/robots.txt")
        limited = replace(options, max_bytes=_ROBOTS_MAX_BYTES, credential=None)
        try:
            response = fetch(origin + "/robots.txt", limited, {"Accept": "text/plain"})
        except FetchError:
            parser.disallow_all = True  # RFC 9309 §2.3.1.4: unreachable means complete disallow
            return parser
        if 400 <= response.status < 500:
            parser.allow_all = True  # RFC 9309 §2.3.1.3: unavailable means no restriction
        elif response.status >= 500:
            parser.disallow_all = True
        else:
            parser.parse(response.body.decode("utf-8", errors="replace").splitlines())
            parser.modified()  # can_fetch answers only once the file counts as read
            delay = parser.crawl_delay(ROBOTS_TOKEN)
            if delay is not None:
                with self._lock:
                    host = self._hosts.setdefault(urlsplit(origin).netloc.lower(), _Host(options.per_host))
                host.crawl_delay = min(float(delay), options.retry_after_max)
        return parser
