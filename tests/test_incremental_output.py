"""A run renders only what changed, and what it writes is what a render of every feed writes.

Each step below changes the site the way publishers do (a new article, an edit
deep in the archive, an article moved to another category and tags, articles
gone from their source, a language arriving and leaving); after each, the
output folder is byte for byte what `publish --full` writes from the same state.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sitekit import NOW, every_feed_config, record

from syndicator.pipeline import publish_run
from syndicator.store import SQLiteStore


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def assert_same_as_a_full_render(site: Path, now: datetime) -> None:
    twin = site.parent / f"{site.name}-full"
    shutil.rmtree(twin, ignore_errors=True)
    shutil.copytree(site, twin)
    publish_run(every_feed_config(twin), now=now, full=True)
    incremental, full = files(site / "out"), files(twin / "out")
    assert sorted(incremental) == sorted(full)
    assert [name for name in full if incremental[name] != full[name]] == []


def article(n: int, **fields: Any) -> dict[str, Any]:
    defaults = {
        "category": ("World", "Économie", "Sport")[n % 3],
        "language": "en",
        "tags": [f"Topic {n % 4}"],
        "author": ("Jane Roe", "Ali Ben")[n % 2],
    }
    return record(n, **{**defaults, **fields})


def test_each_change_renders_what_a_render_of_every_feed_renders(
    site: Path, add_records: Callable[..., Path]
) -> None:
    now = NOW
    add_records("a.json", [article(n) for n in range(1, 13)])
    publish_run(every_feed_config(site), now=now)
    assert_same_as_a_full_render(site, now)

    steps: list[tuple[str, list[dict[str, Any]]]] = [
        ("b.json", [article(13)]),  # one new article
        ("a.json", [article(n, summary="Edited.") if n == 2 else article(n) for n in range(1, 13)]),
        # moved to another category, tag and author, deep in the archive
        (
            "a.json",
            [
                article(n, category="Sport", tags=["Brand new topic"], author="Zoë Quill")
                if n == 3
                else article(n)
                for n in range(1, 13)
            ],
        ),
        ("c.json", [article(14, language="fr"), article(15, language="de")]),  # languages arrive
        ("c.json", []),  # … and leave: gone from their source
        ("a.json", [article(n) for n in range(1, 7)]),  # half the archive gone from its source
    ]
    for name, records in steps:
        now += timedelta(hours=1)
        add_records(name, records)
        publish_run(every_feed_config(site), now=now)
        assert_same_as_a_full_render(site, now)


@pytest.fixture
def statements(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every statement the stores opened in this test run, as SQLite expanded it."""
    seen: list[str] = []
    opened = SQLiteStore.__init__

    def tracing(self: SQLiteStore, *args: Any, **kwargs: Any) -> None:
        opened(self, *args, **kwargs)
        self.sqlite.set_trace_callback(seen.append)

    monkeypatch.setattr(SQLiteStore, "__init__", tracing)
    yield seen


def test_a_new_article_reads_only_the_feeds_that_hold_it(
    site: Path, add_records: Callable[..., Path], statements: list[str]
) -> None:
    add_records(
        "a.json",
        [record(n, category=f"Section {n}", tags=[f"Topic {n}"], author=f"Writer {n}") for n in range(1, 31)],
    )
    publish_run(every_feed_config(site), now=NOW)
    add_records("b.json", [record(31, category="Section 31", tags=["Topic 31"], author="Writer 31")])
    statements.clear()

    report = publish_run(every_feed_config(site), now=NOW + timedelta(hours=1))

    assert report.added == 1
    touched = {f.rsplit("/", 1)[0] for f in report.feeds_written if "/" in f}
    assert {"categories/section-31", "tags/topic-31", "authors/writer-31"} <= touched
    assert [s for s in statements if "topic-7" in s or "section-7" in s or "writer-7" in s] == []
    # The index still lists every feed: 1 main + 31 of each kind.
    index = (site / "out" / "index.html").read_text(encoding="utf-8")
    assert "94 feeds" in index and "Topic 7" in index
