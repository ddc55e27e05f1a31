"""A big archive backfilled in parts by several processes: readers see none of
it until every part is stored, then all of it at once, each article once."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import feedparser
import pytest
from sitekit import NOW, record, write_config

from syndicator.config import STATE_URL_ENV, load_config
from syndicator.pipeline import publish_run
from syndicator.sources.directory import part_of

ARCHIVE = range(1000, 1240)  # 240 archived records, in 48 files of 5


@pytest.fixture(params=["sqlite", "postgresql"])
def site(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    if request.param == "postgresql":
        monkeypatch.setenv(STATE_URL_ENV, request.getfixturevalue("postgres_url"))
    write_config(tmp_path, items=20)
    (tmp_path / "articles" / "today.json").write_text(json.dumps([record(n) for n in (1, 2, 3)]))
    archive = tmp_path / "archive"
    archive.mkdir()
    for first in range(ARCHIVE.start, ARCHIVE.stop, 5):
        lines = [json.dumps(record(n)) for n in range(first, first + 5)]
        (archive / f"{first}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return tmp_path


def backfill(site: Path, *options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "syndicator", "backfill", "archive", "--json", *options],
        cwd=site,
        capture_output=True,
        text=True,
        timeout=300,
    )


def feeds(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def published_titles(out: Path) -> dict[str, set[str]]:
    """Title → ids over the main Atom feed and its full archive pages (RFC 5005)."""
    found: dict[str, set[str]] = {}
    for path in [out / "atom.xml", *sorted((out / "archive").glob("*/atom.xml"))]:
        parsed = feedparser.parse(path.read_bytes())
        assert not parsed.bozo
        for entry in parsed.entries:
            found.setdefault(entry.title, set()).add(entry.id)
    return found


def test_the_feeds_show_no_part_of_a_backfill_until_every_part_is_stored(site: Path) -> None:
    config = load_config(site / "syndicator.toml")
    publish_run(config, now=NOW)
    before = feeds(site / "out")

    first = backfill(site, "--part", "1/2")
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["output_held"] == ["backfill: 1 of 2 parts stored"]
    held = publish_run(config, now=NOW)

    assert held.output_held == ("backfill: 1 of 2 parts stored",)
    assert feeds(site / "out") == before  # not one article of the part in any file

    second = backfill(site, "--part", "2/2")
    assert second.returncode == 0, second.stderr
    assert json.loads(second.stdout)["output_held"] == []
    report = publish_run(config, now=NOW)

    assert report.output_held == ()
    titles = published_titles(site / "out")
    wanted = {f"Article number {n}" for n in (1, 2, 3, *ARCHIVE)}
    assert set(titles) == wanted
    assert all(len(ids) == 1 for ids in titles.values())
    assert len({next(iter(ids)) for ids in titles.values()}) == len(wanted)


def test_parts_split_the_folder_between_them_each_file_once() -> None:
    names = [f"{n}.jsonl" for n in range(200)]
    parts = [{name for name in names if part_of(name, 3) == k} for k in (1, 2, 3)]

    assert set().union(*parts) == set(names)
    assert sum(len(p) for p in parts) == len(names)
    assert all(parts)


def test_a_backfill_in_parallel_processes_is_published_whole_by_the_next_run(site: Path) -> None:
    config = load_config(site / "syndicator.toml")
    publish_run(config, now=NOW)

    done = backfill(site, "--parts", "3")
    assert done.returncode == 0, done.stderr
    reports = [json.loads(line) for line in done.stdout.splitlines()]
    assert sorted(r["part"] for r in reports) == ["1/3", "2/3", "3/3"]
    assert sum(r["added"] for r in reports) == len(ARCHIVE)
    report = publish_run(config, now=NOW)

    assert report.output_held == ()
    assert set(published_titles(site / "out")) == {f"Article number {n}" for n in (1, 2, 3, *ARCHIVE)}
    again = publish_run(config, now=NOW)  # the folder's own runs never count them as removed
    assert again.removed_from_source == 0 and again.articles_total == 3 + len(ARCHIVE)


def test_a_part_run_again_after_a_kill_keeps_the_ids_it_gave(site: Path) -> None:
    assert backfill(site, "--part", "1/2").returncode == 0
    config = load_config(site / "syndicator.toml")

    again = backfill(site, "--part", "1/2")

    report = json.loads(again.stdout)
    assert report["added"] == 0 and report["output_held"] == ["backfill: 1 of 2 parts stored"]
    assert backfill(site, "--part", "2/2").returncode == 0
    assert publish_run(config, now=NOW).articles_total == 3 + len(ARCHIVE)


def test_a_backfill_may_not_take_the_name_of_a_configured_source(site: Path) -> None:
    refused = backfill(site, "--part", "1/2", "--name", "articles")

    assert refused.returncode == 2
    assert "is a configured source" in refused.stderr
