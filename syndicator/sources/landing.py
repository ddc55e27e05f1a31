"""Pages that are not an article: a home page, a section page, a directory listing.

`publish --source URL` used to read any HTML page as one article, so a home
page was published as an article titled "Home" (or "Directory listing for
/"). A page is taken for a landing page when it says so (a generated
directory listing, `og:type` other than article with many links) or looks so
(several `<article>` teasers, mostly links); one that says it is an article
(`og:type` article, `article:published_time`, JSON-LD Article) is always an
article. A landing page is followed: its autodiscovered feed (RSS Board
autodiscovery, `<link rel="alternate" type="application/rss+xml">`), else the
article links it lists; with neither it is refused in one line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import cast
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree

from syndicator.normalize.jsonld import read_linked_data

FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json")
MAX_LINKS = 50  # article links followed from one landing page
# What servers title the folder listings they generate (Python http.server, Apache, nginx, IIS).
_LISTING_TITLE = re.compile(r"^\s*(?:directory listing for|index of)\s*/", re.IGNORECASE)
# Parts of a page that hold navigation, never the list of articles.
_CHROME = frozenset({"nav", "header", "footer", "aside", "form", "menu"})
# Links to files that are not pages.
_NOT_PAGES = re.compile(
    r"\.(?:css|js|json|xml|rss|atom|png|jpe?g|gif|webp|svg|ico|pdf|zip|gz|mp3|mp4|webm|txt)$", re.IGNORECASE
)
LINK_SHARE = 0.5  # a page whose text is more than this share of link text lists, it does not tell
TEASERS = 2  # a page with this many <article> elements or more lists articles


@dataclass(frozen=True)
class Landing:
    """Why a page is not an article, and where its articles are."""

    why: str  # e.g. "a directory listing", "a page listing 6 articles"
    feeds: tuple[str, ...]  # autodiscovered feed URLs, in document order
    links: tuple[str, ...]  # the article links it lists, in document order


def landing_page(html: str, url: str) -> Landing | None:
    """None when the page is an article (or cannot be read: the page reader reports that)."""
    try:
        root = cast(lxml.html.HtmlElement, lxml.html.document_fromstring(html))
    except (etree.ParserError, ValueError):
        return None
    why = _not_an_article(root)
    if why is None:
        return None
    return Landing(why=why, feeds=_feeds(root, url), links=_article_links(root, url))


def _not_an_article(root: lxml.html.HtmlElement) -> str | None:
    title = " ".join((root.findtext(".//title") or "").split())
    if _LISTING_TITLE.match(title):
        return "a directory listing"
    meta = {
        (m.get("property") or m.get("name") or "").strip().lower(): (m.get("content") or "").strip().lower()
        for m in root.iter("meta")
    }
    og_type = meta.get("og:type", "")
    if og_type.startswith("article") or "article:published_time" in meta:
        return None
    teasers = sum(1 for a in root.iter("article") if not any(p.tag == "article" for p in a.iterancestors()))
    if read_linked_data(root).found_article and teasers < TEASERS:
        return None
    if teasers >= TEASERS:
        return f"a page listing {teasers} articles"
    body = root.find("body")
    text = "".join((body if body is not None else root).itertext()).split()
    linked = [w for a in root.iter("a") for w in "".join(a.itertext()).split()]
    size, link_size = sum(map(len, text)), sum(map(len, linked))
    if size == 0:
        return "a page with no text"
    if link_size / size > LINK_SHARE:
        return "a page of links"
    if og_type and og_type != "article" and link_size / size > LINK_SHARE / 2:
        return f"a page of og:type {og_type!r}"
    return None


def _feeds(root: lxml.html.HtmlElement, url: str) -> tuple[str, ...]:
    found = []
    for link in root.iter("link"):
        rels = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").split(";")[0].strip().lower()
        href = (link.get("href") or "").strip()
        if "alternate" in rels and kind in FEED_TYPES and href:
            absolute = urljoin(url, href)
            if absolute.startswith(("http://", "https://")):
                found.append(absolute)
    return tuple(dict.fromkeys(found))


def _article_links(root: lxml.html.HtmlElement, url: str) -> tuple[str, ...]:
    """Links to pages of the same site, below the listing's level, outside navigation."""
    page = urlsplit(url)
    ancestors = {page.path[: i + 1] for i, ch in enumerate(page.path) if ch == "/"} | {page.path, ""}
    found = []
    for a in root.iter("a"):
        if any(p.tag in _CHROME for p in a.iterancestors()):
            continue
        href = urljoin(url, (a.get("href") or "").strip()).split("#", 1)[0]
        parts = urlsplit(href)
        if parts.scheme not in ("http", "https") or parts.netloc != page.netloc:
            continue
        if parts.path in ancestors or _NOT_PAGES.search(parts.path) or href == url:
            continue
        found.append(href)
    return tuple(dict.fromkeys(found))[:MAX_LINKS]
