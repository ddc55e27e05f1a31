"""The PostgreSQL store: the same tables, the same statements and the same
answers as SQLite, for a state shared by several hosts or too big for a file.

Statements keep SQLite's `?` placeholders and are translated here; every
write transaction first takes one transaction-level advisory lock, so writers
queue as SQLite's BEGIN IMMEDIATE makes them queue (an archive slot is
max + 1: two writers must not compute it at once). A store opened with a
fencing token (the publish lease's, `_lease.py`) then checks that the lease is
still its own, in the same transaction, before it writes anything.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import psycopg

from syndicator.errors import LeaseLostError, StoreError
from syndicator.redact import public_url, scrub_text
from syndicator.store._base import Cursor, Dialect
from syndicator.store._lease import FENCE, KEEPALIVES, LEASE_NAME
from syndicator.store._schema import SCHEMA_VERSION
from syndicator.store._schema_postgres import POSTGRES_FIRST_VERSION, POSTGRES_MIGRATIONS, POSTGRES_SCHEMA
from syndicator.store._sqlite import statements
from syndicator.store._store import StoreBase

WRITER_KEY = 0x73796E64  # "synd": the advisory lock every write transaction takes
# A write transaction waits on its client only between two statements of one
# plan; a client silent this long inside one is frozen or gone.
IDLE_IN_TRANSACTION_MS = 10_000
CONNECT_TIMEOUT = 10  # seconds to reach the server before the run fails

POSTGRES = Dialect(
    name="postgresql",
    tag_rows=(
        "(SELECT t.value AS name, a.* FROM articles a,"
        " json_array_elements_text((a.data::json) -> 'tags') AS t(value))"
    ),
    author_rows=(
        "(SELECT t.value ->> 'name' AS name, a.* FROM articles a,"
        " json_array_elements((a.data::json) -> 'authors') AS t(value))"
    ),
    event_order="seq",
    # The label of the newest visible article (date, then the smallest id), as SQLite picks it.
    categories=(
        "SELECT DISTINCT ON (c.term) c.term, c.label, c.scheme FROM article_categories c"
        " JOIN articles a ON a.id = c.article_id WHERE a.retracted = 0"
        " ORDER BY c.term, a.published_utc DESC, a.id"
    ),
    emptied_categories=(
        "SELECT DISTINCT ON (c.term) c.term, c.label, c.scheme FROM article_categories c"
        " JOIN articles a ON a.id = c.article_id"
        " WHERE c.term NOT IN (SELECT v.term FROM article_categories v"
        " JOIN articles va ON va.id = v.article_id WHERE va.retracted = 0)"
        " ORDER BY c.term, a.published_utc DESC, a.id"
    ),
)


def placeholders(sql: str) -> str:
    """`?` becomes `%s`; a literal `%` is doubled so psycopg leaves it alone."""
    return sql.replace("%", "%%").replace("?", "%s")


class _Connection:
    """psycopg's connection, spoken to as the store speaks to sqlite3."""

    def __init__(self, conn: psycopg.Connection[tuple[Any, ...]]) -> None:
        self.conn = conn

    def execute(self, sql: str, parameters: Sequence[Any] = (), /) -> Cursor:
        return self.conn.execute(placeholders(sql), tuple(parameters))

    def executemany(self, sql: str, parameters: Iterable[Sequence[Any]], /) -> Cursor:
        cursor = self.conn.cursor()
        rows = [tuple(p) for p in parameters]
        if rows:
            cursor.executemany(placeholders(sql), rows)
        return cursor


def is_postgres_url(url: str) -> bool:
    return url.startswith(("postgresql://", "postgres://"))


