"""Several `syndicator daemon` processes sharing one PostgreSQL store, as an
operator runs them on several hosts: one leads and publishes, the others wait;
when the leader is killed (SIGKILL) or frozen (SIGSTOP: a host cut off),
another takes over within one schedule interval, and readers find every
article once, under the id it was first published with.

Each daemon here has its own state directory (as on its own host) and they
share the store, the source folder and the output folder (object storage or
a shared folder in production). A run is held at a chosen point by a real
upstream feed on loopback that answers only when told to (ingest), or by
slowing the writing of files (SYNDICATOR_TEST_WRITE_DELAY: render/write).
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import feedparser
import psycopg
import pytest
import requests
from sitekit import CONFIG_DIR, NOW, record

from syndicator.errors import LeaseLostError
from syndicator.store import PostgresLease, open_store

INTERVAL = 6.0  # seconds between scheduled runs
LEASE = "3s"  # at most half the interval: a follower looks for it every second
TAKEOVER_BOUND = 2 * INTERVAL  # generous: the rule is one interval, the machine is shared
RECORDS = 2300  # more than one store chunk (2000): a run killed in ingest has stored part of it


class Upstream:
    """An RSS feed on 127.0.0.1 that, while held, answers nobody (a run waits in ingest)."""

    def __init__(self) -> None:
        self.held = threading.Event()
        self.asked = threading.Event()  # a held request arrived
        self.let_go = threading.Event()
        upstream = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if upstream.held.is_set():
                    upstream.asked.set()
                    upstream.let_go.wait(60)
                body = RSS.encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/rss"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.let_go.set()
        self.server.shutdown()
        self.server.server_close()


RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Wire</title><link>https://wire.example/</link>
<description>Wire</description>
<item><title>Wire story one</title><link>https://wire.example/1</link><guid>https://wire.example/1</guid>
<pubDate>Mon, 26 Feb 2024 09:00:00 +0000</pubDate><description>First wire story.</description></item>
<item><title>Wire story two</title><link>https://wire.example/2</link><guid>https://wire.example/2</guid>
<pubDate>Tue, 27 Feb 2024 09:00:00 +0000</pubDate><description>Second wire story.</description></item>
</channel></rss>
"""
WIRE_TITLES = {"Wire story one", "Wire story two"}


class Daemon:
    """One `syndicator daemon` process, its JSON log read as it comes."""

    def __init__(self, config: Path, *, env: dict[str, str] | None = None) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "syndicator",
                "daemon",
                "--config",
                str(config),
                "--interval",
                f"{INTERVAL:g}s",
                "--port",
                "0",
                "--log-format",
                "json",
            ],
            cwd=config.parent,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, **(env or {})},
        )
        self.lines: queue.Queue[dict[str, object]] = queue.Queue()
        self.log: list[dict[str, object]] = []
        threading.Thread(target=self._read, daemon=True).start()
        self.url = str(self.wait_for(lambda m: m.startswith("serving url="))["message"])[12:]

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            try:
                self.lines.put(json.loads(line))
            except json.JSONDecodeError:
                self.lines.put({"message": line.strip()})

    def wait_for(self, match: Callable[[str], bool], timeout: float = 60) -> dict[str, object]:
        for entry in self.log:
            if match(str(entry["message"])):
                return entry
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                entry = self.lines.get(timeout=0.1)
            except queue.Empty:
                continue
            self.log.append(entry)
            if match(str(entry["message"])):
                return entry
        raise AssertionError(f"no such log line; saw {[e['message'] for e in self.log][-12:]}")

    def leads(self, timeout: float = 60) -> float:
        """Wait until this process takes the lease; when it did (time.monotonic)."""
        self.wait_for(lambda m: m.startswith("leading the store"), timeout)
        return time.monotonic()

    def status(self) -> dict[str, object]:
        answer: dict[str, object] = requests.get(self.url + "/status", timeout=10).json()
        return answer

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


