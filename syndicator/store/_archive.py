"""Archive pages (RFC 5005 §4): every article gets a sequence number once, when
first saved; page n holds numbers n·size … (n+1)·size − 1, so a page's
membership never changes and only pages touched since the last write (the
"dirty" ones) are rendered again.
"""

from __future__ import annotations

from dataclasses import dataclass

from syndicator.model import Article
from syndicator.store._selections import SelectionsMixin, StoredRows, newest_first
from syndicator.store._sqlite import stored_article


@dataclass(frozen=True)
class RenderMarks:
    """What the store knows of the output, read at once for the output plan."""

    rendered_with: str | None  # the output fingerprint of the last render
    pending: bool  # an article changed since
    feeds: frozenset[str]  # marks of the feeds holding a changed article (output_plan's docstring)
    archive_seqs: frozenset[int]  # sequence numbers of the articles changed since
    category_places: frozenset[tuple[str, int]] = frozenset()  # (term, place) of those in a category


class ArchiveMixin(SelectionsMixin):
    def archive_count(self) -> int:
        """How many sequence numbers have been handed out (archive pages span them)."""
        with self.errors():
            value = self.db.execute("SELECT max(archive_seq) FROM articles").fetchone()[0]
        return 0 if value is None else int(value) + 1

    def archive_page(self, page: int, size: int) -> tuple[Article, ...]:
        """The visible articles of archive page `page`, newest first (date, then id)."""
        return self.archive_page_rows(page, size).articles()

    def archive_page_rows(self, page: int, size: int) -> StoredRows:
        """`archive_page`, not read yet."""
        with self.errors():
            rows = self.db.execute(
                "SELECT id, data FROM articles WHERE archive_seq >= ? AND archive_seq < ? AND retracted = 0",
                (page * size, (page + 1) * size),
            ).fetchall()
        return StoredRows(self.label, tuple((str(aid), str(data)) for aid, data in rows))

    def since_seq(self, first: int) -> tuple[Article, ...]:
        """Visible articles numbered from `first` on: the not-yet-full archive page."""
        with self.errors():
            rows = self.db.execute(
                "SELECT id, data FROM articles WHERE archive_seq >= ? AND retracted = 0", (first,)
            ).fetchall()
        return newest_first(stored_article(self.label, aid, data) for aid, data in rows)

    def dirty_archive_seqs(self) -> list[int]:
        with self.errors():
            return [int(r[0]) for r in self.db.execute("SELECT seq FROM archive_dirty ORDER BY seq")]

    def clear_dirty_archive(self, seqs: list[int]) -> None:
        """After the archive pages holding these articles were written."""
        with self.transaction():
            self.db.executemany("DELETE FROM archive_dirty WHERE seq = ?", [(q,) for q in seqs])

    def render_up_to_date(self, fingerprint: str) -> bool:
        """No article changed since the output was last written with this configuration."""
        with self.errors():
            rows = dict(self.db.execute("SELECT key, value FROM meta"))
        return rows.get("render_pending") == "0" and rows.get("rendered_with") == fingerprint

    def rendered_with(self, fingerprint: str) -> bool:
        """The output on disk was written under this configuration."""
        with self.errors():
            row = self.db.execute("SELECT value FROM meta WHERE key = 'rendered_with'").fetchone()
        return row is not None and row[0] == fingerprint

    def render_marks(self) -> RenderMarks:
        with self.errors():
            meta = dict(
                self.db.execute(
                    "SELECT key, value FROM meta WHERE key IN ('render_pending', 'rendered_with')"
                )
            )
            feeds = frozenset(str(r[0]) for r in self.db.execute("SELECT term FROM feed_dirty"))
            seqs = frozenset(int(r[0]) for r in self.db.execute("SELECT seq FROM archive_dirty"))
            places = frozenset(
                (str(t), int(p)) for t, p in self.db.execute("SELECT term, place FROM category_archive_dirty")
            )
        return RenderMarks(meta.get("rendered_with"), meta.get("render_pending") != "0", feeds, seqs, places)

    def dirty_terms(self) -> set[str] | None:
        """Category terms whose feeds hold a changed article; None: every feed."""
        with self.errors():
            terms = {r[0] for r in self.db.execute("SELECT term FROM feed_dirty")}
        return None if "*" in terms else terms

    def mark_rendered(self, fingerprint: str) -> None:
        with self.transaction():
            self.db.executemany(
                "INSERT INTO meta (key, value) VALUES (?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [("render_pending", "0"), ("rendered_with", fingerprint)],
            )
            self.db.execute("DELETE FROM feed_dirty")

    def _mark_selections_dirty(self, article_ids: list[str]) -> None:
        """The tag, author and language feeds the articles are in as stored now (before
        a change: the feeds they may leave; after: the feeds they join)."""
        self.db.executemany(
            "INSERT INTO feed_dirty (term) SELECT mark FROM ("
            # `tag:<name>`, `author:<name>`: the name index holds what the JSON says
            # (empty names left out, which name no feed)
            " SELECT kind || ':' || name AS mark FROM article_names WHERE article_id = ?"
            " UNION SELECT 'language:' || language FROM articles WHERE id = ?"
            ") AS marks WHERE mark IS NOT NULL ON CONFLICT (term) DO NOTHING",
            [(aid, aid) for aid in article_ids],
        )

    def _mark_archive_dirty(self, article_ids: list[str]) -> None:
        """The pages holding these articles, the feeds they are in, and the output
        as a whole, must be written again (inside the transaction that changed them)."""
        self._mark_selections_dirty(article_ids)
        self._mark_category_places(article_ids)
        rows = [(aid,) for aid in article_ids]
        self.db.executemany(
            "INSERT INTO archive_dirty (seq) SELECT archive_seq FROM articles WHERE id = ?"
            " ON CONFLICT (seq) DO NOTHING",
            rows,
        )
        self.db.execute(
            "INSERT INTO meta (key, value) VALUES ('render_pending', '1')"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value"
        )
        self.db.executemany(
            "INSERT INTO feed_dirty (term) SELECT term FROM article_categories WHERE article_id = ?"
            " ON CONFLICT (term) DO NOTHING",
            rows,
        )
