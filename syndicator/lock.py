"""One publisher at a time, whatever the store: the `PublishLease` interface.

On SQLite (one host) it is an advisory lock file in the state directory: a
second publish (the CLI while the daemon runs) waits a bounded time for the
first to finish, then gives up with StoreLockedError; writes never interleave.
The kernel releases a flock when its holder dies, so a killed run never leaves
a stale lock behind. A daemon takes it for each run and lets it go after.

On PostgreSQL (any number of hosts) it is a lease in the store, with an
expiry, renewed by its holder and fenced in every write transaction
(`store/_lease.py`); a daemon keeps it between runs and leads until it stops
or dies, when another takes over. `LeaseKeeper` renews it while it is held.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from syndicator.errors import StoreError, StoreLockedError
from syndicator.store._lease import LeaseHolder, PostgresLease

logger = logging.getLogger(__name__)

LOCK_NAME = "publish.lock"
# Descriptors of the locks this process holds: a forked worker process closes
# them at start, or it would keep the lock alive after its parent died.
HELD_LOCK_FDS: set[int] = set()


def release_inherited_locks() -> None:
    """In a forked child: drop the parent's lock descriptors (the parent keeps the lock)."""
    for fd in list(HELD_LOCK_FDS):
        with contextlib.suppress(OSError):
            os.close(fd)
    HELD_LOCK_FDS.clear()


@contextmanager
def writer_lock(state_directory: Path, *, wait_seconds: float = 30.0) -> Iterator[None]:
    path = state_directory / LOCK_NAME
    try:
        state_directory.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as e:
        raise StoreError(
            f"{path}: cannot open the lock file: {e.strerror or e}"
            " (state.directory must be a writable folder)"
        ) from e
    try:
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise StoreLockedError(
                        f"{path}: another syndicator publish is running; "
                        f"waited {wait_seconds:g}s (try again when it has finished)"
                    ) from None
                time.sleep(0.1)
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        HELD_LOCK_FDS.add(fd)
        yield
    finally:
        HELD_LOCK_FDS.discard(fd)
        os.close(fd)


class PublishLease(Protocol):
    """The right to publish into one store, held by one process at a time."""

    kept_between_runs: bool  # a daemon keeps it between runs (and leads), or takes it per run

    @property
    def fence(self) -> int | None:
        """The token the store checks in each write transaction; None: nothing to check."""

    def held(self) -> bool:
        """Whether this process may still write."""

    def try_acquire(self) -> bool: ...

    def acquire(self, *, wait_seconds: float) -> None:
        """Take it, waiting at most `wait_seconds`; StoreLockedError naming the holder."""

    def renew(self) -> bool:
        """Keep it; False once lost."""

    def release(self) -> None: ...

    def holder(self) -> LeaseHolder | None:
        """Who holds it now, if anyone."""

    def close(self) -> None: ...


class FileLease:
    """The lock file in the state directory, spoken to as a lease (one host, SQLite)."""

    kept_between_runs = False  # the CLI must get its turn between the daemon's runs
    fence = None  # the kernel drops a flock only with its holder: nothing to fence

    def __init__(self, state_directory: Path) -> None:
        self.directory = state_directory
        self._lock: contextlib.ExitStack | None = None
        self._since = ""

    def held(self) -> bool:
        return self._lock is not None

    def try_acquire(self) -> bool:
        try:
            self.acquire(wait_seconds=0)
        except StoreLockedError:
            return False
        return True

    def acquire(self, *, wait_seconds: float) -> None:
        if self._lock is not None:
            return
        stack = contextlib.ExitStack()
        stack.enter_context(writer_lock(self.directory, wait_seconds=wait_seconds))
        self._lock = stack
        self._since = datetime.now(UTC).isoformat(timespec="seconds")

    def renew(self) -> bool:
        return self._lock is not None

    def release(self) -> None:
        lock, self._lock = self._lock, None
        if lock is not None:
            lock.close()

    def holder(self) -> LeaseHolder | None:
        if self._lock is not None:
            return LeaseHolder(socket.gethostname(), os.getpid(), self._since, None, None)
        return None

    def close(self) -> None:
        self.release()


def open_lease(state_url: str | None, state_directory: Path, *, seconds: float) -> PublishLease:
    """The lease of the store a configuration names: in the PostgreSQL store, else the lock file."""
    if state_url is not None:
        return PostgresLease(state_url, seconds=seconds)
    return FileLease(state_directory)


class LeaseKeeper:
    """Renews a held lease every third of its length, in a thread of its own;
    `on_lost` is called once it is lost (taken over, or run out unrenewed)."""

    def __init__(self, lease: PublishLease, *, seconds: float, on_lost: Callable[[], None]) -> None:
        self.lease = lease
        self.period = max(0.1, seconds / 3)
        self.on_lost = on_lost
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="lease-keeper", daemon=True)

    def __enter__(self) -> LeaseKeeper:
        if self.lease.kept_between_runs:  # a lock file needs no renewing
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=30)

    def _run(self) -> None:
        while not self._stop.wait(self.period):
            try:
                kept = self.lease.renew()
            except StoreError as e:
                logger.warning("lease: %s", e)
                kept = self.lease.held()
            if not kept:
                self.on_lost()
                return


@contextmanager
def held_lease(
    state_url: str | None,
    state_directory: Path,
    *,
    seconds: float,
    wait_seconds: float,
    on_lost: Callable[[], None],
) -> Iterator[PublishLease]:
    """A lease taken for one run (the CLI's publish): renewed while the run goes on, released after."""
    lease = open_lease(state_url, state_directory, seconds=seconds)
    try:
        lease.acquire(wait_seconds=wait_seconds)
        try:
            with LeaseKeeper(lease, seconds=seconds, on_lost=on_lost):
                yield lease
        finally:
            lease.release()
    finally:
        lease.close()


class LeaseGuard(threading.Event):
    """The cancel event a run under a lease checks at its safe points: set when
    the run's own cancel is (a shutdown), and as soon as the lease is no longer
    held by its local deadline, even before the thread that renews it noticed
    (a process that was stopped, then continued, must not write a file more)."""

    def __init__(self, cancel: threading.Event | None, lease: PublishLease) -> None:
        super().__init__()
        self.cancel = cancel
        self.lease = lease

    def is_set(self) -> bool:
        if self.cancel is not None and self.cancel.is_set():
            return True
        return self.lease.fence is not None and not self.lease.held()

    def wait(self, timeout: float | None = None) -> bool:
        end = None if timeout is None else time.monotonic() + timeout
        while not self.is_set():
            left = 0.05 if end is None else min(0.05, end - time.monotonic())
            if left <= 0:
                return False
            time.sleep(left)
        return True
