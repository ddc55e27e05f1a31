"""Categories in every script and with symbols each get their own term and feed."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import feedparser
from sitekit import NOW, record

from syndicator.config import load_config
from syndicator.pipeline import publish_run
from syndicator.slugs import category_term

LABELS = ("日本", "Россия", "Ελλάδα", "مرحبا", "🚀", "C++", "C#", "C", "World")


def test_categories_in_any_script_or_of_emoji_or_symbols_each_have_their_own_feed(
    site: Path, add_records: Callable[..., Path]
) -> None:
    add_records("batch.json", [record(n, category=label) for n, label in enumerate(LABELS, 1)])

    report = publish_run(load_config(site / "syndicator.toml"), now=NOW)

    assert report.added == len(LABELS)
    items = json.loads((site / "out" / "feed.json").read_text(encoding="utf-8"))["items"]
    tags = {i["title"]: i["tags"] for i in items}
    assert [tags[f"Article number {n}"] for n in range(1, len(LABELS) + 1)] == [[label] for label in LABELS]
    atom = feedparser.parse((site / "out" / "atom.xml").read_bytes())
    terms = {e.title: e.tags[0].term for e in atom.entries}
    assert len(set(terms.values())) == len(LABELS)
    # Atom readers show the term: it is the label, as in RSS and JSON Feed.
    assert [terms[f"Article number {n}"] for n in range(1, len(LABELS) + 1)] == list(LABELS)

    for n, label in enumerate(LABELS, 1):
        folder = site / "out" / "categories" / category_term(label)
        feed: Any = feedparser.parse((folder / "atom.xml").read_bytes())
        assert not feed.bozo
        assert [e.title for e in feed.entries] == [f"Article number {n}"]
        self_link = next(link.href for link in feed.feed.links if link.rel == "self")
        assert self_link.isascii()
        assert (
            unquote(self_link) == f"https://gazette.example/feeds/categories/{category_term(label)}/atom.xml"
        )


def test_distinct_labels_never_share_a_term_and_latin_terms_stay_as_they_were() -> None:
    labels = ["C++", "C#", "C", "F#", "F", "🚀", "🛰", "Tokyo 東京", "Tokyo"]
    assert len({category_term(label) for label in labels}) == len(labels)
    assert category_term("Société & Culture") == "societe-culture"
    assert category_term("World") == category_term("WORLD") == "world"
    assert category_term("U.S.") == "u-s"
