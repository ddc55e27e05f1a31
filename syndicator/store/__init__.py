"""The state store: SQLite, reached only through this package.

It remembers, per article, the id and published date readers have seen, the
content hash that decides whether `updated` moves, every identity key the
article was seen under, and its archive slot; per run, what happened; per
source, what was read. A server database could replace it behind `Store`.
"""

from __future__ import annotations

from syndicator.store._feeds import FeedSlice
from syndicator.store._history import LastRun, read_last_run
from syndicator.store._schema import MIGRATIONS, SCHEMA_VERSION
from syndicator.store._sqlite import source_location, wrap_sqlite_errors
from syndicator.store._store import Store

__all__ = [
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "FeedSlice",
    "LastRun",
    "Store",
    "read_last_run",
    "source_location",
    "wrap_sqlite_errors",
]
