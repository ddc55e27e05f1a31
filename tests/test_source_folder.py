"""`publish --source DIR` and `daemon --source DIR`: a folder named by its path is
re-read like a configured one (embargoes lift, rejections are reported until fixed)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from sitekit import NOW, record

from syndicator.config import load_config
from syndicator.pipeline import publish_run
from syndicator.report import RunReport


def publish_folder(site: Path, folder: Path, *, now: object = NOW) -> RunReport:
    config = load_config(site / "syndicator.toml").with_overrides(sources=(folder,), output=site / "alt")
    return publish_run(config, now=now)  # type: ignore[arg-type]


def titles(site: Path) -> list[str]:
    return [i["title"] for i in json.loads((site / "alt" / "feed.json").read_text())["items"]]


def test_an_embargoed_article_in_a_source_folder_appears_after_its_time(site: Path, tmp_path: Path) -> None:
    folder = tmp_path / "drop" / "wire"
    folder.mkdir(parents=True)
    embargo = NOW + timedelta(hours=1)
    (folder / "now.json").write_text(json.dumps(record(1)))
    (folder / "later.json").write_text(json.dumps(record(2, published=embargo.isoformat())))

    first = publish_folder(site, folder)
    assert first.held == 1 and titles(site) == ["Article number 1"]

    publish_folder(site, folder, now=embargo + timedelta(minutes=1))
    assert titles(site) == ["Article number 2", "Article number 1"]


def test_a_rejected_file_in_a_source_folder_is_reported_on_every_run_until_fixed(
    site: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "drop" / "wire"
    folder.mkdir(parents=True)
    (folder / "good.json").write_text(json.dumps(record(1)))
    (folder / "bad.json").write_text(json.dumps({"summary": "", "content_html": ""}))

    reports = [publish_folder(site, folder, now=NOW + timedelta(minutes=m)) for m in (0, 5, 10)]

    assert [len(r.rejections) for r in reports] == [1, 1, 1]
    assert all("bad.json" in str(r.rejections[0]) for r in reports)


def test_an_article_removed_from_a_source_folder_is_known_as_gone(site: Path, tmp_path: Path) -> None:
    folder = tmp_path / "drop" / "wire"
    folder.mkdir(parents=True)
    (folder / "a.json").write_text(json.dumps(record(1)))
    (folder / "b.json").write_text(json.dumps(record(2)))
    publish_folder(site, folder)

    (folder / "b.json").unlink()
    report = publish_folder(site, folder, now=NOW + timedelta(minutes=5))

    assert report.removed_from_source == 1
