"""An upstream feed (RSS 2.0, Atom 1.0, JSON Feed 1.x) to be merged and re-published.

RSS and Atom are read by feedparser, fed the bytes our fetcher got (so the
fetch stays polite and conditional); JSON Feed by the small reader below, as
feedparser's releases do not read it. Each entry becomes a RawRecord(kind=
"json") in the field names normalize.json_record knows, keeping the entry's
own id (RSS guid, Atom id, JSON Feed id) as the source id, so an upstream
article keeps its identity, and its categories and related links.
"""

from __future__ import annotations

import calendar
import io
import logging
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from xml.sax import SAXParseException

import feedparser
from lxml import etree

from syndicator.config import SourceConfig
from syndicator.errors import SourceError
from syndicator.model import RawRecord, Rejection
from syndicator.redact import public_url
from syndicator.sources import _json
from syndicator.sources.context import ReadContext
from syndicator.sources.http import (
    FetchError,
    HttpOptions,
    Response,
    check_http,
    check_url,
    remember,
)
from syndicator.sources.jsonfeed import AS_READ, UNREADABLE, json_feed_entries, read_entry
from syndicator.sources.limits import whole_number
from syndicator.sources.memory import SourceNews

logger = logging.getLogger(__name__)

ACCEPT = (
    "application/atom+xml, application/rss+xml, application/feed+json, application/json;q=0.9,"
    " application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1"
)
_KEYS = ("url", "max_items")
MAX_ITEMS = 1000  # entries read from one feed document; the newest are kept
# What a server may call a feed; anything else (an HTML page, an image) is not one.
_FEED_TYPES = (
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
    "application/xml",
    "text/xml",
    "application/feed+json",
    "application/json",
    "text/plain",
    "application/octet-stream",
    "",
)


@dataclass(frozen=True)
class FeedOptions:
    url: str
    http: HttpOptions
    max_items: int = MAX_ITEMS


def check(source: SourceConfig) -> FeedOptions:
    http = check_http(source, _KEYS, "feed")
    return FeedOptions(
        url=check_url(source, source.options.get("url")),
        http=http,
        max_items=whole_number(source, "max_items", MAX_ITEMS),
    )


def read(
    source: SourceConfig, options: FeedOptions, context: ReadContext | None = None
) -> Iterator[RawRecord | Rejection | SourceNews]:
    context = context or ReadContext()
    try:
        response = context.fetcher.get(options.url, options.http, accept=ACCEPT, memory=context.memory)
    except FetchError as e:
        raise SourceError(source.name, e.url, e.reason) from e
    if response is None:
        return  # 304: the feed has not changed since the last run
    yield from records_from(source.name, options.url, response, options.max_items)
    yield from remember(context.memory, options.url, response)


def records_from(
    source: str, ref: str, response: Response, max_items: int = MAX_ITEMS
) -> Iterator[RawRecord | Rejection]:
    """The entries of a fetched feed; a document that is not a feed is a SourceError."""
    kind = response.content_type
    if kind not in _FEED_TYPES and not kind.endswith(("+xml", "+json")):
        raise SourceError(source, response.url, f"expected a feed, got {kind}")
    positions: list[int] | None = None  # each parsed entry's place in the document, when trimmed
    if kind.endswith("json") or response.body.lstrip()[:1] == b"{":
        entries = json_feed_entries(source, response)
        total = len(entries)
    else:
        trimmed = trimmed_xml(response, max_items)
        if trimmed is not None:
            document, positions, total = trimmed
            entries = xml_feed_entries(source, document)
        else:
            entries = xml_feed_entries(source, response)
            total = len(entries)
    kept = newest(entries, max_items)
    if total > max_items:
        logger.warning(
            "source=%s url=%s: the feed has %d entries, over max_items = %d: the %d newest are read"
            " (raise max_items to read them all)",
            source,
            public_url(response.url),
            total,
            max_items,
            max_items,
        )
    for n, payload in enumerate(entries):
        i = positions[n] if positions is not None and len(positions) == len(entries) else n
        if UNREADABLE in payload:  # told whatever its date, which could not be read either
            where = f"{ref}#{payload.get('id') or i}"
            yield Rejection(
                source,
                response.url,
                f"entry {i}",
                "",
                payload[UNREADABLE],
                payload=payload[AS_READ],
                ref=where,
            )
            continue
        if n not in kept:
            continue
        if _json.too_deep(payload):
            yield Rejection(source, response.url, f"entry {i}", "", _json.depth_reason())
            continue
        key = payload.get("id") or payload.get("url") or str(i)
        yield RawRecord(
            source, response.url, f"entry {i}", "json", payload, source_kind="feed", ref=f"{ref}#{key}"
        )


