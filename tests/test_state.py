"""The store as readers experience it: ids and dates never move, nothing is
lost or duplicated, unchanged input costs nothing, archives keep everything.

Every test runs twice: on the SQLite file in the state directory, and on a
real PostgreSQL server named by $SYNDICATOR_STATE_URL."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import feedparser
import pytest
from sitekit import NOW, record

from syndicator.config import Config, load_config
from syndicator.errors import StoreLockedError
from syndicator.lock import held_lease
from syndicator.pipeline import publish_run
from syndicator.store import MIGRATIONS, SQLiteStore, open_store
from syndicator.store._sqlite import statements

pytestmark = pytest.mark.usefixtures("each_store")  # every test on SQLite, then PostgreSQL


def config_of(site: Path, **output: Any) -> Config:
    config = load_config(site / "syndicator.toml")
    return replace(config, output=replace(config.output, **output)) if output else config


def items(site: Path, feed: str = "feed.json") -> list[dict[str, Any]]:
    return json.loads((site / "out" / feed).read_text(encoding="utf-8"))["items"]  # type: ignore[no-any-return]


def test_an_edited_article_keeps_id_and_published_and_moves_updated_in_place(
    site: Path, add_records: Callable[..., Path]
) -> None:
    path = add_records("a.json", [record(1)])
    publish_run(config_of(site), now=NOW)
    before = items(site)[0]
    later = NOW + timedelta(days=1)
    add_records("a.json", [record(1, content_html="<p>Corrected body.</p>")])
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))

    report = publish_run(config_of(site), now=later)

    after = items(site)
    assert report.changed == 1 and len(after) == 1
    assert after[0]["id"] == before["id"]
    assert after[0]["date_published"] == before["date_published"]
    assert after[0]["date_modified"] == later.isoformat()
    assert "Corrected body." in after[0]["content_html"]


def test_a_rescrape_with_the_same_content_does_not_move_updated(
    site: Path, add_records: Callable[..., Path]
) -> None:
    add_records("a.json", [record(1)])
    publish_run(config_of(site), now=NOW)
    add_records("a.json", [record(1)])  # rewritten with the same bytes: new mtime

    report = publish_run(config_of(site), now=NOW + timedelta(days=1), full=True)

    assert report.unchanged == 1 and report.changed == 0
    item = items(site)[0]
    assert item["date_modified"] == item["date_published"]


def test_a_corrected_url_or_title_keeps_the_id(site: Path, add_records: Callable[..., Path]) -> None:
    add_records("a.json", [record(1)])
    publish_run(config_of(site), now=NOW)
    first = items(site)[0]["id"]
    add_records("a.json", [record(1, url="https://gazette.example/news/fixed-slug", title="A better title")])

    publish_run(config_of(site), now=NOW + timedelta(hours=1), full=True)

    after = items(site)
    assert [i["id"] for i in after] == [first]
    assert after[0]["url"] == "https://gazette.example/news/fixed-slug"


def test_an_article_moved_to_another_file_keeps_its_id(site: Path, add_records: Callable[..., Path]) -> None:
    path = add_records("a.json", [record(1)])
    publish_run(config_of(site), now=NOW)
    first = items(site)[0]["id"]
    path.unlink()
    add_records("moved.jsonl", [record(1)])

    publish_run(config_of(site), now=NOW + timedelta(hours=1))

    assert [i["id"] for i in items(site)] == [first]


def test_the_same_article_in_two_files_is_published_once_and_reported(
    site: Path, add_records: Callable[..., Path]
) -> None:
    add_records("a.json", [record(1)])
    add_records("b.json", [record(1, title="Same article, second copy")])

    report = publish_run(config_of(site), now=NOW)

    assert [i["title"] for i in items(site)] == ["Article number 1"]  # the first file wins
    assert report.duplicates == ("articles/b.json#0: same article as articles/a.json#0",)


def test_a_run_with_nothing_new_parses_nothing_and_rewrites_nothing(
    site: Path, add_records: Callable[..., Path]
) -> None:
    add_records("a.jsonl", [record(n) for n in range(1, 30)])
    publish_run(config_of(site), now=NOW)
    mtimes = {p: p.stat().st_mtime_ns for p in (site / "out").rglob("*.*")}

    report = publish_run(config_of(site), now=NOW + timedelta(hours=1))

    assert (report.records_read, report.files_skipped, report.feeds_written) == (0, 1, ())
    assert {p: p.stat().st_mtime_ns for p in (site / "out").rglob("*.*")} == mtimes


def test_one_new_article_rewrites_only_the_feeds_that_contain_it(
    site: Path, add_records: Callable[..., Path]
) -> None:
    add_records("a.json", [record(1, category="World"), record(2, category="Économie")])
    publish_run(config_of(site), now=NOW)

    add_records("b.json", [record(3, category="World")])
    report = publish_run(config_of(site), now=NOW + timedelta(hours=1))

    assert report.records_read == 1
    feeds = [f for f in report.feeds_written if not f.endswith(".html") and f != "feeds.opml"]
    assert sorted(feeds) == sorted(
        [
            "rss.xml",
            "atom.xml",
            "feed.json",
            "categories/world/rss.xml",
            "categories/world/atom.xml",
            "categories/world/feed.json",
        ]
    )


def test_a_changed_rule_file_makes_every_file_read_again(
    site: Path, add_records: Callable[..., Path]
) -> None:
    add_records("a.json", [record(1)])
    config = config_of(site)
    publish_run(config, now=NOW)
    taxonomy = site / "taxonomy.toml"
    taxonomy.write_text('[categories.world]\nlabel = "Le Monde"\naliases = ["world"]\n', encoding="utf-8")

    report = publish_run(replace(config, taxonomy_path=taxonomy), now=NOW + timedelta(hours=1))

    assert report.records_read == 1 and report.changed == 1
    assert items(site)[0]["tags"][0] == "Le Monde"


def test_removed_articles_stay_by_default_and_are_retracted_when_configured(
    site: Path, add_records: Callable[..., Path]
) -> None:
    add_records("a.json", [record(1), record(2), record(3)])
    publish_run(config_of(site), now=NOW)
    add_records("a.json", [record(1), record(3)])

    kept = publish_run(config_of(site), now=NOW + timedelta(hours=1))
    assert kept.removed_from_source == 1 and len(items(site)) == 3

    add_records("a.json", [record(1)])
    gone = publish_run(config_of(site, removed="retract"), now=NOW + timedelta(hours=2))
    assert gone.removed_from_source == 2 and gone.retracted == 2
    assert [i["title"] for i in items(site)] == ["Article number 1"]


# Neither title nor body: the one kind of record that cannot make an item.
UNUSABLE = {"id": "cms-2", "url": "https://gazette.example/news/article-2"}


def test_a_file_with_a_rejected_record_never_retracts_its_articles(
    site: Path, add_records: Callable[..., Path]
) -> None:
    add_records("a.json", [record(1), record(2)])
    publish_run(config_of(site, removed="retract"), now=NOW)
    add_records("a.json", [record(1), record(2, title=None, summary=None, content_html=None)])

    report = publish_run(config_of(site, removed="retract"), now=NOW + timedelta(hours=1))

    assert len(report.rejections) == 1 and report.removed_from_source == 0
    assert len(items(site)) == 2


def test_a_rejected_record_is_kept_reported_until_fixed_and_then_publishes(
    site: Path, add_records: Callable[..., Path]
) -> None:
    path = add_records("a.json", [record(1), record(2, title=None, summary=None, content_html=None)])
    first = publish_run(config_of(site), now=NOW)
    kept = json.loads(Path(first.rejection_report or "").read_text(encoding="utf-8"))
    untouched = publish_run(config_of(site), now=NOW + timedelta(hours=1))

    add_records("a.json", [record(1), record(2)])
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    fixed = publish_run(config_of(site), now=NOW + timedelta(hours=2))

    assert len(first.rejections) == 1 and kept[0]["record"]["title"] is None
    assert len(untouched.rejections) == 1  # reported on every run until the file is fixed
    assert fixed.added == 1 and fixed.rejections == ()
    assert len(items(site)) == 2


def test_a_store_written_by_the_first_schema_is_migrated_with_its_articles(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path)
    for statement in statements(MIGRATIONS[0]):
        db.execute(statement)
    db.execute(
        "INSERT INTO articles (id, url, source_ref, content_hash, first_seen, published, published_utc, data)"
        " VALUES ('tag:x,2024-01-01:1', 'https://x.example/1', 's/a.json', 'v1:0',"
        " '2024-01-01T00:00:00+00:00', '2024-01-01T00:00:00+00:00', '2024-01-01T00:00:00Z', ?)",
        (
            json.dumps(
                {
                    "id": "tag:x,2024-01-01:1",
                    "url": "https://x.example/1",
                    "title": "Old",
                    "summary": "",
                    "content_html": "",
                    "authors": [],
                    "language": "en",
                    "categories": [],
                    "tags": [],
                    "related": [],
                    "source": {"kind": "directory", "ref": "s/a.json"},
                    "published": "2024-01-01T00:00:00+00:00",
                }
            ),
        ),
    )
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()

    with SQLiteStore(path) as store:
        version = store.db.execute("PRAGMA user_version").fetchone()[0]
        newest = store.newest(10).articles

    assert version == len(MIGRATIONS)
    assert [a.title for a in newest] == ["Old"]


def test_a_second_publish_waits_then_says_another_run_holds_the_lock(
    site: Path, add_records: Callable[..., Path]
) -> None:
    add_records("a.json", [record(1)])
    config = config_of(site)
    # The publish lease of the store: the lock file on SQLite, the lease in PostgreSQL.
    with held_lease(config.state_url, config.state_directory, seconds=30, wait_seconds=0, on_lost=print):
        try:
            publish_run(config, now=NOW, wait_seconds=0.3)
        except StoreLockedError as e:
            message = str(e)
        else:
            raise AssertionError("a second writer got the lock")
    assert "another syndicator publish is running" in message
    assert not (site / "out").exists()


def follow_archives(site: Path) -> list[str]:
    """Every entry id reachable from the subscription document by prev-archive links."""
    seen: list[str] = []
    path: Path | None = site / "out" / "atom.xml"
    while path is not None:
        feed = feedparser.parse(path.read_bytes())
        assert not feed.bozo
        seen.extend(e.id for e in feed.entries)
        prev = [link.href for link in feed.feed.links if link.rel == "prev-archive"]
        path = site / "out" / prev[0].removeprefix("https://gazette.example/feeds/") if prev else None
    return seen


def test_every_article_ever_published_is_reachable_through_archive_pages(
    site: Path, add_records: Callable[..., Path]
) -> None:
    config = config_of(site, items=5, archive_page_size=4)
    for batch in range(4):
        add_records(f"b{batch}.jsonl", [record(batch * 10 + n) for n in range(7)])
        publish_run(config, now=NOW + timedelta(hours=batch))

    reachable = follow_archives(site)

    with open_store(config.store_location) as store:
        all_ids = {a.id for a in store.newest(1000).articles}
    assert set(reachable) == all_ids and len(all_ids) == 28
    page = feedparser.parse((site / "out" / "archive" / "1" / "rss.xml").read_bytes())
    assert not page.bozo and len(page.entries) == 4


def test_a_full_archive_page_never_changes_when_newer_articles_arrive(
    site: Path, add_records: Callable[..., Path]
) -> None:
    config = config_of(site, items=5, archive_page_size=4)
    add_records("b0.jsonl", [record(n) for n in range(9)])
    publish_run(config, now=NOW)
    page = site / "out" / "archive" / "1"
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in page.iterdir()}

    for batch in range(1, 4):
        add_records(f"b{batch}.jsonl", [record(batch * 10 + n) for n in range(5)])
        publish_run(config, now=NOW + timedelta(hours=batch))

    assert {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in page.iterdir()} == before
    assert (site / "out" / "archive" / "5" / "atom.xml").exists()


def test_an_archive_page_is_marked_complete_and_points_back_to_the_current_feed(
    site: Path, add_records: Callable[..., Path]
) -> None:
    add_records("b0.jsonl", [record(n) for n in range(9)])
    publish_run(config_of(site, items=5, archive_page_size=4), now=NOW)

    atom = (site / "out" / "archive" / "2" / "atom.xml").read_text(encoding="utf-8")
    rss = (site / "out" / "archive" / "2" / "rss.xml").read_text(encoding="utf-8")
    current = json.loads((site / "out" / "feed.json").read_text(encoding="utf-8"))

    assert "<fh:archive/>" in atom and "<fh:archive/>" in rss
    assert 'rel="current" href="https://gazette.example/feeds/atom.xml"' in atom
    assert 'rel="prev-archive" href="https://gazette.example/feeds/archive/1/atom.xml"' in atom
    assert current["next_url"] == "https://gazette.example/feeds/archive/2/feed.json"


def test_a_run_with_nothing_new_renders_nothing_but_a_changed_setting_renders_again(
    site: Path, add_records: Callable[..., Path]
) -> None:
    add_records("a.jsonl", [record(n) for n in range(1, 8)])
    publish_run(config_of(site), now=NOW)

    idle = publish_run(config_of(site), now=NOW + timedelta(hours=1))
    fewer = publish_run(config_of(site, items=3, archive_page_size=3), now=NOW + timedelta(hours=2))

    assert idle.output_up_to_date and "render" not in idle.timings
    assert not fewer.output_up_to_date and "feed.json" in fewer.feeds_written
    assert len(items(site)) == 3


def test_deleted_feed_files_are_written_again_on_the_next_run(
    site: Path, add_records: Callable[..., Path]
) -> None:
    add_records("a.json", [record(1)])
    publish_run(config_of(site), now=NOW)
    (site / "out" / "rss.xml").unlink()

    report = publish_run(config_of(site), now=NOW + timedelta(hours=1))

    assert "rss.xml" in report.feeds_written
    assert (site / "out" / "rss.xml").is_file()


def test_an_article_moved_to_another_category_leaves_the_old_feed_and_joins_the_new(
    site: Path, add_records: Callable[..., Path]
) -> None:
    path = add_records("a.json", [record(1, category="World"), record(3, category="World")])
    publish_run(config_of(site), now=NOW)
    add_records("a.json", [record(1, category="Économie"), record(3, category="World")])
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))

    report = publish_run(config_of(site), now=NOW + timedelta(hours=1))

    assert "categories/world/feed.json" in report.feeds_written
    assert [i["title"] for i in items(site, "categories/world/feed.json")] == ["Article number 3"]
    assert [i["title"] for i in items(site, "categories/economie/feed.json")] == ["Article number 1"]


def test_feeds_of_untouched_categories_are_not_even_rendered(
    site: Path, add_records: Callable[..., Path]
) -> None:
    add_records("a.json", [record(1, category="World"), record(2, category="Économie")])
    publish_run(config_of(site), now=NOW)
    untouched = site / "out" / "categories" / "economie" / "feed.json"
    untouched.write_bytes(b"{}")  # were it rendered again, it would be rewritten whole

    add_records("b.json", [record(3, category="World")])
    publish_run(config_of(site), now=NOW + timedelta(hours=1))

    assert untouched.read_bytes() == b"{}"
    assert "Article number 3" in (site / "out" / "categories" / "world" / "feed.json").read_text()


def touch_later(path: Path) -> None:
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))


def test_a_category_whose_last_article_is_retracted_gets_an_empty_feed(
    site: Path, add_records: Callable[..., Path]
) -> None:
    from syndicator.pipeline import retract_run

    add_records("a.json", [record(1, category="World"), record(2, category="Économie")])
    publish_run(config_of(site), now=NOW)
    victim = items(site, "categories/world/feed.json")[0]["id"]

    retract_run(config_of(site), victim, now=NOW + timedelta(hours=1))

    assert items(site, "categories/world/feed.json") == []
    assert not feedparser.parse((site / "out" / "categories" / "world" / "atom.xml").read_bytes()).entries


def test_an_article_corrected_while_retracted_by_hand_comes_back_corrected(
    site: Path, add_records: Callable[..., Path]
) -> None:
    from syndicator.pipeline import retract_run

    path = add_records("a.json", [record(1, title="Wrong figures")])
    publish_run(config_of(site), now=NOW)
    article_id = items(site)[0]["id"]
    retract_run(config_of(site), article_id, now=NOW + timedelta(hours=1))
    add_records("a.json", [record(1, title="Corrected figures")])
    touch_later(path)
    publish_run(config_of(site), now=NOW + timedelta(hours=2))
    assert items(site) == []  # still out until undone

    retract_run(config_of(site), article_id, now=NOW + timedelta(hours=3), undo=True)

    assert [(i["id"], i["title"]) for i in items(site)] == [(article_id, "Corrected figures")]


def test_renaming_a_source_file_retracts_nothing_even_when_removals_retract(
    site: Path, add_records: Callable[..., Path]
) -> None:
    path = add_records("a.json", [record(1), record(2)])
    publish_run(config_of(site, removed="retract"), now=NOW)
    path.rename(path.with_name("renamed.json"))

    report = publish_run(config_of(site, removed="retract"), now=NOW + timedelta(hours=1))
    again = publish_run(config_of(site, removed="retract"), now=NOW + timedelta(hours=2))

    assert (report.retracted, report.removed_from_source, again.retracted) == (0, 0, 0)
    assert len(items(site)) == 2


def test_the_first_copy_keeps_winning_when_only_the_duplicate_file_changes(
    site: Path, add_records: Callable[..., Path]
) -> None:
    add_records("a.json", [record(1, title="Original headline")])
    copy = add_records("b.json", [record(1, title="Syndicated copy")])
    publish_run(config_of(site), now=NOW)
    add_records("b.json", [record(1, title="Syndicated copy, edited")])
    touch_later(copy)

    report = publish_run(config_of(site), now=NOW + timedelta(hours=1))

    assert report.changed == 0 and report.duplicates == (
        "articles/b.json#0: same article as articles/a.json#0",
    )
    assert [i["title"] for i in items(site)] == ["Original headline"]


def test_a_draft_copy_never_hides_the_published_copy(site: Path, add_records: Callable[..., Path]) -> None:
    add_records("a-drafts.json", [record(1, status="draft", title="Budget story (draft)")])
    add_records("b-live.json", [record(1, title="Budget story")])

    report = publish_run(config_of(site), now=NOW)

    assert report.added == 1
    assert [i["title"] for i in items(site)] == ["Budget story"]


def test_a_deleted_category_feed_file_is_written_again(site: Path, add_records: Callable[..., Path]) -> None:
    add_records("a.json", [record(1, category="World")])
    publish_run(config_of(site), now=NOW)
    (site / "out" / "categories" / "world" / "atom.xml").unlink()

    report = publish_run(config_of(site), now=NOW + timedelta(hours=1))

    assert "categories/world/atom.xml" in report.feeds_written
