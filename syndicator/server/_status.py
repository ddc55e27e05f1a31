"""``/status`` for ``syndicator serve``: the newest run, read from the state store.

``serve`` runs no publish of its own, so what it can tell an operator is what
the last publish (a cron job, a CI step, the daemon on another host sharing
the store) left in the store. Only outcomes and counts are sent: the run
report also holds error text, file paths and source URLs, which are for the
operator's terminal and logs, not for anyone who can reach the port.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from syndicator.errors import SyndicatorError
from syndicator.server._app import StatusCallback
from syndicator.store import LastRun, parse_location, read_holder, read_last_run

logger = logging.getLogger(__name__)

# Counts copied from the run report as they are (each an int there).
_COUNTS = ("records_read", "added", "changed", "unchanged", "retracted", "held", "articles_total")
# Lists in the report whose length is sent, never their text.
_LENGTHS = {
    "rejected": "rejected",
    "feeds_written": "feeds_written",
    "source_errors": "sources_failed",
}


def store_status(store_path: Path | str) -> StatusCallback:
    """A ``/status`` callback reporting the newest run in the store at ``store_path``
    (an SQLite file, or a postgresql:// URL)."""

    def status() -> Mapping[str, object]:
        try:
            last = read_last_run(store_path)
        except SyndicatorError as error:
            logger.warning("status: cannot read the state store: %s", error)
            return {"last_run": None, "store": "unreadable"}
        leader = lease_holder(store_path)
        if last is None:
            return {"last_run": None, "store": "no runs yet", **leader}
        return {"last_run": run_summary(last), "store": "ok", **leader}

    return status


def lease_holder(store_path: Path | str) -> dict[str, object]:
    """With a PostgreSQL store: which daemon leads it (host, pid, since, until), or null."""
    where = parse_location(store_path)
    if isinstance(where, Path):
        return {}
    try:
        holder = read_holder(where)
    except SyndicatorError as error:
        logger.warning("status: cannot read the publish lease: %s", error)
        return {"leader": None}
    return {"leader": holder.to_json() if holder else None}


def run_summary(last: LastRun) -> dict[str, Any]:
    """The public part of a run: when, how it ended, and how many of each thing."""
    report = last.report
    summary: dict[str, Any] = {
        "run": last.run,
        "started": last.started,
        "finished": last.finished,
        "outcome": last.outcome or "unfinished",
    }
    for key in _COUNTS:
        value = report.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            summary[key] = value
    for key, name in _LENGTHS.items():
        value = report.get(key)
        if isinstance(value, list):
            summary[name] = len(value)
    timings = report.get("timings")
    if isinstance(timings, dict) and isinstance(timings.get("total"), (int, float)):
        summary["seconds"] = round(float(timings["total"]), 3)
    return summary
