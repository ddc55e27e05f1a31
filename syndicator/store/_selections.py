"""What keeps a run's output work proportional to what changed, not to the archive:

- tags and authors by name (`article_names`), so one tag's feed is read from
  an index instead of every stored article's JSON;
- category archive places (`category_archive`): an article is numbered in a
  category once, when it joins it, so a category archive page's membership
  never moves (as the main archive's) and a change marks the one page it is on
  (`category_archive_dirty`);
- every feed's index line as last rendered (`feed_listings`), so the index and
  the OPML list every feed without reading any unchanged feed's articles.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from syndicator.model import Article
from syndicator.slugs import category_term
from syndicator.store._base import Connected
from syndicator.store._sqlite import chunks, stored_article

ALL_PLACES = 2**62  # an upper bound both engines read as "no limit"
KINDS = ("tag", "author")


def name_rows(
    article_id: str, tags: Iterable[str], authors: Iterable[str]
) -> list[tuple[str, str, str, str]]:
    """(article id, kind, slug, name) of an article's tags and author names; empty names left out."""
    rows = {("tag", category_term(name), name) for name in tags if name}
    rows |= {("author", category_term(name), name) for name in authors if name}
    return [(article_id, kind, slug, name) for kind, slug, name in sorted(rows)]


def newest_first(articles: Iterable[Article]) -> tuple[Article, ...]:
    """In the feeds' order (date, then id), sorted here: a page's rows are found by
    their archive numbers, and an ORDER BY on the date let the planner walk the
    date index over the whole archive instead (a second a run at 100,000 articles)."""
    return tuple(sorted(articles, key=lambda a: (-a.published.timestamp() if a.published else 0.0, a.id)))


@dataclass(frozen=True)
class StoredRows:
    """Articles as the store holds them (id, JSON), not read yet: an archive page is
    made into a document where it is rendered (a worker process), so that the
    process reading the store does not parse every article of a big render."""

    label: str  # what an error names: the store's file, or its URL without the password
    rows: tuple[tuple[str, str], ...]

    def articles(self) -> tuple[Article, ...]:
        """Newest first (date, then id)."""
        return newest_first(stored_article(self.label, aid, data) for aid, data in self.rows)


