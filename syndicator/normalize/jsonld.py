"""schema.org JSON-LD in an article page: the publisher's own statement of its metadata.

News sites embed JSON-LD for search engines (Google's Article structured
data), so it is the most deliberate metadata a page carries: exact dates with
offsets, the real byline, the section. It comes in every shape the JSON-LD
1.1 syntax allows: one object, a list, an `@graph` (Yoast, Rank Math), the
article nested as a WebPage's `mainEntity`, nodes referencing each other by
`@id`, types as lists or full IRIs. This module flattens all of that into one
LinkedData value and never raises: a broken block is skipped, as a search
engine would.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from lxml import etree

from syndicator.model import Author, Image

# schema.org types below CreativeWork > Article that a news or blog page uses.
ARTICLE_TYPES = frozenset(
    {
        "article",
        "newsarticle",
        "reportagenewsarticle",
        "analysisnewsarticle",
        "opinionnewsarticle",
        "reviewnewsarticle",
        "backgroundnewsarticle",
        "askpublicnewsarticle",
        "blogposting",
        "liveblogposting",
        "socialmediaposting",
        "techarticle",
        "scholarlyarticle",
        "report",
        "satiricalarticle",
        "review",
    }
)
_MAX_DEPTH = 8
_CDATA = re.compile(r"^\s*(?:<!--|<!\[CDATA\[)|(?:-->|\]\]>)\s*$")


@dataclass(frozen=True)
class LinkedData:
    """What the page's JSON-LD says about its article; empty fields when it says nothing."""

    title: str | None = None  # headline, else name
    url: str | None = None  # url / mainEntityOfPage
    published: str | None = None  # datePublished (ISO 8601 as written)
    updated: str | None = None  # dateModified
    authors: tuple[Author, ...] = ()  # author: Person / Organization objects or names
    publisher: str | None = None  # publisher's name: never an author of the page
    sections: tuple[str, ...] = ()  # articleSection
    keywords: tuple[str, ...] = ()  # keywords (a list or a comma-separated string)
    breadcrumb: tuple[str, ...] = ()  # BreadcrumbList item names, in position order
    image: Image | None = None
    description: str | None = None
    language: str | None = None  # inLanguage
    body: str | None = None  # articleBody, plain text
    found_article: bool = False  # an Article-typed node was present


def read_linked_data(root: etree._Element) -> LinkedData:
    """The article and breadcrumb nodes of every JSON-LD block of a parsed page."""
    nodes: list[Mapping[str, Any]] = []
    for script in root.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        value = _load(script.text or "")
        if value is not None:
            nodes.extend(_walk(value, 0))
    by_id = {n["@id"]: n for n in nodes if isinstance(n.get("@id"), str)}
    articles = [n for n in nodes if _types(n) & ARTICLE_TYPES]
    crumbs = next((n for n in nodes if "breadcrumblist" in _types(n)), None)
    breadcrumb = _breadcrumb(crumbs, by_id) if crumbs else ()
    if not articles:
        return LinkedData(breadcrumb=breadcrumb)
    # The richest node wins: a page may also describe a related or embedded article.
    node = max(articles, key=lambda n: (bool(n.get("headline")), bool(n.get("articleBody")), len(n)))
    node = {**node, **{k: v for k, v in by_id.get(str(node.get("@id")), {}).items() if k not in node}}
    return LinkedData(
        title=_unescaped(_text(node.get("headline")) or _text(node.get("name"))),
        url=_url(node.get("url")) or _url(_resolve(node.get("mainEntityOfPage"), by_id)),
        published=_text(node.get("datePublished")) or _text(node.get("dateCreated")),
        updated=_text(node.get("dateModified")),
        authors=_authors(node.get("author"), by_id),
        publisher=_text(_resolve(node.get("publisher"), by_id)),
        sections=_strings(node.get("articleSection")),
        keywords=_keywords(node.get("keywords")),
        breadcrumb=breadcrumb,
        image=_image(_resolve(node.get("image"), by_id)),
        description=_text(node.get("description")),
        language=_text(node.get("inLanguage")),
        body=_text(node.get("articleBody")),
        found_article=True,
    )


def _load(text: str) -> Any:
    text = _CDATA.sub("", text.strip())
    if not text:
        return None
    try:
        # strict=False: raw newlines and tabs inside strings are common in CMS output.
        return json.loads(text, strict=False, parse_int=_integer)
    except (ValueError, RecursionError):  # RecursionError: a script nested thousands deep
        return None


