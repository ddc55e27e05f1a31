"""The run history: one row per run and one event per thing a run did
(added, changed, retracted, rejected, pinged), for `syndicator history`."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from syndicator.articles import rfc3339
from syndicator.store._base import Connected
from syndicator.store._sqlite import wrap_sqlite_errors


class HistoryMixin(Connected):
    def begin_run(self, now: datetime) -> int:
        with self.transaction():
            cur = self.db.execute("INSERT INTO runs (started) VALUES (?)", (rfc3339(now),))
        return int(cur.lastrowid or 0)

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

    def record_pings(self, run_id: int, pings: Sequence[tuple[str, str, bool, str]]) -> None:
        """WebSub outcomes, in the history beside the run that caused them."""
        with self.transaction():
            self.db.executemany(
                "INSERT INTO run_events (run_id, action, ref, detail) VALUES (?, ?, ?, ?)",
                [(run_id, "ping" if ok else "ping-failed", topic, line) for _, topic, ok, line in pings],
            )

    def finish_run(self, run_id: int, *, now: datetime, outcome: str, report: dict[str, Any]) -> None:
        with self.transaction():
            self.db.execute(
                "UPDATE runs SET finished = ?, outcome = ?, report = ? WHERE id = ?",
                (rfc3339(now), outcome, json.dumps(report, sort_keys=True), run_id),
            )

    def history(self, limit: int) -> list[tuple[int, str, str | None, list[tuple[str, str, str, str]]]]:
        """The last `limit` runs, newest first, each with its events."""
        with wrap_sqlite_errors(self.path):
            runs = self.db.execute(
                "SELECT id, started, outcome FROM runs ORDER BY id DESC LIMIT ?", (limit,)
            ).fetchall()
            return [
                (
                    rid,
                    started,
                    outcome,
                    [
                        (a, aid or "", ref, detail)
                        for a, aid, ref, detail in self.db.execute(
                            "SELECT action, article_id, ref, detail FROM run_events"
                            " WHERE run_id = ? ORDER BY rowid",
                            (rid,),
                        )
                    ],
                )
                for rid, started, outcome in runs
            ]
