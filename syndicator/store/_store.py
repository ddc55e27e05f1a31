"""The store's behaviour, written once over `Connected`: reads and writes of
the state, SQL both engines run alike. `SQLiteStore` and `PostgresStore` add
only how they connect, migrate and translate errors.

Timestamps are passed in, never read from the clock here. Writes go in one
transaction per call, so a process killed mid-run leaves the previous state.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterable
from datetime import UTC, datetime
from types import TracebackType

from syndicator.articles import article_text, rfc3339
from syndicator.model import Article
from syndicator.normalize.ids import SHARED_KEY_PREFIXES
from syndicator.plan import Action, Decision, Plan, StoredArticle
from syndicator.sources.memory import MemoryUpdate
from syndicator.store._archive import ArchiveMixin
from syndicator.store._backfill import BackfillMixin
from syndicator.store._base import RETRACTED_BY_HAND, RETRACTED_BY_SOURCE
from syndicator.store._feeds import FeedsMixin
from syndicator.store._history import HistoryMixin
from syndicator.store._sources import SourcesMixin
from syndicator.store._sqlite import chunks, source_location, stored_article, stored_time


class StoreBase(FeedsMixin, ArchiveMixin, SourcesMixin, HistoryMixin, BackfillMixin):
    """Articles, plans and retractions are here; what the feeds read
    (`_feeds`), archive pages (`_archive`), the indexes that keep a run's output
    work to what changed (`_selections`), source memory (`_sources`), the
    run history (`_history`) and backfills in parts (`_backfill`) are
    mixins, each over the same connection and transactions (`_base.Connected`)."""

    @abstractmethod
    def close(self) -> None:
        """Close the connection (each engine its own way)."""

    def after_copy(self) -> None:
        """After rows were copied in with their ids: the next run and event number follow on."""

    def __enter__(self) -> StoreBase:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    # -- reads -----------------------------------------------------------

    def known(self, keys: Iterable[str]) -> dict[str, StoredArticle]:
        """The stored article behind each of these identity keys, where there is one
        (for a loose key that names several, the first archived)."""
        return {key: found[0] for key, found in self.identities(keys).items()}

    def identities(self, keys: Iterable[str]) -> dict[str, tuple[StoredArticle, ...]]:
        """Every stored article behind each of these identity keys, first archived first:
        one for an id, URL or file; a list record's title may name several."""
        wanted = sorted(set(keys))
        found: dict[str, list[StoredArticle]] = {}
        with self.errors():
            for chunk in chunks(wanted, 500):
                marks = ",".join("?" * len(chunk))
                rows = self.db.execute(
                    f"SELECT k.key, a.id, a.published, a.updated, a.first_seen, a.content_hash,"
                    f" a.retracted, a.source_ref, a.url, a.source_name"
                    f" FROM identity_keys k JOIN articles a ON a.id = k.article_id"
                    f" WHERE k.key IN ({marks}) ORDER BY k.key, a.archive_seq, a.id",
                    chunk,
                )
                for key, aid, pub, upd, first, digest, retracted, ref, url, source_name in rows:
                    found.setdefault(key, []).append(
                        StoredArticle(
                            id=aid,
                            published=stored_time(self.label, "articles", f"id={aid!r}", "published", pub),
                            updated=stored_time(self.label, "articles", f"id={aid!r}", "updated", upd)
                            if upd
                            else None,
                            first_seen=stored_time(
                                self.label, "articles", f"id={aid!r}", "first_seen", first
                            ),
                            content_hash=digest,
                            retracted=bool(retracted),
                            retracted_by_hand=bool(retracted & RETRACTED_BY_HAND),
                            withheld_by_source=retracted == RETRACTED_BY_HAND | RETRACTED_BY_SOURCE,
                            source_ref=ref,
                            url=url,
                            source_name=source_name,
                        )
                    )
        return {key: tuple(articles) for key, articles in found.items()}

    def ids_in_use(self, ids: Iterable[str]) -> frozenset[str]:
        """Which of these ids a stored article has (a new article may not take one)."""
        found: set[str] = set()
        with self.errors():
            for chunk in chunks(sorted(set(ids)), 500):
                marks = ",".join("?" * len(chunk))
                found.update(
                    r[0] for r in self.db.execute(f"SELECT id FROM articles WHERE id IN ({marks})", chunk)
                )
        return frozenset(found)

    def article(self, article_id: str) -> tuple[Article, bool] | None:
        with self.errors():
            row = self.db.execute(
                "SELECT data, retracted FROM articles WHERE id = ?", (article_id,)
            ).fetchone()
        return (stored_article(self.label, article_id, row[0]), bool(row[1])) if row else None

    # -- writes ----------------------------------------------------------

    def apply(self, plan: Plan, *, run_id: int, now: datetime) -> None:
        """Write one chunk's article plan in one transaction.

        All of it or none of it: a run killed before the commit leaves the store
        as the previous run left it, and the next run reads the same files again.
        """
        with self.transaction():
            self._apply_decisions(plan, run_id, now)

    def apply_run_end(
        self,
        *,
        run_id: int,
        now: datetime,
        memory: MemoryUpdate,
        retract: Iterable[str] = (),
        withheld: Iterable[str] = (),
    ) -> None:
        """Write the run-end plan in one transaction: what the sources' memory becomes
        and which articles are gone from their sources (decided by `run_end`)."""
        with self.transaction():
            self._apply_memory(memory)
            for article_id in retract:
                self._retract(article_id, run_id, "removed from its source")
            self.db.executemany(  # out of the feeds already: no event, nothing to render
                "UPDATE articles SET retracted = ? WHERE id = ? AND retracted = ?",
                [(RETRACTED_BY_HAND | RETRACTED_BY_SOURCE, aid, RETRACTED_BY_HAND) for aid in withheld],
            )

    def _apply_decisions(self, plan: Plan, run_id: int, now: datetime) -> None:
        """The plan's rows, one statement per kind of row for the whole chunk (`executemany`):
        no round trip per article. Each statement keeps the plan's order, so archive
        numbers, identity keys and events come out as one article at a time would give them."""
        saved = [d for d in plan.decisions if d.action in (Action.ADDED, Action.CHANGED, Action.RETRACTED)]
        if saved:
            # The tag, author and language feeds they may leave, as stored before this save.
            self._mark_selections_dirty([d.article.id for d in saved])
            self.db.executemany(
                "INSERT INTO articles (id, url, source_ref, content_hash, first_seen, published,"
                " published_utc, updated, retracted, data, title, language, source_name, source_file,"
                " archive_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
                # A new article takes the next archive slot as it is inserted; an
                # update keeps its slot (the row, with its content, is written once).
                " (SELECT coalesce(max(archive_seq), -1) + 1 FROM articles))"
                " ON CONFLICT (id) DO UPDATE SET url = excluded.url, source_ref = excluded.source_ref,"
                " source_name = excluded.source_name, source_file = excluded.source_file,"
                " content_hash = excluded.content_hash, updated = excluded.updated,"
                " retracted = excluded.retracted, data = excluded.data, title = excluded.title,"
                " language = excluded.language",
                [_article_row(d, now) for d in saved],
            )
            latest = {d.article.id: d.article for d in saved}  # one save per article in a plan
            self._index_names(latest.values())  # before the marks, which read the names it holds
            # The pages and feeds it is in (its categories before this save) must be written again.
            self._mark_archive_dirty([d.article.id for d in saved])
            self.db.executemany(
                "DELETE FROM article_categories WHERE article_id = ?", [(aid,) for aid in latest]
            )
            self.db.executemany(
                "INSERT INTO article_categories (article_id, term, label, scheme) VALUES (?, ?, ?, ?)",
                [(a.id, c.term, c.label, c.scheme) for a in latest.values() for c in a.categories],
            )
            self._number_in_categories(latest.values())
            self.db.executemany(  # the feeds it joins (the ones it leaves were marked above)
                "INSERT INTO feed_dirty (term) VALUES (?) ON CONFLICT (term) DO NOTHING",
                [(term,) for term in dict.fromkeys(c.term for a in latest.values() for c in a.categories)],
            )
        moved = [d.article for d in plan.decisions if d.action is Action.UNCHANGED]
        if moved:
            # The same article, perhaps from another file now (a rename).
            self.db.executemany(
                "UPDATE articles SET source_ref = ?, source_name = ?, source_file = ?"
                " WHERE id = ? AND source_ref != ?",
                [
                    (a.source.ref, *source_location(a.source.ref, (a.source.name,)), a.id, a.source.ref)
                    for a in moved
                ],
            )
        keys = [(k, d.article.id) for d in plan.decisions if d.action is not Action.HELD for k in d.keys]
        if keys:
            # An id, URL or file names one article: the first remembered for it keeps it. A
            # list record's title or text names each article it was remembered for.
            single = [(k, aid, k) for k, aid in keys if not k.startswith(SHARED_KEY_PREFIXES)]
            self.db.executemany(
                "INSERT INTO identity_keys (key, article_id) SELECT ?, ?"
                " WHERE NOT EXISTS (SELECT 1 FROM identity_keys WHERE key = ?)",
                single,
            )
            self.db.executemany(
                "INSERT INTO identity_keys (key, article_id) VALUES (?, ?)"
                " ON CONFLICT (key, article_id) DO NOTHING",
                [(k, aid) for k, aid in keys if k.startswith(SHARED_KEY_PREFIXES)],
            )
        events = [
            (
                run_id,
                d.action.value,
                d.article.id,
                d.article.source.ref,
                d.detail or ("updated moved" if d.updated_moved else ""),
            )
            for d in plan.decisions
            if d.action is not Action.UNCHANGED
        ]
        if events:
            self.db.executemany(
                "INSERT INTO run_events (run_id, action, article_id, ref, detail) VALUES (?, ?, ?, ?, ?)",
                events,
            )

    def retract(self, article_id: str, *, run_id: int, undo: bool = False) -> bool:
        """By hand: the article stays out of the feeds, whatever its source says, until undone.

        The undo takes back the retraction by hand only: an article its source
        meanwhile made a draft, or removed, stays out (`retracted_by_source` tells).
        """
        with self.transaction():
            if not undo:
                return self._retract(article_id, run_id, "by hand", flag=RETRACTED_BY_HAND)
            restored = self.db.execute(
                "UPDATE articles SET retracted = retracted - ? WHERE id = ? AND retracted IN (?, ?)"
                " RETURNING retracted",
                (RETRACTED_BY_HAND, article_id, RETRACTED_BY_HAND, RETRACTED_BY_HAND | RETRACTED_BY_SOURCE),
            ).fetchall()
            if restored:
                self._mark_archive_dirty([article_id])
                still_out = restored[0][0] == RETRACTED_BY_SOURCE
                self.db.execute(
                    "INSERT INTO run_events (run_id, action, article_id, ref, detail)"
                    " VALUES (?, 'restored', ?, '', ?)",
                    (
                        run_id,
                        article_id,
                        "by hand; its source does not publish it" if still_out else "by hand",
                    ),
                )
            return bool(restored)

    def retracted_by_source(self, article_id: str) -> bool:
        """Whether the article is out of the feeds by its source's word (a draft, or gone from it)."""
        with self.errors():
            row = self.db.execute("SELECT retracted FROM articles WHERE id = ?", (article_id,)).fetchone()
        return row is not None and row[0] == RETRACTED_BY_SOURCE

    def _retract(self, article_id: str, run_id: int, why: str, *, flag: int = 1) -> bool:
        # RETURNING, not rowcount: a PostgreSQL pipeline knows the count only once it syncs.
        retracted = self.db.execute(
            "UPDATE articles SET retracted = ? WHERE id = ? AND retracted = 0 RETURNING id",
            (flag, article_id),
        ).fetchall()
        if retracted:
            self._mark_archive_dirty([article_id])
            self.db.execute(
                "INSERT INTO run_events (run_id, action, article_id, ref, detail)"
                " VALUES (?, 'retracted', ?, '', ?)",
                (run_id, article_id, why),
            )
        return bool(retracted)


def _article_row(d: Decision, now: datetime) -> tuple[object, ...]:
    """The `articles` row of a saved decision (its archive number is the database's to give)."""
    article = d.article
    assert article.published is not None
    if d.keep_retracted:
        retracted = RETRACTED_BY_HAND | (RETRACTED_BY_SOURCE if d.draft else 0)
    else:
        retracted = RETRACTED_BY_SOURCE if d.action is Action.RETRACTED else 0
    return (
        article.id,
        article.url,
        article.source.ref,
        d.content_hash,
        rfc3339(now),
        rfc3339(article.published),
        article.published.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        rfc3339(article.updated) if article.updated else None,
        retracted,
        article_text(article),
        article.title,  # as the JSON says it, for the indexes (which no longer parse the JSON)
        article.language,
        *source_location(article.source.ref, (article.source.name,)),
    )
