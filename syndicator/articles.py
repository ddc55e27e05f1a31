"""An Article as JSON (what the schema checks) and its versioned content hash."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

import orjson

from syndicator.model import Article

# Bump when the hashed form changes, so stored hashes from older versions are
# recognised as "not comparable" instead of as "content changed".
HASH_VERSION = 2  # 2: an article without an image may now have one promoted from its body
# Fields that identify or date an article rather than make up its content:
# a new id, a re-scrape's dates or a move to another file is not an edit;
# content_text is derived from content_html, which is hashed already.
_HASH_EXCLUDES = frozenset({"id", "published", "updated", "source", "source_id", "status", "content_text"})


def rfc3339(value: datetime) -> str:
    """A date as the store keeps it: RFC 3339 in its own offset, to the whole second.

    A source's fraction of a second is dropped here, once, before anything is
    stored or published, so every format and every later run show the same date.
    """
    return value.isoformat(timespec="seconds")


def article_to_json(article: Article) -> dict[str, Any]:
    """The normalized article in the shape config/article.schema.json describes."""
    data: dict[str, Any] = {
        "id": article.id,
        "url": article.url,
        "title": article.title,
        "summary": article.summary,
        "content_html": article.content_html,
        "authors": [
            {k: v for k, v in (("name", a.name), ("url", a.url), ("email", a.email)) if v}
            for a in article.authors
        ],
        "language": article.language,
        "categories": [
            {k: v for k, v in (("term", c.term), ("label", c.label), ("scheme", c.scheme)) if v}
            for c in article.categories
        ],
        "tags": list(article.tags),
        "related": [{k: v for k, v in (("url", r.url), ("title", r.title)) if v} for r in article.related],
        "source": {"kind": article.source.kind, "ref": article.source.ref},
    }
    if article.content_text:
        data["content_text"] = article.content_text
    if article.published is not None:
        data["published"] = rfc3339(article.published)
    if article.updated is not None:
        data["updated"] = rfc3339(article.updated)
    if article.image is not None:
        img = article.image
        data["image"] = {
            k: v
            for k, v in (
                ("url", img.url),
                ("alt", img.alt),
                ("type", img.type),
                ("width", img.width),
                ("height", img.height),
            )
            if v is not None
        }
    if article.enclosures:  # only when present: older articles keep their content hash
        data["enclosures"] = [
            {k: v for k, v in (("url", e.url), ("type", e.type), ("length", e.length)) if v is not None}
            for e in article.enclosures
        ]
    return data


def content_hash(article: Article) -> str:
    """`v<HASH_VERSION>:<sha256>` over the content fields; `updated` moves only when this does.

    The hashed bytes are `json.dumps(data, sort_keys=True, ensure_ascii=False,
    separators=(",", ":"))` encoded as UTF-8, as stored hashes were made; orjson
    writes those very bytes two to three times faster (a worker hashes every
    article it normalizes). What orjson refuses (an integer over 64 bits) the
    standard library hashes, as before.
    """
    data = {k: v for k, v in article_to_json(article).items() if k not in _HASH_EXCLUDES}
    try:
        blob = orjson.dumps(data, option=orjson.OPT_SORT_KEYS)
    except orjson.JSONEncodeError:
        blob = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return f"v{HASH_VERSION}:{hashlib.sha256(blob).hexdigest()}"


def article_text(article: Article) -> str:
    """`article_to_json` as the store keeps it: compact JSON, non-ASCII as itself.

    orjson writes it about ten times faster than the standard library, which
    matters where the store saves every article of a big run in one process;
    what orjson refuses (an integer over 64 bits) the standard library writes.
    """
    data = article_to_json(article)
    try:
        return orjson.dumps(data).decode("utf-8")
    except orjson.JSONEncodeError:
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def article_from_json(data: dict[str, Any], *, source_id: str | None = None) -> Article:
    """The inverse of article_to_json, for articles read back from the store."""
    from syndicator.model import Author, Category, Enclosure, Image, RelatedLink, SourceRef

    image = data.get("image")
    return Article(
        id=data["id"],
        url=data["url"],
        title=data["title"],
        summary=data["summary"],
        content_html=data["content_html"],
        authors=tuple(Author(a["name"], a.get("url"), a.get("email")) for a in data["authors"]),
        published=datetime.fromisoformat(data["published"]) if "published" in data else None,
        updated=datetime.fromisoformat(data["updated"]) if "updated" in data else None,
        language=data["language"],
        categories=tuple(Category(c["term"], c["label"], c.get("scheme")) for c in data["categories"]),
        tags=tuple(data["tags"]),
        related=tuple(RelatedLink(r["url"], r.get("title")) for r in data["related"]),
        image=Image(
            image["url"],
            image.get("alt"),
            image.get("type"),
            image.get("width"),
            image.get("height"),
        )
        if image
        else None,
        source=SourceRef(data["source"]["kind"], data["source"]["ref"]),
        source_id=source_id,
        content_text=data.get("content_text", ""),
        enclosures=tuple(Enclosure(e["url"], e["type"], e.get("length")) for e in data.get("enclosures", [])),
    )
