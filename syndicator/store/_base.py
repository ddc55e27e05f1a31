"""What every part of `Store` stands on: the file, the connection and the
one-transaction-per-call rule. The method groups (archive, sources, history)
are mixins over this base, so each is read on its own, but `Store` stays the
one class callers see.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from syndicator.store._sqlite import wrap_sqlite_errors


class Connected:
    path: Path
    db: sqlite3.Connection  # autocommit (isolation_level=None): transactions are explicit

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """BEGIN IMMEDIATE takes the write lock up front, so two writers wait
        (up to the connect timeout) instead of failing half-way through."""
        with wrap_sqlite_errors(self.path):
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")