class Cluster:
    """N daemons configured as N hosts sharing one store, one source and one output."""

    def __init__(self, root: Path, store_url: str, upstream: Upstream) -> None:
        self.root = root
        self.store_url = store_url
        self.articles = root / "articles"
        self.out = root / "out"
        self.articles.mkdir()
        self.upstream = upstream
        self.daemons: list[Daemon] = []

    def config(self, n: int) -> Path:
        host = self.root / f"host{n}"
        host.mkdir(exist_ok=True)
        path = host / "syndicator.toml"
        path.write_text(
            f"""
[site]
title = "Shared Gazette"
description = "One store, several daemons."
base_url = "https://gazette.example/"
feeds_url = "https://gazette.example/feeds/"
language = "en"
timezone = "Europe/Paris"

[[sources]]
name = "articles"
kind = "directory"
path = "{self.articles}"

[[sources]]
name = "wire"
kind = "feed"
url = "{self.upstream.url}"
delay = 0

[output]
directory = "{self.out}"
items = 20

[state]
directory = "state"
url = "{self.store_url}"
lease = "{LEASE}"

[normalize]
taxonomy = "{CONFIG_DIR / "taxonomy.toml"}"
""",
            encoding="utf-8",
        )
        return path

    def start(self, n: int, **env: str) -> Daemon:
        daemon = Daemon(self.config(n), env=env)
        self.daemons.append(daemon)
        return daemon

    def close(self) -> None:
        for daemon in self.daemons:
            daemon.stop()


@pytest.fixture
def upstream() -> Iterator[Upstream]:
    server = Upstream()
    yield server
    server.close()


@pytest.fixture
def cluster(tmp_path: Path, postgres_url: str, upstream: Upstream) -> Iterator[Cluster]:
    shared = Cluster(tmp_path, postgres_url, upstream)
    yield shared
    shared.close()


def add_records(cluster: Cluster, name: str, numbers: range) -> None:
    lines = [json.dumps(record(n)) for n in numbers]
    (cluster.articles / name).write_text("\n".join(lines) + "\n", encoding="utf-8")


def stored_ids(cluster: Cluster) -> dict[str, str]:
    """Title → id of every article in the store."""
    with psycopg.connect(cluster.store_url, autocommit=True) as conn:
        rows = conn.execute("SELECT id, (data::json) ->> 'title' FROM articles").fetchall()
    return {title: article_id for article_id, title in rows}


def published_ids(out: Path) -> dict[str, set[str]]:
    """Title → ids, over the main Atom feed and every full archive page, as feedparser reads them.

    Every article is in the feed or in a full archive page (RFC 5005)."""
    found: dict[str, set[str]] = {}
    for path in [out / "atom.xml", *sorted((out / "archive").glob("*/atom.xml"))]:
        parsed = feedparser.parse(path.read_bytes())
        assert not parsed.bozo, f"{path}: {parsed.get('bozo_exception')}"
        for entry in parsed.entries:
            found.setdefault(entry.title, set()).add(entry.id)
    return found


