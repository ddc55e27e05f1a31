"""A feed folder someone deleted comes back on the next publish, even when
nothing changed: languages, tags, authors, archive pages, category archives."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from sitekit import NOW, every_feed_config, record

from syndicator.pipeline import publish_run


@pytest.mark.parametrize(
    "folder",
    ["languages/fr", "tags/inflation", "authors/jane-roe", "archive/1", "categories/world/archive/1"],
)
def test_a_deleted_feed_folder_is_written_again_by_a_publish_with_nothing_new(
    site: Path, add_records: Callable[..., Path], folder: str
) -> None:
    add_records(
        "a.json",
        [
            record(
                n, category="World", language="fr" if n % 2 else "en", tags=["Inflation"], author="Jane Roe"
            )
            for n in range(1, 9)
        ],
    )
    publish_run(every_feed_config(site), now=NOW)
    deleted = site / "out" / folder
    assert (deleted / "atom.xml").is_file()
    before = {name: (deleted / name).read_bytes() for name in ("rss.xml", "atom.xml", "feed.json")}
    shutil.rmtree(deleted)

    report = publish_run(every_feed_config(site), now=NOW + timedelta(hours=1))

    assert report.added == 0
    assert {name: (deleted / name).read_bytes() for name in before} == before
    assert f"{folder}/atom.xml" in report.feeds_written
