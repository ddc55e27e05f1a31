"""JSON records from a CMS or an API, whatever they call their fields.

CMSs name the same field differently (headline/title, permalink/link/url,
datePublished/pubDate/date, ...); ALIASES lists the names accepted for each
Draft field, first match wins. A field of the wrong type is a RecordError
whose field is the JSON pointer of the key the record actually used.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from syndicator.errors import RecordError
from syndicator.model import Author, Enclosure, Image, RawRecord, RelatedLink, Repair
from syndicator.normalize.bylines import split_authors
from syndicator.normalize.context import NormalizeContext
from syndicator.normalize.draft import Draft

ALIASES: Mapping[str, tuple[str, ...]] = {
    "source_id": ("id", "guid", "uuid", "@id", "post_id", "article_id"),
    "title": ("title", "headline", "name"),
    "url": ("url", "link", "permalink", "canonical_url", "canonical", "href"),
    "content_html": (
        "content_html",
        "content",
        "body",
        "html",
        "body_html",
        "articleBody",
        "text",
        "content_text",
        "body_text",
    ),
    "summary": ("summary", "description", "excerpt", "abstract", "dek", "standfirst", "subtitle"),
    "authors": ("authors", "author", "byline", "creator", "creators", "writers"),
    "published": (
        "published",
        "date",
        "pubDate",
        "datePublished",
        "published_at",
        "publishedAt",
        "date_published",
        "pub_date",
        "created_at",
        "created",  # Drupal: a node's authored-on time
    ),
    "updated": (
        "updated",
        "dateModified",
        "modified",
        "updated_at",
        "updatedAt",
        "date_modified",
        "lastModified",
        "last_modified",
        "changed",  # Drupal
    ),
    "categories": ("categories", "category", "section", "sections", "articleSection"),
    "tags": ("tags", "keywords"),
    "related": ("related", "related_links", "relatedLinks", "see_also"),
    "language": ("language", "lang", "inLanguage", "locale"),
    "image": ("image", "image_url", "thumbnail", "featured_image", "feature_image", "picture"),
    "status": ("status", "state", "visibility"),
    "enclosures": ("enclosures", "enclosure", "attachments"),
}
_PLAIN_TEXT_KEYS = frozenset({"text", "content_text", "body_text"})


def extract_json_article(raw: RawRecord, ctx: NormalizeContext) -> Draft:
    record: Mapping[str, Any] = raw.payload
    found = {name: _first(record, names) for name, names in ALIASES.items()}

    def fail(name: str, message: str) -> RecordError:
        entry = found[name]
        key = entry[0] if entry else ALIASES[name][0]
        return RecordError(raw.origin, raw.locator, f"/{_escape_pointer(key)}", message)

    def text(name: str) -> str | None:
        entry = found[name]
        if entry is None or entry[1] is None:
            return None
        value = entry[1]
        if isinstance(value, Mapping) and isinstance(value.get("rendered"), str):
            return str(value["rendered"])  # WordPress REST: {"rendered": "..."}
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise fail(name, f"must be a string, not {_json_type(value)}")
        if name not in ("source_id",) and not isinstance(value, str):
            raise fail(name, f"must be a string, not {_json_type(value)}")
        if isinstance(value, float) and not math.isfinite(value):
            # "nan" would be every such record's id
            raise fail(name, f"must be a string or a finite number, not {value}")
        return str(value)

    repairs: list[Repair] = []

    def skip(name: str, index: int, message: str) -> None:
        """One item of a list dropped with a warning; the list's other items are kept."""
        entry = found[name]
        key = entry[0] if entry else ALIASES[name][0]
        repairs.append(Repair(f"/{_escape_pointer(key)}/{index}", message, "dropped"))

    def kept(name: str, read: Any, empty: Any) -> Any:
        """A field of the wrong type is dropped with a warning, never the record."""
        try:
            return read()
        except RecordError as e:
            repairs.append(Repair(e.field, e.message, "dropped"))
            return empty

    def date(name: str) -> str | None:
        """A date as written, or a Unix time (seconds or milliseconds, a number or
        digits) repaired to RFC 3339 when it falls in the years a news record can."""
        entry = found[name]
        if entry is None:
            return None
        key, written = entry
        # Digits from 9 on (seconds since 1995 have 9 or 10); fewer may be a date (20240312).
        digits = isinstance(written, str) and written.strip().isdigit() and len(written.strip()) >= 9
        value = int(written) if digits else written
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            when = _unix_time(value)
            if when is None:
                raise fail(name, f"must be a date, not the number {written!r}")
            repairs.append(
                Repair(f"/{_escape_pointer(key)}", f"a Unix time ({written!r})", f"repaired to {when!r}")
            )
            return when
        return text(name)

    content = kept("content_html", lambda: text("content_html"), None)
    content_key = found["content_html"][0] if found["content_html"] else ""
    if content is not None and content_key in _PLAIN_TEXT_KEYS:
        content = _paragraphs_to_html(content)
    status_value = found["status"][1] if found["status"] else None
    status = status_value.strip() if isinstance(status_value, str) else None
    if isinstance(status_value, bool):  # Drupal's `status`: true published, false unpublished
        status = "published" if status_value else "draft"
    draft = record.get("draft")
    if draft is True or (isinstance(draft, str) and draft.strip().lower() == "true"):
        status = "draft"
    return Draft(
        source_id=kept("source_id", lambda: text("source_id"), None),
        title=kept("title", lambda: text("title"), None),
        url=kept("url", lambda: text("url"), None),
        content_html=content,
        summary=kept("summary", lambda: text("summary"), None),
        authors=kept("authors", lambda: _authors(found["authors"], fail, skip, ctx), ()),
        published=kept("published", lambda: date("published"), None),
        updated=kept("updated", lambda: date("updated"), None),
        language=kept("language", lambda: text("language"), None),
        categories=kept("categories", lambda: _strings(found["categories"], fail, skip, "categories"), ()),
        tags=kept("tags", lambda: _tags(found["tags"], fail, skip), ()),
        related=kept("related", lambda: _related(found["related"], fail, skip), ()),
        image=kept("image", lambda: _image(found["image"], fail), None),
        enclosures=kept("enclosures", lambda: _enclosures(found["enclosures"], fail), ()),
        status=status.lower() if status else None,
        repairs=tuple(repairs),
    )


