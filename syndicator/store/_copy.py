"""Moving a whole store to another engine, row for row: every id, date,
archive slot, identity key, run and event kept as it is, so the feeds
written from the copy are the feeds written from the original, byte for byte.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from syndicator.errors import StoreError
from syndicator.store._store import StoreBase


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[str, ...]
    order: str  # a total order, so the copy is written in the original's order


# Parents before children (foreign keys); run_events in the order they were written.
TABLES: tuple[Table, ...] = (
    Table(
        "articles",
        (
            "id",
            "url",
            "source_ref",
            "content_hash",
            "first_seen",
            "published",
            "published_utc",
            "updated",
            "retracted",
            "data",
            "source_name",
            "source_file",
            "archive_seq",
            "title",
            "language",
        ),
        "id",
    ),
    Table("identity_keys", ("key", "article_id"), "key, article_id"),
    Table("article_categories", ("article_id", "term", "label", "scheme"), "term, article_id"),
    Table("runs", ("id", "started", "finished", "outcome", "report"), "id"),
    Table("run_events", ("run_id", "action", "article_id", "ref", "detail"), ""),
    Table("source_files", ("source", "path", "size", "mtime_ns", "sha256", "fingerprint"), "source, path"),
    Table("file_rejections", ("source", "path", "position", "rejection"), "source, path, position"),
    Table("http_cache", ("url", "etag", "last_modified"), "url"),
    Table("archive_dirty", ("seq",), "seq"),
    Table("meta", ("key", "value"), "key"),
    Table("feed_dirty", ("term",), "term"),
    Table("pending_pings", ("hub", "topic", "since", "failures", "error"), "hub, topic"),
    Table("article_names", ("article_id", "kind", "slug", "name"), "kind, slug, article_id, name"),
    Table("category_archive", ("term", "place", "article_id"), "term, place"),
    Table("category_archive_dirty", ("term", "place"), "term, place"),
    Table("feed_listings", ("key", "data"), "key"),
)
BATCH = 1000


@dataclass(frozen=True)
class CopyReport:
    rows: tuple[tuple[str, int], ...]  # (table, rows copied), in copy order


def _batches(rows: Iterator[Any]) -> Iterator[list[tuple[Any, ...]]]:
    batch: list[tuple[Any, ...]] = []
    for row in rows:
        batch.append(tuple(row))
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def copy_store(source: StoreBase, target: StoreBase) -> CopyReport:
    """Copy every row of `source` into the empty store `target`, in one transaction.

    A target that already holds articles or runs is refused: merging two
    sites' histories would hand out archive slots and run numbers twice.
    """
    counts: list[tuple[str, int]] = []
    with target.transaction():
        held = target.db.execute(
            "SELECT (SELECT count(*) FROM articles) + (SELECT count(*) FROM runs)"
        ).fetchone()[0]
        if held:
            raise StoreError(f"{target.label}: already holds a store; migrate only into an empty one")
        # A new store starts "render everything"; the copy says what the original says.
        target.db.execute("DELETE FROM meta")
        target.db.execute("DELETE FROM feed_dirty")
        for table in TABLES:
            order = table.order or source.dialect.event_order
            columns = ", ".join(table.columns)
            marks = ", ".join("?" * len(table.columns))
            insert = f"INSERT INTO {table.name} ({columns}) VALUES ({marks})"
            copied = 0
            with source.errors():
                rows = iter(source.db.execute(f"SELECT {columns} FROM {table.name} ORDER BY {order}"))
                for batch in _batches(rows):
                    target.db.executemany(insert, batch)
                    copied += len(batch)
            counts.append((table.name, copied))
        target.after_copy()
    return CopyReport(tuple(counts))
