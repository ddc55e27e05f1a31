"""What the daemon knows of its runs and sources between runs, and tells /status.

Kept apart from the scheduler and the lifecycle (`daemon.py`): plain values,
written by the job thread and read by the server threads under one lock.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from syndicator.config_model import SourceConfig
from syndicator.errors import (
    ConfigError,
    LeaseLostError,
    OutputError,
    StoreError,
    StoreLockedError,
    SyndicatorError,
)

logger = logging.getLogger(__name__)

MAX_BACKOFF_EXPONENT = 6  # a failing source is retried at least every 64 ticks

# What /status says about a failed run: the kind of failure, never the raw
# message (it names files and folders of the host); the log has the details.
PUBLIC_ERRORS: tuple[tuple[type[Exception], str], ...] = (
    (ConfigError, "invalid configuration"),
    (LeaseLostError, "the publish lease was lost to another daemon"),
    (StoreLockedError, "another publish held the writer lock"),
    (StoreError, "the state store could not be used"),
    (OutputError, "the feeds could not be written"),
    (SyndicatorError, "the run failed"),
    (Exception, "unexpected error"),
)


def public_error(error: BaseException) -> str:
    """One line for /status: what kind of failure, and where to read more."""
    kind = next((text for cls, text in PUBLIC_ERRORS if isinstance(error, cls)), "unexpected error")
    return f"{kind} (see the daemon log)"


@dataclass
class SourceBackoff:
    """Consecutive failures per source, and the tick before which it is skipped."""

    failures: dict[str, int] = field(default_factory=dict)
    skip_until: dict[str, int] = field(default_factory=dict)

    def skipped(self, tick: int) -> frozenset[str]:
        return frozenset(name for name, until in self.skip_until.items() if tick < until)

    def summary(self, tick: int) -> dict[str, dict[str, int]]:
        """Per failing source: failures in a row, and runs until it is tried again (0: next run)."""
        return {
            name: {"failures": count, "next_try_in_runs": max(0, self.skip_until.get(name, tick) - tick)}
            for name, count in sorted(self.failures.items())
        }

    def keep_only(self, before: Iterable[SourceConfig], now: Iterable[SourceConfig]) -> None:
        """After a reload: a source gone from the configuration, or configured
        otherwise now (its URL fixed, say), starts afresh."""
        configured = [(s.name, s.kind, s.options) for s in now]  # a list: options are dicts
        same = {s.name for s in before if (s.name, s.kind, s.options) in configured}
        for name in set(self.failures) | set(self.skip_until):
            if name not in same:
                self.failures.pop(name, None)
                self.skip_until.pop(name, None)

    def record(self, tick: int, failed: tuple[str, ...], attempted: frozenset[str]) -> None:
        for name in attempted - set(failed):
            self.failures.pop(name, None)
            self.skip_until.pop(name, None)
        for name in failed:
            count = self.failures.get(name, 0) + 1
            self.failures[name] = count
            wait = 2 ** min(count, MAX_BACKOFF_EXPONENT) if count > 1 else 1
            self.skip_until[name] = tick + wait
            if count > 1:
                logger.warning("source=%s failed %d times in a row; next try in %d ticks", name, count, wait)


@dataclass
class DaemonState:
    """What /status reports; written by the job thread, read by the server threads."""

    started: str
    runs: int = 0
    failures: int = 0
    last_run: dict[str, Any] | None = None
    next_run: str | None = None
    failing_sources: dict[str, dict[str, int]] = field(default_factory=dict)  # SourceBackoff.summary
    leading: bool = False  # whether this process publishes (holds the lease or takes the lock per run)
    leader: dict[str, Any] | None = None  # LeaseHolder.to_json of who publishes, as last seen
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return {
                "started": self.started,
                "runs": self.runs,
                "failed_runs": self.failures,
                "last_run": self.last_run,
                "next_run": self.next_run,
                "failing_sources": self.failing_sources,
                "leading": self.leading,
                "leader": self.leader,
            }