_ENTRY_TAGS = ("item", "entry")  # RSS 0.9x/1.0/2.0 item, Atom entry
_DATE_TAGS = ("pubDate", "published", "updated", "date", "issued", "modified")  # date first found wins


def trimmed_xml(response: Response, limit: int) -> tuple[Response, list[int], int] | None:
    """A feed document over `limit` entries with only its `limit` newest, before feedparser reads it.

    feedparser takes minutes over 100,000 entries; lxml finds and drops the
    extra ones in about a second. Returns the smaller document, the document
    positions of the entries kept and the entry count before trimming; None
    when there is nothing to trim or the document is not well-formed XML
    (feedparser then reads all of it, and `newest` applies the limit).
    """
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    try:
        root = etree.fromstring(response.body, parser=parser)
    except etree.XMLSyntaxError:
        return None
    if root is None:
        return None
    entries = [el for el in root.iter("{*}item", "{*}entry", *_ENTRY_TAGS) if _depth(el) <= 2]
    if len(entries) <= limit:
        return None

    def when(i: int) -> tuple[int, float, int]:
        for child in entries[i]:
            if isinstance(child.tag, str) and etree.QName(child).localname in _DATE_TAGS:
                moment = _parse_date((child.text or "").strip())
                if moment is not None:
                    return (0, -moment.timestamp(), i)
        return (1, 0.0, i)

    keep = set(sorted(range(len(entries)), key=when)[:limit])
    for i, element in enumerate(entries):
        if i not in keep:
            parent = element.getparent()
            if parent is not None:
                parent.remove(element)
    body = etree.tostring(root, xml_declaration=True, encoding="utf-8")
    return replace(response, body=body, charset="utf-8"), sorted(keep), len(entries)


def _depth(element: Any) -> int:
    depth = 0
    while element.getparent() is not None:
        element = element.getparent()
        depth += 1
    return depth


def _parse_date(text: str) -> datetime | None:
    """RFC 822 (RSS pubDate) or RFC 3339 (Atom, dc:date); None when neither."""
    if not text:
        return None
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def newest(entries: list[dict[str, Any]], limit: int) -> set[int]:
    """Positions of the `limit` newest entries (by published, then updated date).

    Feeds are usually newest first, but neither RSS nor Atom says so; undated
    entries rank after dated ones, in document order.
    """
    if len(entries) <= limit:
        return set(range(len(entries)))

    def when(i: int) -> tuple[int, float, int]:
        entry = entries[i]
        if UNREADABLE in entry:
            return (2, 0.0, i)  # rejected whatever its rank: it takes no readable entry's place
        for key in ("published", "updated"):
            value = entry.get(key)
            if isinstance(value, str):
                try:
                    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
                except ValueError:
                    continue
                if moment.tzinfo is None:
                    moment = moment.replace(tzinfo=UTC)
                return (0, -moment.timestamp(), i)
        return (1, 0.0, i)

    return set(sorted(range(len(entries)), key=when)[:limit])


