"""A feed URL gives readers the feed and a person's browser the feed's readable view.

Requests are sent with the exact headers real clients send: feedparser's own
(through feedparser.parse of the URL), reader libraries' Accept strings, and
the navigation headers of Chrome, Firefox and Safari.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import feedparser
import pytest
from server_testlib import ServerFactory, fetch

from syndicator.server import RunningServer
from syndicator.server._negotiate import parse_accept, quality, view_name, wants_html

VARY = "Accept, Sec-Fetch-Dest, Accept-Encoding"

# What browsers send for a top-level navigation (typing a URL, clicking a link).
CHROME = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
    "image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7",
    "Sec-Fetch-Dest": "document",
    "Sec-Fetch-Mode": "navigate",
    "Sec-Fetch-Site": "none",
    "Sec-Fetch-User": "?1",
    "Upgrade-Insecure-Requests": "1",
    "User-Agent": (
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"
    ),
}
FIREFOX = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Sec-Fetch-Dest": "document",
    "Sec-Fetch-Mode": "navigate",
}
SAFARI = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Sec-Fetch-Dest": "document",
}

# Readers: no Sec-Fetch-* at all, whatever their Accept or User-Agent says.
READER_ACCEPTS = {
    "feedparser": feedparser.http.ACCEPT_HEADER,
    "newsboat (libcurl default)": "*/*",
    "rss-parser / Miniflux": (
        "application/rss+xml, application/rdf+xml;q=0.8, application/atom+xml;q=0.6, "
        "application/xml;q=0.4, text/xml;q=0.4"
    ),
    "SimplePie": (
        "application/atom+xml, application/rss+xml, application/rdf+xml;q=0.9, application/xml;q=0.8, "
        "text/xml;q=0.8, text/html;q=0.7, unknown/unknown;q=0.1, application/unknown;q=0.1, */*;q=0.1"
    ),
    "a scraper preferring HTML": "text/html,application/xhtml+xml,*/*;q=0.8",
}

VIEW = b"<!DOCTYPE html>\n<html lang=en><title>Home</title><h1>Home, readable</h1></html>\n"


@pytest.fixture
def with_views(feeds_dir: Path) -> Path:
    """Views next to the main feeds and the tech feed; none for the archive page."""
    for name in ("rss.html", "atom.html", "feed.html"):
        (feeds_dir / name).write_bytes(VIEW.replace(b"Home", name.encode()))
    (feeds_dir / "categories" / "tech" / "rss.html").write_bytes(VIEW.replace(b"Home", b"Tech"))
    return feeds_dir


# --- the decision, as a pure function ---------------------------------------


@pytest.mark.parametrize("browser", [CHROME, FIREFOX, SAFARI], ids=["chrome", "firefox", "safari"])
@pytest.mark.parametrize(
    "feed_type", ["application/rss+xml", "application/atom+xml", "application/feed+json"]
)
def test_a_browser_navigation_wants_html_for_every_feed_type(browser: dict[str, str], feed_type: str) -> None:
    assert wants_html(browser["Sec-Fetch-Dest"], browser["Accept"], feed_type)


@pytest.mark.parametrize("reader", sorted(READER_ACCEPTS))
def test_a_reader_never_wants_html_even_with_a_browser_s_fetch_dest_missing(reader: str) -> None:
    accept = READER_ACCEPTS[reader]
    for feed_type in ("application/rss+xml", "application/atom+xml", "application/feed+json"):
        assert not wants_html(None, accept, feed_type)


@pytest.mark.parametrize("reader", ["feedparser", "rss-parser / Miniflux", "SimplePie"])
def test_an_accept_that_ranks_the_feed_first_keeps_the_feed_even_for_a_document(reader: str) -> None:
    # A reader embedded in a browser page could send Sec-Fetch-Dest: document;
    # its Accept still ranks the feed types above text/html.
    assert not wants_html("document", READER_ACCEPTS[reader], "application/rss+xml")


@pytest.mark.parametrize("dest", ["empty", "iframe", "", "DOCUMENTS"])
def test_only_a_document_destination_counts(dest: str) -> None:
    assert not wants_html(dest, CHROME["Accept"], "application/rss+xml")
    assert wants_html("Document", CHROME["Accept"], "application/rss+xml")


def test_a_tie_or_a_missing_accept_keeps_the_feed() -> None:
    assert not wants_html("document", None, "application/rss+xml")
    assert not wants_html("document", "*/*", "application/rss+xml")
    assert not wants_html("document", "text/html, application/rss+xml", "application/rss+xml")
    assert not wants_html("document", "text/html;q=0.5, application/json", "application/feed+json")


def test_the_most_specific_range_decides_a_quality() -> None:
    ranges = parse_accept("text/*;q=0.3, text/html;q=0.7, */*;q=0.5, application/xml;q=bad, x")
    assert quality(ranges, "text/html") == 0.7
    assert quality(ranges, "text/plain") == 0.3
    assert quality(ranges, "image/png") == 0.5
    assert quality(ranges, "application/xml") == 0.0
    assert quality(parse_accept("text/html"), "application/rss+xml") == 0.0


def test_each_feed_file_has_a_view_name_next_to_it() -> None:
    assert [view_name(n) for n in ("rss.xml", "atom.xml", "feed.json")] == [
        "rss.html",
        "atom.html",
        "feed.html",
    ]


# --- over real HTTP ---------------------------------------------------------


def test_feedparser_fetching_the_url_gets_the_feed_bytes(with_views: Path, server: RunningServer) -> None:
    result = feedparser.parse(f"http://127.0.0.1:{server.port}/rss.xml")
    assert result.status == 200
    assert result.headers["content-type"] == "application/rss+xml; charset=utf-8"
    assert result.headers["vary"] == VARY
    assert result.version == "rss20"
    assert result.feed.title == "Home"
    assert len(result.entries) == 30


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/rss.xml", "application/rss+xml; charset=utf-8"),
        ("/atom.xml", "application/atom+xml; charset=utf-8"),
        ("/feed.json", "application/feed+json; charset=utf-8"),
    ],
)
def test_every_reader_gets_the_untouched_feed(
    with_views: Path, server: RunningServer, path: str, content_type: str
) -> None:
    expected = (with_views / path[1:]).read_bytes()
    for reader, accept in READER_ACCEPTS.items():
        response, body = fetch(server, path, headers={"Accept": accept, "User-Agent": CHROME["User-Agent"]})
        assert response.status == 200, reader
        assert response.getheader("Content-Type") == content_type, reader
        assert body == expected, reader
        assert response.getheader("Vary") == VARY, reader


@pytest.mark.parametrize("path", ["/rss.xml", "/atom.xml", "/feed.json", "/categories/tech/rss.xml"])
def test_a_browser_navigation_gets_the_view_written_next_to_the_feed(
    with_views: Path, server: RunningServer, path: str
) -> None:
    view = with_views / (path[1:].rsplit(".", 1)[0] + ".html")
    for browser in (CHROME, FIREFOX, SAFARI):
        response, body = fetch(server, path, headers=browser)
        assert response.status == 200
        assert response.getheader("Content-Type") == "text/html; charset=utf-8"
        assert response.getheader("Vary") == VARY
        assert body == view.read_bytes()


def test_the_two_variants_have_different_etags_and_validate_separately(
    with_views: Path, server: RunningServer
) -> None:
    feed, _ = fetch(server, "/rss.xml")
    page, _ = fetch(server, "/rss.xml", headers=CHROME)
    feed_etag, page_etag = feed.getheader("ETag"), page.getheader("ETag")
    assert feed_etag and page_etag and feed_etag != page_etag

    again, body = fetch(server, "/rss.xml", headers={**CHROME, "If-None-Match": str(page_etag)})
    assert (again.status, body, again.getheader("Vary")) == (304, b"", VARY)
    # The browser's validator is not the feed's: a reader holding it gets the feed.
    reader, body = fetch(server, "/rss.xml", headers={"If-None-Match": str(page_etag)})
    assert reader.status == 200
    assert body == (with_views / "rss.xml").read_bytes()


def test_the_view_is_gzipped_with_its_own_etag(with_views: Path, server: RunningServer) -> None:
    plain, _ = fetch(server, "/rss.xml", headers=CHROME)
    zipped, body = fetch(server, "/rss.xml", headers={**CHROME, "Accept-Encoding": "gzip"})
    assert zipped.getheader("Content-Encoding") == "gzip"
    assert gzip.decompress(body) == (with_views / "rss.html").read_bytes()
    assert zipped.getheader("ETag") == str(plain.getheader("ETag"))[:-1] + '-gz"'


def test_a_head_request_negotiates_like_a_get(with_views: Path, server: RunningServer) -> None:
    get, body = fetch(server, "/atom.xml", headers=FIREFOX)
    head, head_body = fetch(server, "/atom.xml", "HEAD", headers=FIREFOX)
    assert head_body == b""
    assert head.getheader("Content-Type") == get.getheader("Content-Type") == "text/html; charset=utf-8"
    assert head.getheader("Content-Length") == str(len(body))


def test_without_a_view_the_browser_gets_the_feed(with_views: Path, server: RunningServer) -> None:
    response, body = fetch(server, "/archive/2024/rss.xml", headers=CHROME)
    assert response.status == 200
    assert response.getheader("Content-Type") == "application/rss+xml; charset=utf-8"
    assert response.getheader("Vary") == VARY
    assert body == (with_views / "archive" / "2024" / "rss.xml").read_bytes()


def test_a_view_that_is_a_dotfile_or_outside_is_never_served(
    feeds_dir: Path, start_server: ServerFactory, tmp_path: Path
) -> None:
    (tmp_path / "outside.html").write_bytes(b"SECRET")
    (feeds_dir / "rss.html").symlink_to(tmp_path / "outside.html")
    running = start_server(feeds_dir)
    response, body = fetch(running, "/rss.xml", headers=CHROME)
    assert response.getheader("Content-Type") == "application/rss+xml; charset=utf-8"
    assert b"SECRET" not in body


def test_html_pages_and_other_files_are_not_negotiated(with_views: Path, server: RunningServer) -> None:
    for path in ("/", "/index.html", "/feeds.opml", "/rss.html"):
        response, _ = fetch(server, path, headers=CHROME)
        assert response.status == 200, path
        assert response.getheader("Vary") == "Accept-Encoding", path
