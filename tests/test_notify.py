"""WebSub: every changed feed is pinged once per hub; a bad hub never holds up a publish."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from sitekit import NOW, record, write_config
from slowweb import TricklingServer

from syndicator.config import STATE_URL_ENV, load_config
from syndicator.pipeline import publish_run
from syndicator.store import SQLiteStore


class Hub:
    """A local WebSub hub on 127.0.0.1 that records pings and answers as told."""

    def __init__(self, *, status: int = 204, hang: threading.Event | None = None) -> None:
        self.pings: list[dict[str, list[str]]] = []
        self.status = status  # what it answers; a test may change it (the hub comes back)
        self.authorizations: list[str] = []
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                hub.pings.append(parse_qs(body))
                hub.authorizations.append(self.headers.get("Authorization", ""))
                if hang is not None:
                    hang.wait(30)
                self.send_response(hub.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hub"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The site's store: the SQLite file, or a PostgreSQL server (the configuration names it)."""
    if request.param == "postgresql":
        monkeypatch.setenv(STATE_URL_ENV, request.getfixturevalue("postgres_url"))
    return str(request.param)


@pytest.fixture
def hub() -> Iterator[Hub]:
    server = Hub()
    yield server
    server.close()


def test_each_changed_feed_is_pinged_once_and_unchanged_feeds_never(
    site: Path, add_records: Callable[..., Path], hub: Hub
) -> None:
    add_records("a.json", [record(1, category="World")])
    config = replace(load_config(site / "syndicator.toml"), hubs=(hub.url,))

    first = publish_run(config, now=NOW)
    topics = sorted(p["hub.url"][0] for p in hub.pings)
    assert all(p["hub.mode"] == ["publish"] for p in hub.pings)
    assert topics == sorted(
        f"https://gazette.example/feeds/{f}"
        for f in (
            "rss.xml",
            "atom.xml",
            "feed.json",
            "categories/world/rss.xml",
            "categories/world/atom.xml",
            "categories/world/feed.json",
        )
    )
    assert first.pings_failed == 0 and len(first.pings) == 6

    hub.pings.clear()
    add_records("b.json", [record(2, category="Économie")])
    publish_run(config, now=NOW)
    assert sorted(
        p["hub.url"][0].removeprefix("https://gazette.example/feeds/") for p in hub.pings
    ) == sorted(
        [
            "rss.xml",
            "atom.xml",
            "feed.json",
            "categories/economie/rss.xml",
            "categories/economie/atom.xml",
            "categories/economie/feed.json",
        ]
    )

    hub.pings.clear()
    publish_run(config, now=NOW)
    assert hub.pings == []


def test_feeds_advertise_the_hubs(site: Path, add_records: Callable[..., Path], hub: Hub) -> None:
    add_records("a.json", [record(1)])
    publish_run(replace(load_config(site / "syndicator.toml"), hubs=(hub.url,)), now=NOW)

    assert f'<atom:link rel="hub" href="{hub.url}"/>' in (site / "out" / "rss.xml").read_text()
    assert f'href="{hub.url}" rel="hub"' in (site / "out" / "atom.xml").read_text()
    assert f'"hubs":[{{"type":"WebSub","url":"{hub.url}"}}]' in (site / "out" / "feed.json").read_text()


def test_a_failing_hub_is_recorded_and_the_publish_still_succeeds(
    site: Path, add_records: Callable[..., Path]
) -> None:
    failing = Hub(status=500)
    try:
        add_records("a.json", [record(1)])
        config = replace(load_config(site / "syndicator.toml"), hubs=(failing.url,), hub_timeout=1.0)

        report = publish_run(config, now=NOW)
    finally:
        failing.close()

    assert report.added == 1 and (site / "out" / "rss.xml").exists()
    assert report.pings_failed == 6 and all("HTTP 500" in p for p in report.pings)
    assert len(failing.pings) == 6 * 3  # main and one category feed in three formats, three attempts each
    with SQLiteStore(site / "state" / "state.sqlite3") as store:
        events = [e[0] for e in store.history(1)[0][3]]
    assert events.count("ping-failed") == 6


def test_a_hanging_hub_does_not_hold_up_the_publish(site: Path, add_records: Callable[..., Path]) -> None:
    release = threading.Event()
    hanging = Hub(hang=release)
    try:
        add_records("a.json", [record(1)])
        config = replace(load_config(site / "syndicator.toml"), hubs=(hanging.url,), hub_timeout=0.3)

        report = publish_run(config, now=NOW)
        still_hanging = not release.is_set()
    finally:
        release.set()
        hanging.close()

    assert still_hanging  # the run returned while the hub was still holding the request
    assert report.added == 1 and report.pings_failed == 6
    assert all("failed" in p for p in report.pings)


def websub_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("websub")]


def test_a_trickling_hub_is_cut_off_at_the_deadline_and_no_ping_thread_outlives_it(
    site: Path, add_records: Callable[..., Path]
) -> None:
    hub = TricklingServer(phase="headers", every=0.2)  # a byte well within every read timeout
    try:
        add_records("a.json", [record(1)])
        config = replace(load_config(site / "syndicator.toml"), hubs=(hub.url,), hub_timeout=1.0)
        started = time.monotonic()
        report = publish_run(config, now=NOW)
        seconds = time.monotonic() - started
        left_running = websub_threads()
    finally:
        hub.close()

    assert seconds < 4 + 6, f"the pings' deadline is 4 s; the publish took {seconds:.1f} s"
    assert left_running == [], "a ping thread outlived the deadline"
    assert report.pings_failed == 6 and all("no answer within 4s" in p for p in report.pings)