def xml_feed_entries(source: str, response: Response) -> list[dict[str, Any]]:
    headers = {
        "content-type": response.content_type + (f"; charset={response.charset}" if response.charset else "")
    }
    headers["content-location"] = response.url  # the base of relative links (RFC 4287 §2: xml:base)
    # A stream, never bytes or str: feedparser treats those as a file name or URL to open.
    parsed = feedparser.parse(io.BytesIO(response.body), response_headers=headers, sanitize_html=False)
    if not parsed.get("version"):
        problem = parsed.get("bozo_exception")
        if problem is not None and not parsed.entries:
            raise SourceError(source, response.url, f"malformed XML: {_short(problem)}")
        raise SourceError(source, response.url, "not an RSS or Atom feed")
    problem = parsed.get("bozo_exception")
    if isinstance(problem, SAXParseException) and problem.getMessage() == "unbound prefix":
        # An undeclared prefix (`<itunes:summary>` without xmlns:itunes) is the
        # commonest slip of hand-made podcast feeds, and nothing is in doubt:
        # the element and its text are all there. Read, with a warning.
        logger.warning(
            "source=%s url=%s feed read despite: %s",
            source,
            response.url,
            _xml_problem(response.body, problem),
        )
    elif isinstance(problem, SAXParseException):
        # feedparser's loose parser would guess at a document that is not
        # well-formed XML (XML 1.0 §2.1); we report it rather than publish a guess.
        raise SourceError(source, response.url, f"malformed XML: {_xml_problem(response.body, problem)}")
    elif parsed.get("bozo") and not isinstance(problem, feedparser.CharacterEncodingOverride):
        logger.warning(
            "source=%s url=%s feed read despite: %s",
            source,
            public_url(response.url),
            _short(parsed.bozo_exception),
        )
    language = parsed.feed.get("language")
    ids = _ids_as_written(response.body, len(parsed.entries))
    return [
        read_entry(_xml_entry, entry, language, raw_id)
        for entry, raw_id in zip(parsed.entries, ids, strict=True)
    ]


def _ids_as_written(body: bytes, count: int) -> list[str | None]:
    """Each item's guid (or Atom id) as the publisher wrote it.

    feedparser resolves a permalink guid against the feed's URL, so an opaque
    guid such as `t3_glvkc5` comes out as `https://host/path/t3_glvkc5`; the
    publisher's id is the text in the document (RSS 2.0 §guid).
    """
    try:
        parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=True, huge_tree=True)
        root = etree.fromstring(body, parser=parser)
    except etree.XMLSyntaxError:
        return [None] * count
    if root is None:
        return [None] * count
    found: list[str | None] = []
    # Only the elements feedparser reads as entries and ids: an `<x:item>` inside an
    # entry's extension is neither, and counting it would lose every entry's id.
    for item in root.iter(*_ENTRY_ELEMENTS):
        text = next(((child.text or "").strip() for child in item if child.tag in _ID_ELEMENTS), "")
        found.append(text or None)
    return found if len(found) == count else [None] * count


_RSS1, _RSS090 = "{http://purl.org/rss/1.0/}", "{http://my.netscape.com/rdf/simple/0.9/}"
_ATOM, _ATOM03 = "{http://www.w3.org/2005/Atom}", "{http://purl.org/atom/ns#}"
_ENTRY_ELEMENTS = ("item", f"{_RSS1}item", f"{_RSS090}item", f"{_ATOM}entry", f"{_ATOM03}entry")
_ID_ELEMENTS = frozenset({"guid", f"{_ATOM}id", f"{_ATOM03}id"})


