"""One writer at a time: an advisory lock file in the state directory.

A second publish (the CLI while the daemon runs) waits a bounded time for the
first to finish, then gives up with StoreLockedError; writes never interleave.
The kernel releases a flock when its holder dies, so a killed run never leaves
a stale lock behind.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from syndicator.errors import StoreError, StoreLockedError

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
