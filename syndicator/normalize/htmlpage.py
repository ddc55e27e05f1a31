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

import copy
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html import escape

import lxml.html
from lxml import etree

from syndicator.errors import RecordError
from syndicator.model import Image
from syndicator.normalize.context import NormalizeContext
from syndicator.normalize.dates import parse_date
from syndicator.normalize.draft import Draft
from syndicator.normalize.jsonld import LinkedData, read_linked_data
from syndicator.normalize.language import detect_language
from syndicator.normalize.main_text import extract_main_text
from syndicator.normalize.pageauthors import alnum_key, page_authors
from syndicator.normalize.rules import fold
from syndicator.normalize.urls import absolute_url
from syndicator.plaintext import HUGE_HTML

_MIN_BODY_WORDS = 40  # below this, readability has missed the article; JSON-LD articleBody may hold it
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_HOME_PAGE = re.compile(r"(?:https?:)?//[^/]+/?|/")
# Where pages state their dates, most deliberate first (ogp.me §Article, Dublin Core, rNews, Parse.ly,
# Sailthru, and the names CMSs use); a statement that does not read as a date is skipped for the next.
_PUBLISHED_PROPERTIES = (
    "article:published_time",
    "og:published_time",
    "datepublished",
    "rnews:datepublished",
    "originalpublicationdate",
    "article.published",
    "publishdate",
    "publish-date",
    "pubdate",
    "parsely-pub-date",
    "sailthru.date",
    "dc.date.issued",
    "dcterms.created",
    "dc.date",
    "date",
)
_UPDATED_PROPERTIES = ("article:modified_time", "og:updated_time", "datemodified", "last-modified")
_TITLE_SEPARATORS = re.compile(r"(\s+[|–—·»:]{1,2}\s+|\s+-\s+)")
_EPOCH = re.compile(r"\d{10}(?:\d{3})?")
# `date`'s default output, "Sun Nov 23 16:00:00 EDT 2014", which some CMSs print into their meta tags.
_CTIME = re.compile(
    r"(?:[A-Za-z]{3},? )?([A-Za-z]{3}) +(\d{1,2}) (\d{1,2}:\d{2}(?::\d{2})?) "
    r"([A-Za-z]{2,5}|[+-]\d{4}) (\d{4})"
)


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

    og_title = prop("og:title", "twitter:title")
    title = pick(
        "title",
        (ld.title if _is_the_pages_title(ld.title, og_title[0], meta) else None, "JSON-LD"),
        og_title,
        (meta.title, "<title>"),
        (meta.h1, "<h1>"),
    )
    page_url = pick(
        "url",
        *_without_home_page(
            (ld.url, "JSON-LD"),
            prop("og:url"),
            (meta.canonical, "<link rel=canonical>"),
        ),
        (url, "the page's address"),
    )
    if page_url and url:
        page_url = absolute_url(page_url, url) or page_url
    language = pick("language", (ld.language, "JSON-LD"), (meta.lang, "<html lang>"), prop("og:locale"))
    published = _first_date(
        "published",
        [
            (ld.published, "JSON-LD"),
            *_props(meta, _PUBLISHED_PROPERTIES),
            *_stated_in_markup(root, "published"),
        ],
        ctx,
        language,
        inferred,
    )
    if published is None:
        published = _date_in_text(root)
        if published is not None:
            inferred.append(("published", "the date written on the page (htmldate)"))
    updated = _first_date(
        "updated",
        [(ld.updated, "JSON-LD"), *_props(meta, _UPDATED_PROPERTIES), *_stated_in_markup(root, "updated")],
        ctx,
        language,
        inferred,
    )
    site_name = (meta.first("og:site_name", "application-name") or ("", ""))[1]
    if title and meta.h1 and meta.title and og_title[0] == title and _social_title_differs(title, meta):
        title = meta.h1
        inferred.append(("title", "<h1> (as <title>; og:title is a social variant)"))
    if title:
        title = _headline(title, site_name, meta.h1, page_url or url or "")
    summary = pick("summary", (ld.description, "JSON-LD"), prop("og:description", "description"))

    categories = _categories(ld, meta, title, inferred)
    tags = tuple(t for t in ld.keywords or meta.all("article:tag") if not t.startswith(("/", "http")))
    if tags:
        inferred.append(("tags", "JSON-LD" if ld.keywords else "article:tag"))
    image = _image(ld, meta, inferred)

    body = extract_main_text(root, title=title, rules=ctx.rules, stated_words=len((ld.body or "").split()))
    publishers = (site_name, ld.publisher, _host(page_url or url or ""))
    authors = page_authors(ld.authors, meta.all, root, publishers, body.byline, ctx, inferred)
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


