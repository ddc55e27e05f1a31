"""Feeds as aggregators and readers take them, published from a real site:
a real store, real files, read back by feedparser and feedparser-rs."""

from __future__ import annotations

import calendar
import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import feedparser
import feedparser_rs
from lxml import etree
from sitekit import NOW, record

from syndicator.config import load_config
from syndicator.pipeline import publish_run


def publish(site: Path, now: Any = NOW) -> Any:
    return publish_run(load_config(site / "syndicator.toml"), now=now)


def test_a_feed_whose_records_were_all_rejected_is_dated_by_the_stores_first_run_not_1970(
    site: Path, add_records: Callable[..., Path]
) -> None:
    # W3C validator "ImplausibleDate": 1970-01-01 is not a date a feed was written.
    add_records("bad.json", [{"id": "x", "title": "", "content_html": ""}])
    report = publish(site)
    assert report.added == 0 and report.rejections
    publish(site, NOW + timedelta(days=3))  # a later run keeps the same date
    out = site / "out"
    rss = etree.parse(str(out / "rss.xml")).getroot()
    assert rss.findtext("channel/lastBuildDate") == "Fri, 01 Mar 2024 12:00:00 GMT"
    for name in ("rss.xml", "atom.xml"):
        for parsed in (
            feedparser.parse((out / name).read_bytes()),
            feedparser_rs.parse((out / name).read_bytes()),
        ):
            assert parsed.entries == []
            assert calendar.timegm(parsed.feed.updated_parsed) == int(NOW.timestamp())
    assert json.loads((out / "feed.json").read_text(encoding="utf-8"))["items"] == []


def configure(site: Path, **site_keys: str) -> None:
    config = site / "syndicator.toml"
    lines = "".join(f'{key} = "{value}"\n' for key, value in site_keys.items())
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace('language = "en"\n', lines, 1), encoding="utf-8")


def test_icon_logo_and_image_configured_once_reach_every_format_where_readers_look(
    site: Path, add_records: Callable[..., Path]
) -> None:
    configure(
        site,
        language="en",
        icon="/favicon.png",
        logo="https://gazette.example/logo-512.png",
        image="/banner.png",
    )
    add_records("a.json", [record(1)])
    publish(site)
    out = site / "out"
    rss = (out / "rss.xml").read_bytes()
    assert feedparser.parse(rss).feed.image.href == "https://gazette.example/banner.png"
    assert feedparser_rs.parse(rss).feed.image.href == "https://gazette.example/banner.png"
    atom = (out / "atom.xml").read_bytes()
    for parsed in (feedparser.parse(atom), feedparser_rs.parse(atom)):
        assert parsed.feed.icon == "https://gazette.example/favicon.png"
        assert parsed.feed.logo == "https://gazette.example/banner.png"
    feed = json.loads((out / "feed.json").read_text(encoding="utf-8"))
    assert (feed["icon"], feed["favicon"]) == (
        "https://gazette.example/logo-512.png",
        "https://gazette.example/favicon.png",
    )
    assert feedparser_rs.parse((out / "feed.json").read_bytes()).feed.icon == feed["icon"]
    category = feedparser.parse((out / "categories" / "world" / "atom.xml").read_bytes())
    assert category.feed.icon == "https://gazette.example/favicon.png"


def test_the_site_language_takes_a_region_and_every_item_says_its_own_language(
    site: Path, add_records: Callable[..., Path]
) -> None:
    configure(site, language="fr-FR")
    add_records("a.json", [record(1, language="fr-FR"), record(2, language="de")])
    publish(site)
    out = site / "out"
    rss = (out / "rss.xml").read_bytes()
    atom = (out / "atom.xml").read_bytes()
    for parsed in (feedparser.parse(rss), feedparser_rs.parse(rss), feedparser.parse(atom)):
        assert parsed.feed.language == "fr-FR"
    root = etree.fromstring(rss)
    languages = [i.findtext("{http://purl.org/dc/elements/1.1/}language") for i in root.iter("item")]
    assert sorted(languages) == ["de", "fr-FR"]
    entries = feedparser.parse(atom).entries
    assert sorted(e.title_detail.language or "" for e in entries) == ["de", "fr-FR"]
    items = json.loads((out / "feed.json").read_text(encoding="utf-8"))["items"]
    assert sorted(i["language"] for i in items) == ["de", "fr-FR"]


def test_a_site_publishing_in_two_languages_has_a_feed_per_language_true_of_its_items(
    site: Path, add_records: Callable[..., Path]
) -> None:
    configure(site, language="fr-FR")
    config = site / "syndicator.toml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("[output]\n", "[output]\nlanguage_feeds = true\n"),
        encoding="utf-8",
    )
    languages = {1: "fr-FR", 2: "en-GB", 3: "fr-FR", 4: "en-GB", 5: "fr-FR"}
    add_records("a.json", [record(n, language=tag) for n, tag in languages.items()])
    publish(site)
    out = site / "out"
    for tag in ("fr-FR", "en-GB"):
        folder = out / "languages" / tag
        expected = sorted(f"Article number {n}" for n, t in languages.items() if t == tag)
        for name in ("rss.xml", "atom.xml"):
            data = (folder / name).read_bytes()
            for parsed in (feedparser.parse(data), feedparser_rs.parse(data)):
                assert parsed.feed.language == tag
                assert sorted(e.title for e in parsed.entries) == expected
        feed = json.loads((folder / "feed.json").read_text(encoding="utf-8"))
        assert feed["language"] == tag
        assert {i["language"] for i in feed["items"]} == {tag}
        assert feed["feed_url"] == f"https://gazette.example/feeds/languages/{tag}/feed.json"