def wait_until(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(f"not within {timeout:g}s: {what}")


def settled(daemon: Daemon, cluster: Cluster, titles: set[str]) -> None:
    """The survivor published every article: a run ended ok with all of them in the feeds."""

    def done() -> bool:
        if not (cluster.out / "atom.xml").exists():
            return False
        try:
            return set(published_ids(cluster.out)) >= titles
        except (AssertionError, OSError):
            return False  # a file is being replaced: look again

    wait_until(done, 120, "every article published by the survivor")
    daemon.wait_for(lambda m: m.startswith("run outcome=ok"), 60)


def assert_each_article_once_with_its_first_id(
    cluster: Cluster, titles: set[str], first: dict[str, str]
) -> None:
    published = published_ids(cluster.out)
    assert set(published) == titles
    assert {t: len(ids) for t, ids in published.items() if len(ids) != 1} == {}
    ids = [next(iter(i)) for i in published.values()]
    assert len(ids) == len(set(ids))  # no two articles share an id
    stored = stored_ids(cluster)
    assert {t: stored[t] for t in first} == first  # what was stored before the kill kept its id
    assert {t: next(iter(ids)) for t, ids in published.items()} == {t: stored[t] for t in published}


def all_titles(numbers: range) -> set[str]:
    return {f"Article number {n}" for n in numbers} | WIRE_TITLES


# -- one leads, the others follow ------------------------------------------------


def test_of_three_daemons_one_leads_and_status_names_it(cluster: Cluster) -> None:
    add_records(cluster, "a.jsonl", range(1, 21))
    first = cluster.start(1)
    first.leads()
    others = [cluster.start(2), cluster.start(3)]
    first.wait_for(lambda m: m.startswith("run outcome=ok"))
    for follower in others:
        follower.wait_for(lambda m: m.startswith("following:"), 3 * INTERVAL + 10)

    daemons = (first, *others)
    wait_until(lambda: all(d.status()["leader"] for d in daemons), 30, "every daemon names the leader")
    statuses = [d.status() for d in daemons]

    assert [s["leading"] for s in statuses] == [True, False, False]
    leaders = [s["leader"] for s in statuses]
    assert all(isinstance(leader, dict) for leader in leaders), statuses
    named = {(leader["host"], leader["pid"], leader["since"]) for leader in leaders}  # type: ignore[index]
    assert {pid for _, pid, _ in named} == {first.process.pid}
    assert set(leaders[0]) == {"host", "pid", "since", "expires"}  # type: ignore[arg-type]
    assert all(not any(str(e["message"]).startswith("run outcome=") for e in d.log) for d in others)


def test_serve_status_names_the_daemon_that_leads_the_store(cluster: Cluster) -> None:
    add_records(cluster, "a.jsonl", range(1, 6))
    leader = cluster.start(1)
    leader.leads()
    # serve refuses a folder that does not exist yet: wait for the leader's first publish.
    wait_until(lambda: (cluster.out / "index.html").is_file(), 120, "the leader published")
    config = cluster.config(9)
    serve = subprocess.Popen(
        [sys.executable, "-m", "syndicator", "serve", "--config", str(config), "--port", "0"],
        cwd=config.parent,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    assert serve.stderr is not None
    threading.Thread(target=lambda: [lines.put(line) for line in serve.stderr or ()], daemon=True).start()
    try:
        url, deadline = "", time.monotonic() + 60
        while not url and time.monotonic() < deadline:
            with contextlib.suppress(queue.Empty):
                line = lines.get(timeout=0.2)
                if "serving directory=" in line:
                    url = line.split(" url=", 1)[1].split()[0]
        assert url, "serve did not start within 60 s"
        status = requests.get(url + "/status", timeout=10).json()
    finally:
        serve.terminate()
        serve.wait(timeout=30)

    assert status["leader"]["pid"] == leader.process.pid


# -- the leader killed ---------------------------------------------------------------


def test_the_leader_killed_during_ingest_is_replaced_within_one_interval(
    cluster: Cluster, upstream: Upstream
) -> None:
    add_records(cluster, "a.jsonl", range(1, RECORDS + 1))
    upstream.held.set()  # the wire feed answers nobody: the first run waits in ingest
    leader = cluster.start(1)
    leader.leads()
    follower = cluster.start(2)
    assert upstream.asked.wait(120), "the leader never asked the wire feed"
    wait_until(lambda: len(stored_ids(cluster)) >= 2000, 120, "the leader stored its first chunk")
    first = stored_ids(cluster)

    leader.kill()
    killed = time.monotonic()
    upstream.held.clear()
    upstream.let_go.set()
    took_over = follower.leads(timeout=60)

    assert took_over - killed < TAKEOVER_BOUND
    settled(follower, cluster, all_titles(range(1, RECORDS + 1)))
    assert_each_article_once_with_its_first_id(cluster, all_titles(range(1, RECORDS + 1)), first)


def test_the_leader_killed_while_writing_feeds_is_replaced_and_the_feeds_are_whole(
    cluster: Cluster,
) -> None:
    add_records(cluster, "a.jsonl", range(1, 301))
    leader = cluster.start(1, SYNDICATOR_TEST_WRITE_DELAY="0.3")
    leader.leads()
    follower = cluster.start(2)
    wait_until(lambda: (cluster.out / "atom.xml").exists() or any(cluster.out.rglob("*.xml")), 120, "a file")
    first = stored_ids(cluster)

    leader.kill()
    killed = time.monotonic()
    took_over = follower.leads(timeout=60)

    assert took_over - killed < TAKEOVER_BOUND
    titles = all_titles(range(1, 301))
    settled(follower, cluster, titles)
    assert_each_article_once_with_its_first_id(cluster, titles, first)
    assert not list(cluster.out.rglob(".*.tmp*"))  # no half-written file left behind


def test_three_daemons_survive_two_leaders_killed_in_turn(cluster: Cluster, upstream: Upstream) -> None:
    add_records(cluster, "a.jsonl", range(1, 201))
    daemons = [cluster.start(1, SYNDICATOR_TEST_WRITE_DELAY="0.2"), cluster.start(2), cluster.start(3)]
    daemons[0].leads()
    daemons[0].wait_for(lambda m: m.startswith("run outcome=ok"), 120)
    first = stored_ids(cluster)
    add_records(cluster, "b.jsonl", range(201, 2501))
    upstream.held.set()
    upstream.asked.clear()
    assert upstream.asked.wait(120)  # the leader's next run waits in ingest

    daemons[0].kill()
    killed = time.monotonic()
    upstream.held.clear()
    upstream.let_go.set()
    # whichever follower takes over, the other keeps following
    second = first_to_lead(daemons[1:], timeout=60)
    assert time.monotonic() - killed < TAKEOVER_BOUND + 1
    second.wait_for(lambda m: m.startswith("run outcome="), 120)
    second.kill()
    killed = time.monotonic()
    third = next(d for d in daemons[1:] if d is not second)
    took_over = third.leads(timeout=60)

    assert took_over - killed < TAKEOVER_BOUND
    titles = all_titles(range(1, 2501))
    settled(third, cluster, titles)
    assert_each_article_once_with_its_first_id(cluster, titles, first)


def first_to_lead(daemons: list[Daemon], timeout: float) -> Daemon:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for daemon in daemons:
            try:
                daemon.wait_for(lambda m: m.startswith("leading the store"), 0.1)
            except AssertionError:
                continue
            return daemon
    raise AssertionError("no follower took the lease over")


# -- a leader cut off: fenced -----------------------------------------------------------


def test_a_leader_frozen_past_its_lease_writes_nothing_when_it_wakes(cluster: Cluster) -> None:
    """SIGSTOP stands for a host cut off: its connections stay open, so the
    follower waits for the lease to run out; the old leader, continued, finds
    its lease gone and neither commits nor writes a file."""
    add_records(cluster, "a.jsonl", range(1, 301))
    leader = cluster.start(1, SYNDICATOR_TEST_WRITE_DELAY="0.3")
    leader.leads()
    follower = cluster.start(2)
    wait_until(lambda: any(cluster.out.rglob("*.xml")), 120, "the leader writing feeds")

    leader.process.send_signal(signal.SIGSTOP)
    stopped = time.monotonic()
    took_over = follower.leads(timeout=60)
    assert took_over - stopped < TAKEOVER_BOUND
    titles = all_titles(range(1, 301))
    settled(follower, cluster, titles)
    before = {p: p.read_bytes() for p in cluster.out.rglob("*") if p.is_file()}
    leader.process.send_signal(signal.SIGCONT)

    leader.wait_for(lambda m: m.startswith("lost the publish lease"), 60)
    leader.wait_for(lambda m: m.startswith("following:"), 60)
    time.sleep(2)  # what it would have written, it would have written by now
    after = {p: p.read_bytes() for p in cluster.out.rglob("*") if p.is_file()}
    assert after == before
    assert follower.status()["leading"] is True
    assert leader.status()["leading"] is False
    assert_each_article_once_with_its_first_id(cluster, titles, {})


def test_a_store_write_after_the_lease_ran_out_and_was_taken_over_is_refused(postgres_url: str) -> None:
    old = PostgresLease(postgres_url, seconds=1)
    new = PostgresLease(postgres_url, seconds=30)
    try:
        old.acquire(wait_seconds=0)
        store = open_store(postgres_url, fence=old.fence)
        try:
            assert not new.try_acquire()  # held, and its holder's session is alive
            time.sleep(1.5)  # not renewed: it runs out
            assert new.try_acquire()

            with pytest.raises(LeaseLostError, match="no longer holds the publish lease"):
                store.begin_run(NOW)
            assert store.history(10) == []
            assert not old.renew()
        finally:
            store.close()
    finally:
        old.close()
        new.close()
