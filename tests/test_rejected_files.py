"""A file holding rejected records: reported on every run, read again only when it
can say something new.

A record rejected for what it holds (a field the schema refuses, a line that is
not JSON) is rejected the same way as long as the file's bytes and the settings
that normalize it stay the same. Such rejections are kept with the file's stamp
and told again by each run that finds the file unchanged, so the report, the
exit status and `rejected/` say what they said, and the file is not read and
normalized again. A rejection that the bytes alone do not decide (a read error,
a line over the source's size limit) keeps its file read on every run.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from sitekit import NOW, record, write_config
from storekit import BEFORE_14, as_schema

import syndicator.fingerprint
from syndicator.config import load_config
from syndicator.pipeline import publish_run
from syndicator.report import RunReport

NOT_JSON = '{"id": "cms-broken", "title": "Unterminated'


SOURCE = '[[sources]]\nname = "articles"\nkind = "directory"\npath = "{path}"\n{extra}'


def publish(site: Path, minutes: int = 0, *, full: bool = False) -> RunReport:
    return publish_run(load_config(site / "syndicator.toml"), now=NOW + timedelta(minutes=minutes), full=full)


def mixed_file(add_records: Callable[..., Path]) -> Path:
    """Two good records, one the schema refuses (no title, no body), one line that is not JSON."""
    lines = [
        json.dumps(record(1)),
        json.dumps({"id": "cms-empty", "url": "https://gazette.example/news/empty", "title": ""}),
        NOT_JSON,
        json.dumps(record(2)),
    ]
    return add_records("wire.jsonl", "\n".join(lines) + "\n")


def kept_rejections(site: Path, run_id: int) -> bytes:
    return (site / "state" / "rejected" / f"run-{run_id:06d}.json").read_bytes()


def test_an_unchanged_file_is_not_read_again_for_its_rejections_but_they_are_reported(
    site: Path, add_records: Callable[..., Path]
) -> None:
    mixed_file(add_records)

    first = publish(site)
    second = publish(site, 5)

    assert first.added == 2 and [r.locator for r in first.rejections] == ["line 2", "line 3"]
    # The second run did not read the file: nothing in it was looked at as unchanged,
    # and no record counts as read...
    assert (second.files_skipped, second.unchanged, second.added) == (1, 0, 0)
    assert (first.records_read, second.records_read) == (4, 0)
    assert [r.retold for r in first.rejections] == [False, False]
    assert [r.retold for r in second.rejections] == [True, True]
    # ...and still says exactly what the first said about its rejected records.
    assert [str(r) for r in second.rejections] == [str(r) for r in first.rejections]
    assert [r.payload for r in second.rejections] == [r.payload for r in first.rejections]
    assert second.outcome == first.outcome == "rejected"
    assert kept_rejections(site, 2) == kept_rejections(site, 1)


def test_a_fixed_record_is_published_by_the_next_run(site: Path, add_records: Callable[..., Path]) -> None:
    path = mixed_file(add_records)
    publish(site)
    publish(site, 5)

    path.write_text(
        path.read_text(encoding="utf-8").replace(NOT_JSON, json.dumps(record(3))), encoding="utf-8"
    )
    fixed = publish(site, 10)

    assert fixed.added == 1 and [r.locator for r in fixed.rejections] == ["line 2"]
    assert [r.locator for r in publish(site, 15).rejections] == ["line 2"]  # told again, not read


def test_a_file_that_no_longer_rejects_anything_has_nothing_told_again(
    site: Path, add_records: Callable[..., Path]
) -> None:
    path = mixed_file(add_records)
    publish(site)

    path.write_text(json.dumps(record(1)) + "\n" + json.dumps(record(2)) + "\n", encoding="utf-8")
    assert publish(site, 5).rejections == ()
    later = publish(site, 10)
    assert (later.rejections, later.files_skipped, later.outcome) == ((), 1, "ok")


def test_a_gone_file_takes_its_rejections_with_it(site: Path, add_records: Callable[..., Path]) -> None:
    mixed_file(add_records).unlink()
    add_records("other.json", record(5))
    mixed_file(add_records)
    publish(site)

    (site / "articles" / "wire.jsonl").unlink()

    assert publish(site, 5).rejections == ()
    assert rows(site, "SELECT count(*) FROM file_rejections") == [(0,)]


def test_a_line_over_the_size_limit_keeps_its_file_read_until_the_limit_allows_it(tmp_path: Path) -> None:
    """The limit is the source's setting, not the file's content: raising it must take effect."""
    source = '[[sources]]\nname = "articles"\nkind = "directory"\npath = "articles"\nmax_file_bytes = {}\n'
    write_config(tmp_path, sources=source.format(600))
    big = record(7, content_html="<p>" + "A long paragraph. " * 60 + "</p>")
    (tmp_path / "articles" / "wire.jsonl").write_text(
        json.dumps(record(1)) + "\n" + json.dumps(big) + "\n", encoding="utf-8"
    )

    first, second = publish(tmp_path), publish(tmp_path, 5)
    size = len(json.dumps(big).encode("utf-8"))
    assert [r.reason.split(" is over")[0] for r in first.rejections] == [f"line of {size} bytes"]
    assert (second.files_skipped, [str(r) for r in second.rejections]) == (
        0,
        [str(r) for r in first.rejections],
    )

    write_config(tmp_path, sources=source.format(4000))
    raised = publish(tmp_path, 10)
    assert (raised.rejections, raised.added) == ((), 1)


def test_publish_full_reads_every_file_again(site: Path, add_records: Callable[..., Path]) -> None:
    mixed_file(add_records)
    publish(site)

    full = publish(site, 5, full=True)

    assert (full.files_skipped, full.unchanged, len(full.rejections)) == (0, 2, 2)


def test_an_upgrade_reads_a_file_with_rejections_again_and_forgets_it_once_gone(
    site: Path, add_records: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another version of syndicator may take what this one refused: every file is
    stamped with the version (in the normalizer's fingerprint), so it is read again;
    and a file gone by then is forgotten with its rejections."""
    mixed_file(add_records)
    add_records("other.json", record(5))
    publish(site)
    monkeypatch.setattr(syndicator.fingerprint, "__version__", "9.9.9")

    upgraded = publish(site, 5)
    assert (upgraded.files_skipped, upgraded.unchanged, len(upgraded.rejections)) == (0, 3, 2)

    (site / "articles" / "wire.jsonl").unlink()
    publish(site, 10)
    assert rows(site, "SELECT count(*) FROM file_rejections") == [(0,)]
    assert rows(site, "SELECT path FROM source_files") == [("other.json",)]