class PostgresStore(StoreBase):
    def __init__(self, url: str, *, dry_run: bool = False, fence: int | None = None) -> None:
        """`dry_run`: everything happens inside one transaction that is rolled
        back on close, so a dry run plans and renders and nothing persists.
        `fence`: the publish lease's token; every write transaction first checks
        that the lease still holds it, or writes nothing (LeaseLostError)."""
        self.url = url
        self.fence = None if dry_run else fence
        self.label = public_url(url)
        self.dialect = POSTGRES
        self.dry_run = dry_run
        import psycopg  # only a site whose store is on a PostgreSQL server loads the driver

        with self.errors():
            self.conn = psycopg.connect(url, autocommit=not dry_run, connect_timeout=CONNECT_TIMEOUT)
            self.db = _Connection(self.conn)
            try:
                for statement in KEEPALIVES:  # a cut-off host's open transaction ends within seconds
                    self.conn.execute(statement)
                if not dry_run:  # and a frozen one's: a takeover waits for open transactions
                    self.conn.execute(f"SET idle_in_transaction_session_timeout = {IDLE_IN_TRANSACTION_MS}")
                if dry_run:
                    self.conn.execute("SELECT 1")  # opens the transaction every write nests in
                self._migrate()
            except BaseException:
                self.conn.close()
                raise

    def close(self) -> None:
        if self.dry_run and not self.conn.closed:
            self.conn.rollback()
        self.conn.close()

    def after_copy(self) -> None:
        for table, column in (("runs", "id"), ("run_events", "seq")):
            self.conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'),"
                f" coalesce(max({column}), 0) + 1, false) FROM {table}"
            )

    @contextmanager
    def errors(self) -> Iterator[None]:
        import psycopg

        try:
            yield
        except psycopg.OperationalError as e:
            raise StoreError(f"{self.label}: {scrub_text(str(e).strip())} (is the server reachable?)") from e
        except psycopg.Error as e:
            raise StoreError(f"{self.label}: {scrub_text(str(e).strip())}") from e

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """In pipeline mode: the statements of a plan go to the server without
        waiting for each answer (a result asked for is waited for), so a run
        costs about one round trip per read, not one per statement."""
        with self.errors(), self.conn.transaction(), self.conn.pipeline():
            if not self.dry_run:  # a dry run never commits: it needs no place in the queue
                self.conn.execute("SELECT pg_advisory_xact_lock(%s)", (WRITER_KEY,))
            if (
                self.fence is not None
                and self.conn.execute(FENCE, (LEASE_NAME, self.fence)).fetchone() is None
            ):
                raise LeaseLostError(
                    f"{self.label}: this process no longer holds the publish lease"
                    f" (token {self.fence}); another publisher took over, nothing was written"
                )
            yield

    def _version(self) -> int | None:
        exists = self.conn.execute("SELECT to_regclass('schema_version') IS NOT NULL").fetchone()
        if not exists or not exists[0]:
            return None
        row = self.conn.execute("SELECT max(version) FROM schema_version").fetchone()
        return int(row[0]) if row and row[0] is not None else None

    def _migrate(self) -> None:
        with self.transaction():
            version = self._version()
            if version is not None and version > SCHEMA_VERSION:
                raise StoreError(
                    f"{self.label}: written by a newer syndicator (schema {version} > {SCHEMA_VERSION})"
                )
            if version is None:
                for statement in statements(POSTGRES_SCHEMA):
                    self.conn.execute(statement)
                self.conn.execute(
                    "INSERT INTO schema_version (version) VALUES (%s)", (POSTGRES_FIRST_VERSION,)
                )
                version = POSTGRES_FIRST_VERSION
            for number in range(version, SCHEMA_VERSION):
                for statement in statements(POSTGRES_MIGRATIONS[number]):
                    self.conn.execute(statement)
                self.conn.execute("UPDATE schema_version SET version = %s", (number + 1,))
        self._fill_name_index()
        self._locate_source_files()
        self._scrub_secrets()
        self._fill_shared_keys()


def read_one(url: str, sql: str, *, needs_table: str) -> tuple[Any, ...] | None:
    """One row from the store at `url`, in a read-only session that creates and
    migrates nothing; None when the store has no `needs_table` yet."""
    import psycopg

    label = public_url(url)
    try:
        with psycopg.connect(url, autocommit=True, connect_timeout=CONNECT_TIMEOUT) as conn:
            conn.execute("SET default_transaction_read_only = on")
            exists = conn.execute("SELECT to_regclass(%s) IS NOT NULL", (needs_table,)).fetchone()
            if not exists or not exists[0]:
                return None
            return conn.execute(sql).fetchone()
    except psycopg.OperationalError as e:
        raise StoreError(f"{label}: {scrub_text(str(e).strip())} (is the server reachable?)") from e
    except psycopg.Error as e:
        raise StoreError(f"{label}: {scrub_text(str(e).strip())}") from e
