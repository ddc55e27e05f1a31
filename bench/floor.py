"""What rendering the same feeds costs at the floor, and with feedgen used plainly.

The floor writes the same elements syndicator's renderers write (title, link,
guid, dates, summary, full HTML, authors, categories, related links, image; in
JSON Feed also the body's plain text, `content_text`)
straight with lxml, and the JSON Feed with the fastest serializer installed
(orjson, else the stdlib): what serialization alone costs, with none of the
checks and clean-up syndicator does. The feedgen renderer follows feedgen's
documentation (FeedGenerator, add_entry, rss_str/atom_str), nothing more.
Both read the same FeedDocuments syndicator renders, in the same process.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from email.utils import format_datetime
from typing import Any

from lxml import etree

from syndicator.model import Article, FeedDocument

try:
    import orjson

    def dumps(obj: Any) -> bytes:
        return orjson.dumps(obj, option=orjson.OPT_SORT_KEYS | orjson.OPT_APPEND_NEWLINE)

    JSON_LIB = f"orjson {orjson.__version__}"
except ImportError:  # pragma: no cover - depends on what is installed

    def dumps(obj: Any) -> bytes:
        return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode() + b"\n"

    JSON_LIB = "json (stdlib)"

ATOM = "http://www.w3.org/2005/Atom"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
DC = "http://purl.org/dc/elements/1.1/"
MEDIA = "http://search.yahoo.com/mrss/"
E = etree.SubElement


def _date(a: Article) -> Any:
    return a.updated or a.published


def floor_rss(doc: FeedDocument) -> bytes:
    rss = etree.Element(
        "rss", version="2.0", nsmap={"atom": ATOM, "content": CONTENT, "dc": DC, "media": MEDIA}
    )
    ch = E(rss, "channel")
    E(ch, "title").text = doc.title
    E(ch, "link").text = doc.urls.html
    E(ch, "description").text = doc.description
    E(ch, f"{{{ATOM}}}link", href=doc.urls.of("rss.xml"), rel="self", type="application/rss+xml")
    E(ch, "language").text = doc.language
    E(ch, "lastBuildDate").text = format_datetime(doc.updated)
    for a in doc.articles:
        it = E(ch, "item")
        E(it, "title").text = a.title
        E(it, "link").text = a.url
        E(it, "guid", isPermaLink="true" if a.id == a.url else "false").text = a.id
        if a.published is not None:
            E(it, "pubDate").text = format_datetime(a.published)
        E(it, "description").text = a.summary
        E(it, f"{{{CONTENT}}}encoded").text = a.content_html
        for au in a.authors:
            E(it, f"{{{DC}}}creator").text = au.name
        for c in a.categories:
            attrs = {"domain": c.scheme} if c.scheme else {}
            E(it, "category", attrs).text = c.label
        for r in a.related:
            E(it, f"{{{ATOM}}}link", rel="related", href=r.url)
        if a.image is not None:
            E(it, f"{{{MEDIA}}}content", url=a.image.url, medium="image")
    return etree.tostring(rss, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def floor_atom(doc: FeedDocument) -> bytes:
    feed = etree.Element(f"{{{ATOM}}}feed", nsmap={None: ATOM})  # type: ignore[dict-item]
    feed.set("{http://www.w3.org/XML/1998/namespace}lang", doc.language)
    E(feed, "id").text = doc.urls.of("atom.xml")
    E(feed, "title").text = doc.title
    E(feed, "subtitle").text = doc.description
    E(feed, "updated").text = doc.updated.isoformat()
    E(feed, "link", rel="self", href=doc.urls.of("atom.xml"), type="application/atom+xml")
    E(feed, "link", rel="alternate", href=doc.urls.html)
    E(feed, "generator", uri=doc.generator_uri, version=doc.generator_version).text = doc.generator
    for a in doc.articles:
        en = E(feed, "entry")
        E(en, "id").text = a.id
        E(en, "title").text = a.title
        E(en, "updated").text = _date(a).isoformat()
        if a.published is not None:
            E(en, "published").text = a.published.isoformat()
        E(en, "link", rel="alternate", href=a.url)
        for au in a.authors:
            E(E(en, "author"), "name").text = au.name
        E(en, "summary").text = a.summary
        E(en, "content", type="html").text = a.content_html
        for c in a.categories:
            attrs = {"term": c.term, "label": c.label} | ({"scheme": c.scheme} if c.scheme else {})
            E(en, "category", attrs)
        for r in a.related:
            E(en, "link", rel="related", href=r.url)
        if a.image is not None:
            E(en, "link", rel="enclosure", href=a.image.url, type=a.image.type or "image/jpeg")
    return etree.tostring(feed, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def floor_json(doc: FeedDocument) -> bytes:
    items = []
    for a in doc.articles:
        item: dict[str, Any] = {
            "id": a.id,
            "url": a.url,
            "title": a.title,
            "summary": a.summary,
            "content_html": a.content_html,
            # The plain text of the body, which the JSON Feed renderer writes beside the HTML.
            "content_text": a.content_text,
            "date_published": a.published.isoformat() if a.published else None,
            "date_modified": _date(a).isoformat(),
            "authors": [{"name": au.name} for au in a.authors],
            "tags": [c.label for c in a.categories] + list(a.tags),
            "language": a.language,
            "_syndicator": {
                "about": doc.generator_uri,
                "related": [{"url": r.url, "title": r.title} for r in a.related],
                "categories": [{"term": c.term, "label": c.label} for c in a.categories],
            },
        }
        if a.image is not None:
            item["image"] = a.image.url
        items.append(item)
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": doc.title,
        "home_page_url": doc.urls.html,
        "feed_url": doc.urls.of("feed.json"),
        "description": doc.description,
        "language": doc.language,
        "items": items,
    }
    return dumps(feed)


def _feedgen(doc: FeedDocument) -> Any:
    from feedgen.feed import FeedGenerator

    fg = FeedGenerator()
    fg.id(doc.urls.of("atom.xml"))
    fg.title(doc.title)
    fg.link(href=doc.urls.html, rel="alternate")
    fg.link(href=doc.urls.of("atom.xml"), rel="self")
    fg.description(doc.description)
    fg.language(doc.language)
    fg.updated(doc.updated)
    for a in doc.articles:
        fe = fg.add_entry(order="append")
        fe.id(a.id)
        fe.title(a.title)
        fe.link(href=a.url)
        fe.description(a.summary)
        fe.content(a.content_html, type="CDATA")
        if a.published is not None:
            fe.published(a.published)
        fe.updated(_date(a))
        for au in a.authors:
            fe.author(name=au.name)
        for c in a.categories:
            fe.category(term=c.term, label=c.label, scheme=c.scheme)
        for r in a.related:
            fe.link(href=r.url, rel="related")
    return fg


def feedgen_rss(doc: FeedDocument) -> bytes:
    result: bytes = _feedgen(doc).rss_str(pretty=True)
    return result


def feedgen_atom(doc: FeedDocument) -> bytes:
    result: bytes = _feedgen(doc).atom_str(pretty=True)
    return result


FLOOR: dict[str, Callable[[FeedDocument], bytes]] = {"rss": floor_rss, "atom": floor_atom, "json": floor_json}
FEEDGEN: dict[str, Callable[[FeedDocument], bytes]] = {"rss": feedgen_rss, "atom": feedgen_atom}
