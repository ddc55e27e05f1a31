"""Values every renderer writes the same way: clean text, dates, plain text.

Kept in one place so that RSS, Atom and JSON Feed agree byte for byte on what
a title or a date is, and so that no renderer depends on the process locale,
the ``TZ`` variable or the clock.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from urllib.parse import quote, urlsplit

from syndicator.model import Article
from syndicator.plaintext import clean, html_to_text, plain_text

__all__ = [
    "atom_id",
    "body_html",
    "body_text",
    "clean",
    "html_to_text",
    "instant",
    "modified",
    "optional",
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
    plaintext.plain_text once more (a no-op on clean text).
    """
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


def body_html(article: Article) -> str:
    """content_html as every format writes it: XML characters only, no outer whitespace.

    Worked out once per article (`Article.render_memo`) and reused by the
    other formats: `clean` scans every character of a body, which cost more
    than writing it.
    """
    return _body(article, "content_html", article.content_html)


def body_text(article: Article) -> str:
    """content_text as JSON Feed writes it (see `body_html`); "" when there is none."""
    return _body(article, "content_text", article.content_text)


def _body(article: Article, name: str, value: str) -> str:
    memo = article.render_memo.get(name)
    if memo is None or memo[0] is not value:
        memo = (value, clean(value).strip())
        article.render_memo[name] = memo
    return memo[1]


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
