"""Article pages from a URL list, a sitemap or a section page; a bad page costs only itself."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from sitekit import NOW, write_config
from webkit import LocalWeb, Reply

from syndicator.config import SourceConfig, load_config
from syndicator.errors import ConfigError, SourceError
from syndicator.model import RawRecord, Rejection
from syndicator.normalize import EXTRACTORS
from syndicator.pipeline import publish_run
from syndicator.sources import pages
from syndicator.sources.context import ReadContext
from syndicator.sources.memory import SourceMemory, SourceNews, ValidatorsSeen, learn

HTML = "text/html; charset=utf-8"


def port_site(web: LocalWeb) -> None:
    """Three article pages, a robots.txt keeping /private/ out, sitemaps and a section page."""
    for n in (1, 2, 3):
        web.fixture(f"/news/story-{n}", f"article-{n}.html", HTML, etag=f'"s{n}"')
    web.serve("/private/secret", Reply(body=b"<html><p>secret</p></html>", content_type=HTML))
    web.fixture("/robots.txt", "robots.txt", "text/plain")
    web.fixture("/sitemap.xml", "sitemap.xml", "application/xml", etag='"map1"')
    web.fixture("/sitemap-news.xml", "sitemap-news.xml", "application/xml")
    web.fixture("/sitemap-index.xml", "sitemap-index.xml", "application/xml")
    web.fixture("/world", "section.html", HTML)


def read_pages(memory: SourceMemory | None = None, **keys: Any) -> list[RawRecord | Rejection]:
    return [i for i in read_pages_and_news(memory, **keys) if isinstance(i, (RawRecord, Rejection))]


def read_pages_and_news(
    memory: SourceMemory | None = None, **keys: Any
) -> list[RawRecord | Rejection | SourceNews]:
    source = SourceConfig("port", "pages", {"delay": 0, "timeout": 2, **keys})
    return list(pages.read(source, pages.check(source), ReadContext(memory or SourceMemory())))


def urls(items: list[RawRecord | Rejection]) -> list[str]:
    return [i.origin for i in items if isinstance(i, RawRecord)]


def test_a_list_of_urls_gives_one_html_record_per_page(web: LocalWeb) -> None:
    port_site(web)
    items = read_pages(urls=[web.url("/news/story-2"), web.url("/news/story-1")])
    assert urls(items) == [web.url("/news/story-2"), web.url("/news/story-1")]
    record = items[0]
    assert isinstance(record, RawRecord)
    assert (record.kind, record.source_kind, record.ref) == ("html", "pages", web.url("/news/story-2"))
    assert "<h1>Harbour story number 2</h1>" in record.payload


def test_a_page_served_without_a_charset_is_read_in_the_encoding_it_declares(web: LocalWeb) -> None:
    page = '<html><head><meta charset="iso-8859-2"></head><h1>Rada miasta przyjęła budżet</h1></html>'
    web.serve("/news/budzet", Reply(body=page.encode("iso-8859-2"), content_type="text/html"))

    [record] = read_pages(urls=[web.url("/news/budzet")], robots=False)

    assert isinstance(record, RawRecord) and record.payload == page


def test_a_sitemap_gives_its_pages_newest_first_and_robots_txt_keeps_one_out(web: LocalWeb) -> None:
    port_site(web)
    items = read_pages(sitemap=web.url("/sitemap.xml"))
    assert urls(items) == [web.url("/news/story-2"), web.url("/news/story-1")]
    [refused] = [i for i in items if isinstance(i, Rejection)]
    assert (refused.source, refused.origin, refused.reason) == (
        "port",
        web.url("/private/secret"),
        "disallowed by robots.txt",
    )
    assert web.hits("/private/secret") == []


def test_robots_txt_can_be_switched_off(web: LocalWeb) -> None:
    port_site(web)
    items = read_pages(sitemap=web.url("/sitemap.xml"), robots=False)
    assert web.url("/private/secret") in urls(items)


def test_a_sitemap_index_and_a_google_news_sitemap_are_followed(web: LocalWeb) -> None:
    port_site(web)
    items = read_pages(sitemap=web.url("/sitemap-index.xml"), max_pages=2)
    assert urls(items) == [web.url("/news/story-3"), web.url("/news/story-2")]  # the newest two
    assert web.hits("/news/story-1") == []


def test_a_gzipped_sitemap_is_read(web: LocalWeb) -> None:
    port_site(web)
    web.serve(
        "/sitemap.xml.gz",
        Reply(body=gzip.compress(web.routes["/sitemap.xml"][0].body), content_type="application/gzip"),
    )
    assert urls(read_pages(sitemap=web.url("/sitemap.xml.gz"), robots=False))[:1] == [
        web.url("/news/story-2")
    ]


def test_a_section_page_links_are_chosen_by_css_selector(web: LocalWeb) -> None:
    port_site(web)
    items = read_pages(section=web.url("/world"), links="ul.teasers a.teaser")
    assert urls(items) == [web.url("/news/story-2"), web.url("/news/story-1")]


def test_a_section_page_links_are_chosen_by_url_pattern(web: LocalWeb) -> None:
    port_site(web)
    items = read_pages(section=web.url("/world"), pattern=r"/news/story-\d+$")
    assert urls(items) == [web.url("/news/story-2"), web.url("/news/story-1"), web.url("/news/story-3")]


def test_a_page_that_fails_is_rejected_and_the_others_are_read(web: LocalWeb) -> None:
    port_site(web)
    web.serve("/news/photo", Reply(body=b"\x89PNG....", content_type="image/png"))
    items = read_pages(
        urls=[web.url("/news/missing"), web.url("/news/photo"), web.url("/news/story-1")], retries=0
    )
    assert urls(items) == [web.url("/news/story-1")]
    assert [(r.origin, r.reason) for r in items if isinstance(r, Rejection)] == [
        (web.url("/news/missing"), "HTTP 404 Not Found"),
        (web.url("/news/photo"), "not an HTML page (image/png)"),
    ]


@pytest.mark.parametrize(
    ("body", "content_type", "reason"),
    [
        (b"<urlset><url><loc>http://x/</loc></url>", "application/xml", "malformed XML"),
        (
            b"<html><body>no sitemap here</body></html>",
            "text/html",
            "expected a sitemap (XML), got text/html",
        ),
        (b"<rss version='2.0'><channel/></rss>", "application/xml", "not a sitemap (root element <rss>)"),
    ],
)
def test_a_sitemap_that_is_not_one_fails_the_source(
    web: LocalWeb, body: bytes, content_type: str, reason: str
) -> None:
    url = web.serve("/sitemap.xml", Reply(body=body, content_type=content_type))
    with pytest.raises(SourceError) as e:
        read_pages(sitemap=url, robots=False)
    assert (e.value.source, e.value.ref) == ("port", url)
    assert e.value.message.startswith(reason)


def test_unchanged_pages_cost_one_304_each(web: LocalWeb) -> None:
    port_site(web)
    first = SourceMemory(fingerprint="f")
    told = read_pages_and_news(first, urls=[web.url("/news/story-1")])
    second = SourceMemory(fingerprint="f", http=learn(i for i in told if isinstance(i, ValidatorsSeen)).http)
    assert read_pages(second, urls=[web.url("/news/story-1")]) == []
    assert web.hits("/news/story-1")[-1].headers["if-none-match"] == '"s1"'


def test_a_pages_source_needs_exactly_one_listing() -> None:
    with pytest.raises(ConfigError, match="exactly one of urls, sitemap or section"):
        pages.check(
            SourceConfig("p", "pages", {"sitemap": "https://a.example/s.xml", "urls": ["https://a.example/"]})
        )
    with pytest.raises(ConfigError) as e:
        pages.check(SourceConfig("p", "pages", {"section": "https://a.example/world"}))
    assert e.value.key == "links"
    with pytest.raises(ConfigError, match="not a CSS selector"):
        pages.check(SourceConfig("p", "pages", {"section": "https://a.example/w", "links": "a[["}))


@pytest.mark.skipif("html" not in EXTRACTORS, reason="needs the HTML page extractor")
def test_a_sitemap_of_article_pages_publishes(web: LocalWeb, tmp_path: Path) -> None:
    port_site(web)
    sitemap = web.url("/sitemap-index.xml")
    sources = f'[[sources]]\nname = "port"\nkind = "pages"\nsitemap = "{sitemap}"\ndelay = 0\n'
    config = load_config(write_config(tmp_path, sources=sources))
    report = publish_run(config, now=NOW)
    assert report.source_errors == ()
    assert [r.reason for r in report.rejections] == ["disallowed by robots.txt"]
    published = json.loads((tmp_path / "out" / "feed.json").read_text(encoding="utf-8"))
    assert sorted(i["title"] for i in published["items"]) == [
        "Harbour story number 1",
        "Harbour story number 2",
        "Harbour story number 3",
    ]
    assert {i["url"] for i in published["items"]} == {
        "https://port.example/news/story-1",
        "https://port.example/news/story-2",
        "https://port.example/news/story-3",
    }


def test_one_run_asks_a_host_for_robots_txt_once_however_many_sources_it_serves(
    web: LocalWeb, tmp_path: Path
) -> None:
    port_site(web)
    sources = "".join(
        f'[[sources]]\nname = "{name}"\nkind = "pages"\nurls = ["{web.url(path)}"]\ndelay = 0\n'
        for name, path in (("first", "/news/story-1"), ("second", "/news/story-2"))
    )
    config = load_config(write_config(tmp_path, sources=sources))
    report = publish_run(config, now=NOW)
    assert report.source_errors == ()
    assert len(web.hits("/robots.txt")) == 1  # one session and its robots.txt answers for the run
    publish_run(config, now=NOW)
    assert len(web.hits("/robots.txt")) == 2  # the next run asks again
