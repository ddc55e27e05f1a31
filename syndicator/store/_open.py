"""Which store a location names, and opening it.

A location is a path (an SQLite file), `sqlite:PATH`, or a
`postgresql://` URL. SQLite in the state directory is the default.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from syndicator.errors import StoreError
from syndicator.redact import public_url
from syndicator.store._contract import Store
from syndicator.store._history import LAST_RUN, LastRun
from syndicator.store._postgres_store import PostgresStore, is_postgres_url, read_one
from syndicator.store._sqlite import wrap_sqlite_errors
from syndicator.store._sqlite_store import SQLiteStore


def parse_location(location: str | Path) -> str | Path:
    """A postgresql:// URL stays a URL; `sqlite:PATH` and a bare path are a file."""
    if isinstance(location, Path):
        return location
    if is_postgres_url(location):
        return location
    if location.startswith("sqlite:"):
        return Path(location.removeprefix("sqlite:").removeprefix("//"))
    if "://" in location:
        raise StoreError(
            f"{public_url(location)}: not a store location (use sqlite:PATH or postgresql://USER@HOST/DB)"
        )
    return Path(location)


def open_store(location: str | Path, *, dry_run: bool = False, fence: int | None = None) -> Store:
    """The store at `location`, migrated to the current schema (a newer one is refused).

    `dry_run`: a store whose writes never persist (an in-memory copy of the
    SQLite file, or one rolled-back PostgreSQL transaction). `fence`: the
    publish lease's token, checked by each PostgreSQL write transaction (an
    SQLite store is fenced by its lock file, which only dies with its holder).
    """
    where = parse_location(location)
    if isinstance(where, Path):
        return SQLiteStore.in_memory_copy(where) if dry_run else SQLiteStore(where)
    return PostgresStore(where, dry_run=dry_run, fence=fence)


def store_exists(location: str | Path) -> bool:
    """Whether anything was stored there yet (a server store is asked by opening it)."""
    where = parse_location(location)
    return where.exists() if isinstance(where, Path) else True


def read_last_run(location: Path | str) -> LastRun | None:
    """The newest run recorded in the store at ``location`` (an SQLite file or a
    postgresql:// URL), read without writing.

    Opened read-only (no migration, no WAL checkpoint), so a server reading it
    never takes the writer's place or changes the file under a running
    publish. None when the store does not exist yet or holds no run.
    """
    if isinstance(location, str):
        row = read_one(location, LAST_RUN, needs_table="runs")
    else:
        if not location.exists():
            return None
        with wrap_sqlite_errors(location):
            db = sqlite3.connect(f"{location.resolve().as_uri()}?mode=ro", uri=True, timeout=5)
            try:
                row = db.execute(LAST_RUN).fetchone()
            finally:
                db.close()
    if row is None:
        return None
    run, started, finished, outcome, report = row
    try:
        parsed = json.loads(report) if report else {}
    except ValueError:
        parsed = {}  # a damaged report still leaves the run's outcome to tell
    return LastRun(run, started, finished, outcome, parsed if isinstance(parsed, dict) else {})
