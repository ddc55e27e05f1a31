"""`syndicator daemon` reloading its configuration (SIGHUP): what it takes, what it
refuses and says why, and a schedule it cannot keep."""

from __future__ import annotations

import signal
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests
from sitekit import record, write_config
from test_daemon import ARTICLES, INTERVAL, DaemonProcess, status_when

from syndicator.config import SourceConfig, load_config
from syndicator.daemon import JOB_ID, Daemon, check_config
from syndicator.daemon_status import SourceBackoff
from syndicator.errors import ConfigError


def test_a_reload_that_moves_the_output_folder_is_refused_and_the_served_feeds_stay_current(
    site: Path, add_records: Callable[..., Path]
) -> None:
    add_records("a.json", [record(1)])
    daemon = DaemonProcess(site)
    try:
        daemon.next_run()
        config = site / "syndicator.toml"
        config.write_text(
            config.read_text().replace('directory = "out"', 'directory = "elsewhere"'), encoding="utf-8"
        )
        daemon.process.send_signal(signal.SIGHUP)
        refused = daemon.wait_for(lambda e: "reload" in str(e["message"]), timeout=15)
        add_records("b.json", [record(2, title="Still served")])
        for _ in range(4):
            daemon.next_run(timeout=4 * INTERVAL + 10)
            if "Still served" in requests.get(daemon.url + "/feed.json", timeout=10).text:
                break
        served = requests.get(daemon.url + "/feed.json", timeout=10).text
    finally:
        daemon.stop()

    assert "reload refused, keeping the running configuration: output.directory changed" in str(
        refused["message"]
    )
    assert "Still served" in served and not (site / "elsewhere").exists()


def test_a_failing_source_renamed_by_a_reload_leaves_the_status(
    site: Path, add_records: Callable[..., Path]
) -> None:
    write_config(site, sources=ARTICLES + '[[sources]]\nname = "wire"\nkind = "directory"\npath = "gone"\n')
    add_records("a.json", [record(1)])
    (site / "wire").mkdir()
    daemon = DaemonProcess(site)
    try:
        status_when(daemon, lambda s: "wire" in s["failing_sources"])  # type: ignore[operator]
        config = site / "syndicator.toml"
        config.write_text(
            config.read_text()
            .replace('name = "wire"', 'name = "agency"')
            .replace('path = "gone"', 'path = "wire"'),
            encoding="utf-8",
        )
        daemon.process.send_signal(signal.SIGHUP)
        daemon.wait_for(lambda e: "configuration reloaded" in str(e["message"]), timeout=15)
        after = status_when(
            daemon,
            lambda s: bool(s["last_run"]) and s["last_run"]["outcome"] == "ok",  # type: ignore[index]
        )
    finally:
        daemon.stop()

    assert after["failing_sources"] == {} and after["last_run"]["backed_off"] == []  # type: ignore[index]


def test_a_schedule_that_never_comes_is_refused(site: Path) -> None:
    config = site / "syndicator.toml"
    config.write_text(config.read_text() + '\n[schedule]\ncron = "0 0 31 2 *"\n', encoding="utf-8")

    with pytest.raises(ConfigError, match="never comes") as refused:
        check_config(load_config(config), now=datetime(2026, 11, 30, tzinfo=UTC))

    assert refused.value.key == "schedule.cron"


def test_the_publish_job_is_added_again_when_the_scheduler_has_dropped_it(site: Path) -> None:
    config = load_config(site / "syndicator.toml")
    daemon = Daemon(lambda: config, now=lambda: datetime.now(UTC))
    daemon._scheduler.start(paused=True)
    try:
        assert daemon._scheduler.get_job(JOB_ID) is None  # as after a trigger's last run
        daemon._schedule(next_run_time=datetime.now(UTC))
        assert daemon._scheduler.get_job(JOB_ID) is not None
    finally:
        daemon._scheduler.shutdown(wait=False)


def test_a_reload_keeps_the_back_off_of_a_source_configured_as_before_wherever_it_is_listed() -> None:
    backoff = SourceBackoff()
    backoff.record(1, ("wire", "desk"), frozenset({"wire", "desk"}))
    wire = SourceConfig("wire", "url", {"url": "https://wire.example/feed"}, key="sources[0]")
    desk = SourceConfig("desk", "directory", {"path": Path("desk")}, key="sources[1]")
    # A source inserted above them moves their keys; the desk's folder is fixed.
    moved = replace(wire, key="sources[1]", site_url="https://news.example/")
    fixed = replace(desk, key="sources[2]", options={"path": Path("desk-2024")})

    backoff.keep_only([wire, desk], [moved, fixed])

    assert set(backoff.summary(1)) == {"wire"}
