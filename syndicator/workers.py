"""The worker processes of a run: forked once, shared by normalize and render.

Normalizing records and rendering archive pages are pure, CPU-bound and
independent from one batch or page to the next, so a big run hands them to
processes, one per core (`normalize.workers`). One pool serves both journeys
of a run. It is forked the first time either has enough work; in a cold run
that is early in the ingest, while the publishing process is still small, so
the workers do not start as copies of a process that has since grown with the
store and the render.

A worker is forked, never spawned: it inherits the loaded rules, models and
schema instead of loading them again, and nothing of them is pickled.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from syndicator.lock import release_inherited_locks

logger = logging.getLogger(__name__)
T = TypeVar("T")


class Workers:
    """The run's pool of worker processes, forked on first use; None where forking is unsafe.

    `broken` is set when a worker died (killed, out of memory): from then on
    the run does the rest of its work in this process, and goes on.
    """

    def __init__(self, count: int, inherit: object = None) -> None:
        self.count = count
        self.inherit = inherit  # what the workers find with `inherited()`: the run's configuration
        self.pool: ProcessPoolExecutor | None = None
        self.broken = False

    def executor(self, setup: Callable[[], None] | None = None) -> ProcessPoolExecutor | None:
        """The pool, forked now if it is not yet, with `setup` run in each worker at its start.

        Only a single-threaded process forks safely: the daemon, with its server
        and scheduler threads, does its work in-process. Once forked, the pool's
        own manager thread does not stop it from being used.
        """
        if self.broken or self.count <= 1:
            return None
        if self.pool is None and threading.active_count() == 1:
            global _INHERITED
            _INHERITED = self.inherit  # the workers are forked copies of this process: they have it
            self.pool = ProcessPoolExecutor(
                max_workers=self.count,
                mp_context=multiprocessing.get_context("fork"),
                initializer=_start_worker,
                initargs=(setup,),
            )
            # The pool forks its processes at its first task, not when it is made: so that
            # they are forked now, while this process has no other thread (a render's
            # writer thread starts before its first archive page goes to a worker).
            self.pool.submit(int)
        return self.pool

    def submit(
        self, what: str, pool: ProcessPoolExecutor, fn: Callable[..., T], *args: Any
    ) -> Future[T] | None:
        """`fn(*args)` in a worker; None when the pool broke (a worker died since the
        last result was taken): the caller does its `what` itself."""
        try:
            return pool.submit(fn, *args)
        except BrokenProcessPool as e:
            self.failed(e, what)
            return None

    @property
    def running(self) -> int:
        """How many processes do the work: the workers, or this process alone."""
        return self.count if self.pool is not None and not self.broken else 1

    def failed(self, error: BaseException, what: str) -> None:
        """A worker died: the rest of the run's `what` is done in this process (said once)."""
        if not self.broken:
            logger.warning("worker process failed (%s); %s goes on in one process", error, what)
        self.broken = True

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None


_INHERITED: object = None


def inherited() -> object:
    """In a worker: what the run's `Workers` were made with (the configuration, which
    cannot be pickled, and need not be: the worker is a fork of the run's process)."""
    return _INHERITED


@contextlib.contextmanager
def run_workers(count: int, inherit: object = None) -> Iterator[Workers]:
    """A run's workers (`count` processes; 0: one per core), shut down when the run ends."""
    workers = Workers(count or (os.cpu_count() or 1), inherit)
    try:
        yield workers
    finally:
        workers.close()


def _start_worker(setup: Callable[[], None] | None) -> None:
    """A forked worker: it must not outlive its parent nor hold the parent's lock."""
    release_inherited_locks()
    _die_with_parent()
    # Ctrl-C reaches the whole process group: the parent alone answers it, so the
    # user sees one line and no worker traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if setup is not None:
        setup()


def _die_with_parent() -> None:
    """Linux prctl(PR_SET_PDEATHSIG, SIGKILL): a parent killed with -9 takes its
    workers along instead of leaving them orphaned (best effort elsewhere)."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG
        if os.getppid() == 1:  # the parent died before prctl took effect
            os._exit(1)
