"""What the main and category feeds read: the newest visible articles in the
feeds' total order, the categories that have any, and the lookups the related
links need.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from syndicator.model import Article
from syndicator.store._base import Connected
from syndicator.store._sqlite import stored_article


@dataclass(frozen=True)
class FeedSlice:
    articles: tuple[Article, ...]


class Category(NamedTuple):
    """A category feed's term, the label it is shown under and its scheme (a row; unpacks as one)."""

    term: str
    label: str
    scheme: str | None


class FeedsMixin(Connected):
    def newest(self, limit: int, *, category: str | None = None) -> FeedSlice:
        """The newest visible articles, in the feeds' total order (date, then id)."""
        with self.errors():
            if category is None:
                rows = self.db.execute(
                    "SELECT id, data FROM articles WHERE retracted = 0"
                    " ORDER BY published_utc DESC, id LIMIT ?",
                    (limit,),
                ).fetchall()
            else:
                # Pick the ids from the indexes first, then read only those rows.
                rows = self.db.execute(
                    "SELECT id, data FROM articles WHERE id IN ("
                    " SELECT a.id FROM article_categories c JOIN articles a ON a.id = c.article_id"
                    " WHERE c.term = ? AND a.retracted = 0 ORDER BY a.published_utc DESC, a.id LIMIT ?)"
                    " ORDER BY published_utc DESC, id",
                    (category, limit),
                ).fetchall()
        return FeedSlice(tuple(stored_article(self.label, aid, data) for aid, data in rows))

    def languages(self) -> list[str]:
        """The languages visible articles say they are in, sorted; "und" and none left out.

        A skip through the language index, one step per language (a DISTINCT read
        every visible article's entry: a cost that grew with the archive)."""
        with self.errors():
            rows = self.db.execute(
                "WITH RECURSIVE spoken (language) AS ("
                " SELECT (SELECT min(a.language) FROM articles a WHERE a.retracted = 0 AND a.language > '')"
                " UNION ALL SELECT (SELECT min(a.language) FROM articles a"
                "  WHERE a.retracted = 0 AND a.language > spoken.language)"
                " FROM spoken WHERE spoken.language IS NOT NULL)"
                " SELECT language FROM spoken WHERE language IS NOT NULL AND language != 'und'"
                " ORDER BY language"
            ).fetchall()
        return [str(row[0]) for row in rows]

    def newest_in_language(self, limit: int, language: str) -> tuple[Article, ...]:
        """The newest visible articles in one language, in the feeds' total order."""
        with self.errors():
            rows = self.db.execute(
                "SELECT id, data FROM articles WHERE retracted = 0 AND language = ?"
                " ORDER BY published_utc DESC, id LIMIT ?",
                (language, limit),
            ).fetchall()
        return tuple(stored_article(self.label, aid, data) for aid, data in rows)

    def newest_by_tag(self, limit: int) -> dict[str, tuple[Article, ...]]:
        """Every tag of a visible article → its newest `limit` articles (feeds' order), by tag."""
        return self._newest_by(self.dialect.tag_rows, limit)

    def newest_by_author(self, limit: int) -> dict[str, tuple[Article, ...]]:
        """Every author name of a visible article → their newest `limit` articles, by name."""
        return self._newest_by(self.dialect.author_rows, limit)

    def _newest_by(self, named_rows: str, limit: int) -> dict[str, tuple[Article, ...]]:
        """One pass over the articles for every name at once (a query per name read
        every article's JSON again: 27 s for 339 names over 2,000 articles)."""
        grouped: dict[str, list[Article]] = {}
        with self.errors():
            rows = self.db.execute(
                # `named_rows` is the dialect's fixed text; `limit` is a parameter.
                "SELECT name, id, data FROM (SELECT n.name AS name, n.id AS id, n.data AS data,"
                " row_number() OVER (PARTITION BY n.name ORDER BY n.published_utc DESC, n.id) AS rank"
                f" FROM {named_rows} n WHERE n.retracted = 0) AS ranked"
                " WHERE rank <= ? AND name IS NOT NULL AND name != '' ORDER BY name, rank",
                (limit,),
            )
            for key, aid, data in rows:
                grouped.setdefault(str(key), []).append(stored_article(self.label, aid, data))
        return {key: tuple(articles) for key, articles in grouped.items()}

    def urls_by_title(self, titles: Iterable[str]) -> dict[str, str]:
        """title → URL of the visible article with exactly that title (the newest, if several)."""
        found: dict[str, str] = {}
        with self.errors():
            for title in sorted(set(titles)):
                row = self.db.execute(
                    "SELECT url FROM articles WHERE title = ? AND retracted = 0"
                    " ORDER BY published_utc DESC, id LIMIT 1",
                    (title,),
                ).fetchone()
                if row:
                    found[title] = row[0]
        return found

    def visible_count(self, category: str | None = None) -> int:
        """How many articles the feeds show, or a category's feed shows (a count over
        them all: for reports, never on the way to a feed)."""
        with self.errors():
            if category is None:
                return int(self.db.execute("SELECT count(*) FROM articles WHERE retracted = 0").fetchone()[0])
            row = self.db.execute(
                "SELECT count(*) FROM article_categories c JOIN articles a ON a.id = c.article_id"
                " WHERE c.term = ? AND a.retracted = 0",
                (category,),
            ).fetchone()
        return int(row[0])

    def category_terms(self) -> list[str]:
        """Every term an article was ever filed under (from the index alone: cheap)."""
        with self.errors():
            return [
                r[0] for r in self.db.execute("SELECT DISTINCT term FROM article_categories ORDER BY term")
            ]

    def emptied_categories(self) -> list[Category]:
        """Categories that once had articles and now have none visible, by term."""
        with self.errors():
            rows = self.db.execute(self.dialect.emptied_categories).fetchall()
        return [Category(term, label or term, scheme) for term, label, scheme in rows]

    def categories(self) -> list[Category]:
        """Every category with a visible article, by term, labelled as its newest article labels it."""
        with self.errors():
            rows = self.db.execute(self.dialect.categories).fetchall()
        return [Category(term, label or term, scheme) for term, label, scheme in rows]
