"""kill -9 at many points of a publish: feeds stay whole, the next run finishes the work."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import feedparser
from sitekit import record, write_config

RECORDS_PER_FILE = 150
FILES = 8
KILL_POINTS = 14


def start_publish(site: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "syndicator", "publish", "--config", str(site / "syndicator.toml"), "-q"],
        cwd=site,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def assert_every_feed_is_whole(out: Path) -> int:
    checked = 0
    for path in sorted(out.rglob("*")):
        if path.name.startswith(".") or not path.is_file():
            continue
        if path.suffix == ".xml":
            parsed = feedparser.parse(path.read_bytes())
            assert not parsed.bozo, f"{path} is broken: {parsed.bozo_exception}"
        elif path.suffix == ".json" and path.parent.name != "rejected":
            json.loads(path.read_text(encoding="utf-8"))
        checked += 1
    return checked


def add_batch(site: Path, batch: int) -> None:
    records = [
        record(
            batch * 1000 + n,
            category=f"Section {n % 6}",
            published=f"2024-0{1 + batch % 9}-{1 + n % 27:02d}T08:00:00Z",
        )
        for n in range(RECORDS_PER_FILE)
    ]
    path = site / "articles" / f"batch-{batch:03d}.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")


def test_publish_killed_at_any_point_leaves_whole_feeds_and_the_next_run_completes(tmp_path: Path) -> None:
    site = tmp_path
    write_config(site, items=40)
    for batch in range(FILES):
        add_batch(site, batch)

    # One uninterrupted run on a copy of the input tells how long a run lasts here.
    timing = tmp_path / "timing"
    timing.mkdir()
    write_config(timing, items=40)
    for path in (site / "articles").iterdir():
        (timing / "articles" / path.name).write_bytes(path.read_bytes())
    started = time.monotonic()
    assert start_publish(timing).wait(timeout=300) == 0
    duration = time.monotonic() - started

    kills = 0
    for point in range(KILL_POINTS):
        add_batch(site, FILES + point)  # every run has new work: store and feed writes
        child = start_publish(site)
        time.sleep(duration * (0.1 + 0.9 * point / KILL_POINTS))
        if child.poll() is None:
            os.kill(child.pid, signal.SIGKILL)
            kills += 1
        child.wait(timeout=60)
        if (site / "out").exists():
            assert_every_feed_is_whole(site / "out")
    assert kills >= KILL_POINTS // 2, "the runs finished before they could be killed"

    final = start_publish(site)
    assert final.wait(timeout=300) == 0
    assert assert_every_feed_is_whole(site / "out") > 0

    expected = FILES + KILL_POINTS
    db = sqlite3.connect(site / "state" / "state.sqlite3")
    stored = db.execute("SELECT count(*), count(DISTINCT url) FROM articles").fetchone()
    added = db.execute(
        "SELECT count(*), count(DISTINCT article_id) FROM run_events WHERE action = 'added'"
    ).fetchone()
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.close()
    assert stored == (expected * RECORDS_PER_FILE, expected * RECORDS_PER_FILE)
    assert added[0] == added[1] == expected * RECORDS_PER_FILE  # nothing added twice
    feed = json.loads((site / "out" / "feed.json").read_text(encoding="utf-8"))
    ids = [item["id"] for item in feed["items"]]
    db = sqlite3.connect(site / "state" / "state.sqlite3")
    newest = {r[0] for r in db.execute("SELECT id FROM articles ORDER BY published_utc DESC, id LIMIT 40")}
    # ... and the articles of the archive page that is not full yet, so none is out of reach
    (slots,) = db.execute("SELECT max(archive_seq) + 1 FROM articles").fetchone()
    unarchived = {
        r[0] for r in db.execute("SELECT id FROM articles WHERE archive_seq >= ?", (slots // 40 * 40,))
    }
    in_order = [
        r[0]
        for r in db.execute("SELECT id FROM articles ORDER BY published_utc DESC, id")
        if r[0] in newest | unarchived
    ]
    db.close()
    assert ids == in_order  # the served feed holds exactly what the store says it should
    assert not list((site / "out").rglob(".*.tmp-*"))
