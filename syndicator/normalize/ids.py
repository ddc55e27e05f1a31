"""Stable ids and the identity keys the store recognises an article by.

An id is minted once, the first time an article is seen, and then kept by the
store; it is never re-derived from fields an editor can correct (URL, title,
date). RFC 4287 §4.2.6: an entry's id never changes.
"""

from __future__ import annotations

import hashlib
from datetime import date
from urllib.parse import quote, urlsplit

from syndicator.slugs import short_hash, word_slug

_IRI_SCHEMES = ("http://", "https://", "urn:", "tag:")


# Bumped when the keys change: every source file is then read once more, so
# records an older version took for duplicates of others are published.
# 3: a source id that is not an IRI names an article within its source only.
KEYS_VERSION = 3

# Between a source's name and a source id of its own in a scoped `id:` key: a
# control character no configured name or id holds, and both stores keep.
SCOPE_MARK = "\x1f"

# Keys that say where a record is or what it holds, not what it is: trusted
# only for records without an id or URL of their own (see plan._match).
WEAK_KEY_PREFIXES = ("ref:", "item:", "text:", "title:")
# Of those, the keys of a list record's content, within its file: each may name
# several articles (the "Editorial" of each day); any other key names one.
SHARED_KEY_PREFIXES = ("item:", "text:", "title:")


def is_global_id(source_id: str) -> bool:
    """An IRI (http, https, urn, tag) names one thing wherever it is read; any other
    source id (`42`, `post-7`, a feed's `t3_glvkc5`) only within its own source:
    two CMSs each have a post 1."""
    return source_id.startswith(_IRI_SCHEMES)


def id_key(source_id: str, scope: str) -> str:
    """The identity key of a source id: global for an IRI, else within `scope` (the source's name)."""
    if is_global_id(source_id) or not scope:
        return f"id:{source_id}"
    return f"id:{scope}{SCOPE_MARK}{source_id}"


def identity_keys(
    *,
    source_id: str | None,
    url: str | None,
    ref: str,
    title: str = "",
    text: str = "",
    scope: str = "",
) -> tuple[str, ...]:
    """Every key under which this article may have been seen before, strongest first.

    Never empty. A source id is known within its source (`scope`) unless it is
    an IRI (`id_key`). A whole file (or a URL) is known by where it is (`ref:`). A
    record in a list with no id and no URL of its own is known, within its
    file, by its title and text together (`item:`), then by its text alone
    (`text:`, so a corrected title keeps the article), then by its title
    alone (`title:`, so an edited body keeps it); never by its position,
    which shifts when a record is inserted above it. A list record with a URL
    but no id is known by its title and text together too, so that a URL
    added to it keeps the article (`plan._match`). A URL inferred from a
    title is never a key: two articles may share a title.
    """
    keys = []
    if source_id:
        keys.append(id_key(source_id, scope))
    if url:
        keys.append(f"url:{url}")
    file, hashed, _ = ref.partition("#")
    if not hashed:
        keys.append(f"ref:{ref}")
    elif not source_id:
        name = " ".join(title.casefold().split())
        keys.append(f"item:{file}#{_digest(name + chr(0) + text)}")
        if url:  # its exact title and text still say which it was before it had a URL
            return tuple(keys)
        if text.strip():
            keys.append(text_key(file, text))
        keys.append(title_key(file, title))
    return tuple(keys)


def text_key(file: str, text: str) -> str:
    """The key of a list record's text, within its file (see identity_keys)."""
    return f"text:{file}#{_digest(text)}"


def title_key(file: str, title: str) -> str:
    """The key of a list record's title, within its file (see identity_keys)."""
    return f"title:{file}#{' '.join(title.casefold().split())}"


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def fallback_url(*, base_url: str, title: str, key: str) -> str:
    """Where an article with no URL of its own is said to be: base URL + slug + hash.

    The slug keeps the letters of every script (`東京の天気`, `погода`); the
    hash of `key`, the article's id (which no other article has), tells apart
    the articles that share a title ("Editorial", "Live updates") or have no
    letters at all, so two articles never share a URL. Stable: the same record
    gives the same URL.
    """
    slug = word_slug(title, max_length=60) or "article"
    segment = quote(f"{slug}-{short_hash(key)}", safe="-")
    return base_url.rstrip("/") + "/" + segment


def mint_id(*, site_url: str, day: date, key: str, source_id: str | None, as_written: bool = False) -> str:
    """A record's own IRI id is kept; anything else becomes a tag: URI (RFC 4151).

    `as_written`: an upstream feed's id (an RSS guid such as `t3_glvkc5`, a
    JSON Feed id) is kept whatever its form; RSS and JSON Feed carry any
    string, and the Atom renderer wraps one that is not an IRI. Such an id is
    unique within its feed only: the plan gives a new article whose id another
    article has a minted one instead (`plan.decide`).
    """
    if as_written and source_id and source_id.strip():
        return source_id.strip()
    if source_id and source_id.startswith(_IRI_SCHEMES) and " " not in source_id:
        return source_id
    host = urlsplit(site_url).hostname or "localhost"
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:20]
    return f"tag:{host},{day.isoformat()}:{digest}"
