"""A big run hands its records to normalize and its archive pages to render to worker
processes: the same files, written in the same order, and a worker that dies costs the
run nothing but time."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from sitekit import publish_command, record, write_config

from syndicator.archive_render import PARALLEL_PAGES
from syndicator.intake import PARALLEL_AFTER

ARTICLES = 2 * PARALLEL_PAGES + 6  # pages of 2 articles: more archive pages than PARALLEL_PAGES


def make_site(directory: Path, workers: int, articles: int = ARTICLES, items: int = 2) -> Path:
    directory.mkdir()
    write_config(directory, items=items, extra=f"workers = {workers}\n")
    records = [record(n, categories=[f"Section {n % 3}"]) for n in range(articles)]
    (directory / "articles" / "batch.jsonl").write_text(
        "".join(json.dumps(r) + "\n" for r in records), encoding="utf-8"
    )
    return directory


def publish(site: Path) -> dict[str, Any]:
    done = subprocess.run(publish_command(site), capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    report: dict[str, Any] = json.loads(done.stdout)
    return report


def files(site: Path) -> dict[Path, bytes]:
    out = site / "out"
    return {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}


def test_archive_pages_rendered_by_two_worker_processes_are_the_files_one_process_writes(
    tmp_path: Path,
) -> None:
    alone = publish(make_site(tmp_path / "one", workers=1))
    shared = publish(make_site(tmp_path / "two", workers=2))

    # Too few records to normalize in workers: the render alone forked them.
    assert alone["processes"] == 1 and shared["processes"] == 2
    assert "render_pages" in alone["timings"] and "render_pages" in shared["timings"]
    pages = [p for p in shared["feeds_written"] if p.startswith("archive/")]
    assert len(pages) == 3 * (ARTICLES // 2)  # every full page of 2, in 3 formats
    assert shared["feeds_written"] == alone["feeds_written"]  # written in the same order
    assert files(tmp_path / "two") == files(tmp_path / "one")


def children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


@pytest.mark.parametrize(
    ("articles", "items", "when"),
    [(ARTICLES, 2, "rendering archive pages"), (PARALLEL_AFTER + 500, 50, "normalizing records")],
)
def test_workers_killed_mid_run_leave_the_run_whole(
    tmp_path: Path, articles: int, items: int, when: str
) -> None:
    publish(make_site(tmp_path / "one", workers=1, articles=articles, items=items))
    expected = files(tmp_path / "one")
    site = make_site(tmp_path / "two", workers=2, articles=articles, items=items)
    env = {**os.environ, "SYNDICATOR_TEST_WRITE_DELAY": "0.03"}  # widen the render to a few seconds
    proc = subprocess.Popen(
        publish_command(site), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    killed: list[int] = []
    deadline = time.monotonic() + 60
    while not killed and time.monotonic() < deadline and proc.poll() is None:
        workers = children(proc.pid)
        # The pool forks when normalize passes PARALLEL_AFTER records, or when the render begins.
        if workers and (articles > PARALLEL_AFTER or (site / "out" / "archive").is_dir()):
            for pid in workers:
                os.kill(pid, signal.SIGKILL)
            killed = workers
        time.sleep(0.005)
    out, err = proc.communicate(timeout=300)

    assert killed, f"no worker was forked for {when}"
    assert proc.returncode == 0, err
    assert "worker process failed" in err
    report = json.loads(out)
    assert report["added"] == articles
    assert report["processes"] == 1  # the rest was done in the publishing process
    assert files(site) == expected


# Run as its own process (a fresh, single-threaded one, as a user's publish is): the
# threads alive at each fork, then the run's report.
_FORK_PROBE = """
import json, os, sys, threading
from pathlib import Path
from datetime import UTC, datetime
forks = []
os.register_at_fork(before=lambda: forks.append([t.name for t in threading.enumerate()]))
from syndicator.config import load_config
from syndicator.pipeline import publish_run
report = publish_run(load_config(Path(sys.argv[1])), now=datetime(2024, 3, 1, 12, tzinfo=UTC))
print(json.dumps({"forks": forks, "processes": report.processes}))
"""


def test_the_workers_are_forked_while_the_publisher_has_no_other_thread(tmp_path: Path) -> None:
    """A fork copies the locks other threads hold: the render's writer thread must not
    be running yet when the first archive page makes the pool fork its workers."""
    site = make_site(tmp_path / "site", workers=2)
    probe = subprocess.run(
        [sys.executable, "-c", _FORK_PROBE, str(site / "syndicator.toml")],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    seen = json.loads(probe.stdout.splitlines()[-1])
    assert seen["processes"] == 2
    assert len(seen["forks"]) == 2  # one per worker
    assert all(threads == ["MainThread"] for threads in seen["forks"]), seen["forks"]
