"""A daemon's history does not grow without end: `[state] history` keeps the newest
runs, with their events, reports and kept rejections; the first run stays, its date
being the store's. On SQLite, then PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from sitekit import NOW, record

from syndicator.config import load_config
from syndicator.pipeline import publish_run
from syndicator.store import open_store

pytestmark = pytest.mark.usefixtures("each_store")


def keep_history(site: Path, runs: int) -> None:
    config = site / "syndicator.toml"
    text = config.read_text(encoding="utf-8").replace("[state]\n", f"[state]\nhistory = {runs}\n")
    config.write_text(text, encoding="utf-8")


def test_the_history_keeps_the_newest_runs_and_their_rejections_and_the_first_run(
    site: Path, add_records: Callable[..., object]
) -> None:
    keep_history(site, 3)
    add_records("broken.json", {"title": "", "content_html": ""})  # rejected on every run
    for hour in range(6):
        add_records("news.json", record(1, title=f"Edition {hour}"))
        report = publish_run(load_config(site / "syndicator.toml"), now=NOW + timedelta(hours=hour))
        assert len(report.rejections) == 1

    config = load_config(site / "syndicator.toml")
    with open_store(config.store_location) as store:
        runs = [run for run, _, _, _ in store.history(100)]
        first = store.first_run_started()
    assert runs == [6, 5, 4, 1]
    assert first == NOW
    kept = sorted(p.name for p in (config.state_directory / "rejected").iterdir())
    assert kept == ["run-000004.json", "run-000005.json", "run-000006.json"]

    # The broken file is mended: the runs that follow reject nothing, and the files of
    # the runs that leave the history go with them.
    add_records("broken.json", {"title": "Mended", "content_html": "<p>Now it reads.</p>"})
    for hour in range(6, 9):
        publish_run(load_config(site / "syndicator.toml"), now=NOW + timedelta(hours=hour))
    assert list((config.state_directory / "rejected").iterdir()) == []


def test_a_history_of_0_keeps_every_run(site: Path, add_records: Callable[..., object]) -> None:
    keep_history(site, 0)
    for hour in range(4):
        add_records("news.json", record(1, title=f"Edition {hour}"))
        publish_run(load_config(site / "syndicator.toml"), now=NOW + timedelta(hours=hour))

    with open_store(load_config(site / "syndicator.toml").store_location) as store:
        assert [run for run, _, _, _ in store.history(100)] == [4, 3, 2, 1]
