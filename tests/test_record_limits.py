"""One record cannot make a run endless: caps on its categories and tags, reported.

Each category is a feed the record is rendered into, so an upstream item with
10,000 categories once held the writer lock for hours. The caps are data
(`[limits]` of the rules file); what they drop is a warning naming the file,
the record and the field, and the article itself publishes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import feedparser
from sitekit import record

from syndicator.cli import ExitStatus

MANY = 10_000


def publish_cli(site: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # timeout: a hang guard far above the seconds this takes, not a speed target.
    return subprocess.run(
        [sys.executable, "-m", "syndicator", "publish", "--config", "syndicator.toml", *args],
        cwd=site,
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=60,
    )


def test_a_record_with_ten_thousand_categories_publishes_with_the_first_50_and_a_warning(
    site: Path, add_records: Callable[..., Path]
) -> None:
    many = record(
        1,
        category=None,
        categories=[f"Topic {i}" for i in range(MANY)],
        tags=[f"tag {i}" for i in range(MANY)],
    )
    add_records("wire.json", [record(2), many])

    result = publish_cli(site)

    assert result.returncode == ExitStatus.OK, result.stderr
    assert "read 2 records: 2 new" in result.stdout
    assert (
        f"wire.json: record 1: /categories: {MANY} categories, kept the first 50 "
        "(limits.categories_per_record in the rules file)"
    ) in result.stdout
    assert f"wire.json: record 1: /tags: {MANY} tags, kept the first 100" in result.stdout
    out = site / "out"
    topic_feeds = sorted(p.name for p in (out / "categories").iterdir() if p.name.startswith("topic-"))
    assert len(topic_feeds) == 50
    item = next(
        i for i in feedparser.parse((out / "rss.xml").read_bytes()).entries if i.title == "Article number 1"
    )
    terms = [t.term for t in item.tags]
    assert terms[:50] == [f"Topic {i}" for i in range(50)]
    assert terms[50:] == [f"tag {i}" for i in range(100)]


def test_the_warning_is_in_the_json_report_and_the_limit_is_configurable(
    site: Path, add_records: Callable[..., Path]
) -> None:
    (site / "rules.toml").write_text(
        'extends = "default"\n[limits]\ncategories_per_record = 3\n', encoding="utf-8"
    )
    config = site / "syndicator.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("[normalize]\n", '[normalize]\nrules = "rules.toml"\n'), encoding="utf-8")
    add_records("one.json", record(1, category=None, categories=["A", "B", "C", "D", "E"]))

    report = json.loads(publish_cli(site, "--json").stdout)

    assert report["added"] == 1 and report["outcome"] == "ok"
    assert report["warnings"] == [
        "articles/one.json: /categories: 5 categories, kept the first 3 "
        "(limits.categories_per_record in the rules file)"
    ]
    published = json.loads((site / "out" / "feed.json").read_text(encoding="utf-8"))
    assert published["items"][0]["tags"] == ["A", "B", "C"]
    history = subprocess.run(
        [sys.executable, "-m", "syndicator", "history", "--config", "syndicator.toml"],
        cwd=site,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "warning    -  articles/one.json  (articles/one.json: /categories: 5 categories" in history.stdout
