"""The progress of a long publish, as a person or a log reader wants it.

On a terminal: one live line per stage (records read, articles stored, feeds
written), with counts, rate and elapsed time, drawn by rich, which redraws in
place, adapts to the terminal and is imported only here, only for a terminal.
Elsewhere (CI, the daemon's journal, a pipe): a plain line every few seconds,
and nothing at all for a run shorter than that.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

Progress = Callable[[str, int], None]  # (stage, done so far); the pipeline's progress callback

UNITS = {"normalize": "records read", "store": "articles stored", "render": "feeds written"}
PLAIN_EVERY = 5.0  # seconds between two plain progress lines


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
    from rich.progress import Progress as RichProgress
    from rich.progress import SpinnerColumn, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    columns = (
        SpinnerColumn(finished_text="✓"),
        TextColumn("{task.description:<10}"),
        TextColumn("{task.completed:>9,} {task.fields[unit]}"),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
    )
    tasks: dict[str, Any] = {}
    started: dict[str, float] = {}
    with RichProgress(*columns, console=console, transient=True) as bar:

        def progress(stage: str, done: int) -> None:
            now = time.monotonic()
            for name, task in tasks.items():  # a new stage finishes the ones before it
                if name != stage:
                    bar.update(task, total=bar.tasks[task].completed)
            if stage not in tasks:
                started[stage] = now
                tasks[stage] = bar.add_task(stage, total=None, unit=UNITS.get(stage, ""), rate="")
            elapsed = now - started[stage]
            rate = f"{done / elapsed:,.0f}/s" if elapsed >= 1 else ""
            bar.update(tasks[stage], completed=done, rate=rate)

        yield progress


def _plain() -> Progress:
    """A line on stderr at most every PLAIN_EVERY seconds."""
    start = time.monotonic()
    last = start

    def progress(stage: str, done: int) -> None:
        nonlocal last
        now = time.monotonic()
        if now - last < PLAIN_EVERY:
            return
        last = now
        elapsed = now - start
        print(
            f"progress: {stage} {done:,} {UNITS.get(stage, '')} ({elapsed:.0f}s)",
            file=sys.stderr,
            flush=True,
        )

    return progress
