"""publish_run end to end: real files in, real feeds out, read back by real parsers."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import feedparser
import pytest
from sitekit import NOW, publish_command, record

from syndicator.config import load_config
from syndicator.pipeline import publish_run

SEED_TITLE = (
    "Poutine se prépare à une mutinerie alors que des centaines de soldats russes "
    "sont arrêtés pour avoir défié les ordres."
)
FEED_FILES = ("rss.xml", "atom.xml", "feed.json")


def publish(site: Path, **kwargs: Any):  # type: ignore[no-untyped-def]
    return publish_run(load_config(site / "syndicator.toml"), now=kwargs.pop("now", NOW), **kwargs)


def parsed(path: Path) -> Any:
    result = feedparser.parse(path.read_bytes())
    assert not result.bozo, result.get("bozo_exception")
    return result


def json_items(path: Path) -> list[dict[str, Any]]:
    return json.loads(path.read_text(encoding="utf-8"))["items"]  # type: ignore[no-any-return]


def test_seed_article_is_published_clean_in_every_format_and_its_category(
    site: Path, seed_copy: Path
) -> None:
    report = publish(site)

    assert report.added == 1 and not report.rejections
    out = site / "out"
    for folder in (out, out / "categories" / "monde"):
        rss, atom = parsed(folder / "rss.xml"), parsed(folder / "atom.xml")
        items = json_items(folder / "feed.json")
        for entry in (rss.entries[0], atom.entries[0]):
            assert entry.title == SEED_TITLE
        assert items[0]["title"] == SEED_TITLE
        assert items[0]["language"] == "fr"
        assert [t["term"] for t in atom.entries[0].tags] == ["Monde"]
        content = atom.entries[0].content[0].value + items[0]["content_html"]
        for boilerplate in ("cookies", "LIRE LA SUITE", "Related Articles", "opt-out"):
            assert boilerplate not in content
        assert "<h2>" in items[0]["content_html"]


def test_every_item_is_the_same_in_rss_atom_and_json_feed(
    site: Path, add_records: Callable[..., Path]
) -> None:
    add_records("batch.json", [record(n) for n in range(1, 8)])
    publish(site)

    out = site / "out"
    rss, atom = parsed(out / "rss.xml"), parsed(out / "atom.xml")
    items = json_items(out / "feed.json")
    ids = [i["id"] for i in items]
    assert [e.id for e in rss.entries] == ids == [e.id for e in atom.entries]
    assert [e.link for e in atom.entries] == [i["url"] for i in items] == [e.link for e in rss.entries]
    assert [e.title for e in rss.entries] == [i["title"] for i in items]
    assert [e.published_parsed for e in rss.entries] == [e.published_parsed for e in atom.entries]


def test_items_are_newest_first_and_cut_to_items_per_feed(
    site: Path, add_records: Callable[..., Path]
) -> None:
    add_records("batch.jsonl", [record(n, published=f"2024-01-{n:02d}T08:00:00Z") for n in range(1, 21)])
    config = load_config(site / "syndicator.toml")
    publish_run(replace(config, output=replace(config.output, items=5, archive_page_size=5)), now=NOW)

    titles = [i["title"] for i in json_items(site / "out" / "feed.json")]
    assert titles == [f"Article number {n}" for n in (20, 19, 18, 17, 16)]


def test_articles_not_yet_in_a_full_archive_page_stay_in_the_feed(
    site: Path, add_records: Callable[..., Path]
) -> None:
    add_records("batch.jsonl", [record(n, published=f"2024-01-{n:02d}T08:00:00Z") for n in range(1, 8)])
    config = load_config(site / "syndicator.toml")
    publish_run(replace(config, output=replace(config.output, items=2, archive_page_size=50)), now=NOW)

    titles = [i["title"] for i in json_items(site / "out" / "feed.json")]
    assert titles == [f"Article number {n}" for n in range(7, 0, -1)]  # no archive page yet holds them


def test_category_feeds_use_ascii_slugs_and_hold_only_their_articles(
    site: Path, add_records: Callable[..., Path]
) -> None:
    add_records("batch.json", [record(1, category="World"), record(2, category="Économie")])
    publish(site)

    categories = site / "out" / "categories"
    assert sorted(p.name for p in categories.iterdir()) == ["economie", "world"]
    assert [i["title"] for i in json_items(categories / "economie" / "feed.json")] == ["Article number 2"]
    atom = parsed(categories / "economie" / "atom.xml")
    assert atom.feed.title.endswith("Économie")


def test_a_second_publish_rewrites_nothing_and_bytes_are_identical(
    site: Path, add_records: Callable[..., Path], seed_copy: Path
) -> None:
    add_records("batch.json", [record(n) for n in range(1, 5)])
    publish(site)
    files = sorted(p for p in (site / "out").rglob("*") if p.is_file())
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in files}

    report = publish(site, now=NOW + timedelta(hours=3))

    assert report.feeds_written == () and report.files_skipped == 2 and report.records_read == 0
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in files} == before


def test_a_fresh_store_on_the_same_dated_input_gives_byte_identical_feeds(
    tmp_path: Path, add_records: Callable[..., Path], site: Path
) -> None:
    add_records("batch.json", [record(n) for n in range(1, 6)])
    publish(site)
    first = {p.relative_to(site): p.read_bytes() for p in (site / "out").rglob("*") if p.is_file()}
    for p in (site / "out").rglob("*.*"):
        p.unlink()
    (site / "state" / "state.sqlite3").unlink()

    publish(site, now=NOW + timedelta(days=2))

    second = {p.relative_to(site): p.read_bytes() for p in (site / "out").rglob("*") if p.is_file()}
    assert second == first


BAD_FILES: list[tuple[str, Any, str]] = [
    (
        "missing-title.json",
        {"url": "https://gazette.example/x", "content_html": "<p><img src='x.png'></p>"},
        "/title",
    ),
    ("deep.json", "[" * 100_000 + "]" * 100_000, "nested too deeply"),  # a date alone now costs only the date
    ("not-json.json", "{this is not json", "not valid JSON"),
    ("empty.json", "", "empty file"),
    ("binary.json", bytes(range(256)) * 4, "binary"),
    (
        "control-char.json",
        '{"title": "Bell \x07 inside", "url": "https://gazette.example/c"}',
        "not valid JSON",
    ),
]


REPAIRED_FILES: list[tuple[str, Any, str]] = [
    ("bad-date.json", record(90, published="next Tuesday-ish"), "/published"),
    ("no-title.json", {"url": "https://gazette.example/x", "content_html": "<p>Body first.</p>"}, "/title"),
]


@pytest.mark.parametrize(("name", "content", "field"), REPAIRED_FILES, ids=[r[0] for r in REPAIRED_FILES])
def test_publish_keeps_a_record_whose_optional_field_is_wrong(
    site: Path, add_records: Callable[..., Path], name: str, content: Any, field: str
) -> None:
    add_records("good.json", [record(1), record(2)])
    add_records(name, content)

    report = publish(site)

    assert report.added == 3
    assert report.rejections == ()
    assert report.warnings  # named by file and field, and counted
    assert all(f"{name}: " in line and f": {field}: " in line for line in report.warnings)
    assert len(report.to_json()["warnings"]) == len(report.warnings)


@pytest.mark.parametrize(("name", "content", "expected"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_publish_goes_on_after_a_bad_record(
    site: Path, add_records: Callable[..., Path], name: str, content: Any, expected: str
) -> None:
    add_records("good.json", [record(1), record(2)])
    add_records(name, content)

    report = publish(site)

    assert report.added == 2
    assert len(report.rejections) == 1
    message = str(report.rejections[0])
    assert message.startswith(f"{Path('articles') / name}") or name in message
    assert expected in message
    assert "\n" not in message
    kept = json.loads(Path(report.rejection_report or "").read_text(encoding="utf-8"))
    assert kept[0]["origin"].endswith(name)


def test_a_bad_record_in_a_list_is_named_by_its_index_and_its_neighbours_publish(
    site: Path, add_records: Callable[..., Path]
) -> None:
    nothing = {"id": "cms-2", "url": "https://gazette.example/2", "title": 42}  # no title, no body
    add_records("list.json", [record(1), nothing, record(3)])

    report = publish(site)

    assert report.added == 2
    assert str(report.rejections[0]).split(": ")[1:3] == ["record 1", "/title"]


def test_drafts_are_never_published_and_an_embargo_lifts_on_the_first_run_after_it(
    site: Path, add_records: Callable[..., Path]
) -> None:
    embargo = NOW + timedelta(hours=1)
    add_records(
        "wire.jsonl",
        [
            record(1),
            record(2, status="draft"),
            record(3, status="private"),
            record(4, published=embargo.isoformat()),
        ],
    )

    first = publish(site)
    titles = [i["title"] for i in json_items(site / "out" / "feed.json")]
    assert titles == ["Article number 1"] and first.held == 3

    publish(site, now=embargo + timedelta(minutes=1))
    titles = [i["title"] for i in json_items(site / "out" / "feed.json")]
    assert titles == ["Article number 4", "Article number 1"]


def test_an_undated_record_keeps_its_first_seen_date_on_later_runs(site: Path, seed_copy: Path) -> None:
    publish(site)
    first = json_items(site / "out" / "feed.json")[0]
    publish(site, now=NOW + timedelta(days=3))
    again = json_items(site / "out" / "feed.json")[0]

    assert first["date_published"] == again["date_published"] == NOW.isoformat()
    assert first["id"] == again["id"]


def test_dry_run_writes_no_feed_and_no_state(site: Path, add_records: Callable[..., Path]) -> None:
    add_records("batch.json", [record(1)])

    report = publish(site, dry_run=True)

    assert report.added == 1 and len(report.feeds_written) > 0
    assert not (site / "out").exists()
    assert not (site / "state" / "state.sqlite3").exists()


def test_worker_processes_publish_exactly_what_one_process_publishes(tmp_path: Path) -> None:
    from sitekit import write_config

    from syndicator.intake import PARALLEL_AFTER

    outputs = {}
    for workers in (1, 2):
        site = tmp_path / f"workers-{workers}"
        site.mkdir()
        write_config(site, extra=f"workers = {workers}\n")
        records = [record(n, title=f"L’article «{n}» & co") for n in range(PARALLEL_AFTER + 600)]
        records[PARALLEL_AFTER + 7].update(title=None, summary=None, content_html=None)
        # What used to raise inside a worker and end the run: now repaired where it is met.
        records[PARALLEL_AFTER + 11]["content_html"] = (
            '<p>See <a href="https://x.example/&#1;y">this</a>.</p>'
        )
        records[PARALLEL_AFTER + 13]["updated"] = "2024-01-01T00:00:00+24:00"
        records[PARALLEL_AFTER + 8]["image"] = {"url": "https://e.org/i.png", "type": "png"}  # repaired
        (site / "articles" / "many.jsonl").write_text(
            "".join(json.dumps(r) + "\n" for r in records), encoding="utf-8"
        )
        done = subprocess.run(publish_command(site), capture_output=True, text=True, timeout=300, check=False)
        report = json.loads(done.stdout)
        assert len(report["rejected"]) == 1 and report["added"] == PARALLEL_AFTER + 599
        # the image type repaired, the impossible offset dropped: one warning each
        assert [w.split(": ")[2] for w in report["warnings"]] == ["/image/type", "/updated"]
        assert report["processes"] == workers
        outputs[workers] = {
            p.relative_to(site / "out"): p.read_bytes() for p in (site / "out").rglob("*") if p.is_file()
        }
    assert outputs[1] == outputs[2]


def test_undated_records_first_seen_together_get_distinct_dates_in_source_order(
    site: Path, add_records: Callable[..., Path]
) -> None:
    add_records("undated.jsonl", [record(n, published=None) for n in range(1, 4)])

    publish(site)

    items = json_items(site / "out" / "feed.json")
    assert [i["title"] for i in items] == ["Article number 1", "Article number 2", "Article number 3"]
    assert [i["date_published"] for i in items] == [
        (NOW - timedelta(seconds=k)).isoformat() for k in range(3)
    ]


def test_a_date_with_a_fraction_of_a_second_is_published_to_the_second_the_same_on_every_run(
    site: Path, add_records: Callable[[str, Any], Path]
) -> None:
    add_records("a.json", [record(1, published="2024-02-01T10:00:00.750+01:00")])
    publish(site)
    first = {name: (site / "out" / name).read_bytes() for name in FEED_FILES}

    assert json_items(site / "out" / "feed.json")[0]["date_published"] == "2024-02-01T10:00:00+01:00"
    assert parsed(site / "out" / "atom.xml").entries[0].published == "2024-02-01T10:00:00+01:00"
    publish(site, full=True)
    assert {name: (site / "out" / name).read_bytes() for name in FEED_FILES} == first


def test_the_workers_option_overrides_the_configuration_and_the_report_names_each_record_kind(
    tmp_path: Path,
) -> None:
    from sitekit import write_config

    from syndicator.intake import PARALLEL_AFTER

    write_config(tmp_path, extra="workers = 1\n")
    records = [record(n) for n in range(PARALLEL_AFTER + 10)]
    (tmp_path / "articles" / "many.jsonl").write_text(
        "".join(json.dumps(r) + "\n" for r in records), encoding="utf-8"
    )
    (tmp_path / "articles" / "scraped.txt").write_text("A scraped title\n\nA scraped body.", encoding="utf-8")
    (tmp_path / "articles" / "saved.html").write_text(
        "<html><head><title>A saved page</title></head><body><article><p>A saved body.</p></article></body></html>",
        encoding="utf-8",
    )
    done = subprocess.run(
        publish_command(tmp_path, "--workers", "2"), capture_output=True, text=True, timeout=300, check=False
    )
    report = json.loads(done.stdout)
    assert report["added"] == PARALLEL_AFTER + 12
    assert report["processes"] == 2
    assert {"normalize_json", "normalize_text", "normalize_html"} <= set(report["timings"])
