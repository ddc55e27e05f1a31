"""The run history: one row per run and one event per thing a run did
(added, changed, retracted, rejected, pinged), for `syndicator history`."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from syndicator.articles import rfc3339
from syndicator.redact import public_url, scrub_text
from syndicator.store._base import Connected


class RunEvent(NamedTuple):
    """One thing a run did: added, changed, retracted, restored, rejected, warning, ping…"""

    action: str
    article_id: str  # "" when the event is about a record or a feed, not an article
    ref: str
    detail: str


class RunRecord(NamedTuple):
    run_id: int
    started: str  # RFC 3339
    outcome: str | None  # None while the run has not finished (or was killed)
    events: list[RunEvent]


class HistoryMixin(Connected):
    def begin_run(self, now: datetime, *, keep: int = 0) -> int:
        """A new run's number. With `keep`, the history keeps the newest `keep` runs: the
        events and report of older ones go (the first run's row stays, with its date: the
        store's), so a daemon's history does not grow without end."""
        with self.transaction():
            row = self.db.execute(
                "INSERT INTO runs (started) VALUES (?) RETURNING id", (rfc3339(now),)
            ).fetchone()
            if keep:
                oldest = int(row[0]) - keep  # the newest run that goes
                first = "(SELECT min(id) FROM runs)"
                self.db.execute("DELETE FROM run_events WHERE run_id <= ?", (oldest,))
                self.db.execute(f"UPDATE runs SET report = NULL WHERE id <= ? AND id = {first}", (oldest,))
                self.db.execute(f"DELETE FROM runs WHERE id <= ? AND id > {first}", (oldest,))
        return int(row[0])

    def record_rejections(self, run_id: int, rejections: Sequence[tuple[str, str]]) -> None:
        with self.transaction():
            self.db.executemany(
                "INSERT INTO run_events (run_id, action, ref, detail) VALUES (?, 'rejected', ?, ?)",
                [(run_id, ref, reason) for ref, reason in rejections],
            )

    def record_warnings(self, run_id: int, warnings: Sequence[tuple[str, str]]) -> None:
        """(ref, message) of what was repaired or dropped in articles that published."""
        with self.transaction():
            self.db.executemany(
                "INSERT INTO run_events (run_id, action, ref, detail) VALUES (?, 'warning', ?, ?)",
                [(run_id, ref, message) for ref, message in warnings],
            )

    def pending_pings(self, hubs: Sequence[str]) -> list[tuple[str, str]]:
        """(hub, topic) of the pings that failed before, for the hubs still configured."""
        with self.errors():
            rows = self.db.execute("SELECT hub, topic FROM pending_pings ORDER BY hub, topic").fetchall()
        return [(hub, topic) for hub, topic in rows if hub in hubs]

    def record_pings(
        self,
        run_id: int,
        pings: Sequence[tuple[str, str, bool, str]],
        *,
        now: datetime,
        hubs: Sequence[str],
    ) -> None:
        """WebSub outcomes, in the history beside the run that caused them; a
        failed ping is kept to be sent again, a hub no longer configured forgotten."""
        with self.transaction():
            self.db.executemany(
                "INSERT INTO run_events (run_id, action, ref, detail) VALUES (?, ?, ?, ?)",
                [(run_id, "ping" if ok else "ping-failed", topic, line) for _, topic, ok, line in pings],
            )
            self.db.executemany(
                "DELETE FROM pending_pings WHERE hub = ? AND topic = ?",
                [(hub, topic) for hub, topic, ok, _ in pings if ok],
            )
            self.db.executemany(
                "INSERT INTO pending_pings (hub, topic, since, failures, error) VALUES (?, ?, ?, 1, ?)"
                # The table named: PostgreSQL finds a bare `failures` ambiguous (excluded's or the row's).
                " ON CONFLICT (hub, topic) DO UPDATE SET failures = pending_pings.failures + 1,"
                " error = excluded.error",
                [(hub, topic, rfc3339(now), line) for hub, topic, ok, line in pings if not ok],
            )
            if not hubs:  # `IN ()` is SQLite's, not PostgreSQL's
                self.db.execute("DELETE FROM pending_pings")
            else:
                marks = ",".join("?" * len(hubs))
                self.db.execute(f"DELETE FROM pending_pings WHERE hub NOT IN ({marks})", tuple(hubs))

    def finish_run(self, run_id: int, *, now: datetime, outcome: str, report: dict[str, Any]) -> None:
        with self.transaction():
            self.db.execute(
                "UPDATE runs SET finished = ?, outcome = ?, report = ? WHERE id = ?",
                (rfc3339(now), outcome, json.dumps(report, sort_keys=True), run_id),
            )

    def first_run_started(self) -> datetime | None:
        """When the store's first run began (its creation): the stable, plausible
        date of a feed that has no items, which would otherwise carry none."""
        with self.errors():
            row = self.db.execute("SELECT started FROM runs ORDER BY id LIMIT 1").fetchone()
        return datetime.fromisoformat(row[0]) if row else None

    def history(self, limit: int) -> list[RunRecord]:
        """The last `limit` runs, newest first, each with its events in the order they happened."""
        with self.errors():
            runs = self.db.execute(
                "SELECT id, started, outcome FROM runs ORDER BY id DESC LIMIT ?", (limit,)
            ).fetchall()
            return [
                RunRecord(
                    int(rid),
                    started,
                    outcome,
                    [
                        RunEvent(action, aid or "", ref, detail)
                        for action, aid, ref, detail in self.db.execute(
                            "SELECT action, article_id, ref, detail FROM run_events"
                            f" WHERE run_id = ? ORDER BY {self.dialect.event_order}",
                            (rid,),
                        )
                    ],
                )
                for rid, started, outcome in runs
            ]

    def _scrub_secrets(self) -> None:
        """Once, after migration v16: what older versions kept in the history with its
        credentials (a WebSub hub's `user:password@` or `?token=`, a source URL's secret
        query value) is masked as the store keeps it now (`redact.public_url`). A pending
        ping is kept under its hub's public URL, the one it is looked up by."""
        if not self.owed("secrets_scrubbed"):
            return
        with self.transaction():
            reports = self.db.execute(
                "SELECT id, report FROM runs WHERE report LIKE '%=%' OR report LIKE '%@%'"
            )
            self.db.executemany(
                "UPDATE runs SET report = ? WHERE id = ?",
                [(scrub_text(report), i) for i, report in reports.fetchall() if scrub_text(report) != report],
            )
            events = self.db.execute(
                "SELECT DISTINCT ref, detail FROM run_events WHERE ref LIKE '%://%' OR detail LIKE '%://%'"
                " OR detail LIKE '%=%'"
            ).fetchall()
            self.db.executemany(
                "UPDATE run_events SET ref = ?, detail = ? WHERE ref = ? AND detail = ?",
                [
                    (scrub_text(ref), scrub_text(detail), ref, detail)
                    for ref, detail in events
                    if (scrub_text(ref), scrub_text(detail)) != (ref, detail)
                ],
            )
            for table, column, rest in (("pending_pings", "hub", "topic"), ("http_cache", "url", "")):
                keyed = f"{column}, {rest}" if rest else column
                for values in self.db.execute(f"SELECT {keyed} FROM {table}").fetchall():
                    public = public_url(values[0])
                    if public == values[0]:
                        continue
                    match = " AND ".join(f"{c} = ?" for c in keyed.split(", "))
                    if self.db.execute(
                        f"SELECT 1 FROM {table} WHERE {match}", (public, *values[1:])
                    ).fetchone():
                        self.db.execute(f"DELETE FROM {table} WHERE {match}", values)
                    else:
                        self.db.execute(f"UPDATE {table} SET {column} = ? WHERE {match}", (public, *values))
            self.db.execute("UPDATE meta SET value = '1' WHERE key = 'secrets_scrubbed'")


@dataclass(frozen=True)
class LastRun:
    """The newest run in a store, for ``serve``'s ``/status``."""

    run: int  # runs.id
    started: str  # RFC 3339
    finished: str | None  # None while it runs, or when it was killed
    outcome: str | None  # ok / rejected / source-errors / failed; None when unfinished
    report: Mapping[str, Any]  # the run report's JSON ({} when unfinished)


LAST_RUN = "SELECT id, started, finished, outcome, report FROM runs ORDER BY id DESC LIMIT 1"
