"""`syndicator daemon` as an operator runs it: a real process, a real schedule, real HTTP."""

from __future__ import annotations

import configparser
import gzip
import itertools
import json
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import feedparser
import pytest
import requests
from sitekit import NOW, REPO, record, write_config
from slowweb import TricklingServer

from syndicator.config import load_config
from syndicator.daemon_status import SourceBackoff
from syndicator.pipeline import publish_run
from syndicator.store import SQLiteStore

INTERVAL = 1.0  # seconds between scheduled runs in these tests


class DaemonProcess:
    def __init__(self, site: Path, *extra: str) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "syndicator",
                "daemon",
                "--config",
                str(site / "syndicator.toml"),
                "--interval",
                f"{INTERVAL:g}s",
                "--port",
                "0",
                "--log-format",
                "json",
                *extra,
            ],
            cwd=site,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: queue.Queue[dict[str, object]] = queue.Queue()
        self.log: list[dict[str, object]] = []
        threading.Thread(target=self._read, daemon=True).start()
        self.url = str(self.wait_for(lambda e: str(e["message"]).startswith("serving url="))["message"])[12:]

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            try:
                self.lines.put(json.loads(line))
            except json.JSONDecodeError:
                self.lines.put({"message": line.strip(), "level": "raw"})

    def wait_for(self, match: Callable[[dict[str, object]], bool], timeout: float = 30) -> dict[str, object]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                entry = self.lines.get(timeout=0.2)
            except queue.Empty:
                continue
            self.log.append(entry)
            if match(entry):
                return entry
        raise AssertionError(f"no such log line; saw {[e['message'] for e in self.log][-10:]}")

    def runs(self) -> int:
        return sum(1 for e in self.log if str(e["message"]).startswith("run outcome="))

    def next_run(self, timeout: float = 30) -> dict[str, object]:
        return self.wait_for(lambda e: str(e["message"]).startswith("run outcome="), timeout)

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=30)


@pytest.fixture
def daemon(site: Path, add_records: Callable[..., Path]) -> Iterator[DaemonProcess]:
    add_records("a.json", [record(1)])
    running = DaemonProcess(site)
    yield running
    running.stop()


def test_a_new_article_appears_in_the_served_feed_within_two_intervals(
    daemon: DaemonProcess, add_records: Callable[..., Path]
) -> None:
    daemon.next_run()
    add_records("b.json", [record(2, title="Breaking: dropped into the source")])

    for _ in range(3):  # the run in progress may have missed it; the next one may not
        entry = daemon.next_run(timeout=4 * INTERVAL + 10)
        if json.dumps(entry).find('"added": 1') >= 0:
            break
    feed = feedparser.parse(requests.get(daemon.url + "/rss.xml", timeout=10).content)
    assert "Breaking: dropped into the source" in [e.title for e in feed.entries]


def test_the_served_feed_answers_304_to_its_etag_and_gzip_when_asked(daemon: DaemonProcess) -> None:
    daemon.next_run()
    first = requests.get(daemon.url + "/atom.xml", timeout=10)
    again = requests.get(
        daemon.url + "/atom.xml", headers={"If-None-Match": first.headers["ETag"]}, timeout=10
    )
    zipped = requests.get(
        daemon.url + "/atom.xml", headers={"Accept-Encoding": "gzip"}, stream=True, timeout=10
    )

    assert first.status_code == 200 and first.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    assert again.status_code == 304 and again.content == b""
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.raw.read()) == first.content


def test_status_reports_the_last_and_next_run(daemon: DaemonProcess) -> None:
    daemon.next_run()
    status = requests.get(daemon.url + "/status", timeout=10).json()
    health = requests.get(daemon.url + "/healthz", timeout=10)

    assert health.status_code == 200
    assert status["last_run"]["outcome"] == "ok" and status["runs"] >= 1
    assert status["next_run"] is not None


def test_sigterm_stops_it_with_exit_0_quickly_and_leaves_no_temporary_file(
    daemon: DaemonProcess, site: Path
) -> None:
    daemon.next_run()
    started = time.monotonic()
    code = daemon.stop()
    stopped_after = time.monotonic() - started

    assert code == 0
    assert stopped_after < 10, "the daemon must exit within 10 seconds of SIGTERM"
    assert not [p for p in (site / "out").rglob("*") if ".tmp-" in p.name]


