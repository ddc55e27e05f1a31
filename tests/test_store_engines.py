"""A site on PostgreSQL is the same site as on SQLite: the same runs write the
same feed files byte for byte and the same history, and a site moved from one
to the other with `syndicator state migrate` goes on exactly where it was."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sitekit import NOW, write_config

from syndicator.config import STATE_URL_ENV, load_config
from syndicator.errors import StoreLockedError
from syndicator.lock import held_lease
from syndicator.pipeline import publish_run, retract_run
from syndicator.store import RunRecord, open_store

ROOT = Path(__file__).resolve().parent.parent


def generated_site(directory: Path, records: int) -> Path:
    """A site whose source holds the benchmark generator's realistic records (many
    languages and sections, related links, a few broken ones); small archive pages."""
    directory.mkdir()
    path = write_config(directory, items=7)
    # every kind of feed, so that each of the store's reads runs on both engines
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace(
            "[output]\n", "[output]\nlanguage_feeds = true\ntag_feeds = true\nauthor_feeds = true\n"
        ),
        encoding="utf-8",
    )
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "generate.py"),
            str(directory / "articles"),
            "--records",
            str(records),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return directory


def migrate_command(source: str, target: str) -> list[str]:
    return [sys.executable, "-m", "syndicator", "state", "migrate", "--from", source, "--to", target]


def files(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def on(engine: str | None, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every configuration loaded from now on stores into `engine` (None: the SQLite file)."""
    if engine is None:
        monkeypatch.delenv(STATE_URL_ENV, raising=False)
    else:
        monkeypatch.setenv(STATE_URL_ENV, engine)


def history(site: Path, *, named: str = "") -> list[RunRecord]:
    """The site's runs; a rejection names its file by path, so `named`, the
    site's folder, is blanked out to compare two sites."""
    config = load_config(site / "syndicator.toml")
    with open_store(config.store_location) as store:
        runs = store.history(100)
    if not named:
        return runs
    return [
        run._replace(events=[e._replace(detail=e.detail.replace(f"/{named}/", "/SITE/")) for e in run.events])
        for run in runs
    ]


def edit_one_and_add_one(site: Path) -> None:
    """A correction to an existing record and a brand-new record, in a new file."""
    first = site / "articles" / "records-00000.jsonl"
    lines = first.read_text(encoding="utf-8").splitlines()
    record = json.loads(lines[3])
    record["title"] = "A corrected title"
    lines[3] = json.dumps(record, ensure_ascii=False)
    first.write_text("\n".join(lines) + "\n", encoding="utf-8")
    new = dict(record, title="Something new", url="https://news.example.org/brand-new")
    for key in ("id", "guid", "article_id", "uid"):
        if key in new:
            new[key] = "brand-new"
    (site / "articles" / "new.jsonl").write_text(json.dumps(new, ensure_ascii=False) + "\n", encoding="utf-8")


