"""Upstream feeds: entries become records with their own ids, categories and related links."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sitekit import NOW, write_config
from webkit import LocalWeb, Reply

from syndicator.config import SourceConfig, load_config
from syndicator.errors import SourceError
from syndicator.model import RawRecord, Rejection
from syndicator.pipeline import publish_run
from syndicator.sources import feed


def read_feed(url: str, **keys: Any) -> list[RawRecord | Rejection]:
    source = SourceConfig("wire", "feed", {"url": url, "delay": 0, "timeout": 2, **keys})
    return [i for i in feed.read(source, feed.check(source)) if isinstance(i, (RawRecord, Rejection))]


def payloads(url: str) -> list[dict[str, Any]]:
    items = read_feed(url)
    assert all(isinstance(i, RawRecord) and i.kind == "json" and i.source_kind == "feed" for i in items)
    return [i.payload for i in items if isinstance(i, RawRecord)]


def test_rss_items_keep_guid_categories_and_related_links(web: LocalWeb) -> None:
    url = web.fixture("/rss.xml", "rss.xml", "application/rss+xml")
    first, second = payloads(url)
    assert first["id"] == "wire-1001"
    assert first["title"] == "Harbour reopens after the storm"
    assert first["url"] == "https://wire.example/2024/harbour-reopens"
    assert first["published"] == "2024-02-20T07:30:00Z"
    assert "updated" not in first  # RSS 2.0 has no modification date
    assert first["categories"] == ["World", "Ports"]
    assert first["related"] == [
        {"url": "https://wire.example/2024/storm-hits-coast", "title": "Storm hits the coast"}
    ]
    assert first["authors"] == [{"name": "Ana Costa", "url": None, "email": None}]
    assert "Ferries resumed at noon." in first["content_html"]
    assert first["summary"] == "The harbour reopened on Tuesday."
    assert first["language"] == "en"
    assert second["id"] == "https://wire.example/2024/markets-steady"
    assert second["categories"] == ["Économie"]


def test_atom_entries_take_the_alternate_link_not_the_related_one(web: LocalWeb) -> None:
    url = web.fixture("/atom.xml", "atom.xml", "application/atom+xml")
    first, second = payloads(url)
    assert first["id"] == "tag:planet.example,2024-02-21:tram"
    assert first["url"] == "https://planet.example/2024/tramway"
    assert first["related"] == [
        {"url": "https://planet.example/2024/travaux", "title": "Les travaux commencent"}
    ]
    assert first["categories"] == ["Monde"]
    assert first["published"] == "2024-02-21T08:00:00Z"
    assert first["updated"] == "2024-02-21T09:00:00Z"
    assert first["authors"][0]["name"] == "Claire Martin"
    assert first["language"] == "fr"
    assert second["categories"] == ["culture"]


def test_json_feed_items_are_read_by_our_own_reader(web: LocalWeb) -> None:
    url = web.fixture("/feed.json", "feed.json", "application/feed+json")
    first, second = payloads(url)
    assert first["id"] == "https://notes.example/2024/rust-release"
    assert first["categories"] == ["Technology"]
    assert first["related"] == [
        {"url": "https://notes.example/2023/last-release", "title": "The last release"}
    ]
    assert first["authors"] == [{"name": "Lee Park", "url": "https://notes.example/lee"}]
    assert first["updated"] == "2024-02-22T11:00:00+00:00"
    assert second["content_text"] == "Keyboards matter.\n\nChoose one you like."
    assert second["authors"] == [{"name": "Notes Team", "url": None}]  # the feed's authors
    assert second["language"] == "en"


@pytest.mark.parametrize(
    ("body", "content_type", "reason"),
    [
        (b"<rss><channel><item><title>broken</rss>", "application/rss+xml", "malformed XML"),
        (b"<html><body>Sign in</body></html>", "text/html", "expected a feed, got text/html"),
        (
            b'{"version": "https://jsonfeed.org/version/1.1", "items": [',
            "application/feed+json",
            "malformed JSON",
        ),
        (b'{"title": "not a feed"}', "application/json", "not a JSON Feed"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "application/xml", "not an RSS or Atom feed"),
    ],
)
def test_a_document_that_is_not_a_feed_fails_the_source(
    web: LocalWeb, body: bytes, content_type: str, reason: str
) -> None:
    url = web.serve("/bad", Reply(body=body, content_type=content_type))
    with pytest.raises(SourceError) as e:
        read_feed(url)
    assert e.value.source == "wire"
    assert e.value.ref == url
    assert e.value.message.startswith(reason)


def test_upstream_feeds_are_merged_and_republished_with_their_related_links(
    web: LocalWeb, tmp_path: Path
) -> None:
    rss = web.fixture("/rss.xml", "rss.xml", "application/rss+xml", etag='"r1"')
    atom = web.fixture("/atom.xml", "atom.xml", "application/atom+xml", etag='"a1"')
    jsonfeed = web.fixture("/feed.json", "feed.json", "application/feed+json", etag='"j1"')
    sources = "".join(
        f'[[sources]]\nname = "{name}"\nkind = "feed"\nurl = "{url}"\ndelay = 0\n\n'
        for name, url in (("wire", rss), ("planet", atom), ("notes", jsonfeed))
    )
    config = load_config(write_config(tmp_path, sources=sources))
    report = publish_run(config, now=NOW)
    assert report.source_errors == ()
    assert report.added == 6
    published = json.loads((tmp_path / "out" / "feed.json").read_text(encoding="utf-8"))
    by_url = {item["url"]: item for item in published["items"]}
    harbour = by_url["https://wire.example/2024/harbour-reopens"]
    assert harbour["_syndicator"]["related"] == [
        {"url": "https://wire.example/2024/storm-hits-coast", "title": "Storm hits the coast"}
    ]
    assert (
        by_url["https://notes.example/2024/rust-release"]["id"] == "https://notes.example/2024/rust-release"
    )
    assert (tmp_path / "out" / "categories" / "monde" / "rss.xml").exists()

    again = publish_run(config, now=NOW)
    assert again.records_read == 0  # three 304s: nothing parsed
    assert again.feeds_written == ()
    for path in ("/rss.xml", "/atom.xml", "/feed.json"):
        assert "if-none-match" in web.hits(path)[-1].headers
