"""The command line as a user meets it: real processes, exit codes, one-line errors."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from sitekit import REPO, record, set_output, write_config

from syndicator.cli import ExitStatus


def run(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "syndicator", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


def test_publish_prints_a_summary_and_exits_0(site: Path, add_records: Callable[..., Path]) -> None:
    add_records("a.json", [record(1), record(2)])

    result = run("publish", "--config", "syndicator.toml", cwd=site)

    assert result.returncode == ExitStatus.OK, result.stderr
    assert "read 2 records: 2 new, 0 changed, 0 unchanged" in result.stdout
    assert "published 2 articles in total" in result.stdout
    assert "wrote 20 files" in result.stdout  # 3 feeds x 3 formats, their 9 HTML views, index, OPML
    assert result.stderr == ""


def test_publish_json_prints_the_run_report(site: Path, add_records: Callable[..., Path]) -> None:
    add_records("a.json", [record(1)])

    result = run("publish", "--config", "syndicator.toml", "--json", cwd=site)

    report = json.loads(result.stdout)
    assert report["added"] == 1 and report["outcome"] == "ok"
    assert "rss.xml" in report["feeds_written"]


def test_rejected_records_give_exit_4_and_one_line_each(site: Path, add_records: Callable[..., Path]) -> None:
    add_records("a.json", [record(1), record(2, title=None, summary=None, content_html=None)])

    result = run("publish", "--config", "syndicator.toml", cwd=site)

    assert result.returncode == ExitStatus.REJECTED
    assert f"  {Path('articles') / 'a.json'}: record 1: /title: " in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_a_second_run_reads_nothing_and_says_its_rejections_are_from_an_unchanged_file(
    site: Path, add_records: Callable[..., Path]
) -> None:
    add_records("a.json", [record(1), record(2, title=None, summary=None, content_html=None)])
    run("publish", "--config", "syndicator.toml", cwd=site)

    again = run("publish", "--config", "syndicator.toml", cwd=site)
    report = json.loads(run("publish", "--config", "syndicator.toml", "--json", cwd=site).stdout)

    assert again.returncode == ExitStatus.REJECTED
    assert "read 0 records, 1 unchanged files skipped: 0 new" in again.stdout
    assert "rejected 1 records (1 in files unchanged since they were read):" in again.stdout
    assert report["records_read"] == 0
    assert [r["retold"] for r in report["rejected"]] == [True]


def test_a_config_typo_names_file_key_and_suggestion_and_writes_nothing(site: Path) -> None:
    config = site / "syndicator.toml"
    config.write_text(config.read_text().replace("[output]\n", "[output]\nitmes = 3\n"))

    result = run("publish", "--config", str(config), cwd=site)

    assert result.returncode == ExitStatus.CONFIG
    assert result.stderr.strip() == (
        f"syndicator: error: {config}: output.itmes: unknown key (did you mean 'items'?)"
    )
    assert not (site / "out").exists() and not (site / "state").exists()


def test_the_config_comes_from_the_environment_when_not_given(
    site: Path, add_records: Callable[..., Path]
) -> None:
    add_records("a.json", [record(1)])

    result = run("publish", cwd=REPO / "tests", env={"SYNDICATOR_CONFIG": str(site / "syndicator.toml")})

    assert result.returncode == ExitStatus.OK, result.stderr
    assert (site / "out" / "rss.xml").exists()


def test_source_output_and_items_override_the_configuration(
    tmp_path: Path, site: Path, add_records: Callable[..., Path]
) -> None:
    other = tmp_path / "elsewhere"
    other.mkdir()
    (other / "b.jsonl").write_text("".join(json.dumps(record(n)) + "\n" for n in range(1, 6)))

    result = run(
        "publish",
        "--config",
        "syndicator.toml",
        "--source",
        str(other),
        "--output",
        "alt",
        "--items",
        "2",
        cwd=site,
    )

    assert result.returncode == ExitStatus.OK, result.stderr
    items = json.loads((site / "alt" / "feed.json").read_text())["items"]
    # No archive page is full yet, so all five stay in the feed (newest first): an
    # article is always in the subscription feed or in a full archive page.
    assert [i["title"] for i in items] == [f"Article number {n}" for n in (5, 4, 3, 2, 1)]
    assert not (site / "out").exists()


def test_a_missing_source_folder_is_one_line_and_exit_6(site: Path) -> None:
    result = run("publish", "--config", "syndicator.toml", "--source", "nowhere", cwd=site)

    assert result.returncode == ExitStatus.SOURCE
    assert "nowhere" in result.stdout and "is not a directory" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_traceback_only_when_asked(site: Path) -> None:
    (site / "state").mkdir()
    (site / "state" / "state.sqlite3").write_bytes(b"this is not a database" * 100)

    quiet = run("publish", "--config", "syndicator.toml", cwd=site)
    loud = run("--traceback", "publish", "--config", "syndicator.toml", cwd=site)

    assert quiet.returncode == ExitStatus.ERROR
    assert "not a usable syndicator store" in quiet.stderr and "Traceback" not in quiet.stderr
    assert "Traceback" in loud.stderr


def test_validate_reports_rejections_without_writing(site: Path, add_records: Callable[..., Path]) -> None:
    path = add_records("a.jsonl", [record(1), {"published": "2024-01-02"}])

    result = run("validate", "--config", "syndicator.toml", str(path), cwd=site)

    assert result.returncode == ExitStatus.REJECTED
    assert "ok: " in result.stdout and "line 2: /title: " in result.stdout
    assert "1 valid, 1 rejected" in result.stdout
    assert not (site / "out").exists() and not (site / "state").exists()


def test_validate_explain_says_what_was_inferred(site: Path, seed_copy: Path) -> None:
    result = run("validate", "--config", "syndicator.toml", "--explain", str(seed_copy), cwd=site)

    assert result.returncode == ExitStatus.OK, result.stdout + result.stderr
    assert "categories: Monde" in result.stdout
    assert "inferred title: from breadcrumb" in result.stdout
    assert "inferred language: from the text (language detection)" in result.stdout


def test_history_shows_each_run_and_retract_removes_an_article(
    site: Path, add_records: Callable[..., Path]
) -> None:
    add_records("a.json", [record(1), record(2)])
    run("publish", "--config", "syndicator.toml", cwd=site)
    feed = json.loads((site / "out" / "feed.json").read_text())
    victim = feed["items"][0]["id"]

    retracted = run("retract", "--config", "syndicator.toml", victim, cwd=site)
    history = run("history", "--config", "syndicator.toml", "--json", cwd=site)

    assert retracted.returncode == 0, retracted.stderr
    ids = [i["id"] for i in json.loads((site / "out" / "feed.json").read_text())["items"]]
    assert victim not in ids and len(ids) == 1
    runs = json.loads(history.stdout)
    assert [e["action"] for e in runs[0]["events"]] == ["retracted"]
    assert sorted(e["action"] for e in runs[1]["events"]) == ["added", "added"]


def test_a_dry_run_says_what_would_be_retracted_and_retracts_nothing(
    site: Path, add_records: Callable[..., Path]
) -> None:
    set_output(site, removed="retract")
    add_records("a.json", [record(1)])
    run("publish", "--config", "syndicator.toml", cwd=site)
    (site / "articles" / "a.json").unlink()

    dry = run("publish", "--config", "syndicator.toml", "--dry-run", cwd=site)

    assert "1 articles are no longer in their source and would be retracted" in dry.stdout
    assert len(json.loads((site / "out" / "feed.json").read_text(encoding="utf-8"))["items"]) == 1


def test_validate_of_a_file_in_a_folder_without_configuration_checks_it(tmp_path: Path) -> None:
    (tmp_path / "post.json").write_text(json.dumps(record(1)), encoding="utf-8")

    checked = run("validate", "post.json", cwd=tmp_path, env={"SYNDICATOR_CONFIG": ""})

    assert checked.returncode == ExitStatus.OK, checked.stderr
    assert "1 valid, 0 rejected" in checked.stdout


def test_a_repaired_field_is_a_warning_in_the_summary_json_validate_and_history(
    site: Path, add_records: Callable[..., Path]
) -> None:
    path = add_records("a.json", [record(1, image={"url": "https://gazette.example/i.png", "type": "png"})])
    line = f"{Path('articles') / 'a.json'}: record 0: /image/type: 'png' does not have the expected form"

    checked = run("validate", "--config", "syndicator.toml", str(path), cwd=site)
    summary = run("publish", "--config", "syndicator.toml", "--dry-run", cwd=site)
    report = json.loads(run("publish", "--config", "syndicator.toml", "--json", cwd=site).stdout)
    history = json.loads(run("history", "--config", "syndicator.toml", "--json", cwd=site).stdout)

    assert checked.returncode == summary.returncode == ExitStatus.OK
    assert f"warning: {line}; repaired to 'image/png'" in checked.stdout
    assert "1 valid, 0 rejected, 1 fields repaired" in checked.stdout
    assert "1 warnings:" in summary.stdout
    assert f"  {line}; repaired to 'image/png'" in summary.stdout
    assert report["added"] == 1
    assert report["warnings"] == [f"{line}; repaired to 'image/png'"]
    events = [e for e in history[0]["events"] if e["action"] == "warning"]
    assert [e["detail"] for e in events] == [f"{line}; repaired to 'image/png'"]
    feed = json.loads((site / "out" / "feed.json").read_text())
    assert feed["items"][0]["image"] == "https://gazette.example/i.png"


def test_retract_of_an_unknown_id_fails_clearly(site: Path, add_records: Callable[..., Path]) -> None:
    add_records("a.json", [record(1)])
    run("publish", "--config", "syndicator.toml", cwd=site)

    result = run("retract", "--config", "syndicator.toml", "tag:nope", cwd=site)

    assert result.returncode == ExitStatus.ERROR
    assert "no published article has id 'tag:nope'" in result.stderr


def test_the_shipped_default_configuration_publishes_the_samples(tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.mkdir()
    (config / "taxonomy.toml").write_bytes((REPO / "config" / "taxonomy.toml").read_bytes())
    text = (REPO / "config" / "syndicator.toml").read_text()
    (config / "syndicator.toml").write_text(
        text.replace('path = "samples"', f'path = "{REPO / "config" / "samples"}"')
    )

    result = run("publish", "--config", str(config / "syndicator.toml"), cwd=tmp_path)

    assert result.returncode == ExitStatus.OK, result.stdout + result.stderr
    assert "5 new" in result.stdout and "2 held back" in result.stdout
    assert "published 5 articles in total" in result.stdout
    assert (tmp_path / "feeds" / "categories" / "monde" / "atom.xml").exists()


def test_write_config_helper_makes_a_loadable_site(tmp_path: Path) -> None:
    from syndicator.config import load_config

    config = load_config(write_config(tmp_path, items=7))
    assert config.output.items == 7 and config.output.directory == tmp_path / "out"


def test_publish_refuses_an_empty_state_file_in_one_line_and_leaves_it_alone(
    site: Path, add_records: Callable[..., Path]
) -> None:
    add_records("a.json", [record(1)])
    (site / "state").mkdir()
    (site / "state" / "state.sqlite3").write_bytes(b"")  # truncated by a full disk or a bad copy

    result = run("publish", "--config", "syndicator.toml", cwd=site)

    assert result.returncode == ExitStatus.ERROR
    assert result.stderr.count("\n") == 1 and "the state file is empty (0 bytes)" in result.stderr
    assert (site / "state" / "state.sqlite3").stat().st_size == 0
    assert not (site / "out" / "rss.xml").exists()


def test_a_corrupted_article_in_the_store_is_named_by_table_row_and_column(
    site: Path, add_records: Callable[..., Path]
) -> None:
    add_records("a.json", [record(1), record(2)])
    assert run("publish", "--config", "syndicator.toml", cwd=site).returncode == ExitStatus.OK
    db = sqlite3.connect(site / "state" / "state.sqlite3")
    (article_id,) = db.execute("SELECT id FROM articles WHERE url LIKE '%article-2'").fetchone()
    with db:
        # valid JSON (the title index needs it) that is no longer an article
        db.execute('UPDATE articles SET data = \'{"title": "Article number 2"}\' WHERE id = ?', (article_id,))
    db.close()

    result = run("publish", "--full", "--config", "syndicator.toml", cwd=site)

    assert result.returncode == ExitStatus.ERROR
    assert "internal error" not in result.stderr
    assert f"table articles, row id={article_id!r}, column data: cannot be read" in result.stderr
