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
import re
from typing import Any

import orjson

from syndicator.model import Article, FeedDocument
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
    return _dumps(feed, newline=True)


def item_bytes(article: Article, about: str) -> bytes:
    """One item as it appears in the `items` array of `render_jsonfeed`'s output."""
    return _dumps(_item(article, about))


def _dumps(value: dict[str, Any], *, newline: bool = False) -> bytes:
    """Compact JSON in UTF-8; orjson writes the very bytes of the stdlib's
    compact, non-ASCII form some twenty times faster (and the final newline
    without copying the document)."""
    try:
        return orjson.dumps(value, option=orjson.OPT_APPEND_NEWLINE if newline else None)
    except orjson.JSONEncodeError:
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        return (text + "\n" if newline else text).encode("utf-8")


def _item(article: Article, about: str) -> dict[str, Any]:
    p = v.prepared(article)
    item: dict[str, Any] = {"id": p.id, "url": p.url, "title": p.title}
    summary = p.summary
    if summary:
        item["summary"] = summary
    content = p.body_html
    text, banner = _own(article)
    # JSON Feed 1.1: an item has content_html, content_text, or both.
    if content:
        item["content_html"] = content
    item["content_text"] = text or summary or p.title
    if p.image is not None:
        image = item["image"] = p.image[0]
        if banner:
            # JSON Feed 1.1 §items: banner_image is a picture "that wouldn't
            # otherwise appear in the content_html", shown atop the detail view.
            item["banner_image"] = image
    if article.enclosures:
        # JSON Feed 1.1 §attachments: url and mime_type required, size_in_bytes optional.
        item["attachments"] = [
            {"url": url, "mime_type": type_} | ({"size_in_bytes": e.length} if e.length is not None else {})
            for e, (url, type_) in zip(article.enclosures, p.enclosures, strict=True)
        ]
    item["date_published"] = p.published
    item["date_modified"] = p.modified
    if p.authors:
        item["authors"] = [_author(name, url, email) for name, url, email in p.authors]
    tags = _tags(p)
    if tags:
        item["tags"] = tags
    if article.language:
        item["language"] = p.language
    if p.related or p.categories:
        item[EXTENSION] = _extension(p, about)
    return item


def _work_out_own(article: Article) -> tuple[str, bool]:
    """What JSON Feed alone writes of an article: its content_text, and whether
    its image is a banner (not in the body), worked out once per article object
    (a feed cut to its byte budget is rendered again with the same articles)."""
    p = v.prepared(article)
    # Worked out once at normalization; older stored articles lack it.
    text = v.clean(article.content_text).strip() or v.html_to_text(p.body_html)
    banner = p.image is not None and not _appears_in(p.image[0], p.body_html)
    return text, banner


_own = v.PerArticle(_work_out_own)


# A character reference other than the five an HTML serializer writes.
_OTHER_REFERENCE = re.compile(r"&(?!(?:amp|lt|gt|quot|#39);)")
_ESCAPED = frozenset("&;<>\"'")


def _appears_in(url: str, content: str) -> bool:
    """Whether `url` is in the text of `content`, references decoded (html.unescape).

    Where the only references are &amp; &lt; &gt; &quot; &#39; (what an HTML
    serializer writes, so every stored body) and the URL holds none of the
    characters they stand for, nor ";", an occurrence can neither straddle a
    reference nor be spelt with one: the URL is in the text exactly when it is
    in the markup, found without decoding 6 KB.
    """
    if len(url) > 4 and _ESCAPED.isdisjoint(url) and _OTHER_REFERENCE.search(content) is None:
        return url in content
    return url in html.unescape(content)


def _author(name: str, url: str | None, email: str | None) -> dict[str, str]:
    """JSON Feed authors have no e-mail; §"authors" allows a mailto: url."""
    fields = {"name": name}
    if url is not None:
        fields["url"] = url
    elif email is not None:
        fields["url"] = "mailto:" + email
    return fields


def _tags(p: v.Prepared) -> list[str]:
    """Category labels, then tags, each once, in their given order."""
    seen: dict[str, None] = {}
    for _, label, _ in p.categories:
        if label:
            seen.setdefault(label, None)
    for tag in p.tags:
        if tag:
            seen.setdefault(tag, None)
    return list(seen)


def _extension(p: v.Prepared, about: str) -> dict[str, Any]:
    """Related links and categories with their scheme, which JSON Feed has no place for."""
    extension: dict[str, Any] = {"about": about}
    if p.related:
        extension["related"] = [
            {"url": url} | ({"title": title} if title else {}) for url, title in p.related
        ]
    if p.categories:
        extension["categories"] = [
            {"term": term, "label": label} | ({"scheme": scheme} if scheme is not None else {})
            for term, label, scheme in p.categories
        ]
    return extension
