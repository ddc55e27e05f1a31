"""`syndicator serve` as an operator meets it: a missing folder, and /status."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import requests
from sitekit import record, write_config


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "syndicator", *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )


@contextmanager
def serving(site: Path, *args: str, env: dict[str, str] | None = None) -> Iterator[str]:
    """A `syndicator serve` process for the site; yields its base URL."""
    options = args or ("--config", "syndicator.toml")
    process = subprocess.Popen(
        [sys.executable, "-m", "syndicator", "serve", "--port", "0", *options],
        cwd=site,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )
    try:
        assert process.stderr is not None
        line = ""
        while "serving" not in line:
            line = process.stderr.readline()
            assert line, "serve exited before serving"
        threading.Thread(target=process.stderr.read, daemon=True).start()
        yield line.split("url=", 1)[1].strip()
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_serve_of_a_folder_that_does_not_exist_refuses_to_start_in_one_line(tmp_path: Path) -> None:
    write_config(tmp_path)
    result = run(
        "serve", "--config", "syndicator.toml", "--output", "never-published", "--port", "0", cwd=tmp_path
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("syndicator: error: cannot serve on 127.0.0.1:0: ")
    assert "never-published does not exist" in lines[0]
    assert "Traceback" not in result.stderr


def test_status_reports_the_last_run_from_the_store_without_paths_or_error_text(
    tmp_path: Path, add_records: Callable[..., Path]
) -> None:
    write_config(
        tmp_path,
        sources=(
            '[[sources]]\nname = "articles"\nkind = "directory"\npath = "articles"\n\n'
            '[[sources]]\nname = "gone"\nkind = "directory"\npath = "no-such-folder"\n'
        ),
    )
    add_records("a.json", [record(1), record(2), {"id": "empty", "title": "", "content_html": ""}])
    published = run("publish", "--config", "syndicator.toml", "--json", cwd=tmp_path)
    report = json.loads(published.stdout)
    assert report["rejected"] and report["source_errors"]  # the run had something to hide

    with serving(tmp_path) as url:
        response = requests.get(url + "/status", timeout=10)

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    status = response.json()
    assert status["store"] == "ok"
    last = status["last_run"]
    assert last["run"] == report["run_id"]
    assert last["outcome"] == "source-errors"
    assert last["added"] == 2
    assert last["rejected"] == 1
    assert last["sources_failed"] == 1
    assert last["feeds_written"] == len(report["feeds_written"])
    assert last["finished"] >= last["started"]
    text = response.text
    assert str(tmp_path) not in text
    assert "no-such-folder" not in text
    for rejection in report["rejected"]:
        assert rejection["reason"] not in text
    for error in report["source_errors"]:
        assert error not in text


def test_status_before_any_run_says_so(tmp_path: Path) -> None:
    write_config(tmp_path)
    (tmp_path / "out").mkdir()
    with serving(tmp_path) as url:
        status = requests.get(url + "/status", timeout=10).json()
    assert status == {"last_run": None, "store": "no runs yet"}


def test_status_of_an_unreadable_store_names_no_path(tmp_path: Path) -> None:
    write_config(tmp_path)
    (tmp_path / "out").mkdir()
    (tmp_path / "state").mkdir()
    (tmp_path / "state" / "state.sqlite3").write_bytes(b"not a database, " * 100)
    with serving(tmp_path) as url:
        response = requests.get(url + "/status", timeout=10)
    assert response.status_code == 200
    assert response.json() == {"last_run": None, "store": "unreadable"}


def test_status_of_a_one_off_output_reads_the_state_kept_outside_it(tmp_path: Path) -> None:
    """`publish --source --output` with no configuration keeps its state elsewhere;
    `serve --output` finds it there."""
    (tmp_path / "articles").mkdir()
    (tmp_path / "articles" / "a.json").write_text(json.dumps([record(1), record(2)]), encoding="utf-8")
    env = {"SYNDICATOR_STATE_HOME": str(tmp_path / "state-home")}
    published = subprocess.run(
        [sys.executable, "-m", "syndicator", "publish", "--source", "articles", "--output", "public"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **env},
    )
    assert published.returncode == 0, published.stderr
    with serving(tmp_path, "--output", "public", env=env) as url:
        status = requests.get(url + "/status", timeout=10).json()
    assert status["store"] == "ok"
    assert status["last_run"]["added"] == 2
    assert status["last_run"]["outcome"] == "ok"


def test_serve_names_the_hubs_in_its_link_header_without_their_credentials(tmp_path: Path) -> None:
    write_config(tmp_path)
    config = tmp_path / "syndicator.toml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + '\n[websub]\nhubs = ["https://publisher:s3cret@hub.example/ping?token=t0ken-9&region=eu"]\n',
        encoding="utf-8",
    )
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "rss.xml").write_text("<rss/>", encoding="utf-8")

    with serving(tmp_path) as url:
        link = requests.get(url + "/rss.xml", timeout=10).headers["Link"]

    assert '<https://hub.example/ping?region=eu>; rel="hub"' in link
    assert "s3cret" not in link and "t0ken" not in link
