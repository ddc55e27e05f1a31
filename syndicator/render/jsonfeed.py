"""JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/), serialised with orjson.

Keys are written in a fixed, readable order (the spec's own order), not
sorted: determinism comes from building every object the same way. Text goes
through the same cleaning as the XML formats, so all three formats carry the
same titles; the output is compact UTF-8 without \\u escapes, ending with a
newline: the bytes the stdlib's json.dumps(ensure_ascii=False,
separators=(",", ":")) writes, which `_dumps` falls back to for what orjson
refuses (an integer beyond 64 bits).
"""

from __future__ import annotations

import html
import json
from typing import Any

import orjson

from syndicator.model import Article, Author, FeedDocument
from syndicator.render import _values as v

MEDIA_TYPE = "application/feed+json"
FILENAME = "feed.json"
VERSION = "https://jsonfeed.org/version/1.1"

# JSON Feed 1.1 "Extensions": a key starting with an underscore, holding an
# object whose `about` URL documents it. Related links and categories with
# their scheme have no place in the core format.
EXTENSION = "_syndicator"


def render_jsonfeed(doc: FeedDocument) -> bytes:
    """The JSON Feed bytes of one feed; the same document gives the same bytes."""
    feed: dict[str, Any] = {
        "version": VERSION,
        "title": v.clean(doc.title),
        "home_page_url": v.clean(doc.urls.html),
        "feed_url": v.clean(doc.urls.of(FILENAME)),
    }
    description = v.clean(doc.description).strip()
    if description:
        feed["description"] = description
    # JSON Feed 1.1: icon is the large square (512x512), favicon the small one.
    if doc.logo or doc.icon:
        feed["icon"] = v.clean(doc.logo or doc.icon or "")
    if doc.icon:
        feed["favicon"] = v.clean(doc.icon)
    feed["authors"] = [{"name": v.clean(doc.title), "url": v.clean(doc.urls.html)}]
    feed["language"] = v.clean(doc.language)
    if doc.hubs:
        feed["hubs"] = [{"type": "WebSub", "url": v.clean(hub)} for hub in doc.hubs]
    if doc.archive is not None and doc.archive.prev_archive is not None:
        # JSON Feed 1.1 pagination: next_url leads to the next (older) page.
        feed["next_url"] = v.clean(doc.archive.prev_archive.of(FILENAME))
    feed["items"] = [_item(article, doc.generator_uri) for article in doc.articles]
    return _dumps(feed) + b"\n"


def item_bytes(article: Article, about: str) -> bytes:
    """One item as it appears in the `items` array of `render_jsonfeed`'s output."""
    return _dumps(_item(article, about))


def _dumps(value: dict[str, Any]) -> bytes:
    """Compact JSON in UTF-8; orjson writes the very bytes of the stdlib's
    compact, non-ASCII form some twenty times faster."""
    try:
        return orjson.dumps(value)
    except orjson.JSONEncodeError:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _item(article: Article, about: str) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": v.clean(article.id),
        "url": v.clean(article.url),
        "title": v.title(article),
    }
    summary = v.text(article.summary)
    if summary:
        item["summary"] = summary
    content = v.body_html(article)
    # Worked out once at normalization; older stored articles lack it.
    text = v.body_text(article) or v.html_to_text(content)
    # JSON Feed 1.1: an item has content_html, content_text, or both.
    if content:
        item["content_html"] = content
    item["content_text"] = text or summary or item["title"]
    if article.image is not None:
        item["image"] = v.clean(article.image.url)
        if item["image"] not in html.unescape(content):
            # JSON Feed 1.1 §items: banner_image is a picture "that wouldn't
            # otherwise appear in the content_html", shown atop the detail view.
            item["banner_image"] = item["image"]
    if article.enclosures:
        # JSON Feed 1.1 §attachments: url and mime_type required, size_in_bytes optional.
        item["attachments"] = [
            {"url": v.clean(e.url), "mime_type": v.clean(e.type)}
            | ({"size_in_bytes": e.length} if e.length is not None else {})
            for e in article.enclosures
        ]
    item["date_published"] = v.rfc3339(v.published(article))
    item["date_modified"] = v.rfc3339(v.modified(article))
    if article.authors:
        item["authors"] = [_author(author) for author in article.authors]
    tags = _tags(article)
    if tags:
        item["tags"] = tags
    if article.language:
        item["language"] = v.clean(article.language)
    extension = _extension(article, about)
    if extension:
        item[EXTENSION] = extension
    return item


def _author(author: Author) -> dict[str, str]:
    """JSON Feed authors have no e-mail; §"authors" allows a mailto: url."""
    fields = {"name": v.text(author.name)}
    if author.url:
        fields["url"] = v.clean(author.url)
    elif author.email:
        fields["url"] = "mailto:" + v.clean(author.email)
    return fields


def _tags(article: Article) -> list[str]:
    """Category labels, then tags, each once, in their given order."""
    seen: dict[str, None] = {}
    for tag in (*(category.label for category in article.categories), *article.tags):
        cleaned = v.text(tag)
        if cleaned:
            seen.setdefault(cleaned, None)
    return list(seen)


def _extension(article: Article, about: str) -> dict[str, Any]:
    related = []
    for link in article.related:
        entry = {"url": v.clean(link.url)}
        title = v.optional(link.title)
        if title:
            entry["title"] = title
        related.append(entry)
    categories = []
    for category in article.categories:
        fields = {"term": v.clean(category.term), "label": v.text(category.label)}
        if category.scheme:
            fields["scheme"] = v.clean(category.scheme)
        categories.append(fields)
    if not (related or categories):
        return {}
    extension: dict[str, Any] = {"about": about}
    if related:
        extension["related"] = related
    if categories:
        extension["categories"] = categories
    return extension
