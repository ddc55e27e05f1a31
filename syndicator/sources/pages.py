"""Article web pages: from a list of URLs, a sitemap, or a section page's links.

Each page becomes RawRecord(kind="html") for the HTML-page normalization. The
listing (sitemap or section page) is the source: when it cannot be fetched or
read, the whole source fails; a page that cannot be fetched, is disallowed by
robots.txt or is not HTML is one Rejection, and the pages beside it go on.

Sitemaps: the sitemaps.org 0.9 protocol (`urlset`, `sitemapindex`), gzipped
or not, and Google News sitemaps (a `news:publication_date` stands in for a
missing `lastmod`). The newest `max_pages` URLs are read, so a 5,000-URL
sitemap costs a bounded run; with the fetcher's per-host limits and
conditional GET, a page unchanged since the last run costs one 304.
"""

from __future__ import annotations

import gzip
import re
import zlib
from collections.abc import Generator, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import islice
from typing import Any, cast

import lxml.html
from lxml import etree

from syndicator.config import SourceConfig
from syndicator.errors import SourceError
from syndicator.model import RawRecord, Rejection
from syndicator.normalize.encoding import declared_charset, decode_report
from syndicator.sources.context import ReadContext
from syndicator.sources.http import (
    Fetcher,
    FetchError,
    HttpOptions,
    Response,
    check_http,
    check_url,
    remember,
)
from syndicator.sources.memory import SourceMemory, SourceNews

HTML_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.1"
XML_ACCEPT = "application/xml, text/xml;q=0.9, */*;q=0.1"
HTML_TYPES = ("text/html", "application/xhtml+xml")
_KEYS = ("urls", "sitemap", "section", "links", "pattern", "max_pages")
_MAX_SITEMAPS = 50  # child sitemaps read from one index
_MAX_SITEMAP_BYTES = 50 * 1024 * 1024  # sitemaps.org: 50 MB uncompressed at most
_DISALLOWED = "disallowed by robots.txt"
_NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"


@dataclass(frozen=True)
class PagesOptions:
    http: HttpOptions
    urls: tuple[str, ...] = ()
    sitemap: str | None = None
    section: str | None = None
    links: str | None = None  # CSS selector of the article links on the section page
    pattern: str | None = None  # regular expression an article URL matches
    max_pages: int = 200


def check(source: SourceConfig) -> PagesOptions:
    o = source.options
    given = [k for k in ("urls", "sitemap", "section") if k in o]
    if len(given) != 1:
        raise source.error("urls", "a pages source needs exactly one of urls, sitemap or section")
    urls = o.get("urls", [])
    if not isinstance(urls, list) or (not urls and "urls" in o):
        raise source.error("urls", "must be a non-empty list of page URLs")
    section = check_url(source, o["section"], "section") if "section" in o else None
    links, pattern = o.get("links"), o.get("pattern")
    if section and not (links or pattern):
        raise source.error("links", 'a section needs links = "<CSS selector>" or pattern = "<regex>"')
    if links is not None:
        if not isinstance(links, str):
            raise source.error("links", "must be a CSS selector")
        try:
            from lxml.cssselect import CSSSelector

            CSSSelector(links)
        except Exception as e:  # cssselect's SelectorSyntaxError and ExpressionError
            raise source.error("links", f"not a CSS selector: {e}") from e
    if pattern is not None:
        if not isinstance(pattern, str):
            raise source.error("pattern", "must be a regular expression")
        try:
            re.compile(pattern)
        except re.error as e:
            raise source.error("pattern", f"not a regular expression: {e}") from e
    max_pages = o.get("max_pages", 200)
    if isinstance(max_pages, bool) or not isinstance(max_pages, int) or max_pages < 1:
        raise source.error("max_pages", "must be a whole number of 1 or more")
    main = section or (check_url(source, o["sitemap"], "sitemap") if "sitemap" in o else None)
    return PagesOptions(
        http=check_http(source, _KEYS, "pages", url=main or check_url(source, urls[0], "urls[0]")),
        urls=tuple(check_url(source, u, f"urls[{i}]") for i, u in enumerate(urls)),
        sitemap=o.get("sitemap"),
        section=section,
        links=links,
        pattern=pattern,
        max_pages=max_pages,
    )


def read(
    source: SourceConfig, options: PagesOptions, context: ReadContext | None = None
) -> Iterator[RawRecord | Rejection | SourceNews]:
    context = context or ReadContext()
    fetcher, memory = context.fetcher, context.memory
    listing_url = options.sitemap or options.section
    if listing_url is None:
        yield from read_pages(source.name, list(options.urls[: options.max_pages]), options, fetcher, memory)
        return
    if not fetcher.allowed(listing_url, options.http):
        raise SourceError(source.name, listing_url, "disallowed by robots.txt")
    accept = XML_ACCEPT if options.sitemap else HTML_ACCEPT
    try:
        listing = fetcher.get(listing_url, options.http, accept=accept, memory=memory)
    except FetchError as e:
        raise SourceError(source.name, e.url, e.reason) from e
    if listing is None:
        return  # 304: the sitemap or section page lists what it listed last run
    if options.sitemap:
        urls = sitemap_urls(source.name, listing, fetcher, options)
    else:
        urls = section_urls(source.name, listing, options)
    complete = yield from read_pages(source.name, urls[: options.max_pages], options, fetcher, memory)
    if complete:  # otherwise the listing is read again next run, to retry the failed pages
        yield from remember(memory, listing_url, listing)


