"""sqlite3 at the edge: its exceptions translated, its scripts split."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
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


def source_location(ref: str) -> tuple[str | None, str | None]:
    """`samples/world/a.json#3` → ("samples", "world/a.json"); a URL ref has no source file."""
    if "://" in ref or "/" not in ref:
        return None, None
    name, _, rest = ref.partition("/")
    return name, rest.split("#", 1)[0]


def statements(script: str) -> list[str]:
    lines = [line.split("--", 1)[0] for line in script.splitlines()]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]


def chunks(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
