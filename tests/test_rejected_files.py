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
import sqlite3
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from sitekit import NOW, record, write_config

from syndicator.config import load_config
from syndicator.pipeline import publish_run
from syndicator.report import RunReport

NOT_JSON = '{"id": "cms-broken", "title": "Unterminated'


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
    # The second run did not read the file: nothing in it was looked at as unchanged...
    assert (second.files_skipped, second.unchanged, second.added) == (1, 0, 0)
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


def test_a_file_rejected_by_another_version_of_syndicator_is_read_again(
    site: Path, add_records: Callable[..., Path]
) -> None:
    """An upgrade may accept what the version before refused."""
    mixed_file(add_records)
    publish(site)
    rows(site, "UPDATE file_rejections SET version = '0.0.1'")

    again = publish(site, 5)

    assert (again.files_skipped, again.unchanged, len(again.rejections)) == (0, 2, 2)
    assert rows(site, "SELECT DISTINCT version FROM file_rejections") != [("0.0.1",)]
    assert publish(site, 10).files_skipped == 1


def test_publish_full_reads_every_file_again(site: Path, add_records: Callable[..., Path]) -> None:
    mixed_file(add_records)
    publish(site)

    full = publish(site, 5, full=True)

    assert (full.files_skipped, full.unchanged, len(full.rejections)) == (0, 2, 2)


def rows(site: Path, sql: str) -> list[tuple[object, ...]]:
    db = sqlite3.connect(site / "state" / "state.sqlite3")
    try:
        with db:
            return db.execute(sql).fetchall()
    finally:
        db.close()
