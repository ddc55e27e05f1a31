"""`syndicator validate --profile`: every aggregator rule with a feed that
passes and one that fails, and a real site whose per-language feeds every
profile accepts."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sitekit import NOW, record

from syndicator.cli import ExitStatus
from syndicator.config import load_config
from syndicator.pipeline import publish_run
from syndicator.profiles import CHECKS, check_output, load_profiles

NAMESPACES = (
    'xmlns:atom="http://www.w3.org/2005/Atom" xmlns:content="http://purl.org/rss/1.0/modules/content/"'
    ' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:media="http://search.yahoo.com/mrss/"'
)
CHECKED_AT = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)


def item(n: int, **parts: str) -> str:
    fields = {
        "title": f"A headline long enough, number {n}",
        "link": f"https://gazette.example/{n}",
        "guid": f"https://gazette.example/{n}",
        "description": "The summary.",
        "pubDate": "Thu, 29 Feb 2024 10:00:00 GMT",
        "content:encoded": "&lt;p&gt;The whole body.&lt;/p&gt;",
        "dc:language": "fr-FR",
        "media": '<media:content url="https://gazette.example/i.jpg" medium="image" width="1200" height="800"/>',
    }
    fields.update(parts)
    body = "".join(
        value if key == "media" else f"<{key}>{value}</{key}>" for key, value in fields.items() if value
    )
    return f"<item>{body}</item>"


def feed(items: list[str], language: str = "fr-FR", self_url: str = "https://gazette.example/rss.xml") -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" {NAMESPACES}><channel>'
        f"<title>Gazette</title><link>https://gazette.example/</link><description>News</description>"
        f'<language>{language}</language><atom:link rel="self" href="{self_url}"/>'
        f"<lastBuildDate>Thu, 29 Feb 2024 10:00:00 GMT</lastBuildDate>{''.join(items)}</channel></rss>"
    )


GOOD = feed([item(n) for n in range(30)])
# For each check, a feed breaking only that rule.
BAD = {
    "feed_bytes": feed([item(n, **{"content:encoded": "x" * 70_000}) for n in range(30)]),
    "item_bytes": feed([item(0, **{"content:encoded": "x" * 1_000_001})] + [item(n) for n in range(1, 30)]),
    "item_guid": feed([item(0, guid="")] + [item(n) for n in range(1, 30)]),
    "full_content": feed([item(0, **{"content:encoded": ""})] + [item(n) for n in range(1, 30)]),
    "image_shortest_side": feed(
        [
            item(
                0,
                media='<media:content url="https://g.example/s.jpg" medium="image" width="1200" height="300"/>',
            )
        ]
        + [item(n) for n in range(1, 30)]
    ),
    "item_image": feed([item(0, media="")] + [item(n) for n in range(1, 30)]),
    "image_longest_side": feed(
        [item(0, media='<media:thumbnail url="https://g.example/t.jpg" width="640" height="480"/>')]
        + [item(n) for n in range(1, 30)]
    ),
    "image_aspect_ratio": feed(
        [
            item(
                0,
                media='<media:content url="https://g.example/w.jpg" medium="image" width="2000" height="800"/>'
                '<media:thumbnail url="https://g.example/w.jpg" width="2000" height="800"/>',
            )
        ]
        + [item(n) for n in range(1, 30)]
    ),
    "min_items": feed([item(n) for n in range(29)]),
    "channel_language": feed([item(n) for n in range(30)], language=""),
    "channel_language_region": feed([item(n) for n in range(30)], language="fr"),
    "item_description": feed([item(0, description="")] + [item(n) for n in range(1, 30)]),
    "title_max_chars": feed([item(0, title="A" * 61)] + [item(n) for n in range(1, 30)]),
    "title_chars_between": feed([item(0, title="Short title")] + [item(n) for n in range(1, 30)]),
    "published_within_days": feed(
        [item(0, pubDate="Wed, 01 Mar 2023 10:00:00 GMT")] + [item(n) for n in range(1, 30)]
    ),
    "dates_in_utc": feed(
        [item(0, pubDate="Thu, 29 Feb 2024 15:45:00 +0545")] + [item(n) for n in range(1, 30)]
    ),
    "one_language": feed([item(0, **{"dc:language": "de"})] + [item(n) for n in range(1, 30)]),
    "https_links": feed([item(n) for n in range(30)], self_url="http://gazette.example/rss.xml"),
}
RULES = [(name, rule) for name, rules in load_profiles().items() for rule in rules]


def test_every_check_has_a_failing_feed_and_every_profile_is_named() -> None:
    assert set(BAD) == set(CHECKS)
    assert sorted(load_profiles()) == ["apple-news", "flipboard", "google-news", "microsoft-start"]
    assert all(rule.source.startswith("https://") and rule.says for _, rule in RULES)


@pytest.mark.parametrize(("profile", "rule"), RULES, ids=[f"{p}-{r.check}" for p, r in RULES])
def test_each_rule_passes_a_good_feed_and_names_its_source_on_a_bad_one(
    tmp_path: Path, profile: str, rule: object
) -> None:
    check = rule.check  # type: ignore[attr-defined]
    (tmp_path / "good").mkdir()
    (tmp_path / "good" / "rss.xml").write_text(GOOD, encoding="utf-8")
    assert [f for f in check_output(tmp_path / "good", profile, CHECKED_AT) if f.rule == rule] == []
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "rss.xml").write_text(BAD[check], encoding="utf-8")
    findings = [f for f in check_output(tmp_path / "bad", profile, CHECKED_AT) if f.rule == rule]
    assert findings, check
    assert rule.source in str(findings[0]) and rule.says in str(findings[0])  # type: ignore[attr-defined]


def test_a_site_with_an_icon_and_two_languages_has_feeds_every_profile_accepts(
    site: Path, add_records: Callable[..., Path]
) -> None:
    config = site / "syndicator.toml"
    text = config.read_text(encoding="utf-8")
    text = text.replace('language = "en"\n', 'language = "fr-FR"\nicon = "/favicon.png"\n')
    text = text.replace("[output]\n", "[output]\nlanguage_feeds = true\n")
    config.write_text(text, encoding="utf-8")
    image = {"url": "https://gazette.example/big.jpg", "width": 1200, "height": 800, "type": "image/jpeg"}
    records = [
        record(
            n,
            title=f"A headline of the right length, number {n}",
            language="fr-FR" if n % 2 else "en-GB",
            image=image,
        )
        for n in range(1, 65)
    ]
    add_records("a.json", records)
    report = publish_run(load_config(config), now=NOW)
    assert report.added == 64 and not report.rejections
    for language in ("fr-FR", "en-GB"):
        folder = site / "out" / "languages" / language
        for profile in load_profiles():
            findings = check_output(folder, profile, NOW)
            assert findings == [], [str(f) for f in findings]
    result = subprocess.run(
        [sys.executable, "-m", "syndicator", "validate", "--profile", "microsoft-start", "--json", "out"],
        cwd=site,
        capture_output=True,
        text=True,
        timeout=120,
    )
    body = json.loads(result.stdout)
    # The main feed mixes two languages: Microsoft Start takes one language per feed URL.
    assert any(f["feed"] == "rss.xml" and "feed declares" in f["message"] for f in body["findings"])
    assert result.returncode == ExitStatus.REJECTED


def test_a_thumbnail_repeating_the_media_content_is_one_image_one_finding(tmp_path: Path) -> None:
    (tmp_path / "rss.xml").write_text(BAD["image_aspect_ratio"], encoding="utf-8")
    findings = [
        f
        for f in check_output(tmp_path, "microsoft-start", CHECKED_AT)
        if f.rule.check == "image_aspect_ratio"
    ]
    assert [f.message for f in findings] == ["an image is 2000x800, ratio 2.50, not between 0.5 and 1.89"]


def syndicator(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "syndicator", *args]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=120)


def test_validate_profile_prints_each_finding_with_its_rule_and_source(tmp_path: Path) -> None:
    (tmp_path / "rss.xml").write_text(BAD["title_max_chars"], encoding="utf-8")
    result = syndicator("validate", "--profile", "apple-news", "rss.xml", cwd=tmp_path)
    assert result.returncode == ExitStatus.REJECTED, result.stderr
    first = result.stdout.splitlines()[0]
    assert first.startswith("apple-news: rss.xml: item https://gazette.example/0: the title is 61 characters")
    assert "https://support.apple.com/guide/news-publisher/apdc2c7520ff/icloud" in first
    good = tmp_path / "good"
    good.mkdir()
    (good / "rss.xml").write_text(GOOD, encoding="utf-8")
    assert syndicator("validate", "--profile", "apple-news", "good", cwd=tmp_path).returncode == ExitStatus.OK


def test_validate_without_paths_or_profile_is_a_usage_error(tmp_path: Path) -> None:
    result = syndicator("validate", cwd=tmp_path)
    assert result.returncode == ExitStatus.USAGE
    assert "Missing argument 'PATHS...'" in result.stderr