def read_pages(
    source: str, urls: list[str], options: PagesOptions, fetcher: Fetcher, memory: SourceMemory
) -> Generator[RawRecord | Rejection | SourceNews, None, bool]:
    """Pages fetched `per_host` at a time, yielded in list order; returns whether all were read."""
    complete = True
    workers = max(1, options.http.per_host)
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="syndicator-pages") as pool:
        it = iter(dict.fromkeys(urls))  # each URL once, first position kept
        while batch := list(islice(it, workers * 4)):
            for url, outcome in zip(
                batch, pool.map(lambda u: _page(u, options, fetcher, memory), batch), strict=True
            ):
                if isinstance(outcome, str):
                    complete = complete and outcome == _DISALLOWED  # robots.txt says the same next run
                    yield Rejection(source, url, "", "", outcome, ref=url)
                elif outcome is not None:
                    yield from remember(memory, url, outcome)
                    yield page_record(source, url, outcome)
    return complete


def _page(url: str, options: PagesOptions, fetcher: Fetcher, memory: SourceMemory) -> Response | str | None:
    """The page, None when unchanged (304), or why it was not read."""
    try:
        if not fetcher.allowed(url, options.http):
            return _DISALLOWED
        response = fetcher.get(url, options.http, accept=HTML_ACCEPT, memory=memory)
    except FetchError as e:
        return e.reason
    if response is not None and response.content_type not in HTML_TYPES:
        return f"not an HTML page ({response.content_type or 'no content type'})"
    return response


def page_record(source: str, url: str, response: Response) -> RawRecord:
    try:
        text = response.body.decode(response.charset or "utf-8")
    except (LookupError, UnicodeDecodeError):
        # A wrong or missing charset: sniff as for saved pages (the page's own <meta charset>).
        text = decode_report(response.body, declared=declared_charset(response.body)).text
    return RawRecord(source, url, "", "html", text, source_kind="pages", ref=response.url)


def sitemap_urls(source: str, response: Response, fetcher: Fetcher, options: PagesOptions) -> list[str]:
    """Page URLs of a sitemap or sitemap index, newest first (by lastmod), each once."""
    root = parse_xml(source, response)
    name = etree.QName(root).localname
    if name == "urlset":
        return _by_date(_url_entries(root))
    if name != "sitemapindex":
        raise SourceError(source, response.url, f"not a sitemap (root element <{name}>)")
    entries: list[tuple[str, str]] = []
    children = _by_date(_url_entries(root, "sitemap"))
    for child in children[:_MAX_SITEMAPS]:
        try:
            if not fetcher.allowed(child, options.http):
                continue
            part = fetcher.get_fresh(child, options.http, accept=XML_ACCEPT)
        except FetchError as e:
            raise SourceError(source, e.url, e.reason) from e
        child_root = parse_xml(source, part)
        if etree.QName(child_root).localname == "urlset":
            entries.extend(_url_entries(child_root))
    return _by_date(entries)


def parse_xml(source: str, response: Response) -> Any:
    body = response.body
    if body[:2] == b"\x1f\x8b":  # sitemap.xml.gz (sitemaps.org §"Sitemap file location")
        try:
            body = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(body, _MAX_SITEMAP_BYTES)
        except (zlib.error, gzip.BadGzipFile) as e:
            raise SourceError(source, response.url, f"broken gzip: {e}") from e
    elif response.content_type in HTML_TYPES:
        raise SourceError(source, response.url, f"expected a sitemap (XML), got {response.content_type}")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True, huge_tree=False)
    try:
        return etree.fromstring(body, parser=parser)
    except etree.XMLSyntaxError as e:
        raise SourceError(source, response.url, f"malformed XML: {e.msg}") from e


def _url_entries(root: Any, element: str = "url") -> list[tuple[str, str]]:
    entries = []
    for node in root:
        if not isinstance(node.tag, str) or etree.QName(node).localname != element:
            continue
        loc = lastmod = ""
        for child in node:
            if not isinstance(child.tag, str):
                continue
            local = etree.QName(child).localname
            if local == "loc":
                loc = (child.text or "").strip()
            elif local == "lastmod":
                lastmod = (child.text or "").strip()
            elif child.tag == f"{_NEWS}news" and not lastmod:
                lastmod = (child.findtext(f"{_NEWS}publication_date") or "").strip()
        if loc.startswith(("http://", "https://")):
            entries.append((loc, lastmod))
    return entries


def _by_date(entries: list[tuple[str, str]]) -> list[str]:
    """Newest first; W3C datetimes sort as text once cut to the same form."""
    order = sorted(range(len(entries)), key=lambda i: entries[i][1][:19] or "0", reverse=True)
    return list(dict.fromkeys(entries[i][0] for i in order))


def section_urls(source: str, response: Response, options: PagesOptions) -> list[str]:
    if response.content_type not in HTML_TYPES:
        raise SourceError(source, response.url, f"expected an HTML section page, got {response.content_type}")
    try:
        root = cast(
            lxml.html.HtmlElement,
            lxml.html.document_fromstring(page_record(source, response.url, response).payload),
        )
    except (etree.ParserError, ValueError) as e:
        raise SourceError(source, response.url, f"unreadable HTML: {e}") from e
    root.make_links_absolute(response.url, resolve_base_href=True)
    if options.links:
        chosen = root.cssselect(options.links)
        anchors = [a for el in chosen for a in ([el] if el.tag == "a" else el.iter("a"))]
    else:
        anchors = list(root.iter("a"))
    found = []
    for a in anchors:
        href = (a.get("href") or "").split("#", 1)[0]
        if not href.startswith(("http://", "https://")) or href == response.url:
            continue
        if options.pattern and not re.search(options.pattern, href):
            continue
        found.append(href)
    return list(dict.fromkeys(found))
