"""JSON Feed 1.0 and 1.1 (jsonfeed.org) read into our field names; every feed's entries read one by one.

An entry (a JSON Feed item, an RSS item, an Atom entry) whose reading fails is
that entry's rejection (`total`, `UNREADABLE`), never the feed's failure: one
odd value cannot cost the other entries of the feed.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from typing import Any

from syndicator.errors import SourceError
from syndicator.sources import _json
from syndicator.sources._json import JSON_FEED_VERSION
from syndicator.sources.http import Response

logger = logging.getLogger(__name__)

_EXTENSION = "_syndicator"  # our own JSON Feed extension (render.jsonfeed): related links


# An entry whose reading failed: the reason, the entry as read (what JSON can hold of
# it, for the rejection report) and its id, if it has one.
UNREADABLE, AS_READ = "\x00unreadable", "\x00as read"


def read_entry(read: Callable[..., dict[str, Any]], entry: Any, *args: Any) -> dict[str, Any]:
    """One entry read into our field names; a failure is that entry's alone (`UNREADABLE`)."""
    try:
        return read(entry, *args)
    except Exception as e:  # one entry's failure is that entry's rejection, never the feed's
        logger.debug("a feed entry could not be read", exc_info=e)
        detail = str(e).splitlines()[0][:200] if str(e) else ""
        return unreadable(f"could not be read: {type(e).__name__}" + (f": {detail}" if detail else ""), entry)


def unreadable(reason: str, entry: Any) -> dict[str, Any]:
    fields = entry if isinstance(entry, Mapping) else {}
    identity = fields.get("id")
    return {
        UNREADABLE: reason,
        # A JSON Feed item is JSON already; of feedparser's entry, its text fields.
        AS_READ: {k: v for k, v in fields.items() if isinstance(v, (str, int, list, dict))} or entry,
        "id": str(identity) if isinstance(identity, (str, int)) and not isinstance(identity, bool) else None,
    }


def json_feed_entries(source: str, response: Response) -> list[dict[str, Any]]:
    """JSON Feed 1.0 and 1.1 items in our field names (jsonfeed.org/version/1.1)."""
    try:
        feed = _json.loads(response.body)
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        where = f" (line {e.lineno}, column {e.colno})" if isinstance(e, json.JSONDecodeError) else ""
        reason = e.msg if isinstance(e, json.JSONDecodeError) else "not UTF-8"
        raise SourceError(source, response.url, f"malformed JSON: {reason}{where}") from e
    if not is_json_feed(feed):
        raise SourceError(source, response.url, "not a JSON Feed (no jsonfeed.org version)")
    items = feed.get("items")
    if not isinstance(items, list):
        raise SourceError(source, response.url, "JSON Feed without an items array")
    language = feed.get("language")
    feed_authors = _authors(feed)
    return [
        read_entry(_json_item, item, language, feed_authors)
        if isinstance(item, Mapping)
        else unreadable(f"an item is an object, not {type(item).__name__}", item)
        for item in items
    ]


def _authors(value: Mapping[str, Any]) -> list[Any]:
    """`authors` (1.1), else `author` (1.0); what is no list of objects is none."""
    authors = value.get("authors")
    if isinstance(authors, list) and authors:
        return [a for a in authors if isinstance(a, Mapping)]
    author = value.get("author")
    return [author] if isinstance(author, Mapping) else []


# Feeds in the wild also write the bare number ("1.0", "1.1") for the version URL.
_BARE_VERSIONS = frozenset({"1", "1.0", "1.1"})


def is_json_feed(value: Any) -> bool:
    """A JSON Feed: its version is the jsonfeed.org URL (or its bare number) and it has items."""
    if not isinstance(value, Mapping):
        return False
    version = str(value.get("version", ""))
    if version.startswith(JSON_FEED_VERSION):
        return True
    return version in _BARE_VERSIONS and isinstance(value.get("items"), list)


def _json_item(item: Mapping[str, Any], language: Any, feed_authors: list[Any]) -> dict[str, Any]:
    authors = _authors(item)
    extension = item.get(_EXTENSION)
    extension = extension if isinstance(extension, Mapping) else {}
    labels = extension.get("categories")
    categories = (
        [c.get("label") for c in labels if isinstance(c, Mapping)] if isinstance(labels, list) else []
    )
    record = {
        "id": str(item["id"]) if isinstance(item.get("id"), (str, int)) else None,  # kept as written
        "title": item.get("title"),
        "url": item.get("url") or item.get("external_url"),
        "content_html": item.get("content_html"),
        "content_text": None if item.get("content_html") else item.get("content_text"),
        "summary": item.get("summary"),
        "authors": [
            {"name": a["name"], "url": a.get("url")}
            for a in authors or feed_authors
            if isinstance(a, Mapping) and isinstance(a.get("name"), str)
        ]
        or None,
        "published": item.get("date_published"),
        "updated": item.get("date_modified"),
        # JSON Feed has only tags; they are where category feeds are told apart (DESIGN.md)
        "categories": [c for c in categories if isinstance(c, str)] or item.get("tags") or None,
        "related": extension.get("related") or None,
        "language": item.get("language") or language,
        "image": item.get("image") or item.get("banner_image"),
        # JSON Feed 1.1 §attachments: {url, mime_type, size_in_bytes}
        "enclosures": item.get("attachments") or None,
    }
    return {k: v for k, v in record.items() if v is not None}
