"""The run report: what a publish did, for the CLI to print and the daemon to log."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

from syndicator.model import Rejection


class Progress(Protocol):
    """How far a run is, for a display: called often, it must be cheap."""

    def __call__(self, stage: str, done: int, total: int | None = None) -> None:
        """`done` of `total` (None: not known ahead) in `stage`: normalize, store, render."""


@dataclass
class Timer:
    """Seconds per stage, for the run report (a monotonic clock, not `now`)."""

    timings: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.add(name, time.perf_counter() - start)

    def add(self, name: str, seconds: float) -> None:
        self.timings[name] = self.timings.get(name, 0.0) + seconds


@dataclass(frozen=True)
class RunReport:
    run_id: int
    started: str  # RFC 3339, the run's `now`
    records_read: int
    added: int
    changed: int
    unchanged: int
    retracted: int
    held: int  # drafts, private, scheduled, embargoed
    rejections: tuple[Rejection, ...]
    duplicates: tuple[str, ...]  # "<ref>: same article as <ref>"
    source_errors: tuple[str, ...]  # whole sources that could not be read
    failed_sources: tuple[str, ...]  # their names, for the daemon's backoff
    feeds_written: tuple[str, ...]  # paths relative to the output directory
    feeds_unchanged: tuple[str, ...]
    timings: dict[str, float] = field(default_factory=dict)  # stage → seconds
    dry_run: bool = False
    rejection_report: str | None = None  # where the rejected records were kept
    articles_total: int = 0  # visible articles in the store after the run
    processes: int = 1  # processes that normalized the records or rendered the archive pages
    output_up_to_date: bool = False  # nothing changed, so nothing was rendered
    files_skipped: int = 0  # source files unchanged since the last run, not parsed
    removed_from_source: int = 0  # stored articles no longer in their source
    pings: tuple[str, ...] = ()  # WebSub pings, one line each
    pings_failed: int = 0
    warnings: tuple[str, ...] = ()  # "<file>: <record>: <field>: <message>": published, with a repair
    backed_off: tuple[str, ...] = ()  # failing sources the daemon left out of this run (backoff)
    # `[output] url`: objects put to and deleted from the bucket (relative paths), and bytes put.
    objects_uploaded: tuple[str, ...] = ()
    objects_deleted: tuple[str, ...] = ()
    upload_bytes: int = 0
    output_held: tuple[str, ...] = ()  # unfinished backfills ("NAME: K of N parts stored"): nothing rendered

    @property
    def published(self) -> int:
        return self.added + self.changed + self.unchanged

    @property
    def outcome(self) -> str:
        if self.source_errors or self.backed_off:
            return "source-errors"  # a source backed off is a source still failing
        return "rejected" if self.rejections else "ok"

    @property
    def duration(self) -> float:
        return self.timings.get("total", 0.0)

    def to_json(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "started": self.started,
            "outcome": self.outcome,
            "dry_run": self.dry_run,
            "records_read": self.records_read,
            "published": self.published,
            "added": self.added,
            "changed": self.changed,
            "unchanged": self.unchanged,
            "retracted": self.retracted,
            "held": self.held,
            "articles_total": self.articles_total,
            "files_skipped": self.files_skipped,
            "output_up_to_date": self.output_up_to_date,
            "output_held": list(self.output_held),
            "processes": self.processes,
            "removed_from_source": self.removed_from_source,
            "rejected": [
                {
                    "source": r.source,
                    "origin": r.origin,
                    "locator": r.locator,
                    "field": r.field,
                    "reason": r.reason,
                    "message": str(r),
                    # told again from an unchanged file's memory, not read this run
                    "retold": r.retold,
                }
                for r in self.rejections
            ],
            "warnings": list(self.warnings),
            "duplicates": list(self.duplicates),
            "source_errors": list(self.source_errors),
            "backed_off": list(self.backed_off),
            "feeds_written": list(self.feeds_written),
            "feeds_unchanged": list(self.feeds_unchanged),
            "rejection_report": self.rejection_report,
            "websub": {"pings": list(self.pings), "failed": self.pings_failed},
            "uploaded": {
                "objects": list(self.objects_uploaded),
                "deleted": list(self.objects_deleted),
                "bytes": self.upload_bytes,
            },
            "timings": {k: round(v, 4) for k, v in sorted(self.timings.items())},
        }
