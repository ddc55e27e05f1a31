"""Values every renderer writes the same way: clean text, dates, plain text.

Kept in one place so that RSS, Atom and JSON Feed agree byte for byte on what
a title or a date is, and so that no renderer depends on the process locale,
the ``TZ`` variable or the clock.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar
from urllib.parse import quote, urlsplit

from syndicator.model import Article
from syndicator.plaintext import clean, html_to_text, plain_text

V = TypeVar("V")

__all__ = [
    "Prepared",
    "atom_id",
    "clean",
    "html_to_text",
    "instant",
    "modified",
    "optional",
    "prepared",
    "published",
    "rfc822",
    "rfc3339",
    "text",
    "title",
]

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = (
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)


def text(value: str) -> str:
    """A plain-text field (summary, category label, author name, alt text) as written.

    Normalization already made it plain text; stored articles from older
    versions may hold markup, and a reader that inserts the field into a page
    as HTML must never find any, so every format passes it through
    plaintext.plain_text once more (a no-op on clean text, which printable
    text without "<" or "&" is: answered here without the call).
    """
    if value.isprintable() and "<" not in value and "&" not in value:
        return value.strip()
    return plain_text(value).strip()


def optional(value: str | None) -> str | None:
    """`text` for optional plain-text values; empty after cleaning counts as absent."""
    if value is None:
        return None
    return text(value) or None


def instant(value: datetime) -> datetime:
    """The datetime as every feed writes it: aware, offset in whole minutes.

    RFC 3339 §5.6 and RFC 822 §5 only know offsets in whole minutes; a
    historical zone offset such as +00:09:21 is moved to UTC instead.
    Dates come to the renderers from the store, which keeps whole seconds
    (`articles.rfc3339`), so feeds carry whole seconds and a date a reader
    has seen reads the same on every run. Two articles of one run never share
    a date by the run's doing: the planner dates undated ones a second apart.
    """
    offset = value.utcoffset()
    if offset is None:
        raise ValueError(f"datetime {value.isoformat()} has no time zone")
    if offset.seconds % 60 or offset.microseconds:
        value = value.astimezone(UTC)
    return value


def rfc3339(value: datetime) -> str:
    """RFC 3339 §5.6 date-time with its offset (Atom §3.3, JSON Feed)."""
    return instant(value).isoformat()


def rfc822(value: datetime) -> str:
    """RFC 822 §5 date in GMT with a four-digit year, as RSS 2.0 asks.

    Always GMT: the W3C validator warns (ProblematicalRFC822Date) about
    numeric offsets such as +0545, and RFC 822 names "GMT" among its zones
    while some readers misread numeric ones. Day and month names are written
    from tables, never from strftime, whose %a and %b follow LC_TIME
    (feedgen switches the process-wide locale to work around that, which is
    not safe in a threaded daemon).
    """
    moment = instant(value).astimezone(UTC)
    return (
        f"{_DAYS[moment.weekday()]}, {moment.day:02d} {_MONTHS[moment.month - 1]} "
        f"{moment.year:04d} {moment.hour:02d}:{moment.minute:02d}:{moment.second:02d} GMT"
    )


@dataclass(frozen=True)
class Prepared:
    """What more than one format writes of an article, each value as `text`,
    `clean` or `optional` leaves it, worked out once per article (`prepared`).
    What one format alone writes (JSON Feed's content_text) is that format's
    to work out.

    Each tuple follows the article's own (authors, categories, tags, related
    links, enclosures), so a renderer reads both side by side: the raw field
    still decides whether a value is written, as it did, and the value
    written comes from here. None stands for a raw value that was absent.
    """

    id: str  # clean
    url: str  # clean
    title: str  # `title`: plain text, never empty
    summary: str  # text
    body_html: str  # content_html: clean, stripped
    language: str  # clean
    published: str  # rfc3339
    modified: str  # rfc3339
    authors: tuple[tuple[str, str | None, str | None], ...]  # (text name, clean url, clean email)
    categories: tuple[tuple[str, str, str | None], ...]  # (clean term, text label, clean scheme)
    tags: tuple[str, ...]  # text
    related: tuple[tuple[str, str | None], ...]  # (clean url, text title)
    image: tuple[str, str | None, str | None] | None  # (clean url, clean type, text alt)
    enclosures: tuple[tuple[str, str], ...]  # (clean url, clean type)


class PerArticle(Generic[V]):
    """Values the renderers work out of an article, kept while that article object
    lives, for the other formats and the other renders of the same object (a feed
    cut to its byte budget). By identity, not equality: two equal articles may
    spell their dates in other offsets. Nothing of it is part of the article."""

    def __init__(self, make: Callable[[Article], V]) -> None:
        self._make = make
        self._values: dict[int, V] = {}
        KEPT.append(self)

    def __call__(self, article: Article) -> V:
        key = id(article)
        found = self._values.get(key)
        if found is None:
            found = self._values[key] = self._make(article)
            weakref.finalize(article, self._values.pop, key, None)
        return found

    def clear(self) -> None:
        self._values.clear()


KEPT: list[PerArticle[Any]] = []  # every PerArticle, so that a benchmark can measure a first render


def forget() -> None:
    """Drop every kept value (benchmarks that time a first render, repeatedly)."""
    for kept in KEPT:
        kept.clear()


def _prepare(article: Article) -> Prepared:
    first = published(article)
    image = article.image
    return Prepared(
        id=clean(article.id),
        url=clean(article.url),
        title=title(article),
        summary=text(article.summary),
        body_html=clean(article.content_html).strip(),
        language=clean(article.language),
        published=rfc3339(first),
        modified=rfc3339(modified(article)),
        authors=tuple(
            (
                text(a.name),
                clean(a.url) if a.url else None,
                clean(a.email) if a.email else None,
            )
            for a in article.authors
        ),
        categories=tuple(
            (clean(c.term), text(c.label), clean(c.scheme) if c.scheme else None) for c in article.categories
        ),
        tags=tuple(text(tag) for tag in article.tags),
        related=tuple((clean(r.url), text(r.title) if r.title else None) for r in article.related),
        image=None
        if image is None
        else (
            clean(image.url),
            clean(image.type) if image.type else None,
            text(image.alt) if image.alt else None,
        ),
        enclosures=tuple((clean(e.url), clean(e.type)) for e in article.enclosures),
    )


def published(article: Article) -> datetime:
    """The publication date, which the store has supplied by render time."""
    if article.published is None:
        raise ValueError(
            f"article {article.id} has no published date; the store supplies one before rendering"
        )
    return article.published


def modified(article: Article) -> datetime:
    """The last significant change; `updated` None means never changed."""
    return article.updated if article.updated is not None else published(article)


def title(article: Article) -> str:
    """The title as plain text (see `text`), which every format requires to be non-empty."""
    cleaned = text(article.title)
    if not cleaned:
        raise ValueError(f"article {article.id} has an empty title")
    return cleaned


_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")  # RFC 3987: a scheme, then no spaces


def atom_id(article: Article, site_url: str) -> str:
    """RFC 4287 §4.2.6: an Atom id is an IRI. An upstream id that is not one
    (an RSS guid such as `t3_glvkc5`) is kept everywhere else as written and
    wrapped here in a tag: URI (RFC 4151) built from it, the site's host and
    the article's published day only, so it never changes either."""
    if _IRI.match(article.id):
        return article.id
    day = published(article).date().isoformat()
    host = urlsplit(site_url).hostname or "localhost"
    return f"tag:{host},{day}:{quote(article.id, safe='')}"


# The article's `Prepared` values, worked out on the first call and kept for the
# other formats: checking a 6 KB body for XML characters cost more than writing
# it, three times over.
prepared: PerArticle[Prepared] = PerArticle(_prepare)
