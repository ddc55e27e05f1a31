"""Store: reads and writes of the state, one SQLite connection each.

Timestamps are passed in, never read from the clock here. Writes go in one
transaction per call, so a process killed mid-run leaves the previous state.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from syndicator.articles import article_to_json, rfc3339
from syndicator.errors import StoreError
from syndicator.model import Article
from syndicator.plan import Action, Plan, StoredArticle
from syndicator.sources.memory import SourceMemory
from syndicator.store._archive import ArchiveMixin
from syndicator.store._feeds import FeedsMixin
from syndicator.store._history import HistoryMixin
from syndicator.store._schema import MIGRATIONS, SCHEMA_VERSION
from syndicator.store._sources import SourcesMixin
from syndicator.store._sqlite import (
    chunks,
    refuse_empty_file,
    source_location,
    statements,
    stored_article,
    stored_time,
    wrap_sqlite_errors,
)

RETRACTED_BY_HAND = 2  # articles.retracted: 0 visible, 1 retracted by its source, 2 by hand


class Store(FeedsMixin, ArchiveMixin, SourcesMixin, HistoryMixin):
    """The one door to the state. Articles, plans and retractions are here;
    what the feeds read (`_feeds`), archive pages (`_archive`), source memory
    (`_sources`) and the run history (`_history`) are mixins, each over the
    same connection and transactions (`_base.Connected`)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        refuse_empty_file(path)
        if not path.exists():
            self._create(path)
        with wrap_sqlite_errors(path):
            self.db = sqlite3.connect(path, timeout=30, isolation_level=None)
            try:
                self.db.execute("PRAGMA journal_mode = WAL")
                self.db.execute("PRAGMA foreign_keys = ON")
                self.db.execute("PRAGMA synchronous = NORMAL")
                self._migrate()
            except BaseException:
                self.db.close()  # a store we refuse must not stay open (and locked)
                raise

    def _create(self, path: Path) -> None:
        """A new store is made whole beside its place and linked in, so the state
        file is never seen empty (an empty one is refused as damage)."""
        temp = path.with_name(f".{path.name}.new-{os.getpid()}")
        temp.unlink(missing_ok=True)
        with wrap_sqlite_errors(temp):
            self.db = sqlite3.connect(temp, isolation_level=None)
            try:
                self.db.execute("PRAGMA journal_mode = WAL")
                self._migrate()
            finally:
                self.db.close()  # the last connection checkpoints and removes the -wal file
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
    def in_memory_copy(cls, path: Path) -> Store:
        """A throwaway copy for `--dry-run`: the run plans and renders, nothing persists."""
        refuse_empty_file(path)
        store = cls.__new__(cls)
        store.path = path
        with wrap_sqlite_errors(path):
            store.db = sqlite3.connect(":memory:", isolation_level=None)
            if path.exists():
                # Read-only: a dry run must not write (or checkpoint into) the real store.
                source = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
                try:
                    source.backup(store.db)
                finally:
                    source.close()
            store.db.execute("PRAGMA foreign_keys = ON")
            store._migrate()
        return store

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _migrate(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path}: written by a newer syndicator (schema {version} > {SCHEMA_VERSION})"
            )
        for number in range(version, SCHEMA_VERSION):
            with self.transaction():  # one migration at a time: a failed step leaves the one before
                for statement in statements(MIGRATIONS[number]):
                    self.db.execute(statement)
                self.db.execute(f"PRAGMA user_version = {number + 1}")

    # -- reads -----------------------------------------------------------

    def known(self, keys: Iterable[str]) -> dict[str, StoredArticle]:
        """The stored article behind each of these identity keys, where there is one."""
        wanted = sorted(set(keys))
        found: dict[str, StoredArticle] = {}
        with wrap_sqlite_errors(self.path):
            for chunk in chunks(wanted, 500):
                marks = ",".join("?" * len(chunk))
                rows = self.db.execute(
                    f"SELECT k.key, a.id, a.published, a.updated, a.first_seen, a.content_hash,"
                    f" a.retracted, a.source_ref, a.url"
                    f" FROM identity_keys k JOIN articles a ON a.id = k.article_id"
                    f" WHERE k.key IN ({marks})",
                    chunk,
                )
                for key, aid, pub, upd, first, digest, retracted, ref, url in rows:
                    found[key] = StoredArticle(
                        id=aid,
                        published=stored_time(self.path, "articles", f"id={aid!r}", "published", pub),
                        updated=stored_time(self.path, "articles", f"id={aid!r}", "updated", upd)
                        if upd
                        else None,
                        first_seen=stored_time(self.path, "articles", f"id={aid!r}", "first_seen", first),
                        content_hash=digest,
                        retracted=bool(retracted),
                        retracted_by_hand=retracted == RETRACTED_BY_HAND,
                        source_ref=ref,
                        url=url,
                    )
        return found

    def article(self, article_id: str) -> tuple[Article, bool] | None:
        with wrap_sqlite_errors(self.path):
            row = self.db.execute(
                "SELECT data, retracted FROM articles WHERE id = ?", (article_id,)
            ).fetchone()
        return (stored_article(self.path, article_id, row[0]), bool(row[1])) if row else None

    # -- writes ----------------------------------------------------------

    def apply(
        self,
        plan: Plan,
        *,
        run_id: int,
        now: datetime,
        memory: SourceMemory | None = None,
        complete_sources: Iterable[str] = (),
        retract: Iterable[str] = (),
    ) -> None:
        """Write one plan, what the sources learnt and the removals in one transaction.

        All of it or none of it: a run killed before the commit leaves the store
        as the previous run left it, and the next run reads the same files again.
        """
        complete = list(complete_sources)
        with self.transaction():
            if memory is not None:
                self._apply_memory(memory, complete)
            for article_id in retract:
                self._retract(article_id, run_id, "removed from its source")
            for d in plan.decisions:
                if d.action in (Action.ADDED, Action.CHANGED, Action.RETRACTED):
                    flag = RETRACTED_BY_HAND if d.keep_retracted else int(d.action is Action.RETRACTED)
                    self._save(d.article, d.content_hash, now, retracted=flag)
                elif d.action is Action.UNCHANGED:
                    # The same article, perhaps from another file now (a rename).
                    self.db.execute(
                        "UPDATE articles SET source_ref = ?, source_name = ?, source_file = ?"
                        " WHERE id = ? AND source_ref != ?",
                        (
                            d.article.source.ref,
                            *source_location(d.article.source.ref, (d.article.source.name,)),
                            d.article.id,
                            d.article.source.ref,
                        ),
                    )
                if d.keys and d.action is not Action.HELD:
                    self.db.executemany(
                        "INSERT INTO identity_keys (key, article_id) VALUES (?, ?)"
                        " ON CONFLICT (key) DO NOTHING",
                        [(k, d.article.id) for k in d.keys],
                    )
                if d.action is not Action.UNCHANGED:
                    detail = d.detail or ("updated moved" if d.updated_moved else "")
                    self.db.execute(
                        "INSERT INTO run_events (run_id, action, article_id, ref, detail)"
                        " VALUES (?, ?, ?, ?, ?)",
                        (run_id, d.action.value, d.article.id, d.article.source.ref, detail),
                    )

    def _save(self, article: Article, digest: str, now: datetime, *, retracted: int) -> None:
        assert article.published is not None
        data = json.dumps(article_to_json(article), ensure_ascii=False)
        published_utc = article.published.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        self.db.execute(
            "INSERT INTO articles (id, url, source_ref, content_hash, first_seen, published,"
            " published_utc, updated, retracted, data, source_name, source_file, archive_seq)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
            # A new article takes the next archive slot as it is inserted; an
            # update keeps its slot (the row, with its content, is written once).
            " (SELECT coalesce(max(archive_seq), -1) + 1 FROM articles))"
            " ON CONFLICT (id) DO UPDATE SET url = excluded.url, source_ref = excluded.source_ref,"
            " source_name = excluded.source_name, source_file = excluded.source_file,"
            " content_hash = excluded.content_hash, updated = excluded.updated,"
            " retracted = excluded.retracted, data = excluded.data",
            (
                article.id,
                article.url,
                article.source.ref,
                digest,
                rfc3339(now),
                rfc3339(article.published),
                published_utc,
                rfc3339(article.updated) if article.updated else None,
                int(retracted),
                data,
                *source_location(article.source.ref, (article.source.name,)),
            ),
        )
        self._mark_archive_dirty(article.id)
        self.db.execute("DELETE FROM article_categories WHERE article_id = ?", (article.id,))
        self.db.executemany(
            "INSERT INTO article_categories (article_id, term, label, scheme) VALUES (?, ?, ?, ?)",
            [(article.id, c.term, c.label, c.scheme) for c in article.categories],
        )
        self.db.executemany(  # the feeds it joins (the ones it leaves were marked above)
            "INSERT OR IGNORE INTO feed_dirty (term) VALUES (?)", [(c.term,) for c in article.categories]
        )

    def retract(self, article_id: str, *, run_id: int, undo: bool = False) -> bool:
        """By hand: the article stays out of the feeds, whatever its source says, until undone."""
        with self.transaction():
            if not undo:
                return self._retract(article_id, run_id, "by hand", flag=RETRACTED_BY_HAND)
            cur = self.db.execute(
                "UPDATE articles SET retracted = 0 WHERE id = ? AND retracted = ?",
                (article_id, RETRACTED_BY_HAND),
            )
            if cur.rowcount:
                self._mark_archive_dirty(article_id)
                self.db.execute(
                    "INSERT INTO run_events (run_id, action, article_id, ref, detail)"
                    " VALUES (?, 'restored', ?, '', 'by hand')",
                    (run_id, article_id),
                )
            return bool(cur.rowcount)

    def _retract(self, article_id: str, run_id: int, why: str, *, flag: int = 1) -> bool:
        cur = self.db.execute(
            "UPDATE articles SET retracted = ? WHERE id = ? AND retracted = 0", (flag, article_id)
        )
        if cur.rowcount:
            self._mark_archive_dirty(article_id)
            self.db.execute(
                "INSERT INTO run_events (run_id, action, article_id, ref, detail)"
                " VALUES (?, 'retracted', ?, '', ?)",
                (run_id, article_id, why),
            )
        return bool(cur.rowcount)
