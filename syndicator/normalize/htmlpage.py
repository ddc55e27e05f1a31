"""An article web page (`.html`) to a Draft.

A page states its metadata several times over, with different care. Each
field is taken from the most deliberate statement that has it, in this order
of trust:

1. schema.org JSON-LD (normalize.jsonld): written for search engines, exact;
2. OpenGraph and the `article:*` properties (ogp.me §Article): written for
   social previews, usually exact, sometimes a template's default;
3. `<meta name="author">`, `<meta name="description">`;
4. `<link rel="canonical">` (RFC 6596) for the URL;
5. `<html lang>` for the language (ahead of `og:locale`, which many themes
   leave at `en_US` whatever the page's language);
6. `<title>`, whose trailing `| Site name` the assembler removes.

Every field taken records where it came from in Draft.inferred, so
`validate --explain` can say why an article got its date or title. The body
is found by normalize.main_text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape

import lxml.html
from lxml import etree

from syndicator.errors import RecordError
from syndicator.model import Author, Image
from syndicator.normalize.bylines import byline_names, split_authors
from syndicator.normalize.context import NormalizeContext
from syndicator.normalize.draft import Draft
from syndicator.normalize.jsonld import LinkedData, read_linked_data
from syndicator.normalize.language import detect_language
from syndicator.normalize.main_text import extract_main_text
from syndicator.normalize.urls import absolute_url
from syndicator.plaintext import HUGE_HTML
from syndicator.rules import fold

_MIN_BODY_WORDS = 40  # below this, readability has missed the article; JSON-LD articleBody may hold it
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_HOME_PAGE = re.compile(r"(?:https?:)?//[^/]+/?|/")


@dataclass(frozen=True)
class _Meta:
    """The page's <meta>, <link> and <html> statements, first occurrence of each."""

    properties: tuple[tuple[str, str], ...]  # (lowercased property or name, content), in page order
    canonical: str | None
    lang: str | None
    title: str | None
    h1: str | None

    def first(self, *names: str) -> tuple[str, str] | None:
        """(name, value) of the first of `names` the page states, in the order of `names`."""
        for name in names:
            for key, value in self.properties:
                if key == name and value:
                    return name, value
        return None

    def all(self, name: str) -> tuple[str, ...]:
        return tuple(dict.fromkeys(v for k, v in self.properties if k == name and v))


def extract_html_article(html: str, *, ctx: NormalizeContext, url: str | None = None) -> Draft:
    """Metadata, body and related links of an article page; `url` is where it was fetched from."""
    root = _parse(html)
    ld = read_linked_data(root)
    meta = _read_meta(root)
    inferred: list[tuple[str, str]] = []

    def pick(field: str, *candidates: tuple[str | None, str]) -> str | None:
        for value, origin in candidates:
            if value and value.strip():
                inferred.append((field, origin))
                return value.strip()
        return None

    def prop(*names: str) -> tuple[str | None, str]:
        found = meta.first(*names)
        return (found[1], found[0]) if found else (None, names[0])

    title = pick(
        "title",
        (ld.title, "JSON-LD"),
        prop("og:title", "twitter:title"),
        (meta.title, "<title>"),
        (meta.h1, "<h1>"),
    )
    page_url = pick(
        "url",
        *_deep_first(
            (ld.url, "JSON-LD"),
            prop("og:url"),
            (meta.canonical, "<link rel=canonical>"),
            (url, "the page's address"),
        ),
    )
    if page_url and url:
        page_url = absolute_url(page_url, url) or page_url
    published = pick(
        "published",
        (ld.published, "JSON-LD"),
        prop(
            "article:published_time",
            "og:published_time",
            "datepublished",
            "pubdate",
            "date",
            "dc.date.issued",
        ),
    )
    updated = pick(
        "updated",
        (ld.updated, "JSON-LD"),
        prop("article:modified_time", "og:updated_time", "datemodified", "last-modified"),
    )
    language = pick("language", (ld.language, "JSON-LD"), (meta.lang, "<html lang>"), prop("og:locale"))
    site_name = (meta.first("og:site_name", "application-name") or ("", ""))[1]
    if title and site_name:
        title = _without_site_name(title, site_name)
    summary = pick("summary", (ld.description, "JSON-LD"), prop("og:description", "description"))
    authors = _authors(ld, meta, ctx, inferred)
    categories = _categories(ld, meta, title, inferred)
    tags = tuple(t for t in ld.keywords or meta.all("article:tag") if not t.startswith(("/", "http")))
    if tags:
        inferred.append(("tags", "JSON-LD" if ld.keywords else "article:tag"))
    image = _image(ld, meta, inferred)

    body = extract_main_text(root, title=title, rules=ctx.rules)
    content = body.html
    if _words(content) < _MIN_BODY_WORDS and ld.body and len(ld.body.split()) > _words(content):
        content = _paragraphs(ld.body)
        inferred.append(("content_html", "JSON-LD articleBody"))
    elif content:
        inferred.append(("content_html", "the page's main text"))
    if body.related:
        inferred.append(("related", "related-links block"))
    language = _checked_language(language, content, inferred)
    if not title and not content:
        raise RecordError("", "", "", "not an article page: no title and no main text found")
    return Draft(
        title=title,
        url=page_url,
        content_html=content or None,
        summary=summary,
        authors=authors,
        published=published,
        updated=updated,
        language=language,
        categories=categories,
        tags=tags,
        related=body.related,
        related_titles=body.related_titles,
        image=image,
        inferred=tuple(inferred),
    )


