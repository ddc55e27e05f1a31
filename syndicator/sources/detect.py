"""What a URL answers, so `publish --source URL` needs no configuration.

The `url` source kind fetches the URL once, recognises the answer from its
content type and its first bytes (an RSS, Atom or JSON Feed; a sitemap or
sitemap index; a JSON API answering a list of records or WordPress posts; an
HTML article page, read as one article; a home or section page, followed to
its feed or its article links, see `landing`), and hands the same answer to that kind's
reader with default settings. An answer it does not recognise fails the
source with one line saying what was found.

A single page named on the command line is fetched because the user asked
for it, as a browser would; robots.txt applies to the pages a sitemap lists.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from lxml import etree

from syndicator.config import SourceConfig
from syndicator.errors import SourceError
from syndicator.model import RawRecord, Rejection
from syndicator.sources import feed, json_api, pages
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
from syndicator.sources.jsonfeed import is_json_feed
from syndicator.sources.landing import Landing, landing_page
from syndicator.sources.memory import SourceMemory, SourceNews

ACCEPT = (
    "application/atom+xml, application/rss+xml, application/feed+json, application/json;q=0.9,"
    " application/xml;q=0.9, text/xml;q=0.9, text/html;q=0.8, */*;q=0.1"
)
_KEYS = ("url",)
_FEED_ROOTS = ("rss", "RDF", "feed")  # RSS 2.0, RSS 1.0 (rdf:RDF), Atom (RFC 4287 §4.1.1)
_SITEMAP_ROOTS = ("urlset", "sitemapindex")


@dataclass(frozen=True)
class UrlOptions:
    url: str
    http: HttpOptions


def check(source: SourceConfig) -> UrlOptions:
    return UrlOptions(url=check_url(source, source.options.get("url")), http=check_http(source, _KEYS, "url"))


def recognise(source: str, response: Response) -> str:
    """ "feed", "sitemap", "json_api" or "page"; anything else is a SourceError saying what it is."""
    kind = response.content_type
    body = response.body
    head = body.lstrip()[:1]
    if body[:2] == b"\x1f\x8b":
        return "sitemap"  # a gzipped sitemap.xml.gz
    if kind.endswith("json") or (
        head in (b"{", b"[") and kind in ("", "text/plain", "application/octet-stream")
    ):
        return _recognise_json(source, response)
    if kind.endswith("xml") or (head == b"<" and kind not in pages.HTML_TYPES):
        try:
            root = etree.fromstring(body, parser=etree.XMLParser(resolve_entities=False, no_network=True))
        except etree.XMLSyntaxError as e:
            if "Namespace prefix" not in e.msg:  # an undeclared prefix only: feed.py reads it
                raise SourceError(source, response.url, f"malformed XML: {e.msg}") from e
            root = etree.fromstring(body, parser=etree.XMLParser(resolve_entities=False, recover=True))
        name = etree.QName(root).localname
        if name in _FEED_ROOTS:
            return "feed"
        if name in _SITEMAP_ROOTS:
            return "sitemap"
        raise SourceError(
            source, response.url, f"an XML document with root <{name}>: not a feed or a sitemap"
        )
    if kind in pages.HTML_TYPES:
        return "page"
    sample = body[:40].decode("utf-8", errors="replace").replace("\n", " ")
    raise SourceError(
        source,
        response.url,
        f"not a feed, sitemap, JSON API or HTML page: found {kind or 'no content type'},"
        f" {len(body)} bytes" + (f" starting {sample!r}" if sample.isprintable() and sample else ""),
    )


def _recognise_json(source: str, response: Response) -> str:
    value = json_api.parse_json(source, response)
    if is_json_feed(value):
        return "feed"
    if isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
        return "json_api"
    if isinstance(value, Mapping) and (
        any(isinstance(value.get(k), list) for k in json_api._ITEM_KEYS) or "title" in value
    ):
        return "json_api"
    shape = (
        "an empty list"
        if value == []
        else f"keys {', '.join(sorted(value)[:6])}"
        if isinstance(value, Mapping)
        else type(value).__name__
    )
    raise SourceError(source, response.url, f"JSON that holds no list of records ({shape})")


def read(
    source: SourceConfig, options: UrlOptions, context: ReadContext | None = None
) -> Iterator[RawRecord | Rejection | SourceNews]:
    context = context or ReadContext()
    fetcher, memory = context.fetcher, context.memory
    try:
        response = fetcher.get(options.url, options.http, accept=ACCEPT, memory=memory)
    except FetchError as e:
        raise SourceError(source.name, e.url, e.reason) from e
    if response is None:
        return  # 304: unchanged since the last run
    what = recognise(source.name, response)
    if what == "feed":
        yield from feed.records_from(source.name, options.url, response)
    elif what == "json_api":
        api = json_api.JsonApiOptions(url=options.url, http=options.http)
        yield from json_api.records_from(source, api, response, fetcher)
    elif what == "sitemap":
        listing = pages.PagesOptions(http=options.http, sitemap=options.url)
        urls = pages.sitemap_urls(source.name, response, fetcher, listing)[: listing.max_pages]
        complete = yield from pages.read_pages(source.name, urls, listing, fetcher, memory)
        if not complete:
            return  # read the sitemap again next run, to retry the failed pages
    else:
        record = pages.page_record(source.name, options.url, response)
        landing = landing_page(record.payload, response.url)
        if landing is not None:
            yield from _follow(source, options, landing, response, fetcher, memory)
            return
        yield record
    yield from remember(memory, options.url, response)


def _follow(
    source: SourceConfig,
    options: UrlOptions,
    landing: Landing,
    response: Response,
    fetcher: Fetcher,
    memory: SourceMemory,
) -> Iterator[RawRecord | Rejection | SourceNews]:
    """A home or section page: its feed, else the articles it links to, else one clear line.

    The page itself is not remembered when it names a feed: the feed is what
    changes, and it is asked for (conditionally) on every run.
    """
    if landing.feeds:
        url = landing.feeds[0]
        try:
            answer = fetcher.get(url, options.http, accept=ACCEPT, memory=memory)
        except FetchError as e:
            raise SourceError(source.name, e.url, f"the feed {landing.why} names: {e.reason}") from e
        if answer is not None:
            yield from feed.records_from(source.name, url, answer)
            yield from remember(memory, url, answer)
        return
    if not landing.links:
        raise SourceError(
            source.name,
            response.url,
            f"not an article but {landing.why}, naming no feed and listing no article links:"
            " give the URL of its feed, or of one article",
        )
    listing = pages.PagesOptions(http=options.http, section=options.url)
    complete = True
    for item in pages.read_pages(source.name, list(landing.links), listing, fetcher, memory):
        if isinstance(item, Rejection):
            complete = False
            yield item
        elif not isinstance(item, RawRecord) or landing_page(item.payload, item.origin) is None:
            yield item  # a page it links to that is itself a listing is not followed further
    if complete:
        yield from remember(memory, options.url, response)