def test_the_same_runs_write_the_same_feeds_and_history_on_sqlite_and_postgresql(
    tmp_path: Path, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    lite = generated_site(tmp_path / "lite", 120)
    pg = generated_site(tmp_path / "pg", 120)
    steps = [NOW, NOW + timedelta(hours=1), NOW + timedelta(hours=2), NOW + timedelta(hours=3)]

    for step, now in enumerate(steps):
        for site, engine in ((lite, None), (pg, postgres_url)):
            on(engine, monkeypatch)
            config = load_config(site / "syndicator.toml")
            if step == 1:
                edit_one_and_add_one(site)
            if step == 2:
                victim = json.loads((site / "out" / "feed.json").read_text(encoding="utf-8"))["items"][2][
                    "id"
                ]
                assert retract_run(config, victim, now=now).done
            else:
                report = publish_run(config, now=now)
                assert report.outcome in ("ok", "rejected")
        assert files(pg / "out") == files(lite / "out"), f"after step {step}"
        on(None, monkeypatch)
        lite_history = history(lite, named="lite")
        on(postgres_url, monkeypatch)
        assert history(pg, named="pg") == lite_history, f"after step {step}"

    assert not (pg / "state" / "state.sqlite3").exists()  # it really was PostgreSQL
    assert all((pg / "out" / kind).is_dir() for kind in ("languages", "tags", "authors"))


def test_a_site_moved_to_postgresql_goes_on_as_if_it_had_never_moved(
    tmp_path: Path, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = generated_site(tmp_path / "site", 120)
    on(None, monkeypatch)
    publish_run(load_config(site / "syndicator.toml"), now=NOW)
    edit_one_and_add_one(site)
    publish_run(load_config(site / "syndicator.toml"), now=NOW + timedelta(hours=1))
    published = files(site / "out")
    before = history(site)
    stayed = tmp_path / "stayed"  # the same site, left on SQLite, for comparison
    shutil.copytree(site, stayed)

    moved = subprocess.run(
        migrate_command(f"sqlite:{site / 'state' / 'state.sqlite3'}", postgres_url),
        capture_output=True,
        text=True,
        timeout=120,
        env={k: v for k, v in os.environ.items() if k != STATE_URL_ENV},
    )
    assert moved.returncode == 0, moved.stderr
    assert "articles" in moved.stdout and "copied" in moved.stdout

    on(postgres_url, monkeypatch)
    assert history(site) == before
    # Everything rendered again from PostgreSQL, at the time of the last run: not a byte moves.
    shutil.rmtree(site / "out")
    publish_run(load_config(site / "syndicator.toml"), now=NOW + timedelta(hours=1), full=True)
    assert files(site / "out") == published

    # And the next runs are the runs the site would have had on SQLite.
    later = NOW + timedelta(days=1)
    for where in (site, stayed):
        (where / "articles" / "later.jsonl").write_text(
            (site / "articles" / "new.jsonl").read_text(encoding="utf-8").replace("brand-new", "later-one"),
            encoding="utf-8",
        )
    publish_run(load_config(site / "syndicator.toml"), now=later)
    moved_run = history(site, named="site")[0]
    on(None, monkeypatch)
    publish_run(load_config(stayed / "syndicator.toml"), now=later)
    assert files(site / "out") == files(stayed / "out")
    stayed_run = history(stayed, named="stayed")[0]
    assert moved_run.run_id == stayed_run.run_id + 1 == before[0].run_id + 2  # the re-render was a run too
    assert moved_run._replace(run_id=0) == stayed_run._replace(run_id=0)


def test_migrating_into_a_store_that_holds_a_site_is_refused(
    tmp_path: Path, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = generated_site(tmp_path / "site", 20)
    on(postgres_url, monkeypatch)
    publish_run(load_config(site / "syndicator.toml"), now=NOW)
    other = generated_site(tmp_path / "other", 20)
    on(None, monkeypatch)
    publish_run(load_config(other / "syndicator.toml"), now=NOW)

    refused = subprocess.run(
        migrate_command(f"sqlite:{other / 'state' / 'state.sqlite3'}", postgres_url),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert refused.returncode == 1
    assert "already holds a store" in refused.stderr
    on(postgres_url, monkeypatch)
    assert len(history(site)) == 1


def test_two_publishers_on_one_postgresql_store_never_run_at_once(
    tmp_path: Path, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two hosts (here: two folders, each with its own state directory and lock
    file) publishing into one store: the second waits, then says who holds it."""
    on(postgres_url, monkeypatch)
    first = generated_site(tmp_path / "first", 10)
    second = generated_site(tmp_path / "second", 10)
    with held_lease(postgres_url, tmp_path, seconds=30, wait_seconds=0, on_lost=lambda: None):
        with pytest.raises(StoreLockedError, match="another syndicator publish is running on this store"):
            publish_run(load_config(second / "syndicator.toml"), now=NOW, wait_seconds=0.5)
        assert not (second / "out").exists()
    assert publish_run(load_config(first / "syndicator.toml"), now=NOW, wait_seconds=0).outcome in (
        "ok",
        "rejected",
    )


def test_a_publisher_killed_with_sigkill_leaves_the_store_to_the_next_one(
    tmp_path: Path, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    on(postgres_url, monkeypatch)
    site = generated_site(tmp_path / "site", 10)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from pathlib import Path\n"
            "from syndicator.lock import held_lease\n"
            "with held_lease(sys.argv[1], Path('.'), seconds=30, wait_seconds=10, on_lost=print):\n"
            "    print('held', flush=True)\n"
            "    time.sleep(600)\n",
            postgres_url,
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        with pytest.raises(StoreLockedError):
            publish_run(load_config(site / "syndicator.toml"), now=NOW, wait_seconds=0.3)
    finally:
        holder.kill()  # SIGKILL: no clean-up of its own
        holder.wait(timeout=10)

    report = publish_run(load_config(site / "syndicator.toml"), now=NOW, wait_seconds=10)

    assert report.added > 0


def test_a_site_moves_back_from_postgresql_to_sqlite_unchanged(
    tmp_path: Path, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = generated_site(tmp_path / "site", 30)
    on(postgres_url, monkeypatch)
    publish_run(load_config(site / "syndicator.toml"), now=NOW)
    published = files(site / "out")
    before = history(site)
    target = tmp_path / "back" / "state.sqlite3"

    moved = subprocess.run(
        migrate_command(postgres_url, f"sqlite:{target}"), capture_output=True, text=True, timeout=120
    )

    assert moved.returncode == 0, moved.stderr
    monkeypatch.delenv(STATE_URL_ENV)
    config = load_config(site / "syndicator.toml").with_overrides(state=target.parent)
    with open_store(config.store_location) as store:
        assert store.history(100) == before
    shutil.rmtree(site / "out")
    publish_run(config, now=NOW, full=True)
    assert files(site / "out") == published


def test_a_sqlite_store_is_copied_beside_itself_in_the_same_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A copy kept next to the store (a backup before an upgrade): both files are in the
    folder whose lock a publisher takes, and the copy takes it once."""
    site = generated_site(tmp_path / "site", 20)
    on(None, monkeypatch)
    publish_run(load_config(site / "syndicator.toml"), now=NOW)
    before = history(site)
    copy = site / "state" / "copy.sqlite3"

    moved = subprocess.run(
        migrate_command(f"sqlite:{site / 'state' / 'state.sqlite3'}", f"sqlite:{copy}"),
        capture_output=True,
        text=True,
        timeout=120,
        env={k: v for k, v in os.environ.items() if k != STATE_URL_ENV},
    )

    assert moved.returncode == 0, moved.stderr
    with open_store(copy) as store:
        assert store.history(100) == before