class SelectionsMixin(Connected):
    # -- tags and authors ----------------------------------------------------

    def _index_names(self, articles: Iterable[Article]) -> None:
        """An article's rows in `article_names` are replaced as it is saved."""
        latest = list(articles)
        self.db.executemany("DELETE FROM article_names WHERE article_id = ?", [(a.id,) for a in latest])
        rows = [row for a in latest for row in name_rows(a.id, a.tags, (author.name for author in a.authors))]
        self.db.executemany(
            "INSERT INTO article_names (article_id, kind, slug, name) VALUES (?, ?, ?, ?)"
            " ON CONFLICT DO NOTHING",
            rows,
        )

    def _fill_name_index(self) -> None:
        """Once, after the migration that made `article_names`: the names of every
        stored article, read from its JSON (the slug is worked out here, not in SQL)."""
        with self.errors():
            row = self.db.execute("SELECT value FROM meta WHERE key = 'names_indexed'").fetchone()
        if row is None or row[0] != "0":
            return
        with self.transaction():
            ids = [str(r[0]) for r in self.db.execute("SELECT id FROM articles ORDER BY id")]
            for chunk in chunks(ids, 1000):
                marks = ",".join("?" * len(chunk))
                rows = []
                for aid, data in self.db.execute(
                    f"SELECT id, data FROM articles WHERE id IN ({marks})", chunk
                ).fetchall():
                    value = json.loads(data)
                    authors = (a.get("name") or "" for a in value.get("authors") or () if isinstance(a, dict))
                    rows += name_rows(
                        aid, (t for t in value.get("tags") or () if isinstance(t, str)), authors
                    )
                self.db.executemany(
                    "INSERT INTO article_names (article_id, kind, slug, name) VALUES (?, ?, ?, ?)"
                    " ON CONFLICT DO NOTHING",
                    rows,
                )
            self.db.execute("UPDATE meta SET value = '1' WHERE key = 'names_indexed'")

    def newest_named(self, kind: str, slug: str, limit: int) -> tuple[tuple[str, ...], tuple[Article, ...]]:
        """The names of one tag or author feed (`kind` "tag" or "author"; names of one
        slug are one feed), sorted, and its newest `limit` visible articles in the
        feeds' order. No names: the feed has no visible article left."""
        with self.errors():
            names = tuple(
                str(r[0])
                for r in self.db.execute(
                    "SELECT DISTINCT n.name FROM article_names n JOIN articles a ON a.id = n.article_id"
                    " WHERE n.kind = ? AND n.slug = ? AND a.retracted = 0 ORDER BY n.name",
                    (kind, slug),
                )
            )
            rows = self.db.execute(
                "SELECT id, data FROM articles WHERE id IN ("
                " SELECT a.id FROM articles a WHERE a.retracted = 0 AND a.id IN ("
                "  SELECT n.article_id FROM article_names n WHERE n.kind = ? AND n.slug = ?)"
                " ORDER BY a.published_utc DESC, a.id LIMIT ?)"
                " ORDER BY published_utc DESC, id",
                (kind, slug, limit),
            ).fetchall()
        return names, tuple(stored_article(self.label, aid, data) for aid, data in rows)

    # -- category archive places ----------------------------------------------

    def _number_in_categories(self, articles: Iterable[Article]) -> None:
        """Each (article, category) pair not numbered yet takes the category's next place;
        the places of these articles, in every category they were ever in, are marked."""
        latest = list(articles)
        self.db.executemany(
            "INSERT INTO category_archive (term, place, article_id)"
            " SELECT ?, (SELECT coalesce(max(place), -1) + 1 FROM category_archive WHERE term = ?), ?"
            " WHERE NOT EXISTS (SELECT 1 FROM category_archive WHERE article_id = ? AND term = ?)",
            [(c.term, c.term, a.id, a.id, c.term) for a in latest for c in a.categories],
        )
        self._mark_category_places([a.id for a in latest])

    def _mark_category_places(self, article_ids: list[str]) -> None:
        """The category archive places of these articles, in every category they were ever in."""
        self.db.executemany(
            "INSERT INTO category_archive_dirty (term, place)"
            " SELECT term, place FROM category_archive WHERE article_id = ?"
            " ON CONFLICT (term, place) DO NOTHING",
            [(aid,) for aid in article_ids],
        )

    def category_archive_count(self, term: str) -> int:
        """How many places a category has handed out (retracted articles and ones
        that left the category keep theirs: a page's membership never moves)."""
        with self.errors():
            row = self.db.execute(
                "SELECT coalesce(max(place) + 1, 0) FROM category_archive WHERE term = ?", (term,)
            ).fetchone()
        return int(row[0])

    def category_archive_slice(self, term: str, first: int, count: int | None) -> tuple[Article, ...]:
        """The visible articles still in a category at places first.. (first + count),
        newest first: a category archive page, or with `count` None the category's
        not-yet-archived articles."""
        return self.category_archive_rows(term, first, count).articles()

    def category_archive_rows(self, term: str, first: int, count: int | None) -> StoredRows:
        """`category_archive_slice`, not read yet."""
        last = ALL_PLACES if count is None else first + count
        with self.errors():
            rows = self.db.execute(
                "SELECT a.id, a.data FROM category_archive p JOIN articles a ON a.id = p.article_id"
                " WHERE p.term = ? AND p.place >= ? AND p.place < ? AND a.retracted = 0"
                " AND EXISTS (SELECT 1 FROM article_categories c"
                "  WHERE c.term = p.term AND c.article_id = p.article_id)",
                (term, first, last),
            ).fetchall()
        return StoredRows(self.label, tuple((str(aid), str(data)) for aid, data in rows))

    def clear_category_places(self, places: Iterable[tuple[str, int]]) -> None:
        """After the category archive pages holding these places were written."""
        with self.transaction():
            self.db.executemany(
                "DELETE FROM category_archive_dirty WHERE term = ? AND place = ?", sorted(places)
            )

    def category(self, term: str) -> tuple[str, str | None, bool] | None:
        """(label, scheme, visible) of one category, labelled as its newest visible
        article labels it (its newest article when none is visible); None when no
        article is filed under it."""
        with self.errors():
            row = self.db.execute(
                "SELECT c.label, c.scheme, a.retracted FROM article_categories c"
                " JOIN articles a ON a.id = c.article_id WHERE c.term = ?"
                " ORDER BY CASE WHEN a.retracted = 0 THEN 0 ELSE 1 END, a.published_utc DESC, a.id LIMIT 1",
                (term,),
            ).fetchone()
        if row is None:
            return None
        label, scheme, retracted = row
        return (label or term, scheme, not retracted)

    # -- the index's lines ------------------------------------------------------

    def feed_listings(self) -> dict[str, str]:
        """Every feed's index line as last rendered, key → JSON (model.FeedListing)."""
        with self.errors():
            return {str(k): str(v) for k, v in self.db.execute("SELECT key, data FROM feed_listings")}

    def save_feed_listings(
        self, listings: Mapping[str, str], *, removed: Iterable[str] = (), every: bool = False
    ) -> None:
        """The lines of the feeds a render wrote; `every`: these are all the feeds there are."""
        with self.transaction():
            if every:
                self.db.execute("DELETE FROM feed_listings")
            else:
                self.db.executemany(
                    "DELETE FROM feed_listings WHERE key = ?", [(k,) for k in sorted(removed)]
                )
            self.db.executemany(
                "INSERT INTO feed_listings (key, data) VALUES (?, ?)"
                " ON CONFLICT (key) DO UPDATE SET data = excluded.data",
                sorted(listings.items()),
            )