def test_sighup_with_a_broken_configuration_keeps_it_running_on_the_old_one(
    daemon: DaemonProcess, site: Path, add_records: Callable[..., Path]
) -> None:
    daemon.next_run()
    config = site / "syndicator.toml"
    config.write_text(config.read_text() + "\n[bogus]\n", encoding="utf-8")

    daemon.process.send_signal(signal.SIGHUP)
    failure = daemon.wait_for(lambda e: "reload failed" in str(e["message"]))
    add_records("c.json", [record(3, title="Still publishing")])
    for _ in range(4):
        daemon.next_run(timeout=4 * INTERVAL + 10)
        if "Still publishing" in requests.get(daemon.url + "/feed.json", timeout=10).text:
            break

    assert "bogus: unknown key" in str(failure["message"])
    assert daemon.process.poll() is None
    assert "Still publishing" in requests.get(daemon.url + "/feed.json", timeout=10).text


def test_a_failing_run_is_logged_and_the_last_good_feeds_stay_served(
    daemon: DaemonProcess, site: Path
) -> None:
    daemon.next_run()
    good = requests.get(daemon.url + "/rss.xml", timeout=10).content
    (site / "articles").rename(site / "articles-gone")

    failed = daemon.wait_for(lambda e: "source=articles failed" in str(e["message"]))
    daemon.next_run(timeout=4 * INTERVAL + 10)

    assert failed["level"] == "warning"
    assert daemon.process.poll() is None
    assert requests.get(daemon.url + "/rss.xml", timeout=10).content == good


def test_readers_fetching_during_publishes_always_get_a_whole_feed(
    daemon: DaemonProcess, add_records: Callable[..., Path]
) -> None:
    daemon.next_run()
    stop = threading.Event()

    def keep_publishing() -> None:
        n = 100
        while not stop.is_set():
            add_records(f"burst-{n}.jsonl", [record(n + k) for k in range(40)])
            n += 100
            time.sleep(INTERVAL / 2)

    writer = threading.Thread(target=keep_publishing, daemon=True)
    writer.start()
    bodies = set()
    try:
        with requests.Session() as session:
            for _ in range(150):
                body = session.get(daemon.url + "/atom.xml", timeout=10).content
                parsed = feedparser.parse(body)
                assert not parsed.bozo, parsed.bozo_exception
                bodies.add(body)
                time.sleep(0.02)
    finally:
        stop.set()
        writer.join()
    assert len(bodies) > 1, "the feed never changed while it was read; the test proved nothing"


def test_a_source_that_keeps_failing_is_retried_less_and_less_often() -> None:
    backoff = SourceBackoff()
    attempted = frozenset({"wire"})
    tried = []
    for tick in range(40):
        if "wire" not in backoff.skipped(tick):
            tried.append(tick)
            backoff.record(tick, ("wire",), attempted)
    gaps = [b - a for a, b in itertools.pairwise(tried)]

    assert gaps[:4] == [1, 4, 8, 16]
    backoff.record(tried[-1], (), attempted)
    assert backoff.skipped(tried[-1] + 1) == frozenset()


def test_the_systemd_unit_runs_the_daemon_and_reloads_with_sighup() -> None:
    unit = configparser.ConfigParser(strict=True, interpolation=None)
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read(REPO / "config" / "deploy" / "syndicator.service", encoding="utf-8")

    exec_start = unit["Service"]["ExecStart"].split()
    assert exec_start[0].endswith("/syndicator") and exec_start[1] == "daemon"
    assert unit["Service"]["ExecReload"] == "/bin/kill -HUP $MAINPID"
    assert unit["Service"]["KillSignal"] == "SIGTERM"
    assert unit["Install"]["WantedBy"] == "multi-user.target"
    assert "SYNDICATOR_CONFIG=" in unit["Service"]["Environment"]


def test_the_container_recipe_starts_the_daemon() -> None:
    recipe = (REPO / "config" / "deploy" / "Containerfile").read_text(encoding="utf-8")
    assert 'CMD ["syndicator", "daemon"' in recipe
    assert "STOPSIGNAL SIGTERM" in recipe and "EXPOSE 8080" in recipe


def test_the_container_and_unit_files_use_paths_that_exist_in_the_repository() -> None:
    recipe = (REPO / "config" / "deploy" / "Containerfile").read_text(encoding="utf-8")
    for line in recipe.splitlines():
        if line.startswith("COPY "):
            assert (REPO / line.split()[1]).exists(), line


def test_serve_alone_serves_an_existing_output_and_stops_on_sigterm(
    daemon: DaemonProcess, site: Path
) -> None:
    daemon.next_run()
    daemon.stop()
    server = subprocess.Popen(
        [sys.executable, "-m", "syndicator", "serve", "--output", str(site / "out"), "--port", "0"],
        cwd=site,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stderr is not None
        line = ""
        while "serving" not in line:
            line = server.stderr.readline()
            assert line, "serve exited before serving"
        url = line.split("url=", 1)[1].strip()
        response = requests.get(url + "/feed.json", timeout=10)
        assert response.headers["Content-Type"] == "application/feed+json; charset=utf-8"
        assert response.content == (site / "out" / "feed.json").read_bytes()
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=10) == 0
    finally:
        server.kill()
        server.wait()


