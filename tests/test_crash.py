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


# -- kills aimed at a phase of incremental runs, over several kinds of input ------------------

PHASES = ("normalize", "store", "render")


def add_mixed_inputs(site: Path, batch: int) -> None:
    """One run's new work in every input kind: JSON Lines, JSON, raw text and a saved page,
    plus an edit of an article published earlier (a changed article)."""
    add_batch(site, batch)
    articles = site / "articles"
    (articles / f"note-{batch:03d}.txt").write_text(
        f"Harbour log {batch}\n\nThe harbour master logged {batch} arrivals before noon.\n\n"
        "Fishing boats waited for the tide to turn.\n",
        encoding="utf-8",
    )
    (articles / f"page-{batch:03d}.html").write_text(
        f"<html lang='en'><head><title>Quay report {batch}</title>"
        f"<link rel='canonical' href='https://gazette.example/quay/{batch}'></head>"
        f"<body><article><h1>Quay report {batch}</h1><p>Work on quay {batch} went on all week, "
        "with cranes moving in at dawn and crews working late.</p></article></body></html>",
        encoding="utf-8",
    )
    edited = record(7, summary=f"Summary of article 7, edition {batch}.")
    (articles / "edited.json").write_text(json.dumps(edited), encoding="utf-8")


def identities(site: Path) -> dict[str, tuple[str, str]]:
    """url → (id, published) of every stored article."""
    path = site / "state" / "state.sqlite3"
    if not path.exists():
        return {}
    db = sqlite3.connect(path)
    try:
        return {
            url: (aid, json.loads(data)["published"])
            for url, aid, data in db.execute("SELECT url, id, data FROM articles")
        }
    finally:
        db.close()


def publish_killed_in(site: Path, phase: str, nth: int) -> bool:
    """Start a publish and SIGKILL it at its `nth` progress report of `phase`;
    False when the run finished first."""
    child = subprocess.Popen(
        [sys.executable, "-m", "syndicator", "publish", "--config", str(site / "syndicator.toml")],
        cwd=site,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "SYNDICATOR_PROGRESS_EVERY": "0"},
    )
    assert child.stderr is not None
    seen = 0
    for line in child.stderr:
        if line.startswith(f"progress: {phase} "):
            seen += 1
            if seen >= nth:
                os.kill(child.pid, signal.SIGKILL)
                child.wait(timeout=60)
                return True
    child.wait(timeout=60)
    return False


def test_kills_aimed_at_each_phase_of_incremental_runs_never_change_what_readers_saw(tmp_path: Path) -> None:
    site = tmp_path
    write_config(site, items=40)
    for batch in range(3):
        add_mixed_inputs(site, batch)
    assert start_publish(site).wait(timeout=300) == 0
    seen = identities(site)

    kills = 0
    for point in range(9):
        add_mixed_inputs(site, 10 + point)
        phase = PHASES[point % len(PHASES)]
        # reading and storing report once per run here; writing reports every feed: aim
        # at the first, the fifth and the ninth
        nth = 1 + point // len(PHASES) * 4 if phase == "render" else 1
        kills += publish_killed_in(site, phase, nth=nth)
        # Readers only ever see whole feeds; a write cut off leaves a hidden temp file at most.
        assert_every_feed_is_whole(site / "out")
        for leftover in (site / "out").rglob("*tmp*"):
            assert leftover.name.startswith("."), f"{leftover} is visible to readers"
        now = identities(site)
        for url, (aid, published) in seen.items():
            assert now[url] == (aid, published), f"{url} changed its id or published date"
        seen = {**now, **seen}
    assert kills >= 8, "the runs finished before they could be killed"

    assert start_publish(site).wait(timeout=300) == 0
    assert assert_every_feed_is_whole(site / "out") > 0
    assert not list((site / "out").rglob(".*tmp*"))  # the next run tidied what the kills left
    final = identities(site)
    assert all(final[url] == ident for url, ident in seen.items())
    expected_urls = {url for url in final}
    published = {
        item["url"] for item in json.loads((site / "out" / "feed.json").read_text(encoding="utf-8"))["items"]
    }
    for page in (site / "out" / "archive").glob("*/feed.json"):
        published |= {i["url"] for i in json.loads(page.read_text(encoding="utf-8"))["items"]}
    assert published == expected_urls  # every article reachable, once, after the kills
    db = sqlite3.connect(site / "state" / "state.sqlite3")
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    added = db.execute("SELECT count(*), count(DISTINCT article_id) FROM run_events WHERE action = 'added'")
    total, distinct = added.fetchone()
    db.close()
    assert total == distinct == len(final)  # nothing added twice
