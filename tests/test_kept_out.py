"""Articles read but kept out of the feeds: retracted by hand, or drafts of articles
their source retracted. What the feeds show and what the run report says agree."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sitekit import NOW, record, set_output

from syndicator.config import load_config
from syndicator.pipeline import publish_run, retract_run
from syndicator.report import RunReport

pytestmark = pytest.mark.usefixtures("each_store")  # every test on SQLite, then PostgreSQL


def publish(site: Path, hours: int, *, full: bool = False) -> RunReport:
    return publish_run(load_config(site / "syndicator.toml"), now=NOW + timedelta(hours=hours), full=full)


def feed(site: Path) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = json.loads((site / "out" / "feed.json").read_text(encoding="utf-8"))[
        "items"
    ]
    return items


def later(path: Path, hours: int) -> None:
    """The file written again, its time moved on (a run reads it again)."""
    stamp = path.stat().st_mtime_ns + hours * 3600 * 10**9
    os.utime(path, ns=(stamp, stamp))


def retracted_by_hand_then_a_draft(site: Path, add_records: Callable[..., Path]) -> tuple[Path, str]:
    """One article published, retracted by hand, then made a draft of the same text at its
    source and read again: its file and its id."""
    path = add_records("a.json", [record(1)])
    publish(site, 0)
    victim = feed(site)[0]["id"]
    retract_run(load_config(site / "syndicator.toml"), victim, now=NOW + timedelta(hours=1))
    add_records("a.json", [record(1, status="draft")])
    later(path, 2)
    publish(site, 2)
    return path, victim


def test_taking_back_a_retraction_by_hand_never_publishes_what_the_source_now_holds_as_a_draft(
    site: Path, add_records: Callable[..., Path]
) -> None:
    path = add_records("a.json", [record(1, title="Budget figures"), record(2)])
    publish(site, 0)
    victim = next(i["id"] for i in feed(site) if i["title"] == "Budget figures")
    retract_run(load_config(site / "syndicator.toml"), victim, now=NOW + timedelta(hours=1))
    add_records("a.json", [record(1, title="Budget figures, unfinished rewrite", status="draft"), record(2)])
    later(path, 2)
    publish(site, 2)

    undone = retract_run(
        load_config(site / "syndicator.toml"), victim, now=NOW + timedelta(hours=3), undo=True
    )

    assert undone.done and undone.still_out
    assert [i["title"] for i in feed(site)] == ["Article number 2"]
    # Once the source publishes it, it comes back, as the source now has it.
    add_records("a.json", [record(1, title="Budget figures, rewritten"), record(2)])
    later(path, 4)
    publish(site, 4)
    assert sorted(i["title"] for i in feed(site)) == ["Article number 2", "Budget figures, rewritten"]
    assert victim in {i["id"] for i in feed(site)}


def test_a_draft_that_turns_back_into_the_published_text_while_retracted_by_hand_comes_back_with_the_undo(
    site: Path, add_records: Callable[..., Path]
) -> None:
    path, victim = retracted_by_hand_then_a_draft(site, add_records)  # the same text, unpublished...
    add_records("a.json", [record(1)])  # ...and published again
    later(path, 3)
    publish(site, 3)

    undone = retract_run(
        load_config(site / "syndicator.toml"), victim, now=NOW + timedelta(hours=4), undo=True
    )

    assert undone.done and not undone.still_out
    assert [i["id"] for i in feed(site)] == [victim]


def test_an_article_retracted_by_hand_is_reported_as_held_back_not_as_published(
    site: Path, add_records: Callable[..., Path]
) -> None:
    add_records("a.json", [record(1), record(2), record(3)])
    publish(site, 0)
    victim = feed(site)[0]["id"]
    retract_run(load_config(site / "syndicator.toml"), victim, now=NOW + timedelta(hours=1))

    full = publish(site, 2, full=True)

    assert (full.unchanged, full.held, full.published, full.articles_total) == (2, 1, 2, 2)
    assert len(feed(site)) == 2


def test_an_edit_of_an_article_retracted_by_hand_is_kept_and_reported_as_held_back(
    site: Path, add_records: Callable[..., Path]
) -> None:
    path = add_records("a.json", [record(1, title="Wrong figures")])
    publish(site, 0)
    victim = feed(site)[0]["id"]
    retract_run(load_config(site / "syndicator.toml"), victim, now=NOW + timedelta(hours=1))
    add_records("a.json", [record(1, title="Corrected figures")])
    later(path, 2)

    edited = publish(site, 2)

    assert (edited.changed, edited.held, edited.published) == (0, 1, 0)
    assert feed(site) == []


def test_a_draft_of_an_article_its_source_retracted_is_held_back_when_its_file_is_read_again(
    site: Path, add_records: Callable[..., Path]
) -> None:
    path = add_records("a.jsonl", [record(1), record(2)])
    publish(site, 0)
    add_records("a.jsonl", [record(1), record(2, status="draft")])
    later(path, 1)
    assert publish(site, 1).retracted == 1
    add_records("a.jsonl", [record(1, title="Edited"), record(2, status="draft")])
    later(path, 2)

    again = publish(site, 2)

    assert (again.changed, again.unchanged, again.held, again.published) == (1, 0, 1, 1)
    assert [i["title"] for i in feed(site)] == ["Edited"]


def test_the_command_says_when_an_undone_article_stays_out_as_a_draft(
    site: Path, add_records: Callable[..., Path]
) -> None:
    _, victim = retracted_by_hand_then_a_draft(site, add_records)

    undo = subprocess.run(
        [sys.executable, "-m", "syndicator", "retract", "--undo", victim],
        cwd=site,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert undo.returncode == 0, undo.stderr
    assert "its source does not publish it (a draft, or gone from it), so it stays out" in undo.stdout
    assert feed(site) == []


def test_taking_back_a_retraction_by_hand_never_publishes_an_article_gone_from_its_source(
    site: Path, add_records: Callable[..., Path]
) -> None:
    set_output(site, removed="retract")
    config = site / "syndicator.toml"
    add_records("a.json", [record(1)])
    add_records("b.json", [record(2)])
    publish(site, 0)
    victim = next(i["id"] for i in feed(site) if i["title"] == "Article number 1")
    retract_run(load_config(config), victim, now=NOW + timedelta(hours=1))
    (site / "articles" / "a.json").unlink()
    gone = publish(site, 2)

    undone = retract_run(load_config(config), victim, now=NOW + timedelta(hours=3), undo=True)

    assert (gone.removed_from_source, gone.retracted) == (0, 0)  # out of the feeds already
    assert undone.done and undone.still_out
    assert [i["title"] for i in feed(site)] == ["Article number 2"]
