"""Stable ids and the identity keys the store recognises an article by.

An id is minted once, the first time an article is seen, and then kept by the
store; it is never re-derived from fields an editor can correct (URL, title,
date). RFC 4287 §4.2.6: an entry's id never changes.
"""

from __future__ import annotations

import hashlib
from datetime import date
from urllib.parse import urlsplit

_IRI_SCHEMES = ("http://", "https://", "urn:", "tag:")


def identity_keys(*, source_id: str | None, url: str | None, ref: str) -> tuple[str, ...]:
    """Every key under which this article may have been seen before, strongest first.

    Never empty: a record with no id, no URL and a position in a list still
    has the URL the assembler inferred from its title.
    """
    keys = []
    if source_id:
        keys.append(f"id:{source_id}")
    if url:
        keys.append(f"url:{url}")
    if "#" not in ref:
        # Only a whole file (or a URL) identifies a record by where it is: a
        # position inside a list shifts when a record is inserted above it.
        keys.append(f"ref:{ref}")
    return tuple(keys)


def mint_id(*, site_url: str, day: date, key: str, source_id: str | None) -> str:
    """A record's own IRI id is kept; anything else becomes a tag: URI (RFC 4151)."""
    if source_id and source_id.startswith(_IRI_SCHEMES) and " " not in source_id:
        return source_id
    host = urlsplit(site_url).hostname or "localhost"
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:20]
    return f"tag:{host},{day.isoformat()}:{digest}"
