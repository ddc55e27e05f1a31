"""Every query a publish run makes finds its rows through an index.

A run on a 100,000-article store must cost what changed, not what is stored:
a query that scans a large table without an index turns each run (and each
article, when it runs per article) into a walk over the archive. Every
statement of a cold run and of an incremental one (a new article, an edited
one, a file removed, with every kind of feed and archive pages) is recorded
as SQLite ran it, values bound, and its `EXPLAIN QUERY PLAN` is read.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sitekit import NOW, record, write_config

from syndicator.config import load_config
from syndicator.pipeline import publish_run
from syndicator.store import SQLiteStore

# Read whole by design: what sources remember, the run's bookkeeping and the
# marks of what is stale, the index's line of each feed. Each holds a row per
# file, per URL, per feed or per stale document, never a row per article.
READ_WHOLE = frozenset(
    {
        "meta",
        "source_files",
        "http_cache",
        "archive_dirty",
        "feed_dirty",
        "pending_pings",
        "feed_listings",
        "category_archive_dirty",
    }
)
NOT_QUERIES = ("BEGIN", "COMMIT", "ROLLBACK", "PRAGMA", "SAVEPOINT", "RELEASE", "CREATE", "DROP", "ANALYZE")


@pytest.fixture
def statements(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every statement the stores opened in this test run, as SQLite expanded it."""
    seen: list[str] = []
    opened: Callable[..., None] = SQLiteStore.__init__

    def tracing(self: SQLiteStore, *args: Any, **kwargs: Any) -> None:
        opened(self, *args, **kwargs)
        self.sqlite.set_trace_callback(seen.append)

    monkeypatch.setattr(SQLiteStore, "__init__", tracing)
    return seen


def unindexed_reads(db: sqlite3.Connection, statement: str) -> list[str]:
    """The plan lines that read a table row by row without any index, or through one
    that only narrows by the retracted flag."""
    plan = db.execute(f"EXPLAIN QUERY PLAN {statement}").fetchall()
    # A subquery's or a view's rows, gathered first: not a table.
    derived = {d.split()[1] for *_, d in plan if d.split()[0] in ("MATERIALIZE", "CO-ROUTINE")}
    found = []
    for *_, detail in plan:
        if detail.endswith("(retracted=?)"):  # a search on a flag: every visible article, a scan in disguise
            found.append(detail)
            continue
        words = detail.split()
        if words[:2] == ["SCAN", "CONSTANT"]:  # SELECT of values, no table
            continue
        if words[:1] != ["SCAN"] or words[1].startswith("(") or words[1] in derived:
            continue
        table = words[1]
        if "INDEX" in words or table in READ_WHOLE:
            continue
        if "LIMIT" in statement.upper() and statement.rstrip().upper().endswith("LIMIT 1"):
            continue  # the first row in rowid order: one step
        found.append(detail)
    return found


def test_every_query_of_a_publish_run_uses_an_index(tmp_path: Path, statements: list[str]) -> None:
    site = tmp_path / "site"
    site.mkdir()
    config_path = write_config(
        site,
        items=5,
        extra="",
    )
    config_path.write_text(
        config_path.read_text(encoding="utf-8").replace(
            "items = 5\n",
            "items = 5\ncategory_feeds = true\nlanguage_feeds = true\ntag_feeds = true\n"
            "author_feeds = true\narchive_page_size = 4\n",
        ),
        encoding="utf-8",
    )
    articles = site / "articles"
    records = [
        record(n, tags=[f"tag {n % 3}"], author=f"Author {n % 2}", language=("en", "fr")[n % 2])
        for n in range(1, 25)
    ]
    (articles / "a.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records[:12]), encoding="utf-8")
    (articles / "b.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records[12:]), encoding="utf-8")
    config = load_config(config_path)

    publish_run(config, now=NOW)
    (articles / "c.jsonl").write_text(json.dumps(record(99, category="Sport")) + "\n", encoding="utf-8")
    edited = [*records[:11], record(12, title="Article number 12, corrected")]
    (articles / "a.jsonl").write_text("".join(json.dumps(r) + "\n" for r in edited), encoding="utf-8")
    (articles / "b.jsonl").unlink()
    publish_run(config, now=NOW + timedelta(hours=1))
    publish_run(config, now=NOW + timedelta(hours=2))  # nothing new

    queries = {s for s in statements if s.split(None, 1)[0].upper() not in NOT_QUERIES}
    assert any(q.startswith("SELECT k.key") for q in queries)  # the run's reads were seen
    assert any(q.startswith("INSERT INTO articles") for q in queries)  # and its writes
    db = sqlite3.connect(site / "state" / "state.sqlite3")
    unindexed = {q[:200]: reads for q in sorted(queries) if (reads := unindexed_reads(db, q))}
    assert unindexed == {}, "\n".join(f"{q}: {r}" for q, r in unindexed.items())
