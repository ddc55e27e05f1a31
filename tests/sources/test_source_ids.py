"""A source id names an article within its source: two CMSs each have a post 1,
and two feeds each an item `1`. An IRI id (a URL, `urn:`, `tag:`) names one
article wherever it is read. A store of an older version, which knew every id
globally, keeps the articles readers have seen."""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta
from pathlib import Path
from typing import Any

from sitekit import NOW, write_config
from webkit import LocalWeb, Reply

from syndicator.config import load_config
from syndicator.pipeline import STORE_NAME, publish_run
from syndicator.report import RunReport

EAST = '[[sources]]\nname = "east"\nkind = "directory"\npath = "east"\n\n'
SCOPE_MARK = "\x1f"  # between a source's name and its own id, in a stored key
WEST = '[[sources]]\nname = "west"\nkind = "directory"\npath = "west"\n\n'


def site_with(tmp_path: Path, sources: str) -> Path:
    for folder in ("east", "west"):
        (tmp_path / folder).mkdir(exist_ok=True)
    write_config(tmp_path, sources=sources)
    return tmp_path


def post(folder: Path, source_id: object, title: str, body: str) -> None:
    (folder / "posts.json").write_text(
        json.dumps(
            [{"id": source_id, "title": title, "content_html": f"<p>{body}</p>", "date": "2024-02-20"}]
        ),
        encoding="utf-8",
    )


def publish(site: Path, now: Any = NOW, *, full: bool = False) -> RunReport:
    return publish_run(load_config(site / "syndicator.toml"), now=now, full=full)


def items(site: Path) -> dict[str, dict[str, Any]]:
    feed = json.loads((site / "out" / "feed.json").read_text(encoding="utf-8"))
    return {item["title"]: item for item in feed["items"]}


def test_two_folder_sources_each_with_a_post_1_are_two_articles_with_two_ids(tmp_path: Path) -> None:
    site = site_with(tmp_path, EAST + WEST)
    post(site / "east", 1, "Harbour reopens", "The east harbour is open again.")
    post(site / "west", 1, "Bridge closes", "The west bridge shuts for repairs.")

    first = publish(site)

    assert (first.added, first.duplicates) == (2, ())
    harbour, bridge = items(site)["Harbour reopens"], items(site)["Bridge closes"]
    assert harbour["id"] != bridge["id"] and harbour["url"] != bridge["url"]

    # Edited in its source, each is the article it was, on the next run.
    post(site / "west", 1, "Bridge closes", "The west bridge shuts for repairs until May.")
    again = publish(site, now=NOW + timedelta(days=1))
    assert (again.added, again.changed) == (0, 1)
    assert items(site)["Bridge closes"]["id"] == bridge["id"]
    assert items(site)["Harbour reopens"] == harbour


def test_the_same_iri_id_in_two_sources_is_one_article(tmp_path: Path) -> None:
    site = site_with(tmp_path, EAST + WEST)
    shared = "urn:uuid:5f1c0e9a-7d4e-4c1b-9f54-0d3c2b1a0e99"
    post(site / "east", shared, "Harbour reopens", "The harbour is open again.")
    post(site / "west", shared, "Harbour reopens", "The harbour is open again.")

    report = publish(site)

    assert report.added == 1
    assert report.duplicates == ("west/posts.json#0: same article as east/posts.json#0",)
    assert items(site)["Harbour reopens"]["id"] == shared


def as_an_older_version_stored_it(site: Path) -> None:
    """The keys older versions saved: `id:<source id>`, whatever the source."""
    with sqlite3.connect(site / "state" / STORE_NAME) as db:
        db.execute(
            "UPDATE identity_keys SET key = 'id:' || substr(key, instr(key, ?) + 1) WHERE instr(key, ?) > 0",
            (SCOPE_MARK, SCOPE_MARK),
        )
        assert [k for (k,) in db.execute("SELECT key FROM identity_keys WHERE key LIKE 'id:%'")] == ["id:1"]


