"""Who may publish into a PostgreSQL store: a lease in the store itself.

Several daemons, on as many hosts, share one store; exactly one of them
publishes at a time. It holds the lease, a row with an expiry that it renews
every third of the lease's length; the others look at it as often and take
it over when it has run out, or at once when the holder's session is gone
from the server (a process killed with SIGKILL: its connection closes with
it). A host cut off from the server stops renewing, and its lease runs out.

The lease is fenced. Every takeover gives it a new token, one more than the
last, and every write transaction of the holder's store first reads its row
with its own token, still unexpired (`FENCE`), under FOR KEY SHARE. A
takeover deletes the row and inserts the next token, and a delete waits for
every such transaction in flight; so a holder whose lease ran out commits
nothing after the takeover, and nothing it began before lands after it.
Renewing updates only the expiry, which those transactions do not block.

Times are the server's clock (`clock_timestamp()`), one clock for every
host. The holder also keeps a local deadline (monotonic, from before it sent
its last renewal, so never later than the server's expiry) after which it
stops writing files, which the server cannot fence.

The table is coordination between processes, not state: it is created here
when missing, never copied by `state migrate`, and its loss is harmless.
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from syndicator.errors import StoreError, StoreLockedError
from syndicator.redact import public_url, scrub_text

if TYPE_CHECKING:
    import psycopg  # imported where a lease is used: a run on SQLite never loads it

logger = logging.getLogger(__name__)

LEASE_NAME = "publish"
TABLE_KEY = 0x73796E66  # the advisory lock under which the lease table is created
CONNECT_TIMEOUT = 10  # seconds to reach the server
LOCK_TIMEOUT_MS = 5000  # a takeover waits this long for the old holder's transactions, then tries later
# The server ends a session whose client stopped answering: 10 s idle, then 3 probes 5 s apart.
KEEPALIVES = (
    "SET tcp_keepalives_idle = 10",
    "SET tcp_keepalives_interval = 5",
    "SET tcp_keepalives_count = 3",
)

CREATE = """CREATE TABLE IF NOT EXISTS publish_lease (
    name    TEXT COLLATE "C" PRIMARY KEY,
    token   BIGINT NOT NULL,       -- one more at every takeover: the fencing token
    host    TEXT COLLATE "C" NOT NULL,
    pid     INTEGER NOT NULL,
    holder  TEXT COLLATE "C" NOT NULL,  -- host, pid and a random part: one process
    backend INTEGER NOT NULL,      -- the server process of the holder's lease session
    since   TIMESTAMPTZ NOT NULL,
    expires TIMESTAMPTZ NOT NULL
)"""

# The holder's write transactions read this first (see the module docstring).
FENCE = (
    "SELECT 1 FROM publish_lease WHERE name = %s AND token = %s AND expires > clock_timestamp() FOR KEY SHARE"
)

# A lease that ran out, or whose holder's session is gone, is free.
TAKE_OVER = """DELETE FROM publish_lease WHERE name = %(name)s AND (expires <= clock_timestamp()
    OR NOT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = publish_lease.backend))
    RETURNING token"""
INSERT = """INSERT INTO publish_lease (name, token, host, pid, holder, backend, since, expires)
    VALUES (%(name)s, %(token)s, %(host)s, %(pid)s, %(holder)s, pg_backend_pid(), clock_timestamp(),
            clock_timestamp() + %(ttl)s * interval '1 second')
    ON CONFLICT (name) DO NOTHING RETURNING token, since, expires"""
RENEW = """UPDATE publish_lease SET expires = clock_timestamp() + %(ttl)s * interval '1 second',
    backend = pg_backend_pid()
    WHERE name = %(name)s AND token = %(token)s AND expires > clock_timestamp() RETURNING expires"""
RELEASE = "UPDATE publish_lease SET expires = clock_timestamp() WHERE name = %s AND token = %s"
READ = """SELECT host, pid, since, expires, token, expires > clock_timestamp()
    AND EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = publish_lease.backend)
    FROM publish_lease WHERE name = %s"""


@dataclass(frozen=True)
class LeaseHolder:
    """Who holds the right to publish, as /status shows it."""

    host: str
    pid: int
    since: str  # RFC 3339, when it took the lease
    expires: str | None  # RFC 3339, unless renewed; None for a lock that has no expiry
    token: int | None  # the fencing token; None for the lock file

    def to_json(self) -> dict[str, object]:
        return {"host": self.host, "pid": self.pid, "since": self.since, "expires": self.expires}


def _iso(value: datetime) -> str:
    return value.isoformat(timespec="seconds")


class PostgresLease:
    """The lease of one process on the store at `url`, on a connection of its own."""

    kept_between_runs = True  # a daemon keeps it: it is the leader until it stops or dies

    def __init__(self, url: str, *, seconds: float) -> None:
        self.url = url
        self.label = public_url(url)
        self.seconds = seconds
        self.holder_id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.token: int | None = None
        self.since: str | None = None
        self.expires: str | None = None
        self.valid_until = 0.0  # time.monotonic() after which this process writes nothing
        self.conn: psycopg.Connection[tuple[Any, ...]] | None = None  # connected when first needed

    # -- the connection ---------------------------------------------------------

    def _connect(self) -> None:
        import psycopg

        with self._errors():
            self.conn = psycopg.connect(self.url, autocommit=True, connect_timeout=CONNECT_TIMEOUT)
            for statement in KEEPALIVES:
                self.conn.execute(statement)
            self.conn.execute(f"SET lock_timeout = {LOCK_TIMEOUT_MS}")
            with self.conn.transaction():  # two processes creating it at once would collide
                self.conn.execute("SELECT pg_advisory_xact_lock(%s)", (TABLE_KEY,))
                self.conn.execute(CREATE)

    def _conn(self) -> psycopg.Connection[tuple[Any, ...]]:
        if self.conn is None or self.conn.closed or self.conn.broken:
            self._connect()
        assert self.conn is not None
        return self.conn

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """psycopg's errors become StoreError naming the store (without its password)."""
        import psycopg

        try:
            yield
        except psycopg.Error as e:
            if isinstance(e, psycopg.OperationalError) and self.conn is not None:
                self.conn.close()  # connect again next time
            raise StoreError(f"{self.label}: {scrub_text(str(e).strip())}") from e

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()

    # -- the lease --------------------------------------------------------------

    @property
    def fence(self) -> int | None:
        return self.token

    def held(self) -> bool:
        """Whether this process may still write: it holds a token whose local deadline has not passed."""
        return self.token is not None and time.monotonic() < self.valid_until

    def try_acquire(self) -> bool:
        """Take the lease if it is free; True if this process holds it now."""
        if self.held():
            return self.renew()
        if self.holder() is not None:
            return False  # held and alive: looked at without a lock, so its holder's writes never wait
        sent = time.monotonic()
        try:
            with self._errors(), self._conn().transaction():
                gone = self._conn().execute(TAKE_OVER, {"name": LEASE_NAME}).fetchone()
                last = (
                    self._conn()
                    .execute("SELECT token FROM publish_lease WHERE name = %s", (LEASE_NAME,))
                    .fetchone()
                )
                if last is not None:
                    return False  # held by another, alive and in time
                row = (
                    self._conn()
                    .execute(
                        INSERT,
                        {
                            "name": LEASE_NAME,
                            "token": (int(gone[0]) if gone else self._last_token()) + 1,
                            "host": socket.gethostname(),
                            "pid": os.getpid(),
                            "holder": self.holder_id,
                            "ttl": self.seconds,
                        },
                    )
                    .fetchone()
                )
        except StoreError as e:
            from psycopg.errors import LockNotAvailable

            if isinstance(e.__cause__, LockNotAvailable):
                return False  # the old holder's last transaction is still open: later
            raise
        if row is None:
            return False
        self.token = int(row[0])
        self.since, self.expires = _iso(row[1]), _iso(row[2])
        self.valid_until = sent + self.seconds
        logger.info("leading the store %s: lease token=%d since=%s", self.label, self.token, self.since)
        return True

    def _last_token(self) -> int:
        """Tokens never repeat, even after the table was emptied: start after every token seen."""
        row = self._conn().execute("SELECT coalesce(max(token), 0) FROM publish_lease").fetchone()
        return int(row[0]) if row else 0

    def acquire(self, *, wait_seconds: float) -> None:
        """Take the lease, waiting up to `wait_seconds` for it; StoreLockedError naming the holder."""
        deadline = time.monotonic() + wait_seconds
        while not self.try_acquire():
            if time.monotonic() >= deadline:
                holder = self.holder()
                who = (
                    f" (held by {holder.host} pid {holder.pid} since {holder.since}, until {holder.expires})"
                    if holder
                    else ""
                )
                raise StoreLockedError(
                    f"{self.label}: another syndicator publish is running on this store{who}; "
                    f"waited {wait_seconds:g}s (try again when it has finished)"
                )
            time.sleep(min(0.2, self.seconds / 10))

    def renew(self) -> bool:
        """Push the expiry on; False when the lease was lost (taken over, or it ran out)."""
        if self.token is None:
            return False
        sent = time.monotonic()
        try:
            with self._errors():
                row = (
                    self._conn()
                    .execute(RENEW, {"name": LEASE_NAME, "token": self.token, "ttl": self.seconds})
                    .fetchone()
                )
        except StoreError as e:
            logger.warning("lease: cannot renew: %s", e)
            return self.held()  # still ours until the local deadline; tried again soon
        if row is None:
            logger.warning("lease lost on %s: token %d was taken over or ran out", self.label, self.token)
            self.token = None
            return False
        self.expires = _iso(row[0])
        self.valid_until = sent + self.seconds
        return True

    def release(self) -> None:
        """Let the next publisher in at once (a stopping daemon, the end of a one-off publish)."""
        if self.token is None:
            return
        token, self.token = self.token, None
        try:
            with self._errors():
                self._conn().execute(RELEASE, (LEASE_NAME, token))
        except StoreError as e:
            logger.warning("lease: cannot release (it runs out by itself): %s", e)

    def holder(self) -> LeaseHolder | None:
        """Who holds the lease now, if anyone (a lease run out or left by a dead session is nobody's)."""
        with self._errors():
            row = self._conn().execute(READ, (LEASE_NAME,)).fetchone()
        return holder_of(row)


def holder_of(row: tuple[Any, ...] | None) -> LeaseHolder | None:
    if row is None or not row[5]:
        return None
    return LeaseHolder(
        host=row[0], pid=int(row[1]), since=_iso(row[2]), expires=_iso(row[3]), token=int(row[4])
    )


def read_holder(url: str) -> LeaseHolder | None:
    """Who leads the store at `url`, read without creating anything (for `serve`'s /status)."""
    import psycopg

    label = public_url(url)
    try:
        with psycopg.connect(url, autocommit=True, connect_timeout=CONNECT_TIMEOUT) as conn:
            exists = conn.execute("SELECT to_regclass('publish_lease') IS NOT NULL").fetchone()
            if not exists or not exists[0]:
                return None
            return holder_of(conn.execute(READ, (LEASE_NAME,)).fetchone())
    except psycopg.Error as e:
        raise StoreError(f"{label}: {scrub_text(str(e).strip())}") from e
