"""The SQLite store: one file in the state directory, the zero-set-up default."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

from syndicator.errors import StoreError
from syndicator.store._base import Dialect
from syndicator.store._schema import MIGRATIONS, SCHEMA_VERSION, SQLITE_SCHEMA, SQLITE_SCHEMA_VERSION
from syndicator.store._sqlite import refuse_empty_file, statements, wrap_sqlite_errors
from syndicator.store._store import StoreBase

SQLITE = Dialect(
    name="sqlite",
    tag_rows="(SELECT t.value AS name, a.* FROM articles a, json_each(a.data, '$.tags') t)",
    author_rows=(
        "(SELECT json_extract(t.value, '$.name') AS name, a.* FROM articles a,"
        " json_each(a.data, '$.authors') t)"
    ),
    event_order="rowid",
    # SQLite takes the bare columns of a max() aggregate from the row holding
    # the maximum: the label and scheme of the category's newest article.
    categories=(
        "SELECT term, label, scheme FROM ("
        " SELECT c.term, c.label, c.scheme, max(a.published_utc) FROM article_categories c"
        " JOIN articles a ON a.id = c.article_id WHERE a.retracted = 0"
        " GROUP BY c.term) ORDER BY term"
    ),
    emptied_categories=(
        "SELECT term, label, scheme FROM ("
        " SELECT c.term, c.label, c.scheme, max(a.published_utc) FROM article_categories c"
        " JOIN articles a ON a.id = c.article_id GROUP BY c.term"
        " HAVING max(a.retracted = 0) = 0) ORDER BY term"
    ),
)


class SQLiteStore(StoreBase):
    def __init__(self, path: Path) -> None:
        self.path = path
        self.label = str(path)
        self.dialect = SQLITE
        path.parent.mkdir(parents=True, exist_ok=True)
        refuse_empty_file(path)
        if not path.exists():
            self._create(path)
        with wrap_sqlite_errors(path):
            self.sqlite = sqlite3.connect(path, timeout=30, isolation_level=None)
            self.db = self.sqlite
            try:
                self.sqlite.execute("PRAGMA journal_mode = WAL")
                self.sqlite.execute("PRAGMA foreign_keys = ON")
                self.sqlite.execute("PRAGMA synchronous = NORMAL")
                self._migrate()
            except BaseException:
                self.sqlite.close()  # a store we refuse must not stay open (and locked)
                raise

    def _create(self, path: Path) -> None:
        """A new store is made whole beside its place and linked in, so the state
        file is never seen empty (an empty one is refused as damage)."""
        temp = path.with_name(f".{path.name}.new-{os.getpid()}")
        temp.unlink(missing_ok=True)
        with wrap_sqlite_errors(temp):
            self.sqlite = sqlite3.connect(temp, isolation_level=None)
            self.db = self.sqlite
            try:
                self.sqlite.execute("PRAGMA journal_mode = WAL")
                self._migrate()
            finally:
                self.sqlite.close()  # the last connection checkpoints and removes the -wal file
        try:
            with open(temp, "rb") as f:
                os.fsync(f.fileno())
            os.link(temp, path)  # unlike a rename, never replaces a store another process made
        except FileExistsError:
            pass
        except OSError as e:
            raise StoreError(f"{path}: cannot create the store: {e.strerror or e}") from e
        finally:
            temp.unlink(missing_ok=True)

    @classmethod
    def in_memory_copy(cls, path: Path) -> SQLiteStore:
        """A throwaway copy for `--dry-run`: the run plans and renders, nothing persists."""
        refuse_empty_file(path)
        store = cls.__new__(cls)
        store.path = path
        store.label = str(path)
        store.dialect = SQLITE
        with wrap_sqlite_errors(path):
            store.sqlite = sqlite3.connect(":memory:", isolation_level=None)
            store.db = store.sqlite
            if path.exists():
                # Read-only: a dry run must not write (or checkpoint into) the real store.
                source = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
                try:
                    source.backup(store.sqlite)
                finally:
                    source.close()
            store.sqlite.execute("PRAGMA foreign_keys = ON")
            store._migrate()
        return store

    def close(self) -> None:
        self.sqlite.close()

    def errors(self) -> AbstractContextManager[None]:
        return wrap_sqlite_errors(self.path)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """BEGIN IMMEDIATE takes the write lock up front, so two writers wait
        (up to the connect timeout) instead of failing half-way through."""
        with wrap_sqlite_errors(self.path):
            self.sqlite.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self.sqlite.execute("ROLLBACK")
                raise
            self.sqlite.execute("COMMIT")

    def _migrate(self) -> None:
        version = self.sqlite.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path}: written by a newer syndicator (schema {version} > {SCHEMA_VERSION})"
            )
        fresh = (
            version == 0
            and not self.sqlite.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'articles'"
            ).fetchone()
        )
        if fresh:  # a new store: the current schema at once, not every step since the first
            with self.transaction():
                for statement in statements(SQLITE_SCHEMA):
                    self.sqlite.execute(statement)
                self.sqlite.execute(f"PRAGMA user_version = {SQLITE_SCHEMA_VERSION}")
            version = SQLITE_SCHEMA_VERSION
        for number in range(version, SCHEMA_VERSION):
            with self.transaction():  # one migration at a time: a failed step leaves the one before
                for statement in statements(MIGRATIONS[number]):
                    self.sqlite.execute(statement)
                self.sqlite.execute(f"PRAGMA user_version = {number + 1}")
        self._fill_name_index()
        self._locate_source_files()
        self._scrub_secrets()
        self._fill_shared_keys()
