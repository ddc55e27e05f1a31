"""sqlite3 at the edge: its exceptions translated, its scripts split."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from syndicator.articles import article_from_json
from syndicator.errors import StoreError
from syndicator.model import Article


@contextmanager
def wrap_sqlite_errors(path: Path) -> Iterator[None]:
    """sqlite3 exceptions become StoreError naming the file, keeping __cause__."""
    try:
        yield
    except sqlite3.OperationalError as e:
        raise StoreError(f"{path}: {e} (is the disk full or the file locked?)") from e
    except sqlite3.DatabaseError as e:
        raise StoreError(f"{path}: not a usable syndicator store: {e}") from e


def stored_article(path: Path | str, article_id: str, data: str) -> Article:
    """One `articles.data` value back as an Article; a corrupted one is a
    StoreError naming the table, the row and the column, not a bare crash."""
    try:
        article = article_from_json(json.loads(data))
    except (ValueError, KeyError, TypeError, AttributeError) as e:
        raise StoreError(
            f"{path}: table articles, row id={article_id!r}, column data: cannot be read"
            f" ({type(e).__name__}: {e}); restore the store from a backup or retract the article"
        ) from e
    # The stored JSON is the whole article: its hash names this version for the fragment cache.
    version = hashlib.blake2b(data.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
    object.__setattr__(article, "version", version)  # the object built just above, not yet shared
    return article


def stored_time(path: Path | str, table: str, row: str, column: str, value: str) -> datetime:
    """One RFC 3339 value back as a datetime, or a StoreError naming where it is."""
    try:
        return datetime.fromisoformat(value)
    except (ValueError, TypeError) as e:
        raise StoreError(
            f"{path}: table {table}, row {row}, column {column}: not a date ({value!r});"
            " restore the store from a backup"
        ) from e


def refuse_empty_file(path: Path) -> None:
    """SQLite takes a zero-byte file for an empty database, so a truncated
    store would silently start over (every id and date minted again). A store
    is never left empty by syndicator: a new one is created whole and renamed
    in (see Store.__init__), so an empty file is damage, and it is refused."""
    try:
        empty = path.stat().st_size == 0
    except FileNotFoundError:
        return
    except OSError as e:
        raise StoreError(f"{path}: cannot read the state file: {e.strerror or e}") from e
    if empty:
        raise StoreError(
            f"{path}: the state file is empty (0 bytes), so it was truncated or is not a syndicator"
            " store; restore it from a backup, or move it away to start a new store"
        )


def source_location(ref: str, names: Iterable[str] = ()) -> tuple[str | None, str | None]:
    """`samples/world/a.json#3` → ("samples", "world/a.json"); a URL ref has no source file.

    A ref is `<source name>/<path in the folder>`, and a source named by its
    path (`publish --source data/in`) has slashes in its name: the longest of
    `names` that the ref starts with is the source. Without a known name, the
    name is taken to end at the first slash.
    """
    if "://" in ref or "/" not in ref:
        return None, None
    name = max((n for n in names if n and ref.startswith(n + "/")), key=len, default=None)
    if name is None:
        name, _, rest = ref.partition("/")
    else:
        rest = ref[len(name) + 1 :]
    # "#<n>" ends a ref with the record's place in its file; a file's own name may
    # hold "#" too, but never as its end (`a#1.json`, `b#2.jsonl#3`).
    path, mark, place = rest.rpartition("#")
    return name, (path if mark and place.isdigit() else rest)


def statements(script: str) -> list[str]:
    lines = [line.split("--", 1)[0] for line in script.splitlines()]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]


def chunks(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
