"""Values every renderer writes the same way: clean text, dates, plain text.

Kept in one place so that RSS, Atom and JSON Feed agree byte for byte on what
a title or a date is, and so that no renderer depends on the process locale,
the ``TZ`` variable or the clock.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from lxml import etree

from syndicator.model import Article

# XML 1.0 §2.2: Char ::= #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD]
# | [#x10000-#x10FFFF]. Anything else (C0 controls, lone surrogates, U+FFFE,
# U+FFFF) cannot be written at all, escaped or not, so it is dropped. The
# characters §2.2 discourages go too: C1 controls (U+007F-U+009F), which
# readers such as feedparser turn into cp1252 punctuation, and the
# noncharacters U+FDD0-U+FDEF.
_NOT_XML_CHAR = re.compile("[^\t\n\r\x20-\x7e\xa0-\ud7ff\ue000-\ufdcf\ufdf0-\ufffd\U00010000-\U0010ffff]")

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

# Elements after which a reader expects a line break in plain text.
_BLOCKS = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "dd",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "footer",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "tr",
        "ul",
    }
)
_BLOCK_MARK = "\ue000"
_LINE_MARK = "\ue001"
_MARKS = re.compile("[\ue000\ue001]")
_HTML_PARSER = etree.HTMLParser(no_network=True, remove_comments=True)
_SPACE_RUN = re.compile(r"  +")
_LINE_EDGES = re.compile(r" ?\n ?")
_BLANK_LINES = re.compile(r"\n{3,}")


def clean(text: str) -> str:
    """Drop the characters XML 1.0 cannot carry.

    lxml raises on them when feedgen sets an element's text, which would
    fail a whole feed for one stray control character in one record.
    """
    return _NOT_XML_CHAR.sub("", text)


def optional(text: str | None) -> str | None:
    """`clean` for optional values; empty after cleaning counts as absent."""
    if text is None:
        return None
    return clean(text) or None


def instant(value: datetime) -> datetime:
    """The datetime as every feed writes it: aware, offset in whole minutes.

    RFC 3339 §5.6 and RFC 822 §5 only know offsets in whole minutes; a
    historical zone offset such as +00:09:21 is moved to UTC instead.
    Fractions of a second are kept (RFC 3339 time-secfrac): two entries a
    moment apart should not share one `updated` value.
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
    """RFC 822 §5 date with a four-digit year, as RSS 2.0 asks.

    Day and month names are written from tables, never from strftime, whose
    %a and %b follow LC_TIME (feedgen switches the process-wide locale to
    work around that, which is not safe in a threaded daemon).
    """
    moment = instant(value)
    offset = moment.utcoffset()
    assert offset is not None  # instant() guarantees an aware value
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    hours, minutes = divmod(abs(minutes), 60)
    return (
        f"{_DAYS[moment.weekday()]}, {moment.day:02d} {_MONTHS[moment.month - 1]} "
        f"{moment.year:04d} {moment.hour:02d}:{moment.minute:02d}:{moment.second:02d} "
        f"{sign}{hours:02d}{minutes:02d}"
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
    """The cleaned title, which every format requires to be non-empty."""
    text = clean(article.title).strip()
    if not text:
        raise ValueError(f"article {article.id} has an empty title")
    return text


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment, with paragraph breaks kept.

    JSON Feed 1.1 lets a reader pick `content_text`; a bare text_content()
    would run paragraphs together (`end.Next`). Block elements and <br> get
    private-use marks (lxml finds them in C, so Python touches only those
    elements), source whitespace collapses as HTML collapses it, and the
    marks then become blank lines and line breaks.
    """
    fragment = _MARKS.sub("", clean(fragment))
    if not fragment.strip():
        return ""
    try:
        root = etree.fromstring(f"<div>{fragment}</div>", _HTML_PARSER)
    except etree.XMLSyntaxError:
        return ""
    if root is None:
        return ""
    for element in root.iter("script", "style"):
        element.text = None
        for child in list(element):
            element.remove(child)
    for element in root.iter(*_BLOCKS):
        element.text = _BLOCK_MARK + (element.text or "")
        element.tail = _BLOCK_MARK + (element.tail or "")
    for element in root.iter("br"):
        element.tail = _LINE_MARK + (element.tail or "")
    text = etree.tostring(root, method="text", encoding="unicode")
    for space in "\n\r\t\f\v\xa0":
        text = text.replace(space, " ")
    text = _SPACE_RUN.sub(" ", text)
    text = text.replace(_BLOCK_MARK, "\n\n").replace(_LINE_MARK, "\n")
    text = _LINE_EDGES.sub("\n", text)
    return _BLANK_LINES.sub("\n\n", text).strip()