def test_an_older_store_keeps_its_post_1_and_publishes_the_other_source_s_post_1(tmp_path: Path) -> None:
    site = site_with(tmp_path, EAST)
    post(site / "east", 1, "Harbour reopens", "The east harbour is open again.")
    publish(site)
    as_an_older_version_stored_it(site)
    harbour = items(site)["Harbour reopens"]

    site_with(tmp_path, EAST + WEST)
    post(site / "west", 1, "Bridge closes", "The west bridge shuts for repairs.")
    report = publish(site, now=NOW + timedelta(days=1), full=True)

    assert (report.added, report.changed, report.duplicates) == (1, 0, ())
    assert items(site)["Harbour reopens"] == harbour
    assert items(site)["Bridge closes"]["id"] != harbour["id"]


def test_a_removed_source_s_post_1_is_never_taken_by_another_source_s_post_1(tmp_path: Path) -> None:
    site = site_with(tmp_path, EAST)
    post(site / "east", 1, "Harbour reopens", "The east harbour is open again.")
    publish(site)
    harbour = items(site)["Harbour reopens"]

    site_with(tmp_path, WEST)  # east is gone from the configuration; west has a post 1
    post(site / "west", 1, "Bridge closes", "The west bridge shuts for repairs.")
    report = publish(site, now=NOW + timedelta(days=1))

    assert (report.added, report.changed) == (1, 0)
    assert items(site)["Harbour reopens"] == harbour  # kept as readers saw it
    assert items(site)["Bridge closes"]["id"] != harbour["id"]


XML = "application/rss+xml"


def rss(title: str, link: str) -> bytes:
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>'
        "<link>https://wire.example/</link><description>d</description>"
        f'<item><title>{title}</title><link>{link}</link><guid isPermaLink="false">1</guid>'
        "<pubDate>Tue, 20 Feb 2024 10:00:00 GMT</pubDate><description>Body.</description></item>"
        "</channel></rss>"
    ).encode()


STORIES = {
    "east": ("Harbour reopens", "https://east.example/harbour"),
    "west": ("Bridge closes", "https://west.example/bridge"),
}


def feed_sources(web: LocalWeb, *names: str) -> str:
    """One feed source a name, each serving an RSS feed of one item with guid `1`."""
    blocks = []
    for name in names:
        url = web.serve(f"/{name}.xml", Reply(body=rss(*STORIES[name]), content_type=XML))
        blocks.append(f'[[sources]]\nname = "{name}"\nkind = "feed"\nurl = "{url}"\ndelay = 0\n\n')
    return "".join(blocks)


def test_two_feeds_each_with_an_item_guid_1_are_two_articles_with_two_ids(
    web: LocalWeb, tmp_path: Path
) -> None:
    write_config(tmp_path, sources=feed_sources(web, "east", "west"))

    report = publish(tmp_path)

    assert (report.added, report.duplicates, report.source_errors) == (2, (), ())
    ids = {title: item["id"] for title, item in items(tmp_path).items()}
    # The first source keeps the guid as written; the other's article gets an id of its own.
    assert ids["Harbour reopens"] == "1"
    assert ids["Bridge closes"].startswith("tag:gazette.example,2024-02-20:")

    again = publish(tmp_path, now=NOW + timedelta(days=1), full=True)
    assert (again.added, again.changed) == (0, 0)
    assert {title: item["id"] for title, item in items(tmp_path).items()} == ids


def test_a_feed_added_later_with_an_item_guid_1_does_not_take_the_stored_article_s_id(
    web: LocalWeb, tmp_path: Path
) -> None:
    write_config(tmp_path, sources=feed_sources(web, "east"))
    publish(tmp_path)
    harbour = items(tmp_path)["Harbour reopens"]

    write_config(tmp_path, sources=feed_sources(web, "east", "west"))
    report = publish(tmp_path, now=NOW + timedelta(days=1))

    assert (report.added, report.changed, report.duplicates) == (1, 0, ())
    assert items(tmp_path)["Harbour reopens"] == harbour
    assert items(tmp_path)["Bridge closes"]["id"] not in ("1", harbour["id"])
