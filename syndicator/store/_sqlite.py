"""sqlite3 at the edge: its exceptions translated, its scripts split."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from syndicator.errors import StoreError


@contextmanager
def wrap_sqlite_errors(path: Path) -> Iterator[None]:
    """sqlite3 exceptions become StoreError naming the file, keeping __cause__."""
    try:
        yield
    except sqlite3.OperationalError as e:
        raise StoreError(f"{path}: {e} (is the disk full or the file locked?)") from e
    except sqlite3.DatabaseError as e:
        raise StoreError(f"{path}: not a usable syndicator store: {e}") from e


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
    return name, rest.split("#", 1)[0]


def statements(script: str) -> list[str]:
    lines = [line.split("--", 1)[0] for line in script.splitlines()]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]


def chunks(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
