"""The progress of a long publish, as a person or a log reader wants it.

On a terminal: one live line per stage (records read, articles stored, feeds
written), with counts, rate and elapsed time, drawn by rich, which redraws in
place, adapts to the terminal and is imported only here, only for a terminal.
Elsewhere (CI, the daemon's journal, a pipe): a plain line every few seconds,
and nothing at all for a run shorter than that.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from syndicator.report import Progress

UNITS = {"normalize": "records read", "store": "articles stored", "render": "feeds written"}
PLAIN_EVERY = 5.0  # seconds between two plain progress lines; SYNDICATOR_PROGRESS_EVERY sets it


@contextmanager
def progress_display(*, enabled: bool) -> Iterator[Progress | None]:
    """A progress callback for publish_run, and its display, for the run's duration."""
    if not enabled:
        yield None
    elif sys.stderr.isatty():
        with _live() as progress:
            yield progress
    else:
        yield _plain()


@contextmanager
def _live() -> Iterator[Progress]:
    from rich.console import Console
    from rich.progress import BarColumn, SpinnerColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn
    from rich.progress import Progress as RichProgress

    console = Console(stderr=True)
    columns = (
        SpinnerColumn(finished_text="✓"),
        TextColumn("{task.description:<10}"),
        TextColumn("{task.completed:>9,} {task.fields[unit]}"),
        BarColumn(bar_width=20),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),  # shown where the stage knows its total
    )
    tasks: dict[str, Any] = {}
    started: dict[str, float] = {}
    with RichProgress(*columns, console=console, transient=True) as bar:

        def progress(stage: str, done: int, total: int | None = None) -> None:
            now = time.monotonic()
            for name, task in tasks.items():  # a new stage finishes the ones before it
                if name != stage:
                    bar.update(task, total=bar.tasks[task].completed)
            if stage not in tasks:
                started[stage] = now
                tasks[stage] = bar.add_task(stage, total=None, unit=UNITS.get(stage, ""), rate="")
            elapsed = now - started[stage]
            rate = f"{done / elapsed:,.0f}/s" if elapsed >= 1 else ""
            bar.update(tasks[stage], completed=done, total=total, rate=rate)

        yield progress


def _plain() -> Progress:
    """A line on stderr at most every PLAIN_EVERY seconds."""
    every = float(os.environ.get("SYNDICATOR_PROGRESS_EVERY", PLAIN_EVERY))
    start = time.monotonic()
    last = start - every if every == 0 else start
    started_at: dict[str, float] = {}

    def progress(stage: str, done: int, total: int | None = None) -> None:
        nonlocal last
        now = time.monotonic()
        started_at.setdefault(stage, now)
        if now - last < every:
            return
        last = now
        elapsed = now - start
        of = f" of {total:,}" if total else ""
        eta = ""
        if total and done and stage in started_at:
            rate = done / max(now - started_at[stage], 1e-6)
            eta = f", about {max(total - done, 0) / rate:.0f}s left"
        print(
            f"progress: {stage} {done:,}{of} {UNITS.get(stage, '')} ({elapsed:.0f}s{eta})",
            file=sys.stderr,
            flush=True,
        )

    return progress
