"""Feeds as aggregators and readers take them, published from a real site:
a real store, real files, read back by feedparser and feedparser-rs."""

from __future__ import annotations

import calendar
import json
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import feedparser
import feedparser_rs
import pytest
from lxml import etree
from sitekit import NOW, record

from syndicator.config import load_config
from syndicator.errors import ConfigError
from syndicator.feed_documents import EXCERPT_CHARS, with_content
from syndicator.model import Article, SourceRef
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


def set_output(site: Path, text: str) -> None:
    config = site / "syndicator.toml"
    config.write_text(config.read_text(encoding="utf-8") + text, encoding="utf-8")


def category_entries(site: Path, name: str) -> list[Any]:
    data = (site / "out" / "categories" / "world" / name).read_bytes()
    return [feedparser.parse(data).entries, feedparser_rs.parse(data).entries]


def test_each_kind_of_feed_takes_its_own_content_mode(site: Path, add_records: Callable[..., Path]) -> None:
    set_output(
        site, '\n[output.feeds.main]\ncontent = "excerpt"\n[output.feeds.category]\ncontent = "title"\n'
    )
    add_records("a.json", [record(1, summary="", content_html="<p>" + "word " * 100 + "</p>")])
    publish(site)
    out = site / "out"
    main = json.loads((out / "feed.json").read_text(encoding="utf-8"))["items"][0]
    assert "content_html" not in main
    assert main["summary"].startswith("word word") and len(main["summary"]) < 500
    for data in ((out / "rss.xml").read_bytes(), (out / "atom.xml").read_bytes()):
        entry = feedparser.parse(data).entries[0]
        assert "content" not in entry and entry.summary == main["summary"]
    for entries in category_entries(site, "rss.xml") + category_entries(site, "atom.xml"):
        assert [(e.title, e.summary) for e in entries] == [("Article number 1", "Article number 1")]
    category = json.loads((out / "categories" / "world" / "feed.json").read_text(encoding="utf-8"))
    assert category["items"][0]["content_text"] == "Article number 1"
    assert "content_html" not in category["items"][0]


def test_a_category_feed_keeps_its_item_count_and_age_limit(
    site: Path, add_records: Callable[..., Path]
) -> None:
    set_output(site, "\n[output.feeds.category]\nitems = 3\nmax_age_days = 4\n")
    # Odd numbers are in World, published on 2024-02-(n+1): 2, 4, 6, 8, 10, 12.
    add_records("a.json", [record(n) for n in (1, 3, 5, 7, 9, 11)])
    publish(site)
    for entries in category_entries(site, "atom.xml"):
        # The three newest (11, 9, 7); 7 is 4 days before 11, inside the limit.
        assert [e.title for e in entries] == ["Article number 11", "Article number 9", "Article number 7"]
    set_output(site, "")
    config = site / "syndicator.toml"
    config.write_text(config.read_text().replace("max_age_days = 4", "max_age_days = 3"), encoding="utf-8")
    publish(site, NOW + timedelta(hours=1))
    for entries in category_entries(site, "rss.xml"):
        assert [e.title for e in entries] == ["Article number 11", "Article number 9"]


def test_a_byte_budget_drops_the_oldest_whole_items_from_every_format(
    site: Path, add_records: Callable[..., Path]
) -> None:
    set_output(site, "\n[output.feeds.category]\nmax_bytes = 9000\n")
    body = "<p>" + "Long paragraph of the article. " * 40 + "</p>"
    add_records("a.json", [record(n, content_html=body) for n in (1, 3, 5, 7, 9, 11, 13, 15)])
    publish(site)
    folder = site / "out" / "categories" / "world"
    titles = []
    for name in ("rss.xml", "atom.xml", "feed.json"):
        data = (folder / name).read_bytes()
        assert len(data) <= 9000, name
        parsed = feedparser_rs.parse(data)
        assert not parsed.bozo
        titles.append([e.title for e in parsed.entries])
        # Every item kept is whole: its full body is there.
        assert all("Long paragraph" in (e.content[0].value if e.content else "") for e in parsed.entries)
    assert titles[0] == titles[1] == titles[2]
    newest_first = [f"Article number {n}" for n in (15, 13, 11, 9, 7, 5, 3, 1)]
    assert 0 < len(titles[0]) < 8 and titles[0] == newest_first[: len(titles[0])]


def test_an_unknown_content_mode_is_a_configuration_error_naming_the_key(site: Path) -> None:
    set_output(site, '\n[output.feeds.category]\ncontent = "summary"\n')
    with pytest.raises(ConfigError, match=r"output\.feeds\.category\.content.*'excerpt'"):
        load_config(site / "syndicator.toml")


