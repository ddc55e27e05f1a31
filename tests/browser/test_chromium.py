"""A person opening the feed URLs in a real browser reads a page, not raw markup.

Headless Chromium opens the served rss.xml, atom.xml and feed.json of every
feed and the index, from a site published by the real pipeline and served by
the real server. Chromium navigates like any browser (Sec-Fetch-Dest:
document), which the server's log shows; the rendered DOM must show every
item's title and no feed markup; screenshots are taken at phone size.
"""

from __future__ import annotations

import logging
import struct
from pathlib import Path

import pytest
from chromiumkit import Chromium
from livesite import LiveSite
from lxml import html

FEED_FILES = ("rss.xml", "atom.xml", "feed.json")
# What a feed shown raw looks like in a browser: the XML declaration, escaped
# HTML from an RSS description, feed elements, JSON Feed keys.
RAW_MARKUP = (
    "<?xml",
    "&lt;p&gt;",
    "<p>",
    "<rss",
    "<channel",
    "<item",
    "<feed",
    "<entry",
    '"items"',
    '"version"',
)


def shown_text(dom: str) -> tuple[html.HtmlElement, str]:
    tree = html.document_fromstring(dom)
    return tree, " ".join(" ".join(tree.body.itertext()).split())


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_every_served_feed_opens_as_a_readable_page_listing_every_item(
    live: LiveSite, chromium: Chromium, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="syndicator.server._app")
    opened = 0
    for doc in live.documents:
        prefix = doc.key + "/" if doc.key else ""
        for name in FEED_FILES:
            dom = chromium.dump_dom(live.url + prefix + name)
            tree, text = shown_text(dom)
            assert tree.findtext(".//h1") == doc.title, name
            assert doc.articles, doc.key
            for article in doc.articles:
                assert article.title in text, (prefix + name, article.title)
            for raw in RAW_MARKUP:
                assert raw not in text, (prefix + name, raw)
            # The subscribe box offers this feed's own address first.
            first = tree.find(".//input[@readonly]")
            assert first is not None and first.get("value") == live.url + prefix + name
            opened += 1
    assert opened == 3 * len(live.documents) >= 9
    # The server sent the HTML view because Chromium said it was navigating.
    negotiated = [r.getMessage() for r in caplog.records if "variant=html" in r.getMessage()]
    assert len(negotiated) == opened
    assert all("sec_fetch_dest=document" in message for message in negotiated)


def test_the_index_opens_with_every_feed_and_its_addresses(live: LiveSite, chromium: Chromium) -> None:
    tree, text = shown_text(chromium.dump_dom(live.url))
    for doc in live.documents:
        assert doc.title in text
        assert f"{len(doc.articles)} items" in text
    addresses = {i.get("value") for i in tree.iter("input")}
    assert {
        live.url + (d.key + "/" if d.key else "") + f for d in live.documents for f in FEED_FILES
    } <= addresses
    for raw in ("<?xml", "&lt;"):
        assert raw not in text


def test_screenshots_of_the_pages_at_phone_size(live: LiveSite, chromium: Chromium, tmp_path: Path) -> None:
    shots = tmp_path / "screenshots"
    shots.mkdir()
    category = next(doc for doc in live.documents if doc.key)
    targets = {
        "index": live.url,
        "rss": live.url + "rss.xml",
        "atom": live.url + "atom.xml",
        "json": live.url + category.key + "/feed.json",
    }
    for name, url in targets.items():
        path = chromium.screenshot(url, shots / f"{name}.png")
        assert png_size(path) == (412, 915), name
        # A blank page compresses to almost nothing; a page of text does not.
        assert path.stat().st_size > 20_000, name
