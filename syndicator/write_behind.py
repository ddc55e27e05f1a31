"""Write-behind: a render's files written by one thread, in order, while the next render.

A cold render of a big archive writes gigabytes (each archive page in every
format, each category's pages again), and the disk, not the processor, sets
the pace of those writes: each file is fsynced before it is renamed in
(`write.write_if_changed`). Done in the rendering thread, every second the disk
takes is a second nothing renders. Here the writes go to one thread of their
own, which waits on the disk with the GIL released, while the publishing
process reads and renders the next documents. One thread, so the files land
in the order they are handed over, as before; a few documents at most are
waiting (`depth`), so memory holds a few rendered documents, not the site.

A write's failure (a full disk, a cancelled run, a lost lease) is raised in
the rendering thread at its next hand-over or at `finish`; from then on
nothing more is written. Leaving the `with` block early (an exception in the
render) stops the thread before its next file and waits for the file it is
writing, so no write outlives the render that asked for it.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Generic, TypeVar

T = TypeVar("T")

DEPTH = 4  # documents handed over and not yet written, at most


class Stopped(Exception):
    """The writer was stopped before this document: nothing of it was written."""


class WriteBehind(Generic[T]):
    """`hand(write, after)`: `write()` runs in the writer thread, documents in the order
    handed; then `after(result)` runs here, in the rendering thread, in the same order."""

    def __init__(self, depth: int = DEPTH) -> None:
        self.depth = depth
        self.seconds = 0.0  # the writer thread's time in the writes
        self._stop = threading.Event()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="syndicator-write")
        self._waiting: deque[tuple[Future[T], Callable[[T], None]]] = deque()

    def __enter__(self) -> WriteBehind[T]:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if kind is not None:
            self._stop.set()  # the render failed: no further file is written
        self._pool.shutdown(wait=True, cancel_futures=True)

    def hand(self, write: Callable[[], T], after: Callable[[T], None]) -> None:
        """Queue a document's write; first take the results of the writes done (raising
        the first failure), and wait for the oldest while more than `depth` are waiting."""
        self._waiting.append((self._pool.submit(self._timed, write), after))
        while self._waiting and (self._waiting[0][0].done() or len(self._waiting) > self.depth):
            self._take()

    def check(self) -> None:
        """Raise Stopped once the writer is told to stop: called between two files."""
        if self._stop.is_set():
            raise Stopped("the render stopped")

    def finish(self) -> None:
        """Every document handed over is written, and its `after` has run."""
        while self._waiting:
            self._take()

    def _take(self) -> None:
        future, after = self._waiting.popleft()
        try:
            result = future.result()
        except BaseException:
            self._stop.set()  # what follows a failed write is not written either
            raise
        after(result)

    def _timed(self, write: Callable[[], T]) -> T:
        if self._stop.is_set():
            raise Stopped("an earlier write failed")
        start = time.perf_counter()
        try:
            return write()
        except BaseException:
            self._stop.set()  # the documents queued behind this one are not written
            raise
        finally:
            self.seconds += time.perf_counter() - start