def test_an_excerpt_without_summary_is_the_bodys_opening_words_cut_between_words() -> None:
    article = Article(
        id="a",
        url="https://gazette.example/a",
        title="A",
        summary="",
        content_html="<p>x</p>",
        authors=(),
        published=None,
        updated=None,
        language="en",
        categories=(),
        tags=(),
        related=(),
        image=None,
        source=SourceRef(kind="directory", ref="a.json"),
        content_text="word " * 100,
    )
    excerpt = with_content(article, "excerpt")
    assert (excerpt.content_html, excerpt.content_text) == ("", "")
    assert excerpt.summary.startswith("word word") and excerpt.summary.endswith("word …")
    assert len(excerpt.summary) <= EXCERPT_CHARS + 2
    stored_before_content_text = with_content(replace(article, content_text=""), "excerpt")
    assert stored_before_content_text.summary == "x"  # from the HTML body


def archive_links(out: Path) -> dict[str, dict[str, str]]:
    """Every RFC 5005 link written, by file: {"archive/2/atom.xml": {"next-archive": url}}."""
    found: dict[str, dict[str, str]] = {}
    for path in sorted(out.rglob("*.xml")):
        parsed = feedparser.parse(path.read_bytes())
        rels = {link.rel: link.href for link in parsed.feed.get("links", []) if link.rel.endswith("archive")}
        found[path.relative_to(out).as_posix()] = rels
    return found


def test_no_archive_link_points_to_a_page_that_does_not_exist_and_the_next_page_is_linked_once_full(
    site: Path, add_records: Callable[..., Path]
) -> None:
    set_output(site, "")
    config = site / "syndicator.toml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("items = 50", "items = 2\narchive_page_size = 2"),
        encoding="utf-8",
    )
    add_records("a.json", [record(n, published=f"2024-01-{n:02d}T08:00:00Z") for n in range(1, 6)])
    publish(site)
    out = site / "out"
    base = "https://gazette.example/feeds/"

    def assert_every_link_resolves() -> dict[str, dict[str, str]]:
        links = archive_links(out)
        for rels in links.values():
            for url in rels.values():
                assert url.startswith(base) and (out / url.removeprefix(base)).is_file(), url
        return links

    links = assert_every_link_resolves()
    assert "next-archive" not in links["archive/2/atom.xml"]
    assert links["archive/1/rss.xml"]["next-archive"] == base + "archive/2/rss.xml"

    add_records("b.json", [record(n, published=f"2024-01-{n:02d}T08:00:00Z") for n in range(6, 8)])
    publish(site, NOW + timedelta(hours=1))
    links = assert_every_link_resolves()
    assert links["archive/2/atom.xml"]["next-archive"] == base + "archive/3/atom.xml"
    assert "next-archive" not in links["archive/3/atom.xml"]


def test_tag_and_author_feeds_are_optional_and_hold_their_tags_and_authors_articles(
    site: Path, add_records: Callable[..., Path]
) -> None:
    add_records(
        "a.json",
        [
            record(1, tags=["Élections", "Paris"], author="Jeanne Martin"),
            record(2, tags=["Paris"], author="Ali Ben"),
            record(3, tags=["Élections"], author="Jeanne Martin"),
        ],
    )
    publish(site)
    assert not (site / "out" / "tags").exists() and not (site / "out" / "authors").exists()
    set_output(site, "")
    config = site / "syndicator.toml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "[output]\n", "[output]\ntag_feeds = true\nauthor_feeds = true\n"
        ),
        encoding="utf-8",
    )
    publish(site, NOW + timedelta(hours=1))
    out = site / "out"
    expected = {
        "tags/elections": ["Article number 3", "Article number 1"],
        "tags/paris": ["Article number 2", "Article number 1"],
        "authors/jeanne-martin": ["Article number 3", "Article number 1"],
        "authors/ali-ben": ["Article number 2"],
    }
    for key, titles in expected.items():
        for name in ("rss.xml", "atom.xml"):
            data = (out / key / name).read_bytes()
            for parsed in (feedparser.parse(data), feedparser_rs.parse(data)):
                assert [e.title for e in parsed.entries] == titles, (key, name)
        feed = json.loads((out / key / "feed.json").read_text(encoding="utf-8"))
        assert feed["feed_url"] == f"https://gazette.example/feeds/{key}/feed.json"
    assert feedparser.parse((out / "tags" / "elections" / "atom.xml").read_bytes()).feed.title.endswith(
        "Élections"
    )


def test_the_main_feeds_byte_budget_drops_only_articles_an_archive_page_holds(
    site: Path, add_records: Callable[..., Path]
) -> None:
    config = site / "syndicator.toml"
    text = config.read_text(encoding="utf-8").replace("items = 50", "items = 3\narchive_page_size = 3")
    config.write_text(text + "\n[output.feeds.main]\nmax_bytes = 1000\n", encoding="utf-8")
    body = "<p>" + "Long paragraph of the article. " * 40 + "</p>"
    records = [record(n, published=f"2024-01-{n:02d}T08:00:00Z", content_html=body) for n in range(1, 9)]
    add_records("a.json", records)
    publish(site)
    out = site / "out"
    # Pages of three in the order stored: 1-3 and 4-6 are archived; 7 and 8 are
    # only in the main feed, which keeps them over the budget; 6 is dropped.
    for name in ("rss.xml", "atom.xml"):
        for parsed in (
            feedparser.parse((out / name).read_bytes()),
            feedparser_rs.parse((out / name).read_bytes()),
        ):
            assert [e.title for e in parsed.entries] == ["Article number 8", "Article number 7"]
    archived = feedparser.parse((out / "archive" / "2" / "atom.xml").read_bytes())
    assert "Article number 6" in [e.title for e in archived.entries]


