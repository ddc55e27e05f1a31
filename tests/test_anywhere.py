"""syndicator outside a clone of its repository: a new user's first steps, run as
real processes in folders that hold nothing but what the user put there."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import pytest
from sitekit import record

from syndicator.cli import COMMAND_MODULES, ExitStatus

COMMANDS = sorted(COMMAND_MODULES)


def run(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "syndicator", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "SYNDICATOR_CONFIG": "", **(env or {})},
        timeout=120,
    )


def write_records(folder: Path, count: int, **fields: object) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "wire.jsonl").write_text(
        "".join(json.dumps(record(n, **fields)) + "\n" for n in range(1, count + 1)), encoding="utf-8"
    )
    return folder


def all_feeds_parse(output: Path) -> int:
    """Every feed file under `output` is whole; returns how many there are."""
    feeds = [*output.rglob("rss.xml"), *output.rglob("atom.xml")]
    for path in feeds:
        ET.parse(path)  # raises on a half-written file
    for path in output.rglob("feed.json"):
        json.loads(path.read_text(encoding="utf-8"))
    return len(feeds)


# -- init, then publish, in an empty folder ------------------------------------------------


def test_init_writes_a_site_that_publishes_in_its_own_folder(tmp_path: Path) -> None:
    made = run("init", "news", "--title", "Gazette du soir", "--language", "fr-FR", cwd=tmp_path)
    site = tmp_path / "news"

    published = run("publish", cwd=site)

    assert made.returncode == ExitStatus.OK, made.stderr
    assert "syndicator publish" in made.stdout  # it says what to do next
    assert (site / "syndicator.toml").is_file() and (site / "articles" / "welcome.json").is_file()
    assert published.returncode == ExitStatus.OK, published.stderr
    feed = feedparser.parse((site / "public" / "rss.xml").read_bytes())
    assert feed.feed.title == "Gazette du soir" and feed.feed.language == "fr-FR"
    assert [e.title for e in feed.entries] == ["Welcome to Gazette du soir"]
    assert not list((site / "public").rglob("*.sqlite3"))  # the state is not in the published folder


def test_init_never_replaces_a_configuration_without_force(tmp_path: Path) -> None:
    run("init", cwd=tmp_path)
    (tmp_path / "syndicator.toml").write_text("# mine\n")

    again = run("init", cwd=tmp_path)

    assert again.returncode == ExitStatus.USAGE and "--force" in again.stderr
    assert (tmp_path / "syndicator.toml").read_text() == "# mine\n"


def test_a_command_with_no_configuration_anywhere_says_how_to_make_one(tmp_path: Path) -> None:
    result = run("publish", cwd=tmp_path)

    assert result.returncode == ExitStatus.CONFIG
    assert "syndicator init" in result.stderr and "Traceback" not in result.stderr


def test_a_site_rules_file_extends_the_shipped_rules(tmp_path: Path) -> None:
    run("init", cwd=tmp_path)
    (tmp_path / "rules.toml").write_text(
        'extends = "default"\n[lang.en]\nboilerplate = ["Sponsored by Acme"]\n'
    )
    text = (tmp_path / "syndicator.toml").read_text()
    (tmp_path / "syndicator.toml").write_text(
        text.replace("# [normalize]", '[normalize]\nrules = "rules.toml"')
    )
    (tmp_path / "articles" / "story.txt").write_text(
        "Harbour reopens after storm\n\nThe harbour reopened on Monday after a week of repairs.\n\n"
        "Sponsored by Acme\n\nFishing boats were the first to leave at dawn.\n\n5 min read\n\n"
        "The coast guard said the channel was clear.\n"
    )

    result = run("validate", "--explain", "articles", cwd=tmp_path)

    assert result.returncode == ExitStatus.OK, result.stdout + result.stderr
    checked = run("validate", "--json", "articles/story.txt", cwd=tmp_path)
    content = json.loads(checked.stdout)["valid"][0]["content_html"]
    assert "Fishing boats" in content and "coast guard" in content
    assert "Sponsored" not in content  # the site's own rule
    assert "min read" not in content  # and the shipped ones still apply


# -- a one-off publish with no configuration --------------------------------------------------


def test_a_one_off_publish_has_a_neutral_identity_and_says_what_it_assumed(tmp_path: Path) -> None:
    write_records(tmp_path / "wire", 3, category="business", language="de")

    result = run("publish", "--source", "wire", "--output", "public", cwd=tmp_path)

    assert result.returncode == ExitStatus.OK, result.stderr
    assert "assumed: title 'wire'" in result.stderr
    feed = feedparser.parse((tmp_path / "public" / "atom.xml").read_bytes())
    assert feed.feed.title == "wire"
    assert feed.feed.language == "de"  # what the articles are in, not a sample site's French
    assert "news.example.org" not in (tmp_path / "public" / "rss.xml").read_text()
    # No sample taxonomy: the record's own category, as every format shows it.
    assert {t.term for e in feed.entries for t in e.tags} == {"Business"}
    assert not (tmp_path / "public" / ".syndicator").exists()


def test_history_retract_and_discover_reach_a_one_off_output(tmp_path: Path) -> None:
    write_records(tmp_path / "wire", 2)
    run("publish", "--source", "wire", "--output", "public", "--title", "Wire", cwd=tmp_path)
    victim = json.loads((tmp_path / "public" / "feed.json").read_text())["items"][0]["id"]

    history = run("history", "--output", "public", "--json", cwd=tmp_path)
    retracted = run("retract", "--output", "public", victim, cwd=tmp_path)
    discover = run("discover", "--output", "public", cwd=tmp_path)

    assert history.returncode == 0 and json.loads(history.stdout)[0]["outcome"] == "ok"
    assert retracted.returncode == 0, retracted.stderr
    feed = json.loads((tmp_path / "public" / "feed.json").read_text())
    assert feed["title"] == "Wire" and victim not in [i["id"] for i in feed["items"]]
    assert 'title="Wire (RSS)"' in discover.stdout


def test_a_one_off_publish_never_writes_over_files_it_did_not_write(tmp_path: Path) -> None:
    write_records(tmp_path / "wire", 1)
    (tmp_path / "public").mkdir()
    (tmp_path / "public" / "index.html").write_text("<h1>my own page</h1>")

    refused = run("publish", "--source", "wire", "--output", "public", cwd=tmp_path)
    forced = run("publish", "--source", "wire", "--output", "public", "--force", cwd=tmp_path)
    again = run("publish", "--source", "wire", "--output", "public", cwd=tmp_path)

    assert refused.returncode == ExitStatus.USAGE
    assert "index.html" in refused.stderr and "--force" in refused.stderr
    assert forced.returncode == ExitStatus.OK and again.returncode == ExitStatus.OK  # now it is ours


def test_a_source_that_fails_writes_nothing_and_says_so_once(tmp_path: Path) -> None:
    write_records(tmp_path / "wire", 2)
    run("publish", "--source", "wire", "--output", "public", cwd=tmp_path)
    before = {p: p.read_bytes() for p in (tmp_path / "public").rglob("*") if p.is_file()}

    result = run("publish", "--source", "wrie", "--output", "public", cwd=tmp_path)
    first = run("publish", "--source", "wrie", "--output", "fresh", cwd=tmp_path)

    assert result.returncode == ExitStatus.SOURCE
    output = result.stdout + result.stderr
    assert output.count("wrie") >= 1 and output.count("is not a directory") == 1
    after = {p: p.read_bytes() for p in (tmp_path / "public").rglob("*") if p.is_file()}
    assert after == before  # the good feeds are untouched
    assert first.returncode == ExitStatus.SOURCE and not (tmp_path / "fresh").exists()


def test_every_article_stays_reachable_whatever_items_and_page_size(tmp_path: Path) -> None:
    run("init", cwd=tmp_path)
    text = (tmp_path / "syndicator.toml").read_text()
    (tmp_path / "syndicator.toml").write_text(text.replace("items = 50", "items = 2\narchive_page_size = 3"))
    (tmp_path / "articles" / "welcome.json").unlink()
    write_records(tmp_path / "articles", 7)

    result = run("publish", cwd=tmp_path)

    assert result.returncode == ExitStatus.OK, result.stderr
    reachable = set()
    for path in (tmp_path / "public").rglob("feed.json"):
        if "categories" not in path.parts:
            reachable |= {i["title"] for i in json.loads(path.read_text())["items"]}
    assert reachable == {f"Article number {n}" for n in range(1, 8)}


# -- the command line itself -------------------------------------------------------------------


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_help_shows_examples_and_exit_statuses(command: str, tmp_path: Path) -> None:
    result = run(command, "--help", cwd=tmp_path)

    assert result.returncode == 0
    assert "Examples:" in result.stdout and f"syndicator {command}" in result.stdout
    assert "Exit status:" in result.stdout and "  0  done" in result.stdout


def test_global_options_go_before_or_after_the_command(tmp_path: Path) -> None:
    write_records(tmp_path / "wire", 1)
    run("publish", "--source", "wire", "--output", "public", cwd=tmp_path)
    config = str(next((tmp_path / "state-home").glob("outputs/*/syndicator.toml"), ""))
    env = {"SYNDICATOR_STATE_HOME": str(tmp_path / "state-home")}
    run("publish", "--source", "wire", "--output", "public", cwd=tmp_path, env=env)
    config = str(next((tmp_path / "state-home").glob("outputs/*/syndicator.toml")))

    before = run("-v", "--config", config, "history", cwd=tmp_path, env=env)
    after = run("history", "-v", "--config", config, cwd=tmp_path, env=env)

    assert before.returncode == after.returncode == 0, before.stderr + after.stderr
    assert before.stdout.splitlines()[0] == after.stdout.splitlines()[0]
    assert run("--version", cwd=tmp_path).stdout.startswith("syndicator, version ")


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_shell_completion_scripts_are_printed(shell: str, tmp_path: Path) -> None:
    result = run("completion", shell, cwd=tmp_path)

    assert result.returncode == 0 and "_SYNDICATOR_COMPLETE" in result.stdout


def test_no_colour_when_piped_or_asked(tmp_path: Path) -> None:
    result = run("publish", cwd=tmp_path, env={"NO_COLOR": "1"})

    assert "\x1b[" not in result.stdout + result.stderr


def test_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    env = {**os.environ, "SYNDICATOR_CONFIG": ""}
    for n in range(3):
        write_records(tmp_path / "wire", 300, summary=f"edit {n}")
        subprocess.run(
            [sys.executable, "-m", "syndicator", "publish", "--source", "wire", "--output", "public", "-q"],
            cwd=tmp_path,
            env=env,
            check=False,
        )

    piped = subprocess.run(
        f"{sys.executable} -m syndicator history --output public --limit 4 | head -n 1",
        shell=True,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )

    assert piped.stdout.startswith("run 3")  # three runs of 300 events: more than a pipe holds
    assert piped.stderr == ""  # no "internal error: BrokenPipeError"


def test_ctrl_c_during_a_long_publish_stops_with_one_line_and_status_130(
    tmp_path: Path, state_home: Path
) -> None:
    write_records(tmp_path / "wire", 6000)
    process = subprocess.Popen(
        [sys.executable, "-m", "syndicator", "publish", "--source", "wire", "--output", "public"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "SYNDICATOR_CONFIG": ""},
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while not list(state_home.glob("outputs/*/state.sqlite3")) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(1.0)  # into the run: the store is open, records are being read and normalized
    os.killpg(process.pid, signal.SIGINT)  # what a terminal's Ctrl-C does: the whole group
    start = time.monotonic()
    _, stderr = process.communicate(timeout=30)
    took = time.monotonic() - start

    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr
    assert stderr.strip().splitlines()[-1] == "syndicator: interrupted"
    assert took < 5
    if (tmp_path / "public").exists():
        all_feeds_parse(tmp_path / "public")
    finished = run("publish", "--source", "wire", "--output", "public", cwd=tmp_path)
    assert finished.returncode == ExitStatus.OK, finished.stderr
    assert all_feeds_parse(tmp_path / "public") > 0


@pytest.mark.parametrize("delay", [0.4, 0.8])
def test_ctrl_c_while_the_command_is_starting_shows_no_traceback(delay: float, tmp_path: Path) -> None:
    write_records(tmp_path / "wire", 50)
    process = subprocess.Popen(
        [sys.executable, "-m", "syndicator", "publish", "--source", "wire", "--output", "public"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "SYNDICATOR_CONFIG": ""},
    )
    time.sleep(delay)  # importing the command line, or just begun
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=30)

    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr
    assert process.returncode in (130, ExitStatus.OK)  # interrupted, or done before the signal came


def test_a_publish_off_a_terminal_prints_plain_progress_lines_for_every_stage(tmp_path: Path) -> None:
    write_records(tmp_path / "wire", 1200, category="World")

    result = run(
        "publish",
        "--source",
        "wire",
        "--output",
        "public",
        cwd=tmp_path,
        env={"SYNDICATOR_PROGRESS_EVERY": "0"},
    )

    lines = [line for line in result.stderr.splitlines() if line.startswith("progress: ")]
    assert result.returncode == ExitStatus.OK, result.stderr
    assert {line.split()[1] for line in lines} == {"normalize", "store", "render"}
    assert any(
        " of " in line and "left" in line for line in lines if " render " in line
    )  # a total and an ETA
    assert "\r" not in result.stderr and "\x1b[" not in result.stderr  # plain lines, for logs


def test_a_publish_on_a_terminal_shows_a_live_progress_display(tmp_path: Path) -> None:
    import pty

    write_records(tmp_path / "wire", 1200, category="World")
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "syndicator", "publish", "--source", "wire", "--output", "public"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=follower,
        env={**os.environ, "SYNDICATOR_CONFIG": "", "TERM": "xterm", "COLUMNS": "120"},
    )
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the process closed the terminal
            break
        if not chunk:
            break
        shown += chunk
    process.wait(timeout=120)
    os.close(leader)
    text = shown.decode("utf-8", "replace")

    assert process.returncode == ExitStatus.OK
    assert "normalize" in text and "records read" in text  # redrawn in place, then cleared
    assert "feeds written" in text