def _props(meta: _Meta, names: tuple[str, ...]) -> list[tuple[str | None, str]]:
    return [(value, name) for name in names for value in meta.all(name)]


def _stated_in_markup(root: lxml.html.HtmlElement, which: str) -> list[tuple[str | None, str]]:
    """schema.org microdata (`itemprop=datePublished`), a Parse.ly JSON blob, a `<time pubdate>`."""
    prop = "datepublished" if which == "published" else "datemodified"
    found: list[tuple[str | None, str]] = []
    for element in root.xpath("//*[@itemprop] | //time[@pubdate] | //meta[@name='parsely-page']"):
        if (element.get("itemprop") or "").lower() == prop:
            found.append(
                (element.get("datetime") or element.get("content") or element.text_content(), "microdata")
            )
        elif which == "published" and element.tag == "time" and element.get("pubdate") is not None:
            found.append((element.get("datetime") or element.text_content(), "<time pubdate>"))
        elif which == "published" and element.tag == "meta" and element.get("name") == "parsely-page":
            try:
                blob = json.loads(element.get("content") or "")
            except ValueError:
                continue
            if isinstance(blob, dict) and isinstance(blob.get("pub_date"), str):
                found.append((blob["pub_date"], "<meta parsely-page>"))
    return found


def _first_date(
    field: str,
    candidates: list[tuple[str | None, str]],
    ctx: NormalizeContext,
    language: str | None,
    inferred: list[tuple[str, str]],
) -> datetime | str | None:
    """The first stated date that reads as one, in the page's own offset (its local day stays its day)."""
    read = [
        (parsed, value.strip(), origin)
        for value, origin in candidates
        if value and value.strip()
        for parsed in (_page_date(value.strip(), ctx, language),)
        if parsed is not None
    ]
    if not read:
        return None
    chosen = read[0]
    if chosen[0].utcoffset() == timedelta(0):
        # A CMS often writes UTC in one place and the newsroom's local time in another: the same
        # instant, but only the local one gives the day readers saw on the page.
        chosen = next((r for r in read[1:] if r[0] == chosen[0] and r[0].utcoffset() != timedelta(0)), chosen)
    parsed, value, origin = chosen
    inferred.append((field, origin))
    # As stated when the assembler reads it the same way; a Unix time or a `date` line as read here.
    return value if parse_date(value, tz=ctx.timezone, rules=ctx.rules) == parsed else parsed


