"""The notify stage: WebSub publish pings for the feeds a run changed.

WebSub §7 leaves the publisher→hub ping undefined; the de-facto form every
public hub accepts is a form POST of `hub.mode=publish` and `hub.url=<topic>`.
Pings run after the files are in place, concurrently, each with timeouts and
a few retries, under one overall deadline, so a failing or hanging hub never
fails or holds up a publish: its outcome is only recorded.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass

import requests

from syndicator import __version__

logger = logging.getLogger(__name__)

USER_AGENT = f"syndicator/{__version__} (WebSub publisher)"
TIMEOUT = 5.0  # seconds, for connecting and for each read
ATTEMPTS = 3
BACKOFF = 0.5  # seconds, doubled after each failed attempt


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
        return f"{self.hub} ← {self.topic}: {outcome} after {self.attempts} attempt(s)"


@contextmanager
def _session() -> Iterator[requests.Session]:
    session = requests.Session()
    session.headers["User-Agent"] = USER_AGENT
    try:
        yield session
    finally:
        session.close()


def ping_hub(session: requests.Session, hub: str, topic: str, *, timeout: float = TIMEOUT) -> Ping:
    delay = BACKOFF
    error = ""
    status: int | None = None
    for attempt in range(1, ATTEMPTS + 1):
        try:
            response = session.post(
                hub,
                data={"hub.mode": "publish", "hub.url": topic},
                timeout=(timeout, timeout),
                allow_redirects=False,
            )
            status = response.status_code
            if 200 <= status < 300:
                return Ping(hub, topic, True, status, attempt)
            error = f"HTTP {status}"
            if 400 <= status < 500 and status != 429:
                break  # the hub refuses this ping; asking again will not help
        except requests.RequestException as e:
            error = type(e).__name__
        if attempt < ATTEMPTS:
            time.sleep(delay)
            delay *= 2
    return Ping(hub, topic, False, status, attempt, error)


def notify_hubs(hubs: Sequence[str], topics: Sequence[str], *, timeout: float = TIMEOUT) -> list[Ping]:
    """One ping per (hub, changed feed URL); unchanged feeds are never pinged.

    The whole stage ends after four timeouts, answered or not.
    """
    deadline = 4 * timeout
    if not hubs or not topics:
        return []
    pairs = [(hub, topic) for hub in hubs for topic in topics]
    results: list[Ping] = []
    with _session() as session:
        pool = ThreadPoolExecutor(max_workers=min(8, len(pairs)), thread_name_prefix="websub")
        futures = {
            pool.submit(ping_hub, session, hub, topic, timeout=timeout): (hub, topic) for hub, topic in pairs
        }
        done, _pending = wait(futures, timeout=deadline)
        for future in futures:
            hub, topic = futures[future]
            if future in done:
                results.append(future.result())
            else:
                results.append(Ping(hub, topic, False, None, 0, f"no answer within {deadline:g}s"))
        pool.shutdown(wait=False, cancel_futures=True)
    for ping in results:
        (logger.info if ping.ok else logger.warning)("websub ping %s", ping)
    return results