# -- stopping from any point of a run -----------------------------------------------------------

STOP_SIGNALS = [pytest.param(signal.SIGTERM, id="SIGTERM"), pytest.param(signal.SIGINT, id="SIGINT")]
ARTICLES = '[[sources]]\nname = "articles"\nkind = "directory"\npath = "articles"\n'
FEED_NAMES = ("rss.xml", "atom.xml", "feed.json")


def signalled(daemon: DaemonProcess, signum: int) -> tuple[int, float]:
    """(exit status, seconds from the signal to the process gone)."""
    started = time.monotonic()
    daemon.process.send_signal(signum)
    try:
        code = daemon.process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        daemon.process.kill()
        daemon.process.wait()
        pytest.fail("the daemon was still running 60 s after the signal")
    return code, time.monotonic() - started


def assert_every_feed_is_whole(out: Path) -> None:
    feeds = [p for p in out.rglob("*") if p.name in FEED_NAMES]
    assert feeds, "no feed was written at all"
    for path in feeds:
        if path.suffix == ".json":
            assert json.loads(path.read_bytes())["version"] == "https://jsonfeed.org/version/1.1", path
            continue
        parsed = feedparser.parse(path.read_bytes())
        assert not parsed.bozo, (path, parsed.bozo_exception)
    assert not [p for p in out.rglob("*") if ".tmp-" in p.name], "a temporary file was left behind"


@pytest.mark.parametrize("signum", STOP_SIGNALS)
def test_a_stop_signal_while_a_source_trickles_exits_0_within_10_seconds(
    site: Path, add_records: Callable[..., Path], signum: int
) -> None:
    add_records("a.json", [record(1), record(2)])
    publish_run(load_config(site / "syndicator.toml"), now=NOW)  # feeds readers already have
    slow = TricklingServer(phase="body")
    write_config(
        site, sources=ARTICLES + f'[[sources]]\nname = "slow"\nkind = "feed"\nurl = "{slow.url}/rss"\n'
    )
    add_records("b.json", [record(3)])
    daemon = DaemonProcess(site)
    try:
        assert slow.arrived.wait(30), "the run never reached the slow source"
        code, seconds = signalled(daemon, signum)
    finally:
        slow.close()
        daemon.stop()

    assert code == 0
    assert seconds < 10, f"the daemon took {seconds:.1f} s to stop"
    assert_every_feed_is_whole(site / "out")


@pytest.mark.parametrize("signum", STOP_SIGNALS)
def test_a_stop_signal_while_feeds_are_written_exits_0_within_10_seconds(
    site: Path, add_records: Callable[..., Path], signum: int
) -> None:
    config = site / "syndicator.toml"
    config.write_text(
        config.read_text().replace("items = 50", "items = 10\narchive_page_size = 4"), encoding="utf-8"
    )
    add_records("many.jsonl", [record(n, category=f"Topic {n % 40}") for n in range(1, 1201)])
    daemon = DaemonProcess(site)
    try:
        deadline = time.monotonic() + 120
        while not (site / "out" / "rss.xml").exists():  # the main feed is the first file written
            assert time.monotonic() < deadline, "the run never started writing"
            time.sleep(0.01)
        code, seconds = signalled(daemon, signum)
    finally:
        daemon.stop()
    cut = [e for e in daemon.log if "cut short" in str(e["message"])]
    while not cut and not daemon.lines.empty():
        entry = daemon.lines.get()
        cut += [entry] if "cut short" in str(entry["message"]) else []

    assert code == 0
    assert seconds < 10, f"the daemon took {seconds:.1f} s to stop"
    assert cut and "between two feeds" in str(cut[0]["message"]), (
        "the signal did not arrive during the writes"
    )
    assert_every_feed_is_whole(site / "out")


@pytest.mark.parametrize("signum", STOP_SIGNALS)
def test_a_stop_signal_while_a_hub_trickles_exits_0_within_10_seconds_and_keeps_the_pings(
    site: Path, add_records: Callable[..., Path], signum: int
) -> None:
    hub = TricklingServer(phase="headers")
    write_config(site, extra=f'[websub]\nhubs = ["{hub.url}/hub"]\ntimeout = 5\n')
    add_records("a.json", [record(1)])
    daemon = DaemonProcess(site)
    try:
        assert hub.arrived.wait(30), "the run never pinged the hub"
        code, seconds = signalled(daemon, signum)
    finally:
        hub.close()
        daemon.stop()

    assert code == 0
    assert seconds < 10, f"the daemon took {seconds:.1f} s to stop"
    assert_every_feed_is_whole(site / "out")
    with SQLiteStore(site / "state" / "state.sqlite3") as store:
        assert len(store.pending_pings([f"{hub.url}/hub"])) == 6, "the unfinished pings must be sent again"


