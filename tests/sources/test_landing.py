"""`--source URL` naming a home page, a section page or a folder listing: its
articles are published, never the page itself; a page leading nowhere is one line."""

from __future__ import annotations

import functools
import json
import shutil
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sitekit import write_config
from webkit import LocalWeb, Reply

from syndicator.cli import cli

HTML = "text/html; charset=utf-8"
NOLINK = Path(__file__).parents[1] / "fixtures" / "nolink"
FIXTURES = Path(__file__).parent / "fixtures"


def publish(tmp_path: Path, url: str) -> tuple[int, str, list[dict[str, Any]]]:
    config = write_config(tmp_path)
    out = tmp_path / "oneoff"
    result = CliRunner().invoke(
        cli, ["publish", "--config", str(config), "--source", url, "--output", str(out)]
    )
    feed = out / "feed.json"
    items = json.loads(feed.read_text(encoding="utf-8"))["items"] if feed.exists() else []
    return result.exit_code, result.output, items


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def folder_server(tmp_path: Path) -> Iterator[str]:
    """Python's own http.server over a folder of article pages: it answers `/` with
    its generated "Directory listing for /" page."""
    root = tmp_path / "www"
    root.mkdir()
    for page in sorted(NOLINK.glob("*.html"))[:4]:
        shutil.copy(page, root / page.name)
    (root / "style.css").write_text("body { color: black }")
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def test_a_folder_listing_publishes_the_pages_it_lists_not_itself(folder_server: str, tmp_path: Path) -> None:
    status, output, items = publish(tmp_path, folder_server)

    assert status == 0, output
    assert {i["title"] for i in items} == {"Κρήτη", "Όλυμπος", "القاهرة", "نهر النيل"}
    assert not any("Directory listing" in i["title"] for i in items)


BLOG_HOME = b"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Port News</title><meta property="og:type" content="website">
<link rel="alternate" type="application/rss+xml" title="Port News" href="/rss.xml">
</head><body><nav><a href="/">Home</a> <a href="/about">About</a></nav>
<article><h2><a href="/news/story-1">Harbour story number 1</a></h2><p>The harbour grew.</p></article>
<article><h2><a href="/news/story-2">Harbour story number 2</a></h2><p>The docks are busy.</p></article>
<article><h2><a href="/news/story-3">Harbour story number 3</a></h2><p>A new terminal.</p></article>
</body></html>"""


def test_a_home_page_naming_its_feed_publishes_the_feed(web: LocalWeb, tmp_path: Path) -> None:
    home = web.serve("/", Reply(body=BLOG_HOME, content_type=HTML))
    web.fixture("/rss.xml", "rss.xml", "application/rss+xml")

    status, output, items = publish(tmp_path, home)

    assert status == 0, output
    assert sorted(i["title"] for i in items) == [
        "Harbour reopens after the storm",
        "Markets steady as rates hold",
    ]
    assert not web.hits("/news/story-1")


def test_a_section_page_without_a_feed_publishes_the_articles_it_links_to(
    web: LocalWeb, tmp_path: Path
) -> None:
    for n in (1, 2, 3):
        web.fixture(f"/news/story-{n}", f"article-{n}.html", HTML)
    web.serve(
        "/about",
        Reply(body=b"<html><title>About</title><p>We are a port paper.</p></html>", content_type=HTML),
    )
    home = web.serve(
        "/", Reply(body=BLOG_HOME.replace(b'<link rel="alternate"', b"<link"), content_type=HTML)
    )

    status, output, items = publish(tmp_path, home)

    assert status == 0, output
    assert sorted(i["title"] for i in items) == [f"Harbour story number {n}" for n in (1, 2, 3)]
    assert not web.hits("/about")  # navigation is not an article list


def test_a_page_leading_to_no_article_is_refused_in_one_line(web: LocalWeb, tmp_path: Path) -> None:
    home = web.serve(
        "/",
        Reply(
            body=b"<html><head><title>Welcome</title></head><body><nav><a href='/a'>A</a></nav></body></html>",
            content_type=HTML,
        ),
    )

    status, output, items = publish(tmp_path, home)

    assert status == 6 and items == []
    [line] = [ln for ln in output.splitlines() if ln.startswith("source failed:")]
    assert line == (
        f"source failed: {home}: {home}: not an article but a page of links, naming no feed and"
        " listing no article links: give the URL of its feed, or of one article"
    )


def test_an_article_page_naming_the_site_feed_is_still_one_article(web: LocalWeb, tmp_path: Path) -> None:
    page = (FIXTURES / "article-1.html").read_bytes()
    page = page.replace(
        b"</head>", b'<link rel="alternate" type="application/rss+xml" href="/rss.xml"></head>'
    )
    url = web.serve("/news/story-1", Reply(body=page, content_type=HTML))
    web.fixture("/rss.xml", "rss.xml", "application/rss+xml")

    status, output, items = publish(tmp_path, url)

    assert status == 0, output
    assert [i["title"] for i in items] == ["Harbour story number 1"]
    assert not web.hits("/rss.xml")
