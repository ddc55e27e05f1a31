"""Store: reads and writes of the state, one SQLite connection each.

Timestamps are passed in, never read from the clock here. Writes go in one
transaction per call, so a process killed mid-run leaves the previous state.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from syndicator.articles import article_from_json, article_to_json, rfc3339
from syndicator.errors import StoreError
from syndicator.model import Article
from syndicator.plan import Action, Plan, StoredArticle
from syndicator.sources.memory import FileState, HttpValidators, SourceMemory
from syndicator.store._schema import MIGRATIONS, SCHEMA_VERSION
from syndicator.store._sqlite import chunks, source_location, statements, wrap_sqlite_errors


@dataclass(frozen=True)
class FeedSlice:
    articles: tuple[Article, ...]
    total: int


RETRACTED_BY_HAND = 2  # articles.retracted: 0 visible, 1 retracted by its source, 2 by hand


class Store:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
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

    @classmethod
    def in_memory_copy(cls, path: Path) -> Store:
        """A throwaway copy for `--dry-run`: the run plans and renders, nothing persists."""
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
            self.db.execute("BEGIN IMMEDIATE")
            try:
                for statement in statements(MIGRATIONS[number]):
                    self.db.execute(statement)
                self.db.execute(f"PRAGMA user_version = {number + 1}")
                self.db.execute("COMMIT")
            except BaseException:
                self.db.execute("ROLLBACK")
                raise

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with wrap_sqlite_errors(self.path):
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")

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
                    f" a.retracted FROM identity_keys k JOIN articles a ON a.id = k.article_id"
                    f" WHERE k.key IN ({marks})",
                    chunk,
                )
                for key, aid, pub, upd, first, digest, retracted in rows:
                    found[key] = StoredArticle(
                        id=aid,
                        published=datetime.fromisoformat(pub),
                        updated=datetime.fromisoformat(upd) if upd else None,
                        first_seen=datetime.fromisoformat(first),
                        content_hash=digest,
                        retracted=bool(retracted),
                        retracted_by_hand=retracted == RETRACTED_BY_HAND,
                    )
        return found

    def newest(self, limit: int, *, category: str | None = None) -> FeedSlice:
        """The newest visible articles, in the feeds' total order (date, then id)."""
        with wrap_sqlite_errors(self.path):
            if category is None:
                rows = self.db.execute(
                    "SELECT data FROM articles WHERE retracted = 0 ORDER BY published_utc DESC, id LIMIT ?",
                    (limit,),
                ).fetchall()
                total = self.db.execute("SELECT count(*) FROM articles WHERE retracted = 0").fetchone()[0]
            else:
                rows = self.db.execute(
                    "SELECT a.data FROM article_categories c JOIN articles a ON a.id = c.article_id"
                    " WHERE c.term = ? AND a.retracted = 0 ORDER BY a.published_utc DESC, a.id LIMIT ?",
                    (category, limit),
                ).fetchall()
                total = self.db.execute(
                    "SELECT count(*) FROM article_categories c JOIN articles a ON a.id = c.article_id"
                    " WHERE c.term = ? AND a.retracted = 0",
                    (category,),
                ).fetchone()[0]
        return FeedSlice(tuple(article_from_json(json.loads(r[0])) for r in rows), total)

    def archive_count(self) -> int:
        """How many sequence numbers have been handed out (archive pages span them)."""
        with wrap_sqlite_errors(self.path):
            value = self.db.execute("SELECT max(archive_seq) FROM articles").fetchone()[0]
        return 0 if value is None else int(value) + 1

    def archive_page(self, page: int, size: int) -> tuple[Article, ...]:
        """The visible articles of archive page `page`, newest first (date, then id)."""
        with wrap_sqlite_errors(self.path):
            rows = self.db.execute(
                "SELECT data FROM articles WHERE archive_seq >= ? AND archive_seq < ? AND retracted = 0"
                " ORDER BY published_utc DESC, id",
                (page * size, (page + 1) * size),
            ).fetchall()
        return tuple(article_from_json(json.loads(r[0])) for r in rows)

    def since_seq(self, first: int) -> tuple[Article, ...]:
        """Visible articles numbered from `first` on: the not-yet-full archive page."""
        with wrap_sqlite_errors(self.path):
            rows = self.db.execute(
                "SELECT data FROM articles WHERE archive_seq >= ? AND retracted = 0"
                " ORDER BY published_utc DESC, id",
                (first,),
            ).fetchall()
        return tuple(article_from_json(json.loads(r[0])) for r in rows)

    def dirty_archive_seqs(self) -> list[int]:
        with wrap_sqlite_errors(self.path):
            return [int(r[0]) for r in self.db.execute("SELECT seq FROM archive_dirty ORDER BY seq")]

    def clear_dirty_archive(self, seqs: list[int]) -> None:
        """After the archive pages holding these articles were written."""
        with self.transaction():
            self.db.executemany("DELETE FROM archive_dirty WHERE seq = ?", [(q,) for q in seqs])

    def urls_by_title(self, titles: Iterable[str]) -> dict[str, str]:
        """title → URL of the visible article with exactly that title (the newest, if several)."""
        found: dict[str, str] = {}
        with wrap_sqlite_errors(self.path):
            for title in sorted(set(titles)):
                row = self.db.execute(
                    "SELECT url FROM articles WHERE json_extract(data, '$.title') = ? AND retracted = 0"
                    " ORDER BY published_utc DESC, id LIMIT 1",
                    (title,),
                ).fetchone()
                if row:
                    found[title] = row[0]
        return found

    def visible_count(self) -> int:
        with wrap_sqlite_errors(self.path):
            return int(self.db.execute("SELECT count(*) FROM articles WHERE retracted = 0").fetchone()[0])

    def categories(self) -> list[tuple[str, str, str | None]]:
        """(term, label, scheme) of every category with a visible article, by term."""
        with wrap_sqlite_errors(self.path):
            terms = [
                r[0]
                for r in self.db.execute(
                    "SELECT DISTINCT c.term FROM article_categories c JOIN articles a"
                    " ON a.id = c.article_id WHERE a.retracted = 0 ORDER BY c.term"
                )
            ]
            result = []
            for term in terms:
                (data,) = self.db.execute(
                    "SELECT a.data FROM article_categories c JOIN articles a ON a.id = c.article_id"
                    " WHERE c.term = ? AND a.retracted = 0 ORDER BY a.published_utc DESC, a.id LIMIT 1",
                    (term,),
                ).fetchone()
                for cat in json.loads(data)["categories"]:
                    if cat["term"] == term:
                        result.append((term, cat["label"], cat.get("scheme")))
        return result

    def article(self, article_id: str) -> tuple[Article, bool] | None:
        with wrap_sqlite_errors(self.path):
            row = self.db.execute(
                "SELECT data, retracted FROM articles WHERE id = ?", (article_id,)
            ).fetchone()
        return (article_from_json(json.loads(row[0])), bool(row[1])) if row else None

    def source_memory(self, fingerprint: str) -> SourceMemory:
        with wrap_sqlite_errors(self.path):
            files = {
                (source, path): FileState(size, mtime, digest, fp)
                for source, path, size, mtime, digest, fp in self.db.execute(
                    "SELECT source, path, size, mtime_ns, sha256, fingerprint FROM source_files"
                )
            }
            http = {
                url: HttpValidators(etag, modified)
                for url, etag, modified in self.db.execute("SELECT url, etag, last_modified FROM http_cache")
            }
        return SourceMemory(fingerprint=fingerprint, files=files, http=http)

    def gone_from_sources(
        self, memory: SourceMemory, complete_sources: Iterable[str], *, present: set[str], protected: set[str]
    ) -> list[str]:
        """Visible articles no longer in their source, for sources read completely this run.

        Gone means: its file disappeared, or its file was read again and no
        longer holds it. A file with a rejected record is left out (the record
        may be the article, only invalid for now); a skipped file still holds
        everything it held.
        """
        gone: list[str] = []
        read_files = memory.seen_files - memory.unchanged_files
        with wrap_sqlite_errors(self.path):
            for source in complete_sources:
                for aid, path in self.db.execute(
                    "SELECT id, source_file FROM articles"
                    " WHERE source_name = ? AND retracted = 0 ORDER BY id",
                    (source,),
                ):
                    where = (source, path)
                    if f"{source}/{path}" in protected:
                        continue
                    if where not in memory.seen_files or (where in read_files and aid not in present):
                        gone.append(aid)
        return gone

    # -- writes ----------------------------------------------------------

    def _apply_memory(self, memory: SourceMemory, complete_sources: list[str]) -> None:
        """What sources learnt; files that disappeared from complete sources are forgotten."""
        self.db.executemany(
            "INSERT INTO source_files (source, path, size, mtime_ns, sha256, fingerprint)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (source, path) DO UPDATE SET size = excluded.size,"
            " mtime_ns = excluded.mtime_ns, sha256 = excluded.sha256, fingerprint = excluded.fingerprint",
            [
                (src, path, st.size, st.mtime_ns, st.sha256, st.fingerprint)
                for (src, path), st in sorted(memory.file_updates.items())
            ],
        )
        self.db.executemany(
            "DELETE FROM source_files WHERE source = ? AND path = ?", sorted(memory.forgotten_files)
        )
        for source in complete_sources:
            known = [p for (src, p) in memory.files if src == source]
            self.db.executemany(
                "DELETE FROM source_files WHERE source = ? AND path = ?",
                [(source, p) for p in known if (source, p) not in memory.seen_files],
            )
        self.db.executemany(
            "INSERT INTO http_cache (url, etag, last_modified) VALUES (?, ?, ?)"
            " ON CONFLICT (url) DO UPDATE SET etag = excluded.etag, last_modified = excluded.last_modified",
            [(url, v.etag, v.last_modified) for url, v in sorted(memory.http_updates.items())],
        )

    def begin_run(self, now: datetime) -> int:
        with self.transaction():
            cur = self.db.execute("INSERT INTO runs (started) VALUES (?)", (rfc3339(now),))
        return int(cur.lastrowid or 0)

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
                    self._save(d.article, d.content_hash, now, retracted=d.action is Action.RETRACTED)
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

    def _save(self, article: Article, digest: str, now: datetime, *, retracted: bool) -> None:
        assert article.published is not None
        data = json.dumps(article_to_json(article), ensure_ascii=False, sort_keys=True)
        published_utc = article.published.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        self.db.execute(
            "INSERT INTO articles (id, url, source_ref, content_hash, first_seen, published,"
            " published_utc, updated, retracted, data, source_name, source_file)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
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
                *source_location(article.source.ref),
            ),
        )
        self.db.execute(
            "UPDATE articles SET archive_seq = (SELECT coalesce(max(archive_seq), -1) + 1 FROM articles)"
            " WHERE id = ? AND archive_seq IS NULL",
            (article.id,),
        )
        self.db.execute(
            "INSERT OR IGNORE INTO archive_dirty (seq) SELECT archive_seq FROM articles WHERE id = ?",
            (article.id,),
        )
        self.db.execute("DELETE FROM article_categories WHERE article_id = ?", (article.id,))
        self.db.executemany(
            "INSERT INTO article_categories (article_id, term) VALUES (?, ?)",
            [(article.id, c.term) for c in article.categories],
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

    def _mark_archive_dirty(self, article_id: str) -> None:
        self.db.execute(
            "INSERT OR IGNORE INTO archive_dirty (seq) SELECT archive_seq FROM articles WHERE id = ?",
            (article_id,),
        )

    def _retract(self, article_id: str, run_id: int, why: str, *, flag: int = 1) -> bool:
        cur = self.db.execute(
            "UPDATE articles SET retracted = ? WHERE id = ? AND retracted = 0", (flag, article_id)
        )
        if cur.rowcount:
            self.db.execute(
                "INSERT OR IGNORE INTO archive_dirty (seq) SELECT archive_seq FROM articles WHERE id = ?",
                (article_id,),
            )
            self.db.execute(
                "INSERT INTO run_events (run_id, action, article_id, ref, detail)"
                " VALUES (?, 'retracted', ?, '', ?)",
                (run_id, article_id, why),
            )
        return bool(cur.rowcount)

    def record_rejections(self, run_id: int, rejections: Sequence[tuple[str, str]]) -> None:
        with self.transaction():
            self.db.executemany(
                "INSERT INTO run_events (run_id, action, ref, detail) VALUES (?, 'rejected', ?, ?)",
                [(run_id, ref, reason) for ref, reason in rejections],
            )

    def record_pings(self, run_id: int, pings: Sequence[tuple[str, str, bool, str]]) -> None:
        """WebSub outcomes, in the history beside the run that caused them."""
        with self.transaction():
            self.db.executemany(
                "INSERT INTO run_events (run_id, action, ref, detail) VALUES (?, ?, ?, ?)",
                [(run_id, "ping" if ok else "ping-failed", topic, line) for _, topic, ok, line in pings],
            )

    def finish_run(self, run_id: int, *, now: datetime, outcome: str, report: dict[str, Any]) -> None:
        with self.transaction():
            self.db.execute(
                "UPDATE runs SET finished = ?, outcome = ?, report = ? WHERE id = ?",
                (rfc3339(now), outcome, json.dumps(report, sort_keys=True), run_id),
            )

    def history(self, limit: int) -> list[tuple[int, str, str | None, list[tuple[str, str, str, str]]]]:
        """The last `limit` runs, newest first, each with its events."""
        with wrap_sqlite_errors(self.path):
            runs = self.db.execute(
                "SELECT id, started, outcome FROM runs ORDER BY id DESC LIMIT ?", (limit,)
            ).fetchall()
            return [
                (
                    rid,
                    started,
                    outcome,
                    [
                        (a, aid or "", ref, detail)
                        for a, aid, ref, detail in self.db.execute(
                            "SELECT action, article_id, ref, detail FROM run_events"
                            " WHERE run_id = ? ORDER BY rowid",
                            (rid,),
                        )
                    ],
                )
                for rid, started, outcome in runs
            ]