def test_a_category_feed_has_rfc5005_archives_reaching_every_article_of_the_category(
    site: Path, add_records: Callable[..., Path]
) -> None:
    config = site / "syndicator.toml"
    text = config.read_text(encoding="utf-8").replace("items = 50", "items = 2\narchive_page_size = 2")
    config.write_text(text, encoding="utf-8")
    # Odd numbers are in World: 1, 3, 5, 7, 9, 11, 13.
    add_records("a.json", [record(n, published=f"2024-01-{n:02d}T08:00:00Z") for n in range(1, 15)])
    publish(site)
    out = site / "out"
    base = "https://gazette.example/feeds/"
    world = out / "categories" / "world"
    seen: list[str] = []
    url = base + "categories/world/atom.xml"
    while url:
        path = out / url.removeprefix(base)
        assert path.is_file(), url
        parsed = feedparser.parse(path.read_bytes())
        seen += [e.title for e in parsed.entries]
        url = next((link.href for link in parsed.feed.links if link.rel == "prev-archive"), "")
    assert set(seen) == {f"Article number {n}" for n in range(1, 15, 2)}
    for folder in sorted((world / "archive").iterdir()):
        for rels in archive_links(folder).values():  # both formats of the page
            for href in rels.values():
                assert (out / href.removeprefix(base)).is_file(), href
        assert b"<fh:archive" in (folder / "atom.xml").read_bytes()
    rss = feedparser_rs.parse((world / "rss.xml").read_bytes())
    assert rss.entries and not rss.bozo


def test_tags_differing_only_in_case_share_one_feed_written_once(
    site: Path, add_records: Callable[..., Path]
) -> None:
    config = site / "syndicator.toml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("[output]\n", "[output]\ntag_feeds = true\n"),
        encoding="utf-8",
    )
    add_records("a.json", [record(1, tags=["Inflation"]), record(2, tags=["inflation"])])
    report = publish(site)
    written = [path for path in report.feeds_written if path.startswith("tags/")]
    assert sorted(written) == sorted(set(written))
    data = (site / "out" / "tags" / "inflation" / "rss.xml").read_bytes()
    for parsed in (feedparser.parse(data), feedparser_rs.parse(data)):
        assert sorted(e.title for e in parsed.entries) == ["Article number 1", "Article number 2"]
    again = publish(site, NOW + timedelta(hours=1))
    assert not [path for path in again.feeds_written if path.startswith("tags/")]


def test_a_new_article_renders_only_the_tag_author_and_language_feeds_that_hold_it(
    site: Path, add_records: Callable[..., Path]
) -> None:
    set_output(site, "")
    config = site / "syndicator.toml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "[output]\n", "[output]\ntag_feeds = true\nauthor_feeds = true\nlanguage_feeds = true\n"
        ),
        encoding="utf-8",
    )
    add_records(
        "a.json",
        [
            record(1, tags=["Élections"], author="Jeanne Martin", language="en"),
            record(2, tags=["Paris"], author="Ali Ben", language="fr"),
        ],
    )
    publish(site)
    add_records("b.json", [record(3, tags=["Paris"], author="Ali Ben", language="fr")])
    report = publish(site, NOW + timedelta(hours=1))
    touched = {f.rsplit("/", 1)[0] for f in (*report.feeds_written, *report.feeds_unchanged) if "/" in f}
    assert {"tags/paris", "authors/ali-ben", "languages/fr"} <= touched
    assert not touched & {"tags/elections", "authors/jeanne-martin", "languages/en"}
    entries = feedparser.parse((site / "out" / "tags" / "paris" / "rss.xml").read_bytes()).entries
    assert [e.title for e in entries] == ["Article number 3", "Article number 2"]
    # An edit that moves an article out of a tag renders the tag it left.
    add_records("b.json", [record(3, tags=["Élections"], author="Ali Ben", language="fr", title="Moved")])
    report = publish(site, NOW + timedelta(hours=2))
    entries = feedparser.parse((site / "out" / "tags" / "paris" / "rss.xml").read_bytes()).entries
    assert [e.title for e in entries] == ["Article number 2"]
    entries = feedparser.parse((site / "out" / "tags" / "elections" / "rss.xml").read_bytes()).entries
    assert [e.title for e in entries] == ["Moved", "Article number 1"]
