"""Independent readers see the same items: feedparser (Python) and feedparser-rs (Rust),
over every feed the shipped samples publish, in every format."""

from __future__ import annotations

import calendar
import json
import shutil
from datetime import datetime
from pathlib import Path
from typing import Any

import feedparser
import feedparser_rs
import pytest
from sitekit import CONFIG_DIR, NOW, write_config

from syndicator.config import load_config
from syndicator.pipeline import publish_run


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("samples")
    write_config(site)
    for sample in (CONFIG_DIR / "samples").iterdir():
        shutil.copy(sample, site / "articles" / sample.name)
    report = publish_run(load_config(site / "syndicator.toml"), now=NOW)
    assert report.added == 5 and not report.rejections
    return site / "out"


def feed_dirs(out: Path) -> list[Path]:
    return [out, *sorted((out / "categories").iterdir())]


def epoch(value: Any) -> int:
    return calendar.timegm(value) if not isinstance(value, datetime) else int(value.timestamp())


def python_view(path: Path) -> list[tuple[str, str, str, int]]:
    parsed = feedparser.parse(path.read_bytes())
    assert not parsed.bozo, parsed.bozo_exception
    return [(e.id, e.title, e.link, epoch(e.published_parsed)) for e in parsed.entries]


def rust_view(path: Path) -> list[tuple[str, str, str, int]]:
    parsed = feedparser_rs.parse(path.read_bytes())
    assert not parsed.bozo
    return [(e.id, e.title, e.link, epoch(e.published_parsed)) for e in parsed.entries]


def json_view(path: Path) -> list[tuple[str, str, str, int]]:
    items = json.loads(path.read_text(encoding="utf-8"))["items"]
    return [
        (i["id"], i["title"], i["url"], int(datetime.fromisoformat(i["date_published"]).timestamp()))
        for i in items
    ]


def test_python_and_rust_readers_agree_on_every_rss_and_atom_feed(published: Path) -> None:
    for folder in feed_dirs(published):
        expected = json_view(folder / "feed.json")
        assert expected, folder
        for name in ("rss.xml", "atom.xml"):
            assert python_view(folder / name) == expected, (folder, name)
            assert rust_view(folder / name) == expected, (folder, name)


def test_the_rust_reader_reads_our_json_feed_like_we_wrote_it(published: Path) -> None:
    for folder in feed_dirs(published):
        parsed = feedparser_rs.parse((folder / "feed.json").read_bytes())
        assert parsed.version == "json11"
        assert [e.id for e in parsed.entries] == [i[0] for i in json_view(folder / "feed.json")]


def test_related_links_keep_their_relation_in_atom_for_both_readers(published: Path) -> None:
    atom = (published / "atom.xml").read_bytes()
    for parsed in (feedparser.parse(atom), feedparser_rs.parse(atom)):
        related = {
            e.title: sorted(link.href for link in e.links if link.rel == "related") for e in parsed.entries
        }
        alternates = {
            e.title: [link.href for link in e.links if link.rel == "alternate"] for e in parsed.entries
        }
        assert related["Berlinale opens with a record number of debut films"] == [
            "https://news.example.org/culture/cannes-lineup"
        ]
        assert all(len(links) == 1 for links in alternates.values())


def test_categories_reach_both_readers_with_their_labels(published: Path) -> None:
    atom = (published / "categories" / "monde" / "atom.xml").read_bytes()
    for parsed in (feedparser.parse(atom), feedparser_rs.parse(atom)):
        for entry in parsed.entries:
            assert "Monde" in [t.term for t in entry.tags]