def _integer(digits: str) -> int | str:
    """An integer too long for int() (over 4,300 digits) stays digits: no field we read is one."""
    return int(digits) if len(digits) <= 4000 else digits


def _walk(value: Any, depth: int) -> Iterator[Mapping[str, Any]]:
    """Every object in the value, outer ones first (an @graph and mainEntity included)."""
    if depth > _MAX_DEPTH:
        return
    if isinstance(value, list):
        for item in value:
            yield from _walk(item, depth + 1)
    elif isinstance(value, dict):
        if "@type" in value:
            yield value
        for key in ("@graph", "mainEntity", "mainEntityOfPage", "hasPart", "breadcrumb"):
            if key in value:
                yield from _walk(value[key], depth + 1)


def _types(node: Mapping[str, Any]) -> set[str]:
    raw = node.get("@type")
    names = raw if isinstance(raw, list) else [raw]
    # "NewsArticle", "schema:NewsArticle" and "https://schema.org/NewsArticle" are one type.
    return {re.split(r"[/:#]", n)[-1].lower() for n in names if isinstance(n, str)}


def _resolve(value: Any, by_id: Mapping[str, Mapping[str, Any]]) -> Any:
    """A `{"@id": ...}` reference replaced by the node it names (JSON-LD 1.1 §4.1)."""
    if isinstance(value, dict) and set(value) <= {"@id", "@type"} and value.get("@id") in by_id:
        return by_id[value["@id"]]
    if isinstance(value, list):
        return [_resolve(v, by_id) for v in value]
    return value


def _unescaped(value: str | None) -> str | None:
    """Text some CMSs escape once more inside JSON ("Don&#8217;t")."""
    return html.unescape(value) if value else value


def _text(value: Any) -> str | None:
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str) and v.strip()), None)
    if isinstance(value, dict):
        value = value.get("@value") or value.get("name")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    return value.strip() or None if isinstance(value, str) else None


def _url(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("url") or value.get("@id")
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str)), None)
    return value.strip() or None if isinstance(value, str) else None


def _strings(value: Any) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    return tuple(s for s in (_text(v) for v in items) if s)


def _keywords(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(k.strip() for k in value.split(",") if k.strip())
    return _strings(value)


def _authors(value: Any, by_id: Mapping[str, Mapping[str, Any]]) -> tuple[Author, ...]:
    """Person or Organization objects, or plain names (which may still read "By Jane Roe")."""
    items = _resolve(value, by_id)
    authors: list[Author] = []
    for item in items if isinstance(items, list) else [items]:
        if isinstance(item, str) and item.strip() and not item.startswith("http"):
            authors.append(Author(name=html.unescape(item.strip())))
        elif isinstance(item, dict):
            name = _text(item.get("name"))
            if name and "place" not in _types(item):  # a dateline's place is not a writer
                name = html.unescape(name)
                url = _url(item.get("url"))
                authors.append(Author(name=name, url=url if url and url.startswith("http") else None))
    return tuple(authors)


def _image(value: Any) -> Image | None:
    if isinstance(value, list):
        value = next((v for v in value if v), None)
    if isinstance(value, str) and value.strip():
        return Image(url=value.strip())
    if not isinstance(value, dict):
        return None
    url = _url(value.get("contentUrl")) or _url(value.get("url"))
    if not url:
        return None
    return Image(
        url=url,
        alt=_text(value.get("caption")) or _text(value.get("description")),
        type=_text(value.get("encodingFormat")),
        width=_int(value.get("width")),
        height=_int(value.get("height")),
    )


def _int(value: Any) -> int | None:
    if isinstance(value, dict):
        value = value.get("value")
    if isinstance(value, int) and not isinstance(value, bool):
        return value if value > 0 else None
    if isinstance(value, str):
        digits = re.match(r"\s*(\d+)", value)
        return int(digits.group(1)) or None if digits else None
    return None


def _breadcrumb(node: Mapping[str, Any], by_id: Mapping[str, Mapping[str, Any]]) -> tuple[str, ...]:
    items = node.get("itemListElement")
    if not isinstance(items, list):
        return ()
    ranked: list[tuple[float, int, str]] = []
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            continue
        target = _resolve(item.get("item"), by_id)
        name = _text(item.get("name")) or (_text(target.get("name")) if isinstance(target, dict) else None)
        position = item.get("position")
        rank = float(position) if isinstance(position, (int, float)) else float(i)
        if isinstance(position, str) and position.strip().isdigit():
            rank = float(position)
        if name:
            ranked.append((rank, i, name))
    return tuple(name for _, _, name in sorted(ranked))