# -- reloading -----------------------------------------------------------------------------------

INVALID_SOURCES = [
    pytest.param(
        '[[sources]]\nname = "wire"\nkind = "feed"\nurl = "https://wire.example/rss.xml"\nfolder = "x"\n',
        "sources[1].folder: unknown key",
        id="unknown-source-option",
    ),
    pytest.param(
        '[[sources]]\nname = "api"\nkind = "json_api"\nurl = "https://api.example/posts"\n'
        'token_env = "SYNDICATOR_TEST_NEVER_SET"\n',
        "SYNDICATOR_TEST_NEVER_SET' is not set",
        id="unset-token-env",
    ),
    pytest.param(
        '[[sources]]\nname = "wire"\nkind = "feed"\nurl = "wire.example/rss.xml"\n',
        "sources[1].url: 'wire.example/rss.xml' is not an absolute http(s) URL",
        id="bad-url",
    ),
    pytest.param(
        '[[sources]]\nname = "site"\nkind = "pages"\nsection = "https://www.example.org/news"\n'
        'links = "a[href"\n',
        "sources[1].links: not a CSS selector",
        id="bad-selector",
    ),
]


@pytest.mark.parametrize(("bad_source", "reason"), INVALID_SOURCES)
def test_sighup_with_an_invalid_source_keeps_the_running_configuration_and_says_why(
    daemon: DaemonProcess, site: Path, add_records: Callable[..., Path], bad_source: str, reason: str
) -> None:
    daemon.next_run()
    config = site / "syndicator.toml"
    config.write_text(config.read_text() + "\n" + bad_source, encoding="utf-8")

    daemon.process.send_signal(signal.SIGHUP)
    answer = daemon.wait_for(
        lambda e: "reload failed" in str(e["message"]) or "configuration reloaded" in str(e["message"]),
        timeout=15,
    )
    add_records("c.json", [record(3, title="Still publishing")])
    for _ in range(4):
        daemon.next_run(timeout=4 * INTERVAL + 10)
        if "Still publishing" in requests.get(daemon.url + "/feed.json", timeout=10).text:
            break

    assert "reload failed, keeping the running configuration" in str(answer["message"])
    assert reason in str(answer["message"])
    assert "Still publishing" in requests.get(daemon.url + "/feed.json", timeout=10).text
    assert not [e for e in daemon.log if "run failed" in str(e["message"])]


# -- what operators are told ---------------------------------------------------------------------


def status_when(daemon: DaemonProcess, wanted: Callable[[dict[str, object]], bool]) -> dict[str, object]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        status: dict[str, object] = requests.get(daemon.url + "/status", timeout=10).json()
        if wanted(status):
            return status
        time.sleep(0.05)
    raise AssertionError(f"/status never showed it; last: {status}")


def test_while_a_failing_source_is_backed_off_the_log_and_status_say_so(
    site: Path, add_records: Callable[..., Path]
) -> None:
    write_config(site, sources=ARTICLES + '[[sources]]\nname = "wire"\nkind = "directory"\npath = "gone"\n')
    add_records("a.json", [record(1)])
    daemon = DaemonProcess(site)
    try:
        line = daemon.wait_for(lambda e: "backed_off=wire" in str(e["message"]))
        status = status_when(
            daemon,
            lambda s: bool(s["last_run"]) and s["last_run"]["backed_off"] == ["wire"],  # type: ignore[index]
        )
    finally:
        daemon.stop()

    assert "outcome=source-errors" in str(line["message"])
    assert status["last_run"]["outcome"] == "source-errors"  # type: ignore[index]
    assert status["failing_sources"]["wire"]["failures"] >= 1  # type: ignore[index]


def test_status_names_the_kind_of_failure_but_no_path_of_the_host(site: Path) -> None:
    (site / "state").mkdir()
    (site / "state" / "state.sqlite3").write_bytes(b"this is not a database, " * 100)
    daemon = DaemonProcess(site)
    try:
        status = status_when(daemon, lambda s: bool(s["last_run"]))
    finally:
        daemon.stop()

    assert status["last_run"]["outcome"] == "failed"  # type: ignore[index]
    assert status["last_run"]["error"] == "the state store could not be used (see the daemon log)"  # type: ignore[index]
    assert str(site) not in json.dumps(status) and "sqlite3" not in json.dumps(status)