# Unix times read as dates: from 1995 (the web's first news sites) to 2100; in
# milliseconds past 10^11 (a date in seconds that far is in the year 5138).
_UNIX_FROM = 788_918_400  # 1995-01-01T00:00:00Z
_UNIX_UNTIL = 4_102_444_800  # 2100-01-01T00:00:00Z


def _unix_time(value: float) -> str | None:
    """RFC 3339 (UTC) of a Unix time in seconds or milliseconds, None when out of range."""
    seconds = value / 1000 if abs(value) >= 1e11 else value
    if not math.isfinite(seconds) or not _UNIX_FROM <= seconds < _UNIX_UNTIL:
        return None
    return datetime.fromtimestamp(int(seconds), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _first(record: Mapping[str, Any], names: tuple[str, ...]) -> tuple[str, Any] | None:
    for name in names:
        if name in record and record[name] is not None and record[name] != "":
            return name, record[name]
    return None


def _escape_pointer(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")  # RFC 6901 §3


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, (int, float)):
        return "a number"
    return "null" if value is None else type(value).__name__


def _paragraphs_to_html(text: str) -> str:
    from html import escape

    blocks = [" ".join(b.split()) for b in text.replace("\r\n", "\n").split("\n\n")]
    return "".join(f"<p>{escape(b, quote=False)}</p>" for b in blocks if b)


def _strings(entry: tuple[str, Any] | None, fail: Any, skip: Any, name: str) -> tuple[str, ...]:
    if entry is None:
        return ()
    value = entry[1]
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        out = []
        for index, item in enumerate(value):
            if isinstance(item, str):
                out.append(item)
            elif isinstance(item, Mapping) and isinstance(item.get("name") or item.get("label"), str):
                out.append(str(item.get("name") or item.get("label")))
            elif item is not None:  # a null names nothing
                skip(name, index, f"must be a string or an object with a name, not {_json_type(item)}")
        return tuple(out)
    if isinstance(value, Mapping) and isinstance(value.get("name") or value.get("label"), str):
        return (str(value.get("name") or value.get("label")),)
    raise fail(name, f"must be a string or a list of strings, not {_json_type(value)}")


def _tags(entry: tuple[str, Any] | None, fail: Any, skip: Any) -> tuple[str, ...]:
    if entry is not None and isinstance(entry[1], str):
        return tuple(t.strip() for t in entry[1].split(",") if t.strip())  # "a, b, c" keywords
    return _strings(entry, fail, skip, "tags")


def _authors(
    entry: tuple[str, Any] | None, fail: Any, skip: Any, ctx: NormalizeContext
) -> tuple[Author, ...]:
    if entry is None:
        return ()
    value = entry[1]
    items = value if isinstance(value, list) else [value]
    authors: list[Author] = []
    for index, item in enumerate(items):
        if isinstance(item, str):
            authors.extend(split_authors(item, rules=ctx.rules))
        elif isinstance(item, Mapping) and isinstance(item.get("name"), str):
            url = item.get("url") or item.get("uri")
            email = item.get("email")
            authors.append(
                Author(
                    name=item["name"],
                    url=url if isinstance(url, str) else None,
                    email=email if isinstance(email, str) else None,
                )
            )
        elif isinstance(value, list):
            if item is not None:  # a null names nobody
                skip(
                    "authors",
                    index,
                    f"an author must be a name or an object with a name, not {_json_type(item)}",
                )
        else:
            raise fail(
                "authors",
                f"an author must be a name or an object with a name, not {_json_type(item)}",
            )
    return tuple(authors)


def _related(entry: tuple[str, Any] | None, fail: Any, skip: Any) -> tuple[RelatedLink, ...]:
    if entry is None:
        return ()
    value = entry[1]
    items = value if isinstance(value, list) else [value]
    links: list[RelatedLink] = []
    for index, item in enumerate(items):
        if isinstance(item, str):
            links.append(RelatedLink(url=item))
        elif isinstance(item, Mapping) and isinstance(item.get("url") or item.get("href"), str):
            title = item.get("title")
            links.append(
                RelatedLink(
                    url=item.get("url") or item["href"],
                    title=title if isinstance(title, str) else None,
                )
            )
        elif isinstance(value, list):
            if item is not None:
                skip(
                    "related",
                    index,
                    f"a related link must be a URL or an object with a url, not {_json_type(item)}",
                )
        else:
            raise fail(
                "related",
                f"a related link must be a URL or an object with a url, not {_json_type(item)}",
            )
    return tuple(links)


def _image(entry: tuple[str, Any] | None, fail: Any) -> Image | None:
    if entry is None:
        return None
    value = entry[1]
    if isinstance(value, list) and value:
        value = value[0]
    if isinstance(value, str):
        return Image(url=value)
    if isinstance(value, Mapping):
        url = value.get("url") or value.get("src") or value.get("href")
        if not isinstance(url, str):
            raise fail("image", "an image object needs a url")

        def opt_int(key: str) -> int | None:
            v = value.get(key)
            return v if isinstance(v, int) and not isinstance(v, bool) and v > 0 else None

        alt = value.get("alt") or value.get("caption")
        mime = value.get("type") or value.get("mime_type")
        return Image(
            url=url,
            alt=alt if isinstance(alt, str) else None,
            type=mime if isinstance(mime, str) else None,
            width=opt_int("width"),
            height=opt_int("height"),
        )
    raise fail("image", f"must be a URL or an object with a url, not {_json_type(value)}")


def _enclosures(entry: tuple[str, Any] | None, fail: Any) -> tuple[Enclosure, ...]:
    """RSS-like {url, type, length} or JSON Feed attachments {url, mime_type, size_in_bytes}."""
    if entry is None:
        return ()
    value = entry[1]
    items = value if isinstance(value, list) else [value]
    out: list[Enclosure] = []
    for item in items:
        if isinstance(item, str):
            out.append(Enclosure(url=item, type=""))
        elif isinstance(item, Mapping) and isinstance(item.get("url") or item.get("href"), str):
            kind = item.get("type") or item.get("mime_type")
            length = item.get("length", item.get("size_in_bytes"))
            if isinstance(length, str) and length.strip().isdigit():
                length = int(length)
            out.append(
                Enclosure(
                    url=item.get("url") or item["href"],
                    type=kind if isinstance(kind, str) else "",
                    length=length if isinstance(length, int) and not isinstance(length, bool) else None,
                )
            )
        else:
            raise fail(
                "enclosures", f"an enclosure must be a URL or an object with a url, not {_json_type(item)}"
            )
    return tuple(out)