def _date_in_text(root: lxml.html.HtmlElement) -> str | None:
    """The publication day a page shows only in its text ("jueves, 09 enero 2014", "19 December 2014").

    htmldate reads dates in many languages and layouts from the page's markup and text,
    weighing them the way its evaluation on news pages found best; it is asked only when the
    page states no machine-readable date, as it is slower than reading a meta tag.
    """
    import htmldate  # imported on first use: most pages state their date

    try:
        found = htmldate.find_date(copy.deepcopy(root), original_date=True, extensive_search=True)
    except Exception:  # htmldate's own parsing errors on odd pages
        return None
    return found if isinstance(found, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", found) else None


def _page_date(value: str, ctx: NormalizeContext, language: str | None) -> datetime | None:
    if _EPOCH.fullmatch(value):  # Unix time, in seconds or milliseconds: an instant, stated in UTC
        seconds = int(value) / (1000 if len(value) == 13 else 1)
        return datetime.fromtimestamp(seconds, tz=UTC)
    m = _CTIME.fullmatch(value)
    if m:
        month, day, clock, zone, year = m.groups()
        offset = dict(ctx.rules.timezones).get(zone.upper(), zone if zone[0] in "+-" else None)
        if offset is not None:
            value = f"{day} {month} {year} {clock} {offset.replace(':', '')}"
    base = (language or "").replace("_", "-").split("-")[0].lower() or None
    return parse_date(value, tz=ctx.timezone, rules=ctx.rules, language=base)


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


def _is_the_pages_title(headline: str | None, og_title: str | None, meta: _Meta) -> bool:
    """JSON-LD `headline` is trusted when the page's visible or social title agrees with it.

    Templates fill `headline` with a teaser line, a section name or another article's
    headline; the real one is then in og:title, <title> and <h1>, which all differ from it.
    """
    if not headline:
        return False
    others = [alnum_key(t) for t in (og_title, meta.title, meta.h1) if t and alnum_key(t)]
    key = alnum_key(headline)
    if any(key in t or t in key for t in others):
        return True
    # Distrusted only when the other statements agree with one another on something else.
    return not any(a in b for i, a in enumerate(others) for j, b in enumerate(others) if i != j)


def _social_title_differs(og_title: str, meta: _Meta) -> bool:
    """og:title rewritten for sharing while <title> and <h1> both give the headline readers see."""
    h1 = alnum_key(meta.h1 or "")
    shown = alnum_key(meta.title or "")
    og = alnum_key(og_title)
    return bool(h1) and len((meta.h1 or "").split()) >= 3 and shown.startswith(h1) and og not in shown


def _headline(title: str, site_name: str, h1: str | None, url: str) -> str:
    """The headline without the site's name before or after it ("Title - Site", "Site | Title").

    The name is recognised when it matches og:site_name or the page's domain, spelled
    with any case, spaces or punctuation ("STERN.de", "stern"), or when the rest of the
    title is exactly the page's <h1>; the separator goes with it.
    """
    h1_key = alnum_key(h1 or "")
    if h1_key and alnum_key(title) == h1_key:
        return title
    parts = _TITLE_SEPARATORS.split(title)
    if h1 and len(h1_key) >= 8:
        # The headline readers see, followed or preceded by the site, section or stock tickers.
        for i in range(2, len(parts), 2):
            if alnum_key("".join(parts[: i - 1])) == h1_key or alnum_key("".join(parts[i:])) == h1_key:
                return " ".join(h1.split())
        rest = title[len(h1) :].strip() if fold(title).startswith(fold(h1)) else ""
        if rest.startswith("("):
            return " ".join(h1.split())
    if len(parts) < 3:
        return title
    names = {alnum_key(site_name)} if site_name else set()
    host = re.sub(r"^(?:https?:)?//(?:www\.)?|[/:].*$", "", url.strip().lower())
    if host and "." in host:
        names.add(alnum_key(host))
        names.add(alnum_key(host.rsplit(".", 1)[0]))
    names.discard("")

    def is_site(part: str) -> bool:
        key = alnum_key(part)
        return bool(key) and (
            key in names
            or any((key in n or n in key) and len(key) <= 2 * len(n) for n in names if len(n) >= 4)
        )

    for keep, dropped in ((parts[:-2], parts[-1]), (parts[2:], parts[0])):  # a suffix, then a prefix
        rest = "".join(keep).strip()
        headline_is_h1 = bool(h1_key) and alnum_key(rest) == h1_key and len(rest) >= len(dropped)
        if rest and (is_site(dropped) or headline_is_h1):
            return rest
    return title


def _host(url: str) -> str:
    """ "stern" for https://www.stern.de/…: the name a site's domain spells."""
    host = re.sub(r"^(?:https?:)?//(?:www\.)?|[/:].*$", "", url.strip().lower())
    return host.rsplit(".", 1)[0] if "." in host else ""


def _checked_language(stated: str | None, content: str, inferred: list[tuple[str, str]]) -> str | None:
    """A stated language that the body's text plainly contradicts is a theme default, not a fact."""
    if not stated or _words(content) < _MIN_BODY_WORDS * 2:
        return stated
    detected = detect_language(re.sub(r"<[^>]+>", " ", content))
    if detected and detected != stated.replace("_", "-").split("-")[0].lower():
        inferred.append(("language", "the text (the page's stated language disagrees)"))
        return detected
    return stated


def _without_home_page(*stated: tuple[str | None, str]) -> tuple[tuple[str | None, str], ...]:
    """The URLs a page states for itself, but for one naming a site's home page: on an
    article page that is a template bug, and taken as the article's URL it would make
    every page of the template one article (a saved page has no address of its own
    to fall back on; it then gets the URL of an article without one)."""
    return tuple(c for c in stated if not (c[0] and _HOME_PAGE.fullmatch(c[0].strip())))


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
    found = meta.first("og:image:secure_url", "og:image", "og:image:url", "twitter:image")

    def size(name: str) -> int | None:
        value = meta.first(name)
        return int(value[1]) if value and value[1].isdigit() and int(value[1]) > 0 else None

    if ld.image is not None:
        inferred.append(("image", "JSON-LD"))
        if found is not None and found[1] == ld.image.url:
            # The same picture: the Open Graph tags may give the size JSON-LD left out.
            return Image(
                ld.image.url,
                ld.image.alt,
                ld.image.type,
                ld.image.width or size("og:image:width"),
                ld.image.height or size("og:image:height"),
            )
        return ld.image
    if found is None:
        return None
    inferred.append(("image", found[0]))
    alt = meta.first("og:image:alt", "twitter:image:alt")

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