def test_publish_with_a_trickling_hub_exits_soon_after_its_deadline(site: Path) -> None:
    hub = TricklingServer(phase="headers", every=0.2)
    write_config(site, extra=f'[websub]\nhubs = ["{hub.url}/hub"]\ntimeout = 1\n')
    (site / "articles" / "a.json").write_text(json.dumps([record(1)]), encoding="utf-8")
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "syndicator", "publish", "--config", str(site / "syndicator.toml")],
        cwd=site,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        out, _ = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        pytest.fail("publish was still running 60 s after it started, held by the hub")
    finally:
        hub.close()
    seconds = time.monotonic() - started

    assert process.returncode == 0
    assert "6 failed" in out
    assert seconds < 4 + 15, f"the pings' deadline is 4 s; publish took {seconds:.1f} s in all"


def test_a_failed_ping_is_sent_again_by_the_next_run(
    site: Path, add_records: Callable[..., Path], engine: str
) -> None:
    hub = Hub(status=503)
    try:
        add_records("a.json", [record(1)])
        config = replace(load_config(site / "syndicator.toml"), hubs=(hub.url,), hub_timeout=1.0)
        first = publish_run(config, now=NOW)
        hub.status = 204  # the hub is back
        hub.pings.clear()
        second = publish_run(config, now=NOW)  # nothing changed in the feeds
        retried = sorted(p["hub.url"][0].removeprefix("https://gazette.example/feeds/") for p in hub.pings)
        hub.pings.clear()
        third = publish_run(config, now=NOW)
    finally:
        hub.close()

    assert first.pings_failed == 6
    assert retried == sorted(
        f"{folder}{name}"
        for folder in ("", "categories/world/")
        for name in ("rss.xml", "atom.xml", "feed.json")
    )
    assert second.pings_failed == 0 and len(second.pings) == 6
    assert hub.pings == [] and third.pings == (), "a ping the hub took is not sent again"


def test_the_stored_run_report_holds_the_websub_outcome(
    site: Path, add_records: Callable[..., Path], hub: Hub
) -> None:
    add_records("a.json", [record(1)])
    config = replace(load_config(site / "syndicator.toml"), hubs=(hub.url,))
    report = publish_run(config, now=NOW)

    with SQLiteStore(site / "state" / "state.sqlite3") as store:
        stored = json.loads(
            store.db.execute("SELECT report FROM runs WHERE id = ?", (report.run_id,)).fetchone()[0]
        )
    assert stored["websub"] == {"pings": list(report.pings), "failed": 0}
    assert len(stored["websub"]["pings"]) == 6


def test_a_hub_password_is_sent_to_the_hub_and_never_stored(
    site: Path, add_records: Callable[..., Path]
) -> None:
    failing = Hub(status=503)
    try:
        add_records("a.json", [record(1)])
        with_password = failing.url.replace("http://", "http://publisher:s3cret-pw@")
        config = replace(load_config(site / "syndicator.toml"), hubs=(with_password,), hub_timeout=1.0)
        report = publish_run(config, now=NOW)
    finally:
        failing.close()

    assert set(failing.authorizations) == {"Basic cHVibGlzaGVyOnMzY3JldC1wdw=="}  # publisher:s3cret-pw
    assert report.pings_failed == 6 and not any("s3cret" in p for p in report.pings)
    with SQLiteStore(site / "state" / "state.sqlite3") as store:
        dump = "\n".join(store.db.iterdump())
    assert "s3cret" not in dump and dump.count(failing.url) >= 6  # kept for the next run, by its public URL


def test_a_hub_credential_in_the_url_reaches_the_hub_and_nothing_else(
    site: Path, add_records: Callable[..., Path], hub: Hub
) -> None:
    add_records("a.json", [record(1)])
    secret_hub = hub.url.replace("http://", "http://publisher:s3cret-pw@") + "?topic_group=news&token=t0ken-9"
    config = replace(load_config(site / "syndicator.toml"), hubs=(secret_hub,))

    report = publish_run(config, now=NOW)

    assert set(hub.authorizations) == {"Basic cHVibGlzaGVyOnMzY3JldC1wdw=="}  # publisher:s3cret-pw
    # Readers are told of the hub without the publisher's credentials.
    shared = f"{hub.url}?topic_group=news"
    assert (
        f'<atom:link rel="hub" href="{shared.replace("&", "&amp;")}"/>'
        in (site / "out" / "rss.xml").read_text()
    )
    written = "".join(p.read_text(encoding="utf-8", errors="replace") for p in (site / "out").rglob("*.*"))
    with SQLiteStore(site / "state" / "state.sqlite3") as store:
        dump = "\n".join(store.db.iterdump())
    for secret in ("s3cret", "t0ken-9"):
        assert secret not in written and secret not in dump and not any(secret in p for p in report.pings)
