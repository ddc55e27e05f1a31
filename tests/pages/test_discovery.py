"""A reader given the site's feeds address finds every feed; a publisher gets the <head> snippet.

Discovery is checked twice over a real server: by a minimal discovery step
written here with requests and lxml (RSS Board autodiscovery: `link` elements
with rel="alternate" and a feed type, resolved against the page URL), and by
feedfinder2, a feed-discovery library, given only the index URL.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from urllib.parse import urljoin

import feedparser
import pytest
import requests
from livesite import LiveSite, publish_live_site
from lxml import html
from pagedocs import DOCUMENTS, FORMATS, MAIN

from syndicator.model import ArchiveLinks
from syndicator.render.site import discovery_snippet

FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json")


@pytest.fixture
def live(tmp_path: Path) -> Iterator[LiveSite]:
    site = publish_live_site(tmp_path)
    yield site
    site.server.close()


def discover(page_url: str) -> list[tuple[str, str]]:
    """(type, absolute URL) of each feed a page advertises, in document order."""
    response = requests.get(page_url, timeout=10)
    response.raise_for_status()
    tree = html.document_fromstring(response.content)
    found = []
    for link in tree.head.iter("link"):
        rels = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").split(";")[0].strip().lower()
        if "alternate" in rels and kind in FEED_TYPES and link.get("href"):
            found.append((kind, urljoin(response.url, link.get("href"))))
    return found


def test_the_snippet_has_one_alternate_link_per_feed_and_format_main_first() -> None:
    snippet = discovery_snippet(DOCUMENTS, formats=FORMATS)
    lines = snippet.splitlines()
    assert len(lines) == len(DOCUMENTS) * len(FORMATS)
    links = [html.fragment_fromstring(line) for line in lines]
    assert all(link.tag == "link" and link.get("rel") == "alternate" for link in links)
    assert [link.get("href") for link in links[:3]] == [
        MAIN.urls.of("rss.xml"),
        MAIN.urls.of("atom.xml"),
        MAIN.urls.of("feed.json"),
    ]
    assert [link.get("type") for link in links[:3]] == list(FEED_TYPES)
    assert "<script>" not in snippet
    assert links[0].get("title") == f"{MAIN.title} (RSS)"


def test_a_single_format_snippet_titles_feeds_without_the_format() -> None:
    lines = discovery_snippet(DOCUMENTS, formats=("atom",)).splitlines()
    assert html.fragment_fromstring(lines[0]).get("title") == MAIN.title


def test_archive_pages_are_not_advertised() -> None:
    archived = replace(MAIN, key="archive/1", archive=ArchiveLinks(MAIN.urls, None, None, is_archive=True))
    assert discovery_snippet((MAIN, archived), formats=("rss",)).count("<link") == 1


def test_every_published_feed_is_discovered_from_the_index_url(live: LiveSite) -> None:
    found = discover(live.url)
    expected = [
        (kind, doc.urls.of(filename))
        for doc in live.documents
        for kind, filename in zip(FEED_TYPES, ("rss.xml", "atom.xml", "feed.json"), strict=True)
    ]
    assert found == expected
    assert found[0] == ("application/rss+xml", live.url + "rss.xml")
    assert len(live.documents) >= 3  # the main feed and a feed per category
    # Each discovered URL is a feed a reader can read, not the HTML view.
    for kind, url in found:
        if kind == "application/feed+json":
            assert requests.get(url, timeout=10).json()["version"] == "https://jsonfeed.org/version/1.1"
            continue
        parsed = feedparser.parse(url)
        assert parsed.status == 200
        assert parsed.version in ("rss20", "atom10"), url
        assert not parsed.bozo, url


needs_feedfinder = pytest.mark.skipif(
    not os.environ.get("CI") and importlib.util.find_spec("feedfinder2") is None,
    reason="feedfinder2 is not installed (it is a test dependency; CI installs it)",
)


@needs_feedfinder
@pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::UserWarning")
def test_a_discovery_library_given_the_index_url_finds_the_xml_feeds(live: LiveSite) -> None:
    import feedfinder2

    found = feedfinder2.find_feeds(live.url)
    expected = {doc.urls.of(name) for doc in live.documents for name in ("rss.xml", "atom.xml")}
    # feedfinder2 knows RSS and Atom link types, not JSON Feed's.
    assert set(found) == expected