def _parse(html: str) -> lxml.html.HtmlElement:
    # lxml refuses a str that declares its own encoding; the text is already decoded.
    text = _XML_DECLARATION.sub("", html)
    try:
        return lxml.html.document_fromstring(text, parser=HUGE_HTML)
    except (etree.ParserError, ValueError) as e:
        raise RecordError("", "", "", f"not an HTML page: {e}") from e


def _read_meta(root: lxml.html.HtmlElement) -> _Meta:
    properties: list[tuple[str, str]] = []
    canonical = None
    for element in root.iter("meta", "link"):
        if element.tag == "meta":
            key = element.get("property") or element.get("name") or element.get("itemprop")
            content = element.get("content")
            if key and content is not None:
                properties.append((key.strip().lower(), " ".join(content.split())))
        elif canonical is None and "canonical" in (element.get("rel") or "").lower().split():
            canonical = element.get("href")
    title_el = root.find(".//title")
    h1 = next(root.iter("h1"), None)
    lang = root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang")
    return _Meta(
        properties=tuple(properties),
        canonical=canonical.strip() if canonical else None,
        lang=lang.strip() if lang else None,
        title=" ".join(title_el.text_content().split()) if title_el is not None else None,
        h1=" ".join(h1.text_content().split()) if h1 is not None else None,
    )


def _without_site_name(title: str, site_name: str) -> str:
    """`Title - Site`, `Title — Site`: the site's own name is not part of the headline."""
    for sep in (" | ", " - ", " – ", " — ", " :: ", " · "):
        if title.endswith(sep + site_name) and len(title) > len(sep + site_name):
            return title[: -len(sep + site_name)].rstrip()
    return title


def _checked_language(stated: str | None, content: str, inferred: list[tuple[str, str]]) -> str | None:
    """A stated language that the body's text plainly contradicts is a theme default, not a fact."""
    if not stated or _words(content) < _MIN_BODY_WORDS * 2:
        return stated
    detected = detect_language(re.sub(r"<[^>]+>", " ", content))
    if detected and detected != stated.replace("_", "-").split("-")[0].lower():
        inferred.append(("language", "the text (the page's stated language disagrees)"))
        return detected
    return stated


def _deep_first(*candidates: tuple[str | None, str]) -> tuple[tuple[str | None, str], ...]:
    """Stated URLs that name a site's home page go last: on an article page that is a template bug."""
    home = [c for c in candidates if c[0] and _HOME_PAGE.fullmatch(c[0].strip())]
    return tuple(c for c in candidates if c not in home) + tuple(home)


def _authors(
    ld: LinkedData, meta: _Meta, ctx: NormalizeContext, inferred: list[tuple[str, str]]
) -> tuple[Author, ...]:
    if ld.authors:
        inferred.append(("authors", "JSON-LD"))
        found: list[Author] = []
        for author in ld.authors:
            # A CMS may put the whole byline in the name: "By TOM KRISHER, AP Auto Writer".
            names = byline_names(author.name, rules=ctx.rules) if " " in author.name else None
            found.extend(names if names else (author,))
        return tuple(dict.fromkeys(found))
    for name in ("author", "article:author", "dc.creator", "parsely-author", "sailthru.author"):
        for value in meta.all(name):
            if not value.startswith("http"):  # article:author is often a profile URL
                authors = split_authors(value, rules=ctx.rules)
                if authors:
                    inferred.append(("authors", f"<meta {name}>"))
                    return authors
    return ()


def _categories(
    ld: LinkedData, meta: _Meta, title: str | None, inferred: list[tuple[str, str]]
) -> tuple[str, ...]:
    if ld.sections:
        inferred.append(("categories", "JSON-LD articleSection"))
        return ld.sections
    crumbs = list(ld.breadcrumb)
    if crumbs and title and fold(crumbs[-1]) in (fold(title), fold(title)[: len(crumbs[-1])]):
        crumbs.pop()  # the last crumb is the article itself
    if len(crumbs) >= 2:
        inferred.append(("categories", "JSON-LD BreadcrumbList"))
        return tuple(crumbs[1:])  # the first crumb is the home page
    sections = meta.all("article:section")
    if sections:
        inferred.append(("categories", "article:section"))
    return sections


def _image(ld: LinkedData, meta: _Meta, inferred: list[tuple[str, str]]) -> Image | None:
    if ld.image is not None:
        inferred.append(("image", "JSON-LD"))
        return ld.image
    found = meta.first("og:image:secure_url", "og:image", "og:image:url", "twitter:image")
    if found is None:
        return None
    inferred.append(("image", found[0]))
    alt = meta.first("og:image:alt", "twitter:image:alt")

    def size(name: str) -> int | None:
        value = meta.first(name)
        return int(value[1]) if value and value[1].isdigit() and int(value[1]) > 0 else None

    return Image(
        url=found[1],
        alt=alt[1] if alt else None,
        type=(meta.first("og:image:type") or (None, None))[1],
        width=size("og:image:width"),
        height=size("og:image:height"),
    )


def _words(fragment: str) -> int:
    return len(re.sub(r"<[^>]+>", " ", fragment).split())


def _paragraphs(text: str) -> str:
    blocks = [" ".join(b.split()) for b in re.split(r"\n\s*\n|\n", text)]
    return "\n".join(f"<p>{escape(b, quote=False)}</p>" for b in blocks if b)
