"""What every part of a store stands on: a connection, the dialect that says
where the engines differ, errors translated in one place and the
one-transaction-per-call rule. The method groups (archive, sources, history)
are mixins over this base, written once for SQLite and PostgreSQL alike.

Statements are written with `?` placeholders and SQL both engines read the
same way; the few that differ (a JSON field, the order events were written
in, picking the label of a category's newest article) are in `Dialect`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol

# articles.retracted, two flags: 0 visible, 1 retracted by its source (a draft, or gone
# from it), 2 by hand, 3 by hand while its source does not publish it either.
RETRACTED_BY_SOURCE = 1
RETRACTED_BY_HAND = 2


class Cursor(Protocol):
    """Rows are read with fetchone, fetchall or iteration; a count of changed rows
    comes from RETURNING (a PostgreSQL pipeline has no rowcount before it syncs)."""

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


class Connection(Protocol):
    """The part of a DB-API connection the store uses, with `?` placeholders."""

    def execute(self, sql: str, parameters: Sequence[Any] = (), /) -> Cursor: ...

    def executemany(self, sql: str, parameters: Iterable[Sequence[Any]], /) -> Cursor: ...


@dataclass(frozen=True)
class Dialect:
    """The SQL that is not the same on both engines."""

    name: str
    event_order: str  # the column that orders run_events as they were written
    categories: str  # (term, label, scheme) of categories with a visible article, label of the newest
    emptied_categories: str  # (term, label, scheme) of categories with no visible article left
    tag_rows: str  # FROM clause: each visible article once per tag, the tag as `name`
    author_rows: str  # FROM clause: each visible article once per author, the name as `name`


class Connected(ABC):
    label: str  # what an error names: the file, or the URL without its password
    db: Connection
    dialect: Dialect

    @abstractmethod
    def errors(self) -> AbstractContextManager[None]:
        """The engine's exceptions become StoreError naming the store, keeping __cause__."""

    @abstractmethod
    def transaction(self) -> AbstractContextManager[None]:
        """One write transaction; writers wait for each other instead of failing half-way."""

    def owed(self, flag: str) -> bool:
        """Whether the one-time work a migration asked for with `meta` flag `flag` ('0')
        is still to do; the work sets it to '1' in its own transaction."""
        with self.errors():
            row = self.db.execute("SELECT value FROM meta WHERE key = ?", (flag,)).fetchone()
        return row is not None and row[0] == "0"
