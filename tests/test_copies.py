"""The same article in two files, over several runs: one is published, the other
reported as its duplicate; the article never goes while a copy is left, and the
copy that won keeps winning while its source cannot be read. A file read again on
every run for what it holds (a duplicate, an embargoed record) is still known, so
its deletion is noticed."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sitekit import NOW, record, set_output, write_config

from syndicator.config import load_config
from syndicator.pipeline import publish_run
from syndicator.report import RunReport


def publish(site: Path, hours: int) -> RunReport:
    return publish_run(load_config(site / "syndicator.toml"), now=NOW + timedelta(hours=hours))


def titles(site: Path) -> list[str]:
    feed: dict[str, Any] = json.loads((site / "out" / "feed.json").read_text(encoding="utf-8"))
    return [i["title"] for i in feed["items"]]


@pytest.mark.parametrize("removed", ["keep", "retract"])
def test_when_the_published_copy_leaves_its_source_the_other_copy_takes_over(
    site: Path, add_records: Callable[..., Path], removed: str
) -> None:
    set_output(site, removed=removed)
    first = add_records("a.json", [record(1, title="Harbour reopens")])
    add_records("b.json", [record(1, title="Harbour reopens (wire copy)")])
    assert publish(site, 0).duplicates == ("articles/b.json#0: same article as articles/a.json#0",)
    first.unlink()

    gone = publish(site, 1)
    after = publish(site, 2)

    assert (gone.removed_from_source, gone.retracted, gone.changed) == (0, 0, 1)
    assert titles(site) == ["Harbour reopens (wire copy)"]
    assert (after.changed, after.removed_from_source, titles(site)) == (0, 0, ["Harbour reopens (wire copy)"])


def test_repairs_are_reported_for_published_records_only(
    site: Path, add_records: Callable[..., Path]
) -> None:
    broken = {"url": "javascript:alert(1)"}  # an optional field dropped, with a warning
    add_records("a.json", [record(1, **broken)])
    add_records("b.json", [record(1, **broken, title="A copy")])  # a duplicate of it
    add_records("c.json", [record(2, **broken, status="draft")])
    add_records("d.json", [record(3, **broken, published="2099-01-01T00:00:00Z")])  # embargoed

    report = publish(site, 0)

    assert (report.added, report.held, len(report.duplicates)) == (1, 2, 1)
    assert [Path(w.split(": ")[0]).name for w in report.warnings] == ["a.json"]


def test_a_deleted_file_that_held_an_embargoed_record_takes_its_published_articles_with_it(
    site: Path, add_records: Callable[..., Path]
) -> None:
    set_output(site, removed="retract")
    mixed = add_records("e.jsonl", [record(1), record(2, published="2099-01-01T00:00:00Z")])
    add_records("p.json", [record(3)])
    publish(site, 0)
    mixed.unlink()

    report = publish(site, 1)

    assert (report.removed_from_source, report.retracted) == (1, 1)
    assert titles(site) == ["Article number 3"]


def test_while_the_first_source_cannot_be_read_a_copy_from_another_never_takes_its_articles(
    tmp_path: Path,
) -> None:
    sources = "".join(
        f'[[sources]]\nname = "{name}"\nkind = "directory"\npath = "{name}"\n\n' for name in ("desk", "wire")
    )
    write_config(tmp_path, sources=sources)
    for name, title in (("desk", "Harbour reopens"), ("wire", "Harbour reopens (wire copy)")):
        (tmp_path / name).mkdir()
        (tmp_path / name / "a.json").write_text(json.dumps([record(1, title=title)]), encoding="utf-8")
    publish(tmp_path, 0)
    (tmp_path / "desk").rename(tmp_path / "desk-away")  # the desk's folder is not there for a while
    (tmp_path / "wire" / "a.json").write_text(
        json.dumps([record(1, title="Harbour reopens (wire copy, edited)")]), encoding="utf-8"
    )

    away = publish(tmp_path, 1)
    (tmp_path / "desk-away").rename(tmp_path / "desk")
    back = publish(tmp_path, 2)

    assert away.source_errors and (away.changed, away.duplicates) == (
        0,
        ("wire/a.json#0: same article as desk/a.json#0",),
    )
    assert (back.changed, back.duplicates) == (0, ("wire/a.json#0: same article as desk/a.json#0",))
    assert titles(tmp_path) == ["Harbour reopens"]


def test_two_saved_pages_stating_the_home_page_as_their_url_are_two_articles(
    site: Path, add_records: Callable[..., Path]
) -> None:
    def page(title: str) -> str:
        body = "".join(
            f"<p>{title}: paragraph {n} of the story, long enough to be read as prose.</p>" for n in range(4)
        )
        return (
            f'<html><head><meta property="og:url" content="https://gazette.example/"><title>{title}</title>'
            f"</head><body><article><h1>{title}</h1>{body}</article></body></html>"
        )

    add_records("storm.html", page("Storm closes the harbour"))
    add_records("budget.html", page("City adopts its budget"))

    report = publish(site, 0)

    assert (report.added, report.duplicates) == (2, ())
    assert sorted(titles(site)) == ["City adopts its budget", "Storm closes the harbour"]


def test_a_file_repeating_one_of_its_own_records_is_skipped_while_unchanged(
    site: Path, add_records: Callable[..., Path]
) -> None:
    add_records("wire.jsonl", [record(1), record(2), record(1, title="The same story, sent twice")])
    assert len(publish(site, 0).duplicates) == 1

    again = publish(site, 1)

    assert (again.records_read, again.files_skipped, again.duplicates) == (0, 1, ())