PAGE = (
    "<!doctype html><html><head><meta charset=utf-8></head><body><script>"
    + "var filler = 'x';\n" * 200
    + "</script><article><h1>A page with a heavy script</h1>"
    + "<p>This is the body of a real article, long enough to be its main text. </p>" * 10
    + "</article></body></html>"
)


def test_raising_a_record_limit_reads_the_files_again(tmp_path: Path) -> None:
    """max_record_bytes cuts a page before it is normalized, and the cut page is no
    article; once the limit is raised the page is one. The source's limits are part of
    its files' stamps, so the file is read again rather than its rejection told."""
    write_config(tmp_path, sources=SOURCE.format(path="articles", extra="max_record_bytes = 1000\n"))
    (tmp_path / "articles" / "page.html").write_text(PAGE, encoding="utf-8")
    first = publish(tmp_path)
    assert [r.reason for r in first.rejections] == ["not an article page: no title and no main text found"]

    write_config(tmp_path, sources=SOURCE.format(path="articles", extra=""))
    raised = publish(tmp_path, 5)

    assert (raised.added, raised.rejections) == (1, ())


def test_rejections_told_again_name_the_file_where_it_is_now(
    site: Path, add_records: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The folder moved (the source's path follows it) and the run starts from another
    folder: the rejections name the file as a run that reads it would."""
    mixed_file(add_records)
    monkeypatch.chdir(site)
    publish(site)
    (site / "articles").rename(site / "incoming")
    write_config(site, sources=SOURCE.format(path="incoming", extra=""))
    monkeypatch.chdir(site / "incoming")

    told = publish(site, 5)
    read = publish(site, 10, full=True)

    assert told.files_skipped == 1
    assert [str(r) for r in told.rejections] == [str(r) for r in read.rejections]
    assert kept_rejections(site, 2) == kept_rejections(site, 3)


def test_a_fix_of_the_same_size_whose_time_was_kept_is_published(
    site: Path, add_records: Callable[..., Path]
) -> None:
    """cp -p, rsync -t or an unpacked archive keep a file's time: a file that held a
    rejected record is judged by its bytes, so the fix is seen."""
    good = json.dumps(record(9))
    broken, fixed = good[:-1] + ",}", good[:-1] + " }"
    path = add_records("wire.jsonl", json.dumps(record(1)) + "\n" + broken + "\n")
    os.utime(path, ns=(1_700_000_000_000_000_000, 1_700_000_000_000_000_000))
    assert [r.reason[:14] for r in publish(site).rejections] == ["not valid JSON"]

    path.write_text(json.dumps(record(1)) + "\n" + fixed + "\n", encoding="utf-8")
    os.utime(path, ns=(1_700_000_000_000_000_000, 1_700_000_000_000_000_000))
    second = publish(site, 5)

    assert (second.added, second.rejections) == (1, ())


def test_a_file_named_with_a_hash_has_its_rejections_reported_every_run(
    site: Path, add_records: Callable[..., Path]
) -> None:
    """A ref is `<source>/<file>#<record>`; the file's own name may hold "#" too."""
    lines = [json.dumps(record(1)), json.dumps({"id": "cms-empty", "title": ""}), NOT_JSON]
    add_records("batch#2.jsonl", "\n".join(lines) + "\n")

    first, second = publish(site), publish(site, 5)

    assert len(first.rejections) == 2 and second.files_skipped == 1
    assert [str(r) for r in second.rejections] == [str(r) for r in first.rejections]


def test_articles_of_files_named_with_a_hash_stay_in_their_source(
    site: Path, add_records: Callable[..., Path]
) -> None:
    """When another file of the source changes, the unchanged ones still hold their
    articles: `a#1.json` is a file, not `a` and a record index."""
    add_records("a#1.json", record(1))
    add_records("b#2.jsonl", [record(2)])
    publish(site)

    add_records("c.json", record(3))
    later = publish(site, 5)

    assert (later.added, later.removed_from_source) == (1, 0)


def test_a_store_written_before_keeps_the_articles_of_files_named_with_a_hash_in_their_source(
    site: Path, add_records: Callable[..., Path]
) -> None:
    """A store of schema 12 kept `a` as the file of an article from `a#1.json`; opening it
    works the file out again, so the article is not reported gone when another file changes."""
    add_records("a#1.json", record(1))
    add_records("b#2.jsonl", [record(2), record(4)])
    add_records("plain.jsonl", [record(5)])
    publish(site)
    state = site / "state" / "state.sqlite3"
    as_schema_12 = [  # as the code of schema 12 wrote these rows: the ref cut at its first "#"
        "UPDATE articles SET source_file = substr(source_file, 1, instr(source_file, '#') - 1)"
        " WHERE source_file LIKE '%#%'",
        "DELETE FROM meta WHERE key = 'source_files_located'",
    ]
    as_schema(state, 12, BEFORE_14["sqlite"] + as_schema_12)
    assert sorted(r[0] for r in rows(site, "SELECT source_file FROM articles")) == [
        "a",
        "b",
        "b",
        "plain.jsonl",
    ]

    add_records("c.json", record(3))
    later = publish(site, 5)

    assert (later.added, later.removed_from_source) == (1, 0)
    assert sorted(r[0] for r in rows(site, "SELECT source_file FROM articles")) == [
        "a#1.json",
        "b#2.jsonl",
        "b#2.jsonl",
        "c.json",
        "plain.jsonl",
    ]


def test_a_rejected_record_holding_a_lone_surrogate_is_kept_and_the_run_goes_on(
    site: Path, add_records: Callable[..., Path]
) -> None:
    """A JSON escape of half a UTF-16 pair cannot be written as UTF-8: `rejected/`
    keeps it as the escape it was read from, and the run ends as a rejection, not a crash."""
    add_records("wire.jsonl", json.dumps(record(1)) + "\n" + '{"title": "", "note": "bad \\ud800"}\n')

    reports = [publish(site), publish(site, 5)]

    assert [(r.outcome, r.added) for r in reports] == [("rejected", 1), ("rejected", 0)]
    kept = json.loads(kept_rejections(site, 2))
    assert kept[0]["record"] == {"title": "", "note": "bad \ud800"}
    assert kept_rejections(site, 1) == kept_rejections(site, 2)


def rows(site: Path, sql: str) -> list[tuple[object, ...]]:
    db = sqlite3.connect(site / "state" / "state.sqlite3")
    try:
        with db:
            return db.execute(sql).fetchall()
    finally:
        db.close()