def _local(tag: object) -> str:
    """The local name; a recovered document may hold a `prefix:name` tag lxml cannot split."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


# Media RSS §media:content "medium"; a type's top level says the same when medium is absent.
_IMAGE, _PLAYABLE = "image", ("audio", "video")


def _medium(media: Mapping[str, Any]) -> str:
    medium = str(media.get("medium") or "").lower()
    return medium or str(media.get("type") or "").split("/", 1)[0].lower()


def _xml_entry(entry: Mapping[str, Any], language: str | None, raw_id: str | None = None) -> dict[str, Any]:
    content = None
    for part in entry.get("content") or []:
        if content is None or part.get("type") in ("text/html", "application/xhtml+xml"):
            content = part
    links = [link for link in entry.get("links") or [] if isinstance(link, Mapping)]
    enclosure_links = [link for link in links if link.get("rel") == "enclosure" and link.get("href")]
    image = next(
        (
            {"url": link["href"], "type": link.get("type")}
            for link in enclosure_links
            if str(link.get("type", "")).startswith("image/")
        ),
        None,
    )
    media = [m for m in entry.get("media_content") or [] if isinstance(m, Mapping) and m.get("url")]
    if image is None:
        # A podcast's or a video feed's media:content is the episode, never its picture.
        pictures = [m for m in media if _medium(m) in (_IMAGE, "")]
        pictures += [m for m in entry.get("media_thumbnail") or [] if isinstance(m, Mapping) and m.get("url")]
        if pictures:
            first = pictures[0]
            image = {
                k: v
                for k, v in {
                    "url": first["url"],
                    "type": first.get("type"),
                    "width": _number(first.get("width")),
                    "height": _number(first.get("height")),
                }.items()
                if v is not None
            }
    enclosures = [
        {"url": link["href"], "type": link.get("type") or "", "length": _number(link.get("length"))}
        for link in enclosure_links
        if not str(link.get("type", "")).startswith("image/")
    ]
    enclosures += [
        {"url": m["url"], "type": m.get("type") or "", "length": _number(m.get("filesize"))}
        for m in media
        if _medium(m) not in (_IMAGE, "")
    ]
    summary = entry.get("summary")
    published = entry.get("published_parsed")
    updated = dict(entry).get("updated_parsed")  # dict.get: feedparser maps a missing one to published
    guid = raw_id or entry.get("id")
    url = _alternate(links)
    if url is None and entry.get("guidislink") and str(guid or "").startswith(("http://", "https://")):
        url = guid  # RSS 2.0 §guid: a permalink guid is the item's URL; a tag: or opaque id is not
    record = {
        "id": guid or url,
        "title": entry.get("title"),
        "url": url,
        "content_html": content.get("value") if content else summary,
        "summary": summary if content else None,
        "authors": [
            {"name": a["name"], "url": a.get("href"), "email": a.get("email")}
            for a in entry.get("authors") or []
            if isinstance(a, Mapping) and a.get("name")
        ]
        or None,
        # Atom entries with only <updated> and RSS 1.0 items with dc:date: that date is
        # when the publisher put the item out, not the time we fetched it.
        "published": _rfc3339(published or updated),
        "updated": _rfc3339(updated) if published and updated else None,
        "categories": [t.get("label") or t.get("term") for t in entry.get("tags") or [] if t.get("term")]
        or None,
        "related": [
            {"url": link["href"], "title": link.get("title")}
            for link in links
            if link.get("rel") == "related" and link.get("href")
        ]
        or None,
        "language": (content or {}).get("language") or language,
        "image": image,
        "enclosures": enclosures or None,
    }
    return {k: v for k, v in record.items() if v is not None}


def _number(value: Any) -> int | None:
    """A size or dimension written in ASCII digits, else None: "²" and "٣" are
    digits to str.isdigit, and the first is no number int reads."""
    text = str(value).strip() if value is not None else ""
    return int(text) if text.isascii() and text.isdigit() else None


def _alternate(links: list[Any]) -> str | None:
    """RFC 4287 §4.2.7.2: the alternate link, not a related link listed first."""
    for link in links:
        if link.get("rel", "alternate") == "alternate" and link.get("href"):
            return str(link["href"])
    return None


def _rfc3339(value: time.struct_time | None) -> str | None:
    """feedparser gives UTC struct_time; the original offset is not kept by it."""
    if value is None:
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(calendar.timegm(value)))


def _xml_problem(body: bytes, problem: SAXParseException) -> str:
    """lxml's account of the error: feedparser's line numbers count a declaration it inserts."""
    try:
        etree.fromstring(body, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as e:
        return str(e.msg)
    return str(problem.getMessage())


def _short(error: Any) -> str:
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return text[:200]
