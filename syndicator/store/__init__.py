"""The state store, reached only through this package: `Store` is the contract,
SQLite (the default, one file) and PostgreSQL implement it alike.

It remembers, per article, the id and published date readers have seen, the
content hash that decides whether `updated` moves, every identity key the
article was seen under, and its archive slot; per run, what happened; per
source, what was read.
"""

from __future__ import annotations

from syndicator.store._contract import Store
from syndicator.store._feeds import Category, FeedSlice
from syndicator.store._history import LastRun, RunEvent, RunRecord
from syndicator.store._lease import LeaseHolder, PostgresLease, read_holder
from syndicator.store._open import open_store, parse_location, read_last_run, store_exists
from syndicator.store._postgres_store import PostgresStore
from syndicator.store._schema import MIGRATIONS, SCHEMA_VERSION
from syndicator.store._selections import StoredRows
from syndicator.store._sqlite import source_location, wrap_sqlite_errors
from syndicator.store._sqlite_store import SQLiteStore

__all__ = [
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "Category",
    "FeedSlice",
    "LastRun",
    "LeaseHolder",
    "PostgresLease",
    "PostgresStore",
    "RunEvent",
    "RunRecord",
    "SQLiteStore",
    "Store",
    "StoredRows",
    "open_store",
    "parse_location",
    "read_holder",
    "read_last_run",
    "source_location",
    "store_exists",
    "wrap_sqlite_errors",
]
